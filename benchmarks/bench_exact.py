"""Exact three-level route: a 20 x 20 isotropic (T, B) heat-capacity grid, compiled vs numpy.

Prints the load average, then the wall and CPU time of the grid by the compiled kernel (serial
and with every core, ``--repeat`` times), then the former per-point numpy loop
(``reference=True``) measured in the same run, the ratios, the target (< 5 s wall) and the
largest relative difference (the compiled route must match to 1e-12; the grid's own accuracy,
1e-6, is that of the quadrature, unchanged).

    python benchmarks/bench_exact.py                        # full reference grid (~70 s CPU)
    python benchmarks/bench_exact.py --quick                # reference on every 5th point only
    python benchmarks/bench_exact.py --quick --repeat 3     # three timings of the grid
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

from etm import materials
from etm.chunks import default_workers
from etm.heat_capacity.exact import exact_heat_capacity

TARGET_S = 5.0


def _timed(f):
    w, c = time.perf_counter(), time.process_time()
    out = f()
    return out, time.perf_counter() - w, time.process_time() - c


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(quick: bool = False, repeat: int = 1) -> None:
    p = materials.get("BAS").at(0.60).ats
    T = np.geomspace(0.1, 3.0, 20)[:, None]
    B = np.linspace(0.0, 8.0, 20)[None, :]
    exact_heat_capacity(0.6, 1.0, p)  # compile (cached on disk after the first run)
    nw = default_workers()
    walls = []
    for r in range(repeat):
        print(f"run {r + 1}: load average (1, 5, 15 min) {_load()}")
        serial, w1, c1 = _timed(lambda: exact_heat_capacity(T, B, p, workers=1))
        par, w2, c2 = _timed(lambda: exact_heat_capacity(T, B, p, workers=nw))
        assert np.array_equal(par, serial), "workers changed the result"
        walls.append(w2)
        print(f"  exact 20x20 isotropic Cp, workers=1: {w1:.2f} s wall, {c1:.2f} s CPU")
        print(f"  exact 20x20 isotropic Cp, workers={nw}: {w2:.2f} s wall, {c2:.2f} s CPU")
        print(f"  second-core speed-up (wall): {w1 / w2:.2f}x")
    best = min(walls)
    verdict = "met" if best < TARGET_S else f"NOT met (by {best / TARGET_S - 1:.0%})"
    print(f"target < {TARGET_S:.0f} s wall (workers={nw}): best {best:.2f} s, {verdict}")
    if quick:
        Tr, Br = np.broadcast_arrays(T, B)
        Tr, Br = Tr.ravel()[::5], Br.ravel()[::5]
        ref, wr, cr = _timed(lambda: exact_heat_capacity(Tr, Br, p, reference=True, workers=1))
        got = serial.ravel()[::5]
        scale = T.size * B.size / Tr.size
        wr, cr = wr * scale, cr * scale
        label = f"numpy per-point loop (every 5th point, x{scale:.0f})"
    else:
        ref, wr, cr = _timed(lambda: exact_heat_capacity(T, B, p, reference=True, workers=1))
        got = serial
        label = "numpy per-point loop (the former route)"
    print(f"{label}: {wr:.2f} s wall, {cr:.2f} s CPU")
    print(f"speed-up compiled serial / numpy (last run): {wr / w1:.1f}x wall, {cr / c1:.1f}x CPU")
    print(f"speed-up compiled workers={nw} / numpy (last run): {wr / w2:.1f}x wall")
    print(f"max relative difference compiled vs numpy: {np.max(np.abs(got / ref - 1.0)):.1e}")


if __name__ == "__main__":
    n = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 1
    main(quick="--quick" in sys.argv, repeat=n)
