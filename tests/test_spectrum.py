"""Tests of etm.spectrum: closed forms against independent numerical routes, limits, invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from etm.spectrum import (
    TETRA_FACES,
    TETRA_VERTICES,
    ats_hamiltonian,
    ats_levels,
    ats_well_energies,
    lower_gap,
    ring_hamiltonian,
    ring_levels,
    tetrahedral_hamiltonian,
    tetrahedral_levels,
    to_bare,
    to_effective,
    weak_field_gap,
)

# The contract of ats_levels: agreement with LAPACK to 1e-10 relative to the spectral scale.
# Both routes are backward stable, so the true discrepancy is a few eps * ||H|| (~1e-15); 1e-10
# leaves five orders of margin while still catching the sqrt(eps) ~ 1e-8 loss of the naive arccos.
RTOL_SPECTRAL = 1e-10


def _eig_ref(E1, E2, E3, D0, phi):
    return np.linalg.eigvalsh(ats_hamiltonian(E1, E2, E3, D0, phi))


def _assert_spectral_close(actual, desired, rtol=RTOL_SPECTRAL):
    scale = np.max(np.abs(desired), axis=-1, keepdims=True)
    err = np.abs(actual - desired)
    assert np.all(err <= rtol * scale), f"max relative error {np.max(err / scale):.3e}"


# ---------------------------------------------------------------------------------------------
# Three-well ATS: closed form vs numerical diagonalization
# ---------------------------------------------------------------------------------------------


def test_ats_levels_random_vs_eigvalsh():
    rng = np.random.default_rng(20240601)
    n = 5000
    # Mix of scales so that E/D0 ranges from ~1e-9 to ~1e9, plus nonzero trace (mean shift).
    E = rng.normal(size=(n, 3)) * 10.0 ** rng.integers(-4, 4, size=(n, 1))
    E[: n // 2] -= E[: n // 2].mean(axis=1, keepdims=True)
    D0 = rng.exponential(size=n) * 10.0 ** rng.integers(-5, 4, size=n)
    D0[::7] = 0.0
    phi = rng.uniform(-4 * np.pi, 4 * np.pi, size=n)
    lam = ats_levels(E[:, 0], E[:, 1], E[:, 2], D0, phi)
    assert lam.shape == (n, 3)
    assert np.all(np.diff(lam, axis=-1) >= 0.0)
    _assert_spectral_close(lam, _eig_ref(E[:, 0], E[:, 1], E[:, 2], D0, phi))


@pytest.mark.parametrize("phi", [0.0, 1e-12, 1e-8, 1e-4, np.pi, 2 * np.pi, -1e-9, np.pi - 1e-9])
def test_ats_levels_degenerate_E_zero(phi):
    lam = ats_levels(0.0, 0.0, 0.0, 1.0, phi)
    _assert_spectral_close(lam, _eig_ref(0.0, 0.0, 0.0, 1.0, phi))
    # Analytic: 2 D0 cos((phi + 2 pi k)/3); evaluated directly, accurate to a few ulp.
    exact = np.sort(2.0 * np.cos((phi + 2 * np.pi * np.arange(3)) / 3.0))
    assert_allclose(lam, exact, rtol=0, atol=1e-14)


@pytest.mark.parametrize(
    "E",
    [
        (1.0, 1.0, -2.0),
        (1.0, 1.0 + 1e-13, -2.0),
        (1.0, 1.0 + 1e-8, -2.0 - 1e-8),
        (-3.0, 5.0, 5.0 - 1e-12),
        (0.0, 0.0, 0.0),
        (7.0, 7.0, 7.0),
        (1e-300, -1e-300, 0.0),
    ],
)
def test_ats_levels_D0_zero_gives_sorted_E(E):
    # With D0 = 0 the Hamiltonian is diagonal: the levels are the sorted well energies exactly.
    lam = ats_levels(*E, 0.0, 0.7)
    scale = max(np.max(np.abs(E)), np.finfo(float).tiny)
    assert_allclose(lam, np.sort(E), rtol=0, atol=4 * np.finfo(float).eps * scale)


@pytest.mark.parametrize("D0", [1e-15, 1e-12, 1e-8, 1e-4])
@pytest.mark.parametrize("phi", [0.0, 1e-6, 1.0, np.pi])
def test_ats_levels_tiny_D0_near_degenerate_E(D0, phi):
    for E in [(1.0, 1.0, -2.0), (1.0, 1.0 + 1e-9, -2.0), (-1.0, -1.0, 2.0)]:
        _assert_spectral_close(ats_levels(*E, D0, phi), _eig_ref(*E, D0, phi))


def test_ats_levels_near_degenerate_small_D_and_phi():
    rng = np.random.default_rng(7)
    n = 2000
    x = 10.0 ** rng.uniform(-12, -2, size=n)
    E = ats_well_energies(x * rng.uniform(0, 1, n), rng.uniform(0, 2 * np.pi, n))
    phi = x * rng.uniform(-1, 1, n) + 2 * np.pi * rng.integers(-2, 3, n)
    lam = ats_levels(E[:, 0], E[:, 1], E[:, 2], 1.0, phi)
    _assert_spectral_close(lam, _eig_ref(E[:, 0], E[:, 1], E[:, 2], 1.0, phi))


finite = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False, allow_subnormal=False)


@settings(max_examples=300, deadline=None)
@given(
    E1=finite,
    E2=finite,
    E3=finite,
    D0=st.floats(min_value=0.0, max_value=1e3, allow_subnormal=False),
    phi=st.floats(min_value=-20.0, max_value=20.0),
)
def test_ats_levels_property_vs_eigvalsh(E1, E2, E3, D0, phi):
    lam = ats_levels(E1, E2, E3, D0, phi)
    ref = _eig_ref(E1, E2, E3, D0, phi)
    # Spectral scale floored at the tiniest normal number so that the all-zero case compares 0 == 0.
    scale = max(np.max(np.abs(ref)), np.finfo(float).tiny)
    assert np.max(np.abs(lam - ref)) <= RTOL_SPECTRAL * scale
    assert_allclose(lam.sum(), E1 + E2 + E3, rtol=0, atol=1e-12 * max(scale, 1.0))


def test_ats_levels_invariants():
    rng = np.random.default_rng(3)
    E = rng.normal(size=(500, 3))
    D0 = rng.uniform(0, 2, 500)
    phi = rng.uniform(-np.pi, np.pi, 500)
    lam = ats_levels(E[:, 0], E[:, 1], E[:, 2], D0, phi)
    # 2 pi periodicity and time reversal phi -> -phi; only rounding of phi differs (1e-13 abs).
    for other in (phi + 2 * np.pi, phi - 4 * np.pi, -phi):
        assert_allclose(ats_levels(E[:, 0], E[:, 1], E[:, 2], D0, other), lam, rtol=0, atol=1e-13)
    # Trace: sum of levels equals sum of well energies.
    assert_allclose(lam.sum(axis=-1), E.sum(axis=-1), rtol=0, atol=1e-13)


def test_ats_levels_zero_field_E_zero():
    assert_allclose(ats_levels(0.0, 0.0, 0.0, 2.5, 0.0), [-2.5, -2.5, 5.0], rtol=1e-15)


def test_ats_levels_all_zero_no_nan_no_warning():
    # filterwarnings = error would turn any 0/0 warning into a failure.
    assert_allclose(ats_levels(0.0, 0.0, 0.0, 0.0, 1.0), [0.0, 0.0, 0.0], atol=0)
    assert_allclose(lower_gap(0.0, 0.0, 0.0, 0.0, 1.0), 0.0, atol=0)
    assert_allclose(ats_levels(3.0, 3.0, 3.0, 0.0, 0.0), [3.0, 3.0, 3.0], rtol=1e-15)


def test_ats_broadcasting_and_scalars():
    lam = ats_levels(np.zeros((2, 1)), 0.0, 0.0, np.array([1.0, 2.0, 3.0]), 0.0)
    assert lam.shape == (2, 3, 3)
    assert ats_levels(0.1, 0.2, -0.3, 1.0, 0.5).shape == (3,)
    assert ats_hamiltonian(0.0, 0.0, 0.0, [1.0, 2.0], 0.0).shape == (2, 3, 3)
    assert lower_gap(0.0, 0.0, 0.0, 1.0, np.linspace(0, 1, 5)).shape == (5,)


def test_ats_hamiltonian_hermitian_and_loop_phase():
    H = ats_hamiltonian(0.3, -0.1, -0.2, 1.3, 0.77)
    assert_allclose(H, np.conj(H.T), atol=0)
    # The loop 0 -> 1 -> 2 -> 0 carries +phi (Eq. 6 convention).
    assert_allclose(np.angle(H[0, 1] * H[1, 2] * H[2, 0]), 0.77, atol=1e-15)


# ---------------------------------------------------------------------------------------------
# lower_gap: relative accuracy against high precision
# ---------------------------------------------------------------------------------------------


def _mp_lower_gap(E1, E2, E3, D0, phi, dps=60):
    mpmath = pytest.importorskip("mpmath")
    with mpmath.workdps(dps):
        t = mpmath.mpf(D0) * mpmath.expjpi(mpmath.mpf(phi) / (3 * mpmath.pi))
        tc = mpmath.conj(t)
        H = mpmath.matrix([[E1, t, tc], [tc, E2, t], [t, tc, E3]])
        ev = sorted(mpmath.eighe(H, eigvals_only=True))
        return float(ev[1] - ev[0])


@pytest.mark.parametrize(
    "args",
    [
        (0.0, 0.0, 0.0, 1.0, 1e-12),
        (0.0, 0.0, 0.0, 1.0, 1e-8),
        (0.0, 0.0, 0.0, 1.0, 2 * np.pi + 1e-6),
        (0.0, 0.0, 0.0, 3.7, -1e-10),
        (1e-11, -2e-11, 1e-11, 1.0, 0.0),
        (1e-9, -0.4e-9, -0.6e-9, 1.0, 3e-10),
        (0.2e-6, -0.1e-6, -0.1e-6, 1.0, 0.0),
        (1.0, 1.0 + 1e-12, -2.0, 0.0, 0.3),
        (1.0, 1.0 + 1e-9, -2.0, 1e-12, 0.3),
        (5.0, 5.0 + 1e-9, 5.0 + 2e-9, 1e-10, 1e-3),
    ],
)
def test_lower_gap_relative_accuracy_vs_mpmath(args):
    ref = _mp_lower_gap(*args)
    # Machine-precision relative accuracy expected (~1e-15); 1e-10 is the documented contract.
    assert_allclose(lower_gap(*args), ref, rtol=1e-10, atol=0)


def test_lower_gap_E_zero_analytic():
    phi = np.concatenate([10.0 ** np.arange(-15, 0), np.linspace(0.0, np.pi / 2, 50)])
    D0 = 2.0
    # 2 sqrt(3) D0 |sin(phi/3)| is a product of accurately evaluated factors (few ulp).
    assert_allclose(
        lower_gap(0.0, 0.0, 0.0, D0, phi), 2 * np.sqrt(3) * D0 * np.abs(np.sin(phi / 3)), rtol=1e-13
    )


def test_lower_gap_matches_level_difference():
    rng = np.random.default_rng(11)
    E = rng.normal(size=(1000, 3))
    D0 = rng.uniform(0, 2, 1000)
    phi = rng.uniform(-7, 7, 1000)
    lam = _eig_ref(E[:, 0], E[:, 1], E[:, 2], D0, phi)
    scale = np.max(np.abs(lam), axis=-1)
    err = np.abs(lower_gap(E[:, 0], E[:, 1], E[:, 2], D0, phi) - (lam[:, 1] - lam[:, 0]))
    assert np.all(err <= RTOL_SPECTRAL * scale)


# ---------------------------------------------------------------------------------------------
# Conventions: well energies, bare <-> effective, weak-field gap
# ---------------------------------------------------------------------------------------------


def test_well_energies_plane_and_radius():
    D = np.array([0.0, 0.5, 2.0])[:, None]
    theta = np.linspace(0, 2 * np.pi, 7)
    E = ats_well_energies(D, theta)
    assert E.shape == (3, 7, 3)
    # Three rounded cosines times D <= 2: the sum is zero to a few eps * D.
    assert_allclose(E.sum(axis=-1), 0.0, atol=8 * np.finfo(float).eps)
    assert_allclose(np.sum(E**2, axis=-1), 1.5 * D**2 * np.ones_like(theta), rtol=1e-14)
    # The D argument is the effective asymmetry.
    D_eff, _ = to_effective(np.sqrt(np.sum(E**2, axis=-1)), 1.0)
    assert_allclose(D_eff, D * np.ones_like(theta), rtol=1e-14)


def test_bare_effective_roundtrip():
    rng = np.random.default_rng(5)
    D, D0 = rng.uniform(0, 3, 100), rng.uniform(0, 3, 100)
    assert_allclose(to_bare(*to_effective(D, D0)), (D, D0), rtol=1e-15)
    assert_allclose(to_effective(*to_bare(D, D0)), (D, D0), rtol=1e-15)
    assert_allclose(to_effective(np.sqrt(1.5), np.sqrt(3) / 2), (1.0, 1.0), rtol=1e-15)


def test_weak_field_gap_hypot():
    assert_allclose(weak_field_gap(3.0, -4.0), 5.0, rtol=1e-15)
    # hypot avoids overflow/underflow of the squares (filterwarnings = error would catch it).
    assert_allclose(weak_field_gap(3e200, 4e200), 5e200, rtol=1e-15)
    assert_allclose(weak_field_gap(3e-200, 4e-200), 5e-200, rtol=1e-15)


def _weak_field_relative_error(x, n_theta=720):
    """Relative error of weak_field_gap vs the exact lower gap at phi = D_eff/D0_eff = x."""
    D0_eff, D_eff, phi = 1.0, x, x
    _, D0_bare = to_bare(D_eff, D0_eff)
    theta = np.arange(n_theta) * (2 * np.pi / n_theta)
    E = ats_well_energies(D_eff, theta)  # bare well energies with effective radius D_eff
    exact = lower_gap(E[:, 0], E[:, 1], E[:, 2], D0_bare, phi)
    return theta, exact / weak_field_gap(D_eff, D0_eff * phi) - 1.0


def test_weak_field_limit():
    errs = []
    for x in (0.1, 0.03, 0.01):
        _, rel = _weak_field_relative_error(x)
        errs.append(np.max(np.abs(rel)))
    # Measured (docs/spectrum.md): 1.00e-2, 2.92e-3, 9.66e-4 -- first order in x.
    assert errs[0] > errs[1] > errs[2]
    assert errs[2] < 1e-3


def test_weak_field_first_order_correction():
    # Second-order perturbation theory through the third level (docs/spectrum.md) gives
    # gap = E [1 - (D^2/E^2) (D/D0_eff) cos(3 theta)/(3 sqrt 3) + O(x^2)]; the residual after this
    # term is measured at ~0.42 x^2, so 0.6 x^2 bounds it.
    for x in (0.03, 0.01):
        theta, rel = _weak_field_relative_error(x)
        pred = -0.5 * x * np.cos(3 * theta) / (3 * np.sqrt(3))
        assert np.max(np.abs(rel - pred)) < 0.6 * x**2


# ---------------------------------------------------------------------------------------------
# Ring of n wells
# ---------------------------------------------------------------------------------------------


def test_ring_n3_equals_ats():
    rng = np.random.default_rng(9)
    E = rng.normal(size=(300, 3))
    D0 = rng.uniform(0, 2, 300)
    phi = rng.uniform(-7, 7, 300)
    assert_allclose(ring_hamiltonian(E, D0, phi), ats_hamiltonian(*E.T, D0, phi), atol=0)
    _assert_spectral_close(ring_levels(E, D0, phi), ats_levels(*E.T, D0, phi))


@pytest.mark.parametrize("n", [3, 4, 5, 6, 9])
def test_ring_E_zero_analytic(n):
    phi = np.linspace(-2 * np.pi, 2 * np.pi, 13)[:, None]
    exact = np.sort(2.0 * 1.3 * np.cos((phi + 2 * np.pi * np.arange(n)) / n), axis=-1)
    # eigvalsh is backward stable: absolute error a few eps * ||H|| with ||H|| <= 2 D0.
    assert_allclose(ring_levels(np.zeros(n), 1.3, phi[:, 0]), exact, rtol=0, atol=1e-13)


@pytest.mark.parametrize("n", [4, 6])
def test_ring_vs_independent_matrix(n):
    rng = np.random.default_rng(n)
    E = rng.normal(size=(50, n))
    D0 = rng.uniform(0, 2, 50)
    phi = rng.uniform(-7, 7, 50)
    ref = []
    for Ei, D0i, phii in zip(E, D0, phi, strict=True):
        H = np.diag(Ei).astype(complex)
        for j in range(n):
            k = (j + 1) % n
            H[j, k] += D0i * np.exp(1j * phii / n)
            H[k, j] += D0i * np.exp(-1j * phii / n)
        ref.append(np.linalg.eigvalsh(H))
    _assert_spectral_close(ring_levels(E, D0, phi), np.array(ref))


def test_ring_broadcasting():
    assert ring_levels(np.zeros(5), [1.0, 2.0], 0.0).shape == (2, 5)
    assert ring_levels(np.zeros((3, 1, 4)), 1.0, np.zeros(2)).shape == (3, 2, 4)


# ---------------------------------------------------------------------------------------------
# Tetrahedral four-well potential
# ---------------------------------------------------------------------------------------------


def test_tetra_zero_field():
    assert_allclose(
        tetrahedral_levels(np.zeros(4), 1.7, np.zeros(3)),
        1.7 * np.array([-1.0, -1.0, -1.0, 3.0]),
        rtol=0,
        atol=1e-14,
    )


def _face_normal(face):
    i, j, k = face
    n = np.cross(TETRA_VERTICES[j] - TETRA_VERTICES[i], TETRA_VERTICES[k] - TETRA_VERTICES[i])
    return n / np.linalg.norm(n)


def test_tetra_geometry():
    d = np.linalg.norm(TETRA_VERTICES[:, None] - TETRA_VERTICES[None], axis=-1)
    assert_allclose(d[~np.eye(4, dtype=bool)], np.sqrt(8 / 3), rtol=1e-15)
    for f, face in enumerate(TETRA_FACES):
        assert f not in face
        # Outward: the normal points away from the opposite vertex.
        assert np.dot(_face_normal(face), TETRA_VERTICES[f]) < 0


def test_tetra_face_fluxes():
    rng = np.random.default_rng(13)
    for _ in range(20):
        pv = rng.uniform(-1.5, 1.5, size=3)
        H = tetrahedral_hamiltonian(rng.normal(size=4), 1.0, pv)
        fluxes = []
        for face in TETRA_FACES:
            i, j, k = face
            loop = np.angle(H[i, j] * H[j, k] * H[k, i])
            # |pv . n| < 2.6 < pi, so the principal angle is the flux itself.
            assert_allclose(loop, pv @ _face_normal(face), atol=1e-13)
            fluxes.append(loop)
        assert_allclose(np.sum(fluxes), 0.0, atol=1e-13)


def test_tetra_hermitian_and_gauge_invariance():
    rng = np.random.default_rng(17)
    E = rng.normal(size=(40, 4))
    pv = rng.normal(size=(40, 3)) * 3
    r0 = rng.normal(size=(40, 3))
    H = tetrahedral_hamiltonian(E, 0.8, pv)
    H2 = tetrahedral_hamiltonian(E, 0.8, pv, gauge_origin=r0)
    assert_allclose(H, np.conj(np.swapaxes(H, -1, -2)), atol=0)
    assert not np.allclose(H, H2)  # the gauge really changed the matrix ...
    # ... by a diagonal unitary U = diag(exp(i chi_j)), chi_j = pv . (r0 x r_j)/(2 S_face).
    chi = np.einsum("bk,bjk->bj", pv, np.cross(r0[:, None, :], TETRA_VERTICES)) / (4 / np.sqrt(3))
    U = np.exp(1j * chi)
    assert_allclose(H2, U[:, :, None] * H * np.conj(U)[:, None, :], atol=1e-13)
    # ... and the levels are unchanged (backward-stable eigvalsh: few eps * ||H||).
    assert_allclose(np.linalg.eigvalsh(H2), tetrahedral_levels(E, 0.8, pv), atol=1e-13)


@pytest.mark.parametrize("f", range(4))
def test_tetra_reduces_to_triangle(f):
    # Lifting well f far up (E_f = W >> D0) leaves the opposite face as a three-well ATS threaded
    # by its flux pv . n_f; virtual hops via f change the levels by O(D0^2/W) = 1e-6, hence the
    # tolerance. (Levels are even in the flux; its sign is checked in test_tetra_face_fluxes.)
    W = 1e6
    pv = np.array([0.4, -1.1, 0.7])
    face = TETRA_FACES[f]
    E = np.zeros(4)
    E[list(face)] = [0.3, -0.5, 0.2]
    E[f] = W
    tri = ats_levels(*E[list(face)], 1.0, pv @ _face_normal(face))
    assert_allclose(tetrahedral_levels(E, 1.0, pv)[:3], tri, atol=5e-6)


def test_tetra_broadcasting():
    assert tetrahedral_levels(np.zeros(4), [1.0, 2.0], np.zeros(3)).shape == (2, 4)
    assert tetrahedral_levels(np.zeros(4), 1.0, np.zeros((5, 3))).shape == (5, 4)


# ---------------------------------------------------------------------------------------------
# Generic: finite output, scalars; bad input
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("func", "args"),
    [
        (ats_hamiltonian, (0.1, 0.2, -0.3, 1.0, 0.5)),
        (ats_levels, (0.1, 0.2, -0.3, 1.0, 0.5)),
        (lower_gap, (0.1, 0.2, -0.3, 1.0, 0.5)),
        (ats_well_energies, (1.0, 0.5)),
        (weak_field_gap, (1.0, 0.5)),
        (ring_levels, (np.zeros(4), 1.0, 0.5)),
        (tetrahedral_levels, (np.zeros(4), 1.0, np.ones(3))),
    ],
)
def test_finite_output(func, args):
    assert np.all(np.isfinite(func(*args)))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: ats_levels(np.nan, 0, 0, 1, 0), "E1 must be finite"),
        (lambda: ats_levels(0, 0, 0, -1.0, 0), r"D0 must be >= 0"),
        (lambda: ats_levels(0, 0, 0, 1.0, [0.0, np.nan]), "phi must be finite"),
        (lambda: lower_gap(0, np.inf, 0, 1, 0), "E2 must be finite"),
        (lambda: ats_hamiltonian(0, 0, 0, -1e-300, 0), r"D0 must be >= 0"),
        (lambda: ats_well_energies(-1.0, 0.0), r"D must be >= 0"),
        (lambda: to_bare(1.0, -2.0), r"D0_eff must be >= 0"),
        (lambda: to_effective(np.nan, 1.0), "D_bare must be finite"),
        (lambda: weak_field_gap(np.nan, 1.0), "D must be finite"),
        (lambda: ring_levels(np.zeros(2), 1.0, 0.0), r"n >= 3"),
        (lambda: ring_levels(np.zeros(4), -1.0, 0.0), r"D0 must be >= 0"),
        (
            lambda: tetrahedral_levels(np.zeros(3), 1.0, np.zeros(3)),
            r"E must have shape \(\.\.\., 4\)",
        ),
        (lambda: tetrahedral_levels(np.zeros(4), 1.0, np.zeros(2)), r"phi_vec must have shape"),
        (lambda: tetrahedral_levels(np.zeros(4), 1.0, [np.nan, 0, 0]), "phi_vec must be finite"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_D0_zero_allowed():
    assert_allclose(ats_levels(0.5, -0.5, 0.0, 0.0, 1.0), [-0.5, 0.0, 0.5], atol=1e-16)
