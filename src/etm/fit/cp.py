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

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from etm import heat_capacity, materials
from etm.constants import k_B
from etm.fit.data import MeasuredCurve, temperature_field_axes
from etm.fit.models import LinearCurve
from etm.fit.registry import (
    Defaults,
    Observable,
    ParamSpec,
    register_observable,
    x_cutoff_specs,
)
from etm.fit.surrogate import Chebyshev
from etm.fit.synthetic import synthetic_curve
from etm.params import FE2_G, FE2_SPIN, FE3_G, FE3_SPIN, ATSParams

__all__ = ["CP", "curve_temperatures", "synthetic_cp_curve"]


class _CpCurve(LinearCurve):
    """Heat-capacity model of one curve: fixed (T, B) points, cached ATS shapes.

    The model is linear in nP and in every other amplitude (:attr:`LINEAR`), so the expensive
    ATS integral is computed per unit nP and cached on (Dmin, X0min, X0max): a finite-difference
    Jacobian then re-evaluates it only for the per-curve cutoffs of the one curve being
    perturbed. For the MCMC a checked Chebyshev surrogate of the shape replaces the integral
    inside a box around the least-squares fit (:meth:`prepare_sampling`).
    """

    #: The amplitudes the model is linear in, and the component each multiplies (the engine
    #: starts them by non-negative least squares; the MCMC marginalizes them: etm.fit.posterior).
    LINEAR = {
        "nP_per_g": "ATS",
        "nP2LS_per_g_per_K": "2LS",
        "beta_J_per_gK4": "phonon",
        "n_Fe2_per_g": "Fe2+",
        "n_Fe3_per_g": "Fe3+",
    }

    def __init__(
        self, x_name: str, x: ArrayLike, metadata: Mapping[str, Any], orientation: str, where: str
    ) -> None:
        super().__init__()
        self.T, self.B = temperature_field_axes(x_name, x, metadata, where)
        self.orientation = orientation
        self.basis = {
            "2LS": (np.pi**2 / 6.0) * k_B * self.T,
            "phonon": self.T**3,
            "Fe2+": heat_capacity.zeeman_schottky(T_K=self.T, B_T=self.B, S=FE2_SPIN, g=FE2_G),
            "Fe3+": heat_capacity.zeeman_schottky(T_K=self.T, B_T=self.B, S=FE3_SPIN, g=FE3_G),
        }

    def ats_unit(self, Dmin: float, X0a: float, X0b: float) -> NDArray[np.float64]:
        """C_ATS per unit nP. Symmetric in the two X cutoffs and zero when they coincide (the DOS
        is proportional to ln(X0max/X0min)), so the objective is continuous everywhere."""
        lo, hi = min(X0a, X0b), max(X0a, X0b)
        empty = hi <= lo * (1.0 + 1e-12)
        return self.cached((Dmin, lo, hi), lambda: self._ats_exact(Dmin, lo, hi), not empty)

    def shape(self, component: str, v: Mapping[str, float]) -> NDArray[np.float64]:
        """The ATS shape per unit nP at ``v`` (the only shape not in :attr:`basis`)."""
        return self.ats_unit(v["Dmin_K"], v["X0min_KA2"], v["X0max_KA2"])

    # --- many parameter sets at once (MCMC walkers): a checked Chebyshev surrogate ------------

    #: Chebyshev nodes in log10 Dmin_K, log10 X0min_KA2, log10 X0max_KA2 of the surrogate (log
    #: Dmin: the shape varies fastest at small Dmin, where a box reaching to its bound ends).
    SURROGATE_NODES = (14, 8, 8)
    #: The nodes used when the first surrogate's checked error exceeds 1e-3 sigma (a single
    #: curve's wide box: its cutoffs trade off against nP); ~2000 integrals, ~2 s.
    SURROGATE_REFINED = (14, 12, 12)
    _surrogate: Any = None
    #: Parameter sets :meth:`shape_many` gave the exact integral (outside the surrogate's box).
    surrogate_misses = 0

    def prepare_sampling(
        self, box: Mapping[str, tuple[float, float]] | None, best: Mapping[str, float] | None
    ) -> float | None:
        """Build (or, with ``box=None``, drop) a tensor Chebyshev interpolant
        (:class:`etm.fit.surrogate.Chebyshev`) of the ATS shape c_ATS per unit nP over ``box``
        (physical ranges of Dmin_K, X0min_KA2, X0max_KA2; nodes in their log10), and return its
        largest error against the exact integral at 16 seeded random points of the box, times
        nP at ``best`` [J/(g K)]. :meth:`shape_many` uses it inside the box."""
        self._surrogate = None
        if box is None:
            return None
        names = ("Dmin_K", "X0min_KA2", "X0max_KA2")
        lo = np.log10([box[n][0] for n in names])
        hi = np.log10([box[n][1] for n in names])
        if best is not None and "Dmin_K" in best:
            # at most half a decade below the best Dmin: further down (rare for the walkers) the
            # shape has a feature that needs far more nodes; the exact integral serves there
            lo[0] = min(max(lo[0], np.log10(best["Dmin_K"]) - 0.5), hi[0])
        # the shape folds at X0max = X0min (it is symmetric in the two): keep the box on one
        # side of the fold, where it is smooth; walkers beyond it get the exact integral
        if hi[1] > lo[2] and hi[2] > hi[1] and lo[1] < lo[2]:
            mid = 0.5 * (hi[1] + lo[2])
            hi[1], lo[2] = mid, mid
        surrogate = Chebyshev(
            lambda q: self._ats_exact(10.0 ** q[0], 10.0 ** q[1], 10.0 ** q[2]),
            lo,
            hi,
            self.SURROGATE_NODES,
            weight=self._fall,
        )
        _, approx, exact = surrogate.check()
        self._surrogate = surrogate
        nP = 1.0 if best is None else float(best.get("nP_per_g", 1.0))
        err = np.max(np.abs(approx - exact), axis=1)
        # the error in the data's unit where the walkers go: at a check point whose shape is
        # smaller than the best's (larger Dmin) nP grows to keep the ATS part the data's size,
        # and the error with it (a wide box rebuilt over walkers that ran along the ridge)
        keys = ("Dmin_K", "X0min_KA2", "X0max_KA2")
        have = best is not None and all(k in best for k in keys)
        size = float(np.max(np.abs(self.shape("ATS", best)))) if have else 0.0
        peak = np.max(np.abs(exact), axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            grown = np.where(peak > 0, err * size / peak, 0.0)
        return float(max(np.max(err) * nP, np.max(grown) * nP))

    def _fall(self, Q: NDArray) -> NDArray[np.float64]:
        """exp(-Dmin/T) (m, n) at each point for m rows Q = log10 (Dmin, X0min, X0max): the
        Boltzmann fall of the shape with Dmin that the surrogate divides out (exponent capped:
        no underflow to 0)."""
        return np.exp(-np.minimum(10.0 ** Q[:, :1] / self.T[None, :], 600.0))

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

    def shape_many(self, component: str, v: Mapping[str, NDArray]) -> NDArray[np.float64]:
        """The ATS shape for W parameter sets (W, n): the surrogate inside its box, the exact
        (cached) integral outside."""
        D, Xa, Xb = (np.asarray(v[n]) for n in ("Dmin_K", "X0min_KA2", "X0max_KA2"))
        W = D.shape[0]
        if self._surrogate is not None:
            inside, shape = self._surrogate(np.log10(np.column_stack([D, Xa, Xb])))
        else:
            inside, shape = np.zeros(W, dtype=bool), np.zeros((W, self.T.size))
        self.surrogate_misses += int(W - np.count_nonzero(inside))
        for w in np.flatnonzero(~inside):
            shape[w] = self.ats_unit(float(D[w]), float(Xa[w]), float(Xb[w]))
        return shape


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


def curve_temperatures(curves: Sequence[MeasuredCurve]) -> NDArray[np.float64]:
    """Every distinct temperature [K] the curves span (their T column, else metadata T_K)."""
    temps = [
        np.asarray(c.x, dtype=float) if c.x_name == "T_K" else [float(c.metadata.get("T_K", 0))]
        for c in curves
    ]
    return np.unique(np.concatenate([np.atleast_1d(t) for t in temps]))


def _cp_defaults(
    curves: Sequence[MeasuredCurve],
    material: Any,
    fix: Mapping[str, float],
    free: Sequence[str],
    components: Sequence[str],
) -> Defaults:
    """At a single temperature the 2LS (~T) and phonon (~T^3) terms are both constants, so
    degenerate: beta is fixed at 0 unless the user says otherwise."""
    name = "beta_J_per_gK4"
    if (
        curve_temperatures(curves).size < 2
        and {"2LS", "phonon"} <= set(components)
        and name not in fix
        and name not in free
    ):
        note = (
            f"{name} fixed at 0: at a single temperature the phonon term is a constant, "
            "degenerate with the 2LS term (free it with free=/--free)"
        )
        return Defaults(fix={name: 0.0}, notes=(note,))
    return Defaults(fix={})


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
        catalog="cp",
        x_quantities=("B", "T"),
        y_quantity="Cp",
        y_label="C_p",
        y_unit="J/(g K)",
        params=(
            ParamSpec(
                name="Dmin_K",
                unit="K",
                component="ATS",
                per_curve=True,
                bounds=(1e-3, 20.0),
                description="lower cutoff of the ATS asymmetry D",
            ),
            *x_cutoff_specs(),
            ParamSpec(
                name="nP_per_g",
                unit="1/g",
                component="ATS",
                log10=True,
                bounds=(1e12, 1e20),
                description="ATS concentration n_ATS P*",
                amplitude=True,
            ),
            ParamSpec(
                name="nP2LS_per_g_per_K",
                unit="1/(g K)",
                component="2LS",
                bounds=(0.0, 1e21),
                description="2LS density of states n_2LS Pbar",
            ),
            ParamSpec(
                name="beta_J_per_gK4",
                unit="J/(g K^4)",
                component="phonon",
                bounds=(0.0, 1.0),
                description="Debye coefficient beta",
            ),
            ParamSpec(
                name="n_Fe2_per_g",
                unit="1/g",
                component="Fe2+",
                log10=True,
                bounds=(1e12, 1e20),
                description="Fe2+ concentration (S = 2, g = 2)",
                amplitude=True,
            ),
            ParamSpec(
                name="n_Fe3_per_g",
                unit="1/g",
                component="Fe3+",
                log10=True,
                bounds=(1e12, 1e20),
                description="Fe3+ concentration (S = 5/2, g = 2)",
                amplitude=True,
            ),
        ),
        components=("ATS", "2LS", "phonon", "Fe2+", "Fe3+"),
        prepare=_CpCurve,
        guess_shape=_cp_guess_shape,
        equation=CP_EQUATION,
        y_min=0.0,
        defaults=_cp_defaults,
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
