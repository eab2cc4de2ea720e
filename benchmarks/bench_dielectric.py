"""Benchmark: 200-point relative_change(B) curves at 1 kHz and 5 GHz, accuracy, and memory.

Prints, in one run:

1. the CPU time of ``etm.dielectric.relative_change`` for BAS at 50 mK (Table 5), B in 0-1 T
   (200 points; best of 5), at 1 kHz and at 5 GHz (hf = 0.24 K > Dmin = 15 mK: principal value
   and resonant loss), and their ratio;
2. the accuracy of the 1 kHz curve against a nested-quadrature reference (adaptive
   ``scipy.integrate.quad`` over ln D and ln X, Gauss panels graded in y = kappa X cos beta for
   the orientation average; no density of states, no closed forms) on a sub-set of fields,
   relative to the curve's largest |value|, and the time per reference point;
3. the peak resident memory and wall time of one call at ``--fields`` fields (default 1e6) with
   the default memory budget, measured in a subprocess.

Run: ``python benchmarks/bench_dielectric.py [--fields N]`` (numpy only; one core).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from scipy import integrate  # noqa: E402

from etm import __version__, materials  # noqa: E402
from etm.constants import (
    AB_K_PER_T_KA2,  # noqa: E402
    HF_K_PER_HZ,  # noqa: E402
)
from etm.dielectric import relative_change  # noqa: E402

TG, WG = np.polynomial.legendre.leggauss(10)
TG, WG = 0.5 * (TG + 1), 0.5 * WG

BIG = """
import json, resource, sys, time
import numpy as np
from etm import materials
from etm.dielectric import relative_change
p = materials.dielectric_row("BAS", 0.05).params
n = int(sys.argv[1])
B = np.linspace(0.0, 1.0, n)
t0 = time.perf_counter()
d = relative_change(0.05, B, p, 5e9)
dt = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": dt, "peak_MB": rss, "finite": bool(np.isfinite(d).all())}))
"""


def nested_quad(B: float, T: float, p, f_Hz: float) -> float:
    """A << (1 - D^2/2E^2) tanh(E/2T) E/(E^2 - hf^2) >> over (ln D, ln X, cos beta)."""
    kap = AB_K_PER_T_KA2 * B
    hf2 = (HF_K_PER_HZ * f_Hz) ** 2

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


def best_cpu(fun, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        fun()
        times.append(time.process_time() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fields", type=int, default=10**6, help="fields of the memory run")
    args = ap.parse_args()
    row = materials.dielectric_row("BAS", 0.05)
    p, T = row.params, row.T_K
    B = np.linspace(0.0, 1.0, 200)
    t = {}
    for f in (1e3, 5e9):
        relative_change(T, B, p, f)  # warm-up (imports, caches)
        t[f] = best_cpu(lambda f=f: relative_change(T, B, p, f))
    d = relative_change(T, B, p, 1e3)

    idx = np.array([10, 40, 80, 130, 199])
    t0 = time.process_time()
    r0 = nested_quad(0.0, T, p, 1e3)
    ref = np.array([nested_quad(b, T, p, 1e3) - r0 for b in B[idx]])
    t_ref_point = (time.process_time() - t0) / (idx.size + 1)
    diff = np.max(np.abs(d[idx] - ref)) / np.max(np.abs(d))

    print(f"etm {__version__}: relative_change, BAS 50 mK (Table 5), isotropic, exact, frozen")
    print(f"  200 fields, 1 kHz  (best of 5, CPU)     {1e3 * t[1e3]:8.1f} ms")
    print(f"  200 fields, 5 GHz  (best of 5, CPU)     {1e3 * t[5e9]:8.1f} ms")
    print(f"  ratio 5 GHz / 1 kHz                     {t[5e9] / t[1e3]:8.2f}   (target <= 2)")
    print(f"  nested quad, per point (1 kHz)          {t_ref_point:8.2f} s")
    print(f"  speed-up over nested quad (201 points)  {201 * t_ref_point / t[1e3]:8.0f} x")
    print(f"  max |difference| / max |curve| ({idx.size} fields) {diff:.1e}  (target < 1e-5)")

    out = subprocess.run(
        [sys.executable, "-c", BIG, str(args.fields)], capture_output=True, text=True, check=True
    )
    big = json.loads(out.stdout)
    print(f"  {args.fields:.0e} fields, 5 GHz, default memory budget (one call, subprocess):")
    print(f"    wall time                             {big['seconds']:8.1f} s")
    print(f"    peak RSS                              {big['peak_MB']:8.0f} MB  (target < 500 MB)")
    print(f"    all finite                            {big['finite']}")


if __name__ == "__main__":
    main()
