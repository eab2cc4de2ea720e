"""The ensemble engine: the ATS parameter distribution and every quadrature over it.

Every observable of the model is a single-system response averaged over one distribution of
(D, D0, theta, cos beta) (essay Eq. 10), plus backgrounds. This package owns that average:

* :mod:`etm.ensemble.dos`: the weak-field density of states g(E, B) in closed form (Eq. 12-13)
  and the loop orientations;
* :mod:`etm.ensemble.shells`: the distribution at fixed gap E as a density in y = D0 phi, with
  closed-form shell integrals and Gauss nodes for any kernel;
* :mod:`etm.ensemble.quadrature`: the energy panels (thermal, resonant-with-tail, narrow
  resonance) shared by Cp, the dielectric response and the echo;
* :mod:`etm.ensemble.pointwise`: energy panels built per (B, T, f) point and principal values
  of a pole at E = hf inside the band (the dielectric response at any frequency);
* :mod:`etm.ensemble.geometry`: the shell integrals with a cos^2(beta) weight (a measuring field
  parallel, perpendicular or random relative to B);
* :mod:`etm.ensemble.measure`: the exact route's (D, theta, D0, cos beta) nodes.

An observable supplies the single-system kernel; see docs/architecture.md.
"""

from etm.ensemble.dos import (
    ORIENTATIONS,
    ats_dos,
    ats_dos_isotropic,
    ats_dos_oriented,
    check_orientation,
    coupling,
    dos_at_coupling,
)
from etm.ensemble.measure import (
    DEFAULT_GRID,
    ExactGrid,
    gauss_legendre01,
    lnD0_nodes,
    lnD_nodes,
    phase_nodes,
    sinh_nodes,
)
from etm.ensemble.quadrature import (
    GL_NODES,
    ThermalGrid,
    ThermalPlan,
    base_edges,
    energy_panels,
    refinement_depth,
    resonance_grid,
    response_grid,
    thermal_dos_integral,
    thermal_grid,
    thermal_plan,
)
from etm.ensemble.shells import (
    shell_debye,
    shell_G,
    shell_nodes,
    shell_W,
    y_pieces,
    y_range,
    zero_field_band,
)

__all__ = [
    "DEFAULT_GRID",
    "ExactGrid",
    "GL_NODES",
    "ORIENTATIONS",
    "ThermalGrid",
    "ThermalPlan",
    "ats_dos",
    "ats_dos_isotropic",
    "ats_dos_oriented",
    "base_edges",
    "check_orientation",
    "coupling",
    "dos_at_coupling",
    "energy_panels",
    "gauss_legendre01",
    "lnD0_nodes",
    "lnD_nodes",
    "phase_nodes",
    "refinement_depth",
    "resonance_grid",
    "response_grid",
    "shell_G",
    "shell_W",
    "shell_debye",
    "shell_nodes",
    "sinh_nodes",
    "thermal_dos_integral",
    "thermal_grid",
    "thermal_plan",
    "y_pieces",
    "y_range",
    "zero_field_band",
]
