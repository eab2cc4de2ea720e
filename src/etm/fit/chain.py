"""The MCMC chain's bookkeeping: its memory, its start, its autocorrelation and its diagnosis.

Used by :func:`etm.fit.mcmc.run_mcmc`:

* :func:`check_chain_memory` refuses, before the least-squares fit, a step cap whose chain
  (emcee stores walkers x steps x parameters) would not fit in :data:`MCMC_MEMORY_MB`; the
  chain itself grows block by block, so a chain that converges early never holds its cap.
* :func:`local_covariance` is the Gaussian width of the posterior at the least-squares point
  from a finite-difference Jacobian in the fit's own coordinates (one-sided at a bound), where
  lmfit's covariance is missing or squeezed by its bound transform;
  :func:`reflect_into` folds a start drawn across a bound back inside, so a parameter at its
  bound starts spread over the allowed side instead of piled on one value (which emcee refuses:
  "Initial state has a large condition number").
* :func:`autocorr_times`, :func:`is_converged`: emcee's integrated autocorrelation times and
  its recipe (chain > 50 tau, tau stable to 2 %).
* :func:`chain_diagnosis`: when 50 tau cannot fit in the step cap, which parameters are slow and
  which combination is not identifiable (the least-squares correlations and the chain's own),
  and what to fix or share.
* :func:`bound_notes`: a posterior that piles up at a bound. Where least squares sat at that
  bound too (an amplitude consistent with zero) the data give a limit, to be quoted as such;
  where it did not, the posterior ran along a ridge the data do not close until the bound
  stopped it, and its interval (and its partner's) is the bound's, not the data's.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "MAX_STEPS",
    "MCMC_MEMORY_MB",
    "BOUND_PILE",
    "autocorr_times",
    "bound_notes",
    "chain_diagnosis",
    "check_chain_memory",
    "chain_bytes",
    "default_walkers",
    "is_converged",
    "local_covariance",
    "reflect_into",
]

#: Largest step cap ``etm fit --steps`` takes.
MAX_STEPS = 1_000_000
#: Memory [MB] the chain may hold at its step cap (environment ``ETM_MCMC_MEMORY_MB``).
MCMC_MEMORY_MB = 1024


def default_walkers(ndim: int) -> int:
    """max(32, 4 x sampled parameters), rounded up to even (16 walkers on a single Cp curve's
    three cutoffs doubled tau in steps: no saving)."""
    n = max(32, 4 * ndim)
    return n + n % 2


def chain_bytes(steps: int, walkers: int, ndim: int) -> int:
    """Bytes emcee holds for a chain: positions, log-probabilities and one blob per parameter."""
    return int(steps) * int(walkers) * (2 * int(ndim) + 1) * 8


def check_chain_memory(prob: Any, params: Any, steps: int, walkers: int | None) -> None:
    """Refuse a step cap whose chain would not fit in the memory budget, before any fit.

    Parameters
    ----------
    prob : Problem
        The problem (unused but for its size; the free parameters bound the sampled ones).
    params : lmfit.Parameters
        Its parameters (the free ones count).
    steps : int
        The step cap (``--steps``).
    walkers : int or None
        ``--walkers`` (None: the default for that many parameters).
    """
    ndim = max(1, sum(bool(p.vary) for p in params.values()))
    w = default_walkers(ndim) if walkers is None else int(walkers)
    limit = float(os.environ.get("ETM_MCMC_MEMORY_MB", MCMC_MEMORY_MB))
    need = chain_bytes(steps, w, ndim)
    if need > limit * 2**20:
        most = int(limit * 2**20 // chain_bytes(1, w, ndim))
        raise ValueError(
            f"--steps {steps}: the chain of {w} walkers x {ndim} parameters would hold "
            f"{need / 2**30:.3g} GiB at its cap, more than the {limit:g} MB the MCMC may use "
            f"(ETM_MCMC_MEMORY_MB); allowed for this fit: 2 to {most} steps"
        )


def reflect_into(x: NDArray, lo: NDArray, hi: NDArray) -> NDArray[np.float64]:
    """Fold ``x`` back into ``[lo, hi]`` by reflection at the bounds (a start drawn across a
    bound lands as far inside; infinite bounds are left open).

    Examples
    --------
    >>> reflect_into(np.array([-0.25, 1.25, 0.5]), np.zeros(3), np.ones(3)).tolist()
    [0.25, 0.75, 0.5]
    """
    x = np.array(x, dtype=float)
    lo = np.broadcast_to(np.asarray(lo, dtype=float), x.shape)
    hi = np.broadcast_to(np.asarray(hi, dtype=float), x.shape)
    both = np.isfinite(lo) & np.isfinite(hi)
    span = np.where(both, hi - lo, 1.0)
    t = np.mod(x - lo, 2 * span)
    folded = lo + np.where(t > span, 2 * span - t, t)
    x = np.where(both, folded, x)
    x = np.where(~both & np.isfinite(lo) & (x < lo), 2 * lo - x, x)
    x = np.where(~both & np.isfinite(hi) & (x > hi), 2 * hi - x, x)
    return x


def local_covariance(prob: Any, params: Any, names: Sequence[str]) -> NDArray[np.float64]:
    """(J^T J)^+ of the weighted residual at the best fit in the fit-space coordinates
    ``names`` (finite differences, stepping inward at a bound): the posterior's Gaussian width
    there, defined also where lmfit's covariance is not (a parameter at its bound). Directions
    the data do not constrain get a width of 1 % of their allowed range."""
    p = params.copy()
    r0 = prob.residual(p)
    cols = []
    spans = []
    for n in names:
        q = p[n]
        span = q.max - q.min if math.isfinite(q.max - q.min) else max(abs(q.value), 1.0)
        spans.append(span)
        s = q.stderr if q.stderr is not None and math.isfinite(q.stderr) else 0.0
        h = max(min(1e-2 * s, 1e-4 * span), 1e-9 * max(abs(q.value), 1.0)) if s > 0 else 1e-5 * span
        v0 = q.value
        step = h if v0 + h <= q.max else -h
        q.value = v0 + step
        cols.append((prob.residual(p) - r0) / step)
        q.value = v0
    J = np.column_stack(cols)
    F = J.T @ J
    floor = np.diag((1e-2 * np.asarray(spans)) ** -2)
    return np.linalg.inv(F + floor)


def autocorr_times(chain: NDArray, blobs: NDArray | None, free: NDArray, amp: NDArray) -> NDArray:
    """emcee's integrated autocorrelation time of every parameter (steps), inf where it cannot
    be estimated; a marginalized amplitude gets that of its conditional mean (``blobs``)."""
    import emcee

    tau = np.full(free.size + amp.size, np.inf)
    with np.errstate(invalid="ignore", divide="ignore"):
        tau[free] = emcee.autocorr.integrated_time(chain, tol=0)
        if amp.size and blobs is not None:
            tau[amp] = emcee.autocorr.integrated_time(blobs, tol=0)
    return np.where(np.isfinite(tau) & (tau > 0), tau, np.inf)


def is_converged(tau: NDArray, prev: NDArray, n: int, factor: float, rtol: float) -> bool:
    """The chain is longer than ``factor`` tau of every parameter and tau moved by less than
    ``rtol`` since the previous check (emcee's recipe)."""
    if not (np.all(np.isfinite(tau)) and np.all(np.isfinite(prev))):
        return False
    return bool(n > factor * np.max(tau) and np.max(np.abs(tau - prev) / tau) < rtol)


def chain_diagnosis(
    result: Any,
    names: Sequence[str],
    tau: NDArray,
    flat: NDArray,
    steps: int,
    cap: int,
    factor: float,
    acceptance: float,
) -> str:
    """Why a chain cannot converge within its cap, and what to do: the slowest parameters
    (tau), the non-identifiable combination they belong to (least-squares |r| > 0.9, the
    chain's own correlation), and the advice to fix one or share it with other curves.

    Parameters
    ----------
    result : FitResult
        The least-squares fit (its correlations and labels).
    names : sequence of str
        lmfit names of the sampled columns of ``flat`` and ``tau``.
    tau : ndarray
        Autocorrelation time per parameter [steps].
    flat : ndarray, shape (n, len(names))
        The chain so far (second half), fit space.
    steps, cap : int
        Steps run, the step cap.
    factor : float
        The convergence rule's factor (50).
    acceptance : float
        Mean acceptance fraction.
    """
    from etm.fit.diagnose import parameter_label

    label = {n: parameter_label(result, n) for n in names}
    tmax = float(np.max(tau)) if np.all(np.isfinite(tau)) else math.inf
    need = f"~{factor * tmax:.0f} steps" if math.isfinite(tmax) else "an unknown number of steps"
    order = np.argsort(-np.where(np.isfinite(tau), tau, 1e300))
    slow = [names[j] for j in order[: min(2, len(names))]]
    lsq_names, corr = result.correlations()
    pos = {n: k for k, n in enumerate(lsq_names)}
    pairs = []
    if flat.shape[0] > 10 and flat.shape[1] > 1:
        with np.errstate(invalid="ignore", divide="ignore"):
            cc = np.corrcoef(flat.T)
    else:
        cc = np.full((len(names), len(names)), np.nan)
    for s in slow:
        for j, other in enumerate(names):
            if other == s:
                continue
            r_ls = corr[pos[s], pos[other]] if s in pos and other in pos else np.nan
            r_ch = cc[names.index(s), j]
            strength = np.nanmax([abs(r_ls), abs(r_ch), 0.0])
            if strength > 0.9:
                pairs.append((strength, s, other, r_ls, r_ch))
    pairs.sort(key=lambda t: -t[0])

    def tau_of(name: str) -> str:
        t = tau[names.index(name)]
        return f"tau ~ {t:.0f} steps" if math.isfinite(t) else "not moving"

    slow_txt = ", ".join(f"{label[s]} ({tau_of(s)})" for s in slow)
    head = (
        f"stopped early after {steps} steps: {factor:g} x tau needs {need}, more than the cap "
        f"{cap} (slowest: {slow_txt}; acceptance {acceptance:.2f})"
    )
    if pairs:
        _, a, b, r_ls, r_ch = pairs[0]
        rs = []
        if math.isfinite(r_ls):
            rs.append(f"least squares r = {r_ls:+.3f}")
        if math.isfinite(r_ch):
            rs.append(f"chain r = {r_ch:+.3f}")
        return (
            f"{head}; {label[a]} and {label[b]} are not separately identifiable "
            f"({', '.join(rs)}): fix one of them (--fix) or share it with curves that "
            "separate them (--share), then rerun"
        )
    return (
        f"{head}; no pair is correlated above 0.9, the posterior is curved or multimodal: "
        "fix the slowest parameter (--fix) or raise --steps"
    )


#: A posterior piles up at a bound when the distance from the bound to its 2.5 (97.5) %
#: quantile is below this fraction of its 16-84 % width. A normal posterior truncated at the
#: bound (a parameter consistent with it) gives 0.026; one whose 2.5 % quantile is still
#: 2 sd inside, > 0.5; a flat posterior ending at the bound, 0.04.
BOUND_PILE = 0.1
#: A posterior piled at a bound within this many least-squares sigma of the estimate (or with
#: the estimate at the bound) is a limit; further away, a ridge the data do not close.
LIMIT_SIGMA = 3.0


def bound_notes(
    result: Any,
    names: Sequence[str],
    samples: NDArray,
    lo: NDArray,
    hi: NDArray,
    flat: NDArray,
    log10: NDArray,
) -> list[str]:
    """What to make of posteriors that pile up at a bound, one sentence per parameter.

    Parameters
    ----------
    result : FitResult
        The least-squares fit (its estimates say which parameters sat at a bound).
    names : sequence of str
        lmfit names of the columns.
    samples : ndarray, shape (n, len(names))
        The kept samples in the prior's coordinates (the value for amplitudes with a uniform
        prior, the fit coordinate otherwise), where "piled at the bound" is measured.
    lo, hi : ndarray
        The bounds in the same coordinates.
    flat : ndarray, shape (n, len(names))
        The same samples in fit space (their correlations name the partner).
    log10 : ndarray of bool
        Columns of ``samples`` that are log10 of the physical value (log-uniform priors).
    """
    from etm.fit.diagnose import parameter_label

    if samples.shape[0] < 20:
        return []
    q = np.percentile(samples, [2.5, 15.87, 84.13, 97.5], axis=0)
    width = q[2] - q[1]
    by_fit = {e.fit_name: e for e in result.estimates} if result.estimates else {}
    with np.errstate(invalid="ignore", divide="ignore"):
        cc = np.corrcoef(flat.T) if flat.shape[1] > 1 else np.ones((1, 1))
    out = []
    for j, n in enumerate(names):
        if not width[j] > 0:
            continue
        low = np.isfinite(lo[j]) and q[0, j] - lo[j] < BOUND_PILE * width[j]
        high = np.isfinite(hi[j]) and hi[j] - q[3, j] < BOUND_PILE * width[j]
        if not (low or high):
            continue
        e = by_fit.get(n)
        label = parameter_label(result, n)
        unit = f" {e.unit}" if e is not None and e.unit else ""
        lg = bool(log10[j])
        bound = float(lo[j] if low else hi[j])
        side = "lower" if low else "upper"
        phys_bound = 10.0**bound if lg else bound
        near = e is not None and (
            e.at_bound
            or (
                not (low and high)
                and e.stderr is not None
                and e.stderr > 0
                and abs(phys_bound - e.value) < LIMIT_SIGMA * e.stderr
            )
        )
        if near:
            limit = np.percentile(samples[:, j], 95.0 if low else 5.0)
            phys = 10.0**limit if lg else limit
            out.append(
                f"{label} is consistent with its {side} bound ({_bound_text(bound, lg)}): "
                f"quote the 95 % {'upper' if low else 'lower'} limit "
                f"{label.split(' [')[0]} {'<' if low else '>'} {phys:.3g}{unit}, not a value "
                "with an error bar"
            )
            continue
        c = np.where(np.arange(len(names)) == j, 0.0, np.abs(np.nan_to_num(cc[j])))
        k = int(np.argmax(c))
        partner = ""
        who = label
        if c[k] > 0.9:
            partner = (
                f"; it moves with {parameter_label(result, names[k])} (chain r = {cc[j, k]:+.3f}), "
                "whose interval the bound sets as well"
            )
            who = parameter_label(result, names[k])
        ls = ""
        if e is not None:
            err = f" +- {e.stderr:.3g}" if e.stderr is not None else ""
            ls = f" (least squares: {e.value:.4g}{err}{unit})"
        where = (
            f"spreads over its whole range ({_bound_text(lo[j], lg)} to {_bound_text(hi[j], lg)})"
            if low and high
            else f"runs to its {side} bound ({_bound_text(bound, lg)})"
        )
        out.append(
            f"the posterior of {label} {where}{ls}: these data do not bound it{partner}; the "
            "interval reflects the bound you chose (the prior), not the data: fix "
            f"{who} (--fix) or share it with curves that determine it (--share)"
        )
    return out


def _bound_text(bound: float, log10: bool) -> str:
    return f"{10.0**bound:.3g}" if log10 else f"{bound:.4g}"
