"""The marginal likelihood (evidence) of a fit by thermodynamic integration over tempered chains.

For a likelihood L(theta) and a prior pi(theta) (here uniform on a box, possibly cut by an order
constraint), and a normalized *reference* density q(theta) on the same support, the tempered
densities

    p_beta(theta) ∝ q(theta)^(1 - beta) [L(theta) pi(theta)]^beta,   beta in [0, 1],

run from q (beta = 0) to the posterior (beta = 1), and (Lartillot and Philippe, Syst. Biol. 55,
195 (2006); Friel and Pettitt, J. R. Stat. Soc. B 70, 589 (2008); Fan et al., Mol. Biol. Evol.
28, 523 (2011))

    ln Z = ln int L pi dtheta = int_0^1 E_beta[h] dbeta,   h = ln L + ln pi - ln q,

because d ln Z_beta/d beta = E_beta[h] and Z_0 = 1, Z_1 = Z. With q = pi (``reference="prior"``)
this is the classic power-posterior path, h = ln L: ln Z = int_0^1 <ln L>_beta dbeta. With a
Gaussian q at the least-squares point (``reference="gaussian"``: its covariance times
:data:`GAUSSIAN_WIDTH` squared, truncated to the support and normalized by Monte Carlo) every
tempered density stays where the posterior is, so the chains never leave the region where the
curve models' surrogates hold, and the integrand varies far less along the ladder.

**The ladder and its error.** E_beta[h] is estimated at beta_k = (k/K)^power (k = 0 ... K) from
emcee chains (each rung starts from the previous rung's walkers; beta = 0 is drawn exactly from
q), its variance V_k beside it. The integral is the trapezoid rule with the correction of Friel
and Pettitt (their Eq. 9, exact for a quadratic integrand): sum (db/2)(E_k + E_k+1) - (db^2/12)
(V_k+1 - V_k), since dE/dbeta = V. Reported errors: ``ladder``, the size of that correction (the
trapezoid's own discretization error, an estimate), and ``bounds``: E_beta is non-decreasing in
beta (its derivative is a variance), so sum db E_k <= ln Z <= sum db E_k+1 for the measured E_k
(a bound on the discretization, not on the Monte Carlo error); ``mc``, the Monte Carlo standard
error, sqrt(sum (w_k s_k)^2) with s_k^2 = V_k/n_eff,k from the chain's integrated
autocorrelation time of h (rungs treated as independent).

Tested against the analytic evidence of a linear-Gaussian model (tests/test_model_compare.py)
with both references.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

__all__ = ["GAUSSIAN_WIDTH", "Evidence", "GaussianReference", "thermodynamic_integration"]

#: The Gaussian reference's width in units of the least-squares standard errors (a wider q than
#: the posterior keeps its tails covered).
GAUSSIAN_WIDTH = 2.0


@dataclass(frozen=True)
class Evidence:
    """The result of :func:`thermodynamic_integration`.

    Attributes
    ----------
    ln_Z : float
        ln of the evidence (corrected trapezoid).
    err_ladder : float
        |correction| of the trapezoid rule: the estimate of its discretization error.
    bounds : tuple of float
        (lower, upper) Riemann sums of the measured E_beta: the discretization bound.
    err_mc : float
        Monte Carlo standard error of ln_Z.
    err_extra : float
        Any further error stated by the caller (the surrogate's, :mod:`etm.fit.model_compare`).
    betas, means, variances, n_eff : ndarray
        The ladder, E_beta[h], Var_beta[h] and the effective sample size per rung.
    reference : str
        ``"prior"`` or ``"gaussian"``.
    ln_prior_volume : float
        ln of the prior's volume (the support's).
    nwalkers, steps, seed : int
        Walkers, steps per rung, seed.
    note : str
        How the integrand was evaluated.
    """

    ln_Z: float
    err_ladder: float
    bounds: tuple[float, float]
    err_mc: float
    betas: NDArray[np.float64]
    means: NDArray[np.float64]
    variances: NDArray[np.float64]
    n_eff: NDArray[np.float64]
    reference: str
    ln_prior_volume: float
    nwalkers: int
    steps: int
    seed: int
    err_extra: float = 0.0
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def error(self) -> float:
        """Total standard error: ladder, Monte Carlo and extra added in quadrature."""
        return math.sqrt(self.err_ladder**2 + self.err_mc**2 + self.err_extra**2)

    def to_dict(self) -> dict:
        """A JSON-able summary."""
        return {
            "ln_Z": self.ln_Z,
            "error": self.error,
            "err_ladder": self.err_ladder,
            "bounds": list(self.bounds),
            "err_mc": self.err_mc,
            "err_extra": self.err_extra,
            "reference": self.reference,
            "ln_prior_volume": self.ln_prior_volume,
            "betas": self.betas.tolist(),
            "E_beta": self.means.tolist(),
            "Var_beta": self.variances.tolist(),
            "n_eff": self.n_eff.tolist(),
            "nwalkers": self.nwalkers,
            "steps_per_rung": self.steps,
            "seed": self.seed,
            "note": self.note,
        }


class GaussianReference:
    """N(mean, cov) truncated to a support and normalized there (Monte Carlo mass).

    Parameters
    ----------
    mean : ndarray, shape (d,)
    cov : ndarray, shape (d, d)
        Positive definite.
    inside : callable
        ``inside(theta (W, d)) -> bool (W,)``: the support.
    rng : numpy.random.Generator
    n_mass : int
        Draws that estimate the mass inside the support.
    """

    def __init__(self, mean, cov, inside, rng, n_mass: int = 200_000) -> None:
        self.mean = np.asarray(mean, dtype=float)
        self.cov = np.asarray(cov, dtype=float)
        self.L = np.linalg.cholesky(self.cov)
        self.inside = inside
        d = self.mean.size
        self._lnorm = -0.5 * d * math.log(2 * math.pi) - float(np.sum(np.log(np.diag(self.L))))
        x = self._raw(rng, n_mass)
        p = float(np.mean(inside(x)))
        if p <= 0.0:
            raise ValueError("the Gaussian reference has no mass inside the prior's support")
        self.mass = p
        #: standard error of ln(mass)
        self.err_ln_mass = math.sqrt(max(1.0 - p, 0.0) / (p * n_mass))
        self._lnorm -= math.log(p)

    def _raw(self, rng, n: int) -> NDArray:
        return self.mean + rng.standard_normal((n, self.mean.size)) @ self.L.T

    def logpdf(self, theta: NDArray) -> NDArray[np.float64]:
        """ln q of each row (-inf outside the support)."""
        z = np.linalg.solve(self.L, (np.atleast_2d(theta) - self.mean).T)
        out = self._lnorm - 0.5 * np.sum(z * z, axis=0)
        return np.where(self.inside(np.atleast_2d(theta)), out, -np.inf)

    def sample(self, rng, n: int) -> NDArray[np.float64]:
        """n draws inside the support (rejection)."""
        out = np.empty((0, self.mean.size))
        while out.shape[0] < n:
            x = self._raw(rng, max(int(2 * (n - out.shape[0]) / self.mass), 64))
            out = np.vstack([out, x[self.inside(x)]])
        return out[:n]


#: Batches of the batch-means error of a rung's mean.
N_BATCHES = 5


def _n_eff(h: NDArray) -> float:
    """Effective sample size of h (steps, walkers): the smaller of emcee's integrated-time
    estimate and the batch-means one (the variance of :data:`N_BATCHES` consecutive batches'
    means; a short chain's integrated time is underestimated, batch means are not as much)."""
    import emcee

    steps, w = h.shape
    var = float(np.var(h))
    if steps < 2 * N_BATCHES or var == 0.0:
        return float(h.size)
    with np.errstate(invalid="ignore", divide="ignore"):
        tau = float(emcee.autocorr.integrated_time(h[:, :, None], tol=0)[0])
    if not math.isfinite(tau) or tau < 1.0:
        tau = 1.0
    n = steps // N_BATCHES
    means = h[: n * N_BATCHES].reshape(N_BATCHES, n * w).mean(axis=1)
    var_mean = float(np.var(means, ddof=1)) / N_BATCHES
    n_bm = var / var_mean if var_mean > 0 else float(h.size)
    return float(min(w * steps / tau, n_bm))


def thermodynamic_integration(
    log_like: Callable[[NDArray], NDArray],
    lo: NDArray,
    hi: NDArray,
    *,
    constraint: Callable[[NDArray], NDArray] | None = None,
    support_fraction: float = 1.0,
    reference: str = "gaussian",
    mean: NDArray | None = None,
    cov: NDArray | None = None,
    n_rungs: int | None = None,
    power: float | None = None,
    nwalkers: int = 32,
    steps: int = 200,
    burn: int | None = None,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
) -> Evidence:
    """ln Z of ``log_like`` under the uniform prior on the box [lo, hi] (module docstring).

    Parameters
    ----------
    log_like : callable
        ``log_like(theta (W, d)) -> (W,)``: the normalized ln L (with its Gaussian constants).
    lo, hi : ndarray, shape (d,)
        The prior's box, finite.
    constraint : callable, optional
        ``constraint(theta) -> bool (W,)``: the prior's support within the box (e.g. an order of
        two symmetric parameters).
    support_fraction : float
        The fraction of the box that ``constraint`` keeps (the prior's density is 1/(V f)).
    reference : {"gaussian", "prior"}
        The path's start (module docstring); ``"gaussian"`` needs ``mean`` and ``cov``.
    mean, cov : ndarray
        The Gaussian reference (already widened as wanted).
    n_rungs, power : int, float
        The ladder beta_k = (k/K)^power; default K = 12, power 3 (gaussian) or K = 24, power 5
        (prior; Friel and Pettitt's choice, dense near beta = 0 where <ln L> falls steeply).
    nwalkers, steps, burn : int
        emcee walkers, steps per rung, of which ``burn`` (default steps // 3) are discarded.
    seed : int
        Seed of the draws and of emcee's moves.
    progress : callable, optional
        Called with the number of steps done after each rung.

    Returns
    -------
    Evidence
    """
    import emcee

    lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi)) and np.all(hi > lo)):
        raise ValueError("thermodynamic_integration: the prior's box must be finite, hi > lo")
    if reference not in ("gaussian", "prior"):
        raise ValueError(f"reference must be 'gaussian' or 'prior', got {reference!r}")
    d = lo.size
    K = n_rungs if n_rungs is not None else (12 if reference == "gaussian" else 24)
    pw = power if power is not None else (3.0 if reference == "gaussian" else 5.0)
    burn = steps // 3 if burn is None else int(burn)
    if K < 2 or steps <= burn or nwalkers < 2 * d:
        raise ValueError(
            f"need n_rungs >= 2, steps > burn, nwalkers >= 2 d; got {K}, {steps}, {burn}, "
            f"{nwalkers}"
        )
    nwalkers += nwalkers % 2
    ln_vol = float(np.sum(np.log(hi - lo))) + math.log(support_fraction)

    def inside(th: NDArray) -> NDArray:
        th = np.atleast_2d(th)
        ok = np.all((th > lo) & (th < hi), axis=1)
        if constraint is not None:
            ok &= np.asarray(constraint(th), dtype=bool)
        return ok

    rng = np.random.default_rng(seed)
    if reference == "gaussian":
        if mean is None or cov is None:
            raise ValueError("reference='gaussian' needs mean and cov")
        q = GaussianReference(mean, cov, inside, rng)
        ln_q = q.logpdf
        draw = q.sample
        extra_err = q.err_ln_mass
    else:

        def ln_q(th: NDArray) -> NDArray:
            return np.where(inside(th), -ln_vol, -np.inf)

        def draw(rng_: np.random.Generator, n: int) -> NDArray:
            out = np.empty((0, d))
            while out.shape[0] < n:
                x = lo + (hi - lo) * rng_.random((max(2 * n, 64), d))
                out = np.vstack([out, x[inside(x)]])
            return out[:n]

        extra_err = 0.0

    def h_of(th: NDArray) -> NDArray:
        th = np.atleast_2d(th)
        ok = inside(th)
        out = np.full(th.shape[0], -np.inf)
        if ok.any():
            t = th[ok]
            out[ok] = log_like(t) - ln_vol - ln_q(t)
        return out

    betas = (np.arange(K + 1) / K) ** pw
    means, variances, neff = np.zeros(K + 1), np.zeros(K + 1), np.zeros(K + 1)
    # beta = 0: exact draws from the reference
    n0 = nwalkers * (steps - burn)
    x0 = draw(rng, n0)
    h0 = h_of(x0)
    if not np.all(np.isfinite(h0)):
        raise ValueError("ln L is not finite at some draws of the reference")
    means[0], variances[0], neff[0] = float(np.mean(h0)), float(np.var(h0)), float(n0)
    state = x0[rng.choice(n0, size=nwalkers, replace=False)]
    # no DESnookerMove: emcee <= 3.1.6's is biased (its u is not a unit vector and its
    # Metropolis factor is halved; fixed upstream in dfm/emcee PR #531). Measured on a 2-D
    # Gaussian: <ln L> off by 65 with it, right with DEMove or the stretch move.
    moves = [(emcee.moves.DEMove(), 0.8), (emcee.moves.StretchMove(), 0.2)]
    for k in range(1, K + 1):
        beta = betas[k]

        def ln_p(th: NDArray, beta: float = beta) -> NDArray:
            th = np.atleast_2d(th)
            h = h_of(th)
            lq = np.where(np.isfinite(h), ln_q(th), -np.inf)
            return np.where(np.isfinite(h), lq + beta * h, -np.inf)

        sampler = emcee.EnsembleSampler(nwalkers, d, ln_p, vectorize=True, moves=moves)
        sampler.random_state = np.random.RandomState([seed, k]).get_state()  # noqa: NPY002
        sampler.run_mcmc(state, steps, skip_initial_state_check=True)
        state = sampler.get_last_sample().coords
        chain = sampler.get_chain(discard=burn)  # (steps - burn, W, d)
        lnp = sampler.get_log_prob(discard=burn)
        h = (lnp - ln_q(chain.reshape(-1, d)).reshape(lnp.shape)) / beta
        means[k], variances[k] = float(np.mean(h)), float(np.var(h))
        neff[k] = _n_eff(h)
        if progress is not None:
            progress(steps)
    db = np.diff(betas)
    plain = float(np.sum(0.5 * db * (means[1:] + means[:-1])))
    corr = float(np.sum(db**2 / 12.0 * (variances[1:] - variances[:-1])))
    w = np.zeros(K + 1)
    w[:-1] += 0.5 * db
    w[1:] += 0.5 * db
    err_mc = float(np.sqrt(np.sum((w**2) * variances / np.maximum(neff, 1.0))))
    return Evidence(
        ln_Z=plain - corr,
        err_ladder=abs(corr),
        bounds=(float(np.sum(db * means[:-1])), float(np.sum(db * means[1:]))),
        err_mc=math.sqrt(err_mc**2 + extra_err**2),
        betas=betas,
        means=means,
        variances=variances,
        n_eff=neff,
        reference=reference,
        ln_prior_volume=ln_vol,
        nwalkers=nwalkers,
        steps=steps,
        seed=seed,
    )
