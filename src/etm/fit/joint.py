"""Joint fits across observables: one parameter set for Cp, eps' and echo curves of one glass.

Each part is set up exactly as :func:`etm.fit.engine.fit` sets up its curves (with the engine's
public :func:`~etm.fit.engine.setup_problem`); the physical parameters named in ``share`` become
one lmfit parameter each (see :func:`fit_joint` and docs/fitting.md, "Joint fits").
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import lmfit
import numpy as np
from numpy.typing import NDArray

from etm.fit.data import MeasuredCurve
from etm.fit.engine import (
    ParameterEstimate,
    estimates_of,
    fit_name,
    parameter_estimate,
    setup_problem,
)
from etm.fit.registry import ParamSpec

__all__ = ["JointFitResult", "fit_joint"]


@dataclass(frozen=True)
class JointFitResult:
    """The outcome of :func:`fit_joint`: one least-squares fit of several observables' curves.

    Attributes
    ----------
    observables : tuple of str
        The observable of each part.
    prefixes : tuple of str
        The prefix of each part's lmfit names (``"cp_"``, ``"eps_"``; ``"cp1_"`` if repeated).
    estimates : tuple of tuple of ParameterEstimate
        Per part, every parameter as :func:`fit` reports it; a shared one carries the shared
        value, error and lmfit name (its ``curve`` is the part's).
    shared : tuple of ParameterEstimate
        The shared parameters (``curve=None``), one each.
    chisqr, redchi, aic, bic : float
        Goodness of the joint fit (AIC = chi^2 + 2k, BIC = chi^2 + k ln N: the sigmas are known).
    ndata, nvarys, nfev : int
        Data points of all parts, free parameters, function evaluations.
    success : bool
        lmfit's convergence flag; ``message`` says why.
    residuals : tuple of tuple of ndarray
        Per part, per curve: (data - model)/sigma.
    notes : tuple of str
        The parts' automatic choices and warnings, prefixed with the part.
    lmfit_result : lmfit.minimizer.MinimizerResult
        The raw result (prefixed fit-space names).
    """

    observables: tuple[str, ...]
    prefixes: tuple[str, ...]
    estimates: tuple[tuple[ParameterEstimate, ...], ...]
    shared: tuple[ParameterEstimate, ...]
    chisqr: float
    redchi: float
    aic: float
    bic: float
    ndata: int
    nvarys: int
    nfev: int
    success: bool
    message: str
    residuals: tuple[tuple[NDArray[np.float64], ...], ...]
    notes: tuple[str, ...]
    lmfit_result: Any = field(repr=False)

    def estimate(
        self, name: str, part: int | None = None, curve: int | None = None
    ) -> ParameterEstimate:
        """The estimate of ``name``: the shared one if ``part`` is None, else part ``part``'s
        (for curve ``curve`` of that part if it is per curve)."""
        if part is None:
            for e in self.shared:
                if e.name == name:
                    return e
            raise ValueError(f"{name!r} is not shared in this joint fit; give part=")
        for e in self.estimates[part]:
            if e.name == name and (e.curve is None or e.curve == curve):
                return e
        raise ValueError(f"no parameter {name!r} for part {part}, curve {curve!r} in this fit")

    def value(self, name: str, part: int | None = None, curve: int | None = None) -> float:
        """Best-fit value of ``name`` in its physical unit."""
        return self.estimate(name, part, curve).value

    def stderr(self, name: str, part: int | None = None, curve: int | None = None) -> float | None:
        """Standard error of ``name`` in its physical unit (None if fixed or not estimable)."""
        return self.estimate(name, part, curve).stderr


_PART_OPTIONS = frozenset(
    ("material", "fix", "share", "per_curve", "free", "components", "orientation")
)


def _fmt_bounds(lo: float, hi: float, log10: bool) -> str:
    f = (lambda v: 10.0**v if math.isfinite(v) else (0.0 if v < 0 else v)) if log10 else float
    return f"[{f(lo):g}, {f(hi):g}]"


def fit_joint(
    parts: Sequence[tuple[str, MeasuredCurve | Sequence[MeasuredCurve], Mapping[str, Any]]],
    *,
    share: Sequence[str],
    max_nfev: int | None = None,
    bounds: Mapping[str, tuple[float, float]] | None = None,
) -> JointFitResult:
    """Fit curves of several observables of one glass at once, with some physical parameters
    shared across the observables (one lmfit parameter each).

    Each part is set up exactly as :func:`fit` sets up its curves; its lmfit names are prefixed
    with ``<observable>_`` (``<observable><part>_`` if the observable repeats). Every parameter
    named in ``share`` becomes one master parameter (named as :func:`fit` names a shared one,
    e.g. ``log10_X0min_KA2``) with the intersection of the parts' bounds, and every part's
    parameter of that name (shared or per curve within the part) is tied to it. The residual is
    the concatenation of the parts' weighted residuals, so every curve needs a sigma column.

    Parameters
    ----------
    parts : sequence of (observable, curves, options)
        ``options`` are keywords of :func:`fit` for that part: ``material``, ``fix``, ``share``,
        ``per_curve``, ``free``, ``components``, ``orientation``.
    share : sequence of str
        Physical names shared across the parts, e.g. ``("X0min_KA2", "X0max_KA2")``. Each must
        be a free parameter of every part, fitted in the same space (log10 or not).
    max_nfev : int, optional
        Cap on function evaluations.
    bounds : mapping, optional
        ``{name: (low, high)}`` in physical units: narrower bounds for every part's parameter
        of that name (within the observable's own bounds).

    Returns
    -------
    JointFitResult

    Raises
    ------
    ValueError
        As :func:`fit` for each part; fewer than two parts; an unweighted curve; a shared name
        missing, fixed, or fitted in different spaces in some part; or bounds that do not
        overlap (naming the parameter and both ranges).

    Notes
    -----
    The essay's own fits do not share these numbers across observables (Dmin_K and the X cutoffs
    differ between Tables 2, 5-6 and 7); a poor joint chi^2 against the separate fits' sum is the
    data saying so (see docs/fitting.md, "Joint fits").
    """
    if len(parts) < 2:
        raise ValueError(f"fit_joint needs at least two parts, got {len(parts)}")
    share = tuple(dict.fromkeys(share))
    if not share:
        raise ValueError("fit_joint: share must name at least one parameter")
    names = [p[0] for p in parts]
    probs, notes, combined = [], [], lmfit.Parameters()
    prefixes = []
    for k, (observable, curves, options) in enumerate(parts):
        bad = set(options) - _PART_OPTIONS
        if bad:
            raise ValueError(
                f"part {k} ({observable}): unknown options {', '.join(sorted(bad))}; "
                f"allowed: {', '.join(sorted(_PART_OPTIONS))}"
            )
        o = dict(options)
        prob, params, part_notes = setup_problem(
            curves,
            observable,
            o.get("material"),
            o.get("fix"),
            o.get("share", ()),
            o.get("per_curve", ()),
            o.get("free", ()),
            o.get("components"),
            o.get("orientation", "isotropic"),
        )
        if not prob.weighted:
            raise ValueError(
                f"part {k} ({observable}): every curve needs a sigma column in a joint fit "
                "(the parts' residuals are added as chi^2)"
            )
        prefix = f"{observable}_" if names.count(observable) == 1 else f"{observable}{k}_"
        prefixes.append(prefix)
        for p in params.values():
            combined.add(
                prefix + p.name, value=p.value, vary=p.vary, min=p.min, max=p.max, expr=p.expr
            )
        prob.layout = [{n: prefix + f for n, f in lay.items()} for lay in prob.layout]
        prob.own = [{prefix + f for f in own} for own in prob.own]
        probs.append(prob)
        notes.extend(f"part {k} ({observable}): {n}" for n in part_notes)
    for name, (b_lo, b_hi) in dict(bounds or {}).items():
        hit = False
        for k, prob in enumerate(probs):
            try:
                spec = prob.obs.spec(name)
            except ValueError:
                continue
            lo_s, hi_s = spec.bounds
            if not (lo_s <= b_lo < b_hi <= hi_s):
                raise ValueError(
                    f"bounds: {name} = [{b_lo:g}, {b_hi:g}] must lie within [{lo_s:g}, {hi_s:g}] "
                    f"{spec.unit} (part {k}, {names[k]})"
                )
            f_lo, f_hi = (
                (math.log10(b_lo) if b_lo > 0 else -np.inf, math.log10(b_hi))
                if spec.log10
                else (b_lo, b_hi)
            )
            for f in sorted({lay[name] for lay in prob.layout if name in lay}):
                p = combined[f]
                hit = True
                if not p.vary:
                    continue  # a fixed value stays where the user put it
                span = f_hi - f_lo if math.isfinite(f_hi - f_lo) else 1.0
                v = min(max(p.value, f_lo + 1e-6 * span), f_hi - 1e-6 * span)
                p.set(value=v, min=f_lo, max=f_hi)
        if not hit:
            raise ValueError(f"bounds: no part has a parameter {name!r}")
    masters: dict[str, str] = {}
    tied: dict[str, str] = {}
    for name in share:
        members: list[tuple[int, str]] = []  # (part, prefixed fit name)
        first: tuple[int, ParamSpec] | None = None
        lo, hi = -np.inf, np.inf
        for k, prob in enumerate(probs):
            spec = prob.obs.spec(name)  # raises for a name the observable does not have
            fnames = sorted({lay[name] for lay in prob.layout if name in lay})
            if not fnames:
                raise ValueError(
                    f"share: {name} is not fitted in part {k} ({names[k]}): its component "
                    f"{spec.component!r} is not among the part's components"
                )
            if any(not combined[f].vary for f in fnames):
                raise ValueError(f"share: {name} is fixed in part {k} ({names[k]}); free it")
            if first is None:
                first = (k, spec)
            elif spec.log10 != first[1].log10:
                raise ValueError(
                    f"share: {name} is fitted as log10 in one of parts {first[0]} "
                    f"({names[first[0]]}) and {k} ({names[k]}) but not the other"
                )
            p = combined[fnames[0]]
            new_lo, new_hi = max(lo, p.min), min(hi, p.max)
            if not new_lo < new_hi:
                raise ValueError(
                    f"share: bounds of {name} do not overlap: {_fmt_bounds(lo, hi, spec.log10)} "
                    f"{spec.unit} (parts before {k}) and {_fmt_bounds(p.min, p.max, spec.log10)} "
                    f"{spec.unit} (part {k}, {names[k]})"
                )
            lo, hi = new_lo, new_hi
            members.extend((k, f) for f in fnames)
        assert first is not None
        master = fit_name(first[1], None)
        v0 = float(np.mean([combined[f].value for _, f in members]))
        span = hi - lo if math.isfinite(hi - lo) else abs(v0) + 1.0
        v0 = min(max(v0, lo + 1e-6 * span), hi - 1e-6 * span)
        combined.add(master, value=v0, min=lo, max=hi)
        masters[name] = master
        for _, f in members:
            combined[f].set(expr=master)
            tied[f] = name
    n_data = sum(len(c) for prob in probs for c in prob.curves)
    n_free = sum(p.vary for p in combined.values())
    if n_data <= n_free:
        raise ValueError(
            f"fit_joint: {n_data} data points in all, but {n_free} free parameters; "
            f"need at least {n_free + 1} points (or fix parameters)"
        )

    def residual(params: lmfit.Parameters) -> NDArray[np.float64]:
        return np.concatenate([prob.residual(params) for prob in probs])

    r = lmfit.minimize(residual, combined, method="leastsq", scale_covar=False, max_nfev=max_nfev)
    shared = tuple(
        parameter_estimate(probs[0].obs.spec(name), None, r.params[masters[name]]) for name in share
    )
    by_name = {e.name: e for e in shared}
    estimates = []
    for prob in probs:
        est = [
            replace(by_name[tied[e.fit_name]], curve=e.curve) if e.fit_name in tied else e
            for e in estimates_of(prob, r.params)
        ]
        estimates.append(tuple(est))
    n, k = r.ndata, r.nvarys
    resid = np.asarray(r.residual, dtype=float)
    split = np.cumsum([len(c) for prob in probs for c in prob.curves])[:-1]
    flat = np.split(resid, split)
    counts = np.cumsum([0] + [len(prob.curves) for prob in probs])
    return JointFitResult(
        observables=tuple(names),
        prefixes=tuple(prefixes),
        estimates=tuple(estimates),
        shared=shared,
        chisqr=float(r.chisqr),
        redchi=float(r.redchi),
        aic=float(r.chisqr + 2 * k),
        bic=float(r.chisqr + k * math.log(n)),
        ndata=int(n),
        nvarys=int(k),
        nfev=int(r.nfev),
        success=bool(r.success),
        message=str(r.message),
        residuals=tuple(tuple(flat[a:b]) for a, b in zip(counts[:-1], counts[1:], strict=True)),
        notes=tuple(notes),
        lmfit_result=r,
    )
