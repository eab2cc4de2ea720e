"""Compiled single-system pieces of the exact three-level echo (:mod:`etm.echo.exact`).

One ATS (bare well energies, bare D0, phase phi) is diagonalized (:mod:`etm.threelevel`), its
couplings to an in-plane pulse field at angle psi built from the well dipoles in the
eigenbasis, and the two-pulse sequence propagated in the rotating frame of the ladder
0 -> 1 -> 2 with the RWA (the ``frame="rwa"`` of :func:`etm.echo.dynamics.three_level_echo`): each
pulse is one constant Hermitian 3x3 Hamiltonian, exponentiated through its eigen-decomposition
(trigonometric roots refined by Newton steps, cross-product eigenvectors); the free evolution
is diagonal and the echo pathway keeps rho_10 after pulse 1 (docs/echo.md, docs/exact_response.md).

The interface is named: the call's constants (:class:`PulseConstants`), the nodes of the pulse
field's direction (:class:`FieldDirections`, built by :mod:`etm.echo.directions`) and the work
buffers (:class:`Workspace`, :func:`workspace`) are :class:`typing.NamedTuple` s, which numba
compiles as typed tuples.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit
from numpy.typing import NDArray

from etm.constants import K_TO_RAD_S
from etm.ensemble.kernels import taper
from etm.threelevel.systems import dipole_kernel, eig_kernel, hermitian_nullvec, pair_norm2

__all__ = [
    "FieldDirections",
    "PulseConstants",
    "Workspace",
    "herm3_eig",
    "propagator_entry",
    "system_echo",
    "workspace",
]

_SQ3_2 = 0.5 * math.sqrt(3.0)


class PulseConstants(NamedTuple):
    """The scalars of an exact echo call (SI times and rates, energies in K)."""

    omega_per_s: float  #: carrier omega = 2 pi f [rad/s]
    omega1_per_s: float  #: Omega_1 = p1 F0/hbar [rad/s]
    tau1_s: float
    tau2_s: float
    tau12_s: float
    c_per_sK: float  #: spectral diffusion c [1/(s K)]
    Gamma_inv_per_sK5: float  #: Gamma^-1 [1/(s K^5)]
    gamma: float  #: phonon weight: 1/2 (``"exact"``: 2|P01|^2) or 1/6 (the essay's)
    tan_alpha: float  #: tan(omega Delta tau), the detection phase
    lam_per_s: float  #: Lambda [rad/s]: oscillations resolved within Lambda/2, averaged beyond
    ss_mean: float  #: the mean of sin^2(theta1/2) sin^2(theta2/2) over the oscillations


class FieldDirections(NamedTuple):
    """Nodes of the pulse field's direction seen by a loop (:mod:`etm.echo.directions`).

    Node j: in-plane field of size sigma_j sqrt(2/3) F0, sigma_j^2 = alpha_j + beta_j c^2 (c the
    loop's cos(beta)), at in-plane angle psi_j, weight ``weight[j]`` (the weights sum to 1).
    With ``rms`` the one node drives the 0-1 pair with the in-plane rms coupling times sigma.
    """

    weight: NDArray
    alpha: NDArray
    beta: NDArray
    cos_psi: NDArray
    sin_psi: NDArray
    rms: bool


class Workspace(NamedTuple):
    """Work buffers of :func:`system_echo` (:func:`workspace` allocates them)."""

    h: NDArray  #: (3, 3) complex: the scaled Hamiltonian
    V: NDArray  #: (3, 3) complex: its eigenvectors
    Pxy: NDArray  #: (2, 3, 3) complex: the in-plane dipoles in the eigenbasis
    lev: NDArray  #: (3,): the levels
    work: NDArray  #: (4, 3, 3) complex: the pulse Hamiltonian, propagators, its eigenvectors
    eigval: NDArray  #: (3,): the pulse Hamiltonian's eigenvalues


@njit(cache=True)
def workspace():  # pragma: no cover - compiled
    """Fresh :class:`Workspace` buffers."""
    return Workspace(
        np.empty((3, 3), dtype=np.complex128),
        np.empty((3, 3), dtype=np.complex128),
        np.empty((2, 3, 3), dtype=np.complex128),
        np.empty(3),
        np.empty((4, 3, 3), dtype=np.complex128),
        np.empty(3),
    )


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
def propagator_entry(V, ph, i, j):  # pragma: no cover - compiled
    """U[i, j] = sum_k V[i, k] exp(-i w_k tau) conj(V[j, k]) from the eigen-phases ph[k]."""
    return (
        V[i, 0] * ph[0] * V[j, 0].conjugate()
        + V[i, 1] * ph[1] * V[j, 1].conjugate()
        + V[i, 2] * ph[2] * V[j, 2].conjugate()
    )


@njit(cache=True)
def system_echo(e1, e2, e3, d, phi, D, c, T, consts, dirs, ws):  # pragma: no cover - compiled
    """Direction-averaged detected echo (|C01|/Omega1)(Re z tan a + Im z) of one system; its gap.

    Parameters
    ----------
    e1, e2, e3, d, phi : float
        Bare well energies [K] (sum 0), bare D0 [K] and the Aharonov-Bohm phase [rad].
    D : float
        Effective asymmetry D [K] (the essay's phonon weight).
    c : float
        cos(beta) of the loop (the correlated field size of :class:`FieldDirections`).
    T : float
        Temperature [K].
    consts : PulseConstants
    dirs : FieldDirections
    ws : Workspace

    Returns
    -------
    value, g01 : float
        The weighted sum over the direction nodes; the exact 0-1 gap [K].
    """
    omega, om1, tau1, tau2, tau12 = (
        consts.omega_per_s,
        consts.omega1_per_s,
        consts.tau1_s,
        consts.tau2_s,
        consts.tau12_s,
    )
    cT, G, gam = consts.c_per_sK * T, consts.Gamma_inv_per_sK5, consts.gamma
    tan_a, lam_, ss_mean = consts.tan_alpha, consts.lam_per_s, consts.ss_mean
    Pxy = ws.Pxy
    g01, g12 = eig_kernel(e1, e2, e3, d, phi, ws.h, ws.V, ws.lev)
    dipole_kernel(ws.V, Pxy)
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
    work = ws.work
    Hm, U1, U2, Vw = work[0], work[1], work[2], work[3]
    n = dirs.weight.shape[0]
    # rms mode: the direction of the larger 0-1 element, scaled to the rms over psi
    cx01, cy01 = Pxy[0, 0, 1], Pxy[1, 0, 1]
    rms01 = math.sqrt(0.5 * (abs(cx01) ** 2 + abs(cy01) ** 2))
    chi = taper(abs(delta) / lam_)
    acc = 0.0
    for j in range(n):
        sig2 = dirs.alpha[j] + dirs.beta[j] * c * c
        if sig2 <= 0.0:
            continue
        sig = math.sqrt(sig2)
        if dirs.rms:
            ax = 1.0 if abs(cx01) >= abs(cy01) else 0.0
            s = sig * rms01 / max(abs(cx01), abs(cy01))
            c01 = om1 * s * (ax * cx01 + (1.0 - ax) * cy01)
            c12 = om1 * s * (ax * Pxy[0, 1, 2] + (1.0 - ax) * Pxy[1, 1, 2])
        else:
            cs, sn = sig * dirs.cos_psi[j], sig * dirs.sin_psi[j]
            c01 = om1 * (cs * cx01 + sn * cy01)
            c12 = om1 * (cs * Pxy[0, 1, 2] + sn * Pxy[1, 1, 2])
        Om = abs(c01)
        if Om == 0.0:
            continue
        OG = math.hypot(Om, delta)
        q = Om / OG
        pref = dpop * decay * (Om / om1) * q * q * q
        avg = pref * (-2.0 * delta / OG) * ss_mean
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
            ww = ws.eigval
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
        acc += dirs.weight[j] * val
    return acc, g01
