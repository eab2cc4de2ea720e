"""Issue 19: output folders written as one unit, inputs read defensively, numba's cache anywhere.

The library side of "nothing lost, nothing hangs" (the command line's is tests/test_robust_cli.py):
:func:`etm.io.output_folder` (replace an earlier etm output whole, refuse anything else unless
``force``, writers never mix, nothing partial on an exception), :mod:`etm.inputs` (regular files
only, never blocking), and the numba cache fallback of ``etm/__init__.py``.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from etm.inputs import InputError, read_input, resolved, sha256_file
from etm.io import OutputError, atomic_write_dir, check_output_folder, output_folder

ROOT = Path(__file__).resolve().parents[1]


def _write(tmp: Path, names: list[str], tag: str = "") -> None:
    for n in names:
        (tmp / n).write_text(n + tag)
    doc = {"software": "etm", "files": sorted(names)}
    (tmp / "provenance.json").write_text(json.dumps(doc))


def _names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


# ----------------------------------------------------------------------------------------------
# output folders


def test_an_earlier_output_is_replaced_whole(tmp_path):
    # issue 19, case 2: the earlier run's files must not stay beside the new ones
    out = tmp_path / "out"
    with output_folder(out) as tmp:
        _write(tmp, ["fit_1_a.png", "fit_2_b.png", "overlay.png"])
    with output_folder(out) as tmp:
        _write(tmp, ["fit_0_c.png"])
    assert _names(out) == {"fit_0_c.png", "provenance.json"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # nothing left beside it


def test_a_fit_report_is_recognised_by_its_params_json(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    for n in ("fit_0_a.png", "fit_1_b.png", "overlay.png", "params.md", "report.html"):
        (out / n).write_text("old")
    (out / "params.json").write_text('{"software": "etm", "parameters": []}')
    atomic_write_dir(out, lambda t: (t / "params.json").write_text('{"software": "etm"}'))
    assert _names(out) == {"params.json"}


def test_a_folder_holding_other_files_is_refused_unless_forced(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match=r"holds files etm did not write \(notes.txt\).*--force"):
        check_output_folder(out)
    with pytest.raises(OutputError, match="notes.txt"), output_folder(out) as tmp:
        _write(tmp, ["a.png"])
    assert _names(out) == {"notes.txt"}
    with output_folder(out, force=True) as tmp:
        _write(tmp, ["a.png"])
    assert _names(out) == {"notes.txt", "a.png", "provenance.json"}
    # forced again: the earlier output's stale files go, the user's file stays
    with output_folder(out, force=True) as tmp:
        _write(tmp, ["b.png"])
    assert _names(out) == {"notes.txt", "b.png", "provenance.json"}
    assert (out / "notes.txt").read_text() == "mine"


def test_an_output_name_taken_by_a_folder_is_refused_before_anything_moves(tmp_path):
    # issue 19, case 5: a folder named params.json inside --out
    out = tmp_path / "out"
    (out / "params.json").mkdir(parents=True)
    (out / "other.txt").write_text("x")
    with pytest.raises(OutputError, match=r"holds files etm did not write \(other.txt, params"):
        check_output_folder(out)
    with pytest.raises(OutputError, match=r"params.json/ would be replaced by an output file"):
        check_output_folder(out, force=True, names=["params.json"])
    with pytest.raises(OutputError, match="params.json/ would be replaced"):
        with output_folder(out, force=True) as tmp:
            (tmp / "a.png").write_text("a")
            (tmp / "params.json").write_text("{}")
    assert _names(out) == {"params.json", "other.txt"}  # nothing moved
    assert not [p for p in tmp_path.iterdir() if p.name != "out"]


@pytest.mark.parametrize("exc", [KeyboardInterrupt, RuntimeError])
def test_an_interrupted_write_leaves_nothing(tmp_path, exc):
    out = tmp_path / "a" / "b" / "out"
    with pytest.raises(exc), output_folder(out) as tmp:
        (tmp / "half.png").write_text("x")
        raise exc()
    assert list(tmp_path.iterdir()) == []  # not even the parents it created
    old = tmp_path / "old"
    with output_folder(old) as tmp:
        _write(tmp, ["a.png"])
    with pytest.raises(exc), output_folder(old) as tmp:
        _write(tmp, ["b.png"])
        raise exc()
    assert _names(old) == {"a.png", "provenance.json"}  # the earlier output, intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old"]


@pytest.mark.parametrize(
    ("make", "pattern"),
    [
        (lambda t: "", r"--out must name a folder, got ''"),
        (lambda t: "   ", r"--out must name a folder, got '   '"),
        (lambda t: str(t / "afile" / "x"), r"afile is a file, not a folder"),
        (lambda t: "/proc/x", r"--out /proc/x: folder /proc is not writable"),
        (lambda t: "/", r"the root folder cannot be an output folder"),
        (lambda t: "/proc", r"holds files etm did not write"),
    ],
)
def test_unusable_paths_are_refused_up_front(tmp_path, make, pattern):
    (tmp_path / "afile").write_text("x")
    with pytest.raises(OutputError, match=pattern) as info:
        check_output_folder(make(tmp_path))
    assert "\n" not in str(info.value)
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


def test_a_read_only_parent_is_refused_up_front(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    undo = _read_only(ro)
    try:
        with pytest.raises(OutputError, match=r"ro/x: folder .*ro is not writable \("):
            check_output_folder(ro / "x")
    finally:
        undo()


def _writer(out: str, tag: str, delay: float) -> None:
    names = [f"{tag}_{i}.png" for i in range(5)]

    def write(tmp: Path) -> None:
        for n in names:
            (tmp / n).write_text(tag)
            time.sleep(delay)
        (tmp / "provenance.json").write_text(json.dumps({"software": "etm", "files": names}))

    atomic_write_dir(out, write)


@pytest.mark.slow
def test_concurrent_writers_never_mix(tmp_path):
    # issue 19, case 1: two writers of one folder end with one complete output, never a mix
    out = tmp_path / "out"
    ctx = multiprocessing.get_context("spawn")
    for _ in range(3):
        procs = [
            ctx.Process(target=_writer, args=(str(out), tag, 0.01 * (k + 1)))
            for k, tag in enumerate("abcd")
        ]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
        assert [p.exitcode for p in procs] == [0, 0, 0, 0]
        tags = {n.split("_")[0] for n in _names(out) if n != "provenance.json"}
        assert len(tags) == 1, _names(out)
        listed = json.loads((out / "provenance.json").read_text())["files"]
        assert _names(out) == set(listed) | {"provenance.json"}
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_writer_waits_for_the_lock_and_gives_up_with_one_line(tmp_path):
    import fcntl

    out = tmp_path / "out"
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with pytest.raises(OutputError, match="another etm process kept writing"):
            with output_folder(out, wait_s=0.2) as tmp:
                _write(tmp, ["a.png"])
    finally:
        os.close(fd)
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_a_killed_writers_leftovers_are_removed_by_the_next(tmp_path):
    out = tmp_path / "out"
    code = (
        "import os, sys, time\n"
        "from etm.io import output_folder\n"
        f"with output_folder({str(out)!r}) as tmp:\n"
        "    (tmp / 'a.png').write_text('x'); print(tmp, flush=True); time.sleep(60)\n"
    )
    with subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) as p:
        staging = Path(p.stdout.readline().strip())
        p.kill()
    assert staging.exists() and not out.exists()  # SIGKILL: no partial folder at --out
    with output_folder(out) as tmp:
        _write(tmp, ["b.png"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_symlinked_output_folder_is_followed(tmp_path):
    real = tmp_path / "real"
    with output_folder(real) as tmp:
        _write(tmp, ["a.png"])
    link = tmp_path / "link"
    link.symlink_to(real)
    with output_folder(link) as tmp:
        _write(tmp, ["b.png"])
    assert link.is_symlink() and _names(real) == {"b.png", "provenance.json"}


# ----------------------------------------------------------------------------------------------
# inputs


def test_inputs_must_be_regular_files(tmp_path):
    # issue 19, case 7: a FIFO blocked forever, /dev/zero read without end, a loop raised
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    loop = tmp_path / "loop1"
    loop.symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(loop)
    cases = [
        (fifo, r"fifo: not a regular file \(a named pipe \(FIFO\)\)"),
        ("/dev/zero", r"/dev/zero: not a regular file \(a character device\)"),
        (loop, r"loop1: cannot read \(a symlink loop\)"),
        (tmp_path, r": not a regular file \(a folder\)"),
        (tmp_path / "nope", r"nope: cannot read \(No such file or directory\)"),
    ]
    for path, pattern in cases:
        t0 = time.perf_counter()
        for read in (read_input, sha256_file):
            with pytest.raises(InputError, match=pattern):
                read(path)
        assert time.perf_counter() - t0 < 2.0
    assert resolved(loop) == str(loop)  # no RuntimeError from Path.resolve


def test_read_input_caps_the_size(tmp_path):
    p = tmp_path / "big.toml"
    p.write_bytes(b"x" * 101)
    with pytest.raises(InputError, match=r"--meta big.toml: larger than 100 bytes"):
        read_input(p, max_bytes=100, label="--meta big.toml")
    assert read_input(p, max_bytes=101) == b"x" * 101


# ----------------------------------------------------------------------------------------------
# numba's cache without a writable home (issue 19, case 11)


def test_numba_cache_falls_back_to_a_private_temporary_folder(monkeypatch, tmp_path):
    import etm

    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)
    monkeypatch.setattr(etm, "_writable_or_creatable", lambda path: False)
    monkeypatch.setitem(sys.modules, "numba.core.config", None)  # not imported yet
    etm._numba_cache_fallback()
    folder = Path(os.environ["NUMBA_CACHE_DIR"])
    assert folder == tmp_path / f"etm-numba-cache-{os.getuid()}"
    assert folder.stat().st_mode & 0o777 == 0o700
    # a folder of that name that others may write is not trusted: a fresh one instead
    monkeypatch.delenv("NUMBA_CACHE_DIR")
    folder.chmod(0o777)
    etm._numba_cache_fallback()
    other = Path(os.environ["NUMBA_CACHE_DIR"])
    assert other != folder and other.parent == tmp_path
    # a variable already set is the user's choice
    monkeypatch.setenv("NUMBA_CACHE_DIR", "/somewhere")
    etm._numba_cache_fallback()
    assert os.environ["NUMBA_CACHE_DIR"] == "/somewhere"


def _as_nobody() -> list[str]:
    """A command prefix that runs as uid 65534 (reading, not writing, root's files), or skip."""
    if os.geteuid() != 0:
        return []  # already unprivileged
    if shutil.which("setpriv") is None:
        pytest.skip("needs setpriv to run as an unprivileged user")
    prefix = [
        "setpriv",
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        # read root's files (the interpreter may live in /root) but write nothing of root's
        "--inh-caps=+dac_read_search",
        "--ambient-caps=+dac_read_search",
    ]
    probe = subprocess.run([*prefix, sys.executable, "-c", "pass"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"setpriv cannot run python here: {probe.stderr.decode()[-200:]}")
    return prefix


@pytest.mark.slow
def test_a_fit_runs_as_a_user_without_a_writable_home(tmp_path):
    prefix = _as_nobody()
    out = tmp_path / "shared"
    out.mkdir()
    out.chmod(0o777)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NUMBA_", "XDG_"))}
    env.update(HOME="/nonexistent", TMPDIR=str(out))
    # a copy the user can read: the CLI checks readability with access(2), which ignores the
    # capability, so every folder on the path must be open to it (pytest's tmp_path and a fresh
    # clone in mktemp -d are not): a folder of its own under the system's temporary directory
    with tempfile.TemporaryDirectory() as public:
        Path(public).chmod(0o755)
        data = Path(public) / "cp_BAS_0.60K.csv"
        shutil.copyfile(ROOT / "examples" / "cp_BAS_0.60K.csv", data)
        data.chmod(0o644)
        args = ["-m", "etm.cli", "fit", str(data), "--no-compare", "--out", str(out / "fit")]
        res = subprocess.run(
            [*prefix, sys.executable, *args], capture_output=True, text=True, env=env, timeout=900
        )
    assert res.returncode == 0, res.stderr[-3000:]
    assert "no locator available" not in res.stderr
    assert (out / "fit" / "params.json").exists()
