"""Two-pulse polarization echo of the ATS in a magnetic field: the closed form (essay Eq. 27-34).

Each ATS is, in the weak-field limit, an effective two-level system of gap
E = sqrt(D^2 + y^2), y = D0 phi = AB_K_PER_T_KA2 * B * X * cos(beta), driven by two pulses of field
F0 at omega = 2 pi f (timing: :class:`etm.params.Pulses`). Its echo at t = 2 tau12 is (derived
on the Bloch equations, checked against :mod:`etm.echo.dynamics`; docs/echo.md)

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

Omega_R is either the essay's one orientation-averaged Rabi frequency (Eq. 27, ``rabi="rms"``)
or, by default with the three-well matrix elements, the coupling of the pulse field's actual
direction, Omega^2 = Omega_1^2 k sigma^2 (1 - (D/E)^2 cos^2 psi), the echo averaged over the
directions of ``measuring_field`` (:mod:`etm.echo.directions`; where the field's size depends
on the loop's tilt, c = cos(beta) is kept apart from X at each y node; docs/echo.md section 9).
The options are one :class:`EchoOptions`.

The measured echo (essay Eq. 31 with its explicit minus) is A = A_2LS - a(B): a field-blind 2LS
echo A_2LS(T, tau12) = A_2LS tanh(hf/2T) exp(-2 tau12 [c_2LS T + Gamma_2LS (hf)^3 coth(hf/2T)])
minus the ATS part (:func:`relative_amplitude`, :func:`two_level_echo`). Detection is either the
fixed quadrature of the essay, cos(alpha) [S tan(alpha) + C] (``"projection"``), or the
magnitude |P(2 tau12)| of the complex echo (``"magnitude"``). The (E, y, direction) sum runs
in one compiled loop (:mod:`etm.echo._kernel`) over fields in chunks sized by :mod:`etm.chunks`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np
from numpy.typing import ArrayLike, NDArray

from etm.checks import check_positive
from etm.chunks import chunk_length, chunk_slices
from etm.constants import K_TO_RAD_S, hbar, k_B
from etm.echo._kernel import (
    DirectionRule,
    EchoConstants,
    EchoTasks,
    ResonanceNodes,
    ShellRule,
    echo_sums,
    echo_sums_parallel,
)
from etm.echo.directions import closed_form_rule
from etm.echo.options import DETECTIONS, MEASURING_FIELDS, RABI_MODES, EchoOptions
from etm.echo.readings import GAMMA_UNITS, echo_params
from etm.echo.single import (
    C_FORMS,
    MATRIX_ELEMENTS,
    coefficients,
    generalized_rabi_frequency,
    pulse_areas,
    rabi_frequency,
    relaxation_rate,
    single_system_echo,
)
from etm.ensemble import coupling, gauss_legendre01, resonance_grid
from etm.ensemble.quadrature import CORE as _CORE
from etm.ensemble.shells import SHELL_NODES_LIN, SHELL_NODES_LOG
from etm.materials.coerce import as_echo, as_pulses
from etm.params import ATSParams, EchoParams, Pulses

__all__ = [
    "C_FORMS",
    "DETECTIONS",
    "EchoOptions",
    "EchoParams",
    "GAMMA_UNITS",
    "MATRIX_ELEMENTS",
    "MEASURING_FIELDS",
    "RABI_MODES",
    "amplitude",
    "complex_amplitude",
    "echo_params",
    "generalized_rabi_frequency",
    "pulse_areas",
    "rabi_frequency",
    "relative_amplitude",
    "relaxation_rate",
    "single_system_echo",
    "two_level_echo",
]

_TWO_PI = 2.0 * math.pi
#: Half-width of the resonance core in units of the largest Rabi frequency (the grid's own
#: constant, :data:`etm.ensemble.quadrature.CORE`).
CORE = _CORE


# --------------------------------------------------------------------------------------------
# the ensemble average


@dataclass(frozen=True)
class _Setup:
    params: EchoParams
    pulses: Pulses
    options: EchoOptions
    k: float
    gamma: float
    rabi: str
    dirs: DirectionRule

    @property
    def ats(self) -> ATSParams:
        """The distribution's cutoffs as :class:`etm.params.ATSParams` (nP = 1)."""
        p = self.params
        return ATSParams(
            Dmin_K=p.Dmin_K, X0min_KA2=p.X0min_KA2, X0max_KA2=p.X0max_KA2, nP_per_g=1.0
        )

    @property
    def rabi_max(self) -> float:
        """The largest Rabi frequency of any direction [rad/s] (at D = 0): sigma^2 <= 3/2 for
        every direction (so the E grid does not move with the direction rule), q(c) for rms."""
        d = self.dirs
        if self.rabi == "rms":
            sig2 = float(np.max(np.maximum(d.alpha, d.alpha + d.beta)))
        else:
            sig2 = 1.5
        return self.params.omega1_per_s * math.sqrt(self.k * sig2)


#: The shell nodes of :func:`etm.ensemble.shell_nodes` (ln y piece, linear piece) on [0, 1].
_SHELL = ShellRule(*gauss_legendre01(SHELL_NODES_LOG), *gauss_legendre01(SHELL_NODES_LIN))
#: Work memory of one grid chunk [bytes per E node]: nodes and weights (16 B) plus the grid's
#: temporaries (measured ~10 B per node above the nodes: 200 -> 2400 fields of ~700 nodes add
#: 24 MB of peak RSS); rounded up.
_BYTES_PER_NODE = 64.0


def _grid(b: NDArray, s: _Setup):
    """The E grid of :func:`etm.ensemble.resonance_grid` for the couplings ``b``."""
    pu = s.pulses
    return resonance_grid(
        b,
        s.ats,
        s.options.orientation,
        E_res_K=pu.hf_K,
        rabi_max_rad_s=s.rabi_max,
        period_rad_s=2.0 * math.pi / (pu.tau1_s + pu.tau2_s),
        K_per_rad_s=1.0 / K_TO_RAD_S,
    )


def _sums(T: NDArray, B: NDArray, t12: NDArray, s: _Setup) -> NDArray:
    """2 pi (S part, C part) of the ATS echo at each (T, B, tau12) of equal-shaped flat arrays.

    One grid per distinct field, built chunk by chunk (each chunk carries the largest field's
    coupling along, so that the grid's top energy, set by the largest coupling, is the same as
    for all fields at once); one compiled sum per distinct (field, T, tau12), on ``workers``
    numba threads (the thread count restored afterwards).
    """
    out = np.zeros((T.size, 2))
    if T.size == 0:
        return out
    p, pu, o = s.params, s.pulses, s.options
    workers = min(o.workers, numba.config.NUMBA_NUM_THREADS)
    Bu, inv_b = np.unique(B, return_inverse=True)
    b_all = coupling(Bu, o.orientation)
    keys = np.column_stack([inv_b.astype(float), T, t12])
    tasks, inv = np.unique(keys, axis=0, return_inverse=True)
    inv = inv.reshape(-1)
    t_row = tasks[:, 0].astype(np.int64)
    b_top = b_all[-1:]
    consts = EchoConstants(
        omega_per_s=pu.omega_per_s,
        K_to_rad_s=K_TO_RAD_S,
        omega1_per_s=p.omega1_per_s,
        k=s.k,
        gamma=s.gamma,
        Gamma_inv_per_sK5=p.Gamma_inv_per_sK5,
        c_per_sK=p.c_per_sK,
        tau1_s=pu.tau1_s,
        tau2_s=pu.tau2_s,
        lam_per_s=0.0,  # from the grid
        ss_mean=0.375 if pu.tau1_s == pu.tau2_s else 0.25,
        Dmin_K=p.Dmin_K,
        X0min_KA2=p.X0min_KA2,
        X0max_KA2=p.X0max_KA2,
        isotropic=o.orientation == "isotropic",
        bloch=o.c_form == "bloch",
    )
    K = _grid(b_top, s)[0].shape[1]
    length = chunk_length(_BYTES_PER_NODE * K, memory_MB=o.memory_MB)
    res = np.zeros((tasks.shape[0], 2))
    kernel = echo_sums if workers == 1 else echo_sums_parallel
    before = numba.get_num_threads()
    if workers > 1:
        numba.set_num_threads(workers)
    try:
        for sl in chunk_slices(Bu.size, length):
            b = np.concatenate([b_all[sl], b_top])
            E, dE, lam = _grid(b, s)
            sel = np.nonzero((t_row >= sl.start) & (t_row < sl.stop))[0]
            chunk = EchoTasks(t_row[sel] - sl.start, tasks[sel, 1].copy(), tasks[sel, 2].copy())
            res[sel] = kernel(
                ResonanceNodes(E, dE, b), chunk, _SHELL, consts._replace(lam_per_s=lam), s.dirs
            )
    finally:
        numba.set_num_threads(before)
    return _TWO_PI * res[inv]


def _setup(params, pulses, o: EchoOptions) -> _Setup:
    pulses, params = as_pulses(pulses, params), as_echo(params)
    k, g = coefficients(o.matrix_elements)
    rabi = o.closed_form_rabi()
    dirs = closed_form_rule(o.measuring_field, rabi, o.orientation, g)
    return _Setup(params, pulses, o, k, g, rabi, dirs)


def _inputs(T_K: ArrayLike, B_T: ArrayLike, tau12_s, pulses: Pulses):
    T = np.asarray(T_K, dtype=float)
    if (~np.isfinite(T) | (T <= 0)).any():
        raise ValueError(f"T_K must be finite and > 0 K, got {T_K!r}")
    B = np.asarray(B_T, dtype=float)
    if (~np.isfinite(B) | (B < 0)).any():
        raise ValueError(f"B_T must be finite and >= 0 T, got {B_T!r}")
    t12 = np.asarray(pulses.tau12_s if tau12_s is None else tau12_s, dtype=float)
    longest = max(pulses.tau1_s, pulses.tau2_s)
    if (~np.isfinite(t12) | (t12 <= longest)).any():
        raise ValueError(
            f"tau12_s must be finite and > the longer pulse ({longest!r} s), got {tau12_s!r}"
        )
    return np.broadcast_arrays(T, B, t12)


def complex_amplitude(
    T_K: ArrayLike,
    B_T: ArrayLike,
    params: EchoParams,
    pulses: Pulses | None = None,
    *,
    tau12_s: ArrayLike | None = None,
    options: EchoOptions | None = None,
    orientation: str = "isotropic",
    measuring_field: str = "random",
    rabi: str | None = None,
    matrix_elements: str = "exact",
    c_form: str = "bloch",
    memory_MB: float | None = None,
    workers: int = 1,
) -> NDArray[np.complex128]:
    """The complex ATS echo 2 pi << (Omega_R/Omega_1) z >> = a_S + i a_C (both quadratures).

    Parameters as in :func:`amplitude` (without ``detection``). The projection detection reads
    ``tan(omega Delta tau) a_S + a_C``, the magnitude ``|a_S + i a_C|``.

    Returns
    -------
    ndarray of complex
        Shape ``broadcast(T_K, B_T, tau12_s)``; the convention of
        :func:`single_system_echo` (S real, C imaginary).

    References
    ----------
    Essay Eqs. 28-32; docs/echo.md, section 3.

    Examples
    --------
    >>> from etm import materials
    >>> pre = materials.echo_row("BAS sample 2")
    >>> z = complex_amplitude(pre.T_K, 0.1, pre.params, pre.pulses, matrix_elements="essay")
    >>> a = amplitude(pre.T_K, 0.1, pre.params, pre.pulses, matrix_elements="essay")
    >>> bool(abs(pre.params.tan_omega_dtau * z.real + z.imag - a) < 1e-15 * abs(a))
    True
    """
    o = EchoOptions.merge(
        options,
        orientation=orientation,
        measuring_field=measuring_field,
        rabi=rabi,
        matrix_elements=matrix_elements,
        c_form=c_form,
        memory_MB=memory_MB,
        workers=workers,
    )
    s = _setup(params, pulses, o)
    T, B, t12 = _inputs(T_K, B_T, tau12_s, s.pulses)
    parts = _sums(T.reshape(-1), B.reshape(-1), t12.reshape(-1), s)
    return (parts[:, 0] + 1j * parts[:, 1]).reshape(T.shape)


def _detect(parts: NDArray, tan_a: float, detection: str) -> NDArray:
    if detection == "projection":
        return tan_a * parts[:, 0] + parts[:, 1]
    return np.hypot(parts[:, 0], parts[:, 1])


def amplitude(
    T_K: ArrayLike,
    B_T: ArrayLike,
    params: EchoParams,
    pulses: Pulses | None = None,
    *,
    tau12_s: ArrayLike | None = None,
    options: EchoOptions | None = None,
    orientation: str = "isotropic",
    measuring_field: str = "random",
    rabi: str | None = None,
    matrix_elements: str = "exact",
    c_form: str = "bloch",
    detection: str = "projection",
    memory_MB: float | None = None,
    workers: int = 1,
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
    tau12_s : array_like, optional
        Waiting times tau12 [s] (a tau12 series), > the longer pulse; broadcast with ``T_K``
        and ``B_T``. Default: ``pulses.tau12_s``.
    options : EchoOptions, optional
        All the options below at once (then leave their keywords at the defaults).
    orientation : {"isotropic", "aligned", "phi2/3"}
        cos(beta) uniform in [0, 1] (default; the exact average), cos(beta) = 1, or the essay's
        shortcut phi^2 -> phi^2/3.
    measuring_field : {"random", "parallel", "perpendicular"}
        Direction of the pulse field relative to B, as in :mod:`etm.dielectric`
        (:class:`EchoOptions`; docs/echo.md section 9). Default ``"random"``.
    rabi : {"exact", "rms"} or None
        ``"exact"``: each system driven by the coupling of the field's actual direction
        (Omega^2 = Omega_1^2 k sigma^2 (1 - (D/E)^2 cos^2 psi)), averaged over the directions;
        ``"rms"``: the essay's one orientation-averaged Rabi frequency (Eq. 27). None
        (default): ``"exact"`` with the three-well matrix elements, ``"rms"`` with the essay's.
    matrix_elements : {"exact", "essay"}
        Rabi frequency and phonon weight (:func:`rabi_frequency`, :func:`relaxation_rate`).
    c_form : {"bloch", "essay"}
        delta/Omega_G or delta/Omega_R in C (:func:`single_system_echo`).
    detection : {"projection", "magnitude"}
        The essay's fixed quadrature (``a`` such that the detected polarization is
        ``x_ATS P* p1 cos(omega Delta tau) a``), or the modulus of the complex ensemble echo
        (then ``x_ATS P* p1 a`` is |P(2 tau12)|).
    memory_MB : float, optional
        Work-memory budget [MB] (default: :data:`etm.chunks.MEMORY_BUDGET_MB` or the
        ``ETM_MEMORY_MB`` environment variable); fields are evaluated in chunks that fit it.
    workers : int
        Threads of the compiled sum, >= 1 (default 1; e.g. :func:`etm.chunks.default_workers`
        for all cores). The numbers do not depend on it: each (field, T, tau12) is summed by
        one thread in the same order.

    Returns
    -------
    ndarray
        a(T, B), dimensionless, shape ``broadcast(T_K, B_T, tau12_s)`` (module docstring).

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
    o = EchoOptions.merge(
        options,
        orientation=orientation,
        measuring_field=measuring_field,
        rabi=rabi,
        matrix_elements=matrix_elements,
        c_form=c_form,
        detection=detection,
        memory_MB=memory_MB,
        workers=workers,
    )
    s = _setup(params, pulses, o)
    T, B, t12 = _inputs(T_K, B_T, tau12_s, s.pulses)
    parts = _sums(T.reshape(-1), B.reshape(-1), t12.reshape(-1), s)
    return _detect(parts, s.params.tan_omega_dtau, o.detection).reshape(T.shape)


def two_level_echo(
    T_K: ArrayLike,
    tau12_s: ArrayLike,
    f_Hz: float,
    *,
    A_2LS: float,
    c_2LS_per_sK: float = 0.0,
    Gamma_2LS_per_sK3: float = 0.0,
) -> NDArray[np.float64]:
    """Field-blind 2LS echo A_2LS tanh(hf/2T) exp(-2 tau12 [c_2LS T + Gamma_2LS (hf)^3 coth]).

    Parameters
    ----------
    T_K, tau12_s : array_like
        Temperature [K] > 0 and waiting time tau12 [s] > 0, broadcast together.
    f_Hz : float
        Carrier frequency [Hz] > 0: the resonant 2LS have E = hf.
    A_2LS : float
        The 2LS echo at T -> 0 and tau12 -> 0 [units of a(B), :func:`amplitude`], >= 0.
    c_2LS_per_sK : float
        Spectral diffusion of the 2LS, c_2LS [1/(s K)] (Eq. 34 for the 2LS), >= 0.
    Gamma_2LS_per_sK3 : float
        One-phonon rate of the resonant 2LS, Gamma_2LS E^3 coth(E/2T) at E = hf
        [1/(s K^3)], >= 0 (the symmetric 2LS, the fastest; a lumped rate).

    Returns
    -------
    ndarray
        A_2LS(T, tau12) in the units of ``A_2LS``.

    References
    ----------
    Essay Eq. 31, 34 (the 2LS term), Table 7 (c_ATS - c_2LS); docs/echo.md, section 4.

    Examples
    --------
    >>> round(float(two_level_echo(1e-3, 2e-6, 1e9, A_2LS=2.0)), 12)  # cold, no decay
    2.0
    """
    A = check_positive("A_2LS", A_2LS, allow_zero=True)
    c2 = check_positive("c_2LS_per_sK", c_2LS_per_sK, allow_zero=True)
    G2 = check_positive("Gamma_2LS_per_sK3", Gamma_2LS_per_sK3, allow_zero=True)
    f = check_positive("f_Hz", f_Hz)
    T = np.asarray(T_K, dtype=float)
    if (~np.isfinite(T) | (T <= 0)).any():
        raise ValueError(f"T_K must be finite and > 0 K, got {T_K!r}")
    t12 = np.asarray(tau12_s, dtype=float)
    if (~np.isfinite(t12) | (t12 <= 0)).any():
        raise ValueError(f"tau12_s must be finite and > 0 s, got {tau12_s!r}")
    hf = _TWO_PI * f * hbar / k_B
    th = np.tanh(np.minimum(hf / (2.0 * T), 350.0))
    rate = c2 * T + G2 * hf**3 / th
    return A * th * np.exp(-2.0 * t12 * rate)


def relative_amplitude(
    T_K: ArrayLike,
    B_T: ArrayLike,
    params: EchoParams,
    pulses: Pulses | None = None,
    *,
    tau12_s: ArrayLike | None = None,
    B_high_T: float = 0.6,
    A_2LS: float = 0.0,
    ats_sign: int = -1,
    c_2LS_per_sK: float = 0.0,
    Gamma_2LS_per_sK3: float = 0.0,
    background: float = 0.0,
    options: EchoOptions | None = None,
    orientation: str = "isotropic",
    measuring_field: str = "random",
    rabi: str | None = None,
    matrix_elements: str = "exact",
    c_form: str = "bloch",
    detection: str = "projection",
    memory_MB: float | None = None,
    workers: int = 1,
) -> NDArray[np.float64]:
    """Relative echo amplitude A(B)/A(B_high), A = A_2LS(T, tau12) + ats_sign a(B) (Figs. 15-16).

    Parameters
    ----------
    T_K, B_T : array_like
        Temperature [K] > 0 and field [T] >= 0, broadcast together (with ``tau12_s``); each
        point is normalized at its own temperature and tau12 (temperature and tau12 series).
    params, pulses, tau12_s, options, orientation, measuring_field, rabi, matrix_elements
        As in :func:`amplitude`.
    c_form, detection, memory_MB, workers
        As in :func:`amplitude`.
    B_high_T : float
        The "high" field [T] the essay normalizes to (default 0.6 T, the top of its Fig. 15
        field range), >= 0.
    A_2LS : float
        The field-blind 2LS echo at T -> 0, tau12 -> 0, >= 0, in the units of a(B)
        (:func:`amplitude` with the same ``detection``: the detected polarization divided by
        x_ATS P* p1 cos(omega Delta tau), or by x_ATS P* p1 for ``"magnitude"``, where it is
        taken in phase with S, as the resonant 2LS echo is). Table 7 does not give it.
        Decayed and thermally weighted by :func:`two_level_echo`. Default 0: A = a(B) alone,
        and the result is a(B)/a(B_high) exactly, for either sign.
    ats_sign : {-1, +1}
        Sign of the ATS term: -1 is Eq. 31's explicit minus (default), +1 adds it.
    c_2LS_per_sK, Gamma_2LS_per_sK3 : float
        Decay of the 2LS echo (:func:`two_level_echo`), >= 0. With Table 7's c column
        (c_ATS - c_2LS) in ``params`` the 2LS decay is already taken out: keep c_2LS = 0.
    background : float
        The former convention (kept for compatibility): A = background |a(0)| + a(B) with the
        plus sign, in units of |a(0)| at each (T, tau12), >= 0; only with ``A_2LS = 0`` and
        ``detection="projection"`` (``ats_sign`` is then ignored).

    Returns
    -------
    ndarray
        A(B)/A(B_high).

    References
    ----------
    Essay Eq. 31 (A_2LS + Delta A, Delta A < 0), Figs. 15-17, Table 7; docs/echo.md, section 4.

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
    A2 = check_positive("A_2LS", A_2LS, allow_zero=True)
    if ats_sign not in (-1, 1):
        raise ValueError(f"ats_sign must be -1 or +1, got {ats_sign!r}")
    o = EchoOptions.merge(
        options,
        orientation=orientation,
        measuring_field=measuring_field,
        rabi=rabi,
        matrix_elements=matrix_elements,
        c_form=c_form,
        detection=detection,
        memory_MB=memory_MB,
        workers=workers,
    )
    detection = o.detection
    if bg > 0.0 and (A2 > 0.0 or detection != "projection"):
        raise ValueError(
            "background (the former convention) cannot be combined with A_2LS > 0 or "
            f"detection={detection!r}; use A_2LS and ats_sign"
        )
    s = _setup(params, pulses, o)
    params, pulses = s.params, s.pulses
    T, B, t12 = _inputs(T_K, B_T, tau12_s, pulses)
    shape = T.shape
    T, B, t12 = T.reshape(-1), B.reshape(-1), t12.reshape(-1)
    two = two_level_echo(
        T,
        t12,
        pulses.f_Hz,
        A_2LS=A2,
        c_2LS_per_sK=c_2LS_per_sK,
        Gamma_2LS_per_sK3=Gamma_2LS_per_sK3,
    )
    n = T.size
    # one call: the points, then each point's (T, tau12) at B_high and at B = 0
    parts = _sums(
        np.concatenate([T, T, T]),
        np.concatenate([B, np.full(n, Bh), np.zeros(n)]),
        np.concatenate([t12, t12, t12]),
        s,
    )
    ats, high, zero = parts[:n], parts[n : 2 * n], parts[2 * n :]
    tan_a = params.tan_omega_dtau
    if bg > 0.0:
        a0 = np.abs(_detect(zero, tan_a, detection))
        num = bg * a0 + _detect(ats, tan_a, detection)
        den = bg * a0 + _detect(high, tan_a, detection)
    elif detection == "projection":
        num = two + ats_sign * _detect(ats, tan_a, detection)
        den = two + ats_sign * _detect(high, tan_a, detection)
    else:
        num = np.hypot(two + ats_sign * ats[:, 0], ats[:, 1])
        den = np.hypot(two + ats_sign * high[:, 0], high[:, 1])
    if (den == 0.0).any():
        raise ValueError(f"A(B_high_T={Bh!r}) is 0; choose another B_high_T or A_2LS")
    return (num / den).reshape(shape)
