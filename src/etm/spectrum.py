"""Spectra of single tunneling systems: three-well ATS (closed form), n-well ring, tetrahedron.

All energies are in kelvin (E/k_B). Every function broadcasts over leading array dimensions.

Two parameter sets are kept apart (docs/conventions.md):

* **bare** parameters are the matrix elements of the essay's Eq. 6: well energies ``E1, E2, E3``
  and the tunneling amplitude ``D0``; ``D_bare = sqrt(E1**2 + E2**2 + E3**2)``;
* **effective** parameters are the essay's "trivially rescaled" ones, in which the weak-field gap of
  the lower doublet reads ``sqrt(D**2 + (D0*phi)**2)``: ``D_eff = sqrt(2/3) D_bare`` and
  ``D0_eff = (2/sqrt(3)) D0_bare``. Every fitted table of the essay is in effective parameters.

See ``docs/spectrum.md`` for the derivation of the numerically stable closed form.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from etm.checks import plain

__all__ = [
    "TETRA_FACES",
    "TETRA_VERTICES",
    "ats_hamiltonian",
    "ats_levels",
    "ats_well_energies",
    "lower_gap",
    "ring_hamiltonian",
    "ring_levels",
    "tetrahedral_hamiltonian",
    "tetrahedral_levels",
    "to_bare",
    "to_effective",
    "weak_field_gap",
]

_SQRT3 = np.sqrt(3.0)
_TWO_PI_3 = 2.0 * np.pi / 3.0

#: Vertices r_i of the regular tetrahedron, shape (4, 3): unit circumradius, centroid at the origin.
#: Edge length sqrt(8/3), face area S_face = 2/sqrt(3); only ratios enter the spectrum.
TETRA_VERTICES: NDArray[np.float64] = np.array(
    [[1.0, 1.0, 1.0], [1.0, -1.0, -1.0], [-1.0, 1.0, -1.0], [-1.0, -1.0, 1.0]]
) / np.sqrt(3.0)

#: Faces as vertex triples (i, j, k), face f opposite vertex f, ordered so that the right-hand
#: normal (r_j - r_i) x (r_k - r_i) points outward (along -r_f).
TETRA_FACES: tuple[tuple[int, int, int], ...] = ((1, 3, 2), (0, 2, 3), (0, 3, 1), (0, 1, 2))

_TETRA_FACE_AREA = 2.0 / np.sqrt(3.0)


def _checked(name: str, x: ArrayLike, *, nonneg: bool = False) -> NDArray[np.float64]:
    """Convert ``x`` to a float array; raise a one-line ValueError for NaN/inf (or < 0)."""
    arr = np.asarray(x, dtype=float)
    bad = ~np.isfinite(arr)
    if bad.any():
        raise ValueError(f"{name} must be finite, got {plain(arr[bad].flat[0])}")
    if nonneg and (arr < 0).any():
        raise ValueError(
            f"{name} must be >= 0 ({name} = 0 allowed), got {plain(arr[arr < 0].flat[0])}"
        )
    return arr


def ats_hamiltonian(
    E1: ArrayLike, E2: ArrayLike, E3: ArrayLike, D0: ArrayLike, phi: ArrayLike
) -> NDArray[np.complex128]:
    """Three-well ATS Hamiltonian of the essay's Eq. 6 (bare parameters).

    Parameters
    ----------
    E1, E2, E3 : array_like
        Bare well energies [K]. Need not sum to zero.
    D0 : array_like
        Bare tunneling amplitude D0 >= 0 [K].
    phi : array_like
        Aharonov-Bohm phase phi = 2 pi Phi/Phi0 through the triangle [rad].

    Returns
    -------
    ndarray of complex, shape (..., 3, 3)
        ``H[0, 1] = H[1, 2] = H[2, 0] = D0 exp(+i phi/3)`` and the Hermitian conjugates, so that
        ``H01 H12 H20 = D0**3 exp(i phi)``; broadcast over the inputs.

    Raises
    ------
    ValueError
        For non-finite input or D0 < 0.

    References
    ----------
    Essay Eq. 6; docs/conventions.md.

    Examples
    --------
    >>> H = ats_hamiltonian(0.0, 0.0, 0.0, 1.0, 0.0)
    >>> H.real
    array([[0., 1., 1.],
           [1., 0., 1.],
           [1., 1., 0.]])
    """
    E1a, E2a, E3a = (_checked(n, v) for n, v in (("E1", E1), ("E2", E2), ("E3", E3)))
    D0a = _checked("D0", D0, nonneg=True)
    phia = _checked("phi", phi)
    E1a, E2a, E3a, D0a, phia = np.broadcast_arrays(E1a, E2a, E3a, D0a, phia)
    t = D0a * np.exp(1j * phia / 3.0)
    tc = np.conj(t)
    H = np.empty((*E1a.shape, 3, 3), dtype=complex)
    H[..., 0, 0], H[..., 1, 1], H[..., 2, 2] = E1a, E2a, E3a
    H[..., 0, 1] = H[..., 1, 2] = H[..., 2, 0] = t
    H[..., 1, 0] = H[..., 2, 1] = H[..., 0, 2] = tc
    return H


def _ats_closed_form(
    E1: ArrayLike, E2: ArrayLike, E3: ArrayLike, D0: ArrayLike, phi: ArrayLike
) -> tuple[NDArray[np.float64], ...]:
    """Shared core of :func:`ats_levels` and :func:`lower_gap`.

    Returns ``(m, scale, s, alpha, theta_c)``: the mean well energy m, the normalization scale, the
    normalized radius s = sqrt(-p/3), the angle alpha = theta/3 in [0, pi/3] and
    theta_c = pi - 3 alpha (computed directly, for the upper doublet).
    """
    E1a, E2a, E3a = (_checked(n, v) for n, v in (("E1", E1), ("E2", E2), ("E3", E3)))
    D0a = _checked("D0", D0, nonneg=True)
    phia = _checked("phi", phi)
    E1a, E2a, E3a, D0a, phia = np.broadcast_arrays(E1a, E2a, E3a, D0a, phia)

    # The cubic is written for E1 + E2 + E3 = 0: shift by the mean, add it back at the end.
    m = (E1a + E2a + E3a) / 3.0
    e1, e2, e3 = E1a - m, E2a - m, E3a - m
    # Normalize to O(1) so that the sixth powers in the discriminant neither over- nor underflow;
    # scale = 0 only when all levels equal m (then s = 0 and atan2(0, 0) = 0, no warning).
    scale = np.maximum.reduce([np.abs(e1), np.abs(e2), np.abs(e3), D0a])
    safe = np.where(scale > 0.0, scale, 1.0)
    x1, x2, x3, d = e1 / safe, e2 / safe, e3 / safe, D0a / safe
    # Differences from the raw inputs: invariant under the shift, and not polluted by it.
    d12, d13, d23 = (E1a - E2a) / safe, (E1a - E3a) / safe, (E2a - E3a) / safe

    Q = x1 * x1 + x2 * x2 + x3 * x3
    P = x1 * x2 * x3
    c, sn = np.cos(phia), np.sin(phia)
    # s^2 = -p/3 = D0^2 + Q/6: a sum of non-negative terms, hence accurate.
    s = np.sqrt(d * d + Q / 6.0)
    minus_r = P + 2.0 * d**3 * c
    # a = 4 s^6 - r^2 = (discriminant)/27 as a sum of non-negative terms (docs/spectrum.md); the
    # bracket is >= half the sum of the moduli of its terms, so no cancellation anywhere.
    bracket = Q * Q / 3.0 + 2.0 * Q * d * d - 4.0 * P * d * c
    a = (d12 * d13 * d23) ** 2 / 27.0 + d * d * bracket + 4.0 * d**6 * sn * sn
    sqrt_a = np.sqrt(np.maximum(a, 0.0))
    # cos(3 alpha) = -r/(2 s^3), sin(3 alpha) = sqrt(a)/(2 s^3): atan2 keeps relative accuracy of
    # the small angle at either end of [0, pi], where arccos would lose half the digits.
    theta = np.arctan2(sqrt_a, minus_r)
    theta_c = np.arctan2(sqrt_a, -minus_r)
    return m, safe, s, theta / 3.0, theta_c


def ats_levels(
    E1: ArrayLike, E2: ArrayLike, E3: ArrayLike, D0: ArrayLike, phi: ArrayLike
) -> NDArray[np.float64]:
    """Exact levels of the three-well ATS (Eq. 6) by the stable closed form of the cubic.

    The characteristic polynomial of the traceless part is lambda^3 + p lambda + r = 0 with
    p = E1 E2 + E1 E3 + E2 E3 - 3 D0^2 and r = -(E1 E2 E3 + 2 D0^3 cos phi) (Eq. 8). The roots are
    lambda_k = 2 s cos(alpha - 2 pi k/3) with s = sqrt(-p/3) and
    3 alpha = atan2(sqrt(4 s^6 - r^2), -r), where 4 s^6 - r^2 is evaluated as a sum of
    non-negative terms. This keeps full (machine) accuracy relative to the spectral scale also for
    degenerate and near-degenerate spectra.

    If E1 + E2 + E3 != 0 the mean m = (E1 + E2 + E3)/3 is subtracted before and added back after.

    Parameters
    ----------
    E1, E2, E3 : array_like
        Bare well energies [K].
    D0 : array_like
        Bare tunneling amplitude D0 >= 0 [K].
    phi : array_like
        Aharonov-Bohm phase [rad].

    Returns
    -------
    ndarray, shape (..., 3)
        The three levels [K], ascending.

    Raises
    ------
    ValueError
        For non-finite input or D0 < 0.

    References
    ----------
    Essay Eqs. 6-8 and 11; docs/conventions.md; docs/spectrum.md.

    Examples
    --------
    >>> ats_levels(0.0, 0.0, 0.0, 1.0, 0.0)
    array([-1., -1.,  2.])
    >>> print(np.round(ats_levels(0.0, 0.0, 0.0, 1.0, np.pi), 12))
    [-2.  1.  1.]
    """
    m, scale, s, alpha, _ = _ats_closed_form(E1, E2, E3, D0, phi)
    lam = 2.0 * s[..., None] * np.cos(alpha[..., None] + np.array([_TWO_PI_3, -_TWO_PI_3, 0.0]))
    # In exact arithmetic these are already ascending; sort only to absorb 1-ulp ties.
    return np.sort(lam, axis=-1) * scale[..., None] + m[..., None]


def lower_gap(
    E1: ArrayLike, E2: ArrayLike, E3: ArrayLike, D0: ArrayLike, phi: ArrayLike
) -> NDArray[np.float64]:
    """Gap lambda_1 - lambda_0 of the lower doublet of the three-well ATS, with relative accuracy.

    Evaluated as the product 2 sqrt(3) s sin(alpha) (the difference of the two lower roots of
    :func:`ats_levels` in closed form), not as a difference of nearly equal levels, so that a
    tiny gap of a near-degenerate doublet keeps full relative accuracy.

    Parameters
    ----------
    E1, E2, E3 : array_like
        Bare well energies [K].
    D0 : array_like
        Bare tunneling amplitude D0 >= 0 [K].
    phi : array_like
        Aharonov-Bohm phase [rad].

    Returns
    -------
    ndarray
        lambda_1 - lambda_0 >= 0 [K], broadcast over the inputs.

    Raises
    ------
    ValueError
        For non-finite input or D0 < 0.

    References
    ----------
    Essay Eqs. 8-9; docs/spectrum.md.

    Examples
    --------
    At E = 0 the gap is 2 sqrt(3) D0 sin(phi/3), about (2/sqrt(3)) D0 phi at weak field:

    >>> g = lower_gap(0.0, 0.0, 0.0, 1.0, 1e-9)
    >>> bool(abs(g / (2 * np.sqrt(3) * np.sin(1e-9 / 3)) - 1) < 1e-14)
    True
    """
    _, scale, s, alpha, _ = _ats_closed_form(E1, E2, E3, D0, phi)
    # cos(a + 2pi/3) - cos(a - 2pi/3) = -2 sin(a) sin(2pi/3): the difference in product form.
    return 2.0 * _SQRT3 * s * np.sin(alpha) * scale


def ats_well_energies(D: ArrayLike, theta: ArrayLike) -> NDArray[np.float64]:
    """Well energies on the plane E1 + E2 + E3 = 0 from the effective asymmetry and a polar angle.

    E_k = D cos(theta + 2 pi k/3), k = 0, 1, 2, so sum(E_k) = 0 and sum(E_k^2) = 3 D^2/2: the bare
    radius is sqrt(3/2) D and ``D`` is the *effective* asymmetry D_eff = sqrt(2/3) D_bare.

    Parameters
    ----------
    D : array_like
        Effective asymmetry D_eff >= 0 [K].
    theta : array_like
        Polar angle on the plane sum(E) = 0 [rad].

    Returns
    -------
    ndarray, shape (..., 3)
        Bare well energies (E1, E2, E3) [K], to be used with bare D0 in :func:`ats_levels`.

    Raises
    ------
    ValueError
        For non-finite input or D < 0.

    References
    ----------
    Essay Eqs. 9-11; docs/conventions.md.

    Examples
    --------
    >>> E = ats_well_energies(1.0, 0.0)
    >>> print(np.round(E, 12))
    [ 1.  -0.5 -0.5]
    >>> float(np.sqrt(2 / 3 * np.sum(E**2)))
    1.0
    """
    Da = _checked("D", D, nonneg=True)
    tha = _checked("theta", theta)
    return Da[..., None] * np.cos(tha[..., None] + _TWO_PI_3 * np.arange(3))


def to_effective(
    D_bare: ArrayLike, D0_bare: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Convert bare (Eq. 6) parameters to the essay's effective ("trivially rescaled") ones.

    Parameters
    ----------
    D_bare : array_like
        D_bare = sqrt(E1^2 + E2^2 + E3^2) >= 0 [K] (for E1 + E2 + E3 = 0).
    D0_bare : array_like
        Bare tunneling amplitude >= 0 [K].

    Returns
    -------
    D_eff, D0_eff : ndarray
        D_eff = sqrt(2/3) D_bare and D0_eff = (2/sqrt(3)) D0_bare [K].

    Raises
    ------
    ValueError
        For non-finite or negative input.

    References
    ----------
    Essay Eq. 9 and the text after it; docs/conventions.md.

    Examples
    --------
    >>> D, D0 = to_effective(np.sqrt(1.5), np.sqrt(3) / 2)
    >>> print(np.round([D, D0], 12))
    [1. 1.]
    """
    Db = _checked("D_bare", D_bare, nonneg=True)
    D0b = _checked("D0_bare", D0_bare, nonneg=True)
    return np.sqrt(2.0 / 3.0) * Db, (2.0 / _SQRT3) * D0b


def to_bare(D_eff: ArrayLike, D0_eff: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Convert effective parameters back to bare ones; the inverse of :func:`to_effective`.

    Parameters
    ----------
    D_eff : array_like
        Effective asymmetry >= 0 [K].
    D0_eff : array_like
        Effective tunneling amplitude >= 0 [K].

    Returns
    -------
    D_bare, D0_bare : ndarray
        D_bare = sqrt(3/2) D_eff = sqrt(E1^2 + E2^2 + E3^2) and D0_bare = (sqrt(3)/2) D0_eff [K].

    Raises
    ------
    ValueError
        For non-finite or negative input.

    References
    ----------
    docs/conventions.md.

    Examples
    --------
    >>> D, D0 = to_bare(1.0, 2.0)
    >>> print(np.round([D**2, D0**2], 12))
    [1.5 3. ]
    """
    De = _checked("D_eff", D_eff, nonneg=True)
    D0e = _checked("D0_eff", D0_eff, nonneg=True)
    return np.sqrt(1.5) * De, (_SQRT3 / 2.0) * D0e


def weak_field_gap(D: ArrayLike, D0phi: ArrayLike) -> NDArray[np.float64]:
    """Weak-field gap of the lower ATS doublet, sqrt(D^2 + (D0 phi)^2), in effective parameters.

    Valid for D, D0 |phi| << D0 (relative error measured in docs/spectrum.md).

    Parameters
    ----------
    D : array_like
        Effective asymmetry D_eff [K].
    D0phi : array_like
        Product D0_eff * phi [K] (e.g. from :func:`etm.constants.ab_energy`); sign irrelevant.

    Returns
    -------
    ndarray
        Gap E [K], computed with ``np.hypot`` (no overflow or underflow of the squares).

    Raises
    ------
    ValueError
        For non-finite input.

    References
    ----------
    Essay Eq. 9 after the rescaling; docs/conventions.md.

    Examples
    --------
    >>> float(weak_field_gap(3.0, 4.0))
    5.0
    """
    return np.hypot(_checked("D", D), _checked("D0phi", D0phi))


def ring_hamiltonian(E: ArrayLike, D0: ArrayLike, phi: ArrayLike) -> NDArray[np.complex128]:
    """Hamiltonian of n >= 3 wells on a ring threaded by the flux phase ``phi``.

    Parameters
    ----------
    E : array_like, shape (..., n)
        Well energies [K], n >= 3.
    D0 : array_like
        Tunneling amplitude between neighbours, D0 >= 0 [K]; broadcasts with ``E[..., 0]``.
    phi : array_like
        Aharonov-Bohm phase through the ring [rad]; the Peierls phase is phi/n per bond.

    Returns
    -------
    ndarray of complex, shape (..., n, n)
        ``H[j, (j+1) % n] = D0 exp(+i phi/n)`` and its conjugate; for n = 3 this is Eq. 6.

    Raises
    ------
    ValueError
        For n < 3, non-finite input or D0 < 0.

    References
    ----------
    Essay section 2 (n_w-well generalization); docs/conventions.md.

    Examples
    --------
    >>> H = ring_hamiltonian([0.0, 0.0, 0.0, 0.0], 1.0, 0.0)
    >>> H.real
    array([[0., 1., 0., 1.],
           [1., 0., 1., 0.],
           [0., 1., 0., 1.],
           [1., 0., 1., 0.]])
    """
    Ea = _checked("E", E)
    if Ea.ndim < 1 or Ea.shape[-1] < 3:
        raise ValueError(f"E must have shape (..., n) with n >= 3 wells, got shape {Ea.shape}")
    n = Ea.shape[-1]
    D0a = _checked("D0", D0, nonneg=True)
    phia = _checked("phi", phi)
    batch = np.broadcast_shapes(Ea.shape[:-1], D0a.shape, phia.shape)
    Ea = np.broadcast_to(Ea, (*batch, n))
    t = np.broadcast_to(D0a * np.exp(1j * phia / n), batch)
    H = np.zeros((*batch, n, n), dtype=complex)
    idx = np.arange(n)
    H[..., idx, idx] = Ea
    H[..., idx, (idx + 1) % n] = t[..., None]
    H[..., (idx + 1) % n, idx] = np.conj(t)[..., None]
    return H


def ring_levels(E: ArrayLike, D0: ArrayLike, phi: ArrayLike) -> NDArray[np.float64]:
    """Levels of n >= 3 wells on a ring (batched numerical diagonalization).

    Parameters
    ----------
    E : array_like, shape (..., n)
        Well energies [K], n >= 3.
    D0 : array_like
        Tunneling amplitude between neighbours, D0 >= 0 [K].
    phi : array_like
        Aharonov-Bohm phase through the ring [rad]; Peierls phase phi/n per bond.

    Returns
    -------
    ndarray, shape (..., n)
        Levels [K], ascending. At E = 0 they are 2 D0 cos((phi + 2 pi k)/n), k = 0..n-1.

    Raises
    ------
    ValueError
        For n < 3, non-finite input or D0 < 0.

    References
    ----------
    Essay section 2; docs/conventions.md.

    Examples
    --------
    >>> print(np.round(ring_levels(np.zeros(4), 1.0, 0.0), 12) + 0.0)
    [-2.  0.  0.  2.]
    """
    return np.linalg.eigvalsh(ring_hamiltonian(E, D0, phi))


def tetrahedral_hamiltonian(
    E: ArrayLike,
    D0: ArrayLike,
    phi_vec: ArrayLike,
    *,
    gauge_origin: ArrayLike | None = None,
) -> NDArray[np.complex128]:
    """Hamiltonian of the tetrahedral four-well potential (TFWP) in a uniform magnetic field.

    Geometry: the wells sit at the vertices ``TETRA_VERTICES`` r_0..r_3 =
    (1, 1, 1)/sqrt(3), (1, -1, -1)/sqrt(3), (-1, 1, -1)/sqrt(3), (-1, -1, 1)/sqrt(3)
    (unit circumradius, face area S_face = 2/sqrt(3)); all six edges carry the amplitude D0. The
    vector potential is in the symmetric gauge A = B x (r - r_g)/2 about ``gauge_origin`` r_g, which
    gives the straight-edge Peierls phase theta_ij = (pi/Phi0) B . ((r_i - r_g) x (r_j - r_g)) and
    ``H[i, j] = D0 exp(i theta_ij)``. With phi_vec := 2 pi B S_face/Phi0,
    theta_ij = phi_vec . ((r_i - r_g) x (r_j - r_g)) / (2 S_face). Going round a face (i, j, k) in
    the sense whose right-hand normal n_f points outward (``TETRA_FACES``), the phases add up to
    the face flux phi_vec . n_f; the four face fluxes sum to zero (closed surface). For one face
    this is the convention of Eq. 6, whose loop 0 -> 1 -> 2 -> 0 carries +phi.

    Parameters
    ----------
    E : array_like, shape (..., 4)
        Well energies [K].
    D0 : array_like
        Tunneling amplitude on every edge, D0 >= 0 [K].
    phi_vec : array_like, shape (..., 3)
        2 pi B S_face/Phi0 [rad]: the Aharonov-Bohm phase through a face is phi_vec . n_f.
    gauge_origin : array_like, shape (..., 3), optional
        Origin r_g of the symmetric gauge, in the units of ``TETRA_VERTICES`` (default: the
        centroid). Changing it is a gauge transformation: the levels do not change.

    Returns
    -------
    ndarray of complex, shape (..., 4, 4)
        Hermitian Hamiltonian [K].

    Raises
    ------
    ValueError
        For wrong trailing shapes, non-finite input or D0 < 0.

    References
    ----------
    Essay section 2 (TFWP); docs/conventions.md.

    Examples
    --------
    >>> H = tetrahedral_hamiltonian(np.zeros(4), 1.0, [0.0, 0.0, 0.3])
    >>> bool(np.allclose(H, np.conj(np.swapaxes(H, -1, -2))))
    True
    """
    Ea = _checked("E", E)
    if Ea.ndim < 1 or Ea.shape[-1] != 4:
        raise ValueError(f"E must have shape (..., 4), got shape {Ea.shape}")
    pv = _checked("phi_vec", phi_vec)
    if pv.ndim < 1 or pv.shape[-1] != 3:
        raise ValueError(f"phi_vec must have shape (..., 3), got shape {pv.shape}")
    D0a = _checked("D0", D0, nonneg=True)
    rg = np.zeros(3) if gauge_origin is None else _checked("gauge_origin", gauge_origin)
    if rg.ndim < 1 or rg.shape[-1] != 3:
        raise ValueError(f"gauge_origin must have shape (..., 3), got shape {rg.shape}")

    batch = np.broadcast_shapes(Ea.shape[:-1], D0a.shape, pv.shape[:-1], rg.shape[:-1])
    r = TETRA_VERTICES - rg[..., None, :]  # (..., 4, 3)
    cross = np.cross(r[..., :, None, :], r[..., None, :, :])  # (..., 4, 4, 3): r_i x r_j
    theta = np.einsum("...k,...ijk->...ij", pv, cross) / (2.0 * _TETRA_FACE_AREA)
    off = 1.0 - np.eye(4)
    H = np.broadcast_to(D0a[..., None, None] * off * np.exp(1j * theta), (*batch, 4, 4)).copy()
    idx = np.arange(4)
    H[..., idx, idx] = np.broadcast_to(Ea, (*batch, 4))
    return H


def tetrahedral_levels(E: ArrayLike, D0: ArrayLike, phi_vec: ArrayLike) -> NDArray[np.float64]:
    """Levels of the tetrahedral four-well potential in a uniform field (batched diagonalization).

    See :func:`tetrahedral_hamiltonian` for the geometry and the gauge. No closed form exists.

    Parameters
    ----------
    E : array_like, shape (..., 4)
        Well energies [K].
    D0 : array_like
        Tunneling amplitude on every edge, D0 >= 0 [K].
    phi_vec : array_like, shape (..., 3)
        2 pi B S_face/Phi0 [rad]; the phase through the face with outward unit normal n_f is
        phi_vec . n_f.

    Returns
    -------
    ndarray, shape (..., 4)
        Levels [K], ascending.

    Raises
    ------
    ValueError
        For wrong trailing shapes, non-finite input or D0 < 0.

    References
    ----------
    Essay section 2 (TFWP); docs/conventions.md.

    Examples
    --------
    >>> print(np.round(tetrahedral_levels(np.zeros(4), 1.0, np.zeros(3)), 12))
    [-1. -1. -1.  3.]
    """
    return np.linalg.eigvalsh(tetrahedral_hamiltonian(E, D0, phi_vec))
