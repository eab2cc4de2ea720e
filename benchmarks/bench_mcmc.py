"""Benchmark: the three-curve BAS Cp MCMC to convergence (issue 9). Target: under 60 s, 2 cores.

Data: the SYNTHETIC example files examples/cp_BAS_*.csv (Tables 1-2 of the essay, 41 fields each,
0.5 % noise). Fit: the 14-parameter global least-squares fit, then etm.fit.run_mcmc (defaults:
the five linear amplitudes marginalized analytically, emcee DE moves on the nine cutoffs with
36 walkers from the least-squares covariance, seed 0) until the chain is longer than 50
integrated autocorrelation times with tau stable to 2 %, or the step cap. Also measured in the
same run: the cost of one step with the exact model walker by walker (serial, and a 2-process
pool) against the vectorized surrogate; the same number of steps with every parameter sampled
by emcee (``marginalize=False``, the former route) and its tau; the posterior against the
synthetic truth.

Run from the repository root:  python benchmarks/bench_mcmc.py [step cap, default 40000]
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

ROOT = Path(__file__).resolve().parents[1]
TRUTH = {  # the example files' headers (Tables 1-2)
    ("Dmin_K", 0): 0.49, ("Dmin_K", 1): 0.53, ("Dmin_K", 2): 0.55,
    ("X0min_KA2", 0): 4.77e4, ("X0min_KA2", 1): 5.07e4, ("X0min_KA2", 2): 5.95e4,
    ("X0max_KA2", 0): 3.09e5, ("X0max_KA2", 1): 2.90e5, ("X0max_KA2", 2): 2.61e5,
    ("nP_per_g", None): 5.19e16, ("n_Fe2_per_g", None): 1.06e17, ("n_Fe3_per_g", None): 5e16,
    ("nP2LS_per_g_per_K", None): 8.8e16, ("beta_J_per_gK4", None): 5e-7,
}  # fmt: skip


def per_step(r, **kw) -> float:
    t0 = time.perf_counter()
    fitting.run_mcmc(r, steps=60, seed=0, check_every=1000, burn=10, thin=1, **kw)
    return (time.perf_counter() - t0) / 60


def main() -> None:
    cap = int(sys.argv[1]) if len(sys.argv) > 1 else 40000
    curves = fitting.read_curves(sorted((ROOT / "examples").glob("cp_BAS_*.csv")))
    r = fitting.fit(curves, material="BAS")
    print(f"three-curve BAS Cp MCMC ({r.nvarys} free parameters, {r.ndata} points)")
    t_serial = per_step(r, surrogate=False)
    t_pool = per_step(r, surrogate=False, processes=2)
    print(
        f"  exact model, one step of all walkers: serial {t_serial * 1e3:.0f} ms, "
        f"2-process pool {t_pool * 1e3:.0f} ms (x{t_serial / t_pool:.2f})"
    )
    t0 = time.perf_counter()
    m = fitting.run_mcmc(r, steps=cap, seed=0, progress=False)
    wall = time.perf_counter() - t0
    mc = m.mcmc
    print(
        f"  marginalized + vectorized + surrogate: {mc.steps} steps in {wall:.1f} s wall "
        f"({wall / mc.steps * 1e3:.1f} ms per step incl. the surrogate's build), target < 60 s"
    )
    print(f"  {mc.stop_reason}")
    print(f"  {mc.surrogate}")
    print(f"  {mc.marginalized}")
    print(
        f"  acceptance {mc.acceptance_fraction:.3f}; tau [steps] min {np.min(mc.autocorr_time):.0f}"
        f" max {np.max(mc.autocorr_time):.0f}; n_eff min {np.min(mc.n_eff):.0f}"
    )
    t0 = time.perf_counter()
    full = fitting.run_mcmc(r, steps=mc.steps, seed=0, progress=False, marginalize=False).mcmc
    wall_f = time.perf_counter() - t0
    print(
        f"  reference, every parameter sampled (marginalize=False), same {full.steps} steps: "
        f"{wall_f:.1f} s; acceptance {full.acceptance_fraction:.3f}; max tau "
        f"{np.max(full.autocorr_time):.0f} (50 tau = {50 * np.max(full.autocorr_time):.0f} steps); "
        f"{'converged' if full.converged else 'NOT converged'}"
    )
    inside = within3 = n = 0
    print("  parameter          curve  truth       median      sd/LS-sigma  (truth-median)/sd")
    for j, key in enumerate(zip(mc.names, mc.curves, strict=True)):
        lo, med, hi = mc.phys_quantiles[:, j]
        sd = mc.phys_sd[j]
        e = r.estimate(*key)
        n += 1
        inside += lo <= TRUTH[key] <= hi
        within3 += abs(TRUTH[key] - med) < 3 * sd
        print(
            f"  {key[0]:18s} {key[1]!s:5s}  {TRUTH[key]:<10.4g}  {med:<10.4g}  "
            f"{sd / e.stderr:<11.2f}  {(TRUTH[key] - med) / sd:+.2f}"
        )
    from scipy.stats import binom

    print(
        f"  truths inside 16-84 %: {inside} of {n} (68 % -> {0.68 * n:.1f}, binomial "
        f"P(X <= {inside}) = {binom.cdf(inside, n, 0.68):.2f}); within 3 sd: {within3} of {n}"
    )


if __name__ == "__main__":
    main()
