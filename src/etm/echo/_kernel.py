"""Compiled inner loop (numba) of the weak-field echo average: shell nodes and kernel fused.

:func:`echo_sums` evaluates, for each (field, temperature, tau12) task, the double sum over the
E nodes of :func:`etm.ensemble.resonance_grid` and the y = D0 phi nodes of
:func:`etm.ensemble.shell_nodes` of the echo kernel of :mod:`etm.echo` (module docstring there;
docs/echo.md, section 3), without storing any node array: the y nodes and weights are generated
in the loop with the same formulas as :func:`etm.ensemble.shell_nodes`, so memory is O(1) per
task and the result equals the array route to rounding (tested to 1e-12 relative in
tests/test_echo_speed.py against a copy of the former numpy kernel).

Two exact short cuts: an E node whose smallest decay exponent (D = E) exceeds 760 contributes
exactly 0 (exp(-x) is 0.0 in double precision beyond x = 745.2), and rows are ascending in E, so
the loop over a row stops there once above resonance; nodes of zero shell weight are skipped.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

__all__ = ["echo_sums", "echo_sums_parallel", "sincos"]

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


@njit(cache=True)
def _taper(x):  # pragma: no cover - compiled
    """C-infinity step: 1 for x <= 1/2, 0 for x >= 1 (as the former numpy taper)."""
    u = min(max(2.0 * x - 1.0, 0.0), 1.0)
    f0 = math.exp(-1.0 / u) if u > 0.0 else 0.0
    f1 = math.exp(-1.0 / (1.0 - u)) if u < 1.0 else 0.0
    return f1 / (f0 + f1)


@njit(cache=True)
def _task(
    i, E, dE, b, task_row, task_T, task_tau12, t_log, w_log, t_lin, w_lin, consts, flags, ylog, wlog
):  # pragma: no cover - compiled
    """(S part, C part) of task i; ``ylog``, ``wlog`` are scratch arrays of the ln y nodes."""
    omega = consts[0]
    to_rad = consts[1]
    w1 = consts[2]
    kk = consts[3]
    gam = consts[4]
    G = consts[5]
    c = consts[6]
    tau1 = consts[7]
    tau2 = consts[8]
    lam = consts[9]
    ss_mean = consts[10]
    Dmin = consts[11]
    X0min = consts[12]
    X0max = consts[13]
    iso = flags[0] == 1
    bloch = flags[1] == 1
    double = tau2 == 2.0 * tau1
    K = E.shape[1]
    nlog = t_log.shape[0]
    nlin = t_lin.shape[0]
    lnX = math.log(X0max / X0min)
    w1c = w1 * w1 * w1
    f = task_row[i]
    T = task_T[i]
    t12 = task_tau12[i]
    cT = c * T
    bf = b[f]
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
        chi = _taper(abs(delta) / lam)
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
        sS = 0.0
        sC = 0.0
        for m in range(nodes):
            if zero:
                W = lnX
                y2 = 0.0
            elif m < nlog and ok:
                W = wlog[m]
                y = ylog[m]
                y2 = y * y
            else:
                j = m - (nlog if ok else 0)
                W = (top * wA) * 0.5 * w_lin[j]
                y = top * 0.5 * (t_lin[j] + 1.0)
                y2 = y * y
            if W == 0.0:
                continue
            # D^2 = E^2 - y^2 is also the shell measure's denominator E/(E^2 - y^2)
            D2 = E2 - y2
            r = kk * (1.0 - gam * D2 * invE2)
            OG2 = w1 * w1 * r + d2
            decay = math.exp(-2.0 * t12 * (cT + GE3c * (E2 - gam * D2)))
            # weight x tanh e^{-2 w tau12} (Omega_R/Omega_1)(Omega_R/Omega_G)^3
            #   = W E tanh decay Omega_1^3 r^2 / (D^2 Omega_G^3)
            num = W * fE * decay * r * r
            if bloch and chi == 0.0:
                # averaged oscillations, C with delta/Omega_G: no square root needed
                sC += num * m2d * ss_mean / (D2 * OG2 * OG2)
                continue
            OG = math.sqrt(OG2)
            wp = num / (D2 * OG2 * OG)
            if bloch:
                cfac = m2d / OG
            else:
                cfac = m2d / (w1 * math.sqrt(r))
            cpart = wp * cfac * ss_mean
            if chi > 0.0:
                s1, c1 = sincos(OG * tau1)
                if double:
                    # tau2 = 2 tau1: (1 - cos(theta2))/2 = sin^2(theta1)
                    h2 = s1 * s1
                else:
                    h2 = 0.5 * (1.0 - sincos(OG * tau2)[1])
                ss = 0.5 * (1.0 - c1) * h2
                sS += chi * wp * s1 * h2
                cpart += chi * wp * cfac * (ss - ss_mean)
            sC += cpart
        accS += wk * sS
        accC += wk * sC
    return accS, accC


@njit(cache=True)
def echo_sums(
    E, dE, b, task_row, task_T, task_tau12, t_log, w_log, t_lin, w_lin, consts, flags
):  # pragma: no cover - compiled
    """Sums (S part, C part) of the echo kernel over the (E, y) nodes of each task.

    Parameters
    ----------
    E, dE : ndarray (nB, K)
        E nodes [K] (rows ascending) and weights of the fields' grids.
    b : ndarray (nB,)
        Couplings [K/angstrom^2 ... as :func:`etm.ensemble.coupling`], > 0 for B > 0, 0 at B = 0.
    task_row, task_T, task_tau12 : ndarray (n,)
        Per task: the grid row, T [K] and tau12 [s].
    t_log, w_log, t_lin, w_lin : ndarray
        Gauss-Legendre nodes and weights on [0, 1] of the ln y and linear y pieces.
    consts : ndarray (16,)
        omega [rad/s], K->rad/s, omega1 [rad/s], k, gamma, Gamma^-1 [1/(s K^5)], c [1/(s K)],
        tau1, tau2 [s], lam [rad/s], ss_mean, Dmin [K], X0min, X0max [K A^2], spare, spare.
    flags : ndarray (2,) of int
        (isotropic, bloch C form).

    Returns
    -------
    ndarray (n, 2)
        sum of weight * pref * S_osc and of weight * pref * C-part (both without 2 pi).
    """
    n = task_row.shape[0]
    out = np.zeros((n, 2))
    ylog = np.zeros(t_log.shape[0])
    wlog = np.zeros(t_log.shape[0])
    for i in range(n):
        out[i, 0], out[i, 1] = _task(
            i,
            E,
            dE,
            b,
            task_row,
            task_T,
            task_tau12,
            t_log,
            w_log,
            t_lin,
            w_lin,
            consts,
            flags,
            ylog,
            wlog,
        )
    return out


@njit(cache=True, parallel=True)
def echo_sums_parallel(
    E, dE, b, task_row, task_T, task_tau12, t_log, w_log, t_lin, w_lin, consts, flags
):  # pragma: no cover - compiled
    """:func:`echo_sums` with the tasks spread over numba's threads (identical numbers: each
    task is summed in the same order by one thread)."""
    n = task_row.shape[0]
    out = np.zeros((n, 2))
    for i in prange(n):
        ylog = np.zeros(t_log.shape[0])
        wlog = np.zeros(t_log.shape[0])
        s, c = _task(
            i,
            E,
            dE,
            b,
            task_row,
            task_T,
            task_tau12,
            t_log,
            w_log,
            t_lin,
            w_lin,
            consts,
            flags,
            ylog,
            wlog,
        )
        out[i, 0] = s
        out[i, 1] = c
    return out
