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
:func:`etm.ensemble.ats_dos`) and of the shell count W(E, B), also with the Debye factor and
with the measuring field's direction (elementary integrals, :mod:`etm.ensemble.geometry`); that
is what makes a 200-point field sweep take milliseconds at any frequency: for hf > Dmin the
resonant part is a principal value (eps') plus a delta function (eps'',
:mod:`etm.ensemble.pointwise`). Evaluation row by row, with the low-field B^2 term and the
memory budget: :mod:`etm.dielectric.core`.

The 2LS background (field-blind) is in :mod:`etm.dielectric.stm` and re-exported here.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from etm.checks import (
    check_drive_ratio,
    check_frequency,
    check_nonneg,
    check_positive,
    check_temperature,
)
from etm.dielectric.core import (
    AVERAGES,
    MATRIX_ELEMENTS,
    RELAXATIONS,
    ResponseOptions,
    coefficients,
    response_rows,
)
from etm.dielectric.stm import stm_relaxation, stm_resonant, stm_resonant_loss, stm_total
from etm.ensemble import check_orientation, coupling, shell_W
from etm.ensemble.geometry import MEASURING_FIELDS
from etm.materials.coerce import as_dielectric
from etm.params import ATSParams, DielectricATS
from etm.relaxation import ats_phonon_rate

__all__ = [
    "AVERAGES",
    "DielectricATS",
    "MATRIX_ELEMENTS",
    "MEASURING_FIELDS",
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

#: Frequency [Hz] used when none is given: the essay fits audio-frequency bridge data ("low (kHz)
#: frequency", its section 1); the tables do not state it, so 1 kHz is our documented choice.
TYPICAL_FREQUENCY_HZ: float = 1.0e3


# --------------------------------------------------------------------------------------------
# parameters


# --------------------------------------------------------------------------------------------
# single systems


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
    a, b, br, _ = coefficients(matrix_elements, n_wells)
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
    coefficients(matrix_elements, 3)
    T = check_temperature(T_K)
    return ats_phonon_rate(E_K, D_K, T, G, matrix_elements) + r2


# --------------------------------------------------------------------------------------------
# shell integrals


def shell_count(
    E_K: ArrayLike, B_T: ArrayLike, params: ATSParams | DielectricATS, *, orientation="isotropic"
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


def _inputs(B_T, T_K, params, f_Hz, drive_ratio=0.0):
    params = as_dielectric(params)
    B = check_nonneg("B_T", B_T, "T")
    T = check_temperature(T_K)
    f = check_frequency(f_Hz)
    d = check_drive_ratio(drive_ratio)
    return B, T, f, d, params


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
    measuring_field: str = "random",
    drive_ratio: ArrayLike = 0.0,
    memory_MB: float | None = None,
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
        Measuring frequency f [Hz], >= 0, any value (hf above Dmin: resonant ATS exist, eps'
        is a principal value and eps'' has the resonant delta-function term).
        B, T, f and ``drive_ratio`` broadcast together.
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
        feature; a relaxed relaxational part cancels it for E << T, see docs/dielectric.md §3d).
        ``"static"``: omega tau -> 0. ``"debye"``: Debye factor with the ATS rate of Eq. 21
        (needs ``Gamma_inv_per_sK5``).
    Gamma_inv_per_sK5 : float, optional
        ATS phonon coupling Gamma^-1 [1/(s K^5)] of Eq. 21 for ``relaxation="debye"``
        (:func:`etm.relaxation.ats_phonon_rate`).
    rate_2LS : float
        Field-independent extra rate [1/s] of Eq. 22 (``"debye"`` only).
    measuring_field : {"random", "parallel", "perpendicular"}
        Direction of the measuring electric field relative to B. Only its projection on a
        loop's plane couples, so F parallel to B weights a loop tilted by beta with
        (3/2) sin^2 beta, F perpendicular with (3/4)(1 + cos^2 beta). Default ``"random"``:
        the average over the field's direction (weight 1), which is what the essay's Eq. 20
        ("an isotropic set of planar n-gons") and its fits of Tables 5-6 assume; the essay does
        not state its capacitor's orientation. docs/dielectric.md §3b.
    drive_ratio : array_like
        Saturation of the resonant loss, s = (F/F_c)^2 (= P/P_c for a resonator), >= 0: the
        resonant eps'' is divided by sqrt(1 + s) (docs/dielectric.md §3c, derived from the ATS
        Rabi frequency; F_c is that of a system with D = 0: with the exact matrix elements every
        resonant system saturates alike, with the essay's weights (Eq. 21/27) those with D > 0
        more slowly). Default 0 (linear response). eps' is not changed (its saturable part is
        odd about E = hf).
    memory_MB : float, optional
        Working-memory budget [MB] (default: :func:`etm.chunks.budget_bytes`).

    Returns
    -------
    ndarray of complex
        delta eps'/eps' + i tan(delta), shape ``broadcast(T_K, B_T, f_Hz, drive_ratio)``.

    Notes
    -----
    With the grouping A = pi x P* p1^2/(eps0 eps_r) the essay's Eq. 16-17, averaged with the
    measure 2 pi P* dD/D dD0/D0 of Eq. 10, become

        resonant      A PV << m_res tanh(E/2T) E/(E^2 - (hf)^2) >>
                      + i A (pi/2) << m_res delta(E - hf) >> tanh(hf/2T)
        relaxational  (A/2) << m_rel sech^2(E/2T) / (T (1 - i omega tau)) >>

    and, m being linear in D^2 at fixed E, ``<< delta(E - E(D, y)) m >>`` is a combination of
    g(E, B) and W(E, B) (:func:`shell_count`). One E quadrature per (B, T, f) point (graded
    panels at every cutoff, the pole subtracted, a 1/E tail map) gives the direct average to
    ~1e-9; a value does not depend on the other points of the call. Derivation:
    docs/dielectric.md.

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
    >>> bool(ats_response(0.05, 0.0, p, 5e9).imag > 0)  # hf > Dmin: resonant loss
    True
    """
    o = ResponseOptions(
        orientation=orientation,
        average=average,
        matrix_elements=matrix_elements,
        n_wells=n_wells,
        relaxation=relaxation,
        Gamma_inv_per_sK5=Gamma_inv_per_sK5,
        rate_2LS=rate_2LS,
        measuring_field=measuring_field,
        memory_MB=memory_MB,
    )
    B, T, f, d, params = _inputs(B_T, T_K, params, f_Hz, drive_ratio)
    return response_rows(B, T, f, d, params, o)


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
    measuring_field: str = "random",
    memory_MB: float | None = None,
) -> NDArray[np.float64]:
    """[eps'(T, B) - eps'(T, 0)]/eps', the quantity of the essay's Figs. 10-12.

    Parameters
    ----------
    T_K, B_T, params, f_Hz
        As in :func:`ats_response` (T [K] > 0, B [T] >= 0, f [Hz] >= 0); broadcast together.
    orientation, average, matrix_elements, n_wells, relaxation, Gamma_inv_per_sK5, rate_2LS
        As in :func:`ats_response`.
    measuring_field, memory_MB
        As in :func:`ats_response`.

    Returns
    -------
    ndarray
        The field-induced relative change of eps' (the 2LS background cancels: it is field-blind).

    Notes
    -----
    Each point's change is the quadrature of the difference of the integrands at B and at 0 on
    that point's own grid, so it is accurate relative to itself (not only to the curve's peak),
    and below (b X0max)^2 = 1e-7 s^2 (about 10-40 uT for the Table 5-6 rows; s^2 the kernel's
    smallest energy-squared scale) it is the B^2 term, a separate integral over D
    (docs/dielectric.md §3e): 1e-6 relative down to 1 uT (tested), independent of the other
    points of the call.

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
    o = ResponseOptions(
        orientation=orientation,
        average=average,
        matrix_elements=matrix_elements,
        n_wells=n_wells,
        relaxation=relaxation,
        Gamma_inv_per_sK5=Gamma_inv_per_sK5,
        rate_2LS=rate_2LS,
        measuring_field=measuring_field,
        memory_MB=memory_MB,
    )
    B, T, f, d, params = _inputs(B_T, T_K, params, f_Hz)
    return np.asarray(response_rows(B, T, f, d, params, o, change=True).real)


def loss(
    T_K: ArrayLike,
    B_T: ArrayLike,
    params: DielectricATS,
    f_Hz: ArrayLike,
    *,
    Gamma_inv_per_sK5: float | None = None,
    relaxation: str | None = None,
    orientation: str = "isotropic",
    average: str = "direct",
    matrix_elements: str = "exact",
    n_wells: int = 3,
    rate_2LS: float = 0.0,
    measuring_field: str = "random",
    drive_ratio: ArrayLike = 0.0,
    memory_MB: float | None = None,
) -> NDArray[np.float64]:
    """ATS contribution to the loss tan(delta) = eps''/eps': resonant plus relaxational.

    Parameters
    ----------
    T_K, B_T, params : array_like, array_like, DielectricATS
        Temperature [K] > 0, field [T] >= 0, parameters.
    f_Hz : array_like
        Frequency [Hz], > 0.
    Gamma_inv_per_sK5 : float, optional
        ATS phonon coupling Gamma^-1 [1/(s K^5)] of Eq. 21, > 0 (not in the dielectric tables).
    relaxation : {"frozen", "static", "debye"}, optional
        Default: ``"debye"`` if ``Gamma_inv_per_sK5`` is given, else ``"frozen"`` (resonant
        loss only). ``"static"`` has no relaxational loss.
    orientation, average, matrix_elements, n_wells, rate_2LS, measuring_field, drive_ratio,
    memory_MB
        As in :func:`ats_response`.

    Returns
    -------
    ndarray
        tan(delta)_ATS(T, B). The resonant part is zero for hf < Dmin (no ATS has E = hf);
        add :func:`stm_resonant_loss` and the imaginary part of :func:`stm_relaxation` for the
        field-blind 2LS background.

    Examples
    --------
    >>> from etm import materials
    >>> p = materials.dielectric_row("BAS", 0.05).params
    >>> bool(loss(0.05, 0.0, p, 1e3, Gamma_inv_per_sK5=4e10) > 0)
    True
    >>> bool(loss(0.05, 0.0, p, 5e9) > loss(0.05, 0.0, p, 5e9, drive_ratio=3.0))
    True
    """
    check_frequency(f_Hz, positive=True)
    if relaxation is None:
        relaxation = "frozen" if Gamma_inv_per_sK5 is None else "debye"
    o = ResponseOptions(
        orientation=orientation,
        average=average,
        matrix_elements=matrix_elements,
        n_wells=n_wells,
        relaxation=relaxation,
        Gamma_inv_per_sK5=Gamma_inv_per_sK5,
        rate_2LS=rate_2LS,
        measuring_field=measuring_field,
        memory_MB=memory_MB,
    )
    B, T, f, d, params = _inputs(B_T, T_K, params, f_Hz, drive_ratio)
    return np.asarray(response_rows(B, T, f, d, params, o).imag)
