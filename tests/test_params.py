"""Tests of etm.params validation and of the material presets (etm.materials)."""

from __future__ import annotations

import dataclasses
import math
import pickle

import pytest

from etm import materials
from etm.params import ATSParams, Material, Paramagnet

GOOD = {"Dmin_K": 0.49, "X0min_KA2": 4.77e4, "X0max_KA2": 3.09e5, "nP_per_g": 5.19e16}


def test_atsparams_valid_and_frozen():
    p = ATSParams(**GOOD)
    assert p.Dmax_K is None
    assert ATSParams(**GOOD, Dmax_K=3).Dmax_K == 3.0
    assert isinstance(ATSParams(**GOOD, Dmax_K=3).Dmax_K, float)
    assert ATSParams(**(GOOD | {"nP_per_g": 0.0})).nP_per_g == 0.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.Dmin_K = 1.0  # type: ignore[misc]
    # a sweep is dataclasses.replace, and re-validates
    assert dataclasses.replace(p, Dmin_K=0.3).Dmin_K == 0.3
    with pytest.raises(ValueError, match="Dmin_K"):
        dataclasses.replace(p, Dmin_K=-0.3)
    assert pickle.loads(pickle.dumps(p)) == p


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"Dmin_K": 0.0}, "Dmin_K"),
        ({"Dmin_K": -0.1}, "Dmin_K"),
        ({"Dmin_K": math.nan}, "Dmin_K"),
        ({"Dmin_K": math.inf}, "Dmin_K"),
        ({"Dmin_K": "abc"}, "Dmin_K"),
        ({"X0min_KA2": 0.0}, "X0min_KA2"),
        ({"X0min_KA2": math.nan}, "X0min_KA2"),
        ({"X0max_KA2": math.nan}, "X0max_KA2"),
        ({"X0min_KA2": 3.09e5}, "X0min_KA2"),  # X0min == X0max
        ({"X0min_KA2": 4e5}, "X0min_KA2"),  # X0min > X0max
        ({"nP_per_g": -1.0}, "nP_per_g"),
        ({"nP_per_g": math.nan}, "nP_per_g"),
        ({"Dmax_K": 0.49}, "Dmax_K"),  # Dmax == Dmin
        ({"Dmax_K": 0.3}, "Dmax_K"),  # Dmax < Dmin
        ({"Dmax_K": -1.0}, "Dmax_K"),
        ({"Dmax_K": math.nan}, "Dmax_K"),
        ({"Dmax_K": math.inf}, "Dmax_K"),
    ],
)
def test_atsparams_rejects(change, match):
    with pytest.raises(ValueError, match=match):
        ATSParams(**(GOOD | change))


def test_paramagnet_validation():
    pm = Paramagnet(1e17, 2.5, 2.0, "Fe3+")
    assert (pm.S, pm.g, pm.label) == (2.5, 2.0, "Fe3+")
    assert Paramagnet(0.0, 0.5, 4.3).n_per_g == 0.0
    for S in (0.3, 1.25, 0.0, -0.5, math.nan):
        with pytest.raises(ValueError, match="S"):
            Paramagnet(1e17, S, 2.0)
    for g in (0.0, -2.0, math.nan):
        with pytest.raises(ValueError, match="g"):
            Paramagnet(1e17, 0.5, g)
    with pytest.raises(ValueError, match="n_per_g"):
        Paramagnet(-1.0, 0.5, 2.0)
    with pytest.raises(ValueError, match="n_per_g"):
        Paramagnet(math.nan, 0.5, 2.0)


def test_material_validation():
    ats = ATSParams(**GOOD)
    m = Material("x", ats, paramagnets=[Paramagnet(1e17, 2.0, 2.0)])
    assert isinstance(m.paramagnets, tuple)
    with pytest.raises(ValueError, match="nP2LS_per_g_per_K"):
        Material("x", ats, nP2LS_per_g_per_K=-1.0)
    with pytest.raises(ValueError, match="nP2LS_per_g_per_K"):
        Material("x", ats, nP2LS_per_g_per_K=math.nan)
    with pytest.raises(ValueError, match="phonon_beta_J_per_gK4"):
        Material("x", ats, phonon_beta_J_per_gK4=-1e-6)


# ---------------------------------------------------------------------------------------------
# Presets against the essay's Tables 1-4 (numbers typed from the essay, not from the package)
# ---------------------------------------------------------------------------------------------

ESSAY = {
    "BAS": {
        "nP": 5.19e16,
        "Fe2": 1.06e17,
        "Fe3": 5.00e16,
        "rows": [
            (0.60, 0.49, 4.77e4, 3.09e5),
            (0.90, 0.53, 5.07e4, 2.90e5),
            (1.36, 0.55, 5.95e4, 2.61e5),
        ],
    },
    "Duran": {
        "nP": 8.88e16,
        "Fe2": 3.21e17,
        "Fe3": 2.11e17,
        "rows": [
            (1.11, 0.34, 4.99e4, 2.68e5),
            (1.23, 0.32, 5.30e4, 2.50e5),
            (1.36, 0.32, 5.54e4, 2.46e5),
        ],
    },
}


@pytest.mark.parametrize("name", list(ESSAY))
def test_presets_hold_the_essays_tables(name):
    ref = ESSAY[name]
    preset = materials.get(name)
    assert preset.nP_per_g == ref["nP"]
    assert preset.n_Fe2_per_g == ref["Fe2"]
    assert preset.n_Fe3_per_g == ref["Fe3"]
    assert preset.temperatures_K == tuple(r[0] for r in ref["rows"])
    assert preset.source
    for T, Dmin, X0min, X0max in ref["rows"]:
        m = preset.at(T)
        assert (m.ats.Dmin_K, m.ats.X0min_KA2, m.ats.X0max_KA2) == (Dmin, X0min, X0max)
        assert m.ats.nP_per_g == ref["nP"]
        assert m.ats.Dmax_K is None
        fe = {pm.label: pm for pm in m.paramagnets}
        assert fe["Fe2+"].n_per_g == ref["Fe2"] and fe["Fe2+"].S == 2.0
        assert fe["Fe3+"].n_per_g == ref["Fe3"] and fe["Fe3+"].S == 2.5


def test_materials_get_is_case_insensitive_and_lists_names():
    assert materials.get("bas") is materials.get("BAS")
    assert materials.get("DURAN") is materials.get("Duran")
    assert set(materials.names()) >= {"BAS", "Duran"}


def test_materials_get_unknown():
    with pytest.raises(ValueError, match="unknown material 'Pyrex'.*BAS.*Duran.*BK7"):
        materials.get("Pyrex")


@pytest.mark.parametrize(("name", "T"), [("BAS", 1.11), ("BAS", 0.61), ("Duran", 0.6)])
def test_preset_at_wrong_temperature(name, T):
    with pytest.raises(ValueError, match="T_K.*must be one of"):
        materials.get(name).at(T)
