"""The checked surrogate of an MCMC run: its box, its rebuilds, and the exact correction.

Used by :func:`etm.fit.mcmc.run_mcmc` (and :mod:`etm.fit.model_evidence`):

* :func:`prepare_surrogate` asks each curve model for a checked surrogate over a box in fit
  space (``SamplingModel.prepare_sampling``) and decides how the chain uses it: as is when its
  checked error is <= :data:`SURROGATE_EXACT_SIGMA` of the smallest sigma, with the exact
  importance correction up to :data:`SURROGATE_CORRECTED_SIGMA`, not at all beyond.
* :class:`RunSurrogate` starts from the least-squares box (best +- 5 sigma) and rebuilds the
  surrogate over the walkers' range when they leave it: a posterior far from Gaussian (one Cp
  curve's nP-Dmin ridge running to nP's bound) otherwise sends most evaluations to the exact
  model.
* :func:`importance_correct` reweights kept samples by exp(-(chi2_exact - chi2_surrogate)/2)
  with the exact model and resamples them.

See docs/fitting.md ("Posteriors").
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from etm.fit.posterior import Posterior

__all__ = [
    "SURROGATE_CORRECTED_SIGMA",
    "SURROGATE_EXACT_SIGMA",
    "SURROGATE_MISS_FRACTION",
    "SURROGATE_REBUILDS",
    "RunSurrogate",
    "curve_boxes",
    "importance_correct",
    "prepare_surrogate",
    "surrogate_box",
    "walker_box",
]


#: Surrogate error [smallest sigma] up to which the chain uses it as is (a chi^2 change
#: <~ 0.01), and up to which it is used with the exact importance correction of the samples.
SURROGATE_EXACT_SIGMA = 1e-3
SURROGATE_CORRECTED_SIGMA = 0.1


#: A check block whose evaluations fell outside the surrogate's box (the exact model served
#: them) more often than this rebuilds the surrogate over the walkers' range, at most
#: SURROGATE_REBUILDS times per run (a posterior far from Gaussian: a ridge running to a bound).
SURROGATE_MISS_FRACTION = 0.02
SURROGATE_REBUILDS = 8


def surrogate_box(post: Posterior, best: NDArray, err: NDArray, k_sigma: float):
    """The first surrogate box in fit space: best +- k_sigma err within the bounds."""
    lo = np.maximum(best - k_sigma * err, post.fit_lo)
    hi = np.minimum(best + k_sigma * err, post.fit_hi)
    return lo, hi


def walker_box(post: Posterior, recent: NDArray, lo: NDArray, hi: NDArray, pad: float = 1.0):
    """The box (fit space) around the walkers' recent positions ``recent`` (n, n_free), padded
    by ``pad`` times their span each side (they drift on along a ridge: a box that keeps up
    with them saves rebuilds), joined with the box ``lo, hi`` and cut to the bounds; the
    marginalized columns keep theirs."""
    X = post.to_fit(post.full(recent))[:, post.free]
    a, b = X.min(axis=0), X.max(axis=0)
    pad = pad * (b - a)
    lo, hi = lo.copy(), hi.copy()
    f = post.free
    lo[f] = np.maximum(np.minimum(lo[f], a - pad), post.fit_lo[f])
    hi[f] = np.minimum(np.maximum(hi[f], b + pad), post.fit_hi[f])
    return lo, hi


def curve_boxes(post: Posterior, lo: NDArray, hi: NDArray) -> list[dict[str, list[float]]]:
    """Per curve, {parameter: [lo, hi]} in fit space from the per-column box ``lo, hi`` (a
    fixed parameter: its value at both ends)."""
    out = []
    for entries in post.maps:
        box = {}
        for pname, j, fixed, _log10 in entries:
            box[pname] = [fixed, fixed] if j is None else [float(lo[j]), float(hi[j])]
        out.append(box)
    return out


def prepare_surrogate(
    post: Posterior, best: NDArray, boxes: list[dict[str, list[float]]], refine: bool = True
) -> tuple[str, bool, float]:
    """Ask each curve model for a checked surrogate over its box of ``boxes`` (fit space, as
    :func:`curve_boxes` gives). Returns (description, correct, worst error [sigma]): used as is
    if its error is <= SURROGATE_EXACT_SIGMA of the smallest sigma, with the exact importance
    correction (``correct``) up to SURROGATE_CORRECTED_SIGMA, not at all beyond, or if some
    model offers none (then the description starts with "exact"). ``refine``: a model with
    ``SURROGATE_REFINED`` nodes rebuilds with them once when the first error is above
    SURROGATE_EXACT_SIGMA."""
    prob = post.prob
    if not all(hasattr(m, "evaluate_many") and hasattr(m, "prepare_sampling") for m in prob.models):
        return "exact (the model has no evaluate_many)", False, math.inf
    worst = 0.0
    for i, m in enumerate(prob.models):
        box: dict[str, tuple[float, float]] = {}
        for pname, _j, _fixed, log10 in post.maps[i]:
            lo, hi = boxes[i][pname]
            box[pname] = (10.0**lo, 10.0**hi) if log10 else (lo, hi)
        vals = {k: float(x) for k, x in post.values(post.to_sampler(best), i).items()}
        e = m.prepare_sampling(box, vals)  # max |surrogate - exact| at check points [y unit]
        sigma = float(np.min(prob.sigmas[i]))
        refined = getattr(m, "SURROGATE_REFINED", None)
        if (
            refine
            and e is not None
            and e / sigma > SURROGATE_EXACT_SIGMA
            and refined is not None
            and np.any(np.asarray(m.SURROGATE_NODES) != np.asarray(refined))
        ):
            # a wide box (one curve's cutoffs trade off): more nodes, built once
            m.SURROGATE_NODES = refined
            e = m.prepare_sampling(box, vals)
        if e is None:
            for mm in prob.models:
                mm.prepare_sampling(None, None)
            return "exact (no surrogate for this curve)", False, math.inf
        worst = max(worst, float(e) / sigma)
    if worst > SURROGATE_CORRECTED_SIGMA:
        for m in prob.models:
            m.prepare_sampling(None, None)
        return (
            f"exact (surrogate error {worst:.2g} sigma > {SURROGATE_CORRECTED_SIGMA} sigma)",
            False,
            worst,
        )
    post.use_many = True
    how = f"Chebyshev surrogate (checked error <= {worst:.2g} sigma; exact outside its box)"
    return how, worst > SURROGATE_EXACT_SIGMA, worst


class RunSurrogate:
    """The surrogate of one run: its box, and its rebuilds over the walkers' range when they
    leave it (:data:`SURROGATE_MISS_FRACTION`)."""

    def __init__(self, post: Posterior, best: NDArray, err: NDArray, k_sigma: float) -> None:
        self.post, self.best = post, best
        self.lo, self.hi = surrogate_box(post, best, err, k_sigma)
        how, self.correct, self.worst = prepare_surrogate(
            post, best, curve_boxes(post, self.lo, self.hi)
        )
        self.active = not how.startswith("exact")
        self.how = how.replace(
            "Chebyshev surrogate", f"Chebyshev surrogate inside +-{k_sigma:g} least-squares sigma"
        )
        self.rebuilds: list[str] = []
        self.frozen = False
        self._misses()

    def _misses(self) -> int:
        models = self.post.prob.models
        n = sum(int(getattr(m, "surrogate_misses", 0)) for m in models)
        for m in models:
            if hasattr(m, "surrogate_misses"):
                m.surrogate_misses = 0
        return n

    def update(self, recent: NDArray, evaluations: int, step: int) -> bool:
        """After a check block: rebuild over the walkers' range ``recent`` (n, n_free) if more
        than SURROGATE_MISS_FRACTION of its ``evaluations`` missed the box. Returns whether the
        surrogate changed (the walkers' stored log-probabilities are then recomputed)."""
        misses = self._misses()
        if not self.active or self.frozen or len(self.rebuilds) >= SURROGATE_REBUILDS:
            return False
        if evaluations <= 0 or misses <= SURROGATE_MISS_FRACTION * evaluations:
            return False
        models = self.post.prob.models
        kept = [dict(vars(m)) for m in models]  # the current surrogates, to put back
        for pad in (1.0, 0.0):  # padded by the walkers' span; else their range alone
            lo, hi = walker_box(self.post, recent, self.lo, self.hi, pad)
            how, correct, worst = prepare_surrogate(
                self.post, self.best, curve_boxes(self.post, lo, hi)
            )
            if not how.startswith("exact"):
                break
            for m, state in zip(models, kept, strict=True):
                vars(m).clear()
                vars(m).update(state)
        else:
            # too wide for a checked surrogate: the last box stays, the exact model outside
            self.rebuilds.append(
                f"at step {step} the walkers' range was too wide ({how[6:-1]}); kept the last box"
            )
            self.frozen = True
            self._misses()
            return False
        self.lo, self.hi, self.worst = lo, hi, max(self.worst, worst)
        self.correct = self.correct or correct
        self.rebuilds.append(
            f"rebuilt at step {step} over the walkers' range ({misses / evaluations:.0%} "
            f"of the last block outside its box; checked error {worst:.2g} sigma)"
        )
        self._misses()
        return True

    def describe(self) -> str:
        if not self.active or not self.rebuilds:
            return self.how
        return f"{self.how}; {'; '.join(self.rebuilds)}"


def importance_correct(
    post: Posterior, S: NDArray, chi2_s: NDArray, rng: np.random.Generator, max_exact: int
) -> tuple[NDArray, NDArray, str]:
    """Correct samples of the surrogate posterior to the exact one: (at most ``max_exact`` of
    them, evenly spaced) weights exp(-(chi2_exact - chi2_surrogate)/2), then systematic
    resampling. Returns (samples, exact chi^2 of each, a description with the weights' ESS)."""
    if S.shape[0] > max_exact:
        idx = np.linspace(0, S.shape[0] - 1, max_exact).round().astype(int)
        S, chi2_s = S[idx], chi2_s[idx]
    post.use_many = False
    chi2_e = post.chi2(S)
    post.use_many = True
    d = chi2_e - chi2_s
    w = np.exp(-0.5 * (d - d.min()))
    w /= w.sum()
    n = S.shape[0]
    ess = 1.0 / float(np.sum(w**2))
    pick = np.searchsorted(np.cumsum(w), (rng.random() + np.arange(n)) / n)
    pick = np.minimum(pick, n - 1)
    note = (
        f"; samples corrected to the exact model by importance weights on {n} samples "
        f"(|chi2 exact - surrogate| <= {np.max(np.abs(d)):.2g}, weights' ESS {ess / n:.0%}) "
        "and resampled"
    )
    return S[pick], chi2_e[pick], note
