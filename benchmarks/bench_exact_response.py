"""Benchmark: exact three-level field curves (issues 11 and 12).

Times (1) :func:`etm.dielectric.exact.exact_relative_change` for BAS at 50 mK (Table 5), 1 kHz,
isotropic, 200 fields in [0, 30] T (target < 10 s), against the weak-field
:func:`etm.dielectric.relative_change` of the same curve; (2)
:func:`etm.echo.exact.exact_relative_amplitude` for BAS sample 2 (Table 7), 100 fields in
[0, 10] T (target < 60 s), against :func:`etm.echo.relative_amplitude`: the default (the pulse
field's direction averaged on the sphere, 4 tilt x 8 in-plane nodes; issue 23), the former
default's work (the fixed in-plane size, ``EchoGrid(n_tilt=1, n_psi=4)``, the same computation
as before issue 23) and the default on both cores (``workers=2``). Accuracy: each exact curve at
a few fields against the same computation on the refined(2) grid.

Run: ``python benchmarks/bench_exact_response.py`` (one core: ``OMP_NUM_THREADS=1``).
"""

from __future__ import annotations

import time

import numpy as np

from etm import materials
from etm.dielectric import relative_change
from etm.dielectric.exact import RESPONSE_GRID, exact_relative_change
from etm.echo import relative_amplitude
from etm.echo.exact import DEFAULT_ECHO_GRID, EchoGrid, exact_amplitude, exact_relative_amplitude


def _best(f, n):
    out, times = None, []
    for _ in range(n):
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    return out, min(times), float(np.median(times))


def main() -> None:
    p = materials.dielectric_row("BAS", 0.05).params
    B = np.linspace(0.0, 30.0, 200)
    exact_relative_change(0.05, B[:3], p)  # numba warm-up (compiled once, cached on disk)
    e, best, med = _best(lambda: exact_relative_change(0.05, B, p), 3)
    _, wbest, _ = _best(lambda: relative_change(0.05, B, p), 3)
    print(
        f"exact_relative_change, 200 fields 0-30 T: best {best:.2f} s, median {med:.2f} s "
        f"(target < 10 s); weak-field curve {wbest * 1e3:.0f} ms, ratio {best / wbest:.0f}x"
    )
    Bc = B[[20, 100, 199]]
    ref = exact_relative_change(0.05, Bc, p, grid=RESPONSE_GRID.refined(2))
    err = np.max(np.abs(exact_relative_change(0.05, Bc, p) - ref)) / np.max(np.abs(ref))
    print(f"  refined(2) grid at 3 fields: max diff / max = {err:.1e}")

    pre = materials.echo_row("BAS sample 2")
    Be = np.linspace(0.0, 10.0, 100)
    args = (pre.T_K, Be, pre.params, pre.pulses)
    exact_amplitude(pre.T_K, 0.1, pre.params, pre.pulses)  # warm-up
    _, old, _ = _best(lambda: exact_relative_amplitude(*args, grid=EchoGrid(n_tilt=1, n_psi=4)), 1)
    r, best, _ = _best(lambda: exact_relative_amplitude(*args), 1)
    _, two, _ = _best(lambda: exact_relative_amplitude(*args, workers=2), 1)
    _, wbest, _ = _best(lambda: relative_amplitude(*args), 3)
    _, wrms, _ = _best(lambda: relative_amplitude(*args, rabi="rms"), 3)
    print(
        f"exact_relative_amplitude, 100 fields 0-10 T: {best:.1f} s (target < 60 s), "
        f"workers=2 {two:.1f} s; the former in-plane average (n_tilt=1, n_psi=4) {old:.1f} s; "
        f"weak-field curve {wbest * 1e3:.0f} ms (rms Rabi: {wrms * 1e3:.0f} ms), "
        f"ratio {best / wbest:.0f}x"
    )
    Bf = np.array([0.3, 3.0, 10.0])
    a = exact_amplitude(pre.T_K, Bf, pre.params, pre.pulses)
    ar = exact_amplitude(pre.T_K, Bf, pre.params, pre.pulses, grid=DEFAULT_ECHO_GRID.refined(2))
    print(f"  refined(2) grid at 0.3, 3, 10 T: a/a_ref - 1 = {np.round(a / ar - 1, 5)}")
    print(f"  A(10 T)/A(0.6 T) = {r[-1]:.4f}")


if __name__ == "__main__":
    main()
