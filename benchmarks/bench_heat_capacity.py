"""Benchmark: C_ATS(T, B) on a 200 x 200 grid, isotropic loops, against nested scipy quad.

Prints the wall time of ``etm.heat_capacity.ats`` on the grid (best of 5, after a warm-up that
compiles the numba loop), the time per point of a plain nested ``scipy.integrate.quad``
implementation (outer integral over E, inner average over cos(beta) of the aligned Eq. 13)
measured on a sub-grid, the ratio of the two extrapolated to the full grid, and the maximum
relative difference on the sub-grid.

Issue 10 figures (same run): the fused compiled quadrature (``ats``) against the former numpy
route kept as ``ats_reference`` (thermal_grid + compiled sum), on the grid and on one 41-field
curve at one temperature (the MCMC log-probability's cost), with 1 and 2 threads, and the peak
memory of ``total(0.6, linspace(0, 8, 10**6), m)`` in a subprocess (``--memory``; ~1 min).

Run: ``python benchmarks/bench_heat_capacity.py [--memory]``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import warnings

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
        C = heat_capacity.ats(T, B, p, workers=1)
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
    issue10(p, T, B)
    if "--memory" in sys.argv:
        peak_memory()


def _best(f, n: int = 5) -> tuple[float, float]:
    """Best wall and CPU time of n calls [s]."""
    f()
    w, c = [], []
    for _ in range(n):
        t0, c0 = time.perf_counter(), time.process_time()
        f()
        w.append(time.perf_counter() - t0)
        c.append(time.process_time() - c0)
    return min(w), min(c)


def issue10(p, T, B) -> None:
    """Fused kernel vs the numpy route, 1 and 2 threads; the MCMC curve."""
    print("-- issue 10: fused compiled quadrature vs the former numpy route --")
    ref = heat_capacity.ats_reference(T, B, p)
    got = heat_capacity.ats(T, B, p, workers=1)
    rel = np.max(np.abs(got / ref - 1))
    print(f"max relative difference fused vs numpy route (200x200): {rel:.1e}")
    w_ref, c_ref = _best(lambda: heat_capacity.ats_reference(T, B, p))
    w1, c1 = _best(lambda: heat_capacity.ats(T, B, p, workers=1))
    w2, _ = _best(lambda: heat_capacity.ats(T, B, p, workers=2))
    print(f"200x200 numpy route:  {w_ref * 1e3:7.1f} ms wall {c_ref * 1e3:7.1f} ms CPU")
    print(f"200x200 fused, 1 thr: {w1 * 1e3:7.1f} ms wall {c1 * 1e3:7.1f} ms CPU", end="")
    print(f"  ({c_ref / c1:.1f}x CPU)")
    print(f"200x200 fused, 2 thr: {w2 * 1e3:7.1f} ms wall  ({w1 / w2:.2f}x from the second core)")
    Bc = np.linspace(0.0, 8.0, 41)
    w_ref, c_ref = _best(lambda: heat_capacity.ats_reference(0.6, Bc, p), 200)
    w1, c1 = _best(lambda: heat_capacity.ats(0.6, Bc, p, workers=1), 200)
    print(f"41-field curve at 0.6 K, numpy route: {w_ref * 1e3:6.3f} ms wall", end="")
    print(f" {c_ref * 1e3:6.3f} ms CPU")
    print(f"41-field curve at 0.6 K, fused:       {w1 * 1e3:6.3f} ms wall", end="")
    print(f" {c1 * 1e3:6.3f} ms CPU  ({c_ref / c1:.1f}x CPU)")


def peak_memory() -> None:
    code = (
        "import numpy as np, time; from etm import heat_capacity, materials; "
        "m = materials.get('BAS').at(0.60); heat_capacity.total(0.6, np.zeros(3), m); "
        "t = time.perf_counter(); c = heat_capacity.total(0.6, np.linspace(0, 8, 10**6), m); "
        "dt = time.perf_counter() - t; "
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]; "
        "print(int(hwm) / 1024, dt)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    mb, dt = map(float, out.stdout.split())
    print(f"total(0.6, linspace(0, 8, 10**6), m): peak RSS {mb:.0f} MB, {dt:.1f} s wall")


if __name__ == "__main__":
    main()
