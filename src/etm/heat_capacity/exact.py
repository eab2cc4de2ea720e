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

import numpy as np
from numpy.typing import ArrayLike, NDArray

from etm.checks import check_nonneg
from etm.constants import k_B
from etm.ensemble import (
    DEFAULT_GRID,
    ExactGrid,
    lnD0_nodes,
    lnD_nodes,
    phase_nodes,
    sinh_nodes,
)
from etm.heat_capacity._exact_kernels import exact_c_sums
from etm.materials.coerce import as_ats
from etm.params import ATSParams
from etm.spectrum import ats_levels, ats_well_energies, lower_gap, to_bare
from etm.threelevel.route import DEFAULT_LOOP_AREA_A2, ExactOptions, loop_phase, map_points

__all__ = [
    "level_heat_capacity",
    "ats_system_heat_capacity",
    "exact_heat_capacity",
    "exact_nodes",
]

_PI_3 = np.pi / 3.0
_SQRT3 = np.sqrt(3.0)
#: exp(-800) underflows to exactly 0 in double precision: clipping x = E/T there gives C = 0
#: exactly at T -> 0 and keeps gap/T from ever overflowing.
_X_CLIP = 800.0


# ----------------------------------------------------------------------------------------------
# input checks


# ----------------------------------------------------------------------------------------------
# single systems


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
    The canonical fluctuation formula; docs/dos.md (whose two-level form it generalizes).

    Examples
    --------
    A two-level system of gap 2T has C/k_B = sech^2(1):

    >>> bool(np.isclose(level_heat_capacity([0.0, 2.0], 1.0), 1 / np.cosh(1.0) ** 2))
    True
    >>> float(level_heat_capacity([0.0, 1.0, 3.0], 0.0))
    0.0
    """
    lev = np.asarray(levels_K, dtype=float)
    T = check_nonneg("T_K", T_K, "K")
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
    Essay Eqs. 6-11; docs/conventions.md; docs/exact.md.

    Examples
    --------
    Weak field, D << D0: a two-level system of gap sqrt(D^2 + (D0 phi)^2) (here 0.5 K at 0.25 K):

    >>> c = ats_system_heat_capacity(0.3, 0.0, 400.0, 0.4 / 400.0, 0.25)
    >>> bool(np.isclose(c, 1 / np.cosh(1.0) ** 2, rtol=1e-3))
    True
    """
    T = check_nonneg("T_K", T_K, "K")
    D = check_nonneg("D_K", D_K, "K")
    D0 = check_nonneg("D0_K", D0_K, "K")
    th = np.asarray(theta, dtype=float)
    ph = np.asarray(phi, dtype=float)
    return _system_c(D, th, D0, ph, T)


# ----------------------------------------------------------------------------------------------
# quadrature nodes


# ----------------------------------------------------------------------------------------------
# heat capacity


def exact_nodes(
    T: float, B: float, params: ATSParams, S: float, orientation: str, grid: ExactGrid
) -> tuple[NDArray, ...]:
    """The (D, D0, theta, phase) nodes and weights of the heat capacity's quadrature at (T, B).

    Parameters
    ----------
    T : float
        Temperature [K] that grades the nodes (> 0).
    B : float
        Field [T], >= 0.
    params : ATSParams
        The distribution.
    S : float
        Loop area [angstrom^2], > 0 (checked by :func:`check_exact_inputs`).
    orientation : str
        As in :func:`exact_heat_capacity`.
    grid : ExactGrid
        Node counts.

    Returns
    -------
    tuple of ndarray
        ``D, wD`` (nD,), ``D0, wD0`` (nD0,) [K and ln-weights], ``th, wth`` (nD, nD0, nth)
        [rad], ``u, wu`` (nD, nD0, nu) [rad], C-contiguous: the arguments of
        :func:`etm.heat_capacity._exact_kernels.exact_c_sums` before the temperatures.

    References
    ----------
    docs/exact.md (the measure and its gradings).

    Examples
    --------
    >>> p = ATSParams(Dmin_K=0.49, X0min_KA2=4.77e4, X0max_KA2=3.09e5, nP_per_g=5.19e16)
    >>> [a.shape for a in exact_nodes(0.6, 1.0, p, 1e4, "isotropic", DEFAULT_GRID)][4:]
    [(80, 10, 24), (80, 10, 24), (80, 10, 20), (80, 10, 20)]
    """
    D0, wD0 = lnD0_nodes(params, S, grid)
    D, wD = lnD_nodes(params, T, float(D0[-1]), grid)
    phi0 = float(loop_phase(B, S))
    Dg, D0g = D[:, None], D0[None, :]  # (nD, nD0)
    # phase grading: the weak-field gap sqrt(D^2 + (D0 u)^2) varies on u ~ max(D, T)/D0
    h_u = 0.5 * np.maximum(Dg, T) / D0g
    u, wu = phase_nodes(phi0, orientation, h_u, grid.n_phase)  # (nD, nD0, nu)
    # theta grading: for D >> D0 the lower pair crosses at theta = 0 with a splitting
    # sqrt(3 D^2 theta^2 + (sqrt(3) D0)^2), so the structure has width ~ (T + D0)/D
    h_th = np.minimum(0.5 * (T + D0g) / Dg, _PI_3)
    th, wth = sinh_nodes(np.full(h_th.shape, _PI_3), h_th, grid.n_theta)  # (nD, nD0, nth)
    u = np.ascontiguousarray(np.broadcast_to(u, th.shape[:2] + u.shape[2:]))
    wu = np.ascontiguousarray(np.broadcast_to(wu, u.shape))
    return D, wD, D0, wD0, np.ascontiguousarray(th), np.ascontiguousarray(wth), u, wu


def _exact_c_one(T: float, B: float, params: ATSParams, S: float, orientation: str, grid):
    """Ensemble heat capacity / (k_B nP) at one (T, B): the compiled tensor quadrature."""
    if T == 0.0:
        return 0.0
    nodes = exact_nodes(T, B, params, S, orientation, grid)
    return float(exact_c_sums(*nodes, np.array([float(T)]))[0])


def _exact_c_one_numpy(T: float, B: float, params: ATSParams, S: float, orientation: str, grid):
    """:func:`_exact_c_one` by numpy arrays over all systems (the reference of the tests)."""
    if T == 0.0:
        return 0.0
    D, wD, D0, wD0, th, wth, u, wu = exact_nodes(T, B, params, S, orientation, grid)
    c = _system_c(
        D[:, None, None, None],
        th[:, :, :, None],
        D0[None, :, None, None],
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
    workers: int | None = None,
    reference: bool = False,
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
    workers : int or None, optional
        Threads over the distinct (T, B) points (>= 1; default
        :func:`etm.chunks.default_workers`); the result does not depend on it.
    reference : bool, optional
        Evaluate by numpy arrays over all systems of a point (the former route, kept as the
        reference of the compiled kernel; ~40x slower).

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
    docs/exact.md for why the tail is finite and smooth). Each distinct (T, B) pair builds its
    nodes and sums over them in one compiled, vectorized pass (one closed-form cubic per
    system, both gaps from it; :mod:`etm.heat_capacity._exact_kernels`, docs/performance.md);
    memory per pair is its node arrays (~1 MB), whatever the number of pairs.

    References
    ----------
    Essay Eqs. 6-11, 14-15; docs/conventions.md; docs/exact.md.

    Examples
    --------
    >>> from etm.heat_capacity import ats
    >>> p = ATSParams(Dmin_K=0.49, X0min_KA2=4.77e4, X0max_KA2=3.09e5, nP_per_g=5.19e16)
    >>> c = exact_heat_capacity(0.6, 0.0, p, loop_area_A2=1e3)
    >>> bool(np.isclose(c, ats(0.6, 0.0, p), rtol=1e-3))
    True
    """
    params = as_ats(params)
    o = ExactOptions(loop_area_A2=loop_area_A2, orientation=orientation, grid=grid, workers=workers)
    S, nthreads = o.loop_area_A2, o.workers
    T = check_nonneg("T_K", T_K, "K")
    B = check_nonneg("B_T", B_T, "T")
    T, B = np.broadcast_arrays(T, B)
    one = _exact_c_one_numpy if reference else _exact_c_one
    vals = map_points(lambda t, b: one(t, b, params, S, orientation, grid), T, B, workers=nthreads)
    return k_B * params.nP_per_g * vals
