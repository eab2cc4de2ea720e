"""Benchmark: MCMC of one curve, converged or diagnosed (issue 18). Target: under 60 s.

Data: one SYNTHETIC example file (default examples/cp_BAS_0.60K.csv: one temperature, so nP,
Dmin and X0max trade off, least-squares |r| up to 0.999). Fit: ``etm.fit.fit`` with the files'
preset, then ``etm.fit.run_mcmc`` with its defaults (seed 0, cap 20000): it stops converged (50
tau, tau stable to 2 %) or early with a diagnosis naming the non-identifiable combination. Prints
the wall times, the stop line, the evaluation (surrogate, its rebuilds, or exact), tau, and the
posteriors piled up at a bound.

Run from the repository root:  python benchmarks/bench_mcmc_single.py [file.csv ...]
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from etm import fit as fitting  # noqa: E402
from etm.fit.registry import detect_observable  # noqa: E402
from etm.fit.request import glass_of  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    files = sys.argv[1:] or [str(ROOT / "examples" / "cp_BAS_0.60K.csv")]
    for f in files:
        obs = detect_observable([f])
        curves = fitting.read_curves([f], obs)
        material, _ = glass_of(curves, obs)
        t0 = time.perf_counter()
        r = fitting.fit(curves, obs, material=material, progress=False)
        t_fit = time.perf_counter() - t0
        t0 = time.perf_counter()
        mc = fitting.run_mcmc(r, seed=0, progress=False).mcmc
        t_mc = time.perf_counter() - t0
        print(f"{Path(f).name}: {obs}, {r.nvarys} free; least squares {t_fit:.1f} s")
        print(f"  MCMC {t_mc:.1f} s wall (target < 60 s), {mc.steps} steps x {mc.nwalkers} walkers")
        print(f"  {mc.stop_reason}")
        print(f"  evaluation: {mc.surrogate}")
        print(f"  marginalized: {mc.marginalized}")
        print(
            f"  acceptance {mc.acceptance_fraction:.3f}; tau [steps] min "
            f"{np.min(mc.autocorr_time):.0f} max {np.max(mc.autocorr_time):.0f}"
        )
        for note in mc.bound_notes:
            print(f"  at a bound: {note}")


if __name__ == "__main__":
    main()
