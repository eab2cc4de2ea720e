"""Exact three-level two-pulse echo of the ATS ensemble (the essay's "never done" calculation).

Every system keeps the full 3x3 Hamiltonian of the essay's Eq. 6 (loop area S the one extra
parameter, as :mod:`etm.heat_capacity.exact`) and the dipole coupling of its three wells
(:mod:`etm.threelevel`). In the rotating frame of the ladder 0 -> 1 -> 2 at omega with the RWA
(the ``frame="rwa"`` of :func:`etm.echo.dynamics.three_level_echo`) each pulse is a constant 3x3
Hamiltonian, diag(0, delta, Delta_2) + (1/2)(C01 |0><1| + C12 |1><2| + h.c.), so it is one matrix
exponential; free evolution is diagonal, the 0-1 coherence decaying at
w = c T + Gamma^-1 g^3 (g^2 - gamma D^2) coth(g/2T) (Eq. 21, 33-34, g the exact gap), as in the
weak-field model. The initial state is the thermal one of the three levels; the echo pathway
keeps rho_10 after pulse 1 (docs/echo.md). The couplings C_mn = Omega_1 (P_mn . e_psi) come from
the well dipoles in the eigenbasis for an in-plane field of rms size sqrt(2/3) F0 at in-plane
angle psi (the convention p1^2 = (2/3) p^2 of :mod:`etm.echo`), averaged over psi.

The ensemble average (docs/exact_response.md)

    a(B) = 2 pi int dtheta/(2 pi) dlnD dlnD0 dcos(beta) dpsi/pi
                 (|C01|/Omega_1) [Re z tan(alpha) + Im z]

is taken in the variables (theta, D0, u = phi0 cos(beta), E_w) with E_w = sqrt(D^2 + (D0 u)^2)
(dlnD = E_w dE_w/D^2 at fixed u): for every outer node the E_w nodes are centred on the *exact*
resonance g(E_w) = hf (found by secant steps), so the narrow shell (width ~Omega_R ~ 1e-3 hf)
is resolved for every system. Beyond |delta| > Lambda the pulse oscillations are averaged as in
:mod:`etm.echo` (smooth taper), with the exact gap and matrix elements.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from etm.chunks import chunk_length, chunk_slices
from etm.constants import K_TO_RAD_S
from etm.materials.coerce import as_echo, as_pulses
from etm.params import EchoParams, Pulses
from etm.relaxation import phonon_gamma
from etm.spectrum import ats_well_energies, lower_gap, to_bare
from etm.threelevel.pulses import system_echo
from etm.threelevel.route import DEFAULT_LOOP_AREA_A2, check_exact_inputs, loop_phase
from etm.threelevel.systems import closed_form_levels
from numba import njit
from numpy.typing import ArrayLike, NDArray

from etm.ensemble import gauss_legendre01, sinh_nodes

__all__ = [
    "EchoGrid",
    "RABI_MODES",
    "exact_amplitude",
    "exact_relative_amplitude",
]

#: ``"exact"``: every system driven with its own in-plane-direction dependent couplings,
#: averaged over psi; ``"rms"``: the essay's "main approximation" (one Rabi frequency, the rms
#: over psi, per system) applied to the three-level system.
RABI_MODES: tuple[str, ...] = ("exact", "rms")

_SQ3_2 = 0.5 * math.sqrt(3.0)


@dataclass(frozen=True)
class EchoGrid:
    """Node counts of the exact echo quadrature.

    Parameters
    ----------
    n_theta, n_lnD0 : int
        Gauss-Legendre nodes in theta over [0, pi/3] and in ln D0_eff.
    n_u : int
        Nodes in u = phi0 cos(beta) on each side of the resonance edge u_c.
    n_psi : int
        Trapezoid nodes of the in-plane field direction over [0, pi).
    n_core : int
        Gauss-Legendre nodes per resonance panel (Omega/2 wide within 4 Omega, one pulse
        oscillation period out to Lambda).
    core : float
        Lambda / Omega_max: where the oscillations are averaged (taper from Lambda/2).
    n_tail : int
        Nodes per geometric tail panel (ratio 2).
    """

    n_theta: int = 4
    n_lnD0: int = 6
    n_u: int = 14
    n_psi: int = 4
    n_core: int = 3
    core: float = 24.0
    n_tail: int = 4

    def refined(self, factor: int = 2) -> EchoGrid:
        """Every node count times ``factor`` (a convergence check)."""
        return EchoGrid(
            self.n_theta * factor,
            self.n_lnD0 * factor,
            self.n_u * factor,
            self.n_psi * factor,
            self.n_core * factor,
            self.core,
            self.n_tail * factor,
        )


DEFAULT_ECHO_GRID = EchoGrid()


# --------------------------------------------------------------------------------------------
# compiled single-system pieces


@njit(cache=True)
def _gap(E_w, y, th, d, phi):  # pragma: no cover - compiled
    """Exact lower gap [K] of the system with weak-field coordinates (E_w, y) at phase phi."""
    D = math.sqrt(max(E_w * E_w - y * y, 0.0))
    e1 = D * math.cos(th)
    e2 = D * math.cos(th + 2.0 * math.pi / 3.0)
    e3 = D * math.cos(th + 4.0 * math.pi / 3.0)
    scale, _, _, _, g01, _ = closed_form_levels(e1, e2, e3, d, phi)
    return g01 * scale


@njit(cache=True)
def _resonance(y, th, d, u, E_edge, hf):  # pragma: no cover - compiled
    """(E*, slope, delta*): the E_w of the exact resonance g = hf (or the band edge), dg/dE_w."""
    g_edge = _gap(E_edge, y, th, d, u)
    if g_edge >= hf:
        E = E_edge
        h = 1e-7 * E
        s = (_gap(E + h, y, th, d, u) - g_edge) / h
        return E, s, g_edge - hf
    lo, hi = E_edge, max(2.0 * hf, 2.0 * E_edge)
    while _gap(hi, y, th, d, u) < hf:
        hi *= 2.0
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        if _gap(mid, y, th, d, u) < hf:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-15 * hi:
            break
    E = 0.5 * (lo + hi)
    h = 1e-7 * E
    s = (_gap(E + h, y, th, d, u) - _gap(max(E - h, E_edge), y, th, d, u)) / (
        E + h - max(E - h, E_edge)
    )
    return E, s, 0.0


@njit(cache=True)
def _echo_sum(
    th, D0, u, wout, Dmin, hf, T, pr, psi, rms, core_edges, t_c, w_c, t_t, w_t, h_tail, E_top
):  # pragma: no cover - compiled
    """sum over outer nodes (theta, D0, u) and their E_w nodes of weight * Jacobian * echo."""
    h = np.empty((3, 3), dtype=np.complex128)
    V = np.empty((3, 3), dtype=np.complex128)
    Pxy = np.empty((2, 3, 3), dtype=np.complex128)
    lev = np.empty(3)
    work = np.empty((4, 3, 3), dtype=np.complex128)
    wbuf = np.empty(3)
    total = 0.0
    for i in range(th.shape[0]):
        d = _SQ3_2 * D0[i]
        y = D0[i] * u[i]
        E_edge = math.hypot(y, Dmin)
        Es, s, dstar = _resonance(y, th[i], d, u[i], E_edge, hf)
        acc = 0.0
        # core panels (fixed in delta, mapped to E_w through the local slope), then the tails
        lo_core = Es + (core_edges[0] - dstar) / s
        hi_core = Es + (core_edges[-1] - dstar) / s
        npan = core_edges.shape[0] - 1
        n_dn = 0
        if lo_core > E_edge:
            n_dn = int(math.ceil(math.log2(max((lo_core - E_edge) / h_tail, 1.0)))) + 1
        n_up = int(math.ceil(math.log2(max((E_top - hi_core) / h_tail, 1.0)))) + 1
        for k in range(npan + n_dn + n_up):
            if k < npan:
                a = Es + (core_edges[k] - dstar) / s
                b = Es + (core_edges[k + 1] - dstar) / s
                tt, ww = t_c, w_c
            elif k < npan + n_dn:
                j = k - npan
                b = lo_core - h_tail * (2.0**j - 1.0)
                a = lo_core - h_tail * (2.0 ** (j + 1) - 1.0)
                tt, ww = t_t, w_t
            else:
                j = k - npan - n_dn
                a = hi_core + h_tail * (2.0**j - 1.0)
                b = min(hi_core + h_tail * (2.0 ** (j + 1) - 1.0), E_top)
                tt, ww = t_t, w_t
            a = max(a, E_edge)
            if b <= a:
                continue
            for q in range(tt.shape[0]):
                E = a + (b - a) * tt[q]
                D2 = E * E - y * y
                D = math.sqrt(D2)
                e1 = D * math.cos(th[i])
                e2 = D * math.cos(th[i] + 2.0 * math.pi / 3.0)
                e3 = -e1 - e2
                val, _ = system_echo(
                    e1, e2, e3, d, u[i], D, T, pr, psi, rms, h, V, Pxy, lev, work, wbuf
                )
                acc += (b - a) * ww[q] * E / D2 * val
        total += wout[i] * acc
    return total


# --------------------------------------------------------------------------------------------
# the ensemble


def _core_edges(Om_max: float, period: float, lam: float) -> NDArray:
    """Resonance panel edges in delta [K]: Omega panels within 4 Omega, then one period."""
    h_in = min(Om_max, period)
    n_in = int(math.ceil(8.0 * Om_max / h_in))
    inner = -4.0 * Om_max + (8.0 * Om_max / n_in) * np.arange(n_in + 1)
    n_out = max(int(math.ceil((lam - 4.0 * Om_max) / period)), 1)
    outer = 4.0 * Om_max + (lam - 4.0 * Om_max) / n_out * np.arange(1, n_out + 1)
    return np.concatenate([-outer[::-1], inner, outer]) / K_TO_RAD_S


def _u_edge(th: NDArray, D0: NDArray, Dmin: float, hf: float) -> NDArray:
    """u_c with g(D = Dmin, u_c) = hf: beyond it the band edge lies above the resonance."""
    _, D0b = to_bare(0.0, D0)

    def gap(u):
        E = ats_well_energies(Dmin, th)
        return lower_gap(E[..., 0], E[..., 1], E[..., 2], D0b, u)

    lo = np.zeros(np.broadcast(th, D0).shape)
    hi = np.full(lo.shape, math.pi)
    g0, gpi = gap(lo), gap(hi)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        below = gap(mid) < hf
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    uc = 0.5 * (lo + hi)
    uc = np.where(g0 >= hf, 0.0, uc)
    return np.where(gpi < hf, math.pi, uc)


def _d0_kink(th: NDArray, Dmin: float, hf: float, phi0: float, lo: float, hi: float) -> NDArray:
    """D0 [K] with g(D = Dmin, D0, phi0) = hf (the gap grows with D0 at fixed phase)."""

    def gap(D0):
        E = ats_well_energies(Dmin, th)
        return lower_gap(E[..., 0], E[..., 1], E[..., 2], to_bare(0.0, D0)[1], phi0)

    a, b = np.full(th.shape, math.log(lo)), np.full(th.shape, math.log(hi))
    for _ in range(50):
        mid = 0.5 * (a + b)
        below = gap(np.exp(mid)) < hf
        a, b = np.where(below, mid, a), np.where(below, b, mid)
    return np.exp(0.5 * (a + b))


def _outer_nodes(
    phi0: float, params: EchoParams, S: float, hf: float, lam_K: float, grid: EchoGrid
):
    """(theta, D0, u, weight) of the outer quadrature at one field (cos(beta) uniform)."""
    tt, wt = gauss_legendre01(grid.n_theta)
    th, wth = (math.pi / 3.0) * tt, (math.pi / 3.0) * wt * (3.0 / math.pi)
    a, b = math.log(params.X0min_KA2 / S), math.log(params.X0max_KA2 / S)
    t0, w0 = gauss_legendre01(grid.n_lnD0)
    # the D0 integrand has a kink where u_c(D0) = phi0 (the band edge reaches the resonance at
    # the largest phase): split ln D0 there, per theta
    k = np.full(th.shape, b)
    if phi0 > 0.0:
        k = np.clip(np.log(_d0_kink(th, params.Dmin_K, hf, phi0, math.exp(a), math.exp(b))), a, b)
    lo = np.stack([np.full(th.shape, a), k], axis=-1)  # (ntheta, 2 panels)
    wd = np.stack([k - a, b - k], axis=-1)
    lnD0 = lo[..., None] + wd[..., None] * t0
    TH = np.broadcast_to(th[:, None, None], lnD0.shape).reshape(th.size, -1)
    DD = np.exp(lnD0).reshape(th.size, -1)
    W = (wth[:, None, None] * wd[..., None] * w0).reshape(th.size, -1)
    if phi0 == 0.0:
        return TH.ravel(), DD.ravel(), np.zeros(TH.size), W.ravel()
    uc = _u_edge(TH, DD, params.Dmin_K, hf)
    yc = np.maximum(uc * DD, 1e-300)
    # the band edge sweeps through the resonance core over du ~ Lambda hf/(D0 y_c)
    hu = np.minimum(np.maximum(lam_K * hf / (DD * yc), 1e-12), np.maximum(uc, 1e-12))
    us, ws = [], []
    top = np.minimum(uc, phi0)
    ok = top > 0.0
    x, wx = sinh_nodes(np.where(ok, top, 1.0), np.maximum(hu, uc - top), grid.n_u)
    us.append(top[..., None] - x)
    ws.append(np.where(ok[..., None], wx, 0.0) / phi0)
    rest = phi0 - uc
    on = rest > 0.0
    # beyond u_c only the off-resonant tail remains (graded away from u_c)
    x, wx = sinh_nodes(
        np.where(on, rest, 1.0), np.where(on, np.minimum(hu, np.abs(rest)), 1.0), grid.n_u
    )
    us.append(uc[..., None] + x)
    ws.append(np.where(on[..., None], wx, 0.0) / phi0)
    U = np.concatenate(us, axis=-1)
    Wu = np.concatenate(ws, axis=-1) * W[..., None]
    keep = Wu > 0.0
    shape = U.shape
    TH3 = np.broadcast_to(TH[..., None], shape)
    DD3 = np.broadcast_to(DD[..., None], shape)
    return TH3[keep], DD3[keep], U[keep], Wu[keep]


@dataclass(frozen=True)
class _Setup:
    params: EchoParams
    pulses: Pulses
    S: float
    gamma: float
    rms: bool
    grid: EchoGrid
    B_max: float


def _setup(params, pulses, loop_area_A2, matrix_elements, rabi, grid) -> _Setup:
    if not isinstance(params, EchoParams):
        raise ValueError(f"params must be an EchoParams, got {type(params).__name__}")
    if not isinstance(pulses, Pulses):
        raise ValueError(f"pulses must be a Pulses instance, got {type(pulses).__name__}")
    S = check_exact_inputs(_ats(params), loop_area_A2, "isotropic")
    if rabi not in RABI_MODES:
        raise ValueError(f"rabi must be one of {RABI_MODES}, got {rabi!r}")
    if not isinstance(grid, EchoGrid):
        raise ValueError(f"grid must be an EchoGrid, got {type(grid).__name__}")
    gam = phonon_gamma(matrix_elements)
    # phi0 <= pi: the isotropic u-range stays inside one half period (B <= B_2pi/2)
    B_max = float(np.pi / loop_phase(1.0, S))
    return _Setup(params, pulses, S, gam, rabi == "rms", grid, B_max)


def _ats(params: EchoParams):
    from etm.params import ATSParams

    return ATSParams(
        Dmin_K=params.Dmin_K, X0min_KA2=params.X0min_KA2, X0max_KA2=params.X0max_KA2, nP_per_g=1.0
    )


def _amplitude_one(T: float, B: float, s: _Setup) -> float:
    p, pu, g = s.params, s.pulses, s.grid
    om1 = p.omega1_per_s
    Om_max = 0.55 * om1  # |C01| <= Omega1/2 in the weak field; level-2 admixture adds < 10 %
    period = 2.0 * math.pi / (pu.tau1_s + pu.tau2_s)
    lam = g.core * Om_max
    edges = _core_edges(Om_max, period, lam)
    hf = pu.hf_K
    phi0 = float(loop_phase(B, s.S))
    th, D0, u, w = _outer_nodes(phi0, p, s.S, hf, lam / K_TO_RAD_S, g)
    t_c, w_c = gauss_legendre01(g.n_core)
    t_t, w_t = gauss_legendre01(g.n_tail)
    psi = np.pi * np.arange(g.n_psi) / g.n_psi
    ss_mean = 0.375 if pu.tau1_s == pu.tau2_s else 0.25
    pr = np.array(
        [
            pu.omega_per_s,
            om1,
            pu.tau1_s,
            pu.tau2_s,
            pu.tau12_s,
            p.c_per_sK,
            p.Gamma_inv_per_sK5,
            s.gamma,
            p.tan_omega_dtau,
            lam,
            ss_mean,
        ]
    )
    E_top = 20.0 * max(hf, p.Dmin_K)
    total = _echo_sum(
        th,
        D0,
        u,
        w,
        p.Dmin_K,
        hf,
        T,
        pr,
        psi,
        s.rms,
        edges,
        t_c,
        w_c,
        t_t,
        w_t,
        period / K_TO_RAD_S,
        E_top,
    )
    return 2.0 * math.pi * total


def _inputs(T_K, B_T, s: _Setup):
    T = np.asarray(T_K, dtype=float)
    if (~np.isfinite(T) | (T <= 0)).any():
        raise ValueError(f"T_K must be finite and > 0 K, got {T_K!r}")
    B = np.asarray(B_T, dtype=float)
    if (~np.isfinite(B) | (B < 0)).any():
        raise ValueError(f"B_T must be finite and >= 0 T, got {B_T!r}")
    if (B > s.B_max).any():
        raise ValueError(
            f"B_T must be <= B_2pi/2 = {s.B_max:.4g} T for loop_area_A2 = {s.S!r} (the isotropic "
            f"average is taken within one half flux period), got max {B.max()!r}"
        )
    return np.broadcast_arrays(T, B)


def _amplitudes(T: NDArray, B: NDArray, s: _Setup) -> NDArray:
    out = np.empty(T.shape)
    pairs = np.stack([T.ravel(), B.ravel()], axis=-1)
    if pairs.size == 0:
        return out
    uniq, inv = np.unique(pairs, axis=0, return_inverse=True)
    # the work arrays of one point are O(nodes); chunk the points for the shared memory budget
    vals = np.empty(len(uniq))
    for sl in chunk_slices(len(uniq), chunk_length(8.0 * 4096)):
        vals[sl] = [_amplitude_one(float(t), float(b), s) for t, b in uniq[sl]]
    out.flat[:] = vals[np.ravel(inv)]
    return out


def exact_amplitude(
    T_K: ArrayLike,
    B_T: ArrayLike,
    params: EchoParams,
    pulses: Pulses | None = None,
    *,
    loop_area_A2: float = DEFAULT_LOOP_AREA_A2,
    matrix_elements: str = "exact",
    rabi: str = "exact",
    grid: EchoGrid = DEFAULT_ECHO_GRID,
) -> NDArray[np.float64]:
    """ATS echo a(B) from the exact three-level systems (isotropic loop orientation).

    Parameters
    ----------
    T_K : array_like
        Temperature T [K], > 0.
    B_T : array_like
        Magnetic field B [T], 0 <= B <= B_2pi/2 = h/(2 e S); broadcast against ``T_K``.
    params : EchoParams
        Table 7 parameters (effective D, X cutoffs, Gamma^-1, c, p1 F0, tan(omega Delta tau)).
    pulses : Pulses
        Carrier frequency and pulse timing.
    loop_area_A2 : float
        Loop area S [angstrom^2], > 0: D0_eff = X/S, phi = 2 pi e B S cos(beta)/h.
    matrix_elements : {"exact", "essay"}
        gamma of the phonon weight in the decay rate (:func:`etm.relaxation.ats_phonon_rate`).
    rabi : {"exact", "rms"}
        Couplings per in-plane field direction, averaged (default), or the essay's main
        approximation (the rms Rabi frequency per system), which the weak-field closed form uses.
    grid : EchoGrid
        Node counts.

    Returns
    -------
    ndarray
        a(T, B), dimensionless, normalized as :func:`etm.echo.amplitude` (the detected echo
        polarization is x_ATS P* p1 cos(omega Delta tau) a).

    Raises
    ------
    ValueError
        For non-positive T, negative or too large B, bad parameters or options.

    References
    ----------
    Essay Eqs. 6, 21, 23-34, Fig. 16 inset; docs/exact_response.md; docs/echo.md.

    Examples
    --------
    >>> from etm import materials
    >>> pre = materials.echo_row("BAS sample 2")
    >>> a = exact_amplitude(pre.T_K, [0.0, 0.2], pre.params, pre.pulses)
    >>> bool(a[0] > 0), bool(a[1] != a[0])
    (True, True)
    """
    pulses, params = as_pulses(pulses, params), as_echo(params)
    s = _setup(params, pulses, loop_area_A2, matrix_elements, rabi, grid)
    T, B = _inputs(T_K, B_T, s)
    return _amplitudes(T, B, s)


def exact_relative_amplitude(
    T_K: ArrayLike,
    B_T: ArrayLike,
    params: EchoParams,
    pulses: Pulses | None = None,
    *,
    loop_area_A2: float = DEFAULT_LOOP_AREA_A2,
    B_high_T: float = 0.6,
    A_2LS: float = 0.0,
    ats_sign: int = -1,
    matrix_elements: str = "exact",
    rabi: str = "exact",
    grid: EchoGrid = DEFAULT_ECHO_GRID,
) -> NDArray[np.float64]:
    """Relative echo amplitude A(B)/A(B_high) of the exact three-level ensemble.

    A(B) = A_2LS |a(0)| + ats_sign a(B) (Eq. 31's minus by default; docs/echo.md), with a(B)
    from :func:`exact_amplitude`; each point normalized at its own temperature.

    Parameters
    ----------
    T_K, B_T, params, pulses, loop_area_A2, matrix_elements, rabi, grid
        As in :func:`exact_amplitude`.
    B_high_T : float
        The normalizing field [T], 0 <= B_high_T <= B_2pi/2.
    A_2LS : float
        Field-blind 2LS echo in units of |a(0)|, >= 0 (default 0: the ATS part alone).
    ats_sign : {-1, 1}
        Sign of the ATS part in A(B).

    Returns
    -------
    ndarray
        A(B)/A(B_high).

    References
    ----------
    Essay Eq. 31, Figs. 15-16; docs/exact_response.md.

    Examples
    --------
    >>> from etm import materials
    >>> pre = materials.echo_row("BK7 tau12 = 1.5 us")
    >>> r = exact_relative_amplitude(pre.T_K, [0.6], pre.params, pre.pulses)
    >>> float(np.round(r[0], 12))
    1.0
    """
    pulses, params = as_pulses(pulses, params), as_echo(params)
    if ats_sign not in (-1, 1):
        raise ValueError(f"ats_sign must be -1 or 1, got {ats_sign!r}")
    A2 = float(A_2LS)
    if not np.isfinite(A2) or A2 < 0.0:
        raise ValueError(f"A_2LS must be finite and >= 0 (units of |a(0)|), got {A_2LS!r}")
    s = _setup(params, pulses, loop_area_A2, matrix_elements, rabi, grid)
    T, B = _inputs(T_K, B_T, s)
    Bh = float(B_high_T)
    if not np.isfinite(Bh) or Bh < 0.0 or Bh > s.B_max:
        raise ValueError(f"B_high_T must be in [0, {s.B_max:.4g}] T, got {B_high_T!r}")
    shape = T.shape
    Tf, Bf = T.ravel(), B.ravel()
    Tu, inv = np.unique(Tf, return_inverse=True)
    m = Tu.size
    a = _amplitudes(
        np.concatenate([Tf, Tu, Tu]), np.concatenate([Bf, np.zeros(m), np.full(m, Bh)]), s
    )
    n = Tf.size
    a0, ah = a[n : n + m], a[n + m :]
    num = A2 * np.abs(a0[np.ravel(inv)]) + ats_sign * a[:n]
    den = A2 * np.abs(a0) + ats_sign * ah
    if (den == 0.0).any():
        raise ValueError(f"A(B_high_T={Bh!r}) is 0; choose another B_high_T or A_2LS")
    return (num / den[np.ravel(inv)]).reshape(shape)
