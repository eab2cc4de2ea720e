"""TLS loss and shift of a resonator (etm.resonator.tls) and the total model (etm.resonator.model):
against the STM of etm (stm_resonant, stm_resonant_loss), a principal-value integral over the
TLS energies, and the saturated Bloch lineshape integrated over detuning."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import integrate

try:
    from etm.stm import stm_resonant, stm_resonant_loss
except ImportError:  # after the package re-layout
    from etm.dielectric.stm import stm_resonant, stm_resonant_loss

from etm.constants import h, k_B
from etm.resonator.model import inverse_qi, resonance_frequency
from etm.resonator.quasiparticles import frequency_shift_qp, inverse_q_qp
from etm.resonator.tls import (
    critical_photon_number,
    frequency_shift_tls,
    inverse_q_tls,
    tls_saturation,
)

F_HZ = 7.7e9
HF_K = h * F_HZ / k_B  # 0.37 K
T_GRID = HF_K * np.array([0.02, 0.1, 0.3, 0.44, 1.0, 3.0, 10.0])


def test_shift_is_the_stm_resonant_term():
    # -(F/2) delta eps'/eps' of the STM with C = 3 delta0/pi and E_ref = hf (which removes its
    # T-independent constant): the same function by another algebraic route (-ln(2 pi T/E_ref)
    # - Re psi in etm's STM), so only rounding differs; atol for the zero crossing near 0.9 hf
    Fd = 2e-5
    stm = -0.5 * stm_resonant(T_GRID, F_HZ, 3 * Fd / np.pi, E_ref_K=HF_K)
    assert_allclose(
        frequency_shift_tls(T_GRID, f_Hz=F_HZ, F_delta0=Fd), stm, rtol=1e-12, atol=1e-20
    )


@pytest.mark.parametrize("T_over_hf", [0.05, 0.2, 0.44, 1.0, 4.0])
def test_shift_against_the_principal_value_integral(T_over_hf):
    # delta f/f(T) - delta f/f(0) = (2 F delta0/pi) PV int_0^inf f_FD(E) E/(E^2 - (hf)^2) dE
    # (the STM's -(F/2)(2/3) C PV int [tanh(E/2kT) - 1] E/(E^2 - (hf)^2) dE with C = 3 delta0/pi),
    # evaluated with QUADPACK's Cauchy weight: E/(E^2 - a^2) = [1/(E - a) + 1/(E + a)]/2
    Fd, a = 1.0, HF_K
    T = T_over_hf * HF_K
    upper = a + 60 * T  # f_FD(60 kT) ~ 1e-26

    def fermi(E):
        return math.exp(-E / T) / (1.0 + math.exp(-E / T))

    pv, _ = integrate.quad(fermi, 0.0, upper, weight="cauchy", wvar=a, epsabs=1e-14, limit=200)
    reg, _ = integrate.quad(lambda E: fermi(E) / (E + a), 0.0, upper, epsabs=1e-14, limit=200)
    numeric = (2 * Fd / np.pi) * 0.5 * (pv + reg)
    # quadrature accuracy ~1e-12 absolute against shifts of 1e-3-1
    assert_allclose(frequency_shift_tls(T, f_Hz=F_HZ, F_delta0=Fd), numeric, rtol=1e-8, atol=1e-11)


def test_shift_limits():
    Fd = 1.0
    # T -> 0: -(1/24) (2 pi k_B T/hf)^2 F delta0/pi; next order (kT/hf)^4 (1e-6 relative here)
    T = 0.01 * HF_K
    y = 1 / (2 * np.pi * 0.01)
    assert_allclose(
        frequency_shift_tls(T, f_Hz=F_HZ, F_delta0=Fd), -1 / (24 * y**2) / np.pi, rtol=1e-3
    )
    # k_B T >> hf: (F delta0/pi) [ln(2 pi k_B T/hf) + psi(1/2)], corrections O((hf/kT)^2)
    T = 100 * HF_K
    lim = (np.log(2 * np.pi * 100) - np.euler_gamma - 2 * np.log(2)) / np.pi
    assert_allclose(frequency_shift_tls(T, f_Hz=F_HZ, F_delta0=Fd), lim, rtol=1e-4)
    # minimum -0.2076 F delta0/pi at k_B T = 0.4408 hf
    Ts = np.linspace(0.3, 0.6, 301) * HF_K
    s = frequency_shift_tls(Ts, f_Hz=F_HZ, F_delta0=Fd)
    assert_allclose(Ts[np.argmin(s)] / HF_K, 0.4408, atol=1e-3)
    assert_allclose(s.min() * np.pi, -0.20764, rtol=1e-4)


def test_low_power_loss_is_the_stm_loss():
    Fd = 3e-5
    stm = stm_resonant_loss(T_GRID, F_HZ, 3 * Fd / np.pi)  # (pi/3) C tanh = F delta0 tanh
    assert_allclose(inverse_q_tls(T_GRID, f_Hz=F_HZ, F_delta0=Fd), stm, rtol=1e-14)


@pytest.mark.parametrize("saturation", ["inside", "outside"])
def test_beta_one_is_the_stm_saturation(saturation):
    Fd, n_c = 3e-5, 40.0
    n = np.array([0.0, 1.0, 40.0, 1e3, 1e6])[:, None]
    ours = inverse_q_tls(T_GRID, n, f_Hz=F_HZ, F_delta0=Fd, n_c=n_c, saturation=saturation)
    stm = stm_resonant_loss(T_GRID, F_HZ, 3 * Fd / np.pi, drive_ratio=n / n_c)
    assert_allclose(ours, stm, rtol=1e-14)


@pytest.mark.parametrize("s", [0.0, 0.3, 1.0, 10.0, 1e3])
def test_stm_saturation_from_the_bloch_lineshape(s):
    # independent route to S = (1 + s)^(-1/2): the steady-state absorption of a TLS detuned by
    # d, (1/T2)/(d^2 + (1 + s)/T2^2), integrated over a flat density of detunings, relative to
    # its unsaturated value pi (T2 = 1)
    val, _ = integrate.quad(lambda d: 1.0 / (d * d + 1.0 + s), -np.inf, np.inf, epsabs=1e-13)
    assert_allclose(tls_saturation(s * 7.0, 7.0), val / np.pi, rtol=1e-10)


@pytest.mark.parametrize("saturation", ["inside", "outside"])
@pytest.mark.parametrize("beta", [0.2, 0.5, 0.8, 1.0])
def test_generalized_saturation(saturation, beta):
    n = np.geomspace(1e-6, 1e8, 200)
    S = tls_saturation(n, 10.0, beta=beta, saturation=saturation)
    assert (np.diff(S) < 0).all() and (S <= 1).all() and (S > 0).all()
    # n -> 0: 1 - S <= x^beta/2 (inside) or beta x/2 (outside), x = n/n_c = 1e-7
    assert_allclose(S[0], 1.0, rtol=0, atol=(1e-7) ** beta)
    # n >> n_c: (n/n_c)^(-beta/2); the next order is (n_c/n)^beta relative
    tail = S[-1] * (n[-1] / 10.0) ** (beta / 2)
    assert_allclose(tail, 1.0, rtol=(10.0 / n[-1]) ** beta)


def test_temperature_dependent_critical_photon_number():
    assert_allclose(
        critical_photon_number([0.05, 0.1, 0.2], n_c=8.0, beta1=1.5), [8 / 2**1.5, 8, 8 * 2**1.5]
    )
    assert_allclose(critical_photon_number([0.05, 0.2], n_c=8.0), [8.0, 8.0])
    # a critical photon number growing with T saturates less at high T
    n = 100.0
    q = inverse_q_tls([0.05, 0.2], n, f_Hz=F_HZ, F_delta0=1.0, n_c=10.0, beta=0.5, beta1=2.0)
    q0 = inverse_q_tls([0.05, 0.2], 0.0, f_Hz=F_HZ, F_delta0=1.0)
    assert q[1] / q0[1] > q[0] / q0[0]


def test_total_model_is_the_sum_of_its_parts():
    T = np.array([0.02, 0.1, 0.2, 0.3])[:, None]
    n = np.array([0.0, 10.0, 1e4])[None, :]
    kw = dict(F_delta0=2e-5, n_c=30.0, beta=0.6, beta1=1.0, T_ref_K=0.1)
    qp = dict(Tc_K=1.2, alpha=0.05, T0_K=0.12, p=4.0)
    total = inverse_qi(T, n, f_Hz=F_HZ, **kw, **qp, inverse_Q_other=3e-6)
    parts = inverse_q_tls(T, n, f_Hz=F_HZ, **kw) + inverse_q_qp(T, F_HZ, **qp) + 3e-6
    assert_allclose(total, parts, rtol=1e-15)
    assert total.shape == (4, 3)
    f0 = resonance_frequency(T[:, 0], f_r_Hz=F_HZ, F_delta0=2e-5, **qp)
    shift = frequency_shift_tls(T[:, 0], f_Hz=F_HZ, F_delta0=2e-5) + frequency_shift_qp(
        T[:, 0], F_HZ, **qp
    )
    assert_allclose(f0, F_HZ * (1 + shift), rtol=1e-15)
    # T -> 0: f_r; without quasiparticles no gap is needed
    assert_allclose(resonance_frequency(1e-4, f_r_Hz=F_HZ, F_delta0=2e-5), F_HZ, rtol=1e-12)
    assert np.isfinite(inverse_qi(0.1, 1.0, f_Hz=F_HZ, F_delta0=1e-5))


PUBLIC = [
    lambda T, f: frequency_shift_tls(T, f_Hz=f, F_delta0=1e-5),
    lambda T, f: inverse_q_tls(T, 5.0, f_Hz=f, F_delta0=1e-5, n_c=2.0, beta=0.4, beta1=1.0),
    lambda T, f: inverse_qi(T, 3.0, f_Hz=f, F_delta0=1e-5, n_c=2.0, Delta_K=2.0, alpha=0.1),
    lambda T, f: resonance_frequency(T, f_r_Hz=7e9, F_delta0=1e-5, Delta_K=2.0, alpha=0.1) + 0 * f,
]


@pytest.mark.parametrize("fn", PUBLIC)
def test_finite_broadcast_and_scalar(fn):
    T = np.array([1e-4, 0.01, 0.1, 0.5])[:, None]
    f = np.array([1e9, 8e9])[None, :]
    out = fn(T, f)
    assert out.shape == (4, 2) and np.isfinite(out).all()
    assert np.ndim(fn(0.1, 5e9)) == 0


def test_bad_arguments():
    with pytest.raises(ValueError, match="saturation must be one of"):
        tls_saturation(1.0, 1.0, saturation="log")
    with pytest.raises(ValueError, match="beta must be > 0"):
        tls_saturation(1.0, 1.0, beta=0.0)
    with pytest.raises(ValueError, match="n_photons must be finite and >= 0"):
        inverse_q_tls(0.1, -1.0, f_Hz=F_HZ, F_delta0=1e-5, n_c=1.0)
    with pytest.raises(ValueError, match="F_delta0 must be >= 0"):
        frequency_shift_tls(0.1, f_Hz=F_HZ, F_delta0=-1e-5)
    with pytest.raises(ValueError, match="n_c must be > 0"):
        critical_photon_number(0.1, n_c=0.0)
    with pytest.raises(ValueError, match="exactly one of Delta_K"):
        inverse_qi(0.1, f_Hz=F_HZ, F_delta0=1e-5, alpha=0.1)
