"""Single-system pieces of the weak-field echo (essay Eq. 21, 27-29, 32): Rabi frequencies, pulse
areas, the decay rate and the closed-form echo of one effective two-level system.

In the weak-field limit an ATS is an effective 2LS of gap E = sqrt(D^2 + (D0 phi)^2); these are
its Rabi frequency Omega_R (Eq. 27, or the exact three-well matrix element), the generalized
Omega_G, the pulse areas, the lumped decay rate w = c T + tau^-1 (Eq. 21, 33-34) and the echo
z = tanh(E/2T) (Omega_R/Omega_G)^3 exp(-2 w tau12) [S + i C] derived on the Bloch equations and
checked against :mod:`etm.echo.dynamics` (docs/echo.md, section 1). The ensemble average is
:mod:`etm.echo`, which re-exports every name here.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from etm.checks import check_positive
from etm.constants import K_TO_RAD_S
from etm.echo.dynamics import thermal_polarization
from etm.params import EchoParams, Pulses
from etm.relaxation import ats_phonon_rate

__all__ = [
    "C_FORMS",
    "MATRIX_ELEMENTS",
    "check_c_form",
    "coefficients",
    "generalized_rabi_frequency",
    "pulse_areas",
    "rabi_frequency",
    "relaxation_rate",
    "single_system_echo",
]

#: ``"exact"``: three-well matrix elements (docs/dielectric.md): Omega_R^2 =
#: Omega_1^2 (E^2 - D^2/2)/(4 E^2), phonon weight (E^2 - D^2/2); ``"essay"``: Eq. 27 and 21,
#: Omega_R^2 = Omega_1^2 (E^2 - D^2/6)/(6 E^2), phonon weight (E^2 - D^2/6).
MATRIX_ELEMENTS: tuple[str, ...] = ("exact", "essay")
#: ``"bloch"``: C with delta/Omega_G (what the Bloch equations give); ``"essay"``: delta/Omega_R
#: as the extraction of Eq. 28/32 prints it.
C_FORMS: tuple[str, ...] = ("bloch", "essay")

_TWO_PI = 2.0 * math.pi


# --------------------------------------------------------------------------------------------
# single systems


def coefficients(matrix_elements: str) -> tuple[float, float]:
    """(k, gamma): Omega_R^2 = Omega_1^2 k (E^2 - gamma D^2)/E^2; phonon weight E^2 - gamma D^2."""
    if matrix_elements == "exact":
        return 0.25, 0.5
    if matrix_elements == "essay":
        return 1.0 / 6.0, 1.0 / 6.0
    raise ValueError(f"matrix_elements must be one of {MATRIX_ELEMENTS}, got {matrix_elements!r}")


def check_c_form(c_form: str) -> None:
    """ValueError unless ``c_form`` is one of :data:`C_FORMS`."""
    if c_form not in C_FORMS:
        raise ValueError(f"c_form must be one of {C_FORMS}, got {c_form!r}")


def _nonneg(name: str, x: ArrayLike, unit: str) -> NDArray[np.float64]:
    a = np.asarray(x, dtype=float)
    bad = ~np.isfinite(a) | (a < 0.0)
    if bad.any():
        raise ValueError(f"{name} must be finite and >= 0 {unit}, got {a[bad].flat[0]!r}")
    return a


def rabi_frequency(
    E_K: ArrayLike, D_K: ArrayLike, omega1_per_s: float, matrix_elements: str = "exact"
) -> NDArray[np.float64]:
    """Orientation-averaged Rabi frequency Omega_R of an ATS (essay Eq. 27) [rad/s].

    Parameters
    ----------
    E_K, D_K : array_like
        Gap E = sqrt(D^2 + (D0 phi)^2) and effective asymmetry D [K], 0 <= D <= E, E > 0.
    omega1_per_s : float
        Omega_1 = p1 F0/hbar [rad/s], > 0 (:attr:`EchoParams.omega1_per_s`).
    matrix_elements : {"exact", "essay"}
        ``"exact"``: Omega_1 sqrt((E^2 - D^2/2)/(4 E^2)), the three-well transition element in the
        dielectric convention p1^2 = (2/3) p^2 (docs/dielectric.md); ``"essay"``: Eq. 27,
        Omega_1 sqrt((E^2 - D^2/6)/(6 E^2)).

    Returns
    -------
    ndarray
        Omega_R [rad/s], broadcast over E_K and D_K.

    Examples
    --------
    >>> round(float(rabi_frequency(1.0, 0.0, 6.0, "essay") ** 2), 12)  # D = 0: Omega_1^2/6
    6.0
    """
    k, g = coefficients(matrix_elements)
    w1 = check_positive("omega1_per_s", omega1_per_s)
    E = np.asarray(E_K, dtype=float)
    D = np.asarray(D_K, dtype=float)
    return w1 * np.sqrt(k * (1.0 - g * (D / E) ** 2))


def generalized_rabi_frequency(
    E_K: ArrayLike, omega_R_per_s: ArrayLike, f_Hz: float
) -> NDArray[np.float64]:
    """Omega_G = sqrt(Omega_R^2 + (omega0 - omega)^2) [rad/s], hbar omega0 = k_B E (essay Eq. 28).

    Examples
    --------
    >>> p = Pulses(1e9, 1e-7, 2e-7, 1e-6)
    >>> round(float(generalized_rabi_frequency(p.hf_K, 3.0e6, 1e9)), 3)
    3000000.0
    """
    f = check_positive("f_Hz", f_Hz)
    delta = np.asarray(E_K, dtype=float) * K_TO_RAD_S - _TWO_PI * f
    return np.hypot(np.asarray(omega_R_per_s, dtype=float), delta)


def pulse_areas(
    E_K: ArrayLike, omega_R_per_s: ArrayLike, pulses: Pulses
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Pulse areas theta_k = Omega_G tau_k [rad] (essay Eq. 32).

    Examples
    --------
    >>> p = Pulses(1e9, 1e-7, 2e-7, 1e-6)
    >>> [round(float(t), 6) for t in pulse_areas(p.hf_K, 1e7, p)]
    [1.0, 2.0]
    """
    OG = generalized_rabi_frequency(E_K, omega_R_per_s, pulses.f_Hz)
    return OG * pulses.tau1_s, OG * pulses.tau2_s


def relaxation_rate(
    E_K: ArrayLike,
    D_K: ArrayLike,
    T_K: ArrayLike,
    params: EchoParams,
    matrix_elements: str = "exact",
) -> NDArray[np.float64]:
    """Echo decay rate w = c T + Gamma^-1 E^3 (E^2 - gamma D^2) coth(E/2T) [1/s] (Eq. 21, 33-34).

    Parameters
    ----------
    E_K, D_K : array_like
        Gap and effective asymmetry [K].
    T_K : array_like
        Temperature [K], > 0.
    params : EchoParams
        Supplies Gamma^-1 [1/(s K^5)] and c [1/(s K)].
    matrix_elements : {"exact", "essay"}
        gamma = 1/2 (three-well transition weight) or 1/6 (Eq. 21).

    Returns
    -------
    ndarray
        w [1/s]: spectral diffusion (Eq. 34) plus the ATS one-phonon rate (Eq. 21).

    Notes
    -----
    Table 7 gives Gamma^-1 in 1/(us K^5), which fixes the reading of Eq. 21 as
    Gamma^-1 E^3 (D0^2 phi^2 + (5/6) D^2) coth(E/2T) with E^5 overall (the dielectric module,
    whose tables carry no units for the rate, reads the 2LS-like E^3 law; docs/echo.md).

    Examples
    --------
    >>> from etm import materials
    >>> p = materials.echo_row("BAS sample 2").params
    >>> round(float(relaxation_rate(0.048, 0.048, 0.012, p, "essay")) / 1e6, 4)  # 1/us
    0.1025
    """
    coefficients(matrix_elements)
    rate = ats_phonon_rate(E_K, D_K, T_K, params.Gamma_inv_per_sK5, matrix_elements)
    return params.c_per_sK * np.asarray(T_K, dtype=float) + rate


def single_system_echo(
    E_K: ArrayLike,
    omega_R_per_s: ArrayLike,
    pulses: Pulses,
    w_per_s: ArrayLike = 0.0,
    T_K: ArrayLike = 0.0,
    *,
    c_form: str = "bloch",
) -> NDArray[np.complex128]:
    """Closed-form echo z = tanh(E/2T) (Omega_R/Omega_G)^3 exp(-2 w tau12) (S + i C) of one system.

    Parameters
    ----------
    E_K : array_like
        Gap [K], >= 0.
    omega_R_per_s : array_like
        Rabi frequency [rad/s], > 0.
    pulses : Pulses
        The sequence.
    w_per_s : array_like
        Coherence decay rate [1/s], >= 0.
    T_K : array_like
        Temperature [K], >= 0.
    c_form : {"bloch", "essay"}
        delta/Omega_G (Bloch equations) or delta/Omega_R (the extraction of Eq. 32) in C.

    Returns
    -------
    ndarray of complex
        z in the convention of :func:`etm.echo.dynamics.two_pulse_echo`, which it reproduces for
        ``c_form="bloch"``.

    References
    ----------
    Essay Eqs. 28-29, 32.

    Examples
    --------
    >>> p = Pulses(1e9, 1e-7, 2e-7, 1e-6)
    >>> complex(single_system_echo(p.hf_K, 1e7, p)) == complex(np.sin(1.0) * np.sin(1.0) ** 2)
    True
    """
    check_c_form(c_form)
    E = _nonneg("E_K", E_K, "K")
    Om = _nonneg("omega_R_per_s", omega_R_per_s, "rad/s")
    w = _nonneg("w_per_s", w_per_s, "1/s")
    T = _nonneg("T_K", T_K, "K")
    delta = E * K_TO_RAD_S - pulses.omega_per_s
    OG = np.hypot(Om, delta)
    a1, a2 = OG * pulses.tau1_s, OG * pulses.tau2_s
    S = np.sin(a1) * np.sin(0.5 * a2) ** 2
    ss = np.sin(0.5 * a1) ** 2 * np.sin(0.5 * a2) ** 2
    C = -2.0 * delta / (OG if c_form == "bloch" else Om) * ss
    pref = thermal_polarization(E, T) * (Om / OG) ** 3 * np.exp(-2.0 * w * pulses.tau12_s)
    return pref * (S + 1j * C)
