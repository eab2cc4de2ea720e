"""Dielectric constant and loss: the ATS response in a field, the 2LS background, the exact route.

:mod:`etm.dielectric.ats` is the weak-field ATS response at any frequency and drive power (the
essay's Eqs. 16-22) with its shared engine in :mod:`etm.dielectric.core`;
:mod:`etm.dielectric.stm` the standard-tunneling-model background of the two-level systems;
:mod:`etm.dielectric.exact` the same response from the full three-level spectra (all three levels
and transitions, the loop area S as the one extra parameter).
"""

from __future__ import annotations

from etm.dielectric.ats import (
    AVERAGES,
    MATRIX_ELEMENTS,
    MEASURING_FIELDS,
    RELAXATIONS,
    TYPICAL_FREQUENCY_HZ,
    ats_relaxation_rate,
    ats_response,
    correlators,
    loss,
    relative_change,
    shell_count,
)
from etm.dielectric.core import (
    ResponseOptions,
)
from etm.dielectric.exact import (
    EXACT_RELAXATIONS,
    exact_loss,
    exact_relative_change,
    exact_response,
)
from etm.dielectric.stm import (
    stm_relaxation,
    stm_resonant,
    stm_resonant_loss,
    stm_total,
)

__all__ = [
    "ats_relaxation_rate",
    "ats_response",
    "AVERAGES",
    "correlators",
    "exact_loss",
    "exact_relative_change",
    "EXACT_RELAXATIONS",
    "exact_response",
    "loss",
    "MATRIX_ELEMENTS",
    "MEASURING_FIELDS",
    "relative_change",
    "RELAXATIONS",
    "ResponseOptions",
    "shell_count",
    "stm_relaxation",
    "stm_resonant",
    "stm_resonant_loss",
    "stm_total",
    "TYPICAL_FREQUENCY_HZ",
]
