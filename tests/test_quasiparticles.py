"""Mattis-Bardeen quasiparticle terms (etm.resonator.quasiparticles): the low-temperature forms
against the full Mattis-Bardeen integrals with the BCS gap equation, and the numerical route
against the exact T = 0 closed form (elliptic integrals)."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import special

from etm.resonator.quasiparticles import (
    BCS_GAP_RATIO,
    HF_K_PER_HZ,
    effective_temperature,
    frequency_shift_qp,
    gap_from_tc,
    gap_low_T,
    inverse_q_qp,
    mattis_bardeen_numeric,
    sigma1_ratio,
    sigma2_ratio,
)

DELTA_K = 2.0  # aluminium-like gap (Tc = 1.13 K)
# hf/Delta = 0.024 (1 GHz), 0.185 (7.7 GHz, the shared data) and 0.36 (15 GHz);
# k_B T/Delta from 0.02 (40 mK) to 0.15 (300 mK)
FREQS_HZ = (1e9, 7.7e9, 15e9)
T_OVER_DELTA = (0.02, 0.05, 0.1, 0.15)


@pytest.fixture(scope="module")
def grid():
    T = DELTA_K * np.array(T_OVER_DELTA)[:, None]
    f = np.array(FREQS_HZ)[None, :]
    return T, f, mattis_bardeen_numeric(T, f, Delta_K=DELTA_K)


def test_numeric_sigma2_at_zero_temperature_is_the_elliptic_closed_form():
    # T = 0 (hf < 2 Delta): sigma2/sigma_n = [(1 + 2D/hf) E(k') - (1 - 2D/hf) K(k')]/2 with the
    # complementary modulus of k = |2D - hf|/(2D + hf) (Mattis and Bardeen 1958); at
    # k_B T = Delta/400 the thermal part is e^-400 = 0
    f = np.array([1e9, 7.7e9, 30e9, 70e9])
    w = HF_K_PER_HZ * f / DELTA_K
    k = np.abs(2 - w) / (2 + w)
    m = 1 - k**2
    exact = 0.5 * ((1 + 2 / w) * special.ellipe(m) - (1 - 2 / w) * special.ellipk(m))
    mb = mattis_bardeen_numeric(DELTA_K / 400, f, Delta_K=DELTA_K, gap="fixed")
    assert_allclose(mb.sigma2, exact, rtol=1e-9)  # quadrature at epsrel 1e-11
    # no absorption below 2 Delta at T = 0: only the e^-400 ~ 1e-174 thermal remainder
    assert (mb.sigma1 < 1e-170).all()


def test_sigma1_low_T_form(grid):
    T, f, mb = grid
    hf = HF_K_PER_HZ * f
    # neglected orders: near the gap the coherence factor is Delta/sqrt(x(x + hf)) times
    # 1 + (x/2 + hf/4)/Delta with x ~ k_B T, so the low-T form is low by ~hf/4D + k_B T/2D;
    # the bound hf/4D + k_B T/D covers it (measured: 0.01-0.12, at most 0.6 of the bound)
    rtol = hf / (4 * DELTA_K) + T / DELTA_K
    err = sigma1_ratio(T, f, Delta_K=DELTA_K) / mb.sigma1 - 1
    assert (np.abs(err) <= rtol).all(), err
    assert (err < 0).all()  # the neglected correction has one sign


def test_sigma2_low_T_form(grid):
    T, f, mb = grid
    w = HF_K_PER_HZ * f / DELTA_K
    thermal = np.abs(mb.delta_sigma2 / mb.sigma2)
    # neglected orders: the T = 0 part pi D/hf is the w -> 0 limit of the elliptic form, off by
    # w^2/16 (+ O(w^3)); the thermal part has the relative error of the shift test below
    rtol = w**2 / 16 * (1 + w) + thermal * (w / 4 + T / DELTA_K)
    err = np.abs(sigma2_ratio(T, f, Delta_K=DELTA_K) / mb.sigma2 - 1)
    assert (err <= rtol).all(), err / rtol


def test_shift_low_T_form(grid):
    T, f, mb = grid
    hf = HF_K_PER_HZ * f
    # (alpha/2) delta sigma2/sigma2 with the full integrals and the BCS gap equation; the
    # low-T form neglects hf/4D and k_B T/D as for sigma1 (measured: < 0.04, <= 0.5 of the bound)
    alpha = 0.1
    numeric = (alpha / 2) * mb.delta_sigma2 / (mb.sigma2 - mb.delta_sigma2)
    rtol = hf / (4 * DELTA_K) + T / DELTA_K
    err = frequency_shift_qp(T, f, alpha=alpha, Delta_K=DELTA_K) / numeric - 1
    assert (np.abs(err) <= rtol).all()
    assert (numeric < 0).all()


def test_inverse_q_low_T_form(grid):
    T, f, mb = grid
    hf = HF_K_PER_HZ * f
    alpha = 0.05
    numeric = alpha * mb.sigma1 / mb.sigma2
    # sigma1's neglected order dominates (sigma2's is < 1 %)
    rtol = hf / (4 * DELTA_K) + T / DELTA_K + (hf / DELTA_K) ** 2 / 8
    err = inverse_q_qp(T, f, alpha=alpha, Delta_K=DELTA_K) / numeric - 1
    assert (np.abs(err) <= rtol).all()


@pytest.mark.parametrize("t", [0.02, 0.035, 0.05, 0.1])
def test_gap_low_T_against_the_bcs_gap_equation(t):
    mb = mattis_bardeen_numeric(t * DELTA_K, 7.7e9, Delta_K=DELTA_K)
    # the shift itself: at t = 0.02 it is ~1e-22, below the resolution of Delta(T) in doubles
    low = -np.sqrt(2 * np.pi * t) * np.exp(-1 / t)
    assert_allclose(gap_low_T(t * DELTA_K, Delta_K=DELTA_K), DELTA_K * (1 + low), rtol=1e-15)
    # ln(D0/D) = 2 sum (-1)^(n+1) K0(n D/kT); the low-T form keeps K0's leading asymptote, whose
    # next term is -1/(8x), x = D/kT: relative error 1/(8x) + O(1/x^2) (measured 4e-3 at t = 0.035)
    assert_allclose(low, mb.gap_shift, rtol=t / 8 + t**2)
    assert mb.gap_shift < 0


def test_gap_and_tc():
    assert_allclose(BCS_GAP_RATIO, 1.7638769, rtol=1e-7)  # pi e^-gamma
    assert_allclose(gap_from_tc(1.2), 1.2 * BCS_GAP_RATIO)
    a = sigma1_ratio(0.2, 5e9, Tc_K=1.2)
    b = sigma1_ratio(0.2, 5e9, Delta_K=1.2 * BCS_GAP_RATIO)
    assert_allclose(a, b, rtol=1e-15)


def test_effective_temperature():
    assert_allclose(effective_temperature([0.05, 0.3], T0_K=0.0), [0.05, 0.3])
    Teff = effective_temperature([1e-3, 0.15, 1.0], T0_K=0.15, p=5.0)
    # T << T0: T0 (1 + (T/T0)^5/5), i.e. +2.6e-12 relative at T = 1 mK
    assert_allclose(Teff[:2], [0.15, 0.15 * 2**0.2], rtol=1e-11)
    assert_allclose(Teff[2], (1 + 0.15**5) ** 0.2, rtol=1e-14)  # = 1 + 1.5e-5
    # monotonic and above both T and T0
    T = np.linspace(0.01, 0.5, 50)
    Te = effective_temperature(T, T0_K=0.12, p=3.0)
    assert (np.diff(Te) > 0).all() and (Te >= np.maximum(T, 0.12)).all()
    # saturation flattens the quasiparticle terms below T0
    # (T_eff - T0)/T0 = (T/T0)^5/5 = 8e-6 at T = 20 mK, times D/T0 = 13 in the exponent: 1.1e-4
    q = inverse_q_qp([0.01, 0.02], 7.7e9, alpha=0.1, Delta_K=DELTA_K, T0_K=0.15)
    assert_allclose(q[0], q[1], rtol=2e-4)


PUBLIC = [
    lambda T, f: sigma1_ratio(T, f, Delta_K=DELTA_K),
    lambda T, f: sigma2_ratio(T, f, Tc_K=1.2, T0_K=0.1),
    lambda T, f: inverse_q_qp(T, f, alpha=0.1, Delta_K=DELTA_K),
    lambda T, f: frequency_shift_qp(T, f, alpha=0.1, Tc_K=1.2, T0_K=0.05, p=3.0),
    lambda T, f: gap_low_T(T, Delta_K=DELTA_K) + 0 * f,
    lambda T, f: effective_temperature(T, T0_K=0.1) + 0 * f,
]


@pytest.mark.parametrize("fn", PUBLIC)
def test_finite_broadcast_and_scalar(fn):
    T = np.array([0.01, 0.05, 0.2, 0.4])[:, None]
    f = np.array([1e9, 8e9])[None, :]
    out = fn(T, f)
    assert out.shape == (4, 2) and np.isfinite(out).all()
    assert np.ndim(fn(0.1, 5e9)) == 0
    # at 10 uK the exponentials underflow to exactly 0 without a warning (filterwarnings=error)
    assert np.isfinite(fn(1e-5, 5e9))


def test_bad_arguments():
    with pytest.raises(ValueError, match="exactly one of Delta_K"):
        sigma1_ratio(0.1, 5e9)
    with pytest.raises(ValueError, match="exactly one of Delta_K"):
        sigma1_ratio(0.1, 5e9, Delta_K=2.0, Tc_K=1.2)
    with pytest.raises(ValueError, match="alpha"):
        inverse_q_qp(0.1, 5e9, alpha=1.5, Delta_K=2.0)
    with pytest.raises(ValueError, match="T_K must be finite and > 0"):
        sigma2_ratio(-0.1, 5e9, Delta_K=2.0)
    with pytest.raises(ValueError, match="hf < 2 Delta0"):
        mattis_bardeen_numeric(0.1, 1e11, Delta_K=2.0)
    with pytest.raises(ValueError, match="gap must be one of"):
        mattis_bardeen_numeric(0.1, 5e9, Delta_K=2.0, gap="dynes")
    with pytest.raises(ValueError, match="< 0.3 Delta0"):
        mattis_bardeen_numeric(1.0, 5e9, Delta_K=2.0)
