"""The corner plot split by curve when the sampled parameters are many (issue 21: a 14 x 14
corner plot was unreadable)."""

from types import SimpleNamespace

from etm.fit.plots import CORNER_MAX_PARAMETERS, corner_groups


def _result(names, curves):
    est = [SimpleNamespace(fit_name=n, curve=c) for n, c in zip(names, curves, strict=True)]
    return SimpleNamespace(
        mcmc=SimpleNamespace(var_names=tuple(names)),
        estimates=est,
        curves=[object()] * (1 + max(c for c in curves if c is not None)),
    )


def test_few_parameters_one_plot():
    names = ["a_0", "a_1", "s"]
    assert corner_groups(_result(names, [0, 1, None])) == [(None, names)]


def test_many_parameters_shared_and_one_per_curve():
    own = [f"p{k}_{i}" for i in range(3) for k in range(3)]
    shared = ["s1", "s2", "s3", "s4", "s5"]
    names = own + shared
    assert len(names) > CORNER_MAX_PARAMETERS
    groups = corner_groups(_result(names, [i for i in range(3) for _ in range(3)] + [None] * 5))
    assert groups[0] == (None, shared)
    for i in range(3):
        assert groups[1 + i] == (i, [f"p{k}_{i}" for k in range(3)] + shared)
    # every sampled parameter is drawn somewhere, and no plot is larger than one curve's share
    assert {n for _, g in groups for n in g} == set(names)
    assert max(len(g) for _, g in groups) == 8
