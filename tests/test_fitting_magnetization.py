"""The "magnetization" observable of etm.fit: model, file reading, recovery of known parameters."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

import etm.fit as fitting
from etm import magnetization, materials
from etm.fit.magnetization import (
    MAGNETIZATION,
    T_REF_K,
    read_magnetization_curve,
    synthetic_magnetization_curve,
)
from etm.params import ATSParams

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TRUTH = {"nP_per_g": 5.19e16, "n_Fe2_per_g": 1.06e17, "n_Fe3_per_g": 5.0e16}


def test_registered_and_model_equals_etm_magnetization_total():
    assert fitting.lookup("magnetization") is MAGNETIZATION
    T = np.geomspace(0.3, 10.0, 7)
    c = synthetic_magnetization_curve("BAS", T_K=T, B_T=1.5, rel_noise=0.0)
    m = materials.get("BAS").at(0.60)
    # the observable's model at the preset is etm.magnetization.total (no background): the
    # same functions, so equal to rounding
    assert_allclose(c.y, magnetization.total(T, 1.5, m), rtol=1e-12)


def test_n_of_t_moves_the_cutoffs_point_by_point():
    T = np.array([0.2, 1.0, 3.0])
    E0 = 0.05
    c0 = synthetic_magnetization_curve("BAS", T_K=T, B_T=1.0, rel_noise=0.0, E0_K=E0)
    row = materials.get("BAS").heat_capacity_rows[0]
    f = np.exp(-3 * E0 * (1 / T - 1 / T_REF_K))
    want = [
        magnetization.ats(t, 1.0, ATSParams(row.Dmin_K, row.X0min_KA2 * k, row.X0max_KA2 * k, 1))
        for t, k in zip(T, f, strict=True)
    ]
    m = materials.get("BAS").at(0.6)
    fe = magnetization.impurities(T, 1.0, m.paramagnets)
    assert_allclose(c0.y, 5.19e16 * np.array(want) + fe, rtol=1e-12)


def test_example_files_convert_units_and_are_labelled_synthetic():
    a = read_magnetization_curve(EXAMPLES / "magnetization_BAS_1T.csv")
    b = read_magnetization_curve(EXAMPLES / "magnetization_BAS_2K.csv")
    assert a.x_name == "T_K" and b.x_name == "B_T"
    assert a.y_name == b.y_name == "M_J_per_Tg"
    assert any("SYNTHETIC" in s for s in a.comments)
    # emu/g = 1e-3 J/(T g): the first line of the 1 T file is 0.0142663 emu/g
    assert_allclose(a.y[0], 1.42663e-5, rtol=1e-12)
    assert a.metadata["B_T"] == 1.0 and b.metadata["T_K"] == 2.0
    assert len(a.sha256) == 64 and a.source.name == "magnetization_BAS_1T.csv"


def test_global_fit_recovers_concentrations_within_3_sigma():
    curves = [
        read_magnetization_curve(EXAMPLES / "magnetization_BAS_1T.csv"),
        read_magnetization_curve(EXAMPLES / "magnetization_BAS_2K.csv"),
    ]
    res = fitting.fit(
        curves,
        "magnetization",
        material="BAS",
        fix={"E0_K": 0.0},
        share=["Dmin_K", "X0min_KA2", "X0max_KA2"],
    )
    assert res.success
    for name, true in TRUTH.items():
        e = res.estimate(name)
        assert abs(e.value - true) < 3 * e.stderr, name
    chi = res.estimate("chi_dia_J_per_T2g")
    assert abs(chi.value + 2e-7) < 3 * chi.stderr
    # the cutoffs enter symmetrically: compare the pair
    lo, hi = sorted((res.value("X0min_KA2"), res.value("X0max_KA2")))
    assert abs(np.log(lo / 4.77e4)) < 0.5 and abs(np.log(hi / 3.09e5)) < 0.5


def test_fit_recovers_e0_from_a_temperature_curve():
    T = np.geomspace(0.1, 10.0, 40)
    c = synthetic_magnetization_curve("BAS", T_K=T, B_T=2.0, rel_noise=0.002, seed=5, E0_K=0.05)
    fixed = {"Dmin_K": 0.49, "n_Fe2_per_g": 1.06e17, "n_Fe3_per_g": 5e16, "chi_dia_J_per_T2g": 0}
    res = fitting.fit([c], "magnetization", material="BAS", fix=fixed, free=["E0_K"])
    e = res.estimate("E0_K", 0)
    assert abs(e.value - 0.05) < 3 * e.stderr and e.stderr < 0.02


def test_unit_and_metadata_errors(tmp_path):
    f = tmp_path / "m.csv"
    f.write_text("# B_T = 1\nT_K, M_furlong\n1, 2\n2, 1\n")
    with pytest.raises(ValueError, match="unknown unit .furlong. for a magnetization"):
        read_magnetization_curve(f)
    f.write_text("T_K, M_emu_per_g\n1, 2\n2, 1\n")
    c = read_magnetization_curve(f)
    with pytest.raises(ValueError, match="metadata 'B_T' missing"):
        fitting.fit([c], "magnetization")
    f.write_text("# B_T = 1\nT_K, X_emu_per_g\n1, 2\n2, 1\n")
    with pytest.raises(ValueError, match="missing column M_<unit>"):
        read_magnetization_curve(f)
    f.write_text("# B_T = 1\nT_K, M_emu_per_g\n2, 2\n1, 1\n")
    with pytest.raises(ValueError, match=str(f)):  # errors name the file, not a copy
        read_magnetization_curve(f)


def test_a_long_curve_is_interpolated_and_checked():
    # issue 19, case 24: a 20000-point M(B) curve cost 20000 ATS evaluations per model call
    # (hours of fitting). The checked interpolant takes ~128 of them; against the direct call
    # at every point (another route: magnetization.ats on the whole array) it is within its
    # check tolerance 1e-7 of the largest value, at 2 K and at 50 mK where M_ATS(B) bends most
    from etm import magnetization
    from etm.fit.magnetization import INTERPOLATION_RTOL, checked_interpolation
    from etm.params import ATSParams

    p = ATSParams(0.5, 5e4, 3e5, 1.0)
    for T_K in (2.0, 0.05):
        B = np.linspace(0.0, 5.0, 20000)
        T = np.full(B.size, T_K)
        calls = []

        def at(T, B, calls=calls):
            calls.append(B.size)
            return magnetization.ats(T, B, p)

        got = checked_interpolation(at, T, B)
        ref = magnetization.ats(T, B, p)
        assert np.max(np.abs(got - ref)) <= 10 * INTERPOLATION_RTOL * np.max(np.abs(ref))
        assert sum(calls) <= 1000, calls


def test_a_feature_the_nodes_miss_falls_back_to_every_point():
    # a step narrower than the node spacing: no interpolant passes the check, and the term is
    # computed at each distinct x (exactly the direct values)
    from etm.fit.magnetization import checked_interpolation

    B = np.linspace(0.0, 5.0, 3000)
    T = np.full(B.size, 1.0)

    def at(T, B):
        return np.tanh((B - 2.3456) / 1e-4) + B

    got = checked_interpolation(at, T, B)
    np.testing.assert_array_equal(got, at(T, B))
    # a short curve (<= INTERPOLATE_ABOVE distinct x) is computed point by point as before
    short = np.linspace(0.0, 5.0, 100)
    np.testing.assert_array_equal(
        checked_interpolation(at, np.ones(100), short), at(np.ones(100), short)
    )
