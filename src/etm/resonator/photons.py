"""Mean photon number in a resonator driven through its coupling port.

A resonator of loaded quality factor Q_l (total decay rate kappa = omega/Q_l) and coupling quality
factor Q_c (kappa_c = omega/Q_c), driven on resonance with power P at the device, stores on average

    notch (side-coupled to a through line, driven from one side):  n = 2 Q_l^2 P/(Q_c hbar omega^2)
    reflection (one port, driven through it):                      n = 4 Q_l^2 P/(Q_c hbar omega^2)

with omega = 2 pi f0. Derivation (docs/resonator.md, "Photon number"): input-output theory gives
da/dt = -(kappa/2) a + sqrt(kappa_c') a_in with |a_in|^2 = P/(hbar omega) photons per second; a
one-port resonator couples to its one line with kappa_c' = kappa_c, a notch resonator to each of
the two directions of the through line with kappa_c/2, so kappa_c' = kappa_c/2. In the steady
state on resonance |a|^2 = 4 kappa_c' P/(hbar omega kappa^2). These agree with resonator-tools
>= 2.2.0 (``get_photons_in_resonator``; its earlier notch formula was 2x too high) and with
Clerk et al., Rev. Mod. Phys. 82, 1155 (2010), and McRae et al., Rev. Sci. Instrum. 91, 091101
(2020). P is the power at the device: the instrument power minus the line attenuation.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from etm.checks import check_array, check_choice
from etm.constants import hbar

__all__ = ["GEOMETRIES", "PHOTON_CONVENTION", "dbm_to_watt", "photon_number", "watt_to_dbm"]

#: Coupling geometries and their prefactor k in n = k Q_l^2 P/(Q_c hbar omega^2).
GEOMETRIES: dict[str, float] = {"notch": 2.0, "reflection": 4.0}

#: The convention, as written into every output table (one line per geometry).
PHOTON_CONVENTION: dict[str, str] = {
    "notch": "n = 2 Ql^2 P_device/(Qc hbar omega0^2), omega0 = 2 pi f0 (notch, driven one side)",
    "reflection": "n = 4 Ql^2 P_device/(Qc hbar omega0^2), omega0 = 2 pi f0 (one-port reflection)",
}


def dbm_to_watt(P_dBm: ArrayLike) -> NDArray[np.float64]:
    """Power in watts of ``P_dBm`` (decibels relative to 1 mW); NaN stays NaN.

    Examples
    --------
    >>> float(dbm_to_watt(-30.0))
    1e-06
    """
    P = np.asarray(P_dBm, dtype=float)
    return 1e-3 * 10.0 ** (P / 10.0)


def watt_to_dbm(P_W: ArrayLike) -> NDArray[np.float64]:
    """Power in dBm of ``P_W`` [W] > 0.

    Examples
    --------
    >>> float(watt_to_dbm(1e-3))
    0.0
    """
    P = check_array("P_W", P_W, minimum=0.0, strict=True, unit="W")
    return 10.0 * np.log10(P / 1e-3)


def photon_number(
    P_dBm: ArrayLike,
    f_Hz: ArrayLike,
    *,
    Ql: ArrayLike,
    Qc: ArrayLike,
    geometry: str = "notch",
) -> NDArray[np.float64]:
    """Mean photon number n in a resonator driven on resonance with power ``P_dBm`` at the device.

    Parameters
    ----------
    P_dBm : array_like
        Drive power at the device P [dBm] (instrument power minus line attenuation). NaN (power
        unknown) gives NaN.
    f_Hz : array_like
        Resonance frequency f0 [Hz], > 0.
    Ql : array_like
        Loaded quality factor Q_l, > 0.
    Qc : array_like
        Coupling quality factor Q_c, > 0 (for a notch resonator the real part of the complex Q_c,
        Khalil et al. J. Appl. Phys. 111, 054510 (2012), as the fit reports it).
    geometry : {"notch", "reflection"}
        Coupling geometry: prefactor 2 (notch) or 4 (reflection).

    Returns
    -------
    ndarray
        n = k Q_l^2 P / (Q_c hbar omega^2), k = 2 (notch) or 4 (reflection), omega = 2 pi f0,
        broadcast over the inputs.

    References
    ----------
    docs/resonator.md ("Photon number").

    Examples
    --------
    >>> n = photon_number(-120.0, 5e9, Ql=1e4, Qc=2e4, geometry="notch")
    >>> round(float(n), 2)  # 2 * 1e8 * 1e-15 W / (2e4 * hbar * (2 pi 5e9 Hz)^2)
    96.08
    """
    k = GEOMETRIES[check_choice("geometry", geometry, GEOMETRIES)]
    P = np.asarray(P_dBm, dtype=float)
    if np.isinf(P).any():
        raise ValueError(f"P_dBm must be finite or NaN (unknown) [dBm], got {P[np.isinf(P)][0]}")
    f = check_array("f_Hz", f_Hz, minimum=0.0, strict=True, unit="Hz")
    Ql_ = check_array("Ql", Ql, minimum=0.0, strict=True)
    Qc_ = check_array("Qc", Qc, minimum=0.0, strict=True)
    omega = 2.0 * np.pi * f
    return k * Ql_**2 * dbm_to_watt(P) / (Qc_ * hbar * omega**2)
