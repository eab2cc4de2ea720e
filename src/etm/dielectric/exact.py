"""Exact three-level linear dielectric response of the ATS ensemble (beyond the weak field).

The weak-field model (:mod:`etm.dielectric`) treats every ATS as an effective two-level system of
gap sqrt(D^2 + (D0 phi)^2). Here every system keeps its full 3x3 Hamiltonian of the essay's
Eq. 6 and the three well dipoles (equilateral triangle, :mod:`etm.threelevel`); its linear
susceptibility along the measuring field e is (docs/exact_response.md)

    resonant      sum_{m != n} (rho_m - rho_n) |P_mn . e|^2 / (E_n - E_m - hf)   (all 3 transitions)
    relaxational  (1/T) (<(P_d . e)^2> - <P_d . e>^2) / (1 - i omega tau)          (populations)

with the measuring field isotropic relative to the loop (``<|P . e|^2> = |P|^2/3``). Normalized
with the amplitude A = pi x_ATS P* p1^2/(eps0 eps_r) of the Tables 5-6 (p1^2 = (2/3) p^2, as in
:mod:`etm.dielectric`), the sample's response is

    delta eps/eps = A * int dtheta/(2 pi) dlnD dlnD0 dcos(beta)  chi(D, theta, D0, phi),

chi the single-system value for unit well dipoles with the in-plane |P|^2 (x + y). The loop area
S is the one extra parameter (phi = 2 pi e B S cos(beta)/h, D0_eff = X/S, as
:mod:`etm.heat_capacity.exact`).
The ensemble uses the exact route's measure (:mod:`etm.ensemble.measure`); the cos(beta) average
is done with one set of phase panels shared by every field of a call (cumulative integrals), so
a field sweep costs little more than one field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from numba import njit
from numpy.typing import ArrayLike, NDArray

from etm.checks import check_frequency, check_nonneg, check_temperature, plain
from etm.constants import HF_K_PER_HZ
from etm.dielectric.core import RELAXATIONS, ResponseOptions
from etm.ensemble import ExactGrid, gauss_legendre01, lnD0_nodes, lnD_nodes, sinh_nodes
from etm.materials.coerce import as_dielectric
from etm.params import DielectricATS
from etm.relaxation import phonon_gamma
from etm.spectrum import ats_well_energies, to_bare
from etm.threelevel.route import DEFAULT_LOOP_AREA_A2, check_exact_inputs, loop_phase
from etm.threelevel.systems import pair_norm2, response_kernel

__all__ = [
    "EXACT_RELAXATIONS",
    "RESPONSE_GRID",
    "exact_loss",
    "exact_relative_change",
    "exact_response",
]

#: ``"frozen"``: resonant part only (omega tau >> 1, the weak-field default); ``"static"``:
#: omega tau -> 0; ``"debye"``: the population part with one Debye factor per system, its rate
#: the lower doublet's one-phonon rate (Eq. 21) at the exact gap.
EXACT_RELAXATIONS: tuple[str, ...] = RELAXATIONS

#: Default node counts (accuracy measured in docs/exact_response.md: refined(2) changes the
#: relative change by < 1e-4 of its peak). ``n_phase`` is the Gauss-Legendre order of one
#: geometric phase panel (ratio :data:`_PHASE_RATIO`).
RESPONSE_GRID = ExactGrid(
    n_lnD=6, panel_lnD=1.0, n_tail=8, split=10.0, n_lnD0=8, n_theta=12, n_phase=6
)

_PI_3 = math.pi / 3.0
_SQ3_2 = 0.5 * math.sqrt(3.0)
_PHASE_RATIO = 2.5
#: Gauss-Legendre order of a phase panel much narrower than its distance from 0 and pi.
_N_NARROW = 3


@dataclass(frozen=True)
class _Systems:
    """Flattened (D, theta, D0) nodes of the exact measure with their weights."""

    e1: NDArray
    e2: NDArray
    e3: NDArray
    d0_bare: NDArray
    D_eff: NDArray
    weight: NDArray
    h_min: float


def _systems(params: DielectricATS, S: float, T: float, grid: ExactGrid) -> _Systems:
    ats = params.ats
    n0 = max(grid.n_lnD0, int(math.ceil(2.0 * math.log(ats.X0max_KA2 / ats.X0min_KA2))))
    D0, wD0 = lnD0_nodes(ats, S, replace(grid, n_lnD0=n0))
    D, wD = lnD_nodes(ats, T, float(D0[-1]), grid)
    Dg, D0g = D[:, None], D0[None, :]
    # theta grading as etm.heat_capacity.exact: for D >> D0 the two lowest wells cross at
    # theta = 0 and the structure has width ~ (T + D0)/D
    h_th = np.minimum(0.5 * (T + D0g) / Dg, _PI_3)
    th, wth = sinh_nodes(np.full(h_th.shape, _PI_3), h_th, grid.n_theta)
    Db = np.broadcast_to(Dg[..., None], th.shape)
    E = ats_well_energies(Db, th)
    _, D0b = to_bare(0.0, np.broadcast_to(D0g[..., None], th.shape))
    # theta over [0, pi/3] stands for [0, 2 pi) (weight 6) and the measure is dtheta/(2 pi)
    w = (3.0 / math.pi) * wD[:, None, None] * wD0[None, :, None] * wth
    return _Systems(
        np.ascontiguousarray(E[..., 0].ravel()),
        np.ascontiguousarray(E[..., 1].ravel()),
        np.ascontiguousarray(E[..., 2].ravel()),
        np.ascontiguousarray(D0b.ravel()),
        np.ascontiguousarray(Db.ravel()),
        np.ascontiguousarray(w.ravel()),
        float(0.5 * max(ats.Dmin_K, T) / D0[-1]),
    )


@njit(cache=True)
def _contract(e1, e2, e3, d, Deff, w, u, T, hf2, mode, G, gam, r2, omega):  # pragma: no cover
    """sum_s w_s [chi_s(u_j) - chi_s(0)] for every phase node u_j, and sum_s w_s chi_s(0).

    mode 0: resonant only; 1: + static population part; 2: + Debye population part with the
    rate G g^3 (g^2 - gam D^2) coth(g/2T) + r2 of the lower doublet (gap g). Returns
    (out[j] complex, base complex, min over systems of (E^2 - hf^2)/E^2 of every transition).
    """
    n = e1.shape[0]
    h = np.empty((3, 3), dtype=np.complex128)
    V = np.empty((3, 3), dtype=np.complex128)
    P = np.empty((2, 3, 3), dtype=np.complex128)
    lev = np.empty(3)
    f0 = np.empty(n, dtype=np.complex128)
    base = 0.0 + 0.0j
    worst = 1.0
    for s in range(n):
        res, rel, g = response_kernel(e1[s], e2[s], e3[s], d[s], 0.0, T, hf2, h, V, P, lev)
        worst = min(worst, 1.0 - hf2 / (g * g))
        wt = _weight(P, Deff[s], 0.0, gam)
        f0[s] = _total(res, rel, g, wt, T, mode, G, r2, omega)
        base += w[s] * f0[s]
    out = np.zeros(u.shape[0], dtype=np.complex128)
    for j in range(u.shape[0]):
        acc = 0.0 + 0.0j
        for s in range(n):
            res, rel, g = response_kernel(e1[s], e2[s], e3[s], d[s], u[j], T, hf2, h, V, P, lev)
            worst = min(worst, 1.0 - hf2 / (g * g))
            wt = _weight(P, Deff[s], d[s] * u[j] / _SQ3_2, gam)
            acc += w[s] * (_total(res, rel, g, wt, T, mode, G, r2, omega) - f0[s])
        out[j] = acc
    return out, base, worst


@njit(cache=True)
def _weight(P, D, y, gam):  # pragma: no cover - compiled
    """Phonon weight of Eq. 21 for the exact system (docs/exact_response.md).

    gam = 1/2 ("exact"): strain couples as the field does, so the weight is the transition
    weight 2 |P01|^2 (which is (E^2 - D^2/2)/E^2 in the weak field); gam = 1/6 ("essay"):
    1 - gam D^2/(D^2 + y^2) in the weak-field coordinates. Both are >= 0.
    """
    if gam == 0.5:
        return 2.0 * pair_norm2(P, 0, 1)
    return 1.0 - gam * D * D / (D * D + y * y)


@njit(cache=True)
def _total(res, rel, g, wt, T, mode, G, r2, omega):  # pragma: no cover - compiled
    if mode == 0:
        return complex(res, 0.0)
    if mode == 1:
        return complex(res + rel, 0.0)
    rate = G * g**5 * wt / math.tanh(min(g / (2.0 * T), 350.0)) + r2
    return res + rel * rate / complex(rate, -omega)


# --------------------------------------------------------------------------------------------
# phase nodes


def _fold(phi: NDArray) -> NDArray:
    """phi folded onto [0, pi] (the response is even and 2 pi-periodic in phi)."""
    return np.abs(np.mod(phi + np.pi, 2.0 * np.pi) - np.pi)


def _isotropic_plan(phi0: NDArray, h_min: float, n: int):
    """Phase panels on [0, pi] with edges at every a the isotropic fold needs.

    For phi uniform in [0, phi0] with phi0 = K pi + r the average is [K F(pi) + F(r)]/phi0
    (K even) or [(K + 1) F(pi) - F(pi - r)]/phi0 (K odd), F(a) = int_0^a f (docs/exact.md).
    Returns nodes, weights, the panel of each node, and per field (coef_pi, coef_a, edge index).
    """
    K = np.floor(phi0 / np.pi)
    r = phi0 - K * np.pi
    odd = (K % 2) == 1
    a = np.where(odd, np.pi - r, r)
    coef_pi = np.where(odd, K + 1.0, K)
    coef_a = np.where(odd, -1.0, 1.0)
    pos = a[(a > 0.0) & (phi0 > 0.0)]
    lo = 0.25 * min(h_min, pos.min() if pos.size else h_min, 0.5)
    k = int(math.ceil(math.log(0.5 * math.pi / lo) / math.log(_PHASE_RATIO)))
    geo = lo * _PHASE_RATIO ** np.arange(k)
    geo = geo[geo < 0.5 * math.pi]
    edges = np.unique(np.concatenate([[0.0, 0.5 * math.pi, math.pi], geo, math.pi - geo, a]))
    lo_e, hi_e = edges[:-1], edges[1:]
    dist = np.minimum(lo_e, math.pi - hi_e)
    wide = (dist <= 0.0) | (hi_e - lo_e > 0.3 * dist)
    nodes, weights, panel = [], [], []
    for i, (x0, x1, wd) in enumerate(zip(lo_e, hi_e, wide, strict=True)):
        t, wt = gauss_legendre01(n if wd else _N_NARROW)
        nodes.append(x0 + (x1 - x0) * t)
        weights.append((x1 - x0) * wt)
        panel.append(np.full(t.size, i))
    idx = np.searchsorted(edges, a)
    return (
        np.concatenate(nodes),
        np.concatenate(weights),
        np.concatenate(panel),
        edges.size - 1,
        coef_pi,
        coef_a,
        idx,
    )


def _change(params, S, T, hf, B, orientation, grid, mode, G, gam, r2, omega):
    """(A-less) response change chi(B) - chi(0) at every field of B, and chi(0)."""
    sy = _systems(params, S, T, grid)
    phi0 = np.asarray(loop_phase(B, S), dtype=float)
    if orientation == "phi2/3":
        phi0 = phi0 / math.sqrt(3.0)
    args = (sy.e1, sy.e2, sy.e3, sy.d0_bare, sy.D_eff, sy.weight)
    if orientation in ("aligned", "phi2/3"):
        u = np.unique(_fold(phi0))
        out, base, worst = _contract(*args, u, T, hf * hf, mode, G, gam, r2, omega)
        val = out[np.searchsorted(u, _fold(phi0))]
        return val, base, worst
    u, wu, panel, npan, c_pi, c_a, idx = _isotropic_plan(phi0, sy.h_min, grid.n_phase)
    out, base, worst = _contract(*args, u, T, hf * hf, mode, G, gam, r2, omega)
    cum = np.concatenate([[0.0], np.cumsum(np.bincount(panel, wu * out.real, npan))])
    cum = cum + 1j * np.concatenate([[0.0], np.cumsum(np.bincount(panel, wu * out.imag, npan))])
    on = phi0 > 0.0
    val = np.zeros(phi0.shape, dtype=complex)
    val[on] = (c_pi[on] * cum[-1] + c_a[on] * cum[idx[on]]) / phi0[on]
    return val, base, worst


# --------------------------------------------------------------------------------------------
# public functions


def _prepare(T_K, B_T, params, f_Hz, loop_area_A2, orientation, relaxation, Gamma_inv, rate_2LS):
    params = as_dielectric(params)
    o = ResponseOptions(
        orientation=orientation,
        relaxation=relaxation,
        Gamma_inv_per_sK5=Gamma_inv,
        rate_2LS=rate_2LS,
    )
    S = check_exact_inputs(params.ats, loop_area_A2, orientation)
    G = o.Gamma_inv_per_sK5 if o.relaxation == "debye" else 0.0
    r2 = o.rate_2LS
    T = check_temperature(T_K)
    B = check_nonneg("B_T", B_T, "T")
    f = check_frequency(f_Hz)
    hf = HF_K_PER_HZ * f
    if (hf >= 0.5 * params.Dmin_K).any():
        raise ValueError(
            f"f_Hz must be below k_B Dmin/(2h) = {0.5 * params.Dmin_K / HF_K_PER_HZ:.4g} Hz (the "
            f"exact resonant part is a principal value only below every gap), "
            f"got max {plain(f.max())}"
        )
    T, B, f = (np.array(x, dtype=float) for x in np.broadcast_arrays(T, B, f))
    mode = EXACT_RELAXATIONS.index(relaxation)
    return S, T, B, f, mode, G, r2, params


def _evaluate(T, B, f, params, S, orientation, grid, mode, G, gam, r2):
    """Complex (change, base) arrays of the shape of T (A-less), one plan per (T, f) pair."""
    change = np.zeros(T.shape, dtype=complex)
    base = np.zeros(T.shape, dtype=complex)
    if T.size == 0:
        return change, base
    keys = np.stack([T.ravel(), f.ravel()], axis=-1)
    uniq, inv = np.unique(keys, axis=0, return_inverse=True)
    inv = np.ravel(inv)
    for i, (Ti, fi) in enumerate(uniq):
        sel = inv == i
        hf = HF_K_PER_HZ * fi
        val, b0, worst = _change(
            params,
            S,
            Ti,
            hf,
            B.ravel()[sel],
            orientation,
            grid,
            mode,
            G,
            gam,
            r2,
            2.0 * math.pi * fi,
        )
        if worst <= 0.0:
            raise ValueError(
                f"f_Hz = {fi!r} reaches a gap of the exact spectrum (resonant loss); lower f_Hz"
            )
        change.ravel()[sel] = val
        base.ravel()[sel] = b0
    return change, base


def exact_response(
    T_K: ArrayLike,
    B_T: ArrayLike,
    params: DielectricATS,
    f_Hz: ArrayLike = 1.0e3,
    *,
    loop_area_A2: float = DEFAULT_LOOP_AREA_A2,
    orientation: str = "isotropic",
    relaxation: str = "frozen",
    Gamma_inv_per_sK5: float | None = None,
    matrix_elements: str = "exact",
    rate_2LS: float = 0.0,
    grid: ExactGrid = RESPONSE_GRID,
) -> NDArray[np.complex128]:
    """ATS contribution (delta eps' + i eps'')/eps' from the exact three-level systems.

    Parameters
    ----------
    T_K : array_like
        Temperature T [K], > 0.
    B_T : array_like
        Magnetic field B [T], >= 0.
    params : DielectricATS
        Amplitude A [K] and cutoffs of the essay's Tables 5-6 (effective parameters).
    f_Hz : array_like
        Measuring frequency f [Hz], 0 <= f < k_B Dmin/(2h); T, B and f broadcast together.
    loop_area_A2 : float
        Loop area S [angstrom^2] of the charge-e loop, > 0: D0_eff = X/S,
        phi = 2 pi e B S cos(beta)/h (default :data:`etm.heat_capacity.exact.DEFAULT_LOOP_AREA_A2`).
    orientation : {"isotropic", "aligned", "phi2/3"}
        Loop normal relative to B: cos(beta) uniform in [0, 1], 1, or 1/sqrt(3).
    relaxation : {"frozen", "static", "debye"}
        Population (relaxational) part: absent (omega tau >> 1, default as in
        :func:`etm.dielectric.relative_change`), relaxed, or with one Debye factor per system.
    Gamma_inv_per_sK5 : float, optional
        Phonon coupling Gamma^-1 [1/(s K^5)] of Eq. 21 (``"debye"`` only).
    matrix_elements : {"exact", "essay"}
        Phonon weight of the Debye rate (:func:`etm.relaxation.ats_phonon_rate`).
    rate_2LS : float
        Extra field-independent rate [1/s] (Eq. 22, ``"debye"`` only), >= 0.
    grid : ExactGrid
        Node counts (default :data:`RESPONSE_GRID`).

    Returns
    -------
    ndarray of complex
        delta eps'/eps' + i tan(delta), the measuring field isotropic relative to each loop.

    Raises
    ------
    ValueError
        For T <= 0, B < 0, non-finite input, hf >= Dmin/2, a bad option or loop area.

    References
    ----------
    Essay Eqs. 6, 16-22, Tables 5-6; docs/exact_response.md; docs/dielectric.md.

    Examples
    --------
    >>> from etm import materials
    >>> p = materials.dielectric_row("BAS", 0.05).params
    >>> r = exact_response(0.05, [0.0, 0.1], p)
    >>> bool(r.real[1] < r.real[0]), float(r.imag[0])
    (True, 0.0)
    """
    S, T, B, f, mode, G, r2, params = _prepare(
        T_K, B_T, params, f_Hz, loop_area_A2, orientation, relaxation, Gamma_inv_per_sK5, rate_2LS
    )
    gam = phonon_gamma(matrix_elements)
    change, base = _evaluate(T, B, f, params, S, orientation, grid, mode, G, gam, r2)
    return params.amplitude_K * (base + change)


def exact_relative_change(
    T_K: ArrayLike,
    B_T: ArrayLike,
    params: DielectricATS,
    f_Hz: ArrayLike = 1.0e3,
    *,
    loop_area_A2: float = DEFAULT_LOOP_AREA_A2,
    orientation: str = "isotropic",
    relaxation: str = "frozen",
    Gamma_inv_per_sK5: float | None = None,
    matrix_elements: str = "exact",
    rate_2LS: float = 0.0,
    grid: ExactGrid = RESPONSE_GRID,
) -> NDArray[np.float64]:
    """[eps'(T, B) - eps'(T, 0)]/eps' from the exact three-level systems (essay Figs. 10-12).

    The exact counterpart of :func:`etm.dielectric.relative_change` (same amplitude A, same
    options); the change is integrated as chi(B) - chi(0) system by system, so it is exactly 0
    at B = 0 and keeps its relative accuracy at small fields.

    Parameters
    ----------
    T_K, B_T, params, f_Hz, loop_area_A2, orientation, relaxation, Gamma_inv_per_sK5,
    matrix_elements, rate_2LS, grid
        As in :func:`exact_response`.

    Returns
    -------
    ndarray
        The field-induced relative change of eps', shape ``broadcast(T_K, B_T, f_Hz)``.

    References
    ----------
    Essay Eqs. 6, 16-22, Figs. 10-12, Tables 5-6; docs/exact_response.md.

    Examples
    --------
    >>> from etm import materials
    >>> from etm.dielectric import relative_change
    >>> p = materials.dielectric_row("BAS", 0.05).params
    >>> d = exact_relative_change(0.05, [0.0, 0.3], p, loop_area_A2=1e3)
    >>> float(d[0]), bool(np.isclose(d[1], relative_change(0.05, 0.3, p), rtol=1e-2))
    (0.0, True)
    """
    S, T, B, f, mode, G, r2, params = _prepare(
        T_K, B_T, params, f_Hz, loop_area_A2, orientation, relaxation, Gamma_inv_per_sK5, rate_2LS
    )
    gam = phonon_gamma(matrix_elements)
    change, _ = _evaluate(T, B, f, params, S, orientation, grid, mode, G, gam, r2)
    return params.amplitude_K * change.real


def exact_loss(
    T_K: ArrayLike,
    B_T: ArrayLike,
    params: DielectricATS,
    f_Hz: ArrayLike,
    *,
    Gamma_inv_per_sK5: float,
    loop_area_A2: float = DEFAULT_LOOP_AREA_A2,
    orientation: str = "isotropic",
    matrix_elements: str = "exact",
    rate_2LS: float = 0.0,
    grid: ExactGrid = RESPONSE_GRID,
) -> NDArray[np.float64]:
    """ATS loss tan(delta) = eps''/eps' of the exact three-level systems (Debye population part).

    Parameters
    ----------
    T_K, B_T, params : array_like, array_like, DielectricATS
        Temperature [K] > 0, field [T] >= 0, parameters.
    f_Hz : array_like
        Frequency [Hz], 0 < f < k_B Dmin/(2h) (no system is resonant: the resonant loss is 0).
    Gamma_inv_per_sK5 : float
        Phonon coupling Gamma^-1 [1/(s K^5)], > 0.
    loop_area_A2, orientation, matrix_elements, rate_2LS, grid
        As in :func:`exact_response`.

    Returns
    -------
    ndarray
        tan(delta)_ATS(T, B).

    References
    ----------
    Essay Eqs. 17, 21-22; docs/exact_response.md.

    Examples
    --------
    >>> from etm import materials
    >>> p = materials.dielectric_row("BAS", 0.05).params
    >>> bool(exact_loss(0.05, 0.0, p, 1e3, Gamma_inv_per_sK5=4e10) > 0)
    True
    """
    check_frequency(f_Hz, positive=True)
    return np.asarray(
        exact_response(
            T_K,
            B_T,
            params,
            f_Hz,
            loop_area_A2=loop_area_A2,
            orientation=orientation,
            relaxation="debye",
            Gamma_inv_per_sK5=Gamma_inv_per_sK5,
            matrix_elements=matrix_elements,
            rate_2LS=rate_2LS,
            grid=grid,
        ).imag
    )
