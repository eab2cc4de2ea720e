"""Compiled (numba) scalar twins of the closed-form density of states, for compiled loops.

:func:`dos_isotropic` and :func:`dos_oriented` are :func:`etm.ensemble.ats_dos_isotropic` and
:func:`etm.ensemble.ats_dos_oriented` at one energy, written operation by operation as the numpy
code (same formulas, same order) so the two agree to round-off; the heat capacity's fused loop
(:mod:`etm.heat_capacity`) calls them per node. :func:`corner_ratio_max` is the grid test of
:func:`etm.ensemble.quadrature.energy_panels`. :func:`taper` is the one smooth step with which
every compiled echo sum hands resolved oscillations over to their mean, and
:func:`serial_and_parallel` compiles one loop body twice, with and without threads.
"""

from __future__ import annotations

import math
import types
from collections.abc import Callable

import numpy as np
from numba import njit

__all__ = ["corner_ratio_max", "dos_isotropic", "dos_oriented", "serial_and_parallel", "taper"]


def serial_and_parallel(body: Callable, **options) -> tuple[Callable, Callable]:
    """``body`` compiled twice: ``njit(parallel=False)`` and ``njit(parallel=True)``.

    The body is written once, as a plain Python function whose outer loop is ``numba.prange``:
    in the serial compilation ``prange`` acts as ``range``, in the parallel one the iterations
    spread over numba's threads. Each copy gets its own name (``body.__name__`` and
    ``body.__name__ + "_parallel"``), because numba's on-disk cache is keyed by the function's
    qualified name and bytecode, not by the compile flags: one function object compiled both
    ways would load the other's machine code from the cache.

    Parameters
    ----------
    body : callable
        The loop, a plain function (not yet compiled).
    **options
        Further :func:`numba.njit` options (``cache=True`` is the default).

    Returns
    -------
    serial, parallel : numba dispatchers
    """
    options = {"cache": True, **options}
    out = []
    for name, parallel in ((body.__name__, False), (body.__name__ + "_parallel", True)):
        f = types.FunctionType(
            body.__code__, body.__globals__, name, body.__defaults__, body.__closure__
        )
        f.__qualname__ = name
        f.__doc__ = body.__doc__
        f.__module__ = body.__module__
        out.append(njit(parallel=parallel, **options)(f))
    return out[0], out[1]


@njit(cache=True)
def taper(x):  # pragma: no cover - compiled
    """C-infinity step: 1 for x <= 1/2, 0 for x >= 1, smooth in between.

    The echo sums resolve the pulse oscillations of a system with detuning |delta| <= Lambda/2
    and use their mean beyond Lambda; with x = |delta|/Lambda the two are blended by this step.
    """
    u = min(max(2.0 * x - 1.0, 0.0), 1.0)
    if u <= 0.0:
        return 1.0
    if u >= 1.0:
        return 0.0
    f0 = math.exp(-1.0 / u)
    f1 = math.exp(-1.0 / (1.0 - u))
    return f1 / (f0 + f1)


_NARROW = 1e-2
_B0_ZERO = 1e-200


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
            # t6, w6: Gauss-Legendre on [0, 1] (etm.ensemble.gauss_legendre01)
            for j in range(t6.shape[0]):
                y = bl + (bh - bl) * t6[j]
                acc += (Y - y) / (y * Y * (Es2 - y * y)) * w6[j]
            IB = (bh - bl) * acc
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
