"""Compiled inner loop (numba) of the weak-field echo average: shell nodes and kernel fused.

:func:`echo_sums` evaluates, for each (field, temperature, tau12) task, the sum over the
E nodes of :func:`etm.ensemble.resonance_grid`, the y = D0 phi nodes of
:func:`etm.ensemble.shell_nodes` and the nodes of the pulse field's direction
(:mod:`etm.echo.directions`) of the echo kernel of :mod:`etm.echo` (module docstring there;
docs/echo.md, section 3), without storing any node array: the y nodes and weights are generated
in the loop with the same formulas as :func:`etm.ensemble.shell_nodes`, so memory is O(1) per
task and the result equals the array route to rounding (tested to 1e-12 relative in
tests/test_echo_speed.py against a copy of the former numpy kernel).

The interface is named: the grid, the tasks, the shell rule, the constants and the direction
rule are each a :class:`typing.NamedTuple` (numba compiles them as typed tuples). One body,
:func:`echo_sums`, is compiled serial and threaded
(:func:`etm.ensemble.kernels.serial_and_parallel`).

Two exact short cuts: an E node whose smallest decay exponent (D = E) exceeds 760 contributes
exactly 0 (exp(-x) is 0.0 in double precision beyond x = 745.2), and rows are ascending in E, so
the loop over a row stops there once above resonance; nodes of zero shell weight are skipped.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit, prange
from numpy.typing import NDArray

from etm.ensemble.kernels import serial_and_parallel, taper

__all__ = [
    "DirectionRule",
    "EchoConstants",
    "EchoTasks",
    "ResonanceNodes",
    "ShellRule",
    "echo_sums",
    "echo_sums_parallel",
    "sincos",
]


class ResonanceNodes(NamedTuple):
    """The E grids of the fields (:func:`etm.ensemble.resonance_grid`)."""

    #: E nodes [K], shape (n_fields, K), rows ascending.
    E: NDArray
    #: Their weights [K].
    dE: NDArray
    #: Couplings b [K/(K angstrom^2)] of the fields (:func:`etm.ensemble.coupling`), 0 at B = 0.
    b: NDArray


class EchoTasks(NamedTuple):
    """One task per distinct (field, temperature, tau12)."""

    #: Row of the task's field in :class:`ResonanceNodes` (int64).
    row: NDArray
    #: Temperature T [K].
    T_K: NDArray
    #: Waiting time tau12 [s].
    tau12_s: NDArray


class ShellRule(NamedTuple):
    """Gauss-Legendre nodes and weights on [0, 1] of the ln y piece and the linear y piece."""

    t_log: NDArray
    w_log: NDArray
    t_lin: NDArray
    w_lin: NDArray


class EchoConstants(NamedTuple):
    """The scalars of one call (SI times and rates, energies in K)."""

    omega_per_s: float  #: carrier omega = 2 pi f [rad/s]
    K_to_rad_s: float  #: k_B/hbar [rad/(s K)]
    omega1_per_s: float  #: Omega_1 = p1 F0/hbar [rad/s]
    k: float  #: Omega_R^2 = Omega_1^2 k sigma^2 (1 - a D^2/E^2) (sigma^2, a: DirectionRule)
    gamma: float  #: phonon weight E^2 - gamma D^2
    Gamma_inv_per_sK5: float  #: Gamma^-1 [1/(s K^5)]
    c_per_sK: float  #: spectral diffusion c [1/(s K)]
    tau1_s: float
    tau2_s: float
    lam_per_s: float  #: Lambda [rad/s]: oscillations resolved within Lambda/2, averaged beyond
    ss_mean: float  #: the mean of sin^2(theta1/2) sin^2(theta2/2) over the oscillations
    Dmin_K: float
    X0min_KA2: float
    X0max_KA2: float
    isotropic: bool  #: cos(beta) uniform (else one cos(beta), folded into b)
    bloch: bool  #: C with delta/Omega_G (else delta/Omega_R)


class DirectionRule(NamedTuple):
    """Nodes of the pulse field's direction (:mod:`etm.echo.directions`).

    Node j drives a system with Omega_R^2 = Omega_1^2 k sigma_j^2 (1 - a_j D^2/E^2),
    sigma_j^2 = alpha_j + beta_j c^2 (c = cos(beta), the loop's tilt to B), with weight
    ``weight[j]`` (the weights sum to 1). Where some beta_j != 0 the field's size is correlated
    with the loop's Aharonov-Bohm phase and c is integrated at fixed y = b X c by the
    Gauss-Legendre rule (t_c, w_c) on its range; t_c is empty otherwise.
    """

    weight: NDArray
    alpha: NDArray
    beta: NDArray
    aniso: NDArray
    t_c: NDArray
    w_c: NDArray


#: exp(-x) == 0.0 in double precision for x > 745.2; the margin covers rounding of the exponent.
_ZERO_EXPONENT = 760.0


#: pi/2 in two parts (fdlibm): the first has 33 bits, so n * _PIO2_HI is exact for n < 2**20.
_PIO2_HI = 1.57079632673412561417e00
_PIO2_LO = 6.07710050650619224932e-11
_TWO_OVER_PI = 0.63661977236758134308
#: Taylor coefficients (-1)^k/(2k+1)! and (-1)^k/(2k)!: on |r| <= pi/4 the first omitted terms
#: are r^19/19! < 2e-18 and r^20/20! < 3e-19.
_SIN_C = tuple((-1.0) ** k / math.factorial(2 * k + 1) for k in range(1, 9))
_COS_C = tuple((-1.0) ** k / math.factorial(2 * k) for k in range(1, 10))


@njit(cache=True)
def sincos(x):  # pragma: no cover - compiled
    """(sin x, cos x) for |x| < 1e6 in one evaluation, to ~2 ulp of 1 (tested against libm).

    The echo kernel needs both at every node of the resonance core; libm computes them in two
    calls, each as expensive as this one. Cody-Waite reduction to |r| <= pi/4, Taylor series.
    """
    n = math.floor(x * _TWO_OVER_PI + 0.5)
    r = (x - n * _PIO2_HI) - n * _PIO2_LO
    r2 = r * r
    ps = _SIN_C[7]
    for k in range(6, -1, -1):
        ps = ps * r2 + _SIN_C[k]
    sr = r + r * r2 * ps
    pc = _COS_C[8]
    for k in range(7, -1, -1):
        pc = pc * r2 + _COS_C[k]
    cr = 1.0 + r2 * pc
    q = int(n) & 3
    if q == 0:
        return sr, cr
    if q == 1:
        return cr, -sr
    if q == 2:
        return -sr, -cr
    return -cr, sr


@njit(cache=True, inline="always")
def _one_direction(Ww, fE, decay, D2, invE2, d2, m2d, chi, double, sig2, an, k, w1, consts):
    """(S part, C part) of one (E, y, direction) node of weight Ww.

    Omega_R^2 = Omega_1^2 k sig2 (1 - an D^2/E^2). Inlined into :func:`_task` (numba IR): a real
    call per node costs more than the node itself.
    """  # pragma: no cover - compiled
    r = k * sig2 * (1.0 - an * D2 * invE2)
    if r <= 0.0:
        return 0.0, 0.0
    OG2 = w1 * w1 * r + d2
    # weight x tanh e^{-2 w tau12} (Omega_R/Omega_1)(Omega_R/Omega_G)^3
    #   = W E tanh decay Omega_1^3 r^2 / (D^2 Omega_G^3)
    num = Ww * fE * decay * r * r
    ss_mean = consts.ss_mean
    if consts.bloch and chi == 0.0:
        # averaged oscillations, C with delta/Omega_G: no square root needed
        return 0.0, num * m2d * ss_mean / (D2 * OG2 * OG2)
    OG = math.sqrt(OG2)
    wp = num / (D2 * OG2 * OG)
    if consts.bloch:
        cfac = m2d / OG
    else:
        cfac = m2d / (w1 * math.sqrt(r))
    cpart = wp * cfac * ss_mean
    sS = 0.0
    if chi > 0.0:
        s1, c1 = sincos(OG * consts.tau1_s)
        if double:
            # tau2 = 2 tau1: (1 - cos(theta2))/2 = sin^2(theta1)
            h2 = s1 * s1
        else:
            h2 = 0.5 * (1.0 - sincos(OG * consts.tau2_s)[1])
        ss = 0.5 * (1.0 - c1) * h2
        sS = chi * wp * s1 * h2
        cpart += chi * wp * cfac * (ss - ss_mean)
    return sS, cpart


@njit(cache=True)
def _task(i, grid, tasks, shell, consts, dirs, ylog, wlog):  # pragma: no cover - compiled
    """(S part, C part) of task i; ``ylog``, ``wlog`` are scratch arrays of the ln y nodes.

    Per E node the y nodes' weights, D^2 and decay are made once, then summed for every
    direction node (outer) and y node (inner): with one direction (the rms Rabi frequency) the
    loop is the former (E, y) sum operation by operation.
    """
    E = grid.E
    dE = grid.dE
    omega = consts.omega_per_s
    to_rad = consts.K_to_rad_s
    w1 = consts.omega1_per_s
    kk = consts.k
    gam = consts.gamma
    G = consts.Gamma_inv_per_sK5
    c = consts.c_per_sK
    lam = consts.lam_per_s
    Dmin = consts.Dmin_K
    X0min = consts.X0min_KA2
    X0max = consts.X0max_KA2
    iso = consts.isotropic
    t_log = shell.t_log
    w_log = shell.w_log
    t_lin = shell.t_lin
    w_lin = shell.w_lin
    # the direction rule's arrays as locals (attribute access per node costs, measured)
    d_w = dirs.weight
    d_al = dirs.alpha
    d_be = dirs.beta
    d_an = dirs.aniso
    t_c = dirs.t_c
    w_c = dirs.w_c
    ndir = d_w.shape[0]
    nc = t_c.shape[0]
    double = consts.tau2_s == 2.0 * consts.tau1_s
    K = E.shape[1]
    nlog = t_log.shape[0]
    nlin = t_lin.shape[0]
    sW = np.empty(nlog + nlin + 1)
    sy = np.empty(nlog + nlin + 1)
    sD2 = np.empty(nlog + nlin + 1)
    sdec = np.empty(nlog + nlin + 1)
    lnX = math.log(X0max / X0min)
    w1c = w1 * w1 * w1
    f = tasks.row[i]
    T = tasks.T_K[i]
    t12 = tasks.tau12_s[i]
    cT = c * T
    bf = grid.b[f]
    zero = bf <= 0.0
    bb = max(bf, 1e-300)
    lo = bb * X0min
    lo_log = math.log(lo)
    top_b = bb * X0max
    wA = (1.0 / X0min - 1.0 / X0max) / bb
    hi_prev = -1.0
    accS = 0.0
    accC = 0.0
    for kx in range(K):
        Ek = E[f, kx]
        wk = dE[f, kx]
        E2 = Ek * Ek
        delta = Ek * to_rad - omega
        th = math.tanh(min(Ek / (2.0 * T), 350.0))
        # G E^3 coth(E/2T): the phonon rate per unit of E^2 - gamma D^2
        GE3c = G * Ek**3 / math.tanh(Ek / (2.0 * T))
        # the smallest exponent of this E node (D = E); beyond it every term is exactly 0
        x0 = 2.0 * t12 * (cT + GE3c * (1.0 - gam) * E2)
        if x0 > _ZERO_EXPONENT:
            if delta > 0.0:
                break
            continue
        chi = taper(abs(delta) / lam)
        ok = False
        if zero:
            # B = 0: y = 0, D = E, measure ln(X0max/X0min) dE/E over E > Dmin
            if Ek <= Dmin:
                continue
            nodes = 1
        else:
            yhi = math.sqrt(max(E2 - Dmin * Dmin, 0.0))
            hi = min(top_b, yhi)
            ok = hi > lo
            if ok and hi != hi_prev:
                # the ln y nodes depend on E only through hi: reuse them while it is fixed
                span = math.log(hi) - lo_log
                for m in range(nlog):
                    y = math.exp(lo_log + span * t_log[m])
                    ylog[m] = y
                    yw = 1.0 - y / top_b if iso else 1.0
                    wlog[m] = span * w_log[m] * yw
                hi_prev = hi
            top = min(lo, yhi)
            nodes = (nlog if ok else 0) + (nlin if iso else 0)
        invE2 = 1.0 / E2
        d2 = delta * delta
        m2d = -2.0 * delta
        # E-node factors of (shell weight) x (prefactor): W E tanh Omega_1^3 ...
        fE = Ek * th * w1c
        # the y nodes: weight, D^2 (also the shell measure's denominator E/(E^2 - y^2)) and
        # decay, which do not depend on the field's direction
        for m in range(nodes):
            if zero:
                W = lnX
                y = 0.0
            elif m < nlog and ok:
                W = wlog[m]
                y = ylog[m]
            else:
                j = m - (nlog if ok else 0)
                W = (top * wA) * w_lin[j]
                y = top * t_lin[j]
            D2 = E2 - y * y
            sW[m] = W
            sy[m] = y
            sD2[m] = D2
            sdec[m] = math.exp(-2.0 * t12 * (cT + GE3c * (E2 - gam * D2)))
        sS = 0.0
        sC = 0.0
        for jd in range(ndir):
            for m in range(nodes):
                W = sW[m]
                if W == 0.0:
                    continue
                if nc == 0:
                    dS, dC = _one_direction(
                        W * d_w[jd], fE, sdec[m], sD2[m], invE2, d2, m2d, chi, double,
                        d_al[jd], d_an[jd], kk, w1, consts,
                    )  # fmt: skip
                    sS += dS
                    sC += dC
                    continue
                # the field's size depends on the tilt c: c uniform on its range at fixed y
                y = sy[m]
                if zero:
                    c_lo, c_hi = 0.0, 1.0
                else:
                    c_lo, c_hi = y / top_b, min(1.0, y / lo)
                for q in range(nc):
                    cq = c_lo + (c_hi - c_lo) * t_c[q]
                    dS, dC = _one_direction(
                        W * w_c[q] * d_w[jd], fE, sdec[m], sD2[m], invE2, d2, m2d, chi, double,
                        d_al[jd] + d_be[jd] * cq * cq, d_an[jd], kk, w1, consts,
                    )  # fmt: skip
                    sS += dS
                    sC += dC
        accS += wk * sS
        accC += wk * sC
    return accS, accC


def echo_sums(grid, tasks, shell, consts, dirs):  # pragma: no cover - compiled
    """Sums (S part, C part) of the echo kernel over the (E, y, direction) nodes of each task.

    Parameters
    ----------
    grid : ResonanceNodes
        The fields' E grids and couplings.
    tasks : EchoTasks
        Per task: the grid row, T [K] and tau12 [s].
    shell : ShellRule
        Gauss-Legendre rules of the y pieces.
    consts : EchoConstants
        The call's scalars (``lam_per_s`` from the grid).
    dirs : DirectionRule
        Nodes of the pulse field's direction.

    Returns
    -------
    ndarray (n, 2)
        sum of weight * pref * S_osc and of weight * pref * C-part (both without 2 pi). The
        threaded twin :func:`echo_sums_parallel` gives identical numbers: each task is summed in
        the same order by one thread.
    """
    n = tasks.row.shape[0]
    nlog = shell.t_log.shape[0]
    out = np.zeros((n, 2))
    for i in prange(n):
        ylog = np.empty(nlog)
        wlog = np.empty(nlog)
        s, c = _task(i, grid, tasks, shell, consts, dirs, ylog, wlog)
        out[i, 0] = s
        out[i, 1] = c
    return out


echo_sums, echo_sums_parallel = serial_and_parallel(echo_sums)
