"""Compiled inner loops (numba) of the exact three-level route (:mod:`etm.heat_capacity.exact`).

:func:`exact_c_sums` is the whole tensor quadrature of one field's heat capacity: the cubic's
closed form once per system, both gaps from it, and the Boltzmann variance for every temperature
that shares the nodes. Its inner loops call no libm function and hold no branch (arctan, sine
and exp are the branch-free polynomial forms :func:`sin_third_angle` and :func:`exp_neg`, each
tested against libm to a few 1e-16), so they vectorize (AVX2 here); every sum runs in a fixed
order, so the result does not depend on the number of threads (docs/performance.md).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

_SQRT3 = math.sqrt(3.0)
_TWO_PI_3 = 2.0 * math.pi / 3.0
_X_CLIP = 800.0
#: :func:`exact_c_sums` skips systems whose lower gap exceeds that of a system already summed by
#: more than _Y_SKIP T: their Boltzmann factor is e^-50 ~ 2e-22 of that system's, so even the
#: ~4e5 systems of a point, with quadrature weights up to ~1e3 apart, change the sum by < 1e-13
#: relative (also deep in the activated regime, where every C/k_B is tiny).
_Y_SKIP = 50.0

# arctan on [0, 0.66]: the (4, 5) rational form of Cephes' atan (S. L. Moshier)
_MOREBITS = 6.123233995736765886130e-17
_AP = (
    -8.750608600031904122785e-1,
    -1.615753718733365076637e1,
    -7.500855792314704667340e1,
    -1.228866684490136173410e2,
    -6.485021904942025371773e1,
)
_AQ = (
    2.485846490142306297962e1,
    1.650270098316988542046e2,
    4.328810604912902668951e2,
    4.853903996359136964868e2,
    1.945506571482613964425e2,
)
# sin(a) = a + a^3 sum_k c_k a^(2k) on [0, pi/3]: Taylor to a^21, truncation
# (pi/3)^23/23! < 1e-21 relative
_SC = tuple((-1.0) ** (k + 1) / math.factorial(2 * k + 3) for k in range(10))
# exp(-y) = 2^-n exp(r), n = round(y / ln 2), r = n ln2 - y in [-ln2/2, ln2/2] (Cody-Waite split
# of ln 2); exp(r) by Taylor to r^12, truncation (ln2/2)^13/13! < 2e-16 relative
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e00
_EC = tuple(1.0 / math.factorial(k) for k in range(13))


@njit(cache=True, nogil=True, error_model="numpy", fastmath={"contract"}, inline="always")
def sin_third_angle(Y, X):  # pragma: no cover - compiled
    """sin(atan2(Y, X) / 3) for Y >= 0 (the angle in [0, pi/3]), to ~4e-16 relative.

    Branch-free (selects only), so that loops over it vectorize: arctan of min/max(Y, |X|) in
    [0, 1] by Cephes' atan (S. L. Moshier: reduction at 0.66 by (z - 1)/(z + 1), a (4, 5)
    rational form, < 2e-16 relative), the octant and the sign of X restored, then sin of the
    third by its Taylor series. Tested against libm in tests/test_exact_kernels.py.
    """
    ax = abs(X)
    big = Y > ax
    p = min(Y, ax)
    q = max(Y, ax)
    hi = p > 0.66 * q
    num = p - q if hi else p
    den = p + q if hi else q
    den = den if den > 0.0 else 1.0  # Y = X = 0: angle 0
    x = num / den
    z = x * x
    pp = (((_AP[0] * z + _AP[1]) * z + _AP[2]) * z + _AP[3]) * z + _AP[4]
    qq = ((((z + _AQ[0]) * z + _AQ[1]) * z + _AQ[2]) * z + _AQ[3]) * z + _AQ[4]
    at = x * (z * pp / qq) + x
    at = (0.25 * math.pi + (at + 0.5 * _MOREBITS)) if hi else at
    th = (0.5 * math.pi - at + _MOREBITS) if big else at
    th = (math.pi - th) if X < 0.0 else th
    a = th / 3.0
    z = a * a
    c = _SC
    s = c[9]
    s = s * z + c[8]
    s = s * z + c[7]
    s = s * z + c[6]
    s = s * z + c[5]
    s = s * z + c[4]
    s = s * z + c[3]
    s = s * z + c[2]
    s = s * z + c[1]
    s = s * z + c[0]
    return a + a * z * s


@njit(cache=True, nogil=True, error_model="numpy", fastmath={"contract"}, inline="always")
def exp_neg(y):  # pragma: no cover - compiled
    """exp(-y) for 0 <= y <= 1400 to ~2e-16 relative (0 below the subnormals), branch-free.

    2^-n is applied as a product of selected powers 2^-(2^i) (no bit casts), so loops over it
    vectorize; tested against libm in tests/test_exact_kernels.py.
    """
    n = math.floor(y * _INV_LN2 + 0.5)
    r = (n * _LN2_HI - y) + n * _LN2_LO
    c = _EC
    p = c[12]
    p = p * r + c[11]
    p = p * r + c[10]
    p = p * r + c[9]
    p = p * r + c[8]
    p = p * r + c[7]
    p = p * r + c[6]
    p = p * r + c[5]
    p = p * r + c[4]
    p = p * r + c[3]
    p = p * r + c[2]
    p = p * r + c[1]
    p = p * r + c[0]
    m = np.int64(n)
    p = p * (0.5 if m & 1 else 1.0)
    p = p * (0.25 if m & 2 else 1.0)
    p = p * (2.0**-4 if m & 4 else 1.0)
    p = p * (2.0**-8 if m & 8 else 1.0)
    p = p * (2.0**-16 if m & 16 else 1.0)
    p = p * (2.0**-32 if m & 32 else 1.0)
    p = p * (2.0**-64 if m & 64 else 1.0)
    p = p * (2.0**-128 if m & 128 else 1.0)
    p = p * (2.0**-256 if m & 256 else 1.0)
    p = p * (2.0**-512 if m & 512 else 1.0)
    h = 2.0**-512 if m & 1024 else 1.0
    return p * h * h


@njit(cache=True, nogil=True, error_model="numpy", fastmath={"contract"})
def exact_c_sums(D, wD, D0, wD0, th, wth, u, wu, T):  # pragma: no cover - compiled
    """Tensor quadrature of the three-level C/k_B at one field, for temperatures sharing nodes.

    ``D`` (nD,), ``D0`` (nD0,) effective parameters; ``th``/``wth`` (nD, nD0, nth) and
    ``u``/``wu`` (nD, nD0, nu) the graded theta and phase nodes; ``T`` (nT,) temperatures > 0,
    ascending, that use these nodes. Returns the sums times 6 (theta over [0, pi/3] stands for
    [0, 2 pi)), shape (nT,).

    Per (D, D0) block: the u-independent part of the cubic's closed form (etm.spectrum's
    ``_ats_closed_form``, same formulas) once per theta, cos/sin of the phase once per u, then
    both gaps of every (theta, u) system in product form, lambda_1 - lambda_0 =
    2 sqrt(3) s sin(alpha) and lambda_2 - lambda_0 = 2 sqrt(3) s sin(alpha + pi/3), into work
    arrays; then, for each temperature, the Boltzmann variance of the whole block in one loop.
    These loops hold no branch and no libm call (:func:`sin_third_angle`, :func:`exp_neg`), so
    they vectorize; the sums run afterwards in a fixed order. A theta row is skipped, for one
    temperature, when a cheap lower bound of its lower gap is 50 T above the smallest gap summed
    in earlier blocks at that temperature (e^-50 relative; its spectrum is not computed when
    that holds at the highest T, the loosest threshold). Every temperature's sum depends only
    on its own T and the nodes, not on the other temperatures passed.
    """
    nD = D.shape[0]
    nD0 = D0.shape[0]
    nth = th.shape[2]
    nu = u.shape[2]
    nT = T.shape[0]
    cu = np.empty(nu)
    su = np.empty(nu)
    g1v = np.empty(nth * nu)
    g2v = np.empty(nth * nu)
    y1v = np.empty(nth * nu)
    var = np.empty(nth * nu)
    rows = np.empty(nth, dtype=np.int64)
    lb_row = np.empty(nth)
    invT = 1.0 / T
    clip = _X_CLIP * T
    total = np.zeros(nT)
    acc_a = np.zeros(nT)
    y_min = np.full(nT, np.inf)  # per temperature: smallest lower gap / T summed so far
    top = nT - 1
    for a in range(nD):
        acc_a[:] = 0.0
        Da = D[a]
        for b in range(nD0):
            D0b = (_SQRT3 / 2.0) * D0[b]
            for k in range(nu):
                cu[k] = math.cos(u[a, b, k])
                su[k] = math.sin(u[a, b, k])
            # the thresholds min(g_min, 800 T) + 50 T are largest at the highest T
            thr_top = (y_min[top] + _Y_SKIP) * T[top]
            nrow = 0
            for t in range(nth):
                E1 = Da * math.cos(th[a, b, t])
                E2 = Da * math.cos(th[a, b, t] + _TWO_PI_3)
                E3 = Da * math.cos(th[a, b, t] + 2.0 * _TWO_PI_3)
                m = (E1 + E2 + E3) / 3.0
                e1, e2, e3 = E1 - m, E2 - m, E3 - m
                scale = max(abs(e1), abs(e2), abs(e3), D0b)
                safe = scale if scale > 0.0 else 1.0
                x1, x2, x3, d = e1 / safe, e2 / safe, e3 / safe, D0b / safe
                d12, d13, d23 = (E1 - E2) / safe, (E1 - E3) / safe, (E2 - E3) / safe
                Q = x1 * x1 + x2 * x2 + x3 * x3
                P = x1 * x2 * x3
                s = math.sqrt(d * d + Q / 6.0)
                d3 = d * d * d
                dd = d12 * d13 * d23
                a0 = dd * dd / 27.0
                br0 = Q * Q / 3.0 + 2.0 * Q * d * d
                g_scale = 2.0 * _SQRT3 * s * safe
                # lower bound of the lower gap: a = prod (lambda_i - lambda_j)^2 / 27 (scaled)
                # and both other differences are <= 2 sqrt(3) s, so
                # lambda_1 - lambda_0 >= sqrt(27 a) / (12 s^2) [times the scale]; over all
                # phases a >= a0 + d^2 br0 / 2 (the bracket is >= half the sum of the moduli of
                # its terms)
                lb_coef = math.sqrt(27.0) * safe / (12.0 * s * s) if s > 0.0 else 0.0
                lb = lb_coef * math.sqrt(a0 + 0.5 * d * d * br0)
                if lb > thr_top:
                    continue
                rows[nrow] = t
                lb_row[nrow] = lb
                off = nrow * nu
                for k in range(nu):
                    c = cu[k]
                    sn = su[k]
                    minus_r = P + 2.0 * d3 * c
                    bracket = br0 - 4.0 * P * d * c
                    aa = a0 + d * d * bracket + 4.0 * (d3 * d3) * sn * sn
                    sa = sin_third_angle(math.sqrt(max(aa, 0.0)), minus_r)
                    g1v[off + k] = g_scale * sa
                    # sin(alpha + pi/3) with cos(alpha) >= 1/2 for alpha in [0, pi/3]
                    g2v[off + k] = g_scale * (0.5 * sa + (0.5 * _SQRT3) * math.sqrt(1.0 - sa * sa))
                nrow += 1
            if nrow == 0:
                continue
            nsys = nrow * nu
            for j in range(nT):
                thr = (y_min[j] + _Y_SKIP) * T[j]
                cj = clip[j]
                ij = invT[j]
                for i in range(nsys):
                    y1 = min(g1v[i], cj) * ij
                    y2 = min(g2v[i], cj) * ij
                    w1 = exp_neg(y1)
                    # the upper level, e^-50 below the doublet's, changes C/k_B by < 1e-19
                    w2 = exp_neg(y2) if y2 < y1 + _Y_SKIP else 0.0
                    z = 1.0 + w1 + w2
                    # Var = [w1 y1^2 + w2 y2^2 + w1 w2 (y1 - y2)^2] / Z^2: no cancellation
                    dy = y1 - y2
                    var[i] = (w1 * y1 * y1 + w2 * y2 * y2 + w1 * w2 * dy * dy) / (z * z)
                    y1v[i] = y1
                inner = 0.0
                ym = y_min[j]
                for r in range(nrow):
                    if lb_row[r] > thr:
                        continue  # e^-50 below a system already summed: below round-off
                    off = r * nu
                    sum_u = 0.0
                    for k in range(nu):
                        sum_u += wu[a, b, k] * var[off + k]
                        ym = min(ym, y1v[off + k])
                    inner += wth[a, b, rows[r]] * sum_u
                y_min[j] = ym
                acc_a[j] += inner * wD0[b]
        for j in range(nT):
            total[j] += acc_a[j] * wD[a]
    return 6.0 * total
