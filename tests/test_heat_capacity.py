"""Tests of etm.heat_capacity: exact limits, independent routes, asymptotics, invariants."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import integrate

from etm import materials
from etm.constants import AB_K_PER_T_KA2, k_B, mu_B_K_per_T
from etm.ensemble import ORIENTATIONS
from etm.heat_capacity import (
    ats,
    ats_reference,
    components,
    phonon,
    single_ts,
    total,
    two_level,
    zeeman_schottky,
)
from etm.params import ATSParams, Material, Paramagnet

BAS = materials.get("BAS").at(0.60)
P_BAS = BAS.ats


def _quad_sum(f, edges, epsrel=1e-12):
    """quad over consecutive pieces (full_output: no IntegrationWarning); value, error estimate."""
    tot, err = 0.0, 0.0
    for a, b in zip(edges[:-1], edges[1:], strict=False):
        v, e, *_ = integrate.quad(f, a, b, epsabs=0.0, epsrel=epsrel, limit=200, full_output=1)
        tot += v
        err += e
    return tot, err


# ---------------------------------------------------------------------------------------------
# single_ts and the 2LS background
# ---------------------------------------------------------------------------------------------


def test_single_ts_is_x2_sech2():
    rng = np.random.default_rng(11)
    E = 10 ** rng.uniform(-3, 2, 200)
    T = 10 ** rng.uniform(-2, 2, 200)
    x = E / (2 * T)
    m = x < 300  # np.cosh overflows beyond; single_ts must not
    # rtol: the two forms differ by a few ulp of exp/cosh, amplified by x at most ~300
    assert_allclose(single_ts(E[m], T[m]), (x[m] / np.cosh(x[m])) ** 2, rtol=1e-12)


def test_single_ts_extremes_without_warnings():
    # filterwarnings = error: any overflow/underflow-to-inf warning fails here
    assert single_ts(1e4, 1e-3) == 0.0
    assert single_ts(0.0, 1e-3) == 0.0
    assert np.isfinite(single_ts(1e-300, 1e5))
    vals = single_ts(np.geomspace(1e-6, 1e6, 200)[:, None], np.geomspace(1e-3, 1e3, 50))
    assert np.all(np.isfinite(vals)) and np.all(vals >= 0) and np.all(vals <= 0.44)


def test_single_ts_asymptotics():
    # T >> E: x^2/cosh^2 x = x^2 (1 - x^2 + ...), so (E/2T)^2 to relative x^2
    E, T = 1.0, np.array([1e2, 1e3, 1e4])
    x = E / (2 * T)
    assert_allclose(single_ts(E, T), x**2, rtol=1.01 * x.max() ** 2)
    # T << E: 4 x^2 e^{-2x} / (1 + e^{-2x})^2 = (E/T)^2 e^{-E/T} (1 - 2 e^{-E/T} + ...)
    T = np.array([0.05, 0.02, 0.01, 1e-3])
    asym = (E / T) ** 2 * np.exp(-E / T)
    assert_allclose(single_ts(E, T), asym, rtol=2.01 * np.exp(-E / T.max()))


def test_two_level_exact_and_independent_route():
    nP = 3.7e17
    T = np.array([1e-3, 0.05, 0.6, 1.36, 20.0])
    assert_allclose(two_level(T, nP), (np.pi**2 / 6) * k_B * nP * T, rtol=1e-15)
    # independent route: k_B * integral over E of nP single_ts(E, T), E = 2 T x
    for t in T:
        v, err = _quad_sum(lambda u, t=t: single_ts(2 * t * u, t), [0, 1, 3, 10, 30, 400])
        assert err < 1e-12 * v
        assert_allclose(two_level(t, nP), k_B * nP * 2 * t * v, rtol=1e-10)


def test_phonon_debye():
    assert_allclose(phonon([0.5, 2.0], 3e-6), 3e-6 * np.array([0.125, 8.0]), rtol=1e-15)


# ---------------------------------------------------------------------------------------------
# Zeeman Schottky of a free spin
# ---------------------------------------------------------------------------------------------


def _schottky_levels(T: float, B: float, S: float, g: float) -> float:
    """C/k_B = (<E^2> - <E>^2)/T^2 over the 2S+1 levels m g mu_B B, centered (no cancellation)."""
    m = np.arange(-S, S + 0.5, 1.0)
    E = m * g * mu_B_K_per_T * B
    w = np.exp(-(E - E.min()) / T)
    w /= w.sum()
    mean = np.sum(w * E)
    return float(np.sum(w * (E - mean) ** 2) / T**2)


@pytest.mark.parametrize("S", [0.5, 2.0, 2.5])
@pytest.mark.parametrize("g", [2.0, 4.3])
def test_zeeman_schottky_vs_level_sum(S, g):
    T = 0.7
    ys = np.geomspace(1e-6, 1e3, 91)
    B = ys * T / (g * mu_B_K_per_T)
    got = zeeman_schottky(T, B, S, g) / k_B
    ref = np.array([_schottky_levels(T, b, S, g) for b in B])
    # 1e-9: the closed form subtracts two numbers ~1 whose difference is (n^2-1) x^2/3 >= 3e-5
    # where it is used (n x >= 1e-2), losing < 1e-11; the series below has error (n x)^8 < 1e-16.
    # The absolute floor 1e-300 only admits both sides underflowing at y ~ 1e3.
    assert_allclose(got, ref, rtol=1e-9, atol=1e-300)


@pytest.mark.parametrize("S", [0.5, 2.0, 2.5])
def test_zeeman_schottky_asymptotes(S):
    g, T = 2.0, 1.0
    n = 2 * S + 1
    # low field: (n^2 - 1) x^2 / 3, next term -(n^4 - 1) x^4/15: relative ~ n^2 x^2/5
    x = np.array([1e-7, 1e-5, 1e-4])
    B = 2 * x * T / (g * mu_B_K_per_T)
    rtol = 1.01 * (n**2 + 1) * x.max() ** 2 / 5  # next term over leading: (n^2 + 1) x^2 / 5
    assert_allclose(zeeman_schottky(T, B, S, g) / k_B, (n**2 - 1) / 3 * x**2, rtol=rtol)
    # high field: only the first excited level (gap y) counts: y^2 e^{-y} (1 + O(e^{-y}))
    y = np.array([30.0, 50.0, 100.0])
    B = y * T / (g * mu_B_K_per_T)
    assert_allclose(zeeman_schottky(T, B, S, g) / k_B, y**2 * np.exp(-y), rtol=3 * np.exp(-30))


def test_zeeman_schottky_zero_field_and_extremes():
    assert np.all(zeeman_schottky([1e-3, 1.0, 100.0], 0.0, 2.5, 2.0) == 0.0)
    for S, g in [(0.5, 2.0), (2.0, 2.0), (2.5, 4.3)]:
        c = zeeman_schottky(np.array([1e-3, 1e-3, 100.0]), np.array([30.0, 1e-12, 30.0]), S, g)
        assert np.all(np.isfinite(c)) and np.all(c >= 0)
    # the maximum of a Schottky anomaly of a spin S is below its classical bound 1 k_B... and > 0
    y = np.geomspace(1e-3, 1e3, 400)
    c = zeeman_schottky(1.0, y / (2 * mu_B_K_per_T), 2.5, 2.0) / k_B
    assert 0 < c.max() < 2.5**2


# ---------------------------------------------------------------------------------------------
# ATS heat capacity
# ---------------------------------------------------------------------------------------------


def _c_ats_zero_field_quad(T: float, p: ATSParams) -> float:
    """k_B 2 pi nP L integral_{Dmin}^{inf} single_ts(E, T) dE/E (the B = 0 DOS), E = Dmin + T u."""
    L = math.log(p.X0max_KA2 / p.X0min_KA2)
    v, err = _quad_sum(
        lambda u: single_ts(p.Dmin_K + T * u, T) / (p.Dmin_K + T * u) * T,
        [0.0, 0.1, 1.0, 3.0, 10.0, 30.0, 100.0, 400.0],
    )
    assert err < 1e-11 * v
    return k_B * 2 * np.pi * p.nP_per_g * L * v


@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_ats_zero_field_vs_quad(orientation):
    T = np.array([0.01, 0.1, 0.6, 1.36, 10.0, 100.0])
    ref = [_c_ats_zero_field_quad(t, P_BAS) for t in T]
    # thermal_dos_integral's contract is 1e-6; measured ~1e-10 at B = 0
    assert_allclose(ats(T, 0.0, P_BAS, orientation=orientation), ref, rtol=1e-6)


def test_ats_low_and_high_temperature_limits():
    p = P_BAS
    pref = k_B * 2 * np.pi * p.nP_per_g * math.log(p.X0max_KA2 / p.X0min_KA2)
    # T << Dmin: activated, integral of (E/T)^2 e^{-E/T} dE/E = (Dmin/T + 1) e^{-Dmin/T};
    # the dropped factor (1 + e^{-E/T})^-2 is 1 - O(e^{-Dmin/T}) ~ 1e-10 at T = Dmin/25
    T = p.Dmin_K / np.array([25.0, 40.0, 100.0, 300.0])
    act = pref * (p.Dmin_K / T + 1) * np.exp(-p.Dmin_K / T)
    assert_allclose(ats(T, 0.0, p), act, rtol=1e-6)
    # T >> Dmin: integral_{a}^{inf} x sech^2 x dx = ln 2 - a^2/2 + O(a^4), a = Dmin/2T
    T = np.array([50.0, 100.0, 1000.0])
    a = p.Dmin_K / (2 * T)
    assert_allclose(ats(T, 0.0, p), pref * (np.log(2) - a**2 / 2), rtol=1e-6)


@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_ats_high_temperature_second_moment(orientation):
    """T >> every gap: C -> (k_B/4T^2) * sum of E^2 = (k_B/4T^2) * sum of (D^2 + y^2), an exact
    second moment of the (D, X, cos beta) distribution; <cos^2 beta> = 1/3 for the isotropic
    average, exactly the phi^2/3 shortcut (the shortcut is right for this moment only)."""
    p = ATSParams(Dmin_K=0.49, X0min_KA2=4.77e4, X0max_KA2=3.09e5, nP_per_g=5.19e16, Dmax_K=3.0)
    L, LD = math.log(p.X0max_KA2 / p.X0min_KA2), math.log(p.Dmax_K / p.Dmin_K)
    c2 = {"aligned": 1.0, "isotropic": 1.0 / 3.0, "phi2/3": 1.0 / 3.0}[orientation]
    T = 1e5
    for B in (0.0, 0.5, 3.0):
        kap = AB_K_PER_T_KA2 * B
        M2 = (
            2
            * np.pi
            * p.nP_per_g
            * (
                L * (p.Dmax_K**2 - p.Dmin_K**2) / 2
                + LD * c2 * kap**2 * (p.X0max_KA2**2 - p.X0min_KA2**2) / 2
            )
        )
        # x^2 sech^2 x = x^2 (1 - (2/3) x^2 + ...): the relative correction is below
        # (Emax/T)^2/6 < 2e-9 at T = 1e5 K, so the tolerance is thermal_dos_integral's 1e-6
        Emax = math.hypot(p.Dmax_K, kap * p.X0max_KA2)
        assert (Emax / T) ** 2 / 6 < 1e-8
        assert_allclose(ats(T, B, p, orientation=orientation), k_B * M2 / (4 * T**2), rtol=1e-6)


@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_ats_grid_finite_nonnegative(orientation):
    T = np.geomspace(1e-3, 100.0, 25)[:, None]
    B = np.concatenate([[0.0], np.geomspace(1e-4, 30.0, 15)])[None, :]
    C = ats(T, B, P_BAS, orientation=orientation)
    assert C.shape == (25, 16)
    assert np.all(np.isfinite(C)) and np.all(C >= 0.0)
    # at T << Dmin a field can only lower C (states move up, away from kT)
    assert np.all(np.diff(C[T[:, 0] < 0.05], axis=1) <= 1e-12 * C[T[:, 0] < 0.05, :1])


def test_field_lowers_cp_at_the_essays_temperatures():
    # the essay's Fig. 9: at 0.6 K Cp_ATS(B) first rises a little, then falls well below C(0)
    C = ats(0.6, [0.0, 5.0, 10.0], P_BAS)
    assert C[2] < C[1] < C[0]


@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_total_is_sum_of_components(orientation):
    m = replace(BAS, nP2LS_per_g_per_K=2e16, phonon_beta_J_per_gK4=1e-6)
    T = np.array([0.1, 0.6, 1.36])[:, None]
    B = np.array([0.0, 0.5, 3.0, 10.0])[None, :]
    comp = components(T, B, m, orientation=orientation)
    assert set(comp) == {"ATS", "2LS", "phonon", "Fe2+", "Fe3+"}
    for v in comp.values():
        assert v.shape == (3, 4)
    assert_allclose(total(T, B, m, orientation=orientation), sum(comp.values()), rtol=1e-15)
    assert_allclose(comp["ATS"], ats(T, B, m.ats, orientation=orientation), rtol=1e-15)
    fe3 = m.paramagnets[1]
    assert_allclose(comp["Fe3+"], fe3.n_per_g * zeeman_schottky(T, B, fe3.S, fe3.g), rtol=1e-15)
    assert_allclose(comp["2LS"], np.broadcast_to(two_level(T, 2e16), (3, 4)), rtol=1e-15)


def test_components_unlabelled_paramagnet():
    m = Material(name="x", ats=P_BAS, paramagnets=(Paramagnet(1e17, 0.5, 2.0),))
    assert "paramagnet 0" in components(0.6, 1.0, m)


# ---------------------------------------------------------------------------------------------
# Generic: every public function, scalar in -> 0-d out, broadcasting, finite
# ---------------------------------------------------------------------------------------------

PUBLIC = {
    "single_ts": lambda T, B: single_ts(0.5 + np.asarray(B), T),  # E from the second axis
    "ats": lambda T, B: ats(T, B, P_BAS),
    "ats_aligned": lambda T, B: ats(T, B, P_BAS, orientation="aligned"),
    "ats_phi2/3": lambda T, B: ats(T, B, P_BAS, orientation="phi2/3"),
    "two_level": lambda T, B: two_level(T, 1e17) + 0 * np.asarray(B),
    "phonon": lambda T, B: phonon(T, 1e-6) + 0 * np.asarray(B),
    "zeeman_schottky": lambda T, B: zeeman_schottky(T, B, 2.5, 2.0),
    "total": lambda T, B: total(T, B, BAS),
    "components": lambda T, B: components(T, B, BAS)["ATS"],
}


@pytest.mark.parametrize("name", list(PUBLIC))
def test_public_functions_shapes_and_finiteness(name):
    f = PUBLIC[name]
    out = f(0.6, 1.0)
    assert np.ndim(out) == 0 and np.isfinite(out)
    T = np.array([0.01, 0.6, 5.0])[:, None]
    B = np.array([0.0, 0.1, 1.0, 30.0])
    out = np.asarray(f(T, B))
    assert out.shape == (3, 4)
    assert np.all(np.isfinite(out)) and np.all(out >= 0)
    # broadcasting is elementwise: each entry equals the scalar call (tolerance: the ATS
    # quadrature grid depends on the set of temperatures, agreement to its ~1e-8 accuracy)
    for i in range(3):
        for j in range(4):
            assert_allclose(out[i, j], f(T[i, 0], B[j]), rtol=1e-7)


def test_single_ts_direct_function_shapes():
    assert np.ndim(single_ts(1.0, 0.5)) == 0
    assert single_ts([1.0, 2.0], [[0.5], [1.0], [2.0]]).shape == (3, 2)


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: ats(0.0, 1.0, P_BAS), "T_K"),
        (lambda: ats(-1.0, 1.0, P_BAS), "T_K"),
        (lambda: ats(0.6, -1.0, P_BAS), "B_T"),
        (lambda: ats(0.6, np.nan, P_BAS), "B_T"),
        (lambda: ats(0.6, 1.0, P_BAS, orientation="random"), "orientation"),
        (lambda: two_level(0.0, 1e17), "T_K"),
        (lambda: two_level(1.0, -1e17), "nP2LS_per_g_per_K"),
        (lambda: phonon(np.nan, 1e-6), "T_K"),
        (lambda: phonon(1.0, -1e-6), "beta_J_per_gK4"),
        (lambda: zeeman_schottky(0.0, 1.0), "T_K"),
        (lambda: zeeman_schottky(1.0, -1.0), "B_T"),
        (lambda: zeeman_schottky(1.0, 1.0, S=0.3), "S"),
        (lambda: zeeman_schottky(1.0, 1.0, S=0.0), "S"),
        (lambda: zeeman_schottky(1.0, 1.0, g=0.0), "g"),
        (lambda: total(-0.6, 1.0, BAS), "T_K"),
        (lambda: components(0.6, -1.0, BAS), "B_T"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ----------------------------------------------------------------------------------------------
# the fused compiled quadrature against the numpy route; chunking and threads change nothing

_FIELDS_T = np.concatenate([[0.0, 1e-12, 1e-6, 1e-3], np.linspace(0.0, 30.0, 61), [7.9999]])
_TEMPS_K = np.array([0.002, 0.05, 0.3, 0.6, 2.0, 10.0, 90.0])


@pytest.mark.parametrize("orientation", ORIENTATIONS)
@pytest.mark.parametrize("dmax", [None, 3.0])
def test_fused_ats_equals_numpy_route(orientation, dmax):
    # same quadrature by two codes (the compiled per-field loop vs thermal_grid's arrays and the
    # numpy density of states): round-off only, so 1e-12 relative (measured ~6e-16)
    p = replace(P_BAS, Dmax_K=dmax)
    T, B = _TEMPS_K[:, None], _FIELDS_T[None, :]
    got = ats(T, B, p, orientation=orientation)
    ref = ats_reference(T, B, p, orientation=orientation)
    assert got.shape == ref.shape == (T.size, B.size)
    assert_allclose(got, ref, rtol=1e-12, atol=0.0)


def test_fused_ats_curve_equals_numpy_route():
    # the MCMC's case: one 41-field curve at one temperature
    B = np.linspace(0.0, 8.0, 41)
    assert_allclose(ats(0.6, B, P_BAS), ats_reference(0.6, B, P_BAS), rtol=1e-12, atol=0.0)


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_ats_workers_identical(workers):
    # one thread per field in a fixed order: bit-identical whatever the thread count; 400 fields x
    # ~300 nodes is above the threshold where the threads start
    B = np.linspace(0.0, 8.0, 400)
    T = np.array([[0.3], [0.6]])
    ref = ats(T, B, P_BAS, workers=1)
    assert np.array_equal(ats(T, B, P_BAS, workers=workers), ref)


def test_ats_memory_budget_identical_and_total_takes_it():
    B = np.linspace(0.0, 8.0, 300)
    ref = ats(0.6, B, P_BAS)
    assert np.array_equal(ats(0.6, B, P_BAS, memory_MB=0.01), ref)
    assert_allclose(total(0.6, B, BAS, memory_MB=0.01), total(0.6, B, BAS), rtol=1e-15)


@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
def test_ats_bad_workers(bad):
    with pytest.raises(ValueError, match="workers"):
        ats(0.6, 1.0, P_BAS, workers=bad)
