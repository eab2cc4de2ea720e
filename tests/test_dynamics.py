"""Tests of the density-matrix route to the two-pulse echo (etm.echo.dynamics)."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from etm.constants import hbar, k_B
from etm.echo import single_system_echo
from etm.echo.dynamics import (
    DEBYE_C_M,
    Pulses,
    three_level_density_matrix,
    three_level_echo,
    two_level_density_matrix,
    two_pulse_echo,
    well_dipoles,
)
from etm.spectrum import ats_hamiltonian, ats_well_energies, to_bare

PULSES = Pulses(f_Hz=1e9, tau1_s=0.1e-6, tau2_s=0.2e-6, tau12_s=1.0e-6)
K_TO_RAD = k_B / hbar


def detuned_energy(delta):
    return (PULSES.omega_per_s + np.asarray(delta)) / K_TO_RAD


# ---- exact two-level results ------------------------------------------------------------------


@pytest.mark.parametrize("omega_R", [1e6, 7.3e6, 1.6e7, 3.1e7])
def test_resonant_echo_is_sin_theta1_sin2_half_theta2(omega_R):
    z = two_pulse_echo(PULSES.hf_K, omega_R, PULSES)
    th1, th2 = omega_R * PULSES.tau1_s, omega_R * PULSES.tau2_s
    # exact algebra of two SU(2) rotations: only round-off remains
    assert_allclose(z.real, np.sin(th1) * np.sin(th2 / 2) ** 2, rtol=0, atol=1e-12)
    assert abs(z.imag) < 1e-12


@pytest.mark.parametrize("w", [1e4, 3e5, 2e6])
def test_relaxation_decays_as_exp_minus_2_w_tau12(w):
    E = detuned_energy([0.0, 2e6, -5e6])
    z0 = two_pulse_echo(E, 6e6, PULSES)
    zw = two_pulse_echo(E, 6e6, PULSES, w_per_s=w)
    assert_allclose(zw / z0, np.exp(-2 * w * PULSES.tau12_s), rtol=1e-12)


def test_thermal_factor_is_tanh():
    z0 = two_pulse_echo(PULSES.hf_K, 6e6, PULSES)
    zT = two_pulse_echo(PULSES.hf_K, 6e6, PULSES, T_K=0.03)
    assert_allclose(zT / z0, np.tanh(PULSES.hf_K / 0.06), rtol=1e-12)


def test_detuned_echo_is_the_bloch_closed_form():
    """The propagation reproduces tanh (Om/OmG)^3 e^{-2w tau12} (S + iC), C with delta/Omega_G."""
    delta = np.linspace(-8e7, 8e7, 41)
    E = detuned_energy(delta)
    Om = np.array([[3e6], [9e6]])
    z = two_pulse_echo(E, Om, PULSES, w_per_s=2e5, T_K=0.02)
    zc = single_system_echo(E, Om, PULSES, w_per_s=2e5, T_K=0.02)
    # delta is ~1e7 of omega: the energy round trip K -> rad/s costs ~1e-16 * omega * tau ~ 1e-9
    assert_allclose(z, zc, rtol=0, atol=1e-8)
    ze = single_system_echo(E, Om, PULSES, w_per_s=2e5, T_K=0.02, c_form="essay")
    assert np.abs(z - ze).max() > 1e-2  # the extraction's delta/Omega_R is not what Bloch gives


def test_echo_pathway_equals_phase_cycling():
    """Selecting the pathway by projection equals a 3-step cycle of the first pulse's phase."""
    E = detuned_energy([0.0, 3e6, -1.1e7])
    phis = 2 * np.pi * np.arange(3) / 3
    zs = [two_pulse_echo(E, 8e6, PULSES, 1e5, 0.02, pathway="all", phases=(p, 0.0)) for p in phis]
    # pulse 1 writes rho_10 with the factor exp(-i phi1) (coupling (Omega/2) e^{i phi} |0><1|):
    # the echo pathway is the Fourier component exp(-i phi1) of the cycle
    cycled = sum(z * np.exp(1j * p) for z, p in zip(zs, phis, strict=True)) / 3
    assert_allclose(cycled, two_pulse_echo(E, 8e6, PULSES, 1e5, 0.02), atol=1e-13)


# ---- QuTiP mesolve through the same sequence ------------------------------------------------


def _qutip():
    qt = pytest.importorskip("qutip")
    return qt


def _mesolve_segments(qt, rho0, segments, opts):
    r = qt.Qobj(rho0)
    for H, t0, t1, c_ops in segments:
        r = qt.mesolve(H, r, [t0, t1], c_ops=c_ops, options=opts).states[-1]
    return r.full()


OPTS = {"atol": 1e-13, "rtol": 1e-11, "nsteps": 10**7}


@pytest.mark.parametrize(
    ("delta", "omega_R", "w", "T"),
    [(0.0, 6e6, 0.0, 0.0), (4e6, 9e6, 3e5, 0.02), (-2e7, 5e6, 1e6, 0.05)],
)
def test_two_level_against_qutip(delta, omega_R, w, T):
    qt = _qutip()
    E = detuned_energy(delta)
    rho = two_level_density_matrix(E, omega_R, PULSES, w, T)
    d = E * K_TO_RAD - PULSES.omega_per_s
    us = 1e-6  # QuTiP in microseconds: O(1) rates for its step control
    sz = np.diag([-1.0, 1.0])
    H_free = qt.Qobj(0.5 * d * us * sz)
    H_pulse = qt.Qobj(0.5 * us * (d * sz + omega_R * np.array([[0, 1], [1, 0]])))
    L = [qt.Qobj(np.sqrt(w * us / 2) * sz)] if w > 0 else []
    P = np.tanh(E / (2 * T)) if T > 0 else 1.0
    t = np.cumsum([0, PULSES.tau1_s, PULSES.tau12_s, PULSES.tau2_s, PULSES.tau12_s]) / us
    segs = [(H_pulse, t[0], t[1], []), (H_free, t[1], t[2], L)]
    segs += [(H_pulse, t[2], t[3], []), (H_free, t[3], t[4], L)]
    ref = _mesolve_segments(qt, np.diag([(1 + P) / 2, (1 - P) / 2]), segs, OPTS)
    # both solve the same Lindblad equation; QuTiP's tolerances set the floor (~1e-9)
    assert_allclose(rho, ref, rtol=0, atol=1e-6)


def _ats(D=0.04, theta=0.3, D0_eff=0.3, phi=0.15):
    Db, D0b = to_bare(D, D0_eff)
    return ats_hamiltonian(*ats_well_energies(D, theta), D0b, phi)


@pytest.mark.parametrize("frame", ["rwa", "lab"])
def test_three_level_against_qutip(frame):
    """Eq. 23 (ATS Hamiltonian + well-dipole coupling -p.F0 cos wt) through the sequence."""
    qt = _qutip()
    from etm.echo.dynamics import _three_level_setup

    pulses = Pulses(1e9, 20e-9, 40e-9, 60e-9)  # short: the lab frame resolves every period
    H, P, F, w, T = _ats(), well_dipoles(5 * DEBYE_C_M), np.array([3e3, 1e3, 5e2]), 2e6, 0.03
    rho = three_level_density_matrix(H, P, F, pulses, w, T, frame=frame)
    lev, _, C, rho0 = _three_level_setup(H, P, F, T)
    us = 1e-6
    om = pulses.omega_per_s * us
    H0 = qt.Qobj(np.diag(lev) * us)
    if frame == "lab":
        H_p = [H0, [qt.Qobj(C * us), lambda t: np.cos(om * t)]]
        H_f = H0
    else:
        Hr = np.diag(lev - pulses.omega_per_s * np.arange(3)).astype(complex)
        H_f = qt.Qobj(Hr * us)
        for j in (0, 1):
            Hr[j, j + 1], Hr[j + 1, j] = 0.5 * C[j, j + 1], 0.5 * C[j + 1, j]
        H_p = qt.Qobj(Hr * us)
    L = [qt.Qobj(np.sqrt(w * us / 2) * np.diag([-1.0, 1.0, 0.0]))]
    t = np.cumsum([0, pulses.tau1_s, pulses.tau12_s, pulses.tau2_s, pulses.tau12_s]) / us
    opts = dict(OPTS, max_step=2 * np.pi / om / 20) if frame == "lab" else OPTS
    segs = [
        (H_p, t[0], t[1], []),
        (H_f, t[1], t[2], L),
        (H_p, t[2], t[3], []),
        (H_f, t[3], t[4], L),
    ]
    ref = _mesolve_segments(qt, rho0, segs, opts)
    # Magnus-4 with 256 steps per period: ~1e-8 measured; QuTiP's tolerances similar
    assert_allclose(rho, ref, rtol=0, atol=1e-6)


def test_three_level_reduces_to_two_level_when_level_2_is_far():
    """Large D0: the 3x3 echo is the 2LS echo with the exact gap and the exact 0-1 Rabi rate."""
    H = _ats(D=0.04, theta=0.3, D0_eff=3.0, phi=0.005)
    r = three_level_echo(H, well_dipoles(3 * DEBYE_C_M), [3e3, 1e3, 5e2], PULSES, 1e5, 0.02)
    gap = r.levels_K[1] - r.levels_K[0]
    z2 = two_pulse_echo(gap, r.omega_R_per_s, PULSES, 1e5, 0.02)
    # level 2 is ~7.8 K (1e12 rad/s) away: during the pulses it Stark-shifts level 1 by
    # Omega_12^2/(4 Delta) ~ 1e4 rad/s, a phase ~3e-3 over tau1 + tau2 (measured: 1.1e-3)
    assert abs(r.z - z2) < 5e-3 * abs(z2)


def test_well_dipoles_geometry():
    P = well_dipoles(2.0, normal=(1.0, 1.0, 0.0))
    assert_allclose(P.sum(axis=0), 0.0, atol=1e-15)
    assert_allclose(np.linalg.norm(P, axis=1), 2.0)
    assert_allclose(P @ np.array([1.0, 1.0, 0.0]), 0.0, atol=1e-15)
    assert_allclose(np.dot(P[0], P[1]), 4.0 * np.cos(2 * np.pi / 3))


# ---- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"tau1_s": 3e-6}, "tau1_s must be < tau12_s"),
        ({"tau2_s": 1e-6}, "tau2_s must be < tau12_s"),
        ({"tau1_s": -1e-7}, "tau1_s must be > 0"),
        ({"tau12_s": -1e-6}, "tau12_s must be > 0"),
        ({"f_Hz": 0.0}, "f_Hz must be > 0"),
        ({"f_Hz": float("nan")}, "f_Hz must be a finite"),
    ],
)
def test_pulses_validation(kwargs, match):
    args = {"f_Hz": 1e9, "tau1_s": 0.1e-6, "tau2_s": 0.2e-6, "tau12_s": 1e-6} | kwargs
    with pytest.raises(ValueError, match=match):
        Pulses(**args)


def test_bad_inputs():
    with pytest.raises(ValueError, match="E_K must be finite and >= 0"):
        two_pulse_echo(-1.0, 1e6, PULSES)
    with pytest.raises(ValueError, match="w_per_s"):
        two_pulse_echo(0.05, 1e6, PULSES, w_per_s=-1.0)
    with pytest.raises(ValueError, match="pulses must be a Pulses"):
        two_pulse_echo(0.05, 1e6, (1e9, 1e-7, 1e-7, 1e-6))
    with pytest.raises(ValueError, match="pathway must be one of"):
        two_pulse_echo(0.05, 1e6, PULSES, pathway="fid")
    with pytest.raises(ValueError, match="frame must be one of"):
        three_level_echo(_ats(), well_dipoles(), [1.0, 0, 0], PULSES, frame="rot")
    with pytest.raises(ValueError, match="H_K must be Hermitian"):
        three_level_echo(np.triu(np.ones((3, 3))), well_dipoles(), [1.0, 0, 0], PULSES)
    with pytest.raises(ValueError, match="p_Cm must be > 0"):
        well_dipoles(0.0)
    with pytest.raises(ValueError, match="steps_per_period"):
        three_level_echo(_ats(), well_dipoles(), [1.0, 0, 0], PULSES, steps_per_period=4)
