"""Posterior sampling around a least-squares fit with emcee: :func:`run_mcmc`, :class:`McmcResult`.

The log-likelihood is -chi^2/2 with the curves' sigmas, the priors uniform in the fit's
parameters within their bounds (log-uniform for ``log10_*`` ones). The walkers start from the
least-squares covariance (a draw of N(best, cov) per walker), and the chain runs until it is
longer than ``tau_factor`` (50) integrated autocorrelation times with tau stable to
``tau_rtol`` (2 %), checked every ``check_every`` steps, or until the step cap;
:attr:`McmcResult.stop_reason` says which. Linear amplitudes (the Cp model's nP, 2LS, phonon,
Fe2+, Fe3+) are marginalized analytically and drawn exactly afterwards
(:class:`etm.fit.posterior.Posterior`). Log-probabilities are
evaluated for all walkers of a half-ensemble at once (emcee ``vectorize=True``): curve models
with an ``evaluate_many`` method (the Cp model's checked Chebyshev surrogate of the ATS term,
:mod:`etm.fit.cp`) do them in one array operation, others walker by walker; or, with
``processes=2``, walker by walker in a process pool, giving the same chain as the serial run.
See docs/fitting.md ("Posteriors").
"""

from __future__ import annotations

import math
import multiprocessing
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from etm.fit.chain import (
    autocorr_times,
    bound_notes,
    chain_diagnosis,
    check_chain_memory,
    default_walkers,
    is_converged,
    local_covariance,
    reflect_into,
)
from etm.fit.engine import FitResult
from etm.fit.posterior import Posterior
from etm.fit.progress import Progress, checkpoint
from etm.fit.sampling import RunSurrogate, importance_correct

__all__ = ["McmcResult", "check_chain_memory", "predictive_band", "run_mcmc"]


@dataclass(frozen=True)
class McmcResult:
    """Posterior samples from emcee and their summary.

    Attributes
    ----------
    var_names : tuple of str
        lmfit names of the sampled parameters (the columns of ``flatchain``).
    flatchain : ndarray, shape (n_samples, n_var)
        Samples after burn-in and thinning, in fit space (log10 where fitted so).
    quantiles : ndarray, shape (3, n_var)
        15.87, 50 and 84.13 percentiles of each column (fit space).
    acceptance_fraction : float
        Mean acceptance fraction of the walkers (0.2-0.5 is healthy).
    autocorr_time : ndarray
        Integrated autocorrelation time of each parameter [steps].
    converged : bool
        Whether the chain is longer than ``tau_factor`` autocorrelation times of every parameter.
    nwalkers, steps, burn, thin, seed : int
        Walkers, steps run, steps discarded, thinning, seed.
    stop_reason : str
        Why the run stopped (converged, or the step cap).
    n_eff : ndarray
        Effective sample size per parameter: walkers x (steps - burn) / tau.
    names, curves : tuple
        Physical name and curve index (None if shared) of each sampled parameter.
    phys_quantiles : ndarray, shape (3, n_var)
        16/50/84 % of each parameter in physical units.
    phys_sd : ndarray
        Posterior standard deviation in physical units.
    units : tuple of str
        Unit of each parameter.
    lnprob : ndarray
        Log-posterior of each kept sample (= -chi^2/2 inside the bounds).
    tau_factor : float
        The convergence rule's factor (50).
    surrogate : str
        How the model was evaluated ("exact", or the surrogate and its checked error).
    marginalized : str
        Which linear amplitudes were marginalized analytically (:mod:`etm.fit.posterior`).
    bound_notes : tuple of str
        Posteriors piled up at a bound: a limit to quote, or a ridge the bound closed instead
        of the data (:func:`etm.fit.chain.bound_notes`).
    """

    var_names: tuple[str, ...]
    flatchain: NDArray[np.float64]
    quantiles: NDArray[np.float64]
    acceptance_fraction: float
    autocorr_time: NDArray[np.float64]
    converged: bool
    nwalkers: int
    steps: int
    burn: int
    thin: int
    seed: int
    stop_reason: str = ""
    n_eff: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    names: tuple[str, ...] = ()
    curves: tuple[int | None, ...] = ()
    phys_quantiles: NDArray[np.float64] = field(default_factory=lambda: np.zeros((3, 0)))
    phys_sd: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    units: tuple[str, ...] = ()
    lnprob: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    tau_factor: float = 50.0
    surrogate: str = "exact"
    marginalized: str = ""
    bound_notes: tuple[str, ...] = ()


#: Posteriors of running pool samplers, found by the forked workers by key (nothing pickled).
_POSTERIORS: dict[int, Posterior] = {}


def _pool_logp(key: int, theta: NDArray) -> Any:
    return _POSTERIORS[key].one(theta)


class _PoolLogP:
    def __init__(self, key: int) -> None:
        self.key = key

    def __call__(self, theta: NDArray) -> Any:
        return _pool_logp(self.key, theta)


def _initial(rng: np.random.Generator, best, cov, err, lo, hi, nwalkers) -> NDArray:
    """N(best, cov) draws inside the bounds: redrawn (up to 100 times) while outside, then
    folded back inside by reflection at the bounds (:func:`etm.fit.chain.reflect_into`), so
    that parameters at a bound start spread over the allowed side; the diagonal of ``err`` if
    ``cov`` is not a covariance."""
    ndim = best.size
    ok = cov is not None and np.all(np.isfinite(cov))
    if ok:
        try:
            L = np.linalg.cholesky(cov)
        except np.linalg.LinAlgError:
            ok = False
    if not ok:
        L = np.diag(err)
    p0 = np.empty((nwalkers, ndim))
    for w in range(nwalkers):
        for _ in range(100):
            p = best + L @ rng.standard_normal(ndim)
            if np.all(p > lo) and np.all(p < hi):
                break
        else:
            p = reflect_into(p, lo, hi)
        p0[w] = p
    return p0


def _finite_start(post: Posterior, p0: NDArray, rng: np.random.Generator) -> NDArray:
    """Walkers whose log-posterior is not finite (a draw outside the model's valid region)
    replaced by a finite walker moved by 1e-2 of the finite walkers' spread, so emcee starts
    from finite values (its moves subtract log-probabilities)."""
    lnp = post(p0)
    lnp = lnp[:, 0] if lnp.ndim == 2 else lnp
    bad = ~np.isfinite(lnp)
    for _ in range(20):
        if not bad.any():
            return p0
        good = np.flatnonzero(~bad)
        if good.size == 0:
            raise ValueError(
                "run_mcmc: no walker start has a finite posterior (the least-squares point is "
                "outside the model's valid region)"
            )
        spread = np.std(p0[good], axis=0) if good.size > 1 else np.abs(p0[good[0]]) * 1e-3
        pick = rng.choice(good, size=int(bad.sum()))
        p0[bad] = p0[pick] + 1e-2 * spread * rng.standard_normal((int(bad.sum()), p0.shape[1]))
        lo, hi = post.lo[post.free], post.hi[post.free]
        p0[bad] = reflect_into(p0[bad], lo, hi)
        new = post(p0[bad])
        new = new[:, 0] if new.ndim == 2 else new
        bad[np.flatnonzero(bad)] = ~np.isfinite(new)
    return p0


def _start_covariance(result: FitResult, names: list[str], best, err, lo, hi):
    """The covariance the walkers start from: lmfit's, unless it is missing, not positive
    definite, or squeezed by a parameter at its bound; then the local Jacobian's
    (:func:`etm.fit.chain.local_covariance`). Returns (cov, note)."""
    r = result.lmfit_result
    cov = r.covar
    at = [e.fit_name for e in result.estimates if e.at_bound and e.fit_name in names]
    good = cov is not None and np.all(np.isfinite(cov)) and not at
    if good:
        try:
            np.linalg.cholesky(cov)
            return cov, ""
        except np.linalg.LinAlgError:
            pass
    cov = local_covariance(result.problem, r.params, names)
    what = f"{', '.join(at)} at a bound" if at else "the least-squares covariance is singular"
    return cov, (
        f"walkers start from the local Jacobian's covariance ({what}), reflected into the "
        "bounds; every parameter is sampled within its bounds (uniform prior)"
    )


def run_mcmc(
    result: FitResult,
    *,
    steps: int = 20000,
    nwalkers: int | None = None,
    check_every: int = 200,
    tau_factor: float = 50.0,
    burn: int | None = None,
    thin: int | None = None,
    seed: int = 0,
    progress: bool | None = None,
    processes: int = 1,
    surrogate: bool = True,
    min_steps: int = 0,
    moves: Any = None,
    marginalize: bool = True,
    tau_rtol: float = 0.02,
    diagnose_after: int = 1000,
) -> FitResult:
    """Sample the posterior around a least-squares fit with emcee until it has converged;
    return the result with ``mcmc`` set (the least-squares estimates are kept).

    Parameters
    ----------
    result : FitResult
        A weighted fit from :func:`etm.fit.engine.fit`.
    steps : int
        Step cap per walker (the run stops earlier once converged).
    nwalkers : int, optional
        Walkers (default max(32, 4 x free parameters), rounded up to even).
    check_every : int
        Steps between autocorrelation checks.
    tau_factor : float
        Converged when the chain is longer than ``tau_factor`` x tau of every parameter.
    burn, thin : int, optional
        Steps discarded and thinning (default 2 max tau and max(1, min tau / 2); the walkers
        start from the covariance, so little burn-in is needed).
    seed : int
        Seed of the initial draws and of emcee's moves: the same seed gives the same chain.
    progress : bool, optional
        A tqdm progress bar (default: when stderr is a terminal).
    processes : int
        1: vectorized evaluation in this process; 2 or more: a process pool (fork) evaluates
        the walkers one by one (the same chain as ``processes=1, surrogate=False``).
    surrogate : bool
        Let curve models offer a checked surrogate (ignored with a pool).
    min_steps : int
        Run at least this many steps (tests of a fixed length).
    moves : emcee moves, optional
        Default: 80 % ``DEMove``, 20 % ``DESnookerMove``.
    marginalize : bool
        Marginalize the linear amplitudes analytically when the curve models allow it
        (:mod:`etm.fit.posterior`; the Cp model does): emcee samples the rest, each kept sample
        gets exact amplitude draws. ``False`` samples every free parameter with emcee.
    tau_rtol : float
        Converged also needs tau to have moved by less than this fraction since the last check.
    diagnose_after : int
        From this many steps on, stop early when ``tau_factor`` x tau exceeds the step cap (the
        chain cannot converge within it) and say why (:func:`etm.fit.chain.chain_diagnosis`);
        0 never stops early.

    Returns
    -------
    FitResult
        ``dataclasses.replace(result, mcmc=McmcResult(...))``.

    Raises
    ------
    ValueError
        An unweighted fit, no free parameters, too few walkers, bad step counts.
    """
    import emcee

    prob = result.problem
    if prob is None:
        raise ValueError("run_mcmc needs a FitResult of etm.fit.fit (with its problem)")
    if steps < 2 or check_every < 1:
        raise ValueError(f"steps must be >= 2 and check_every >= 1, got {steps}, {check_every}")
    if processes < 1:
        raise ValueError(f"processes must be >= 1, got {processes}")
    params = result.lmfit_result.params
    names = [n for n, p in params.items() if p.vary]
    if not names:
        raise ValueError("run_mcmc: no free parameters to sample")
    post = Posterior(prob, params, names, marginalize=marginalize)
    ndim, K = post.free.size, post.amp.size
    nwalkers = default_walkers(ndim) if nwalkers is None else int(nwalkers)
    nwalkers += nwalkers % 2
    if nwalkers < 2 * ndim:
        raise ValueError(f"nwalkers must be >= 2 x sampled parameters = {2 * ndim}, got {nwalkers}")
    best = np.array([params[n].value for n in names])
    err = np.array([params[n].stderr or 0.0 for n in names], dtype=float)
    err = np.where(np.isfinite(err) & (err > 0), err, 1e-4 * np.maximum(np.abs(best), 1.0))
    cov, start_note = _start_covariance(result, names, best, err, post.fit_lo, post.fit_hi)
    if start_note:
        err = np.sqrt(np.diag(cov))
    sur = RunSurrogate(post, best, err, 5.0) if surrogate and processes == 1 else None
    rng = np.random.default_rng(seed)
    p0 = post.to_sampler(_initial(rng, best, cov, err, post.fit_lo, post.fit_hi, nwalkers))
    p0 = _finite_start(post, p0[:, post.free], rng)  # the covariance's sampled marginal
    if moves is None:
        moves = [(emcee.moves.DEMove(), 0.8), (emcee.moves.DESnookerMove(), 0.2)]
    pool = None
    key = id(post)
    diagnosis = ""
    bar = Progress("MCMC", total=steps, enabled=progress, unit="step")
    try:
        if processes > 1:
            _POSTERIORS[key] = post
            pool = multiprocessing.get_context("fork").Pool(processes)
            sampler = emcee.EnsembleSampler(nwalkers, ndim, _PoolLogP(key), pool=pool, moves=moves)
        else:
            sampler = emcee.EnsembleSampler(nwalkers, ndim, post, vectorize=True, moves=moves)
        # emcee draws its moves from a legacy RandomState; seed it for reproducible chains
        sampler.random_state = np.random.RandomState(seed).get_state()  # noqa: NPY002
        tau = np.full(len(names), np.inf)
        state: Any = p0
        while sampler.iteration < steps:
            # grow the chain block by block (emcee preallocates what one call asks for)
            block = min(check_every - sampler.iteration % check_every, steps - sampler.iteration)
            for _ in sampler.sample(
                state, iterations=block, skip_initial_state_check=sampler.iteration > 0
            ):
                checkpoint()
                bar.update(1)
            state = sampler.get_last_sample()
            it = sampler.iteration
            if sur is not None and block == check_every:
                recent = sampler.get_chain(discard=it - block).reshape(-1, ndim)
                if sur.update(recent, block * nwalkers, it):
                    state = state.coords  # log-probabilities again, with the new surrogate
            if it % check_every or it < min_steps:
                continue
            prev, tau = tau, _autocorr(sampler, post)
            acc = float(np.mean(sampler.acceptance_fraction))
            bar.update(0, tau=float(np.max(tau)), acceptance=acc)
            if is_converged(tau, prev, it, tau_factor, tau_rtol):
                break
            if diagnose_after and it >= diagnose_after and tau_factor * np.max(tau) > steps:
                second = sampler.get_chain(discard=it // 2, flat=True)
                sampled = [names[j] for j in post.free]
                diagnosis = chain_diagnosis(
                    result, sampled, tau[post.free], second, it, steps, tau_factor, acc
                )
                break
    except BaseException:
        if pool is not None:
            pool.terminate()
            pool = None
        raise
    finally:
        bar.close()
        if pool is not None:
            pool.close()
            pool.join()
        _POSTERIORS.pop(key, None)
    n = sampler.iteration
    last = tau
    tau = _autocorr(sampler, post)
    converged = is_converged(tau, last, n, tau_factor, tau_rtol)
    tmax = float(np.max(tau)) if np.all(np.isfinite(tau)) else math.inf
    if converged:
        reason = (
            f"converged: {n} steps > {tau_factor:g} x max tau = {tau_factor * tmax:.0f}, "
            f"tau stable to {tau_rtol:.0%} (checked every {check_every} steps)"
        )
    elif diagnosis:
        reason = f"NOT converged: {diagnosis}"
    else:
        need = f"~{tau_factor * tmax:.0f}" if math.isfinite(tmax) else "an unknown number of"
        reason = (
            f"NOT converged: step cap {n} reached; {tau_factor:g} x max tau needs {need} steps "
            "(raise --steps)"
        )
    if start_note:
        reason += f"; {start_note}"
    if burn is None:
        burn = int(min(2 * tmax, n // 2)) if math.isfinite(tmax) else n // 4
    if thin is None:
        thin = max(1, int(np.min(tau) / 2)) if np.all(np.isfinite(tau)) else 1
    n_eff = np.where(np.isfinite(tau), nwalkers * (n - burn) / tau, 0.0)
    if not 0 <= burn < n or thin < 1:
        raise ValueError(f"burn must be in [0, {n}) and thin >= 1, got {burn}, {thin}")
    kept = sampler.get_chain(discard=burn, thin=thin, flat=True)
    if K:
        # each kept sample completed by an exact draw of the amplitudes (seeded)
        S, chi2, _ = post.draw(kept, np.random.default_rng([seed, 1]))
        lnp = -0.5 * chi2
        amps = ", ".join(names[j] for j in post.amp)
        marg = (
            f"{amps} marginalized analytically (emcee samples the other {ndim}; each kept "
            "sample's amplitudes drawn from their conditional Gaussian; tau of an amplitude "
            "is that of its conditional mean)"
        )
    else:
        S = post.full(kept)
        lnp = sampler.get_log_prob(discard=burn, thin=thin, flat=True)
        marg = "none (every free parameter sampled by emcee)"
    how = "exact" if sur is None else sur.describe()
    if sur is not None and sur.correct:
        S, chi2, note = importance_correct(
            post, S, -2.0 * lnp, np.random.default_rng([seed, 2]), 2000
        )
        lnp = -0.5 * chi2
        how += note
    flat = post.to_fit(S)
    phys, units, curves, pnames = _physical(result, names, flat)
    log10 = np.array([n.startswith("log10_") for n in names]) & ~post.lin
    at_bounds = bound_notes(result, names, S, post.lo, post.hi, flat, log10)
    mc = McmcResult(
        var_names=tuple(names),
        flatchain=flat,
        quantiles=np.percentile(flat, [15.87, 50.0, 84.13], axis=0),
        acceptance_fraction=float(np.mean(sampler.acceptance_fraction)),
        autocorr_time=tau,
        converged=converged,
        nwalkers=nwalkers,
        steps=n,
        burn=burn,
        thin=thin,
        seed=seed,
        stop_reason=reason,
        n_eff=n_eff,
        names=tuple(pnames),
        curves=tuple(curves),
        phys_quantiles=np.percentile(phys, [15.87, 50.0, 84.13], axis=0),
        phys_sd=np.std(phys, axis=0),
        units=tuple(units),
        lnprob=lnp,
        tau_factor=tau_factor,
        surrogate=how,
        marginalized=marg,
        bound_notes=tuple(at_bounds),
    )
    return replace(result, mcmc=mc)


def _autocorr(sampler: Any, post: Posterior) -> NDArray[np.float64]:
    """Integrated autocorrelation times of every free parameter
    (:func:`etm.fit.chain.autocorr_times`); a marginalized amplitude gets the time of its
    conditional mean a_hat (the blobs): its draws add independent noise to a_hat."""
    blobs = None
    if post.amp.size:
        blobs = np.asarray(sampler.get_blobs(), dtype=float).reshape(
            sampler.iteration, sampler.nwalkers, post.amp.size
        )
    return autocorr_times(sampler.get_chain(), blobs, post.free, post.amp)


def _physical(result: FitResult, names: list[str], flat: NDArray):
    """The samples in physical units, with each column's unit, curve and physical name."""
    by_fit = {e.fit_name: e for e in result.estimates}
    cols, units, curves, pnames = [], [], [], []
    for j, n in enumerate(names):
        e = by_fit[n]
        log10 = n.startswith("log10_")
        cols.append(10.0 ** flat[:, j] if log10 else flat[:, j])
        units.append(e.unit)
        curves.append(e.curve)
        pnames.append(e.name)
    return np.column_stack(cols), units, curves, pnames


def predictive_band(
    result: FitResult, curve: int, x: NDArray, n_draws: int = 64, seed: int = 0
) -> NDArray[np.float64]:
    """16/50/84 % of the model over ``n_draws`` posterior samples at ``x`` (shape (3, len(x))).

    The posterior-predictive band of the fit plots (the model's spread, without the noise).
    """
    from etm.fit.registry import lookup

    m = result.mcmc
    if m is None:
        raise ValueError("predictive_band needs a result with MCMC samples (run_mcmc)")
    rng = np.random.default_rng(seed)
    idx = rng.choice(m.flatchain.shape[0], size=min(n_draws, m.flatchain.shape[0]), replace=False)
    obs = lookup(result.observable)
    c = result.curves[curve]
    model = obs.prepare(c.x_name, x, c.metadata, result.orientation, str(c.source))
    base = result.values[curve]
    col = dict(zip(m.var_names, range(len(m.var_names)), strict=True))
    prob = result.problem
    lay = prob.layout[curve] if prob is not None else {}
    ys = []
    for k in idx:
        v = dict(base)
        for pname, fname in lay.items():
            if fname in col:
                t = m.flatchain[k, col[fname]]
                v[pname] = 10.0**t if fname.startswith("log10_") else float(t)
        ys.append(model.evaluate(v, result.components))
    return np.percentile(np.array(ys), [15.87, 50.0, 84.13], axis=0)
