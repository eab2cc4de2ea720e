"""Benchmark: a single-curve echo MCMC to convergence (issue 9). Target: under 5 min, 2 cores.

Data: the SYNTHETIC example examples/echo_BAS_sample2.csv (Table 7's BAS sample 2, 12 mK,
1 GHz, tau1 = 0.1 us, tau2 = 0.2 us, tau12 = 2 us, essay matrix elements; 61 fields to 0.6 T,
noise 0.005). Fit: etm.fit.fit_echo with material "BAS sample 2" (free Dmin_K, X0min_KA2,
X0max_KA2), then etm.fit.run_mcmc with its defaults (32 walkers, DE moves, seed 0): the echo
model's tensor Chebyshev surrogate (10^3 exact curves) drives the chain, and the kept samples
are corrected to the exact model by importance weights (docs/fitting.md, "Posteriors").
Reference in the same run: one step with the exact model walker by walker, serial and on a
2-process pool (5 steps each), and the time the exact route would need for the same steps.

Run from the repository root:  python benchmarks/bench_mcmc_echo.py
"""

from __future__ import annotations

import os
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from etm import fit as fitting  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TRUTH = {"Dmin_K": 0.0272, "X0min_KA2": 1140.0, "X0max_KA2": 8960.0}  # the file's header


def per_step(r, **kw) -> float:
    t0 = time.perf_counter()
    fitting.run_mcmc(r, steps=5, seed=0, check_every=1000, burn=1, thin=1, surrogate=False, **kw)
    return (time.perf_counter() - t0) / 5


def main() -> None:
    curves = fitting.read_curves([ROOT / "examples" / "echo_BAS_sample2.csv"], observable="echo")
    r = fitting.fit_echo(curves, material="BAS sample 2")
    print(f"single-curve echo MCMC ({r.nvarys} free parameters, {r.ndata} points)")
    t_serial = per_step(r)
    t_pool = per_step(r, processes=2)
    print(
        f"  exact model, one step of 32 walkers: serial {t_serial:.2f} s, 2-process pool "
        f"{t_pool:.2f} s (x{t_serial / t_pool:.2f})"
    )
    t0 = time.perf_counter()
    mc = fitting.run_mcmc(r, steps=20000, seed=0, progress=False).mcmc
    wall = time.perf_counter() - t0
    print(
        f"  surrogate + importance correction: {mc.steps} steps in {wall:.1f} s wall "
        "(target < 300 s)"
    )
    print(f"  {mc.stop_reason}")
    print(f"  {mc.surrogate}")
    print(
        f"  the exact route for the same {mc.steps} steps: ~{mc.steps * t_pool:.0f} s on the "
        f"2-process pool ({mc.steps * t_pool / wall:.0f}x)"
    )
    print(
        f"  acceptance {mc.acceptance_fraction:.3f}; tau [steps] {np.round(mc.autocorr_time, 1)}"
        f"; n_eff min {np.min(mc.n_eff):.0f}"
    )
    print("  parameter   truth     median    16 %      84 %      sd/LS-sigma  (truth-median)/sd")
    for j, name in enumerate(mc.names):
        lo, med, hi = mc.phys_quantiles[:, j]
        sd = mc.phys_sd[j]
        e = r.estimate(name)
        print(
            f"  {name:10s}  {TRUTH[name]:<8.4g}  {med:<8.4g}  {lo:<8.4g}  {hi:<8.4g}  "
            f"{sd / e.stderr:<11.2f}  {(TRUTH[name] - med) / sd:+.2f}"
        )


if __name__ == "__main__":
    main()
