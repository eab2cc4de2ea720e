"""Benchmark: a 100-point echo fit A(B)/A(0.6 T) (issue 5). Target: under 30 s on one core.

Data: SYNTHETIC, made here: etm.echo.relative_amplitude at Table 7's BAS sample 2 (the essay's
matrix elements, as Table 7 was fitted; 1 GHz, tau1 = 0.1 us, tau2 = 0.2 us, tau12 = 2 us,
12 mK; no 2LS echo) on 100 fields from 0 to 0.6 T, plus Gaussian noise 0.005 from
numpy default_rng(seed). Fit: etm.fit.fit_echo, free Dmin_K, X0min_KA2, X0max_KA2;
Gamma_inv_per_sK5, c_per_sK, p1F0_DkV_per_m, tan_omega_dtau and the 2LS terms (A_2LS_per_a0,
c_2LS_per_sK, Gamma_2LS_per_sK3) fixed by default (docs/echo.md, section 6). Two starts: the
typical values (no material) and the Table 7 row. Then a tau12 series (BK7, 3 x 31 fields, with
a 2LS echo, free Dmin, X0max, A_2LS, c; docs/echo.md section 6).

Run from the repository root:  python benchmarks/bench_fitting_echo.py
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from etm import echo, materials  # noqa: E402
from etm.fit import fit_echo, synthetic_echo_curve  # noqa: E402

ROW = "BAS sample 2"
SEEDS = (1, 2, 3)
B_T = np.linspace(0.0, 0.6, 100)


def main() -> None:
    row = materials.echo_row(ROW)
    truth = row.params
    # warm-up (imports, first quadrature) is not the fit's
    synthetic_echo_curve(ROW, B_T[:3], noise=0.0)
    print(f"100-point echo fit, {ROW} (Table 7), noise 0.005, essay forms (target < 30 s)")
    for material in (None, ROW):
        for seed in SEEDS:
            c = synthetic_echo_curve(
                ROW, B_T, noise=0.005, seed=seed, options={"matrix_elements": "essay"}
            )
            t0 = time.perf_counter()
            r = fit_echo(c, material=material)
            dt = time.perf_counter() - t0
            z = [
                (r.value(n, 0) - getattr(truth, n)) / r.stderr(n, 0)
                for n in ("Dmin_K", "X0min_KA2", "X0max_KA2")
            ]
            print(
                f"  start {material or 'typical'!s:13} seed {seed}: wall {dt:6.2f} s, "
                f"nfev {r.nfev:3d}, echo integrals {r.problem.models[0].n_ats_evals:3d}, "
                f"chi^2/(N-k) = {r.redchi:.3f}, (fit - truth)/sigma for Dmin, X0min, X0max = "
                + ", ".join(f"{v:+.2f}" for v in z)
            )
    t0 = time.perf_counter()
    echo.relative_amplitude(
        T_K=0.012, B_T=B_T, params=truth, pulses=row.pulses, matrix_elements="essay"
    )
    print(f"  one model evaluation (100 fields + 2): {time.perf_counter() - t0:.3f} s")
    bk7 = materials.echo_row("BK7 tau12=6us")
    B31 = np.linspace(0.0, 0.6, 31)
    curves = [
        synthetic_echo_curve(
            bk7,
            B31,
            A_2LS_per_a0=2.0,
            tau12_s=t,
            noise=0.005,
            seed=40 + k,
            options={"matrix_elements": "essay"},
        )
        for k, t in enumerate((1.5e-6, 3e-6, 6e-6))
    ]
    t0 = time.perf_counter()
    r = fit_echo(
        curves,
        material=bk7,
        free=["A_2LS_per_a0", "c_per_sK"],
        fix={"X0min_KA2": bk7.params.X0min_KA2},
    )
    dt = time.perf_counter() - t0
    print(
        f"tau12 series BK7 (1.5, 3, 6 us), A_2LS = 2 a_0: wall {dt:.2f} s, nfev {r.nfev}, "
        f"chi^2 = {r.chisqr:.1f} for {r.ndata - r.nvarys}; "
        + ", ".join(
            f"{n} = {r.value(n):.4g} +- {r.stderr(n):.2g}"
            for n in ("Dmin_K", "X0max_KA2", "A_2LS_per_a0", "c_per_sK")
        )
    )


if __name__ == "__main__":
    main()
