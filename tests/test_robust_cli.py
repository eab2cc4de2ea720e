"""Issue 19 through the command line: nothing lost, nothing hangs.

Every refusal exits 2 with one ``Error:`` line and creates nothing; output folders appear whole
or not at all (an earlier etm output is replaced whole, anything else refused unless --force);
Ctrl-C exits 130 and SIGTERM 143 with one line and no traceback, leaving no partial folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from etm.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
BAS = EXAMPLES / "cp_BAS_0.60K.csv"
DURAN = EXAMPLES / "cp_Duran_1.11K.csv"


def run(capsys, args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def one_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("Error:")]
    assert len(errors) == 1 and "Traceback" not in err, err
    return errors[0]


def refused(capsys, args, pattern):
    t0 = time.perf_counter()
    code, _, err = run(capsys, args)
    assert code == 2, err
    line = one_error(err)
    assert re.search(pattern, line), line
    assert time.perf_counter() - t0 < 30  # before any fit (imports included)
    return line


# ----------------------------------------------------------------------------------------------
# output folders


@pytest.mark.parametrize("command", ["fit", "reproduce"])
def test_an_empty_out_is_refused(capsys, tmp_path, monkeypatch, command):
    # issue 19, case 3: `--out ''` wrote into the current folder ("wrote 4 files to ")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "params.json").write_text("mine")
    args = [command, BAS, "--out", ""] if command == "fit" else [command, "--out", ""]
    refused(capsys, args, r"--out must name a folder, got ''")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["params.json"]
    assert (tmp_path / "params.json").read_text() == "mine"


@pytest.mark.parametrize(
    ("out", "pattern"),
    [
        ("afile/x", r"--out afile/x: afile is a file, not a folder"),
        ("/proc/x", r"--out /proc/x: folder /proc is not writable \("),
    ],
)
@pytest.mark.parametrize("command", ["fit", "reproduce"])
def test_unusable_out_paths_are_refused_up_front(
    capsys, tmp_path, monkeypatch, command, out, pattern
):
    # issue 19, case 10: NotADirectoryError and FileNotFoundError tracebacks
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("x")
    args = [command, BAS, "--out", out] if command == "fit" else [command, "--out", out]
    refused(capsys, args, pattern)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


def _read_only(folder: Path):
    """Make ``folder`` read-only even for root (the immutable attribute) or skip."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return lambda: folder.chmod(0o755)
    if shutil.which("chattr") is None:
        pytest.skip("needs chattr to make a folder read-only for root")
    res = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False)
    if res.returncode != 0:
        pytest.skip(f"chattr +i failed: {res.stderr.decode().strip()}")
    return lambda: subprocess.run(["chattr", "-i", str(folder)], check=False)


@pytest.mark.parametrize("command", ["fit", "reproduce"])
def test_a_read_only_parent_is_refused_up_front(capsys, tmp_path, command):
    # issue 19, case 10: a PermissionError traceback
    ro = tmp_path / "ro"
    ro.mkdir()
    out = ro / "x"
    args = [command, BAS, "--out", out] if command == "fit" else [command, "--out", out]
    undo = _read_only(ro)
    try:
        refused(capsys, args, r"ro/x: folder .*ro is not writable \(")
    finally:
        undo()
    assert list(ro.iterdir()) == []


def test_reproduce_refuses_a_folder_of_other_files_unless_forced(capsys, tmp_path):
    keep = tmp_path / "mine.txt"
    keep.write_text("do not touch")
    args = ["reproduce", "--out", tmp_path, "--fast", "--no-progress", "--format", "png"]
    refused(capsys, args, r"holds files etm did not write \(mine.txt\).*--force")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.txt"]


def test_a_folder_named_like_an_output_is_refused_before_the_fit(capsys, tmp_path):
    # issue 19, case 5: the fit ran to the end, then IsADirectoryError and a half-moved folder
    out = tmp_path / "out"
    (out / "params.json").mkdir(parents=True)
    refused(capsys, ["fit", BAS, "--out", out], r"holds files etm did not write \(params.json/\)")
    refused(capsys, ["fit", BAS, "--out", out, "--force"], r"params.json/ would be replaced")
    assert [p.name for p in out.iterdir()] == ["params.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_refit_replaces_the_earlier_output_whole(capsys, tmp_path):
    # issue 19, case 2: the first fit's figures stayed beside the second fit's report
    out = tmp_path / "out"
    duran = sorted(EXAMPLES.glob("cp_Duran_*.csv"))[:2]
    code, _, err = run(capsys, ["fit", *duran, "--no-compare", "--out", out])
    assert code == 0, err
    assert {"overlay.png", "parameters_vs_T.png", "fit_1_cp_Duran_1.23K.png"} <= {
        p.name for p in out.iterdir()
    }
    code, _, err = run(capsys, ["fit", BAS, "--no-compare", "--out", out])
    assert code == 0, err
    assert {p.name for p in out.iterdir()} - {"curves.csv"} == {
        "fit_0_cp_BAS_0.60K.png",
        "params.json",
        "params.md",
        "report.html",
    }
    doc = json.loads((out / "params.json").read_text())
    assert [Path(i["path"]).name for i in doc["inputs"]] == ["cp_BAS_0.60K.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    # a file of the user's is kept with --force, and refused without it
    (out / "notes.txt").write_text("mine")
    refused(capsys, ["fit", BAS, "--no-compare", "--out", out], r"\(notes.txt\)")
    code, _, err = run(capsys, ["fit", DURAN, "--no-compare", "--out", out, "--force"])
    assert code == 0, err
    names = {p.name for p in out.iterdir()}
    assert "notes.txt" in names and "fit_0_cp_BAS_0.60K.png" not in names


def _fit_process(data: Path, out: Path) -> subprocess.Popen:
    args = [sys.executable, "-m", "etm.cli", "fit", str(data), "--no-compare", "--out", str(out)]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_two_fits_into_one_out_at_once_do_not_mix(tmp_path):
    # issue 19, case 1: the folder ended with both fits' figures and one fit's params.json
    out = tmp_path / "conc"
    for _ in range(2):
        procs = [_fit_process(BAS, out), _fit_process(DURAN, out)]
        results = [p.communicate(timeout=600) + (p.returncode,) for p in procs]
        assert [r[2] for r in results] == [0, 0], [r[1][-2000:] for r in results]
        doc = json.loads((out / "params.json").read_text())
        (source,) = [Path(i["path"]).stem for i in doc["inputs"]]
        assert {p.name for p in out.iterdir()} - {"curves.csv"} == {
            f"fit_0_{source}.png",
            "params.json",
            "params.md",
            "report.html",
        }
        assert source in (out / "report.html").read_text()
        assert sorted(p.name for p in tmp_path.iterdir()) == ["conc"]


# ----------------------------------------------------------------------------------------------
# interrupts


def _reproduce(out: Path) -> subprocess.Popen:
    args = [sys.executable, "-m", "etm.cli", "reproduce", "--out", str(out), "--fast"]
    args += ["--no-progress", "--format", "png"]
    # a child of a non-interactive shell may inherit SIGINT ignored: restore the default
    return subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _staging(parent: Path) -> list[Path]:
    return [p for p in parent.iterdir() if ".etm-staging-" in p.name]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("sig", "code", "line"),
    [
        (signal.SIGINT, 130, "etm: interrupted (Ctrl-C)"),
        (signal.SIGTERM, 143, "etm: terminated (SIGTERM)"),
        (signal.SIGKILL, -9, None),
    ],
)
def test_an_interrupted_reproduce_leaves_no_partial_folder(tmp_path, sig, code, line):
    # issue 19, cases 4 and 12: X held 36 of 43 files and no audit.md; Ctrl-C ended with
    # `SystemError: CPUDispatcher(...) returned a result with an exception set`
    earlier = tmp_path / "X"
    earlier.mkdir()
    (earlier / "old.png").write_text("earlier run")
    (earlier / "provenance.json").write_text('{"software": "etm", "files": ["old.png"]}')
    fresh = tmp_path / "Y"
    for out in (earlier, fresh):
        proc = _reproduce(out)
        deadline = time.monotonic() + 120
        # interrupt once the figures are being drawn into the temporary folder
        while time.monotonic() < deadline:
            staged = _staging(tmp_path)
            if staged and any(p.suffix == ".png" for p in staged[0].iterdir()):
                break
            time.sleep(0.2)
        else:
            proc.kill()
            pytest.fail("reproduce never started writing")
        proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=120)
        assert proc.returncode == code, stderr[-2000:]
        assert "Traceback" not in stderr and "SystemError" not in stderr
        if line is not None:
            assert [s for s in stderr.splitlines() if s.strip()] == [line]
            assert _staging(tmp_path) == []
        assert stdout == ""
    assert sorted(p.name for p in earlier.iterdir()) == ["old.png", "provenance.json"]
    assert not fresh.exists()
    if sig == signal.SIGKILL:  # the next run clears what the killed one left
        assert _staging(tmp_path)
        from etm.io import output_folder

        for out in (earlier, fresh):
            with output_folder(out) as tmp:
                (tmp / "a.txt").write_text("x")
        assert _staging(tmp_path) == []


def _raiser(exc: BaseException):
    def f(*args, **kwargs):
        raise exc

    return f


def _numba_style_interrupt() -> SystemError:
    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as ki:
            raise SystemError(
                "CPUDispatcher(<function x>) returned a result with an exception set"
            ) from ki
    except SystemError as exc:
        return exc


@pytest.mark.parametrize("exc", [KeyboardInterrupt(), _numba_style_interrupt()])
def test_ctrl_c_in_reproduce_exits_130_with_one_line(capsys, tmp_path, monkeypatch, exc):
    from etm import reproduce

    spec = reproduce.FIGURES[3]
    broken = reproduce.FigureSpec(spec.name, spec.title, _raiser(exc), _raiser(exc))
    monkeypatch.setattr(reproduce, "FIGURES", (*reproduce.FIGURES[:3], broken))
    code, out, err = run(capsys, ["reproduce", "--out", tmp_path / "X", "--fast", "--no-progress"])
    assert code == 130
    assert [s for s in err.splitlines() if s.strip()] == ["etm: interrupted (Ctrl-C)"]
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_in_materials_exits_130(capsys, monkeypatch):
    from etm import materials

    monkeypatch.setattr(materials, "describe", _raiser(KeyboardInterrupt()))
    code, out, err = run(capsys, ["materials"])
    assert code == 130 and "Traceback" not in err
    assert [s for s in err.splitlines() if s.strip()] == ["etm: interrupted (Ctrl-C)"]


@pytest.mark.parametrize("where", ["fit", "report"])
def test_ctrl_c_during_or_after_a_fit_exits_130_and_writes_nothing(
    capsys, tmp_path, monkeypatch, where
):
    if where == "fit":
        import etm.fit.engine as target

        name = "fit_problem"
    else:  # after the fit (and after any MCMC): while the report is drawn
        import etm.fit.report as target

        name = "report_figures"
    monkeypatch.setattr(target, name, _raiser(KeyboardInterrupt()))
    out = tmp_path / "out"
    code, _, err = run(capsys, ["fit", BAS, "--no-compare", "--out", out])
    assert code == 130, err
    assert [s for s in err.splitlines() if s.strip()] == ["etm: interrupted (Ctrl-C)"]
    assert list(tmp_path.iterdir()) == []


def test_sigterm_exits_143():
    code = (
        "import os, signal, sys, time\n"
        "from etm import materials\n"
        "from etm.cli import main\n"
        "def terminate(*a, **k):\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "    time.sleep(5)\n"
        "materials.describe = terminate\n"
        "code = main(['materials'])\n"
        "assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # restored\n"
        "sys.exit(code)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert res.returncode == 143, res.stderr[-2000:]
    assert [s for s in res.stderr.splitlines() if s.strip()] == ["etm: terminated (SIGTERM)"]


# ----------------------------------------------------------------------------------------------
# inputs


def test_special_files_as_data_are_refused_at_once(capsys, tmp_path):
    # issue 19, case 7: a FIFO blocked forever, /dev/zero read to a MemoryError, a loop raised
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    loop = tmp_path / "loop.csv"
    loop.symlink_to(tmp_path / "loop2.csv")
    (tmp_path / "loop2.csv").symlink_to(loop)
    out = tmp_path / "out"
    refused(capsys, ["fit", fifo, "--out", out], r"fifo.csv: not a regular file \(a named pipe")
    refused(capsys, ["fit", "/dev/zero", "--out", out], r"/dev/zero: not a regular file")
    refused(capsys, ["fit", loop, "--out", out], r"loop.csv: cannot read \(a symlink loop\)")
    assert not out.exists()


def test_a_missing_meta_file_is_one_line(capsys, tmp_path):
    # issue 19, case 8: FileNotFoundError traceback
    out = tmp_path / "out"
    args = ["fit", BAS, "--meta", tmp_path / "nope.toml", "--out", out]
    refused(capsys, args, r"nope.toml: cannot read \(No such file or directory\)")
    assert not out.exists()


def test_a_negative_field_names_the_file_line_and_column(capsys, tmp_path):
    # issue 19, case 20: `B_T must be >= 0, got min np.float64(-1.0)`
    p = tmp_path / "neg.csv"
    p.write_text("# T_K = 0.6\nB_T, Cp_J_per_gK\n-1, 1e-6\n0, 2e-6\n1, 3e-6\n")
    refused(capsys, ["fit", p, "--out", tmp_path / "o"], r"neg.csv, line 3, column 1 \('B_T'\)")


def _params(tmp_path: Path, doc) -> Path:
    p = tmp_path / "params.json"
    p.write_text(json.dumps(doc) if not isinstance(doc, str) else doc)
    return p


@pytest.mark.parametrize(
    ("content", "pattern"),
    [
        (None, r"--from .*nope.json: cannot read \(No such file or directory\)"),
        ('{"software": "etm", "par', r"not valid JSON \(line 1, column 21: Unterminated string"),
        ([1, 2], r"not a params.json written by etm fit \(it holds an array\)"),
        (
            {"software": "etm", "kind": "joint fit", "provenance": {"plan": {"path": "/p.toml"}}},
            r"the params.json of a joint fit; re-run it with etm fit --plan /p.toml",
        ),
        ({"software": "etm", "parameters": []}, r"no provenance.request"),
    ],
)
def test_from_says_what_is_wrong_with_the_file(capsys, tmp_path, content, pattern):
    # issue 19, case 22: every case said "not a params.json written by etm fit"
    path = tmp_path / "nope.json" if content is None else _params(tmp_path, content)
    refused(capsys, ["fit", "--from", path, "--out", tmp_path / "o"], pattern)


def test_from_with_data_lists_data_once(capsys, tmp_path):
    # issue 19, case 22: `--from X DATA` listed a spurious --data
    p = _params(tmp_path, {"software": "etm"})
    line = refused(capsys, ["fit", "--from", p, BAS, "--out", tmp_path / "o"], r"got DATA\)$")
    assert "--data" not in line


@pytest.mark.parametrize(
    ("content", "pattern"),
    [
        ([1, 2], r"--from .*params.json: not a params.json written by etm fit"),
        ("B_T, Cp\n0, 1\n", r"--from .*params.json: not valid JSON \(line 1, column 1"),
        ({"software": "etm", "parameters": [1, 2]}, r"expected one shared nP_per_g, found 0"),
    ],
)
def test_cell_size_from_a_bad_file_is_one_line(capsys, tmp_path, content, pattern):
    # issue 19, cases 10 and 22: AttributeError; "Expecting value: line 1 column 1"
    p = _params(tmp_path, content)
    refused(capsys, ["cell-size", "--from", p, "--glass", "BAS"], pattern)


def test_cell_size_from_a_fit(capsys, tmp_path):
    p = _params(
        tmp_path,
        {"software": "etm", "parameters": [{"name": "nP_per_g", "value": 5e16, "stderr": None}]},
    )
    code, out, err = run(capsys, ["cell-size", "--from", p, "--glass", "BAS"])
    assert code == 0 and "xi = 163" in out, err


def test_special_out_is_refused_before_reading_inputs(capsys, tmp_path):
    # the output folder is checked first: nothing is read when it cannot be written
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    refused(capsys, ["fit", fifo, "--out", ""], r"--out must name a folder")
