"""Physical constants (CODATA 2022, hard-coded) and the Aharonov-Bohm conversion.

Every other module takes its constants from here; no magic numbers elsewhere. The values are
typed in rather than read from :mod:`scipy.constants`, whose import costs ~0.15 s of every
``import etm``; tests/test_constants.py checks them against scipy.constants (k_B, h, e are exact
in the SI since 2019; mu_B and epsilon_0 are the CODATA 2022 values that scipy >= 1.15 ships).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: Boltzmann constant k_B [J/K] (exact).
k_B: float = 1.380649e-23
#: Planck constant h [J s] (exact).
h: float = 6.62607015e-34
#: Reduced Planck constant hbar [J s].
hbar: float = h / (2.0 * math.pi)
#: Elementary charge e [C] (exact).
e: float = 1.602176634e-19
#: Bohr magneton mu_B [J/T] (CODATA 2022).
mu_B: float = 9.2740100657e-24
#: Nuclear magneton mu_N [J/T] (CODATA 2022).
mu_N: float = 5.0507837393e-27
#: mu_N/h [Hz/T] = 7.6225932e6: the Larmor frequency of a nucleus is |g_n| MU_N_HZ_PER_T B.
MU_N_HZ_PER_T: float = mu_N / h
#: Bohr magneton over k_B [K/T]: the Zeeman energy g mu_B B in kelvin is ``g * mu_B_K_per_T * B``.
mu_B_K_per_T: float = mu_B / k_B
#: Vacuum permittivity epsilon_0 [F/m] (CODATA 2022).
epsilon_0: float = 8.8541878188e-12
#: One angstrom squared in m^2.
ANGSTROM2_M2: float = 1e-20

#: D0*phi [K] per (T * K*angstrom^2): 2 pi (e/h) * 1e-20 m^2/A^2 (docs/conventions.md).
AB_K_PER_T_KA2: float = 2.0 * np.pi * e / h * ANGSTROM2_M2

#: One debye in C m: 1e-21/c by definition (c the speed of light in m/s).
DEBYE_C_M: float = 1.0e-21 / 299_792_458.0

#: h/k_B [K/Hz]: the photon energy hf in kelvin is ``HF_K_PER_HZ * f_Hz``.
HF_K_PER_HZ: float = h / k_B

#: k_B/hbar [rad/(s K)]: an energy E in kelvin is the angular frequency ``K_TO_RAD_S * E``.
K_TO_RAD_S: float = k_B / hbar

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
