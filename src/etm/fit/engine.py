"""Least-squares fits of registered observables with lmfit: the problem and the fit.

A fit takes one or several :class:`~etm.fit.data.MeasuredCurve` of one observable (looked up in
:data:`etm.fit.registry.OBSERVABLES`) and builds one :class:`lmfit.Parameters` set in which every
model parameter is either *shared* by all curves (one lmfit parameter) or *per curve* (one per
curve, suffixed ``_0``, ``_1``, ...), and may be fixed. Concentrations and the X cutoffs, which
span decades, are fitted as ``log10_<name>``; results are reported in physical units with the
standard error propagated linearly (``s_n = n ln(10) s_log10n``) in a
:class:`~etm.fit.result.FitResult`. The observable's ``defaults`` hook fixes (or shares) what the
curves cannot determine, with a note. A curve without an error column gets its noise estimated
from the residual scatter of the fit (:func:`fit_problem`). The set-up (:func:`setup_problem`,
:class:`Problem`, :func:`fit_name`, :func:`parameter_estimate`, :func:`estimates_of`) is public
so that joint fits (:mod:`etm.fit.joint`) reuse it. See docs/fitting.md ("What the error bars
say", "Goodness of fit and model choice").

Examples
--------
>>> import numpy as np
>>> from etm.fit.cp import synthetic_cp_curve
>>> curve = synthetic_cp_curve("BAS", 0.9, np.linspace(0, 8, 25), rel_noise=0.003, seed=1)
>>> res = fit([curve], material="BAS")
>>> res.success, abs(res.value("Dmin_K", 0) - 0.53) < 3 * res.stderr("Dmin_K", 0)
(True, True)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import lmfit
import numpy as np
from numpy.typing import NDArray
from scipy.optimize import nnls

from etm.ensemble import check_orientation
from etm.fit.data import MeasuredCurve
from etm.fit.progress import Progress, checkpoint
from etm.fit.registry import OBSERVABLES, Observable, ParamSpec, lookup
from etm.fit.result import FitResult, ParameterEstimate

__all__ = [
    "OBSERVABLES",
    "FitResult",
    "ParameterEstimate",
    "Problem",
    "estimates_of",
    "fit",
    "fit_name",
    "fit_problem",
    "initial_noise",
    "parameter_estimate",
    "setup_problem",
]


# --- the fit problem ----------------------------------------------------------------------------


def initial_noise(y: NDArray[np.float64]) -> float:
    """A first guess of the noise of a smooth curve: the robust scatter of its second
    differences, sqrt(6) times the noise for white noise (replaced by the residual scatter of
    the fit afterwards). Falls back to 1e-3 of the curve's largest |y|.

    Examples
    --------
    >>> y = np.sin(np.linspace(0, 1, 200)) + 0.01 * np.random.default_rng(0).standard_normal(200)
    >>> 0.007 < initial_noise(y) < 0.013
    True
    """
    y = np.asarray(y, dtype=float)
    if y.size >= 5:
        d2 = np.diff(y, 2)
        s = 1.4826 * float(np.median(np.abs(d2 - np.median(d2)))) / math.sqrt(6.0)
        if s > 0 and math.isfinite(s):
            return s
    top = float(np.max(np.abs(y))) if y.size else 0.0
    return 1e-3 * top if top > 0 else 1.0


class Problem:
    """The state of one fit: curve models (with their caches) and the parameter layout.

    Parameters
    ----------
    obs : Observable
        The observable of every curve.
    curves : sequence of MeasuredCurve
        The data.
    components : sequence of str
        The model terms included.
    orientation : str
        ATS loop orientation average.

    Attributes
    ----------
    models : list
        One curve model per curve (``obs.prepare``), with its caches.
    weighted : bool
        Whether every curve has a measured sigma column.
    sigma_estimated : list of bool
        Per curve: no sigma column, so its noise is estimated (:func:`fit_problem`).
    sigmas : list of ndarray
        Per curve: the measured sigmas, or the current noise estimate.
    layout : list of dict
        Per curve: physical name -> lmfit name (filled by :func:`setup_problem`).
    own : list of set
        Per curve: the lmfit names of its per-curve parameters.
    specs : list of ParamSpec
        The parameters of the included components.
    progress : Progress or None
        Counts the residual evaluations while a fit runs.
    """

    def __init__(
        self,
        obs: Observable,
        curves: Sequence[MeasuredCurve],
        components: Sequence[str],
        orientation: str,
    ) -> None:
        self.obs = obs
        self.curves = tuple(curves)
        self.components = tuple(components)
        self.orientation = orientation
        self.models = [
            obs.prepare(c.x_name, c.x, c.metadata, orientation, str(c.source)) for c in curves
        ]
        self.weighted = all(c.sigma is not None for c in curves)
        self.sigma_estimated = [c.sigma is None for c in curves]
        self.sigmas = [
            c.sigma if c.sigma is not None else np.full_like(c.y, initial_noise(c.y))
            for c in curves
        ]
        self.layout: list[dict[str, str]] = [{} for _ in curves]  # curve -> name -> fit name
        self.own: list[set[str]] = [set() for _ in curves]  # per-curve fit names of each curve
        self.specs = [p for p in obs.params if p.component in self.components]
        self.progress: Progress | None = None

    def values(self, params: lmfit.Parameters, i: int) -> dict[str, float]:
        """Physical parameter values for curve ``i``."""
        out = {}
        for name, fname in self.layout[i].items():
            p = params[fname].value
            out[name] = 10.0**p if self.obs.spec(name).log10 else p
        return out

    def residual(self, params: lmfit.Parameters) -> NDArray[np.float64]:
        """(data - model)/sigma of every curve, concatenated."""
        checkpoint()
        res = np.concatenate(
            [
                (c.y - m.evaluate(self.values(params, i), self.components)) / s
                for i, (c, m, s) in enumerate(
                    zip(self.curves, self.models, self.sigmas, strict=True)
                )
            ]
        )
        if self.progress is not None:
            self.progress.update(1, chi2=float(res @ res))
        return res


def fit_name(spec: ParamSpec, curve: int | None) -> str:
    """The lmfit name of ``spec`` for curve ``curve`` (None: shared), e.g. ``log10_X0min_KA2_0``.

    Examples
    --------
    >>> from etm.fit.registry import x_cutoff_specs
    >>> fit_name(x_cutoff_specs()[0], 0), fit_name(x_cutoff_specs()[0], None)
    ('log10_X0min_KA2_0', 'log10_X0min_KA2')
    """
    base = ("log10_" if spec.log10 else "") + spec.name
    return base if curve is None else f"{base}_{curve}"


def _to_fit(spec: ParamSpec, value: float, what: str) -> float:
    lo, hi = spec.bounds
    if not (math.isfinite(value) and lo <= value <= hi):
        raise ValueError(
            f"{what}: {spec.name} must be in [{lo:g}, {hi:g}] {spec.unit}, got {float(value)!r}"
        )
    return math.log10(value) if spec.log10 else value


def _initial_values(
    prob: Problem, material: Any, fixed: Mapping[str, float]
) -> list[dict[str, float]]:
    """Initial values per curve: non-linear ones from the material (or typical defaults), the
    free amplitudes of the models' linear part (``LINEAR``) by non-negative least squares, one
    column per shared amplitude and one per curve for a per-curve one."""
    obs = prob.obs
    init = [obs.guess_shape(c.metadata, material) for c in prob.curves]
    if all(hasattr(m, "LINEAR") for m in prob.models):
        linear = set().union(*(m.LINEAR for m in prob.models))
        comp_of = [dict(m.LINEAR) for m in prob.models]
    else:
        # no declared linear part: take the shared parameters as the amplitudes of their
        # components (the guess the engine made before the contract was written)
        linear = {p.name for p in prob.specs if not p.per_curve}
        comp_of = [{p.name: p.component for p in prob.specs} for _ in prob.models]
    amps = [p for p in prob.specs if p.name in linear and p.name not in fixed]
    if not amps:
        return init
    keys = [(p, k) for p in amps for k in (range(len(prob.curves)) if p.per_curve else [None])]
    rows, ys = [], []
    for i, (c, m, s) in enumerate(zip(prob.curves, prob.models, prob.sigmas, strict=True)):
        v = {p.name: init[i].get(p.name, 1.0) for p in prob.specs}
        v.update(fixed)
        v.update({p.name: 1.0 for p in amps})  # unit amplitudes: their parts are the basis
        parts = m.parts(v, prob.components)
        free_comps = {comp_of[i][p.name] for p in amps if p.name in comp_of[i]}
        off = sum((y for comp, y in parts.items() if comp not in free_comps), np.zeros_like(c.y))
        col = np.zeros((c.y.size, len(keys)))
        for j, (p, k) in enumerate(keys):
            comp = comp_of[i].get(p.name)
            if comp in parts and k in (None, i):
                col[:, j] = parts[comp]
        rows.append(col / s[:, None])
        ys.append((c.y - off) / s)
    A, b = np.vstack(rows), np.concatenate(ys)
    scale = np.linalg.norm(A, axis=0)
    scale[scale == 0] = 1.0
    coef = nnls(A / scale, b, maxiter=50 * len(keys))[0] / scale
    for j, (p, k) in enumerate(keys):
        lo, hi = p.bounds
        for i in range(len(prob.curves)) if k is None else [k]:
            guess = float(coef[j])
            if p.log10 and guess <= lo:
                # NNLS zeroes an amplitude it cannot separate: keep the material's (or a floor)
                guess = init[i].get(p.name, 1e3 * lo)
            init[i][p.name] = min(max(guess, lo), hi)
    return init


def _build(
    prob: Problem,
    init: list[dict[str, float]],
    fix: Mapping[str, float],
    share: Sequence[str],
    per_curve: Sequence[str],
) -> lmfit.Parameters:
    params = lmfit.Parameters()
    for spec in prob.specs:
        shared = spec.name in share or (not spec.per_curve and spec.name not in per_curve)
        lo, hi = (
            _to_fit(spec, b, "bounds") if b > 0 or not spec.log10 else -np.inf for b in spec.bounds
        )
        targets = [None] if shared else list(range(len(prob.curves)))
        for t in targets:
            fname = fit_name(spec, t)
            if spec.name in fix:
                val = _to_fit(spec, float(fix[spec.name]), f"fixed value of {spec.name}")
                params.add(fname, value=val, vary=False, min=lo, max=hi)
            else:
                idx = range(len(prob.curves)) if t is None else [t]
                vals = [_to_fit(spec, init[k][spec.name], "initial value") for k in idx]
                # keep a start strictly inside the bounds: lmfit's bound transform has zero slope
                # exactly at a bound
                v0 = float(np.mean(vals))
                span = (hi - lo) if math.isfinite(hi - lo) else abs(v0) + 1.0
                v0 = min(max(v0, lo + 1e-6 * span), hi - 1e-6 * span)
                params.add(fname, value=v0, min=lo, max=hi)
            for k in range(len(prob.curves)) if t is None else [t]:
                prob.layout[k][spec.name] = fname
                if t is not None:
                    prob.own[k].add(fname)
    return params


def _check_counts(prob: Problem, params: lmfit.Parameters) -> None:
    """Each curve needs more points than its own free parameters, and all curves more than all."""
    n_free = sum(p.vary for p in params.values())
    n_data = sum(c.y.size for c in prob.curves)
    if n_data <= n_free:
        files = ", ".join(str(c.source) for c in prob.curves)
        raise ValueError(
            f"{files}: {n_data} data points in all, but {n_free} free parameters; "
            f"need at least {n_free + 1} points (or fix parameters)"
        )
    for i, c in enumerate(prob.curves):
        own = {f for f in prob.own[i] if params[f].vary}
        if c.y.size <= len(own):
            raise ValueError(
                f"{c.source}: {c.y.size} data points, but {len(own)} free per-curve "
                f"parameters; need at least {len(own) + 1} points"
            )


def estimates_of(prob: Problem, params: lmfit.Parameters) -> tuple[ParameterEstimate, ...]:
    """Every parameter of ``prob`` at ``params`` in physical units, each lmfit parameter once
    (a shared one with ``curve=None``)."""
    out = []
    seen = set()
    for i in range(len(prob.curves)):
        for name, fname in prob.layout[i].items():
            if fname in seen:
                continue
            seen.add(fname)
            curve = i if fname in prob.own[i] else None
            out.append(parameter_estimate(prob.obs.spec(name), curve, params[fname]))
    return tuple(out)


def parameter_estimate(spec: ParamSpec, curve: int | None, p: lmfit.Parameter) -> ParameterEstimate:
    """The estimate of the lmfit parameter ``p`` of ``spec`` in physical units.

    It is flagged ``at_bound`` when it sits within 1e-4 (relative) of a bound, or much closer
    to one (1e-3) than its error bar where that error bar is smaller than the allowed range.
    Errors that are far too large (a sigma column in the wrong unit) leave the optimum where it
    is and flag nothing here: the reduced chi^2 ~ 0 says it (:mod:`etm.fit.diagnose`).
    """
    value = 10.0**p.value if spec.log10 else float(p.value)
    err = None
    if p.vary and p.stderr is not None and math.isfinite(p.stderr):
        err = value * math.log(10.0) * p.stderr if spec.log10 else float(p.stderr)
    dists = [abs(p.value - b) for b in (p.min, p.max) if math.isfinite(b)]
    at_bound = False
    if p.vary and dists:
        dist = min(dists)
        near = [b for b in (p.min, p.max) if math.isfinite(b) and abs(p.value - b) == dist][0]
        close = dist <= 1e-4 * max(abs(p.value), abs(near), 1e-300)
        span = p.max - p.min
        s = p.stderr
        sane = s is not None and math.isfinite(s) and 0 < s < span
        at_bound = close or bool(sane and dist < 1e-3 * s)
    return ParameterEstimate(
        spec.name, curve, value, err, spec.unit, bool(p.vary), p.name, bool(at_bound)
    )


def fit(
    curves: MeasuredCurve | Sequence[MeasuredCurve],
    observable: str = "cp",
    *,
    material: Any = None,
    fix: Mapping[str, float] | None = None,
    share: Sequence[str] = (),
    per_curve: Sequence[str] = (),
    free: Sequence[str] = (),
    components: Sequence[str] | None = None,
    orientation: str = "isotropic",
    max_nfev: int | None = None,
    defaults: bool = True,
    progress: bool | None = None,
) -> FitResult:
    """Fit one or several curves at once (a global fit) by least squares (lmfit, Levenberg-
    Marquardt).

    Parameters
    ----------
    curves : MeasuredCurve or sequence of MeasuredCurve
        The data (see :func:`etm.fit.registry.read_curves`). With several, shared parameters
        are fitted to all. A curve without sigmas gets its noise estimated from the residual
        scatter (:func:`fit_problem`).
    observable : str
        A registered observable (:data:`OBSERVABLES`).
    material : str or preset, optional
        Preset whose parameters start the fit (the row nearest each curve's temperature); the
        amplitudes are re-estimated from the data by non-negative least squares.
    fix : mapping, optional
        ``{name: value}`` in physical units: held fixed (for every curve).
    share : sequence of str
        Parameters shared by all curves that are per curve by default (e.g. ``"Dmin_K"``).
    per_curve : sequence of str
        Parameters fitted per curve that are shared by default (e.g. ``"nP_per_g"``).
    free : sequence of str
        Parameters to fit that the observable's defaults would fix.
    components : sequence of str, optional
        Model terms to include (default all, or the observable's default; without ``"ATS"`` it
        is the STM-only model).
    orientation : {"isotropic", "aligned", "phi2/3"}
        Loop orientation average of the ATS term.
    max_nfev : int, optional
        Cap on function evaluations.
    defaults : bool
        Apply the observable's defaults (what one set of curves cannot determine is fixed or
        shared, each with a note in ``notes``).
    progress : bool, optional
        A progress bar on stderr (evaluations, chi^2) after 2 s (default: stderr is a terminal).

    Returns
    -------
    FitResult

    Raises
    ------
    ValueError
        Before any model evaluation: unknown observable, parameter or component, a fixed value
        out of range, missing metadata, fewer points than free parameters (naming the file).

    References
    ----------
    The essay's Eq. 14-15 and Tables 1-4 (global fits sharing concentrations).
    """
    prob, params, notes = setup_problem(
        curves,
        observable,
        material,
        fix,
        share,
        per_curve,
        free,
        components,
        orientation,
        defaults=defaults,
    )
    return fit_problem(prob, params, notes, max_nfev=max_nfev, progress=progress)


def setup_problem(
    curves: MeasuredCurve | Sequence[MeasuredCurve],
    observable: str,
    material: Any,
    fix: Mapping[str, float] | None,
    share: Sequence[str],
    per_curve: Sequence[str],
    free: Sequence[str],
    components: Sequence[str] | None,
    orientation: str,
    *,
    defaults: bool = True,
) -> tuple[Problem, lmfit.Parameters, list[str]]:
    """Check the curves and options of :func:`fit` and build its problem and parameters.

    The arguments are :func:`fit`'s. Nothing is fitted; the only model evaluations are those of
    the initial amplitudes (non-negative least squares on the model's linear part).

    Returns
    -------
    problem : Problem
        The curve models and the parameter layout.
    params : lmfit.Parameters
        The fit-space parameters (``log10_*`` for log10 specs), fixed ones with ``vary=False``.
    notes : list of str
        Automatic choices (the observable's defaults).
    """
    curves = (curves,) if isinstance(curves, MeasuredCurve) else tuple(curves)
    if not curves:
        raise ValueError("curves must hold at least one MeasuredCurve")
    obs = lookup(observable)
    fix = dict(fix or {})
    for name in (*fix, *share, *per_curve, *free):
        obs.spec(name)  # raises for an unknown name
    both = set(share) & set(per_curve)
    if both:
        raise ValueError(f"parameters cannot be both shared and per curve: {', '.join(both)}")
    notes: list[str] = []
    comps = None if components is None else tuple(components)
    if defaults and obs.defaults is not None:
        d = obs.defaults(curves, material, fix, free, comps or obs.components)
        fix = {**{k: v for k, v in d.fix.items() if k not in free}, **fix}
        if d.share is not None and not share:
            share = [n for n in d.share if n not in per_curve]
        if d.components is not None and comps is None:
            comps = d.components
        notes.extend(d.notes)
    comps = obs.components if comps is None else comps
    bad = [c for c in comps if c not in obs.components]
    if bad or not comps:
        raise ValueError(
            f"components must be a non-empty subset of {', '.join(obs.components)}, "
            f"got {', '.join(comps) or 'none'}"
        )
    for c in curves:
        xq = {q.split("_")[0] for q in c.x_name.split(",")}
        y_ok = c.y_name.split("_")[0] in (obs.y_quantity, *obs.other_y)
        if not xq <= set(obs.x_quantities) or not y_ok:
            raise ValueError(
                f"{c.source}: columns {c.x_name}, {c.y_name} do not fit observable "
                f"{obs.name!r} (x one of {', '.join(obs.x_quantities)}, "
                f"y {obs.y_quantity})"
            )
    check_orientation(orientation)
    prob = Problem(obs, curves, comps, orientation)
    fix = {k: v for k, v in fix.items() if obs.spec(k).component in comps}
    init = _initial_values(prob, material, fix)
    if obs.refine_start is not None:
        init = obs.refine_start(prob, init, fix)
    params = _build(prob, init, fix, share, per_curve)
    _check_counts(prob, params)
    return prob, params, notes


def _minimize(prob: Problem, params: lmfit.Parameters, max_nfev: int | None) -> Any:
    return lmfit.minimize(
        prob.residual, params, method="leastsq", scale_covar=False, max_nfev=max_nfev
    )


def fit_problem(
    prob: Problem,
    params: lmfit.Parameters,
    notes: Sequence[str] = (),
    *,
    max_nfev: int | None = None,
    progress: bool | None = None,
) -> FitResult:
    """Run the least-squares fit of a problem from :func:`setup_problem`.

    Curves without sigmas are first weighted by a guess of their noise (:func:`initial_noise`);
    after the fit each such curve's noise is estimated from its residual scatter,
    sigma^2 = sum (y - model)^2 / (n - k n/N) (its share of the degrees of freedom), and the
    fit is repeated from the optimum with those sigmas (once; the second pass moves the optimum
    only when curves of different noise share parameters). The errors are then those of the
    covariance with the estimated sigmas, i.e. scaled by the residual scatter, and every output
    says so.
    """
    with Progress("least squares", enabled=progress) as bar:
        prob.progress = bar
        try:
            r = _minimize(prob, params, max_nfev)
            if any(prob.sigma_estimated):
                n_all, k = sum(c.y.size for c in prob.curves), r.nvarys
                resid = np.split(np.asarray(r.residual), np.cumsum([c.y.size for c in prob.curves]))
                for i, c in enumerate(prob.curves):
                    if prob.sigma_estimated[i]:
                        raw = resid[i] * prob.sigmas[i]
                        dof = max(c.y.size * (1.0 - k / n_all), 1.0)
                        s = math.sqrt(float(raw @ raw) / dof)
                        prob.sigmas[i] = np.full_like(c.y, s if s > 0 else initial_noise(c.y))
                first = r.nfev
                r = _minimize(prob, r.params, max_nfev)
                r.nfev += first
        finally:
            prob.progress = None
    _swap_cutoffs(prob, r)
    return _result(prob, r, list(notes))


def _swap_cutoffs(prob: Problem, r: Any) -> None:
    """The model is symmetric in X0min and X0max: where the fit ends with X0min > X0max (both
    free, fitted alike), swap the two parameters' values, errors and covariance entries."""
    names = list(r.var_names) if r.var_names is not None else []
    done = set()
    for lay in prob.layout:
        a, b = lay.get("X0min_KA2"), lay.get("X0max_KA2")
        if a is None or b is None or (a, b) in done:
            continue
        done.add((a, b))
        pa, pb = r.params[a], r.params[b]
        if not (pa.vary and pb.vary) or pa.value <= pb.value:
            continue
        if (a in names) != (b in names) or (pa.min, pa.max) != (pb.min, pb.max):
            continue
        pa.value, pb.value = pb.value, pa.value
        pa.stderr, pb.stderr = pb.stderr, pa.stderr
        if r.covar is not None and a in names:
            i, j = names.index(a), names.index(b)
            perm = list(range(len(names)))
            perm[i], perm[j] = j, i
            r.covar = r.covar[np.ix_(perm, perm)]


def _result(prob: Problem, r: Any, notes: list[str]) -> FitResult:
    est = estimates_of(prob, r.params)
    unit = prob.obs.y_unit
    for c, s, estimated in zip(prob.curves, prob.sigmas, prob.sigma_estimated, strict=True):
        if estimated:
            notes.append(
                f"{c.label}: no sigma column: the noise was estimated from the residual scatter "
                f"of the fit, sigma = {float(s[0]):.3g} {unit} (errors scaled accordingly)"
            )
    n, k = r.ndata, r.nvarys
    aic, bic = r.chisqr + 2 * k, r.chisqr + k * math.log(n)
    split = np.cumsum([c.y.size for c in prob.curves])[:-1]
    res = tuple(np.split(np.asarray(r.residual, dtype=float), split))
    return FitResult(
        observable=prob.obs.name,
        curves=prob.curves,
        components=prob.components,
        orientation=prob.orientation,
        estimates=est,
        chisqr=float(r.chisqr),
        redchi=float(r.redchi),
        aic=float(aic),
        bic=float(bic),
        ndata=int(n),
        nvarys=int(k),
        nfev=int(r.nfev),
        weighted=prob.weighted,
        success=bool(r.success),
        message=str(r.message),
        residuals=res,
        notes=tuple(notes),
        lmfit_result=r,
        problem=prob,
        sigma_estimated=tuple(prob.sigma_estimated),
        sigmas=tuple(np.asarray(s, dtype=float) for s in prob.sigmas),
    )
