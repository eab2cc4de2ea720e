"""Dielectric constant and loss of a glass in a magnetic field: the ATS contributions.

Each anomalous tunneling system (ATS) acts, in the weak-field limit, as an effective two-level
system of gap E = sqrt(D^2 + y^2), y = D0 phi = AB_K_PER_T_KA2 * B * X * cos(beta) (essay
Eq. 16-22, MODEL.md section 6). Its resonant and relaxational responses are averaged over the
distribution ``dD/D dX/X d(cos beta)`` (D >= Dmin, X0min <= X <= X0max). Conventions, derivations
and the measured size of every approximation are in ``docs/dielectric.md``; in short:

* amplitude ``A = pi x_ATS P* p1^2/(eps0 eps_r)`` in kelvin (energies are E/k_B), so the
  essay's Tables 5-6 plug in as they are;
* resonant ``delta eps/eps = A << m_res(E, D) tanh(E/2T) E/(E^2 - (hf)^2) >>``;
* relaxational ``delta eps/eps = (A/2) << m_rel(E, D) sech^2(E/2T)/T / (1 - i omega tau) >>``,
  where ``<< . >>`` is the integral over ``dD/D dX/X dcos(beta)`` (no normalization), and
  ``m_res``, ``m_rel`` are the orientation-averaged transition and diagonal dipole weights
  (exact three-well values by default: (E^2 - D^2/2)/E^2 and (D^2/2)/E^2);
* time dependence exp(-i omega t): eps'' > 0 is a loss. All results are relative to eps'.

Because both weights are linear in D^2 at fixed E, the joint ("direct") average reduces exactly
to one integral over E of the density of states g(E, B) (the closed form of
:func:`etm.ensemble.ats_dos`, evaluated here from the same shell pieces) and of the shell count
W(E, B), also with the Debye factor (elementary complex
integrals); that is what makes a 200-point field sweep take milliseconds.

The 2LS background (field-blind) is in :mod:`etm.stm` and re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from etm.ensemble import check_orientation, coupling, dos_at_coupling, energy_panels
from etm.params import ATSParams, DielectricATS, check_positive
from etm.stm import (
    HF_K_PER_HZ,
    check_frequency,
    check_temperature,
    stm_relaxation,
    stm_resonant,
    stm_resonant_loss,
    stm_total,
)

__all__ = [
    "AVERAGES",
    "DIELECTRIC_PRESETS",
    "DielectricATS",
    "DielectricPreset",
    "MATRIX_ELEMENTS",
    "RELAXATIONS",
    "TYPICAL_FREQUENCY_HZ",
    "ats_relaxation_rate",
    "ats_response",
    "correlators",
    "dielectric_preset",
    "loss",
    "relative_change",
    "shell_count",
    "stm_relaxation",
    "stm_resonant",
    "stm_resonant_loss",
    "stm_total",
]

#: Ways to average the single-system response: ``"direct"`` (joint average over D, D0, beta; no
#: approximation) and ``"decoupled"`` (the essay's Eq. 19, see :func:`ats_response`).
AVERAGES: tuple[str, ...] = ("direct", "decoupled")
#: ``"exact"``: three-well matrix elements (MODEL.md section 6); ``"essay"``: Eq. 20 for n_w wells
#: and the rate of Eq. 21.
MATRIX_ELEMENTS: tuple[str, ...] = ("exact", "essay")
#: ``"frozen"``: omega tau >> 1, resonant part (Eq. 16) only, as in the essay's fits of
#: Figs. 10-12; ``"static"``: omega tau -> 0 (no tau needed); ``"debye"``: Debye factor with the
#: ATS one-phonon rate (needs ``A_ats``).
RELAXATIONS: tuple[str, ...] = ("frozen", "static", "debye")
#: Frequency [Hz] used when none is given: the essay fits audio-frequency bridge data ("low (kHz)
#: frequency", its section 1); the tables do not state it, so 1 kHz is our documented choice.
TYPICAL_FREQUENCY_HZ: float = 1.0e3

_TWO_PI = 2.0 * np.pi


# --------------------------------------------------------------------------------------------
# parameters and presets


@dataclass(frozen=True)
class DielectricPreset:
    """One row of the essay's Table 5 or 6: a glass at the temperature it was fitted at."""

    glass: str
    T_K: float
    params: DielectricATS
    source: str


def _row(glass: str, T: float, A: float, Dmin: float, x0: float, x1: float, src: str):
    return DielectricPreset(glass, T, DielectricATS(A, Dmin, x0, x1), src)


_T5 = "essay Table 5 (D0 columns read as K*angstrom^2, see paper_tables.json)"
_T6 = "essay Table 6 (SiO2+xCyHz; D0 columns read as K*angstrom^2)"
#: The essay's dielectric fits (Tables 5, 6), amplitude A in K.
DIELECTRIC_PRESETS: tuple[DielectricPreset, ...] = (
    _row("BK7", 0.015, 0.089e-5, 0.03, 1.668e5, 4.576e5, _T5),
    _row("Duran", 0.015, 0.052e-5, 0.021, 2.457e5, 4.151e5, _T5),
    _row("BAS", 0.050, 0.89e-5, 0.015, 2.440e5, 3.080e5, _T5),
    _row("BAS", 0.094, 3.75e-5, 0.025, 1.225e5, 1.589e5, _T5),
    _row("BAS", 0.120, 3.09e-5, 0.0227, 1.767e5, 2.248e5, _T5),
    _row("SiO2+xCyHz", 0.050, 4.38e-5, 0.015, 0.076e3, 3.047e4, _T6),
    _row("SiO2+xCyHz", 0.070, 12.22e-5, 0.0486, 0.600e3, 2.662e4, _T6),
    _row("SiO2+xCyHz", 0.100, 13.63e-5, 0.0486, 3.035e3, 7.616e4, _T6),
)


def dielectric_preset(glass: str, T_K: float | None = None) -> DielectricPreset:
    """Return the Table 5/6 row for ``glass`` (at ``T_K`` [K] if it has several).

    Examples
    --------
    >>> dielectric_preset("BAS", 0.094).params.amplitude_K
    3.75e-05
    >>> dielectric_preset("BK7").T_K
    0.015
    """
    rows = [r for r in DIELECTRIC_PRESETS if r.glass == glass]
    if not rows:
        names = sorted({r.glass for r in DIELECTRIC_PRESETS})
        raise ValueError(f"glass must be one of {names}, got {glass!r}")
    if T_K is None:
        if len(rows) > 1:
            temps = [r.T_K for r in rows]
            raise ValueError(f"{glass} has fits at T_K in {temps}; pass T_K")
        return rows[0]
    for r in rows:
        if abs(r.T_K - T_K) < 1e-9:
            return r
    raise ValueError(f"T_K for {glass} must be one of {[r.T_K for r in rows]}, got {T_K!r}")


# --------------------------------------------------------------------------------------------
# single systems


def _coefficients(matrix_elements: str, n_wells: int) -> tuple[float, float, float, float]:
    """(alpha, beta, beta_rel, gamma): m_res = alpha + beta D^2/E^2, m_rel = beta_rel D^2/E^2,
    rate weight (E^2 - gamma D^2)/E^2."""
    if matrix_elements not in MATRIX_ELEMENTS:
        raise ValueError(
            f"matrix_elements must be one of {MATRIX_ELEMENTS}, got {matrix_elements!r}"
        )
    if isinstance(n_wells, bool) or not isinstance(n_wells, int | np.integer) or n_wells < 2:
        raise ValueError(f"n_wells must be an integer >= 2, got {n_wells!r}")
    if matrix_elements == "exact":
        if n_wells != 3:
            raise ValueError(
                f"n_wells must be 3 with matrix_elements='exact' (the three-well model); use "
                f"matrix_elements='essay' for Eq. 20 with n_w wells, got n_wells={n_wells!r}"
            )
        return 1.0, -0.5, 0.5, 0.5
    k = n_wells / (3.0 * (n_wells - 1))
    # Eq. 20: G/p^2 = k ((n_w - 2) E^2 + y^2)/E^2 = k ((n_w - 1) - D^2/E^2); the diagonal
    # correlator follows from Eq. 18, sum_i p_i p_i - G, averaged: k D^2/E^2.
    return k * (n_wells - 1), -k, k, 1.0 / 6.0


def correlators(
    E_K: ArrayLike, D_K: ArrayLike, matrix_elements: str = "exact", n_wells: int = 3
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Orientation-averaged dipole weights (m_res, m_rel) of one ATS, in units of p1^2.

    Parameters
    ----------
    E_K, D_K : array_like
        Gap E = sqrt(D^2 + (D0 phi)^2) and effective asymmetry D [K], 0 <= D <= E.
    matrix_elements : {"exact", "essay"}
        ``"exact"``: (E^2 - D^2/2)/E^2 and (D^2/2)/E^2 (three wells, MODEL.md section 6);
        ``"essay"``: Eq. 20, (1/3)(n/(n-1))((n-2)E^2 + D0^2 phi^2)/E^2 and its diagonal partner
        (1/3)(n/(n-1)) D^2/E^2. The two coincide for n_wells = 3.
    n_wells : int
        Number of wells n_w (only with ``"essay"``).

    Returns
    -------
    tuple of ndarray
        Transition weight m_res (the essay's G/p1^2) and diagonal weight m_rel.

    Examples
    --------
    >>> correlators(1.0, 1.0)  # phi = 0: half the weight is a transition
    (array(0.5), array(0.5))
    """
    a, b, br, _ = _coefficients(matrix_elements, n_wells)
    E = np.asarray(E_K, dtype=float)
    D = np.asarray(D_K, dtype=float)
    r = (D / E) ** 2
    return np.asarray(a + b * r), np.asarray(br * r)


def ats_relaxation_rate(
    E_K: ArrayLike,
    D_K: ArrayLike,
    T_K: ArrayLike,
    A_ats: float,
    matrix_elements: str = "exact",
    *,
    rate_2LS: float = 0.0,
) -> NDArray[np.float64]:
    """One-phonon relaxation rate of an ATS, tau^-1 [1/s] (essay Eq. 21-22).

    Parameters
    ----------
    E_K, D_K : array_like
        Gap and effective asymmetry [K].
    T_K : array_like
        Temperature [K], > 0.
    A_ats : float
        Coupling A_ATS [1/(s K^3)], > 0.
    matrix_elements : {"exact", "essay"}
        Transition weight: (E^2 - D^2/2)/E^2 (exact three-well model, if strain couples through
        the well energies as the field does) or (E^2 - D^2/6)/E^2 (the essay's Eq. 21).
    rate_2LS : float
        A field-independent extra rate [1/s] added as in Eq. 22 (default 0).

    Returns
    -------
    ndarray
        ``A E^3 (E^2 - gamma D^2)/E^2 coth(E/2T) + rate_2LS``. At phi = 0 (E = D) it is the
        D-only form ``A (1 - gamma) D^3 coth(D/2T)``.

    Notes
    -----
    The 2LS one-phonon rate A E^3 (Delta0/E)^2 coth(E/2T) with the ATS's transition weight in
    place of (Delta0/E)^2. The extraction's Eq. 21 reads Gamma^-1 E^3 (E^2 - D^2/6) coth(E/2T);
    we read Gamma^-1 (E^2 - D^2/6) as A (E^2 - D^2/6)/E^2 (docs/dielectric.md).

    Examples
    --------
    >>> float(ats_relaxation_rate(1.0, 1.0, 1e-3, 1e8))  # E = D, T << E: A D^3 / 2
    50000000.0
    """
    A = check_positive("A_ats", A_ats)
    r2 = check_positive("rate_2LS", rate_2LS, allow_zero=True)
    gamma = _coefficients(matrix_elements, 3)[3]
    E = np.asarray(E_K, dtype=float)
    D = np.asarray(D_K, dtype=float)
    T = check_temperature(T_K)
    return A * E * (E * E - gamma * D * D) / np.tanh(E / (2.0 * T)) + r2


# --------------------------------------------------------------------------------------------
# shell integrals over the orientation and D0 distribution at fixed E


def _y_range(E: NDArray, p: ATSParams) -> tuple[NDArray, NDArray]:
    """Allowed y = D0 phi at gap E: D = sqrt(E^2 - y^2) within [Dmin, Dmax]."""
    E2 = E * E
    hi = np.sqrt(np.maximum(E2 - p.Dmin_K**2, 0.0))
    if p.Dmax_K is None:
        lo = np.zeros_like(hi)
    else:
        lo = np.sqrt(np.maximum(E2 - p.Dmax_K**2, 0.0))
    return lo, hi


def _pieces(E: NDArray, b: NDArray, p: ATSParams, orientation: str):
    """Intervals of y and the density w(y) on each: [(lo, hi, const, inv)] with
    w = const + inv / y. b must be > 0."""
    lo, hi = _y_range(E, p)
    if orientation == "isotropic":
        # y = b X c, X log-uniform, c uniform: w(y) = (1/b)(1/max(X0min, y/b) - 1/X0max)
        hi = np.minimum(hi, b * p.X0max_KA2)
        lo = np.minimum(lo, hi)
        yb = b * p.X0min_KA2
        wA = (1.0 / p.X0min_KA2 - 1.0 / p.X0max_KA2) / b
        return [
            (np.minimum(lo, yb), np.minimum(hi, yb), wA, 0.0),
            (np.maximum(lo, yb), np.maximum(hi, yb), -1.0 / (b * p.X0max_KA2), 1.0),
        ]
    yl = np.maximum(lo, b * p.X0min_KA2)
    yh = np.maximum(np.minimum(hi, b * p.X0max_KA2), yl)
    return [(yl, yh, 0.0, 1.0)]


def shell_count(
    E_K: ArrayLike, B_T: ArrayLike, params: ATSParams | DielectricATS, orientation="isotropic"
) -> NDArray[np.float64]:
    """W(E, B): the measure dX/X dcos(beta) of systems that can have gap E (D in its range).

    Parameters
    ----------
    E_K : array_like
        Gap [K], >= 0.
    B_T : array_like
        Field [T], >= 0.
    params : ATSParams or DielectricATS
        Cutoffs.
    orientation : {"isotropic", "aligned", "phi2/3"}
        As in :func:`etm.ensemble.ats_dos`.

    Returns
    -------
    ndarray
        W(E, B), dimensionless; ln(X0max/X0min) for E > Dmin at B = 0.

    Notes
    -----
    For any weight linear in D^2, the shell integral is
    ``<< delta(E - E(D, y)) (alpha + beta D^2/E^2) >> = alpha g/(2 pi nP) + beta W/E``.

    Examples
    --------
    >>> p = DielectricATS(1.0, Dmin_K=0.5, X0min_KA2=5e4, X0max_KA2=3e5)
    >>> bool(np.isclose(shell_count(1.0, 0.0, p), np.log(6.0)))
    True
    """
    check_orientation(orientation)
    p = params.ats if isinstance(params, DielectricATS) else params
    E = np.asarray(E_K, dtype=float)
    B = np.asarray(B_T, dtype=float)
    E, B = np.broadcast_arrays(E, B)
    return _shell_W(E, coupling(B, orientation), p, orientation)


def _band0(E: NDArray, p: ATSParams) -> NDArray:
    band = E > p.Dmin_K
    if p.Dmax_K is not None:
        band &= E <= p.Dmax_K
    return band


def _shell_W(E: NDArray, b: NDArray, p: ATSParams, orientation: str) -> NDArray:
    on = b > 0
    bs = np.where(on, b, 1.0)
    W = np.zeros(np.broadcast(E, b).shape)
    for lo, hi, const, inv in _pieces(E, bs, p, orientation):
        ok = hi > lo
        lo_s = np.where(ok, lo, 1.0)
        hi_s = np.where(ok, hi, 1.0)
        piece = const * (hi_s - lo_s)
        if np.any(inv):
            piece = piece + inv * np.log(hi_s / lo_s)
        W = W + np.where(ok, piece, 0.0)
    return np.where(on, W, np.where(_band0(E, p), np.log(p.X0max_KA2 / p.X0min_KA2), 0.0))


def _shell_G(E: NDArray, b: NDArray, p: ATSParams, orientation: str) -> NDArray:
    """g(E, B)/(2 pi nP): the closed form of :func:`etm.ensemble.ats_dos` at coupling b."""
    return dos_at_coupling(E, b, p, orientation) / (_TWO_PI * p.nP_per_g)


def _shell_debye(
    E: NDArray, b: NDArray, p: ATSParams, orientation: str, a: NDArray, c: NDArray
) -> NDArray:
    """Integral of w(y)/(a + c y^2) over the allowed y (a complex with Re a > 0, c > 0)."""
    on = b > 0
    bs = np.where(on, b, 1.0)
    sac = np.sqrt(a * c)
    q = np.sqrt(c / a)  # Re q > 0: arctan(y q) stays off its branch cuts

    def F1(y):
        return np.arctan(y * q) / sac

    out = np.zeros(np.broadcast(E, b, a).shape, dtype=complex)
    for lo, hi, const, inv in _pieces(E, bs, p, orientation):
        ok = hi > lo
        lo_s = np.where(ok, lo, 1.0)
        hi_s = np.where(ok, hi, 1.0)
        piece = const * (F1(hi_s) - F1(lo_s))
        if np.any(inv):
            # int dy / (y (a + c y^2)) = (1/2a) ln(y^2 / (a + c y^2))
            piece = piece + inv * (
                2.0 * np.log(hi_s / lo_s) - (np.log(a + c * hi_s**2) - np.log(a + c * lo_s**2))
            ) / (2.0 * a)
        out = out + np.where(ok, piece, 0.0)
    # B = 0: every system has y = 0
    W0 = np.where(_band0(E, p), np.log(p.X0max_KA2 / p.X0min_KA2), 0.0)
    return np.where(on, out, W0 / a)


# --------------------------------------------------------------------------------------------
# the energy quadrature

#: Thermal kernels are negligible beyond E - Dmin = TAIL_T * T (sech^2(30) ~ 4e-26).
TAIL_T = 60.0
#: Nodes of the 1/E tail [E_top, inf) of the resonant integral, in t = E_top/E.
TAIL_NODES = 16


def _energy_grid(Bu: NDArray, T: NDArray, p: ATSParams, orientation: str):
    """Nodes E (nB, K) and weights dE on [Dmin, inf) resolving every kink of g and W.

    The panels of :func:`etm.ensemble.energy_panels` up to E_top (>= twice every cutoff energy
    and TAIL_T times the highest T), above which t = E_top/E maps the 1/E^2 tail of the
    resonant kernel onto [0, 1], where the integrand is smooth.
    """
    Dmin = p.Dmin_K
    b = coupling(Bu, orientation)
    X_hi = b * p.X0max_KA2
    e_max = float(np.max(np.hypot(p.Dmax_K or Dmin, X_hi)))
    u_top = max(TAIL_T * float(T.max()), 2.0 * e_max, 4.0 * Dmin) - Dmin
    if p.Dmax_K is not None:
        u_top = max(u_top, 2.0 * p.Dmax_K)
    E, dE = energy_panels(b, p, float(T.min()), u_top)
    # tail: E = E_top / t, dE = E_top dt / t^2, two panels in t
    tt, tw = np.polynomial.legendre.leggauss(TAIL_NODES)
    tt = np.concatenate([0.25 * (tt + 1.0), 0.5 + 0.25 * (tt + 1.0)])
    tw = np.concatenate([0.25 * tw, 0.25 * tw])
    E_top = Dmin + u_top
    Et = np.broadcast_to(E_top / tt, (Bu.size, tt.size))
    dEt = np.broadcast_to(E_top * tw / tt**2, (Bu.size, tt.size))
    return E, dE, Et, dEt


# --------------------------------------------------------------------------------------------
# the response


def _check_field(B_T: ArrayLike) -> NDArray[np.float64]:
    B = np.asarray(B_T, dtype=float)
    if np.isnan(B).any():
        raise ValueError("B_T must not contain NaN (allowed: 0 <= B_T < inf, in T)")
    if (B < 0).any() or np.isinf(B).any():
        raise ValueError(f"B_T must be finite and >= 0 T, got min {B.min()!r}, max {B.max()!r}")
    return B


def _sech2(x: NDArray) -> NDArray:
    e = np.exp(-2.0 * x)
    return 4.0 * e / (1.0 + e) ** 2


@dataclass(frozen=True)
class _Options:
    orientation: str
    average: str
    matrix_elements: str
    n_wells: int
    relaxation: str
    A_ats: float | None
    rate_2LS: float


def _options(orientation, average, matrix_elements, n_wells, relaxation, A_ats, rate_2LS):
    check_orientation(orientation)
    if average not in AVERAGES:
        raise ValueError(f"average must be one of {AVERAGES}, got {average!r}")
    _coefficients(matrix_elements, n_wells)
    if relaxation not in RELAXATIONS:
        raise ValueError(f"relaxation must be one of {RELAXATIONS}, got {relaxation!r}")
    if relaxation == "debye":
        if A_ats is None:
            raise ValueError("A_ats [1/(s K^3)] > 0 is required with relaxation='debye'")
        A_ats = check_positive("A_ats", A_ats)
    r2 = check_positive("rate_2LS", rate_2LS, allow_zero=True)
    return _Options(orientation, average, matrix_elements, int(n_wells), relaxation, A_ats, r2)


def _inputs(B_T, T_K, params, f_Hz):
    if not isinstance(params, DielectricATS):
        raise ValueError(
            f"params must be a DielectricATS (amplitude and cutoffs), got {type(params).__name__}"
        )
    B = _check_field(B_T)
    T = check_temperature(T_K)
    f = check_frequency(f_Hz)
    hf = HF_K_PER_HZ * f
    if (hf >= params.Dmin_K).any():
        raise ValueError(
            f"f_Hz must be below k_B Dmin/h = {params.Dmin_K / HF_K_PER_HZ:.4g} Hz (the ATS "
            f"resonant part assumes hf < Dmin), got max {f.max()!r}"
        )
    return B, T, f


def _response(B, T, f, params: DielectricATS, o: _Options) -> NDArray[np.complex128]:
    B, T, f = np.broadcast_arrays(B, T, f)
    shape = B.shape
    B, T, f = (np.array(x, dtype=float).reshape(-1) for x in (B, T, f))
    if B.size == 0:
        return np.zeros(shape, dtype=complex)
    p = params.ats
    Bu, inv = np.unique(B, return_inverse=True)
    E, dE, Et, dEt = _energy_grid(Bu, T, p, o.orientation)
    alpha, beta, beta_rel, gamma = _coefficients(o.matrix_elements, o.n_wells)
    b = coupling(Bu, o.orientation)[:, None]
    hf2 = ((HF_K_PER_HZ * f) ** 2)[:, None]
    Tc = T[:, None]

    def weights(Eg):
        G = _shell_G(Eg, b, p, o.orientation)
        if o.average == "direct":
            WoE = _shell_W(Eg, b, p, o.orientation) / Eg
            return G, alpha * G + beta * WoE, beta_rel * WoE, None
        # Eq. 19 read literally: the correlators averaged over the distribution apart from the
        # delta function, i.e. y^2 -> its unconditional mean, capped at the largest value a
        # system of gap E can have (docs/dielectric.md)
        X2 = (p.X0max_KA2**2 - p.X0min_KA2**2) / (2.0 * np.log(p.X0max_KA2 / p.X0min_KA2))
        c2 = 1.0 / 3.0 if o.orientation == "isotropic" else 1.0
        y2 = np.minimum(b * b * c2 * X2, np.maximum(Eg * Eg - p.Dmin_K**2, 0.0))
        if p.Dmax_K is not None:
            y2 = np.maximum(y2, Eg * Eg - p.Dmax_K**2)
        r = (Eg * Eg - y2) / (Eg * Eg)
        return G, G * (alpha + beta * r), G * beta_rel * r, y2

    # resonant: body + tail, kernel tanh(E/2T) E/(E^2 - (hf)^2)
    _, wres, wrel, y2 = weights(E)
    _, wres_t, _, _ = weights(Et)
    Ep, Etp = E[inv], Et[inv]
    res = np.einsum("nk,nk->n", (wres * dE)[inv], np.tanh(Ep / (2 * Tc)) * Ep / (Ep**2 - hf2))
    res += np.einsum(
        "nk,nk->n", (wres_t * dEt)[inv], np.tanh(Etp / (2 * Tc)) * Etp / (Etp**2 - hf2)
    )
    out = params.amplitude_K * res.astype(complex)
    if o.relaxation == "frozen":
        return out.reshape(shape)
    therm = _sech2(Ep / (2 * Tc)) / Tc
    if o.relaxation == "static":
        rel = np.einsum("nk,nk->n", (wrel * dE)[inv], therm)
        return (out + 0.5 * params.amplitude_K * rel).reshape(shape)
    # Debye: Gamma(E, y) = A E coth(E/2T) ((1 - gamma) E^2 + gamma y^2) + rate_2LS, and
    # Gamma/(Gamma - i omega) = 1 + i omega/(a + c y^2) with a, c below
    omega = (_TWO_PI * f)[:, None]
    AEc = o.A_ats * Ep / np.tanh(Ep / (2 * Tc))
    a = AEc * (1.0 - gamma) * Ep**2 + o.rate_2LS - 1j * omega
    c = AEc * gamma
    if o.average == "direct":
        Jw = _shell_debye(Ep, b[inv], p, o.orientation, a, c)
        factor = wrel[inv] + 1j * omega * beta_rel * Jw / Ep
    else:
        factor = wrel[inv] * (1.0 + 1j * omega / (a + c * y2[inv]))
    rel = np.einsum("nk,nk->n", dE[inv] * therm, factor)
    return (out + 0.5 * params.amplitude_K * rel).reshape(shape)


def ats_response(
    B_T: ArrayLike,
    T_K: ArrayLike,
    params: DielectricATS,
    f_Hz: ArrayLike = TYPICAL_FREQUENCY_HZ,
    *,
    orientation: str = "isotropic",
    average: str = "direct",
    matrix_elements: str = "exact",
    n_wells: int = 3,
    relaxation: str = "frozen",
    A_ats: float | None = None,
    rate_2LS: float = 0.0,
) -> NDArray[np.complex128]:
    """ATS contribution (delta eps' + i eps'')/eps' at field B and temperature T.

    Parameters
    ----------
    B_T : array_like
        Magnetic field B [T], >= 0.
    T_K : array_like
        Temperature T [K], > 0.
    params : DielectricATS
        Amplitude A [K] and cutoffs (e.g. ``dielectric_preset("BAS", 0.05).params``).
    f_Hz : array_like
        Measuring frequency f [Hz], 0 <= f < k_B Dmin/h. B, T and f broadcast together.
    orientation : {"isotropic", "aligned", "phi2/3"}
        Loop orientation relative to B: cos(beta) uniform in [0, 1], cos(beta) = 1, or the
        essay's shortcut phi^2 -> phi^2/3.
    average : {"direct", "decoupled"}
        ``"direct"``: the joint average over (D, D0, beta), exact. ``"decoupled"``: the essay's
        Eq. 19 read literally: the correlator (and rate) evaluated with (D0 phi)^2 replaced by
        its distribution mean b^2 <cos^2 beta> <X^2> (capped at E^2 - Dmin^2), times the
        density of states g(E, B).
    matrix_elements : {"exact", "essay"}
        See :func:`correlators` and :func:`ats_relaxation_rate`.
    n_wells : int
        n_w of Eq. 20 (``"essay"`` only).
    relaxation : {"frozen", "static", "debye"}
        ``"frozen"`` (default): the relaxational part is frozen (omega tau >> 1) and only the
        resonant Eq. 16 remains, as in the essay's fits (its low-field peak is a resonant
        feature; a relaxed relaxational part cancels it for E << T, see docs/dielectric.md).
        ``"static"``: omega tau -> 0. ``"debye"``: Debye factor with the ATS rate (``A_ats``).
    A_ats : float, optional
        ATS one-phonon coupling [1/(s K^3)] for ``relaxation="debye"``.
    rate_2LS : float
        Field-independent extra rate [1/s] of Eq. 22 (``"debye"`` only).

    Returns
    -------
    ndarray of complex
        delta eps'/eps' + i tan(delta), shape ``broadcast(B_T, T_K, f_Hz)``.

    Notes
    -----
    With the grouping A = pi x P* p1^2/(eps0 eps_r) the essay's Eq. 16-17, averaged with the
    measure 2 pi P* dD/D dD0/D0 of Eq. 10, become

        resonant      A << m_res tanh(E/2T) E/(E^2 - (hf)^2) >>
        relaxational  (A/2) << m_rel sech^2(E/2T) / (T (1 - i omega tau)) >>

    and, m being linear in D^2 at fixed E, ``<< delta(E - E(D, y)) m >>`` is a combination of
    g(E, B) and W(E, B) (:func:`shell_count`). One E quadrature (graded panels at every cutoff,
    a 1/E tail map) then gives the direct average to ~1e-9. Derivation: docs/dielectric.md.

    References
    ----------
    Essay Eq. 16-22; MODEL.md section 6.

    Examples
    --------
    >>> p = dielectric_preset("BAS", 0.05).params
    >>> r = ats_response([0.0, 0.1], 0.05, p)
    >>> bool(r.real[1] < r.real[0]), float(r.imag[0])
    (True, 0.0)
    """
    o = _options(orientation, average, matrix_elements, n_wells, relaxation, A_ats, rate_2LS)
    B, T, f = _inputs(B_T, T_K, params, f_Hz)
    return _response(B, T, f, params, o)


def relative_change(
    B_T: ArrayLike,
    T_K: ArrayLike,
    params: DielectricATS,
    f_Hz: ArrayLike = TYPICAL_FREQUENCY_HZ,
    *,
    orientation: str = "isotropic",
    average: str = "direct",
    matrix_elements: str = "exact",
    n_wells: int = 3,
    relaxation: str = "frozen",
    A_ats: float | None = None,
    rate_2LS: float = 0.0,
) -> NDArray[np.float64]:
    """[eps'(T, B) - eps'(T, 0)]/eps', the quantity of the essay's Figs. 10-12.

    Parameters
    ----------
    B_T, T_K, params, f_Hz
        As in :func:`ats_response` (B [T] >= 0, T [K] > 0, f [Hz]); broadcast together.
    orientation, average, matrix_elements, n_wells, relaxation, A_ats, rate_2LS
        As in :func:`ats_response`.

    Returns
    -------
    ndarray
        The field-induced relative change of eps' (the 2LS background cancels: it is field-blind).

    References
    ----------
    Essay Eq. 16-22, Figs. 10-12, Tables 5-6.

    Examples
    --------
    >>> p = dielectric_preset("BAS", 0.05).params
    >>> d = relative_change([0.0, 1e-3, 0.3], 0.05, p, 1e3)
    >>> float(d[0]), bool(d[2] < 0)
    (0.0, True)
    """
    o = _options(orientation, average, matrix_elements, n_wells, relaxation, A_ats, rate_2LS)
    B, T, f = _inputs(B_T, T_K, params, f_Hz)
    B, T, f = (np.array(x) for x in np.broadcast_arrays(B, T, f))
    # one call, one grid: the B = 0 rows of both halves are then the same numbers, so the change
    # is exactly 0 at B = 0 and small fields are not lost to two grids' different round-off
    both = _response(np.stack([B, np.zeros_like(B)]), T, f, params, o).real
    return np.asarray(both[0] - both[1])


def loss(
    B_T: ArrayLike,
    T_K: ArrayLike,
    params: DielectricATS,
    f_Hz: ArrayLike,
    *,
    A_ats: float,
    orientation: str = "isotropic",
    average: str = "direct",
    matrix_elements: str = "exact",
    n_wells: int = 3,
    rate_2LS: float = 0.0,
) -> NDArray[np.float64]:
    """ATS contribution to the loss tan(delta) = eps''/eps' (relaxational; Debye factor).

    Parameters
    ----------
    B_T, T_K, params : array_like, array_like, DielectricATS
        Field [T] >= 0, temperature [K] > 0, parameters.
    f_Hz : array_like
        Frequency [Hz], 0 < f < k_B Dmin/h.
    A_ats : float
        ATS one-phonon coupling [1/(s K^3)], > 0 (not in the essay's tables).
    orientation, average, matrix_elements, n_wells, rate_2LS
        As in :func:`ats_response`.

    Returns
    -------
    ndarray
        tan(delta)_ATS(T, B). For hf < Dmin the resonant ATS loss is zero (no ATS has E = hf);
        add :func:`stm_resonant_loss` and the imaginary part of :func:`stm_relaxation` for the
        field-blind 2LS background.

    Examples
    --------
    >>> p = dielectric_preset("BAS", 0.05).params
    >>> bool(loss(0.0, 0.05, p, 1e3, A_ats=1e8) > 0)
    True
    """
    check_frequency(f_Hz, positive=True)
    o = _options(orientation, average, matrix_elements, n_wells, "debye", A_ats, rate_2LS)
    B, T, f = _inputs(B_T, T_K, params, f_Hz)
    return np.asarray(_response(B, T, f, params, o).imag)
