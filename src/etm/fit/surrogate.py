"""A checked tensor Chebyshev interpolant of an expensive model term: :class:`Chebyshev`.

The MCMC evaluates the model for every walker of a half-ensemble at once
(:mod:`etm.fit.mcmc`). Where one exact evaluation costs milliseconds (the ATS heat capacity per
unit nP, the echo's complex amplitude), a curve model replaces it, inside a box of +-5
least-squares sigma, by the interpolant on Chebyshev nodes of the first kind in up to three
coordinates, and checks it against the exact term at seeded random points of the box before the
sampler uses it (:meth:`Chebyshev.check`). Outside the box the caller uses the exact term.
See docs/fitting.md ("Posteriors").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["Chebyshev"]


class Chebyshev:
    """Tensor Chebyshev interpolant of ``f(q) -> array (n,)`` over the box ``lo <= q <= hi``.

    Parameters
    ----------
    f : callable
        The exact term at one point ``q`` (a 1-D array of the box's coordinates).
    lo, hi : array_like
        The box (``hi == lo`` in a coordinate: the term is held constant in it).
    degree : sequence of int
        Nodes per coordinate (where ``hi > lo``).
    weight : callable, optional
        ``weight(Q) -> array (m, n)`` for m points ``Q`` (m, d) at once, positive: interpolate
        f / weight and multiply back (called on every evaluation: vectorized). A term
        falling by orders of magnitude across the box (the ATS heat capacity as exp(-Dmin/T))
        divided by its known fall is smooth and of one size, so the interpolant's relative
        error is even across the box instead of set by its largest values.

    Examples
    --------
    >>> s = Chebyshev(lambda q: np.array([np.exp(q[0]) * q[1]]), [0.0, 1.0], [1.0, 2.0], (12, 3))
    >>> inside, val = s(np.array([[0.5, 1.5]]))
    >>> bool(inside[0]), bool(abs(val[0, 0] - np.exp(0.5) * 1.5) < 1e-9)
    (True, True)
    """

    def __init__(
        self,
        f: Callable[[NDArray], NDArray],
        lo: ArrayLike,
        hi: ArrayLike,
        degree: Sequence[int],
        weight: Callable[[NDArray], NDArray] | None = None,
    ) -> None:
        self.f = f
        self.lo = np.asarray(lo, dtype=float)
        self.hi = np.asarray(hi, dtype=float)
        if self.lo.shape != self.hi.shape or len(degree) != self.lo.size:
            raise ValueError("Chebyshev: lo, hi and degree need one entry per coordinate")
        if self.lo.size > 3:
            raise ValueError(f"Chebyshev: at most 3 coordinates, got {self.lo.size}")
        spans = zip(degree, self.lo, self.hi, strict=True)
        self.deg = [int(n) if b > a else 1 for n, a, b in spans]
        nodes = [np.cos(np.pi * (np.arange(n) + 0.5) / n) for n in self.deg]
        mid, half = 0.5 * (self.hi + self.lo), 0.5 * (self.hi - self.lo)
        pts = [m + h * u for u, m, h in zip(nodes, mid, half, strict=True)]
        grid = np.stack(np.meshgrid(*pts, indexing="ij"), axis=-1).reshape(-1, self.lo.size)
        from etm.fit.progress import Progress, checkpoint

        rows = []
        # the echo's builds take up to a minute: a bar on a terminal after 2 s, and Ctrl-C
        # honoured between nodes
        with Progress("surrogate build", total=len(grid), unit="node") as bar:
            for q in grid:
                checkpoint()
                rows.append(f(q))
                bar.update(1)
        self.weight = weight
        F = np.array(rows)
        if weight is not None:
            F = F / weight(grid)
        F = F.reshape(*self.deg, F.shape[-1])
        C = F
        for k, (u, n) in enumerate(zip(nodes, self.deg, strict=True)):
            inv = np.linalg.inv(np.polynomial.chebyshev.chebvander(u, n - 1))
            C = np.moveaxis(np.tensordot(inv, C, axes=(1, k)), 0, k)
        self.C = C.reshape(-1, C.shape[-1])

    def __call__(self, q: NDArray) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
        """(inside, values): whether each row of ``q`` (W, d) lies in the box, and the
        interpolant there (W, n) (clamped to the box for rows outside)."""
        q = np.atleast_2d(q)
        inside = np.all((q >= self.lo) & (q <= self.hi), axis=1)
        span = np.where(self.hi > self.lo, self.hi - self.lo, 1.0)
        u = np.clip((2.0 * q - (self.hi + self.lo)) / span, -1.0, 1.0)
        phi = np.ones((q.shape[0], 1))
        for k, n in enumerate(self.deg):
            V = np.polynomial.chebyshev.chebvander(u[:, k], n - 1)
            phi = (phi[:, :, None] * V[:, None, :]).reshape(q.shape[0], -1)
        out = phi @ self.C
        if self.weight is not None:
            out *= self.weight(q)
        return inside, out

    def check(self, n: int = 16, seed: int = 12345) -> tuple[NDArray, NDArray, NDArray]:
        """(points, interpolant, exact) at ``n`` seeded random points of the box."""
        rng = np.random.default_rng(seed)
        q = self.lo + (self.hi - self.lo) * rng.random((n, self.lo.size))
        return q, self(q)[1], np.array([self.f(p) for p in q])
