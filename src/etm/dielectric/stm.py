"""Standard tunneling model (STM) background of the dielectric constant and loss.

The field-blind two-level systems (2LS) of a glass give the temperature dependence of eps' and
eps'' on which the magnetic ATS effects sit. Conventions (derived in ``docs/dielectric.md``):

* a 2LS has H = (1/2)(Delta sigma_z + Delta0 sigma_x) in the well basis and couples to an
  electric field F through Delta -> Delta + 2 p.F (dipole operator p sigma_z);
* the distribution is P(Delta, Delta0) = Pbar/Delta0 on Delta >= 0, dipoles isotropic
  (<cos^2> = 1/3);
* C = Pbar p^2/(eps0 eps_r), dimensionless; all energies in kelvin (E/k_B);
* time dependence exp(-i omega t), so that eps'' > 0 is a loss; every result is relative to the
  background eps' (delta eps'/eps' and tan(delta) = eps''/eps').

With these the textbook results hold exactly: resonant delta eps'/eps' = -(2/3) C ln(T/T0)
for hf << kT, relaxational slope +C for omega tau_min << 1, resonant plateau tan(delta) =
(pi/3) C tanh(hf/2kT) and relaxational plateau (pi/6) C.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from etm.checks import check_drive_ratio, check_frequency, check_positive, check_temperature
from etm.constants import HF_K_PER_HZ
from etm.ensemble.measure import gauss_legendre01

__all__ = [
    "relaxation_u_integral",
    "stm_relaxation",
    "stm_resonant",
    "stm_resonant_loss",
    "stm_total",
]


# Series/closed-form switch of :func:`relaxation_u_integral`: below it the closed form loses
# digits to cancellation (J ~ s), above it the series in 1/b^2 = s/(s - i) converges slowly.
_S_SERIES = 0.1
_N_SERIES = 30


def stm_resonant(
    T_K: ArrayLike, f_Hz: ArrayLike, C: float, *, E_ref_K: float = 1.0
) -> NDArray[np.float64]:
    """Resonant 2LS contribution delta eps'/eps', valid for any hf/kT.

    Parameters
    ----------
    T_K : array_like
        Temperature T [K], > 0.
    f_Hz : array_like
        Measuring frequency f [Hz], > 0 (broadcast against ``T_K``).
    C : float
        C = Pbar p^2/(eps0 eps_r), dimensionless, >= 0.
    E_ref_K : float, optional
        Reference energy [K] that fixes the T-independent constant (default 1 K).

    Returns
    -------
    ndarray
        ``(2/3) C [ln(y/pi) - Re psi(1/2 + i y/pi) - ln(hf/E_ref)]`` with y = hf/(2 k_B T).

    Notes
    -----
    With the conventions of the module, the resonant susceptibility of one 2LS is
    ``|p01|^2 tanh(E/2T) [1/(E - hf) + 1/(E + hf)]`` with ``|p01|^2 = p^2 cos^2 (Delta0/E)^2``;
    averaged over Pbar/Delta0 and the dipole orientation, and up to ``E_max``,

        delta eps'/eps' = (2/3) C PV int_0^Emax dE tanh(E/2T) E/(E^2 - (hf)^2)
                        = (2/3) C [F(y) + ln(Emax/hf)],   F(y) = ln(y/pi) - Re psi(1/2 + i y/pi)

    (Mittag-Leffler series of tanh; derivation in docs/dielectric.md). The cutoff enters only
    through the T-independent constant (2/3) C ln(Emax/E_ref), which this function drops. Limits:
    hf << kT gives -(2/3) C ln(T/T0) with T0 = (2 e^gamma/pi) E_ref (f-independent);
    hf >> kT saturates at (2/3) C ln(E_ref/hf) + O((kT/hf)^2).

    References
    ----------
    docs/dielectric.md (the textbook STM result); Phillips, Rep. Prog. Phys. 50, 1657 (1987).

    Examples
    --------
    >>> slope = (stm_resonant(0.02, 1e3, 1.0) - stm_resonant(0.01, 1e3, 1.0)) / np.log(2.0)
    >>> round(float(slope), 6)
    -0.666667
    """
    C = check_positive("C", C, allow_zero=True)
    E_ref = check_positive("E_ref_K", E_ref_K)
    T = check_temperature(T_K)
    f = check_frequency(f_Hz, positive=True)
    y = HF_K_PER_HZ * f / (2.0 * T)
    # ln(y/pi) - Re psi(1/2 + i y/pi) - ln(hf/E_ref) = -ln(2 pi T/E_ref) - Re psi(...): written
    # this way the hf -> 0 limit has no ln(0) and no cancellation.
    psi = special.psi(0.5 + 1j * y / np.pi).real
    return (2.0 / 3.0) * C * (-np.log(2.0 * np.pi * T / E_ref) - psi)


def stm_resonant_loss(
    T_K: ArrayLike, f_Hz: ArrayLike, C: float, *, drive_ratio: ArrayLike = 0.0
) -> NDArray[np.float64]:
    """Resonant 2LS loss tan(delta) = (pi/3) C tanh(hf/2kT) / sqrt(1 + (F/F_c)^2).

    Parameters
    ----------
    T_K : array_like
        Temperature [K], > 0.
    f_Hz : array_like
        Frequency [Hz], >= 0.
    C : float
        Pbar p^2/(eps0 eps_r), >= 0.
    drive_ratio : array_like
        Saturation parameter s = (F/F_c)^2 >= 0 of the measuring field F against the critical
        field F_c (for a resonator s = P/P_c, the circulating power over the critical power);
        0 (default) is linear response. Broadcast against T and f.

    Returns
    -------
    ndarray
        tan(delta)_res; at s = 0 the Kramers-Kronig partner of :func:`stm_resonant`
        (``(2/3) C Im psi(1/2 + i y/pi)``).

    Notes
    -----
    The standard saturation form (docs/dielectric.md §3c): a resonant 2LS with Rabi frequency
    Omega and times T1, T2 absorbs, integrated over its Lorentzian of width
    sqrt(1 + Omega^2 T1 T2)/T2, a fraction 1/sqrt(1 + Omega^2 T1 T2) of its linear absorption.
    In the STM Omega^2 ~ (Delta0/E)^2 F^2 and T1 ~ (E/Delta0)^2, so Omega^2 T1 T2 = (F/F_c)^2
    is the same for every resonant system (the dipole-angle spread is folded into F_c, as in
    the standard form).

    References
    ----------
    docs/dielectric.md; Phillips, Rep. Prog. Phys. 50, 1657 (1987).

    Examples
    --------
    >>> round(float(stm_resonant_loss(1e-4, 1e9, 3.0 / np.pi)), 6)  # hf >> kT: plateau pi C/3
    1.0
    >>> round(float(stm_resonant_loss(1e-4, 1e9, 3.0 / np.pi, drive_ratio=3.0)), 6)
    0.5
    """
    C = check_positive("C", C, allow_zero=True)
    T = check_temperature(T_K)
    f = check_frequency(f_Hz)
    s = check_drive_ratio(drive_ratio)
    return (np.pi / 3.0) * C * np.tanh(HF_K_PER_HZ * f / (2.0 * T)) / np.sqrt(1.0 + s)


def relaxation_u_integral(s: ArrayLike) -> NDArray[np.complex128]:
    """J(s) = int_0^1 du sqrt(1 - u^2)/u * 1/(1 - i/(s u^2)), in closed form.

    Parameters
    ----------
    s : array_like
        ``s = 1/(omega tau_min) >= 0``: the Debye factor of a 2LS with Delta0/E = u is
        1/(1 - i omega tau) with omega tau = 1/(s u^2).

    Returns
    -------
    ndarray of complex
        ``J = b artanh(1/b) - 1``, b = sqrt(1 - i/s); Re J -> (1/2) ln(4 s) - 1 and
        Im J -> pi/4 for s >> 1; J -> i s/3 for s << 1.

    Notes
    -----
    With v = u^2 and w = sqrt(1 - v) the integral is elementary. ``artanh(1/b)`` is evaluated as
    ``(1/2) ln(i s (b + 1)^2)`` (using b^2 - 1 = -i/s), which has no cancellation as s -> inf;
    for s < 0.1 the series ``sum_k z^k/(2k+1)``, z = 1/b^2 = s/(s - i), is used instead.

    Examples
    --------
    >>> J = complex(relaxation_u_integral(1e8))
    >>> round(J.imag, 6), round(J.real - (0.5 * float(np.log(4e8)) - 1.0), 6)
    (0.785398, 0.0)
    """
    s = np.asarray(s, dtype=float)
    small = s < _S_SERIES
    out = np.empty(s.shape, dtype=complex)
    ss = s[small]
    z = ss / (ss - 1j)
    acc = np.zeros(ss.shape, dtype=complex)
    zk = np.ones(ss.shape, dtype=complex)
    for k in range(1, _N_SERIES + 1):  # |z| < 0.1: 30 terms reach 1e-30
        zk = zk * z
        acc = acc + zk / (2 * k + 1)
    out[small] = acc
    sl = s[~small]
    b = np.sqrt(1.0 - 1j / sl)
    out[~small] = 0.5 * b * np.log(1j * sl * (b + 1.0) ** 2) - 1.0
    return out


# Quadrature of the thermal integral over x = E/2kT in ln x: panels of width ~0.7 in ln x resolve
# the crossover of J (width ~1/3 in ln x, since s ~ x^3); 8 Gauss nodes per panel are then
# accurate to ~1e-12.
_X_TOP = 40.0  # sech^2(40) ~ 1e-34
_N_PANELS = 80
_GL_U, _GL_W = gauss_legendre01(8)  # the one Gauss-Legendre rule, on [0, 1]


def _x_nodes(x_lo: NDArray) -> tuple[NDArray, NDArray]:
    """Nodes x and weights dx (shape (..., P*8)) on [x_lo, X_TOP], uniform in ln x."""
    lo = np.log(x_lo)[..., None]
    span = (np.log(_X_TOP) - lo) / _N_PANELS
    edges = lo + span * np.arange(_N_PANELS)
    t = edges[..., None] + span[..., None] * _GL_U
    w = span[..., None] * _GL_W * np.ones_like(t)
    x = np.exp(t)
    shape = x.shape[:-2] + (-1,)
    return x.reshape(shape), (w * x).reshape(shape)


def _sech2(x: NDArray) -> NDArray:
    """sech^2(x) for x >= 0 without overflow."""
    e = np.exp(-2.0 * x)
    return 4.0 * e / (1.0 + e) ** 2


def stm_relaxation(
    T_K: ArrayLike, f_Hz: ArrayLike, C: float, A_phonon: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Relaxational 2LS contribution to eps' and eps'' (one-phonon rate, Debye factor).

    Parameters
    ----------
    T_K : array_like
        Temperature [K], > 0.
    f_Hz : array_like
        Frequency [Hz], > 0 (broadcast against ``T_K``).
    C : float
        Pbar p^2/(eps0 eps_r), >= 0.
    A_phonon : float
        One-phonon coefficient A [1/(s K^3)], > 0, of tau^-1 = A E^3 (Delta0/E)^2 coth(E/2T)
        (E in K); tau_min^-1 = A E^3 coth(E/2T).

    Returns
    -------
    delta_eps : ndarray
        delta eps'/eps' (absolute: no cutoff is needed at finite frequency).
    tan_delta : ndarray
        eps''/eps'.

    Notes
    -----
    Per system the relaxational susceptibility is ``(p11 - p00)^2/(4T) sech^2(E/2T)/(1 - i
    omega tau)`` with ``p11 - p00 = 2 p cos (Delta/E)``. With u = Delta0/E the average is

        delta eps/eps = (2/3) C int_0^inf dx sech^2(x) J(s(x)),   s = A (2Tx)^3 coth(x)/omega

    (x = E/2T, J from :func:`relaxation_u_integral`). For omega tau_min << 1 this gives slope
    d(delta eps'/eps')/d ln T = +C and the loss plateau (pi/6) C; for omega tau_min >> 1 both
    vanish like (A T^3/omega)^2 and A T^3/omega.

    References
    ----------
    docs/dielectric.md; Jaeckle, Z. Phys. 257, 212 (1972); Phillips (1987).

    Examples
    --------
    >>> d, tl = stm_relaxation([5.0, 10.0], 1e3, 1.0, 1e8)  # slope C, loss pi C/6
    >>> round(float((d[1] - d[0]) / np.log(2.0)), 3), round(float(tl[1]) * 6 / np.pi, 3)
    (1.0, 1.0)
    """
    C = check_positive("C", C, allow_zero=True)
    A = check_positive("A_phonon", A_phonon)
    T = check_temperature(T_K)
    f = check_frequency(f_Hz, positive=True)
    T, f = np.broadcast_arrays(T, f)
    omega = 2.0 * np.pi * f
    scale = A * (2.0 * T) ** 3 / omega  # s(x) ~ scale * x^2 for x << 1
    # start where s(x) <= 1e-10: J ~ s there, so the omitted piece is below 1e-10 of the result
    x_lo = np.minimum(1e-3, np.sqrt(1e-10 / scale))
    x, wx = _x_nodes(x_lo)
    sc = scale[..., None]
    # x^3 coth(x) = x^2 * (x/tanh x), finite and smooth as x -> 0
    s = sc * x * x * (x / np.tanh(x))
    J = relaxation_u_integral(s)
    val = (2.0 / 3.0) * C * np.sum(wx * _sech2(x) * J, axis=-1)
    return val.real, val.imag


def stm_total(
    T_K: ArrayLike, f_Hz: ArrayLike, C: float, A_phonon: float, *, E_ref_K: float = 1.0
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Resonant plus relaxational 2LS background: (delta eps'/eps', tan delta).

    Parameters
    ----------
    T_K, f_Hz : array_like
        Temperature [K] and frequency [Hz], broadcast together.
    C : float
        Pbar p^2/(eps0 eps_r).
    A_phonon : float
        One-phonon coefficient [1/(s K^3)].
    E_ref_K : float
        Reference energy of the resonant constant, see :func:`stm_resonant`.

    Returns
    -------
    tuple of ndarray
        ``stm_resonant + Re relaxation`` and ``stm_resonant_loss + Im relaxation``.

    Examples
    --------
    >>> T = np.geomspace(1e-3, 1.0, 61)
    >>> d, _ = stm_total(T, 1e3, 1e-4, 1e8)
    >>> 0.02 < float(T[np.argmin(d)]) < 0.1  # the resonant/relaxational minimum
    True
    """
    d_res = stm_resonant(T_K, f_Hz, C, E_ref_K=E_ref_K)
    l_res = stm_resonant_loss(T_K, f_Hz, C)
    d_rel, l_rel = stm_relaxation(T_K, f_Hz, C, A_phonon)
    return d_res + d_rel, l_res + l_rel
