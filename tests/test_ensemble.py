"""Tests of etm.ensemble: the ATS density of states and the thermal quadrature over it.

Every closed form is checked against an independent numerical route built here from the
distribution itself, ``2 pi nP dD/D dX/X`` (X log-uniform, D >= Dmin, D <= Dmax if given), never
against values produced by the code under test:

* pointwise, in polar variables D = E cos(psi), y = kappa X = E sin(psi), where the measure is
  ``dE/E dpsi/(sin psi cos psi)``, so g(E) = (2 pi nP / E) * integral of dpsi/(sin psi cos psi)
  over the psi allowed by the four cutoffs (scipy quad);
* over energy windows, as the 2D measure of the region Ea < sqrt(D^2 + y^2) < Eb in
  (ln D, ln X) (scipy dblquad, the outer range split at the region's corners);
* for the isotropic average, an outer quad over cos(beta) of the above.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import integrate

from etm.constants import AB_K_PER_T_KA2
from etm.ensemble import ORIENTATIONS, ats_dos, ats_dos_oriented, thermal_dos_integral
from etm.heat_capacity import single_ts
from etm.params import ATSParams

# BAS, essay Table 2 row T = 0.60 K (nP = 1 so that g is in units of 2 pi nP ...).
P_BAS = ATSParams(Dmin_K=0.49, X0min_KA2=4.77e4, X0max_KA2=3.09e5, nP_per_g=1.0)
# The same with an upper cutoff of D: every branch of the Dmax generalization is reachable.
P_DMAX = ATSParams(Dmin_K=0.49, X0min_KA2=4.77e4, X0max_KA2=3.09e5, nP_per_g=1.0, Dmax_K=3.0)
# Small Dmin and a wide X range: narrow logarithmic spikes (width Dmin^2/2E) above Ec2.
P_WIDE = ATSParams(Dmin_K=0.05, X0min_KA2=1e4, X0max_KA2=1e6, nP_per_g=2.5e16)
PARAMS = {"BAS": P_BAS, "Dmax": P_DMAX, "wide": P_WIDE}

FIELDS_T = (0.01, 0.5, 3.0, 30.0)
COS_BETA = {"aligned": 1.0, "phi2/3": 1.0 / math.sqrt(3.0)}


def _lnratio(p: ATSParams) -> float:
    return math.log(p.X0max_KA2 / p.X0min_KA2)


def _g_scale(p: ATSParams) -> float:
    """The largest value of the B = 0 DOS, (2 pi nP / Dmin) ln(X0max/X0min): a natural unit of g."""
    return 2 * math.pi * p.nP_per_g * _lnratio(p) / p.Dmin_K


def _Ds(p: ATSParams) -> list[float]:
    return [p.Dmin_K] if p.Dmax_K is None else [p.Dmin_K, p.Dmax_K]


def _corners(kappa: float, p: ATSParams) -> list[float]:
    """Energies hypot(D, kappa X) for the four corners of the (D, X) rectangle."""
    return [math.hypot(d, kappa * x) for d in _Ds(p) for x in (p.X0min_KA2, p.X0max_KA2)]


# ---------------------------------------------------------------------------------------------
# Independent references
# ---------------------------------------------------------------------------------------------


def _quad_pieces(f, edges, epsrel=1e-11):
    """Sum of scipy quad over consecutive pieces; returns (value, summed error estimate).

    full_output keeps quad from warning (filterwarnings = error); the caller checks the error
    estimate instead, against its own tolerance.
    """
    total, err = 0.0, 0.0
    for a, b in zip(edges[:-1], edges[1:], strict=False):
        v, e, *_ = integrate.quad(f, a, b, epsabs=0.0, epsrel=epsrel, limit=200, full_output=1)
        total += v
        err += e
    return total, err


def _g_polar(E: float, kappa: float, p: ATSParams) -> float:
    """g(E) at fixed kappa (aligned loops) by quad over the polar angle psi = atan(y/D)."""
    if E <= p.Dmin_K:
        return 0.0
    if kappa == 0.0:
        # the distribution sits on y = 0: all its X-weight lands at E = D
        ok = p.Dmax_K is None or E <= p.Dmax_K
        return 2 * math.pi * p.nP_per_g * _lnratio(p) / E if ok else 0.0
    lo = math.asin(min(kappa * p.X0min_KA2 / E, 1.0))
    hi = min(math.asin(min(kappa * p.X0max_KA2 / E, 1.0)), math.acos(p.Dmin_K / E))
    if p.Dmax_K is not None and E > p.Dmax_K:
        lo = max(lo, math.acos(p.Dmax_K / E))
    if hi <= lo:
        return 0.0
    v, _ = integrate.quad(
        lambda s: 1.0 / (math.sin(s) * math.cos(s)), lo, hi, epsabs=0.0, epsrel=1e-12
    )
    return 2 * math.pi * p.nP_per_g * v / E


def _g_iso_polar(E: float, B: float, p: ATSParams) -> float:
    """Isotropic g by quad over cos(beta) in [0, 1] of the polar-quad aligned g."""
    kappa = AB_K_PER_T_KA2 * B
    if kappa == 0.0:
        return _g_polar(E, 0.0, p)
    # kinks in c where a cutoff of y meets sqrt(E^2 - D^2)
    pts = sorted(
        c
        for d in _Ds(p)
        if E > d
        for x in (p.X0min_KA2, p.X0max_KA2)
        if 0.0 < (c := math.sqrt(E * E - d * d) / (kappa * x)) < 1.0
    )
    v, _ = integrate.quad(
        lambda c: _g_polar(E, kappa * c, p),
        0.0,
        1.0,
        points=pts or None,
        epsabs=0.0,
        epsrel=1e-11,
        limit=200,
    )
    return v


def _window_count_aligned(Ea: float, Eb: float, kappa: float, p: ATSParams) -> float:
    """Number of systems (per gram, aligned loops) with Ea < sqrt(D^2 + (kappa X)^2) < Eb.

    dblquad of the measure 2 pi nP d(ln D) d(ln X) over the region, outer variable ln D split at
    the D where the region's boundary crosses a cutoff of X (so each piece has smooth limits).
    """
    Dtop = Eb if p.Dmax_K is None else min(Eb, p.Dmax_K)
    if Dtop <= p.Dmin_K:
        return 0.0
    if kappa == 0.0:  # every system sits at E = D
        lo = max(Ea, p.Dmin_K)
        return 2 * math.pi * p.nP_per_g * _lnratio(p) * math.log(Dtop / lo) if Dtop > lo else 0.0
    lnX0, lnX1 = math.log(p.X0min_KA2), math.log(p.X0max_KA2)

    def x_lo(lnD):
        r = Ea * Ea - math.exp(2 * lnD)
        return lnX0 if r <= 0 else min(max(lnX0, math.log(math.sqrt(r) / kappa)), lnX1)

    def x_hi(lnD):
        r = Eb * Eb - math.exp(2 * lnD)
        return lnX0 if r <= 0 else min(max(lnX0, math.log(math.sqrt(r) / kappa)), lnX1)

    cuts = {p.Dmin_K, Dtop}
    for e in (Ea, Eb):
        for x in (p.X0min_KA2, p.X0max_KA2):
            if e > kappa * x:
                cuts.add(math.sqrt(e * e - (kappa * x) ** 2))
        cuts.add(e)
    cuts = sorted(c for c in cuts if p.Dmin_K <= c <= Dtop)
    total = 0.0
    for a, b in zip(cuts[:-1], cuts[1:], strict=False):
        v, _ = integrate.dblquad(
            lambda lnX, lnD: 1.0,
            math.log(a),
            math.log(b),
            x_lo,
            lambda lnD: max(x_hi(lnD), x_lo(lnD)),
            epsabs=0.0,
            epsrel=1e-11,
        )
        total += v
    return 2 * math.pi * p.nP_per_g * total


def _quad_dos(Ea: float, Eb: float, B: float, p: ATSParams, orientation: str) -> float:
    """Integral of ats_dos over [Ea, Eb] by quad, split at every kink and at the spike widths."""
    kappa = AB_K_PER_T_KA2 * B * COS_BETA.get(orientation, 1.0)
    pts = set(_Ds(p))
    for d in _Ds(p):
        for x in (p.X0min_KA2, p.X0max_KA2):
            y = kappa * x
            e = math.hypot(d, y)
            pts.add(e)
            pts.update(e + d * d / (e + y) * 2.0 ** np.arange(-4, 6))
            if y > 0:
                pts.update(e + y * y / (e + d) * 2.0 ** np.arange(-4, 6))
    edges = [Ea, *sorted(x for x in pts if Ea < x < Eb), Eb]
    total, err = _quad_pieces(lambda E: float(ats_dos(E, B, p, orientation=orientation)), edges)
    assert err <= 1e-9 * abs(total) + 1e-300, (total, err)
    return total


def _probe_energies(kappa: float, p: ATSParams) -> list[float]:
    """Energies on both sides of every kink of g (Dmin, Ec1, Ec2, the Dmax corners) and between."""
    Es = []
    for e in [*_Ds(p), *_corners(kappa, p)]:
        Es += [e * (1 - 1e-6), e * (1 + 1e-6), e * (1 - 1e-3), e * (1 + 1e-3)]
    Ec1, Ec2 = _corners(kappa, p)[:2]
    Es += [0.5 * (Ec1 + Ec2), 2.0 * Ec2, 10.0 * Ec2]
    return Es


# ---------------------------------------------------------------------------------------------
# ats_dos against the independent polar quadrature
# ---------------------------------------------------------------------------------------------

# rtol 1e-6 is the contract; the references converge to ~1e-11. The absolute floor 1e-9 of the
# DOS scale covers the near-zero tails next to the edges (g -> 0 linearly), where the closed form
# subtracts logarithms of nearly equal numbers and keeps only ~1e-13 of g_scale.
RTOL_DOS = 1e-6
ATOL_DOS = 1e-9


@pytest.mark.parametrize("orientation", ["aligned", "phi2/3"])
@pytest.mark.parametrize("pname", list(PARAMS))
@pytest.mark.parametrize("B", FIELDS_T)
def test_ats_dos_oriented_vs_polar_quadrature(B, pname, orientation):
    p = PARAMS[pname]
    kappa = AB_K_PER_T_KA2 * B * COS_BETA[orientation]
    E = np.array(_probe_energies(kappa, p))
    ref = np.array([_g_polar(e, kappa, p) for e in E])
    assert_allclose(
        ats_dos(E, B, p, orientation=orientation), ref, rtol=RTOL_DOS, atol=ATOL_DOS * _g_scale(p)
    )
    # ats_dos_oriented is the same function of kappa
    assert_allclose(ats_dos_oriented(E, kappa, p), ref, rtol=RTOL_DOS, atol=ATOL_DOS * _g_scale(p))


@pytest.mark.parametrize("pname", ["BAS", "Dmax"])
@pytest.mark.parametrize("B", [0.01, 3.0, 30.0])
def test_ats_dos_isotropic_vs_polar_quadrature(B, pname):
    p = PARAMS[pname]
    kappa = AB_K_PER_T_KA2 * B
    # the isotropic g has kinks at the same corners; it starts at Dmin for every field
    E = np.array(_probe_energies(kappa, p)[::2])
    ref = np.array([_g_iso_polar(e, B, p) for e in E])
    assert_allclose(
        ats_dos(E, B, p, orientation="isotropic"), ref, rtol=RTOL_DOS, atol=ATOL_DOS * _g_scale(p)
    )


@pytest.mark.parametrize("orientation", ["aligned", "phi2/3"])
@pytest.mark.parametrize("pname", ["BAS", "Dmax"])
@pytest.mark.parametrize("B", [0.5, 30.0])
def test_ats_dos_window_counts_vs_dblquad(B, pname, orientation):
    """Integrated over energy windows the DOS counts the systems in the (D, X) region."""
    p = PARAMS[pname]
    kappa = AB_K_PER_T_KA2 * B * COS_BETA[orientation]
    Ec1, Ec2 = _corners(kappa, p)[:2]
    windows = [
        (0.0, p.Dmin_K),
        (Ec1 * (1 - 1e-3), Ec1 * (1 + 1e-3)),
        (Ec1 * (1 + 1e-3), Ec2 * (1 - 1e-3)),
        (Ec2 * (1 - 1e-3), Ec2 * (1 + 1e-3)),
        (Ec2 * (1 + 1e-3), 2 * Ec2),
        (p.Dmin_K, 20 * Ec2),
    ]
    if p.Dmax_K is not None:
        Eu1, Eu2 = _corners(kappa, p)[2:]
        windows += [(Eu1 * (1 - 1e-3), Eu1 * (1 + 1e-3)), (Eu2 * (1 - 1e-3), Eu2 * (1 + 1e-3))]
    got = [_quad_dos(a, b, B, p, orientation) for a, b in windows]
    ref = [_window_count_aligned(a, b, kappa, p) for a, b in windows]
    # 1e-6 relative; the absolute floor (1e-12 of the largest count) only matters for the
    # empty window below Dmin, which must come out as zero.
    assert_allclose(got, ref, rtol=1e-6, atol=1e-12 * max(ref))
    assert got[0] == 0.0


def test_ats_dos_isotropic_window_count_vs_triple_integral():
    """One window per regime for the isotropic DOS: quad over cos(beta) of the dblquad count."""
    p, B = P_DMAX, 3.0
    kappa = AB_K_PER_T_KA2 * B
    Ec1, Ec2, Eu1, Eu2 = _corners(kappa, p)
    for a, b in [(p.Dmin_K, Ec1), (Ec1, Ec2), (Ec2, 1.1 * Eu2)]:
        # the count is a smooth function of c except where a window edge meets a corner
        pts = sorted(
            c
            for e in (a, b)
            for d in _Ds(p)
            if e > d
            for x in (p.X0min_KA2, p.X0max_KA2)
            if 0.0 < (c := math.sqrt(e * e - d * d) / (kappa * x)) < 1.0
        )
        ref, abserr = integrate.quad(
            lambda c, a=a, b=b: _window_count_aligned(a, b, kappa * c, p),
            0.0,
            1.0,
            points=pts,
            epsabs=0.0,
            epsrel=1e-9,
            limit=200,
        )
        assert_allclose(_quad_dos(a, b, B, p, "isotropic"), ref, rtol=1e-6)


# ---------------------------------------------------------------------------------------------
# The isotropic average, the phi -> 0 limit, the sum rule, the upward shift
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("pname", list(PARAMS))
def test_isotropic_is_the_cos_beta_average_of_aligned(pname):
    p = PARAMS[pname]
    for B in (0.01, 0.5, 3.0, 30.0):
        kappa = AB_K_PER_T_KA2 * B
        for E in _probe_energies(kappa, p)[1::3]:
            pts = sorted(
                c
                for d in _Ds(p)
                if E > d
                for x in (p.X0min_KA2, p.X0max_KA2)
                if 0.0 < (c := math.sqrt(E * E - d * d) / (kappa * x)) < 1.0
            )
            ref = integrate.quad(
                lambda c, E=E, kappa=kappa: float(ats_dos_oriented(E, kappa * c, p)),
                0.0,
                1.0,
                points=pts or None,
                epsabs=0.0,
                epsrel=1e-12,
                limit=200,
            )[0]
            assert_allclose(
                ats_dos(E, B, p, orientation="isotropic"),
                ref,
                rtol=1e-8,
                atol=ATOL_DOS * _g_scale(p),
            )


@pytest.mark.parametrize("orientation", ORIENTATIONS)
@pytest.mark.parametrize("pname", list(PARAMS))
def test_phi_to_zero_limit(orientation, pname):
    """g -> (2 pi nP/E) ln(X0max/X0min) on Dmin < E (<= Dmax), continuously as B -> 0."""
    p = PARAMS[pname]
    top = 50.0 if p.Dmax_K is None else p.Dmax_K * (1 - 1e-3)
    E = np.geomspace(p.Dmin_K * 1.01, top, 50)
    limit = 2 * np.pi * p.nP_per_g * _lnratio(p) / E
    assert_allclose(ats_dos(E, 0.0, p, orientation=orientation), limit, rtol=1e-14)
    for B in (1e-12, 1e-8, 1e-4):
        # Above Ec2 the field's relative correction is (1/2L) ln((E^2 - y1^2)/(E^2 - y2^2))
        # <= (y2/E)^2 / L with y2 = kappa X0max (<= 1.6e-4 K at 1e-4 T): that bound, or round-off.
        y2 = AB_K_PER_T_KA2 * B * p.X0max_KA2
        rtol = max((y2 / E.min()) ** 2 / _lnratio(p), 1e-13)
        assert rtol < 1e-3  # (the bound is a real test of continuity, not a wide tolerance)
        assert_allclose(ats_dos(E, B, p, orientation=orientation), limit, rtol=rtol)


@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_dos_vanishes_below_dmin_at_every_field(orientation):
    # a field only raises gaps: nothing ever lies below Dmin
    E = np.linspace(0.0, P_BAS.Dmin_K, 30)
    B = np.array([0.0, 1e-12, 1e-4, 0.5, 30.0])[:, None]
    assert np.all(ats_dos(E, B, P_BAS, orientation=orientation) == 0.0)


@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_sum_rule_number_of_systems_is_conserved(orientation):
    """With Dmax the ensemble is finite: the integral of g over E is
    2 pi nP ln(Dmax/Dmin) ln(X0max/X0min) at every field (a field relabels gaps, creates none)."""
    p = P_DMAX
    n0 = 2 * np.pi * p.nP_per_g * math.log(p.Dmax_K / p.Dmin_K) * _lnratio(p)
    for B in (0.0, 0.01, 3.0, 30.0):
        kappa = AB_K_PER_T_KA2 * B * COS_BETA.get(orientation, 1.0)
        top = math.hypot(p.Dmax_K, kappa * p.X0max_KA2) * (1 + 1e-9)
        # quad to epsrel 1e-11 per piece: 1e-8 is far below any physics, far above round-off
        assert_allclose(_quad_dos(0.0, top, B, p, orientation), n0, rtol=1e-8)
        assert ats_dos(top * 1.001, B, p, orientation=orientation) == 0.0


@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_field_moves_states_up(orientation):
    """N(E) = integral_0^E g is the number of systems with a gap below E; every gap grows with B,
    so N(E) cannot grow with B."""
    p = P_BAS
    Bs = [0.0, 0.05, 0.3, 2.0, 10.0]
    for E in (0.6, 2.0, 10.0):
        N = np.array([_quad_dos(0.0, E, B, p, orientation) for B in Bs])
        # quad error ~1e-11 relative: allow that much non-monotonicity, no more
        assert np.all(np.diff(N) <= 1e-9 * N[0]), N
        assert N[-1] < N[0]


# ---------------------------------------------------------------------------------------------
# Known defect of the isotropic closed form (see the reason)
# ---------------------------------------------------------------------------------------------


def _g_iso_y_integral(E: float, B: float, p: ATSParams) -> float:
    """Isotropic g = 2 pi nP E * integral of w(y) dy/(E^2 - y^2) (docs/dos.md), by quad."""
    b0 = AB_K_PER_T_KA2 * B
    hi = min(b0 * p.X0max_KA2, math.sqrt(E * E - p.Dmin_K**2))
    lo = math.sqrt(max(E * E - p.Dmax_K**2, 0.0)) if p.Dmax_K else 0.0

    Y = b0 * p.X0max_KA2

    def f(y):
        # w(y) = (1/b0)(1/max(X0min, y/b0) - 1/X0max), written without cancellation near y = Y
        w = (1 / p.X0min_KA2 - 1 / p.X0max_KA2) / b0 if y < b0 * p.X0min_KA2 else (Y - y) / (y * Y)
        return w / (E * E - y * y)

    # a short interval of a smooth positive integrand: quad is exact to ~1e-15 relative here
    v, err = _quad_pieces(f, [lo, hi], epsrel=1e-13)
    assert err <= 1e-10 * v
    return 2 * math.pi * p.nP_per_g * E * v


def test_isotropic_dos_near_upper_edge_with_dmax():
    p, B = P_DMAX, 30.0
    edge = math.hypot(p.Dmax_K, AB_K_PER_T_KA2 * B * p.X0max_KA2)
    E = np.array([edge - 1e-4, edge - 1e-5, edge - 1e-6])
    g = ats_dos(E, B, p, orientation="isotropic")
    ref = [_g_iso_y_integral(e, B, p) for e in E]
    assert np.all(g >= 0.0), g  # a density of states is never negative
    assert_allclose(g, ref, rtol=1e-6)


def test_isotropic_dos_subnormal_field():
    p = ATSParams(Dmin_K=1.0, X0min_KA2=100.0, X0max_KA2=200.0, nP_per_g=1.0)
    assert_allclose(
        ats_dos(2.0, 1e-308, p, orientation="isotropic"),
        ats_dos(2.0, 0.0, p, orientation="isotropic"),
    )


def test_isotropic_dos_subnormal_energy():
    assert ats_dos(1e-310, 0.0, P_BAS, orientation="isotropic") == 0.0


# ---------------------------------------------------------------------------------------------
# thermal_dos_integral against adaptive quadrature
# ---------------------------------------------------------------------------------------------

TEMPS_K = np.array([1e-3, 0.01, 0.1, 0.6, 1.36, 10.0, 100.0])
FIELDS_GRID_T = np.array([0.0, 0.01, 0.5, 3.0, 30.0])


def _cp_scalar(E, T):
    x = E / (2 * T)
    return 0.0 if x > 350 else (x / math.cosh(x)) ** 2


def _exp_scalar(E, T):
    return math.exp(-E / T)


def _exp_kernel(E, T):
    return np.exp(-E / T)


KERNELS = {"cp": (_cp_scalar, single_ts), "exp": (_exp_scalar, _exp_kernel)}


def _g_aligned_fast(E: float, kappa: float, p: ATSParams) -> float:
    """(2 pi nP/E) ln(tan psi2 / tan psi1): the antiderivative of the polar integrand (checked
    against the polar quad in test_fast_reference_matches_polar_quadrature)."""
    if E <= p.Dmin_K:
        return 0.0
    if kappa == 0.0:
        ok = p.Dmax_K is None or E <= p.Dmax_K
        return 2 * math.pi * p.nP_per_g * _lnratio(p) / E if ok else 0.0
    y2 = min(kappa * p.X0max_KA2, math.sqrt(E * E - p.Dmin_K**2))
    y1 = kappa * p.X0min_KA2
    if p.Dmax_K is not None and E > p.Dmax_K:
        y1 = max(y1, math.sqrt(E * E - p.Dmax_K**2))
    if y2 <= y1:
        return 0.0
    tan_ratio = y2 * math.sqrt(E * E - y1 * y1) / (y1 * math.sqrt(E * E - y2 * y2))
    return 2 * math.pi * p.nP_per_g * math.log(tan_ratio) / E


def _thermal_breaks(kappa: float, p: ATSParams, T: float) -> set[float]:
    pts = set(_Ds(p))
    for d in _Ds(p):
        for x in (p.X0min_KA2, p.X0max_KA2):
            y = kappa * x
            e = math.hypot(d, y)
            pts.add(e)
            # both logarithmic spikes beside a corner: ln(E^2 - y^2) (width d^2/(e+y)) and
            # ln(E^2 - d^2) (width y^2/(e+d))
            pts.update(e + d * d / (e + y) * 2.0 ** np.arange(-3, 8))
            if y > 0:
                pts.update(e + y * y / (e + d) * 2.0 ** np.arange(-3, 8))
    pts.update(p.Dmin_K + T * np.array([0.1, 1.0, 3.0, 10.0, 30.0]))
    return pts


def _thermal_ref_oriented(kernel, T: float, kappa: float, p: ATSParams) -> float:
    """Adaptive quad over E of g * kernel, split at every structure of g and of the kernel.
    Beyond Dmin + 100 T the kernels are < e^-100 of their scale."""
    top = p.Dmin_K + 100.0 * T
    edges = [p.Dmin_K, *sorted(x for x in _thermal_breaks(kappa, p, T) if p.Dmin_K < x < top), top]
    total, err = _quad_pieces(lambda E: _g_aligned_fast(E, kappa, p) * kernel(E, T), edges)
    # (error estimates of pieces where g * kernel underflows are meaningless but tiny)
    assert err <= 1e-9 * abs(total) + 1e-300, (total, err)
    return total


def test_fast_reference_matches_polar_quadrature():
    rng = np.random.default_rng(7)
    for p in PARAMS.values():
        for kappa in AB_K_PER_T_KA2 * np.array([0.0, 0.01, 0.5, 3.0, 30.0]):
            for E in p.Dmin_K * np.exp(rng.uniform(0, 6, 20)):
                assert math.isclose(
                    _g_aligned_fast(E, kappa, p), _g_polar(E, kappa, p), rel_tol=1e-9, abs_tol=0
                )


# Contract: 1e-6 relative to the B = 0 value at the same T (the natural scale of C(T, B); at high
# fields and low T the value itself is e^-1000 of it). Measured: <= 5e-8 on this grid.
RTOL_THERMAL = 1e-6


@pytest.mark.parametrize("kname", list(KERNELS))
@pytest.mark.parametrize("orientation", ["aligned", "phi2/3"])
@pytest.mark.parametrize("pname", list(PARAMS))
def test_thermal_dos_integral_oriented_vs_quad(pname, orientation, kname):
    p = PARAMS[pname]
    ks, kv = KERNELS[kname]
    c = COS_BETA[orientation]
    ref = np.array(
        [
            [_thermal_ref_oriented(ks, T, AB_K_PER_T_KA2 * B * c, p) for B in FIELDS_GRID_T]
            for T in TEMPS_K
        ]
    )
    got = thermal_dos_integral(kv, TEMPS_K[:, None], FIELDS_GRID_T[None, :], p, orientation)
    assert got.shape == ref.shape
    assert np.all(ref[:, 0] > 0)
    err = np.abs(got - ref) / ref[:, :1]
    assert err.max() <= RTOL_THERMAL, f"max error {err.max():.2e} relative to the B = 0 value"


@pytest.mark.parametrize(("pname", "kname"), [("BAS", "exp"), ("Dmax", "cp")])
def test_thermal_dos_integral_isotropic_vs_quad_vec(pname, kname):
    """Isotropic: the reference integrand is ats_dos(..., "isotropic") (checked pointwise above
    against the nested polar quadrature); quad_vec integrates all temperatures at once, each
    normalized by its B = 0 value, so that its absolute tolerance is a relative one per T."""
    p = PARAMS[pname]
    ks, kv = KERNELS[kname]
    ref0 = np.array([_thermal_ref_oriented(ks, T, 0.0, p) for T in TEMPS_K])
    got = thermal_dos_integral(kv, TEMPS_K[:, None], FIELDS_GRID_T[None, :], p, "isotropic")
    err = np.abs(got[:, 0] - ref0) / ref0
    assert err.max() <= RTOL_THERMAL
    top = p.Dmin_K + 100.0 * TEMPS_K.max()
    for j, B in enumerate(FIELDS_GRID_T[1:], start=1):
        pts = set()
        for T in TEMPS_K:
            pts |= _thermal_breaks(AB_K_PER_T_KA2 * B, p, T)
        pts = sorted(x for x in pts if p.Dmin_K < x < top)
        ref, abserr = integrate.quad_vec(
            lambda E, B=B: float(ats_dos(E, B, p, orientation="isotropic")) * kv(E, TEMPS_K) / ref0,
            p.Dmin_K,
            top,
            points=pts,
            epsabs=1e-9,
            epsrel=0.0,
            limit=5000,
        )
        assert abserr < 1e-8
        err = np.abs(got[:, j] / ref0 - ref)
        assert err.max() <= RTOL_THERMAL, f"B = {B}: max error {err.max():.2e}"


def test_thermal_dos_integral_resolves_the_small_y_spike():
    # a wide X range and a narrow D band at a small field: y_min = kappa X0min = 3e-3 K << Dmax
    p = ATSParams(Dmin_K=0.3, X0min_KA2=2e4, X0max_KA2=2e8, nP_per_g=1.0, Dmax_K=1.0)
    T, B = 40.0, 0.01
    ref0 = _thermal_ref_oriented(_cp_scalar, T, 0.0, p)
    ref = _thermal_ref_oriented(_cp_scalar, T, AB_K_PER_T_KA2 * B, p)
    got0, got = thermal_dos_integral(single_ts, T, [0.0, B], p, "aligned")
    assert abs(got0 - ref0) <= RTOL_THERMAL * ref0
    # more nodes per panel converge on the reference: the reference is right, the grid is coarse
    fine = thermal_dos_integral(single_ts, T, B, p, "aligned", nodes=48)
    assert abs(fine - ref) <= 1e-8 * ref0
    assert abs(got - ref) <= RTOL_THERMAL * ref0, f"error {abs(got - ref) / ref0:.1e}"


# ---------------------------------------------------------------------------------------------
# Shapes, broadcasting, positivity
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_shapes_and_broadcasting(orientation):
    p = P_DMAX
    assert ats_dos(1.0, 0.5, p, orientation=orientation).shape == ()
    assert ats_dos([1.0, 2.0, 3.0], 0.5, p, orientation=orientation).shape == (3,)
    E = np.linspace(0.1, 5.0, 4)[:, None]
    B = np.array([0.0, 0.5, 3.0])[None, :]
    g = ats_dos(E, B, p, orientation=orientation)
    assert g.shape == (4, 3)
    for i in range(4):
        for j in range(3):
            assert g[i, j] == ats_dos(E[i, 0], B[0, j], p, orientation=orientation)

    k = _exp_kernel
    assert thermal_dos_integral(k, 0.6, 0.5, p, orientation).shape == ()
    assert thermal_dos_integral(k, [0.3, 0.6], 0.5, p, orientation).shape == (2,)
    T = np.array([0.1, 0.6, 2.0])[:, None]
    I2 = thermal_dos_integral(k, T, B, p, orientation)
    assert I2.shape == (3, 3)
    for i in range(3):
        for j in range(3):
            # a single pair builds its own grid: agreement to the quadrature's accuracy
            single = thermal_dos_integral(k, T[i, 0], B[0, j], p, orientation)
            assert_allclose(I2[i, j], single, rtol=1e-7)
    assert thermal_dos_integral(k, np.zeros((0,)) + 1.0, 0.5, p, orientation).shape == (0,)


def test_linear_in_nP():
    from dataclasses import replace

    q = replace(P_BAS, nP_per_g=5.19e16)
    E = np.linspace(0.3, 20, 40)
    for o in ORIENTATIONS:
        assert_allclose(
            ats_dos(E, 2.0, q, orientation=o),
            5.19e16 * ats_dos(E, 2.0, P_BAS, orientation=o),
            rtol=1e-15,
        )


# Fields below ~1e-306 T overflow the isotropic form (see test_isotropic_dos_subnormal_field).
_fields_st = st.just(0.0) | st.floats(1e-300, 30.0)
# Energies below ~1e-308 K overflow the isotropic form (see test_isotropic_dos_subnormal_energy).
_energies_st = st.just(0.0) | st.floats(1e-300, 1e4)

_params_st = st.builds(
    lambda dmin, x0, ratio, dmax_ratio, nP: ATSParams(
        Dmin_K=dmin,
        X0min_KA2=x0,
        X0max_KA2=x0 * ratio,
        Dmax_K=None if dmax_ratio is None else dmin * dmax_ratio,
        nP_per_g=nP,
    ),
    st.floats(1e-3, 10.0),
    st.floats(1e2, 1e6),
    st.floats(1.001, 1e4),
    st.none() | st.floats(1.001, 1e3),
    st.floats(0.0, 1e18),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    p=_params_st,
    T=st.floats(1e-3, 100.0),
    B=_fields_st,
    orientation=st.sampled_from(ORIENTATIONS),
    kname=st.sampled_from(list(KERNELS)),
)
def test_thermal_dos_integral_finite_and_nonnegative(p, T, B, orientation, kname):
    out = thermal_dos_integral(KERNELS[kname][1], [T, T], [0.0, B], p, orientation)
    assert np.all(np.isfinite(out))
    assert np.all(out >= 0.0)


@settings(max_examples=100, deadline=None)
@given(
    p=_params_st,
    E=_energies_st,
    B=_fields_st,
    orientation=st.sampled_from(["aligned", "phi2/3", "isotropic"]),
)
def test_oriented_dos_finite_and_nonnegative(p, E, B, orientation):
    g = ats_dos(E, B, p, orientation=orientation)
    assert np.isfinite(g) and g >= 0.0


@settings(max_examples=100, deadline=None)
@given(p=_params_st, E=_energies_st, B=_fields_st)
def test_isotropic_dos_finite_and_bounded(p, E, B):
    g = float(ats_dos(E, B, p, orientation="isotropic"))
    assert math.isfinite(g)
    # Every aligned g obeys g <= (2 pi nP/E) ln(tan psi2/tan psi1) <= (2 pi nP/E)(L + ln(E/Dmin))
    # (tan psi = y/D, y/y' <= X0max/X0min, D'/D <= E/Dmin), so their cos(beta) average does too.
    # Below: a density of states is never negative.
    bound = (
        0.0
        if E <= p.Dmin_K
        else (2 * math.pi * p.nP_per_g * (_lnratio(p) + math.log(E / p.Dmin_K)) / E)
    )
    assert 0.0 <= g <= (1 + 1e-12) * bound


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"E_K": np.nan}, "E_K"),
        ({"E_K": [1.0, -0.1]}, "E_K"),
        ({"E_K": np.inf}, "E_K"),
        ({"B_T": np.nan}, "B_T"),
        ({"B_T": -1.0}, "B_T"),
        ({"orientation": "powder"}, "orientation"),
    ],
)
def test_ats_dos_bad_input(kwargs, match):
    args = {"E_K": 1.0, "B_T": 0.5, "params": P_BAS, "orientation": "isotropic"} | kwargs
    with pytest.raises(ValueError, match=match):
        ats_dos(**args)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"T_K": 0.0}, "T_K"),
        ({"T_K": -1.0}, "T_K"),
        ({"T_K": np.nan}, "T_K"),
        ({"B_T": -0.5}, "B_T"),
        ({"B_T": [0.0, np.nan]}, "B_T"),
        ({"orientation": "Aligned"}, "orientation"),
    ],
)
def test_thermal_dos_integral_bad_input(kwargs, match):
    args = {"T_K": 0.6, "B_T": 0.5, "params": P_BAS, "orientation": "isotropic"} | kwargs
    with pytest.raises(ValueError, match=match):
        thermal_dos_integral(_exp_kernel, **args)


@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_ats_dos_chunked_equals_one_pass(orientation):
    # elementwise closed forms: chunks change nothing, bit for bit
    E = np.linspace(0.0, 6.0, 301)[:, None]
    B = np.array([0.0, 1e-7, 0.3, 5.0])[None, :]
    ref = ats_dos(E, B, P_DMAX, orientation=orientation)
    assert np.array_equal(ats_dos(E, B, P_DMAX, orientation=orientation, memory_MB=1e-3), ref)


@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_thermal_dos_integral_chunked_equals_one_pass(orientation):
    # the plan (T range, refinement depth over all fields) is shared by every chunk, so each
    # chunk's rows are those of the one-pass grid: equal to round-off of the row sums (1e-12)
    T = np.array([0.05, 0.6, 3.0])[:, None]
    B = np.concatenate([[0.0, 1e-9], np.linspace(0.0, 12.0, 37)])[None, :]
    one = thermal_dos_integral(_exp_kernel, T, B, P_DMAX, orientation, memory_MB=1e4)
    chunked = thermal_dos_integral(_exp_kernel, T, B, P_DMAX, orientation, memory_MB=0.05)
    assert_allclose(chunked, one, rtol=1e-12, atol=0.0)


@pytest.mark.parametrize("p", [P_BAS, P_DMAX])
def test_refinement_depth_compiled_equals_array_formula(p):
    # the compiled pass over the fields against the breakpoint widths computed with arrays
    from etm.ensemble import coupling, refinement_depth

    b0 = coupling(np.concatenate([[0.0, 1e-12], np.geomspace(1e-4, 30.0, 200)]), "isotropic")
    T_min = 0.01
    u_lo = 0.05 * min(T_min, p.Dmin_K)
    Ds = [p.Dmin_K] if p.Dmax_K is None else [p.Dmin_K, p.Dmax_K]
    expect = []
    for d in Ds:
        for X in (p.X0min_KA2, p.X0max_KA2):
            y = b0 * X
            e = np.hypot(d, y)
            h_y, h_d = d * d / (e + y), y * y / (e + d)
            h = np.where((h_d < h_y) & (h_d >= 1e-6 * u_lo), h_d, np.maximum(h_y, 1e-6 * u_lo))
            r = np.max(np.maximum(e - p.Dmin_K, u_lo) / h)
            expect.append(int(np.clip(np.ceil(np.log2(r)), 0, 60)))
    assert refinement_depth(b0, p, T_min) == tuple(expect)


def test_response_grid_chunk_rows_equal_one_grid():
    # with the whole set of fields given, a chunk's rows are the one-pass grid's rows (the
    # one-pass grid may keep extra zero-width panels, which carry zero weight)
    from etm.ensemble import response_grid

    Bu = np.concatenate([[0.0, 1e-9], np.linspace(0.01, 3.0, 30)])
    T = np.array([0.02, 0.5])
    E, dE, Et, dEt = response_grid(Bu, T, P_DMAX, "isotropic")
    for s in (slice(0, 7), slice(7, 20), slice(20, 32)):
        Ec, dEc, Etc, dEtc = response_grid(Bu[s], T, P_DMAX, "isotropic", all_fields_T=Bu)
        for i, row in enumerate(range(32)[s]):
            keep = dE[row] != 0.0
            assert np.array_equal(E[row][keep], Ec[i][dEc[i] != 0.0])
            assert np.array_equal(dE[row][keep], dEc[i][dEc[i] != 0.0])
        assert np.array_equal(Etc, Et[s]) and np.array_equal(dEtc, dEt[s])
