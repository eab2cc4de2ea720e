"""The one-phonon relaxation rate of an ATS (essay Eq. 21), shared by the dielectric and the echo.

An ATS in the weak-field limit is an effective two-level system of gap E = sqrt(D^2 + (D0 phi)^2)
whose strain coupling runs through the well energies; its one-phonon rate is (essay Eq. 21)

    tau^-1 = Gamma^-1 E^3 (E^2 - gamma D^2) coth(E / 2T),

with gamma = 1/2 for the exact three-well matrix elements (docs/dielectric.md) or 1/6 as the
essay prints it. The unit of Gamma^-1, 1/(s K^5) (the essay's Table 7 gives 1/(us K^5)), fixes this
reading: the rate grows like E^5 at fixed D/E.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from etm.checks import check_positive, plain

__all__ = ["MATRIX_ELEMENTS", "ats_phonon_rate", "phonon_gamma"]

#: ``"exact"``: three-well transition weight (E^2 - D^2/2); ``"essay"``: Eq. 21's (E^2 - D^2/6).
MATRIX_ELEMENTS: tuple[str, ...] = ("exact", "essay")


def phonon_gamma(matrix_elements: str) -> float:
    """gamma of the phonon weight E^2 - gamma D^2: 1/2 (``"exact"``) or 1/6 (``"essay"``)."""
    if matrix_elements == "exact":
        return 0.5
    if matrix_elements == "essay":
        return 1.0 / 6.0
    raise ValueError(
        f"matrix_elements must be one of {MATRIX_ELEMENTS}, got {plain(matrix_elements)}"
    )


def ats_phonon_rate(
    E_K: ArrayLike,
    D_K: ArrayLike,
    T_K: ArrayLike,
    Gamma_inv_per_sK5: float,
    matrix_elements: str = "exact",
) -> NDArray[np.float64]:
    """One-phonon relaxation rate tau^-1 [1/s] of an ATS of gap E and asymmetry D (essay Eq. 21).

    Parameters
    ----------
    E_K, D_K : array_like
        Gap E and effective asymmetry D [K], 0 <= D <= E, E > 0.
    T_K : array_like
        Temperature [K], > 0 (finite).
    Gamma_inv_per_sK5 : float
        Phonon coupling Gamma^-1 [1/(s K^5)], >= 0. Table 7 gives it in 1/(us K^5): multiply by
        1e6. The dielectric tables (5-6) give no rate; a 2LS-style coupling A [1/(s K^3)] with the
        rate A E (E^2 - gamma D^2) coth(E/2T) equals this law at one energy E* for
        Gamma^-1 = A / E*^2.
    matrix_elements : {"exact", "essay"}
        gamma = 1/2 (three-well transition weight) or 1/6 (Eq. 21 as printed).

    Returns
    -------
    ndarray
        ``Gamma^-1 E^3 (E^2 - gamma D^2) coth(E/2T)``, broadcast over the inputs.

    References
    ----------
    Essay Eq. 21; docs/echo.md (units), docs/dielectric.md (matrix elements).

    Examples
    --------
    >>> float(ats_phonon_rate(1.0, 1.0, 1e-3, 1e8))  # E = D, T << E: Gamma^-1 D^5 / 2
    50000000.0
    """
    G = check_positive("Gamma_inv_per_sK5", Gamma_inv_per_sK5, allow_zero=True)
    gamma = phonon_gamma(matrix_elements)
    E = np.asarray(E_K, dtype=float)
    D = np.asarray(D_K, dtype=float)
    T = np.asarray(T_K, dtype=float)
    if (~np.isfinite(T) | (T <= 0)).any():
        raise ValueError(f"T_K must be finite and > 0 K, got {plain(T_K)}")
    return G * E**3 * (E * E - gamma * D * D) / np.tanh(E / (2.0 * T))
