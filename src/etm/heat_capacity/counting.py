"""The integrated number of excitations N(E, B), exact (3x3 spectra) and analytic (Eq. 13).

N(E, B) counts the systems per gram whose lower gap is below E; its E derivative is the density
of states. The exact count uses the full three-level spectrum of every system (the measure of
:mod:`etm.ensemble.measure`, with a bisection for the theta root on the monotone gap), the
analytic one the weak-field density of states of Eq. 13 integrated in closed form. Comparing the
two shows where the weak-field model departs from the exact spectrum (docs/exact.md).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from etm.checks import check_nonneg
from etm.constants import AB_K_PER_T_KA2
from etm.ensemble import (
    DEFAULT_GRID,
    ExactGrid,
    check_orientation,
    gauss_legendre01,
    lnD0_nodes,
    phase_nodes,
)
from etm.materials.coerce import as_ats
from etm.params import ATSParams
from etm.spectrum import ats_well_energies, lower_gap, to_bare
from etm.threelevel.route import DEFAULT_LOOP_AREA_A2, check_exact_inputs, loop_phase

__all__ = ["analytic_counting", "exact_counting"]

_PI_3 = np.pi / 3.0


# ----------------------------------------------------------------------------------------------
# integrated number of excitations


def _theta_fraction(E: float, D, D0_eff, phi, n_bisect: int) -> NDArray:
    """Fraction of theta in [0, pi/3] with lower gap < E (bisection on the monotone gap)."""
    _, D0b = to_bare(0.0, D0_eff)

    def gap(th):
        Ew = ats_well_energies(D, th)
        return lower_gap(Ew[..., 0], Ew[..., 1], Ew[..., 2], D0b, phi)

    shape = np.broadcast_shapes(np.shape(D), np.shape(D0_eff), np.shape(phi))
    lo = np.zeros(shape)
    hi = np.full(shape, _PI_3)
    g_lo, g_hi = gap(lo), gap(hi)
    for _ in range(n_bisect):
        mid = 0.5 * (lo + hi)
        below = gap(mid) < E
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    frac = 0.5 * (lo + hi) / _PI_3
    return np.where(g_lo >= E, 0.0, np.where(g_hi < E, 1.0, frac))


def _gap_at(theta: float, D, D0_eff, phi):
    """Lower gap [K] at a fixed theta, effective D and D0 (broadcast)."""
    D, D0_eff, phi = np.broadcast_arrays(D, D0_eff, phi)
    Ew = ats_well_energies(D, np.full(D.shape, theta))
    _, D0b = to_bare(0.0, D0_eff)
    return lower_gap(Ew[..., 0], Ew[..., 1], Ew[..., 2], D0b, phi)


def _crossing(gap, E: float, lo, hi, n_bisect: int, *, log: bool):
    """x in [lo, hi] where the increasing function gap(x) crosses E (bisection; clipped to ends).

    Bisects in ln x if ``log``. Returns lo where gap(lo) >= E and hi where gap(hi) < E.
    """
    lo, hi = np.broadcast_arrays(np.asarray(lo, dtype=float), np.asarray(hi, dtype=float))
    fwd, inv = (np.log, np.exp) if log else (lambda x: x, lambda x: x)
    a, b = fwd(lo), fwd(hi)
    below_lo, below_hi = gap(lo) < E, gap(hi) < E
    for _ in range(n_bisect):
        mid = 0.5 * (a + b)
        below = gap(inv(mid)) < E
        a = np.where(below, mid, a)
        b = np.where(below, b, mid)
    return np.where(~below_lo, lo, np.where(below_hi, hi, inv(0.5 * (a + b))))


def _exact_n_one(E: float, B: float, params: ATSParams, S: float, orientation: str, grid):
    """N(E) / nP at one (E, B).

    The theta fraction f(D) jumps from 1 to 0 between D_b (gap(pi/3, D) = E) and D_a
    (gap(0, D) = E), with square-root edges at both ends; for D << D0 the two nearly coincide
    (the analytic sqrt(E^2 - (D0 phi)^2)). So the D nodes are built per (D0, phase) node with
    panels [Dmin, D_b], [D_b, D_a] (smoothstep-mapped, which makes the edges smooth) and
    [D_a, D_hi] plus the tail [D_hi, infinity) by t = D_hi/D.
    """
    if E <= 0.0:
        return 0.0
    Dmin = params.Dmin_K
    nb = grid.n_bisect
    D0, wD0 = lnD0_nodes(params, S, grid)
    phi0 = float(loop_phase(B, S))
    # The D measure vanishes where the gap at D = Dmin reaches E, at theta = 0 (last systems)
    # and theta = pi/3 (first losses): kinks in the phase-carrying variable, made panel edges.
    if orientation == "isotropic" and phi0 > 0.0:
        cuts = tuple(
            _crossing(lambda x, th=th: _gap_at(th, Dmin, D0, x), E, 0.0, np.pi, nb, log=False)
            for th in (_PI_3, 0.0)
        )
        u, wu = phase_nodes(phi0, orientation, 0.5 * max(E, Dmin) / D0, grid.n_phase, cuts)
    else:
        phi = phi0 / np.sqrt(3.0) if orientation == "phi2/3" else phi0
        # even and 2 pi-periodic: the same spectrum at the phase reduced to [0, pi]
        phi = abs(phi - 2.0 * np.pi * np.round(phi / (2.0 * np.pi)))
        lo0, hi0 = D0[0] * 0 + params.X0min_KA2 / S, params.X0max_KA2 / S
        c = [
            _crossing(lambda x, th=th: _gap_at(th, Dmin, x, phi), E, lo0, hi0, nb, log=True)
            for th in (_PI_3, 0.0)
        ]
        edges = np.log([lo0, float(c[0]), max(float(c[1]), float(c[0])), hi0])
        t0, w0 = gauss_legendre01(grid.n_lnD0)
        width = np.diff(edges)[:, None]
        D0 = np.exp(edges[:-1, None] + width * t0).ravel()
        wD0 = (width * w0).ravel()
        u, wu = np.full((D0.size, 1), phi), np.ones((D0.size, 1))
    if params.Dmax_K is not None:
        Dhi = params.Dmax_K
    else:
        Dhi = max(grid.split * max(E, params.X0max_KA2 / S, Dmin), np.e * Dmin)
    D0g = D0[:, None]
    lo, hi = np.full(u.shape, Dmin), np.full(u.shape, Dhi)
    Db = _crossing(lambda x: _gap_at(_PI_3, x, D0g, u), E, lo, hi, nb, log=True)
    Da = _crossing(lambda x: _gap_at(0.0, x, D0g, u), E, lo, hi, nb, log=True)
    Da = np.maximum(Da, Db)

    t, w = gauss_legendre01(grid.n_lnD)
    ts, ws = gauss_legendre01(2 * grid.n_lnD)
    step, dstep = ts * ts * (3.0 - 2.0 * ts), 6.0 * ts * (1.0 - ts)
    nodes, weights = [], []
    for a_, b_, tt, ww in (
        (np.log(lo), np.log(Db), t, w),
        (np.log(Db), np.log(Da), step, ws * dstep),
    ):
        nodes.append(a_[..., None] + (b_ - a_)[..., None] * tt)
        weights.append((b_ - a_)[..., None] * ww)
    n_pan = max(int(np.ceil(np.log(Dhi / Dmin) / grid.panel_lnD)), 1)
    frac = np.linspace(0.0, 1.0, n_pan + 1)
    la, lh = np.log(Da)[..., None], np.log(Dhi)
    for f0, f1 in zip(frac[:-1], frac[1:], strict=True):
        a_, b_ = la + (lh - la) * f0, la + (lh - la) * f1
        nodes.append(a_ + (b_ - a_) * t)
        weights.append((b_ - a_) * w)
    lnD = np.concatenate(nodes, axis=-1)
    wD = np.concatenate(weights, axis=-1)
    D = np.exp(lnD)
    if params.Dmax_K is None:
        tt, wt = gauss_legendre01(grid.n_tail)
        D = np.concatenate([D, np.broadcast_to(Dhi / tt, (*u.shape, tt.size))], axis=-1)
        wD = np.concatenate([wD, np.broadcast_to(wt / tt, (*u.shape, tt.size))], axis=-1)
    f = _theta_fraction(E, D, D0g[..., None], u[..., None], grid.n_bisect)
    # theta in [0, pi/3] is 1/6 of [0, 2 pi): the fraction times 2 pi gives the theta measure
    return 2.0 * np.pi * np.einsum("aud,aud,au,a->", f, wD, wu, wD0)


def exact_counting(
    E_K: ArrayLike,
    B_T: ArrayLike,
    params: ATSParams,
    *,
    loop_area_A2: float = DEFAULT_LOOP_AREA_A2,
    orientation: str = "isotropic",
    grid: ExactGrid = DEFAULT_GRID,
) -> NDArray[np.float64]:
    """Integrated number of ATS excitations per gram with lower gap lambda_1 - lambda_0 < E.

    N(E, B) = nP * measure of {(ln D, theta, ln D0, orientation): lower gap < E}, the exact
    counterpart of the analytic :func:`analytic_counting`. The theta measure is found per
    (D, D0, phi) node by bisection, the gap being monotone in theta on [0, pi/3].

    Parameters
    ----------
    E_K : array_like
        Energy E [K], >= 0.
    B_T : array_like
        Magnetic field [T], >= 0; broadcast against ``E_K``.
    params : ATSParams
        The ATS distribution (effective parameters).
    loop_area_A2 : float, optional
        Loop area S [angstrom^2], > 0 (see :func:`exact_heat_capacity`).
    orientation : {"isotropic", "aligned", "phi2/3"}
        Orientation average.
    grid : ExactGrid, optional
        Node counts.

    Returns
    -------
    ndarray
        N(E, B) [1/g], shape ``broadcast(E_K, B_T)``.

    Raises
    ------
    ValueError
        For E or B negative or not finite, loop_area_A2 <= 0, or an unknown orientation.

    References
    ----------
    Essay Eqs. 10-13; docs/dos.md; docs/exact.md.

    Examples
    --------
    >>> p = ATSParams(Dmin_K=0.49, X0min_KA2=4.77e4, X0max_KA2=3.09e5, nP_per_g=1.0)
    >>> n = exact_counting(1.0, 0.0, p, loop_area_A2=1e3)
    >>> bool(np.isclose(n, analytic_counting(1.0, 0.0, p), rtol=1e-3))
    True
    """
    params = as_ats(params)
    S = check_exact_inputs(params, loop_area_A2, orientation)
    E = check_nonneg("E_K", E_K, "K")
    B = check_nonneg("B_T", B_T, "T")
    E, B = np.broadcast_arrays(E, B)
    out = np.empty(E.shape)
    pairs = np.stack([E.ravel(), B.ravel()], axis=-1)
    uniq, inv = np.unique(pairs, axis=0, return_inverse=True)
    vals = np.array([_exact_n_one(e, b, params, S, orientation, grid) for e, b in uniq])
    out.flat[:] = vals[np.ravel(inv)]
    return params.nP_per_g * out


def _analytic_n_one(E: float, B: float, params: ATSParams, orientation: str, n: int) -> float:
    """Analytic N(E)/(2 pi nP): D integrated in closed form, then ln X and cos(beta) by GL."""
    Dmin, Dmax = params.Dmin_K, params.Dmax_K
    if E <= Dmin:
        return 0.0
    lnr = np.log(params.X0max_KA2 / params.X0min_KA2)
    Dtop = E if Dmax is None else min(E, Dmax)
    kappa = AB_K_PER_T_KA2 * B
    if orientation == "phi2/3":
        kappa /= np.sqrt(3.0)
    if kappa == 0.0:
        return lnr * np.log(Dtop / Dmin)

    # For a system with y = D0 phi the gap is below E for Dmin <= D < sqrt(E^2 - y^2) (and
    # D <= Dmax): ln D measure L(y) = ln(min(Dmax, sqrt(E^2 - y^2))/Dmin), zero for y >= yk.
    yk = np.sqrt(E * E - Dmin * Dmin)
    ybreak = [] if (Dmax is None or Dmax >= E) else [np.sqrt(E * E - Dmax * Dmax)]
    t, w = gauss_legendre01(n)

    def L(y):
        Dup = np.sqrt(np.maximum(E * E - y * y, Dmin * Dmin))
        if Dmax is not None:
            Dup = np.minimum(Dup, Dmax)
        return np.log(Dup / Dmin)

    def over_lnX(c):
        """Integral over ln X of L(kappa c X), split where L has kinks (c: 1-d array)."""
        total = np.zeros_like(c)
        a = np.full_like(c, np.log(params.X0min_KA2))
        b = np.full_like(c, np.log(params.X0max_KA2))
        cs = np.where(c > 0, c, 1.0)
        cuts = [np.log(yy / (kappa * cs)) for yy in (*ybreak, yk)]
        pts = [a] + [np.clip(ct, a, b) for ct in cuts]
        # beyond yk, L = 0: integrate only up to the last cut
        for lo, hi in zip(pts[:-1], pts[1:], strict=True):
            x = lo[:, None] + (hi - lo)[:, None] * t
            total += np.sum(L(kappa * c[:, None] * np.exp(x)) * w, axis=-1) * (hi - lo)
        return np.where(c > 0, total, lnr * L(0.0))

    if orientation in ("aligned", "phi2/3"):
        return float(over_lnX(np.array([1.0]))[0])
    # cos(beta) uniform: kinks of the ln X integral where a cut crosses X0min or X0max
    cb = sorted(
        {0.0, 1.0}
        | {
            float(yy / (kappa * X))
            for yy in (*ybreak, yk)
            for X in (params.X0min_KA2, params.X0max_KA2)
            if 0.0 < yy / (kappa * X) < 1.0
        }
    )
    edges = np.array(cb)
    c = (edges[:-1, None] + np.diff(edges)[:, None] * t).ravel()
    wc = (np.diff(edges)[:, None] * w).ravel()
    return float(np.sum(over_lnX(c) * wc))


def analytic_counting(
    E_K: ArrayLike, B_T: ArrayLike, params: ATSParams, *, orientation: str = "isotropic"
) -> NDArray[np.float64]:
    """Integrated number N(E, B) = integral of the analytic ATS DOS from 0 to E, per gram.

    Counts the analytic model's systems with weak-field gap sqrt(D^2 + (D0 phi)^2) < E: the D
    integral is closed form (ln of the allowed D range), ln X and cos(beta) are Gauss-Legendre
    with panels split at every kink, so N is accurate to ~1e-12 relative. By construction
    dN/dE = :func:`etm.ensemble.ats_dos` (tested).

    Parameters
    ----------
    E_K : array_like
        Energy E [K], >= 0.
    B_T : array_like
        Magnetic field [T], >= 0; broadcast against ``E_K``.
    params : ATSParams
        The ATS distribution.
    orientation : {"isotropic", "aligned", "phi2/3"}
        Orientation average, as in :func:`etm.ensemble.ats_dos`.

    Returns
    -------
    ndarray
        N(E, B) [1/g].

    References
    ----------
    Essay Eqs. 12-13; docs/dos.md.

    Examples
    --------
    At B = 0, N = 2 pi nP ln(X0max/X0min) ln(E/Dmin) for E > Dmin:

    >>> p = ATSParams(Dmin_K=0.5, X0min_KA2=5e4, X0max_KA2=3e5, nP_per_g=1.0)
    >>> bool(np.isclose(analytic_counting(1.0, 0.0, p), 2 * np.pi * np.log(6) * np.log(2)))
    True
    """
    params = as_ats(params)
    check_orientation(orientation)
    E = check_nonneg("E_K", E_K, "K")
    B = check_nonneg("B_T", B_T, "T")
    E, B = np.broadcast_arrays(E, B)
    vals = [
        _analytic_n_one(float(e), float(b), params, orientation, 24)
        for e, b in zip(E.ravel(), B.ravel(), strict=True)
    ]
    return 2.0 * np.pi * params.nP_per_g * np.array(vals, dtype=float).reshape(E.shape)
