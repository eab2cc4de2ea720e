"""Benchmark: the joint Q_i(T, n) + f0(T) fit of one resonator and its MCMC (issue 20).
Targets: the least-squares fit under 10 s, the MCMC under 60 s (converged or diagnosed), 2 cores.

Data: the SYNTHETIC examples/resonator_grid_{Qi,f0}_synthetic.csv (84 Q_i points on a 12 x 7
temperature x photon-number grid, 31 f0 points; examples/make_resonator_examples.py) and, if
given, an ``etm resonator`` table of the measured Al/InP traces (examples/README.md):

    python benchmarks/bench_resonator_fit.py [resonator_fits.csv]

Each fit is timed from the files (read, set-up with the start grid, least squares), best of 3;
the MCMC is etm.fit.run_mcmc with its defaults (seed 0, 32 walkers, convergence at 50 tau) on the
vectorized model (``evaluate_many``), and once with the model evaluated walker by walker
(``prepare_sampling`` disabled) to show what the vectorized twin buys. The posterior is compared
with the truth of the synthetic files.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from etm import fit as fitting  # noqa: E402
from etm.fit.resonator_grid import ResonatorCurve  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FILES = [ROOT / "examples" / f"resonator_grid_{k}_synthetic.csv" for k in ("Qi", "f0")]


def truth() -> dict[str, float]:
    line = next(s for s in FILES[0].read_text().splitlines() if s.startswith("# truth:"))
    return {k: float(v) for k, v in (w.split("=") for w in line[8:].split())}


def timed_fit(paths) -> tuple[float, object]:
    best, r = np.inf, None
    for _ in range(3):
        t0 = time.perf_counter()
        curves = fitting.read_curves(paths, "resonator")
        r = fitting.fit(curves, "resonator", progress=False)
        best = min(best, time.perf_counter() - t0)
    return best, r


def mcmc(r, vectorized: bool = True) -> tuple[float, object]:
    keep = ResonatorCurve.prepare_sampling
    if not vectorized:
        ResonatorCurve.prepare_sampling = lambda self, box, best: None
    try:
        t0 = time.perf_counter()
        m = fitting.run_mcmc(r, seed=0, progress=False)
        return time.perf_counter() - t0, m
    finally:
        ResonatorCurve.prepare_sampling = keep


def report(label: str, paths, compare: dict[str, float] | None) -> None:
    wall, r = timed_fit(paths)
    print(f"{label}: {r.ndata} points, {r.nvarys} free parameters")
    print(
        f"  least squares: {wall:.2f} s (best of 3, from the files), {r.nfev} evaluations, "
        f"reduced chi^2 {r.redchi:.3f}; target < 10 s"
    )
    for vec in (True, False):
        t, m = mcmc(r, vectorized=vec)
        mc = m.mcmc
        how = "vectorized (evaluate_many)" if vec else "walker by walker (evaluate)"
        print(
            f"  MCMC, {how}: {t:.1f} s, {mc.steps} steps x {mc.nwalkers} walkers, acceptance "
            f"{mc.acceptance_fraction:.2f}, max tau {np.max(mc.autocorr_time):.0f}; "
            f"{'converged' if mc.converged else 'NOT converged'}; target < 60 s"
        )
        if not vec:
            continue
        ls = {e.fit_name: e for e in m.estimates}
        for j, n in enumerate(mc.var_names):
            e = ls[n]
            med, sd = mc.phys_quantiles[1, j], mc.phys_sd[j]
            line = f"    {e.name}: median {med:.6g}, sd {sd:.3g} (least squares {e.stderr:.3g})"
            if compare is not None and e.name in compare:
                line += f", truth {compare[e.name]:.6g} ({(med - compare[e.name]) / sd:+.2f} sd)"
            print(line)


def main() -> None:
    report("synthetic Q_i(T, n) grid + f0(T)", FILES, truth())
    if len(sys.argv) > 1:
        report(f"measured table {sys.argv[1]}", [Path(sys.argv[1])], None)


if __name__ == "__main__":
    main()
