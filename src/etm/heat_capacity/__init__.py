"""Heat capacity C(T, B): the ATS part, the 2LS, phonons and Fe paramagnets, and the exact route.

Weak field (:mod:`etm.heat_capacity.weak_field`): the essay's Eqs. 14-15 on the closed-form
density of states, with its compiled twin in :mod:`etm.heat_capacity._kernels`. Exact three
levels (:mod:`etm.heat_capacity.exact`, compiled sums in :mod:`etm.heat_capacity._exact_kernels`):
the same ensemble from the full 3x3 spectrum of every system, which needs the loop area S; and
the level counting N(E) on both routes (:mod:`etm.heat_capacity.counting`).
"""

from __future__ import annotations

from etm.heat_capacity.counting import (
    analytic_counting,
    exact_counting,
)
from etm.heat_capacity.exact import (
    ats_system_heat_capacity,
    exact_heat_capacity,
    level_heat_capacity,
)
from etm.heat_capacity.weak_field import (
    ats,
    ats_reference,
    components,
    phonon,
    single_ts,
    total,
    two_level,
    zeeman_schottky,
)

__all__ = [
    "analytic_counting",
    "ats",
    "ats_reference",
    "ats_system_heat_capacity",
    "components",
    "exact_counting",
    "exact_heat_capacity",
    "level_heat_capacity",
    "phonon",
    "single_ts",
    "total",
    "two_level",
    "zeeman_schottky",
]
