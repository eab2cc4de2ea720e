"""Benchmark: the NEQM ensemble echo against the ETM's closed-form echo, same 200-field curve.

Times (best of 5, CPU and wall) of

* ``etm.echo.relative_amplitude`` for a Table 7 row (essay matrix elements), 200 fields on
  [0, 0.6] T, and
* ``etm.neqm.ensemble.relative_amplitude`` for ``neqm_row`` of the same glass and pulses, same
  fields, default sampling (256 Sobol points for the commonest isotope),

and their ratio (target: <= 10). Then the NEQM with ``workers=2``, and the sampling error of the
default against a 4096-point reference (largest |difference| of A(B)/A(0.6 T) over the curve).

Run: ``OMP_NUM_THREADS=1 python benchmarks/bench_neqm.py``
"""

from __future__ import annotations

import time

import numpy as np

from etm import echo, materials
from etm.materials.nuclei import neqm_row
from etm.neqm import ensemble


def _best(f, n=5):
    cpu, wall = [], []
    for _ in range(n):
        t0, w0 = time.process_time(), time.perf_counter()
        out = f()
        cpu.append(time.process_time() - t0)
        wall.append(time.perf_counter() - w0)
    return 1e3 * min(cpu), 1e3 * min(wall), out


def main() -> None:
    B = np.linspace(0.0, 0.6, 200)
    print("200 fields on [0, 0.6] T; times in ms (best of 5: CPU / wall)")
    for name in ("BAS sample 1", "BK7 tau12=1.5us"):
        row = materials.echo_row(name)
        nrow = neqm_row(name)

        def etm_curve(row=row):
            return echo.relative_amplitude(
                row.T_K, B, row.params, row.pulses, matrix_elements="essay"
            )

        def neqm_curve(nrow=nrow, **kw):
            return ensemble.relative_amplitude(nrow.T_K, B, nrow.params, nrow.pulses, **kw)

        etm_curve()  # compile / warm caches
        neqm_curve()
        c0, w0, _ = _best(etm_curve)
        c1, w1, r = _best(neqm_curve)
        _, w2, r2 = _best(lambda: neqm_curve(workers=2), n=3)
        ref = neqm_curve(n_samples=4096)
        print(f"{name}: f_Q = {nrow.params.f_Q:.4f} ({len(nrow.params.nuclei)} isotopes)")
        print(f"  etm.echo.relative_amplitude      {c0:8.1f} / {w0:8.1f}")
        print(
            f"  etm.neqm relative_amplitude      {c1:8.1f} / {w1:8.1f}   ratio {c1 / c0:5.1f} (CPU)"
        )
        print(f"  etm.neqm, workers=2 (wall)                  {w2:8.1f}   same numbers: "
              f"{bool(np.array_equal(r, r2))}")  # fmt: skip
        print(f"  sampling error vs 4096 points: max |dA/A| = {np.abs(r - ref).max():.4f}, "
              f"depth of the effect 1 - min A = {1 - ref.min():.4f}")  # fmt: skip


if __name__ == "__main__":
    main()
