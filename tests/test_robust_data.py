"""Issue 19: hostile and careless data files give one line naming file, line and column.

:func:`etm.fit.data.read_curve` streams the file (etm.fit.datafile): regular files only, caps
checked while reading, cells of any length, plain decimal numbers only, metadata in one place.
The command line's view of the same files is in tests/test_robust_cli.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import pytest

from etm.fit.data import read_curve
from etm.fit.datafile import MAX_LINE_CHARS, MAX_ROWS


def write(tmp_path, text, name="data.csv"):
    p = tmp_path / name
    p.write_bytes(text.encode("utf-8"))
    return p


def refused(path, pattern, **kwargs):
    before = path.read_bytes() if path.is_file() else None
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match=pattern) as info:
        read_curve(path, **kwargs)
    assert time.perf_counter() - t0 < 2.0
    message = str(info.value)
    assert "\n" not in message and len(message) < 600  # one readable line
    assert "np.float64" not in message
    if before is not None:
        assert path.read_bytes() == before
    return message


@pytest.mark.parametrize("where", ["cell", "header"])
def test_a_cell_or_header_of_any_length_gives_one_line(tmp_path, where):
    # issue 19, case 6: `_csv.Error: field larger than field limit (131072)`
    long = "1" * 200_000
    if where == "cell":
        text = f"# T_K = 0.6\nB_T, Cp_J_per_gK\n0, 1e-6\n1, {long}\n"
        pattern = rf"data.csv, line 4: longer than {MAX_LINE_CHARS} characters"
    else:
        text = f"# T_K = 0.6\nB_T, Cp_J_per_gK, {long}\n0, 1e-6, 1\n1, 2e-6, 1\n"
        pattern = rf"data.csv, line 2: longer than {MAX_LINE_CHARS} characters"
    refused(write(tmp_path, text), pattern)
    # just under the cap: a cell of 100000 characters is read as a cell (and refused as such)
    cell = "2" * 100_000
    p = write(tmp_path, f'B_T, Cp_J_per_gK, note\n0, 1e-6, a\n1, 2e-6, b"{cell}\n', "ok.csv")
    refused(p, r"ok.csv, line 3: longer than")
    p = write(tmp_path, f"B_T, Cp_J_per_gK, note\n0, 1e-6, a\n1, 2e-6, {cell[:60000]}\n", "n.csv")
    assert len(read_curve(p)) == 2  # an ignored column of 60000 characters is fine


def test_special_files_are_refused_without_blocking(tmp_path):
    # issue 19, case 7
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    refused(fifo, r"fifo.csv: not a regular file \(a named pipe \(FIFO\)\)")
    from pathlib import Path

    refused(Path("/dev/zero"), r"/dev/zero: not a regular file \(a character device\)")
    loop = tmp_path / "loop.csv"
    loop.symlink_to(tmp_path / "loop2.csv")
    (tmp_path / "loop2.csv").symlink_to(loop)
    refused(loop, r"loop.csv: cannot read \(a symlink loop\)")


@pytest.mark.parametrize(
    ("cell", "pattern"),
    [
        ("7_857124", r"not a number: '7_857124' \(digit-group underscores .*write 7857124\)"),
        ("1_0", r"not a number: '1_0'"),
        ("١٢", r"not a number: '١٢' \(not a plain decimal number; write 12.0\)"),
        ("infinity", r"'infinity' is not a finite number"),
        ("0x10", r"not a number: '0x10'$"),
    ],
)
def test_python_only_number_forms_are_refused(tmp_path, cell, pattern):
    # issue 19, case 16: Python's float reads 7_857124 as 7857124
    p = write(tmp_path, f"# T_K = 0.6\nB_T, Cp_uJ_per_gK\n0, 5\n1, {cell}\n")
    refused(p, r"data.csv, line 4, column 2 \('Cp_uJ_per_gK'\): " + pattern)


def test_python_only_forms_in_metadata_are_not_numbers(tmp_path):
    p = write(tmp_path, "# T_K = 0_6\nB_T, Cp_uJ_per_gK\n0, 5\n1, 6\n")
    refused(p, r"data.csv, line 1: metadata 'T_K' must be a finite number, got '0_6'")


def test_metadata_below_the_header_is_refused_naming_both_lines(tmp_path):
    # issue 19, case 18: it was silently ignored in favour of the line above the header
    p = write(tmp_path, "# T_K = 0.6\nB_T, Cp_uJ_per_gK\n0, 5\n# T_K = 1.36\n1, 6\n")
    refused(
        p,
        r"data.csv, line 4: metadata 'T_K' below the header row \(line 2\) would be ignored, "
        r"and line 1 above it already gives T_K",
    )
    p = write(tmp_path, "B_T, Cp_uJ_per_gK\n0, 5\n# T_mK = 600\n1, 6\n", "b.csv")
    refused(p, r"b.csv, line 3: metadata 'T_mK' below the header row \(line 1\) would be ignored;")
    # free-text comments between rows stay allowed
    p = write(tmp_path, "B_T, Cp_uJ_per_gK\n0, 5\n# a note: x=1 for B < 1\n1, 6\n", "c.csv")
    assert len(read_curve(p)) == 2


def test_a_quantity_given_as_column_and_metadata_is_refused(tmp_path):
    # issue 19, case 18: a T_K column in a field curve beside a T_K line
    p = write(tmp_path, "# T_K = 0.6\nB_T, Cp_uJ_per_gK, T_K\n0, 5, 0.6\n1, 6, 0.61\n")
    refused(
        p,
        r"data.csv: T_K is given twice, by the metadata line 1 and by column 3 \('T_K'\) on "
        r"line 2; keep one",
    )
    toml = tmp_path / "meta.toml"
    toml.write_text("T_mK = 600\n")
    p = write(tmp_path, "B_T, Cp_uJ_per_gK, T_mK\n0, 5, 600\n1, 6, 600\n", "b.csv")
    refused(p, r"b.csv: T_K is given twice, by .*meta.toml and by column 3", metadata_toml=toml)


def test_a_negative_field_names_file_line_and_column(tmp_path):
    # issue 19, case 20: it was `B_T must be >= 0, got min np.float64(-1.0)` from the model
    p = write(tmp_path, "# T_K = 0.6\nB_mT, Cp_uJ_per_gK\n-1000, 5\n0, 6\n")
    refused(p, r"data.csv, line 3, column 1 \('B_mT'\): B must be >= 0, got -1000$")
    p = write(tmp_path, "# B_T = 0\nT_mK, Cp_uJ_per_gK\n0, 5\n1, 6\n", "t.csv")
    refused(p, r"t.csv, line 3, column 1 \('T_mK'\): T must be > 0, got 0$", x=("B", "T"))


@pytest.mark.parametrize(("sep", "name"), [("\t", "tabs"), (";", "semicolons")])
def test_other_separators_get_a_hint(tmp_path, sep, name):
    # issue 19, case 21: "missing column Cp_<unit>" without a word about the separator
    text = f"# T_K = 0.6\nB_T{sep}Cp_uJ_per_gK\n0{sep}5\n1{sep}6\n"
    refused(
        write(tmp_path, text),
        r"missing column Cp_<unit> \(e.g. Cp_J_per_gK\); found columns: B_T(\\t|;)Cp_uJ_per_gK; "
        rf"the file seems to be separated by {name}: etm reads comma-separated values",
    )
    text = f"# T_K = 0.6\nB_T, Cp_uJ_per_gK\n0, 5\n1{sep}6\n"
    refused(write(tmp_path, text, "rows.csv"), rf"missing cells; the file seems .* by {name}")


def test_a_sigma_that_underflows_is_not_reported_as_0_0(tmp_path):
    # issue 19, case 23: "sigma must be > 0, got 0.0" for a cell reading 1e-400
    p = write(tmp_path, "# T_K = 0.6\nB_T, Cp_uJ_per_gK, sigma_uJ_per_gK\n0, 5, 1e-400\n1, 6, 1\n")
    refused(
        p,
        r"line 3, column 3 \('sigma_uJ_per_gK'\): sigma must be > 0, got 1e-400, which is 0 "
        r"in double precision",
    )
    p = write(tmp_path, "B_T, Cp_uJ_per_gK, sigma_uJ_per_gK\n0, 5, -0.5\n1, 6, 1\n", "n.csv")
    refused(p, r"sigma must be > 0, got -0.5$")


def test_toml_metadata_that_cannot_be_read_gives_one_line(tmp_path):
    # issue 19, case 8: `--meta nope.toml` was a FileNotFoundError traceback
    p = write(tmp_path, "# T_K = 0.6\nB_T, Cp_uJ_per_gK\n0, 5\n1, 6\n")
    refused(
        p,
        r"nope.toml: cannot read \(No such file or directory\)",
        metadata_toml=tmp_path / "nope.toml",
    )
    fifo = tmp_path / "m.toml"
    os.mkfifo(fifo)
    refused(p, r"m.toml: not a regular file", metadata_toml=fifo)


@pytest.mark.slow
def test_a_huge_file_is_refused_by_the_row_cap_while_streaming(tmp_path):
    # issue 19, case 24: 2e7 rows (389 MB) were read and split whole: 12 s and 2.8 GB
    big = tmp_path / "big.csv"
    row = b"0.123456789, 1.23456789e-06, 1e-08\n"
    n = 20_000_000
    with open(big, "wb") as f:
        f.write(b"# T_K = 0.6\nB_T, Cp_J_per_gK, sigma_J_per_gK\n")
        block = row * 100_000
        for _ in range(n // 100_000):
            f.write(block)

    def run(path):
        code = textwrap.dedent(
            f"""
            import resource, time
            from etm.fit.data import read_curve
            t0 = time.perf_counter()
            try:
                read_curve({str(path)!r})
            except ValueError as exc:
                print(exc)
            print(time.perf_counter() - t0)
            print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
            """
        )
        res = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
        )
        return res.stdout.strip().splitlines()[-3:]

    small = tmp_path / "small.csv"
    small.write_bytes(b"# T_K = 0.6\nB_T, Cp_J_per_gK, sigma_J_per_gK\n" + row * 10)
    base_MB = float(run(small)[-1])  # the same interpreter and imports, on a 10-row file
    message, seconds, peak_MB = run(big)
    assert f"more than the {MAX_ROWS} data rows a fit takes (about " in message
    about = int(message.split("(about ")[1].split()[0])
    assert abs(about - n) < 0.01 * n  # estimated from the file's size
    assert "bin or thin" in message
    assert float(seconds) < 2.0, seconds
    # the interpreter with numpy and the fit package take ~150-250 MB (more while numba compiles
    # a stale cache), measured beside it on a 10-row file: the big file adds < 100 MB
    assert float(peak_MB) - base_MB < 100, (peak_MB, base_MB)
