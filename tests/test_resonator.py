"""Resonator observables (etm.resonator): the STM textbook forms, saturation, the ATS part."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import integrate, special

from etm import materials
from etm.constants import HF_K_PER_HZ
from etm.dielectric import ats_response
from etm.resonator import fractional_shift, inverse_q

BAS = materials.dielectric_row("BAS", 0.05).params
F0 = 5e9
DELTA0 = 2e-5  # low-power, hf >> kT loss tangent of the 2LS: delta0 = pi C/3
C = 3 * DELTA0 / np.pi


def textbook_shift(T, f, F, delta0):
    """(F delta0/pi) [Re psi(1/2 + hf/(2 pi i kT)) - ln(hf/kT)] (e.g. Gao's thesis, Eq. 2.41)."""
    hf = HF_K_PER_HZ * f
    return F * delta0 / np.pi * (special.digamma(0.5 + hf / (2j * np.pi * T)).real - np.log(hf / T))


def test_shift_is_the_textbook_digamma_form():
    # equal up to a T-independent constant: compare differences from the first temperature
    T = np.geomspace(0.01, 2.0, 25)
    got = fractional_shift(T, 0.0, F0, filling_factor=0.3, C=C)
    ref = textbook_shift(T, F0, 0.3, DELTA0)
    assert_allclose(got - got[0], ref - ref[0], rtol=1e-12, atol=1e-13 * np.ptp(ref))


def test_shift_against_a_direct_principal_value():
    # -(F/2)(2/3) C PV int_0^Emax tanh(E/2T) E/(E^2 - hf^2) dE, differences in T (the cutoff
    # Emax = 200 K then drops out up to exp(-Emax/T) and (hf/Emax)^2 ~ 1e-6 of the constant)
    hf = HF_K_PER_HZ * F0
    Emax = 200.0

    def pv(T):
        g = lambda E: np.tanh(E / (2 * T)) * E / (E + hf)  # noqa: E731
        a = integrate.quad(g, 0, 4 * hf, weight="cauchy", wvar=hf, epsabs=0, epsrel=1e-12)[0]
        b = integrate.quad(lambda E: np.tanh(E / (2 * T)) * E / (E * E - hf * hf), 4 * hf, Emax,
                           epsabs=0, epsrel=1e-12, limit=200)[0]  # fmt: skip
        return -(0.5 * 0.3) * (2 / 3) * C * (a + b)

    T = np.array([0.02, 0.1, 0.5])
    got = fractional_shift(T, 0.0, F0, filling_factor=0.3, C=C)
    ref = np.array([pv(t) for t in T])
    assert_allclose(got - got[0], ref - ref[0], rtol=1e-8)


def test_loss_small_and_large_power_limits():
    T = np.array([0.01, 0.05, 0.3])
    lin = 0.3 * DELTA0 * np.tanh(HF_K_PER_HZ * F0 / (2 * T))
    small = inverse_q(T, 0.0, F0, filling_factor=0.3, C=C, drive_ratio=1e-10)
    big = inverse_q(T, 0.0, F0, filling_factor=0.3, C=C, drive_ratio=1e10)
    assert_allclose(small, lin, rtol=1e-9)  # 1 - P/(2 P_c)
    assert_allclose(big * 1e5, lin, rtol=1e-9)  # (P/P_c)^(-1/2)
    other = inverse_q(T, 0.0, F0, filling_factor=0.3, C=C, inverse_Q_other=1e-6)
    assert_allclose(other - 1e-6, lin, rtol=1e-12)


def test_ats_part_is_the_dielectric_response_times_the_filling_factor():
    T, B = 0.05, np.array([0.0, 0.02, 0.2])
    r = ats_response(T, B, BAS, F0)
    assert_allclose(fractional_shift(T, B, F0, filling_factor=0.5, ats=BAS), -0.25 * r.real)
    assert_allclose(inverse_q(T, B, F0, filling_factor=0.5, ats=BAS), 0.5 * r.imag)
    # the ATS saturate with their own critical power
    q = inverse_q(T, B, F0, filling_factor=0.5, C=C, ats=BAS, drive_ratio=1e6, drive_ratio_ats=3)
    stm = 0.5 * DELTA0 * np.tanh(HF_K_PER_HZ * F0 / (2 * T)) / np.sqrt(1 + 1e6)
    assert_allclose(q, stm + 0.5 * r.imag / 2, rtol=1e-12)


@pytest.mark.parametrize("F", [0.0, 1.5, np.nan])
def test_bad_filling_factor(F):
    with pytest.raises(ValueError, match="filling_factor"):
        inverse_q(0.05, 0.0, F0, filling_factor=F, C=C)
