"""Sweep benchmark: a 100 x 100 x 4 (T, B, f) dielectric sweep, serial, 2 processes, dask.

Prints the wall time of ``etm.sweep("eps", ...)`` run in this process, on a pool of 2 worker
processes (``workers=2``) and on a dask ``LocalCluster(n_workers=2, processes=True,
threads_per_worker=1)``, asserts that the three give identical numbers, and prints the speed-up
from the second core. Pool and cluster start-up (spawning processes that import etm) is
timed separately from the sweep itself.

    python benchmarks/bench_sweep.py
"""

from __future__ import annotations

import time

import numpy as np

from etm import materials
from etm.sweeps import sweep

T = np.geomspace(0.02, 0.5, 100)
B = np.linspace(0.0, 1.0, 100)
F_HZ = np.array([1e2, 1e3, 1e4, 1e5])


def _run(**kw):
    p = materials.dielectric_row("BAS", 0.05).params
    t, c = time.perf_counter(), time.process_time()
    da = sweep("eps", T_K=T, B_T=B, params=p, f_Hz=F_HZ, **kw)
    _run.cpu = time.process_time() - c  # this process only
    return da, time.perf_counter() - t


def main() -> None:
    from distributed import Client, LocalCluster

    _run(points_per_chunk=10**9)  # warm up (numba caches, imports)
    serial, t1 = _run()
    c1 = _run.cpu
    pooled, t2 = _run(workers=2)
    # start-up of a pool alone: a 4-point sweep on 2 spawned processes
    t = time.perf_counter()
    sweep(
        "cp", T_K=[0.5, 0.6, 0.7, 0.8], B_T=[0.0], material=materials.get("BAS").at(0.6), workers=2
    )
    t_pool = time.perf_counter() - t
    import dask

    # dask's nanny sets MALLOC_TRIM_THRESHOLD_=65536 in its workers, which also switches off
    # glibc's dynamic mmap threshold: every large numpy temporary is then mmapped and faulted in
    # afresh, doubling the CPU of a chunk (measured 2.2-3.3 s against 1.2-1.4 s). A fixed mmap
    # threshold restores it (docs/performance.md, "On a cluster").
    dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_MMAP_THRESHOLD_": 2**26})
    t = time.perf_counter()
    with (
        LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        t_start = time.perf_counter() - t
        # warm every worker (imports, numba caches) with a small sweep of the same observable
        _run_small = materials.dielectric_row("BAS", 0.05).params
        sweep("eps", T_K=T[:4], B_T=B[:2], params=_run_small, f_Hz=F_HZ[:1], client=client)
        dasked, t3 = _run(client=client)
    same = np.array_equal(serial.values, pooled.values) and np.array_equal(
        serial.values, dasked.values
    )
    n = serial.size
    print(f"eps sweep {serial.shape} = {n} points, chunks of {serial.attrs['chunk_T']} T values")
    print(f"serial (this process):            {t1:6.2f} s wall, {c1:.2f} s CPU")
    print(f"workers=2 (process pool, incl. spawn): {t2:6.2f} s  speed-up {t1 / t2:.2f}x")
    print(f"  of which pool start-up (a 4-point sweep on 2 new processes): {t_pool:.2f} s;")
    print(f"  speed-up without it: {t1 / max(t2 - t_pool, 1e-9):.2f}x")
    print(
        f"dask LocalCluster 2 processes:    {t3:6.2f} s  speed-up {t1 / t3:.2f}x "
        f"(cluster start {t_start:.1f} s not included)"
    )
    print(f"identical numbers serial / workers / dask: {same}")
    assert same


if __name__ == "__main__":
    main()
