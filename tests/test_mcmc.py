"""MCMC done properly (issue 9): walkers from the least-squares covariance, run to 50 tau or a
cap (and say which), seeded, a process pool giving the serial chain, the Cp surrogate checked
against the exact integral, and the posterior against the synthetic truth."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from etm import fit as fitting
from etm import materials
from etm.fit import mcmc
from etm.fit.posterior import Posterior

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FIXED = {"n_Fe3_per_g": 5e16, "n_Fe2_per_g": 1.06e17, "nP2LS_per_g_per_K": 8.8e16, "Dmin_K": 0.53}


@pytest.fixture(scope="module")
def small():
    # one 21-point curve, three free parameters: a cheap posterior (~2.5 ms per exact model)
    c = fitting.synthetic_cp_curve(
        materials.get("BAS"),
        0.9,
        np.linspace(0, 8, 21),
        rel_noise=0.005,
        seed=5,
        nP2LS_per_g_per_K=8.8e16,
        beta_J_per_gK4=5e-7,
    )
    return fitting.fit([c], material="BAS", fix=FIXED)


def test_walkers_start_from_the_covariance():
    rng = np.random.default_rng(0)
    cov = np.array([[1.0, 0.9], [0.9, 1.0]]) * 1e-4
    p0 = mcmc._initial(rng, np.zeros(2), cov, np.full(2, 1e-2), np.full(2, -1), np.full(2, 1), 4000)
    # 4000 draws: the sample covariance within ~5 % (sd of a variance estimate sqrt(2/n) = 2 %)
    np.testing.assert_allclose(np.cov(p0.T), cov, rtol=0.06, atol=2e-6)


def test_same_seed_same_chain_and_pool_equals_serial(small):
    kw = dict(steps=40, nwalkers=8, seed=7, burn=10, thin=1, surrogate=False)
    a = fitting.run_mcmc(small, **kw).mcmc
    b = fitting.run_mcmc(small, **kw).mcmc
    assert np.array_equal(a.flatchain, b.flatchain)
    c = fitting.run_mcmc(small, processes=2, **kw).mcmc  # 2 forked processes, exact model
    assert np.array_equal(a.flatchain, c.flatchain)
    assert np.array_equal(a.lnprob, c.lnprob)
    d = fitting.run_mcmc(small, **{**kw, "seed": 8}).mcmc
    assert not np.array_equal(a.flatchain, d.flatchain)


def test_surrogate_matches_the_exact_model(small):
    m = small.problem.models[0]
    best = small.values[0]
    box = {"Dmin_K": (0.4, 0.7), "X0min_KA2": (3e4, 8e4), "X0max_KA2": (2e5, 4e5)}
    box.update({k: (v, v) for k, v in best.items() if k not in box})
    err = m.prepare_sampling(box, best)
    rng = np.random.default_rng(1)
    W = 12
    v = {k: np.full(W, x) for k, x in best.items()}
    v["Dmin_K"] = rng.uniform(0.4, 0.7, W)
    v["X0min_KA2"] = 10 ** rng.uniform(np.log10(3e4), np.log10(8e4), W)
    v["X0max_KA2"] = 10 ** rng.uniform(np.log10(2e5), np.log10(4e5), W)
    many = m.evaluate_many(v, small.components)
    exact = np.array(
        [m.evaluate({k: float(x[w]) for k, x in v.items()}, small.components) for w in range(W)]
    )
    sigma = small.curves[0].sigma
    # the surrogate's own check and an independent one: both far below the data's sigma
    assert err / sigma.min() < 1e-3
    assert np.max(np.abs(many - exact) / sigma) < 1e-3
    # outside the box: the exact model
    v["Dmin_K"][0] = 0.9
    out = m.evaluate_many(v, small.components)
    np.testing.assert_array_equal(
        out[0], m.evaluate({k: float(x[0]) for k, x in v.items()}, small.components)
    )
    m.prepare_sampling(None, None)


def test_short_chain_says_not_converged_and_summaries(small):
    r = fitting.run_mcmc(small, steps=60, nwalkers=8, seed=1)
    m = r.mcmc
    assert not m.converged and m.stop_reason.startswith("NOT converged: step cap 60 reached")
    assert m.names == ("X0min_KA2", "X0max_KA2", "nP_per_g")
    assert m.phys_quantiles.shape == (3, 3) and np.all(m.phys_quantiles[0] <= m.phys_quantiles[2])
    # physical quantiles of a log10 parameter are 10**(fit-space quantiles), up to the linear
    # interpolation between two neighbouring samples (not commuting with 10**x): ~1e-12 here
    np.testing.assert_allclose(m.phys_quantiles[1, 0], 10 ** m.quantiles[1, 0], rtol=1e-8)
    assert m.n_eff.shape == (3,) and 0 < m.acceptance_fraction < 1


def test_converges_on_an_easy_posterior(small):
    r = fitting.run_mcmc(small, steps=6000, nwalkers=12, seed=2, check_every=200)
    m = r.mcmc
    assert m.converged and m.stop_reason.startswith("converged")
    assert m.steps > 50 * np.max(m.autocorr_time)
    # near-Gaussian posterior: widths within 1.5x of the least-squares errors
    for j, n in enumerate(m.var_names):
        ls = r.lmfit_result.params[n].stderr
        sd = 0.5 * (m.quantiles[2, j] - m.quantiles[0, j])
        assert 1 / 1.5 < sd / ls < 1.5, n


@pytest.mark.slow
def test_bas_three_curves_converge_and_cover_the_truth():
    # issue 9's "done when": the seeded MCMC of the three BAS Cp examples converges (> 50 tau),
    # every truth lies within 3 posterior sd of the median, the count inside 16-84 % is
    # consistent with 68 %, and the widths are within 1.5x of the least-squares errors
    from scipy.stats import binom

    curves = fitting.read_curves(sorted(EXAMPLES.glob("cp_BAS_*.csv")))
    r = fitting.fit(curves, material="BAS")
    m = fitting.run_mcmc(r, steps=20000, seed=0).mcmc
    assert m.converged and m.steps > 50 * np.max(m.autocorr_time)
    truth = {  # the examples' headers: Tables 1-2 of the essay and the stated backgrounds
        ("Dmin_K", 0): 0.49,
        ("Dmin_K", 1): 0.53,
        ("Dmin_K", 2): 0.55,
        ("X0min_KA2", 0): 4.77e4,
        ("X0min_KA2", 1): 5.07e4,
        ("X0min_KA2", 2): 5.95e4,
        ("X0max_KA2", 0): 3.09e5,
        ("X0max_KA2", 1): 2.90e5,
        ("X0max_KA2", 2): 2.61e5,
        ("nP_per_g", None): 5.19e16,
        ("n_Fe2_per_g", None): 1.06e17,
        ("n_Fe3_per_g", None): 5e16,
        ("nP2LS_per_g_per_K", None): 8.8e16,
        ("beta_J_per_gK4", None): 5e-7,
    }
    inside = 0
    for j, key in enumerate(zip(m.names, m.curves, strict=True)):
        lo, med, hi = m.phys_quantiles[:, j]
        assert abs(truth[key] - med) < 3 * m.phys_sd[j], key
        inside += lo <= truth[key] <= hi
        ratio = m.phys_sd[j] / r.estimate(*key).stderr
        assert 1 / 1.5 < ratio < 1.5, key
    # 14 parameters, each inside with p = 0.68 if the posterior is calibrated: the count's
    # central 99 % (binomial; the parameters' errors are correlated, so this is generous)
    lo_k, hi_k = binom.ppf(0.005, 14, 0.68), binom.ppf(0.995, 14, 0.68)
    assert lo_k <= inside <= hi_k, (inside, lo_k, hi_k)


def test_marginalized_amplitudes_match_a_brute_force_grid():
    # Dmin sampled by emcee; nP and n_Fe3 marginalized analytically, n_Fe3 (truth 1e14, least
    # squares 3.4e15 +- 2.8e15) 1.2 sigma above its lower bound, so the truncation term and
    # the truncated draws are exercised. Reference: the posterior on a direct (Dmin, nP, n_Fe3)
    # grid of exp(-chi^2/2) from the exact model, uniform priors in the values (no surrogate,
    # no Gaussian algebra, no truncation formula).
    g = replace(materials.get("BAS"), n_Fe3_per_g=1e14)
    c = fitting.synthetic_cp_curve(
        g,
        0.9,
        np.linspace(0, 8, 21),
        rel_noise=0.005,
        seed=5,
        **{"nP2LS_per_g_per_K": 8.8e16, "beta_J_per_gK4": 5e-7},
    )
    fix = {"X0min_KA2": 5.07e4, "X0max_KA2": 2.9e5, "n_Fe2_per_g": 1.06e17}
    fix |= {"nP2LS_per_g_per_K": 8.8e16, "beta_J_per_gK4": 5e-7}
    r = fitting.fit([c], material="BAS", fix=fix)
    post = Posterior(
        r.problem, r.lmfit_result.params, list(r.lmfit_result.var_names), marginalize=True
    )
    assert [post.names[j] for j in post.amp] == ["log10_nP_per_g", "log10_n_Fe3_per_g"]
    m = fitting.run_mcmc(r, steps=20000, seed=4).mcmc
    assert m.converged
    model, comps = r.problem.models[0], r.components
    est = {e.name: e for e in r.estimates}
    D = np.linspace(-6, 6, 31) * est["Dmin_K"].stderr + est["Dmin_K"].value
    nP = np.linspace(-6, 6, 41) * est["nP_per_g"].stderr + est["nP_per_g"].value
    fe3 = np.linspace(1e12, est["n_Fe3_per_g"].value + 7 * est["n_Fe3_per_g"].stderr, 61)
    base = r.values[0]
    chi2 = np.empty((D.size, nP.size, fe3.size))
    for a, d in enumerate(D):
        for b, n in enumerate(nP):
            for k, f in enumerate(fe3):
                v = base | {"Dmin_K": d, "nP_per_g": n, "n_Fe3_per_g": f}
                res = (c.y - model.evaluate(v, comps)) / c.sigma
                chi2[a, b, k] = res @ res
    w = np.exp(-0.5 * (chi2 - chi2.min()))
    w /= w.sum()
    grids = np.meshgrid(D, nP, fe3, indexing="ij")
    for name, x in zip(("Dmin_K", "nP_per_g", "n_Fe3_per_g"), grids, strict=True):
        mean = float(np.sum(w * x))
        sd = float(np.sqrt(np.sum(w * (x - mean) ** 2)))
        j = m.names.index(name)
        samples = (
            10 ** m.flatchain[:, j] if m.var_names[j].startswith("log10_") else m.flatchain[:, j]
        )
        # Monte Carlo error of the mean sd / sqrt(n_eff) (n_eff ~ 5000: 1.4 % of sd); the grid's
        # own error is far smaller (6-7 sigma range, smooth integrand): 5 standard errors
        se = sd / np.sqrt(np.min(m.n_eff))
        assert abs(samples.mean() - mean) < 5 * se, name
        # the sd of n_eff samples scatters by ~1/sqrt(2 n_eff) = 1 %; 6 % bound
        assert abs(samples.std() / sd - 1) < 0.06, name
    # the truncation matters here: the grid's n_Fe3 posterior is not the least-squares Gaussian
    assert np.sum(w * grids[2]) > 1.05 * est["n_Fe3_per_g"].value


def test_marginalization_rules_and_switch(small):
    # small: X0min, X0max, nP free; nP (far from its bounds) marginalized, the cutoffs sampled
    names = list(small.lmfit_result.var_names)
    post = Posterior(small.problem, small.lmfit_result.params, names, marginalize=True)
    assert [names[j] for j in post.amp] == ["log10_nP_per_g"]
    assert [names[j] for j in post.free] == ["log10_X0min_KA2_0", "log10_X0max_KA2_0"]
    off = Posterior(small.problem, small.lmfit_result.params, names, marginalize=False)
    assert off.amp.size == 0 and off.free.size == 3
    m = fitting.run_mcmc(small, steps=40, nwalkers=8, seed=1, marginalize=False).mcmc
    assert m.marginalized.startswith("none")
    m = fitting.run_mcmc(small, steps=40, nwalkers=8, seed=1).mcmc
    assert m.marginalized.startswith("log10_nP_per_g marginalized")
    # every kept sample carries a drawn amplitude inside the bounds, and its ln-likelihood
    assert m.flatchain.shape[1] == 3 and np.all(np.isfinite(m.lnprob))
    assert np.unique(m.flatchain[:, 2]).size == m.flatchain.shape[0]


class _Quadratic:
    """y = a + b x + c x^2, cheap; no linear part declared, so emcee samples all three."""

    def __init__(self, x_name, x, metadata, orientation, where):
        self.x = self.T = np.asarray(x, dtype=float)

    def parts(self, v, components):
        return {"q": v["a_per_K"] + v["b_per_K"] * self.x + v["c_per_K"] * self.x**2}

    def evaluate(self, v, components):
        return self.parts(v, components)["q"]


@pytest.fixture
def quadratic():
    spec = lambda n, lo: fitting.ParamSpec(  # noqa: E731
        name=n, unit="1/K", component="q", bounds=(lo, 10.0), description="coefficient"
    )
    obs = fitting.Observable(
        name="toy_bounded",
        x_quantities=("T",),
        y_quantity="C",
        y_label="C",
        y_unit="1",
        params=(spec("a_per_K", -10.0), spec("b_per_K", 0.0), spec("c_per_K", 0.0)),
        components=("q",),
        prepare=_Quadratic,
        guess_shape=lambda meta, material: {"a_per_K": 1.0, "b_per_K": 0.1, "c_per_K": 0.1},
    )
    fitting.register_observable(obs)
    yield
    del fitting.OBSERVABLES["toy_bounded"]


def test_parameters_at_their_bounds_sampled_against_a_brute_force_grid(quadratic):
    # b and c have true value 0 at their lower bound 0 and the least-squares fit ends there: the
    # walkers must start spread over the allowed side (not piled on the bound, which emcee
    # refuses), and the chain must reproduce the truncated posterior of a direct grid
    x = np.linspace(0.1, 1.0, 30)
    sigma = 0.05
    y = 1.0 - 0.1 * x - 0.1 * x**2 + sigma * np.random.default_rng(3).standard_normal(30)
    c = fitting.MeasuredCurve(x=x, y=y, sigma=np.full(30, sigma), x_name="T_K",
                              y_name="C_J_per_gK", columns=(), metadata={}, comments=(),
                              source=Path("toy.csv"), sha256="")  # fmt: skip
    r = fitting.fit([c], "toy_bounded")
    assert {e.name for e in r.estimates if e.at_bound} == {"b_per_K", "c_per_K"}
    m = fitting.run_mcmc(r, steps=30000, seed=1, progress=False).mcmc
    assert m.converged, m.stop_reason
    assert "reflected into the bounds" in m.stop_reason
    # the grid: exp(-chi^2/2) on (a, b, c), uniform priors inside the bounds
    # the truncated posterior is narrow (b and c within ~0.03 of their bound, sd ~0.006; a
    # sd ~0.01): the grid spans > 5 sd with steps < sd/10
    a = np.linspace(0.85, 0.96, 121)
    b = np.linspace(0.0, 0.06, 121)
    cc = np.linspace(0.0, 0.06, 121)
    A, Bb, C = np.meshgrid(a, b, cc, indexing="ij")
    # chi^2 is quadratic in (a, b, c): from the design's moments, without a points axis
    X = np.column_stack([np.ones_like(x), x, x**2]) / sigma
    M, v, yy = X.T @ X, X.T @ (y / sigma), (y / sigma) @ (y / sigma)
    th = np.stack([A, Bb, C], axis=-1)
    chi2 = yy - 2 * th @ v + np.einsum("...i,ij,...j->...", th, M, th)
    w = np.exp(-0.5 * (chi2 - chi2.min()))
    w /= w.sum()
    for name, g in (("a_per_K", A), ("b_per_K", Bb), ("c_per_K", C)):
        mean = float(np.sum(w * g))
        sd = float(np.sqrt(np.sum(w * (g - mean) ** 2)))
        j = m.names.index(name)
        s = m.flatchain[:, j]
        # Monte Carlo error of the mean: sd / sqrt(n_eff); the grid's own (its step ~ sd/10
        # and range > 5 sd): far smaller. 5 standard errors; the sd within 10 %
        se = sd / np.sqrt(m.n_eff[j])
        assert abs(s.mean() - mean) < 5 * se, (name, s.mean(), mean, se)
        assert abs(s.std() / sd - 1) < 0.1, (name, s.std(), sd)
        assert s.min() >= (-10.0 if name == "a_per_K" else 0.0)


def test_a_non_identifiable_pair_stops_early_with_a_diagnosis(quadratic):
    # a, b and c of a quadratic over a narrow x range: the chain cannot reach 50 tau in a short
    # cap; it stops early and names the combination (least-squares and chain correlation)
    x = np.linspace(0.99, 1.0, 30)
    y = 1.0 + 0.3 * x + 0.3 * x**2 + 0.01 * np.random.default_rng(4).standard_normal(30)
    c = fitting.MeasuredCurve(x=x, y=y, sigma=np.full(30, 0.01), x_name="T_K",
                              y_name="C_J_per_gK", columns=(), metadata={}, comments=(),
                              source=Path("narrow.csv"), sha256="")  # fmt: skip
    r = fitting.fit([c], "toy_bounded")
    m = fitting.run_mcmc(r, steps=2000, seed=1, diagnose_after=400, progress=False).mcmc
    assert not m.converged and m.steps < 2000
    assert "stopped early after" in m.stop_reason
    assert "are not separately identifiable" in m.stop_reason
    assert "least squares r = " in m.stop_reason and "chain r = " in m.stop_reason
    assert "fix one of them (--fix)" in m.stop_reason


@pytest.mark.slow
def test_three_cp_curves_with_iron_at_zero_converge():
    # a glass without iron: least squares ends with both Fe concentrations at their lower bound
    # (emcee used to stop at once: "Initial state has a large condition number"); the MCMC
    # starts reflected into the bounds, converges, and keeps the concentrations near zero
    g = replace(materials.get("BAS"), n_Fe2_per_g=0.0, n_Fe3_per_g=0.0)
    B = np.linspace(0, 8, 41)
    bg = {"nP2LS_per_g_per_K": 8.8e16, "beta_J_per_gK4": 5e-7}
    curves = [
        fitting.synthetic_cp_curve(g, T, B, rel_noise=0.005, seed=12 + i, **bg)
        for i, T in enumerate(g.temperatures_K)
    ]
    r = fitting.fit(curves, material="BAS")
    assert all(r.estimate(n).at_bound for n in ("n_Fe2_per_g", "n_Fe3_per_g"))
    m = fitting.run_mcmc(r, seed=0, progress=False).mcmc
    assert m.converged, m.stop_reason
    for name in ("n_Fe2_per_g", "n_Fe3_per_g"):
        j = m.names.index(name)
        # BAS's own iron is 5e16-1e17 /g: a glass without it stays an order below
        assert m.phys_quantiles[2, j] < 1e16, (name, m.phys_quantiles[:, j])
    j = m.names.index("nP_per_g")
    assert abs(m.phys_quantiles[1, j] - 5.19e16) < 3 * m.phys_sd[j]
