"""Fits across temperatures with the essay's N(T)^3 law tying the X cutoffs of every curve.

In a global fit of curves at several temperatures (Cp(B), eps'(B), echo A(B), each at its own
T_K), the X cutoffs are per curve by default. :func:`tie_cutoffs` replaces them by three
parameters, lmfit constraint expressions in the fit space::

    log10 X0min_k = log10 X0min(T_ref) - (3/ln 10) E0 (1/T_k - 1/T_ref)     (and X0max alike)

i.e. X0min,max(T) ∝ N(T)^3 with N(T) = N0 exp(-E0/T) (:mod:`etm.tunnelers`; section 4.2 of
the essay). :func:`fit_n_of_t` sets the problem up with :func:`etm.fit.engine.setup_problem`,
ties the cutoffs and minimizes (docs/magnetization.md, "N(T) in a fit").
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import lmfit
import numpy as np

from etm.fit.data import MeasuredCurve
from etm.fit.engine import Problem, setup_problem

__all__ = ["NofTFit", "fit_n_of_t", "tie_cutoffs"]

#: Names of the added lmfit parameters.
E0_NAME = "nT_E0_K"
REF_NAMES = {"X0min_KA2": "nT_log10_X0min_ref", "X0max_KA2": "nT_log10_X0max_ref"}


def tie_cutoffs(
    prob: Problem, params: lmfit.Parameters, *, T_ref_K: float = 1.0, E0_K: float = 0.0
) -> None:
    """Constrain every curve's X cutoffs to the N(T)^3 law (modifies ``params`` in place).

    Parameters
    ----------
    prob : Problem
        From :func:`etm.fit.engine.setup_problem`; every curve needs metadata ``T_K`` and
        per-curve, free X cutoffs.
    params : lmfit.Parameters
        Its parameters: adds ``nT_E0_K`` [K] and ``nT_log10_X0min_ref``, ``nT_log10_X0max_ref``
        (log10 of the cutoffs at ``T_ref_K``) and sets the per-curve cutoffs' expressions.
    T_ref_K : float
        Reference temperature [K], > 0.
    E0_K : float
        Start of E0 [K].
    """
    if not (math.isfinite(T_ref_K) and T_ref_K > 0):
        raise ValueError(f"T_ref_K must be > 0 K, got {T_ref_K!r}")
    temps = []
    for k, c in enumerate(prob.curves):
        T = c.metadata.get("T_K")
        if not isinstance(T, float) or T <= 0:
            raise ValueError(
                f"{c.source}: the N(T) law needs the curve's temperature (# T_K = ...)"
            )
        temps.append(T)
        for name in REF_NAMES:
            fname = prob.layout[k].get(name)
            if fname is None or fname not in prob.own[k] or not params[fname].vary:
                raise ValueError(
                    f"{name} must be free and per curve to be tied to N(T) (curve {c.source})"
                )
    params.add(E0_NAME, value=float(E0_K), min=-5.0, max=5.0)
    c3 = 3.0 / math.log(10.0)
    for name, ref in REF_NAMES.items():
        fnames = [prob.layout[k][name] for k in range(len(prob.curves))]
        # start: the mean of the curves' starts, moved to T_ref with E0 = E0_K
        moved = [
            params[f].value + c3 * E0_K * (1 / T - 1 / T_ref_K)
            for f, T in zip(fnames, temps, strict=True)
        ]
        start = np.mean(moved)
        lo, hi = params[fnames[0]].min, params[fnames[0]].max
        params.add(ref, value=float(start), min=lo, max=hi)
        for f, T in zip(fnames, temps, strict=True):
            params[f].set(expr=f"{ref} - {c3!r} * {E0_NAME} * ({1 / T - 1 / T_ref_K!r})")


@dataclass(frozen=True)
class NofTFit:
    """Result of :func:`fit_n_of_t`.

    Attributes
    ----------
    E0_K, E0_err_K : float
        E0 [K] and its standard error (None if not estimable).
    X0min_ref_KA2, X0max_ref_KA2 : float
        The cutoffs at ``T_ref_K`` [K angstrom^2].
    T_ref_K : float
        The reference temperature [K].
    chi2_red : float
        Reduced chi-square of the fit.
    result : lmfit.minimizer.MinimizerResult
        The raw result (all parameters, covariance).
    """

    E0_K: float
    E0_err_K: float | None
    X0min_ref_KA2: float
    X0max_ref_KA2: float
    T_ref_K: float
    chi2_red: float
    result: Any


def fit_n_of_t(
    curves: Sequence[MeasuredCurve],
    observable: str = "cp",
    *,
    T_ref_K: float = 1.0,
    E0_K: float = 0.0,
    material: Any = None,
    fix: Mapping[str, float] | None = None,
    share: Sequence[str] = (),
    per_curve: Sequence[str] = (),
    free: Sequence[str] = (),
    components: Sequence[str] | None = None,
    orientation: str = "isotropic",
    max_nfev: int | None = None,
) -> NofTFit:
    """A global fit of curves at several temperatures with X0min,max(T) ∝ N(T)^3.

    The options are those of :func:`etm.fit.fit`; the X cutoffs are replaced by their values at
    ``T_ref_K`` and E0 (:func:`tie_cutoffs`).

    Returns
    -------
    NofTFit
    """
    prob, params, _ = setup_problem(
        curves, observable, material, fix, share, per_curve, free, components, orientation
    )
    tie_cutoffs(prob, params, T_ref_K=T_ref_K, E0_K=E0_K)
    r = lmfit.minimize(
        prob.residual, params, method="leastsq", scale_covar=not prob.weighted, max_nfev=max_nfev
    )
    p = r.params
    return NofTFit(
        E0_K=float(p[E0_NAME].value),
        E0_err_K=None if p[E0_NAME].stderr is None else float(p[E0_NAME].stderr),
        X0min_ref_KA2=float(10.0 ** p[REF_NAMES["X0min_KA2"]].value),
        X0max_ref_KA2=float(10.0 ** p[REF_NAMES["X0max_KA2"]].value),
        T_ref_K=float(T_ref_K),
        chi2_red=float(r.redchi),
        result=r,
    )
