"""The NEQM as fit models of echo curves (etm.fit.neqm) and the compiled Mims kernel."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

import etm.fit as fitting
from etm.fit.echo_curve import EchoCurve
from etm.fit.neqm import BothCurve, NEQMCurve, neqm_params, synthetic_neqm_curve
from etm.materials.nuclei import neqm_row
from etm.neqm import ensemble

B = np.linspace(0.0, 0.6, 25)


@pytest.fixture(scope="module")
def neqm_curve():
    # NEQM-made: 2048 Sobol points scrambled with seed 1, against the model's 256 and seed 0
    return synthetic_neqm_curve("BAS sample 1", B, CQ_scale=1.5, f_Q=0.12, seed=3)


@pytest.fixture(scope="module")
def model(neqm_curve):
    c = neqm_curve
    return NEQMCurve(c.x_name, c.x, c.metadata, "isotropic", "c.csv")


def test_kernel_matches_the_numpy_route():
    # the compiled Jacobi route against batched LAPACK eigh: the same A to rounding (1e-10:
    # phases |eps| tau ~ 1e2 rad carry the eigenvalues' 1e-14 relative error); fields in any
    # order, repeated fields (another tau12), and both isotopes' dimensions (I = 5/2, 3/2)
    row = neqm_row("BAS sample 1")
    rng = np.random.default_rng(2)
    fields = np.concatenate([rng.permutation(np.linspace(0.0, 0.6, 23)), [0.3, 0.3, 0.0]])
    t12 = np.concatenate([np.full(23, 2e-6), [2e-6, 4e-6, 3e-6]])
    ta, tb = ensemble._mims_times(row.pulses, t12, "centres")
    for nuc in row.params.nuclei[:2]:
        smp = ensemble.sample_nucleus(nuc, row.params, row.pulses, 32)
        fast = ensemble.isotope_factors(smp, fields, ta, tb)
        ref = ensemble.isotope_factors(smp, fields, ta, tb, route="numpy")
        assert_allclose(fast, ref, rtol=0, atol=1e-10, err_msg=f"{nuc.label}, I = {nuc.I}")
        both = ensemble.isotope_factors(smp, fields, ta, tb, workers=2)
        # the threaded kernel is compiled apart (fastmath: reassociation allowed), so its
        # rounding differs and the Jacobi sweeps may stop one rotation apart: the same 1e-10
        # (a CI run saw more than 1e-14 between the two)
        assert_allclose(both, fast, rtol=0, atol=1e-10)


def test_neqm_model_is_exact_in_f_Q_and_vectorized(model):
    D = model.table(np.log10(1.3))
    v = {"CQ_scale": 1.3, "f_Q": 0.2}
    m = 1.0 - 0.2 * D
    assert_allclose(model.evaluate(v, ("2LS", "NEQM")), m[:-1] / m[-1], rtol=1e-13)
    parts = model.parts(v, ("2LS", "NEQM"))
    assert_allclose(parts["2LS"] + parts["NEQM"], m[:-1] / m[-1], rtol=1e-13)
    assert_allclose(model.evaluate({"CQ_scale": 3.0, "f_Q": 0.0}, ("2LS", "NEQM")), 1.0)
    many = model.evaluate_many(
        {"CQ_scale": np.array([0.2, 1.3, 7.0]), "f_Q": np.array([0.05, 0.2, 0.6])},
        ("2LS", "NEQM"),
    )
    for w, (s, f) in enumerate([(0.2, 0.05), (1.3, 0.2), (7.0, 0.6)]):
        one = model.evaluate({"CQ_scale": s, "f_Q": f}, ("2LS", "NEQM"))
        assert_allclose(many[w], one, rtol=1e-13)
    assert model.prepare_sampling({"CQ_scale": (1.0, 2.0)}, v) == 0.0


def test_depth_table_against_the_ensemble(model):
    # the smoothed table at its nodes against etm.neqm.relative_amplitude of the same glass at
    # 2048 Sobol points (another seed): within 0.006, the measured 0.0037 (BAS, 61 fields) plus
    # the 2048-point reference's own ~0.002 sampling error (docs/neqm.md, "Model comparison")
    row = neqm_row("BAS sample 1")
    tab = model.table
    assert tab.smoothing < 0.006
    for j in (8, 16, 24):
        s = 10.0 ** tab.x_nodes[j]
        nuc = tuple(
            type(n)(n.label, n.I, n.gamma_Hz_per_T, n.fraction, n.CQ_Hz * s, n.CQ_sigma, n.eta_max)
            for n in row.params.nuclei
        )
        p = type(row.params)(nuc, row.params.omega1_per_s)
        ref = ensemble.relative_amplitude(row.T_K, B, p, row.pulses, n_samples=2048, seed=1)
        got = model.evaluate({"CQ_scale": s, "f_Q": p.f_Q}, ("2LS", "NEQM"))
        assert np.max(np.abs(got - ref)) < 0.006, (j, np.max(np.abs(got - ref)))


def test_both_contains_each_model(neqm_curve):
    c = neqm_curve
    both = BothCurve(c.x_name, c.x, c.metadata, "isotropic", "c.csv")
    etm_model = EchoCurve(c.x_name, c.x, c.metadata, "isotropic", "c.csv")
    neqm = both.neqm
    row = fitting.echo.materials.echo_row("BAS sample 1").params
    v = {n: getattr(row, n) for n in fitting.echo.EP_NAMES}
    v.update(c_2LS_per_sK=0.0, Gamma_2LS_per_sK3=0.0, CQ_scale=1.2, f_Q=0.15)
    comps = ("ATS", "2LS", "NEQM")
    # f_Q = 0: exactly the echo observable's model with the same 2LS echo
    for a in (0.5, 3.0):
        w = {**v, "A_2LS_per_a0": a}
        ref = etm_model.evaluate(w, ("ATS", "2LS"))
        assert_allclose(both.evaluate({**w, "f_Q": 0.0}, comps), ref, rtol=1e-12)
        parts = both.parts(w, comps)
        assert_allclose(sum(parts.values()), both.evaluate(w, comps), rtol=1e-12)
    # the ends of the weight's range: the ETM alone (2LS < 1e-5 of the ATS echo at B_high,
    # a(B_high)/a_0 ~ 1e-3) and the NEQM alone (ATS < 1e-4 of the 2LS echo)
    lo = both.evaluate({**v, "A_2LS_per_a0": 1e-8}, comps)
    assert_allclose(lo, etm_model.evaluate({**v, "A_2LS_per_a0": 0.0}, ("ATS", "2LS")), atol=1e-4)
    hi = both.evaluate({**v, "A_2LS_per_a0": 1e4}, comps)
    assert_allclose(hi, neqm.evaluate(v, ("2LS", "NEQM")), atol=1e-3)


def test_neqm_fit_recovers_the_truth(neqm_curve):
    res = fitting.fit([neqm_curve], "echo_neqm")
    assert res.success and res.nvarys == 2
    # within 3 sigma of the truth: the data's ensemble (2048 points, seed 1) differs from the
    # model's (256, seed 0) by ~0.004, inside the noise 0.005
    assert abs(res.value("f_Q") - 0.12) < 3 * res.stderr("f_Q")
    assert abs(np.log(res.value("CQ_scale") / 1.5)) < 3 * res.stderr("CQ_scale") / 1.5
    assert any("neqm_row('BAS sample 1')" in n for n in res.notes)


def test_neqm_params_refusals():
    pulses = neqm_row("BAS").pulses
    with pytest.raises(ValueError, match=r"c.csv: the NEQM model needs the glass"):
        neqm_params({}, pulses, "c.csv")
    with pytest.raises(ValueError, match=r"c.csv: unknown NEQM row"):
        neqm_params({"glass": "window glass"}, pulses, "c.csv")
    with pytest.raises(ValueError, match="neqm_samples"):
        NEQMCurve("B_T", B, {"glass": "BAS", "T_K": 0.012, "f_Hz": 1e9, "tau1_s": 1e-7,
                              "tau2_s": 2e-7, "tau12_s": 2e-6, "neqm_samples": 100},
                  "isotropic", "c.csv")  # fmt: skip
    p = neqm_params({"glass": "BK7", "neqm_glass": "Suprasil I"}, pulses, "c.csv")
    assert p.f_Q < 1e-3  # neqm_glass (--material) wins over the file's glass
