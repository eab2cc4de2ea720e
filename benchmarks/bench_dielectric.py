"""Benchmark: a 200-point relative_change(B) curve, exact isotropic average, against nested quad.

Prints the wall time of ``etm.dielectric.relative_change`` for BAS at 50 mK (Table 5), 1 kHz,
B in 0-1 T (200 points; best of 5), the time per point of a nested-quadrature reference
(adaptive ``scipy.integrate.quad`` over ln D and ln X, Gauss panels graded in y = kappa X cos
beta for the orientation average; no density of states, no closed forms) measured on a
sub-set of fields, the ratio of the two extrapolated to the full curve, and the maximum
difference relative to the curve's largest |value| (the curve crosses zero, so a pointwise
relative error is not meaningful there).

Run: ``python benchmarks/bench_dielectric.py`` (numpy only; one core).
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from scipy import integrate  # noqa: E402

from etm import __version__  # noqa: E402
from etm.constants import AB_K_PER_T_KA2  # noqa: E402
from etm.dielectric import dielectric_preset, relative_change  # noqa: E402
from etm.stm import HF_K_PER_HZ  # noqa: E402

F_HZ = 1.0e3
TG, WG = np.polynomial.legendre.leggauss(10)
TG, WG = 0.5 * (TG + 1), 0.5 * WG


def nested_quad(B: float, T: float, p) -> float:
    """A << (1 - D^2/2E^2) tanh(E/2T) E/(E^2 - hf^2) >> over (ln D, ln X, cos beta)."""
    kap = AB_K_PER_T_KA2 * B
    hf2 = (HF_K_PER_HZ * F_HZ) ** 2

    def inner(D: float, X: float) -> float:
        ymax = kap * X
        if ymax == 0:
            ys, ws = np.zeros(1), np.ones(1)
        else:
            e = np.concatenate(([0.0], 1e-4 * min(D, T) * 2.0 ** np.arange(80)))
            e = np.append(e[e < ymax], ymax)
            a, b = e[:-1, None], e[1:, None]
            ys, ws = (a + (b - a) * TG).ravel(), ((b - a) * WG).ravel() / ymax
        E = np.sqrt(D * D + ys * ys)
        m = 1 - 0.5 * (D / E) ** 2
        return float(np.sum(ws * m * np.tanh(E / (2 * T)) * E / (E * E - hf2)))

    def fD(lnD: float) -> float:
        D = np.exp(lnD)
        return integrate.quad(
            lambda lx: inner(D, np.exp(lx)),
            np.log(p.X0min_KA2),
            np.log(p.X0max_KA2),
            epsabs=0,
            epsrel=1e-11,
            limit=200,
        )[0]

    lo, hi = np.log(p.Dmin_K), np.log(p.Dmin_K * 1e9)
    pts = [np.log(max(kap * X, p.Dmin_K * 1.0001)) for X in (p.X0min_KA2, p.X0max_KA2)]
    pts += [np.log(p.Dmin_K + 2 * T), np.log(p.Dmin_K + 20 * T)]
    pts = sorted({x for x in pts if lo < x < hi})
    val = integrate.quad(fD, lo, hi, points=pts, epsabs=0, epsrel=1e-10, limit=400)[0]
    return p.amplitude_K * val


def main() -> None:
    row = dielectric_preset("BAS", 0.05)
    p, T = row.params, row.T_K
    B = np.linspace(0.0, 1.0, 200)
    relative_change(B, T, p, F_HZ)  # warm-up (imports, caches)
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        d = relative_change(B, T, p, F_HZ)
        times.append(time.perf_counter() - t0)
    t_fast = min(times)

    idx = np.array([10, 40, 80, 130, 199])
    t0 = time.perf_counter()
    r0 = nested_quad(0.0, T, p)
    ref = np.array([nested_quad(b, T, p) - r0 for b in B[idx]])
    t_ref_point = (time.perf_counter() - t0) / (idx.size + 1)
    diff = np.max(np.abs(d[idx] - ref)) / np.max(np.abs(d))

    print(f"etm {__version__}: relative_change, BAS 50 mK (Table 5), f = {F_HZ:g} Hz, isotropic")
    print(f"  200-point curve (best of 5)             {1e3 * t_fast:8.1f} ms  (target < 100 ms)")
    print(f"  nested quad, per point                  {t_ref_point:8.2f} s")
    print(f"  nested quad, extrapolated to 201 points {201 * t_ref_point:8.1f} s")
    print(f"  speed-up                                {201 * t_ref_point / t_fast:8.0f} x")
    print(f"  max |difference| / max |curve| ({idx.size} fields) {diff:.1e}  (target < 1e-5)")


if __name__ == "__main__":
    main()
