"""Tests of etm.magnetization: level sums, free-energy derivatives, Maxwell relations, limits."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import integrate

from etm import heat_capacity, materials
from etm.constants import AB_K_PER_T_KA2, k_B, mu_B, mu_B_K_per_T
from etm.ensemble import ORIENTATIONS
from etm.magnetization import (
    ats,
    ats_system_moment,
    components,
    exact_ats,
    impurities,
    paramagnet,
    total,
)
from etm.params import ATSParams, Paramagnet
from etm.spectrum import ats_hamiltonian, ats_well_energies, to_bare
from etm.threelevel.route import loop_phase

P = ATSParams(Dmin_K=0.49, X0min_KA2=4.77e4, X0max_KA2=3.09e5, nP_per_g=1.0)


def _gl(n, a=0.0, b=1.0):
    t, w = np.polynomial.legendre.leggauss(n)
    return a + (b - a) * 0.5 * (t + 1.0), (b - a) * 0.5 * w


# ---------------------------------------------------------------------------------------------
# the free spin
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("S", "g"), [(0.5, 2.0), (2.0, 2.0), (2.5, 2.0), (3.5, 1.3)])
def test_paramagnet_vs_sum_over_levels(S, g):
    T = np.geomspace(1e-3, 100.0, 41)[:, None]
    B = np.array([1e-6, 1e-3, 0.1, 1.0, 10.0, 30.0])[None, :]
    m = np.arange(-S, S + 0.5, 1.0)
    # direct Boltzmann sum over the 2S+1 Zeeman levels -m g mu_B B, shifted by the lowest
    x = g * mu_B_K_per_T * B / T
    mm = m[:, None, None]
    e = np.exp((mm - S) * x)
    want = g * mu_B * np.sum(mm * e, axis=0) / np.sum(e, axis=0)
    # small x: pair the levels +-m (sum of m sinh(m x) over cosh) to avoid the cancellation of
    # sum m e^{m x} ~ x, which would limit the reference to ~1e-16/x
    xs = np.minimum(x, 1.0)
    small = g * mu_B * np.sum(mm * np.sinh(mm * xs), axis=0) / np.sum(np.cosh(mm * xs), axis=0)
    want = np.where(x < 1.0, small, want)
    # rtol: the coth difference cancels like eps (2/(n y))^2 just above the series switch at
    # n y = 2e-2 (~1e-12); the paired reference is good to ~1e-15
    assert_allclose(paramagnet(T, B, S, g), want, rtol=1e-11, atol=1e-40)


@pytest.mark.parametrize("S", [2.0, 2.5])
def test_paramagnet_curie_law_and_saturation(S):
    g = 2.0
    T = np.array([50.0, 100.0])
    curie = g**2 * mu_B**2 * S * (S + 1) * 1.0 / (3 * k_B * T)
    # next order of the Brillouin series: -(y^3/720)(n^4-1) relative to y (n^2-1)/12, i.e.
    # ~ y^2 (n^2+1)/60 with y = g mu_B B/k_B T <= 0.027: < 5e-4
    assert_allclose(paramagnet(T, 1.0, S, g), curie, rtol=5e-4)
    assert_allclose(paramagnet(1e-3, 30.0, S, g), g * mu_B * S, rtol=1e-14)
    assert paramagnet(1.0, 0.0, S, g) == 0.0


def test_paramagnet_maxwell_relation_with_schottky_heat_capacity():
    # S(T, B) = integral_0^T C/T' dT' (zero at T = 0: non-degenerate ground level for B > 0);
    # dS/dB must equal dM/dT (Maxwell), with C from etm.heat_capacity.zeeman_schottky
    S, g, T, B, h = 2.5, 2.0, 1.5, 2.0, 1e-4

    def entropy(b):
        f = lambda t: heat_capacity.zeeman_schottky(t, b, S, g) / t  # noqa: E731
        return integrate.quad(f, 1e-4, T, epsabs=0, epsrel=1e-13, limit=400)[0]

    dS_dB = (entropy(B + h) - entropy(B - h)) / (2 * h)
    dM_dT = (paramagnet(T + h, B, S, g) - paramagnet(T - h, B, S, g)) / (2 * h)
    # central differences with h = 1e-4 of smooth functions: truncation ~h^2 = 1e-8 relative
    assert_allclose(dS_dB, dM_dT, rtol=1e-7)


def test_impurities_sum_and_material_spins():
    pm = [Paramagnet(1e17, 2.0, 2.0), Paramagnet(5e16, 2.5, 2.0)]
    want = 1e17 * paramagnet(0.7, 1.0, 2.0, 2.0) + 5e16 * paramagnet(0.7, 1.0, 2.5, 2.0)
    assert_allclose(impurities(0.7, 1.0, pm), want, rtol=1e-15)
    m = materials.get("BAS").at(0.6)
    c = components(0.7, 1.0, m)
    assert set(c) == {"ATS", "2LS", "Fe2+", "Fe3+"}
    assert c["2LS"] == 0.0
    assert_allclose(total(0.7, 1.0, m), sum(c.values()), rtol=1e-15)


# ---------------------------------------------------------------------------------------------
# ATS, weak field
# ---------------------------------------------------------------------------------------------


def _weak_free_energy(T, B, p, orientation, n_x=48, n_c=32):
    """Delta F(B) = F(B) - F(0) [J/g] of the weak-field ensemble, integrated independently.

    Outer: adaptive quad over s = Dmin/D in (0, 1] (D to infinity; f(E) - f(D) ~ y^2/(4D) makes
    the integrand in s smooth at 0). Inner: Gauss-Legendre in ln X and cos(beta), where the
    integrand is analytic. f = -k_B T ln(2 cosh(E/2T)), written as -E/2 - T log1p(exp(-E/T)).
    """
    lx, wx = _gl(n_x, np.log(p.X0min_KA2), np.log(p.X0max_KA2))
    if orientation == "isotropic":
        c, wc = _gl(n_c)
    else:
        c, wc = np.array([1.0 if orientation == "aligned" else 3**-0.5]), np.array([1.0])
    y = AB_K_PER_T_KA2 * B * np.exp(lx)[:, None] * c[None, :]
    W = wx[:, None] * wc[None, :]

    def f(E):
        return -0.5 * E - T * np.log1p(np.exp(-E / T))

    def integrand(s):
        D = p.Dmin_K / s
        E = np.hypot(D, y)
        # f(E) - f(D) without cancellation: -(E - D)/2 - T [log1p(e^-E/T) - log1p(e^-D/T)]
        dE = y * y / (E + D)
        val = -0.5 * dE - T * (np.log1p(np.exp(-E / T)) - np.log1p(np.exp(-D / T)))
        return np.sum(W * val) / s

    v = integrate.quad(integrand, 0.0, 1.0, epsabs=0.0, epsrel=1e-12, limit=400)[0]
    return 2 * np.pi * p.nP_per_g * k_B * v


@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_ats_weak_field_vs_finite_difference_of_free_energy(orientation):
    for T, B in [(0.6, 1.0), (0.1, 0.3), (2.0, 5.0)]:
        h = 1e-3 * B
        fd = -(
            _weak_free_energy(T, B + h, P, orientation)
            - _weak_free_energy(T, B - h, P, orientation)
        ) / (2 * h)
        # central difference h = 1e-3 B: truncation ~1e-6 relative; quad at 1e-12 relative on
        # Delta F ~ B M costs 1e-12 B/h = 1e-9; the closed form's panels are ~1e-8
        assert_allclose(ats(T, B, P, orientation=orientation), fd, rtol=1e-5)


def test_ats_weak_field_with_dmax_vs_direct_average():
    p = ATSParams(Dmin_K=0.3, X0min_KA2=2e4, X0max_KA2=2e5, nP_per_g=2.0, Dmax_K=3.0)
    T, B = 0.4, 2.0
    lx, wx = _gl(48, np.log(p.X0min_KA2), np.log(p.X0max_KA2))
    c, wc = _gl(32)
    y = AB_K_PER_T_KA2 * B * np.exp(lx)[:, None] * c[None, :]

    def integrand(lnD):
        E = np.hypot(np.exp(lnD), y)
        m = 0.5 * k_B * np.tanh(E / (2 * T)) * y * y / (E * B)
        return np.sum(wx[:, None] * wc[None, :] * m)

    want = (
        2
        * np.pi
        * p.nP_per_g
        * integrate.quad(integrand, np.log(p.Dmin_K), np.log(p.Dmax_K), epsabs=0, epsrel=1e-12)[0]
    )
    # the inner Gauss rules are converged to ~1e-14 (analytic integrand); panels ~1e-8
    assert_allclose(ats(T, B, p), want, rtol=1e-7)


def test_ats_weak_field_high_temperature_curie_limit():
    # T >> Dmax, b X0max: tanh(E/2T) -> E/2T, M -> (k_B/(4 T B)) 2 pi nP ln(Dmax/Dmin) <y^2>,
    # <y^2> = b^2 <c^2> (X0max^2 - X0min^2)/2 per unit ln X, <c^2> = 1/3 (isotropic)
    p = ATSParams(Dmin_K=0.3, X0min_KA2=2e4, X0max_KA2=2e5, nP_per_g=1.0, Dmax_K=3.0)
    T, B = 300.0, 0.1
    b = AB_K_PER_T_KA2 * B
    y2 = b**2 / 3.0 * (p.X0max_KA2**2 - p.X0min_KA2**2) / 2.0
    want = k_B / (4 * T * B) * 2 * np.pi * np.log(p.Dmax_K / p.Dmin_K) * y2
    # tanh(x) = x (1 - x^2/3): x = E/2T <= 3.1/600, so the correction is < 1e-5
    assert_allclose(ats(T, B, p), want, rtol=1e-5)


def test_ats_maxwell_relation_against_heat_capacity():
    # S(T, B) = integral of C/T from T_low (C ~ e^{-Dmin/T_low} ~ e^-49 there, so S(T_low) ~ 0):
    # dS/dB = dM/dT with C from etm.heat_capacity.ats (the thermal-grid route, not this module)
    p = ATSParams(Dmin_K=0.49, X0min_KA2=4.77e4, X0max_KA2=3.09e5, nP_per_g=5.19e16)
    T, B, hB, hT = 0.6, 1.0, 1e-3, 1e-4
    lt, wt = _gl(96, np.log(0.01), np.log(T))
    Ts = np.exp(lt)

    def entropy(b):
        # integral C/T dT = integral C d(ln T)
        return np.sum(wt * heat_capacity.ats(Ts, b, p))

    dS_dB = (entropy(B + hB) - entropy(B - hB)) / (2 * hB)
    dM_dT = (ats(T + hT, B, p) - ats(T - hT, B, p)) / (2 * hT)
    # both quadratures ~1e-8 relative, divided by the steps' relative sizes (1e-3, 1.7e-4):
    # ~1e-5; the 96-node ln T rule on a smooth integrand is converged far below that
    assert_allclose(dS_dB, dM_dT, rtol=1e-4)
    assert dM_dT < 0


def test_ats_linear_at_small_field_and_zero_at_zero():
    m = ats(0.6, [0.0, 1e-6, 2e-6], P)
    assert m[0] == 0.0
    # M ~ chi B: doubling a tiny field doubles M (O(B^2) corrections ~1e-12)
    assert_allclose(m[2] / m[1], 2.0, rtol=1e-6)


# ---------------------------------------------------------------------------------------------
# ATS, exact three levels
# ---------------------------------------------------------------------------------------------


def _free_energy_eig(T, B, D, theta, D0_eff, S, cos_beta=1.0):
    """F [J] of one system from numerical eigenvalues of the 3x3 Hamiltonian (Eq. 6)."""
    E = ats_well_energies(D, theta)
    _, D0b = to_bare(0.0, D0_eff)
    phi = loop_phase(B, S, cos_beta)
    lev = np.linalg.eigvalsh(ats_hamiltonian(E[0], E[1], E[2], D0b, phi))
    lo = lev.min()
    return k_B * (lo - T * np.log(np.sum(np.exp(-(lev - lo) / T))))


@pytest.mark.parametrize(
    ("T", "B", "D", "theta", "D0", "S", "cb"),
    [
        (0.5, 1.0, 0.3, 0.0, 10.0, 1e4, 1.0),
        (0.05, 2.0, 0.0, 0.0, 5.0, 1e4, 1.0),  # D = 0: degenerate at phi = 0
        (1.0, 20.7, 0.2, 0.1, 3.0, 1e4, 1.0),  # phi near pi: upper pair near-degenerate
        (2.0, 7.0, 5.0, np.pi / 3, 4.0, 2e4, 0.6),  # upper wells degenerate
        (0.01, 0.5, 2.0, 0.4, 30.0, 1e3, 0.3),
        (10.0, 30.0, 40.0, 1.0, 8.0, 1e4, 1.0),
    ],
)
def test_exact_system_moment_vs_finite_difference_of_eigenvalues(T, B, D, theta, D0, S, cb):
    h = 1e-4 * B
    fd = -(
        _free_energy_eig(T, B + h, D, theta, D0, S, cb)
        - _free_energy_eig(T, B - h, D, theta, D0, S, cb)
    ) / (2 * h)
    m = ats_system_moment(T, B, D, theta, D0, loop_area_A2=S, cos_beta=cb)
    # truncation h^2 ~1e-8; eigvalsh rounding ~1e-16 of the levels (~D0) over h: absolute
    # ~k_B 1e-16 D0 / h
    assert_allclose(m, fd, rtol=1e-6, atol=k_B * 1e-16 * 10 * (D + D0) / h)


def test_exact_system_moment_zero_field_and_weak_limit():
    assert ats_system_moment(0.5, 0.0, 0.3, 0.2, 10.0) == 0.0
    # D, T, y << D0: a two-level doublet, M = (k_B/2) tanh(E/2T) y^2/(E B); the doublet's
    # centre moves by ~D0 phi^2/18 (docs/magnetization.md), relative ~0.2 D/D0 = 1e-3 here
    S, D0, D, B, T = 1e3, 500.0, 0.5, 1.0, 0.3
    y = AB_K_PER_T_KA2 * B * D0 * S
    E = np.hypot(D, y)
    want = 0.5 * k_B * np.tanh(E / (2 * T)) * y**2 / (E * B)
    assert_allclose(ats_system_moment(T, B, D, 0.0, D0, loop_area_A2=S), want, rtol=3e-3)


@pytest.mark.parametrize(("S", "B"), [(1e4, 30.0), (2e4, 30.0), (3e4, 30.0), (1e4, 5.0)])
def test_exact_isotropic_fold_vs_average_of_aligned(S, B):
    # a loop at cos(beta) = c in B is an aligned loop in c B, with moment c M_aligned(c B):
    # M_iso(B) = integral_0^1 c M_aligned(c B) dc; at 30 T phi0 spans 1, 2 and 4 half-periods.
    # Reference: the phase c phi0 on each half-period [k pi, (k+1) pi] separately, 40 nodes
    # graded toward its end at an even multiple of pi (where the doublet closes again)
    p = ATSParams(Dmin_K=0.5, X0min_KA2=5e4, X0max_KA2=3e5, nP_per_g=1.0)
    phi0 = float(loop_phase(B, S))
    edges = [*np.arange(int(phi0 // np.pi) + 1) * np.pi, phi0]
    us, ws = [], []
    for k, (a, b) in enumerate(zip(edges[:-1], edges[1:], strict=True)):
        if b <= a:
            continue
        # geometric grading: x = 0.02 sinh(s), s uniform-GL, on [0, b - a]
        smax = np.arcsinh((b - a) / 0.02)
        s, w = _gl(40, 0.0, smax)
        x, wx = 0.02 * np.sinh(s), 0.02 * np.cosh(s) * w
        us.append(a + x if k % 2 == 0 else b - x)
        ws.append(wx)
    c, w = np.concatenate(us) / phi0, np.concatenate(ws) / phi0
    want = np.sum(w * c * exact_ats(0.8, c * B, p, loop_area_A2=S, orientation="aligned"))
    # measured agreement ~1e-10 (refining the reference to 80 nodes changes it by < 1e-14)
    assert_allclose(exact_ats(0.8, B, p, loop_area_A2=S), want, rtol=1e-8)


def test_exact_vs_weak_field_where_it_holds():
    # D <= Dmax = 2 K << D0_eff = X/S >= 477 K (S = 100 A^2), T << D0: the doublet model holds;
    # relative difference ~0.2 D/D0 ~ 1e-3 (the doublet centre's shift, docs/magnetization.md)
    p = ATSParams(Dmin_K=0.2, X0min_KA2=4.77e4, X0max_KA2=3.09e5, nP_per_g=1.0, Dmax_K=2.0)
    for orientation in ("aligned", "isotropic"):
        ex = exact_ats(0.3, 1.0, p, loop_area_A2=100.0, orientation=orientation)
        wk = ats(0.3, 1.0, p, orientation=orientation)
        assert_allclose(ex, wk, rtol=3e-3)


def test_exact_maxwell_relation_against_exact_heat_capacity():
    # dS/dB = dM/dT on the exact route: S = integral of C/T with C from etm.heat_capacity.exact (the
    # fluctuation formula over the three levels, another code path than -dF/dB here)
    from etm.heat_capacity.exact import exact_heat_capacity

    p = ATSParams(Dmin_K=0.49, X0min_KA2=4.77e4, X0max_KA2=3.09e5, nP_per_g=5.19e16)
    T, B, hB, hT = 0.6, 2.0, 1e-3, 1e-4
    lt, wt = _gl(48, np.log(0.01), np.log(T))
    Ts = np.exp(lt)

    def entropy(b):
        return np.sum(wt * exact_heat_capacity(Ts, b, p, orientation="aligned"))

    dS_dB = (entropy(B + hB) - entropy(B - hB)) / (2 * hB)
    m = [exact_ats(t, B, p, orientation="aligned") for t in (T + hT, T - hT)]
    dM_dT = (m[0] - m[1]) / (2 * hT)
    # measured 2.4e-7; both quadratures ~1e-9-1e-10 divided by the step sizes
    assert_allclose(dS_dB, dM_dT, rtol=1e-5)


def test_exact_grid_convergence():
    from etm.ensemble import DEFAULT_GRID

    # aligned loops (one phase node) keep the refined grid cheap; the phase rule is checked by
    # the fold test above
    m = exact_ats(0.6, 2.0, P, orientation="aligned")
    m2 = exact_ats(0.6, 2.0, P, orientation="aligned", grid=DEFAULT_GRID.refined(2))
    # measured: the refined grid moves M by 2e-10 relative (docs/magnetization.md)
    assert_allclose(m, m2, rtol=1e-8)


# ---------------------------------------------------------------------------------------------
# generic
# ---------------------------------------------------------------------------------------------


def test_no_warnings_and_finite_over_the_range():
    T = np.geomspace(1e-3, 100.0, 9)[:, None]
    B = np.array([0.0, 1e-8, 0.01, 1.0, 30.0])[None, :]
    for orientation in ORIENTATIONS:
        m = ats(T, B, P, orientation=orientation)
        assert np.all(np.isfinite(m)) and np.all(m >= 0)
    assert np.all(np.isfinite(paramagnet(T, B)))
    # at 100 K >> D0_eff the three levels are equally filled and M -> 0 (traceless H): only
    # finiteness is asked there
    mx = exact_ats(np.array([1e-3, 100.0]), np.array([1e-8, 30.0]), P)
    assert np.all(np.isfinite(mx)) and mx[0] > 0


def test_broadcasting_and_scalars():
    assert ats(0.6, 1.0, P).shape == ()
    assert ats([[0.5], [1.0]], [0.0, 1.0, 2.0], P).shape == (2, 3)
    assert paramagnet([1.0, 2.0], 1.0).shape == (2,)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: paramagnet(0.0, 1.0), "T_K must be finite and > 0"),
        (lambda: paramagnet(1.0, -1.0), "B_T must be finite and >= 0"),
        (lambda: paramagnet(1.0, 1.0, S=0.7), "S must be a positive multiple of 1/2"),
        (lambda: ats(np.nan, 1.0, P), "T_K must be finite and > 0.*got nan"),
        (lambda: ats(1.0, 1.0, P, orientation="x"), "orientation must be one of"),
        (lambda: exact_ats(1.0, 1.0, P, loop_area_A2=0.0), "loop_area_A2 must be"),
        (lambda: total(1.0, 1.0, materials.get("BAS").at(0.6), route="x"), "route must be"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_artanh_minus_series_against_a_long_exact_sum():
    # artanh(u) - u = sum_{k>=1} u^(2k+1)/(2k+1): 398 terms summed with math.fsum (error
    # < 0.9^800) against the 9-term Horner series used below u = 0.1 and arctanh above;
    # tolerance 2e-13 relative: arctanh(u) - u cancels by ~u^2/3 at u = 0.1 (1e-16 / 3e-3)
    import math

    from etm.magnetization import _artanh_minus

    u = np.concatenate([np.geomspace(1e-6, 0.0999, 50), np.linspace(0.1, 0.9, 9)])
    exact = np.array([math.fsum(x ** (2 * k + 1) / (2 * k + 1) for k in range(1, 400)) for x in u])
    np.testing.assert_allclose(_artanh_minus(u), exact, rtol=2e-13)


def test_ats_finite_where_the_gap_rounds_away():
    # Dmin = 1 mK with X0max = 1e8 K A^2 at 30 T: gaps E of ~1e4 K, and E^2 - y^2 = Dmin^2
    # (1e-6 K^2) is below the rounding of E^2 (1e-8 K^2), so y/E rounds to 1 (before: a
    # division by zero and arctanh(1) = inf, met by MCMC walkers). Finite and positive from
    # 1 mK to 100 K with no warning (pytest turns warnings into errors)
    from etm import magnetization
    from etm.magnetization import _artanh_ratio_minus

    T = np.array([1e-3, 0.1, 10.0, 100.0])
    M = magnetization.ats(T, np.full_like(T, 30.0), ATSParams(1e-3, 1e2, 1e8, 1e17))
    assert np.all(np.isfinite(M)) and np.all(M > 0)
    # the stable form against arctanh(u) - u where that is well conditioned (both sides of
    # the series' switch at u = 0.1; tolerance 1e-13, rounding), and against its asymptote
    # (1/2) ln(4 E^2 / D^2) - 1 where u rounds to 1 (E = 1e6, D = 1e-3: next term ~D^2/E^2)
    E = np.full(7, 3.0)
    y = np.array([0.0, 0.1, 0.29, 0.31, 1.5, 2.9, 2.999])
    assert_allclose(_artanh_ratio_minus(y, E, E * E - y * y), np.arctanh(y / E) - y / E, atol=1e-13)
    E, D = np.array([1e6]), 1e-3
    y = np.sqrt(E * E - D * D)
    assert float(y[0] / E[0]) == 1.0  # the case that broke
    got = _artanh_ratio_minus(y, E, np.array([D * D]))
    assert_allclose(got, 0.5 * np.log(4 * E**2 / D**2) - 1.0, rtol=1e-14)
