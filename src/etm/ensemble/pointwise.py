"""Pointwise energy panels (one grid per (B, T, f) point) and principal values at any frequency.

The weak-field ATS response is one integral over the gap E of a shell weight times a kernel
(:mod:`etm.dielectric`). This module builds the E nodes and evaluates the principal value of the
resonant kernel tanh(E/2T) E/(E^2 - (hf)^2) at any frequency (docs/dielectric.md §3c):

* :func:`field_grid`: Gauss panels in u = E - Dmin, graded geometrically from Dmin (from the
  temperature scale, and from |hf - Dmin| when the resonance sits near the band edge) and to the
  right of every cutoff energy hypot(D, bX) (from the width of the narrow structure the density
  of states has there), then a t = E_top/E map of the 1/E^2 tail. **Every row depends only on its
  own (B, T, f)**: a result does not change with the other points of the call (the panels that
  other rows need are zero-width, zero-weight, in this row).
* :func:`pv_integral`: for hf > Dmin, the pole at E = hf by subtraction,
  ``PV int F(E)/(E - hf) dE = int (F(E) - F(hf))/(E - hf) dE + F(hf) ln((E_top - hf)/(hf - Dmin))``
  on [Dmin, E_top], so the Gauss sums only see a smooth integrand.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from etm.ensemble.measure import gauss_legendre01
from etm.params import ATSParams

__all__ = ["GRID_NODES", "TAIL_NODES", "field_grid", "pv_integral"]

#: Gauss-Legendre nodes per panel (u = ua + width t^2 on every panel: square-root edges at the
#: left end are smooth) and nodes on each of the two tail panels.
GRID_NODES = 8
TAIL_NODES = 16
#: First base panel: HEAD * min(T, Dmin) (or |hf - Dmin|/4 if smaller).
HEAD = 0.05
#: Thermal kernels are negligible beyond E - Dmin = TAIL_T * T (sech^2(30) ~ 4e-26).
TAIL_T = 60.0
#: Graded panels beside a cutoff energy start no narrower than FLOOR times the local scale:
#: a structure narrower than that carries < 1e-10 of the local weight.
FLOOR = 1e-10


def _graded(start: NDArray, h: NDArray, span: NDArray, ratio: float = 2.0) -> NDArray:
    """Edges start + h ratio^k (k = 0, 1, ...) up to start + span, per row; padded by repeating
    the last edge (zero-width panels). h, span > 0, shape (n,)."""
    n_k = np.ceil(np.log(np.maximum(span / h, 1.0)) / np.log(ratio)).astype(int)
    k = np.arange(int(n_k.max()) + 1 if n_k.size else 1)
    steps = np.minimum(h[:, None] * ratio ** k[None, :], span[:, None])
    return start[:, None] + steps


def field_grid(
    b: NDArray, T: NDArray, hf: NDArray, p: ATSParams
) -> tuple[NDArray, NDArray, NDArray, NDArray, NDArray]:
    """E nodes and weights for rows of (coupling b [1/A^2], T [K], hf [K]), shape (n,) each.

    Returns ``(E, dE, E_tail, dE_tail, E_top)``: panel nodes (n, K) on [Dmin, E_top], tail
    nodes (n, 2 TAIL_NODES) on [E_top, inf) and the split point E_top (n,) [K].
    """
    Dmin, Dmax = p.Dmin_K, p.Dmax_K
    D_list = [Dmin] if Dmax is None else [Dmin, Dmax]
    X_list = (p.X0min_KA2, p.X0max_KA2)
    e_max = np.hypot(Dmax or Dmin, b * p.X0max_KA2)
    u_top = (
        np.maximum.reduce(
            [TAIL_T * T, 2.0 * e_max, np.full_like(T, 4.0 * Dmin), 2.0 * hf + 4.0 * T]
        )
        - Dmin
    )
    if Dmax is not None:
        u_top = np.maximum(u_top, 2.0 * Dmax)
    u_lo = HEAD * np.minimum(T, Dmin)
    d_hf = np.abs(hf - Dmin)
    h0 = np.maximum(np.where(hf > 0, np.minimum(u_lo, 0.25 * d_hf), u_lo), 1e-14 * Dmin)
    zero = np.zeros_like(T)
    cols = [zero[:, None], _graded(zero, h0, u_top)]
    if Dmax is not None:
        cols.append(np.full((T.size, 1), Dmax - Dmin))
    # the resonance: panels graded geometrically away from it on both sides. The subtracted
    # integrand (F(E) - F(hf))/(E - hf) is smooth at hf, but where F has a kink or vanishes
    # (below the aligned band edge) it carries -F(hf)/(E - hf), which needs panels no wider
    # than their distance from hf
    above = hf > Dmin
    u_hf = np.where(above, hf - Dmin, 0.0)
    # start no wider than a quarter of the distance to the nearest cutoff energy, so that the
    # panels next to hf never reach across one
    near = np.minimum(u_hf, T)
    for d in D_list:
        for X in X_list:
            e = np.hypot(d, b * X)
            near = np.where(e != hf, np.minimum(near, np.abs(e - hf)), near)
    h_hf = np.where(above, np.maximum(0.25 * near, 1e-14 * Dmin), u_top)
    span_lo = np.where(above, u_hf, u_top)
    cols += [_graded(u_hf, h_hf, u_top - u_hf), u_hf[:, None] - _graded(zero, h_hf, span_lo)]
    for d in D_list:
        for X in X_list:
            y = b * X
            e = np.hypot(d, y)
            u_bp = e - Dmin
            # widths of the ln(E^2 - y^2) and ln(E^2 - D^2) structures just above e
            h_y = d * d / (e + y)
            h_d = y * y / (e + d)
            scale = np.maximum(u_bp, u_lo)
            h = np.maximum(np.minimum(h_y, h_d), FLOOR * scale)
            h = np.where(y > 0, h, scale)  # B = 0: no structure
            cols += [u_bp[:, None], _graded(u_bp, h, scale)]
    edges = np.sort(np.clip(np.concatenate(cols, axis=1), 0.0, u_top[:, None]), axis=1)
    keep = (edges[:, 1:] > edges[:, :-1]).any(axis=0)
    edges = np.concatenate([edges[:, :1], edges[:, 1:][:, keep]], axis=1)
    t, w = gauss_legendre01(GRID_NODES)
    ua = edges[:, :-1, None]
    width = (edges[:, 1:] - edges[:, :-1])[:, :, None]
    E = (Dmin + ua + width * t * t).reshape(T.size, -1)
    dE = (width * 2.0 * t * w).reshape(T.size, -1)
    tt, tw = gauss_legendre01(TAIL_NODES)
    tt = np.concatenate([0.5 * tt, 0.5 + 0.5 * tt])
    tw = np.concatenate([0.5 * tw, 0.5 * tw])
    E_top = Dmin + u_top
    Et = E_top[:, None] / tt
    dEt = E_top[:, None] * tw / tt**2
    return E, dE, Et, dEt, E_top


def pv_integral(
    F_nodes: NDArray,
    F_tail: NDArray,
    F_hf: NDArray,
    grid: tuple[NDArray, NDArray, NDArray, NDArray, NDArray],
    hf: NDArray,
    Dmin: float,
) -> NDArray:
    """PV int_Dmin^inf F(E) E/(E^2 - (hf)^2) dE per row, F(E) = 0 below Dmin.

    ``F_nodes``, ``F_tail`` are F on the grid's panel and tail nodes, ``F_hf`` (n,) F at E = hf
    (used only for rows with hf > Dmin). Uses E/(E^2 - hf^2) = (1/2)/(E - hf) + (1/2)/(E + hf)
    and subtracts F(hf)/(E - hf) on [Dmin, E_top] (analytic: F(hf) ln((E_top - hf)/(hf - Dmin))).
    A node that falls exactly on hf contributes 0 (the limit there is F'(hf), weight ~1e-16).
    """
    E, dE, Et, dEt, E_top = grid
    hfc = hf[:, None]
    sub = hf > Dmin
    Fh = np.where(sub, F_hf, 0.0)[:, None]
    den = E - hfc
    exact = den == 0.0
    den = np.where(exact, 1.0, den)
    num = F_nodes - Fh
    body = 0.5 * np.where(exact, 0.0, num / den) + 0.5 * F_nodes / (E + hfc)
    out = np.einsum("nk,nk->n", dE, body)
    out = out + np.einsum("nk,nk->n", dEt, F_tail * Et / (Et * Et - hfc * hfc))
    gap_lo = np.where(sub, hf - Dmin, 1.0)
    gap_hi = np.where(sub, E_top - hf, 1.0)
    return out + np.where(sub, 0.5 * Fh[:, 0] * np.log(gap_hi / gap_lo), 0.0)
