"""The echo observable ``"echo"``: relative two-pulse echo amplitude A(B)/A(B_high) vs field B.

Registered in :data:`etm.fit.registry.OBSERVABLES` on import. The model (the essay's Eq. 21,
27-34, Figs. 15-16, Table 7; :func:`etm.echo.relative_amplitude`; docs/fitting.md, "Echo")::

    A(B)/A(B_high) = [A_2LS + a(B)] / [A_2LS + a(B_high)],    A_2LS = background * |a(0)|

with a(B) the ATS echo of :func:`etm.echo.amplitude` at the curve's temperature and pulse
sequence (metadata ``T_K``, ``f_Hz``, ``tau1_s``, ``tau2_s``, ``tau12_s``, read in any unit of
:data:`etm.fit.data.UNITS`, e.g. ``# tau12_us = 2``). The two terms the fitter plots are
``"ATS"`` = a(B)/[A_2LS + a(B_high)] and ``"2LS"`` = A_2LS/[A_2LS + a(B_high)]; without the ATS
term (the standard model) the 2LS echo is field-blind and the relative amplitude is 1.

What one curve determines: c (spectral diffusion) multiplies every system's echo, a(0) included,
by the same exp(-2 c T tau12), so it cancels *exactly* in the ratio; p1F0 (the Rabi frequency)
and tan(omega Delta tau) (the detection phase) are strongly correlated with the cutoffs on a
single curve, and so are Gamma^-1 (with Dmin and X0max) and the background (with X0min): on a
100-point curve with 0.5 % noise only Dmin_K, X0min_KA2 and X0max_KA2 are determined
(docs/fitting.md). :func:`fit_echo` therefore fixes :data:`ECHO_DEFAULT_FIXED` (at the
material's Table 7 row, or typical values; the background at 0) unless they are freed, and says
so in the fit's notes. The background A_2LS belongs to the ATS term because it only enters
relative to the ATS echo.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from etm import echo, materials
from etm.fit.data import MeasuredCurve, field_curve_axes, metadata_number
from etm.fit.engine import FitResult, fit
from etm.fit.registry import Observable, ParamSpec, register_observable, x_cutoff_specs
from etm.fit.synthetic import synthetic_field_curve
from etm.params import EchoParams, Pulses

__all__ = [
    "ECHO",
    "ECHO_DEFAULT_FIXED",
    "ECHO_OPTIONS",
    "echo_defaults",
    "fit_echo",
    "synthetic_echo_curve",
]

#: Model options an ``"echo"`` curve may carry in its metadata (``# matrix_elements = essay``
#: above the header row, a ``--meta`` TOML entry, or the ``etm fit`` options), with their
#: defaults: the exact model, normalized at 0.6 T (the top of the essay's Fig. 15).
ECHO_OPTIONS: Mapping[str, Any] = MappingProxyType(
    {"matrix_elements": "exact", "c_form": "bloch", "Bhigh_T": 0.6}
)
#: Parameters :func:`fit_echo` holds fixed unless freed (see the module docstring): on one
#: curve only Dmin_K, X0min_KA2 and X0max_KA2 are determined.
ECHO_DEFAULT_FIXED: tuple[str, ...] = (
    "Gamma_inv_per_sK5",
    "c_per_sK",
    "p1F0_DkV_per_m",
    "tan_omega_dtau",
    "background",
)
#: The seven parameters of :class:`etm.params.EchoParams`.
_EP_NAMES = (
    "Dmin_K",
    "X0min_KA2",
    "X0max_KA2",
    "Gamma_inv_per_sK5",
    "c_per_sK",
    "p1F0_DkV_per_m",
    "tan_omega_dtau",
)
#: Start (and default-fixed values) without a material: BAS sample 2 of Table 7, rounded;
#: background 0 (Table 7 gives no 2LS echo; :func:`etm.echo.relative_amplitude`'s default).
_ECHO_DEFAULT_START = {
    "Dmin_K": 0.025,
    "X0min_KA2": 1e3,
    "X0max_KA2": 1e4,
    "Gamma_inv_per_sK5": 2.6e11,
    "c_per_sK": 4e6,
    "p1F0_DkV_per_m": 0.45,
    "tan_omega_dtau": 0.25,
    "background": 0.0,
}


def _number(metadata: Mapping[str, Any], key: str, where: str, example: str) -> float:
    return metadata_number(metadata, key, where, example, "echo")


def _echo_options(metadata: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The model options of one curve from its metadata, checked (``where`` names the file)."""
    out = dict(ECHO_OPTIONS)
    for key, choices in (("matrix_elements", echo.MATRIX_ELEMENTS), ("c_form", echo.C_FORMS)):
        if key in metadata:
            v = metadata[key]
            if v not in choices:
                raise ValueError(
                    f"{where}: metadata {key!r} must be one of {', '.join(choices)}, got {v!r}"
                )
            out[key] = v
    if "Bhigh_T" in metadata:
        v = metadata["Bhigh_T"]
        if isinstance(v, bool) or not isinstance(v, int | float) or not (0 < v < math.inf):
            raise ValueError(f"{where}: metadata 'Bhigh_T' must be a number > 0 T, got {v!r}")
        out["Bhigh_T"] = float(v)
    return out


def _pulses(metadata: Mapping[str, Any], where: str) -> Pulses:
    f = _number(metadata, "f_Hz", where, "f_GHz = 1")
    t1 = _number(metadata, "tau1_s", where, "tau1_us = 0.1")
    t2 = _number(metadata, "tau2_s", where, "tau2_us = 0.2")
    t12 = _number(metadata, "tau12_s", where, "tau12_us = 2")
    try:
        return Pulses(f, t1, t2, t12)
    except ValueError as exc:
        raise ValueError(f"{where}: pulse metadata: {exc}") from None


class _EchoCurve:
    """Relative echo amplitude of one curve at fixed T and pulse sequence, cached ATS echo.

    The model depends on the background only through the ratio, so a(B) on the curve's fields
    plus B = 0 and B_high is cached on the seven :class:`~etm.params.EchoParams` values: a
    finite-difference Jacobian column of the background costs no integral.
    """

    _CACHE_SIZE = 16

    def __init__(
        self, x_name: str, x: ArrayLike, metadata: Mapping[str, Any], orientation: str, where: str
    ) -> None:
        self.B, T = field_curve_axes(x_name, x, metadata, where, "echo", "T_mK = 12")
        self.T_K = T
        self.T = np.full_like(self.B, T)
        self.pulses = _pulses(metadata, where)
        self.options = _echo_options(metadata, where)
        self.orientation = orientation
        self._fields = np.concatenate([self.B, [0.0, self.options["Bhigh_T"]]])
        self._cache: OrderedDict[tuple[float, ...], NDArray] = OrderedDict()
        self.n_ats_evals = 0

    def ats(self, v: Mapping[str, float]) -> NDArray[np.float64] | None:
        """a(B) on the curve's fields, then a(0) and a(B_high); None for an empty X window."""
        lo, hi = sorted((v["X0min_KA2"], v["X0max_KA2"]))
        vals = {**v, "X0min_KA2": lo, "X0max_KA2": hi}
        key = tuple(float(vals[n]) for n in _EP_NAMES)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        if hi <= lo * (1.0 + 1e-12):
            out = None
        else:
            out = echo.amplitude(
                T_K=self.T_K,
                B_T=self._fields,
                params=EchoParams(*key),
                pulses=self.pulses,
                orientation=self.orientation,
                matrix_elements=self.options["matrix_elements"],
                c_form=self.options["c_form"],
            )
            self.n_ats_evals += 1
        self._cache[key] = out
        if len(self._cache) > self._CACHE_SIZE:
            self._cache.popitem(last=False)
        return out

    def parts(self, v: Mapping[str, float], components: Sequence[str]) -> dict[str, NDArray]:
        """The two terms (dimensionless) of A(B)/A(B_high) at the values ``v``."""
        ones = np.ones_like(self.B)
        a = self.ats(v) if "ATS" in components else None
        if a is None:
            # no ATS (or an empty window): the field-blind 2LS echo alone, ratio 1
            out = {"2LS": ones} if "2LS" in components else {}
            if "ATS" in components:
                out["ATS"] = np.zeros_like(self.B)
            return out
        bg = v["background"] * abs(a[-2]) if "2LS" in components else 0.0
        denom = bg + a[-1]
        if denom == 0.0:  # A(B_high) = 0: keep the objective finite; the fit moves away
            denom = 1e-300
        out = {"ATS": a[:-2] / denom}
        if "2LS" in components:
            out["2LS"] = np.full_like(self.B, bg / denom)
        return out

    def evaluate(self, v: Mapping[str, float], components: Sequence[str]) -> NDArray[np.float64]:
        """The model A(B)/A(B_high) at the values ``v``."""
        return sum(self.parts(v, components).values(), np.zeros_like(self.B))


def _preset_row(material: Any, metadata: Mapping[str, Any]) -> materials.EchoRow:
    """The Table 7 row for ``material``: a row or its name ("BAS sample 2"), or a glass ("BAS",
    "BK7", a :class:`~etm.materials.Glass`), then the row whose tau12 is nearest the curve's."""
    if isinstance(material, materials.EchoRow):
        return material
    names = [r.name for r in materials.ECHO_ROWS]
    if isinstance(material, str):
        try:
            return materials.echo_row(material)
        except ValueError:
            pass
    glass = material if isinstance(material, materials.Glass) else None
    if glass is None:
        try:
            glass = materials.get(material)
        except ValueError:
            glass = None
    rows = glass.echo_rows if glass is not None else ()
    if not rows:
        glasses = sorted({r.glass for r in materials.ECHO_ROWS})
        raise ValueError(
            f"unknown material {material!r} for observable 'echo'; known (Table 7): "
            f"{', '.join(glasses + names)}"
        )
    t12 = metadata.get("tau12_s")
    if isinstance(t12, float):
        return min(rows, key=lambda r: abs(math.log(r.pulses.tau12_s / t12)))
    return rows[0]


def _echo_guess(metadata: Mapping[str, Any], material: Any) -> dict[str, float]:
    if material is None:
        return dict(_ECHO_DEFAULT_START)
    p = _preset_row(material, metadata).params
    out = {n: float(getattr(p, n)) for n in _EP_NAMES}
    out["background"] = _ECHO_DEFAULT_START["background"]
    return out


#: The registered ``"echo"`` observable.
ECHO = register_observable(
    Observable(
        name="echo",
        x_quantities=("B",),
        y_quantity="rel",
        y_label="A(B)/A(B_high)",
        y_unit="1",
        params=(
            ParamSpec("Dmin_K", "K", "ATS", True, False, (1e-3, 2.0), "lower cutoff of D"),
            # Table 7's X values reach down to ~1e3 K A^2: a lower bound than cp/eps's 10
            *x_cutoff_specs((1.0, 1e8)),
            ParamSpec(
                "Gamma_inv_per_sK5",
                "1/(s K^5)",
                "ATS",
                True,
                True,
                (1e6, 1e20),
                "ATS one-phonon coupling Gamma^-1 of Eq. 21",
            ),
            ParamSpec(
                "c_per_sK",
                "1/(s K)",
                "ATS",
                True,
                False,
                (0.0, 1e10),
                "spectral-diffusion constant c of Eq. 34 (cancels in the ratio)",
            ),
            ParamSpec(
                "p1F0_DkV_per_m",
                "D kV/m",
                "ATS",
                True,
                False,
                (1e-3, 1e3),
                "p1 F0: Omega_1 = p1 F0/hbar sets the Rabi frequencies",
            ),
            ParamSpec(
                "tan_omega_dtau",
                "1",
                "ATS",
                True,
                False,
                (-100.0, 100.0),
                "tan(omega Delta tau), the detection phase",
            ),
            ParamSpec(
                "background",
                "1",
                "ATS",
                True,
                False,
                (0.0, 1e3),
                "2LS echo A_2LS in units of |a(0)|, the ATS echo at B = 0",
            ),
        ),
        components=("ATS", "2LS"),
        prepare=_EchoCurve,
        guess_shape=_echo_guess,
    )
)


def echo_defaults(
    curves: Sequence[MeasuredCurve],
    material: Any = None,
    fix: Mapping[str, float] | None = None,
    free: Sequence[str] = (),
) -> tuple[dict[str, float], list[str]]:
    """The ``fix`` mapping :func:`fit_echo` uses, and notes saying what it fixed and why.

    Parameters
    ----------
    curves : sequence of MeasuredCurve
        The echo curves (the first one's metadata picks the Table 7 row).
    material : str or EchoRow, optional
        Table 7 row or glass whose values are used; else the typical values of BAS sample 2.
    fix : mapping, optional
        The user's fixed values (kept).
    free : sequence of str
        Parameters of :data:`ECHO_DEFAULT_FIXED` to fit anyway.

    Returns
    -------
    fix : dict
        ``fix`` plus each default-fixed parameter not freed.
    notes : list of str
        One per automatic choice.
    """
    out = dict(fix or {})
    meta = curves[0].metadata if curves else {}
    start = _echo_guess(meta, material)
    src = (
        f"the Table 7 row {_preset_row(material, meta).name!r}"
        if material is not None
        else "typical values (BAS sample 2 of Table 7, rounded)"
    )
    why = {
        "c_per_sK": "it scales every ATS echo, a(0) included, by exp(-2 c T tau12) and cancels "
        "exactly in A(B)/A(B_high)",
        "p1F0_DkV_per_m": "on one curve it is strongly correlated with the X cutoffs",
        "tan_omega_dtau": "on one curve it is strongly correlated with the background and Dmin",
        "Gamma_inv_per_sK5": "on one curve at Table 7's values its log10 is undetermined "
        "(linearized sigma of several decades, correlation > 0.95 with Dmin_K and X0max_KA2)",
        "background": "Table 7 gives no 2LS echo, and on one curve it is degenerate with "
        "X0min_KA2 (correlation ~1)",
    }
    notes = []
    for name in ECHO_DEFAULT_FIXED:
        if name in out or name in free:
            continue
        out[name] = start[name]
        frm = "" if name == "background" else f" from {src}"
        notes.append(
            f"{name} fixed at {start[name]:.4g}{frm}: {why[name]} (free it with free=/--free, "
            "or set it with fix=/--fix)"
        )
    return out, notes


def fit_echo(
    curves: MeasuredCurve | Sequence[MeasuredCurve],
    *,
    material: Any = None,
    fix: Mapping[str, float] | None = None,
    free: Sequence[str] = (),
    **kwargs: Any,
) -> FitResult:
    """Fit echo curves with :func:`etm.fit.engine.fit`, fixing :data:`ECHO_DEFAULT_FIXED` first.

    Parameters
    ----------
    curves : MeasuredCurve or sequence of MeasuredCurve
        Relative echo amplitudes (column ``rel_<unit>``, e.g. ``rel_echo``).
    material : str or EchoRow, optional
        Table 7 row or glass ("BAS", "BK7", "BAS sample 2"): the start, and the fixed values.
    fix : mapping, optional
        ``{name: value}`` in physical units, held fixed.
    free : sequence of str
        Default-fixed parameters to fit anyway.
    **kwargs
        Passed to :func:`etm.fit.engine.fit` (``share``, ``per_curve``, ``components``,
        ``orientation``, ``max_nfev``).

    Returns
    -------
    FitResult
        With the automatic choices first in ``notes``.

    References
    ----------
    The essay's Eq. 21, 27-34, Figs. 15-16, Table 7.
    """
    curves = (curves,) if isinstance(curves, MeasuredCurve) else tuple(curves)
    fixed, notes = echo_defaults(curves, material, fix, free)
    free = [n for n in free if n not in ECHO_DEFAULT_FIXED]
    r = fit(curves, "echo", material=material, fix=fixed, free=free, **kwargs)
    return replace(r, notes=(*notes, *r.notes))


def synthetic_echo_curve(
    preset: Any,
    B_T: ArrayLike,
    *,
    background: float = 0.0,
    noise: float = 0.005,
    seed: int = 0,
    orientation: str = "isotropic",
    options: Mapping[str, Any] | None = None,
    source: str | Path = "synthetic.csv",
) -> MeasuredCurve:
    """A synthetic A(B)/A(B_high) curve: a Table 7 row's model plus seeded Gaussian noise.

    Parameters
    ----------
    preset : str or EchoRow
        A row of :data:`etm.materials.ECHO_ROWS` (Table 7) or its name; its pulses and
        temperature are used.
    B_T : array_like
        Fields B [T], >= 0, increasing.
    background : float
        A_2LS in units of |a(0)|, >= 0 (Table 7 does not give it; default 0, the value
        :func:`fit_echo` fixes by default).
    noise : float
        Gaussian noise sigma, constant along the curve (dimensionless, in units of A(B_high)).
    seed : int
        Seed of :func:`numpy.random.default_rng`.
    orientation : {"isotropic", "aligned", "phi2/3"}
        Loop orientation average.
    options : mapping, optional
        Model options (:data:`ECHO_OPTIONS`); they are written to the metadata.
    source : path-like
        The name the curve reports as its file.

    Returns
    -------
    MeasuredCurve
        x = B [T], y = A(B)/A(B_high) (``rel_1``), sigma; metadata ``T_K``, ``f_Hz``,
        ``tau1_s``, ``tau2_s``, ``tau12_s``, ``glass``.

    Examples
    --------
    >>> c = synthetic_echo_curve("BAS sample 2", [0.0, 0.6], noise=0.0)
    >>> c.y_name, round(float(c.y[1]), 12)
    ('rel_1', 1.0)
    """
    row = _preset_row(preset, {})
    opts = {**ECHO_OPTIONS, **dict(options or {})}
    B = np.asarray(B_T, dtype=float)
    y0 = echo.relative_amplitude(
        T_K=row.T_K,
        B_T=B,
        params=row.params,
        pulses=row.pulses,
        B_high_T=opts["Bhigh_T"],
        background=background,
        orientation=orientation,
        matrix_elements=opts["matrix_elements"],
        c_form=opts["c_form"],
    )
    pu = row.pulses
    meta = {
        "T_K": float(row.T_K),
        "f_Hz": pu.f_Hz,
        "tau1_s": pu.tau1_s,
        "tau2_s": pu.tau2_s,
        "tau12_s": pu.tau12_s,
        "glass": row.name,
        "synthetic": "yes",
    }
    meta.update(dict(options or {}))
    return synthetic_field_curve(B, y0, noise, seed, meta, source)
