"""Compiled inner loops (numba) for the hot contractions of the thermal quadrature."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
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
