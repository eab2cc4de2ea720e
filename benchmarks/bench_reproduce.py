"""Benchmark: the CPU time of ``etm reproduce``, in all and per figure (issue 21, item 3).

Runs the figures of :data:`etm.reproduce.FIGURES` one by one as ``etm reproduce`` makes them
(:func:`etm.reproduce.write_figure`: made, laid out once, drawn and saved as PNG and PDF, the
parsed mathtext shared between figures as in :func:`etm.reproduce.run`; matplotlib draws only
when saving, and that is a good part of the time), then the ``--fast`` variant the same way as
the reference measured in the same run (so that the ratio full/fast does not move with the
load of the machine), then, unless ``--no-cli``, the whole command
``etm reproduce --out TMP --no-progress`` in a subprocess, whose user + sys CPU time
(children included: the workers of the exact figures) is the number the issue's target
(< 20 s) is about. CPU time is summed over both cores, so a run on two cores costs what it
costs on one; wall time is printed beside it.

Run: ``python benchmarks/bench_reproduce.py`` (``--only NAME`` for one figure, ``--no-cli``
to skip the subprocess run).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time


def _cpu() -> float:
    """CPU seconds (user + sys) of this process and its waited-for children."""
    s = resource.getrusage(resource.RUSAGE_SELF)
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def _time(spec, folder: str, fast: bool) -> tuple[float, float]:
    from etm.reproduce import write_figure

    c0, w0 = _cpu(), time.perf_counter()
    write_figure(spec, folder, ("png", "pdf"), fast=fast)
    return _cpu() - c0, time.perf_counter() - w0


def _cli_run() -> tuple[float, float]:
    """user + sys CPU and wall time of ``etm reproduce`` in a fresh interpreter."""
    with tempfile.TemporaryDirectory() as tmp:
        c0, w0 = _cpu(), time.perf_counter()
        code = "from etm.cli import main; raise SystemExit(main(__import__('sys').argv[1:]))"
        subprocess.run(
            [sys.executable, "-c", code, "reproduce", "--out", f"{tmp}/out", "--no-progress"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        return _cpu() - c0, time.perf_counter() - w0


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default=None, help="one figure's name (e.g. exact_eps_30T)")
    ap.add_argument("--skip", action="append", default=[], help="leave a figure out (repeat)")
    ap.add_argument("--no-cli", action="store_true", help="skip the `etm reproduce` run")
    args = ap.parse_args(argv)
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib

    matplotlib.use("Agg")
    from etm import reproduce
    from etm.figures.common import mathtext_cache

    specs = [
        s for s in reproduce.FIGURES if args.only in (None, s.name) and s.name not in args.skip
    ]
    if not specs:
        raise SystemExit(f"no figure named {args.only!r}")
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    print(f"{'figure':28s} {'full CPU':>9s} {'wall':>7s} {'fast CPU':>9s} {'full/fast':>9s}")
    tot = totf = 0.0
    folder = tempfile.mkdtemp()
    with mathtext_cache():
        for spec in specs:
            c, w = _time(spec, folder, fast=False)
            cf, _ = _time(spec, folder, fast=True)
            tot, totf = tot + c, totf + cf
            print(f"{spec.name:28s} {c:8.2f}s {w:6.2f}s {cf:8.2f}s {c / max(cf, 1e-3):8.1f}x")
    print(f"{'sum of figures':28s} {tot:8.2f}s {'':7s} {totf:8.2f}s {tot / max(totf, 1e-3):8.1f}x")
    if not args.no_cli and args.only is None and not args.skip:
        c, w = _cli_run()
        print(f"etm reproduce (subprocess): CPU user+sys {c:.1f} s, wall {w:.1f} s (target < 20 s)")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
