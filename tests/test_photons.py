"""Photon number in a driven resonator (etm.resonator.photons): hand values, energy balance,
the coupled-mode equation integrated in time, and resonator-tools' independent implementation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.integrate import solve_ivp

from etm.constants import hbar
from etm.resonator.photons import (
    GEOMETRIES,
    PHOTON_CONVENTION,
    dbm_to_watt,
    photon_number,
    watt_to_dbm,
)


def test_hand_calculation():
    # Ql = 1e4, Qc = 2e4, f0 = 5 GHz, P = -120 dBm = 1e-15 W:
    # hbar omega^2 = 1.054571817e-34 J s * (2 pi 5e9 / s)^2 = 1.04082e-13 W,
    # notch: n = 2 * 1e8 * 1e-15 / (2e4 * 1.04082e-13) = 96.078; reflection: twice that
    n_notch = photon_number(-120.0, 5e9, Ql=1e4, Qc=2e4, geometry="notch")
    n_refl = photon_number(-120.0, 5e9, Ql=1e4, Qc=2e4, geometry="reflection")
    assert_allclose(n_notch, 96.078, rtol=1e-4)  # 5 digits of the hand value
    assert_allclose(n_refl, 192.156, rtol=1e-4)


def test_dbm_conversions():
    assert_allclose(dbm_to_watt([0.0, -30.0, 10.0]), [1e-3, 1e-6, 1e-2], rtol=1e-15)
    assert_allclose(watt_to_dbm(dbm_to_watt(-73.5)), -73.5, rtol=1e-14)
    assert math.isnan(float(dbm_to_watt(float("nan"))))


def _scattering(kc, ki, geometry):
    """On-resonance scattering amplitudes of the standard models (what a VNA measures)."""
    k = kc + ki
    if geometry == "notch":
        # symmetric notch: the resonator radiates kc/2 into each direction of the line, so the
        # transmitted wave is 1 - kc/k and the reflected one -kc/k
        return {"transmitted": 1.0 - kc / k, "reflected": -kc / k}
    return {"reflected": (kc - ki) / k}


@pytest.mark.parametrize("geometry", ["notch", "reflection"])
@pytest.mark.parametrize("Qi, Qc", [(1e5, 1e4), (2e4, 2e4), (3e3, 5e4)])
def test_energy_balance(geometry, Qi, Qc):
    # independent route: the power absorbed (incident minus outgoing) is dissipated internally
    # at the rate kappa_i = omega/Qi, so n hbar omega kappa_i = P (1 - sum |S|^2)
    f0, P_dBm = 6e9, -110.0
    omega = 2 * np.pi * f0
    kc, ki = omega / Qc, omega / Qi
    out = sum(abs(a) ** 2 for a in _scattering(kc, ki, geometry).values())
    P = float(dbm_to_watt(P_dBm))
    n_balance = P * (1.0 - out) / (hbar * omega * ki)
    Ql = 1.0 / (1.0 / Qi + 1.0 / Qc)
    # exact algebraic identity: only rounding differs
    assert_allclose(
        photon_number(P_dBm, f0, Ql=Ql, Qc=Qc, geometry=geometry), n_balance, rtol=1e-12
    )


@pytest.mark.parametrize("geometry, coupling", [("notch", 0.5), ("reflection", 1.0)])
def test_coupled_mode_equation_in_time(geometry, coupling):
    # da/dt = -(kappa/2) a + sqrt(kappa_c') a_in, |a_in|^2 = P/(hbar omega) photons per second,
    # kappa_c' = kappa_c/2 per direction for a notch, kappa_c for a one-port; integrated from
    # a = 0 until the steady state (20 decay times leave e^-10 ~ 5e-5 of the transient)
    f0, Qi, Qc, P_dBm = 5e9, 4e4, 1e4, -100.0
    omega = 2 * np.pi * f0
    kc, k = omega / Qc, omega * (1 / Qi + 1 / Qc)
    a_in = math.sqrt(float(dbm_to_watt(P_dBm)) / (hbar * omega))
    sol = solve_ivp(
        lambda t, a: -0.5 * k * a + math.sqrt(coupling * kc) * a_in,
        (0.0, 20.0 / k),
        [0.0],
        rtol=1e-10,
        atol=1e-12,
    )
    n_ode = sol.y[0, -1] ** 2
    Ql = 1.0 / (1 / Qi + 1 / Qc)
    # 1e-4: the e^-10 transient left at the end, doubled in |a|^2
    assert_allclose(photon_number(P_dBm, f0, Ql=Ql, Qc=Qc, geometry=geometry), n_ode, rtol=1e-4)


@pytest.mark.parametrize("geometry", ["notch", "reflection"])
def test_against_resonator_tools(geometry):
    # resonator-tools >= 2.2.0 implements the same convention independently (its notch formula
    # was 2x high before 2.2.0); it reads fr, Qc, Qi from its fit results
    from resonator_tools import circuit

    fr, Qi, Qc = 7.7e9, 1.8e4, 6.6e3
    if geometry == "notch":
        port = circuit.notch_port()
        port.fitresults = {"fr": fr, "Qc_dia_corr": Qc, "Qi_dia_corr": Qi}
    else:
        port = circuit.reflection_port()
        port.fitresults = {"fr": fr, "Qc": Qc, "Qi": Qi}
    expected = port.get_photons_in_resonator(-90.0, unit="dBm")
    Ql = 1.0 / (1 / Qi + 1 / Qc)
    # different algebra (rates vs quality factors): rounding only
    assert_allclose(photon_number(-90.0, fr, Ql=Ql, Qc=Qc, geometry=geometry), expected, rtol=1e-12)


def test_broadcasting_nan_and_errors():
    n = photon_number([[-100.0], [np.nan]], [5e9, 6e9], Ql=1e4, Qc=2e4)
    assert n.shape == (2, 2)
    assert np.isfinite(n[0]).all() and np.isnan(n[1]).all()
    assert set(GEOMETRIES) == set(PHOTON_CONVENTION) == {"notch", "reflection"}
    with pytest.raises(ValueError, match="geometry must be one of"):
        photon_number(-100.0, 5e9, Ql=1e4, Qc=2e4, geometry="transmission")
    with pytest.raises(ValueError, match="Ql must be finite and > 0"):
        photon_number(-100.0, 5e9, Ql=-1.0, Qc=2e4)
    with pytest.raises(ValueError, match="f_Hz"):
        photon_number(-100.0, 0.0, Ql=1e4, Qc=2e4)
    with pytest.raises(ValueError, match="P_dBm must be finite or NaN"):
        photon_number(np.inf, 5e9, Ql=1e4, Qc=2e4)
