"""Exact three-level two-pulse echo of the ATS ensemble (the essay's "never done" calculation).

Every system keeps the full 3x3 Hamiltonian of the essay's Eq. 6 (loop area S the one extra
parameter, as :mod:`etm.heat_capacity.exact`) and the dipole coupling of its three wells
(:mod:`etm.threelevel`). In the rotating frame of the ladder 0 -> 1 -> 2 at omega with the RWA
(the ``frame="rwa"`` of :func:`etm.echo.dynamics.three_level_echo`) each pulse is a constant 3x3
Hamiltonian, diag(0, delta, Delta_2) + (1/2)(C01 |0><1| + C12 |1><2| + h.c.), so it is one matrix
exponential; free evolution is diagonal, the 0-1 coherence decaying at
w = c T + Gamma^-1 g^3 (g^2 - gamma D^2) coth(g/2T) (Eq. 21, 33-34, g the exact gap), as in the
weak-field model. The initial state is the thermal one of the three levels; the echo pathway
keeps rho_10 after pulse 1 (docs/echo.md). The couplings C_mn = Omega_1 sigma (P_mn . e_psi)
come from the well dipoles in the eigenbasis for the projection of the pulse field on the
loop's plane, of size sigma sqrt(2/3) F0 at in-plane angle psi, averaged over the field's
directions relative to the loop (``measuring_field``, :mod:`etm.echo.directions`; docs/echo.md
section 9).

The ensemble average (docs/exact_response.md)

    a(B) = 2 pi int dtheta/(2 pi) dlnD dlnD0 dcos(beta) < (|C01|/Omega_1) [Re z tan(alpha) + Im z] >

(< > the direction average) is taken in the variables (theta, D0, u = phi0 cos(beta), E_w) with
E_w = sqrt(D^2 + (D0 u)^2) (dlnD = E_w dE_w/D^2 at fixed u): for every outer node the E_w nodes
are centred on the *exact* resonance g(E_w) = hf, so the narrow shell (width ~Omega_R ~ 1e-3 hf)
is resolved for every system. Beyond |delta| > Lambda the pulse oscillations are averaged as in
:mod:`etm.echo` (smooth taper), with the exact gap and matrix elements. The compiled sum is
:mod:`etm.echo._exact_kernel`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from etm.checks import check_instance, check_positive
from etm.constants import K_TO_RAD_S
from etm.echo._exact_kernel import EchoPanels, OuterNodes, echo_sum
from etm.echo.closed_form import two_level_echo
from etm.echo.directions import exact_route_directions
from etm.echo.options import RABI_MODES, EchoOptions
from etm.ensemble import gauss_legendre01, sinh_nodes
from etm.materials.coerce import as_echo, as_pulses
from etm.params import ATSParams, EchoParams, Pulses
from etm.relaxation import phonon_gamma
from etm.spectrum import ats_well_energies, lower_gap, to_bare
from etm.threelevel.pulses import FieldDirections, PulseConstants
from etm.threelevel.route import DEFAULT_LOOP_AREA_A2, check_exact_inputs, loop_phase, map_points

__all__ = [
    "DEFAULT_ECHO_GRID",
    "EchoGrid",
    "RABI_MODES",
    "exact_amplitude",
    "exact_relative_amplitude",
]


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
        Trapezoid nodes of the pulse field's in-plane angle over [0, pi).
    n_core : int
        Gauss-Legendre nodes per resonance panel (Omega/2 wide within 4 Omega, one pulse
        oscillation period out to Lambda).
    core : float
        Lambda / Omega_max: where the oscillations are averaged (taper from Lambda/2).
    n_tail : int
        Nodes per geometric tail panel (ratio 2).
    n_tilt : int
        Nodes of the pulse field's tilt to the loop's plane (:func:`etm.echo.directions.tilt_nodes`:
        ``"random"``: Gauss in cos(Theta); ``"perpendicular"``: Gauss-Chebyshev in the
        azimuth; ``"parallel"``: none, the tilt is the loop's own). One node is the fixed
        in-plane size sqrt(2/3) F0.
    n_c : int
        Gauss nodes of cos(beta) at B = 0 for the geometries where the field's size depends
        on it (``"parallel"``, ``"perpendicular"``).
    """

    n_theta: int = 4
    n_lnD0: int = 6
    n_u: int = 14
    n_psi: int = 8
    n_core: int = 3
    core: float = 24.0
    n_tail: int = 4
    n_tilt: int = 4
    n_c: int = 6

    def refined(self, factor: int = 2) -> EchoGrid:
        """Every node count times ``factor`` (a convergence check)."""
        counts = ("n_theta", "n_lnD0", "n_u", "n_psi", "n_core", "n_tail", "n_tilt", "n_c")
        return replace(self, **{k: getattr(self, k) * factor for k in counts})


DEFAULT_ECHO_GRID = EchoGrid()


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
    phi0: float, params: EchoParams, S: float, hf: float, lam_K: float, grid: EchoGrid, n_c: int
):
    """(theta, D0, u, c, weight) of the outer quadrature at one field (cos(beta) uniform).

    With ``n_c`` > 0 (a pulse field whose size depends on the tilt) the field-free phase u = 0 is
    spread over ``n_c`` Gauss nodes in c = cos(beta); for B > 0, c = u/phi0 on the u nodes.
    """
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
        if n_c == 0:
            return TH.ravel(), DD.ravel(), np.zeros(TH.size), np.zeros(TH.size), W.ravel()
        tc, wc = gauss_legendre01(n_c)
        shape = (*TH.shape, n_c)
        C = np.broadcast_to(tc, shape).ravel()
        Wc = (W[..., None] * wc).ravel()
        TH3 = np.broadcast_to(TH[..., None], shape).ravel()
        DD3 = np.broadcast_to(DD[..., None], shape).ravel()
        return TH3, DD3, np.zeros(C.size), C, Wc
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
    return TH3[keep], DD3[keep], U[keep], U[keep] / phi0, Wu[keep]


@dataclass(frozen=True)
class _Setup:
    params: EchoParams
    pulses: Pulses
    S: float
    gamma: float
    dirs: FieldDirections
    n_c: int
    grid: EchoGrid
    B_max: float
    options: EchoOptions


def _setup(params, pulses, loop_area_A2, options: EchoOptions, grid) -> _Setup:
    pulses, params = as_pulses(pulses, params), as_echo(params)
    S = check_exact_inputs(_ats(params), loop_area_A2, options.orientation)
    rabi = options.exact_route_rabi()
    check_instance("grid", grid, EchoGrid, "etm.echo.EchoGrid(...)")
    gam = phonon_gamma(options.matrix_elements)
    dirs = exact_route_directions(options.measuring_field, rabi, grid.n_tilt, grid.n_psi)
    n_c = grid.n_c if np.any(dirs.beta != 0.0) else 0
    # phi0 <= pi: the isotropic u-range stays inside one half period (B <= B_2pi/2)
    B_max = float(np.pi / loop_phase(1.0, S))
    return _Setup(params, pulses, S, gam, dirs, n_c, grid, B_max, options)


def _ats(params: EchoParams) -> ATSParams:
    return ATSParams(
        Dmin_K=params.Dmin_K, X0min_KA2=params.X0min_KA2, X0max_KA2=params.X0max_KA2, nP_per_g=1.0
    )


def _amplitude_one(T: float, B: float, s: _Setup) -> float:
    p, pu, g = s.params, s.pulses, s.grid
    om1 = p.omega1_per_s
    # |C01| <= sigma Omega1/2 in the weak field, level-2 admixture adds < 10 %; sigma^2 <= 3/2
    # for every direction (so the panels do not move with the direction rule), q(c) for rms
    d = s.dirs
    sig_max = math.sqrt(np.max(d.alpha + np.maximum(d.beta, 0.0)) if d.rms else 1.5)
    Om_max = 0.55 * om1 * sig_max
    period = 2.0 * math.pi / (pu.tau1_s + pu.tau2_s)
    lam = g.core * Om_max
    hf = pu.hf_K
    phi0 = float(loop_phase(B, s.S))
    # the u grading at the band edge keeps the rms coupling's core (sigma = 1): graded on the
    # largest coupling's, the u nodes cost 1.5e-3 of a(3 T) (refined(2), BAS 2; measured)
    lam_u = g.core * 0.55 * om1
    nodes = OuterNodes(*_outer_nodes(phi0, p, s.S, hf, lam_u / K_TO_RAD_S, g, s.n_c))
    t_c, w_c = gauss_legendre01(g.n_core)
    t_t, w_t = gauss_legendre01(g.n_tail)
    consts = PulseConstants(
        omega_per_s=pu.omega_per_s,
        omega1_per_s=om1,
        tau1_s=pu.tau1_s,
        tau2_s=pu.tau2_s,
        tau12_s=pu.tau12_s,
        c_per_sK=p.c_per_sK,
        Gamma_inv_per_sK5=p.Gamma_inv_per_sK5,
        gamma=s.gamma,
        tan_alpha=p.tan_omega_dtau,
        lam_per_s=lam,
        ss_mean=0.375 if pu.tau1_s == pu.tau2_s else 0.25,
    )
    panels = EchoPanels(
        core_edges_K=_core_edges(Om_max, period, lam),
        t_core=t_c,
        w_core=w_c,
        t_tail=t_t,
        w_tail=w_t,
        h_tail_K=period / K_TO_RAD_S,
        E_top_K=20.0 * max(hf, p.Dmin_K),
        Dmin_K=p.Dmin_K,
        hf_K=hf,
    )
    return 2.0 * math.pi * echo_sum(nodes, float(T), consts, s.dirs, panels)


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
    """a at every (T, B) pair: each distinct pair once, on ``workers`` threads (the compiled
    sum releases the GIL); the work arrays of one pair are O(nodes of one field)."""
    return map_points(
        lambda t, b: _amplitude_one(float(t), float(b), s), T, B, workers=s.options.workers
    )


def exact_amplitude(
    T_K: ArrayLike,
    B_T: ArrayLike,
    params: EchoParams,
    pulses: Pulses | None = None,
    *,
    loop_area_A2: float = DEFAULT_LOOP_AREA_A2,
    options: EchoOptions | None = None,
    measuring_field: str = "random",
    rabi: str | None = None,
    matrix_elements: str = "exact",
    workers: int = 1,
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
        Table 7 parameters (effective D, X cutoffs, Gamma^-1, c, p1 F0, tan(omega Delta tau)),
        or an echo row (:func:`etm.materials.echo_row`; then ``pulses`` may be omitted).
    pulses : Pulses
        Carrier frequency and pulse timing.
    loop_area_A2 : float
        Loop area S [angstrom^2], > 0: D0_eff = X/S, phi = 2 pi e B S cos(beta)/h.
    options : EchoOptions, optional
        All options at once (then leave the option keywords at their defaults).
    measuring_field : {"random", "parallel", "perpendicular"}
        Direction of the pulse field relative to B (:class:`etm.echo.EchoOptions`). Default
        ``"random"``: F uniform on the sphere, independent of the loops.
    rabi : {"exact", "rms"} or None
        Couplings per field direction, averaged (default), or the essay's main approximation
        (one rms Rabi frequency per system), which the weak-field closed form of the essay uses.
    matrix_elements : {"exact", "essay"}
        gamma of the phonon weight in the decay rate (:func:`etm.relaxation.ats_phonon_rate`).
    workers : int
        Threads over the distinct (T, B) points, >= 1 (the numbers do not depend on it).
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
    o = EchoOptions.merge(
        options,
        measuring_field=measuring_field,
        rabi=rabi,
        matrix_elements=matrix_elements,
        workers=workers,
    )
    s = _setup(params, pulses, loop_area_A2, o, grid)
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
    c_2LS_per_sK: float = 0.0,
    Gamma_2LS_per_sK3: float = 0.0,
    options: EchoOptions | None = None,
    measuring_field: str = "random",
    rabi: str | None = None,
    matrix_elements: str = "exact",
    workers: int = 1,
    grid: EchoGrid = DEFAULT_ECHO_GRID,
) -> NDArray[np.float64]:
    """Relative echo amplitude A(B)/A(B_high) of the exact three-level ensemble.

    A(B) = A_2LS(T, tau12) + ats_sign a(B), with A_2LS(T, tau12) the decayed 2LS echo of
    :func:`etm.echo.two_level_echo` and a(B) from :func:`exact_amplitude`: the combination of
    :func:`etm.echo.relative_amplitude` (Eq. 31's minus by default; docs/echo.md section 4);
    each point normalized at its own temperature.

    Parameters
    ----------
    T_K, B_T, params, pulses, loop_area_A2, options, measuring_field, rabi, matrix_elements
        As in :func:`exact_amplitude`.
    workers, grid
        As in :func:`exact_amplitude`.
    B_high_T : float
        The normalizing field [T], 0 <= B_high_T <= B_2pi/2.
    A_2LS : float
        The field-blind 2LS echo at T -> 0, tau12 -> 0, >= 0, in the units of a(B) (the
        detected polarization divided by x_ATS P* p1 cos(omega Delta tau)), as in
        :func:`etm.echo.relative_amplitude`. Default 0: the ATS part alone.
    ats_sign : {-1, 1}
        Sign of the ATS part in A(B).
    c_2LS_per_sK, Gamma_2LS_per_sK3 : float
        Decay of the 2LS echo (:func:`etm.echo.two_level_echo`), >= 0.

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
    if ats_sign not in (-1, 1):
        raise ValueError(f"ats_sign must be -1 or 1, got {ats_sign!r}")
    A2 = check_positive("A_2LS", A_2LS, allow_zero=True)
    o = EchoOptions.merge(
        options,
        measuring_field=measuring_field,
        rabi=rabi,
        matrix_elements=matrix_elements,
        workers=workers,
    )
    s = _setup(params, pulses, loop_area_A2, o, grid)
    T, B = _inputs(T_K, B_T, s)
    Bh = float(B_high_T)
    if not np.isfinite(Bh) or Bh < 0.0 or Bh > s.B_max:
        raise ValueError(f"B_high_T must be in [0, {s.B_max:.4g}] T, got {B_high_T!r}")
    shape = T.shape
    Tf, Bf = T.ravel(), B.ravel()
    Tu, inv = np.unique(Tf, return_inverse=True)
    a = _amplitudes(np.concatenate([Tf, Tu]), np.concatenate([Bf, np.full(Tu.size, Bh)]), s)
    n = Tf.size
    ah = a[n:][np.ravel(inv)]
    pu = s.pulses
    two = two_level_echo(
        Tf,
        pu.tau12_s,
        pu.f_Hz,
        A_2LS=A2,
        c_2LS_per_sK=c_2LS_per_sK,
        Gamma_2LS_per_sK3=Gamma_2LS_per_sK3,
    )
    num = two + ats_sign * a[:n]
    den = two + ats_sign * ah
    if (den == 0.0).any():
        raise ValueError(f"A(B_high_T={Bh!r}) is 0; choose another B_high_T or A_2LS")
    return (num / den).reshape(shape)
