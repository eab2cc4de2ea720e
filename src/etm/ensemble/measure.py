"""The exact route's measure: quadrature nodes over (D, theta, D0, cos beta) of the distribution.

The exact three-level observables (:mod:`etm.heat_capacity.exact` and its siblings) average a
single-system quantity over the
bare well energies ``E_k = D cos(theta + 2 pi k/3)`` (theta uniform), ``D0_eff = X/S`` with X
log-uniform, D with ``dD/D`` and the loop orientation; the weight ``dtheta dD/D dD0/D0`` is the
essay's Eq. 10 in polar variables on the plane ``sum E = 0`` (docs/exact.md). This module builds
the deterministic tensor-product Gauss-Legendre nodes of that measure, with graded (sinh) maps
where the integrands have structure; :class:`ExactGrid` holds the node counts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from etm.params import ATSParams

__all__ = [
    "DEFAULT_GRID",
    "ExactGrid",
    "gauss_legendre01",
    "lnD0_nodes",
    "lnD_nodes",
    "phase_nodes",
    "sinh_nodes",
]


@dataclass(frozen=True)
class ExactGrid:
    """Node counts of the tensor-product quadrature of the exact route.

    Parameters
    ----------
    n_lnD : int
        Gauss-Legendre nodes per panel of ln D (panels at most :attr:`panel_lnD` wide).
    panel_lnD : float
        Maximal width of a ln D panel.
    n_tail : int
        Nodes for the D tail [D_split, infinity), mapped by t = D_split/D in (0, 1].
    split : float
        D_split = split * max(scale, D0max_eff, Dmin), scale = T (heat) or E (counting).
    n_lnD0 : int
        Nodes in ln D0_eff over [X0min/S, X0max/S].
    n_theta : int
        Nodes in theta over [0, pi/3] (sinh-graded toward theta = 0).
    n_phase : int
        Nodes per phase interval for the isotropic cos(beta) average (sinh-graded toward phi = 0).
    n_bisect : int
        Bisection steps for the theta root of :func:`exact_counting` (2^-n_bisect of pi/3).
    """

    n_lnD: int = 8
    panel_lnD: float = 1.0
    n_tail: int = 16
    split: float = 30.0
    n_lnD0: int = 10
    n_theta: int = 24
    n_phase: int = 20
    n_bisect: int = 52

    def refined(self, factor: int = 2) -> ExactGrid:
        """The same grid with every node count multiplied by ``factor`` (a convergence check)."""
        return replace(
            self,
            n_lnD=self.n_lnD * factor,
            n_tail=self.n_tail * factor,
            n_lnD0=self.n_lnD0 * factor,
            n_theta=self.n_theta * factor,
            n_phase=self.n_phase * factor,
        )


#: The grid used by default (accuracy measured in docs/exact.md and tests/test_exact.py).
DEFAULT_GRID = ExactGrid()


@lru_cache(maxsize=64)
def _gauss_legendre01_cached(n: int) -> tuple[NDArray, NDArray]:
    t, w = np.polynomial.legendre.leggauss(n)
    return 0.5 * (t + 1.0), 0.5 * w


def gauss_legendre01(n: int) -> tuple[NDArray, NDArray]:
    """Gauss-Legendre nodes and weights on [0, 1] (fresh copies of a cached rule).

    ``leggauss`` solves an eigenproblem per call (~0.1 ms, most of the exact route's node
    building before the cache); the copies keep callers free to modify what they get.
    """
    t, w = _gauss_legendre01_cached(int(n))
    return t.copy(), w.copy()


def sinh_nodes(b: NDArray, h: NDArray, n: int) -> tuple[NDArray, NDArray]:
    """Nodes and weights on [0, b] clustered toward 0 on the scale h: x = h sinh(s).

    Uniform Gauss-Legendre in s in [0, asinh(b/h)] puts ~n/ln(2b/h) nodes in every octave of x
    above h and a few inside [0, h]: the right grading for an integrand with structure of width
    h at 0 that varies on the scale of x itself further out. Broadcasts b, h; adds a last axis.
    """
    t, w = gauss_legendre01(n)
    smax = np.arcsinh(b / h)[..., None]
    s = smax * t
    return h[..., None] * np.sinh(s), h[..., None] * np.cosh(s) * smax * w


def lnD_nodes(params: ATSParams, scale: float, D0max: float, grid: ExactGrid):
    """Nodes D [K] and weights in ln D covering [Dmin, Dmax] or [Dmin, infinity).

    Without Dmax, [D_split, infinity) is mapped by t = D_split/D, dlnD = dt/t. For D >> D0, T
    the theta average of a system's response falls like 1/D (only a window |theta| ~ (T + D0)/D
    near the degeneracy of the lowest two wells contributes), so the mapped integrand tends to a
    constant at t -> 0: the tail is integrated exactly instead of being cut off.
    """
    Dmin = params.Dmin_K
    if params.Dmax_K is not None:
        hi = params.Dmax_K
    else:
        hi = max(grid.split * max(scale, D0max, Dmin), np.e * Dmin)
    n_pan = max(int(np.ceil(np.log(hi / Dmin) / grid.panel_lnD)), 1)
    edges = np.linspace(np.log(Dmin), np.log(hi), n_pan + 1)
    t, w = gauss_legendre01(grid.n_lnD)
    width = np.diff(edges)[:, None]
    lnD = (edges[:-1, None] + width * t).ravel()
    wD = (width * w).ravel()
    D, wD = np.exp(lnD), wD
    if params.Dmax_K is None:
        tt, wt = gauss_legendre01(grid.n_tail)
        D = np.concatenate([D, hi / tt])
        wD = np.concatenate([wD, wt / tt])
    return D, wD


def lnD0_nodes(params: ATSParams, S: float, grid: ExactGrid):
    """Nodes D0_eff = X/S [K] and weights in ln D0 (they sum to ln(X0max/X0min))."""
    t, w = gauss_legendre01(grid.n_lnD0)
    a, b = np.log(params.X0min_KA2 / S), np.log(params.X0max_KA2 / S)
    return np.exp(a + (b - a) * t), (b - a) * w


def phase_nodes(phi0: float, orientation: str, h: NDArray, n: int, cuts=None):
    """Phases u [rad] and weights whose sum is the orientation average of f(phi).

    ``"aligned"`` and ``"phi2/3"`` are one node (phi0, phi0/sqrt(3)). For ``"isotropic"``,
    cos(beta) uniform in [0, 1] is phi uniform in [0, phi0]. As the spectrum is even and
    2 pi-periodic in phi, f(phi) on every half-period [k pi, (k+1) pi] is f(u) for u in
    [0, pi], so with phi0 = K pi + r:
    (1/phi0) [K F(pi) + F(r)] for even K and (1/phi0) [(K+1) F(pi) - F(pi - r)] for odd K, with
    F(a) the integral of f over [0, a]. F is integrated on sinh-graded nodes toward u = 0, where
    the doublet's splitting sqrt(D^2 + (D0 u)^2) has structure of width ~ max(D, T)/D0.
    ``cuts`` (a pair of arrays broadcastable to h, c1 <= c2) adds panel edges at kinks of f:
    [0, c1] sinh-graded, then [c1, c2] and [c2, a] plain Gauss-Legendre.
    """
    shape = h.shape
    if orientation == "aligned" or phi0 == 0.0:
        u = np.full((*shape, 1), phi0 / (np.sqrt(3.0) if orientation == "phi2/3" else 1.0))
        return u, np.ones_like(u)
    if orientation == "phi2/3":
        u = np.full((*shape, 1), phi0 / np.sqrt(3.0))
        return u, np.ones_like(u)
    K = int(np.floor(phi0 / np.pi))
    r = phi0 - K * np.pi
    if K % 2 == 0:
        cfull, a, cpart = K, r, 1.0
    else:
        cfull, a, cpart = K + 1, np.pi - r, -1.0
    parts_u, parts_w = [], []
    t, w = gauss_legendre01(n)
    for coef, top in ((cfull, np.pi), (cpart, a)):
        if coef == 0 or top <= 0.0:
            continue
        if cuts is None:
            uf, wf = sinh_nodes(np.full(shape, top), np.minimum(h, top), n)
            parts_u.append(uf)
            parts_w.append(coef * wf / phi0)
            continue
        c1 = np.broadcast_to(np.clip(cuts[0], 0.0, top), shape)
        c2 = np.broadcast_to(np.clip(cuts[1], c1, top), shape)
        # c1 = 0 leaves a zero-width panel: its weights vanish with the width
        c1s = np.where(c1 > 0.0, c1, top)
        uf, wf = sinh_nodes(c1s, np.minimum(h, c1s), n)
        parts_u.append(uf)
        parts_w.append(np.where(c1[..., None] > 0.0, coef * wf / phi0, 0.0))
        for lo, hi in ((c1, c2), (c2, np.full(shape, top))):
            parts_u.append(lo[..., None] + (hi - lo)[..., None] * t)
            parts_w.append(coef * (hi - lo)[..., None] * w / phi0)
    return np.concatenate(parts_u, axis=-1), np.concatenate(parts_w, axis=-1)
