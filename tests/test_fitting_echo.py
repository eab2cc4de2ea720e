"""Fitting the echo observable "echo": A(B)/A(B_high) at fixed T and pulse sequence.

Synthetic curves come from rows of the essay's Table 7 (etm.materials.ECHO_ROWS, the essay's
matrix elements as the table was fitted with) plus seeded Gaussian noise; the fits must recover
the rows' cutoffs within their reported errors.
"""

import hashlib
import json
import math
import re
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pytest
from click.testing import CliRunner
from numpy.testing import assert_allclose

from etm import echo, materials
from etm import fit as fitting
from etm.cli import cli
from etm.cli.fit import fit as fit_command
from etm.fit import ECHO_DEFAULT_FIXED, ECHO_OPTIONS, echo_defaults, fit_echo, synthetic_echo_curve
from etm.fit.echo import bare_unit
from etm.params import EchoParams

if fit_command.name not in cli.commands:  # idempotent: cli.py may register it itself
    cli.add_command(fit_command)

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
B = np.linspace(0.0, 0.6, 61)
ESSAY = {"matrix_elements": "essay"}
FREE = ("Dmin_K", "X0min_KA2", "X0max_KA2")


@pytest.mark.parametrize(("row", "seed"), [("BAS sample 2", 1), ("BK7 tau12=6us", 3)])
def test_recovers_a_table7_row_within_3_sigma(row, seed):
    c = synthetic_echo_curve(row, B, noise=0.005, seed=seed, options=ESSAY)
    r = fit_echo(c, material=row)
    assert r.success and r.weighted and r.nvarys == 3
    # chi^2 of a correct model with correct sigmas: N - k = 58 +- sqrt(2*58) ~ 11
    assert abs(r.chisqr - (r.ndata - r.nvarys)) < 3 * math.sqrt(2 * (r.ndata - r.nvarys))
    p = materials.echo_row(row).params
    for name in FREE:
        e = r.estimate(name, 0)
        assert e.vary and e.stderr > 0 and not e.at_bound
        assert abs(e.value - getattr(p, name)) < 3 * e.stderr, (row, name, e.value, e.stderr)
    # the automatic choices are stated, one note each, before lmfit's own
    assert [n.split()[0] for n in r.notes] == list(ECHO_DEFAULT_FIXED)
    for name in ECHO_DEFAULT_FIXED:
        assert not r.estimate(name, 0).vary


def test_model_equals_relative_amplitude_and_c_cancels():
    pre = materials.echo_row("BAS sample 2")
    c = synthetic_echo_curve(pre, B[::6], noise=0.0, options=ESSAY)
    obs = fitting.OBSERVABLES["echo"]
    m = obs.prepare(c.x_name, c.x, c.metadata, "isotropic", "c.csv")
    assert m.options == {**ECHO_OPTIONS, **ESSAY}
    v = {n: getattr(pre.params, n) for n in EchoParams.__dataclass_fields__}
    v0 = {**v, "A_2LS_per_a0": 0.0, "c_2LS_per_sK": 0.0, "Gamma_2LS_per_sK3": 0.0}
    a0 = bare_unit(pre.params, pre.pulses, m.options)
    for A2 in (0.0, 2.0):
        want = echo.relative_amplitude(
            T_K=pre.T_K,
            B_T=c.x,
            params=pre.params,
            pulses=pre.pulses,
            A_2LS=A2 * a0,
            c_2LS_per_sK=1e5,
            matrix_elements="essay",
        )
        got = m.evaluate({**v0, "A_2LS_per_a0": A2, "c_2LS_per_sK": 1e5}, obs.components)
        # the same quadrature on the same fields: equal to round-off
        assert_allclose(got, want, rtol=1e-12)
    assert m.n_ats_evals == 1  # the 2LS parameters cost no integral
    # without a 2LS echo c scales every system's echo, a(0) included: it cancels exactly
    other = m.evaluate({**v0, "c_per_sK": 9 * v["c_per_sK"]}, obs.components)
    assert_allclose(other, m.evaluate(v0, obs.components), rtol=1e-10)
    # with one, only c - c_2LS enters (Table 7's column)
    w = {**v0, "A_2LS_per_a0": 2.0, "c_2LS_per_sK": 1e5}
    shifted = {**w, "c_per_sK": w["c_per_sK"] + 3e6, "c_2LS_per_sK": 1e5 + 3e6}
    assert_allclose(m.evaluate(shifted, obs.components), m.evaluate(w, obs.components), rtol=1e-10)
    # the standard model alone: field-blind, ratio 1
    assert np.all(m.evaluate(v0, ("2LS",)) == 1.0)
    # symmetric in the X cutoffs
    sw = {**v0, "X0min_KA2": v["X0max_KA2"], "X0max_KA2": v["X0min_KA2"]}
    assert_allclose(m.evaluate(sw, obs.components), m.evaluate(v0, ("ATS",)))


def test_magnitude_detection_model_equals_relative_amplitude():
    pre = materials.echo_row("BK7 tau12=1.5us")
    opts = {**ESSAY, "detection": "magnitude"}
    c = synthetic_echo_curve(pre, B[::10], noise=0.0, A_2LS_per_a0=3.0, options=opts)
    m = fitting.OBSERVABLES["echo"].prepare(c.x_name, c.x, c.metadata, "isotropic", "c.csv")
    v = {n: getattr(pre.params, n) for n in EchoParams.__dataclass_fields__}
    v.update({"A_2LS_per_a0": 3.0, "c_2LS_per_sK": 0.0, "Gamma_2LS_per_sK3": 0.0})
    parts = m.parts(v, ("ATS", "2LS"))
    assert_allclose(parts["ATS"] + parts["2LS"], c.y, rtol=1e-12)


def run(args):
    return CliRunner().invoke(cli, args, catch_exceptions=False)


def digest(p):
    return hashlib.sha256(Path(p).read_bytes()).hexdigest()


def test_etm_fit_echo_end_to_end(tmp_path):
    src = EXAMPLES / "echo_BAS_sample2.csv"
    before = digest(src)
    out = tmp_path / "out"
    res = run(["fit", str(src), "--observable", "echo", "--material", "BAS sample 2"])
    assert res.exit_code == 2 and "--out" in res.output  # the output folder is required
    args = ["fit", str(src), "--observable", "echo", "--material", "BAS sample 2"]
    res = run([*args, "--out", str(out)])
    assert res.exit_code == 0, res.output
    names = {p.name for p in out.iterdir()}
    assert names == {"params.json", "params.md", "report.html", "curves.csv",
                     "fit_0_echo_BAS_sample2.png"}  # fmt: skip
    assert (out / "fit_0_echo_BAS_sample2.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert digest(src) == before  # input untouched
    doc = json.loads((out / "params.json").read_text())
    est = {p["name"]: p for p in doc["parameters"]}
    assert [n for n, p in est.items() if p["vary"]] == list(FREE)
    truth = materials.echo_row("BAS sample 2").params
    for name in FREE:  # the example is Table 7 (BAS sample 2) plus noise 0.005: recovered
        assert abs(est[name]["value"] - getattr(truth, name)) < 3 * est[name]["stderr"]
    # fixed at the row, through log10: equal to round-off
    assert_allclose(est["Gamma_inv_per_sK5"]["value"], truth.Gamma_inv_per_sK5, rtol=1e-12)
    assert est["A_2LS_per_a0"]["value"] == 0.0 and est["Dmin_K"]["unit"] == "K"
    meta = doc["inputs"][0]["metadata"]
    assert meta["tau12_s"] == 2e-6 and meta["f_Hz"] == 1e9 and meta["T_K"] == 0.012
    assert doc["inputs"][0]["columns"] == ["B_mT", "rel_echo", "sigma_echo"]
    assert doc["comparison"]["STM_only"]["nvarys"] == 0 and doc["comparison"]["preferred"] == "ETM"
    md = (out / "params.md").read_text()
    assert "STM-only model is 1" in md and "c_per_sK fixed at 3.825e+06" in md
    assert "wrote 5 files" in res.output and "note: A_2LS_per_a0 fixed at 0" in res.output


def test_malformed_echo_file_errors(tmp_path):
    good = (EXAMPLES / "echo_BAS_sample2.csv").read_text()
    cases = [
        (good.replace("rel_echo", "rel_percent"), r"unknown unit 'percent' for a dimensionless"),
        (good.replace("# tau12_us = 2\n", ""), r"metadata 'tau12_s' missing \(an echo curve "),
        (good.replace("# tau1_us = 0.1\n", "# tau1_us = 3\n"), r"pulse metadata: tau1_s must be"),
        (good.replace("= essay", "= exactly"), r"'matrix_elements' must be one of exact, essay"),
        (good.replace("\n10, ", "\n10, nan"), r"column 2 \('rel_echo'\)"),
        (good.replace("B_mT", "T_mK"), r"missing column B_<unit>"),
    ]
    for k, (text, match) in enumerate(cases):
        bad = tmp_path / f"bad{k}.csv"
        bad.write_text(text)
        before = bad.read_bytes()
        args = ["fit", str(bad), "--observable", "echo", "--out", str(tmp_path / "o")]
        res = CliRunner().invoke(cli, args)
        assert res.exit_code == 2 and re.search(match, res.output), (k, res.output)
        assert f"bad{k}.csv" in res.output
        assert bad.read_bytes() == before
    assert not (tmp_path / "o").exists()


def test_options_and_material_errors(tmp_path):
    src = str(EXAMPLES / "echo_BAS_sample2.csv")
    out = str(tmp_path / "o")
    args = ["fit", src, "--observable", "cp", "--c-form", "essay", "--out", out]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 2 and "--c-form: only with --observable echo" in res.output
    args = ["fit", src, "--observable", "echo", "--average", "decoupled", "--out", out]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 2 and "--average: only with --observable eps" in res.output
    args = ["fit", src, "--observable", "echo", "--matrix-elements", "exact", "--out", out]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 2 and "metadata 'matrix_elements' = 'essay' conflicts" in res.output
    args = ["fit", src, "--observable", "echo", "--material", "Quartz", "--out", out]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 2 and "unknown material 'Quartz' for observable 'echo'" in res.output
    assert not (tmp_path / "o").exists()
    c = synthetic_echo_curve("BAS sample 2", B[:5], noise=0.01)
    with pytest.raises(ValueError, match=r"c.csv: metadata 'T_K' must be > 0"):
        fit_echo(
            replace(c, metadata=MappingProxyType({**c.metadata, "T_K": 0.0}), source=Path("c.csv"))
        )


def test_default_fixes_give_way_to_free_and_fix():
    c = synthetic_echo_curve("BK7 tau12=6us", B[:8], noise=0.01)
    fixed, notes = echo_defaults([c], "BK7", {"A_2LS_per_a0": 2.0}, free=["Gamma_inv_per_sK5"])
    # "BK7" picks the Table 7 row whose tau12 is the curve's (6 us)
    p = materials.echo_row("BK7 tau12=6us").params
    assert fixed == {
        "A_2LS_per_a0": 2.0,
        "c_per_sK": p.c_per_sK,
        "p1F0_DkV_per_m": p.p1F0_DkV_per_m,
        "tan_omega_dtau": p.tan_omega_dtau,
        "c_2LS_per_sK": 0.0,
        "Gamma_2LS_per_sK3": 0.0,
    }
    assert [n.split()[0] for n in notes] == [
        "c_per_sK",
        "p1F0_DkV_per_m",
        "tan_omega_dtau",
        "c_2LS_per_sK",
        "Gamma_2LS_per_sK3",
    ]
    assert "from the Table 7 row 'BK7 tau12=6us'" in notes[0]
