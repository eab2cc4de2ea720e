"""Least-squares fits of registered observables with lmfit: the problem, the fit, its result.

A fit takes one or several :class:`~etm.fit.data.MeasuredCurve` of one observable (looked up in
:data:`etm.fit.registry.OBSERVABLES`) and builds one :class:`lmfit.Parameters` set in which every
model parameter is either *shared* by all curves (one lmfit parameter) or *per curve* (one per
curve, suffixed ``_0``, ``_1``, ...), and may be fixed. Concentrations and the X cutoffs, which
span decades, are fitted as ``log10_<name>``; results are reported in physical units with the
standard error propagated linearly (``s_n = n ln(10) s_log10n``). The set-up
(:func:`setup_problem`, :class:`Problem`, :func:`fit_name`, :func:`parameter_estimate`,
:func:`estimates_of`) is public so that joint fits (:mod:`etm.fit.joint`) reuse it. See
docs/fitting.md ("What the error bars say", "Goodness of fit and model choice"); the
heat-capacity model is the essay's Eq. 14-15 with Tables 1-4 (:mod:`etm.fit.cp`).

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
from dataclasses import dataclass, field
from typing import Any

import lmfit
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import nnls

from etm.ensemble import check_orientation
from etm.fit.data import MeasuredCurve
from etm.fit.registry import OBSERVABLES, Observable, ParamSpec, lookup

__all__ = [
    "OBSERVABLES",
    "FitResult",
    "ParameterEstimate",
    "Problem",
    "estimates_of",
    "fit",
    "fit_name",
    "parameter_estimate",
    "setup_problem",
]


# --- the fit problem ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ParameterEstimate:
    """A fitted (or fixed) parameter in physical units.

    Attributes
    ----------
    name : str
        Physical name, e.g. ``"Dmin_K"``.
    curve : int or None
        Index of the curve for a per-curve parameter; None if shared.
    value : float
        Best-fit value (or the fixed value) in ``unit``.
    stderr : float or None
        Standard error from the covariance (None if fixed or not estimable).
    unit : str
        Unit of ``value``.
    vary : bool
        Whether it was fitted.
    fit_name : str
        The lmfit parameter's name (``log10_...`` for log-space parameters).
    at_bound : bool
        Whether the value sits at a bound (its error bar is then not meaningful).
    """

    name: str
    curve: int | None
    value: float
    stderr: float | None
    unit: str
    vary: bool
    fit_name: str
    at_bound: bool = False


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
        Whether every curve has sigmas.
    sigmas : list of ndarray
        Per curve: the sigmas, or ones if unweighted.
    layout : list of dict
        Per curve: physical name -> lmfit name (filled by :func:`setup_problem`).
    own : list of set
        Per curve: the lmfit names of its per-curve parameters.
    specs : list of ParamSpec
        The parameters of the included components.
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
        self.sigmas = [c.sigma if self.weighted else np.ones_like(c.y) for c in curves]
        self.layout: list[dict[str, str]] = [{} for _ in curves]  # curve -> name -> fit name
        self.own: list[set[str]] = [set() for _ in curves]  # per-curve fit names of each curve
        self.specs = [p for p in obs.params if p.component in self.components]

    def values(self, params: lmfit.Parameters, i: int) -> dict[str, float]:
        """Physical parameter values for curve ``i``."""
        out = {}
        for name, fname in self.layout[i].items():
            p = params[fname].value
            out[name] = 10.0**p if self.obs.spec(name).log10 else p
        return out

    def residual(self, params: lmfit.Parameters) -> NDArray[np.float64]:
        """(data - model)/sigma of every curve, concatenated."""
        res = [
            (c.y - m.evaluate(self.values(params, i), self.components)) / s
            for i, (c, m, s) in enumerate(zip(self.curves, self.models, self.sigmas, strict=True))
        ]
        return np.concatenate(res)


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
            f"{what}: {spec.name} must be in [{lo:g}, {hi:g}] {spec.unit}, got {value!r}"
        )
    return math.log10(value) if spec.log10 else value


def _initial_values(prob: Problem, material: Any) -> list[dict[str, float]]:
    """Initial values per curve: non-linear ones from the material (or typical defaults), the
    amplitudes by non-negative least squares on the model's linear structure."""
    obs = prob.obs
    init = [obs.guess_shape(c.metadata, material) for c in prob.curves]
    linear = [p for p in prob.specs if not p.per_curve]
    if not linear:
        return init
    cols, ys = [], []
    for i, (c, m, s) in enumerate(zip(prob.curves, prob.models, prob.sigmas, strict=True)):
        v = {p.name: init[i].get(p.name, 1.0) for p in prob.specs}
        v.update({p.name: 1.0 for p in linear})  # unit amplitudes: parts are the basis
        parts = m.parts(v, prob.components)
        cols.append(np.column_stack([parts[p.component] / s for p in linear]))
        ys.append(c.y / s)
    A, b = np.vstack(cols), np.concatenate(ys)
    scale = np.linalg.norm(A, axis=0)
    scale[scale == 0] = 1.0
    coef = nnls(A / scale, b)[0] / scale
    for j, p in enumerate(linear):
        lo, hi = p.bounds
        guess = float(coef[j])
        if p.log10 and guess <= lo:
            # NNLS zeroes an amplitude it cannot separate: keep the material's (or a floor) value
            guess = init[0].get(p.name, 1e3 * lo)
        guess = min(max(guess, lo), hi)
        for d in init:
            d[p.name] = guess
    return init


def _build(
    prob: Problem,
    init: list[dict[str, float]],
    fix: Mapping[str, float],
    share: Sequence[str],
    per_curve: Sequence[str],
    free: Sequence[str],
) -> tuple[lmfit.Parameters, list[str]]:
    obs = prob.obs
    for name in (*fix, *share, *per_curve, *free):
        obs.spec(name)  # raises for an unknown name
    both = set(share) & set(per_curve)
    if both:
        raise ValueError(f"parameters cannot be both shared and per curve: {', '.join(both)}")
    notes = []
    fixed = dict(fix)
    # At a single temperature the 2LS (~T) and phonon (~T^3) terms are both constants:
    # degenerate. Fix beta unless the user says otherwise.
    temps = np.unique(np.concatenate([m.T for m in prob.models]))
    if (
        temps.size < 2
        and {"2LS", "phonon"} <= set(prob.components)
        and "beta_J_per_gK4" not in fixed
        and "beta_J_per_gK4" not in free
    ):
        fixed["beta_J_per_gK4"] = 0.0
        notes.append(
            "beta_J_per_gK4 fixed at 0: at a single temperature the phonon term is a "
            "constant, degenerate with the 2LS term (free it with free=/--free)"
        )
    params = lmfit.Parameters()
    for spec in prob.specs:
        shared = spec.name in share or (not spec.per_curve and spec.name not in per_curve)
        lo, hi = (
            _to_fit(spec, b, "bounds") if b > 0 or not spec.log10 else -np.inf for b in spec.bounds
        )
        targets = [None] if shared else list(range(len(prob.curves)))
        for t in targets:
            fname = fit_name(spec, t)
            if spec.name in fixed:
                val = _to_fit(spec, float(fixed[spec.name]), f"fixed value of {spec.name}")
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
    return params, notes


def _check_counts(prob: Problem, params: lmfit.Parameters) -> None:
    """Each curve needs more points than its own free parameters, and all curves more than all."""
    n_free = sum(p.vary for p in params.values())
    n_data = sum(len(c) for c in prob.curves)
    if n_data <= n_free:
        files = ", ".join(str(c.source) for c in prob.curves)
        raise ValueError(
            f"{files}: {n_data} data points in all, but {n_free} free parameters; "
            f"need at least {n_free + 1} points (or fix parameters)"
        )
    for i, c in enumerate(prob.curves):
        own = {f for f in prob.own[i] if params[f].vary}
        if len(c) <= len(own):
            raise ValueError(
                f"{c.source}: {len(c)} data points, but {len(own)} free per-curve "
                f"parameters; need at least {len(own) + 1} points"
            )


@dataclass(frozen=True)
class FitResult:
    """The outcome of :func:`fit`: estimates in physical units, goodness of fit, the raw lmfit
    result and (after :func:`etm.fit.mcmc.run_mcmc`) posterior samples.

    Attributes
    ----------
    observable : str
        The fitted observable.
    curves : tuple of MeasuredCurve
        The data.
    components : tuple of str
        The model terms included.
    orientation : str
        ATS loop orientation average.
    estimates : tuple of ParameterEstimate
        Every parameter, shared ones with ``curve=None``.
    chisqr, redchi, aic, bic : float
        Goodness of fit. With measured sigmas, AIC = chi^2 + 2k and BIC = chi^2 + k ln N
        (Gaussian likelihood, known errors); without, lmfit's N ln(chi^2/N) + 2k (and k ln N).
    ndata, nvarys, nfev : int
        Data points, free parameters, function evaluations.
    weighted : bool
        Whether every curve had sigmas (then errors are not rescaled by reduced chi^2).
    success : bool
        lmfit's convergence flag; ``message`` says why.
    residuals : tuple of ndarray
        Per curve: (data - model)/sigma if weighted, else data - model.
    notes : tuple of str
        Automatic choices and warnings (degenerate or bounded parameters).
    lmfit_result : lmfit.minimizer.MinimizerResult
        The raw result (fit-space parameters, covariance).
    mcmc : McmcResult or None
        Posterior samples, if :func:`etm.fit.mcmc.run_mcmc` was called.
    problem : Problem or None
        The fit's problem (curve models with their caches, parameter layout), which
        :func:`etm.fit.mcmc.run_mcmc` evaluates.
    """

    observable: str
    curves: tuple[MeasuredCurve, ...]
    components: tuple[str, ...]
    orientation: str
    estimates: tuple[ParameterEstimate, ...]
    chisqr: float
    redchi: float
    aic: float
    bic: float
    ndata: int
    nvarys: int
    nfev: int
    weighted: bool
    success: bool
    message: str
    residuals: tuple[NDArray[np.float64], ...]
    notes: tuple[str, ...]
    lmfit_result: Any = field(repr=False)
    mcmc: Any = None
    problem: Problem | None = field(default=None, repr=False, compare=False)

    def estimate(self, name: str, curve: int | None = None) -> ParameterEstimate:
        """The estimate of ``name`` (for curve ``curve`` if it is per curve)."""
        for e in self.estimates:
            if e.name == name and (e.curve is None or e.curve == curve):
                return e
        raise ValueError(f"no parameter {name!r} for curve {curve!r} in this fit")

    def value(self, name: str, curve: int | None = None) -> float:
        """Best-fit value of ``name`` in its physical unit."""
        return self.estimate(name, curve).value

    def stderr(self, name: str, curve: int | None = None) -> float | None:
        """Standard error of ``name`` in its physical unit (None if fixed or not estimable)."""
        return self.estimate(name, curve).stderr

    def values(self, curve: int) -> dict[str, float]:
        """All physical parameter values that apply to curve ``curve``."""
        return {e.name: e.value for e in self.estimates if e.curve in (None, curve)}

    def correlations(self) -> tuple[tuple[str, ...], NDArray[np.float64]]:
        """Names of the free parameters (fit space) and their correlation matrix."""
        r = self.lmfit_result
        names = tuple(r.var_names)
        if r.covar is None:
            return names, np.full((len(names), len(names)), np.nan)
        sd = np.sqrt(np.diag(r.covar))
        return names, r.covar / np.outer(sd, sd)

    def model(
        self, curve: int, x: ArrayLike | None = None, components: Sequence[str] | None = None
    ) -> NDArray[np.float64]:
        """The best-fit model of curve ``curve`` at ``x`` (default: the data's x), in the
        package's unit, optionally only some ``components``."""
        return sum(
            self.model_parts(curve, x, components).values(),
            np.zeros(np.shape(self.curves[curve].x if x is None else x)),
        )

    def model_parts(
        self, curve: int, x: ArrayLike | None = None, components: Sequence[str] | None = None
    ) -> dict[str, NDArray[np.float64]]:
        """Each best-fit model term of curve ``curve`` at ``x``."""
        obs = lookup(self.observable)
        c = self.curves[curve]
        xx = c.x if x is None else np.asarray(x, dtype=float)
        m = obs.prepare(c.x_name, xx, c.metadata, self.orientation, str(c.source))
        comps = self.components if components is None else tuple(components)
        return m.parts(self.values(curve), comps)


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
    """The estimate of the lmfit parameter ``p`` of ``spec`` in physical units."""
    value = 10.0**p.value if spec.log10 else float(p.value)
    err = None
    if p.vary and p.stderr is not None and math.isfinite(p.stderr):
        err = value * math.log(10.0) * p.stderr if spec.log10 else float(p.stderr)
    # at a bound: within round-off of it, or much closer to it than the error bar
    dist = min(abs(p.value - b) for b in (p.min, p.max))
    scale = 1e-6 * max(abs(p.value), min(abs(p.min), abs(p.max)), 1e-300)
    tiny = p.stderr is not None and math.isfinite(p.stderr) and dist < 1e-3 * p.stderr
    at_bound = p.vary and (dist <= scale or tiny)
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
) -> FitResult:
    """Fit one or several curves at once (a global fit) by least squares (lmfit, Levenberg-
    Marquardt).

    Parameters
    ----------
    curves : MeasuredCurve or sequence of MeasuredCurve
        The data (see :func:`etm.fit.registry.read_curves`). With several, shared parameters
        are fitted to all.
    observable : str
        A registered observable (``"cp"``, ``"eps"``, ``"echo"``; :data:`OBSERVABLES`).
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
        Parameters to fit that would be fixed automatically (``beta_J_per_gK4`` at one T).
    components : sequence of str, optional
        Model terms to include (default all; without ``"ATS"`` it is the STM-only model).
    orientation : {"isotropic", "aligned", "phi2/3"}
        Loop orientation average of the ATS term.
    max_nfev : int, optional
        Cap on function evaluations.

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
        curves, observable, material, fix, share, per_curve, free, components, orientation
    )
    r = lmfit.minimize(
        prob.residual, params, method="leastsq", scale_covar=not prob.weighted, max_nfev=max_nfev
    )
    return _result(prob, r, notes)


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
) -> tuple[Problem, lmfit.Parameters, list[str]]:
    """Check the curves and options of :func:`fit` and build its problem and parameters.

    The arguments are :func:`fit`'s. Nothing is fitted; the only model evaluations are those of
    the initial amplitudes (non-negative least squares on the model's linear structure).

    Returns
    -------
    problem : Problem
        The curve models and the parameter layout.
    params : lmfit.Parameters
        The fit-space parameters (``log10_*`` for log10 specs), fixed ones with ``vary=False``.
    notes : list of str
        Automatic choices (e.g. beta_J_per_gK4 fixed at one temperature).
    """
    curves = (curves,) if isinstance(curves, MeasuredCurve) else tuple(curves)
    if not curves:
        raise ValueError("curves must hold at least one MeasuredCurve")
    obs = lookup(observable)
    comps = obs.components if components is None else tuple(components)
    bad = [c for c in comps if c not in obs.components]
    if bad or not comps:
        raise ValueError(
            f"components must be a non-empty subset of {', '.join(obs.components)}, "
            f"got {', '.join(comps) or 'none'}"
        )
    for c in curves:
        if (
            c.x_name.split("_")[0] not in obs.x_quantities
            or c.y_name.split("_")[0] != obs.y_quantity
        ):
            raise ValueError(
                f"{c.source}: columns {c.x_name}, {c.y_name} do not fit observable "
                f"{obs.name!r} (x one of {', '.join(obs.x_quantities)}, "
                f"y {obs.y_quantity})"
            )
    check_orientation(orientation)
    fix = dict(fix or {})
    prob = Problem(obs, curves, comps, orientation)
    fix = {k: v for k, v in fix.items() if obs.spec(k).component in comps}
    init = _initial_values(prob, material)
    params, notes = _build(prob, init, fix, share, per_curve, free)
    _check_counts(prob, params)
    return prob, params, notes


def _result(prob: Problem, r: Any, notes: list[str]) -> FitResult:
    est = estimates_of(prob, r.params)
    notes = list(notes)
    for e in est:
        if e.at_bound:
            notes.append(f"{e.fit_name} is at a bound: its error bar is not meaningful")
    if not r.errorbars:
        notes.append(
            "uncertainties could not be estimated (singular covariance: a parameter is "
            "degenerate or at a bound); fix one of the correlated parameters"
        )
    for i in range(len(prob.curves)):
        v = prob.values(r.params, i)
        if "X0min_KA2" in v and v["X0min_KA2"] > v["X0max_KA2"]:
            notes.append(
                f"curve {i}: X0min_KA2 > X0max_KA2 after the fit; the model is symmetric "
                "in the two cutoffs, read them swapped"
            )
    n, k = r.ndata, r.nvarys
    if prob.weighted:
        aic, bic = r.chisqr + 2 * k, r.chisqr + k * math.log(n)
    else:
        aic, bic = float(r.aic), float(r.bic)
    split = np.cumsum([len(c) for c in prob.curves])[:-1]
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
    )
