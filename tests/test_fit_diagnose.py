"""The diagnosis of a finished fit (etm.fit.diagnose) and the written fit contract: a made
non-identifiable pair named, errors 1e3 too large and too small named as such, each warning
once; the Protocols met by every registered observable's model; data without an error column
fitted with its noise estimated and said so; curves.csv; summary, repr, values."""

import csv
import io
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from numpy.testing import assert_allclose

from etm import fit as fitting
from etm.cli import cli
from etm.fit import Observable, ParamSpec
from etm.fit.diagnose import diagnose
from etm.fit.registry import CurveModel, LinearModel, SamplingModel, detect_observable

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


class _TwoSlopes:
    """y = a x + b x (1 + eps x): a and b are one slope unless eps separates them."""

    eps = 1e-3

    def __init__(self, x_name, x, metadata, orientation, where):
        self.x = self.T = np.asarray(x, dtype=float)

    def parts(self, v, components):
        return {"a": v["a_per_K"] * self.x, "b": v["b_per_K"] * self.x * (1 + self.eps * self.x)}

    def evaluate(self, v, components):
        return sum(self.parts(v, components).values())


def _spec(name):
    return ParamSpec(name=name, unit="1/K", component=name[0], bounds=(-10.0, 10.0),
                     description="slope")  # fmt: skip


@pytest.fixture
def two_slopes():
    obs = Observable(
        name="toy_pair",
        x_quantities=("T",),
        y_quantity="C",
        y_label="C",
        y_unit="1",
        params=(_spec("a_per_K"), _spec("b_per_K")),
        components=("a", "b"),
        prepare=_TwoSlopes,
        guess_shape=lambda meta, material: {"a_per_K": 1.0, "b_per_K": 1.0},
    )
    fitting.register_observable(obs)
    yield
    del fitting.OBSERVABLES["toy_pair"]


def _curve(noise_factor=1.0, seed=0):
    x = np.linspace(1.0, 10.0, 50)
    y = 3.0 * x + 0.01 * np.random.default_rng(seed).standard_normal(50)
    return fitting.MeasuredCurve(x=x, y=y, sigma=np.full(50, 0.01 * noise_factor),
                                 x_name="T_K", y_name="C_J_per_gK", columns=(), metadata={},
                                 comments=(), source=Path("toy.csv"), sha256="")  # fmt: skip


def test_a_made_non_identifiable_pair_is_named(two_slopes):
    r = fitting.fit([_curve()], "toy_pair")
    (w,) = [w for w in diagnose(r) if "identifiable" in w]
    assert w.startswith("WARNING: a_per_K and b_per_K are not separately identifiable")
    # the correlation it quotes is the covariance's
    names, corr = r.correlations()
    assert f"r = {corr[0, 1]:+.3f}" in w and abs(corr[0, 1]) > 0.99


@pytest.mark.parametrize(("factor", "words"), [(1e3, "too large"), (1e-3, "too small")])
def test_errors_1e3_off_are_named(two_slopes, factor, words):
    r = fitting.fit([_curve(factor)], "toy_pair", fix={"b_per_K": 0.0})
    out = diagnose(r)
    chi = [w for w in out if "reduced chi^2" in w]
    assert len(chi) == 1 and f"the errors are {words}" in chi[0]
    assert "~ 0" in chi[0] if factor > 1 else ">> 1" in chi[0]
    # the factor it names is the true one (the data's noise is 0.01) within its scatter
    import re

    named = float(re.search(r"~([\d.e+-]+?)(?:x| =)", chi[0]).group(1))
    assert 0.8 < named / 1e3 < 1.25
    assert not any("at a bound" in w for w in out)
    assert len(out) == len(set(out))


def test_each_warning_once_and_in_every_output(tmp_path):
    # the 0.60 K curve with nP held 5x too low: chi^2 far too large, once in each output
    out = tmp_path / "o"
    args = ["fit", str(EXAMPLES / "cp_BAS_0.60K.csv"), "--fix", "nP_per_g=1e16", "--no-compare"]
    res = CliRunner().invoke(cli, [*args, "--out", str(out)])
    assert res.exit_code == 0, res.output
    lines = [w for w in res.output.splitlines() if w.startswith("WARNING")]
    assert len(lines) == len(set(lines)) and any(">> 1" in w for w in lines)
    doc = json.loads((out / "params.json").read_text())
    assert doc["warnings"] == lines
    md = (out / "params.md").read_text()
    assert all(md.count(w) == 1 for w in lines)


def test_every_observable_meets_the_contract():
    files = {
        "cp": "cp_BAS_0.60K.csv", "eps": "eps_BAS_50mK.csv", "echo": "echo_BAS_sample2.csv",
        "magnetization": "magnetization_BAS_1T.csv", "eps_T": "eps_T_2LS_1kHz.csv",
        "loss": "eps_loss_BAS_50mK_5GHz.csv", "f0": "resonator_f0_T.csv",
        "Qi": "resonator_Qi_T.csv", "resonator": "resonator_grid_Qi_synthetic.csv",
    }  # fmt: skip
    from etm.cli.fit import OBSERVABLE_NAMES

    assert set(OBSERVABLE_NAMES) == set(fitting.OBSERVABLES) == set(files)
    for name, f in files.items():
        assert detect_observable([EXAMPLES / f]) == name
        obs = fitting.lookup(name)
        (c,) = fitting.read_curves([EXAMPLES / f], name)
        m = obs.prepare(c.x_name, c.x, c.metadata, "isotropic", str(c.source))
        assert isinstance(m, CurveModel), name
        if hasattr(m, "LINEAR"):
            assert isinstance(m, LinearModel), name
        if name in ("cp", "echo"):
            assert isinstance(m, SamplingModel), name
    with pytest.raises(TypeError):
        ParamSpec("x", "1", "a", (0.0, 1.0), "positional")  # keyword only


def test_linear_parts_of_the_shared_base_agree_with_evaluate():
    # LinearCurve: columns_many / evaluate_many for W sets equal evaluate set by set
    c = fitting.read_curves([EXAMPLES / "magnetization_BAS_2K.csv"], "magnetization")[0]
    r = fitting.fit([c], "magnetization", defaults=True, material="BAS")
    m = r.problem.models[0]
    v = r.values[0]
    W = 3
    vv = {k: np.full(W, x) for k, x in v.items()}
    vv["nP_per_g"] = v["nP_per_g"] * np.array([0.5, 1.0, 2.0])
    many = m.evaluate_many(vv, r.components)
    one = [m.evaluate({k: float(x[w]) for k, x in vv.items()}, r.components) for w in range(W)]
    assert_allclose(many, one, rtol=1e-12)


def test_data_without_sigma_column_is_fitted_and_says_so(tmp_path):
    text = (EXAMPLES / "cp_BAS_0.90K.csv").read_text().splitlines()
    h = text.index("B_T, Cp_uJ_per_gK, sigma_uJ_per_gK")
    rows = [", ".join(r.split(", ")[:2]) for r in text[h + 1 :] if r.strip()]
    f = tmp_path / "nosigma.csv"
    f.write_text("\n".join([*text[:h], "B_T, Cp_uJ_per_gK", *rows]) + "\n")
    out = tmp_path / "o"
    res = CliRunner().invoke(cli, ["fit", str(f), "--no-compare", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "nosigma: no sigma column: the noise was estimated from the residual scatter" in (
        res.output
    )
    doc = json.loads((out / "params.json").read_text())
    assert any("no sigma column" in n for n in doc["notes"])
    assert "no sigma column" in (out / "params.md").read_text()
    table = list(csv.DictReader(io.StringIO((out / "curves.csv").read_text())))
    s = float(table[0]["sigma"])
    # the examples' noise is 0.5 % of C (~3.6e-8 J/(g K) at 0.9 K): the estimate within 30 %
    assert 2.5e-8 < s < 5e-8
    assert doc["goodness_of_fit"]["redchi"] == pytest.approx(1.0, rel=1e-6)


def test_curves_csv_summary_repr_values(tmp_path):
    curves = fitting.read_curves([EXAMPLES / "eps_T_2LS_1kHz.csv"], "eps_T")
    r = fitting.fit(curves, "eps_T")
    assert repr(r) == (f"<FitResult 'eps_T': 1 curve, 3 free, reduced chi^2 {r.redchi:.4g}>")
    assert r.values[0]["T0_K"] == r.value("T0_K", 0)
    s = r.summary()
    assert "T0_K [eps_T_2LS_1kHz] = 0.802" in s and "note: the ATS term is left out" in s
    from etm.fit.curves import curves_csv

    rows = list(csv.DictReader(io.StringIO(curves_csv(r))))
    # (the ATS term is left out without a glass: no column for it)
    assert list(rows[0]) == ["curve", "T_K", "data", "sigma", "model", "residual", "model_STM"]
    c = curves[0]
    assert len(rows) == c.y.size and rows[0]["curve"] == "eps_T_2LS_1kHz.csv"
    data = np.array([[float(x[k]) for k in ("data", "sigma", "model", "residual")] for x in rows])
    assert_allclose(data[:, 0], c.y, rtol=0)
    assert_allclose(data[:, 3], (data[:, 0] - data[:, 2]) / data[:, 1], rtol=1e-12)
    assert_allclose(data[:, 3], r.residuals[0], rtol=1e-9, atol=1e-12)
    # the components add up to the model
    comp = np.array([float(x["model_STM"]) for x in rows])
    assert_allclose(comp, data[:, 2], rtol=1e-12)


def test_sigma_estimates_differ_per_curve():
    # two curves of different noise, neither with sigmas: each gets its own estimate
    pre = "BAS"
    B = np.linspace(0, 8, 41)
    a = fitting.synthetic_cp_curve(pre, 0.6, B, rel_noise=0.002, seed=1)
    b = fitting.synthetic_cp_curve(pre, 0.9, B, rel_noise=0.02, seed=2)
    a, b = replace(a, sigma=None), replace(b, sigma=None)
    r = fitting.fit([a, b], material="BAS", fix={"beta_J_per_gK4": 0.0})
    sa, sb = r.sigmas[0][0], r.sigmas[1][0]
    assert 5 < sb / sa < 20 and r.sigma_estimated == (True, True)
