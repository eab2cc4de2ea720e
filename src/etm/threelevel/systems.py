"""Batched single-system machinery of the exact three-level ATS: spectrum, eigenvectors, dipoles.

Every exact three-level observable (:mod:`etm.dielectric.exact`, :mod:`etm.echo.exact`) needs,
for many systems at once, the eigen-decomposition of the essay's Eq. 6 Hamiltonian, the dipole
operator of the three wells in its eigenbasis and the thermal populations. This module holds
them, in two independent implementations:

* :func:`eigensystem` (numpy ``eigh``, LAPACK) with :func:`eigenbasis_dipoles` and
  :func:`thermal_populations`: the reference, used for single systems and in the tests;
* compiled (numba) kernels that evaluate the linear response of a system from the closed-form
  levels (the stable trigonometric root of :mod:`etm.spectrum`) and eigenvectors from cross
  products of the rows of H - lambda, at ~0.2 us per system (:func:`system_response`).

Parameters of one system are the effective ones of the essay's tables (docs/exact.md): D_eff,
the polar angle theta of the well energies ``E_k = D cos(theta + 2 pi k/3)`` on the plane
``sum E = 0``, D0_eff (bare ``D0 = (sqrt(3)/2) D0_eff``) and the Aharonov-Bohm phase phi.
The well dipoles are those of :func:`etm.echo.dynamics.well_dipoles`: unit length, well k at the
in-plane angle 2 pi k/3 (the triangle's centroid at the origin, so their sum is zero). Dipoles
are returned as their two in-plane components (x, y); averaged over the in-plane direction of a
unit in-plane field, ``|P_mn . e|^2`` is half their squared norm (docs/exact_response.md).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from numpy.typing import ArrayLike, NDArray

from etm.spectrum import ats_hamiltonian, ats_well_energies, to_bare

__all__ = [
    "WELL_XY",
    "closed_form_levels",
    "dipole_kernel",
    "eig_kernel",
    "hermitian_nullvec",
    "pair_norm2",
    "response_kernel",
    "eigenbasis_dipoles",
    "eigensystem",
    "system_hamiltonian",
    "system_response",
    "thermal_populations",
]

#: In-plane unit well dipoles, shape (3, 2): well k at angle 2 pi k/3
#: (etm.echo.dynamics.well_dipoles).
WELL_XY: NDArray[np.float64] = np.stack(
    [np.cos(2.0 * np.pi * np.arange(3) / 3.0), np.sin(2.0 * np.pi * np.arange(3) / 3.0)], axis=-1
)

_SQRT3 = math.sqrt(3.0)
_TWO_PI_3 = 2.0 * math.pi / 3.0
#: exp(-x) is 0 in double precision beyond x ~ 745: clipping there keeps every exponent finite.
_X_CLIP = 700.0


def system_hamiltonian(
    D_K: ArrayLike, theta: ArrayLike, D0_K: ArrayLike, phi: ArrayLike
) -> NDArray[np.complex128]:
    """Eq. 6 Hamiltonian [K] of ATS given in effective parameters (D, theta, D0_eff, phi).

    Parameters
    ----------
    D_K : array_like
        Effective asymmetry D [K], >= 0.
    theta : array_like
        Polar angle of the bare well energies on the plane sum(E) = 0 [rad].
    D0_K : array_like
        Effective tunneling energy D0_eff [K], >= 0.
    phi : array_like
        Aharonov-Bohm phase [rad].

    Returns
    -------
    ndarray of complex, shape (..., 3, 3)
        :func:`etm.spectrum.ats_hamiltonian` of the bare well energies and bare D0.

    References
    ----------
    Essay Eqs. 6, 9-11; docs/exact.md.

    Examples
    --------
    >>> H = system_hamiltonian(0.0, 0.0, 2.0 / np.sqrt(3.0), 0.0)
    >>> print(np.round(np.linalg.eigvalsh(H), 12))
    [-1. -1.  2.]
    """
    E = ats_well_energies(D_K, theta)
    _, D0b = to_bare(0.0, D0_K)
    return ats_hamiltonian(E[..., 0], E[..., 1], E[..., 2], D0b, phi)


def eigensystem(
    D_K: ArrayLike, theta: ArrayLike, D0_K: ArrayLike, phi: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.complex128]]:
    """Levels and eigenvectors of ATS by batched LAPACK diagonalization (the reference route).

    Parameters
    ----------
    D_K, theta, D0_K, phi : array_like
        As in :func:`system_hamiltonian`; broadcast together.

    Returns
    -------
    levels : ndarray, shape (..., 3)
        Eigenvalues [K], ascending.
    V : ndarray of complex, shape (..., 3, 3)
        Column n is the eigenvector of level n in the well basis.

    Examples
    --------
    >>> lam, V = eigensystem(0.1, 0.3, 5.0, 0.2)
    >>> bool(np.allclose(np.conj(V.T) @ V, np.eye(3)))
    True
    """
    return np.linalg.eigh(system_hamiltonian(D_K, theta, D0_K, phi))


def eigenbasis_dipoles(V: ArrayLike) -> NDArray[np.complex128]:
    """In-plane dipole operator of the three unit well dipoles in an eigenbasis.

    Parameters
    ----------
    V : array_like of complex, shape (..., 3, 3)
        Eigenvectors as columns (:func:`eigensystem`).

    Returns
    -------
    ndarray of complex, shape (..., 2, 3, 3)
        ``P[..., a, m, n] = sum_k conj(V[k, m]) WELL_XY[k, a] V[k, n]`` (a = x, y), in units of
        the well dipole |p_k| = q a.

    Examples
    --------
    >>> P = eigenbasis_dipoles(np.eye(3))
    >>> bool(np.allclose(np.einsum("amm->a", P), 0.0))  # trace = sum of the well dipoles
    True
    """
    Va = np.asarray(V, dtype=complex)
    return np.einsum("...km,ka,...kn->...amn", np.conj(Va), WELL_XY, Va)


def thermal_populations(levels_K: ArrayLike, T_K: ArrayLike) -> NDArray[np.float64]:
    """Boltzmann populations of a set of levels (last axis), T [K] > 0.

    Examples
    --------
    >>> print(np.round(thermal_populations([0.0, 1.0, 2.0], 1e-3), 12))
    [1. 0. 0.]
    """
    lev = np.asarray(levels_K, dtype=float)
    T = np.asarray(T_K, dtype=float)[..., None]
    x = np.minimum((lev - lev.min(axis=-1, keepdims=True)) / T, _X_CLIP)
    w = np.exp(-x)
    return w / w.sum(axis=-1, keepdims=True)


# --------------------------------------------------------------------------------------------
# compiled kernels


@njit(cache=True)
def closed_form_levels(e1, e2, e3, d, phi):  # pragma: no cover - compiled
    """Closed-form levels of Eq. 6 (sum e = 0) as in etm.spectrum: (scale, l0, l1, l2, g01, g12).

    The gaps are in product form (relative accuracy of a near-degenerate doublet).
    """
    scale = max(abs(e1), abs(e2), abs(e3), d)
    if scale == 0.0:
        return 1.0, 0.0, 0.0, 0.0, 0.0, 0.0
    x1, x2, x3, dd = e1 / scale, e2 / scale, e3 / scale, d / scale
    d12, d13, d23 = (e1 - e2) / scale, (e1 - e3) / scale, (e2 - e3) / scale
    Q = x1 * x1 + x2 * x2 + x3 * x3
    P = x1 * x2 * x3
    c, sn = math.cos(phi), math.sin(phi)
    s = math.sqrt(dd * dd + Q / 6.0)
    minus_r = P + 2.0 * dd**3 * c
    bracket = Q * Q / 3.0 + 2.0 * Q * dd * dd - 4.0 * P * dd * c
    a = (d12 * d13 * d23) ** 2 / 27.0 + dd * dd * bracket + 4.0 * dd**6 * sn * sn
    sa = math.sqrt(max(a, 0.0))
    th = math.atan2(sa, minus_r)
    thc = math.atan2(sa, -minus_r)
    al = th / 3.0
    l0 = 2.0 * s * math.cos(al + _TWO_PI_3)
    l1 = 2.0 * s * math.cos(al - _TWO_PI_3)
    l2 = 2.0 * s * math.cos(al)
    g01 = 2.0 * _SQRT3 * s * math.sin(al)
    g12 = 2.0 * _SQRT3 * s * math.sin(thc / 3.0)
    return scale, l0, l1, l2, g01, g12


@njit(cache=True)
def hermitian_nullvec(h, lam, out, col):  # pragma: no cover - compiled
    """Unit eigenvector of the Hermitian 3x3 h for eigenvalue lam, into out[:, col].

    The null vector of h - lam is the cross product of two of its rows (bilinear: r_i . v = 0);
    of the three pairs the one with the largest norm is the best conditioned.
    """
    a00, a11, a22 = h[0, 0] - lam, h[1, 1] - lam, h[2, 2] - lam
    a01, a02, a12 = h[0, 1], h[0, 2], h[1, 2]
    a10, a20, a21 = h[1, 0], h[2, 0], h[2, 1]
    # rows r0 = (a00, a01, a02), r1 = (a10, a11, a12), r2 = (a20, a21, a22)
    c0 = a01 * a12 - a02 * a11
    c1 = a02 * a10 - a00 * a12
    c2 = a00 * a11 - a01 * a10
    n01 = c0.real**2 + c0.imag**2 + c1.real**2 + c1.imag**2 + c2.real**2 + c2.imag**2
    b0 = a11 * a22 - a12 * a21
    b1 = a12 * a20 - a10 * a22
    b2 = a10 * a21 - a11 * a20
    n12 = b0.real**2 + b0.imag**2 + b1.real**2 + b1.imag**2 + b2.real**2 + b2.imag**2
    if n12 > n01:
        c0, c1, c2, n01 = b0, b1, b2, n12
    b0 = a21 * a02 - a22 * a01
    b1 = a22 * a00 - a20 * a02
    b2 = a20 * a01 - a21 * a00
    n20 = b0.real**2 + b0.imag**2 + b1.real**2 + b1.imag**2 + b2.real**2 + b2.imag**2
    if n20 > n01:
        c0, c1, c2, n01 = b0, b1, b2, n20
    inv = 1.0 / math.sqrt(n01) if n01 > 0.0 else 0.0
    out[0, col], out[1, col], out[2, col] = c0 * inv, c1 * inv, c2 * inv


@njit(cache=True)
def eig_kernel(e1, e2, e3, d, phi, h, V, lev):  # pragma: no cover - compiled
    """Levels (ascending, into lev) and eigenvectors (columns of V) of one system.

    ``h`` is a (3, 3) complex work buffer. Returns the gaps (g01, g12) [K] in product form.
    """
    scale, l0, l1, l2, g01, g12 = closed_form_levels(e1, e2, e3, d, phi)
    t = complex(math.cos(phi / 3.0), math.sin(phi / 3.0)) * (d / scale)
    h[0, 0], h[1, 1], h[2, 2] = e1 / scale, e2 / scale, e3 / scale
    h[0, 1] = t
    h[1, 2] = t
    h[2, 0] = t
    h[1, 0] = t.conjugate()
    h[2, 1] = t.conjugate()
    h[0, 2] = t.conjugate()
    hermitian_nullvec(h, l0, V, 0)
    hermitian_nullvec(h, l2, V, 2)
    # the middle column orthogonal (Hermitian) to the other two: conj(v0 x v2), up to a phase
    a0, a1, a2 = V[0, 0], V[1, 0], V[2, 0]
    b0, b1, b2 = V[0, 2], V[1, 2], V[2, 2]
    V[0, 1] = (a1 * b2 - a2 * b1).conjugate()
    V[1, 1] = (a2 * b0 - a0 * b2).conjugate()
    V[2, 1] = (a0 * b1 - a1 * b0).conjugate()
    lev[0], lev[1], lev[2] = l0 * scale, l1 * scale, l2 * scale
    return g01 * scale, g12 * scale


_WX = (1.0, -0.5, -0.5)
_WY = (0.0, 0.5 * _SQRT3, -0.5 * _SQRT3)


@njit(cache=True)
def dipole_kernel(V, Pxy):  # pragma: no cover - compiled
    """Pxy[a, m, n] = sum_k conj(V[k, m]) w[k, a] V[k, n] for the unit in-plane well dipoles."""
    for m in range(3):
        for n in range(m, 3):
            q0 = V[0, m].conjugate() * V[0, n]
            q1 = V[1, m].conjugate() * V[1, n]
            q2 = V[2, m].conjugate() * V[2, n]
            px = q0 - 0.5 * (q1 + q2)
            py = (0.5 * _SQRT3) * (q1 - q2)
            Pxy[0, m, n] = px
            Pxy[1, m, n] = py
            Pxy[0, n, m] = px.conjugate()
            Pxy[1, n, m] = py.conjugate()


@njit(cache=True)
def pair_norm2(Pxy, m, n):  # pragma: no cover - compiled
    """|P_mn|^2 summed over the two in-plane components."""
    a, b = Pxy[0, m, n], Pxy[1, m, n]
    return a.real**2 + a.imag**2 + b.real**2 + b.imag**2


@njit(cache=True)
def response_kernel(e1, e2, e3, d, phi, T, hf2, h, V, Pxy, lev):  # pragma: no cover - compiled
    """(resonant, relaxational static, gap01) of one system, in-plane dipoles summed (x + y).

    resonant = sum_{m<n} 2 (rho_m - rho_n) |P_mn|^2 E_nm / (E_nm^2 - hf^2);
    relaxational = (1/T) sum_n rho_n |P_nn - <P_d>|^2 (the variance of the diagonal dipole).
    """
    g01, g12 = eig_kernel(e1, e2, e3, d, phi, h, V, lev)
    dipole_kernel(V, Pxy)
    x1 = min(g01 / T, _X_CLIP)
    x2 = min((g01 + g12) / T, _X_CLIP)
    w1, w2 = math.exp(-x1), math.exp(-x2)
    Z = 1.0 + w1 + w2
    rho0, rho1, rho2 = 1.0 / Z, w1 / Z, w2 / Z
    # population differences without cancellation: 1 - e^-x = -expm1(-x)
    d01 = -math.expm1(-x1) / Z
    d02 = -math.expm1(-x2) / Z
    d12 = w1 * (-math.expm1(-(x2 - x1))) / Z
    g02 = g01 + g12
    res = 2.0 * d01 * pair_norm2(Pxy, 0, 1) * g01 / (g01 * g01 - hf2)
    res += 2.0 * d02 * pair_norm2(Pxy, 0, 2) * g02 / (g02 * g02 - hf2)
    res += 2.0 * d12 * pair_norm2(Pxy, 1, 2) * g12 / (g12 * g12 - hf2)
    rel = 0.0
    for a in range(2):
        p0, p1, p2 = Pxy[a, 0, 0].real, Pxy[a, 1, 1].real, Pxy[a, 2, 2].real
        mean = rho0 * p0 + rho1 * p1 + rho2 * p2
        rel += rho0 * (p0 - mean) ** 2 + rho1 * (p1 - mean) ** 2 + rho2 * (p2 - mean) ** 2
    return res, rel / T, g01


def system_response(
    D_K: ArrayLike,
    theta: ArrayLike,
    D0_K: ArrayLike,
    phi: ArrayLike,
    T_K: float,
    hf_K: float = 0.0,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Linear dielectric response of single ATS from the compiled closed-form kernels.

    Parameters
    ----------
    D_K, theta, D0_K, phi : array_like
        Effective parameters as in :func:`system_hamiltonian`; broadcast together.
    T_K : float
        Temperature [K], > 0.
    hf_K : float
        Photon energy hf/k_B [K] of the measuring field, below every gap.

    Returns
    -------
    resonant, relaxational : ndarray
        ``sum_{m<n} 2 (rho_m - rho_n) |P_mn|^2 E_nm/(E_nm^2 - hf^2)`` and
        ``(1/T) sum_n rho_n |P_nn - <P_d>|^2`` [1/K], with |P|^2 the squared norm of the in-plane
        dipole (unit well dipoles); the field-direction average of ``|P . e|^2`` is 1/3 of it
        for an isotropic measuring field (docs/exact_response.md).

    References
    ----------
    Essay Eqs. 6, 16-17; docs/exact_response.md.

    Examples
    --------
    Weak field: the effective two-level system of gap E = 0.5 K, transition weight
    (E^2 - D^2/2)/E^2 halved (the in-plane norm):

    >>> res, rel = system_response(0.3, 0.0, 400.0, 0.4 / 400.0, 0.25)
    >>> bool(np.isclose(res, (1 - 0.18) * np.tanh(1.0) / 0.5, rtol=2e-3))
    True
    """
    D, th, D0, ph = np.broadcast_arrays(
        *(np.asarray(x, dtype=float) for x in (D_K, theta, D0_K, phi))
    )
    E = ats_well_energies(D, th)
    _, D0b = to_bare(0.0, D0)
    res, rel = _batch_response(
        E[..., 0].ravel(),
        E[..., 1].ravel(),
        E[..., 2].ravel(),
        np.ravel(D0b),
        ph.ravel(),
        float(T_K),
        float(hf_K) ** 2,
    )
    return res.reshape(D.shape), rel.reshape(D.shape)


@njit(cache=True)
def _batch_response(e1, e2, e3, d, phi, T, hf2):  # pragma: no cover - compiled
    n = e1.shape[0]
    res = np.empty(n)
    rel = np.empty(n)
    h = np.empty((3, 3), dtype=np.complex128)
    V = np.empty((3, 3), dtype=np.complex128)
    Pxy = np.empty((2, 3, 3), dtype=np.complex128)
    lev = np.empty(3)
    for i in range(n):
        r, q, _ = response_kernel(e1[i], e2[i], e3[i], d[i], phi[i], T, hf2, h, V, Pxy, lev)
        res[i] = r
        rel[i] = q
    return res, rel
