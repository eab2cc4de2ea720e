"""Resonant dielectric susceptibility of tunneling systems that carry a quadrupolar nucleus.

The same single system as :mod:`etm.neqm.single` (full 2n-level Hamiltonian, no first-order
reduction: the systems that matter here have E ~ the nuclear splittings), in linear response to a
field along the tunneling dipole, whose operator is p sigma_z (x) 1 in the well basis. The static
van Vleck (resonant) susceptibility of one system is

    chi_sys = sum_{i != j} (p_i - p_j) |<i| sigma_z |j>|^2 / (E_j - E_i)      [1/energy, p^2 = 1]

(p_i thermal populations; pairs closer than ``degenerate_Hz`` contribute their Curie limit
beta p_i |<i|sigma_z|j>|^2). Without a nucleus this is 2 (Delta0/E)^2 tanh(E/2T)/E, the
polarizability of a 2LS (p = 1), whose average over the STM distribution gives the textbook
resonant slope: delta eps/eps = (P-bar p^2/(3 eps0 eps_r)) int dE (2 int_0^1 u du/sqrt(1 - u^2))
tanh(E/2T)/E = -(2 P-bar p^2/(3 eps0 eps_r)) ln T + const. The glass's change (Polishchuk,
Burin et al., PRB 75, 024207):

    delta chi(T, B) = sum_isotopes f_i int dDelta0/Delta0 int dDelta <chi_sys - chi_bare>,

in units of P-bar p^2 (per unit of the 2LS density of states P-bar, dipole p, before the 1/3 of
the orientation average), <.> over the gradients as in :mod:`etm.neqm.ensemble`. It converges:
systems with E >> the nuclear scale b are unchanged to first order; for Delta0 << b the system
splits into n^2 isolated anticrossings |L,k> <-> |R,k'> of tunneling Delta0 |<k_L|k'_R>|, which
the Delta quadrature resolves (docs/neqm.md section 8). Measured features against
the paper's abstract (delta chi ~ |b|/T at B = 0; a rise by ~2 when the Zeeman energy reaches
|b|; a decrease to zero when it exceeds k_B T): docs/neqm.md section 8.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from etm.checks import check_instance, check_int, check_positive
from etm.constants import h, k_B
from etm.neqm.ensemble import sample_nucleus
from etm.neqm.single import spin_operators
from etm.params import NEQMParams, Pulses, QuadrupolarNucleus

__all__ = ["susceptibility_change", "system_susceptibility"]

_HZ_PER_K = k_B / h
#: Pulses are irrelevant here; sample_nucleus needs one for its phi weight, which is not used.
_DUMMY = Pulses(1e9, 1e-7, 2e-7, 1e-6)


def system_susceptibility(
    Delta_Hz: ArrayLike,
    Delta0_Hz: ArrayLike,
    HQ_L: ArrayLike,
    HQ_R: ArrayLike,
    HZ: ArrayLike,
    T_K: float,
    *,
    degenerate_Hz: float = 1.0,
) -> NDArray[np.float64]:
    """Resonant susceptibility chi_sys [1/Hz, per h; dipole p = 1] of systems, broadcast.

    Parameters
    ----------
    Delta_Hz, Delta0_Hz : array_like
        Asymmetry and tunnel splitting [Hz] (shape S).
    HQ_L, HQ_R, HZ : array_like
        Nuclear Hamiltonians [Hz], shape S + (n, n) (or broadcastable).
    T_K : float
        Temperature [K], > 0.
    degenerate_Hz : float
        Level pairs closer than this [Hz] take the Curie limit of (p_i - p_j)/(E_j - E_i).

    Returns
    -------
    ndarray
        chi_sys, shape S.

    Examples
    --------
    >>> z = np.zeros((1, 1))
    >>> c = system_susceptibility(3e8, 4e8, z, z, z, 0.01)  # a bare 2LS: 2 u^2 tanh(E/2T)/E
    >>> E = 5e8; x = 6.62607015e-34 * E / (2 * 1.380649e-23 * 0.01)
    >>> bool(abs(c - 2 * 0.64 * math.tanh(x) / E) < 1e-12 * c)
    True
    """
    T = check_positive("T_K", T_K, unit="K")
    d = np.asarray(Delta_Hz, dtype=float)
    d0 = np.asarray(Delta0_Hz, dtype=float)
    QL, QR, Z = (np.asarray(x, dtype=complex) for x in (HQ_L, HQ_R, HZ))
    shape = np.broadcast_shapes(d.shape, d0.shape, QL.shape[:-2], QR.shape[:-2], Z.shape[:-2])
    n = QL.shape[-1]
    H = np.zeros((*shape, 2 * n, 2 * n), dtype=complex)
    one = np.eye(n)
    H[..., :n, :n] = 0.5 * d[..., None, None] * one + QL + Z
    H[..., n:, n:] = -0.5 * d[..., None, None] * one + QR + Z
    H[..., :n, n:] = 0.5 * d0[..., None, None] * one
    H[..., n:, :n] = 0.5 * d0[..., None, None] * one
    lam, V = np.linalg.eigh(H)
    sz = np.concatenate([np.ones(n), -np.ones(n)])
    D = np.einsum("...ai,a,...aj->...ij", V.conj(), sz, V)
    D2 = np.abs(D) ** 2
    beta = 1.0 / (T * _HZ_PER_K)  # 1/Hz
    x = -beta * (lam - lam[..., :1])
    p = np.exp(x)
    p /= p.sum(axis=-1, keepdims=True)
    dE = lam[..., None, :] - lam[..., :, None]  # E_j - E_i
    dp = p[..., :, None] - p[..., None, :]
    close = np.abs(dE) < degenerate_Hz
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(close, beta * 0.5 * (p[..., :, None] + p[..., None, :]), dp / dE)
    np.einsum("...ii->...i", ratio)[...] = 0.0
    return np.einsum("...ij,...ij->...", ratio, D2)


def susceptibility_change(
    T_K: ArrayLike,
    B_T: ArrayLike,
    params: NEQMParams,
    *,
    n_samples: int = 16,
    n_D0: int = 16,
    n_cross: int = 12,
    span: float = 1e3,
    seed: int = 0,
) -> NDArray[np.float64]:
    """Change delta chi(T, B) of the resonant susceptibility by the nuclei [units of P-bar p^2].

    Parameters
    ----------
    T_K, B_T : array_like
        Temperature [K] > 0 and field [T] >= 0, broadcast together.
    params : NEQMParams
        The nuclei and their fractions and gradient distributions.
    n_samples : int
        Sobol gradient pairs per isotope (a power of 2).
    n_D0 : int
        Gauss nodes in ln Delta0 over [b/span, b span], b = max(nu_Q, Larmor frequency).
    n_cross : int
        Nodes Delta_c + w tan(t) around each crossing Delta_c of a left-well and a right-well
        nuclear level, where chi changes over w = Delta0 |<k_L|k'_R>| (floored at 1e-6 Delta0:
        a crossing narrower than its node spacing would be hit or missed at random, its peak
        being ~beta/2n high); merged with log-spaced nodes for the tails; trapezoids.
    span : float
        Half-width of the ln Delta0 window in factors of b (> 1).
    seed : int
        Scrambling seed of the gradient sample.

    Returns
    -------
    ndarray
        delta chi = sum f_i int dDelta0/Delta0 int dDelta <chi_sys - chi_bare>, shape
        ``broadcast(T_K, B_T)``; 0 without quadrupolar nuclei.

    Notes
    -----
    Converged (to ~3 % between the defaults and n_D0 = 24, n_cross = 16) while the Zeeman
    splitting is up to a few nu_Q; well above, where Delta0 ~ gamma B mixes the dressed levels
    at Delta's that the bare-well crossings do not predict, it is not (docs/neqm.md sec. 8).
    Cost ~ n_samples n_D0 (n^2 n_cross + 140) eigendecompositions of 2n x 2n matrices per field
    and isotope (~1 s for I = 1, ~4 s for I = 5/2 at the defaults).
    """
    check_instance("params", params, NEQMParams, "etm.neqm.NEQMParams")
    check_int("n_D0", n_D0, minimum=4)
    check_int("n_cross", n_cross, minimum=4)
    sp = check_positive("span", span)
    if sp <= 1.0:
        raise ValueError(f"span must be > 1, got {span!r}")
    T = np.asarray(T_K, dtype=float)
    if (~np.isfinite(T) | (T <= 0)).any():
        raise ValueError(f"T_K must be finite and > 0 [K], got {T_K!r}")
    B = np.asarray(B_T, dtype=float)
    if (~np.isfinite(B) | (B < 0)).any():
        raise ValueError(f"B_T must be finite and >= 0 [T], got {B_T!r}")
    T, B = np.broadcast_arrays(T, B)
    out = np.zeros(T.shape)
    for nuc in params.nuclei:
        if nuc.fraction == 0.0:
            continue
        smp = sample_nucleus(nuc, params, _DUMMY, n_samples, seed=seed)
        for k, (t, b) in enumerate(zip(T.ravel(), B.ravel(), strict=True)):
            v = _one_field(float(t), float(b), nuc, smp, n_D0, n_cross, sp)
            out.flat[k] += nuc.fraction * v
    return out


def _one_field(T, B, nuc: QuadrupolarNucleus, smp, n_D0, n_cross, span) -> float:
    Z = -nuc.gamma_Hz_per_T * B * spin_operators(nuc.I)[2]
    QL, QR = smp.Qbar + smp.q, smp.Qbar - smp.q
    n = QL.shape[-1]
    zero = np.zeros((n, n))
    b = max(nuc.nu_Q_Hz, abs(nuc.gamma_Hz_per_T) * B)
    x, wx = np.polynomial.legendre.leggauss(n_D0)
    D0s = b * np.exp(math.log(span) * x)
    wD0 = math.log(span) * wx  # dDelta0/Delta0 = d ln Delta0
    t, _ = np.polynomial.legendre.leggauss(n_cross)
    tang = np.tan(0.5 * math.pi * 0.98 * t)
    total = 0.0
    for j in range(QL.shape[0]):
        a, Va = np.linalg.eigh(QL[j] + Z)
        c, Vc = np.linalg.eigh(QR[j] + Z)
        ovl = np.abs(Va.conj().T @ Vc)  # <k_L|k'_R>
        cross = (c[None, :] - a[:, None]).ravel()  # Delta at which |L,k> meets |R,k'>
        acc = 0.0
        for D0, w in zip(D0s, wD0, strict=True):
            widths = D0 * np.maximum(ovl.ravel(), 1e-6)
            nodes = [(cross[:, None] + widths[:, None] * tang[None, :]).ravel(), D0 * tang]
            tail = np.geomspace(1e-2 * D0, 1e4 * max(b, D0), 64)
            nodes += [tail, -tail]
            Dl = np.unique(np.concatenate(nodes))
            full = system_susceptibility(Dl, D0, QL[j], QR[j], Z, T)
            bare = system_susceptibility(Dl, D0, zero, zero, Z, T)
            acc += w * float(np.trapezoid(full - bare, Dl))
        total += acc
    return total / QL.shape[0]
