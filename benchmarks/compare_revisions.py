"""Time the core observables of two source trees against each other, interleaved, same machine.

Used for the restructuring of issue 8 ("no observable slower than before by more than 10 %"):

    git worktree add /tmp/etm-old d00502b
    OMP_NUM_THREADS=1 python benchmarks/compare_revisions.py /tmp/etm-old .

Each tree runs in its own subprocess (``PYTHONPATH=TREE/src``) several times, alternating, and
the script prints the minimum and median CPU time per job and the ratio new/old, plus one value of
each result so that a changed number is seen too. It understands both call shapes (before issue 8:
``relative_change(B, T, ...)`` and presets in the observable modules; after: ``(T, B, ...)`` and
the ``etm.materials`` catalog).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import json, time
import numpy as np
from etm import dielectric, echo, heat_capacity, materials
old = hasattr(echo, "echo_preset")
ME = {"matrix_elements": "essay"}
m = materials.get("BAS").at(0.6)
T = np.linspace(0.05, 2, 200)[:, None]
B = np.linspace(0, 10, 200)[None, :]
if old:
    pe = dielectric.dielectric_preset("BAS", 0.05).params
    pr = echo.echo_preset("BAS sample 2")
    eps = lambda b: dielectric.relative_change(b, 0.05, pe, 1e3)
    rel = lambda b: echo.relative_amplitude(b, pr.T_K, pr.params, pr.pulses, **ME)
    amp = lambda b: echo.amplitude(b, pr.T_K, pr.params, pr.pulses, **ME)
else:
    pe = materials.dielectric_row("BAS", 0.05).params
    pr = materials.echo_row("BAS sample 2")
    eps = lambda b: dielectric.relative_change(0.05, b, pe, 1e3)
    rel = lambda b: echo.relative_amplitude(pr.T_K, b, pr.params, pr.pulses, **ME)
    amp = lambda b: echo.amplitude(pr.T_K, b, pr.params, pr.pulses, **ME)
jobs = {
    "Cp 200x200": lambda: heat_capacity.ats(T, B, m.ats),
    "eps 200 fields": lambda: eps(np.linspace(0, 3, 200)),
    "echo rel. 200 fields": lambda: rel(np.linspace(0, 0.6, 200)),
    "echo amp. 100 fields": lambda: amp(np.linspace(0, 0.6, 100)),
}
out = {}
for name, f in jobs.items():
    f()  # warm-up (numba compilation, caches)
    ts = []
    for _ in range(5):
        t0 = time.process_time()
        v = np.asarray(f()).ravel()
        ts.append(time.process_time() - t0)
    out[name] = {"times": ts, "value": float(v[v.size // 2])}
print(json.dumps(out))
"""


def run(tree: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(tree / "src"))
    res = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True)
    if res.returncode:
        raise SystemExit(f"{tree}: {res.stderr.strip().splitlines()[-1]}")
    return json.loads(res.stdout)


def main(old: str, new: str, rounds: int = 3) -> None:
    trees = {"old": Path(old).resolve(), "new": Path(new).resolve()}
    acc: dict[str, dict[str, list[float]]] = {"old": {}, "new": {}}
    vals: dict[str, dict[str, float]] = {"old": {}, "new": {}}
    for _ in range(rounds):
        for key, tree in trees.items():
            for job, r in run(tree).items():
                acc[key].setdefault(job, []).extend(r["times"])
                vals[key][job] = r["value"]
    print(f"old = {trees['old']}\nnew = {trees['new']}  (CPU s, {rounds} x 5 runs each)")
    print(f"{'job':22s} {'old min':>9s} {'old med':>9s} {'new min':>9s} {'new med':>9s} "
          f"{'new/old':>8s}  value old / new")  # fmt: skip
    for job in acc["old"]:
        o, n = sorted(acc["old"][job]), sorted(acc["new"][job])
        om, nm = o[len(o) // 2], n[len(n) // 2]
        print(
            f"{job:22s} {o[0]:9.4f} {om:9.4f} {n[0]:9.4f} {nm:9.4f} {nm / om:8.3f}  "
            f"{vals['old'][job]:.15g} / {vals['new'][job]:.15g}"
        )


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: python benchmarks/compare_revisions.py OLD_TREE NEW_TREE")
    main(sys.argv[1], sys.argv[2])
