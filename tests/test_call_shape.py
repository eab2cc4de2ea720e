"""One call shape for every observable: T_K and B_T first, by keyword, broadcast together."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from etm import dielectric, echo, heat_capacity, materials

BAS_EPS = materials.dielectric_row("BAS", 0.05).params
BAS_ECHO = materials.echo_row("BAS sample 2")
BAS_CP = materials.get("BAS").at(0.6)

# The signature contract over every catalog entry (axes first, options keyword-only) is
# tests/test_observables.py; the tests below check the numbers of the keyword calls.


def test_dielectric_by_keyword_and_broadcast():
    B = np.array([0.0, 0.05, 0.3])
    T = np.array([[0.05], [0.1]])
    grid = dielectric.relative_change(T_K=T, B_T=B, params=BAS_EPS)
    assert grid.shape == (2, 3)
    for i in range(2):
        # each row equals its own single-temperature call (same grid of fields in the call,
        # so the energy panels are the same and the agreement is to round-off)
        assert_allclose(grid[i], dielectric.relative_change(float(T[i, 0]), B, BAS_EPS), rtol=1e-12)
    assert dielectric.relative_change(T_K=0.015, B_T=[0, 0.1], params=BAS_EPS).shape == (2,)


def test_echo_takes_temperature_arrays():
    pre = BAS_ECHO
    T = [0.012, 0.02]
    B = [[0.1], [0.3]]
    r = echo.relative_amplitude(T_K=T, B_T=B, params=pre.params, pulses=pre.pulses)
    a = echo.amplitude(T_K=T, B_T=B, params=pre.params, pulses=pre.pulses)
    assert r.shape == a.shape == (2, 2)
    for j, Tj in enumerate(T):
        # separate single-temperature evaluations: the E grid does not depend on T, so the
        # broadcast call computes the same sums (round-off only)
        single = echo.amplitude(Tj, [0.1, 0.3], pre.params, pre.pulses)
        assert_allclose(a[:, j], single, rtol=1e-12)
        rel = echo.relative_amplitude(Tj, [0.1, 0.3], pre.params, pre.pulses)
        assert_allclose(r[:, j], rel, rtol=1e-12)
    # the higher temperature changes the curve (thermal polarization, decay): not a copy
    assert abs(a[0, 1] - a[0, 0]) > 1e-3 * abs(a[0, 0])


def test_heat_capacity_orientation_is_keyword_only():
    with pytest.raises(TypeError):
        heat_capacity.total(0.6, 1.0, BAS_CP, "aligned")  # type: ignore[misc]
    c = heat_capacity.total(T_K=[0.6, 0.9], B_T=[[0.0], [1.0]], material=BAS_CP)
    assert c.shape == (2, 2)
