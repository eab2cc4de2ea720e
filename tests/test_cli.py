"""The command line and `etm reproduce`: every promised file, provenance, clean errors."""

import json
import re

import pytest

from etm import __version__
from etm.cli import main
from etm.reproduce import FIGURES


def test_reproduce_writes_every_promised_file(tmp_path):
    out = tmp_path / "figs"
    args = ["reproduce", "--out", str(out), "--fast", "--format", "png", "--format", "pdf"]
    assert main([*args, "--no-progress"]) == 0
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
    # issue 21: date, command line, every option, versions, Figs. 7-8 as the figures state them
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", prov["date_utc"])
    assert prov["command_line"].split() == ["etm", *args, "--no-progress"]
    assert prov["options"] == {
        "out_dir": str(out),
        "fast": True,
        "formats": ["png", "pdf"],
        "progress": False,
        "force": False,
    }
    for pkg in ("etm", "numpy", "scipy", "numba", "lmfit", "emcee", "matplotlib", "python"):
        assert prov["versions"][pkg], pkg
    assert prov["versions"]["etm"] == __version__
    if "git" in prov:  # run from a checkout
        assert re.fullmatch(r"[0-9a-f]{40}", prov["git"]["commit"])
    fig7 = prov["parameters"]["figures"]["fig7"]
    assert (fig7["Dmin_K"], fig7["D0min_K"], fig7["D0max_K"]) == (0.05, 5.0, 30.0)
    assert "X0min_KA2" not in json.dumps(prov["parameters"]["figures"]["fig8"])
    assert len(prov["parameters"]["dielectric"]["presets"]) == 8
    assert len(prov["parameters"]["echo"]["presets"]) == 4
    tables = (out / "tables.md").read_text()
    assert __version__ in tables and "5.19e+16" in tables and "4.77e+04" in tables
    assert "| glass | T [K] | A [K] |" in tables  # Table 5's amplitude with its unit
    # the audit: every essay figure 6-12, 15-17 and table 1-7 has its row (tests/test_audit.py)
    audit = (out / "audit.md").read_text()
    for n in (6, 7, 8, 9, 10, 11, 12, 15, 16, 17):
        assert f"| Fig. {n} |" in audit
    for n in range(1, 8):
        assert f"| Table {n} |" in audit


def test_reproduce_leaves_other_files_alone(tmp_path):
    # a folder holding files etm did not write is refused (issue 19), and with --force the
    # outputs go in among them, which stay
    keep = tmp_path / "mine.txt"
    keep.write_text("do not touch")
    args = ["reproduce", "--out", str(tmp_path), "--fast", "--no-progress", "--format", "png"]
    assert main(args) == 2
    assert [p.name for p in tmp_path.iterdir()] == ["mine.txt"]
    assert main([*args, "--force"]) == 0
    assert keep.read_text() == "do not touch"
    assert not list(tmp_path.glob(".*"))  # no temporary files left behind
    assert len(list(tmp_path.glob("*.png"))) == len(FIGURES)


def test_reproduce_replaces_its_earlier_output_whole(tmp_path):
    out = tmp_path / "figs"
    args = ["reproduce", "--out", str(out), "--fast", "--no-progress", "--format", "png"]
    assert main([*args, "--format", "svg"]) == 0
    assert main(args) == 0  # the earlier svg files are gone with the folder they were in
    assert not list(out.glob("*.svg")) and len(list(out.glob("*.png"))) == len(FIGURES)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figs"]


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


def test_reproduce_progress_bar_names_the_figure(tmp_path, capsys):
    # the bar says which figure it draws (the slow ones used to sit at "19/20" unnamed)
    assert main(["reproduce", "--out", str(tmp_path / "o"), "--fast", "--format", "png"]) == 0
    err = capsys.readouterr().err
    for spec in (FIGURES[0], FIGURES[-1]):
        assert f"etm reproduce: {spec.name}" in err


def test_reproduce_provenance_outside_a_checkout(tmp_path):
    # the git record is there only when etm runs from a checkout (nothing otherwise)
    from etm.io import _git_checkout, run_environment

    assert _git_checkout(tmp_path) is None
    env = run_environment()
    assert set(env) <= {"date_utc", "versions", "git"}


def test_cell_size_takes_the_catalog_values(capsys):
    # issue 21: --glass alone takes n_ATS P* and the density from etm.materials
    from etm import materials, structure

    g = materials.get("BAS")
    assert main(["cell-size", "--glass", "bas"]) == 0
    out = capsys.readouterr().out
    r = structure.cell_radius(g.cell_nP_per_g, g.density_g_cm3)
    assert f"xi = {r.xi_A:.4g} A" in out and "5e+16" in out and "3.1 g/cm^3" in out
    assert main(["cell-size", "--glass", "SiO2"]) == 2  # no section 4 values in the catalog
    assert "give --nP and --rho" in capsys.readouterr().err
    assert main(["cell-size", "--glass", "SiO2", "--nP", "5e16", "--rho", "2.2"]) == 0
