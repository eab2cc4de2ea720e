"""Bounded memory of etm.dielectric (issue 10): peak RSS does not grow with the number of fields."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

SCRIPT = """
import json, resource, sys
import numpy as np
from etm import materials
from etm.dielectric import relative_change
p = materials.dielectric_row("BAS", 0.05).params
n = int(sys.argv[1])
relative_change(0.05, np.linspace(0, 1, 50), p, 5e9, memory_MB=16)  # imports, caches
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
d = relative_change(0.05, np.linspace(0, 1, n), p, 5e9, memory_MB=16)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"growth_kB": peak - base, "finite": bool(np.isfinite(d).all())}))
"""


def _growth(n: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(n)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


@pytest.mark.slow
def test_peak_memory_does_not_grow_with_the_number_of_fields():
    # 16 MB budget: chunks of 64 rows. 2e3 and 2e4 fields must peak alike; the inputs and the
    # result (0.6 MB at 2e4 fields) and allocator noise stay below 12 MB. Without chunking the
    # 2e4-field call would hold ~3 GB of work arrays.
    small, large = _growth(2000), _growth(20000)
    assert small["finite"] and large["finite"]
    assert large["growth_kB"] - small["growth_kB"] < 12_000
