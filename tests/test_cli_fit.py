"""`etm fit`, `etm cell-size`, `etm tg` end to end: the files written, clean errors, inputs kept."""

import hashlib
import json
import re
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from etm import __version__
from etm.cli import cli
from etm.cli.fit import cell_size, fit, tg

for _cmd in (fit, cell_size, tg):
    if _cmd.name not in cli.commands:  # idempotent: cli.py may register them itself
        cli.add_command(_cmd)

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
BAS = sorted(EXAMPLES.glob("cp_BAS_*.csv"))


def run(args):
    return CliRunner().invoke(cli, args, catch_exceptions=False)


def digest(p):
    return hashlib.sha256(Path(p).read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    out = tmp_path_factory.mktemp("fit") / "out"
    before = {p: digest(p) for p in BAS}
    res = run(["fit", *map(str, BAS), "--material", "BAS", "--out", str(out)])
    return res, out, before


def test_fit_writes_every_promised_file(fitted):
    res, out, before = fitted
    assert res.exit_code == 0, res.output
    names = {p.name for p in out.iterdir()}
    figs = {f"fit_{i}_{p.stem}.png" for i, p in enumerate(BAS)}
    extra = {"overlay.png", "parameters_vs_T.png"}
    assert names == {"params.json", "params.md", "report.html", "curves.csv"} | figs | extra
    for f in figs:
        assert (out / f).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # inputs untouched
    assert {p: digest(p) for p in BAS} == before
    assert "Delta AIC (STM - ETM)" in res.output and "wrote 9 files" in res.output


def test_params_json_has_values_errors_units_version_hashes(fitted):
    _, out, before = fitted
    doc = json.loads((out / "params.json").read_text())
    assert doc["version"] == __version__ and doc["software"] == "etm"
    assert {i["path"]: i["sha256"] for i in doc["inputs"]} == {str(p): h for p, h in before.items()}
    assert doc["inputs"][0]["metadata"]["T_K"] == 0.6
    nP = next(p for p in doc["parameters"] if p["name"] == "nP_per_g")
    assert nP["unit"] == "1/g" and nP["curve"] is None and nP["stderr"] > 0
    # the examples are synthetic from Table 1 (nP = 5.19e16) with 0.5 % noise: recovered
    assert abs(nP["value"] - 5.19e16) < 3 * nP["stderr"]
    dmin = [p for p in doc["parameters"] if p["name"] == "Dmin_K"]
    assert [p["curve"] for p in dmin] == [0, 1, 2] and dmin[0]["unit"] == "K"
    assert doc["comparison"]["preferred"] == "ETM"
    assert doc["goodness_of_fit"]["weighted"] is True
    assert len(doc["correlations"]["names"]) == doc["goodness_of_fit"]["nvarys"]


def test_params_md_and_self_contained_report(fitted):
    _, out, _ = fitted
    md = (out / "params.md").read_text()
    assert "| nP_per_g |" in md and "| curve | Dmin_K [K] |" in md and __version__ in md
    assert re.search(r"\| cp_BAS_0.60K \(T = 0.6 K\) \| 0\.\d+ ± 0\.\d+ \|", md)
    page = (out / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 5
    # offline: no external resource of any kind
    assert not re.search(r"""(src|href)=["']?(https?:|//|file:)""", page)
    assert "<table>" in page and "sha256" in page


def test_fix_share_and_mcmc_with_corner(tmp_path):
    out = tmp_path / "o"
    res = run(
        [
            "fit",
            str(BAS[1]),
            "--material",
            "BAS",
            "--fix",
            "n_Fe3_per_g=5e16",
            "--fix",
            "Dmin_K=0.53",
            "--no-compare",
            "--mcmc",
            "--steps",
            "40",
            "--walkers",
            "12",
            "--out",
            str(out),
        ]
    )
    assert res.exit_code == 0, res.output
    doc = json.loads((out / "params.json").read_text())
    fe3 = next(p for p in doc["parameters"] if p["name"] == "n_Fe3_per_g")
    assert fe3["vary"] is False and fe3["value"] == pytest.approx(5e16)
    assert doc["mcmc"]["nwalkers"] == 12 and "comparison" not in doc
    assert (out / "corner.png").stat().st_size > 0
    assert (out / "report.html").read_text().count("data:image/png;base64,") == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fix", "Dmin_K"], "expected NAME=VALUE with a number"),
        (["--fix", "Dmin=0.5"], "unknown parameter 'Dmin'"),
        (["--share", "Dmin_K", "--per-curve", "Dmin_K"], "both shared and per curve"),
        (["--material", "Pyrex"], "unknown material 'Pyrex'"),
    ],
)
def test_fit_option_errors_are_usage_errors(tmp_path, args, message):
    res = CliRunner().invoke(cli, ["fit", str(BAS[0]), *args, "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and message in res.output
    assert not (tmp_path / "o").exists()


def test_bad_file_error_names_file_line_column(tmp_path):
    bad = tmp_path / "bad.csv"
    text = BAS[0].read_text().replace("\n0.2, ", "\n0.2, nan")
    bad.write_text(text)
    before = bad.read_bytes()
    res = CliRunner().invoke(cli, ["fit", str(bad), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert re.search(r"bad.csv, line \d+, column 2 \('Cp_uJ_per_gK'\)", res.output)
    assert bad.read_bytes() == before


def test_outputs_never_overwrite_an_input(tmp_path):
    src = tmp_path / "params.json"
    shutil.copy(BAS[0], src)
    before = src.read_bytes()
    t = time.perf_counter()
    # --force: past the refusal of a folder holding files etm did not write (issue 19)
    args = ["fit", str(src), "--no-compare", "--out", str(tmp_path), "--force"]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 2 and "would overwrite an input file" in res.output
    assert time.perf_counter() - t < 0.5  # refused before fitting
    assert src.read_bytes() == before


def test_cell_size(fitted):
    res = run(["cell-size", "--nP", "5e16", "--glass", "BAS"])
    assert res.exit_code == 0 and "xi = 163.3 A" in res.output
    res = run(["cell-size", "--nP", "9e16", "--rho", "2.3"])
    assert "xi = 148.3 A" in res.output  # the essay prints 154 A; its inputs give 148 A
    _, out, _ = fitted
    res = run(["cell-size", "--from", str(out / "params.json"), "--glass", "BAS"])
    assert res.exit_code == 0 and re.search(r"xi = 1\d\d(\.\d)? ± \d", res.output)
    res = CliRunner().invoke(cli, ["cell-size", "--nP", "5e16"])
    assert res.exit_code == 2 and "give --rho" in res.output
    res = CliRunner().invoke(cli, ["cell-size", "--nP", "-1", "--rho", "3"])
    assert res.exit_code == 2 and "nP_per_g must be > 0" in res.output


def test_tg():
    args = ["--Tc", "1200", "--tau0", "1e-13", "--w0", "3000", "--Theta", "700"]
    res = run(["tg", "--kappa", "0.1", "--kappa", "10", *args])
    assert res.exit_code == 0
    rows = [line.split() for line in res.output.splitlines()[1:]]
    assert [float(r[0]) for r in rows] == [0.1, 10.0]
    assert float(rows[0][1]) < float(rows[1][1])
    res = CliRunner().invoke(cli, ["tg", "--kappa", "1e30", *args])
    assert res.exit_code == 2 and "too fast" in res.output


def test_provenance_records_every_option_and_from_reruns(tmp_path):
    src = EXAMPLES / "eps_BAS_50mK.csv"
    opts = ["--orientation", "aligned", "--matrix-elements", "essay", "--relaxation", "static"]
    a, b = tmp_path / "a", tmp_path / "b"
    res = run(
        [
            "fit",
            str(src),
            "--observable",
            "eps",
            "--material",
            "BAS",
            *opts,
            "--no-compare",
            "--out",
            str(a),
        ]
    )
    assert res.exit_code == 0, res.output
    doc = json.loads((a / "params.json").read_text())
    prov = doc["provenance"]
    model = prov["model"]
    assert model["observable"] == "eps" and model["orientation"] == "aligned"
    row = model["per_curve"][0]
    assert row["matrix_elements"] == "essay" and row["relaxation"] == "static"
    assert row["average"] == "direct" and row["average_from"] == "default"
    assert prov["request"]["material"] == "BAS"
    assert (
        "--orientation aligned --matrix-elements essay --relaxation static"
        in (prov["command_line"])
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", prov["date_utc"])
    assert set(prov["software"]) >= {"python", "numpy", "scipy", "lmfit", "emcee", "etm"}
    assert prov["inputs"] == [{"path": str(src), "sha256": digest(src), "rows_used": 41}]
    status = {p["name"]: p["status"] for p in doc["parameters"]}
    assert set(status.values()) <= {"free", "fixed", "shared", "per curve"}
    assert all(len(p["bounds"]) == 2 for p in doc["parameters"])
    md = (a / "params.md").read_text()
    assert "aligned" in md and "matrix_elements = essay" in md and prov["command_line"] in md
    page = (a / "report.html").read_text()
    assert "aligned" in page and "Correlation matrix" in page
    # --from re-runs the same fit: the same numbers to 1e-10
    res = run(["fit", "--from", str(a / "params.json"), "--out", str(b)])
    assert res.exit_code == 0, res.output
    again = json.loads((b / "params.json").read_text())
    for p, q in zip(doc["parameters"], again["parameters"], strict=True):
        assert p["name"] == q["name"]
        assert q["value"] == pytest.approx(p["value"], rel=1e-10, abs=0)
    assert again["provenance"]["request"] == prov["request"]


def test_from_refuses_a_changed_input_and_extra_options(tmp_path):
    src = tmp_path / "c.csv"
    shutil.copy(BAS[1], src)
    a = tmp_path / "a"
    assert run(["fit", str(src), "--no-compare", "--out", str(a)]).exit_code == 0
    res = CliRunner().invoke(
        cli, ["fit", "--from", str(a / "params.json"), "--seed", "3", "--out", str(tmp_path / "b")]
    )
    assert res.exit_code == 2 and "--from takes no DATA or other options (got --seed)" in res.output
    src.write_text(src.read_text() + "\n")
    res = CliRunner().invoke(
        cli, ["fit", "--from", str(a / "params.json"), "--out", str(tmp_path / "b")]
    )
    assert res.exit_code == 2 and f"input {src} changed since the fit" in res.output
    assert not (tmp_path / "b").exists()


def test_fit_magnetization_from_the_command_line(tmp_path):
    # the magnetization observable (issue 13) through `etm fit`, on the SYNTHETIC M(T) example
    src = EXAMPLES / "magnetization_BAS_1T.csv"
    before = hashlib.sha256(src.read_bytes()).hexdigest()
    out = tmp_path / "fit-m"
    r = CliRunner().invoke(
        cli,
        ["fit", str(src), "--observable", "magnetization", "--material", "BAS", "--out", str(out)],
    )
    assert r.exit_code == 0, r.output
    params = json.loads((out / "params.json").read_text())
    assert "magnetization" in json.dumps(params)
    assert "chi_dia_J_per_T2g" in (out / "params.md").read_text()
    assert hashlib.sha256(src.read_bytes()).hexdigest() == before
