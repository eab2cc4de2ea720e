"""Benchmark: a joint eps' + echo fit sharing the ATS cutoffs (issue 10). Target: under 10 s.

Data: SYNTHETIC, made here from ONE made-up glass whose ATS cutoffs are Table 7's BAS sample 2
(Dmin_K = 0.0272 K, X0min_KA2 = 1140, X0max_KA2 = 8960 K A^2) in both observables:

- eps': [eps'(B) - eps'(0)]/eps' (:func:`etm.fit.synthetic_eps_curve`, the exact model) at
  Table 5's BAS conditions, 50 mK and 1 kHz, amplitude 8.9e-6 K (Table 5's BAS 50 mK row) with
  its cutoffs replaced by the ones above; 61 fields geomspace(1e-3, 10) T, Gaussian noise
  1 % of max|change|, seed 1.
- echo: A(B)/A(0.6 T) (:func:`etm.fit.synthetic_echo_curve`, the exact model) at Table 7's
  BAS sample 2 row and conditions (12 mK, 1 GHz, tau1 = 0.1 us, tau2 = 0.2 us, tau12 = 2 us;
  Gamma^-1, c, p1F0, tan(omega dtau) of the row, no 2LS echo); 100 fields linspace(0, 0.6) T,
  Gaussian noise 0.005, seed 2.

Fit: :func:`etm.fit.fit_joint` with ``share=("Dmin_K", "X0min_KA2", "X0max_KA2")``; the echo part
fixes :data:`etm.fit.ECHO_DEFAULT_FIXED` at the row's values (:func:`etm.fit.echo_defaults`, as
``fit_echo`` and ``etm fit`` do), so the free parameters are the three shared cutoffs and the eps
amplitude (the rest is the truth). Starts (:data:`STARTS`), so the fit does real work: the
truth's three cutoffs x 1.3 in both parts (the headline; the amplitude comes from the engine's
linear start); the presets a fit plan would name (eps' Table 5's BAS 50 mK row, echo Table 7's
BAS sample 2; the shared start is their mean in fit space); the typical starts (no material).

Printed: wall and CPU time of the joint fit (best and median of 3 runs per start, each a new
fit with empty model caches, after one warm-up evaluation of each model that loads the compiled
kernels), nfev, the time inside the echo and eps' model evaluations (timers around
``etm.echo.complex_amplitude``, ``etm.echo.amplitude`` and ``etm.dielectric.relative_change``;
an echo evaluation is two calls, the curve's fields and the one-field unit a_0), the recovered
parameters against the truth in units of their errors, a cProfile of one more fit, the headline fit
with the echo kernel on 1 and 2 numba threads (subprocesses), the load average, a markdown table
and whether the 10 s target is met.

With ``--reference TREE`` the headline fit also runs in another source tree (a subprocess with
``PYTHONPATH=TREE/src``, the same recipe) and the ratio of the two is printed, e.g. the tree
before issue 10's first commit: ``mkdir /tmp/etm-8c5c250 && git archive 8c5c250 src | tar -x -C
/tmp/etm-8c5c250``.

``--child`` (internal) runs the headline fit alone and prints JSON; with the environment
variable BENCH_JOINT_ECHO_WORKERS=n its echo evaluations get ``workers=n``.

Run from the repository root:  python benchmarks/bench_joint.py [--reference TREE]
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import cProfile  # noqa: E402
import functools  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import pstats  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import replace  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from etm import dielectric, echo, materials  # noqa: E402
from etm import fit as fitting  # noqa: E402

TARGET_S = 10.0
RUNS = 3
START_FACTOR = 1.3
ECHO_ROW = materials.echo_row("BAS sample 2")
SHARE = ("Dmin_K", "X0min_KA2", "X0max_KA2")
TRUTH = {n: float(getattr(ECHO_ROW.params, n)) for n in SHARE}
EPS_ROW = materials.dielectric_row("BAS", 0.05)  # Table 5: 50 mK; its amplitude
EPS_ROW = replace(EPS_ROW, params=replace(EPS_ROW.params, **TRUTH))
EPS_F_HZ = 1e3
B_EPS = np.geomspace(1e-3, 10.0, 61)
B_ECHO = np.linspace(0.0, 0.6, 100)
#: Starts of the fit: the truth's cutoffs x 1.3 in both parts (the headline); the presets (eps'
#: Table 5's BAS 50 mK row, Dmin 0.015 K, X0 2.44e5-3.08e5 K A^2; echo Table 7's BAS sample 2,
#: the truth: the shared start is their mean in fit space); the typical starts (no material).
STARTS = ("truth x 1.3", "presets", "defaults")


class Timers:
    """Wall time and calls inside the model evaluations, by observable (outermost calls only)."""

    def __init__(self) -> None:
        self.depth = 0
        self.reset()

    def reset(self) -> None:
        self.seconds = {"echo": 0.0, "eps": 0.0}
        self.calls = {"echo": 0, "eps": 0}

    def wrap(self, kind: str, f: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(f)
        def timed(*args: Any, **kwargs: Any) -> Any:
            if self.depth:
                return f(*args, **kwargs)
            self.depth += 1
            t0 = time.perf_counter()
            try:
                return f(*args, **kwargs)
            finally:
                self.seconds[kind] += time.perf_counter() - t0
                self.calls[kind] += 1
                self.depth -= 1

        return timed


TIMERS = Timers()
# the fit modules call these through the module (``echo.complex_amplitude``), so patching the
# module attribute times every model evaluation of the fit (a reference tree may lack some)
for _mod, _name, _kind in (
    (echo, "complex_amplitude", "echo"),
    (echo, "amplitude", "echo"),  # a_0, the unit of A_2LS (bare_unit); the old trees' model
    (dielectric, "relative_change", "eps"),
):
    if hasattr(_mod, _name):
        setattr(_mod, _name, TIMERS.wrap(_kind, getattr(_mod, _name)))
#: Threads of the curve's echo evaluations in a ``--child`` run (the fit passes none, i.e. 1):
#: the measurement of the second core, set by :func:`threads_check`.
ECHO_WORKERS = int(os.environ.get("BENCH_JOINT_ECHO_WORKERS", "0"))
if ECHO_WORKERS:
    echo.complex_amplitude = functools.partial(echo.complex_amplitude, workers=ECHO_WORKERS)


def make_curves() -> tuple[fitting.MeasuredCurve, fitting.MeasuredCurve]:
    eps = fitting.synthetic_eps_curve(
        EPS_ROW, B_EPS, f_Hz=EPS_F_HZ, noise=0.01, seed=1, source="eps_synthetic.csv"
    )
    ech = fitting.synthetic_echo_curve(
        ECHO_ROW, B_ECHO, noise=0.005, seed=2, source="echo_synthetic.csv"
    )
    return eps, ech


def make_parts(eps: Any, ech: Any, start: str) -> list[tuple[str, list, dict[str, Any]]]:
    """The fit's parts from one of :data:`STARTS`; the echo part always fixes the truth's
    Gamma^-1, c, p1F0, tan(omega dtau) and no 2LS echo (:func:`etm.fit.echo_defaults`)."""
    if start == "truth x 1.3":
        off = {n: START_FACTOR * v for n, v in TRUTH.items()}
        eps_m: Any = replace(EPS_ROW, params=replace(EPS_ROW.params, **off))
        echo_m: Any = replace(ECHO_ROW, params=replace(ECHO_ROW.params, **off))
    elif start == "presets":  # as a fit plan with material = "BAS" / "BAS sample 2" would
        eps_m, echo_m = "BAS", ECHO_ROW.name
    else:  # the observables' typical starts (no material)
        eps_m = echo_m = None
    fix, _ = fitting.echo_defaults([ech], ECHO_ROW)
    eps_opts = {} if eps_m is None else {"material": eps_m}
    echo_opts = {"fix": fix} if echo_m is None else {"material": echo_m, "fix": fix}
    return [("eps", [eps], eps_opts), ("echo", [ech], echo_opts)]


def timed_fit(eps: Any, ech: Any, start: str) -> tuple[Any, float, float]:
    parts = make_parts(eps, ech, start)
    w0, c0 = time.perf_counter(), time.process_time()
    r = fitting.fit_joint(parts, share=SHARE)
    return r, time.perf_counter() - w0, time.process_time() - c0


def separate_fits(eps: Any, ech: Any) -> tuple[float, float]:
    """Best wall of RUNS separate fits from the headline start: eps' alone, echo alone."""
    parts = make_parts(eps, ech, STARTS[0])
    (_, _, eps_opts), (_, _, echo_opts) = parts
    out = []
    for f in (
        lambda: fitting.fit([eps], "eps", **eps_opts),
        lambda: fitting.fit_echo([ech], material=echo_opts["material"]),
    ):
        ts = []
        for _ in range(RUNS):
            t0 = time.perf_counter()
            f()
            ts.append(time.perf_counter() - t0)
        out.append(min(ts))
    return out[0], out[1]


def child() -> None:
    """``--child``: the headline fit RUNS times in this tree (as the reference tree runs it),
    one JSON line."""
    eps, ech = make_curves()
    walls, cpus, r = [], [], None
    for _ in range(RUNS):
        r, wall, cpu = timed_fit(eps, ech, STARTS[0])
        walls.append(wall)
        cpus.append(cpu)
    assert r is not None
    est = {n: [r.estimate(n).value, r.estimate(n).stderr] for n in SHARE}
    import etm

    out = {"walls": walls, "cpus": cpus, "nfev": r.nfev, "estimates": est, "etm": etm.__file__}
    print(json.dumps(out))


def reference(tree: Path) -> dict[str, Any] | None:
    """The headline fit in the source tree ``tree`` (``PYTHONPATH=tree/src``), a subprocess."""
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child"],
        env=env,
        cwd=tree,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = out.stdout.strip().splitlines()
    if out.returncode or not lines:
        print(f"reference {tree}: failed: {out.stderr.strip()[-400:]}")
        return None
    return json.loads(lines[-1])


def threads_check() -> tuple[list[float], list[float], float] | None:
    """The headline fit with the echo kernel on 1 and on 2 numba threads (``workers``; the fit
    itself passes none), ``--child`` subprocesses with NUMBA_NUM_THREADS=2 in the order 1, 2, 2,
    1 (the load of a shared box drifts); all walls per thread count, and the largest relative
    difference of the shared estimates between the runs."""
    out: dict[int, list[float]] = {1: [], 2: []}
    values = []
    for w in (1, 2, 2, 1):
        env = {**os.environ, "NUMBA_NUM_THREADS": "2", "BENCH_JOINT_ECHO_WORKERS": str(w)}
        res = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--child"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        lines = res.stdout.strip().splitlines()
        if res.returncode or not lines:
            print(f"threads check failed: {res.stderr.strip()[-400:]}")
            return None
        got = json.loads(lines[-1])
        out[w].extend(got["walls"])
        values.append(np.array([v for v, _ in got["estimates"].values()]))
    diff = max(float(np.max(np.abs(v / values[0] - 1.0))) for v in values)
    return out[1], out[2], diff


def run_start(eps: Any, ech: Any, start: str) -> tuple[Any, list[float], list[float], float]:
    """RUNS fits from ``start``: the last result, walls, CPU times, median echo share."""
    walls, cpus, in_echo = [], [], []
    r = None
    for k in range(RUNS):
        TIMERS.reset()
        r, wall, cpu = timed_fit(eps, ech, start)
        walls.append(wall)
        cpus.append(cpu)
        in_echo.append(TIMERS.seconds["echo"] / wall)
        s, n = TIMERS.seconds, TIMERS.calls
        print(
            f"  run {k + 1}: wall {wall:.2f} s, CPU {cpu:.2f} s, nfev {r.nfev}; in echo "
            f"{s['echo']:.2f} s ({n['echo']} calls, {100 * s['echo'] / wall:.0f} %), in eps' "
            f"{s['eps']:.2f} s ({n['eps']} calls, {100 * s['eps'] / wall:.0f} %), the rest "
            f"{wall - s['echo'] - s['eps']:.2f} s"
        )
    assert r is not None
    return r, walls, cpus, statistics.median(in_echo)


def report_estimates(r: Any) -> None:
    for name in SHARE:
        e = r.estimate(name)
        z = (e.value - TRUTH[name]) / e.stderr if e.stderr else float("nan")
        print(
            f"  {name:10s} (shared) {e.value:.5g} +- {e.stderr:.2g}  truth {TRUTH[name]:.5g}"
            f"  ({z:+.2f} sigma)"
        )
    a = r.estimate("amplitude_K", 0, 0)
    true_a = EPS_ROW.params.amplitude_K
    z = (a.value - true_a) / a.stderr if a.stderr else float("nan")
    print(
        f"  amplitude_K (eps') {a.value:.5g} +- {a.stderr:.2g}  truth {true_a:.5g}"
        f"  ({z:+.2f} sigma)"
    )
    for note in r.notes:
        if "bound" in note or "uncertaint" in note:
            print(f"  note: {note}")


def profile(eps: Any, ech: Any) -> None:
    prof = cProfile.Profile()
    prof.enable()
    fitting.fit_joint(make_parts(eps, ech, STARTS[0]), share=SHARE)
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(6)
    lines = [ln for ln in buf.getvalue().splitlines() if ln.strip()]
    first = next(i for i, ln in enumerate(lines) if "ncalls" in ln)
    print(f"cProfile of one more fit from {STARTS[0]}, top 6 by own time:")
    for ln in lines[first : first + 7]:
        print(f"  {ln.strip()[:120]}")


def compare_reference(tree: Path, head: float) -> None:
    ref = reference(tree)
    if ref is None:
        return
    rb = min(ref["walls"])
    print(
        f"reference tree {tree} (PYTHONPATH, same recipe, {STARTS[0]}, run right after): wall "
        f"best {rb:.2f} s, median {statistics.median(ref['walls']):.2f} s, CPU best "
        f"{min(ref['cpus']):.2f} s, nfev {ref['nfev']}; reference / this tree = {rb / head:.1f}x"
    )
    print(f"  reference package: {ref['etm']}")
    for name, (v, e) in ref["estimates"].items():
        print(f"  reference {name} = {v:.5g} +- {e:.2g}")


def main() -> None:
    args = sys.argv[1:]
    if args == ["--child"]:
        child()
        return
    tree = None
    if args[:1] == ["--reference"] and len(args) == 2:
        tree = Path(args[1]).resolve()
    elif args:
        raise SystemExit("usage: python benchmarks/bench_joint.py [--reference TREE]")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (2 cores)")
    t0 = time.perf_counter()
    eps, ech = make_curves()  # the first calls load (or compile) the numba kernels
    print(f"making the curves (first model calls, kernel load): {time.perf_counter() - t0:.2f} s")
    # warm-up on other fields: every compiled kernel and cached rule is loaded before timing
    dielectric.relative_change(T_K=0.05, B_T=B_EPS[::7], params=EPS_ROW.params, f_Hz=EPS_F_HZ)
    echo.complex_amplitude(
        T_K=0.012, B_T=B_ECHO[::9], params=ECHO_ROW.params, pulses=ECHO_ROW.pulses
    )
    print(
        f"joint eps' + echo fit, SYNTHETIC ({eps.x.size} + {ech.x.size} fields), share "
        f"{', '.join(SHARE)}, {RUNS} runs per start"
    )
    summary = []
    for start in STARTS:
        print(f"start: {start}")
        r, walls, cpus, frac = run_start(eps, ech, start)
        summary.append((start, r, walls, cpus, frac))
        print(
            f"  nfev {r.nfev}, {r.nvarys} free, {r.ndata} points, success {r.success}, "
            f"reduced chi^2 {r.redchi:.3f}; recovered against the SYNTHETIC truth:"
        )
        report_estimates(r)
        if start == STARTS[0] and tree is not None:  # right after the headline: same load
            compare_reference(tree, min(walls))
    t_eps, t_echo = separate_fits(eps, ech)
    head = min(summary[0][2])
    print(
        f"separate fits from {STARTS[0]} (best of {RUNS}): eps' alone {t_eps:.2f} s, echo alone "
        f"(fit_echo) {t_echo:.2f} s, sum {t_eps + t_echo:.2f} s; joint / sum = "
        f"{head / (t_eps + t_echo):.2f}"
    )
    profile(eps, ech)
    tc = threads_check()
    if tc is not None:
        w1, w2 = min(tc[0]), min(tc[1])
        print(
            f"second core: the {STARTS[0]} fit with the echo kernel on 1 / 2 numba threads "
            f"(subprocesses, best of {2 * RUNS}): {w1:.2f} / {w2:.2f} s wall (x{w1 / w2:.2f}); "
            f"shared estimates equal to {tc[2]:.1e} relative"
        )
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("| start | wall best / median | CPU best / median | nfev | in echo | target 10 s |")
    print("|---|---|---|---|---|---|")
    for start, r, walls, cpus, frac in summary:
        print(
            f"| {start} | {min(walls):.2f} / {statistics.median(walls):.2f} s | {min(cpus):.2f} "
            f"/ {statistics.median(cpus):.2f} s | {r.nfev} | {100 * frac:.0f} % | "
            f"{'met' if min(walls) < TARGET_S else 'NOT met'} |"
        )
    met = "MET" if head < TARGET_S else "NOT MET"
    print(
        f"target: joint eps' + echo fit under {TARGET_S:.0f} s: {met} (best wall {head:.2f} s "
        f"from {STARTS[0]}; slowest start's best {max(min(x[2]) for x in summary):.2f} s)"
    )


if __name__ == "__main__":
    main()
