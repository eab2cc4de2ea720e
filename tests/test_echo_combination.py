"""The measured combination A = A_2LS(T, tau12) - a(B) (essay Eq. 31), detection, series, units.

Independent routes: the ensemble simulation of tests/test_echo.py (systems drawn from the
distribution and propagated by etm.echo.dynamics, here keeping both quadratures S and C), the 2LS
decay written out, and separate single-curve evaluations for the tau12 and T series.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from etm import materials
from etm.constants import AB_K_PER_T_KA2, hbar, k_B
from etm.echo import (
    amplitude,
    echo_params,
    rabi_frequency,
    relative_amplitude,
    relaxation_rate,
    two_level_echo,
)
from etm.echo.dynamics import Pulses, two_pulse_echo
from etm.echo.readings import decay_times

K_TO_RAD = k_B / hbar
ESSAY = {"matrix_elements": "essay"}


def mc_parts(row, B, n, seed):
    """(S, C) sums of the ensemble echo, 2 pi << (Omega_R/Omega_1) z >>, with standard errors,
    from n systems propagated by etm.echo.dynamics.two_pulse_echo (sampling as
    tests/test_echo.py)."""
    p, pu = row.params, row.pulses
    rng = np.random.default_rng(seed)
    Om_s = p.omega1_per_s * np.sqrt(1 / 6)
    u_lo = np.arctan((p.Dmin_K * K_TO_RAD - pu.omega_per_s) / Om_s)
    u = u_lo + (np.pi / 2 - u_lo) * rng.random(n)
    E = (pu.omega_per_s + Om_s * np.tan(u)) / K_TO_RAD
    dE = (np.pi / 2 - u_lo) * Om_s / np.cos(u) ** 2 / K_TO_RAD
    lnr = np.log(p.X0max_KA2 / p.X0min_KA2)
    X = p.X0min_KA2 * np.exp(lnr * rng.random(n))
    y = AB_K_PER_T_KA2 * B * X * rng.random(n)
    D2 = E**2 - y**2
    ok = D2 >= p.Dmin_K**2
    D = np.sqrt(np.where(ok, D2, p.Dmin_K**2))
    Om = rabi_frequency(E, D, p.omega1_per_s, "essay")
    z = two_pulse_echo(E, Om, pu, relaxation_rate(E, D, row.T_K, p, "essay"), row.T_K)
    w = np.where(ok, 2 * np.pi * dE * lnr * E / D2 * Om / p.omega1_per_s, 0.0)
    fS, fC = w * z.real, w * z.imag
    return (fS.mean(), fC.mean()), (fS.std() / np.sqrt(n), fC.std() / np.sqrt(n))


def two_level(T, tau12, f, A, c2, G2):
    """The 2LS echo written out: A tanh(hf/2T) exp(-2 tau12 (c2 T + G2 (hf)^3 coth(hf/2T)))."""
    hf = 2 * math.pi * hbar * f / k_B
    return (
        A
        * math.tanh(hf / (2 * T))
        * math.exp(-2 * tau12 * (c2 * T + G2 * hf**3 / math.tanh(hf / (2 * T))))
    )


@pytest.mark.parametrize("detection", ["projection", "magnitude"])
def test_A2LS_minus_a_against_the_ensemble_simulation(detection):
    row = materials.echo_row("BAS sample 2")
    p = row.params
    B, Bh = 0.3, 0.6
    (S, C), (eS, eC) = mc_parts(row, B, 100_000, seed=11)
    (Sh, Ch), (eSh, eCh) = mc_parts(row, Bh, 100_000, seed=12)
    # a 2LS echo larger than the ATS one, as measured: ~5 a(0) (projection), and ~5 times the
    # in-phase ATS part S ~ a/tan(alpha) (magnitude)
    A2 = 2.0e-3 if detection == "projection" else 1.0e-2
    kw = {"A_2LS": A2, "c_2LS_per_sK": 2e5, "Gamma_2LS_per_sK3": 1e7}
    two = two_level(row.T_K, row.pulses.tau12_s, row.pulses.f_Hz, A2, 2e5, 1e7)
    t = p.tan_omega_dtau
    if detection == "projection":
        num, den = two - (t * S + C), two - (t * Sh + Ch)
        e_num, e_den = math.hypot(t * eS, eC), math.hypot(t * eSh, eCh)
    else:
        num, den = math.hypot(two - S, C), math.hypot(two - Sh, Ch)
        e_num, e_den = math.hypot(eS, eC), math.hypot(eSh, eCh)
    ref = num / den
    err = abs(ref) * math.hypot(e_num / num, e_den / den)
    got = relative_amplitude(row.T_K, B, p, row.pulses, detection=detection, **kw, **ESSAY)
    # standard errors of 1e5 propagated systems per field (~1 % of a, i.e. ~0.3 % of A); the
    # closed form's own error is ~3e-5 of a. Four standard errors.
    assert err < 0.01 * abs(ref)
    assert abs(got - ref) < 4 * err, (got, ref, err)


def test_default_gives_a_over_a_high_exactly():
    row = materials.echo_row("BK7 tau12=1.5us")
    B = np.linspace(0.0, 0.6, 13)
    for det in ("projection", "magnitude"):
        a = amplitude(row.T_K, np.r_[B, 0.6], row.params, row.pulses, detection=det)
        for sign in (-1, 1):
            r = relative_amplitude(row.T_K, B, row.params, row.pulses, ats_sign=sign, detection=det)
            assert_array_equal(r, a[:-1] / a[-1])


def test_sign_and_2LS_decay_combine_as_written():
    row = materials.echo_row("BAS sample 2")
    B = np.array([0.0, 0.2, 0.445])
    T = np.array([0.012, 0.03, 0.06])
    a = amplitude(T[:, None], np.r_[B, 0.6], row.params, row.pulses, **ESSAY)
    kw = {"A_2LS": 1e-3, "c_2LS_per_sK": 3e5, "Gamma_2LS_per_sK3": 5e6}
    two = np.array([two_level(t, 2e-6, 1e9, 1e-3, 3e5, 5e6) for t in T])
    assert_allclose(two_level_echo(T, 2e-6, 1e9, **kw), two, rtol=1e-14)
    for sign in (-1, 1):
        r = relative_amplitude(T[:, None], B, row.params, row.pulses, ats_sign=sign, **kw, **ESSAY)
        want = (two[:, None] + sign * a[:, :-1]) / (two[:, None] + sign * a[:, -1:])
        assert_allclose(r, want, rtol=1e-13)


def test_tau12_and_temperature_series_equal_single_curves():
    row = materials.echo_row("BK7 tau12=6us")
    B = np.linspace(0.0, 0.6, 7)
    taus = np.array([1.5e-6, 3e-6, 6e-6])
    temps = np.array([0.012, 0.02])
    kw = {"A_2LS": 5e-5, "c_2LS_per_sK": 1e6, "Gamma_2LS_per_sK3": 2e7, **ESSAY}
    series = relative_amplitude(
        temps[:, None, None], B, row.params, row.pulses, tau12_s=taus[:, None], **kw
    )
    assert series.shape == (2, 3, 7)
    for i, T in enumerate(temps):
        for j, t12 in enumerate(taus):
            pu = Pulses(row.pulses.f_Hz, row.pulses.tau1_s, row.pulses.tau2_s, t12)
            one = relative_amplitude(T, B, row.params, pu, **kw)
            # the same nodes (the grid does not depend on tau12 or T): equal to rounding
            assert_allclose(series[i, j], one, rtol=1e-14)
    a = amplitude(temps[:, None], B, row.params, row.pulses, tau12_s=taus[:, None, None])
    assert a.shape == (3, 2, 7)


def test_the_essays_single_minimum_with_the_minus_sign():
    """Table 7 with Eq. 31's minus and any A_2LS > max a: one minimum, where a(B) peaks."""
    B = np.linspace(0.0, 0.6, 241)
    for name, B_min in (
        ("BAS sample 2", 0.445),
        ("BK7 tau12=1.5us", 0.29),
        ("BK7 tau12=6us", 0.10),
    ):
        row = materials.echo_row(name)
        a = amplitude(row.T_K, B, row.params, row.pulses, **ESSAY)
        for factor in (1.2, 3.0, 30.0):
            r = relative_amplitude(
                row.T_K, B, row.params, row.pulses, A_2LS=factor * a.max(), **ESSAY
            )
            i = int(np.argmin(r))
            # grid step 2.5 mT; the essay's positions are quoted to 5-10 mT
            assert abs(B[i] - B_min) < 0.008, (name, factor, B[i])
            assert r[i] < 1.0 and np.all(np.diff(np.sign(np.diff(r))) != -2)  # no interior max


def test_gamma_units_and_decay_times():
    for row in materials.ECHO_ROWS:
        us = decay_times(row)
        s = decay_times(row, gamma_unit="per_s")
        hf, T = row.pulses.hf_K, row.T_K
        G = row.params.Gamma_inv_per_sK5  # catalog: Table 7's number x 1e6
        fast = 1 / (G * hf**5 / math.tanh(hf / (2 * T)))  # Eq. 21 at D = 0
        assert_allclose(us.phonon_D_0_s, fast, rtol=1e-12)
        assert_allclose(s.phonon_D_0_s, 1e6 * fast, rtol=1e-12)
        assert_allclose(us.phonon_D_eq_E_s, fast * 6 / 5, rtol=1e-12)
        assert_allclose(us.spectral_diffusion_s, 1 / (row.params.c_per_sK * T), rtol=1e-12)
        # read per us: phonon time at resonance 0.41-14.7 us, 1/(cT) 14.6-81 us, the phonon
        # time never much longer than 1/(cT), against the essay's tau_phi << tau
        assert 0.4e-6 < us.phonon_D_0_s < 15e-6 and 14e-6 < us.spectral_diffusion_s < 82e-6
        assert us.phonon_D_0_s < us.spectral_diffusion_s
        assert s.phonon_D_0_s > 5e3 * s.spectral_diffusion_s  # per s: tau_phi << tau holds
    p = echo_params("BK7 tau12=6us", gamma_unit="per_s", X_scale=10)
    row = materials.echo_row("BK7 tau12=6us")
    assert p.Gamma_inv_per_sK5 == row.params.Gamma_inv_per_sK5 * 1e-6
    assert (p.X0min_KA2, p.X0max_KA2) == (8900.0, 331000.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"A_2LS": -1.0}, "A_2LS must be"),
        ({"A_2LS": math.nan}, "A_2LS must be"),
        ({"ats_sign": 0}, "ats_sign must be"),
        ({"detection": "phase"}, "detection must be"),
        ({"tau12_s": [2e-6, 0.1e-6]}, "tau12_s must be"),
        ({"c_2LS_per_sK": -1.0}, "c_2LS_per_sK must be"),
        ({"Gamma_2LS_per_sK3": -1.0}, "Gamma_2LS_per_sK3 must be"),
        ({"background": 1.0, "A_2LS": 1.0}, "background"),
        ({"background": 1.0, "detection": "magnitude"}, "background"),
    ],
)
def test_bad_input(kwargs, match):
    row = materials.echo_row("BAS sample 2")
    with pytest.raises(ValueError, match=match):
        relative_amplitude(row.T_K, 0.1, row.params, row.pulses, **kwargs)


def test_bad_readings():
    with pytest.raises(ValueError, match="gamma_unit must be"):
        echo_params("BAS sample 2", gamma_unit="per_ms")
    with pytest.raises(ValueError, match="X_scale must be"):
        echo_params("BAS sample 2", X_scale=0.0)
