"""The rival theory of the echo's field dependence: nuclear electric quadrupoles (NEQM).

A 2LS whose tunneling atom carries a nucleus of spin I >= 1 sees different electric-field
gradients in its two wells; the nuclear states of its upper and lower tunnel states then differ,
and a magnetic field changes how (Würger, Fleischmann, Enss, PRL 89, 237601 (2002); Parshin,
cond-mat/0405058; Shumilin and Parshin, 0911.4056). Modules:

* :mod:`etm.neqm.single`: one system (Hamiltonians, the reduced Mims form, the full
  density-matrix echo);
* :mod:`etm.neqm.ensemble`: the glass's echo A(B)/A(B_high) (:func:`relative_amplitude`);
* :mod:`etm.neqm.dielectric`: the resonant susceptibility of the same systems;
* :mod:`etm.neqm.validity`, :mod:`etm.neqm.claims`: where the reduced form holds, and the
  essay's statements about the NEQM, measured (``python -m etm.neqm.validity`` / ``claims``).

Nuclear data and compositions: :mod:`etm.materials.nuclei` (``neqm_row``). Derivation and
measured regime of validity: docs/neqm.md.
"""

from etm.neqm.ensemble import relative_amplitude
from etm.params import NEQMParams, QuadrupolarNucleus

__all__ = ["NEQMParams", "QuadrupolarNucleus", "relative_amplitude"]
