"""`etm fit --plan plan.toml`: a joint fit of several observables from a TOML plan, one report
(issue 9), on the SYNTHETIC example examples/plan_joint_BAS_synthetic.toml."""

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from etm.cli import cli
from etm.fit.plan import read_plan

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PLAN = EXAMPLES / "plan_joint_BAS_synthetic.toml"


@pytest.fixture(scope="module")
def joint(tmp_path_factory):
    out = tmp_path_factory.mktemp("plan") / "out"
    res = CliRunner().invoke(cli, ["fit", "--plan", str(PLAN), "--out", str(out)])
    assert res.exit_code == 0, res.output
    return res, out


def test_plan_fits_shared_cutoffs_once(joint):
    res, out = joint
    doc = json.loads((out / "params.json").read_text())
    shared = {e["name"]: e for e in doc["shared"]}
    assert set(shared) == {"X0min_KA2", "X0max_KA2"}
    # the example is made with X0min = 1.2e5, X0max = 3.0e5 for both observables (3 sigma)
    for name, truth in (("X0min_KA2", 1.2e5), ("X0max_KA2", 3.0e5)):
        assert abs(shared[name]["value"] - truth) < 3 * shared[name]["stderr"]
    assert doc["observables"] == ["cp", "eps"]
    assert doc["goodness_of_fit"]["redchi"] < 2
    md = (out / "params.md").read_text()
    assert md.count("| X0min_KA2 |") == 1  # the shared parameters once
    assert "## Part 0: cp (2 curve(s))" in md and "## Part 1: eps (1 curve(s))" in md
    page = (out / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 3  # a panel per curve of every observable
    assert "Correlation matrix" in page and "http" not in page
    prov = doc["provenance"]
    assert prov["plan"]["text"] == PLAN.read_text()
    assert {Path(i["path"]).name for i in prov["inputs"]} == {
        "joint_cp_BAS_synthetic_0.60K.csv",
        "joint_cp_BAS_synthetic_0.90K.csv",
        "joint_eps_BAS_synthetic_50mK.csv",
    }
    assert "X0min_KA2 (shared) = " in res.output


#: Two valid parts; a case appends keys to the second (eps) part.
TWO = (
    '[[part]]\nobservable = "cp"\nfiles = ["a.csv"]\n[[part]]\nobservable = "eps"\nfiles = ["b"]\n'
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'share = ["X0min_KA2"]\n[[part]]\nobservable = "cp"\nfiles = ["a.csv"]\n',
            "needs at least two [[part]] tables, got 1",
        ),
        ('shared = ["X0min_KA2"]\n', "unknown keys shared"),
        (
            'bounds = { X0min_KA2 = [5, 1] }\n[[part]]\nobservable = "cp"\nfiles = ["a"]\n'
            '[[part]]\nobservable = "eps"\nfiles = ["b"]\n',
            "bounds.X0min_KA2: low 5 >= high 1",
        ),
        ("x = [", "not a valid UTF-8 TOML file"),
        # issue 19, case 8: TypeError tracebacks
        ("bounds = [1, 2]\n" + TWO, "bounds must be a table, e.g. bounds = { X0min_KA2 = "),
        (
            'bounds = { X0min_KA2 = [1, "2"] }\n' + TWO,
            'bounds.X0min_KA2 must be a finite number, got a string "2"',
        ),
        (TWO + "fix = [1, 2]\n", "part 1: fix must be a table, e.g. fix = { n_Fe3_per_g"),
        (TWO + 'fix = { Dmin_K = "0.5" }\n', "part 1: fix.Dmin_K must be a finite number, got a"),
        (TWO + "meta = 5\n", "part 1: meta must be a string, got a number 5"),
        # issue 19, case 23: a string split into letters; [part] as one table
        (
            'share = "X0min_KA2"\n' + TWO,
            'share must be an array of names, e.g. share = ["X0min_KA2"], got a string',
        ),
        (TWO + 'free = "beta_J_per_gK4"\n', "part 1: free must be an array of names"),
        (
            '[part]\nobservable = "cp"\nfiles = ["a.csv"]\n',
            "part must be an array of tables, each written [[part]] (two or more), got one table",
        ),
        (TWO + 'shared = ["x"]\n', "part 1: unknown keys shared"),
        (TWO.replace('"eps"', '"epss"'), "part 1: observable must be one of"),
        # issue 19, case 19: options the command line refuses, or nobody knows
        (TWO + 'options = { colour = "red" }\n', "part 1: options.colour (eps): not an option;"),
        (
            TWO.replace("[[part]]", '[[part]]\noptions = { average = "direct" }', 1),
            "part 0: options.average (cp): only for observable eps",
        ),
        (
            TWO + "options = { average = 5 }\n",
            "part 1: options.average must be one of direct, decoupled, got a number 5",
        ),
        (TWO + "options = { n_wells = 1 }\n", "options.n_wells must be an integer >= 2"),
        (TWO + 'orientation = "sideways"\n', "orientation must be one of isotropic, aligned"),
    ],
)
def test_bad_plans_are_refused(tmp_path, text, message):
    p = tmp_path / "plan.toml"
    p.write_text(text)
    res = CliRunner().invoke(cli, ["fit", "--plan", str(p), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and message in res.output, res.output
    assert "Traceback" not in res.output
    assert [line for line in res.output.splitlines() if line.startswith("Error:")] == [
        res.output.splitlines()[-1]
    ]
    assert not (tmp_path / "o").exists()


def test_a_plan_that_cannot_be_read_is_one_line(tmp_path):
    import os

    for p, message in (
        (tmp_path / "nope.toml", "nope.toml: cannot read (No such file or directory)"),
        (tmp_path / "fifo.toml", "fifo.toml: not a regular file (a named pipe (FIFO))"),
    ):
        if p.name == "fifo.toml":
            os.mkfifo(p)
        res = CliRunner().invoke(cli, ["fit", "--plan", str(p), "--out", str(tmp_path / "o")])
        assert res.exit_code == 2 and f"--plan {p}" in res.output and message in res.output


def test_plan_paths_are_relative_to_the_plan_and_files_once(tmp_path):
    plan = read_plan(PLAN)
    assert all(
        Path(f).is_absolute() and Path(f).exists() for p in plan["parts"] for f in p["files"]
    )
    p = tmp_path / "plan.toml"
    shutil.copy(EXAMPLES / "joint_cp_BAS_synthetic_0.60K.csv", tmp_path / "a.csv")
    p.write_text(
        'share = ["X0min_KA2"]\n[[part]]\nobservable = "cp"\nfiles = ["a.csv"]\n'
        '[[part]]\nobservable = "cp"\nfiles = ["a.csv"]\n'
    )
    res = CliRunner().invoke(cli, ["fit", "--plan", str(p), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "a.csv: given twice; give each file once" in res.output
    res = CliRunner().invoke(cli, ["fit", "--plan", str(p), "a.csv", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "--plan takes no DATA or other options" in res.output
