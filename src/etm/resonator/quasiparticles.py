"""Thermal quasiparticles in a superconducting resonator: Mattis-Bardeen, low-temperature forms.

A thin superconducting film (thickness << penetration depth, local limit) has the surface
impedance Z_s = 1/((sigma1 - i sigma2) d), so a resonator whose inductance is a fraction alpha
kinetic (alpha = L_k/L) has

    1/Q_QP = alpha sigma1/sigma2,        delta f/f = (alpha/2) delta sigma2/sigma2

(L_k ~ 1/sigma2 and f ~ L^(-1/2)). For k_B T, hf << Delta, with xi = hf/(2 k_B T) (Gao's thesis,
Caltech 2008, section 2.3; derived again in docs/resonator.md),

    sigma1/sigma_n = (4 Delta/hf) exp(-Delta/k_B T) sinh(xi) K0(xi)
    sigma2/sigma_n = (pi Delta(T)/hf) [1 - 2 exp(-Delta/k_B T) exp(-xi) I0(xi)]
    Delta(T)       = Delta0 [1 - sqrt(2 pi k_B T/Delta0) exp(-Delta0/k_B T)]   (BCS, low T)

so that delta f/f = -(alpha/2) [sqrt(2 pi k_B T/Delta) + 2 exp(-xi) I0(xi)] exp(-Delta/k_B T)
relative to T = 0. :func:`mattis_bardeen_numeric` evaluates the full Mattis-Bardeen integrals
(Phys. Rev. 111, 412 (1958)) with the BCS gap equation, against which the tests check these forms.

Energies are in kelvin (Delta_K = Delta/k_B). Every function takes ``T_K`` first and broadcasts
it against ``f_Hz``; an optional effective quasiparticle temperature (:func:`effective_temperature`)
models the saturation of the quasiparticle density seen in aluminium below ~150 mK.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import integrate, special

from etm.checks import check_array, check_finite, check_positive, check_temperature, plain
from etm.constants import h, k_B

__all__ = [
    "BCS_GAP_RATIO",
    "MattisBardeen",
    "effective_temperature",
    "frequency_shift_qp",
    "gap_from_tc",
    "gap_low_T",
    "inverse_q_qp",
    "mattis_bardeen_numeric",
    "sigma1_ratio",
    "sigma2_ratio",
]

#: Delta(0)/(k_B Tc) of weak-coupling BCS theory, pi exp(-gamma_Euler) = 1.76388...
BCS_GAP_RATIO: float = math.pi * math.exp(-np.euler_gamma)

#: h/k_B [K/Hz]: the photon energy hf in kelvin is ``HF_K_PER_HZ * f_Hz``.
HF_K_PER_HZ: float = h / k_B


def gap_from_tc(Tc_K: float) -> float:
    """Zero-temperature gap Delta0/k_B [K] = 1.764 Tc of weak-coupling BCS theory.

    Examples
    --------
    >>> round(gap_from_tc(1.2), 4)
    2.1167
    """
    return BCS_GAP_RATIO * check_positive("Tc_K", Tc_K, unit="K")


def _gap(Delta_K: float | None, Tc_K: float | None) -> float:
    """The zero-temperature gap [K] from exactly one of ``Delta_K`` and ``Tc_K``."""
    if (Delta_K is None) == (Tc_K is None):
        raise ValueError(
            "give exactly one of Delta_K (gap Delta0/k_B, K) and Tc_K (Delta0 = 1.764 k_B Tc), "
            f"got Delta_K={plain(Delta_K)}, Tc_K={plain(Tc_K)}"
        )
    if Delta_K is not None:
        return check_positive("Delta_K", Delta_K, unit="K")
    return gap_from_tc(Tc_K)  # type: ignore[arg-type]


def _alpha(alpha: float) -> float:
    a = check_finite("alpha", alpha)
    if not 0.0 <= a <= 1.0:
        raise ValueError(
            f"alpha (kinetic inductance fraction) must satisfy 0 <= alpha <= 1, got {plain(alpha)}"
        )
    return a


def effective_temperature(
    T_K: ArrayLike, *, T0_K: float = 0.0, p: float = 5.0
) -> NDArray[np.float64]:
    """Effective quasiparticle temperature T_eff = (T^p + T0^p)^(1/p).

    Parameters
    ----------
    T_K : array_like
        Bath (cryostat) temperature T [K], > 0.
    T0_K : float, optional
        Saturation temperature T0 [K] >= 0 (default 0: T_eff = T).
    p : float, optional
        Exponent p > 0 (default 5).

    Returns
    -------
    ndarray
        T_eff [K]: T for T >> T0, T0 for T << T0.

    Notes
    -----
    Our choice, a phenomenological smooth maximum of T and T0: the form of the heat balance
    P = Sigma V (T_eff^p - T^p) of a driven electron system cooled by a power law, with p = 5 for
    electron-phonon cooling in a normal metal (Wellstood, Urbina and Clarke, Phys. Rev. B 49,
    5942 (1994)). In a superconductor the quasiparticle-phonon cooling is not a power law, so p is
    a shape parameter, not physics; the saturation it models, a quasiparticle density that stops
    falling below ~150 mK in aluminium, is measured (de Visser et al., arXiv:1202.0816, APL 100,
    162601 (2012)). T0 and p enter only the quasiparticle terms, never the TLS terms.

    Examples
    --------
    >>> float(effective_temperature(0.3, T0_K=0.0))
    0.3
    >>> round(float(effective_temperature(0.01, T0_K=0.15)), 6)
    0.15
    """
    T = check_temperature(T_K)
    T0 = check_positive("T0_K", T0_K, allow_zero=True, unit="K")
    p_ = check_positive("p", p)
    if T0 == 0.0:
        return T
    m = np.maximum(T, T0)
    return m * ((T / m) ** p_ + (T0 / m) ** p_) ** (1.0 / p_)


def gap_low_T(
    T_K: ArrayLike, *, Delta_K: float | None = None, Tc_K: float | None = None
) -> NDArray[np.float64]:
    """BCS gap Delta(T)/k_B [K] at k_B T << Delta0: Delta0 [1 - sqrt(2 pi T/Delta0) e^(-Delta0/T)].

    The first term of ln(Delta0/Delta) = 2 sum_n (-1)^(n+1) K0(n Delta/k_B T) (the BCS gap
    equation with an infinite cutoff), K0(x) ~ sqrt(pi/2x) e^(-x); checked against the numerical
    gap equation in :func:`mattis_bardeen_numeric`.

    Examples
    --------
    >>> round(float(gap_low_T(0.3, Delta_K=2.0)), 6)
    1.997529
    """
    D0 = _gap(Delta_K, Tc_K)
    T = check_temperature(T_K)
    return D0 * (1.0 - np.sqrt(2.0 * np.pi * T / D0) * np.exp(-D0 / T))


def _prepare(T_K, f_Hz, Delta_K, Tc_K, T0_K, p):
    D0 = _gap(Delta_K, Tc_K)
    T = effective_temperature(T_K, T0_K=T0_K, p=p)
    f = check_array("f_Hz", f_Hz, minimum=0.0, strict=True, unit="Hz")
    T, f = np.broadcast_arrays(T, f)
    hf = HF_K_PER_HZ * f
    return D0, T, hf, hf / (2.0 * T)


def sigma1_ratio(
    T_K: ArrayLike,
    f_Hz: ArrayLike,
    *,
    Delta_K: float | None = None,
    Tc_K: float | None = None,
    T0_K: float = 0.0,
    p: float = 5.0,
) -> NDArray[np.float64]:
    """Dissipative conductivity sigma1/sigma_n at k_B T, hf << Delta (Mattis-Bardeen, low T).

    Parameters
    ----------
    T_K : array_like
        Temperature T [K], > 0 (the bath temperature; see ``T0_K``).
    f_Hz : array_like
        Frequency f [Hz], > 0, broadcast against ``T_K``.
    Delta_K, Tc_K : float
        Exactly one: the gap Delta0/k_B [K], or the critical temperature [K] (Delta0 = 1.764 Tc).
    T0_K, p : float, optional
        Effective quasiparticle temperature (T^p + T0^p)^(1/p) (:func:`effective_temperature`);
        default T0_K = 0 (thermal quasiparticles at T).

    Returns
    -------
    ndarray
        (4 Delta/hf) exp(-Delta/k_B T) sinh(xi) K0(xi), xi = hf/(2 k_B T).

    References
    ----------
    docs/resonator.md ("Quasiparticles"); J. Gao, PhD thesis (Caltech 2008), Eq. (2.95).

    Examples
    --------
    >>> s1 = sigma1_ratio([0.1, 0.2], 7.7e9, Tc_K=1.2)
    >>> bool(s1[0] < s1[1])
    True
    """
    D0, T, hf, xi = _prepare(T_K, f_Hz, Delta_K, Tc_K, T0_K, p)
    # sinh(xi) K0(xi) = (1 - e^(-2 xi))/2 * (e^xi K0(xi)): no overflow at hf >> k_B T
    return (4.0 * D0 / hf) * np.exp(-D0 / T) * 0.5 * (-np.expm1(-2.0 * xi)) * special.k0e(xi)


def sigma2_ratio(
    T_K: ArrayLike,
    f_Hz: ArrayLike,
    *,
    Delta_K: float | None = None,
    Tc_K: float | None = None,
    T0_K: float = 0.0,
    p: float = 5.0,
) -> NDArray[np.float64]:
    """Reactive conductivity sigma2/sigma_n at k_B T, hf << Delta (Mattis-Bardeen, low T).

    Parameters are those of :func:`sigma1_ratio`.

    Returns
    -------
    ndarray
        (pi Delta(T)/hf) [1 - 2 exp(-Delta/k_B T) exp(-xi) I0(xi)], Delta(T) from
        :func:`gap_low_T`.

    References
    ----------
    docs/resonator.md ("Quasiparticles"); J. Gao, PhD thesis (Caltech 2008), Eq. (2.96).

    Examples
    --------
    >>> s2 = sigma2_ratio(0.01, 7.7e9, Delta_K=2.0)  # T -> 0: pi Delta/hf
    >>> round(float(s2 * HF_K_PER_HZ * 7.7e9 / (np.pi * 2.0)), 9)
    1.0
    """
    D0, T, hf, xi = _prepare(T_K, f_Hz, Delta_K, Tc_K, T0_K, p)
    D = D0 * (1.0 - np.sqrt(2.0 * np.pi * T / D0) * np.exp(-D0 / T))
    return (np.pi * D / hf) * (1.0 - 2.0 * np.exp(-D0 / T) * special.i0e(xi))


def inverse_q_qp(
    T_K: ArrayLike,
    f_Hz: ArrayLike,
    *,
    alpha: float,
    Delta_K: float | None = None,
    Tc_K: float | None = None,
    T0_K: float = 0.0,
    p: float = 5.0,
) -> NDArray[np.float64]:
    """Quasiparticle loss 1/Q_QP = alpha sigma1/sigma2 (thin film, local limit, low T).

    Parameters
    ----------
    T_K, f_Hz : array_like
        Temperature [K] and resonance frequency [Hz], broadcast.
    alpha : float
        Kinetic inductance fraction alpha = L_k/L, 0 <= alpha <= 1.
    Delta_K, Tc_K, T0_K, p : float
        As in :func:`sigma1_ratio`.

    Returns
    -------
    ndarray
        1/Q_QP >= 0.

    References
    ----------
    docs/resonator.md ("Quasiparticles").

    Examples
    --------
    >>> q = inverse_q_qp([0.1, 0.3], 7.7e9, alpha=0.1, Tc_K=1.2)
    >>> bool(q[0] < 1e-10 < 1e-5 < q[1])
    True
    """
    a = _alpha(alpha)
    kw = {"Delta_K": Delta_K, "Tc_K": Tc_K, "T0_K": T0_K, "p": p}
    return a * sigma1_ratio(T_K, f_Hz, **kw) / sigma2_ratio(T_K, f_Hz, **kw)


def frequency_shift_qp(
    T_K: ArrayLike,
    f_Hz: ArrayLike,
    *,
    alpha: float,
    Delta_K: float | None = None,
    Tc_K: float | None = None,
    T0_K: float = 0.0,
    p: float = 5.0,
) -> NDArray[np.float64]:
    """Quasiparticle frequency shift delta f/f = (alpha/2) delta sigma2/sigma2 relative to T = 0.

    Parameters are those of :func:`inverse_q_qp`.

    Returns
    -------
    ndarray
        -(alpha/2) [sqrt(2 pi k_B T/Delta) + 2 exp(-xi) I0(xi)] exp(-Delta/k_B T) <= 0: the gap's
        own fall Delta(T) and the thermal quasiparticles' share of sigma2, each to first order in
        exp(-Delta/k_B T).

    References
    ----------
    docs/resonator.md ("Quasiparticles").

    Examples
    --------
    >>> float(frequency_shift_qp(0.3, 7.7e9, alpha=0.05, Tc_K=1.2)) < 0
    True
    """
    a = _alpha(alpha)
    D0, T, _, xi = _prepare(T_K, f_Hz, Delta_K, Tc_K, T0_K, p)
    return -(a / 2.0) * (np.sqrt(2.0 * np.pi * T / D0) + 2.0 * special.i0e(xi)) * np.exp(-D0 / T)


# --------------------------------------------------------------------------------------------
# The full Mattis-Bardeen integrals (the independent route of the tests)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MattisBardeen:
    """Mattis-Bardeen conductivities from the full integrals (:func:`mattis_bardeen_numeric`).

    Attributes
    ----------
    sigma1, sigma2 : ndarray
        sigma1/sigma_n and sigma2/sigma_n.
    delta_sigma2 : ndarray
        [sigma2(T) - sigma2(0)]/sigma_n, computed without the cancellation of the difference.
    Delta_K : ndarray
        The gap Delta(T)/k_B [K] used (the BCS gap equation's, or Delta0 with ``gap="fixed"``).
    gap_shift : ndarray
        [Delta(T) - Delta0]/Delta0, kept apart because it is below double precision's resolution
        of ``Delta_K`` at k_B T < Delta0/40.
    """

    sigma1: NDArray[np.float64]
    sigma2: NDArray[np.float64]
    delta_sigma2: NDArray[np.float64]
    Delta_K: NDArray[np.float64]
    gap_shift: NDArray[np.float64]


def _fermi_scaled(E: float, kT: float, ref: float) -> float:
    """exp(ref/kT) f(E) for E >= ref, f the Fermi function: no underflow at ref >> kT."""
    return math.exp(-(E - ref) / kT) / (1.0 + math.exp(-E / kT))


_QUAD = {"epsabs": 0.0, "epsrel": 1e-11, "limit": 400}


def _gap_integrand(u: float, D: float, t: float) -> float:
    return _fermi_scaled(D * math.cosh(u), t, D)


def _gap_shift(t: float, D0: float = 1.0) -> float:
    """(Delta(T) - Delta0)/Delta0 from the BCS gap equation, t = k_B T/Delta0 (units of Delta0).

    ln(Delta0/Delta) = 2 int_0^inf f(Delta cosh u) du; solved by iteration on the shift, which
    converges in a few steps for k_B T < 0.3 Delta0 (the regime of the tests).
    """
    d = 0.0
    for _ in range(200):
        D = D0 * (1.0 + d)
        u_max = math.acosh(1.0 + 80.0 * t / D)
        val, _ = integrate.quad(_gap_integrand, 0.0, u_max, args=(D, t), **_QUAD)
        d_new = math.expm1(-2.0 * math.exp(-D / t) * val)
        if abs(d_new - d) <= 1e-14 * max(abs(d_new), 1e-300):
            return d_new
        d = d_new
    raise RuntimeError(f"BCS gap equation did not converge at k_B T/Delta0 = {t:g}")


def _j0(D: float, w: float) -> float:
    """int_{D-w}^{D} (E^2 + D^2 + w E)/(sqrt(D^2 - E^2) sqrt((E + w)^2 - D^2)) dE (T = 0 part)."""
    val, _ = integrate.quad(
        lambda E: (E * E + D * D + w * E) / (math.sqrt(D + E) * math.sqrt(E + w + D)),
        D - w,
        D,
        weight="alg",
        wvar=(-0.5, -0.5),
        **_QUAD,
    )
    return val


def _mb_point(t: float, w: float, bcs: bool) -> tuple[float, float, float, float]:
    """sigma1, sigma2, delta sigma2 (over sigma_n), gap shift at k_B T = t, hf = w (Delta0 = 1)."""
    d = _gap_shift(t) if bcs else 0.0
    D = 1.0 + d
    boltz = math.exp(-D / t)
    u_max = math.acosh(1.0 + (80.0 * t + w) / D)

    def s1(u: float) -> float:
        E = D * math.cosh(u)
        occ = _fermi_scaled(E, t, D) - _fermi_scaled(E + w, t, D)
        return occ * (E * E + D * D + w * E) / math.sqrt((E + w) ** 2 - D * D)

    # E = D cosh(u) removes the 1/sqrt(E^2 - D^2) edge; breakpoints at the scales k_B T and hf
    pts = sorted({math.acosh(1.0 + min(x, 1.0) / D) for x in (t, w, 5 * t)} - {0.0})
    pts = [x for x in pts if x < u_max]
    v1, _ = integrate.quad(s1, 0.0, u_max, points=pts or None, **_QUAD)
    sigma1 = (2.0 / w) * boltz * v1

    vth, _ = integrate.quad(
        lambda E: (
            _fermi_scaled(E + w, t, D)
            * (E * E + D * D + w * E)
            / (math.sqrt(D + E) * math.sqrt(E + w + D))
        ),
        D - w,
        D,
        weight="alg",
        wvar=(-0.5, -0.5),
        **_QUAD,
    )
    thermal = -(2.0 / w) * boltz * vth
    j0_D = _j0(D, w)
    if abs(d) < 1e-3:
        # the gap's shift is tiny: J0(D) - J0(1) = J0'(1) d by a central difference (step 1e-4:
        # truncation ~1e-8 and rounding ~1e-11/1e-4, both far below the tests' tolerances)
        step = 1e-4
        dj0 = (_j0(1.0 + step, w) - _j0(1.0 - step, w)) / (2.0 * step) * d
    else:
        dj0 = j0_D - _j0(1.0, w)
    return sigma1, j0_D / w + thermal, dj0 / w + thermal, d


def mattis_bardeen_numeric(
    T_K: ArrayLike,
    f_Hz: ArrayLike,
    *,
    Delta_K: float | None = None,
    Tc_K: float | None = None,
    gap: str = "bcs",
) -> MattisBardeen:
    """The Mattis-Bardeen conductivities from their full integrals at finite T (hf < 2 Delta).

    Parameters
    ----------
    T_K : array_like
        Temperature T [K], > 0; the gap equation is solved for k_B T < 0.3 Delta0 only.
    f_Hz : array_like
        Frequency f [Hz], 0 < hf < 2 Delta0 (no pair breaking), broadcast against ``T_K``.
    Delta_K, Tc_K : float
        Exactly one: the zero-temperature gap Delta0/k_B [K] or Tc [K] (Delta0 = 1.764 k_B Tc).
    gap : {"bcs", "fixed"}
        "bcs" (default): Delta(T) from the weak-coupling BCS gap equation; "fixed": Delta0 at all T.

    Returns
    -------
    MattisBardeen
        sigma1/sigma_n, sigma2/sigma_n, [sigma2(T) - sigma2(0)]/sigma_n, Delta(T) and its shift.

    Notes
    -----
    With f(E) the Fermi function and g(E) = (E^2 + Delta^2 + hf E)/(sqrt|E^2 - Delta^2|
    sqrt((E + hf)^2 - Delta^2)) (Mattis and Bardeen, Phys. Rev. 111, 412 (1958)),

        sigma1/sigma_n = (2/hf) int_Delta^inf [f(E) - f(E + hf)] g(E) dE
        sigma2/sigma_n = (1/hf) int_{Delta-hf}^{Delta} [1 - 2 f(E + hf)] g(E) dE

    The square-root edges are removed by E = Delta cosh(u) (sigma1) and by QUADPACK's algebraic
    end-point weight (sigma2); the thermal parts carry exp(-Delta/k_B T) as an explicit factor,
    so nothing underflows before the product. Each point costs a few adaptive quadratures
    (~10 ms): this route is for checks, not for fits.

    Examples
    --------
    >>> mb = mattis_bardeen_numeric(0.1, 7.7e9, Tc_K=1.2)
    >>> bool(abs(mb.sigma2 / sigma2_ratio(0.1, 7.7e9, Tc_K=1.2) - 1) < 0.01)
    True
    """
    D0 = _gap(Delta_K, Tc_K)
    bcs = {"bcs": True, "fixed": False}.get(gap)
    if bcs is None:
        raise ValueError(f"gap must be one of 'bcs', 'fixed', got {plain(gap)}")
    T = check_temperature(T_K)
    f = check_array("f_Hz", f_Hz, minimum=0.0, strict=True, unit="Hz")
    T, f = np.broadcast_arrays(T, f)
    t = T / D0
    w = HF_K_PER_HZ * f / D0
    if (w >= 2.0).any():
        raise ValueError(
            f"f_Hz must satisfy hf < 2 Delta0 (no pair breaking; < {2 * D0 / HF_K_PER_HZ:.6g} Hz), "
            f"got {plain(f[w >= 2.0][0])}"
        )
    if bcs and (t > 0.3).any():
        raise ValueError(
            f"T_K must be < 0.3 Delta0/k_B = {0.3 * D0:.6g} K with gap='bcs', "
            f"got {plain(T[t > 0.3][0])}"
        )
    out = np.empty((4,) + T.shape)
    for idx in np.ndindex(T.shape):
        out[(slice(None),) + idx] = _mb_point(float(t[idx]), float(w[idx]), bcs)
    return MattisBardeen(
        sigma1=out[0],
        sigma2=out[1],
        delta_sigma2=out[2],
        Delta_K=D0 * (1.0 + out[3]),
        gap_shift=out[3],
    )
