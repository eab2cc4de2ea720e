"""Peak memory of the chunked evaluations does not grow with the number of points.

Each case runs in a fresh subprocess at two sizes, 10x apart, and reads the child's peak
resident set (VmHWM from /proc/self/status, printed by the child). The interpreter with numpy,
scipy and numba loaded accounts for ~150-250 MB at both sizes; what an evaluation may add
per point is its inputs, result and per-point index arrays, ~100-200 bytes (documented in
docs/performance.md). Tolerance: the larger run may exceed the smaller by 60 MB, i.e. ~300 bytes
per added point, where the unchunked code grew by ~85 kB per field (1.7 GB at 2e4 fields, so
~15 GB at 2e5).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/status").exists(), reason="needs /proc/self/status (Linux)"
)

#: Allowed growth of the peak RSS from the small to the large run [MB] (see the module docstring).
GROWTH_MB = 60.0


def _peak_MB(body: str, n: int) -> float:
    code = textwrap.dedent(
        f"""
        import numpy as np
        n = {n}
        {textwrap.indent(textwrap.dedent(body), "        ").strip()}
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                print(int(line.split()[1]) / 1024.0)
        """
    )
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert res.returncode == 0, res.stderr[-2000:]
    return float(res.stdout.strip().splitlines()[-1])


CASES = {
    "cp_total": """
        from etm import heat_capacity, materials
        m = materials.get("BAS").at(0.60)
        heat_capacity.total(0.6, np.linspace(0.0, 8.0, 10), m)  # compile before the baseline
        c = heat_capacity.total(0.6, np.linspace(0.0, 8.0, n), m)
        assert c.shape == (n,) and np.isfinite(c).all()
    """,
    "dos_integral": """
        from etm import materials
        from etm.ensemble import thermal_dos_integral
        from etm.heat_capacity import single_ts
        p = materials.get("BAS").at(0.60).ats
        out = thermal_dos_integral(single_ts, 0.6, np.linspace(0.0, 8.0, n), p, memory_MB=32)
        assert out.shape == (n,) and np.isfinite(out).all()
    """,
    # issue 19, case 13: ~60 kB per field (762 MB at 1e4 fields, OOM at 1e6) before chunking
    "magnetization_total": """
        from etm import magnetization, materials
        m = materials.get("BAS").at(0.60)
        out = magnetization.total(0.6, np.linspace(0.0, 8.0, n), m)
        assert out.shape == (n,) and np.isfinite(out).all()
    """,
}


@pytest.mark.slow
def test_magnetization_at_a_million_points_stays_under_500_MB():
    # issue 19, case 13: 1e6 (T, B) points, 1e4 distinct fields: the unchunked code gathered a
    # (1e6, 360) energy grid per array (~3 GB each); the chunked one peaks at ~370 MB, of which
    # ~200 MB are the interpreter with numpy, scipy and numba (the other observables: < 600 MB)
    body = """
        from etm import magnetization, materials
        m = materials.get("BAS").at(0.60)
        magnetization.total(0.6, np.linspace(0.0, 8.0, 10), m)
        B = np.tile(np.linspace(0.0, 8.0, n // 100), 100)
        T = np.repeat(np.linspace(0.3, 3.0, 100), n // 100)
        out = magnetization.total(T, B, m)
        assert out.shape == (n,) and np.isfinite(out).all()
    """
    peak = _peak_MB(body, 1_000_000)
    assert peak < 500.0, f"peak {peak:.0f} MB"


def test_magnetization_chunks_give_the_unchunked_result():
    # the grid of a chunk follows every field of the call (etm.ensemble.response_grid), so the
    # result does not depend on the budget: equal to the last bit
    from etm import magnetization, materials

    p = materials.get("BAS").at(0.60).ats
    rng = np.random.default_rng(0)
    T, B = rng.uniform(0.1, 3.0, 500), np.round(rng.uniform(0.0, 8.0, 500), 2)
    whole = magnetization.ats(T, B, p, memory_MB=1e4)
    assert np.array_equal(magnetization.ats(T, B, p, memory_MB=0.05), whole)


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(CASES))
def test_peak_memory_does_not_grow_with_size(case):
    _peak_MB(CASES[case], 10)  # compiles and caches the kernels: both runs below load them
    small = _peak_MB(CASES[case], 20_000)
    large = _peak_MB(CASES[case], 200_000)
    assert large - small < GROWTH_MB, f"{case}: peak {small:.0f} MB -> {large:.0f} MB"
