"""The MCMC's model surrogates (issue 9): the tensor Chebyshev interpolant against analytic
functions, the echo model's surrogate against the exact model, and the importance correction
that makes a chain on an imperfect surrogate sample the exact posterior."""

from pathlib import Path

import numpy as np
import pytest

from etm import fit as fitting
from etm.fit import MeasuredCurve, Observable, ParamSpec
from etm.fit.surrogate import Chebyshev

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_chebyshev_interpolant_converges_spectrally_on_analytic_functions():
    def f(q):
        return np.array([np.exp(q[0]) * np.sin(2 * q[1]) + q[2] ** 3, np.cos(q[0] * q[2])])

    lo, hi = np.array([0.0, -1.0, 0.5]), np.array([1.0, 1.0, 2.0])
    rng = np.random.default_rng(0)
    q = lo + (hi - lo) * rng.random((200, 3))
    exact = np.array([f(p) for p in q])
    errs = []
    for n in (4, 8, 14, 20):
        inside, val = Chebyshev(f, lo, hi, (n, n, n))(q)
        assert np.all(inside)
        errs.append(np.max(np.abs(val - exact)))
    # entire functions: the error falls geometrically with the nodes (measured 5.4e-2, 2.3e-5,
    # 5.8e-12, 8.9e-15): each step gains > 1e3 until rounding (~1e-14 for values of ~10)
    assert errs[0] > 1e3 * errs[1] and errs[1] > 1e6 * errs[2] and errs[3] < 1e-13


def test_chebyshev_constant_coordinates_and_bounds():
    s = Chebyshev(lambda q: np.array([q[0] ** 2 + q[1]]), [0.0, 3.0], [2.0, 3.0], (6, 6))
    assert s.deg == [6, 1]  # the fixed coordinate gets one node
    inside, v = s(np.array([[1.5, 3.0], [2.5, 3.0]]))
    assert inside.tolist() == [True, False]
    assert abs(v[0, 0] - 5.25) < 1e-12  # a quadratic is exact with 6 nodes
    with pytest.raises(ValueError, match="at most 3 coordinates"):
        Chebyshev(lambda q: q, np.zeros(4), np.ones(4), (2, 2, 2, 2))


@pytest.fixture(scope="module")
def echo_fit():
    c = fitting.read_curves([EXAMPLES / "echo_BAS_sample2.csv"], observable="echo")
    return fitting.fit_echo(c, material="BAS sample 2")


def test_echo_surrogate_against_the_exact_model(echo_fit):
    r = echo_fit
    m, best = r.problem.models[0], r.values[0]
    box = {k: (v, v) for k, v in best.items()}
    box |= {"Dmin_K": (0.025, 0.029), "X0min_KA2": (800.0, 1500.0), "X0max_KA2": (8000.0, 1e4)}
    m.SURROGATE_NODES = 5  # 125 exact curves (~4 s) instead of the default 10^3
    err = m.prepare_sampling(box, best)
    rng = np.random.default_rng(2)
    W = 6
    v = {k: np.full(W, x) for k, x in best.items()}
    v["Dmin_K"] = rng.uniform(0.025, 0.029, W)
    v["X0min_KA2"] = 10 ** rng.uniform(np.log10(800), np.log10(1500), W)
    v["X0max_KA2"] = 10 ** rng.uniform(np.log10(8000), 4, W)
    many = m.evaluate_many(v, r.components)
    exact = np.array(
        [m.evaluate({k: float(x[w]) for k, x in v.items()}, r.components) for w in range(W)]
    )
    # an independent check of the surrogate's own error estimate: same order (16 vs 6 points)
    assert np.max(np.abs(many - exact)) < 3 * err
    assert err / r.curves[0].sigma.min() < 0.1  # even at 5 nodes: a correctable surrogate
    v["Dmin_K"][0] = 0.03  # outside the box: the exact model
    out = m.evaluate_many(v, r.components)
    np.testing.assert_array_equal(
        out[0], m.evaluate({k: float(x[0]) for k, x in v.items()}, r.components)
    )
    assert m.prepare_sampling(None, None) is None


class _Biased:
    """A toy y = a x whose 'surrogate' is deliberately off by (a + delta) x: an MCMC on it is
    biased by delta unless the importance correction removes it."""

    delta = 0.0

    def __init__(self, x_name, x, metadata, orientation, where):
        self.x = self.T = np.asarray(x, dtype=float)

    def parts(self, v, components):
        return {"line": v["a_per_K"] * self.x}

    def evaluate(self, v, components):
        return self.parts(v, components)["line"]

    def prepare_sampling(self, box, best):
        return None if box is None else float(abs(self.delta) * np.max(self.x))

    def evaluate_many(self, v, components):
        return (np.asarray(v["a_per_K"])[:, None] + self.delta) * self.x[None, :]


def test_importance_correction_recovers_the_exact_posterior():
    obs = Observable(
        name="toy_biased",
        x_quantities=("T",),
        y_quantity="C",
        y_label="C",
        y_unit="J/(g K)",
        params=(
            ParamSpec(
                name="a_per_K",
                unit="1/K",
                component="line",
                bounds=(-10.0, 10.0),
                description="slope",
            ),
        ),
        components=("line",),
        prepare=_Biased,
        guess_shape=lambda meta, material: {"a_per_K": 1.0},
    )
    fitting.register_observable(obs)
    try:
        x = np.ones(400)
        y = 2.0 + 0.01 * np.random.default_rng(1).standard_normal(400)
        c = MeasuredCurve(x, y, np.full(400, 0.01), "T_K", "C_J_per_gK", (), {}, (),
                          Path("toy.csv"), "")  # fmt: skip
        r = fitting.fit([c], observable="toy_biased")
        # exact posterior of a (flat prior, Gaussian likelihood): N(mean(y), 0.01 / 20)
        mean, sd = float(np.mean(y)), 0.01 / 20
        _Biased.delta = sd  # 1 posterior sd of bias, 0.05 sigma per point: a corrected surrogate
        m = fitting.run_mcmc(r, steps=3000, nwalkers=16, seed=0).mcmc
        assert "importance weights" in m.surrogate
        a = m.flatchain[:, 0]
        # importance-corrected: mean within 4 Monte Carlo errors (2000 resampled, weights' ESS
        # exp(-(delta/sd)^2) = 37 %: se ~ sd / 27), width within 10 %; uncorrected it would
        # sit 1 sd low
        assert abs(a.mean() - mean) < 4 * sd / np.sqrt(0.3 * a.size)
        assert abs(a.std() / sd - 1) < 0.1
        # the exact chi^2 of the resampled points
        res = (y[None, :] - a[:, None]) / 0.01
        np.testing.assert_allclose(m.lnprob, -0.5 * np.sum(res**2, axis=1), rtol=1e-10)
    finally:
        _Biased.delta = 0.0
        del fitting.OBSERVABLES["toy_biased"]
