"""Compiled single-system pieces of the exact three-level echo (:mod:`etm.echo.exact`).

One ATS (bare well energies, bare D0, phase phi) is diagonalized (:mod:`etm.threelevel`), its
couplings to an in-plane pulse field at angle psi built from the well dipoles in the
eigenbasis, and the two-pulse sequence propagated in the rotating frame of the ladder
0 -> 1 -> 2 with the RWA (the ``frame="rwa"`` of :func:`etm.echo.dynamics.three_level_echo`): each
pulse is one constant Hermitian 3x3 Hamiltonian, exponentiated through its eigen-decomposition
(trigonometric roots refined by Newton steps, cross-product eigenvectors); the free evolution
is diagonal and the echo pathway keeps rho_10 after pulse 1 (docs/echo.md, docs/exact_response.md).
"""

from __future__ import annotations

import math

from numba import njit

from etm.constants import K_TO_RAD_S
from etm.threelevel.systems import dipole_kernel, eig_kernel, pair_norm2

__all__ = ["herm3_eig", "hermitian_nullvec", "propagator_entry", "system_echo", "taper"]

_SQ3_2 = 0.5 * math.sqrt(3.0)


@njit(cache=True)
def herm3_eig(H, V, w):  # pragma: no cover - compiled
    """Eigen-decomposition of a Hermitian 3x3 H (trigonometric roots, cross-product vectors)."""
    m = (H[0, 0].real + H[1, 1].real + H[2, 2].real) / 3.0
    b00, b11, b22 = H[0, 0].real - m, H[1, 1].real - m, H[2, 2].real - m
    b01, b02, b12 = H[0, 1], H[0, 2], H[1, 2]
    off = (b01 * b01.conjugate() + b02 * b02.conjugate() + b12 * b12.conjugate()).real
    q = (b00 * b00 + b11 * b11 + b22 * b22 + 2.0 * off) / 6.0
    if q <= 0.0:
        for i in range(3):
            w[i] = m
            for j in range(3):
                V[i, j] = 1.0 if i == j else 0.0
        return
    p = math.sqrt(q)
    det = (
        b00 * b11 * b22
        + 2.0 * (b01 * b12 * b02.conjugate()).real
        - b00 * (b12 * b12.conjugate()).real
        - b11 * (b02 * b02.conjugate()).real
        - b22 * (b01 * b01.conjugate()).real
    )
    r = max(-1.0, min(1.0, det / (2.0 * p**3)))
    a = math.acos(r) / 3.0
    w[0] = m + 2.0 * p * math.cos(a + 2.0 * math.pi / 3.0)
    w[1] = m + 2.0 * p * math.cos(a - 2.0 * math.pi / 3.0)
    w[2] = m + 2.0 * p * math.cos(a)
    # acos loses half the digits of a close pair far from the third level (the driven doublet
    # beside level 2): Newton steps on det(H - lambda) restore them (absolute ~eps * scale)
    h01, h02, h12 = abs(H[0, 1]) ** 2, abs(H[0, 2]) ** 2, abs(H[1, 2]) ** 2
    re3 = (H[0, 1] * H[1, 2] * H[2, 0]).real
    for k in range(3):
        lam = w[k]
        for _ in range(3):
            a0, a1, a2 = H[0, 0].real - lam, H[1, 1].real - lam, H[2, 2].real - lam
            f = a0 * a1 * a2 + 2.0 * re3 - a0 * h12 - a1 * h02 - a2 * h01
            fp = -((a1 * a2 - h12) + (a0 * a2 - h02) + (a0 * a1 - h01))
            if fp == 0.0:
                break
            lam -= f / fp
        w[k] = lam
    for k in range(3):
        hermitian_nullvec(H, w[k], V, k)


@njit(cache=True)
def hermitian_nullvec(h, lam, out, col):  # pragma: no cover - compiled
    a00, a11, a22 = h[0, 0] - lam, h[1, 1] - lam, h[2, 2] - lam
    a01, a02, a12 = h[0, 1], h[0, 2], h[1, 2]
    a10, a20, a21 = h[1, 0], h[2, 0], h[2, 1]
    best = -1.0
    c0 = c1 = c2 = 0.0j
    for p in range(3):
        if p == 0:
            x0, x1, x2 = a01 * a12 - a02 * a11, a02 * a10 - a00 * a12, a00 * a11 - a01 * a10
        elif p == 1:
            x0, x1, x2 = a11 * a22 - a12 * a21, a12 * a20 - a10 * a22, a10 * a21 - a11 * a20
        else:
            x0, x1, x2 = a21 * a02 - a22 * a01, a22 * a00 - a20 * a02, a20 * a01 - a21 * a00
        n = abs(x0) ** 2 + abs(x1) ** 2 + abs(x2) ** 2
        if n > best:
            best, c0, c1, c2 = n, x0, x1, x2
    inv = 1.0 / math.sqrt(best) if best > 0.0 else 0.0
    out[0, col], out[1, col], out[2, col] = c0 * inv, c1 * inv, c2 * inv


@njit(cache=True)
def propagator_entry(V, ph, i, j):  # pragma: no cover - compiled
    """U[i, j] = sum_k V[i, k] exp(-i w_k tau) conj(V[j, k]) from the eigen-phases ph[k]."""
    return (
        V[i, 0] * ph[0] * V[j, 0].conjugate()
        + V[i, 1] * ph[1] * V[j, 1].conjugate()
        + V[i, 2] * ph[2] * V[j, 2].conjugate()
    )


@njit(cache=True)
def taper(x):  # pragma: no cover - compiled
    """C-infinity step: 1 for x <= 1/2, 0 for x >= 1 (as in etm.echo)."""
    u = min(max(2.0 * x - 1.0, 0.0), 1.0)
    if u <= 0.0:
        return 1.0
    if u >= 1.0:
        return 0.0
    f0 = math.exp(-1.0 / u)
    f1 = math.exp(-1.0 / (1.0 - u))
    return f1 / (f0 + f1)


@njit(cache=True)
def system_echo(e1, e2, e3, d, phi, D, T, pr, psi, rms, h, V, Pxy, lev, work, ww):  # noqa: E501 # pragma: no cover
    """psi-averaged detected echo (|C01|/Omega1)(Re z tan a + Im z) of one system, and its gap.

    pr = (omega, Omega1, tau1, tau2, tau12, c, Gamma, gamma, tan_a, Lambda, ss_mean).
    """
    omega, om1, tau1, tau2, tau12 = pr[0], pr[1], pr[2], pr[3], pr[4]
    cT, G, gam, tan_a, lam_, ss_mean = pr[5] * T, pr[6], pr[7], pr[8], pr[9], pr[10]
    g01, g12 = eig_kernel(e1, e2, e3, d, phi, h, V, lev)
    dipole_kernel(V, Pxy)
    x1 = min(g01 / T, 700.0)
    x2 = min((g01 + g12) / T, 700.0)
    Z = 1.0 + math.exp(-x1) + math.exp(-x2)
    r0, r1, r2 = 1.0 / Z, math.exp(-x1) / Z, math.exp(-x2) / Z
    dpop = -math.expm1(-x1) / Z
    # Eq. 21 with the exact gap; the weight: 2 |P01|^2 ("exact", strain couples as the field
    # does) or 1 - gam D^2/E_w^2 ("essay"), both the weak-field forms at g = E_w (>= 0)
    if gam == 0.5:
        wt = 2.0 * pair_norm2(Pxy, 0, 1)
    else:
        y = d * phi / _SQ3_2
        wt = 1.0 - gam * D * D / (D * D + y * y)
    rate = cT + G * g01**5 * wt / math.tanh(min(g01 / (2.0 * T), 350.0))
    decay = math.exp(-2.0 * tau12 * rate)
    delta = g01 * K_TO_RAD_S - omega
    a2 = (g01 + g12) * K_TO_RAD_S - 2.0 * omega
    Hm, U1, U2, Vw = work[0], work[1], work[2], work[3]
    n = psi.shape[0]
    # rms mode: the direction of the larger 0-1 element, scaled to the rms over psi
    cx01, cy01 = Pxy[0, 0, 1], Pxy[1, 0, 1]
    rms01 = math.sqrt(0.5 * (abs(cx01) ** 2 + abs(cy01) ** 2))
    acc = 0.0
    for j in range(n):
        if rms:
            ax = 1.0 if abs(cx01) >= abs(cy01) else 0.0
            s = rms01 / max(abs(cx01), abs(cy01))
            c01 = om1 * s * (ax * cx01 + (1.0 - ax) * cy01)
            c12 = om1 * s * (ax * Pxy[0, 1, 2] + (1.0 - ax) * Pxy[1, 1, 2])
        else:
            cs, sn = math.cos(psi[j]), math.sin(psi[j])
            c01 = om1 * (cs * cx01 + sn * cy01)
            c12 = om1 * (cs * Pxy[0, 1, 2] + sn * Pxy[1, 1, 2])
        Om = abs(c01)
        if Om == 0.0:
            continue
        OG = math.hypot(Om, delta)
        q = Om / OG
        pref = dpop * decay * (Om / om1) * q * q * q
        avg = pref * (-2.0 * delta / OG) * ss_mean
        chi = taper(abs(delta) / lam_)
        val = avg
        if chi > 0.0:
            for a in range(3):
                for b in range(3):
                    Hm[a, b] = 0.0
            Hm[1, 1] = delta
            Hm[2, 2] = a2
            Hm[0, 1] = 0.5 * c01
            Hm[1, 0] = 0.5 * c01.conjugate()
            Hm[1, 2] = 0.5 * c12
            Hm[2, 1] = 0.5 * c12.conjugate()
            # both pulses share the Hamiltonian: one eigen-decomposition, two durations
            herm3_eig(Hm, Vw, ww)
            for k in range(3):
                U1[0, k] = complex(math.cos(ww[k] * tau1), -math.sin(ww[k] * tau1))
                U2[0, k] = complex(math.cos(ww[k] * tau2), -math.sin(ww[k] * tau2))
            p1, p2 = U1[0], U2[0]
            r10 = propagator_entry(Vw, p1, 1, 0) * r0 * propagator_entry(Vw, p1, 0, 0).conjugate()
            r10 += propagator_entry(Vw, p1, 1, 1) * r1 * propagator_entry(Vw, p1, 0, 1).conjugate()
            r10 += propagator_entry(Vw, p1, 1, 2) * r2 * propagator_entry(Vw, p1, 0, 2).conjugate()
            # free evolution tau12, pulse 2, free evolution tau12: the detuning phases cancel
            r01 = propagator_entry(Vw, p2, 0, 1) * r10 * propagator_entry(Vw, p2, 1, 0).conjugate()
            r01 *= math.exp(-2.0 * rate * tau12)
            z = 2.0j * r01 * c01.conjugate() / Om
            prop = (Om / om1) * (z.real * tan_a + z.imag)
            val = avg + chi * (prop - avg)
        acc += val
    return acc / n, g01
