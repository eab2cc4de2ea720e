"""`etm fit` refuses nonsense before any heavy work (issue 9): one line naming the file and the
value, exit status 2, the input byte-identical, no output folder left behind; and it warns after
a poor fit (reduced chi^2 > 3, a parameter at a bound) in the terminal and in every output."""

import hashlib
import html
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from etm.cli import cli
from etm.fit import sanity

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CP = EXAMPLES / "cp_BAS_0.60K.csv"


def sha(p):
    return hashlib.sha256(Path(p).read_bytes()).hexdigest()


def edited(tmp_path, src, name, old, new):
    text = Path(src).read_text()
    assert old in text
    p = tmp_path / name
    p.write_text(text.replace(old, new, 1))
    return p


def refused(tmp_path, args, files, message):
    """Run `etm fit`; assert exit 2, the exact one-line message, inputs unchanged, no output."""
    before = {p: sha(p) for p in files}
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["fit", *map(str, args), "--out", str(out)])
    assert res.exit_code == 2, res.output
    last = res.output.strip().splitlines()[-1]
    assert last == f"Error: {message}"
    assert {p: sha(p) for p in files} == before
    assert not out.exists()
    assert not list(tmp_path.glob(".out.*"))  # no temporary folder either


def test_temperature_unit_slip(tmp_path):
    p = edited(tmp_path, CP, "t600.csv", "# T_K = 0.60", "# T_K = 600")
    msg = (
        f"{p}: T = 600 K is outside the model's range 1 mK - 100 K (a unit slip? write e.g. "
        "T_mK for millikelvin)"
    )
    refused(tmp_path, [p], [p], msg)


def test_negative_heat_capacity(tmp_path):
    p = edited(tmp_path, CP, "neg.csv", "\n0.6, ", "\n0.6, -7.3, 0.04259\n#")
    msg = f"{p}: Cp_J_per_gK = -7.3e-06 at B_T = 0.6 (data row 4) is below 0: not physical for C_p"
    refused(tmp_path, [p], [p], msg)


def test_echo_frequency_contradicts_preset(tmp_path):
    src = EXAMPLES / "echo_BAS_sample2.csv"
    p = edited(tmp_path, src, "echo_f.csv", "# f_GHz = 1\n", "# f_GHz = 0.5\n")
    msg = (
        f"{p}: metadata f_Hz = 5e+08 Hz contradicts --material 'BAS sample 2' (f_Hz = 1e+09 Hz); "
        "choose the matching preset or leave --material out"
    )
    refused(tmp_path, [p, "--observable", "echo", "--material", "BAS sample 2"], [p], msg)


def test_echo_tau12_contradicts_preset(tmp_path):
    src = EXAMPLES / "echo_BK7_6us.csv"
    p = edited(tmp_path, src, "echo_t.csv", "# glass = BK7 tau12=6us\n", "")
    msg = (
        f"{p}: metadata tau12_s = 6e-06 s contradicts --material 'BK7 tau12=1.5us' (tau12_s = "
        "1.5e-06 s); choose the matching preset or leave --material out"
    )
    refused(tmp_path, [p, "--observable", "echo", "--material", "BK7 tau12=1.5us"], [p], msg)


def test_eps_glass_contradicts_preset(tmp_path):
    p = tmp_path / "eps.csv"
    shutil.copy(EXAMPLES / "eps_BAS_50mK.csv", p)
    msg = (
        f"{p}: metadata glass = 'BAS' contradicts --material 'BK7' (glass 'BK7'); choose the "
        "matching preset or leave --material out"
    )
    refused(tmp_path, [p, "--observable", "eps", "--material", "BK7"], [p], msg)


def test_frequency_out_of_range(tmp_path):
    p = edited(
        tmp_path, EXAMPLES / "eps_BAS_50mK.csv", "eps.csv", "# f_kHz = 1\n", "# f_GHz = 1e3\n"
    )
    msg = f"{p}: f = 1e+12 Hz is outside 1 Hz - 1e+11 Hz (a unit slip? write e.g. f_kHz or f_GHz)"
    refused(tmp_path, [p, "--observable", "eps"], [p], msg)


def test_same_file_twice_by_content(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    shutil.copy(CP, a)
    shutil.copy(CP, b)
    msg = f"{b}: same content as {a} (sha256 {sha(a)[:12]}...); give each file once"
    refused(tmp_path, [a, b], [a, b], msg)
    refused(tmp_path, [a, a], [a], f"{a}: given twice; give each file once")


def test_fix_and_free_conflict(tmp_path):
    msg = (
        "--fix beta_J_per_gK4=0 and --free beta_J_per_gK4 conflict: a parameter is either "
        "fixed or free"
    )
    refused(tmp_path, [CP, "--fix", "beta_J_per_gK4=0", "--free", "beta_J_per_gK4"], [CP], msg)


def test_fix_twice(tmp_path):
    msg = "--fix Dmin_K given twice (0.5 and 0.6); give each parameter once"
    refused(tmp_path, [CP, "--fix", "Dmin_K=0.5", "--fix", "Dmin_K=0.6"], [CP], msg)


@pytest.mark.parametrize(
    ("row", "n", "what"), [("0.6, 7.3, 0.04, 9", 4, "extra"), ("0.6, 7.3", 2, "missing")]
)
def test_rows_with_extra_or_missing_cells(tmp_path, row, n, what):
    p = edited(tmp_path, CP, "cells.csv", "\n0.6, ", f"\n{row}\n#")
    line = p.read_text().splitlines().index(row) + 1
    msg = (
        f"{p}, line {line}: {n} cells, but the header on line {line - 4} has 3 (B_T, "
        f"Cp_uJ_per_gK, sigma_uJ_per_gK): {what} cells"
    )
    refused(tmp_path, [p], [p], msg)


def test_unwritable_out_is_checked_first(tmp_path):
    # checked before the inputs: a bad input and a bad --out report the --out
    before = sha(CP)
    for out, msg in [
        ("/proc/etm-fit-out", "--out /proc/etm-fit-out: folder /proc is not writable"),
        (str(CP) + "/out", f"--out {CP}/out: {CP} is a file, not a folder"),
    ]:
        res = CliRunner().invoke(cli, ["fit", str(CP), "--fix", "X=1", "--out", out])
        assert res.exit_code == 2
        assert res.output.strip().splitlines()[-1].startswith(f"Error: {msg}")
        assert not Path(out).exists()
    assert sha(CP) == before


def test_after_fit_warnings_in_every_output(tmp_path):
    # the 0.60 K curve fitted with nP fixed 5x too low: a poor fit, flagged everywhere
    out = tmp_path / "o"
    args = ["fit", str(CP), "--material", "BAS", "--fix", "nP_per_g=1e16", "--no-compare"]
    res = CliRunner().invoke(cli, [*args, "--out", str(out)])
    assert res.exit_code == 0, res.output
    warn = [line for line in res.output.splitlines() if line.startswith("WARNING: reduced chi^2")]
    assert len(warn) == 1
    doc = json.loads((out / "params.json").read_text())
    assert warn[0] in doc["warnings"] and warn[0] in doc["provenance"]["warnings"]
    assert warn[0] in (out / "params.md").read_text()
    assert html.escape(warn[0]) in (out / "report.html").read_text()
    bound = "WARNING: X0max_KA2 [cp_BAS_0.60K] = 1e+08 K A^2 sits at a bound"
    assert any(w.startswith(bound) for w in doc["warnings"])


def test_after_fit_flags_parameter_at_bound():
    class E:
        at_bound, fit_name, value, unit = True, "log10_n_Fe3_per_g", 1e12, "1/g"
        name, curve = "n_Fe3_per_g", None

    class R:
        redchi, weighted, estimates = 1.0, True, (E(),)

    (w,) = sanity.after_fit(R())
    assert w.startswith(
        "WARNING: n_Fe3_per_g = 1e+12 1/g sits at a bound: its error bar is not meaningful"
    )


def test_unit_checks_are_plain_functions():
    assert sanity.parse_fix(["a=1", "b=2e3"]) == {"a": 1.0, "b": 2000.0}
    with pytest.raises(sanity.SanityError, match="given twice"):
        sanity.parse_fix(["a=1", "a=1"])
    with pytest.raises(sanity.SanityError, match="--free x given twice"):
        sanity.check_options({}, free=["x", "x"])


def test_echo_column_in_ppm_is_refused(tmp_path):
    src = EXAMPLES / "echo_BAS_sample2.csv"
    p = edited(
        tmp_path, src, "echo_ppm.csv", "B_mT, rel_echo, sigma_echo", "B_mT, rel_ppm, sigma_ppm"
    )
    msg = (
        f"{p}: column 'rel_ppm' does not hold an echo ratio A(B)/A(B_high); name it rel_echo "
        "or rel_1"
    )
    refused(tmp_path, [p, "--observable", "echo"], [p], msg)
