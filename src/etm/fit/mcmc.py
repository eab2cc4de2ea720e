"""Posterior sampling around a least-squares fit with emcee: :func:`run_mcmc`, :class:`McmcResult`.

The log-likelihood is -chi^2/2 with the curves' sigmas, the priors uniform in the fit's
parameters within their bounds (log-uniform for ``log10_*`` ones); see docs/fitting.md
("Options", ``--mcmc``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from etm.fit.engine import FitResult

__all__ = ["McmcResult", "run_mcmc"]


@dataclass(frozen=True)
class McmcResult:
    """Posterior samples from emcee, in the fit's parameter space (log10 where fitted so).

    Attributes
    ----------
    var_names : tuple of str
        lmfit names of the sampled parameters (the columns of ``flatchain``).
    flatchain : ndarray, shape (n_samples, n_var)
        Samples after burn-in and thinning.
    quantiles : ndarray, shape (3, n_var)
        15.87, 50 and 84.13 percentiles of each column (median and one-sigma interval).
    acceptance_fraction : float
        Mean acceptance fraction of the walkers (0.2-0.5 is healthy).
    autocorr_time : ndarray
        Integrated autocorrelation time of each parameter [steps].
    converged : bool
        Whether the chain is longer than 50 autocorrelation times (emcee's rule of thumb).
    nwalkers, steps, burn, thin, seed : int
        The sampler's settings.
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


def run_mcmc(
    result: FitResult,
    *,
    steps: int = 1000,
    nwalkers: int | None = None,
    burn: int | None = None,
    thin: int = 1,
    seed: int = 0,
    progress: bool = False,
) -> FitResult:
    """Sample the posterior around a least-squares fit with emcee; return the result with
    ``mcmc`` set (the least-squares estimates are kept).

    The log-likelihood is -chi^2/2 with the curves' sigmas (so the fit must be weighted); priors
    are uniform in the fit's parameters within their bounds (log-uniform for ``log10_*``
    parameters). Walkers start in a small ball (1e-2 standard errors) around the best fit.

    Parameters
    ----------
    result : FitResult
        A weighted fit from :func:`etm.fit.engine.fit`.
    steps : int
        Steps per walker (> burn).
    nwalkers : int, optional
        Walkers (default max(32, 4 x free parameters), rounded up to even).
    burn : int, optional
        Steps discarded at the start (default steps // 4).
    thin : int
        Keep every ``thin``-th step.
    seed : int
        Seed of the sampler's and the initial ball's random numbers.
    progress : bool
        Show emcee's progress bar.

    Returns
    -------
    FitResult
        ``dataclasses.replace(result, mcmc=McmcResult(...))``.
    """
    import emcee

    prob = result.problem
    if prob is None or not result.weighted:
        raise ValueError("run_mcmc needs a weighted fit (every curve with a sigma column)")
    if steps < 2 or thin < 1:
        raise ValueError(f"steps must be >= 2 and thin >= 1, got steps={steps}, thin={thin}")
    burn = steps // 4 if burn is None else int(burn)
    if not 0 <= burn < steps:
        raise ValueError(f"burn must be in [0, steps={steps}), got {burn}")
    params = result.lmfit_result.params.copy()
    names = [n for n, p in params.items() if p.vary]
    if not names:
        raise ValueError("run_mcmc: no free parameters to sample")
    ndim = len(names)
    nwalkers = max(32, 4 * ndim) if nwalkers is None else int(nwalkers)
    nwalkers += nwalkers % 2
    if nwalkers < 2 * ndim:
        raise ValueError(f"nwalkers must be >= 2 x free parameters = {2 * ndim}, got {nwalkers}")
    lo = np.array([params[n].min for n in names])
    hi = np.array([params[n].max for n in names])
    best = np.array([params[n].value for n in names])
    err = np.array([params[n].stderr or 0.0 for n in names])
    err = np.where(err > 0, err, 1e-4 * np.maximum(np.abs(best), 1.0))

    def log_prob(theta: NDArray) -> float:
        if np.any(theta <= lo) or np.any(theta >= hi):
            return -np.inf
        for n, v in zip(names, theta, strict=True):
            params[n].value = float(v)
        r = prob.residual(params)
        return -0.5 * float(r @ r)

    rng = np.random.default_rng(seed)
    p0 = best + 1e-2 * err * rng.standard_normal((nwalkers, ndim))
    p0 = np.clip(p0, lo + 1e-9 * (hi - lo), hi - 1e-9 * (hi - lo))
    sampler = emcee.EnsembleSampler(nwalkers, ndim, log_prob)
    # emcee draws its moves from a legacy RandomState; seed it for reproducible chains
    sampler.random_state = np.random.RandomState(seed).get_state()  # noqa: NPY002
    sampler.run_mcmc(p0, steps, progress=progress)
    flat = sampler.get_chain(discard=burn, thin=thin, flat=True)
    # tol=0: return the estimate without raising on short chains; `converged` reports it instead
    tau = np.asarray(sampler.get_autocorr_time(discard=burn, tol=0), dtype=float)
    mc = McmcResult(
        var_names=tuple(names),
        flatchain=flat,
        quantiles=np.percentile(flat, [15.87, 50.0, 84.13], axis=0),
        acceptance_fraction=float(np.mean(sampler.acceptance_fraction)),
        autocorr_time=tau,
        converged=bool(np.all(steps - burn > 50 * tau)),
        nwalkers=nwalkers,
        steps=steps,
        burn=burn,
        thin=thin,
        seed=seed,
    )
    return replace(result, mcmc=mc)
