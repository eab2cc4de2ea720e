"""One contract over every observable of the catalog (etm.observables.CATALOG).

For each entry: the call shape (its two axes first, then its parameter objects), options
keyword-only, broadcasting of the axes against each other, scalar in -> scalar out, catalog
objects accepted, bad values a ValueError, wrong objects a TypeError naming the argument, no
warning (pytest runs with filterwarnings = error). Modelled on lmfit's tests/test_lineshapes.py
(one test over every lineshape) and scikit-rf's test_all_construction.py.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from numpy.testing import assert_allclose

import etm
from etm import materials
from etm.ensemble import ExactGrid
from etm.observables import CATALOG, example_arguments, lookup

NAMES = sorted(CATALOG)

#: Small node counts for the exact routes: the contract is about the call, not the accuracy,
#: and the same grid is used for the broadcast and the scalar calls, so they must agree.
SMALL = {
    "exact_cp": {"grid": ExactGrid(n_lnD=4, n_tail=6, n_lnD0=4, n_theta=8, n_phase=6)},
    "exact_counting": {"grid": ExactGrid(n_lnD=4, n_tail=6, n_lnD0=4, n_theta=8, n_phase=6)},
    "exact_magnetization": {"grid": ExactGrid(n_lnD=4, n_tail=6, n_lnD0=4, n_theta=8, n_phase=6)},
}

#: First-axis values of the contract, in the range of the rows the examples come from:
#: temperatures of Tables 2 (Cp, M), 5 (dielectric) and 7 (echo), energies around Dmin.
AXIS0 = {
    "material": np.array([[0.6], [1.36]]),
    "ats": np.array([[0.6], [1.36]]),
    "dielectric": np.array([[0.05], [0.12]]),
    "echo": np.array([[0.012], [0.03]]),
    "neqm": np.array([[0.012], [0.03]]),
    "E_K": np.array([[0.5], [1.2]]),
}


def _axis0(name):
    obs = lookup(name)
    return AXIS0["E_K"] if obs.axes[0] == "E_K" else AXIS0[obs.kind]


FIELDS = np.array([0.0, 0.05, 0.3])


def _call(name, a0, B, **over):
    obs = lookup(name)
    kw = {**example_arguments(name), **SMALL.get(name, {}), **over}
    return obs(**{obs.axes[0]: a0, "B_T": B}, **kw)


def test_catalog_covers_every_family_and_route():
    # the entries the issue names: Cp and its parts, DOS, eps', eps'', loss, echo,
    # magnetization, resonator shift and Qi, the exact routes
    need = {"cp", "cp_ats", "cp_2ls", "cp_phonon", "cp_fe2", "cp_fe3", "dos", "eps",
            "eps_response", "loss", "echo", "magnetization", "resonator_shift",
            "resonator_inverse_qi", "exact_cp", "exact_eps", "exact_loss", "exact_echo",
            "exact_magnetization", "exact_counting"}  # fmt: skip
    assert need <= set(CATALOG)
    for name, obs in CATALOG.items():
        assert obs.name == name
        assert callable(obs.function())
        assert obs.route in ("weak field", "exact", "background")


@pytest.mark.parametrize("name", NAMES)
def test_signature(name):
    obs = lookup(name)
    params = inspect.signature(obs.function()).parameters
    names = list(params)
    assert names[:2] == list(obs.axes)
    # the parameter objects follow the axes, or (the resonator's optional ATS part) are
    # keyword-only
    kw_only = all(params[p].kind is inspect.Parameter.KEYWORD_ONLY for p in obs.params)
    assert names[2 : 2 + len(obs.params)] == list(obs.params) or kw_only
    # everything after the axes, the parameter objects and the extra coordinates is an option,
    # and options are keyword-only
    positional_ok = set(obs.axes) | set(obs.params) | set(obs.extra)
    for p in params.values():
        if p.name not in positional_ok:
            assert p.kind is inspect.Parameter.KEYWORD_ONLY, f"{name}: {p.name}"


@pytest.mark.parametrize("name", NAMES)
def test_broadcast_and_scalar(name):
    a0 = _axis0(name)
    grid = np.asarray(_call(name, a0, FIELDS))
    assert grid.shape == (2, 3)
    assert np.isfinite(grid).all()
    if lookup(name).complex_valued:
        assert np.iscomplexobj(grid)
    # each element against its own scalar call: quadratures that adapt to the set of points
    # (energy panels spanning the call's T range) agree to their accuracy, <= 1e-7 relative
    # (docs/performance.md); the scale keeps exact zeros (B = 0 of a field change) comparable
    scale = np.max(np.abs(grid)) or 1.0
    for i in range(2):
        for j in (0, 2):
            one = _call(name, float(a0[i, 0]), float(FIELDS[j]))
            assert np.shape(one) == ()
            assert_allclose(one, grid[i, j], rtol=1e-7, atol=1e-9 * scale)


@pytest.mark.parametrize("name", NAMES)
def test_bad_values_are_value_errors(name):
    a0 = lookup(name).axes[0]
    with pytest.raises(ValueError, match=a0):
        _call(name, -1.0, 0.1)
    with pytest.raises(ValueError, match="B_T"):
        _call(name, float(_axis0(name)[0, 0]), np.nan)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("wrong", ["BAS", None, 42])
def test_wrong_objects_are_type_errors_naming_the_argument(name, wrong):
    obs = lookup(name)
    arg = obs.params[0]
    sig = inspect.signature(obs.function()).parameters[arg]
    if wrong is None and sig.default is None:
        pytest.skip(f"{arg}=None is allowed (no such part)")
    with pytest.raises(TypeError, match=rf"^{arg} must be .*etm\.materials\."):
        _call(name, float(_axis0(name)[0, 0]), 0.1, **{arg: wrong})


@pytest.mark.parametrize("name", NAMES)
def test_catalog_objects_accepted(name):
    """A catalog row or a Material where the parameter set is needed: the same numbers."""
    obs = lookup(name)
    a0 = float(_axis0(name)[0, 0])
    base = _call(name, a0, 0.1)
    if obs.kind == "ats":
        other = {"params": materials.get("BAS").at(0.6)}  # a Material: its ATS part
    elif obs.kind == "dielectric":
        other = {obs.params[0]: materials.dielectric_row("BAS", 0.05)}  # the row itself
    elif obs.kind == "echo":
        other = {"params": materials.echo_row("BAS sample 2"), "pulses": None}  # row + pulses
    elif obs.kind == "neqm":
        other = {"params": materials.neqm_row("BAS sample 2"), "pulses": None}
    else:
        pytest.skip("a Material is the parameter object itself")
    again = _call(name, a0, 0.1, **other)
    assert_allclose(again, base, rtol=0, atol=0)


def test_a_glass_with_one_row_is_accepted_and_one_with_several_is_refused():
    bk7 = materials.get("BK7")  # one Table 5 row
    p = materials.dielectric_row("BK7").params
    assert etm.dielectric.relative_change(0.015, 0.1, bk7) == etm.dielectric.relative_change(
        0.015, 0.1, p
    )
    with pytest.raises(TypeError, match=r"BAS has 3 heat-capacity fits: 0.6 K, 0.9 K, 1.36 K"):
        etm.heat_capacity.total(0.6, 0.1, materials.get("BAS"))


@pytest.mark.parametrize("name", NAMES)
def test_sweep_evaluates_every_entry(name):
    pytest.importorskip("xarray")
    obs = lookup(name)
    kw = {**example_arguments(name), **SMALL.get(name, {})}
    a0 = list(_axis0(name)[:, 0])
    da = etm.sweep(name, **{obs.axes[0]: a0}, B_T=[0.0, 0.3], **kw)
    assert da.dims[:2] == (obs.axes[0], "B_T")
    assert da.attrs["units"] == obs.units
    direct = _call(name, np.array(a0)[:, None], np.array([0.0, 0.3]))
    # a sweep's chunk is the same call on a sub-grid (one T per chunk here): the same numbers
    # to the quadrature's dependence on the set of points (<= 1e-7 relative)
    scale = np.max(np.abs(direct)) or 1.0
    assert_allclose(da.values, direct, rtol=1e-7, atol=1e-9 * scale)


def test_docs_page_is_the_generated_one():
    from pathlib import Path

    from etm.observables import markdown

    page = Path(__file__).resolve().parents[1] / "docs" / "observables.md"
    assert page.read_text() == markdown(), (
        "regenerate: python -m etm.observables > docs/observables.md"
    )
