"""Benchmark: C_ATS(T, B) on a 200 x 200 grid, isotropic loops, against nested scipy quad.

Prints the wall time of ``etm.heat_capacity.ats`` on the grid (best of 5, after a warm-up that
compiles the numba loop), the time per point of a plain nested ``scipy.integrate.quad``
implementation (outer integral over E, inner average over cos(beta) of the aligned Eq. 13)
measured on a sub-grid, the ratio of the two extrapolated to the full grid, and the maximum
relative difference on the sub-grid.

Run: ``python benchmarks/bench_heat_capacity.py`` (one core: numba runs this loop serially).
"""

from __future__ import annotations

import os
import time
import warnings

os.environ.setdefault("NUMBA_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from scipy import integrate  # noqa: E402
from scipy.constants import k as k_B  # noqa: E402

from etm import __version__, heat_capacity, materials  # noqa: E402
from etm.constants import AB_K_PER_T_KA2  # noqa: E402
from etm.ensemble import ats_dos_oriented  # noqa: E402


def nested_quad_cp(T: float, B: float, p) -> float:
    """Reference: k_B int dE [int_0^1 dcos g_aligned(E, kappa cos)] (E/2T)^2 sech^2(E/2T)."""
    kappa = AB_K_PER_T_KA2 * B

    def g_iso(E: float) -> float:
        f = lambda c: float(ats_dos_oriented(E, kappa * c, p))  # noqa: E731
        # the aligned DOS has kinks in cos(beta) where E crosses Ec1, Ec2: give quad the points
        pts = [
            x
            for x in (
                np.sqrt(max(E * E - p.Dmin_K**2, 0)) / (kappa * X) if kappa else 2.0
                for X in (p.X0min_KA2, p.X0max_KA2)
            )
            if 0 < x < 1
        ]
        return integrate.quad(f, 0.0, 1.0, points=pts or None, epsabs=0, epsrel=1e-10, limit=200)[0]

    def integrand(E: float) -> float:
        x = E / (2 * T)
        return g_iso(E) * (x / np.cosh(x)) ** 2 if x < 300 else 0.0

    Ec = [np.hypot(p.Dmin_K, kappa * X) for X in (p.X0min_KA2, p.X0max_KA2)]
    hi = p.Dmin_K + 60 * T
    pts = [e for e in Ec if p.Dmin_K < e < hi]
    val = integrate.quad(
        integrand, p.Dmin_K, hi, points=pts or None, epsabs=0, epsrel=1e-9, limit=400
    )[0]
    return k_B * val


def main() -> None:
    p = materials.get("BAS").at(0.60).ats
    T = np.linspace(0.05, 2.0, 200)[:, None]
    B = np.linspace(0.0, 10.0, 200)[None, :]
    heat_capacity.ats(T, B, p)  # warm-up: numba compilation
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        C = heat_capacity.ats(T, B, p)
        times.append(time.perf_counter() - t0)
    t_fast = min(times)

    iT = np.linspace(0, 199, 5).astype(int)
    iB = np.linspace(0, 199, 5).astype(int)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        ref = np.array([[nested_quad_cp(T[i, 0], B[0, j], p) for j in iB] for i in iT])
    t_ref_point = (time.perf_counter() - t0) / ref.size
    sub = C[np.ix_(iT, iB)]
    rel = np.max(np.abs(sub / ref - 1))
    t_ref_grid = t_ref_point * C.size
    print(f"etm {__version__}; BAS Table 2 (T = 0.60 K row), isotropic, T in 0.05-2 K, B in 0-10 T")
    print(f"etm.heat_capacity.ats, 200 x 200 grid:    {t_fast * 1e3:8.1f} ms (best of 5)")
    print(
        f"nested scipy quad, per point:            {t_ref_point * 1e3:8.1f} ms ({ref.size} points)"
    )
    print(f"nested quad extrapolated to 40000 points: {t_ref_grid:8.1f} s")
    print(f"speed-up:                                 {t_ref_grid / t_fast:8.0f} x")
    print(f"max relative difference on the sub-grid:  {rel:8.1e}")


if __name__ == "__main__":
    main()
