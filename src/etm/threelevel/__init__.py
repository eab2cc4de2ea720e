"""The exact route's shared machinery: three-level systems, pulses, the loop phase, points.

:mod:`etm.threelevel.systems` holds the batched 3x3 Hamiltonians, eigensystems and dipoles;
:mod:`etm.threelevel.pulses` the compiled two-pulse evolution of one system;
:mod:`etm.threelevel.route` the loop phase, the common input checks and the parallel map over
(T, B) points that every exact observable uses.
"""

from __future__ import annotations

from etm.threelevel.pulses import (
    system_echo,
)
from etm.threelevel.route import (
    DEFAULT_LOOP_AREA_A2,
    ExactOptions,
    check_exact_inputs,
    check_loop_area,
    loop_phase,
    map_points,
)
from etm.threelevel.systems import (
    WELL_XY,
    eigenbasis_dipoles,
    eigensystem,
    system_hamiltonian,
    system_response,
    thermal_populations,
)

__all__ = [
    "ExactOptions",
    "check_exact_inputs",
    "check_loop_area",
    "DEFAULT_LOOP_AREA_A2",
    "eigenbasis_dipoles",
    "eigensystem",
    "loop_phase",
    "map_points",
    "system_echo",
    "system_hamiltonian",
    "system_response",
    "thermal_populations",
    "WELL_XY",
]
