"""Benchmark: the three-temperature global Cp(B) fit (issue 5). Target: under 5 s on one core.

Data: the SYNTHETIC example files examples/cp_BAS_*.csv (Tables 1-2 of the essay, 41 fields each
from 0 to 8 T, 0.5 % noise; regenerate with examples/make_examples.py). Fit: 14 free parameters
(shared nP_per_g, n_Fe2_per_g, n_Fe3_per_g, nP2LS_per_g_per_K, beta_J_per_gK4; Dmin_K, X0min_KA2,
X0max_KA2 per temperature), Levenberg-Marquardt from the BAS preset.

Run from the repository root:  python benchmarks/bench_fitting.py
"""

from __future__ import annotations

import os
import time
from pathlib import Path

os.environ.setdefault("NUMBA_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from etm import fit as fitting  # noqa: E402
from etm import heat_capacity, materials  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
REPEATS = 5


def main() -> None:
    files = sorted((ROOT / "examples").glob("cp_BAS_*.csv"))
    curves = fitting.read_curves(files)
    # warm-up: numba compilation (cached on disk when the install is writable) is not the fit's
    heat_capacity.ats(T_K=0.6, B_T=np.linspace(0, 8, 5), params=materials.get("BAS").at(0.6).ats)
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        r = fitting.fit(curves, material="BAS")
        times.append(time.perf_counter() - t0)
    n_ats = sum(m.n_ats_evals for m in r.problem.models)
    print(
        f"three-temperature global Cp fit ({len(files)} curves, {r.ndata} points, "
        f"{r.nvarys} free parameters)"
    )
    print(
        f"  wall time: best {min(times):.3f} s, median {np.median(times):.3f} s "
        f"of {REPEATS} (target < 5 s)"
    )
    print(
        f"  function evaluations: {r.nfev}; ATS integrals evaluated: {n_ats} "
        f"(the rest reuse cached per-unit-nP shapes)"
    )
    print(f"  success: {r.success}, reduced chi^2 = {r.redchi:.3f}")
    t0 = time.perf_counter()
    cmp = fitting.compare_stm(curves, material="BAS", etm=r)
    print(
        f"  STM-only fit for the comparison: {time.perf_counter() - t0:.3f} s, "
        f"Delta AIC = {cmp.delta_aic:.4g}"
    )


if __name__ == "__main__":
    main()
