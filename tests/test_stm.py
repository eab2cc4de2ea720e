"""Tests of the STM dielectric background (etm.dielectric.stm): textbook limits, quadratures."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import integrate

from etm.constants import HF_K_PER_HZ
from etm.dielectric.stm import (
    relaxation_u_integral,
    stm_relaxation,
    stm_resonant,
    stm_resonant_loss,
    stm_total,
)

F = 1.0e3  # Hz
A_PH = 1.0e8  # 1/(s K^3): omega tau_min(E = 2T) ~ 1 near 20 mK at 1 kHz


def _slope(fun, T1, T2):
    return (fun(T2) - fun(T1)) / np.log(T2 / T1)


# ---- resonant part ------------------------------------------------------------------------


def test_resonant_slope_is_minus_two_thirds_C():
    # hf/kT = 5e-5 at 1 mK: the log regime; the deviation of the slope is O((hf/kT)^2)
    C = 3e-4
    s = _slope(lambda T: stm_resonant(T, F, C), 1e-3, 2e-3)
    assert_allclose(s, -2.0 / 3.0 * C, rtol=1e-6)


def test_total_slope_with_relaxation_frozen():
    # omega tau_min >> 1 at 1-2 mK (A T^3/omega ~ 1e-4): relaxation adds < 1e-6 C to the slope
    C = 1e-4
    s = _slope(lambda T: stm_total(T, F, C, A_PH)[0], 1e-3, 2e-3)
    assert_allclose(s, -2.0 / 3.0 * C, rtol=1e-3)


def test_resonant_against_principal_value_quadrature():
    # delta eps/eps (up to the cutoff constant) = (2/3) C PV int_0^X tanh(x) x/(x^2-y^2) dx
    # - (2/3) C ln(X), X -> inf; evaluated with QUADPACK's Cauchy weight, independent of psi.
    C, T = 1.0, 0.05
    for f in (1e6, 1e9, 5e9, 3e10):
        y = HF_K_PER_HZ * f / (2 * T)
        X = 60.0 + 3 * y
        pv = integrate.quad(
            lambda x, y=y: np.tanh(x) * x / (x + y),
            0,
            X,
            weight="cauchy",
            wvar=y,
            limit=400,
            epsabs=1e-13,
            epsrel=1e-13,
        )[0]
        # F(y) = pv - PV int_0^X x/(x^2-y^2) dx (tanh(X) = 1 to 1e-50), then the reference
        # constant -ln(hf/E_ref)
        ln_part = np.log(X / y) + 0.5 * np.log1p(-((y / X) ** 2))
        expect = (2.0 / 3.0) * C * (pv - ln_part - np.log(HF_K_PER_HZ * f / 1.0))
        assert_allclose(stm_resonant(T, f, C), expect, rtol=0, atol=1e-9)


def test_resonant_saturates_for_hf_much_larger_than_kT():
    # F(y) ~ -pi^2/(6 y^2)... -> 0: at hf/kT = 1e3 the value is (2/3) C ln(E_ref/hf) to 1e-5
    C, f = 1.0, 2e10  # hf = 0.96 K
    T = HF_K_PER_HZ * f / 1e3
    sat = (2.0 / 3.0) * C * np.log(1.0 / (HF_K_PER_HZ * f))
    assert_allclose(stm_resonant([T, T / 10], f, C), sat, rtol=0, atol=1e-5)
    assert abs(_slope(lambda t: stm_resonant(t, f, C), T / 2, T)) < 1e-5


def test_resonant_loss_limits():
    C = 1.0
    assert_allclose(stm_resonant_loss(1e-3, 1e12, C), np.pi / 3 * C, rtol=1e-12)
    T = 1.0
    y = HF_K_PER_HZ * F / (2 * T)
    assert_allclose(stm_resonant_loss(T, F, C), np.pi / 3 * C * y, rtol=1e-6)


# ---- relaxational part --------------------------------------------------------------------


@pytest.mark.parametrize("s", [1e-6, 0.05, 0.1, 0.5, 3.0, 40.0, 1e4])
def test_u_integral_against_quadrature(s):
    # J(s) = int_0^1 du sqrt(1-u^2)/u * s u^2/(s u^2 - i); quad in u, split at the crossover
    def f(u, part):
        v = np.sqrt(1 - u * u) / u * s * u * u / (s * u * u - 1j)
        return v.real if part == 0 else v.imag

    pts = [min(1 / np.sqrt(s), 0.5)]
    ref = [
        integrate.quad(f, 0, 1, args=(k,), points=pts, epsabs=1e-14, epsrel=1e-12, limit=400)[0]
        for k in (0, 1)
    ]
    assert_allclose(relaxation_u_integral(s), ref[0] + 1j * ref[1], rtol=1e-9)


def test_relaxation_against_double_quadrature():
    # (2/3) C int dx sech^2(x) int du sqrt(1-u^2)/u / (1 - i omega tau), tau from the one-phonon
    # rate, by nested quad in (x, u) with no closed form
    C, T = 1.0, 0.03
    w = 2 * np.pi * F

    def inner(x, part):
        E = 2 * T * x
        rate0 = A_PH * E**3 / np.tanh(x)

        def g(u):
            v = np.sqrt(1 - u * u) / u / (1 - 1j * w / (rate0 * u * u))
            return v.real if part == 0 else v.imag

        return integrate.quad(g, 0, 1, points=[min(np.sqrt(w / rate0), 0.5)], limit=200)[0]

    ref = [
        integrate.quad(lambda x, k=k: inner(x, k) / np.cosh(x) ** 2, 1e-6, 40, limit=200)[0]
        for k in (0, 1)
    ]
    d, tl = stm_relaxation(T, F, C, A_PH)
    assert_allclose([d, tl], [2 / 3 * C * ref[0], 2 / 3 * C * ref[1]], rtol=1e-6)


def test_relaxation_slope_is_plus_C_and_ratio_minus_two():
    # omega tau_min << 1 at 5-10 K (A T^3/omega ~ 1e8); the corrections are O(ln s / s) and the
    # small-x region (x < s^-1/2): ~3e-4 of the slope
    C = 1e-4
    s_rel = _slope(lambda T: stm_relaxation(T, F, C, A_PH)[0], 5.0, 10.0)
    assert_allclose(s_rel, C, rtol=1e-3)
    above = _slope(lambda T: stm_total(T, F, C, A_PH)[0], 5.0, 10.0)
    below = _slope(lambda T: stm_total(T, F, C, A_PH)[0], 1e-3, 2e-3)
    assert_allclose(above, C / 3, rtol=2e-3)
    assert_allclose(below / above, -2.0, rtol=2e-3)


def test_relaxational_loss_plateau():
    C = 1e-4
    assert_allclose(stm_relaxation(10.0, F, C, A_PH)[1], np.pi * C / 6, rtol=1e-3)


def test_minimum_between_the_regimes():
    T = np.geomspace(1e-3, 1.0, 301)
    d, _ = stm_total(T, F, 1e-4, A_PH)
    i = int(np.argmin(d))
    assert 0 < i < T.size - 1
    # the minimum sits where omega tau_min(E ~ 2T) ~ 1 within a factor of a few
    t_cross = 0.5 * (2 * np.pi * F / A_PH) ** (1 / 3)
    assert t_cross / 3 < T[i] < 3 * t_cross


def test_relaxation_kramers_kronig():
    # chi'(w0) = (2/pi) PV int_0^inf w chi''(w)/(w^2 - w0^2) dw, computed on a log grid after
    # subtracting a Debye term of the same chi''(w0) (whose transform is known), so the
    # integrand is smooth; trapezoid in ln(w) with step 0.02 converges exponentially.
    C, T = 1.0, 0.02
    f0 = np.array([30.0, 1e3, 3e4])
    re0, im0 = stm_relaxation(T, f0, C, A_PH)
    h = 0.02
    k = np.arange(-1800, 1800) + 0.5  # nodes at u0 +- h/2, ...: never on the removable 0/0
    for j, fk in enumerate(f0):
        u = np.log(fk) + h * k
        r = np.exp(u - np.log(fk))
        _, im = stm_relaxation(T, fk * r, C, A_PH)
        debye = 2 * im0[j] * r / (1 + r * r)
        integrand = r * r * (im - debye) / (r * r - 1)
        kk = im0[j] + 2 / np.pi * integrate.trapezoid(integrand, u)
        assert_allclose(kk, re0[j], rtol=1e-6)


# ---- generic and bad input ----------------------------------------------------------------


def test_scalar_broadcast_and_finite_over_range():
    T = np.geomspace(1e-3, 10.0, 40)[:, None]
    f = np.array([1.0, 1e3, 1e9])
    d, tl = stm_total(T, f, 1e-4, A_PH)
    assert d.shape == tl.shape == (40, 3)
    assert np.all(np.isfinite(d)) and np.all(np.isfinite(tl)) and np.all(tl > 0)
    assert np.ndim(stm_resonant(0.1, F, 1.0)) == 0
    assert np.ndim(stm_relaxation(0.1, F, 1.0, A_PH)[0]) == 0


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: stm_resonant(0.1, -1.0, 1.0), "f_Hz"),
        (lambda: stm_resonant(0.1, 0.0, 1.0), "f_Hz"),
        (lambda: stm_resonant(np.nan, 1e3, 1.0), "T_K"),
        (lambda: stm_resonant(-0.1, 1e3, 1.0), "T_K"),
        (lambda: stm_resonant(0.1, 1e3, -1.0), "C"),
        (lambda: stm_resonant(0.1, np.inf, 1.0), "f_Hz"),
        (lambda: stm_relaxation(0.1, 1e3, 1.0, 0.0), "A_phonon"),
        (lambda: stm_relaxation(0.0, 1e3, 1.0, 1e8), "T_K"),
        (lambda: stm_resonant_loss(0.1, -5.0, 1.0), "f_Hz"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_resonant_loss_saturation_limits():
    # tan(delta) = (pi/3) C tanh(hf/2kT)/sqrt(1 + s): s << 1 gives 1 - s/2, s >> 1 gives s^-1/2
    T, f = np.array([0.01, 0.1, 1.0]), 5e9
    lin = stm_resonant_loss(T, f, 1.0)
    assert_allclose(stm_resonant_loss(T, f, 1.0, drive_ratio=1e-6), lin * (1 - 5e-7), rtol=1e-12)
    assert_allclose(stm_resonant_loss(T, f, 1.0, drive_ratio=1e12) * 1e6, lin, rtol=1e-12)
    with pytest.raises(ValueError, match="drive_ratio"):
        stm_resonant_loss(T, f, 1.0, drive_ratio=np.nan)
