"""etm.dielectric at any frequency (hf above Dmin: principal value and delta function), the
measuring field's direction, and the saturation of the resonant loss."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import integrate

from etm import materials
from etm.constants import AB_K_PER_T_KA2, HF_K_PER_HZ
from etm.dielectric import ats_response, loss, relative_change

BAS = materials.dielectric_row("BAS", 0.05).params
SIO2 = materials.dielectric_row("SiO2+xCyHz", 0.07).params


def dform_pv(B, T, p, f, nX=16):
    """A << m_res tanh(E/2T) E/(E^2 - hf^2) >> over (D, X, c) with no density of states: for
    each (X, c) a Cauchy-weight principal value in D at the pole D_p = sqrt(hf^2 - y^2)
    (QUADPACK), the imaginary part pi times the residue; the c integral adaptive, split where
    the pole leaves the D range, the ln X range split where that point reaches c = 1."""
    kap = AB_K_PER_T_KA2 * B
    hf = HF_K_PER_HZ * f
    Dmin = p.Dmin_K
    tx, wx = np.polynomial.legendre.leggauss(nX)
    lx0, lx1 = np.log(p.X0min_KA2), np.log(p.X0max_KA2)
    Xs = np.sqrt(max(hf * hf - Dmin**2, 0.0)) / kap if kap > 0 else 0.0
    edges = [lx0] + ([np.log(Xs)] if p.X0min_KA2 < Xs < p.X0max_KA2 else []) + [lx1]
    lX = np.concatenate(
        [a + (b - a) * 0.5 * (tx + 1) for a, b in zip(edges[:-1], edges[1:], strict=True)]
    )
    wX = np.concatenate([(b - a) * 0.5 * wx for a, b in zip(edges[:-1], edges[1:], strict=True)])
    q = dict(epsabs=0, epsrel=1e-10, limit=400)

    def v(X, c):
        y2 = (kap * X * c) ** 2
        Dp2 = hf * hf - y2

        def g(D):
            E2 = D * D + y2
            return (1 - D * D / (2 * E2)) * np.tanh(np.sqrt(E2) / (2 * T)) * np.sqrt(E2) / D

        if Dp2 > Dmin**2:
            Dp = np.sqrt(Dp2)
            top = 2 * Dp + 40 * T
            r = integrate.quad(lambda D: g(D) / (D + Dp), Dmin, top, weight="cauchy", wvar=Dp, **q)
            r2 = integrate.quad(lambda D: g(D) / (D * D - Dp2), top, np.inf, **q)
            return r[0] + r2[0], np.pi * g(Dp) / (2 * Dp)
        return integrate.quad(lambda D: g(D) / (D * D - Dp2), Dmin, np.inf, **q)[0], 0.0

    re = im = 0.0
    for X, w in zip(np.exp(lX), wX, strict=True):
        cs = np.sqrt(max(hf * hf - Dmin**2, 0.0)) / (kap * X) if kap > 0 else 2.0
        pts = [cs] if 0 < cs < 1 else None
        qc = dict(epsabs=0, epsrel=1e-9, limit=200)
        re += w * integrate.quad(lambda c, X=X: v(X, c)[0], 0, 1, points=pts, **qc)[0]
        im += w * integrate.quad(lambda c, X=X: v(X, c)[1], 0, min(1.0, cs), **qc)[0]
    return p.amplitude_K * (re + 1j * im)


@pytest.mark.parametrize(
    ("B", "f"), [(0.0, 5e9), (0.01, 5e9), (0.3, 5e9), (0.05, 2e9), (0.01, 5e8)]
)
def test_ghz_response_against_direct_principal_value(B, f):
    # measured agreement 1e-11; the requirement 1e-7 leaves room for the reference's quad
    got = ats_response(0.07, B, SIO2, f)
    assert_allclose(got, dform_pv(B, 0.07, SIO2, f), rtol=1e-7)


def test_ghz_bas_against_direct_principal_value():
    got = ats_response(0.05, 0.01, BAS, 5e9)
    assert_allclose(got, dform_pv(0.01, 0.05, BAS, 5e9), rtol=1e-7)


def test_resonant_loss_is_the_delta_function_and_vanishes_below_dmin():
    # B = 0: E = D, m_res = 1/2: tan(delta) = A ln(X0max/X0min) (pi/2) (1/2) tanh(hf/2T)/hf
    for f in (2e9, 8e9):
        hf = HF_K_PER_HZ * f
        ref = BAS.amplitude_K * np.log(BAS.X0max_KA2 / BAS.X0min_KA2) * np.pi / 4
        ref *= np.tanh(hf / 0.1) / hf
        assert_allclose(loss(0.05, 0.0, BAS, f), ref, rtol=1e-13)
    below = BAS.Dmin_K / HF_K_PER_HZ * 0.99
    assert loss(0.05, [0.0, 0.1], BAS, below)[0] == 0.0


def test_continuous_where_hf_crosses_the_band_edge():
    # with a field the band edge is smooth, so eps' is continuous in f at hf = Dmin; the change
    # over a relative step 1e-7 in f is O(1e-7 log) of the value
    f0 = BAS.Dmin_K / HF_K_PER_HZ
    r = ats_response(0.05, 0.1, BAS, f0 * np.array([1 - 1e-7, 1 + 1e-7]))
    assert_allclose(r.real[0], r.real[1], rtol=1e-5)
    assert np.all(np.isfinite(r))


def test_ghz_kramers_kronig_of_the_resonant_part():
    # eps'(f1) - eps'(f2) from the loss by the KK relation for a causal response whose loss is
    # odd in f: eps'(f) = (2/pi) PV int f' eps''(f')/(f'^2 - f^2) df' + const; the difference
    # cancels the constant. Grid in ln f' over 1e7..1e13 Hz (eps'' ~ 1/f' above, 0 below Dmin)
    T, B = 0.05, 0.05
    u = np.linspace(np.log(1e8), np.log(1e13), 6001)
    fp = np.exp(u)
    im = loss(T, B, BAS, fp)
    f1, f2 = 2.0e9, 6.0e9

    def kk(f):
        # subtract the pole: PV int g(f')/(f' - f) with g smooth, on the ln grid
        g = 2 / np.pi * fp * im / (fp + f)
        gf = np.interp(np.log(f), u, g)
        body = (g - gf) / (fp - f) * fp
        body[np.abs(fp - f) < 1e-12 * f] = 0.0
        return integrate.trapezoid(body, u) + gf * np.log((fp[-1] - f) / (f - fp[0]))

    d_kk = kk(f1) - kk(f2)
    r = ats_response(T, B, BAS, [f1, f2]).real
    # the loss above 1e13 Hz (hf = 480 K) adds ~1e-4 of the difference: tolerance 1e-3
    assert_allclose(d_kk, r[0] - r[1], rtol=1e-3)


# ---- measuring field direction --------------------------------------------------------------


def direction_average(B, T, p, f, psi, kind="frozen", G=None):
    """Average over the loop normal n (cos beta = c uniform in [0, 1], azimuth phi) of the
    aligned-loop response at field B c, weighted by the in-plane projection of the measuring
    field at angle psi to B, (3/2)(1 - (n.F)^2): a route that uses neither the isotropic closed
    forms nor the cos^2 density of etm.ensemble.geometry."""
    tp, wp = np.polynomial.legendre.leggauss(24)
    phi = np.pi * (tp + 1)
    wp = 0.5 * wp

    def at(c):
        nF = c * np.cos(psi) + np.sqrt(1 - c * c) * np.cos(phi) * np.sin(psi)
        q = np.sum(wp * 1.5 * (1 - nF**2))
        r = ats_response(
            T, B * c, p, f, orientation="aligned", relaxation=kind, Gamma_inv_per_sK5=G
        )
        return q * r

    opts = dict(epsabs=0, epsrel=1e-10, limit=200)
    re = integrate.quad(lambda c: at(c).real, 0, 1, **opts)[0]
    im = integrate.quad(lambda c: at(c).imag, 0, 1, **opts)[0]
    return re + 1j * im


@pytest.mark.parametrize(
    ("geometry", "psi", "B", "f", "kind"),
    [
        ("parallel", 0.0, 0.03, 1e3, "frozen"),
        ("perpendicular", np.pi / 2, 0.3, 1e3, "debye"),
        ("parallel", 0.0, 0.1, 5e9, "frozen"),
    ],
)
def test_measuring_field_against_direction_average(geometry, psi, B, f, kind):
    G = 4e10 if kind == "debye" else None
    got = ats_response(0.05, B, BAS, f, measuring_field=geometry, relaxation=kind,
                       Gamma_inv_per_sK5=G)  # fmt: skip
    ref = direction_average(B, 0.05, BAS, f, psi, kind, G)
    assert_allclose(got, ref, rtol=1e-7)


def test_random_is_the_average_of_the_geometries():
    B = np.geomspace(1e-4, 30, 25)
    r = {
        g: relative_change(0.05, B, BAS, measuring_field=g)
        for g in ("random", "parallel", "perpendicular")
    }
    assert_allclose(r["random"], r["parallel"] / 3 + 2 * r["perpendicular"] / 3, rtol=1e-9,
                    atol=1e-12 * np.max(np.abs(r["random"])))  # fmt: skip
    # zero field: no direction dependence
    z = [ats_response(0.05, 0.0, BAS, measuring_field=g) for g in ("parallel", "perpendicular")]
    assert_allclose(z, ats_response(0.05, 0.0, BAS), rtol=1e-14)


# ---- drive power ----------------------------------------------------------------------------


def test_saturation_limits():
    f, B = 5e9, np.array([0.0, 0.05])
    lin = ats_response(0.05, B, BAS, f)
    small = ats_response(0.05, B, BAS, f, drive_ratio=1e-8)
    big = ats_response(0.05, B, BAS, f, drive_ratio=1e8)
    assert_allclose(small.imag, lin.imag, rtol=1e-8)  # 1 - s/2
    assert_allclose(big.imag * 1e4, lin.imag, rtol=1e-7)  # 1/sqrt(s)
    assert_allclose(big.real, lin.real, rtol=1e-15)  # eps' is not saturated
    # the relaxational loss does not saturate
    G = 4e10
    rel = loss(0.05, B, BAS, 1e3, Gamma_inv_per_sK5=G, drive_ratio=1e8)
    assert_allclose(rel, loss(0.05, B, BAS, 1e3, Gamma_inv_per_sK5=G), rtol=1e-15)
    with pytest.raises(ValueError, match="drive_ratio"):
        loss(0.05, 0.0, BAS, f, drive_ratio=-1.0)


def residue_loss(B, T, p, f, s, gamma, nX=24):
    """A (pi/2) tanh(hf/2T) << m_res delta(E - hf) / sqrt(1 + s rho) >> over (X, c) with the
    delta function done in D (residue at D_p = sqrt(hf^2 - y^2), no shell closed forms, no t
    map), rho = (1 - r/2)/(1 - gamma r), r = D_p^2/hf^2; c adaptive up to where D_p = Dmin."""
    kap = AB_K_PER_T_KA2 * B
    hf = HF_K_PER_HZ * f
    tx, wx = np.polynomial.legendre.leggauss(nX)
    lx0, lx1 = np.log(p.X0min_KA2), np.log(p.X0max_KA2)
    Xs = np.sqrt(hf * hf - p.Dmin_K**2) / kap
    edges = [lx0] + ([np.log(Xs)] if p.X0min_KA2 < Xs < p.X0max_KA2 else []) + [lx1]
    lX = np.concatenate(
        [a + (b - a) * 0.5 * (tx + 1) for a, b in zip(edges[:-1], edges[1:], strict=True)]
    )
    wX = np.concatenate([(b - a) * 0.5 * wx for a, b in zip(edges[:-1], edges[1:], strict=True)])

    def at(X, c):
        Dp2 = hf * hf - (kap * X * c) ** 2
        r = Dp2 / hf**2
        m = 1 - r / 2
        return m * hf / Dp2 / np.sqrt(1 + s * m / (1 - gamma * r))

    tot = 0.0
    for X, w in zip(np.exp(lX), wX, strict=True):
        cs = min(1.0, Xs / X)
        tot += w * integrate.quad(lambda c, X=X: at(X, c), 0, cs, epsabs=0, epsrel=1e-11)[0]
    return p.amplitude_K * np.pi / 2 * np.tanh(hf / (2 * T)) * tot


@pytest.mark.parametrize("B", [0.02, 0.06, 0.3])
def test_saturation_with_the_essays_weights_against_a_residue_integral(B):
    # with Eq. 21's rate weight (E^2 - D^2/6) the systems saturate unequally, rho in [3/5, 1]
    f, s = 5e9, 30.0
    got = loss(0.05, B, BAS, f, drive_ratio=s, matrix_elements="essay", n_wells=3)
    assert_allclose(got, residue_loss(B, 0.05, BAS, f, s, 1 / 6), rtol=1e-8)
    lin = loss(0.05, B, BAS, f, matrix_elements="essay", n_wells=3)
    assert lin / np.sqrt(1 + s) < got < lin / np.sqrt(1 + 0.6 * s)
    # exact weights: rho = 1, the same residue integral with gamma = 1/2
    ex = loss(0.05, B, BAS, f, drive_ratio=s)
    assert_allclose(ex, residue_loss(B, 0.05, BAS, f, s, 0.5), rtol=1e-8)


def test_no_warnings_and_finite_at_any_frequency():
    # filterwarnings = error; T 1 mK-10 K, B 0-30 T, f up to 1 THz and at hf = Dmin (1 +- 1e-9)
    T = np.geomspace(1e-3, 10.0, 5)[:, None]
    B = np.concatenate(([0.0], np.geomspace(1e-6, 30.0, 8)))[None, :]
    for row in materials.DIELECTRIC_ROWS[::3]:
        p = row.params
        f_edge = p.Dmin_K / HF_K_PER_HZ
        for f in (f_edge * (1 - 1e-9), f_edge * (1 + 1e-9), 5e9, 1e12):
            for kw in (
                {"measuring_field": "parallel"},
                {"measuring_field": "perpendicular", "relaxation": "debye",
                 "Gamma_inv_per_sK5": 4e10, "drive_ratio": 3.0},
                {"orientation": "aligned", "relaxation": "static"},
                {"average": "decoupled"},
            ):  # fmt: skip
                r = ats_response(T, B, p, f, **kw)
                d = relative_change(
                    T, B, p, f, **{k: v for k, v in kw.items() if k != "drive_ratio"}
                )
                assert np.all(np.isfinite(r)) and np.all(np.isfinite(d))
