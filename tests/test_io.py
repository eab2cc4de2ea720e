"""Reading measured curves: unit conversion, metadata, and a clear error for every bad file."""

import hashlib
import os

import numpy as np
import pytest
from numpy.testing import assert_allclose

from etm.fit.data import BASE_UNITS, UNITS, convert, read_curve
from etm.io import sha256_file

GOOD = """# SYNTHETIC test data
# glass = BAS
# T_mK = 600
B_mT, Cp_uJ_per_gK, sigma_uJ_per_gK, note
0, 6.5, 0.03, a
500, 8.5, 0.04, b
1000, 7.9, 0.04, c
"""


def write(tmp_path, text, name="data.csv"):
    p = tmp_path / name
    p.write_bytes(text.encode("utf-8"))
    return p


def test_reads_and_converts_units(tmp_path):
    p = write(tmp_path, GOOD)
    c = read_curve(p, x="B", y="Cp")
    # exact decimal scalings: equality up to one rounding of the float product
    assert_allclose(c.x, [0.0, 0.5, 1.0], rtol=1e-15)
    assert_allclose(c.y, [6.5e-6, 8.5e-6, 7.9e-6], rtol=1e-15)
    assert_allclose(c.sigma, [3e-8, 4e-8, 4e-8], rtol=1e-15)
    assert c.x_name == "B_T" and c.y_name == "Cp_J_per_gK"
    assert c.columns == ("B_mT", "Cp_uJ_per_gK", "sigma_uJ_per_gK")
    assert c.metadata["T_K"] == pytest.approx(0.6) and c.metadata["glass"] == "BAS"
    assert c.comments == ("SYNTHETIC test data",)
    assert c.sha256 == hashlib.sha256(GOOD.encode()).hexdigest() == sha256_file(p)
    assert len(c) == 3 and c.label == "data"
    with pytest.raises(ValueError):
        c.x[0] = 1.0  # read-only arrays
    with pytest.raises(TypeError):
        c.metadata["T_K"] = 1.0  # read-only mapping


def test_input_is_byte_identical_afterwards(tmp_path):
    p = write(tmp_path, GOOD)
    before = p.read_bytes(), os.stat(p).st_mtime_ns
    read_curve(p)
    bad = write(tmp_path, GOOD.replace("500, 8.5", "500, nan"), "bad.csv")
    bad_before = bad.read_bytes()
    with pytest.raises(ValueError):
        read_curve(bad)
    assert (p.read_bytes(), os.stat(p).st_mtime_ns) == before
    assert bad.read_bytes() == bad_before
    assert sorted(x.name for x in tmp_path.iterdir()) == ["bad.csv", "data.csv"]


def test_sigma_is_optional_and_x_alternatives(tmp_path):
    p = write(tmp_path, "# B_T = 0\nT_mK, C_J_per_gK\n100, 1e-6\n200, 2e-6\n")
    c = read_curve(p, x=("B", "T"), y="C")
    assert c.sigma is None and c.x_name == "T_K" and c.metadata["B_T"] == 0.0


def test_toml_metadata_merges_and_conflicts(tmp_path):
    p = write(tmp_path, "# T_K = 0.6\nB_T, Cp_J_per_gK\n0, 1e-6\n1, 2e-6\n")
    t = tmp_path / "meta.toml"
    t.write_text('glass = "BAS"\nf_GHz = 1.0\nT_mK = 600.0\n')
    c = read_curve(p, metadata_toml=t)
    assert c.metadata["glass"] == "BAS" and c.metadata["f_Hz"] == 1e9
    assert c.meta_sources == (str(p), str(t))
    t.write_text("T_K = 0.9\n")
    with pytest.raises(
        ValueError,
        match=r"meta.toml: metadata 'T_K' = 0.9 conflicts with 0.6 on "
        r"line 1 of .*data.csv",
    ):
        read_curve(p, metadata_toml=t)
    t.write_text("[section]\na = 1\n")
    with pytest.raises(ValueError, match="must be a plain value"):
        read_curve(p, metadata_toml=t)


def test_convert_and_unit_table():
    assert convert(600.0, "mK", "temperature", "x") == pytest.approx(0.6)
    # every dimension's package unit is in the table with factor 1
    for dim, base in BASE_UNITS.items():
        assert UNITS[base] == (dim, 1.0)
    with pytest.raises(ValueError, match="x: unit 'K' is a temperature, but a field is needed"):
        convert(1.0, "K", "field", "x")


CASES = [
    # (file text, message pattern with file, line and column)
    (
        "B_T, Cp_J_per_gK\n0, 1e-6\n1, \n",
        r"data.csv, line 3, column 2 \('Cp_J_per_gK'\): empty cell",
    ),
    (
        "B_T, Cp_J_per_gK\n0, 1e-6\n1, NaN\n",
        r"data.csv, line 3, column 2 \('Cp_J_per_gK'\): 'NaN' is not a finite number",
    ),
    (
        "B_T, Cp_J_per_gK\n0, 1e-6\n1, abc\n",
        r"line 3, column 2 \('Cp_J_per_gK'\): not a number: 'abc'",
    ),
    (
        "B_T, Cp_J_per_gK\n0, 1e-6\n1\n",
        r"data.csv, line 3: 1 cells, but the header on line 1 has 2 \(B_T, Cp_J_per_gK\): "
        r"missing cells$",
    ),
    (
        "B_T, Cp_J_per_gK\n0, 1e-6\n1, 2e-6, 5\n",
        r"data.csv, line 3: 3 cells, but the header on line 1 has 2 \(B_T, Cp_J_per_gK\): "
        r"extra cells$",
    ),
    (
        "B_T, X_J_per_gK\n0, 1e-6\n1, 2e-6\n",
        r"data.csv, line 1: missing column Cp_<unit> \(e.g. Cp_J_per_gK\); found columns: B_T, "
        r"X_J_per_gK",
    ),
    ("T_K, Cp_J_per_gK\n0.1, 1e-6\n0.2, 2e-6\n", r"data.csv, line 1: missing column B_<unit>"),
    (
        "B_T, Cp_J_per_molK\n0, 1e-6\n1, 2e-6\n",
        r"line 1, column 2 \('Cp_J_per_molK'\): unknown unit 'J_per_molK' for a heat_capacity; "
        r"allowed: J_per_gK, mJ_per_gK",
    ),
    (
        "B_K, Cp_J_per_gK\n0, 1e-6\n1, 2e-6\n",
        r"line 1, column 1 \('B_K'\): unit 'K' is a temperature, but a field is needed; "
        r"allowed: T, mT, G, kG",
    ),
    (
        "B, Cp_J_per_gK\n0, 1e-6\n1, 2e-6\n",
        r"line 1, column 1 \('B'\): column carries no unit; write it as B_<unit>, e.g. B_T",
    ),
    (
        "# c\nB_T, Cp_J_per_gK\n0, 1e-6\n1, 2e-6\n1, 3e-6\n",
        r"data.csv, line 5, column 1 \('B_T'\): duplicated x: 1.0 after 1.0 on line 4",
    ),
    (
        "B_T, Cp_J_per_gK\n0, 1e-6\n2, 2e-6\n1, 3e-6\n",
        r"line 4, column 1 \('B_T'\): decreasing \(x must be sorted ascending\) x: 1.0 after 2.0",
    ),
    (
        "B_T, Cp_J_per_gK, sigma_J_per_gK\n0, 1e-6, 1e-8\n1, 2e-6, 0\n",
        r"line 3, column 3 \('sigma_J_per_gK'\): sigma must be > 0, got 0$",
    ),
    ("B_T, Cp_J_per_gK\n0, 1e-6\n", r"data.csv: 1 data rows, at least 2 needed"),
    ("# only comments\n", r"data.csv: no header row"),
    (
        "# T = 0.6\nB_T, Cp_J_per_gK\n0, 1e-6\n1, 2e-6\n",
        r"data.csv, line 1: metadata key 'T' carries no unit; write it as T_K",
    ),
    (
        "# T_K = 0.6\n# T_mK = 600\nB_T, Cp_J_per_gK\n0, 1e-6\n1, 2e-6\n",
        r"data.csv, line 2: metadata 'T_K' given twice \(first on line 1\)",
    ),
    (
        "# T_K = warm\nB_T, Cp_J_per_gK\n0, 1e-6\n1, 2e-6\n",
        r"line 1: metadata 'T_K' must be a finite number, got 'warm'",
    ),
    (
        "B_T, Cp_J_per_gK, Cp_uJ_per_gK\n0, 1e-6, 1\n1, 2e-6, 2\n",
        r"column 3 \('Cp_uJ_per_gK'\): quantity 'Cp' appears twice \(also column 2\)",
    ),
]


@pytest.mark.parametrize(("text", "match"), CASES)
def test_malformed_files_give_clear_errors(tmp_path, text, match):
    p = write(tmp_path, text)
    before = p.read_bytes()
    with pytest.raises(ValueError, match=match) as info:
        read_curve(p)
    assert str(p) in str(info.value)  # the full path, so the user can find the file
    assert "\n" not in str(info.value)  # one line
    assert p.read_bytes() == before


def test_missing_metadata_and_min_points(tmp_path):
    p = write(tmp_path, "B_T, Cp_J_per_gK\n0, 1e-6\n1, 2e-6\n")
    with pytest.raises(ValueError, match=r"metadata 'T_K' missing; add a line '# T_K = <value>'"):
        read_curve(p, require_metadata=["T_K"])
    with pytest.raises(ValueError, match="2 data rows, at least 5 needed"):
        read_curve(p, min_points=5)


def test_unreadable_and_non_utf8(tmp_path):
    with pytest.raises(ValueError, match="cannot read"):
        read_curve(tmp_path / "nope.csv")
    p = tmp_path / "latin.csv"
    p.write_bytes(b"B_T, Cp_J_per_gK\n0, 1e-6\xff\n")
    with pytest.raises(ValueError, match="not UTF-8 text"):
        read_curve(p)


def test_blank_and_comment_lines_in_data_are_skipped(tmp_path):
    p = write(tmp_path, "B_T, Cp_J_per_gK\n0, 1e-6\n\n# mid comment\n1, 2e-6\n")
    assert np.array_equal(read_curve(p).x, [0.0, 1.0])


def test_a_curve_too_long_to_fit_is_refused_up_front(tmp_path):
    # issue 10: `etm fit` on a 1e6-row file must say up front why not, not run for hours
    from etm.fit.data import MAX_ROWS, read_curve

    f = tmp_path / "long.csv"
    n = MAX_ROWS + 1
    B = np.linspace(0.0, 8.0, n)
    f.write_text("# T_K = 0.6\nB_T, Cp_J_per_gK\n" + "".join(f"{b:.9g}, 1e-6\n" for b in B))
    # refused while streaming, with an estimate of the length from the file's size
    pattern = rf"long.csv: more than the {MAX_ROWS} data rows a fit takes \(about 2000\d "
    with pytest.raises(ValueError, match=pattern):
        read_curve(f)
