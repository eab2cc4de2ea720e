"""Compiled inner loops (numba) for the hot paths of the thermal quadrature.

:func:`cp_fused` is the heat capacity's whole energy quadrature in one pass per field: the panel
edges of :func:`etm.ensemble.energy_panels`, the closed-form density of states of
:mod:`etm.ensemble.dos` at every node, and the contraction with (x/cosh x)^2 for every
temperature that uses the field, with no array larger than one field's nodes. Its arithmetic
follows the numpy path operation by operation (same formulas, same order), so the two agree to
round-off (tested to 1e-12 relative in tests/test_heat_capacity.py). Fields run in parallel
(``prange``); every field is computed by one thread in a fixed order, so the result does not
depend on the number of threads. The loop is written once and compiled serial and threaded
(:func:`etm.ensemble.kernels.serial_and_parallel`): :func:`cp_fused`, :func:`cp_fused_parallel`.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from etm.ensemble.kernels import dos_isotropic, dos_oriented, serial_and_parallel

__all__ = ["cp_contract", "cp_fused", "cp_fused_parallel"]

_TWO_PI = 2.0 * math.pi


@njit(cache=True, error_model="numpy")
def cp_contract(E, weights, field_index, T):  # pragma: no cover - compiled
    """sum_k weights[f, k] * (x^2 / cosh^2 x), x = E[f, k] / (2 T), for each pair (f, T).

    Rows of ``E`` are ascending, so the loop stops once x exceeds its value at the row's first
    node by 40: every later term is below e^-80 (times a power of x) of the first ones, so the
    relative accuracy holds even deep in the activated regime, and the cost is set by the nodes
    that matter, not by the grid's reach.
    """
    n = T.shape[0]
    K = E.shape[1]
    out = np.zeros(n)
    for i in range(n):
        f = field_index[i]
        inv2T = 0.5 / T[i]
        acc = 0.0
        x_stop = E[f, 0] * inv2T + 40.0
        for k in range(K):
            x = E[f, k] * inv2T
            if x > x_stop:
                break
            em = np.exp(-2.0 * x)
            d = 1.0 + em
            acc += weights[f, k] * 4.0 * x * x * em / (d * d)
        out[i] = acc
    return out


@njit(cache=True, error_model="numpy")
def _cp_field(
    f,
    b0,
    row_start,
    pair_order,
    T,
    fixed,
    Dmin,
    Dmax,
    has_dmax,
    X0min,
    X0max,
    two_pi_nP,
    isotropic,
    u_lo,
    u_top,
    depth,
    corner_D,
    corner_X,
    t,
    w,
    t6,
    w6,
    out,
):  # pragma: no cover - compiled
    """One field of :func:`cp_fused`: its grid, its density of states, its pairs' sums."""
    i0 = row_start[f]
    i1 = row_start[f + 1]
    if i1 == i0:
        return
    n_edge = fixed.shape[0] + (1 if has_dmax else 0)
    for c in range(depth.shape[0]):
        n_edge += depth[c] + 2
    nq = t.shape[0]
    b = b0[f]
    edges = np.empty(n_edge)
    m = 0
    for j in range(fixed.shape[0]):
        edges[m] = fixed[j]
        m += 1
    if has_dmax:
        edges[m] = Dmax - Dmin
        m += 1
    for c in range(depth.shape[0]):
        d = corner_D[c]
        y = b * corner_X[c]
        e = math.hypot(d, y)
        h_y = d * d / (e + y)
        h_d = y * y / (e + d)
        if (h_d < h_y) and (h_d >= 1e-6 * u_lo):
            h = h_d
        else:
            h = max(h_y, 1e-6 * u_lo)
        u_bp = e - Dmin
        edges[m] = u_bp
        m += 1
        step = h
        for _ in range(depth[c] + 1):
            edges[m] = u_bp + step
            m += 1
            step = step * 2.0
    for j in range(n_edge):
        edges[j] = min(max(edges[j], 0.0), u_top)
    edges.sort()
    E = np.empty((n_edge - 1) * nq)
    g = np.empty((n_edge - 1) * nq)
    k = 0
    for p in range(n_edge - 1):
        ua = edges[p]
        width = edges[p + 1] - ua
        if not width > 0.0:
            continue  # zero-width panels carry zero weight
        for q in range(nq):
            Ek = Dmin + ua + width * t[q] * t[q]
            E[k] = Ek
            if isotropic:
                gk = dos_isotropic(Ek, b, X0min, X0max, Dmin, Dmax, has_dmax, two_pi_nP, t6, w6)
            else:
                gk = dos_oriented(Ek, b, X0min, X0max, Dmin, Dmax, has_dmax, two_pi_nP)
            g[k] = gk * (width * 2.0 * t[q] * w[q])
            k += 1
    for ii in range(i0, i1):
        i = pair_order[ii]
        inv2T = 0.5 / T[i]
        acc = 0.0
        x_stop = E[0] * inv2T + 40.0
        for kk in range(k):
            x = E[kk] * inv2T
            if x > x_stop:
                break
            em = np.exp(-2.0 * x)
            dd = 1.0 + em
            acc += g[kk] * 4.0 * x * x * em / (dd * dd)
        out[i] = acc


def cp_fused(
    b0,
    row_start,
    pair_order,
    T,
    fixed,
    Dmin,
    Dmax,
    has_dmax,
    X0min,
    X0max,
    two_pi_nP,
    isotropic,
    u_lo,
    u_top,
    depth,
    corner_D,
    corner_X,
    t,
    w,
    t6,
    w6,
):  # pragma: no cover - compiled
    """C_ATS / k_B for every pair, one field after the other: the grid of energy_panels rebuilt
    per field, the density of states at every node, then every pair of the field contracted.

    ``row_start`` (n_fields + 1) delimits, in ``pair_order``, the pairs of each field. The
    threaded twin :func:`cp_fused_parallel` spreads the fields over numba's threads (same
    result: each field is computed by one thread).
    """
    out = np.zeros(T.shape[0])
    for f in prange(b0.shape[0]):
        _cp_field(
            f,
            b0,
            row_start,
            pair_order,
            T,
            fixed,
            Dmin,
            Dmax,
            has_dmax,
            X0min,
            X0max,
            two_pi_nP,
            isotropic,
            u_lo,
            u_top,
            depth,
            corner_D,
            corner_X,
            t,
            w,
            t6,
            w6,
            out,
        )
    return out


cp_fused, cp_fused_parallel = serial_and_parallel(cp_fused, error_model="numpy")
