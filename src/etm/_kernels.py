"""Compiled inner loops (numba) for the hot paths of the thermal quadrature.

:func:`cp_fused` is the heat capacity's whole energy quadrature in one pass per field: the panel
edges of :func:`etm.ensemble.energy_panels`, the closed-form density of states of
:mod:`etm.ensemble.dos` at every node, and the contraction with (x/cosh x)^2 for every
temperature that uses the field, with no array larger than one field's nodes. Its arithmetic
follows the numpy path operation by operation (same formulas, same order), so the two agree to
round-off (tested to 1e-12 relative in tests/test_heat_capacity.py). Fields run in parallel
(``prange``); every field is computed by one thread in a fixed order, so the result does not
depend on the number of threads.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

_TWO_PI = 2.0 * math.pi
_NARROW = 1e-2
_B0_ZERO = 1e-200


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
def _atanh(z):  # pragma: no cover - compiled
    """artanh(z) for 0 <= z < 1 to ~1e-15 relative, at a third of libm's cost.

    |z| < 0.1: the Taylor series to z^17 (truncation < 0.1^18/19 ~ 5e-20 relative); above,
    (1/2) ln((1 + z)/(1 - z)), whose rounding (~2e-16 absolute) is < 1.1e-15 of the value.
    """
    if z < 0.1:
        z2 = z * z
        s = 1.0 / 17.0
        s = 1.0 / 15.0 + z2 * s
        s = 1.0 / 13.0 + z2 * s
        s = 1.0 / 11.0 + z2 * s
        s = 1.0 / 9.0 + z2 * s
        s = 1.0 / 7.0 + z2 * s
        s = 1.0 / 5.0 + z2 * s
        s = 1.0 / 3.0 + z2 * s
        return z * (1.0 + z2 * s)
    return 0.5 * math.log((1.0 + z) / (1.0 - z))


@njit(cache=True, error_model="numpy")
def _artanh_diff(hi, lo, E):  # pragma: no cover - compiled
    """artanh(hi/E) - artanh(lo/E) without cancellation: artanh((a - b)/(1 - a b))."""
    a = hi / E
    b = lo / E
    return _atanh((a - b) / (1.0 - a * b))


@njit(cache=True, error_model="numpy")
def _sq_minus(E2, y):  # pragma: no cover - compiled
    return max(E2 - y * y, 0.0)


@njit(cache=True, error_model="numpy")
def dos_isotropic(E, b0, X0min, X0max, Dmin, Dmax, has_dmax, two_pi_nP, t6, w6):
    """Scalar twin of :func:`etm.ensemble.ats_dos_isotropic` [1/(g K)]: the same operations
    in the same order (piece B's closed form cancels up to ~1e2 near its narrow limit, so
    reordering it would cost digits)."""  # pragma: no cover
    if not E > Dmin:
        return 0.0
    if not b0 > _B0_ZERO:
        if has_dmax and not E <= Dmax:
            return 0.0
        return two_pi_nP * max(math.log(X0max / X0min) / E, 0.0)
    Es2 = E * E
    hi = min(b0 * X0max, math.sqrt(max(Es2 - Dmin * Dmin, 0.0)))
    lo = math.sqrt(max(Es2 - Dmax * Dmax, 0.0)) if has_dmax else 0.0
    lo = min(lo, hi)
    ybreak = b0 * X0min
    a_lo = min(lo, ybreak)
    a_hi = min(hi, ybreak)
    # piece A has no cancellation: products by 1/E replace its four divisions (a few ulps)
    invE = 1.0 / E
    a = a_hi * invE
    b = a_lo * invE
    IA = (1.0 / X0min - 1.0 / X0max) / b0 * _atanh((a - b) / (1.0 - a * b)) * invE
    b_lo = max(lo, ybreak)
    b_hi = max(hi, ybreak)
    IB = 0.0
    if b_hi > b_lo:
        bl, bh = b_lo, b_hi
        EbS = math.sqrt(Es2)
        Y = b0 * X0max
        if (bh - bl < _NARROW * bh) and (bh * bh - bl * bl < _NARROW * (Es2 - bh * bh)):
            acc = 0.0
            for j in range(t6.shape[0]):
                y = 0.5 * (bh + bl) + 0.5 * (bh - bl) * t6[j]
                acc += (Y - y) / (y * Y * (Es2 - y * y)) * w6[j]
            IB = 0.5 * (bh - bl) * acc
        else:
            # ln(bh/bl) + (1/2) ln((E^2 - bl^2)/(E^2 - bh^2)) as one logarithm
            r = bh / bl
            logpart = 0.5 * math.log(r * r * (_sq_minus(Es2, bl) / _sq_minus(Es2, bh)))
            IB = logpart / Es2 - _artanh_diff(bh, bl, EbS) / (EbS * Y)
    return two_pi_nP * max(E * (IA + IB), 0.0)


@njit(cache=True, error_model="numpy")
def dos_oriented(E, k, X0min, X0max, Dmin, Dmax, has_dmax, two_pi_nP):
    """Scalar twin of :func:`etm.ensemble.ats_dos_oriented` [1/(g K)]."""  # pragma: no cover
    if not E > Dmin:
        return 0.0
    E2 = E * E
    if not k > 0.0:
        if has_dmax and not E <= Dmax:
            return 0.0
        return two_pi_nP * math.log(X0max / X0min) / E
    y2 = min(k * X0max, math.sqrt(max(E2 - Dmin * Dmin, 0.0)))
    y1 = k * X0min
    if has_dmax:
        y1 = max(y1, math.sqrt(max(E2 - Dmax * Dmax, 0.0)))
    if not y2 > y1:
        return 0.0
    r = y2 / y1  # ln(y2/y1) + (1/2) ln((E^2 - y1^2)/(E^2 - y2^2)) as one logarithm
    val = 0.5 * math.log(r * r * (_sq_minus(E2, y1) / _sq_minus(E2, y2)))
    return two_pi_nP * val / E


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


@njit(cache=True, error_model="numpy")
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

    ``row_start`` (n_fields + 1) delimits, in ``pair_order``, the pairs of each field.
    """
    out = np.zeros(T.shape[0])
    for f in range(b0.shape[0]):
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


@njit(cache=True, parallel=True, error_model="numpy")
def cp_fused_parallel(
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
    """:func:`cp_fused` with the fields spread over numba's threads (same result)."""
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


@njit(cache=True, error_model="numpy")
def corner_ratio_max(b0, corner_D, corner_X, Dmin, u_lo):  # pragma: no cover - compiled
    """max over fields of max(u_bp, u_lo) / h per corner (the sizes behind the refinement
    depth of :func:`etm.ensemble.refinement_depth`), in O(1) memory."""
    nc = corner_D.shape[0]
    out = np.zeros(nc)
    for c in range(nc):
        d = corner_D[c]
        r_max = 0.0
        for f in range(b0.shape[0]):
            y = b0[f] * corner_X[c]
            e = math.hypot(d, y)
            h_y = d * d / (e + y)
            h_d = y * y / (e + d)
            if (h_d < h_y) and (h_d >= 1e-6 * u_lo):
                h = h_d
            else:
                h = max(h_y, 1e-6 * u_lo)
            r = max(e - Dmin, u_lo) / h
            if r > r_max:
                r_max = r
        out[c] = r_max
    return out
