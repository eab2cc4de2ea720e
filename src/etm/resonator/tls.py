"""Two-level systems (TLS) in a superconducting resonator: the loss and shift real data need.

A resonator whose electric energy sits to a fraction F in a host of resonant TLS (intrinsic loss
tangent delta0) has, with xi = hf/(2 k_B T) and n the mean photon number,

    1/Q_TLS   = F delta0 tanh(xi) S(n, T)
    delta f/f = (F delta0/pi) [Re psi(1/2 + hf/(2 pi i k_B T)) - ln(hf/(2 pi k_B T))]

The shift is relative to T = 0 (it vanishes as -(F delta0/pi) (2 pi k_B T/hf)^2/24 there), dips to
a minimum of -0.208 F delta0/pi at k_B T = 0.44 hf, crosses zero at k_B T = 0.89 hf and grows as
+(F delta0/pi) ln(2 pi k_B T/hf) above: it is -(F/2) times the STM's delta eps'/eps'
(:func:`etm.dielectric.stm.stm_resonant` with C = 3 delta0/pi and E_ref = hf). The argument of the
logarithm is hf/(2 pi k_B T), the same as the imaginary part of the digamma's argument; with
hf/(k_B T) instead the shift would carry a T-independent offset ln(2 pi) F delta0/pi.

The saturation factor S(n, T) is 1 at low power. The STM gives S = (1 + n/n_c)^(-1/2) (a TLS
driven at Rabi frequency Omega absorbs, integrated over its Lorentzian, 1/sqrt(1 + Omega^2 T1 T2)
of its linear share); measured curves flatten more slowly, and two generalizations are in use,
both the STM at beta = 1:

    saturation="inside"  (default): S = (1 + (n/n_c)^beta)^(-1/2)
    saturation="outside":           S = (1 + n/n_c)^(-beta/2)

They differ only in the crossover; both fall as (n/n_c)^(-beta/2) at n >> n_c. The critical
photon number may depend on temperature, n_c(T) = n_c (T/T_ref)^beta1 (beta1 = 0 by default): on
measured Qi(T, n) grids a T-independent n_c typically misses by about twice the error of one that
grows with T (Crowley et al., Phys. Rev. X 13, 041005 (2023), where n_c ~ T^beta1/tanh(xi)).
A slow power dependence (beta < 1) is what interacting TLS give (Faoro and Ioffe, Phys. Rev. Lett.
109, 157005 (2012), arXiv:1201.5299; Burin and Maksymov, arXiv:1802.06438).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from etm.checks import check_array, check_choice, check_finite, check_positive, check_temperature
from etm.constants import h, k_B

__all__ = [
    "SATURATION_FORMS",
    "critical_photon_number",
    "frequency_shift_tls",
    "inverse_q_tls",
    "tls_saturation",
]

#: h/k_B [K/Hz]: the photon energy hf in kelvin is ``HF_K_PER_HZ * f_Hz``.
HF_K_PER_HZ: float = h / k_B

#: The saturation forms S(n) of :func:`tls_saturation`.
SATURATION_FORMS: tuple[str, ...] = ("inside", "outside")


def critical_photon_number(
    T_K: ArrayLike, *, n_c: float, beta1: float = 0.0, T_ref_K: float = 0.1
) -> NDArray[np.float64]:
    """Critical photon number n_c(T) = n_c (T/T_ref)^beta1.

    Parameters
    ----------
    T_K : array_like
        Temperature T [K], > 0.
    n_c : float
        Critical photon number at T_ref, > 0.
    beta1 : float, optional
        Temperature exponent (default 0: n_c independent of T).
    T_ref_K : float, optional
        Reference temperature [K] > 0 (default 0.1 K; pick one inside the data's range to keep
        n_c and beta1 apart in a fit).

    Returns
    -------
    ndarray
        n_c(T) > 0.

    Examples
    --------
    >>> float(critical_photon_number(0.2, n_c=10.0, beta1=2.0))
    40.0
    """
    T = check_temperature(T_K)
    nc = check_positive("n_c", n_c)
    b1 = check_finite("beta1", beta1)
    Tref = check_positive("T_ref_K", T_ref_K, unit="K")
    return nc * (T / Tref) ** b1


def tls_saturation(
    n_photons: ArrayLike,
    n_c: ArrayLike,
    *,
    beta: float = 1.0,
    saturation: str = "inside",
) -> NDArray[np.float64]:
    """Power saturation factor S(n) of the resonant TLS loss.

    Parameters
    ----------
    n_photons : array_like
        Mean photon number n >= 0.
    n_c : array_like
        Critical photon number n_c > 0 (broadcast; e.g. :func:`critical_photon_number`).
    beta : float, optional
        Exponent beta > 0 (default 1: the STM's (1 + n/n_c)^(-1/2)).
    saturation : {"inside", "outside"}
        "inside": (1 + (n/n_c)^beta)^(-1/2); "outside": (1 + n/n_c)^(-beta/2).

    Returns
    -------
    ndarray
        0 < S <= 1, decreasing in n; S = 1 at n = 0.

    Examples
    --------
    >>> float(tls_saturation(3.0, 1.0))  # STM: 1/sqrt(1 + 3)
    0.5
    >>> float(tls_saturation(3.0, 1.0, beta=0.5, saturation="outside"))  # 4^(-1/4)
    0.7071067811865476
    """
    n = check_array("n_photons", n_photons, minimum=0.0)
    nc = check_array("n_c", n_c, minimum=0.0, strict=True)
    b = check_positive("beta", beta)
    form = check_choice("saturation", saturation, SATURATION_FORMS)
    x = n / nc
    if form == "inside":
        return 1.0 / np.sqrt(1.0 + x**b)
    return (1.0 + x) ** (-b / 2.0)


def inverse_q_tls(
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
) -> NDArray[np.float64]:
    """Resonant TLS loss 1/Q_TLS = F delta0 tanh(hf/2k_BT) S(n, T).

    Parameters
    ----------
    T_K : array_like
        Temperature T [K], > 0.
    n_photons : array_like, optional
        Mean photon number n >= 0 (default 0: low power), broadcast against ``T_K``.
    f_Hz : array_like
        Resonance frequency f [Hz], > 0.
    F_delta0 : float
        Filling factor times intrinsic TLS loss tangent, F delta0 >= 0 (their product is what the
        loss determines).
    n_c : float or None, optional
        Critical photon number at ``T_ref_K`` (> 0); None (default) means no saturation, S = 1.
    beta, saturation : optional
        Power-law exponent and form of :func:`tls_saturation` (default: the STM's).
    beta1, T_ref_K : float, optional
        n_c(T) = n_c (T/T_ref)^beta1 (:func:`critical_photon_number`); beta1 = 0 by default.

    Returns
    -------
    ndarray
        1/Q_TLS >= 0.

    References
    ----------
    docs/resonator.md ("TLS"); for beta = 1 the STM's
    :func:`etm.dielectric.stm.stm_resonant_loss` with C = 3 delta0/pi and drive_ratio = n/n_c.

    Examples
    --------
    >>> float(inverse_q_tls(1e-3, f_Hz=7.7e9, F_delta0=1e-5))  # hf >> kT: F delta0
    1e-05
    >>> float(inverse_q_tls(1e-3, 3.0, f_Hz=7.7e9, F_delta0=1e-5, n_c=1.0))
    5e-06
    """
    T = check_temperature(T_K)
    f = check_array("f_Hz", f_Hz, minimum=0.0, strict=True, unit="Hz")
    Fd = check_positive("F_delta0", F_delta0, allow_zero=True)
    loss = Fd * np.tanh(HF_K_PER_HZ * f / (2.0 * T))
    n = check_array("n_photons", n_photons, minimum=0.0)
    if n_c is None:
        return loss * np.ones_like(n)
    nc = critical_photon_number(T, n_c=n_c, beta1=beta1, T_ref_K=T_ref_K)
    return loss * tls_saturation(n, nc, beta=beta, saturation=saturation)


def frequency_shift_tls(T_K: ArrayLike, *, f_Hz: ArrayLike, F_delta0: float) -> NDArray[np.float64]:
    """Resonant TLS frequency shift delta f/f relative to T = 0 (digamma form).

    Parameters
    ----------
    T_K : array_like
        Temperature T [K], > 0.
    f_Hz : array_like
        Resonance frequency f [Hz], > 0, broadcast against ``T_K``.
    F_delta0 : float
        Filling factor times intrinsic TLS loss tangent, >= 0.

    Returns
    -------
    ndarray
        (F delta0/pi) [Re psi(1/2 + i y) - ln y], y = hf/(2 pi k_B T): 0 at T -> 0, a minimum
        -0.208 F delta0/pi at k_B T = 0.44 hf, (F delta0/pi) [ln(1/y) - 1.96] at k_B T >> hf.

    Notes
    -----
    The resonant TLS are not saturated in this form (the shift comes mostly from TLS detuned by
    more than their power-broadened width, and saturating ones near hf changes it little at the
    powers of interest); Re psi(1/2 + i y) = Re psi(1/2 - i y), so the sign convention of the
    imaginary unit in the argument does not matter. At y >> 1 the bracket is -1/(24 y^2) and the
    difference loses ~log10(24 y^2 ln y) digits: 8 at y = 1e4, i.e. T ~ 6 uK at 7.7 GHz.

    References
    ----------
    docs/resonator.md ("TLS"); J. Gao, PhD thesis (Caltech 2008); Pappas
    et al., IEEE Trans. Appl. Supercond. 21, 871 (2011).

    Examples
    --------
    >>> T_min = 0.4408 * HF_K_PER_HZ * 7.7e9
    >>> round(float(frequency_shift_tls(T_min, f_Hz=7.7e9, F_delta0=np.pi)), 3)
    -0.208
    """
    T = check_temperature(T_K)
    f = check_array("f_Hz", f_Hz, minimum=0.0, strict=True, unit="Hz")
    Fd = check_positive("F_delta0", F_delta0, allow_zero=True)
    y = HF_K_PER_HZ * f / (2.0 * np.pi * T)
    return (Fd / np.pi) * (special.digamma(0.5 + 1j * y).real - np.log(y))
