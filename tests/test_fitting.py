"""Fitting: recovery of known parameters, honest error bars, global vs separate fits, ETM vs STM."""

import math
import time

import numpy as np
import pytest
from numpy.testing import assert_allclose

from etm import fit as fitting
from etm import materials
from etm.fit import fit

B = np.linspace(0.0, 8.0, 41)
# illustrative backgrounds (the essay gives none): C_2LS = 2 uJ/(g K^2) T, beta = 0.5 uJ/(g K^4)
BG = dict(nP2LS_per_g_per_K=8.8e16, beta_J_per_gK4=5e-7)
# 0.3 % noise keeps the problem in the linear regime where covariance errors are meaningful; at
# 1 % the per-temperature Dmin_K and the Fe2+/Fe3+ split become non-Gaussian (docs/fitting.md)
NOISE = 0.003


def curves(name="BAS", seed=7, noise=NOISE):
    pre = materials.get(name)
    return [
        fitting.synthetic_cp_curve(pre, T, B, rel_noise=noise, seed=seed + i, **BG)
        for i, T in enumerate(pre.temperatures_K)
    ]


def truth(name="BAS"):
    pre = materials.get(name)
    out = {
        ("nP_per_g", None): pre.nP_per_g,
        ("n_Fe2_per_g", None): pre.n_Fe2_per_g,
        ("n_Fe3_per_g", None): pre.n_Fe3_per_g,
        ("nP2LS_per_g_per_K", None): BG["nP2LS_per_g_per_K"],
        ("beta_J_per_gK4", None): BG["beta_J_per_gK4"],
    }
    for i, (_, Dmin, X0min, X0max) in enumerate(pre.rows):
        out.update({("Dmin_K", i): Dmin, ("X0min_KA2", i): X0min, ("X0max_KA2", i): X0max})
    return out


@pytest.fixture(scope="module")
def bas_global():
    return fit(curves(), material="BAS")


def test_global_fit_recovers_every_parameter_within_3_sigma(bas_global):
    r = bas_global
    assert r.success and r.weighted and not r.notes
    # chi^2 of a correct model with correct sigmas: N - k = 109 +- sqrt(2*109) ~ 15
    assert abs(r.chisqr - (r.ndata - r.nvarys)) < 3 * math.sqrt(2 * (r.ndata - r.nvarys))
    for (name, curve), value in truth().items():
        e = r.estimate(name, curve)
        assert e.vary and e.stderr > 0 and e.curve == curve
        assert abs(e.value - value) < 3 * e.stderr, (name, curve, e.value, value, e.stderr)
    assert r.nvarys == 14 and len(r.estimates) == 14


def test_recovery_starts_from_a_generic_guess_too():
    # no material: start from typical cutoffs, amplitudes by non-negative least squares
    r = fit(curves("Duran", seed=3), material=None)
    for (name, curve), value in truth("Duran").items():
        e = r.estimate(name, curve)
        assert abs(e.value - value) < 3 * e.stderr, (name, curve, e.value, value, e.stderr)


@pytest.mark.slow
def test_reported_sigma_matches_scatter_over_seeds():
    # 20 noise realisations (~10 s); the sample std of 20 values is itself uncertain by ~16 %,
    # so a factor-2 window tests the covariance errors, not the luck of the seeds
    vals, errs = {}, {}
    for seed in range(20):
        r = fit(curves(seed=100 * seed), material="BAS")
        for e in r.estimates:
            vals.setdefault((e.name, e.curve), []).append(e.value)
            errs.setdefault((e.name, e.curve), []).append(e.stderr)
    ratios = {k: np.mean(errs[k]) / np.std(vals[k], ddof=1) for k in vals}
    for k, ratio in ratios.items():
        assert 0.5 < ratio < 2.0, (k, ratio)
    # and the estimates are unbiased to within their scatter (the 0.3 sigma allows for the small
    # bias of a non-linear least-squares estimator)
    for k, v in vals.items():
        assert abs(np.mean(v) - truth()[k]) < 3 * np.std(v, ddof=1) / math.sqrt(
            len(v)
        ) + 0.3 * np.std(v, ddof=1), k


def test_global_fit_beats_separate_fits(bas_global):
    # Tables 1-4 share the concentrations across temperatures: one global fit uses all three
    # curves for them, each separate fit only one (with its own background offset)
    separate = [fit([c], material="BAS") for c in curves()]
    for s in separate:
        assert any("beta_J_per_gK4 fixed at 0" in n for n in s.notes)
    for name in ("nP_per_g", "n_Fe2_per_g", "n_Fe3_per_g"):
        g = bas_global.stderr(name)
        sep = [s.stderr(name) for s in separate]
        assert g < min(sep), (name, g, sep)


def test_etm_beats_stm_only_in_aic(bas_global):
    cmp = fitting.compare_stm(curves(), material="BAS", etm=bas_global)
    assert cmp.preferred == "ETM" and cmp.delta_aic > 10 and cmp.delta_bic > 10
    assert "ATS" not in cmp.stm.components
    assert not any(e.name in ("nP_per_g", "Dmin_K") for e in cmp.stm.estimates)
    assert cmp.stm.redchi > 10 * cmp.etm.redchi


def test_fix_share_per_curve_free():
    cs = curves()
    r = fit(
        cs,
        material="BAS",
        fix={"n_Fe3_per_g": 5e16, "Dmin_K": 0.5},
        share=["X0max_KA2"],
        per_curve=["nP_per_g"],
    )
    assert not r.estimate("n_Fe3_per_g").vary and r.value("n_Fe3_per_g") == pytest.approx(5e16)
    assert all(not r.estimate("Dmin_K", i).vary for i in range(3))
    assert r.estimate("X0max_KA2", 0).curve is None  # shared
    assert [r.estimate("nP_per_g", i).curve for i in range(3)] == [0, 1, 2]
    one = fit([cs[0]], material="BAS", free=["beta_J_per_gK4"], fix={"n_Fe3_per_g": 5e16})
    assert one.estimate("beta_J_per_gK4").vary


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(fix={"nP": 1.0}), "unknown parameter 'nP' for observable 'cp'; known: Dmin_K"),
        (
            dict(fix={"nP_per_g": -1.0}),
            r"fixed value of nP_per_g: nP_per_g must be in \[1e\+12, "
            r"1e\+20\] 1/g, got -1.0",
        ),
        (dict(share=["Dmin_K"], per_curve=["Dmin_K"]), "both shared and per curve: Dmin_K"),
        (dict(components=("ATS", "magnons")), "components must be a non-empty subset of ATS"),
        (dict(orientation="random"), "orientation must be one of"),
    ],
)
def test_bad_options_are_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        fit(curves()[:1], **kwargs)
    with pytest.raises(ValueError, match="observable must be one of Qi, cp"):
        fit(curves()[:1], observable="viscosity")


def test_too_few_points_is_caught_before_any_model_evaluation():
    pre = materials.get("BAS")
    short = fitting.synthetic_cp_curve(pre, 0.6, [0.0, 1.0, 2.0, 4.0, 8.0], source="short.csv")
    t = time.perf_counter()
    with pytest.raises(
        ValueError,
        match=r"short.csv: 5 data points in all, but 7 free parameters;"
        r" need at least 8 points",
    ):
        fit([short])
    # per curve: three per-curve cutoffs need four points even when the total suffices
    tiny = fitting.synthetic_cp_curve(pre, 0.9, [0.0, 1.0, 2.0], source="tiny.csv")
    with pytest.raises(ValueError, match=r"tiny.csv: 3 data points, but 3 free per-curve"):
        fit([curves()[0], tiny], material="BAS")
    assert time.perf_counter() - t < 2.0


def test_missing_temperature_metadata_names_the_file():
    from dataclasses import replace
    from types import MappingProxyType

    c = replace(curves()[0], metadata=MappingProxyType({}))
    with pytest.raises(ValueError, match=r"synthetic.csv: metadata 'T_K' missing"):
        fit([c])


def test_unweighted_fit_scales_errors_by_reduced_chi2():
    c = curves()[0]
    from dataclasses import replace

    u = replace(c, sigma=None)
    r = fit([u], material="BAS", fix={"n_Fe3_per_g": 5e16})
    w = fit([c], material="BAS", fix={"n_Fe3_per_g": 5e16})
    assert not r.weighted and r.success and r.sigma_estimated == (True,)
    # the same optimum; errors from the scatter instead of the given sigmas: comparable size
    assert_allclose(r.value("nP_per_g"), w.value("nP_per_g"), rtol=0.05)
    assert 0.3 < r.stderr("nP_per_g") / w.stderr("nP_per_g") < 3.0
    # the noise estimate: the residual scatter with N - k degrees of freedom (reduced chi^2 = 1)
    # against the true noise 0.3 % of C (here ~1e-8): within 30 % for 41 points
    assert_allclose(r.redchi, 1.0, rtol=1e-6)
    assert_allclose(r.sigmas[0][0], np.median(c.sigma), rtol=0.3)
    assert any("no sigma column" in n for n in r.notes)


def test_model_and_cache(bas_global):
    r = bas_global
    # the model at the data's x reproduces data - residual*sigma
    c = r.curves[1]
    assert_allclose(r.model(1), c.y - r.residuals[1] * c.sigma, rtol=1e-12, atol=0)
    parts = r.model_parts(1, [0.0, 4.0])
    assert set(parts) == {"ATS", "2LS", "phonon", "Fe2+", "Fe3+"}
    # linear amplitudes are cached out: far fewer ATS integrals than function evaluations
    prob = r.problem
    assert sum(m.n_ats_evals for m in prob.models) < r.nfev
    m = prob.models[0]
    assert_allclose(m.ats_unit(0.5, 5e4, 3e5), m.ats_unit(0.5, 3e5, 5e4))  # symmetric
    assert np.all(m.ats_unit(0.5, 5e4, 5e4) == 0.0)  # ln(X0max/X0min) = 0
    names, corr = r.correlations()
    assert corr.shape == (14, 14) and np.allclose(np.diag(corr), 1.0)


def test_mcmc_runs_is_seeded_and_agrees_with_covariance():
    # a short curve and three free parameters keep the chain cheap (~2.5 ms per evaluation)
    pre = materials.get("BAS")
    c = fitting.synthetic_cp_curve(pre, 0.9, np.linspace(0, 8, 21), rel_noise=NOISE, seed=5, **BG)
    fixed = {
        "n_Fe3_per_g": 5e16,
        "n_Fe2_per_g": 1.06e17,
        "nP2LS_per_g_per_K": 8.8e16,
        "Dmin_K": 0.53,
    }
    r = fit([c], material="BAS", fix=fixed)
    a = fitting.run_mcmc(r, steps=100, nwalkers=10, seed=3, burn=25, thin=1)
    b = fitting.run_mcmc(r, steps=100, nwalkers=10, seed=3, burn=25, thin=1)
    m = a.mcmc
    assert np.array_equal(m.flatchain, b.mcmc.flatchain)  # seeded
    assert m.flatchain.shape == ((100 - 25) * 10, 3)
    assert m.stop_reason.startswith("NOT converged: step cap 100 reached")
    assert m.var_names == tuple(r.lmfit_result.var_names)
    assert 0.1 < m.acceptance_fraction < 0.9
    assert not m.converged  # 100 steps are far fewer than 50 autocorrelation times: reported
    # posterior width vs covariance error of log10 X0min: same order (a short chain)
    j = m.var_names.index("log10_X0min_KA2_0")
    mc_sigma = 0.5 * (m.quantiles[2, j] - m.quantiles[0, j])
    ls_sigma = r.lmfit_result.params["log10_X0min_KA2_0"].stderr
    assert 0.3 < mc_sigma / ls_sigma < 3.0
    assert a.estimates == r.estimates  # least-squares estimates kept


def test_observable_registry_is_open():
    # a toy linear observable C(T) = a T, to show how eps and echo models plug in
    from etm.fit import Observable, ParamSpec

    class Line:
        def __init__(self, x_name, x, metadata, orientation, where):
            self.T = np.asarray(x)

        def parts(self, v, components):
            return {"line": v["a_J_per_gK2"] * self.T}

        def evaluate(self, v, components):
            return self.parts(v, components)["line"]

    obs = Observable(
        name="toy",
        x_quantities=("T",),
        y_quantity="C",
        y_label="C",
        y_unit="J/(g K)",
        params=(
            ParamSpec(
                name="a_J_per_gK2",
                unit="J/(g K^2)",
                component="line",
                log10=True,
                bounds=(1e-12, 1.0),
                description="slope",
            ),
        ),
        components=("line",),
        prepare=Line,
        guess_shape=lambda meta, material: {},
    )
    fitting.register_observable(obs)
    try:
        from etm.fit import MeasuredCurve

        T = np.linspace(0.1, 1.0, 10)
        c = MeasuredCurve(
            T,
            3e-6 * T,
            1e-8 * np.ones(10),
            "T_K",
            "C_J_per_gK",
            (),
            {},
            (),
            __import__("pathlib").Path("toy.csv"),
            "",
        )
        r = fit([c], observable="toy")
        assert_allclose(r.value("a_J_per_gK2"), 3e-6, rtol=1e-6)
    finally:
        del fitting.OBSERVABLES["toy"]
