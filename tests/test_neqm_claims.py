"""The essay's section 3.3 statements about the nuclear quadrupole model, measured (audit rows).

Each test computes the numbers one row of etm.audit.rival reports, from the NEQM rows of the
catalog (etm.materials.neqm_row, Fig. 14a conditions, normalized at 0.6 T) and the ETM's Table 7
rows. Sampling: 512 scrambled Sobol points over the nuclear orientations and couplings; the
measured spread between seeds is 0.002-0.004 in A(B)/A(0.6 T) (docs/neqm.md section 5), so the
thresholds below sit at least 5 of those away from the measured values.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from etm import echo, materials, neqm
from etm.neqm.claims import curve_features
from etm.neqm.ensemble import echo_factor

B = np.concatenate([np.linspace(0.0, 0.1, 51), np.linspace(0.11, 0.6, 50), [1.0, 3.0]])
N = 512


def _curve(name, **row_options):
    row = materials.neqm_row(name, **row_options)
    return row, neqm.relative_amplitude(row.T_K, B, row, n_samples=N)


@pytest.mark.slow
def test_suprasil_shows_no_field_effect():
    # f_Q = 2.5e-4 (O-17 only): the largest change of the echo is below 1e-3 (measured 1.2e-4
    # with 4096 points)
    row, r = _curve("Suprasil I")
    assert row.params.f_Q < 5e-4
    assert np.abs(r - 1.0).max() < 1e-3


@pytest.mark.slow
def test_glycerol_against_deuterated_glycerol():
    # hydrogen tunnels: protons (I = 1/2) have no quadrupole moment, deuterons (I = 1) do
    _, plain = _curve("glycerol", species="hydrogen")
    _, deut = _curve("glycerol-d5", species="hydrogen")
    assert np.abs(plain - 1.0).max() < 1e-3  # measured 2.2e-5
    f = curve_features(B, deut)
    assert 0.08 < 1.0 - f.r_ext < 0.16  # measured 0.120 (4096 points)
    assert 0.005 < f.B_ext < 0.03  # the dip at gamma B tau ~ 0.3: 14 mT measured


@pytest.mark.slow
def test_the_nuclear_echo_rises_from_zero_field_but_never_above_high_field():
    # the essay: a high-field echo above the zero-field value is "unexplained by the NEQM".
    # The NEQM gives A(0)/A(0.6 T) < 1 (it rises with B, as the data) but never overshoots:
    # every system has |A| <= 1 and A -> 1 at high field.
    for name in ("BAS", "BK7", "Duran"):
        _, r = _curve(name)
        f = curve_features(B, r)
        assert f.r0 < 0.99, name  # measured 0.950, 0.969, 0.977
        # no rise above the high-field value: against A(3 T) (Ba-137 with nu_Q ~ 7 MHz recovers
        # only at ~1.5 T, so A(0.6 T) is still 0.7 % low for BAS)
        assert r.max() / r[-1] - 1.0 < 5e-3, name
    # the ETM as printed (Table 7, essay forms, A_2LS = 2 a(0)): above 1 at zero field for BAS
    # sample 2, below for BAS sample 1 (measured 1.144 and 0.830)
    got = {}
    for row in materials.ECHO_ROWS[:2]:
        p, pu = row.params, row.pulses
        a0 = float(echo.amplitude(row.T_K, 0.0, p, pu, matrix_elements="essay"))
        unit = float(echo.two_level_echo(row.T_K, pu.tau12_s, pu.f_Hz, A_2LS=1.0))
        r = echo.relative_amplitude(
            row.T_K, [0.0, 0.6], p, pu, A_2LS=2.0 * a0 / unit, matrix_elements="essay"
        )
        got[row.name] = float(r[0])
    assert got["BAS sample 1"] < 0.9 and got["BAS sample 2"] > 1.1


@pytest.mark.slow
def test_recovery_is_not_linear_for_the_silicates():
    # the straightness of the recovery from the dip (largest deviation from a line, in units of
    # the rise): 0.18-0.28 for the silicates, 0.07 for glycerol-d5 (4096 points)
    _, r = _curve("BAS")
    _, d5 = _curve("glycerol-d5", species="hydrogen")
    assert curve_features(B, r).line_dev > 0.1
    assert curve_features(B, d5).line_dev < curve_features(B, r).line_dev


@pytest.mark.slow
def test_effect_scales_linearly_with_the_fraction_of_quadrupolar_nuclei():
    # one nucleus per system: 1 - m(B) = sum_i f_i (1 - <A_i(B)>), exactly linear in the
    # fractions (the same Sobol points are used for both, so only round-off differs)
    row = materials.neqm_row("BAS")
    half = dataclasses.replace(
        row.params,
        nuclei=tuple(dataclasses.replace(n, fraction=n.fraction / 2) for n in row.params.nuclei),
    )
    m1 = echo_factor(row.T_K, B[:60], row.params, row.pulses, n_samples=N)
    m2 = echo_factor(row.T_K, B[:60], half, row.pulses, n_samples=N)
    d1, d2 = 1.0 - m1, 1.0 - m2
    big = np.abs(d1) > 0.2 * np.abs(d1).max()
    np.testing.assert_allclose(d2[big] / d1[big], 0.5, rtol=1e-9)
