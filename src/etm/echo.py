"""Two-pulse polarization echo of the ATS in a magnetic field: the closed form (essay Eq. 27-34).

Each ATS is, in the weak-field limit, an effective two-level system of gap
E = sqrt(D^2 + y^2), y = D0 phi = AB_K_PER_T_KA2 * B * X * cos(beta), driven by two pulses of field
F0 at omega = 2 pi f (timing: :class:`etm.dynamics.Pulses`). Its echo at t = 2 tau12 is (derived
on the Bloch equations, checked against :mod:`etm.dynamics`; docs/echo.md)

    z = tanh(E/2T) (Omega_R/Omega_G)^3 exp(-2 w tau12) [S + i C],
    S = sin(theta1) sin^2(theta2/2),  C = -2 (delta/Omega_G) sin^2(theta1/2) sin^2(theta2/2),

with delta = omega0 - omega, Omega_G = sqrt(Omega_R^2 + delta^2), theta_k = Omega_G tau_k, and the
detector at phase alpha = omega Delta tau reads Im(z e^{i alpha}) = cos(alpha) Re... i.e.
cos(alpha) [S tan(alpha) + C] times the prefactor. The emitted dipole of one system is
hbar Omega_R/F0, so the sample's echo polarization is ``x_ATS P* p1 cos(alpha) a(B)`` with the
dimensionless ensemble average

    a(B) = 2 pi << tanh(E/2T) exp(-2 w tau12) (Omega_R/Omega_1) (Omega_R/Omega_G)^3
                   [S tan(alpha) + C] >>,        Omega_1 = p1 F0/hbar,

``<< . >>`` the integral over dD/D dX/X dcos(beta) of the distribution (essay Eq. 10, 30-31).
That is the essay's "Omega_R^2 sigma(E)" read as a product: hbar Omega_R^2 sigma =
Omega_R^4/(2 Omega_G^3). The (E, D) double integral of Eq. 31 with its domain and the cos(beta)
average are done together: at fixed E, the measure of (D, X, cos beta) is E w(y) dy/(E^2 - y^2)
with the elementary density w(y) of y = b X cos(beta) (as in :mod:`etm.dielectric`), so one
E quadrature (resolving the resonance and the pulse oscillations) over one y quadrature remains.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from etm.constants import hbar, k_B
from etm.dynamics import Pulses, thermal_polarization
from etm.ensemble import check_orientation, coupling, resonance_grid, shell_nodes
from etm.ensemble.quadrature import CORE as _CORE
from etm.params import ATSParams, EchoParams, check_positive
from etm.relaxation import ats_phonon_rate

__all__ = [
    "C_FORMS",
    "EchoParams",
    "MATRIX_ELEMENTS",
    "amplitude",
    "generalized_rabi_frequency",
    "pulse_areas",
    "rabi_frequency",
    "relative_amplitude",
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

_K_TO_RAD_S: float = k_B / hbar
_TWO_PI = 2.0 * math.pi
#: Half-width of the resonance core in units of the largest Rabi frequency (the grid's own
#: constant, :data:`etm.ensemble.quadrature.CORE`).
CORE = _CORE


# --------------------------------------------------------------------------------------------
# parameters


# --------------------------------------------------------------------------------------------
# single systems


def _coefficients(matrix_elements: str) -> tuple[float, float]:
    """(k, gamma): Omega_R^2 = Omega_1^2 k (E^2 - gamma D^2)/E^2; phonon weight E^2 - gamma D^2."""
    if matrix_elements == "exact":
        return 0.25, 0.5
    if matrix_elements == "essay":
        return 1.0 / 6.0, 1.0 / 6.0
    raise ValueError(f"matrix_elements must be one of {MATRIX_ELEMENTS}, got {matrix_elements!r}")


def _check_c_form(c_form: str) -> None:
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
    k, g = _coefficients(matrix_elements)
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
    delta = np.asarray(E_K, dtype=float) * _K_TO_RAD_S - _TWO_PI * f
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
    _coefficients(matrix_elements)
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
        z in the convention of :func:`etm.dynamics.two_pulse_echo`, which it reproduces for
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
    _check_c_form(c_form)
    E = _nonneg("E_K", E_K, "K")
    Om = _nonneg("omega_R_per_s", omega_R_per_s, "rad/s")
    w = _nonneg("w_per_s", w_per_s, "1/s")
    T = _nonneg("T_K", T_K, "K")
    delta = E * _K_TO_RAD_S - pulses.omega_per_s
    OG = np.hypot(Om, delta)
    a1, a2 = OG * pulses.tau1_s, OG * pulses.tau2_s
    S = np.sin(a1) * np.sin(0.5 * a2) ** 2
    ss = np.sin(0.5 * a1) ** 2 * np.sin(0.5 * a2) ** 2
    C = -2.0 * delta / (OG if c_form == "bloch" else Om) * ss
    pref = thermal_polarization(E, T) * (Om / OG) ** 3 * np.exp(-2.0 * w * pulses.tau12_s)
    return pref * (S + 1j * C)


# --------------------------------------------------------------------------------------------
# the ensemble average


@dataclass(frozen=True)
class _Setup:
    params: EchoParams
    pulses: Pulses
    k: float
    gamma: float
    c_form: str
    orientation: str
    matrix_elements: str

    @property
    def ats(self) -> ATSParams:
        """The distribution's cutoffs as :class:`etm.params.ATSParams` (nP = 1)."""
        p = self.params
        return ATSParams(
            Dmin_K=p.Dmin_K, X0min_KA2=p.X0min_KA2, X0max_KA2=p.X0max_KA2, nP_per_g=1.0
        )


def _taper(x: NDArray) -> NDArray:
    """C-infinity step: 1 for x <= 1/2, 0 for x >= 1 (x = |delta|/Lambda)."""
    u = np.clip(2.0 * x - 1.0, 0.0, 1.0)
    with np.errstate(divide="ignore"):
        f0 = np.where(u > 0.0, np.exp(-1.0 / np.where(u > 0.0, u, 1.0)), 0.0)
        f1 = np.where(u < 1.0, np.exp(-1.0 / np.where(u < 1.0, 1.0 - u, 1.0)), 0.0)
    return f1 / (f0 + f1)


def _kernel(s: _Setup, E, D2, T, lam_rad_s):
    """tanh e^{-2 w tau12} (Omega_R/Omega_1)(Omega_R/Omega_G)^3 [S tan(alpha) + C] at (E, D^2).

    ``E`` has shape (..., 1) and ``D2`` (..., M): the factors of E alone are computed once per
    E node. The pulse oscillations are kept with the weight taper(|delta|/lam) and averaged
    beyond: the integral of a smooth taper times an oscillation is exponentially small in
    lam tau, whereas a hard switch would leave ~ (Omega/lam)^2/(Omega tau) (``docs/echo.md``).
    """
    p, pu = s.params, s.pulses
    w1 = p.omega1_per_s
    delta = E * _K_TO_RAD_S - pu.omega_per_s
    x = np.minimum(E / (2.0 * T), 350.0)
    th = np.tanh(x)
    cT = p.c_per_sK * T
    r = s.k * (1.0 - s.gamma * D2 / (E * E))  # (Omega_R/Omega_1)^2
    Om = w1 * np.sqrt(r)
    OG = np.sqrt(Om * Om + delta * delta)
    q = Om / OG
    # one exponent (split in E and D^2 factors it would overflow times underflow at large E);
    # the phonon part is Eq. 21, the one rate the dielectric response uses too
    rate = ats_phonon_rate(
        E, np.sqrt(np.maximum(D2, 0.0)), T, p.Gamma_inv_per_sK5, s.matrix_elements
    )
    decay = np.exp(-2.0 * pu.tau12_s * (cT + rate))
    pref = th * decay * np.sqrt(r) * q * q * q
    cfac = -2.0 * delta / (OG if s.c_form == "bloch" else Om)
    # mean of sin(a1) sin^2(a2/2) is 0; of sin^2(a1/2) sin^2(a2/2) it is 1/4 (3/8 if
    # tau1 = tau2, when cos(a1 - a2) = 1 does not oscillate)
    ss_mean = 0.375 if pu.tau1_s == pu.tau2_s else 0.25
    out = pref * cfac * ss_mean
    chi = _taper(np.abs(delta[..., 0]) / lam_rad_s)
    osc = chi > 0.0
    if osc.any():
        a1 = OG[osc] * pu.tau1_s
        c2 = np.cos(OG[osc] * pu.tau2_s)
        S = np.sin(a1) * 0.5 * (1.0 - c2)
        ss = 0.25 * (1.0 - np.cos(a1)) * (1.0 - c2)
        extra = pref[osc] * (S * p.tan_omega_dtau + cfac[osc] * (ss - ss_mean))
        out[osc] += chi[osc][:, None] * extra
    return out


def _grid(Bu: NDArray, s: _Setup):
    """The E grid of :func:`etm.ensemble.resonance_grid` for the couplings of fields ``Bu``."""
    pu = s.pulses
    b = coupling(Bu, s.orientation)
    E, dE, lam = resonance_grid(
        b,
        s.ats,
        s.orientation,
        E_res_K=pu.hf_K,
        rabi_max_rad_s=s.params.omega1_per_s * math.sqrt(s.k),
        period_rad_s=2.0 * math.pi / (pu.tau1_s + pu.tau2_s),
        K_per_rad_s=1.0 / _K_TO_RAD_S,
    )
    return b, E, dE, lam


def _amplitude_at(b: NDArray, E: NDArray, dE: NDArray, lam: float, T: float, s: _Setup):
    """a(B)/(2 pi) at one temperature for the couplings ``b`` (grid rows E, dE)."""
    p = s.params
    out = np.zeros(b.size)
    on = b > 0.0
    if on.any():
        Eo, dEo = E[on], dE[on]
        y, wy = shell_nodes(Eo, b[on][:, None], s.ats, s.orientation)
        D2 = Eo[..., None] ** 2 - y * y
        val = _kernel(s, Eo[..., None], D2, T, lam)
        out[on] = np.einsum("fk,fk->f", dEo, np.einsum("fkm,fkm->fk", wy, val))
    if (~on).any():
        # B = 0: every system has y = 0, so E = D and dD/D dX/X dcos(beta) -> ln(X0max/X0min) dE/E
        E0, dE0 = E[~on][0], dE[~on][0]
        ok = E0 > p.Dmin_K
        val = np.zeros_like(E0)
        val[ok] = _kernel(s, E0[ok, None], E0[ok, None] ** 2, T, lam)[:, 0]
        out[~on] = math.log(p.X0max_KA2 / p.X0min_KA2) * np.sum(dE0 * val / E0)
    return out


def _amplitudes(T: NDArray, B: NDArray, s: _Setup) -> NDArray:
    """a at every (T, B) pair of equal-shaped flat arrays: one E grid for all temperatures."""
    out = np.zeros(T.shape)
    if T.size == 0:
        return out
    Bu, inv_b = np.unique(B, return_inverse=True)
    b, E, dE, lam = _grid(Bu, s)
    Tu, inv_t = np.unique(T, return_inverse=True)
    for i, Ti in enumerate(Tu):
        sel = inv_t == i
        rows = np.unique(inv_b[sel])
        a = np.zeros(Bu.size)
        a[rows] = _amplitude_at(b[rows], E[rows], dE[rows], lam, float(Ti), s)
        out[sel] = a[inv_b[sel]]
    return _TWO_PI * out


def _setup(params, pulses, orientation, matrix_elements, c_form):
    if not isinstance(params, EchoParams):
        raise ValueError(f"params must be an EchoParams, got {type(params).__name__}")
    if not isinstance(pulses, Pulses):
        raise ValueError(f"pulses must be a Pulses instance, got {type(pulses).__name__}")
    check_orientation(orientation)
    _check_c_form(c_form)
    k, g = _coefficients(matrix_elements)
    return _Setup(params, pulses, k, g, c_form, orientation, matrix_elements)


def _inputs(T_K: ArrayLike, B_T: ArrayLike) -> tuple[NDArray, NDArray]:
    T = np.asarray(T_K, dtype=float)
    if (~np.isfinite(T) | (T <= 0)).any():
        raise ValueError(f"T_K must be finite and > 0 K, got {T_K!r}")
    B = np.asarray(B_T, dtype=float)
    if (~np.isfinite(B) | (B < 0)).any():
        raise ValueError(f"B_T must be finite and >= 0 T, got {B_T!r}")
    return np.broadcast_arrays(T, B)


def amplitude(
    T_K: ArrayLike,
    B_T: ArrayLike,
    params: EchoParams,
    pulses: Pulses,
    *,
    orientation: str = "isotropic",
    matrix_elements: str = "exact",
    c_form: str = "bloch",
) -> NDArray[np.float64]:
    """ATS contribution a(B) to the two-pulse echo (essay Eq. 31-32, averaged over beta).

    Parameters
    ----------
    T_K : array_like
        Temperature T [K], > 0.
    B_T : array_like
        Magnetic field B [T], >= 0; broadcast against ``T_K``.
    params : EchoParams
        Table 7 parameters (e.g. ``materials.echo_row("BAS sample 1").params``).
    pulses : Pulses
        Carrier frequency and pulse timing.
    orientation : {"isotropic", "aligned", "phi2/3"}
        cos(beta) uniform in [0, 1] (default; the exact average), cos(beta) = 1, or the essay's
        shortcut phi^2 -> phi^2/3.
    matrix_elements : {"exact", "essay"}
        Rabi frequency and phonon weight (:func:`rabi_frequency`, :func:`relaxation_rate`).
    c_form : {"bloch", "essay"}
        delta/Omega_G or delta/Omega_R in C (:func:`single_system_echo`).

    Returns
    -------
    ndarray
        a(T, B), dimensionless, shape ``broadcast(T_K, B_T)``: the detected echo polarization is
        ``x_ATS P* p1 cos(omega Delta tau) a(B)`` (module docstring).

    Notes
    -----
    One quadrature in E (Gauss panels of half the fastest pulse-oscillation period over
    |delta| <= CORE * Omega_R,max, graded panels outside, where the oscillations are averaged,
    and graded panels at every cutoff energy Dmin, hypot(Dmin, b X0min), hypot(Dmin, b X0max))
    over one in y = D0 phi (Gauss-Legendre on the pieces of w(y)). Accuracy ~1e-5 relative,
    tested against nested adaptive quadrature of Eq. 31 over (cos beta, E, D).

    References
    ----------
    Essay Eqs. 21, 27-34; docs/echo.md.

    Examples
    --------
    >>> from etm import materials
    >>> pre = materials.echo_row("BAS sample 2")
    >>> a = amplitude(pre.T_K, [0.0, 0.1], pre.params, pre.pulses, matrix_elements="essay")
    >>> bool(a[0] > 0)
    True
    """
    s = _setup(params, pulses, orientation, matrix_elements, c_form)
    T, B = _inputs(T_K, B_T)
    return _amplitudes(T.reshape(-1), B.reshape(-1), s).reshape(T.shape)


def relative_amplitude(
    T_K: ArrayLike,
    B_T: ArrayLike,
    params: EchoParams,
    pulses: Pulses,
    *,
    B_high_T: float = 0.6,
    background: float = 0.0,
    orientation: str = "isotropic",
    matrix_elements: str = "exact",
    c_form: str = "bloch",
) -> NDArray[np.float64]:
    """Relative echo amplitude A(B)/A(B_high) with A = A_2LS + a(B) (essay Figs. 15-16).

    Parameters
    ----------
    T_K, B_T : array_like
        Temperature [K] > 0 and field [T] >= 0, broadcast together; each point is normalized
        at its own temperature.
    params, pulses, orientation, matrix_elements, c_form
        As in :func:`amplitude`.
    B_high_T : float
        The "high" field [T] the essay normalizes to (default 0.6 T, the top of its Fig. 15
        field range), >= 0.
    background : float
        The field-blind 2LS echo A_2LS in units of |a(0)|, >= 0 (Table 7 does not give it;
        default 0: the ATS part alone).

    Returns
    -------
    ndarray
        (A_2LS + a(B))/(A_2LS + a(B_high)).

    Examples
    --------
    >>> from etm import materials
    >>> pre = materials.echo_row("BAS sample 2")
    >>> r = relative_amplitude(pre.T_K, [0.6], pre.params, pre.pulses, matrix_elements="essay")
    >>> float(np.round(r[0], 12))
    1.0
    """
    bg = check_positive("background", background, allow_zero=True)
    Bh = check_positive("B_high_T", B_high_T, allow_zero=True)
    s = _setup(params, pulses, orientation, matrix_elements, c_form)
    T, B = _inputs(T_K, B_T)
    shape = T.shape
    T, B = T.reshape(-1), B.reshape(-1)
    # one call: the points, then a(T, 0) and a(T, B_high) at each distinct temperature
    Tu, inv = np.unique(T, return_inverse=True)
    n, m = T.size, Tu.size
    a = _amplitudes(
        np.concatenate([T, Tu, Tu]), np.concatenate([B, np.zeros(m), np.full(m, Bh)]), s
    )
    a0, ah = a[n : n + m], a[n + m :]
    high = bg * np.abs(a0) + ah
    if (high == 0.0).any():
        raise ValueError(f"A(B_high_T={Bh!r}) is 0; choose another B_high_T or a background")
    return ((bg * np.abs(a0[inv]) + a[:n]) / high[inv]).reshape(shape)
