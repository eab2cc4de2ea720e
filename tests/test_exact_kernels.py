"""Tests of etm.heat_capacity._exact_kernels: branch-free elementary functions, shared-node sums."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numba import njit
from numpy.testing import assert_allclose

from etm.ensemble import DEFAULT_GRID
from etm.heat_capacity._exact_kernels import exact_c_sums, exp_neg, sin_third_angle
from etm.heat_capacity.exact import exact_heat_capacity, exact_nodes
from etm.params import ATSParams

# BAS, essay Table 2 at 0.60 K
BAS = ATSParams(Dmin_K=0.49, X0min_KA2=4.77e4, X0max_KA2=3.09e5, nP_per_g=5.19e16)


@njit(cache=False)
def _sin_third_many(Y, X):  # pragma: no cover - compiled
    out = np.empty(Y.shape[0])
    for i in range(Y.shape[0]):
        out[i] = sin_third_angle(Y[i], X[i])
    return out


@njit(cache=False)
def _exp_neg_many(y):  # pragma: no cover - compiled
    out = np.empty(y.shape[0])
    for i in range(y.shape[0]):
        out[i] = exp_neg(y[i])
    return out


def test_sin_third_angle_matches_libm():
    rng = np.random.default_rng(3)
    n = 200_000
    # angles uniform on [0, pi] and log-uniform down to 1e-13 (the near-degenerate doublet,
    # where relative accuracy matters), radii over 10 decades, and the exact corners
    th = np.concatenate([rng.uniform(0, np.pi, n), np.exp(rng.uniform(-30, 0, n))])
    th = np.concatenate([th, np.pi - np.exp(rng.uniform(-30, 0, n // 4))])
    r = np.exp(rng.uniform(-12, 12, th.size))
    Y, X = r * np.sin(th), r * np.cos(th)
    Y = np.concatenate([Y, [0.0, 0.0, 1.0, 1.0, 1.0, 0.66, 1e-300, 2.0]])
    X = np.concatenate([X, [0.0, 1.0, 0.0, 1.0, -1.0, 1.0, -1.0, -1e-300]])
    ref = np.sin(np.arctan2(Y, X) / 3.0)
    got = _sin_third_many(Y, X)
    pos = ref > 0
    # libm's atan2 and sin are within ~1 ulp; Cephes' atan and the Taylor sine add ~1 ulp each
    # (measured max 4.4e-16): 2e-15 leaves room for platform libms
    assert_allclose(got[pos], ref[pos], rtol=2e-15, atol=0.0)
    assert np.all(got[~pos] == 0.0)


def test_exp_neg_matches_libm():
    rng = np.random.default_rng(4)
    y = np.concatenate(
        [rng.uniform(0, 60, 200_000), rng.uniform(0, 800, 200_000), np.arange(0.0, 801.0, 0.5)]
    )
    y = np.concatenate([y, [0.0, 708.0, 709.8, 744.4, 745.2, 800.0, 1400.0]])
    ref = np.exp(-y)
    got = _exp_neg_many(y)
    normal = ref > 2.3e-308
    # Cody-Waite reduction + Taylor to r^12 (truncation < 2e-16): measured max 2.2e-16
    assert_allclose(got[normal], ref[normal], rtol=1e-15, atol=0.0)
    # subnormal results: the final scaling rounds once more, so absolute agreement there
    assert np.max(np.abs(got[~normal] - ref[~normal])) < 1e-310
    assert exp_neg(0.0) == 1.0 and exp_neg(800.0) == 0.0


def test_shared_node_sums_equal_single_temperature_sums():
    # one call for several temperatures on the same nodes gives, for each, exactly the sum of a
    # call with that temperature alone (the skips and sums per temperature are its own)
    T_all = np.array([0.02, 0.3, 0.6, 2.5])
    for B, orientation in ((1.0, "isotropic"), (0.0, "isotropic"), (4.0, "aligned")):
        nodes = exact_nodes(0.6, B, BAS, 1e4, orientation, DEFAULT_GRID)
        together = exact_c_sums(*nodes, T_all)
        alone = [exact_c_sums(*nodes, T_all[j : j + 1])[0] for j in range(T_all.size)]
        assert np.array_equal(together, np.array(alone))


def test_compiled_route_equals_numpy_route_at_the_extremes():
    # deep activation (2 mK: gap/T up to the clip at 800, exp underflowing), high T (100 K:
    # D range set by T), the phase past pi (30 T: phi0 = 4.5 rad), Dmax: the branch-free
    # elementary functions and the block-wise skips change round-off only (1e-12; measured
    # <= 5e-15; tests/test_exact.py holds the main grid)
    T = np.array([0.002, 30.0, 100.0])[:, None]
    B = np.array([0.0, 30.0])[None, :]
    for p in (BAS, replace(BAS, Dmax_K=4.0)):
        got = exact_heat_capacity(T, B, p, workers=1)
        ref = exact_heat_capacity(T, B, p, reference=True)
        assert np.all(got > 0)
        assert_allclose(got, ref, rtol=1e-12, atol=0.0)
