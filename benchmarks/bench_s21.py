"""Benchmark: the 20-trace Al/InP temperature series through etm.resonator.s21 (target < 10 s).

Prints, in one run:

1. the wall time of ``analyze_files`` on the 20 shipped traces (read, fit with the delay
   refined, table), best of ``--repeat``;
2. the same with ``delay="library"`` (resonator-tools' own delay estimate, no search);
3. the reference measured in the same run: resonator-tools called directly in a loop
   (``np.loadtxt`` + ``circuit.notch_port(f, z).autofit()``), and the ratios of 1 and 2 to it;
4. what the refinement buys: the median ratio of the full-model residual sum |model - data|^2
   (refined over library delay) and the median change of Ql.

Run: ``python benchmarks/bench_s21.py [--repeat N]`` (one core).
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from etm import __version__  # noqa: E402
from etm.resonator.s21 import analyze_files  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "examples" / "s21_Al_InP"


def best_of(fn, repeat: int) -> tuple[float, object]:
    best, out = np.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def library_loop(files):
    from resonator_tools import circuit

    out = []
    for path in files:
        a = np.loadtxt(path, delimiter=",")
        z = 10 ** (a[:, 1] / 20) * np.exp(1j * np.deg2rad(a[:, 2]))
        port = circuit.notch_port(a[:, 0], z)
        port.autofit()
        out.append(port.fitresults)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    files = sorted(DATA.glob("S21_T*mK.csv"))
    import resonator_tools.circuit  # noqa: F401 - import cost (matplotlib) outside the timings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning would show the timings are not clean
        t_ref, ref = best_of(lambda: library_loop(files), args.repeat)
        t_ref_fit, refined = best_of(lambda: analyze_files(files, P_dBm=-20.0), args.repeat)
        t_lib, lib = best_of(
            lambda: analyze_files(files, P_dBm=-20.0, delay="library"), args.repeat
        )
    res = lambda x: np.sum(np.abs(x.s21_model - x.s21) ** 2)  # noqa: E731
    resid = np.median([res(a) / res(b) for a, b in zip(refined.fits, lib.fits, strict=True)])
    dQl = np.median([a.Ql / b.Ql - 1 for a, b in zip(refined.fits, lib.fits, strict=True)])
    by_name = {Path(f.path).name: f.Ql for f in lib.fits}  # the table is sorted by T
    same = np.allclose([r["Ql"] for r in ref], [by_name[p.name] for p in files], rtol=1e-12)
    n = len(files)
    print(f"etm {__version__}; {n} traces of 2001 points; best of {args.repeat}")
    per = t_ref_fit / n * 1e3
    print(f"  etm analyze_files, delay refined : {t_ref_fit:7.2f} s ({per:.0f} ms/trace)")
    print(f"  etm analyze_files, library delay : {t_lib:7.2f} s ({t_lib / n * 1e3:.0f} ms/trace)")
    print(f"  reference: resonator-tools loop  : {t_ref:7.2f} s ({t_ref / n * 1e3:.0f} ms/trace)")
    print(f"  ratio refined/reference          : {t_ref_fit / t_ref:7.2f}")
    print(f"  ratio library-delay/reference    : {t_lib / t_ref:7.2f}")
    print(f"  library-delay results == reference: {same}")
    print(f"  refinement: median residual ratio {resid:.3f}, median Ql change {dQl * 100:+.1f} %")
    print(f"  target < 10 s for the series: {'met' if t_ref_fit < 10 else 'MISSED'}")


if __name__ == "__main__":
    main()
