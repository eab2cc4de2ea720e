"""The Aharonov-Bohm conversion against its definition from CODATA constants."""

import numpy as np
from numpy.testing import assert_allclose
from scipy import constants as sc

from etm import ab_energy
from etm.constants import field_for_2pi


def test_ab_energy_matches_definition_and_model_md():
    # 2 pi (e/h) B X with X in K*A^2 = 1e-20 K*m^2, from scipy's CODATA values directly
    X, B = 2.5e5, 0.37
    assert_allclose(ab_energy(X, B), 2 * np.pi * sc.e / sc.h * B * X * 1e-20, rtol=1e-15)
    # MODEL.md quotes the coefficient to 8 digits
    assert_allclose(ab_energy(1.0, 1.0), 1.5192674e-5, rtol=1e-7)


def test_ab_energy_broadcasts_and_carries_cos_beta():
    out = ab_energy([1e5, 2e5], [[0.0], [1.0]], cos_beta=0.5)
    assert out.shape == (2, 2)
    assert_allclose(out[1], 0.5 * 1.5192674478786261e-05 * np.array([1e5, 2e5]), rtol=1e-12)
    assert np.all(out[0] == 0)


def test_field_for_2pi_gives_phase_2pi():
    # phi = 2 pi B S e / h: at B_2pi the phase is 2 pi, i.e. D0 phi = 2 pi D0 for X = D0 S
    S = 1e4
    B2pi = field_for_2pi(S)
    D0 = 3.0
    assert_allclose(ab_energy(D0 * S, B2pi), 2 * np.pi * D0, rtol=1e-14)
    assert_allclose(B2pi, sc.h / sc.e / (S * 1e-20), rtol=1e-15)


def test_hard_coded_constants_match_scipy():
    # k_B, h, e are exact in the SI (2019): equal to the last bit; hbar = h/(2 pi) as scipy
    # computes it. mu_B and epsilon_0 are measured: scipy >= 1.15 ships CODATA 2022 (the values
    # typed in); an older scipy (CODATA 2018) differs by 1.4e-9 (mu_B) and 6.8e-10 (epsilon_0)
    # relative, hence rtol 2e-9.
    from etm import constants as c

    assert c.k_B == sc.k and c.h == sc.h and c.e == sc.e
    assert_allclose(c.hbar, sc.hbar, rtol=1e-15)
    assert_allclose(c.mu_B, sc.physical_constants["Bohr magneton"][0], rtol=2e-9)
    assert_allclose(c.epsilon_0, sc.epsilon_0, rtol=2e-9)
    assert_allclose(c.mu_B_K_per_T, sc.physical_constants["Bohr magneton in K/T"][0], rtol=2e-9)
