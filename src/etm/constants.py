"""Physical constants (CODATA, via :mod:`scipy.constants`) and the Aharonov-Bohm conversion.

Every other module takes its constants from here; no magic numbers elsewhere.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import constants as _c

#: Boltzmann constant k_B [J/K].
k_B: float = _c.k
#: Planck constant h [J s].
h: float = _c.h
#: Reduced Planck constant hbar [J s].
hbar: float = _c.hbar
#: Elementary charge e [C].
e: float = _c.e
#: Bohr magneton mu_B [J/T].
mu_B: float = _c.physical_constants["Bohr magneton"][0]
#: Bohr magneton over k_B [K/T]: the Zeeman energy g mu_B B in kelvin is ``g * mu_B_K_per_T * B``.
mu_B_K_per_T: float = mu_B / k_B
#: Vacuum permittivity epsilon_0 [F/m].
epsilon_0: float = _c.epsilon_0
#: One angstrom squared in m^2.
ANGSTROM2_M2: float = 1e-20

#: D0*phi [K] per (T * K*angstrom^2): 2 pi (e/h) * 1e-20 m^2/A^2 (docs/conventions.md).
AB_K_PER_T_KA2: float = 2.0 * np.pi * e / h * ANGSTROM2_M2

#: One debye in C m: 1e-21/c by definition (c the speed of light in m/s).
DEBYE_C_M: float = 1.0e-21 / 299_792_458.0

#: Flux quantum for charge e, h/e [T m^2]: a loop of area S has phi = 2 pi at B = h/(e S).
PHI0_T_M2: float = h / e


def ab_energy(X_KA2: ArrayLike, B_T: ArrayLike, cos_beta: ArrayLike = 1.0) -> NDArray[np.float64]:
    """Aharonov-Bohm energy D0*phi in kelvin.

    Parameters
    ----------
    X_KA2 : array_like
        X = D0 (|q|/e) S, the product of the (effective) tunneling energy D0 [K], the charge of
        the tunneling particle in units of e and the loop area S [angstrom^2]; in K*angstrom^2.
    B_T : array_like
        Magnetic field B [T].
    cos_beta : array_like, optional
        Cosine of the angle between B and the loop's normal (default 1: aligned).

    Returns
    -------
    ndarray
        D0*phi [K] = 2 pi (e/h) B X cos(beta), broadcast over the inputs.

    References
    ----------
    docs/conventions.md; the essay's phi = 2 pi Phi/Phi0 with Phi0 = h/|q|.

    Examples
    --------
    >>> float(ab_energy(1e5, 1.0))  # doctest: +ELLIPSIS
    1.519267...
    """
    return (
        AB_K_PER_T_KA2
        * np.asarray(X_KA2, dtype=float)
        * np.asarray(B_T, dtype=float)
        * np.asarray(cos_beta, dtype=float)
    )


def field_for_2pi(S_A2: ArrayLike) -> NDArray[np.float64]:
    """Field B_2pi [T] at which a loop of area ``S_A2`` [angstrom^2] (charge e) has phi = 2 pi."""
    S = np.asarray(S_A2, dtype=float)
    return PHI0_T_M2 / (S * ANGSTROM2_M2)
