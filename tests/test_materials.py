"""Tests of the material catalog (etm.materials) against the essay's tables.

Every reference number below is typed in from the essay (Tables 1-7, the conditions of
Figs. 14-16 and section 4.2), independently of the package.
"""

from __future__ import annotations

import ast
import dataclasses
import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest

from etm import materials, structure
from etm.params import ATSParams, Material, Paramagnet

SRC = Path(materials.__file__)

# ---------------------------------------------------------------------------------------------
# the essay's numbers
# ---------------------------------------------------------------------------------------------

# Tables 1-4: (n_ATS P*, n_Fe2+, n_Fe3+) [1/g]; rows (T [K], Dmin [K], D0min|q/e|S, D0max|q/e|S)
CP = {
    "BAS": (
        (5.19e16, 1.06e17, 5.00e16),
        [(0.60, 0.49, 4.77e4, 3.09e5), (0.90, 0.53, 5.07e4, 2.90e5), (1.36, 0.55, 5.95e4, 2.61e5)],
        ("Table 1", "Table 2"),
    ),
    "Duran": (
        (8.88e16, 3.21e17, 2.11e17),
        [(1.11, 0.34, 4.99e4, 2.68e5), (1.23, 0.32, 5.30e4, 2.50e5), (1.36, 0.32, 5.54e4, 2.46e5)],
        ("Table 3", "Table 4"),
    ),
}

# Tables 5 and 6: glass, T [K], A = pi x P* p1^2/(eps0 eps_r) [K], Dmin [K], D0min.., D0max..
EPS = [
    ("BK7", 0.015, 0.089e-5, 0.03, 1.668e5, 4.576e5, "Table 5"),
    ("Duran", 0.015, 0.052e-5, 0.021, 2.457e5, 4.151e5, "Table 5"),
    ("BAS", 0.050, 0.89e-5, 0.015, 2.440e5, 3.080e5, "Table 5"),
    ("BAS", 0.094, 3.75e-5, 0.025, 1.225e5, 1.589e5, "Table 5"),
    ("BAS", 0.120, 3.09e-5, 0.0227, 1.767e5, 2.248e5, "Table 5"),
    ("SiO2+xCyHz", 0.050, 4.38e-5, 0.015, 0.076e3, 3.047e4, "Table 6"),
    ("SiO2+xCyHz", 0.070, 12.22e-5, 0.0486, 0.600e3, 2.662e4, "Table 6"),
    ("SiO2+xCyHz", 0.100, 13.63e-5, 0.0486, 3.035e3, 7.616e4, "Table 6"),
]

# Table 7 in its own units: Dmin [mK], D0min|q/e|S, D0max|q/e|S [K A^2], Gamma^-1 [1/(us K^5)],
# c [1/(us K)], p1 F0 [D kV/m], tan(omega dtau); then f [GHz] and tau12 [us] (Figs. 14-16)
ECHO = {
    "BAS sample 1": ("BAS", "sample 1", 17.74, 950, 21300, 9.22e6, 5.008, 0.461, 0.247, 1.0, 2.0),
    "BAS sample 2": ("BAS", "sample 2", 27.20, 1140, 8960, 2.57e5, 3.825, 0.450, 0.245, 1.0, 2.0),
    "BK7 tau12=1.5us": (
        "BK7",
        "tau12=1.5us",
        16.76,
        920,
        13400,
        8.91e6,
        1.03,
        0.60,
        0.207,
        0.9,
        1.5,
    ),
    "BK7 tau12=6us": ("BK7", "tau12=6us", 15.94, 890, 33100, 3.25e6, 5.72, 0.98, 0.204, 0.9, 6.0),
}

# section 4.2: rho [g/cm^3], n_ATS P* [1/g] put into Eq. 40, quoted xi [A]
SECTION4 = {"BAS": (3.1, 5e16, 163), "Duran": (2.3, 9e16, 154), "BK7": (2.5, 1e16, 300)}

NAMES = ("BAS", "Duran", "BK7", "SiO2+xCyHz")
REL = 1e-13  # unit conversions (mK -> K, 1/us -> 1/s, us -> s) are exact to rounding


# ---------------------------------------------------------------------------------------------
# numbers
# ---------------------------------------------------------------------------------------------


def test_names_and_glasses():
    assert materials.names() == NAMES
    assert tuple(materials.GLASSES) == NAMES
    assert materials.DEFAULT_TOL_K == 1e-3
    for name in NAMES:
        g = materials.get(name)
        assert g is materials.GLASSES[name] and g.name == name and g.glass.startswith(name)
        assert g.source.startswith("essay ")


@pytest.mark.parametrize("name", list(CP))
def test_heat_capacity_rows_hold_tables_1_to_4(name):
    (nP, fe2, fe3), rows, (t_conc, t_fit) = CP[name]
    g = materials.get(name)
    assert (g.nP_per_g, g.n_Fe2_per_g, g.n_Fe3_per_g) == (nP, fe2, fe3)
    assert g.rows == tuple(rows)
    assert g.temperatures_K == tuple(r[0] for r in rows) == g.temperatures("cp")
    for row, ref in zip(g.heat_capacity_rows, rows, strict=True):
        assert isinstance(row, materials.HeatCapacityRow)
        assert (row.T_K, row.Dmin_K, row.X0min_KA2, row.X0max_KA2) == ref
        assert t_conc in row.source and t_fit in row.source


@pytest.mark.parametrize("name", list(CP))
def test_at_returns_the_same_material_as_before(name):
    (nP, fe2, fe3), rows, (t_conc, t_fit) = CP[name]
    source = f"essay {t_conc} (concentrations) and {t_fit} (tunneling parameters)"
    for T, Dmin, x0, x1 in rows:
        expected = Material(
            name=f"{name} @ {T:g} K",
            ats=ATSParams(Dmin_K=Dmin, X0min_KA2=x0, X0max_KA2=x1, nP_per_g=nP),
            paramagnets=(
                Paramagnet(fe2, 2.0, 2.0, "Fe2+"),
                Paramagnet(fe3, 2.5, 2.0, "Fe3+"),
            ),
            source=source,
        )
        assert materials.get(name).at(T) == expected
        assert expected.nP2LS_per_g_per_K == 0.0 and expected.phonon_beta_J_per_gK4 == 0.0


@pytest.mark.parametrize("name", ["BK7", "SiO2+xCyHz"])
def test_glasses_without_heat_capacity_fit(name):
    g = materials.get(name)
    assert (g.nP_per_g, g.n_Fe2_per_g, g.n_Fe3_per_g) == (None, None, None)
    assert g.heat_capacity_rows == () and g.rows == () and g.temperatures_K == ()
    with pytest.raises(
        ValueError, match=re.escape(f"the essay has no heat-capacity fit for {name}")
    ):
        g.at(0.6)


def test_dielectric_rows_hold_tables_5_and_6():
    assert len(materials.DIELECTRIC_ROWS) == len(EPS)
    for row, (glass, T, A, Dmin, x0, x1, table) in zip(materials.DIELECTRIC_ROWS, EPS, strict=True):
        assert isinstance(row, materials.DielectricRow)
        assert (row.glass, row.T_K) == (glass, T)
        p = row.params
        assert (p.amplitude_K, p.Dmin_K, p.X0min_KA2, p.X0max_KA2, p.Dmax_K) == (
            A,
            Dmin,
            x0,
            x1,
            None,
        )
        assert row.source.startswith(f"essay {table}")
        assert "D0 columns read as K*angstrom^2 (the extraction prints K^2)" in row.source
    for name in NAMES:
        g = materials.get(name)
        assert g.dielectric_rows == tuple(r for r in materials.DIELECTRIC_ROWS if r.glass == name)
        assert g.temperatures("eps") == tuple(e[1] for e in EPS if e[0] == name)


def test_echo_rows_hold_table_7_and_the_conditions_of_figs_14_to_16():
    assert [r.name for r in materials.ECHO_ROWS] == list(ECHO)
    for row in materials.ECHO_ROWS:
        glass, sample, Dmin_mK, x0, x1, G_us, c_us, p1F0, tan_a, f_GHz, tau12_us = ECHO[row.name]
        assert isinstance(row, materials.EchoRow)
        assert (row.glass, row.sample, row.name) == (glass, sample, f"{glass} {sample}")
        p = row.params
        assert p.Dmin_K == pytest.approx(Dmin_mK / 1000, rel=REL)
        assert (p.X0min_KA2, p.X0max_KA2) == (x0, x1)
        assert p.Gamma_inv_per_sK5 == pytest.approx(G_us * 1e6, rel=REL)
        assert p.c_per_sK == pytest.approx(c_us * 1e6, rel=REL)
        assert (p.p1F0_DkV_per_m, p.tan_omega_dtau) == (p1F0, tan_a)
        assert row.T_K == 0.012
        s = row.pulses
        assert s.f_Hz == pytest.approx(f_GHz * 1e9, rel=REL)
        assert s.tau1_s == pytest.approx(0.1e-6, rel=REL)
        assert s.tau2_s == pytest.approx(0.2e-6, rel=REL)
        assert s.tau12_s == pytest.approx(tau12_us * 1e-6, rel=REL)
        assert row.source.startswith("essay Table 7") and "Fig" in row.source
    assert "c_ATS - c_2LS" in materials.echo_row("BAS sample 1").source
    assert "note *" in materials.echo_row("BK7 tau12=6us").source
    assert materials.get("BAS").temperatures("echo") == (0.012,)
    assert materials.get("Duran").temperatures("echo") == ()


def test_section_4_densities_and_cell_radius_inputs():
    for name, (rho, nP, xi) in SECTION4.items():
        g = materials.get(name)
        assert (g.density_g_cm3, g.cell_nP_per_g, g.cell_radius_quoted_A) == (rho, nP, xi)
        assert "section 4" in g.source
    g = materials.get("SiO2+xCyHz")
    assert (g.density_g_cm3, g.cell_nP_per_g, g.cell_radius_quoted_A) == (None, None, None)
    # structure's table is derived from the catalog and unchanged
    assert structure.DENSITIES_G_CM3 == {"BAS": 3.1, "Duran": 2.3, "BK7": 2.5}
    xi = structure.cell_radius(g_bas := materials.get("BAS").cell_nP_per_g, 3.1).xi_A
    assert g_bas == 5e16 and round(xi) == 163


# ---------------------------------------------------------------------------------------------
# look-ups
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spelling", "name"),
    [
        ("BAS", "BAS"),
        ("bas", "BAS"),
        ("AlBaSiO", "BAS"),
        ("DURAN", "Duran"),
        ("bk7", "BK7"),
        ("SiO2", "SiO2+xCyHz"),
        ("sio2+xcyhz", "SiO2+xCyHz"),
        ("SiO2 + xCyHz", "SiO2+xCyHz"),
        ("BAS sample 1", "BAS"),
        ("bas sample 2", "BAS"),
        ("BK7 tau12=6us", "BK7"),
    ],
)
def test_get_by_name_alias_and_case(spelling, name):
    assert materials.get(spelling) is materials.GLASSES[name]


@pytest.mark.parametrize("name", NAMES)
def test_get_round_trips(name):
    g = materials.get(name)
    assert materials.get(g.name) is g
    assert materials.get(name.lower()) is g and materials.get(name.upper()) is g
    assert pickle.loads(pickle.dumps(g)) == g


def test_get_unknown_lists_the_names():
    with pytest.raises(ValueError) as err:
        materials.get("Pyrex")
    msg = str(err.value)
    assert msg.startswith("unknown material 'Pyrex'; known materials: BAS, Duran, BK7, SiO2+xCyHz")
    assert "'BAS sample 1'" in msg


def test_at_tolerance_and_messages():
    bas = materials.get("BAS")
    assert bas.at(0.6000001) == bas.at(0.6)
    assert bas.at(0.6009) == bas.at(0.6)
    assert bas.at(0.61, tol_K=0.02) == bas.at(0.6)
    assert bas.at(0.6, tol_K=0.0).name == "BAS @ 0.6 K"
    with pytest.raises(ValueError) as err:
        bas.at(0.7)
    assert str(err.value) == (
        "T_K for BAS must be one of 0.6, 0.9, 1.36 K (the essay's heat-capacity fits; matched "
        "within tol_K = 0.001 K), got 0.7"
    )
    with pytest.raises(ValueError, match=r"T_K for BAS must be one of 0.6, 0.9, 1.36 K"):
        bas.at(0.6011)
    with pytest.raises(ValueError, match="tol_K must be >= 0"):
        bas.at(0.6, tol_K=-1.0)
    with pytest.raises(ValueError, match="T_K must be a finite"):
        bas.at(float("nan"))
    with pytest.raises(ValueError) as err:
        materials.get("BK7").at(0.6)
    assert str(err.value) == (
        "the essay has no heat-capacity fit for BK7 (Tables 1-4 cover BAS and Duran only); "
        "its fits: eps, echo"
    )


def test_dielectric_lookups():
    assert materials.get("BK7").dielectric().T_K == 0.015
    assert materials.dielectric_row("Duran").params.amplitude_K == 0.052e-5
    assert materials.dielectric_row("BAS", 0.094).params.amplitude_K == 3.75e-5
    assert materials.dielectric_row("bas", 0.0944) is materials.dielectric_row("BAS", 0.094)
    assert materials.dielectric_row("SiO2", 0.07).params.X0min_KA2 == 0.600e3
    assert materials.dielectric_row("BAS", 0.1, tol_K=0.01).T_K == 0.094
    with pytest.raises(ValueError) as err:
        materials.get("BAS").dielectric()
    assert str(err.value) == "BAS has dielectric fits at T_K = 0.05, 0.094, 0.12 K; pass T_K"
    with pytest.raises(ValueError) as err:
        materials.dielectric_row("SiO2+xCyHz", 0.06)
    assert str(err.value) == (
        "T_K for SiO2+xCyHz must be one of 0.05, 0.07, 0.1 K (the essay's dielectric fits; "
        "matched within tol_K = 0.001 K), got 0.06"
    )
    with pytest.raises(ValueError, match="unknown material 'Pyrex'"):
        materials.dielectric_row("Pyrex")


@pytest.mark.parametrize(
    ("glass", "key", "name"),
    [
        ("BAS", "BAS sample 1", "BAS sample 1"),
        ("BAS", "sample 1", "BAS sample 1"),
        ("BAS", "Sample 2", "BAS sample 2"),
        ("BK7", "BK7 tau12=1.5us", "BK7 tau12=1.5us"),
        ("BK7", "tau12=1.5us", "BK7 tau12=1.5us"),
        ("BK7", "1.5us", "BK7 tau12=1.5us"),
        ("BK7", "6 us", "BK7 tau12=6us"),
        ("BK7", "tau12 = 6us", "BK7 tau12=6us"),
    ],
)
def test_echo_keys(glass, key, name):
    row = materials.get(glass).echo(key)
    assert row.name == name and row is materials.echo_row(name)


def test_echo_lookup_errors():
    with pytest.raises(ValueError) as err:
        materials.get("BAS").echo()
    assert str(err.value) == (
        "BAS has 2 echo rows ('BAS sample 1', 'BAS sample 2'); pass key, e.g. 'sample 1'"
    )
    with pytest.raises(ValueError) as err:
        materials.get("BK7").echo("sample 3")
    assert str(err.value) == (
        "unknown echo row 'sample 3' for BK7; rows: 'BK7 tau12=1.5us', 'BK7 tau12=6us' (or their "
        "samples 'tau12=1.5us', 'tau12=6us')"
    )
    with pytest.raises(ValueError) as err:
        materials.get("Duran").echo()
    assert str(err.value) == "the essay has no echo fit for Duran (Table 7 covers BAS, BK7 only)"
    with pytest.raises(ValueError) as err:
        materials.echo_row("BK7 tau12=2us")
    assert str(err.value) == (
        "unknown echo row 'BK7 tau12=2us'; known rows: 'BAS sample 1', 'BAS sample 2', "
        "'BK7 tau12=1.5us', 'BK7 tau12=6us'"
    )
    assert materials.echo_row("bas sample 1") is materials.ECHO_ROWS[0]


def test_temperatures_by_observable():
    duran = materials.get("Duran")
    assert duran.temperatures("cp") == (1.11, 1.23, 1.36)
    assert duran.temperatures("EPS") == (0.015,)
    with pytest.raises(ValueError) as err:
        duran.temperatures("loss")
    assert str(err.value) == "observable must be one of cp, eps, echo, got 'loss'"


# ---------------------------------------------------------------------------------------------
# text
# ---------------------------------------------------------------------------------------------


def test_str_of_bk7_shows_its_dielectric_and_echo_rows():
    text = str(materials.get("BK7"))
    assert text.startswith("BK7: ")
    assert "heat capacity (cp): the essay has no fit" in text
    assert "T = 0.015 K: A = 8.9e-07 K, Dmin = 0.03 K, X0min = 166800 K*A^2" in text
    assert "BK7 tau12=1.5us: T = 0.012 K, f = 0.9 GHz, tau12 = 1.5 us" in text
    assert "BK7 tau12=6us: T = 0.012 K, f = 0.9 GHz, tau12 = 6 us" in text
    assert "Gamma^-1 = 3.25e+12 1/(s K^5)" in text and "c = 5.72e+06 1/(s K)" in text
    assert "rho = 2.5 g/cm^3" in text and "xi = 300 A" in text
    for row in (*materials.get("BK7").dielectric_rows, *materials.get("BK7").echo_rows):
        assert f"source: {row.source}" in text


@pytest.mark.parametrize("name", NAMES)
def test_str_lists_every_row_with_temperature_and_source(name):
    g = materials.get(name)
    text = str(g)
    assert materials.describe(name) == text
    assert g.source in text
    for row in (*g.heat_capacity_rows, *g.dielectric_rows, *g.echo_rows):
        assert f"T = {row.T_K:g} K" in text
        assert f"source: {row.source}" in text


def test_describe_lists_all_glasses_and_every_rows_source():
    text = materials.describe()
    for name in NAMES:
        assert f"\n{name}: {materials.get(name).glass}\n" in text
    for row in (*materials.DIELECTRIC_ROWS, *materials.ECHO_ROWS):
        assert row.source in text
    for g in materials.GLASSES.values():
        for row in g.heat_capacity_rows:
            assert row.source in text and f"T = {row.T_K:g} K: Dmin = {row.Dmin_K:g} K" in text
    for echo in ECHO:
        assert f"{echo}: T = 0.012 K" in text
    assert "Table 1" in text and "Table 3" in text  # what `etm materials` has always shown
    assert len(text.splitlines()) < 60  # compact: one line per row plus headers


def test_print_from_a_fresh_interpreter():
    code = "from etm import materials; g = materials.get('BK7'); print(g)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == str(materials.get("BK7"))


# ---------------------------------------------------------------------------------------------
# structure of the module
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "obj",
    [
        materials.get("BAS"),
        materials.get("BAS").heat_capacity_rows[0],
        materials.DIELECTRIC_ROWS[0],
        materials.ECHO_ROWS[0],
    ],
)
def test_frozen(obj):
    field = dataclasses.fields(obj)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(obj, field, None)


def test_module_imports_only_params_and_constants_and_reads_nothing():
    tree = ast.parse(SRC.read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module)
    assert imported <= {
        "__future__",
        "dataclasses",
        "etm.params",
        "etm.constants",
        "etm.checks",
        "etm.materials.nuclei",  # the NEQM rows: data, the same rules (below)
    }
    nuclei = ast.parse((SRC.parent / "nuclei.py").read_text())
    mods = {n.module for n in ast.walk(nuclei) if isinstance(n, ast.ImportFrom)}
    mods |= {a.name for n in ast.walk(nuclei) if isinstance(n, ast.Import) for a in n.names}
    assert mods <= {"__future__", "dataclasses", "math", "typing", "numpy", "etm.constants",
                    "etm.params"}  # fmt: skip
    text = SRC.read_text()
    for word in ("open(", "paper_tables", "MODEL.md", "shared/", "read_text"):
        assert word not in text
    assert len(text.splitlines()) < 600
