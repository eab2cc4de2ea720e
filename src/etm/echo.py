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

from etm.constants import AB_K_PER_T_KA2, hbar, k_B
from etm.dynamics import Pulses, thermal_polarization
from etm.ensemble import check_orientation
from etm.params import EchoParams, check_finite, check_positive

__all__ = [
    "C_FORMS",
    "ECHO_PRESETS",
    "EchoParams",
    "EchoPreset",
    "MATRIX_ELEMENTS",
    "amplitude",
    "echo_preset",
    "generalized_rabi_frequency",
    "pulse_areas",
    "rabi_frequency",
    "relative_amplitude",
    "relaxation_rate",
    "single_system_echo",
]

#: ``"exact"``: three-well matrix elements (MODEL.md section 6, docs/dielectric.md): Omega_R^2 =
#: Omega_1^2 (E^2 - D^2/2)/(4 E^2), phonon weight (E^2 - D^2/2); ``"essay"``: Eq. 27 and 21,
#: Omega_R^2 = Omega_1^2 (E^2 - D^2/6)/(6 E^2), phonon weight (E^2 - D^2/6).
MATRIX_ELEMENTS: tuple[str, ...] = ("exact", "essay")
#: ``"bloch"``: C with delta/Omega_G (what the Bloch equations give); ``"essay"``: delta/Omega_R
#: as the extraction of Eq. 28/32 prints it.
C_FORMS: tuple[str, ...] = ("bloch", "essay")

_K_TO_RAD_S: float = k_B / hbar
_TWO_PI = 2.0 * math.pi
#: Half-width Lambda of the resonance core, in units of the largest Rabi frequency: the pulse
#: oscillations are kept up to Lambda/2 and tapered smoothly to their mean by Lambda.
CORE = 40.0
#: Gauss-Legendre nodes per E panel, on the ln y piece and on the y in [0, b X0min] piece.
E_NODES = 8
Y_NODES = 16
Y_NODES_A = 8
#: The E quadrature ends at E_TOP times the largest of hf and the cutoff energies: the tail beyond
#: is O((hbar Omega_R / k_B E)^2) ~ 1e-8 relative.
E_TOP = 20.0
#: Panels graded geometrically (ratio 2) on each side of every cutoff energy.
GRADE = 4


# --------------------------------------------------------------------------------------------
# parameters and presets


@dataclass(frozen=True)
class EchoPreset:
    """One row of the essay's Table 7 with the experimental conditions of Figs. 14-16."""

    name: str
    params: EchoParams
    pulses: Pulses
    T_K: float
    source: str


def _row(name, Dmin_mK, x0, x1, G_us, c_us, p1F0, tan_a, f, tau12_us, src):
    params = EchoParams(Dmin_mK * 1e-3, x0, x1, G_us * 1e6, c_us * 1e6, p1F0, tan_a)
    return EchoPreset(name, params, Pulses(f, 0.1e-6, 0.2e-6, tau12_us * 1e-6), 0.012, src)


_SRC = (
    "essay Table 7 (units 1/(us K^5), 1/(us K), D kV/m); conditions of Figs. 14-16: T = 12 mK, "
    "tau2 = 2 tau1 = 0.2 us"
)
#: Table 7 with the conditions of Figs. 15-16 (BAS: 1 GHz; tau12 = 2 us from Fig. 14a, which
#: Fig. 15 does not restate; BK7: 0.9 GHz, tau12 = 1.5 and 6 us). For BAS the c column is
#: c_ATS - c_2LS (decay relative to the 2LS echo), for BK7 c_ATS (the table's note).
ECHO_PRESETS: tuple[EchoPreset, ...] = (
    _row("BAS sample 1", 17.74, 950.0, 21300.0, 9.22e6, 5.008, 0.461, 0.247, 1e9, 2.0, _SRC),
    _row("BAS sample 2", 27.2, 1140.0, 8960.0, 2.57e5, 3.825, 0.450, 0.245, 1e9, 2.0, _SRC),
    _row("BK7 tau12=1.5us", 16.76, 920.0, 13400.0, 8.91e6, 1.03, 0.60, 0.207, 0.9e9, 1.5, _SRC),
    _row("BK7 tau12=6us", 15.94, 890.0, 33100.0, 3.25e6, 5.72, 0.98, 0.204, 0.9e9, 6.0, _SRC),
)


def echo_preset(name: str) -> EchoPreset:
    """Return the Table 7 row called ``name`` (see :data:`ECHO_PRESETS`).

    Examples
    --------
    >>> echo_preset("BK7 tau12=6us").pulses.tau12_s
    6e-06
    """
    for r in ECHO_PRESETS:
        if r.name == name:
            return r
    raise ValueError(f"name must be one of {[r.name for r in ECHO_PRESETS]}, got {name!r}")


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
    >>> p = echo_preset("BAS sample 2").params
    >>> round(float(relaxation_rate(0.048, 0.048, 0.012, p, "essay")) / 1e6, 4)  # 1/us
    0.1025
    """
    _, g = _coefficients(matrix_elements)
    E = np.asarray(E_K, dtype=float)
    D = np.asarray(D_K, dtype=float)
    T = np.asarray(T_K, dtype=float)
    if (~np.isfinite(T) | (T <= 0)).any():
        raise ValueError(f"T_K must be finite and > 0 K, got {T_K!r}")
    x = np.minimum(E / (2.0 * T), 350.0)
    return params.c_per_sK * T + params.Gamma_inv_per_sK5 * E**3 * (E * E - g * D * D) / np.tanh(x)


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
    g5 = p.Gamma_inv_per_sK5 * E**3 / th  # Gamma^-1 E^3 coth(E/2T)
    cT = p.c_per_sK * T
    r = s.k * (1.0 - s.gamma * D2 / (E * E))  # (Omega_R/Omega_1)^2
    Om = w1 * np.sqrt(r)
    OG = np.sqrt(Om * Om + delta * delta)
    q = Om / OG
    # one exponent (split in E and D^2 factors it would overflow times underflow at large E)
    decay = np.exp(-2.0 * pu.tau12_s * (cT + g5 * (E * E - s.gamma * D2)))
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


def _energy_grid(b: NDArray, s: _Setup):
    """E nodes (nB, K) [K] and weights; the resonance core lambda [rad/s]."""
    p, pu = s.params, s.pulses
    E_res = pu.hf_K
    Om_max = p.omega1_per_s * math.sqrt(s.k)
    to_K = 1.0 / _K_TO_RAD_S
    lam = CORE * Om_max
    # the resonance itself (|delta| < 4 Omega): panels of Omega/2; the rest of the core: one
    # period 2 pi/(tau1 + tau2) of the fastest pulse oscillation per panel (8 nodes: ~1e-6)
    per = 2.0 * math.pi / (pu.tau1_s + pu.tau2_s)
    h_in = min(0.5 * Om_max, 0.5 * per)
    n_in = int(math.ceil(8.0 * Om_max / h_in))
    inner = (-4.0 * Om_max + (8.0 * Om_max / n_in) * np.arange(n_in + 1)) * to_K
    n_out = int(math.ceil((lam - 4.0 * Om_max) / per))
    outer = (4.0 * Om_max + (lam - 4.0 * Om_max) / n_out * np.arange(1, n_out + 1)) * to_K
    core = E_res + np.concatenate([-outer[::-1], inner, outer])
    h = per * to_K
    Dmin = p.Dmin_K
    bps = [np.full_like(b, Dmin), np.hypot(Dmin, b * p.X0min_KA2), np.hypot(Dmin, b * p.X0max_KA2)]
    E_top = E_TOP * max(E_res, Dmin, float(np.max(bps[2])))
    lam_K = lam * to_K
    n_up = int(math.ceil(math.log2(max(E_top - E_res - lam_K, h) / h))) + 1
    n_dn = int(math.ceil(math.log2(max(E_res - lam_K - Dmin, h) / h))) + 1
    up = E_res + lam_K + h * (2.0 ** np.arange(n_up) - 1.0)
    dn = E_res - lam_K - h * (2.0 ** np.arange(n_dn) - 1.0)
    base = np.concatenate([core, up, dn, [E_top]])
    cols = [np.broadcast_to(base, (b.size, base.size))]
    for e in bps:
        # the inner integral has a kink (isotropic) or a log spike (aligned) at each cutoff
        # energy: grade panels geometrically away from it
        h0 = np.full_like(e, h / 4.0)
        steps = h0[:, None] * 2.0 ** np.arange(GRADE)
        cols += [e[:, None], e[:, None] + steps, e[:, None] - steps]
    lo = bps[0] if s.orientation == "isotropic" else bps[1]
    edges = np.sort(np.clip(np.concatenate(cols, axis=1), lo[:, None], E_top), axis=1)
    t, wgl = np.polynomial.legendre.leggauss(E_NODES)
    a = edges[:, :-1, None]
    wd = (edges[:, 1:] - edges[:, :-1])[:, :, None]
    E = (a + 0.5 * wd * (t + 1.0)).reshape(b.size, -1)
    dE = (0.5 * wd * wgl).reshape(b.size, -1)
    return E, dE, lam


def _y_nodes(E: NDArray, b: NDArray, s: _Setup):
    """Nodes y (.., M) and weights of  integral w(y) E/(E^2 - y^2) (.) dy  over the allowed y."""
    p = s.params
    E2 = E * E
    yhi = np.sqrt(np.maximum(E2 - p.Dmin_K**2, 0.0))
    t, wgl = np.polynomial.legendre.leggauss(Y_NODES)
    t = 0.5 * (t + 1.0)
    wgl = 0.5 * wgl
    bb = np.maximum(b, 1e-300)
    ys, ws = [], []
    # piece in ln y with weight y w(y): isotropic 1 - y/(b X0max), aligned 1
    lo = bb * p.X0min_KA2
    hi = np.minimum(bb * p.X0max_KA2, yhi)
    ok = hi > lo
    llo = np.log(np.where(ok, lo, 1.0))
    lhi = np.log(np.where(ok, hi, 1.0))
    y = np.exp(llo[..., None] + (lhi - llo)[..., None] * t)
    yw = 1.0 - y / (bb * p.X0max_KA2)[..., None] if s.orientation == "isotropic" else 1.0
    wt = np.where(ok, lhi - llo, 0.0)[..., None] * wgl * yw
    ys.append(y)
    ws.append(wt * E[..., None] / (E2[..., None] - y * y))
    if s.orientation == "isotropic":
        # piece y in [0, min(b X0min, yhi)] with the constant density (1/X0min - 1/X0max)/b
        # (smooth in y^2 from y = 0: fewer nodes suffice)
        ta, wa = np.polynomial.legendre.leggauss(Y_NODES_A)
        top = np.minimum(bb * p.X0min_KA2, yhi)
        y = top[..., None] * 0.5 * (ta + 1.0)
        wA = (1.0 / p.X0min_KA2 - 1.0 / p.X0max_KA2) / bb
        ys.append(y)
        ws.append((top * wA)[..., None] * 0.5 * wa * E[..., None] / (E2[..., None] - y * y))
    return np.concatenate(ys, axis=-1), np.concatenate(ws, axis=-1)


def _amplitude(B: NDArray, T: float, s: _Setup) -> NDArray:
    p = s.params
    Bu, inv = np.unique(B, return_inverse=True)
    b = AB_K_PER_T_KA2 * Bu
    if s.orientation == "phi2/3":
        b = b / math.sqrt(3.0)
    E, dE, lam = _energy_grid(b, s)
    out = np.zeros(Bu.size)
    on = b > 0.0
    if on.any():
        Eo, dEo = E[on], dE[on]
        y, wy = _y_nodes(Eo, b[on][:, None], s)
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
    return _TWO_PI * out[inv]


def _setup(params, pulses, T_K, orientation, matrix_elements, c_form):
    if not isinstance(params, EchoParams):
        raise ValueError(f"params must be an EchoParams, got {type(params).__name__}")
    if not isinstance(pulses, Pulses):
        raise ValueError(f"pulses must be a Pulses instance, got {type(pulses).__name__}")
    check_orientation(orientation)
    _check_c_form(c_form)
    k, g = _coefficients(matrix_elements)
    T = check_finite("T_K", T_K)
    if T <= 0.0:
        raise ValueError(f"T_K must be a finite scalar > 0 K, got {T_K!r}")
    return _Setup(params, pulses, k, g, c_form, orientation), T


def _fields(B_T: ArrayLike) -> NDArray[np.float64]:
    B = np.asarray(B_T, dtype=float)
    if (~np.isfinite(B) | (B < 0)).any():
        raise ValueError(f"B_T must be finite and >= 0 T, got {B_T!r}")
    return B


def amplitude(
    B_T: ArrayLike,
    T_K: float,
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
    B_T : array_like
        Magnetic field B [T], >= 0.
    T_K : float
        Temperature T [K], > 0.
    params : EchoParams
        Table 7 parameters (e.g. ``echo_preset("BAS sample 1").params``).
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
        a(B), dimensionless, shape of ``B_T``: the detected echo polarization is
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
    Essay Eqs. 21, 27-34; MODEL.md section 7; docs/echo.md.

    Examples
    --------
    >>> pre = echo_preset("BAS sample 2")
    >>> a = amplitude([0.0, 0.1], pre.T_K, pre.params, pre.pulses, matrix_elements="essay")
    >>> bool(a[0] > 0)
    True
    """
    s, T = _setup(params, pulses, T_K, orientation, matrix_elements, c_form)
    B = _fields(B_T)
    return _amplitude(B.reshape(-1), T, s).reshape(B.shape)


def relative_amplitude(
    B_T: ArrayLike,
    T_K: float,
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
    B_T : array_like
        Magnetic field [T], >= 0.
    T_K, params, pulses, orientation, matrix_elements, c_form
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
    >>> pre = echo_preset("BAS sample 2")
    >>> r = relative_amplitude([0.6], pre.T_K, pre.params, pre.pulses, matrix_elements="essay")
    >>> float(np.round(r[0], 12))
    1.0
    """
    bg = check_positive("background", background, allow_zero=True)
    Bh = check_positive("B_high_T", B_high_T, allow_zero=True)
    s, T = _setup(params, pulses, T_K, orientation, matrix_elements, c_form)
    B = _fields(B_T)
    a = _amplitude(np.concatenate([B.reshape(-1), [0.0, Bh]]), T, s)
    A = bg * abs(a[-2]) + a
    if A[-1] == 0.0:
        raise ValueError(f"A(B_high_T={Bh!r}) is 0; choose another B_high_T or a background")
    return (A[:-2] / A[-1]).reshape(B.shape)
