"""The heat-capacity observable ``"cp"``: C_p(B) at fixed T, or C_p(T) at fixed B.

Registered in :data:`etm.fit.registry.OBSERVABLES` on import. The model (the essay's Eq. 14-15,
Tables 1-4; docs/fitting.md, "Walk-through")::

    C(T, B) = nP_per_g * c_ATS(T, B; Dmin_K, X0min_KA2, X0max_KA2)    (ATS, c_ATS per unit nP)
            + (pi^2/6) k_B nP2LS_per_g_per_K T                         (2LS)
            + beta_J_per_gK4 T^3                                       (phonons)
            + n_Fe2_per_g c_S=2(T, B) + n_Fe3_per_g c_S=5/2(T, B)      (Fe2+, Fe3+ Schottky)

By default the concentrations and backgrounds are shared and Dmin, X0min, X0max are per curve,
as in the essay's Tables 1-4 (one set of cutoffs per temperature).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from etm import heat_capacity, materials
from etm.constants import k_B
from etm.fit.data import MeasuredCurve, temperature_field_axes
from etm.fit.registry import Observable, ParamSpec, register_observable, x_cutoff_specs
from etm.fit.surrogate import Chebyshev
from etm.fit.synthetic import synthetic_curve
from etm.params import FE2_G, FE2_SPIN, FE3_G, FE3_SPIN, ATSParams

__all__ = ["CP", "synthetic_cp_curve"]


class _CpCurve:
    """Heat-capacity model of one curve: fixed (T, B) points, cached ATS shapes.

    The model is linear in nP and in every other amplitude, so the expensive ATS integral is
    computed per unit nP and cached on (Dmin, X0min, X0max): a finite-difference Jacobian then
    re-evaluates it only for the per-curve cutoffs of the one curve being perturbed.
    """

    _CACHE_SIZE = 16

    def __init__(
        self, x_name: str, x: ArrayLike, metadata: Mapping[str, Any], orientation: str, where: str
    ) -> None:
        self.T, self.B = temperature_field_axes(x_name, x, metadata, where)
        self.orientation = orientation
        self.basis = {
            "2LS": (np.pi**2 / 6.0) * k_B * self.T,
            "phonon": self.T**3,
            "Fe2+": heat_capacity.zeeman_schottky(T_K=self.T, B_T=self.B, S=FE2_SPIN, g=FE2_G),
            "Fe3+": heat_capacity.zeeman_schottky(T_K=self.T, B_T=self.B, S=FE3_SPIN, g=FE3_G),
        }
        self._cache: OrderedDict[tuple[float, float, float], NDArray] = OrderedDict()
        self.n_ats_evals = 0

    def ats_unit(self, Dmin: float, X0a: float, X0b: float) -> NDArray[np.float64]:
        """C_ATS per unit nP. Symmetric in the two X cutoffs and zero when they coincide (the DOS
        is proportional to ln(X0max/X0min)), so the objective is continuous everywhere."""
        lo, hi = min(X0a, X0b), max(X0a, X0b)
        key = (Dmin, lo, hi)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        if hi <= lo * (1.0 + 1e-12):
            out = np.zeros_like(self.T)
        else:
            out = heat_capacity.ats(
                T_K=self.T,
                B_T=self.B,
                params=ATSParams(Dmin, lo, hi, 1.0),
                orientation=self.orientation,
            )
            self.n_ats_evals += 1
        self._cache[key] = out
        if len(self._cache) > self._CACHE_SIZE:
            self._cache.popitem(last=False)
        return out

    def parts(self, v: Mapping[str, float], components: Sequence[str]) -> dict[str, NDArray]:
        """Each included term [J/(g K)] at the values ``v``."""
        out: dict[str, NDArray] = {}
        amp = {
            "2LS": "nP2LS_per_g_per_K",
            "phonon": "beta_J_per_gK4",
            "Fe2+": "n_Fe2_per_g",
            "Fe3+": "n_Fe3_per_g",
        }
        for c in components:
            if c == "ATS":
                shape = self.ats_unit(v["Dmin_K"], v["X0min_KA2"], v["X0max_KA2"])
                out[c] = v["nP_per_g"] * shape
            else:
                out[c] = v[amp[c]] * self.basis[c]
        return out

    def evaluate(self, v: Mapping[str, float], components: Sequence[str]) -> NDArray[np.float64]:
        """The model [J/(g K)] at the values ``v``."""
        return sum(self.parts(v, components).values(), np.zeros_like(self.T))

    # --- many parameter sets at once (MCMC walkers): a checked Chebyshev surrogate ------------

    #: Chebyshev nodes in Dmin_K, log10 X0min_KA2, log10 X0max_KA2 of the surrogate.
    SURROGATE_NODES = (14, 8, 8)
    _surrogate: Any = None

    def prepare_sampling(
        self, box: Mapping[str, tuple[float, float]] | None, best: Mapping[str, float] | None
    ) -> float | None:
        """Build (or, with ``box=None``, drop) a tensor Chebyshev interpolant
        (:class:`etm.fit.surrogate.Chebyshev`) of the ATS shape c_ATS per unit nP over ``box``
        (physical ranges of Dmin_K, X0min_KA2, X0max_KA2; nodes in Dmin, log10 X0min, log10
        X0max), and return its largest error against the exact integral at 16 seeded random
        points of the box, times nP at ``best`` [J/(g K)]. :meth:`columns_many` uses it inside
        the box."""
        self._surrogate = None
        if box is None:
            return None
        names = ("Dmin_K", "X0min_KA2", "X0max_KA2")
        lo = np.array([box[n][0] for n in names], dtype=float)
        hi = np.array([box[n][1] for n in names], dtype=float)
        lo[1:], hi[1:] = np.log10(lo[1:]), np.log10(hi[1:])
        surrogate = Chebyshev(
            lambda q: self._ats_exact(q[0], 10.0 ** q[1], 10.0 ** q[2]),
            lo,
            hi,
            self.SURROGATE_NODES,
        )
        _, approx, exact = surrogate.check()
        self._surrogate = surrogate
        nP = 1.0 if best is None else float(best.get("nP_per_g", 1.0))
        return float(np.max(np.abs(approx - exact)) * nP)

    def _ats_exact(self, Dmin: float, X0a: float, X0b: float) -> NDArray[np.float64]:
        lo, hi = min(X0a, X0b), max(X0a, X0b)
        if hi <= lo * (1.0 + 1e-12):
            return np.zeros_like(self.T)
        return heat_capacity.ats(
            T_K=self.T,
            B_T=self.B,
            params=ATSParams(Dmin, lo, hi, 1.0),
            orientation=self.orientation,
        )

    def _ats_surrogate(self, D, Xa, Xb) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
        """(inside, shape): the surrogate's shapes (W, n) for the parameter sets in its box."""
        return self._surrogate(np.column_stack([D, np.log10(Xa), np.log10(Xb)]))

    #: The amplitudes the model is linear in, and the component each multiplies (the MCMC
    #: marginalizes them analytically: etm.fit.posterior).
    LINEAR = {
        "nP_per_g": "ATS",
        "nP2LS_per_g_per_K": "2LS",
        "beta_J_per_gK4": "phonon",
        "n_Fe2_per_g": "Fe2+",
        "n_Fe3_per_g": "Fe3+",
    }

    def columns_many(
        self, v: Mapping[str, NDArray], components: Sequence[str]
    ) -> tuple[NDArray[np.float64], dict[str, NDArray[np.float64]]]:
        """The model for W parameter sets as ``offset + sum_a v[a] * columns[a]``: the offset
        (W, n) (zero: every term has an amplitude) and the column (W, n) of each included
        amplitude of :attr:`LINEAR`. The ATS shape comes from the surrogate inside its box,
        from the exact integral outside."""
        W = next(iter(v.values())).shape[0]
        cols: dict[str, NDArray[np.float64]] = {}
        for name, c in self.LINEAR.items():
            if c not in components:
                continue
            if c != "ATS":
                cols[name] = np.broadcast_to(self.basis[c], (W, self.T.size))
                continue
            D, Xa, Xb = (np.asarray(v[n]) for n in ("Dmin_K", "X0min_KA2", "X0max_KA2"))
            if self._surrogate is not None:
                inside, shape = self._ats_surrogate(D, Xa, Xb)
            else:
                inside, shape = np.zeros(W, dtype=bool), np.zeros((W, self.T.size))
            for w in np.flatnonzero(~inside):
                shape[w] = self.ats_unit(float(D[w]), float(Xa[w]), float(Xb[w]))
            cols[name] = shape
        return np.zeros((W, self.T.size)), cols

    def evaluate_many(
        self, v: Mapping[str, NDArray], components: Sequence[str]
    ) -> NDArray[np.float64]:
        """The model [J/(g K)] for W parameter sets (``v``: name -> array of W), shape (W, n):
        the ATS shape from the surrogate inside its box, exact outside."""
        out, cols = self.columns_many(v, components)
        for name, col in cols.items():
            out = out + np.asarray(v[name])[:, None] * col
        return out


#: Start of the non-linear ATS parameters when no material is given: typical of Tables 2 and 4.
_CP_DEFAULT_SHAPE = {"Dmin_K": 0.5, "X0min_KA2": 5e4, "X0max_KA2": 3e5}


def _cp_guess_shape(metadata: Mapping[str, Any], material: Any) -> dict[str, float]:
    if material is None:
        return dict(_CP_DEFAULT_SHAPE)
    preset = materials.get(material) if isinstance(material, str) else material
    if not preset.rows:
        known = ", ".join(g.name for g in materials.GLASSES.values() if g.rows)
        raise ValueError(
            f"material {material!r} has no heat-capacity fit for observable 'cp'; known "
            f"(Tables 1-4): {known}"
        )
    T = metadata.get("T_K")
    # the preset row nearest in temperature (Tables 2 and 4 give three)
    row = min(preset.rows, key=lambda r: abs(r[0] - T)) if T is not None else preset.rows[0]
    out = {
        "Dmin_K": row[1],
        "X0min_KA2": row[2],
        "X0max_KA2": row[3],
        "nP_per_g": preset.nP_per_g,
        "n_Fe2_per_g": preset.n_Fe2_per_g,
        "n_Fe3_per_g": preset.n_Fe3_per_g,
    }
    return out


#: The model fitted to a ``"cp"`` curve (the essay's Eq. 14-15), as the reports state it.
CP_EQUATION = (
    "C(T, B) = nP_per_g c_ATS(T, B; Dmin_K, X0min_KA2, X0max_KA2) [ATS, Eq. 14-15, per unit "
    "nP] + (pi^2/6) k_B nP2LS_per_g_per_K T [2LS] + beta_J_per_gK4 T^3 [phonon] + "
    "n_Fe2_per_g c_S=2(T, B) + n_Fe3_per_g c_S=5/2(T, B) [Fe2+, Fe3+ Zeeman Schottky, g = 2]"
)

#: The registered ``"cp"`` observable.
CP = register_observable(
    Observable(
        name="cp",
        x_quantities=("B", "T"),
        y_quantity="Cp",
        y_label="C_p",
        y_unit="J/(g K)",
        params=(
            ParamSpec(
                "Dmin_K",
                "K",
                "ATS",
                True,
                False,
                (1e-3, 20.0),
                "lower cutoff of the ATS asymmetry D",
            ),
            *x_cutoff_specs(),
            ParamSpec(
                "nP_per_g",
                "1/g",
                "ATS",
                False,
                True,
                (1e12, 1e20),
                "ATS concentration n_ATS P*",
                amplitude=True,
            ),
            ParamSpec(
                "nP2LS_per_g_per_K",
                "1/(g K)",
                "2LS",
                False,
                False,
                (0.0, 1e21),
                "2LS density of states n_2LS Pbar",
            ),
            ParamSpec(
                "beta_J_per_gK4",
                "J/(g K^4)",
                "phonon",
                False,
                False,
                (0.0, 1.0),
                "Debye coefficient beta",
            ),
            ParamSpec(
                "n_Fe2_per_g",
                "1/g",
                "Fe2+",
                False,
                True,
                (1e12, 1e20),
                "Fe2+ concentration (S = 2, g = 2)",
                amplitude=True,
            ),
            ParamSpec(
                "n_Fe3_per_g",
                "1/g",
                "Fe3+",
                False,
                True,
                (1e12, 1e20),
                "Fe3+ concentration (S = 5/2, g = 2)",
                amplitude=True,
            ),
        ),
        components=("ATS", "2LS", "phonon", "Fe2+", "Fe3+"),
        prepare=_CpCurve,
        guess_shape=_cp_guess_shape,
        equation=CP_EQUATION,
        y_min=0.0,
    )
)


def synthetic_cp_curve(
    preset: Any,
    T_K: float,
    B_T: ArrayLike,
    *,
    rel_noise: float = 0.01,
    seed: int = 0,
    nP2LS_per_g_per_K: float = 0.0,
    beta_J_per_gK4: float = 0.0,
    orientation: str = "isotropic",
    source: str | Path = "synthetic.csv",
) -> MeasuredCurve:
    """A synthetic Cp(B) curve: the model at a preset's parameters plus seeded Gaussian noise.

    Parameters
    ----------
    preset : str or Glass
        A material of :mod:`etm.materials` (Tables 1-4) with a row at ``T_K``.
    T_K : float
        Temperature [K], one of the preset's.
    B_T : array_like
        Fields B [T].
    rel_noise : float
        Relative noise: ``sigma = rel_noise * C`` at each point.
    seed : int
        Seed of :func:`numpy.random.default_rng`.
    nP2LS_per_g_per_K, beta_J_per_gK4 : float
        Field-independent backgrounds the tables do not give (2LS density of states, phonon
        T^3 coefficient).
    orientation : {"isotropic", "aligned", "phi2/3"}
        Loop orientation average.
    source : path-like
        The name the curve reports as its file.

    Returns
    -------
    MeasuredCurve
        x = B [T], y = C [J/(g K)] (``Cp_J_per_gK``), sigma; metadata ``T_K``, ``glass``.

    Examples
    --------
    >>> c = synthetic_cp_curve("BAS", 0.9, [0.0, 1.0], rel_noise=0.0)
    >>> c.y_name, c.metadata["T_K"], bool(c.y[1] > c.y[0])
    ('Cp_J_per_gK', 0.9, True)
    """
    preset = materials.get(preset) if isinstance(preset, str) else preset
    m = replace(
        preset.at(T_K), nP2LS_per_g_per_K=nP2LS_per_g_per_K, phonon_beta_J_per_gK4=beta_J_per_gK4
    )
    B = np.asarray(B_T, dtype=float)
    c = heat_capacity.total(T_K=T_K, B_T=B, material=m, orientation=orientation)
    meta = {"T_K": float(T_K), "glass": preset.name, "synthetic": "yes"}
    return synthetic_curve("B_T", B, "Cp_J_per_gK", c, rel_noise * c, seed, meta, source)
