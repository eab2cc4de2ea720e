"""One ``"echo"`` curve's model: :class:`EchoCurve` (cached ATS echo, 2LS term, the checked
surrogate for the MCMC), its model options and pulse metadata, and the unit a_0.

Split from :mod:`etm.fit.echo` (the observable's registration, defaults and fits). The model
(the essay's Eq. 21, 27-34 and 31; docs/echo.md)::

    A(B)/A(B_high) = [A_2LS(T, tau12) + s a(B)] / [A_2LS(T, tau12) + s a(B_high)],  s = -1
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from etm import echo
from etm.fit.data import field_curve_axes, metadata_number
from etm.fit.models import ShapeCache
from etm.fit.registry import metadata_choices
from etm.fit.surrogate import Chebyshev
from etm.params import EchoParams, Pulses

__all__ = [
    "ECHO_OPTIONS",
    "EP_NAMES",
    "TLS_NAMES",
    "EchoCurve",
    "bare_unit",
    "echo_options",
    "pulses_from_metadata",
]

#: Model options an ``"echo"`` curve may carry in its metadata (``# matrix_elements = essay``
#: above the header row, a ``--meta`` TOML entry, or the ``etm fit`` options), with their
#: defaults: the exact model, normalized at 0.6 T (the top of the essay's Fig. 15).
ECHO_OPTIONS: Mapping[str, Any] = MappingProxyType(
    {
        "matrix_elements": "exact",
        "c_form": "bloch",
        "Bhigh_T": 0.6,
        "detection": "projection",
        "ats_sign": -1,
    }
)
#: The 2LS parameters (units: a_0; 1/(s K); 1/(s K^3)), none of them in Table 7.
TLS_NAMES = ("A_2LS_per_a0", "c_2LS_per_sK", "Gamma_2LS_per_sK3")
#: Temperature [K] of the unit a_0: tanh(E/2T) = 1 to double precision for every E >= 1 mK.
T_BARE_K = 1e-5
#: The seven parameters of :class:`etm.params.EchoParams`.
EP_NAMES = (
    "Dmin_K",
    "X0min_KA2",
    "X0max_KA2",
    "Gamma_inv_per_sK5",
    "c_per_sK",
    "p1F0_DkV_per_m",
    "tan_omega_dtau",
)


def _number(metadata: Mapping[str, Any], key: str, where: str, example: str) -> float:
    return metadata_number(metadata, key, where, example, "echo")


def echo_options(metadata: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The model options of one curve from its metadata, checked (``where`` names the file)."""
    out = dict(ECHO_OPTIONS)
    allowed = {
        "matrix_elements": echo.MATRIX_ELEMENTS,
        "c_form": echo.C_FORMS,
        "detection": echo.DETECTIONS,
    }
    out.update(metadata_choices(metadata, allowed, where))
    if "ats_sign" in metadata:
        v = metadata["ats_sign"]
        if isinstance(v, bool) or v not in (-1, 1):
            raise ValueError(f"{where}: metadata 'ats_sign' must be -1 or +1, got {v!r}")
        out["ats_sign"] = int(v)
    if "Bhigh_T" in metadata:
        v = metadata["Bhigh_T"]
        if isinstance(v, bool) or not isinstance(v, int | float) or not (0 < v < math.inf):
            raise ValueError(f"{where}: metadata 'Bhigh_T' must be a number > 0 T, got {v!r}")
        out["Bhigh_T"] = float(v)
    return out


def pulses_from_metadata(metadata: Mapping[str, Any], where: str) -> Pulses:
    f = _number(metadata, "f_Hz", where, "f_GHz = 1")
    t1 = _number(metadata, "tau1_s", where, "tau1_us = 0.1")
    t2 = _number(metadata, "tau2_s", where, "tau2_us = 0.2")
    t12 = _number(metadata, "tau12_s", where, "tau12_us = 2")
    try:
        return Pulses(f, t1, t2, t12)
    except ValueError as exc:
        raise ValueError(f"{where}: pulse metadata: {exc}") from None


def bare_unit(params: EchoParams, pulses: Pulses, options: Mapping[str, Any]) -> float:
    """a_0: the zero-field ATS echo without decay (T -> 0, c = Gamma^-1 = 0), the unit of A_2LS.

    Parameters
    ----------
    params : EchoParams
        The tunneling parameters (c and Gamma^-1 are ignored).
    pulses : Pulses
        The pulse sequence (tau12 does not enter without decay).
    options : mapping
        ``matrix_elements``, ``c_form``, ``detection`` (:data:`ECHO_OPTIONS`).

    Returns
    -------
    float
        |a_0| in the units of :func:`etm.echo.amplitude`.
    """
    bare = replace(params, c_per_sK=0.0, Gamma_inv_per_sK5=0.0)
    a = echo.amplitude(
        T_BARE_K,
        0.0,
        bare,
        pulses,
        matrix_elements=options["matrix_elements"],
        c_form=options["c_form"],
        detection=options["detection"],
    )
    return abs(float(a))


class EchoCurve(ShapeCache):
    """Relative echo amplitude of one curve at fixed T and pulse sequence, cached ATS echo.

    The model depends on the 2LS parameters only through A_2LS(T, tau12), so the complex echo
    a_S + i a_C on the curve's fields plus B_high, and the unit a_0, are cached on the seven
    :class:`~etm.params.EchoParams` values: a finite-difference Jacobian column of a 2LS
    parameter costs no integral.
    """

    def __init__(
        self, x_name: str, x: ArrayLike, metadata: Mapping[str, Any], orientation: str, where: str
    ) -> None:
        super().__init__()
        self.B, T = field_curve_axes(x_name, x, metadata, where, "echo", "T_mK = 12")
        self.T_K = T
        self.T = np.full_like(self.B, T)
        self.pulses = pulses_from_metadata(metadata, where)
        self.options = echo_options(metadata, where)
        self.orientation = orientation
        self._fields = np.concatenate([self.B, [self.options["Bhigh_T"]]])

    def ats(self, v: Mapping[str, float]) -> tuple[NDArray[np.complex128], float] | None:
        """(a_S + i a_C on the curve's fields then at B_high, a_0); None for an empty X window."""
        lo, hi = sorted((v["X0min_KA2"], v["X0max_KA2"]))
        vals = {**v, "X0min_KA2": lo, "X0max_KA2": hi}
        key = tuple(float(vals[n]) for n in EP_NAMES)
        empty = hi <= lo * (1.0 + 1e-12)

        def compute() -> tuple[NDArray[np.complex128], float] | None:
            if empty:
                return None
            o = self.options
            params = EchoParams(*key)
            a = echo.complex_amplitude(
                T_K=self.T_K,
                B_T=self._fields,
                params=params,
                pulses=self.pulses,
                orientation=self.orientation,
                matrix_elements=o["matrix_elements"],
                c_form=o["c_form"],
            )
            return a, bare_unit(params, self.pulses, o)

        return self.cached(key, compute, not empty)

    def two_level(self, v: Mapping[str, float], a0: float) -> float:
        """A_2LS(T, tau12) in the units of a(B) (:func:`etm.echo.two_level_echo`)."""
        pu = self.pulses
        return float(
            echo.two_level_echo(
                self.T_K,
                pu.tau12_s,
                pu.f_Hz,
                A_2LS=v.get("A_2LS_per_a0", 0.0) * a0,
                c_2LS_per_sK=v.get("c_2LS_per_sK", 0.0),
                Gamma_2LS_per_sK3=v.get("Gamma_2LS_per_sK3", 0.0),
            )
        )

    def parts(self, v: Mapping[str, float], components: Sequence[str]) -> dict[str, NDArray]:
        """The two terms (dimensionless) of A(B)/A(B_high) at the values ``v``."""
        return self._combine(v, self.ats(v) if "ATS" in components else None, components)

    def _combine(
        self,
        v: Mapping[str, float],
        got: tuple[NDArray[np.complex128], float] | None,
        components: Sequence[str],
    ) -> dict[str, NDArray]:
        """The terms of A(B)/A(B_high) from the ATS echo ``got`` = (z, a_0) at the values ``v``."""
        ones = np.ones_like(self.B)
        if got is None:
            # no ATS (or an empty window): the field-blind 2LS echo alone, ratio 1
            out = {"2LS": ones} if "2LS" in components else {}
            if "ATS" in components:
                out["ATS"] = np.zeros_like(self.B)
            return out
        z, a0 = got
        two = self.two_level(v, a0) if "2LS" in components else 0.0
        sign = self.options["ats_sign"]
        if self.options["detection"] == "projection":
            a = float(v["tan_omega_dtau"]) * z.real + z.imag
            denom = two + sign * a[-1]
            rel_ats = sign * a[:-1]
        else:
            # |A_2LS + s (a_S + i a_C)| is no sum of the two terms: "ATS" is the remainder
            denom = abs(two + sign * z[-1])
            rel_ats = np.abs(two + sign * z[:-1]) - two
        if denom == 0.0:  # A(B_high) = 0: keep the objective finite; the fit moves away
            denom = 1e-300
        out = {"ATS": rel_ats / denom}
        if "2LS" in components:
            out["2LS"] = np.full_like(self.B, two / denom)
        return out

    def evaluate(self, v: Mapping[str, float], components: Sequence[str]) -> NDArray[np.float64]:
        """The model A(B)/A(B_high) at the values ``v``."""
        return sum(self.parts(v, components).values(), np.zeros_like(self.B))

    # --- many parameter sets at once (MCMC walkers): a checked Chebyshev surrogate ------------

    #: Chebyshev nodes per EchoParams coordinate of the surrogate (Dmin_K linear, the others in
    #: log10); at most three of them may vary.
    SURROGATE_NODES = 10
    _surrogate: Any = None
    #: Parameter sets :meth:`evaluate_many` gave the exact echo (outside the surrogate's box).
    surrogate_misses = 0

    def prepare_sampling(
        self, box: Mapping[str, tuple[float, float]] | None, best: Mapping[str, float] | None
    ) -> float | None:
        """Build (or, with ``box=None``, drop) a tensor Chebyshev interpolant
        (:class:`etm.fit.surrogate.Chebyshev`) of the ATS echo (z on the fields and at B_high,
        and a_0) over the EchoParams coordinates that vary in ``box`` (physical ranges), the
        others held at ``best``; return the largest error of the model A(B)/A(B_high) against
        the exact one at 16 seeded random points of the box, or None (no surrogate: none or
        more than three EchoParams vary, or an empty X window in the box)."""
        self._surrogate = None
        if box is None or best is None:
            return None
        vary = [n for n in EP_NAMES if box[n][1] > box[n][0]]
        if not vary or len(vary) > 3 or box["X0min_KA2"][1] >= box["X0max_KA2"][0]:
            return None
        logs = np.array([n != "Dmin_K" and box[n][0] > 0 for n in vary])
        lo = np.array([box[n][0] for n in vary], dtype=float)
        hi = np.array([box[n][1] for n in vary], dtype=float)
        lo, hi = (
            np.where(logs, np.log10(np.where(logs, lo, 1.0)), lo),
            np.where(logs, np.log10(np.where(logs, hi, 1.0)), hi),
        )
        base = {k: float(x) for k, x in best.items()}
        n1 = self._fields.size

        def exact(q: NDArray) -> NDArray:
            z, a0 = self.ats(base | self._at(vary, logs, q))
            return np.concatenate([z.real, z.imag, [a0]])

        sur = Chebyshev(exact, lo, hi, [self.SURROGATE_NODES] * len(vary))
        q, approx, ref = sur.check()
        self._surrogate = (sur, vary, logs, n1)
        comps = ("ATS", "2LS")
        err = 0.0
        for k in range(q.shape[0]):
            vk = base | self._at(vary, logs, q[k])
            a = self._combine(vk, self._unpack(approx[k], n1), comps)
            e = self._combine(vk, self._unpack(ref[k], n1), comps)
            err = max(err, float(np.max(np.abs(sum(a.values()) - sum(e.values())))))
        return err

    @staticmethod
    def _at(vary: list[str], logs: NDArray, q: NDArray) -> dict[str, float]:
        return {n: float(10.0**x if lg else x) for n, lg, x in zip(vary, logs, q, strict=True)}

    @staticmethod
    def _unpack(row: NDArray, n1: int) -> tuple[NDArray[np.complex128], float]:
        return row[:n1] + 1j * row[n1 : 2 * n1], float(row[-1])

    def evaluate_many(
        self, v: Mapping[str, NDArray], components: Sequence[str]
    ) -> NDArray[np.float64]:
        """The model A(B)/A(B_high) for W parameter sets (``v``: name -> array of W), shape
        (W, n): the ATS echo from the surrogate inside its box, exact outside."""
        W = next(iter(v.values())).shape[0]
        rows = [{k: float(np.asarray(x)[w]) for k, x in v.items()} for w in range(W)]
        inside = np.zeros(W, dtype=bool)
        if self._surrogate is not None and "ATS" in components:
            sur, vary, logs, n1 = self._surrogate
            q = np.column_stack([np.asarray(v[n], dtype=float) for n in vary])
            q = np.where(logs, np.log10(np.where(logs, q, 1.0)), q)
            inside, vals = sur(q)
            self.surrogate_misses += int(W - np.count_nonzero(inside))
        out = np.empty((W, self.B.size))
        for w, vw in enumerate(rows):
            if inside[w]:
                got = self._unpack(vals[w], n1)
            else:
                got = self.ats(vw) if "ATS" in components else None
            out[w] = sum(self._combine(vw, got, components).values(), np.zeros_like(self.B))
        return out
