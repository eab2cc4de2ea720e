"""The total model of a measured superconducting resonator: TLS + quasiparticles + the rest.

    1/Q_i(T, n) = 1/Q_TLS(T, n) + 1/Q_QP(T) + 1/Q_other
    f0(T)       = f_r [1 + (delta f/f)_TLS(T) + (delta f/f)_QP(T)]

with :mod:`etm.resonator.tls` (resonant TLS: F delta0 tanh(hf/2kT) S(n, T) and the digamma shift)
and :mod:`etm.resonator.quasiparticles` (Mattis-Bardeen at k_B T, hf << Delta, thin film, kinetic
inductance fraction alpha). Both shifts vanish at T -> 0, so f_r is the resonance frequency at
zero temperature; the TLS terms are evaluated at f_r (the shifts are ~1e-5, their effect on hf/kT
is far below any fit's resolution). docs/resonator.md derives and checks every term.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from etm.checks import check_array, check_positive, check_temperature
from etm.resonator.quasiparticles import frequency_shift_qp, inverse_q_qp
from etm.resonator.tls import frequency_shift_tls, inverse_q_tls

__all__ = ["inverse_qi", "resonance_frequency"]


def _qp_kwargs(Delta_K, Tc_K, T0_K, p) -> dict:
    return {"Delta_K": Delta_K, "Tc_K": Tc_K, "T0_K": T0_K, "p": p}


def inverse_qi(
    T_K: ArrayLike,
    n_photons: ArrayLike = 0.0,
    *,
    f_Hz: ArrayLike,
    F_delta0: float,
    n_c: float | None = None,
    beta: float = 1.0,
    beta1: float = 0.0,
    T_ref_K: float = 0.1,
    saturation: str = "inside",
    Delta_K: float | None = None,
    Tc_K: float | None = None,
    alpha: float = 0.0,
    T0_K: float = 0.0,
    p: float = 5.0,
    inverse_Q_other: float = 0.0,
) -> NDArray[np.float64]:
    """Internal loss 1/Q_i = 1/Q_TLS + 1/Q_QP + 1/Q_other.

    Parameters
    ----------
    T_K : array_like
        Temperature T [K], > 0.
    n_photons : array_like, optional
        Mean photon number n >= 0 (default 0), broadcast against ``T_K``.
    f_Hz : array_like
        Resonance frequency [Hz], > 0.
    F_delta0, n_c, beta, beta1, T_ref_K, saturation
        The TLS loss (:func:`etm.resonator.tls.inverse_q_tls`).
    Delta_K, Tc_K, alpha, T0_K, p
        The quasiparticle loss (:func:`etm.resonator.quasiparticles.inverse_q_qp`): one of the gap
        Delta0/k_B [K] and Tc [K], the kinetic inductance fraction alpha (default 0: no
        quasiparticle term, and then no gap is needed) and the effective temperature's T0 [K], p.
    inverse_Q_other : float, optional
        Temperature- and power-independent loss 1/Q_other >= 0 (radiation, vortices, ...).

    Returns
    -------
    ndarray
        1/Q_i, broadcast over T and n.

    References
    ----------
    docs/resonator.md ("Total model").

    Examples
    --------
    >>> q = inverse_qi([0.03, 0.3], f_Hz=7.7e9, F_delta0=2e-5, Tc_K=1.2, alpha=0.05,
    ...                inverse_Q_other=1e-5)
    >>> bool(q[1] > q[0] > 1e-5)
    True
    """
    loss = inverse_q_tls(
        T_K,
        n_photons,
        f_Hz=f_Hz,
        F_delta0=F_delta0,
        n_c=n_c,
        beta=beta,
        beta1=beta1,
        T_ref_K=T_ref_K,
        saturation=saturation,
    )
    loss = loss + check_positive("inverse_Q_other", inverse_Q_other, allow_zero=True)
    if alpha != 0.0:
        loss = loss + inverse_q_qp(T_K, f_Hz, alpha=alpha, **_qp_kwargs(Delta_K, Tc_K, T0_K, p))
    return loss


def resonance_frequency(
    T_K: ArrayLike,
    *,
    f_r_Hz: float,
    F_delta0: float,
    Delta_K: float | None = None,
    Tc_K: float | None = None,
    alpha: float = 0.0,
    T0_K: float = 0.0,
    p: float = 5.0,
) -> NDArray[np.float64]:
    """Resonance frequency f0(T) = f_r [1 + (delta f/f)_TLS + (delta f/f)_QP] [Hz].

    Parameters
    ----------
    T_K : array_like
        Temperature T [K], > 0.
    f_r_Hz : float
        Resonance frequency at T = 0 [Hz], > 0.
    F_delta0 : float
        Filling factor times intrinsic TLS loss tangent, >= 0 (digamma shift of
        :func:`etm.resonator.tls.frequency_shift_tls`).
    Delta_K, Tc_K, alpha, T0_K, p
        The quasiparticle shift (:func:`etm.resonator.quasiparticles.frequency_shift_qp`);
        alpha = 0 (default) drops it.

    Returns
    -------
    ndarray
        f0(T) [Hz].

    References
    ----------
    docs/resonator.md ("Total model").

    Examples
    --------
    >>> f0 = resonance_frequency([0.05, 0.3], f_r_Hz=7.7182e9, F_delta0=1e-6, Tc_K=1.2, alpha=0.05)
    >>> bool(f0[1] < f0[0] < 7.7182e9)
    True
    """
    T = check_temperature(T_K)
    fr = check_positive("f_r_Hz", f_r_Hz, unit="Hz")
    shift = frequency_shift_tls(T, f_Hz=fr, F_delta0=F_delta0)
    if alpha != 0.0:
        shift = shift + frequency_shift_qp(T, fr, alpha=alpha, **_qp_kwargs(Delta_K, Tc_K, T0_K, p))
    return fr * (1.0 + check_array("shift", shift, minimum=-1.0, strict=True))
