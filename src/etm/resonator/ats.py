"""Superconducting resonators and qubits: frequency shift and internal loss from tunneling systems.

A resonator whose electric energy sits to a fraction F (the filling factor) in the glass sees the
glass's tunneling systems through (docs/dielectric.md §3f)

    delta f0 / f0 = -(F/2) delta eps'/eps'        1/Q_i = F tan(delta) + 1/Q_other

with delta eps'/eps' and tan(delta) the 2LS background of :mod:`etm.dielectric.stm` (parameter
C = Pbar p^2/(eps0 eps_r); its low-power, hf >> kT loss is delta0 = pi C/3) plus the ATS part of
:mod:`etm.dielectric` (parameters of Tables 5-6) at the resonator's frequency. The resonant loss
of both saturates with the circulating power as 1/sqrt(1 + P/P_c); the two populations have
their own critical powers.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from etm.checks import check_drive_ratio, check_frequency, check_positive, plain
from etm.dielectric.ats import ats_response
from etm.dielectric.stm import stm_relaxation, stm_resonant, stm_resonant_loss
from etm.materials.coerce import as_dielectric
from etm.params import DielectricATS

__all__ = ["check_filling_factor", "fractional_shift", "inverse_q"]


def check_filling_factor(filling_factor: float) -> float:
    """Return the filling factor F as a float; ``ValueError`` unless 0 < F <= 1."""
    F = float(filling_factor)
    if not (np.isfinite(F) and 0.0 < F <= 1.0):
        raise ValueError(f"filling_factor must satisfy 0 < filling_factor <= 1, got {plain(F)}")
    return F


def _ats_kwargs(relaxation, Gamma_inv_per_sK5, orientation, measuring_field, matrix_elements):
    return {
        "relaxation": relaxation,
        "Gamma_inv_per_sK5": Gamma_inv_per_sK5,
        "orientation": orientation,
        "measuring_field": measuring_field,
        "matrix_elements": matrix_elements,
    }


def fractional_shift(
    T_K: ArrayLike,
    B_T: ArrayLike,
    f_Hz: ArrayLike,
    *,
    filling_factor: float,
    C: float = 0.0,
    ats: DielectricATS | None = None,
    A_phonon: float | None = None,
    E_ref_K: float = 1.0,
    relaxation: str = "frozen",
    Gamma_inv_per_sK5: float | None = None,
    orientation: str = "isotropic",
    measuring_field: str = "random",
    matrix_elements: str = "exact",
) -> NDArray[np.float64]:
    """Fractional resonance shift delta f0/f0 = -(F/2) delta eps'/eps' from the tunneling systems.

    Parameters
    ----------
    T_K : array_like
        Temperature T [K], > 0.
    B_T : array_like
        Magnetic field B [T], >= 0 (only the ATS part depends on it).
    f_Hz : array_like
        Resonance frequency f0 [Hz], > 0. T, B and f broadcast together.
    filling_factor : float
        F, the fraction of the electric energy in the glass, 0 < F <= 1.
    C : float
        2LS background C = Pbar p^2/(eps0 eps_r) >= 0 (:func:`etm.dielectric.stm.stm_resonant`).
    ats : DielectricATS, optional
        ATS parameters (amplitude A [K] and cutoffs, Tables 5-6); None: no ATS part.
    A_phonon : float, optional
        2LS one-phonon coefficient [1/(s K^3)] of :func:`etm.dielectric.stm.stm_relaxation`;
        None: the 2LS relaxation is frozen (omega tau >> 1, the usual GHz case).
    E_ref_K : float
        Reference energy [K] of the 2LS resonant constant: only differences in T of the shift are
        defined (the 2LS term carries -(F/3) C ln(E_max/E_ref), absorbed in f0).
    relaxation, Gamma_inv_per_sK5, orientation, measuring_field, matrix_elements
        ATS options, as in :func:`etm.dielectric.ats_response`.

    Returns
    -------
    ndarray
        delta f0/f0, dimensionless. The 2LS part is the textbook
        ``(F delta0/pi) [Re psi(1/2 + hf/(2 pi i kT)) - ln(hf/kT)]`` up to a T-independent
        constant, delta0 = pi C/3.

    References
    ----------
    docs/dielectric.md §3f; Phillips, Rep. Prog. Phys. 50, 1657 (1987); the essay's Eq. 16-22.

    Examples
    --------
    >>> x = fractional_shift([0.02, 0.1, 1.0], 0.0, 5e9, filling_factor=1.0, C=3e-5 / np.pi)
    >>> bool(x[1] < x[0] < x[2])  # the 2LS dip near kT ~ hf/2, then the rise like ln T
    True
    """
    ats = None if ats is None else as_dielectric(ats, "ats")
    F = check_filling_factor(filling_factor)
    check_frequency(f_Hz, positive=True)
    eps = stm_resonant(T_K, f_Hz, C, E_ref_K=E_ref_K)
    if A_phonon is not None:
        eps = eps + stm_relaxation(T_K, f_Hz, C, A_phonon)[0]
    if ats is not None:
        kw = _ats_kwargs(
            relaxation, Gamma_inv_per_sK5, orientation, measuring_field, matrix_elements
        )
        eps = eps + ats_response(T_K, B_T, ats, f_Hz, **kw).real
    else:
        eps = eps + 0.0 * np.asarray(B_T, dtype=float)
    return -0.5 * F * np.asarray(eps)


def inverse_q(
    T_K: ArrayLike,
    B_T: ArrayLike,
    f_Hz: ArrayLike,
    *,
    filling_factor: float,
    C: float = 0.0,
    ats: DielectricATS | None = None,
    drive_ratio: ArrayLike = 0.0,
    drive_ratio_ats: ArrayLike | None = None,
    inverse_Q_other: float = 0.0,
    A_phonon: float | None = None,
    relaxation: str = "frozen",
    Gamma_inv_per_sK5: float | None = None,
    orientation: str = "isotropic",
    measuring_field: str = "random",
    matrix_elements: str = "exact",
) -> NDArray[np.float64]:
    """Internal loss 1/Q_i = F tan(delta)_TLS + 1/Q_other, with power saturation.

    Parameters
    ----------
    T_K, B_T, f_Hz : array_like
        Temperature [K] > 0, field [T] >= 0, resonance frequency [Hz] > 0 (broadcast).
    filling_factor : float
        F, 0 < F <= 1.
    C : float
        2LS background C >= 0; its low-power loss at hf >> kT is F delta0 with delta0 = pi C/3.
    ats : DielectricATS, optional
        ATS parameters; None: no ATS part.
    drive_ratio : array_like
        P/P_c = (F_rf/F_c)^2 >= 0 of the 2LS (broadcast with T, B, f):
        tan(delta)_res = (pi/3) C tanh(hf/2kT)/sqrt(1 + P/P_c).
    drive_ratio_ats : array_like, optional
        The same for the ATS, with their own critical field (docs/dielectric.md §3c); default:
        ``drive_ratio``.
    inverse_Q_other : float
        1/Q of all other losses (radiation, quasiparticles, ...), >= 0 (default 0).
    A_phonon : float, optional
        2LS one-phonon coefficient [1/(s K^3)]; None: 2LS relaxation frozen (no relaxation loss).
    relaxation, Gamma_inv_per_sK5, orientation, measuring_field, matrix_elements
        ATS options, as in :func:`etm.dielectric.ats_response`.

    Returns
    -------
    ndarray
        1/Q_i, dimensionless.

    References
    ----------
    docs/dielectric.md §3c, §3f; the essay's Eq. 16-22.

    Examples
    --------
    >>> q = inverse_q(0.01, 0.0, 5e9, filling_factor=0.5, C=3e-5 / np.pi, drive_ratio=[0, 1e4])
    >>> [round(float(v) * 1e6, 4) for v in q]  # F delta0 = 5e-6, then 1/sqrt(1 + 1e4)
    [5.0, 0.05]
    """
    ats = None if ats is None else as_dielectric(ats, "ats")
    F = check_filling_factor(filling_factor)
    check_frequency(f_Hz, positive=True)
    Qo = check_positive("inverse_Q_other", inverse_Q_other, allow_zero=True)
    s = check_drive_ratio(drive_ratio)
    s_ats = s if drive_ratio_ats is None else check_drive_ratio(drive_ratio_ats)
    tl = stm_resonant_loss(T_K, f_Hz, C, drive_ratio=s)
    if A_phonon is not None:
        tl = tl + stm_relaxation(T_K, f_Hz, C, A_phonon)[1]
    if ats is not None:
        kw = _ats_kwargs(
            relaxation, Gamma_inv_per_sK5, orientation, measuring_field, matrix_elements
        )
        tl = tl + ats_response(T_K, B_T, ats, f_Hz, drive_ratio=s_ats, **kw).imag
    else:
        tl = tl + 0.0 * np.asarray(B_T, dtype=float)
    return F * np.asarray(tl) + Qo
