"""The log-posterior that :func:`etm.fit.mcmc.run_mcmc` samples: :class:`Posterior`.

Likelihood exp(-chi^2/2) with the curves' sigmas; priors uniform in the fit's parameters within
their bounds (uniform in the value for linear amplitudes fitted as log10, log-uniform for the
other log10 parameters).

**Linear amplitudes are marginalized analytically** when the curve models say which amplitudes
they are linear in (a ``LINEAR`` mapping and a ``columns_many`` method, as the Cp model has).
Write the weighted model of all curves as ``off(theta) + A(theta) a``, ``a`` the amplitudes and
``theta`` the rest. With the flat prior on ``a`` inside its box,

    p(theta | y) = int_box p(y | theta, a) da
                 ∝ exp(-chi2_min(theta) / 2) det(F)^(-1/2) P_box(theta),

``F = A^T A``, ``a_hat = F^-1 A^T (y - off)``, ``chi2_min`` the chi^2 at ``a_hat`` and
``P_box`` the probability of N(a_hat, F^-1) inside the box. emcee samples ``theta`` only; each
kept sample then gets its amplitudes drawn exactly from N(a_hat, F^-1) restricted to the box.
This removes the amplitude-cutoff ridge (nP against Dmin and X0max of each curve, correlation
0.93-0.99) that kept the full 14-parameter chain of the BAS Cp triple from converging.

P_box is taken as the product of the amplitudes' one-dimensional interval probabilities. That is
exact to < 3e-5 per amplitude because at most one marginalized amplitude may lie within
``margin`` (4) least-squares sigma of a bound: the others' interval probabilities differ from 1
by less than 2 Phi(-4) = 6e-5, which bounds the error of the product. Further amplitudes near
their bounds stay with the sampler. See docs/fitting.md ("Posteriors").
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from etm.fit.engine import Problem

__all__ = ["Posterior", "log_interval"]

#: Amplitudes closer than this many least-squares sigma to a bound count as "near" it.
NEAR_BOUND_SIGMA = 4.0


def log_interval(a: NDArray, b: NDArray) -> NDArray[np.float64]:
    """ln(Phi(b) - Phi(a)) for a < b, accurate in both tails (Phi the standard normal CDF).

    Examples
    --------
    >>> float(np.exp(log_interval(np.array(-1.0), np.array(1.0))))  # doctest: +ELLIPSIS
    0.6826...
    >>> bool(np.isfinite(log_interval(np.array(40.0), np.array(41.0))))
    True
    """
    from scipy.special import log_ndtr

    a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    # for an interval above 0 use the mirror image, so both ends are in the lower tail
    flip = a > 0
    lo = np.where(flip, -b, a)
    hi = np.where(flip, -a, b)
    lhi, llo = log_ndtr(hi), log_ndtr(lo)
    with np.errstate(divide="ignore", invalid="ignore"):
        return lhi + np.log1p(-np.exp(np.minimum(llo - lhi, 0.0)))


class Posterior:
    """log p(theta) of one least-squares problem, with the linear amplitudes marginalized.

    Parameters
    ----------
    prob : Problem
        The fitted problem (curves, models, layout).
    params : lmfit.Parameters
        The least-squares result's parameters (values, bounds, errors).
    names : list of str
        The free (sampled) fit parameters, in order.
    marginalize : bool
        Marginalize the linear amplitudes analytically (when every model offers it).

    Attributes
    ----------
    free : ndarray of int
        Columns of ``names`` that emcee samples.
    amp : ndarray of int
        Columns marginalized analytically (drawn after the chain).
    """

    def __init__(self, prob: Problem, params: Any, names: list[str], *, marginalize: bool) -> None:
        self.prob = prob
        self.names = names
        spec_of = {f: prob.obs.spec(p) for lay in prob.layout for p, f in lay.items()}
        # linear amplitudes fitted as log10 are sampled as the value (uniform prior)
        self.lin = np.array([spec_of[n].log10 and spec_of[n].amplitude for n in names])
        self.fit_lo = np.array([params[n].min for n in names])
        self.fit_hi = np.array([params[n].max for n in names])
        self.lo = np.where(self.lin, 10.0 ** np.where(self.lin, self.fit_lo, 0.0), self.fit_lo)
        self.hi = np.where(self.lin, 10.0 ** np.where(self.lin, self.fit_hi, 0.0), self.fit_hi)
        col = {n: j for j, n in enumerate(names)}
        self.maps = []  # per curve: [(phys name, column or None, fixed fit value, log10)]
        for lay in prob.layout:
            entries = []
            for pname, fname in lay.items():
                log10 = prob.obs.spec(pname).log10
                entries.append((pname, col.get(fname), float(params[fname].value), log10))
            self.maps.append(entries)
        self.use_many = False
        best = np.array([params[n].value for n in names])
        self.ref = self.to_sampler(best)
        err = np.array([params[n].stderr or np.nan for n in names], dtype=float)
        err_s = np.where(self.lin, self.ref * np.log(10.0) * err, err)  # sigma in sampler units
        amp = self._marginal_columns(spec_of, err_s) if marginalize else []
        self.amp = np.array(amp, dtype=int)
        self.free = np.array([j for j in range(len(names)) if j not in amp], dtype=int)
        self.scale = np.where(self.ref[self.amp] != 0.0, np.abs(self.ref[self.amp]), 1.0)
        # per curve: [(phys name, position k in amp)] of the marginalized amplitudes
        where = {int(j): k for k, j in enumerate(self.amp)}
        self.amp_of = [
            [(p, where[j]) for p, j, _, _ in entries if j is not None and j in where]
            for entries in self.maps
        ]

    # --- coordinates ---------------------------------------------------------------------------

    def to_sampler(self, theta: NDArray) -> NDArray:
        """Fit-space coordinates -> the sampler's (10**x for the linear amplitudes)."""
        return np.where(self.lin, 10.0 ** np.where(self.lin, theta, 0.0), theta)

    def to_fit(self, s: NDArray) -> NDArray:
        """The sampler's coordinates (inside the bounds) -> fit space."""
        return np.where(self.lin, np.log10(np.where(self.lin, s, 1.0)), s)

    def values(self, s: NDArray, i: int) -> dict[str, Any]:
        """Physical values of curve ``i`` at full sampler coordinates ``s`` (inside the bounds)."""
        out = {}
        for pname, j, fixed, log10 in self.maps[i]:
            if j is None:
                out[pname] = 10.0**fixed if log10 else fixed
            elif self.lin[j]:
                out[pname] = s[..., j]
            else:
                out[pname] = 10.0 ** s[..., j] if log10 else s[..., j]
        return out

    def full(self, th: NDArray) -> NDArray:
        """Full sampler coordinates from the sampled columns (amplitudes at the best fit)."""
        th = np.atleast_2d(th)
        S = np.tile(self.ref, (th.shape[0], 1))
        S[:, self.free] = th
        return S

    def _marginal_columns(self, spec_of: dict, err_s: NDArray) -> list[int]:
        """The columns to marginalize: linear in every model and uniform in the value, at most
        one of them within NEAR_BOUND_SIGMA of a bound; at least one column left to emcee."""
        models = self.prob.models
        if not all(hasattr(m, "LINEAR") and hasattr(m, "columns_many") for m in models):
            return []
        cand = []
        for j, n in enumerate(self.names):
            if spec_of[n].log10 and not self.lin[j]:
                continue  # log-uniform prior: not flat in the amplitude
            uses = [(i, p) for i, e in enumerate(self.maps) for p, jj, _, _ in e if jj == j]
            if uses and all(p in models[i].LINEAR for i, p in uses) and np.isfinite(err_s[j]):
                cand.append(j)
        # near a bound in units of the amplitude's sigma given the other parameters (what the
        # box probability integrates over): the least-squares sigma of an amplitude degenerate
        # with a cutoff (nP with X0max on one curve) is far larger than that
        cond = self._conditional_sd(cand)
        sig = {
            j: c if np.isfinite(c) and c > 0 else err_s[j] for j, c in zip(cand, cond, strict=True)
        }
        dist = {j: min(self.ref[j] - self.lo[j], self.hi[j] - self.ref[j]) / sig[j] for j in cand}
        far = [j for j in cand if dist[j] >= NEAR_BOUND_SIGMA]
        near = sorted((j for j in cand if dist[j] < NEAR_BOUND_SIGMA), key=lambda j: dist[j])
        amp = far + near[:1]
        if len(amp) == len(self.names):  # emcee needs at least one dimension
            amp = amp[:-1]
        return sorted(amp)

    def _conditional_sd(self, cand: list[int]) -> NDArray[np.float64]:
        """The sd of each candidate amplitude given all other parameters at the best fit (the
        linear part's Fisher matrix there), in sampler units; nan if it is singular."""
        if not cand:
            return np.zeros(0)
        keep = (getattr(self, "amp", None), getattr(self, "scale", None))
        self.amp = np.array(cand, dtype=int)
        self.scale = np.where(self.ref[self.amp] != 0.0, np.abs(self.ref[self.amp]), 1.0)
        where = {j: k for k, j in enumerate(cand)}
        self.amp_of = [
            [(p, where[j]) for p, j, _, _ in entries if j is not None and j in where]
            for entries in self.maps
        ]
        try:
            ok, _, F, _, _ = self._solve(self.ref[None, :])
            if not ok[0]:
                return np.full(len(cand), np.nan)
            return np.sqrt(np.abs(np.diag(np.linalg.inv(F[0])))) * self.scale
        finally:
            self.amp, self.scale = keep

    # --- log-probability -----------------------------------------------------------------------

    def __call__(self, th: NDArray) -> NDArray[np.float64]:
        """emcee's vectorized log-probability of the sampled columns ``th`` (W, n_free): shape
        (W,), or (W, 1 + K) with the K amplitudes' conditional means a_hat as emcee blobs."""
        th = np.atleast_2d(th)
        K = self.amp.size
        inside = np.all((th > self.lo[self.free]) & (th < self.hi[self.free]), axis=1)
        out = np.full((th.shape[0], 1 + K), -np.inf)
        out[:, 1:] = np.nan
        if np.any(inside):
            S = self.full(th[inside])
            if K == 0:
                out[inside, 0] = -0.5 * self.chi2(S)
            else:
                lnp, ah = self._marginal(S)
                out[inside, 0] = lnp
                out[inside, 1:] = ah * self.scale
        return out[:, 0] if K == 0 else out

    def one(self, th: NDArray) -> Any:
        """log p of one walker (a float, or an array 1 + K with the blobs), for a process pool."""
        r = self(np.asarray(th)[None, :])[0]
        return float(r) if np.ndim(r) == 0 else r

    def chi2(self, S: NDArray) -> NDArray[np.float64]:
        """chi^2 of full sampler coordinates ``S`` (W, n_var): by ``evaluate_many`` (the
        surrogate) when :attr:`use_many`, else the exact model walker by walker."""
        prob = self.prob
        chi2 = np.zeros(S.shape[0])
        for i, (c, m, s) in enumerate(zip(prob.curves, prob.models, prob.sigmas, strict=True)):
            v = self.values(S, i)
            if self.use_many:
                v = {k: np.broadcast_to(np.asarray(x, float), S.shape[:1]) for k, x in v.items()}
                r = (c.y[None, :] - m.evaluate_many(v, prob.components)) / s[None, :]
            else:
                ys = [
                    m.evaluate(
                        {
                            k: float(np.asarray(x)[..., w]) if np.ndim(x) else float(x)
                            for k, x in v.items()
                        },
                        prob.components,
                    )
                    for w in range(S.shape[0])
                ]
                r = (c.y[None, :] - np.array(ys)) / s[None, :]
            chi2 += np.einsum("wp,wp->w", r, r)
        return chi2

    def _design(self, S: NDArray) -> tuple[NDArray, NDArray]:
        """(r0, A): weighted data minus the non-marginalized model (W, N), and the weighted,
        scaled columns of the marginalized amplitudes (W, N, K), all curves stacked."""
        prob = self.prob
        W, K = S.shape[0], self.amp.size
        r0, A = [], []
        for i, (c, m, s) in enumerate(zip(prob.curves, prob.models, prob.sigmas, strict=True)):
            v = self.values(S, i)
            v = {k: np.broadcast_to(np.asarray(x, float), (W,)) for k, x in v.items()}
            off, cols = m.columns_many(v, prob.components)
            a = np.zeros((W, c.y.size, K))
            marg = dict(self.amp_of[i])
            for pname, col in cols.items():
                if pname in marg:
                    k = marg[pname]
                    a[:, :, k] += col * (self.scale[k] / s)[None, :]
                else:
                    off = off + v[pname][:, None] * col
            r0.append((c.y[None, :] - off) / s[None, :])
            A.append(a)
        return np.concatenate(r0, axis=1), np.concatenate(A, axis=1)

    def _solve(self, S: NDArray):
        """The Gaussian in the (scaled) amplitudes at each row of ``S``: (ok, a_hat, F,
        chi2_min, ln det F)."""
        r0, A = self._design(S)
        F = np.einsum("wnk,wnl->wkl", A, A)
        b = np.einsum("wnk,wn->wk", A, r0)
        sign, logdet = np.linalg.slogdet(F)
        ok = sign > 0
        F_ok = np.where(ok[:, None, None], F, np.eye(self.amp.size)[None])
        ah = np.linalg.solve(F_ok, b[..., None])[..., 0]
        chi2 = np.einsum("wn,wn->w", r0, r0) - np.einsum("wk,wk->w", b, ah)
        return ok, ah, F_ok, chi2, logdet

    def _box(self) -> tuple[NDArray, NDArray]:
        return self.lo[self.amp] / self.scale, self.hi[self.amp] / self.scale

    def _marginal(self, S: NDArray) -> tuple[NDArray, NDArray]:
        """(ln p(theta | y) up to a constant, a_hat in scaled units) at each row of ``S``."""
        ok, ah, F, chi2, logdet = self._solve(S)
        sd = np.sqrt(np.diagonal(np.linalg.inv(F), axis1=1, axis2=2))
        lo, hi = self._box()
        # the intervals' log-probabilities, finite however far a_hat lies outside the box
        lnbox = np.sum(log_interval((lo - ah) / sd, (hi - ah) / sd), axis=1)
        lnp = np.where(ok & np.isfinite(lnbox), -0.5 * chi2 - 0.5 * logdet + lnbox, -np.inf)
        return lnp, ah

    def draw(self, th: NDArray, rng: np.random.Generator, chunk: int = 2048):
        """Complete samples of the sampled columns ``th`` (N, n_free): the amplitudes drawn from
        their conditional Gaussian inside the box. Returns (S full sampler coordinates (N,
        n_var), chi^2 at each, the number of draws that needed more than one try)."""
        th = np.atleast_2d(th)
        N = th.shape[0]
        if self.amp.size == 0:
            S = self.full(th)
            return S, np.concatenate([self.chi2(S[a : a + chunk]) for a in range(0, N, chunk)]), 0
        S_out = np.empty((N, len(self.names)))
        chi2_out = np.empty(N)
        retries = 0
        for a in range(0, N, chunk):
            S = self.full(th[a : a + chunk])
            ok, ah, F, chi2, _ = self._solve(S)
            x, n_retry = self._draw_box(ah, np.linalg.inv(F), rng)
            retries += n_retry
            d = x - ah
            chi2_out[a : a + chunk] = chi2 + np.einsum("wk,wkl,wl->w", d, F, d)
            S[:, self.amp] = x * self.scale
            S_out[a : a + chunk] = S
        return S_out, chi2_out, retries

    def _draw_box(self, ah: NDArray, cov: NDArray, rng: np.random.Generator):
        """Draws of N(ah, cov) (W, K) inside the scaled box: the amplitude nearest its bound from
        its truncated-normal marginal, the others from the conditional Gaussian given it,
        redrawn (up to 100 times) while outside."""
        from scipy.special import ndtr, ndtri

        lo, hi = self._box()
        W, K = ah.shape
        sd = np.sqrt(np.diagonal(cov, axis1=1, axis2=2))
        dist = np.minimum(ah - lo, hi - ah) / sd
        k = int(np.argmin(np.median(dist, axis=0)))  # the one nearest a bound
        o = np.array([q for q in range(K) if q != k], dtype=int)
        pl, ph = ndtr((lo[k] - ah[:, k]) / sd[:, k]), ndtr((hi[k] - ah[:, k]) / sd[:, k])
        u = pl + (ph - pl) * rng.random(W)
        xk = ah[:, k] + sd[:, k] * ndtri(np.clip(u, 1e-300, 1.0 - 1e-16))
        xk = np.clip(xk, lo[k], hi[k])
        x = np.empty_like(ah)
        x[:, k] = xk
        retries = 0
        if o.size:
            c_ok = cov[:, o, k]
            mean = ah[:, o] + c_ok / cov[:, k, k][:, None] * (xk - ah[:, k])[:, None]
            cc = (
                cov[:, o][:, :, o]
                - c_ok[:, :, None] * c_ok[:, None, :] / cov[:, k, k][:, None, None]
            )
            L = np.linalg.cholesky(cc)
            todo = np.ones(W, dtype=bool)
            for attempt in range(100):
                z = rng.standard_normal((int(todo.sum()), o.size))
                x[np.ix_(todo, o)] = mean[todo] + np.einsum("wij,wj->wi", L[todo], z)
                bad = np.any((x[:, o] <= lo[o]) | (x[:, o] >= hi[o]), axis=1)
                retries += int(np.sum(todo & bad)) if attempt == 0 else 0
                todo = bad
                if not np.any(todo):
                    break
            x[:, o] = np.clip(x[:, o], lo[o], hi[o])
        return x, retries
