"""Benchmark: a 200-field relative echo amplitude curve (issue 4).

Times :func:`etm.echo.relative_amplitude` for BAS sample 2 (Table 7, essay forms, isotropic
cos(beta) average done exactly) on 200 fields in [0, 0.6] T, and compares a(B) and
a(B)/a(0.6 T) at two fields with (i) a Monte-Carlo ensemble of systems propagated by
:mod:`etm.dynamics` and (ii) nested adaptive quadrature of Eq. 31 in the essay's
(cos beta, E, D) form (the reference of ``tests/test_echo.py``; ~1 min per field).

Run: ``python benchmarks/bench_echo.py`` (one core: ``OMP_NUM_THREADS=1``).
"""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import numpy as np

from etm.echo import amplitude, echo_preset, relative_amplitude


def _tests():
    path = Path(__file__).resolve().parents[1] / "tests" / "test_echo.py"
    spec = importlib.util.spec_from_file_location("_test_echo", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main() -> None:
    pre = echo_preset("BAS sample 2")
    kw = {"matrix_elements": "essay"}
    B = np.linspace(0.0, 0.6, 200)
    relative_amplitude(B[:2], pre.T_K, pre.params, pre.pulses, **kw)  # warm-up
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        rel = relative_amplitude(B, pre.T_K, pre.params, pre.pulses, **kw)
        times.append(time.perf_counter() - t0)
    print(
        f"relative_amplitude, 200 fields: best {min(times) * 1e3:.0f} ms, "
        f"median {np.median(times) * 1e3:.0f} ms (target < 1 s)"
    )
    print(f"  A(0)/A(0.6 T) = {rel[0]:.5f}, max {rel.max():.5f} at {B[rel.argmax()]:.3f} T")

    t = _tests()
    fields = (0.3, 0.6)
    a = amplitude(np.array(fields), pre.T_K, pre.params, pre.pulses, **kw)
    print("\nensemble simulation (1e5 propagated systems per field, seeded):")
    mc = [t.ensemble_echo(pre, b, 100_000, seed=7 + i) for i, b in enumerate(fields)]
    for b, ai, (m, e) in zip(fields, a, mc, strict=True):
        print(f"  B = {b} T: closed/MC = {ai / m:.4f} +- {e / m:.4f}")
    print("\nnested adaptive quadrature (epsrel 1e-7):")
    t0 = time.perf_counter()
    ref = [t.nested_quad(pre, b) for b in fields]
    dt = (time.perf_counter() - t0) / len(fields)
    for b, ai, r in zip(fields, a, ref, strict=True):
        print(f"  B = {b} T: closed/quad - 1 = {ai / r - 1:+.2e}")
    ratio = (a[0] / a[1]) / (ref[0] / ref[1])
    print(f"  relative amplitude A(0.3)/A(0.6): closed/quad - 1 = {ratio - 1:+.2e}")
    print(f"  nested quad: {dt:.0f} s per field, extrapolated to 201 fields {201 * dt:.0f} s")
    print(f"  speed-up: {201 * dt / min(times):.1e} x")


if __name__ == "__main__":
    main()
