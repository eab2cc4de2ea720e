"""MCMC done properly (issue 9): walkers from the least-squares covariance, run to 50 tau or a
cap (and say which), seeded, a process pool giving the serial chain, the Cp surrogate checked
against the exact integral, and the posterior against the synthetic truth."""

from pathlib import Path

import numpy as np
import pytest

from etm import fit as fitting
from etm import materials
from etm.fit import mcmc

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
    best = small.values(0)
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
    # physical quantiles of a log10 parameter are 10**(fit-space quantiles)
    np.testing.assert_allclose(m.phys_quantiles[1, 0], 10 ** m.quantiles[1, 0], rtol=1e-12)
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
def test_bas_three_curves_truth_within_posterior():
    curves = fitting.read_curves(sorted(EXAMPLES.glob("cp_BAS_*.csv")))
    r = fitting.fit(curves, material="BAS")
    m = fitting.run_mcmc(r, steps=4000, seed=0).mcmc
    truth = {  # the examples' headers: Tables 1-2 of the essay
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
    }
    inside = 0
    for j, key in enumerate(zip(m.names, m.curves, strict=True)):
        if key not in truth:
            continue
        lo, med, hi = m.phys_quantiles[:, j]
        assert abs(truth[key] - med) < 3 * m.phys_sd[j], key
        inside += lo <= truth[key] <= hi
    # 10 tunneling parameters: 68 % gives 6.8 inside on average (binomial sd 1.5)
    assert 3 <= inside <= 10
