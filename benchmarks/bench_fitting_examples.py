"""Benchmark: every command of examples/README.md, timed (issue 18).

For each example: the least-squares fit alone (the files read, the observable's defaults, the
preset from the files' '# glass' lines; ``etm.fit.fit``) and the whole command through
``etm.cli.main`` (the STM comparison, the diagnosis, the report with curves.csv and figures).
Targets: the magnetization and eps(T) fits under 5 s each.

Run from the repository root:  python benchmarks/bench_fitting_examples.py [name ...]
"""

from __future__ import annotations

import os
import shlex
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("NUMBA_NUM_THREADS", "1")

from etm import fit as fitting  # noqa: E402
from etm.cli import main as cli_main  # noqa: E402
from etm.fit.registry import detect_observable  # noqa: E402
from etm.fit.request import glass_of  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def commands() -> list[list[str]]:
    out = []
    for line in (ROOT / "examples" / "README.md").read_text().splitlines():
        if line.startswith("    etm fit "):
            out.append(shlex.split(line.strip())[2:])
    return out


def main() -> None:
    want = sys.argv[1:]
    print("example (files)                                  fit [s]  nfev  command [s]")
    for args in commands():
        files = [str(ROOT / a) for a in args if a.endswith(".csv")]
        name = Path(files[0]).stem + (f" (+{len(files) - 1})" if len(files) > 1 else "")
        if want and not any(w in name for w in want):
            continue
        t0 = time.perf_counter()
        obs = detect_observable(files)
        curves = fitting.read_curves(files, obs)
        material, _ = glass_of(curves, obs)
        r = fitting.fit(curves, obs, material=material, progress=False)
        t_fit = time.perf_counter() - t0
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            k = args.index("--out")
            argv = ["fit", *files, *args[len(files) : k], "--no-progress", "--out", tmp + "/o"]
            import contextlib
            import io

            with contextlib.redirect_stdout(io.StringIO()):
                code = cli_main(argv)
            t_cmd = time.perf_counter() - t0
        print(f"{name:48s} {t_fit:7.2f}  {r.nfev:4d}  {t_cmd:7.2f}  (exit {code})", flush=True)


if __name__ == "__main__":
    main()
