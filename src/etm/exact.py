"""The exact three-level route: ensemble averages over the full 3x3 ATS spectrum.

The analytic model (:mod:`etm.ensemble`, :mod:`etm.heat_capacity`) keeps only the weak-field
doublet gap ``E = sqrt(D^2 + (D0 phi)^2)``, which needs only the product X = D0 (|q|/e) S. The
exact spectrum of Eq. 6 depends on D0 and phi separately, so this route takes one extra
parameter, the loop area S (charge e): ``loop_area_A2``, default :data:`DEFAULT_LOOP_AREA_A2`.

Mapping of one system (effective parameters D, D0_eff as in the essay's tables; docs/exact.md):

* ``phi = 2 pi e B S cos(beta) / h`` exactly, i.e. ``phi = 2 pi B cos(beta) / B_2pi`` with
  ``B_2pi = h/(e S)`` (:func:`etm.constants.field_for_2pi`);
* ``D0_eff = X / S`` with X log-uniform in [X0min, X0max]; bare ``D0 = (sqrt(3)/2) D0_eff``;
* bare well energies ``E_k = D cos(theta + 2 pi k/3)`` (:func:`etm.spectrum.ats_well_energies`),
  theta uniform: the distribution ``P*/(D0 sum E^2)`` times the polar area element on the plane
  ``sum E = 0`` is ``dtheta dD/D dD0/D0``, normalized so that theta over [0, 2 pi) gives the
  analytic model's ``2 pi nP dD/D dD0/D0``.

The spectrum is invariant under theta -> theta + 2 pi/3 (cyclic relabelling of the wells) and
under theta -> -theta (a transposition of two wells reverses the loop, phi -> -phi, and the
characteristic polynomial holds only cos(phi)). So theta in [0, pi/3] suffices; there the
lower doublet's near-degeneracy (lowest two wells equal) sits at theta = 0 and the gap grows
monotonically with theta (checked numerically in the tests).

Averages are deterministic tensor-product Gauss-Legendre quadratures over (ln D, ln D0, theta,
phase), with graded (sinh) maps where the integrand has structure near theta = 0 or phi = 0; the
node counts are set by :class:`ExactGrid`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from etm.constants import AB_K_PER_T_KA2, ANGSTROM2_M2, PHI0_T_M2, k_B
from etm.ensemble import check_orientation
from etm.params import ATSParams
from etm.spectrum import ats_levels, ats_well_energies, lower_gap, to_bare

__all__ = [
    "DEFAULT_LOOP_AREA_A2",
    "ExactGrid",
    "DEFAULT_GRID",
    "loop_phase",
    "level_heat_capacity",
    "ats_system_heat_capacity",
    "exact_heat_capacity",
    "exact_counting",
    "analytic_counting",
]

#: Default loop area S [angstrom^2] (charge e): B_2pi = h/(e S) = 41.4 T, and D0_eff = X/S spans
#: ~5-30 K for the X cutoffs of the essay's heat-capacity tables.
DEFAULT_LOOP_AREA_A2: float = 1.0e4

_PI_3 = np.pi / 3.0
_SQRT3 = np.sqrt(3.0)
#: exp(-800) underflows to exactly 0 in double precision: clipping x = E/T there gives C = 0
#: exactly at T -> 0 and keeps gap/T from ever overflowing.
_X_CLIP = 800.0


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


# ----------------------------------------------------------------------------------------------
# input checks


def _check_loop_area(loop_area_A2: float) -> float:
    try:
        S = float(loop_area_A2)
    except (TypeError, ValueError):
        raise ValueError(
            f"loop_area_A2 must be a finite number > 0 [angstrom^2], got {loop_area_A2!r}"
        ) from None
    if not np.isfinite(S) or S <= 0.0:
        raise ValueError(f"loop_area_A2 must be a finite number > 0 [angstrom^2], got {S!r}")
    return S


def _check_nonneg(name: str, x: ArrayLike, unit: str) -> NDArray[np.float64]:
    a = np.asarray(x, dtype=float)
    bad = ~np.isfinite(a) | (a < 0.0)
    if bad.any():
        raise ValueError(f"{name} must be finite and >= 0 [{unit}], got {a[bad].flat[0]!r}")
    return a


# ----------------------------------------------------------------------------------------------
# single systems


def loop_phase(B_T: ArrayLike, loop_area_A2: float, cos_beta: ArrayLike = 1.0) -> NDArray:
    """Aharonov-Bohm phase phi = 2 pi e B S cos(beta) / h of a loop of area S holding charge e.

    Parameters
    ----------
    B_T : array_like
        Field B [T].
    loop_area_A2 : float
        Loop area S [angstrom^2], > 0.
    cos_beta : array_like, optional
        Cosine of the angle between B and the loop normal (default 1).

    Returns
    -------
    ndarray
        phi [rad] = 2 pi B cos(beta) / B_2pi, B_2pi = h/(e S).

    References
    ----------
    MODEL.md section 1.

    Examples
    --------
    >>> from etm.constants import field_for_2pi
    >>> float(loop_phase(field_for_2pi(1e4), 1e4) / (2 * np.pi))
    1.0
    """
    S = _check_loop_area(loop_area_A2)
    B = np.asarray(B_T, dtype=float)
    return 2.0 * np.pi * B * np.asarray(cos_beta, dtype=float) * (S * ANGSTROM2_M2) / PHI0_T_M2


def _variance_from_excitations(x: NDArray) -> NDArray:
    """Var of the level index energy in units of T, from excitations x_k = (lambda_k - lambda_0)/T.

    ``x`` has the levels on its last axis with x_0 = 0 and x_k >= 0: the Boltzmann weights
    exp(-x_k) are <= 1 (no overflow) and Z >= 1. The variance is summed as sum p (x - <x>)^2, a
    sum of non-negative terms, instead of <x^2> - <x>^2, which cancels at low T.
    """
    w = np.exp(-x)
    p = w / np.sum(w, axis=-1, keepdims=True)
    mean = np.sum(p * x, axis=-1, keepdims=True)
    return np.sum(p * (x - mean) ** 2, axis=-1)


def _scaled(gap: NDArray, T: NDArray) -> NDArray:
    """gap/T, clipped at _X_CLIP without ever forming an overflowing quotient (T may be 0)."""
    pos = T > 0.0
    Ts = np.where(pos, T, 1.0)
    return np.where(pos, np.minimum(gap, _X_CLIP * Ts) / Ts, np.where(gap > 0.0, _X_CLIP, 0.0))


def level_heat_capacity(levels_K: ArrayLike, T_K: ArrayLike) -> NDArray[np.float64]:
    """Heat capacity of one system with the given levels, in units of k_B.

    C/k_B = (<lambda^2> - <lambda>^2) / T^2 with Boltzmann weights over all levels, evaluated
    with the levels shifted by the ground level (no overflow as T -> 0, where C -> 0).

    Parameters
    ----------
    levels_K : array_like, shape (..., n)
        Energy levels [K] on the last axis (any order).
    T_K : array_like
        Temperature [K], >= 0 (C = 0 at T = 0); broadcast against ``levels_K[..., 0]``.

    Returns
    -------
    ndarray
        C/k_B (dimensionless).

    References
    ----------
    The canonical fluctuation formula; MODEL.md section 5 (whose two-level form it generalizes).

    Examples
    --------
    A two-level system of gap 2T has C/k_B = sech^2(1):

    >>> bool(np.isclose(level_heat_capacity([0.0, 2.0], 1.0), 1 / np.cosh(1.0) ** 2))
    True
    >>> float(level_heat_capacity([0.0, 1.0, 3.0], 0.0))
    0.0
    """
    lev = np.asarray(levels_K, dtype=float)
    T = _check_nonneg("T_K", T_K, "K")
    exc = lev - np.min(lev, axis=-1, keepdims=True)
    x = _scaled(exc, T[..., None])
    return _variance_from_excitations(x)


def _system_c(D: NDArray, theta: NDArray, D0_eff: NDArray, phi: NDArray, T: ArrayLike) -> NDArray:
    """C/k_B of ATS in effective parameters (unchecked, broadcasting core of the quadrature)."""
    E = ats_well_energies(D, theta)
    _, D0b = to_bare(0.0, D0_eff)
    E1, E2, E3 = E[..., 0], E[..., 1], E[..., 2]
    # lower_gap keeps relative accuracy of a tiny doublet splitting, which the difference of two
    # nearly equal levels would lose; the third level needs no such care.
    g1 = lower_gap(E1, E2, E3, D0b, phi)
    lev = ats_levels(E1, E2, E3, D0b, phi)
    g2 = lev[..., 2] - lev[..., 0]
    x = np.stack(np.broadcast_arrays(np.zeros_like(g1), g1, g2), axis=-1)
    return _variance_from_excitations(_scaled(x, np.asarray(T, dtype=float)[..., None]))


def ats_system_heat_capacity(
    D_K: ArrayLike, theta: ArrayLike, D0_K: ArrayLike, phi: ArrayLike, T_K: ArrayLike
) -> NDArray[np.float64]:
    """Heat capacity of one three-well ATS from its full spectrum, in units of k_B.

    Parameters
    ----------
    D_K : array_like
        Effective asymmetry D [K], >= 0.
    theta : array_like
        Polar angle of the well energies on the plane sum(E) = 0 [rad].
    D0_K : array_like
        Effective tunneling energy D0_eff [K], >= 0 (bare D0 = (sqrt(3)/2) D0_eff).
    phi : array_like
        Aharonov-Bohm phase [rad] (e.g. :func:`loop_phase`).
    T_K : array_like
        Temperature [K], >= 0.

    Returns
    -------
    ndarray
        C/k_B from the three-level partition function, broadcast over the inputs.

    References
    ----------
    Essay Eqs. 6-11; MODEL.md sections 2 and 5; docs/exact.md.

    Examples
    --------
    Weak field, D << D0: a two-level system of gap sqrt(D^2 + (D0 phi)^2) (here 0.5 K at 0.25 K):

    >>> c = ats_system_heat_capacity(0.3, 0.0, 400.0, 0.4 / 400.0, 0.25)
    >>> bool(np.isclose(c, 1 / np.cosh(1.0) ** 2, rtol=1e-3))
    True
    """
    T = _check_nonneg("T_K", T_K, "K")
    D = _check_nonneg("D_K", D_K, "K")
    D0 = _check_nonneg("D0_K", D0_K, "K")
    th = np.asarray(theta, dtype=float)
    ph = np.asarray(phi, dtype=float)
    return _system_c(D, th, D0, ph, T)


# ----------------------------------------------------------------------------------------------
# quadrature nodes


def _gl(n: int) -> tuple[NDArray, NDArray]:
    """Gauss-Legendre nodes and weights on [0, 1]."""
    t, w = np.polynomial.legendre.leggauss(n)
    return 0.5 * (t + 1.0), 0.5 * w


def _sinh_nodes(b: NDArray, h: NDArray, n: int) -> tuple[NDArray, NDArray]:
    """Nodes and weights on [0, b] clustered toward 0 on the scale h: x = h sinh(s).

    Uniform Gauss-Legendre in s in [0, asinh(b/h)] puts ~n/ln(2b/h) nodes in every octave of x
    above h and a few inside [0, h]: the right grading for an integrand with structure of width
    h at 0 that varies on the scale of x itself further out. Broadcasts b, h; adds a last axis.
    """
    t, w = _gl(n)
    smax = np.arcsinh(b / h)[..., None]
    s = smax * t
    return h[..., None] * np.sinh(s), h[..., None] * np.cosh(s) * smax * w


def _lnD_nodes(params: ATSParams, scale: float, D0max: float, grid: ExactGrid):
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
    t, w = _gl(grid.n_lnD)
    width = np.diff(edges)[:, None]
    lnD = (edges[:-1, None] + width * t).ravel()
    wD = (width * w).ravel()
    D, wD = np.exp(lnD), wD
    if params.Dmax_K is None:
        tt, wt = _gl(grid.n_tail)
        D = np.concatenate([D, hi / tt])
        wD = np.concatenate([wD, wt / tt])
    return D, wD


def _lnD0_nodes(params: ATSParams, S: float, grid: ExactGrid):
    """Nodes D0_eff = X/S [K] and weights in ln D0 (they sum to ln(X0max/X0min))."""
    t, w = _gl(grid.n_lnD0)
    a, b = np.log(params.X0min_KA2 / S), np.log(params.X0max_KA2 / S)
    return np.exp(a + (b - a) * t), (b - a) * w


def _phase_nodes(phi0: float, orientation: str, h: NDArray, n: int, cuts=None):
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
    t, w = _gl(n)
    for coef, top in ((cfull, np.pi), (cpart, a)):
        if coef == 0 or top <= 0.0:
            continue
        if cuts is None:
            uf, wf = _sinh_nodes(np.full(shape, top), np.minimum(h, top), n)
            parts_u.append(uf)
            parts_w.append(coef * wf / phi0)
            continue
        c1 = np.broadcast_to(np.clip(cuts[0], 0.0, top), shape)
        c2 = np.broadcast_to(np.clip(cuts[1], c1, top), shape)
        # c1 = 0 leaves a zero-width panel: its weights vanish with the width
        c1s = np.where(c1 > 0.0, c1, top)
        uf, wf = _sinh_nodes(c1s, np.minimum(h, c1s), n)
        parts_u.append(uf)
        parts_w.append(np.where(c1[..., None] > 0.0, coef * wf / phi0, 0.0))
        for lo, hi in ((c1, c2), (c2, np.full(shape, top))):
            parts_u.append(lo[..., None] + (hi - lo)[..., None] * t)
            parts_w.append(coef * (hi - lo)[..., None] * w / phi0)
    return np.concatenate(parts_u, axis=-1), np.concatenate(parts_w, axis=-1)


def _check_common(params: ATSParams, loop_area_A2: float, orientation: str) -> float:
    if not isinstance(params, ATSParams):
        raise ValueError(f"params must be an ATSParams, got {type(params).__name__}")
    check_orientation(orientation)
    return _check_loop_area(loop_area_A2)


# ----------------------------------------------------------------------------------------------
# heat capacity


def _exact_c_one(T: float, B: float, params: ATSParams, S: float, orientation: str, grid):
    """Ensemble heat capacity / (k_B nP) at one (T, B): the tensor quadrature."""
    if T == 0.0:
        return 0.0
    D0, wD0 = _lnD0_nodes(params, S, grid)
    D, wD = _lnD_nodes(params, T, float(D0[-1]), grid)
    phi0 = float(loop_phase(B, S))
    Dg, D0g = D[:, None], D0[None, :]  # (nD, nD0)
    # phase grading: the weak-field gap sqrt(D^2 + (D0 u)^2) varies on u ~ max(D, T)/D0
    h_u = 0.5 * np.maximum(Dg, T) / D0g
    u, wu = _phase_nodes(phi0, orientation, h_u, grid.n_phase)  # (nD, nD0, nu)
    # theta grading: for D >> D0 the lower pair crosses at theta = 0 with a splitting
    # sqrt(3 D^2 theta^2 + (sqrt(3) D0)^2), so the structure has width ~ (T + D0)/D
    h_th = np.minimum(0.5 * (T + D0g) / Dg, _PI_3)
    th, wth = _sinh_nodes(np.full(h_th.shape, _PI_3), h_th, grid.n_theta)  # (nD, nD0, nth)
    c = _system_c(
        Dg[:, :, None, None],
        th[:, :, :, None],
        D0g[:, :, None, None],
        u[:, :, None, :],
        T,
    )
    # theta over [0, pi/3] stands for [0, 2 pi): weight 6 (the 2 pi nP of the distribution over
    # the theta range 2 pi becomes nP dtheta)
    inner = np.einsum("abtu,abt,abu->ab", c, wth, wu)
    return 6.0 * np.einsum("ab,a,b->", inner, wD, wD0)


def exact_heat_capacity(
    T_K: ArrayLike,
    B_T: ArrayLike,
    params: ATSParams,
    *,
    loop_area_A2: float = DEFAULT_LOOP_AREA_A2,
    orientation: str = "isotropic",
    grid: ExactGrid = DEFAULT_GRID,
) -> NDArray[np.float64]:
    """ATS heat capacity from the full three-level spectrum of every system, in J/(g K).

    C(T, B) = k_B nP * integral over ln D, theta in [0, 2 pi), ln D0_eff and the orientation of
    the single-system C/k_B (:func:`ats_system_heat_capacity`), by deterministic quadrature.

    Parameters
    ----------
    T_K : array_like
        Temperature [K], >= 0.
    B_T : array_like
        Magnetic field [T], >= 0; broadcast against ``T_K``.
    params : ATSParams
        The ATS distribution (effective parameters; X cutoffs in K*angstrom^2).
    loop_area_A2 : float, optional
        Loop area S [angstrom^2] of the charge-e loop, > 0; D0_eff = X/S and
        phi = 2 pi B S cos(beta) e/h. Default :data:`DEFAULT_LOOP_AREA_A2` (B_2pi = 41 T).
    orientation : {"isotropic", "aligned", "phi2/3"}
        cos(beta) uniform in [0, 1], cos(beta) = 1, or cos(beta) = 1/sqrt(3).
    grid : ExactGrid, optional
        Node counts (default accuracy: docs/exact.md).

    Returns
    -------
    ndarray
        C [J/(g K)], shape ``broadcast(T_K, B_T)``.

    Raises
    ------
    ValueError
        For T or B negative or not finite, loop_area_A2 <= 0, or an unknown orientation.

    Notes
    -----
    Without Dmax, the D integral runs to infinity through the map t = D_split/D (see
    docs/exact.md for why the tail is finite and smooth). A loop over the distinct (T, B) pairs
    builds one vectorized grid each.

    References
    ----------
    Essay Eqs. 6-11, 14-15; MODEL.md sections 2-5; docs/exact.md.

    Examples
    --------
    >>> from etm.heat_capacity import ats
    >>> p = ATSParams(Dmin_K=0.49, X0min_KA2=4.77e4, X0max_KA2=3.09e5, nP_per_g=5.19e16)
    >>> c = exact_heat_capacity(0.6, 0.0, p, loop_area_A2=1e3)
    >>> bool(np.isclose(c, ats(0.6, 0.0, p), rtol=1e-3))
    True
    """
    S = _check_common(params, loop_area_A2, orientation)
    T = _check_nonneg("T_K", T_K, "K")
    B = _check_nonneg("B_T", B_T, "T")
    T, B = np.broadcast_arrays(T, B)
    out = np.empty(T.shape)
    pairs = np.stack([T.ravel(), B.ravel()], axis=-1)
    uniq, inv = np.unique(pairs, axis=0, return_inverse=True)
    vals = np.array([_exact_c_one(t, b, params, S, orientation, grid) for t, b in uniq])
    out.flat[:] = vals[np.ravel(inv)]
    return k_B * params.nP_per_g * out


# ----------------------------------------------------------------------------------------------
# integrated number of excitations


def _theta_fraction(E: float, D, D0_eff, phi, n_bisect: int) -> NDArray:
    """Fraction of theta in [0, pi/3] with lower gap < E (bisection on the monotone gap)."""
    _, D0b = to_bare(0.0, D0_eff)

    def gap(th):
        Ew = ats_well_energies(D, th)
        return lower_gap(Ew[..., 0], Ew[..., 1], Ew[..., 2], D0b, phi)

    shape = np.broadcast_shapes(np.shape(D), np.shape(D0_eff), np.shape(phi))
    lo = np.zeros(shape)
    hi = np.full(shape, _PI_3)
    g_lo, g_hi = gap(lo), gap(hi)
    for _ in range(n_bisect):
        mid = 0.5 * (lo + hi)
        below = gap(mid) < E
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    frac = 0.5 * (lo + hi) / _PI_3
    return np.where(g_lo >= E, 0.0, np.where(g_hi < E, 1.0, frac))


def _gap_at(theta: float, D, D0_eff, phi):
    """Lower gap [K] at a fixed theta, effective D and D0 (broadcast)."""
    D, D0_eff, phi = np.broadcast_arrays(D, D0_eff, phi)
    Ew = ats_well_energies(D, np.full(D.shape, theta))
    _, D0b = to_bare(0.0, D0_eff)
    return lower_gap(Ew[..., 0], Ew[..., 1], Ew[..., 2], D0b, phi)


def _crossing(gap, E: float, lo, hi, n_bisect: int, *, log: bool):
    """x in [lo, hi] where the increasing function gap(x) crosses E (bisection; clipped to ends).

    Bisects in ln x if ``log``. Returns lo where gap(lo) >= E and hi where gap(hi) < E.
    """
    lo, hi = np.broadcast_arrays(np.asarray(lo, dtype=float), np.asarray(hi, dtype=float))
    fwd, inv = (np.log, np.exp) if log else (lambda x: x, lambda x: x)
    a, b = fwd(lo), fwd(hi)
    below_lo, below_hi = gap(lo) < E, gap(hi) < E
    for _ in range(n_bisect):
        mid = 0.5 * (a + b)
        below = gap(inv(mid)) < E
        a = np.where(below, mid, a)
        b = np.where(below, b, mid)
    return np.where(~below_lo, lo, np.where(below_hi, hi, inv(0.5 * (a + b))))


def _exact_n_one(E: float, B: float, params: ATSParams, S: float, orientation: str, grid):
    """N(E) / nP at one (E, B).

    The theta fraction f(D) jumps from 1 to 0 between D_b (gap(pi/3, D) = E) and D_a
    (gap(0, D) = E), with square-root edges at both ends; for D << D0 the two nearly coincide
    (the analytic sqrt(E^2 - (D0 phi)^2)). So the D nodes are built per (D0, phase) node with
    panels [Dmin, D_b], [D_b, D_a] (smoothstep-mapped, which makes the edges smooth) and
    [D_a, D_hi] plus the tail [D_hi, infinity) by t = D_hi/D.
    """
    if E <= 0.0:
        return 0.0
    Dmin = params.Dmin_K
    nb = grid.n_bisect
    D0, wD0 = _lnD0_nodes(params, S, grid)
    phi0 = float(loop_phase(B, S))
    # The D measure vanishes where the gap at D = Dmin reaches E, at theta = 0 (last systems)
    # and theta = pi/3 (first losses): kinks in the phase-carrying variable, made panel edges.
    if orientation == "isotropic" and phi0 > 0.0:
        cuts = tuple(
            _crossing(lambda x, th=th: _gap_at(th, Dmin, D0, x), E, 0.0, np.pi, nb, log=False)
            for th in (_PI_3, 0.0)
        )
        u, wu = _phase_nodes(phi0, orientation, 0.5 * max(E, Dmin) / D0, grid.n_phase, cuts)
    else:
        phi = phi0 / np.sqrt(3.0) if orientation == "phi2/3" else phi0
        # even and 2 pi-periodic: the same spectrum at the phase reduced to [0, pi]
        phi = abs(phi - 2.0 * np.pi * np.round(phi / (2.0 * np.pi)))
        lo0, hi0 = D0[0] * 0 + params.X0min_KA2 / S, params.X0max_KA2 / S
        c = [
            _crossing(lambda x, th=th: _gap_at(th, Dmin, x, phi), E, lo0, hi0, nb, log=True)
            for th in (_PI_3, 0.0)
        ]
        edges = np.log([lo0, float(c[0]), max(float(c[1]), float(c[0])), hi0])
        t0, w0 = _gl(grid.n_lnD0)
        width = np.diff(edges)[:, None]
        D0 = np.exp(edges[:-1, None] + width * t0).ravel()
        wD0 = (width * w0).ravel()
        u, wu = np.full((D0.size, 1), phi), np.ones((D0.size, 1))
    if params.Dmax_K is not None:
        Dhi = params.Dmax_K
    else:
        Dhi = max(grid.split * max(E, params.X0max_KA2 / S, Dmin), np.e * Dmin)
    D0g = D0[:, None]
    lo, hi = np.full(u.shape, Dmin), np.full(u.shape, Dhi)
    Db = _crossing(lambda x: _gap_at(_PI_3, x, D0g, u), E, lo, hi, nb, log=True)
    Da = _crossing(lambda x: _gap_at(0.0, x, D0g, u), E, lo, hi, nb, log=True)
    Da = np.maximum(Da, Db)

    t, w = _gl(grid.n_lnD)
    ts, ws = _gl(2 * grid.n_lnD)
    step, dstep = ts * ts * (3.0 - 2.0 * ts), 6.0 * ts * (1.0 - ts)
    nodes, weights = [], []
    for a_, b_, tt, ww in (
        (np.log(lo), np.log(Db), t, w),
        (np.log(Db), np.log(Da), step, ws * dstep),
    ):
        nodes.append(a_[..., None] + (b_ - a_)[..., None] * tt)
        weights.append((b_ - a_)[..., None] * ww)
    n_pan = max(int(np.ceil(np.log(Dhi / Dmin) / grid.panel_lnD)), 1)
    frac = np.linspace(0.0, 1.0, n_pan + 1)
    la, lh = np.log(Da)[..., None], np.log(Dhi)
    for f0, f1 in zip(frac[:-1], frac[1:], strict=True):
        a_, b_ = la + (lh - la) * f0, la + (lh - la) * f1
        nodes.append(a_ + (b_ - a_) * t)
        weights.append((b_ - a_) * w)
    lnD = np.concatenate(nodes, axis=-1)
    wD = np.concatenate(weights, axis=-1)
    D = np.exp(lnD)
    if params.Dmax_K is None:
        tt, wt = _gl(grid.n_tail)
        D = np.concatenate([D, np.broadcast_to(Dhi / tt, (*u.shape, tt.size))], axis=-1)
        wD = np.concatenate([wD, np.broadcast_to(wt / tt, (*u.shape, tt.size))], axis=-1)
    f = _theta_fraction(E, D, D0g[..., None], u[..., None], grid.n_bisect)
    # theta in [0, pi/3] is 1/6 of [0, 2 pi): the fraction times 2 pi gives the theta measure
    return 2.0 * np.pi * np.einsum("aud,aud,au,a->", f, wD, wu, wD0)


def exact_counting(
    E_K: ArrayLike,
    B_T: ArrayLike,
    params: ATSParams,
    *,
    loop_area_A2: float = DEFAULT_LOOP_AREA_A2,
    orientation: str = "isotropic",
    grid: ExactGrid = DEFAULT_GRID,
) -> NDArray[np.float64]:
    """Integrated number of ATS excitations per gram with lower gap lambda_1 - lambda_0 < E.

    N(E, B) = nP * measure of {(ln D, theta, ln D0, orientation): lower gap < E}, the exact
    counterpart of the analytic :func:`analytic_counting`. The theta measure is found per
    (D, D0, phi) node by bisection, the gap being monotone in theta on [0, pi/3].

    Parameters
    ----------
    E_K : array_like
        Energy E [K], >= 0.
    B_T : array_like
        Magnetic field [T], >= 0; broadcast against ``E_K``.
    params : ATSParams
        The ATS distribution (effective parameters).
    loop_area_A2 : float, optional
        Loop area S [angstrom^2], > 0 (see :func:`exact_heat_capacity`).
    orientation : {"isotropic", "aligned", "phi2/3"}
        Orientation average.
    grid : ExactGrid, optional
        Node counts.

    Returns
    -------
    ndarray
        N(E, B) [1/g], shape ``broadcast(E_K, B_T)``.

    Raises
    ------
    ValueError
        For E or B negative or not finite, loop_area_A2 <= 0, or an unknown orientation.

    References
    ----------
    Essay Eqs. 10-13; MODEL.md sections 3-4; docs/exact.md.

    Examples
    --------
    >>> p = ATSParams(Dmin_K=0.49, X0min_KA2=4.77e4, X0max_KA2=3.09e5, nP_per_g=1.0)
    >>> n = exact_counting(1.0, 0.0, p, loop_area_A2=1e3)
    >>> bool(np.isclose(n, analytic_counting(1.0, 0.0, p), rtol=1e-3))
    True
    """
    S = _check_common(params, loop_area_A2, orientation)
    E = _check_nonneg("E_K", E_K, "K")
    B = _check_nonneg("B_T", B_T, "T")
    E, B = np.broadcast_arrays(E, B)
    out = np.empty(E.shape)
    pairs = np.stack([E.ravel(), B.ravel()], axis=-1)
    uniq, inv = np.unique(pairs, axis=0, return_inverse=True)
    vals = np.array([_exact_n_one(e, b, params, S, orientation, grid) for e, b in uniq])
    out.flat[:] = vals[np.ravel(inv)]
    return params.nP_per_g * out


def _analytic_n_one(E: float, B: float, params: ATSParams, orientation: str, n: int) -> float:
    """Analytic N(E)/(2 pi nP): D integrated in closed form, then ln X and cos(beta) by GL."""
    Dmin, Dmax = params.Dmin_K, params.Dmax_K
    if E <= Dmin:
        return 0.0
    lnr = np.log(params.X0max_KA2 / params.X0min_KA2)
    Dtop = E if Dmax is None else min(E, Dmax)
    kappa = AB_K_PER_T_KA2 * B
    if orientation == "phi2/3":
        kappa /= np.sqrt(3.0)
    if kappa == 0.0:
        return lnr * np.log(Dtop / Dmin)

    # For a system with y = D0 phi the gap is below E for Dmin <= D < sqrt(E^2 - y^2) (and
    # D <= Dmax): ln D measure L(y) = ln(min(Dmax, sqrt(E^2 - y^2))/Dmin), zero for y >= yk.
    yk = np.sqrt(E * E - Dmin * Dmin)
    ybreak = [] if (Dmax is None or Dmax >= E) else [np.sqrt(E * E - Dmax * Dmax)]
    t, w = _gl(n)

    def L(y):
        Dup = np.sqrt(np.maximum(E * E - y * y, Dmin * Dmin))
        if Dmax is not None:
            Dup = np.minimum(Dup, Dmax)
        return np.log(Dup / Dmin)

    def over_lnX(c):
        """Integral over ln X of L(kappa c X), split where L has kinks (c: 1-d array)."""
        total = np.zeros_like(c)
        a = np.full_like(c, np.log(params.X0min_KA2))
        b = np.full_like(c, np.log(params.X0max_KA2))
        cs = np.where(c > 0, c, 1.0)
        cuts = [np.log(yy / (kappa * cs)) for yy in (*ybreak, yk)]
        pts = [a] + [np.clip(ct, a, b) for ct in cuts]
        # beyond yk, L = 0: integrate only up to the last cut
        for lo, hi in zip(pts[:-1], pts[1:], strict=True):
            x = lo[:, None] + (hi - lo)[:, None] * t
            total += np.sum(L(kappa * c[:, None] * np.exp(x)) * w, axis=-1) * (hi - lo)
        return np.where(c > 0, total, lnr * L(0.0))

    if orientation in ("aligned", "phi2/3"):
        return float(over_lnX(np.array([1.0]))[0])
    # cos(beta) uniform: kinks of the ln X integral where a cut crosses X0min or X0max
    cb = sorted(
        {0.0, 1.0}
        | {
            float(yy / (kappa * X))
            for yy in (*ybreak, yk)
            for X in (params.X0min_KA2, params.X0max_KA2)
            if 0.0 < yy / (kappa * X) < 1.0
        }
    )
    edges = np.array(cb)
    c = (edges[:-1, None] + np.diff(edges)[:, None] * t).ravel()
    wc = (np.diff(edges)[:, None] * w).ravel()
    return float(np.sum(over_lnX(c) * wc))


def analytic_counting(
    E_K: ArrayLike, B_T: ArrayLike, params: ATSParams, orientation: str = "isotropic"
) -> NDArray[np.float64]:
    """Integrated number N(E, B) = integral of the analytic ATS DOS from 0 to E, per gram.

    Counts the analytic model's systems with weak-field gap sqrt(D^2 + (D0 phi)^2) < E: the D
    integral is closed form (ln of the allowed D range), ln X and cos(beta) are Gauss-Legendre
    with panels split at every kink, so N is accurate to ~1e-12 relative. By construction
    dN/dE = :func:`etm.ensemble.ats_dos` (tested).

    Parameters
    ----------
    E_K : array_like
        Energy E [K], >= 0.
    B_T : array_like
        Magnetic field [T], >= 0; broadcast against ``E_K``.
    params : ATSParams
        The ATS distribution.
    orientation : {"isotropic", "aligned", "phi2/3"}
        Orientation average, as in :func:`etm.ensemble.ats_dos`.

    Returns
    -------
    ndarray
        N(E, B) [1/g].

    References
    ----------
    Essay Eqs. 12-13; MODEL.md section 4.

    Examples
    --------
    At B = 0, N = 2 pi nP ln(X0max/X0min) ln(E/Dmin) for E > Dmin:

    >>> p = ATSParams(Dmin_K=0.5, X0min_KA2=5e4, X0max_KA2=3e5, nP_per_g=1.0)
    >>> bool(np.isclose(analytic_counting(1.0, 0.0, p), 2 * np.pi * np.log(6) * np.log(2)))
    True
    """
    check_orientation(orientation)
    E = _check_nonneg("E_K", E_K, "K")
    B = _check_nonneg("B_T", B_T, "T")
    E, B = np.broadcast_arrays(E, B)
    vals = [
        _analytic_n_one(float(e), float(b), params, orientation, 24)
        for e, b in zip(E.ravel(), B.ravel(), strict=True)
    ]
    return 2.0 * np.pi * params.nP_per_g * np.array(vals, dtype=float).reshape(E.shape)
