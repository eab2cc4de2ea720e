"""Low-field accuracy of etm.dielectric.relative_change: the change relative to itself, 1 uT up.

The reference integrates the difference of the single-system responses at B and at 0 over
(ln D, ln X, cos beta) in extended precision (numpy longdouble): it uses no density of states,
no shell closed form and no B^2 expansion, so it is independent of every code path under test.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import integrate

from etm import materials
from etm.constants import AB_K_PER_T_KA2, HF_K_PER_HZ
from etm.dielectric import relative_change

F = 1.0e3
LD = np.longdouble


def dform_change(B, T, p, f=F, kind="frozen", Gamma_inv=None, gamma=0.5, nX=24, nc=16):
    """A << h(D, y^2) - h(D, 0) >> over (ln D, ln X, c); (X, c) by Gauss-Legendre (the
    integrand is smooth in both: no cutoff acts on y), D by adaptive quad; h in longdouble, so
    the difference keeps ~1e-19/(y/D)^2 relative (1e-8 at y/D = 3e-6)."""
    kap = AB_K_PER_T_KA2 * B
    hf2 = LD((HF_K_PER_HZ * f) ** 2)
    w = LD(2 * np.pi * f)
    tx, wx = np.polynomial.legendre.leggauss(nX)
    lx0, lx1 = np.log(p.X0min_KA2), np.log(p.X0max_KA2)
    lX = lx0 + (lx1 - lx0) * 0.5 * (tx + 1)
    wX = (lx1 - lx0) * 0.5 * wx
    tc, wc = np.polynomial.legendre.leggauss(nc)
    c = 0.5 * (tc + 1)
    y2 = LD(kap) ** 2 * (np.exp(lX)[:, None].astype(LD) * c[None, :].astype(LD)) ** 2
    W = (wX[:, None] * 0.5 * wc[None, :]).astype(LD)
    TL = LD(T)

    def h(D, s):
        E2 = D * D + s
        E = np.sqrt(E2)
        r = D * D / E2
        val = (1 - r / 2) * np.tanh(E / (2 * TL)) * E / (E2 - hf2)
        if kind == "frozen":
            return val
        x = E / (2 * TL)
        th = 4 * np.exp(-2 * x) / (1 + np.exp(-2 * x)) ** 2 / TL
        if kind == "static":
            return val + (r / 4) * th
        G = LD(Gamma_inv) * E**3 * (E2 - LD(gamma) * D * D) / np.tanh(x)
        return val + (r / 4) * th * G / (G - 1j * w)  # complex: float precision is enough here

    def fD(lnD, part):
        D = LD(np.exp(lnD))
        v = np.sum(W * (h(D, y2) - h(D, LD(0))))
        return float(v.real) if part == 0 else float(v.imag)

    lo = np.log(p.Dmin_K)
    pts = [lo + np.log1p(k * T / p.Dmin_K) for k in (2, 20)]
    parts = [
        integrate.quad(fD, lo, lo + 40, args=(k,), points=pts, epsabs=0, epsrel=1e-8, limit=400)[0]
        for k in ((0,) if kind != "debye" else (0, 1))
    ]
    return p.amplitude_K * parts[0]


ROWS = [("BAS", 0.05), ("SiO2+xCyHz", 0.07), ("BK7", 0.015)]


@pytest.mark.parametrize("row", ROWS)
def test_change_is_accurate_relative_to_itself_from_1uT(row):
    # 1e-6 relative (the requirement) at 1 uT (B^2 term) and above (direct difference on one
    # grid); measured: <= 8e-8 (the reference's own error is ~1e-8)
    p = materials.dielectric_row(*row).params
    T = row[1]
    B = np.array([1e-6, 1e-5, 1e-4, 1e-3])
    got = relative_change(T, B, p, F)
    ref = np.array([dform_change(b, T, p) for b in B])
    assert_allclose(got, ref, rtol=1e-6)


@pytest.mark.parametrize(("kind", "G"), [("static", None), ("debye", 4e10)])
def test_relaxational_change_at_1uT(kind, G):
    # Gamma^-1 = 4e10/(s K^5): the 2LS-like rate 1e8/(s K^3) E^3 matched at E* = 0.05 K
    p = materials.dielectric_row("BAS", 0.05).params
    for B in (1e-6, 3e-5):
        got = relative_change(0.05, B, p, F, relaxation=kind, Gamma_inv_per_sK5=G)
        ref = dform_change(B, 0.05, p, kind=kind, Gamma_inv=G)
        assert_allclose(got, ref, rtol=1e-6)


def test_change_does_not_depend_on_the_other_fields_of_the_call():
    # the case: SiO2+xCyHz 70 mK at 0.1 mT gave -8.2e-3 or +2.5e-5 depending on the call
    p = materials.dielectric_row("SiO2+xCyHz", 0.07).params
    alone = relative_change(0.07, [1e-4], p)
    crowd = relative_change(0.07, np.concatenate(([1e-4], np.geomspace(1e-6, 30, 57))), p)
    other_T = relative_change(np.array([0.07, 0.01, 3.0]), 1e-4, p)
    assert_allclose(crowd[0], alone[0], rtol=1e-13)
    assert_allclose(other_T[0], alone[0], rtol=1e-13)
    assert_allclose(alone[0], dform_change(1e-4, 0.07, p), rtol=1e-6)


def test_change_is_quadratic_at_low_field_across_the_switch():
    # across the switch from the B^2 term to the direct difference (near 10-40 uT for the
    # tables) d/B^2 = a + b B^2 + O(B^4): a straight line in B^2 to 1e-7 of a (the B^4 term is
    # 2.5e-4 of a at 0.1 mT, so its square, the residual of the line, is below 1e-7), no jump
    p = materials.dielectric_row("BAS", 0.05).params
    B = np.geomspace(1e-6, 1e-4, 41)
    r = relative_change(0.05, B, p, F) / B**2
    coef = np.polyfit(B**2, r, 1)
    assert np.max(np.abs(r - np.polyval(coef, B**2))) < 1e-7 * abs(coef[1])


def test_low_field_at_GHz_matches_the_direct_difference():
    # hf > Dmin: the B^2 term (principal value of K/D^3) against the direct difference just
    # above the switch, extrapolated by the B^2 law (the B^4 term is ~1e-5 relative there)
    p = materials.dielectric_row("BAS", 0.05).params
    f = 5e9
    lo = relative_change(0.05, 1e-6, p, f)
    hi = relative_change(0.05, 3e-5, p, f)
    assert_allclose(hi / (3e-5) ** 2, lo / 1e-6**2, rtol=1e-4)
