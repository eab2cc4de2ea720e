"""The evidence of each model of an echo comparison (``etm fit --model NAME --mcmc``).

:func:`fit_evidence` computes ln Z of one least-squares fit by thermodynamic integration
(:func:`etm.fit.evidence.thermodynamic_integration`), with the curve models' checked surrogates
where they hold; :func:`add_evidence` adds it to every row of an
:class:`~etm.fit.model_compare.EchoModelComparison` and with it the Bayes factors.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from etm.fit.engine import FitResult
from etm.fit.evidence import GAUSSIAN_WIDTH, Evidence, thermodynamic_integration
from etm.fit.model_compare import LABELS, EchoModelComparison, comparison_sigmas

__all__ = ["EvidenceUnavailable", "add_evidence", "fit_evidence"]


class EvidenceUnavailable(ValueError):
    """The evidence of a model is not computed (the reason in the message)."""


def _reference_covariance(result: FitResult, names: list[str], lo, hi) -> np.ndarray:
    """The least-squares covariance (fit space), or the local Jacobian's where lmfit has none,
    widened by GAUSSIAN_WIDTH and with each sd capped at its bounds' span (a parameter the data
    do not fix gets a reference ~ uniform over its range)."""
    from etm.fit.chain import local_covariance

    cov = result.lmfit_result.covar
    ok = cov is not None and np.all(np.isfinite(cov)) and cov.shape == (len(names), len(names))
    if ok:
        try:
            np.linalg.cholesky(cov)
        except np.linalg.LinAlgError:
            ok = False
    if not ok:
        cov = local_covariance(result.problem, result.lmfit_result.params, names)
    cov = np.array(cov, dtype=float) * GAUSSIAN_WIDTH**2
    sd = np.sqrt(np.diag(cov))
    cap = np.minimum(1.0, (hi - lo) / np.where(sd > 0, sd, 1.0))
    return cov * np.outer(cap, cap)


def _prepare(post: Any, best: np.ndarray, err: np.ndarray, k_sigma: float) -> str:
    """Ask each curve model for its checked surrogate over best +- ``k_sigma`` err (fit space,
    within the bounds), as :func:`etm.fit.mcmc.run_mcmc` does
    (:func:`etm.fit.sampling.prepare_surrogate`, without the refined rebuild), but with the two
    X cutoffs' ranges split at their midpoint: the prior keeps X0min < X0max, and a surrogate
    needs the ranges apart (the model has a kink where they cross). Used if every model offers
    one with an error <= :data:`etm.fit.sampling.SURROGATE_CORRECTED_SIGMA` of the smallest
    sigma; returns how the model is evaluated."""
    from etm.fit.sampling import curve_boxes, prepare_surrogate, surrogate_box

    boxes = curve_boxes(post, *surrogate_box(post, best, err, k_sigma))
    for box in boxes:
        a, b = box.get("X0min_KA2"), box.get("X0max_KA2")
        if a is not None and b is not None and a[1] >= b[0]:
            mid = 0.5 * (max(a[0], min(a[1], b[0])) + min(b[1], max(b[0], a[1])))
            if a[0] < a[1]:
                a[1] = min(a[1], mid - 1e-3)
            if b[0] < b[1]:
                b[0] = max(b[0], mid + 1e-3)
    how, _, worst = prepare_surrogate(post, best, boxes, refine=False)
    if how.startswith("exact"):
        return how
    return (
        f"surrogates inside +-{k_sigma:g} reference sd (checked error <= {worst:.2g} sigma; "
        "exact outside)"
    )


def fit_evidence(
    result: FitResult,
    *,
    sigmas: Sequence[np.ndarray] | None = None,
    reference: str = "gaussian",
    n_rungs: int | None = None,
    nwalkers: int | None = None,
    steps: int = 300,
    seed: int = 0,
    k_sigma: float = 4.0,
    surrogate: bool = True,
    max_exact_s: float | None = 600.0,
    progress: Callable[[int], None] | None = None,
) -> Evidence:
    """ln Z of a least-squares fit's model by thermodynamic integration (:mod:`etm.fit.evidence`).

    The likelihood is the Gaussian one of the curves with ``sigmas`` (default the fit's; with its
    normalization sum ln(sigma sqrt(2 pi))), the prior uniform in the fit coordinates within the
    bounds (X0min < X0max where both are free with equal bounds: the model is symmetric in
    them, so the prior keeps one of the two mirror images and its density doubles). The curve
    models' checked surrogates are built over best +- ``k_sigma`` reference sd (as the MCMC's;
    exact outside); the largest |ln L surrogate - ln L exact| at 16 reference draws is stated
    as ``err_extra``.

    Parameters
    ----------
    result : FitResult
        A least-squares fit (:func:`etm.fit.engine.fit`).
    sigmas : sequence of ndarray, optional
        Per curve, the sigmas of the likelihood.
    reference : {"gaussian", "prior"}
        The path's start (:func:`etm.fit.evidence.thermodynamic_integration`).
    n_rungs, nwalkers, steps, seed
        The ladder, walkers (default max(32, 4 d)), steps per rung and seed.
    k_sigma : float
        Half-width of the surrogates' box in reference sd.
    surrogate : bool
        Let the curve models offer their surrogates.
    max_exact_s : float or None
        Without a surrogate, refuse (:class:`EvidenceUnavailable`) when the exact evaluations
        would take longer than this [s] (timed on one); None: no limit.
    progress : callable, optional
        Called with the steps done after each rung.

    Returns
    -------
    Evidence
    """
    from etm.fit.posterior import Posterior

    prob = result.problem
    params = result.lmfit_result.params
    names = [n for n, p in params.items() if p.vary]
    if not names:
        raise ValueError("fit_evidence: the fit has no free parameter")
    keep = list(prob.sigmas)
    if sigmas is not None:
        prob.sigmas = [np.asarray(s, dtype=float) for s in sigmas]
    try:
        post = Posterior(prob, params, names, marginalize=False)
        lo, hi = post.lo.copy(), post.hi.copy()
        best = np.array([params[n].value for n in names])
        cov = _reference_covariance(result, names, post.fit_lo, post.fit_hi)
        err = np.sqrt(np.diag(cov))
        how = "exact"
        if surrogate:
            how = _prepare(post, best, err, k_sigma)
        const = -sum(float(np.sum(np.log(s * math.sqrt(2 * math.pi)))) for s in prob.sigmas)

        def log_like(th: np.ndarray) -> np.ndarray:
            return const - 0.5 * post.chi2(post.full(th))

        d = len(names)
        W = nwalkers if nwalkers is not None else max(32, 4 * d)
        K = n_rungs if n_rungs is not None else 12
        if not post.use_many and max_exact_s is not None:
            t0 = time.perf_counter()
            log_like(post.to_sampler(best)[None, :])
            need = (time.perf_counter() - t0) * W * K * steps
            if need > max_exact_s:
                raise EvidenceUnavailable(
                    f"no surrogate for this model ({how}); the exact evaluations would take "
                    f"~{need / 60:.0f} min (more than {max_exact_s / 60:.0f} min)"
                )

        pairs, frac = [], 1.0
        for lay in prob.layout:
            a, b = lay.get("X0min_KA2"), lay.get("X0max_KA2")
            if a in names and b in names and (a, b) not in pairs:
                i, j = names.index(a), names.index(b)
                if lo[i] == lo[j] and hi[i] == hi[j]:
                    pairs.append((a, b))
                    frac *= 0.5
        idx = [(names.index(a), names.index(b)) for a, b in pairs]

        def order(th: np.ndarray) -> np.ndarray:
            ok = np.ones(th.shape[0], dtype=bool)
            for i, j in idx:
                ok &= th[:, i] < th[:, j]
            return ok

        ev = thermodynamic_integration(
            log_like,
            lo,
            hi,
            constraint=order if idx else None,
            support_fraction=frac,
            reference=reference,
            mean=post.to_sampler(best),
            cov=cov,
            n_rungs=n_rungs,
            nwalkers=W,
            steps=steps,
            seed=seed,
            progress=progress,
        )
        extra = 0.0
        if post.use_many:
            from etm.fit.evidence import GaussianReference

            rng = np.random.default_rng([seed, 7])
            inside = (lambda t: np.all((t > lo) & (t < hi), axis=1) & order(t)) if idx else (
                lambda t: np.all((t > lo) & (t < hi), axis=1)
            )  # fmt: skip
            x = GaussianReference(post.to_sampler(best), cov, inside, rng, 4096).sample(rng, 16)
            approx = log_like(x)
            post.use_many = False
            exact = log_like(x)
            post.use_many = True
            extra = float(np.max(np.abs(approx - exact)))
            how += f"; max |ln L surrogate - exact| at 16 reference draws = {extra:.2g}"
        for m in prob.models:
            if hasattr(m, "prepare_sampling"):
                m.prepare_sampling(None, None)
        return replace(ev, err_extra=extra, note=f"model evaluation: {how}")
    finally:
        prob.sigmas = keep


def add_evidence(
    comparison: EchoModelComparison,
    *,
    steps: int = 300,
    n_rungs: int | None = None,
    nwalkers: int | None = None,
    seed: int = 0,
    max_exact_s: float | None = 600.0,
    progress: bool | None = None,
) -> EchoModelComparison:
    """The comparison with ln Z of every fitted model (:func:`fit_evidence`; the field-blind
    model's Z is its likelihood: it has no parameter). A model whose evidence would need
    longer than ``max_exact_s`` of exact evaluations is left without (``missing`` says why)."""
    from etm.fit.progress import Progress

    curves = next(r.result for r in comparison.rows if r.result is not None).curves
    sig, _ = comparison_sigmas(curves)
    rows, missing = [], []
    for r in comparison.rows:
        if r.result is None:
            const = -sum(float(np.sum(np.log(s * math.sqrt(2 * math.pi)))) for s in sig)
            z = const - 0.5 * r.chi2
            ev = Evidence(
                z, 0.0, (z, z), 0.0, np.array([1.0]), np.array([z]), np.zeros(1),
                np.zeros(1), "none", 0.0, 0, 0, seed, note="no parameter: Z = L",
            )  # fmt: skip
            rows.append(replace(r, evidence=ev))
            continue
        K = n_rungs or 12
        with Progress(f"evidence {LABELS[r.model]}", total=K * steps, enabled=progress) as bar:
            try:
                ev = fit_evidence(
                    r.result,
                    sigmas=sig,
                    steps=steps,
                    n_rungs=n_rungs,
                    nwalkers=nwalkers,
                    seed=seed,
                    max_exact_s=max_exact_s,
                    progress=lambda n, bar=bar: bar.update(n),
                )
            except EvidenceUnavailable as exc:
                rows.append(r)
                missing.append(f"{LABELS[r.model]}: {exc}")
                continue
        rows.append(replace(r, evidence=ev))
    return replace(comparison, rows=tuple(rows), missing=tuple(missing))
