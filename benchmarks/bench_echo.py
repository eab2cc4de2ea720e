"""Benchmark: the weak-field echo average, before and after the fused kernel (issues 4, 10).

Times, in the same run and on the same fields (BAS sample 2 of Table 7, essay matrix elements,
isotropic cos(beta) average done exactly, 12 mK):

* a 200-field ``relative_amplitude`` curve on [0, 0.6] T (target < 80 ms CPU);
* one 100-field model evaluation, ``amplitude`` on the fit's 100 fields plus B = 0 and 0.6 T
  (target < 40 ms CPU);
* the 200-field curve with ``workers=2`` (both cores) against one, wall time;
* the 100-field evaluation with the exact matrix elements, the pulse field's direction averaged
  (the default since issue 23) against one rms Rabi frequency;

each against the former numpy route (a copy kept in ``tests/test_echo_speed.py``, which also
asserts the two agree to 1e-12 relative), and prints their largest relative difference. Then the
peak resident memory of a subprocess evaluating 1e5 fields (target < 500 MB; the former route
held fields x 700 x 24 float64 arrays: ~2 GB at 1000 fields), and the closed form against the
ensemble simulation of ``tests/test_echo.py`` at two fields. ``--quad`` adds the nested adaptive
quadrature of Eq. 31 (~1 min per field).

Run: ``OMP_NUM_THREADS=1 python benchmarks/bench_echo.py [--quad]``
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np

from etm import echo, materials

TESTS = Path(__file__).resolve().parents[1] / "tests"


def _load(name):
    spec = importlib.util.spec_from_file_location(f"_{name}", TESTS / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _best(f, n=7):
    """Best CPU time and best wall time [ms] of n calls, and the last result."""
    cpu, wall = [], []
    for _ in range(n):
        t0, w0 = time.process_time(), time.perf_counter()
        out = f()
        cpu.append(time.process_time() - t0)
        wall.append(time.perf_counter() - w0)
    return 1e3 * min(cpu), 1e3 * min(wall), out


_RSS = textwrap.dedent(
    """
    import sys, time
    import numpy as np
    from etm import echo, materials
    row = materials.echo_row("BAS sample 2")
    n = int(sys.argv[1])
    t0 = time.perf_counter()
    echo.amplitude(row.T_K, np.linspace(0, 0.6, n), row.params, row.pulses,
                   matrix_elements="essay")
    # VmHWM: this process's own peak (ru_maxrss would carry the parent's across fork/exec)
    hwm = next(ln.split()[1] for ln in open("/proc/self/status") if ln.startswith("VmHWM"))
    print(hwm, time.perf_counter() - t0)
    """
)


def _peak(n):
    out = subprocess.run([sys.executable, "-c", _RSS, str(n)], capture_output=True, text=True)
    kb, dt = out.stdout.split()
    return int(kb) / 1024, float(dt)


def main() -> None:
    ref = _load("test_echo_speed")
    row = materials.echo_row("BAS sample 2")
    p, pu, T = row.params, row.pulses, row.T_K
    kw = {"matrix_elements": "essay"}
    B200 = np.linspace(0.0, 0.6, 200)
    B102 = np.r_[np.linspace(0.0, 0.6, 100), 0.0, 0.6]
    echo.relative_amplitude(T, B200[:3], p, pu, **kw)  # compile / load the kernel cache

    def old_rel():
        a = ref._reference_amplitude(T, np.r_[B200, 0.0, 0.6], p, pu)
        return a[:-2] / a[-1]

    print("weak-field echo, BAS sample 2 (Table 7, essay forms), CPU time, best of 7")
    for what, new, old, target in (
        (
            "200-field relative_amplitude",
            lambda: echo.relative_amplitude(T, B200, p, pu, **kw),
            old_rel,
            80.0,
        ),
        (
            "one 100-field evaluation (102 fields)",
            lambda: echo.amplitude(T, B102, p, pu, **kw),
            lambda: ref._reference_amplitude(T, B102, p, pu),
            40.0,
        ),
    ):
        c_new, w_new, r_new = _best(new)
        c_old, w_old, r_old = _best(old, 3)
        diff = np.max(np.abs(r_new / r_old - 1))
        print(
            f"  {what}: before {c_old:.0f} ms, after {c_new:.1f} ms (wall {w_new:.1f} ms), "
            f"speed-up {c_old / c_new:.1f}x, target < {target:.0f} ms; "
            f"max |after/before - 1| = {diff:.1e}"
        )
    c2, w2, r2 = _best(lambda: echo.relative_amplitude(T, B200, p, pu, workers=2, **kw))
    c1, w1, r1 = _best(lambda: echo.relative_amplitude(T, B200, p, pu, **kw))
    same = "identical" if np.array_equal(r1, r2) else "DIFFERENT"
    print(
        f"  200-field curve, workers=2: wall {w2:.1f} ms (CPU {c2:.1f} ms) against workers=1 "
        f"wall {w1:.1f} ms: {w1 / w2:.2f}x from the second core; numbers {same}"
    )
    c2, w2, r2 = _best(lambda: echo.amplitude(T, B102, p, pu, workers=2, **kw))
    c1, w1, r1 = _best(lambda: echo.amplitude(T, B102, p, pu, **kw))
    same = "identical" if np.array_equal(r1, r2) else "DIFFERENT"
    print(
        f"  100-field evaluation, workers=2: wall {w2:.1f} ms (CPU {c2:.1f} ms) against "
        f"workers=1 wall {w1:.1f} ms: {w1 / w2:.2f}x; numbers {same}"
    )
    c_dir, _, _ = _best(lambda: echo.amplitude(T, B102, p, pu))
    c_rms, _, _ = _best(lambda: echo.amplitude(T, B102, p, pu, rabi="rms"))
    print(
        f"  100-field evaluation, exact matrix elements: the pulse field's direction averaged "
        f"(default, issue 23) {c_dir:.1f} ms CPU, one rms Rabi frequency {c_rms:.1f} ms "
        f"({c_dir / c_rms:.1f}x)"
    )
    for n in (1000, 100_000):
        mb, dt = _peak(n)
        print(f"  {n} fields in one call: peak RSS {mb:.0f} MB ({dt:.1f} s; target < 500 MB)")

    t = _load("test_echo")
    fields = (0.3, 0.6)
    a = echo.amplitude(T, np.array(fields), p, pu, **kw)
    print("\nensemble simulation (1e5 propagated systems per field, seeded):")
    for i, (b, ai) in enumerate(zip(fields, a, strict=True)):
        m, e = t.ensemble_echo(row, b, 100_000, seed=7 + i)
        print(f"  B = {b} T: closed/MC = {ai / m:.4f} +- {e / m:.4f}")
    if "--quad" in sys.argv:
        print("\nnested adaptive quadrature (epsrel 1e-7):")
        for b, ai in zip(fields, a, strict=True):
            print(f"  B = {b} T: closed/quad - 1 = {ai / t.nested_quad(row, b) - 1:+.2e}")


if __name__ == "__main__":
    main()
