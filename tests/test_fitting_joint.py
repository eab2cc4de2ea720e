"""Joint fits across observables: one glass, cp and eps curves, shared X cutoffs.

The synthetic curves come from one parameter set: the cp row of BAS at 0.9 K (essay Tables 1-2)
and the eps row of BAS at 50 mK (Table 5) with its X cutoffs replaced by the cp row's, so that
X0min_KA2 and X0max_KA2 are the same numbers in both (Dmin_K and the amplitudes stay per
observable, as in the essay).
"""

from dataclasses import replace

import numpy as np
import pytest

from etm import fit as fitting
from etm import materials
from etm.fit import OBSERVABLES, synthetic_eps_curve

X = {"X0min_KA2": 50700.0, "X0max_KA2": 290000.0}  # BAS cp row at 0.9 K; inside cp and eps bounds
SHARE = tuple(X)


def _cp():
    return fitting.synthetic_cp_curve(
        "BAS", 0.9, np.linspace(0.0, 8.0, 41), rel_noise=0.003, seed=1, source="cp.csv"
    )


def _eps():
    row = materials.dielectric_row("BAS", 0.05)
    row = replace(row, params=replace(row.params, **X))
    return synthetic_eps_curve(
        row, np.geomspace(1e-3, 10.0, 41), noise=1e-2, seed=3, source="eps.csv"
    )


def _parts(cp, eps):
    return [("cp", [cp], {"material": "BAS"}), ("eps", [eps], {"material": "BAS"})]


@pytest.fixture(scope="module")
def fits():
    cp, eps = _cp(), _eps()
    joint = fitting.fit_joint(_parts(cp, eps), share=SHARE)
    return joint, fitting.fit([cp], material="BAS"), fitting.fit([eps], "eps", material="BAS")


def test_joint_recovers_shared_cutoffs_within_3_sigma(fits):
    joint, _, _ = fits
    assert joint.success
    assert joint.observables == ("cp", "eps") and joint.prefixes == ("cp_", "eps_")
    assert {e.name for e in joint.shared} == set(SHARE)
    for name, true in X.items():
        e = joint.estimate(name)
        assert e.vary and not e.at_bound and e.stderr is not None
        assert abs(e.value - true) < 3 * e.stderr, (name, e.value, e.stderr)
        # every part reports the shared value for its curve
        for part in (0, 1):
            assert joint.value(name, part, 0) == e.value
            assert joint.stderr(name, part, 0) == e.stderr


def test_joint_error_bars_no_larger_than_the_better_separate_fit(fits):
    joint, cp, eps = fits
    for name in SHARE:
        best = min(cp.stderr(name, 0), eps.stderr(name, 0))
        assert joint.stderr(name) <= best, (name, joint.stderr(name), best)


def test_joint_chi2_consistent_with_separate_fits(fits):
    joint, cp, eps = fits
    assert joint.nvarys == cp.nvarys + eps.nvarys - len(SHARE)
    assert joint.ndata == cp.ndata + eps.ndata
    # same model family, two constraints: chi2 rises, but by no more than chi2(2) at 99.9 %
    d = joint.chisqr - (cp.chisqr + eps.chisqr)
    assert -1e-6 * joint.chisqr < d < 13.8
    assert joint.aic == pytest.approx(joint.chisqr + 2 * joint.nvarys)
    # the per-part parameters are still there, prefixed
    assert "cp_Dmin_K_0" in joint.lmfit_result.var_names
    assert "eps_Dmin_K_0" in joint.lmfit_result.var_names
    assert abs(joint.value("Dmin_K", 1, 0) - 0.015) < 3 * joint.stderr("Dmin_K", 1, 0)
    assert [len(r) for part in joint.residuals for r in part] == [41, 41]


def _with_bounds(monkeypatch, observable, name, bounds):
    obs = OBSERVABLES[observable]
    params = tuple(replace(p, bounds=bounds) if p.name == name else p for p in obs.params)
    monkeypatch.setitem(OBSERVABLES, observable, replace(obs, params=params))


def test_empty_bounds_intersection_is_an_error(monkeypatch):
    # each range holds its own part's start (cp 5.07e4, eps 2.44e5) but they do not overlap
    _with_bounds(monkeypatch, "cp", "X0min_KA2", (10.0, 1e5))
    _with_bounds(monkeypatch, "eps", "X0min_KA2", (2e5, 1e8))
    with pytest.raises(
        ValueError, match=r"X0min_KA2 do not overlap: \[10, 100000\].*\[200000, 1e\+08\]"
    ):
        fitting.fit_joint(_parts(_cp(), _eps()), share=SHARE)


def test_different_log10_space_is_an_error(monkeypatch):
    obs = OBSERVABLES["eps"]
    params = tuple(replace(p, log10=False) if p.name == "X0max_KA2" else p for p in obs.params)
    monkeypatch.setitem(OBSERVABLES, "eps", replace(obs, params=params))
    with pytest.raises(ValueError, match="X0max_KA2 is fitted as log10"):
        fitting.fit_joint(_parts(_cp(), _eps()), share=SHARE)


def test_bad_parts_are_errors():
    cp, eps = _cp(), _eps()
    with pytest.raises(ValueError, match="at least two parts"):
        fitting.fit_joint(_parts(cp, eps)[:1], share=SHARE)
    with pytest.raises(ValueError, match="unknown options bogus"):
        fitting.fit_joint([*_parts(cp, eps)[:1], ("eps", [eps], {"bogus": 1})], share=SHARE)
    with pytest.raises(ValueError, match="X0min_KA2 is fixed in part 1"):
        fitting.fit_joint(
            [*_parts(cp, eps)[:1], ("eps", [eps], {"fix": {"X0min_KA2": 5e4}})], share=SHARE
        )
    with pytest.raises(ValueError, match="sigma column"):
        fitting.fit_joint(
            [*_parts(cp, eps)[:1], ("eps", [replace(eps, sigma=None)], {})], share=SHARE
        )
    with pytest.raises(ValueError, match="unknown parameter 'nope'"):
        fitting.fit_joint(_parts(cp, eps), share=("nope",))
