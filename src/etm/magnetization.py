"""Magnetization of a glass in a field: Fe2+/Fe3+ paramagnetism and the ATS orbital moment.

The essay's section 4.2 fits the paramagnetic magnetization of its glasses (its ref. [42]). Here
M(T, B) is the sum of

* the impurities: free spins S with g factor g (Brillouin), n g mu_B <m_S> per gram, with the
  spins of the heat capacity (:data:`etm.params.FE2_SPIN`, ``FE3_SPIN``; :mod:`etm.heat_capacity`);
* the ATS: M = -dF/dB of the ensemble's free energy. Weak field (:func:`ats`): every system is a
  doublet of gap E = sqrt(D^2 + (D0 phi)^2), F = -k_B T ln(2 cosh(E/2T)), so a system carries
  (k_B/2) tanh(E/2T) y^2/(E B) with y = D0 phi. Exact (:func:`exact_ats`): the full three-level
  spectrum of Eq. 6, which needs the loop area S besides X (as :mod:`etm.heat_capacity.exact`);
* the 2LS: zero (field-blind in the standard model).

Units: moments in J/T (= A m^2); magnetizations per gram in **J/(T g) = A m^2/g** (1 J/(T g) =
1e3 emu/g = 1e3 A m^2/kg), like the heat capacity's J/(g K). Energies inside are in kelvin.
Derivations: docs/magnetization.md.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from etm.checks import check_array, check_positive
from etm.chunks import chunk_length, chunk_slices
from etm.constants import ANGSTROM2_M2, PHI0_T_M2, k_B, mu_B, mu_B_K_per_T
from etm.ensemble import (
    DEFAULT_GRID,
    ExactGrid,
    check_orientation,
    coupling,
    lnD0_nodes,
    lnD_nodes,
    response_grid,
    sinh_nodes,
    y_pieces,
)
from etm.materials.coerce import as_ats, as_material
from etm.params import FE3_G, FE3_SPIN, ATSParams, Material, Paramagnet
from etm.spectrum import ats_levels, ats_well_energies, lower_gap, to_bare
from etm.threelevel.route import DEFAULT_LOOP_AREA_A2, check_exact_inputs

__all__ = [
    "paramagnet",
    "impurities",
    "ats",
    "ats_system_moment",
    "exact_ats",
    "components",
    "total",
]

_PI_3 = np.pi / 3.0
#: Working memory of one (field or point, energy node) in :func:`ats` [bytes]: the energy grid,
#: its weights, the shell integral's temporaries on each y piece (with the gaps E^2 - y^2 of
#: both ends and the stable artanh), the rows and tanh: 48 arrays, with a margin over the
#: peak that tests/test_memory.py measures (200000 points 46 MB above 20000, limit 60 MB).
_BYTES_PER_NODE = 8.0 * 48
#: Fields [T] below which the ATS magnetization is evaluated at B_LIN_T and scaled linearly
#: (the O(B^3) term is ~(b X0max/Dmin)^2 ~ 1e-17 relative there).
B_LIN_T: float = 1e-8


def _check_spin(S: float, g: float) -> tuple[float, float]:
    S = check_positive("S", S)
    if abs(2 * S - round(2 * S)) > 1e-12:
        raise ValueError(f"S must be a positive multiple of 1/2, got {S!r}")
    return S, check_positive("g", g)


def _coth_difference(n: float, y: NDArray) -> NDArray:
    """(n/2) coth(n y/2) - (1/2) coth(y/2) for y >= 0 (0 at y = 0), without 0/0 or overflow."""
    small = n * y < 2e-2
    ys = np.where(small, 1.0, y)
    direct = 0.5 * n / np.tanh(0.5 * n * ys) - 0.5 / np.tanh(0.5 * ys)
    # the coth series 1/z + z/3 - z^3/45 + 2 z^5/945: the 1/z poles cancel; the next term
    # (z^7) is < 1e-16 relative at n y < 2e-2
    series = y * (n**2 - 1) / 12.0 - y**3 * (n**4 - 1) / 720.0 + (0.5 * y) ** 5 * (n**6 - 1) / 945.0
    return np.where(small, series, direct)


def paramagnet(
    T_K: ArrayLike, B_T: ArrayLike, S: float = FE3_SPIN, g: float = FE3_G
) -> NDArray[np.float64]:
    """Mean moment of one free spin S along B (Brillouin), in J/T.

    ``<mu> = g mu_B [((2S+1)/2) coth((2S+1) y/2) - (1/2) coth(y/2)] = g mu_B S B_S(S y)`` with
    ``y = g mu_B B/(k_B T)``; Curie law ``g^2 mu_B^2 S(S+1) B/(3 k_B T)`` for y << 1, saturation
    ``g mu_B S`` for y >> 1. No zero-field splitting (as :func:`etm.heat_capacity.zeeman_schottky`).

    Parameters
    ----------
    T_K : array_like
        Temperature T [K], > 0.
    B_T : array_like
        Field B [T], >= 0; broadcast against ``T_K``.
    S : float
        Spin (a positive multiple of 1/2); default Fe3+, S = 5/2 (Fe2+: :data:`FE2_SPIN` = 2).
    g : float
        g factor, > 0 (default 2).

    Returns
    -------
    ndarray
        <mu> [J/T] per ion.

    References
    ----------
    The essay's section 4.2 (Fe paramagnetism, Tables 1 and 3); docs/magnetization.md.

    Examples
    --------
    >>> from etm.constants import mu_B
    >>> round(float(paramagnet(1e-3, 10.0) / mu_B), 6)  # saturated: g S = 5
    5.0
    """
    T = check_array("T_K", T_K, strict=True)
    B = check_array("B_T", B_T)
    S, g = _check_spin(S, g)
    y = g * mu_B_K_per_T * B / T
    return g * mu_B * _coth_difference(2.0 * S + 1.0, y)


def impurities(
    T_K: ArrayLike, B_T: ArrayLike, paramagnets: Sequence[Paramagnet]
) -> NDArray[np.float64]:
    """Magnetization of dilute paramagnetic impurities, sum of n_i <mu>_i, in J/(T g).

    Parameters
    ----------
    T_K : array_like
        Temperature [K], > 0.
    B_T : array_like
        Field [T], >= 0.
    paramagnets : sequence of Paramagnet
        The impurities (concentration n_per_g [1/g], S, g), e.g. ``Material.paramagnets``.

    Returns
    -------
    ndarray
        M [J/(T g)] = [A m^2/g].

    Examples
    --------
    >>> m = impurities(300.0, 0.0, [Paramagnet(1e17, 2.5, 2.0)])
    >>> float(m)
    0.0
    """
    T = check_array("T_K", T_K, strict=True)
    B = check_array("B_T", B_T)
    T, B = np.broadcast_arrays(T, B)
    out = np.zeros(T.shape)
    for pm in paramagnets:
        out = out + pm.n_per_g * paramagnet(T, B, pm.S, pm.g)
    return out


# ----------------------------------------------------------------------------------------------
# ATS, weak field


def _artanh_minus(u: NDArray) -> NDArray:
    """artanh(u) - u for 0 <= u < 1, with its series u^3/3 + u^5/5 + ... where it cancels."""
    small = u < 0.1
    us = np.where(small, 0.0, u)
    # sum_{k=1}^{9} u^(2k+1)/(2k+1) (error < 0.01^9) by Horner's rule in u^2: nine
    # multiply-adds instead of nine powers (the powers were most of an M(T) curve's time)
    u2 = u * u
    acc = np.full(np.shape(u), 1.0 / 19.0)
    for k in range(8, 0, -1):
        acc = acc * u2 + 1.0 / (2 * k + 1)
    series = acc * u2 * u
    return np.where(small, series, np.arctanh(us) - us)


def _artanh_ratio_minus(y: NDArray, E: NDArray, gap2: NDArray) -> NDArray:
    """artanh(y/E) - y/E for 0 <= y < E, given gap2 = E^2 - y^2 (> 0): near y = E from
    (1/2) ln((E + y)^2 / gap2), so that a gap of D^2 << E^2 (lost when y/E rounds to 1) stays
    finite; the series of :func:`_artanh_minus` where y/E < 0.1."""
    u = y / E
    small = u < 0.1
    with np.errstate(divide="ignore"):
        big = 0.5 * np.log(np.where(small, 1.0, (E + y) ** 2 / gap2)) - u
    return np.where(small, _artanh_minus(np.where(small, u, 0.0)), big)


def _shell_y2(E: NDArray, b: NDArray, p: ATSParams, orientation: str) -> NDArray:
    """Integral of w(y) y^2/(E^2 - y^2) dy over the allowed y at gap E (b > 0), closed form.

    On a piece with w = const + inv/y: const [E (artanh(y/E) - y/E)] + inv [-ln(E^2 - y^2)/2].
    E^2 - y^2 = D^2 >= Dmin^2 on the allowed range; computed as E^2 - y^2 it rounds to 0 when
    Dmin^2 < 1e-16 E^2 (a large X0max at a high field), so it is floored at Dmin^2 there.
    """
    out = np.zeros(np.broadcast(E, b).shape)
    floor = p.Dmin_K**2
    for lo, hi, const, inv in y_pieces(E, b, p, orientation):
        ok = hi > lo
        lo_s = np.where(ok, lo, 0.0)
        hi_s = np.where(ok, hi, 0.0)
        gap_hi = np.maximum(E * E - hi_s**2, floor)
        gap_lo = np.maximum(E * E - lo_s**2, floor)
        piece = (
            const
            * E
            * (_artanh_ratio_minus(hi_s, E, gap_hi) - _artanh_ratio_minus(lo_s, E, gap_lo))
        )
        if np.any(inv):
            piece = piece + inv * 0.5 * np.log1p((hi_s**2 - lo_s**2) / gap_hi)
        out = out + np.where(ok, piece, 0.0)
    return out


def ats(
    T_K: ArrayLike,
    B_T: ArrayLike,
    params: ATSParams,
    *,
    orientation: str = "isotropic",
    memory_MB: float | None = None,
) -> NDArray[np.float64]:
    """Weak-field ATS magnetization M = -dF/dB of the ensemble, in J/(T g).

    Each system is a doublet of gap E = sqrt(D^2 + y^2), y = D0 phi = b X cos(beta); with
    F = -k_B T ln(2 cosh(E/2T)) and dE/dB = y^2/(E B) it carries (k_B/2) tanh(E/2T) y^2/(E B).
    Averaged over the distribution (docs/magnetization.md)::

        M = (pi nP k_B / B) * integral_Dmin^inf dE tanh(E/2T) Y2(E, B),
        Y2 = integral w(y) y^2/(E^2 - y^2) dy           (closed form on the shell pieces)

    with the shell density w(y) of :mod:`etm.ensemble.shells`, on the energy panels of
    :func:`etm.ensemble.response_grid` (Y2 falls like 1/E^2: the tail is mapped to [0, 1]).

    Parameters
    ----------
    T_K : array_like
        Temperature [K], > 0.
    B_T : array_like
        Field [T], >= 0; broadcast against ``T_K``. M = 0 at B = 0.
    params : ATSParams
        The ATS distribution (effective parameters).
    orientation : {"isotropic", "aligned", "phi2/3"}
        Loop orientation average, as in :func:`etm.ensemble.ats_dos`.
    memory_MB : float or None
        Working-memory budget [MB] (:mod:`etm.chunks`): the fields and then the points are
        taken in chunks whose energy grids fit it, so the peak memory does not grow with the
        number of points beyond ~50 bytes per point (inputs, index arrays, result). The result
        does not depend on it.

    Returns
    -------
    ndarray
        M_ATS [J/(T g)], >= 0 (paramagnetic: a field lowers each ground level).

    References
    ----------
    The essay's section 4.2 and Eq. 12-13; docs/magnetization.md.

    Examples
    --------
    >>> p = ATSParams(Dmin_K=0.49, X0min_KA2=4.77e4, X0max_KA2=3.09e5, nP_per_g=5.19e16)
    >>> m = ats(0.6, [0.0, 1.0, 2.0], p)
    >>> bool(m[0] == 0.0 and 0 < m[1] < m[2])
    True
    """
    params = as_ats(params)
    check_orientation(orientation)
    T = check_array("T_K", T_K, strict=True)
    B = check_array("B_T", B_T)
    T, B = np.broadcast_arrays(T, B)
    out = np.zeros(T.shape)
    on = B > 0
    if not on.any() or params.nP_per_g == 0.0:
        return out
    Tf, Bin = T[on], B[on]
    # below B_LIN_T, M is linear in B to ~1e-17 relative: evaluate there and scale (y^2 would
    # underflow for B < 1e-150 T)
    Bf = np.maximum(Bin, B_LIN_T)
    Bu, inv = np.unique(Bf, return_inverse=True)
    inv = inv.reshape(-1)
    # the grid's top and refinement follow every field and the extreme temperatures, so a
    # chunk's rows equal those of one grid over all fields (etm.ensemble.response_grid)
    T_span = np.array([Tf.min(), Tf.max()])
    E, _, Et, _ = response_grid(Bu[:1], T_span, params, orientation, all_fields_T=Bu)
    length = chunk_length(_BYTES_PER_NODE * (E.shape[1] + Et.shape[1]), memory_MB=memory_MB)
    order = np.argsort(inv, kind="stable")
    starts = np.searchsorted(inv[order], np.arange(0, Bu.size + length, length))
    vals = np.empty(Tf.size)
    for k, fs in enumerate(chunk_slices(Bu.size, length)):
        E, dE, Et, dEt = response_grid(Bu[fs], T_span, params, orientation, all_fields_T=Bu)
        E, dE = np.concatenate([E, Et], axis=1), np.concatenate([dE, dEt], axis=1)
        b = coupling(Bu[fs], orientation)[:, None]
        wY = _shell_y2(E, b, params, orientation) * dE  # (fields of the chunk, K)
        points = order[starts[k] : starts[k + 1]]
        for ps in chunk_slices(points.size, length):
            i = points[ps]
            rows = inv[i] - fs.start
            vals[i] = np.einsum("nk,nk->n", wY[rows], np.tanh(E[rows] / (2.0 * Tf[i, None])))
    out[on] = np.pi * params.nP_per_g * k_B * vals / Bf * (Bin / Bf)
    return out


# ----------------------------------------------------------------------------------------------
# ATS, exact three levels


def _rel_expm1(x: NDArray) -> NDArray:
    """(1 - exp(-x))/x for x >= 0, 1 at x = 0."""
    small = x < 1e-8
    xs = np.where(small, 1.0, x)
    return np.where(small, 1.0 - 0.5 * x, -np.expm1(-xs) / xs)


def _dF_dphi(D: NDArray, theta: NDArray, D0_eff: NDArray, phi: NDArray, T: NDArray) -> NDArray:
    """dF/dphi [K] of one three-level ATS (Boltzmann mean of dlambda_k/dphi), unchecked.

    From the characteristic polynomial lambda^3 + p lambda + r, r = -(E1E2E3 + 2 D0^3 cos phi):
    dlambda_k/dphi = -2 D0^3 sin(phi) / prod_{j != k}(lambda_k - lambda_j). With the gaps
    g1 = lambda1 - lambda0, g2 = lambda2 - lambda0 the Boltzmann mean is (docs/magnetization.md)
    -2 D0^3 sin(phi) [p0 r(g1/T) - p1 r((g2 - g1)/T)] / (g2 T), r(x) = (1 - e^-x)/x: no division
    by the doublet's gap, finite at every (near) degeneracy.
    """
    E = ats_well_energies(D, theta)
    _, D0b = to_bare(0.0, D0_eff)
    E1, E2, E3 = E[..., 0], E[..., 1], E[..., 2]
    g1 = lower_gap(E1, E2, E3, D0b, phi)
    lev = ats_levels(E1, E2, E3, D0b, phi)
    g2 = lev[..., 2] - lev[..., 0]
    g1 = np.minimum(g1, g2)
    # exp(-x) underflows to 0 (silently) at large x: the Boltzmann weights need no clipping
    x1, x2 = g1 / T, g2 / T
    Z = 1.0 + np.exp(-x1) + np.exp(-x2)
    p0, p1 = 1.0 / Z, np.exp(-x1) / Z
    bracket = p0 * _rel_expm1(x1) - p1 * _rel_expm1(x2 - x1)
    return -2.0 * D0b**3 * np.sin(phi) * bracket / (g2 * T)


def ats_system_moment(
    T_K: ArrayLike,
    B_T: ArrayLike,
    D_K: ArrayLike,
    theta: ArrayLike,
    D0_K: ArrayLike,
    *,
    loop_area_A2: float = DEFAULT_LOOP_AREA_A2,
    cos_beta: ArrayLike = 1.0,
) -> NDArray[np.float64]:
    """Thermal moment -dF/dB of one three-well ATS from its full spectrum, in J/T.

    Parameters
    ----------
    T_K : array_like
        Temperature [K], > 0.
    B_T : array_like
        Field [T], >= 0.
    D_K : array_like
        Effective asymmetry D [K], >= 0.
    theta : array_like
        Polar angle of the well energies on the plane sum(E) = 0 [rad].
    D0_K : array_like
        Effective tunneling energy D0_eff [K], > 0 (bare D0 = (sqrt(3)/2) D0_eff).
    loop_area_A2 : float
        Loop area S [angstrom^2] of the charge-e loop, > 0: phi = 2 pi e B S cos(beta)/h.
    cos_beta : array_like
        Cosine of the angle between B and the loop's normal.

    Returns
    -------
    ndarray
        -dF/dB [J/T], broadcast over the inputs.

    References
    ----------
    Essay Eqs. 6-8; docs/magnetization.md; docs/exact.md (the mapping of one system).

    Examples
    --------
    Weak field, D << D0: (k_B/2) tanh(E/2T) y^2/(E B) with E = hypot(D, y):

    >>> from etm.constants import AB_K_PER_T_KA2, k_B
    >>> y = AB_K_PER_T_KA2 * 1.0 * 400.0 * 1e3  # D0_eff = 400 K, S = 1e3 A^2, B = 1 T
    >>> E = np.hypot(0.3, y)
    >>> m = ats_system_moment(0.25, 1.0, 0.3, 0.0, 400.0, loop_area_A2=1e3)
    >>> bool(np.isclose(m, k_B / 2 * np.tanh(E / 0.5) * y**2 / E, rtol=1e-2))
    True
    """
    S = check_positive("loop_area_A2", loop_area_A2)
    T = check_array("T_K", T_K, strict=True)
    B = check_array("B_T", B_T)
    D = check_array("D_K", D_K)
    D0 = check_array("D0_K", D0_K, strict=True)
    cb = np.asarray(cos_beta, dtype=float)
    dphi_dB = 2.0 * np.pi * cb * (S * ANGSTROM2_M2) / PHI0_T_M2
    phi = dphi_dB * B
    th = np.asarray(theta, dtype=float)
    return -k_B * _dF_dphi(D, th, D0, phi, T) * dphi_dB


def _phase_moment_nodes(phi0: float, orientation: str, h: NDArray, n: int):
    """Phases u and weights c whose sum of c * f(u) is the orientation average of -phi f(phi).

    f = dF/dphi is odd and 2 pi-periodic, so the isotropic average (1/phi0) integral_0^phi0
    u f(u) du folds onto [0, pi]: with phi0 = K pi + r and G0, G1 the integrals of f and v f over
    [0, pi], the K full half-periods give -K pi G0 [K even] + K G1, and the rest [K pi, phi0] maps
    onto [0, r] (K even) or [pi - r, pi] (K odd) (docs/magnetization.md). Returns (u, -weights).
    """
    shape = h.shape
    if orientation != "isotropic":
        u0 = phi0 / np.sqrt(3.0) if orientation == "phi2/3" else phi0
        u = np.full((*shape, 1), u0)
        return u, -u
    K = int(np.floor(phi0 / np.pi))
    r = phi0 - K * np.pi
    us, cs = [], []

    def add(top: float, coef_f: float, coef_vf: float) -> None:
        if top <= 0.0 or (coef_f == 0.0 and coef_vf == 0.0):
            return
        u, w = sinh_nodes(np.full(shape, top), np.minimum(h, top), n)
        us.append(u)
        cs.append(w * (coef_f + coef_vf * u))

    Kpi = K * np.pi
    # full half-periods: sum over k < K of (k pi G0 + G1) [k even], (-(k+1) pi G0 + G1) [k odd]
    add(np.pi, -Kpi if K % 2 == 0 else 0.0, float(K))
    if K % 2 == 0:  # [K pi, K pi + r] -> v in [0, r]: K pi F(r) + int_0^r v f
        add(r, Kpi, 1.0)
    else:  # -[(K+1) pi int f - int v f] over [pi - r, pi] = [0, pi] minus [0, pi - r]
        add(np.pi, -(Kpi + np.pi), 1.0)
        add(np.pi - r, Kpi + np.pi, -1.0)
    return np.concatenate(us, axis=-1), -np.concatenate(cs, axis=-1) / phi0


def _exact_m_one(T: float, B: float, params: ATSParams, S: float, orientation: str, grid):
    """Ensemble -dF/dB / (k_B nP) at one (T, B) [1/T * K]: the exact route's tensor quadrature."""
    D0, wD0 = lnD0_nodes(params, S, grid)
    D, wD = lnD_nodes(params, T, float(D0[-1]), grid)
    dphi_dB = 2.0 * np.pi * (S * ANGSTROM2_M2) / PHI0_T_M2
    phi0 = dphi_dB * B
    Dg, D0g = D[:, None], D0[None, :]
    h_u = 0.5 * np.maximum(Dg, T) / D0g
    u, cu = _phase_moment_nodes(phi0, orientation, h_u, grid.n_phase)  # (nD, nD0, nu)
    h_th = np.minimum(0.5 * (T + D0g) / Dg, _PI_3)
    th, wth = sinh_nodes(np.full(h_th.shape, _PI_3), h_th, grid.n_theta)
    f = _dF_dphi(
        Dg[:, :, None, None], th[:, :, :, None], D0g[:, :, None, None], u[:, :, None, :], T
    )
    # sum of c u f = orientation average of -phi f(phi); M = that / B (dphi/dB = phi/B)
    inner = np.einsum("abtu,abt,abu->ab", f, wth, cu)
    return 6.0 * np.einsum("ab,a,b->", inner, wD, wD0) / B


def exact_ats(
    T_K: ArrayLike,
    B_T: ArrayLike,
    params: ATSParams,
    *,
    loop_area_A2: float = DEFAULT_LOOP_AREA_A2,
    orientation: str = "isotropic",
    grid: ExactGrid = DEFAULT_GRID,
) -> NDArray[np.float64]:
    """ATS magnetization -dF/dB from the full three-level spectrum of every system, in J/(T g).

    The same deterministic quadrature over (ln D, theta, ln D0_eff, orientation) as
    :func:`etm.heat_capacity.exact.exact_heat_capacity`, of the single-system moment of
    :func:`ats_system_moment`.

    Parameters
    ----------
    T_K : array_like
        Temperature [K], > 0.
    B_T : array_like
        Field [T], >= 0; M = 0 at B = 0.
    params : ATSParams
        The ATS distribution (effective parameters).
    loop_area_A2 : float, optional
        Loop area S [angstrom^2], > 0 (D0_eff = X/S); default 1e4 A^2 (B_2pi = 41 T).
    orientation : {"isotropic", "aligned", "phi2/3"}
        cos(beta) uniform in [0, 1], 1, or 1/sqrt(3).
    grid : ExactGrid, optional
        Node counts.

    Returns
    -------
    ndarray
        M_ATS [J/(T g)].

    References
    ----------
    Essay Eqs. 6-11; docs/magnetization.md; docs/exact.md.

    Examples
    --------
    >>> p = ATSParams(Dmin_K=0.49, X0min_KA2=4.77e4, X0max_KA2=3.09e5, nP_per_g=5.19e16)
    >>> m = exact_ats(0.6, [0.0, 1.0], p)
    >>> bool(m[0] == 0.0 and m[1] > 0.0)
    True
    """
    params = as_ats(params)
    S = check_exact_inputs(params, loop_area_A2, orientation)
    T = check_array("T_K", T_K, strict=True)
    B = check_array("B_T", B_T)
    T, B = np.broadcast_arrays(T, B)
    out = np.zeros(T.shape)
    pairs = np.stack([T.ravel(), B.ravel()], axis=-1)
    uniq, inv = np.unique(pairs, axis=0, return_inverse=True)
    vals = np.array(
        [
            0.0
            if b == 0.0
            else _exact_m_one(t, max(b, B_LIN_T), params, S, orientation, grid)
            * min(b / B_LIN_T, 1.0)
            for t, b in uniq
        ]
    )
    out.flat[:] = vals[np.ravel(inv)]
    return k_B * params.nP_per_g * out


# ----------------------------------------------------------------------------------------------
# totals


def components(
    T_K: ArrayLike,
    B_T: ArrayLike,
    material: Material,
    *,
    orientation: str = "isotropic",
    route: str = "weak",
    loop_area_A2: float = DEFAULT_LOOP_AREA_A2,
) -> dict[str, NDArray[np.float64]]:
    """Each term of the magnetization [J/(T g)]: "ATS", "2LS" (zero) and each impurity's label.

    ``route`` is ``"weak"`` (:func:`ats`) or ``"exact"`` (:func:`exact_ats`, with
    ``loop_area_A2``).
    """
    material = as_material(material)
    if route not in ("weak", "exact"):
        raise ValueError(f"route must be 'weak' or 'exact', got {route!r}")
    T = check_array("T_K", T_K, strict=True)
    B = check_array("B_T", B_T)
    T, B = np.broadcast_arrays(T, B)
    if route == "weak":
        m_ats = ats(T, B, material.ats, orientation=orientation)
    else:
        m_ats = exact_ats(T, B, material.ats, orientation=orientation, loop_area_A2=loop_area_A2)
    out = {"ATS": m_ats, "2LS": np.zeros(T.shape)}
    for i, pm in enumerate(material.paramagnets):
        out[pm.label or f"paramagnet {i}"] = pm.n_per_g * paramagnet(T, B, pm.S, pm.g)
    return out


def total(
    T_K: ArrayLike,
    B_T: ArrayLike,
    material: Material,
    *,
    orientation: str = "isotropic",
    route: str = "weak",
    loop_area_A2: float = DEFAULT_LOOP_AREA_A2,
) -> NDArray[np.float64]:
    """Total magnetization [J/(T g)]: ATS + impurities (the 2LS add nothing).

    Examples
    --------
    >>> from etm import materials
    >>> m = total([2.0, 2.0], [0.0, 1.0], materials.get("BAS").at(0.60))
    >>> m.shape, float(m[0])
    ((2,), 0.0)
    """
    material = as_material(material)
    parts = components(
        T_K, B_T, material, orientation=orientation, route=route, loop_area_A2=loop_area_A2
    )
    return sum(parts.values())
