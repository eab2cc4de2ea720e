"""Tests of etm.heat_capacity.exact: the full three-level route against the weak-field model."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import integrate

from etm.constants import field_for_2pi
from etm.ensemble import ats_dos
from etm.heat_capacity import ats
from etm.heat_capacity.counting import analytic_counting, exact_counting
from etm.heat_capacity.exact import (
    DEFAULT_GRID,
    ats_system_heat_capacity,
    exact_heat_capacity,
    level_heat_capacity,
)
from etm.params import ATSParams
from etm.spectrum import ats_hamiltonian, ats_well_energies, lower_gap, to_bare
from etm.threelevel.route import loop_phase

# BAS, essay Table 2 at 0.60 K
BAS = ATSParams(Dmin_K=0.49, X0min_KA2=4.77e4, X0max_KA2=3.09e5, nP_per_g=5.19e16)


def _rel(a, b):
    return float(abs(a / b - 1.0))


# ---------------------------------------------------------------------------------------------
# single systems


def test_level_heat_capacity_matches_eigvalsh_formula():
    rng = np.random.default_rng(1)
    D = rng.uniform(0.1, 3.0, 50)
    th = rng.uniform(0, 2 * np.pi, 50)
    D0 = rng.uniform(0.2, 5.0, 50)
    phi = rng.uniform(0, 7.0, 50)
    T = rng.uniform(0.05, 4.0, 50)
    E = ats_well_energies(D, th)
    _, D0b = to_bare(0.0, D0)
    lev = np.linalg.eigvalsh(ats_hamiltonian(E[:, 0], E[:, 1], E[:, 2], D0b, phi))
    # direct textbook formula (safe here: levels/T <= ~200, no overflow)
    b = np.exp(-(lev - lev[:, :1]) / T[:, None])
    p = b / b.sum(axis=1, keepdims=True)
    direct = ((p * lev**2).sum(1) - (p * lev).sum(1) ** 2) / T**2
    # 1e-9: the direct form loses ~(lambda/T)^2 eps to cancellation; levels agree to ~1e-15
    assert_allclose(ats_system_heat_capacity(D, th, D0, phi, T), direct, rtol=1e-9, atol=1e-12)
    assert_allclose(level_heat_capacity(lev, T), direct, rtol=1e-9, atol=1e-12)


def test_zero_temperature_limit_without_warnings():
    # pyproject turns warnings into errors: no overflow/invalid at T = 0 or T = 1e-300
    c = ats_system_heat_capacity(1.0, 0.3, 2.0, 0.5, [0.0, 1e-300, 1e-3])
    assert np.all(c == 0.0)
    assert float(exact_heat_capacity(0.0, 1.0, BAS)) == 0.0


def test_high_temperature_coefficient():
    lev = np.array([-1.3, 0.4, 0.9])
    T = 1e4
    var_uniform = np.mean(lev**2) - np.mean(lev) ** 2
    # C T^2 -> Var_uniform(lambda) + O(lambda/T): 1e-3 relative is ~30x the O(1e-4) correction
    assert_allclose(level_heat_capacity(lev, T) * T**2, var_uniform, rtol=1e-3)


def test_loop_phase_and_theta_symmetries():
    assert_allclose(loop_phase(field_for_2pi(3e3), 3e3), 2 * np.pi, rtol=1e-14)
    # cyclic relabelling (theta + 2 pi/3) and the reflection theta -> -theta leave the gap alone
    th = np.linspace(0, 2 * np.pi, 37)
    g = [lower_gap(*ats_well_energies(0.7, t).T, 0.8, 1.3) for t in (th, th + 2 * np.pi / 3, -th)]
    assert_allclose(g[1], g[0], rtol=1e-12)
    assert_allclose(g[2], g[0], rtol=1e-12)


@pytest.mark.parametrize("D", [0.05, 0.5, 2.0, 20.0])
def test_gap_monotone_in_theta(D):
    # exact_counting relies on gap(theta) increasing on [0, pi/3]
    th = np.linspace(0, np.pi / 3, 801)
    for phi in np.linspace(0, np.pi, 9):
        g = lower_gap(*ats_well_energies(D, th).T, np.sqrt(3) / 2, phi)
        assert np.all(np.diff(g) >= -1e-12 * g.max())


# ---------------------------------------------------------------------------------------------
# analytic counting


@pytest.mark.parametrize("orientation", ["aligned", "isotropic", "phi2/3"])
def test_analytic_counting_is_integral_of_ats_dos(orientation):
    E, B = 2.5, 0.3
    ref, _ = integrate.quad(
        lambda e: float(ats_dos(e, B, BAS, orientation=orientation)),
        0.0,
        E,
        limit=400,
        epsabs=0,
        epsrel=1e-10,
        points=[0.49, 0.5, 0.6, 1.0, 1.5, 2.0],
    )
    # 1e-7: quad's own accuracy on the kinked DOS; the counting route is accurate to ~1e-12
    assert_allclose(analytic_counting(E, B, BAS, orientation=orientation), ref, rtol=1e-7)


# ---------------------------------------------------------------------------------------------
# exact vs analytic


def test_weak_field_heat_capacity_agrees_and_departs_monotonically():
    T = 0.6
    # S = 1e3 A^2: D0_eff >= 48 K, phi <= 0.15 at 2 T; the O((T/D0)^2) correction is ~1e-4
    for B in (0.0, 0.5, 2.0):
        assert _rel(exact_heat_capacity(T, B, BAS, loop_area_A2=1e3), ats(T, B, BAS)) < 3e-4
    dS = [
        _rel(exact_heat_capacity(T, 2.0, BAS, loop_area_A2=S), ats(T, 2.0, BAS))
        for S in (1e3, 3e3, 1e4, 3e4)
    ]
    assert np.all(np.diff(dS) > 0), dS
    dB = [
        _rel(
            exact_heat_capacity(T, B, BAS, loop_area_A2=1e4, orientation="aligned"),
            ats(T, B, BAS, orientation="aligned"),
        )
        for B in (0.5, 2.0, 4.0, 8.0)
    ]
    assert np.all(np.diff(dB) > 0), dB


def test_weak_field_counting_agrees_and_departs_monotonically():
    E = 1.5
    for B in (0.0, 0.5):
        # 1e-3: the physical O(x^2) difference, x = E/D0min = 1.5/47.7 (x^2 = 1e-3, measured
        # 4.7e-4), dominates the quadrature accuracy (1e-4 here)
        n = exact_counting(E, B, BAS, loop_area_A2=1e3)
        assert _rel(n, analytic_counting(E, B, BAS)) < 1e-3
    dS = [
        _rel(exact_counting(E, 1.0, BAS, loop_area_A2=S), analytic_counting(E, 1.0, BAS))
        for S in (1e3, 1e4, 3e4)
    ]
    assert np.all(np.diff(dS) > 0), dS
    dB = [
        _rel(
            exact_counting(E, B, BAS, loop_area_A2=3e4, orientation="aligned"),
            analytic_counting(E, B, BAS, orientation="aligned"),
        )
        for B in (0.25, 0.5, 1.0)
    ]
    assert np.all(np.diff(dB) > 0), dB


def test_zero_field_difference_scales_as_inverse_area_squared():
    # B = 0: the relative gap error ~ -(D^2/E^2)(D/D0) cos(3 theta)/(3 sqrt 3) averages to O(x^2)
    # over theta, x = D/D0 ~ T S/X: the difference must scale as S^-2 (ratio 100 for S x10);
    # 0.8-1.2 of 100 allows the O(x^3) next order (~5% at S = 1e4).
    d = [
        _rel(exact_heat_capacity(0.6, 0.0, BAS, loop_area_A2=S), ats(0.6, 0.0, BAS))
        for S in (1e3, 1e4)
    ]
    assert 80 < d[1] / d[0] < 120, d
    nd = [
        _rel(exact_counting(1.0, 0.0, BAS, loop_area_A2=S), analytic_counting(1.0, 0.0, BAS))
        for S in (1e3, 1e4)
    ]
    assert 80 < nd[1] / nd[0] < 120, nd


# ---------------------------------------------------------------------------------------------
# quadrature convergence and the D range


@pytest.mark.parametrize(
    ("B", "S", "orientation"),
    [(0.0, 1e4, "aligned"), (4.0, 3e4, "aligned"), (2.0, 1e4, "isotropic")],
)
def test_heat_capacity_converged(B, S, orientation):
    c = exact_heat_capacity(0.6, B, BAS, loop_area_A2=S, orientation=orientation)
    c2 = exact_heat_capacity(
        0.6, B, BAS, loop_area_A2=S, orientation=orientation, grid=DEFAULT_GRID.refined(2)
    )
    # stated accuracy of the default grid: 1e-6 relative (measured 1e-8 ... 1e-12)
    assert _rel(c, c2) < 1e-6


@pytest.mark.parametrize(("B", "orientation"), [(1.0, "aligned"), (1.0, "isotropic")])
def test_counting_converged(B, orientation):
    n = exact_counting(3.0, B, BAS, loop_area_A2=1e4, orientation=orientation)
    n2 = exact_counting(
        3.0, B, BAS, loop_area_A2=1e4, orientation=orientation, grid=DEFAULT_GRID.refined(2)
    )
    # stated accuracy 1e-3 (measured <= 7e-4): kinks in ln D0 of the isotropic average remain
    assert _rel(n, n2) < 1e-3


def test_d_tail_is_negligible_beyond_cap():
    # With D unbounded the tail [D_split, inf) is integrated exactly; moving the split and cutting
    # the distribution at Dmax = 1e4 T must not change C beyond the bound (T/Dmax) ~ 6e-5.
    S = 3e4
    c = exact_heat_capacity(0.6, 1.0, BAS, loop_area_A2=S)
    c_split = exact_heat_capacity(
        0.6, 1.0, BAS, loop_area_A2=S, grid=replace(DEFAULT_GRID, split=300.0)
    )
    assert _rel(c, c_split) < 1e-8
    capped = replace(BAS, Dmax_K=6e3)
    c_cap = exact_heat_capacity(
        0.6, 1.0, capped, loop_area_A2=S, grid=replace(DEFAULT_GRID, panel_lnD=0.5)
    )
    assert 0 <= (c - c_cap) / c < 6e-5


# ---------------------------------------------------------------------------------------------
# errors


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"loop_area_A2": 0.0}, "loop_area_A2"),
        ({"loop_area_A2": -1.0}, "loop_area_A2"),
        ({"orientation": "random"}, "orientation"),
        ({"T_K": -1.0}, "T_K"),
        ({"T_K": np.nan}, "T_K"),
        ({"B_T": -0.1}, "B_T"),
        ({"B_T": np.nan}, "B_T"),
    ],
)
def test_bad_input(kwargs, match):
    args = {"T_K": 0.6, "B_T": 1.0}
    args.update(kwargs)
    T, B = args.pop("T_K"), args.pop("B_T")
    with pytest.raises(ValueError, match=match):
        exact_heat_capacity(T, B, BAS, **args)
    with pytest.raises(ValueError, match=match.replace("T_K", "E_K")):
        exact_counting(T, B, BAS, **args)


def test_broadcasting_and_scalar():
    c = exact_heat_capacity([0.3, 0.6], [[0.0], [1.0]], BAS, orientation="aligned")
    assert c.shape == (2, 2) and np.all(np.isfinite(c)) and np.all(c > 0)
    assert np.ndim(exact_counting(1.0, 0.0, BAS)) == 0


# ---------------------------------------------------------------------------------------------
# the compiled route against the numpy route; threads change nothing


@pytest.mark.parametrize("orientation", ["aligned", "isotropic", "phi2/3"])
@pytest.mark.parametrize("dmax", [None, 4.0])
def test_compiled_route_equals_numpy_route(orientation, dmax):
    # same nodes, same closed form (both gaps in product form vs levels and lower_gap), sums in
    # another order, systems with gap > 50 T skipped (each < 2e-18 of its C/k_B scale): round-off
    # only, so 1e-12 relative (measured <= 9e-15 with the vectorized kernel of _exact_kernels)
    p = replace(BAS, Dmax_K=dmax)
    T = np.array([0.05, 0.6, 3.0])[:, None]
    B = np.array([0.0, 0.7, 9.0])[None, :]
    got = exact_heat_capacity(T, B, p, orientation=orientation, workers=1)
    ref = exact_heat_capacity(T, B, p, orientation=orientation, reference=True)
    assert_allclose(got, ref, rtol=1e-12, atol=0.0)


def test_workers_identical_and_checked():
    T = np.array([0.3, 0.6, 1.2])[:, None]
    B = np.array([0.0, 2.0])[None, :]
    ref = exact_heat_capacity(T, B, BAS, workers=1)
    assert np.array_equal(exact_heat_capacity(T, B, BAS, workers=2), ref)
    assert np.array_equal(exact_heat_capacity(T, B, BAS, workers=5), ref)
    with pytest.raises(ValueError, match="workers"):
        exact_heat_capacity(0.6, 0.0, BAS, workers=0)
