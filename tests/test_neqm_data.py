"""Nuclear data, compositions and NEQM rows (etm.materials.nuclei)."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from etm import constants
from etm.materials import echo_row, nuclei
from etm.params import NEQMParams, Pulses, QuadrupolarNucleus


def test_nuclear_magneton_against_scipy():
    sc = pytest.importorskip("scipy.constants")
    mu_N = sc.physical_constants["nuclear magneton"][0]
    # CODATA 2022 value typed in; scipy >= 1.15 ships the same (older: 2018, rel. diff 3e-10)
    assert_allclose(constants.mu_N, mu_N, rtol=1e-9)
    assert_allclose(constants.MU_N_HZ_PER_T, 7.6225932188e6, rtol=1e-9)


def test_isotope_table_entries():
    iso = nuclei.ISOTOPES
    # spot checks against the IAEA tables (Stone 2014/2013) as quoted in EasySpin
    assert (iso["Al-27"].I, iso["Al-27"].g_n, iso["Al-27"].Q_barn) == (2.5, 1.4566028, 0.1466)
    assert (iso["H-2"].I, iso["H-2"].Q_barn) == (1.0, 0.00286)
    assert iso["O-17"].g_n < 0 and iso["O-17"].I == 2.5
    assert not iso["Si-29"].quadrupolar and not iso["H-1"].quadrupolar
    assert all(i.quadrupolar == (i.I >= 1) for i in iso.values())
    # the element split sums to one (the I = 0 rest is implicit)
    for el, parts in nuclei.ELEMENT_ISOTOPES.items():
        for label, ab in parts:
            if el != "D":
                assert_allclose(ab, iso[label].abundance, rtol=1e-12)
    # every quadrupolar isotope has a coupling default
    assert {k for k, v in iso.items() if v.quadrupolar} <= set(nuclei.QUADRUPOLE_COUPLINGS)


def test_mass_to_mole_fractions():
    # Duran by mass -> mol: SiO2 81/60.08, B2O3 13/69.62 ... (hand computation)
    x = nuclei.composition("Duran").mole_fractions()
    w = {"SiO2": 81 / 60.083, "B2O3": 13 / 69.617, "Na2O": 3.5 / 61.979, "K2O": 0.5 / 94.195,
         "Al2O3": 2 / 101.961}  # fmt: skip
    tot = sum(w.values())
    for k, v in w.items():
        assert_allclose(x[k], v / tot, rtol=1e-4)


def test_fractions_by_hand():
    # BAS placeholder BaO.Al2O3.2SiO2: 13 atoms (1 Ba, 2 Al, 2 Si, 8 O) per formula unit
    f = nuclei.quadrupolar_fractions("BAS")
    assert_allclose(f["Al-27"], 2 / 13, rtol=1e-12)
    assert_allclose(f["Ba-137"], 0.11232 / 13, rtol=1e-12)
    assert_allclose(f["O-17"], 0.00038 * 8 / 13, rtol=1e-12)
    # only cations tunnel: oxygen drops out, Al takes 2/5
    fc = nuclei.quadrupolar_fractions("BAS", "cations")
    assert "O-17" not in fc and abs(fc["Al-27"] - 0.4) < 1e-12
    # glycerol-d5, hydrogens tunnel: 5 of 8 H are D, plus natural D in the 3 OH
    fd = nuclei.quadrupolar_fractions("glycerol-d5", "hydrogen")
    assert_allclose(fd["H-2"], (5 + 3 * 0.000115) / 8, rtol=1e-12)
    assert_allclose(nuclei.quadrupolar_fractions("glycerol", "hydrogen")["H-2"], 0.000115)
    # silica glasses: O-17 only (natural D of the OH is below 1e-6)
    for g in ("Suprasil I", "SiO2+xCyHz"):
        fs = nuclei.quadrupolar_fractions(g)
        assert 2e-4 < sum(fs.values()) < 3e-4
    with pytest.raises(ValueError, match="species"):
        nuclei.quadrupolar_fractions("BAS", "protons")
    with pytest.raises(ValueError, match="no atom"):
        nuclei.quadrupolar_fractions("Suprasil I", ("Na",))


@pytest.mark.parametrize("name", nuclei.neqm_names())
def test_every_row(name):
    """Contract over every catalog entry: a valid parameter set with the essay's conditions."""
    r = nuclei.neqm_row(name)
    assert isinstance(r.params, NEQMParams) and isinstance(r.pulses, Pulses)
    assert r.T_K == 0.012 and r.pulses.tau1_s == 0.1e-6 and r.pulses.tau2_s == 0.2e-6
    assert_allclose(r.params.f_Q, sum(r.fractions.values()), rtol=1e-12)
    assert r.source
    if name in ("BAS sample 1", "BAS sample 2", "BK7 tau12=1.5us", "BK7 tau12=6us"):
        assert r.pulses == echo_row(name).pulses
    # theta1 = pi/2 for the symmetric aligned 2LS
    assert_allclose(r.params.omega1_per_s * r.pulses.tau1_s, math.pi / 2, rtol=1e-12)


def test_row_lookup_and_options():
    assert nuclei.neqm_row(" bk7 tau12 = 6us").pulses.tau12_s == 6e-6
    assert nuclei.neqm_row("duran").pulses.tau12_s == 1.7e-6
    r = nuclei.neqm_row("BAS", rotation_deg=30.0, atoms_per_system=3)
    assert r.params.rotation_deg == 30.0 and r.params.atoms_per_system == 3
    with pytest.raises(ValueError, match="unknown NEQM row"):
        nuclei.neqm_row("window glass")


def test_params_validation():
    ok = dict(label="X", I=1.5, gamma_Hz_per_T=1e7, fraction=0.1, CQ_Hz=1e6)
    assert QuadrupolarNucleus(**ok).dim == 4
    for bad in ({"I": 0.5}, {"I": 1.2}, {"fraction": 1.5}, {"CQ_Hz": 0.0}, {"eta_max": 2.0},
                {"gamma_Hz_per_T": 0.0}):  # fmt: skip
        with pytest.raises(ValueError):
            QuadrupolarNucleus(**{**ok, **bad})
    n = QuadrupolarNucleus(**ok)
    with pytest.raises(ValueError, match="sum to <= 1"):
        NEQMParams((n,) * 11, omega1_per_s=1e7)
    with pytest.raises(ValueError, match="rotation_deg"):
        NEQMParams((n,), omega1_per_s=1e7, rotation_deg=200.0)
    with pytest.raises(TypeError):
        NEQMParams(("Al",), omega1_per_s=1e7)
    # B* and nu_Q of the median coupling
    assert_allclose(n.nu_Q_Hz, 3e6 / (2 * 1.5 * 2))
    assert_allclose(n.recovery_field_T, n.nu_Q_Hz / 1e7)
    assert np.isfinite(n.recovery_field_T)
