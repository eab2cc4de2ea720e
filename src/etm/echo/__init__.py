"""Two-pulse polarization echo: ensemble closed form, single systems, readings, the exact route.

:mod:`etm.echo.closed_form` is the ensemble echo of the essay's Eqs. 27-34 with the 2LS
combination A_2LS - a(B) (compiled sums in :mod:`etm.echo._kernel`); :mod:`etm.echo.single` the
single-system closed form it averages; :mod:`etm.echo.dynamics` the Bloch and 3x3 density-matrix
propagation that checks it; :mod:`etm.echo.readings` Table 7 as printed and reconstructed;
:mod:`etm.echo.exact` the echo from the full three-level systems. :class:`EchoOptions`
(:mod:`etm.echo.options`) holds the options of them all; :mod:`etm.echo.directions` the
quadrature over the pulse field's direction.
"""

from __future__ import annotations

from etm.echo.closed_form import (
    C_FORMS,
    MATRIX_ELEMENTS,
    amplitude,
    complex_amplitude,
    relative_amplitude,
    two_level_echo,
)
from etm.echo.exact import (
    EchoGrid,
    exact_amplitude,
    exact_relative_amplitude,
)
from etm.echo.options import DETECTIONS, MEASURING_FIELDS, RABI_MODES, EchoOptions
from etm.echo.readings import (
    GAMMA_UNITS,
    echo_params,
)
from etm.echo.single import (
    generalized_rabi_frequency,
    pulse_areas,
    rabi_frequency,
    relaxation_rate,
    single_system_echo,
)

__all__ = [
    "amplitude",
    "C_FORMS",
    "complex_amplitude",
    "DETECTIONS",
    "echo_params",
    "EchoGrid",
    "EchoOptions",
    "exact_amplitude",
    "exact_relative_amplitude",
    "GAMMA_UNITS",
    "generalized_rabi_frequency",
    "MATRIX_ELEMENTS",
    "MEASURING_FIELDS",
    "pulse_areas",
    "rabi_frequency",
    "RABI_MODES",
    "relative_amplitude",
    "relaxation_rate",
    "single_system_echo",
    "two_level_echo",
]
