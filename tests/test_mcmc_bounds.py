"""Posteriors that pile up at a bound (issue 18): :func:`etm.fit.chain.bound_notes` on samples of
known distributions, the weighted Chebyshev surrogate of a term falling by decades, and the
single Cp curve whose walkers run along the nP-Dmin ridge out of the first surrogate box."""

from types import SimpleNamespace

import numpy as np
import pytest
from scipy import stats

from etm import fit as fitting
from etm.fit.chain import bound_notes
from etm.fit.surrogate import Chebyshev


def _result(estimates):
    """The few fields bound_notes reads of a FitResult (estimates; no curves)."""
    return SimpleNamespace(estimates=estimates, curves=None)


def _est(name, value, stderr, at_bound=False, unit="1/g"):
    return SimpleNamespace(
        fit_name=name,
        name=name,
        value=value,
        stderr=stderr,
        at_bound=at_bound,
        unit=unit,
        curve=None,
    )


def test_truncated_normal_at_its_bound_is_a_limit_with_the_right_quantile():
    # an amplitude consistent with zero: N(0, 1e16) truncated at 0 (the sampler's coordinate is
    # the value); least squares at the bound. Its 95 % point is that of the half-normal,
    # 1.95996 sd (scipy), drawn from 200000 samples: sampling error ~0.3 %, tolerance 2 %
    rng = np.random.default_rng(1)
    s = np.abs(rng.normal(0.0, 1e16, 200_000))[:, None]
    notes = bound_notes(
        _result([_est("n_Fe3", 0.0, None, at_bound=True)]),
        ["n_Fe3"],
        s,
        np.array([0.0]),
        np.array([1e20]),
        s,
        np.array([False]),
    )
    assert len(notes) == 1 and "consistent with its lower bound" in notes[0]
    limit = float(notes[0].split("< ")[1].split()[0])
    assert limit == pytest.approx(stats.halfnorm.ppf(0.95) * 1e16, rel=0.02)


def test_well_inside_gaussian_gets_no_note():
    rng = np.random.default_rng(2)
    s = rng.normal(5.0, 0.5, (50_000, 1))  # 2.5 % quantile 4.0: 2 widths from the bound at 2
    assert (
        bound_notes(
            _result([_est("x", 5.0, 0.5)]),
            ["x"],
            s,
            np.array([2.0]),
            np.array([8.0]),
            s,
            np.array([False]),
        )
        == []
    )


def test_ridge_to_the_bound_names_the_partner_and_the_prior():
    # nP piling up towards its upper bound (density ~ nP^2: the data do not close the ridge)
    # with Dmin moving along (r ~ 0.99); least squares 5e16 +- 2e16: the bound is thousands
    # of sigma away
    rng = np.random.default_rng(3)
    a = 1e20 * rng.random(40_000) ** (1.0 / 3.0)
    d = 0.5 + np.log10(a) - 17 + rng.normal(0, 0.05, a.size)
    s = np.column_stack([a, d])
    flat = np.column_stack([np.log10(a), d])
    est = [_est("log10_nP", 5e16, 2e16), _est("Dmin_K", 0.6, 0.3, unit="K")]
    notes = bound_notes(
        _result(est),
        ["log10_nP", "Dmin_K"],
        s,
        np.array([1e12, 1e-3]),
        np.array([1e20, 20.0]),
        flat,
        np.array([False, False]),
    )
    assert len(notes) == 1
    assert "runs to its upper bound (1e+20)" in notes[0]
    assert "moves with Dmin_K" in notes[0] and "fix Dmin_K" in notes[0]


def test_weighted_chebyshev_keeps_relative_error_where_the_term_falls_by_decades():
    # f = exp(-D/T) (1 + D/T)^2 over log10 D in [-0.7, 1.0] at T = 0.6 and 0.3 K: f falls by
    # 1e-14. The plain interpolant's error is set by its largest values (measured relative
    # error 8e7 where f is smallest); divided by the known fall exp(-D/T) the rest is a
    # quadratic in D, a smooth function of log10 D, and the relative error is even (measured
    # 2.2e-6 with 14 nodes; tolerance 1e-4, the importance correction's scale)
    T = np.array([0.6, 0.3])

    def f(q):
        x = 10.0 ** q[0] / T
        return np.exp(-x) * (1.0 + x) ** 2

    def fall(Q):  # vectorized over the rows of Q
        return np.exp(-(10.0 ** Q[:, :1]) / T[None, :])

    q = np.linspace(-0.7, 1.0, 301)[:, None]
    exact = np.array([f(p) for p in q])
    plain = Chebyshev(f, [-0.7], [1.0], (14,))(q)[1]
    weighted = Chebyshev(f, [-0.7], [1.0], (14,), weight=fall)(q)[1]
    rel_plain = np.max(np.abs(plain - exact) / exact)
    rel_weighted = np.max(np.abs(weighted - exact) / exact)
    assert rel_weighted < 1e-4 and rel_plain > 1.0


def test_flat_over_the_whole_range_says_so():
    rng = np.random.default_rng(4)
    s = rng.uniform(0.0, 10.0, (40_000, 1))
    notes = bound_notes(
        _result([_est("x", 1.0, 0.1, unit="K")]),
        ["x"],
        s,
        np.array([0.0]),
        np.array([10.0]),
        s,
        np.array([False]),
    )
    assert len(notes) == 1 and "spreads over its whole range (0 to 10)" in notes[0]


@pytest.mark.slow
def test_single_cp_curve_rebuilds_its_surrogate_and_states_the_ridge(fit_example):
    # one temperature: nP, Dmin and X0max trade off; with nP uniform to 1e20 the walkers run
    # up the ridge out of the first box (+-5 least-squares sigma). Before the rebuild two thirds
    # of the evaluations were exact (181 s); now the chain converges on rebuilt surrogates,
    # checked at the end against the exact model (importance weights), and says that nP's
    # interval is its bound's
    r = fit_example("cp_BAS_0.60K.csv", "cp")
    mc = fitting.run_mcmc(r, seed=0, progress=False).mcmc
    assert "rebuilt at step" in mc.surrogate
    ess = float(mc.surrogate.split("weights' ESS ")[1].split("%")[0])
    assert ess > 90.0  # the rebuilt surrogates' chi^2 agree with the exact model's
    assert mc.converged or "stopped early" in mc.stop_reason
    ridge = [n for n in mc.bound_notes if n.startswith("the posterior of nP_per_g")]
    assert ridge and "Dmin_K" in ridge[0]
