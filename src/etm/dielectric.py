"""Dielectric constant and loss of a glass in a magnetic field: the ATS contributions.

Each anomalous tunneling system (ATS) acts, in the weak-field limit, as an effective two-level
system of gap E = sqrt(D^2 + y^2), y = D0 phi = AB_K_PER_T_KA2 * B * X * cos(beta) (essay
Eq. 16-22, docs/dielectric.md). Its resonant and relaxational responses are averaged over the
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

from etm.ensemble import (
    check_orientation,
    coupling,
    response_grid,
    shell_debye,
    shell_G,
    shell_W,
)
from etm.params import ATSParams, DielectricATS, check_positive
from etm.relaxation import ats_phonon_rate
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
    "DielectricATS",
    "MATRIX_ELEMENTS",
    "RELAXATIONS",
    "TYPICAL_FREQUENCY_HZ",
    "ats_relaxation_rate",
    "ats_response",
    "correlators",
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
#: ``"exact"``: three-well matrix elements (docs/dielectric.md); ``"essay"``: Eq. 20 for n_w wells
#: and the rate of Eq. 21.
MATRIX_ELEMENTS: tuple[str, ...] = ("exact", "essay")
#: ``"frozen"``: omega tau >> 1, resonant part (Eq. 16) only, as in the essay's fits of
#: Figs. 10-12; ``"static"``: omega tau -> 0 (no tau needed); ``"debye"``: Debye factor with the
#: ATS one-phonon rate of Eq. 21 (needs ``Gamma_inv_per_sK5``).
RELAXATIONS: tuple[str, ...] = ("frozen", "static", "debye")
#: Frequency [Hz] used when none is given: the essay fits audio-frequency bridge data ("low (kHz)
#: frequency", its section 1); the tables do not state it, so 1 kHz is our documented choice.
TYPICAL_FREQUENCY_HZ: float = 1.0e3

_TWO_PI = 2.0 * np.pi


# --------------------------------------------------------------------------------------------
# parameters


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
        ``"exact"``: (E^2 - D^2/2)/E^2 and (D^2/2)/E^2 (three wells, docs/dielectric.md);
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
    Gamma_inv_per_sK5: float,
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
    Gamma_inv_per_sK5 : float
        Phonon coupling Gamma^-1 [1/(s K^5)], > 0 (the echo's Table 7 column; the dielectric
        tables give no rate). A 2LS-style coupling A [1/(s K^3)] matches it at energy E* for
        Gamma^-1 = A/E*^2 (:func:`etm.relaxation.ats_phonon_rate`).
    matrix_elements : {"exact", "essay"}
        Transition weight: (E^2 - D^2/2)/E^2 (exact three-well model, if strain couples through
        the well energies as the field does) or (E^2 - D^2/6)/E^2 (the essay's Eq. 21).
    rate_2LS : float
        A field-independent extra rate [1/s] added as in Eq. 22 (default 0).

    Returns
    -------
    ndarray
        ``Gamma^-1 E^3 (E^2 - gamma D^2) coth(E/2T) + rate_2LS``
        (:func:`etm.relaxation.ats_phonon_rate` plus the extra rate).

    Examples
    --------
    >>> float(ats_relaxation_rate(1.0, 1.0, 1e-3, 1e8))  # E = D, T << E: Gamma^-1 D^5 / 2
    50000000.0
    """
    G = check_positive("Gamma_inv_per_sK5", Gamma_inv_per_sK5)
    r2 = check_positive("rate_2LS", rate_2LS, allow_zero=True)
    _coefficients(matrix_elements, 3)
    T = check_temperature(T_K)
    return ats_phonon_rate(E_K, D_K, T, G, matrix_elements) + r2


# --------------------------------------------------------------------------------------------
# shell integrals


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
    return shell_W(E, coupling(B, orientation), p, orientation)


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
    Gamma_inv_per_sK5: float | None
    rate_2LS: float


def _options(orientation, average, matrix_elements, n_wells, relaxation, Gamma_inv, rate_2LS):
    check_orientation(orientation)
    if average not in AVERAGES:
        raise ValueError(f"average must be one of {AVERAGES}, got {average!r}")
    _coefficients(matrix_elements, n_wells)
    if relaxation not in RELAXATIONS:
        raise ValueError(f"relaxation must be one of {RELAXATIONS}, got {relaxation!r}")
    if relaxation == "debye":
        if Gamma_inv is None:
            raise ValueError(
                "Gamma_inv_per_sK5 [1/(s K^5)] > 0 is required with relaxation='debye'"
            )
        Gamma_inv = check_positive("Gamma_inv_per_sK5", Gamma_inv)
    r2 = check_positive("rate_2LS", rate_2LS, allow_zero=True)
    return _Options(orientation, average, matrix_elements, int(n_wells), relaxation, Gamma_inv, r2)


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
    E, dE, Et, dEt = response_grid(Bu, T, p, o.orientation)
    alpha, beta, beta_rel, gamma = _coefficients(o.matrix_elements, o.n_wells)
    b = coupling(Bu, o.orientation)[:, None]
    hf2 = ((HF_K_PER_HZ * f) ** 2)[:, None]
    Tc = T[:, None]

    def weights(Eg):
        G = shell_G(Eg, b, p, o.orientation)
        if o.average == "direct":
            WoE = shell_W(Eg, b, p, o.orientation) / Eg
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
    # Debye: rate(E, y) = Gamma^-1 E^3 coth(E/2T) ((1 - gamma) E^2 + gamma y^2) + rate_2LS
    # (Eq. 21, :func:`etm.relaxation.ats_phonon_rate` with D^2 = E^2 - y^2), and
    # Gamma/(Gamma - i omega) = 1 + i omega/(a + c y^2) with a, c below
    omega = (_TWO_PI * f)[:, None]
    AEc = o.Gamma_inv_per_sK5 * Ep**3 / np.tanh(Ep / (2 * Tc))
    a = AEc * (1.0 - gamma) * Ep**2 + o.rate_2LS - 1j * omega
    c = AEc * gamma
    if o.average == "direct":
        Jw = shell_debye(Ep, b[inv], p, o.orientation, a, c)
        factor = wrel[inv] + 1j * omega * beta_rel * Jw / Ep
    else:
        factor = wrel[inv] * (1.0 + 1j * omega / (a + c * y2[inv]))
    rel = np.einsum("nk,nk->n", dE[inv] * therm, factor)
    return (out + 0.5 * params.amplitude_K * rel).reshape(shape)


def ats_response(
    T_K: ArrayLike,
    B_T: ArrayLike,
    params: DielectricATS,
    f_Hz: ArrayLike = TYPICAL_FREQUENCY_HZ,
    *,
    orientation: str = "isotropic",
    average: str = "direct",
    matrix_elements: str = "exact",
    n_wells: int = 3,
    relaxation: str = "frozen",
    Gamma_inv_per_sK5: float | None = None,
    rate_2LS: float = 0.0,
) -> NDArray[np.complex128]:
    """ATS contribution (delta eps' + i eps'')/eps' at field B and temperature T.

    Parameters
    ----------
    T_K : array_like
        Temperature T [K], > 0.
    B_T : array_like
        Magnetic field B [T], >= 0.
    params : DielectricATS
        Amplitude A [K] and cutoffs (e.g. ``materials.dielectric_row("BAS", 0.05).params``).
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
        ``"static"``: omega tau -> 0. ``"debye"``: Debye factor with the ATS rate of Eq. 21
        (needs ``Gamma_inv_per_sK5``).
    Gamma_inv_per_sK5 : float, optional
        ATS phonon coupling Gamma^-1 [1/(s K^5)] of Eq. 21 for ``relaxation="debye"``
        (:func:`etm.relaxation.ats_phonon_rate`).
    rate_2LS : float
        Field-independent extra rate [1/s] of Eq. 22 (``"debye"`` only).

    Returns
    -------
    ndarray of complex
        delta eps'/eps' + i tan(delta), shape ``broadcast(T_K, B_T, f_Hz)``.

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
    Essay Eq. 16-22; docs/dielectric.md.

    Examples
    --------
    >>> from etm import materials
    >>> p = materials.dielectric_row("BAS", 0.05).params
    >>> r = ats_response(0.05, [0.0, 0.1], p)
    >>> bool(r.real[1] < r.real[0]), float(r.imag[0])
    (True, 0.0)
    """
    o = _options(
        orientation, average, matrix_elements, n_wells, relaxation, Gamma_inv_per_sK5, rate_2LS
    )
    B, T, f = _inputs(B_T, T_K, params, f_Hz)
    return _response(B, T, f, params, o)


def relative_change(
    T_K: ArrayLike,
    B_T: ArrayLike,
    params: DielectricATS,
    f_Hz: ArrayLike = TYPICAL_FREQUENCY_HZ,
    *,
    orientation: str = "isotropic",
    average: str = "direct",
    matrix_elements: str = "exact",
    n_wells: int = 3,
    relaxation: str = "frozen",
    Gamma_inv_per_sK5: float | None = None,
    rate_2LS: float = 0.0,
) -> NDArray[np.float64]:
    """[eps'(T, B) - eps'(T, 0)]/eps', the quantity of the essay's Figs. 10-12.

    Parameters
    ----------
    T_K, B_T, params, f_Hz
        As in :func:`ats_response` (T [K] > 0, B [T] >= 0, f [Hz]); broadcast together.
    orientation, average, matrix_elements, n_wells, relaxation, Gamma_inv_per_sK5, rate_2LS
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
    >>> from etm import materials
    >>> p = materials.dielectric_row("BAS", 0.05).params
    >>> d = relative_change(0.05, [0.0, 1e-3, 0.3], p, 1e3)
    >>> float(d[0]), bool(d[2] < 0)
    (0.0, True)
    """
    o = _options(
        orientation, average, matrix_elements, n_wells, relaxation, Gamma_inv_per_sK5, rate_2LS
    )
    B, T, f = _inputs(B_T, T_K, params, f_Hz)
    B, T, f = (np.array(x) for x in np.broadcast_arrays(B, T, f))
    # one call, one grid: the B = 0 rows of both halves are then the same numbers, so the change
    # is exactly 0 at B = 0 and small fields are not lost to two grids' different round-off
    both = _response(np.stack([B, np.zeros_like(B)]), T, f, params, o).real
    return np.asarray(both[0] - both[1])


def loss(
    T_K: ArrayLike,
    B_T: ArrayLike,
    params: DielectricATS,
    f_Hz: ArrayLike,
    *,
    Gamma_inv_per_sK5: float,
    orientation: str = "isotropic",
    average: str = "direct",
    matrix_elements: str = "exact",
    n_wells: int = 3,
    rate_2LS: float = 0.0,
) -> NDArray[np.float64]:
    """ATS contribution to the loss tan(delta) = eps''/eps' (relaxational; Debye factor).

    Parameters
    ----------
    T_K, B_T, params : array_like, array_like, DielectricATS
        Temperature [K] > 0, field [T] >= 0, parameters.
    f_Hz : array_like
        Frequency [Hz], 0 < f < k_B Dmin/h.
    Gamma_inv_per_sK5 : float
        ATS phonon coupling Gamma^-1 [1/(s K^5)] of Eq. 21, > 0 (not in the dielectric tables).
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
    >>> from etm import materials
    >>> p = materials.dielectric_row("BAS", 0.05).params
    >>> bool(loss(0.05, 0.0, p, 1e3, Gamma_inv_per_sK5=4e10) > 0)
    True
    """
    check_frequency(f_Hz, positive=True)
    o = _options(
        orientation, average, matrix_elements, n_wells, "debye", Gamma_inv_per_sK5, rate_2LS
    )
    B, T, f = _inputs(B_T, T_K, params, f_Hz)
    return np.asarray(_response(B, T, f, params, o).imag)
