"""The command line and `etm reproduce`: every promised file, provenance, clean errors."""

import json

import pytest

from etm import __version__
from etm.cli import main
from etm.reproduce import FIGURES


def test_reproduce_writes_every_promised_file(tmp_path):
    out = tmp_path / "figs"
    assert main(["reproduce", "--out", str(out), "--fast", "--no-progress"]) == 0
    expected = {f"{spec.name}.{fmt}" for spec in FIGURES for fmt in ("png", "pdf")}
    expected |= {"tables.md", "provenance.json", "audit.md"}
    assert {p.name for p in out.iterdir()} == expected
    # the essay's Figs. 6-9 are all there
    assert {s.name.split("_")[0] for s in FIGURES} >= {
        "fig6",
        "fig7",
        "fig8",
        "fig9",
        "fig10",
        "fig11",
        "fig12",
        "fig15",
        "fig16",
        "fig17",
    }
    for name in expected:
        assert (out / name).stat().st_size > 0
    assert (out / "fig6_ats_spectrum.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "fig9_heat_capacity.pdf").read_bytes()[:5] == b"%PDF-"
    prov = json.loads((out / "provenance.json").read_text())
    assert prov["version"] == __version__
    assert prov["parameters"]["figures"]["fig9"]["BAS"]["nP_per_g"] == 5.19e16
    assert len(prov["parameters"]["dielectric"]["presets"]) == 8
    assert len(prov["parameters"]["echo"]["presets"]) == 4
    tables = (out / "tables.md").read_text()
    assert __version__ in tables and "5.19e+16" in tables and "4.77e+04" in tables
    # the audit: every essay figure 6-12, 15-17 and table 1-7 has its row (tests/test_audit.py)
    audit = (out / "audit.md").read_text()
    for n in (6, 7, 8, 9, 10, 11, 12, 15, 16, 17):
        assert f"| Fig. {n} |" in audit
    for n in range(1, 8):
        assert f"| Table {n} |" in audit


def test_reproduce_leaves_other_files_alone(tmp_path):
    keep = tmp_path / "mine.txt"
    keep.write_text("do not touch")
    assert (
        main(["reproduce", "--out", str(tmp_path), "--fast", "--no-progress", "--format", "png"])
        == 0
    )
    assert keep.read_text() == "do not touch"
    assert not list(tmp_path.glob(".*"))  # no temporary files left behind


def test_reproduce_refuses_a_file_as_output_folder(tmp_path, capsys):
    f = tmp_path / "afile"
    f.write_text("x")
    assert main(["reproduce", "--out", str(f), "--fast", "--no-progress"]) != 0
    assert f.read_text() == "x"


def test_bad_format_is_a_usage_error(tmp_path, capsys):
    assert main(["reproduce", "--out", str(tmp_path), "--format", "bmp"]) == 2
    assert "--format" in capsys.readouterr().err


def test_version_and_help(capsys):
    assert main(["--version"]) == 0
    assert __version__ in capsys.readouterr().out
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "reproduce" in out and "materials" in out


def test_materials_lists_presets_with_sources(capsys):
    assert main(["materials"]) == 0
    out = capsys.readouterr().out
    assert "BAS" in out and "Duran" in out and "Table 1" in out and "Table 3" in out


def test_materials_lists_every_glass_and_row(capsys):
    from etm import materials

    assert main(["materials"]) == 0
    out = capsys.readouterr().out
    assert out == materials.describe() + "\n"
    for name in materials.names():
        assert name in out
    for table in ("Table 5", "Table 6", "Table 7"):
        assert table in out


def test_materials_name_shows_one_glass(capsys):
    from etm import materials

    assert main(["materials", "BAS"]) == 0
    out = capsys.readouterr().out
    assert out == materials.describe("BAS") + "\n"
    assert "Duran" not in out


def test_materials_unknown_name_is_a_usage_error(capsys):
    assert main(["materials", "no-such-glass"]) == 2
    err = capsys.readouterr().err
    message = [line for line in err.splitlines() if line.startswith("Error:")]
    assert len(message) == 1 and "no-such-glass" in message[0]


@pytest.mark.parametrize("fmt", ["svg"])
def test_other_format(tmp_path, fmt):
    assert (
        main(["reproduce", "--out", str(tmp_path), "--fast", "--no-progress", "--format", fmt]) == 0
    )
    assert (tmp_path / f"fig7_dos_vs_energy.{fmt}").exists()
