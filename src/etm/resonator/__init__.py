"""Superconducting resonators and qubits: frequency shift and internal loss from tunneling systems.

:mod:`etm.resonator.ats` is the shift and 1/Q_i of a resonator from the 2LS background and the
ATS response of its dielectric (docs/dielectric.md).
"""

from __future__ import annotations

from etm.resonator.ats import (
    check_filling_factor,
    fractional_shift,
    inverse_q,
)

__all__ = [
    "check_filling_factor",
    "fractional_shift",
    "inverse_q",
]
