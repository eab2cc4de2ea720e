"""Every command of examples/README.md, run through the command line, recovers its SYNTHETIC
truth: each listed parameter within 3 reported standard errors, the reduced chi^2 in the stated
range, and the files a fit promises (curves.csv among them) written. The measured resonator's
two commands (S21 traces -> table -> fit) run end to end and land in the ranges the README
states."""

import glob
import json
import re
import shlex
from pathlib import Path

import pytest

from etm.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "examples" / "README.md"


def _commands():
    """(command, reduced chi^2 range, {label: truth}) for each command of the README."""
    out = []
    lines = README.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if not line.startswith("    etm fit ") or "examples/" not in line:
            continue  # (the measured data's fit reads the table a command before it wrote)
        j = i + 1
        rng = None
        truth = {}
        while (
            j < len(lines)
            and not lines[j].startswith("    etm fit ")
            and not (lines[j].startswith("## "))
        ):
            m = re.search(r"\(range ([\d.]+)-([\d.]+)\)", lines[j])
            if m and rng is None:
                rng = (float(m.group(1)), float(m.group(2)))
            row = re.match(r"\| (\S+(?: \[[^\]]+\])?) \| ([-+\d.e]+) \|$", lines[j])
            if row:
                truth[row.group(1)] = float(row.group(2))
            j += 1
        out.append((line.strip(), rng, truth))
    return out


COMMANDS = _commands()


def test_the_readme_lists_every_example_file():
    named = {w for cmd, _, _ in COMMANDS for w in shlex.split(cmd) if w.endswith(".csv")}
    files = {
        f"examples/{p.name}"
        for p in (ROOT / "examples").glob("*.csv")
        if not p.name.startswith("joint_")  # the plan's files (tests/test_fit_plan.py)
    }
    assert files <= named, sorted(files - named)
    assert all(rng is not None and truth for _, rng, truth in COMMANDS)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("command", "redchi", "truth"), COMMANDS, ids=[c[0][8:60] for c in COMMANDS]
)
def test_readme_command_recovers_the_truth(tmp_path, command, redchi, truth):
    args = shlex.split(command)[1:]
    k = args.index("--out")
    args[k + 1] = str(tmp_path / "out")
    args = [str(ROOT / a) if a.startswith("examples/") else a for a in args]
    assert main(args) == 0
    out = tmp_path / "out"
    doc = json.loads((out / "params.json").read_text())
    assert (out / "curves.csv").exists() and (out / "report.html").exists()
    lo, hi = redchi
    assert lo <= doc["goodness_of_fit"]["redchi"] <= hi
    got = {}
    for p in doc["parameters"]:
        if not p["vary"]:
            continue
        stem = p["curve_label"].split(" (")[0] if p["curve_label"] else None
        label = p["name"] if p["curve"] is None else f"{p['name']} [{stem}]"
        got[label] = p
    for label, value in truth.items():
        assert label in got, (label, sorted(got))
        p = got[label]
        # each truth within 3 reported standard errors (the README's promise)
        assert p["stderr"] and abs(p["value"] - value) < 3 * p["stderr"], (label, p, value)


def _measured_commands():
    """The README's `etm resonator` command and the `etm fit` of the table it writes."""
    lines = README.read_text(encoding="utf-8").splitlines()
    i = next(k for k, s in enumerate(lines) if s.startswith("    etm resonator "))
    assert lines[i + 1].startswith("    etm fit "), lines[i + 1]
    return shlex.split(lines[i]), shlex.split(lines[i + 1])


@pytest.mark.slow
def test_the_measured_resonator_from_s21_to_its_gap(tmp_path):
    s21, fit = _measured_commands()
    table_dir = s21[s21.index("--out") + 1]
    args = s21[1:]
    k = args.index("--out")
    args[k + 1] = str(tmp_path / table_dir)
    files = [f for a in args if "*" in a for f in sorted(glob.glob(str(ROOT / a)))]
    args = [a for a in args if "*" not in a] + files
    assert files and main(args) == 0
    table = (tmp_path / table_dir / "resonator_fits.csv").read_text().splitlines()
    rows = [r.split(", ") for r in table if r[:1].isdigit()]
    assert len(rows) == 20  # every trace fitted (the data's README says 19; there are 20 files)
    f0 = {float(r[0]): float(r[3]) for r in rows}
    assert f0[0.315] < f0[0.15] - 100e3  # f0 falls with T above ~150 mK
    args = [a.replace(table_dir, str(tmp_path / table_dir), 1) for a in fit[1:]]
    args[args.index("--out") + 1] = str(tmp_path / "fit")
    assert main(args) == 0
    doc = json.loads((tmp_path / "fit" / "params.json").read_text())
    got = {p["name"]: p for p in doc["parameters"]}
    # the README's ranges: a gap of aluminium films (Tc 1.1-1.3 K), the reduced chi^2 of one
    # Delta and alpha for Q_i and f0 together, the TLS saturated in Q_i at this power
    assert 1.9 < got["Delta_K"]["value"] < 2.3
    assert 4.0 < doc["goodness_of_fit"]["redchi"] < 8.0
    assert got["S_TLS"]["value"] < 0.3 and 5e-6 < got["F_delta0"]["value"] < 5e-5
    assert (tmp_path / "fit" / "fit_loss_channels.png").exists()
