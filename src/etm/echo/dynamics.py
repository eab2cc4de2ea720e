"""Density-matrix propagation of single tunneling systems through a two-pulse echo sequence.

This is the independent route to the polarization echo (essay section 3.3, docs/echo.md):
no closed form enters; single systems are propagated numerically (matrix exponentials of the
pulse Hamiltonians, the exact Lindblad solution for the free evolution) and the echo is the
coherence-pathway component that refocuses. :mod:`etm.echo` integrates the closed form of the
same quantity over the ATS distribution and is tested against ensembles simulated here.

Conventions (``docs/echo.md`` section 1)
----------------------------------------
* **Timing.** Pulse 1 lasts ``tau1``; then the system evolves freely for ``tau12``; pulse 2 lasts
  ``tau2``; then it evolves freely for another ``tau12``, when the echo is read. So ``tau12`` is
  the free waiting time between the *end* of pulse 1 and the *start* of pulse 2, and "t = 2 tau12"
  counts free-evolution time; on the laboratory clock, started with pulse 1, the echo is at
  ``t_echo = tau1 + tau12 + tau2 + tau12`` (:attr:`Pulses.t_echo_s`). With this definition the
  echo pathway refocuses exactly at the read-out time for every detuning.
* **Two-level system, rotating frame.** Basis (|0> ground, |1> excited), gap k_B E = hbar omega0,
  drive at omega = 2 pi f; during a pulse ``H/hbar = (delta/2)(|1><1| - |0><0|) +
  (Omega_R/2)(|0><1| + |1><0|)`` with the detuning ``delta = omega0 - omega``; between pulses the
  same without the Omega_R term (rotating-wave approximation).
* **Relaxation.** During the free evolution only (the pulses are short), the 0-1 coherence decays
  at the rate ``w`` (Lindblad operator sqrt(w/2)(|1><1| - |0><0|); populations untouched), so the
  echo decays as exp(-2 w tau12) exactly.
* **The echo.** The initial state is thermal, populations (1 +- tanh(E/2T))/2. The echo pathway
  keeps, after pulse 1, only the coherence rho_10 conjugate to the detected rho_01 (coherence-
  pathway selection, what phase cycling or a broad inhomogeneous line selects); the result is the
  complex amplitude ``z = 2 i rho_01`` in the rotating frame at ``t_echo``, so that the
  laboratory polarization is ``|p_01| Im(z exp(i omega t))`` and a detector at phase alpha
  (the essay's omega Delta tau) reads ``Im(z exp(i alpha))``. For a resonant system at T = 0,
  ``z = sin(theta1) sin^2(theta2/2)`` exactly.
* **Three-level system** (essay Eq. 23): the ATS Hamiltonian of Eq. 6 (bare parameters, kelvin)
  plus ``-sum_j (p_j . F0) |j><j| cos(omega t)`` in the well basis, with the well dipoles
  ``p_j = q a_j`` at the corners of an equilateral triangle (:func:`well_dipoles`). It is
  propagated either in the laboratory frame (``frame="lab"``: the full cos(omega t) coupling,
  Floquet propagator of one drive period by fourth-order Magnus steps) or in the rotating frame of
  the ladder 0 -> 1 -> 2 (``frame="rwa"``). The echo is read from the 0-1 coherence of the
  eigenbasis of H0, with the phase of the 0-1 coupling removed, so that the three-level z equals
  the two-level z when level 2 is far away.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.linalg import expm

from etm.checks import check_finite
from etm.constants import DEBYE_C_M, K_TO_RAD_S, hbar
from etm.params import Pulses

__all__ = [
    "DEBYE_C_M",
    "FRAMES",
    "PATHWAYS",
    "Pulses",
    "ThreeLevelEcho",
    "three_level_density_matrix",
    "three_level_echo",
    "thermal_polarization",
    "two_level_density_matrix",
    "two_pulse_echo",
    "well_dipoles",
]

#: Frames of :func:`three_level_echo`.
FRAMES: tuple[str, ...] = ("rwa", "lab")
#: ``"echo"``: the refocusing coherence pathway only; ``"all"``: the full density matrix.
PATHWAYS: tuple[str, ...] = ("echo", "all")

#: exp(-E/T) underflows long before E/T = 800; clip there so tanh never sees inf/inf.
_X_CLIP = 800.0


# --------------------------------------------------------------------------------------------
# the pulse sequence


def thermal_polarization(E_K: ArrayLike, T_K: ArrayLike) -> NDArray[np.float64]:
    """Population difference tanh(E/2T) of a two-level system of gap E [K] at T [K] (T = 0: 1).

    Examples
    --------
    >>> float(thermal_polarization(1.0, 0.0)), round(float(thermal_polarization(1.0, 0.5)), 6)
    (1.0, 0.761594)
    """
    E = np.asarray(E_K, dtype=float)
    T = np.asarray(T_K, dtype=float)
    with np.errstate(divide="ignore"):
        x = np.where(T > 0.0, E / (2.0 * np.where(T > 0.0, T, 1.0)), _X_CLIP)
    return np.tanh(np.minimum(x, _X_CLIP))


def _check_nonneg(name: str, x: ArrayLike, unit: str) -> NDArray[np.float64]:
    a = np.asarray(x, dtype=float)
    bad = ~np.isfinite(a) | (a < 0.0)
    if bad.any():
        raise ValueError(f"{name} must be finite and >= 0 {unit}, got {a[bad].flat[0]!r}")
    return a


def _check_pathway(pathway: str) -> None:
    if pathway not in PATHWAYS:
        raise ValueError(f"pathway must be one of {PATHWAYS}, got {pathway!r}")


def _unitary(H: NDArray, t: float) -> NDArray:
    """exp(-i H t) for a stack of Hermitian H [rad/s] (eigendecomposition, exact to round-off)."""
    lam, V = np.linalg.eigh(H)
    return (V * np.exp(-1j * lam * t)[..., None, :]) @ np.conj(np.swapaxes(V, -1, -2))


def _sandwich(U: NDArray, rho: NDArray) -> NDArray:
    return U @ rho @ np.conj(np.swapaxes(U, -1, -2))


def _free(rho: NDArray, levels: NDArray, labels: NDArray, w: NDArray, t: float) -> NDArray:
    """Exact Lindblad evolution for time t with H = diag(levels) [rad/s] and the dephasing
    operator sqrt(w/2) diag(labels): rho_jk -> rho_jk exp(-i(l_j - l_k)t - (w/4)(s_j - s_k)^2 t).
    """
    dl = levels[..., :, None] - levels[..., None, :]
    ds = labels[:, None] - labels[None, :]
    rate = 0.25 * w[..., None, None] * ds * ds
    return rho * np.exp((-1j * dl - rate) * t)


# --------------------------------------------------------------------------------------------
# effective two-level system


_LABELS_2 = np.array([-1.0, 1.0])


def _two_level(E_K, omega_R_per_s, pulses: Pulses, w_per_s, T_K, pathway, phases):
    if not isinstance(pulses, Pulses):
        raise ValueError(f"pulses must be a Pulses instance, got {type(pulses).__name__}")
    _check_pathway(pathway)
    E = _check_nonneg("E_K", E_K, "K")
    Om = _check_nonneg("omega_R_per_s", omega_R_per_s, "rad/s")
    w = _check_nonneg("w_per_s", w_per_s, "1/s")
    T = _check_nonneg("T_K", T_K, "K")
    phi1, phi2 = (check_finite(f"phases[{i}]", p) for i, p in enumerate(phases))
    E, Om, w, T = np.broadcast_arrays(E, Om, w, T)
    delta = E * K_TO_RAD_S - pulses.omega_per_s
    P = thermal_polarization(E, T)
    rho = np.zeros((*E.shape, 2, 2), dtype=complex)
    rho[..., 0, 0] = 0.5 * (1.0 + P)
    rho[..., 1, 1] = 0.5 * (1.0 - P)
    levels = np.stack([-0.5 * delta, 0.5 * delta], axis=-1)

    def pulse_h(phi: float) -> NDArray:
        H = np.zeros((*E.shape, 2, 2), dtype=complex)
        H[..., 0, 0] = -0.5 * delta
        H[..., 1, 1] = 0.5 * delta
        H[..., 0, 1] = 0.5 * Om * np.exp(1j * phi)
        H[..., 1, 0] = 0.5 * Om * np.exp(-1j * phi)
        return H

    rho = _sandwich(_unitary(pulse_h(phi1), pulses.tau1_s), rho)
    if pathway == "echo":
        # keep the coherence that pulse 2 conjugates into the detected rho_01
        keep = np.zeros((2, 2))
        keep[1, 0] = 1.0
        rho = rho * keep
    rho = _free(rho, levels, _LABELS_2, w, pulses.tau12_s)
    rho = _sandwich(_unitary(pulse_h(phi2), pulses.tau2_s), rho)
    return _free(rho, levels, _LABELS_2, w, pulses.tau12_s)


def two_level_density_matrix(
    E_K: ArrayLike,
    omega_R_per_s: ArrayLike,
    pulses: Pulses,
    w_per_s: ArrayLike = 0.0,
    T_K: ArrayLike = 0.0,
    *,
    pathway: str = "all",
    phases: tuple[float, float] = (0.0, 0.0),
) -> NDArray[np.complex128]:
    """Rotating-frame density matrix of an effective two-level system at the echo time.

    Parameters
    ----------
    E_K : array_like
        Gap E [K] (hbar omega0 = k_B E), >= 0.
    omega_R_per_s : array_like
        Rabi frequency Omega_R [rad/s], >= 0.
    pulses : Pulses
        The sequence.
    w_per_s : array_like
        Coherence decay rate w [1/s] during the free evolution, >= 0.
    T_K : array_like
        Temperature [K], >= 0 (0: ground state).
    pathway : {"all", "echo"}
        ``"all"``: the full density matrix; ``"echo"``: only the refocusing pathway.
    phases : tuple of float
        Phases (phi1, phi2) [rad] of the two pulses' carrier (for phase-cycling checks).

    Returns
    -------
    ndarray of complex, shape (..., 2, 2)
        rho at ``pulses.t_echo_s`` in the basis (ground, excited); inputs broadcast.

    Examples
    --------
    >>> p = Pulses(1e9, 0.1e-6, 0.2e-6, 1e-6)
    >>> rho = two_level_density_matrix(p.hf_K, 0.0, p)
    >>> rho.real.round(12).tolist()
    [[1.0, 0.0], [0.0, 0.0]]
    """
    return _two_level(E_K, omega_R_per_s, pulses, w_per_s, T_K, pathway, phases)


def two_pulse_echo(
    E_K: ArrayLike,
    omega_R_per_s: ArrayLike,
    pulses: Pulses,
    w_per_s: ArrayLike = 0.0,
    T_K: ArrayLike = 0.0,
    *,
    pathway: str = "echo",
    phases: tuple[float, float] = (0.0, 0.0),
) -> NDArray[np.complex128]:
    """Complex echo amplitude z = 2 i rho_01 of an effective two-level system at t = 2 tau12.

    Parameters
    ----------
    E_K : array_like
        Gap E [K], >= 0; the detuning is delta = k_B E/hbar - 2 pi f.
    omega_R_per_s : array_like
        Rabi frequency Omega_R [rad/s], >= 0.
    pulses : Pulses
        The sequence (timing in the module docstring).
    w_per_s : array_like
        Coherence decay rate w [1/s] during the free evolution (phonons plus spectral
        diffusion, the essay's Eq. 33), >= 0.
    T_K : array_like
        Temperature T [K], >= 0; the initial population difference is tanh(E/2T).
    pathway : {"echo", "all"}
        ``"echo"`` (default): the refocusing coherence pathway only; ``"all"``: 2 i rho_01 of the
        full density matrix (echo plus free-induction terms, which a broad line averages out).
    phases : tuple of float
        Carrier phases (phi1, phi2) [rad] of the pulses.

    Returns
    -------
    ndarray of complex
        z, in units of the transition dipole: the polarization is |p_01| Im(z exp(i omega t))
        and a detector at phase alpha reads Im(z exp(i alpha)). Broadcast over the inputs.

    Notes
    -----
    For a resonant system at T = 0 without relaxation, z = sin(theta1) sin^2(theta2/2),
    theta = Omega_R tau. In general the propagation reproduces
    ``tanh(E/2T) (Omega_R/Omega_G)^3 exp(-2 w tau12) (S + i C)`` with the essay's S and C of
    Eq. 32 and delta/Omega_G in C (docs/echo.md); the tests check both.

    References
    ----------
    Essay Eqs. 25-29 and 32-33; docs/echo.md.

    Examples
    --------
    Resonant, Omega_R tau1 = 1 and Omega_R tau2 = 2:

    >>> p = Pulses(f_Hz=1e9, tau1_s=0.1e-6, tau2_s=0.2e-6, tau12_s=1e-6)
    >>> z = two_pulse_echo(p.hf_K, 1.0 / p.tau1_s, p)
    >>> bool(abs(z - np.sin(1.0) * np.sin(1.0) ** 2) < 1e-12)
    True
    """
    rho = _two_level(E_K, omega_R_per_s, pulses, w_per_s, T_K, pathway, phases)
    return 2j * rho[..., 0, 1]


# --------------------------------------------------------------------------------------------
# three-level system (essay Eq. 23)


def well_dipoles(p_Cm: float = DEBYE_C_M, *, normal: ArrayLike = (0.0, 0.0, 1.0)) -> NDArray:
    """Well dipoles p_j = q a_j of a charge at the corners of an equilateral triangle [C m].

    Parameters
    ----------
    p_Cm : float
        |p_j| = q |a_j| [C m] (default: one debye), the distance a from the triangle's centre
        times the charge; the centroid is the origin, so sum_j p_j = 0.
    normal : array_like, shape (3,)
        Normal of the triangle's plane (need not be normalized).

    Returns
    -------
    ndarray, shape (3, 3)
        Row j is p_j; well j sits at angle 2 pi j/3 in the plane (the wells of
        :func:`etm.spectrum.ats_hamiltonian`, loop 0 -> 1 -> 2 counter-clockwise about
        ``normal``).

    Examples
    --------
    >>> P = well_dipoles(1.0)
    >>> bool(np.allclose(P.sum(axis=0), 0.0)), bool(np.allclose(np.linalg.norm(P, axis=1), 1.0))
    (True, True)
    """
    p = check_finite("p_Cm", p_Cm)
    if p <= 0.0:
        raise ValueError(f"p_Cm must be > 0 [C m], got {p_Cm!r}")
    n = np.asarray(normal, dtype=float)
    if n.shape != (3,) or not np.all(np.isfinite(n)) or np.linalg.norm(n) == 0.0:
        raise ValueError(f"normal must be a finite non-zero 3-vector, got {normal!r}")
    n = n / np.linalg.norm(n)
    # an in-plane orthonormal pair (e1, e2) with e1 x e2 = n
    trial = np.array([1.0, 0.0, 0.0]) if abs(n[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    e1 = trial - n * (trial @ n)
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(n, e1)
    ang = 2.0 * np.pi * np.arange(3) / 3.0
    return p * (np.cos(ang)[:, None] * e1 + np.sin(ang)[:, None] * e2)


@dataclass(frozen=True)
class ThreeLevelEcho:
    """Echo of one three-level ATS (:func:`three_level_echo`).

    Attributes
    ----------
    z : complex
        Echo amplitude 2 i rho_01 (rotating frame, phase of the 0-1 coupling removed), in units
        of |p_01 . F0/F0|.
    levels_K : ndarray, shape (3,)
        Eigenvalues of H0 [K], ascending.
    omega_R_per_s : float
        Rabi frequency |<0|p.F0|1>|/hbar of the 0-1 transition [rad/s].
    omega_12_per_s : float
        The same for the 1-2 transition [rad/s].
    """

    z: complex
    levels_K: NDArray[np.float64]
    omega_R_per_s: float
    omega_12_per_s: float


def _three_level_setup(H_K, dipoles_Cm, F0_V_per_m, T_K):
    H = np.asarray(H_K, dtype=complex)
    if H.shape != (3, 3) or not np.all(np.isfinite(H)):
        raise ValueError(f"H_K must be a finite 3x3 matrix [K], got shape {H.shape}")
    if not np.allclose(H, np.conj(H.T), rtol=0.0, atol=1e-12 * max(np.abs(H).max(), 1e-300)):
        raise ValueError("H_K must be Hermitian")
    P = np.asarray(dipoles_Cm, dtype=float)
    if P.shape != (3, 3) or not np.all(np.isfinite(P)):
        raise ValueError(f"dipoles_Cm must be a finite (3, 3) array of well dipoles, got {P.shape}")
    F = np.asarray(F0_V_per_m, dtype=float)
    if F.shape != (3,) or not np.all(np.isfinite(F)):
        raise ValueError(f"F0_V_per_m must be a finite 3-vector [V/m], got {F0_V_per_m!r}")
    T = float(_check_nonneg("T_K", T_K, "K"))
    lam, V = np.linalg.eigh(H)
    # coupling -p.F0 in the well basis, amplitude of cos(omega t), as angular frequency
    c_well = -(P @ F) / hbar
    C = np.conj(V.T) @ np.diag(c_well) @ V
    # Boltzmann populations of the eigenstates (T = 0: the ground level(s) equally)
    x = lam - lam[0]
    if T > 0.0:
        pop = np.exp(-np.minimum(x / T, _X_CLIP))
    else:
        pop = (x <= 0.0).astype(float)
    pop = pop / pop.sum()
    return lam * K_TO_RAD_S, lam, C, np.diag(pop).astype(complex)


def _magnus4_period(H0: NDArray, C: NDArray, omega: float, t0: float, dt: float, n: int):
    """Product of n fourth-order Magnus steps of H(t) = H0 + C cos(omega t) from t0 (rad/s)."""
    if n == 0:
        return np.eye(3, dtype=complex)
    g = 0.5 / math.sqrt(3.0)
    ta = t0 + dt * (np.arange(n) + 0.5 - g)
    tb = t0 + dt * (np.arange(n) + 0.5 + g)
    Ha = H0 + C * np.cos(omega * ta)[:, None, None]
    Hb = H0 + C * np.cos(omega * tb)[:, None, None]
    comm = Ha @ Hb - Hb @ Ha
    # y' = A y with A = -i H: Omega = (dt/2)(Aa + Ab) + (sqrt(3)/12) dt^2 [Ab, Aa]
    # = -i (dt/2)(Ha + Hb) + (sqrt(3)/12) dt^2 [Ha, Hb]  (Blanes, Casas & Ros, order 4)
    steps = expm(-0.5j * dt * (Ha + Hb) + (math.sqrt(3.0) / 12.0) * dt * dt * comm)
    # ordered product U_n ... U_1 by pairwise tree reduction (no per-step Python loop)
    while steps.shape[0] > 1:
        if steps.shape[0] % 2:
            steps = np.concatenate([steps, np.eye(3, dtype=complex)[None]], axis=0)
        steps = steps[1::2] @ steps[0::2]
    return steps[0]


def _lab_pulse(H0, C, omega, t_start, tau, steps_per_period):
    period = 2.0 * math.pi / omega
    n_full = int(tau // period)
    rest = tau - n_full * period
    dt = period / steps_per_period
    U_T = _magnus4_period(H0, C, omega, t_start, dt, steps_per_period)
    U = np.linalg.matrix_power(U_T, n_full)
    n_rest = max(int(math.ceil(rest / dt)), 1)
    U_r = _magnus4_period(H0, C, omega, t_start + n_full * period, rest / n_rest, n_rest)
    return U_r @ U


def three_level_density_matrix(
    H_K: ArrayLike,
    dipoles_Cm: ArrayLike,
    F0_V_per_m: ArrayLike,
    pulses: Pulses,
    w_per_s: float = 0.0,
    T_K: float = 0.0,
    *,
    frame: str = "rwa",
    pathway: str = "all",
    phases: tuple[float, float] = (0.0, 0.0),
    steps_per_period: int = 256,
) -> NDArray[np.complex128]:
    """Density matrix of a three-level ATS (essay Eq. 23) at the echo time, in H0's eigenbasis.

    Parameters
    ----------
    H_K : array_like, shape (3, 3)
        Hermitian ATS Hamiltonian in the well basis [K] (e.g. :func:`etm.spectrum.ats_hamiltonian`
        with bare parameters).
    dipoles_Cm : array_like, shape (3, 3)
        Well dipoles p_j [C m], row j for well j (:func:`well_dipoles`).
    F0_V_per_m : array_like, shape (3,)
        Pulse field amplitude vector F0 [V/m]; the coupling is
        -sum_j (p_j . F0) |j><j| cos(omega t).
    pulses : Pulses
        The sequence.
    w_per_s : float
        Dephasing rate [1/s] of the 0-1 coherence during free evolution (operator
        sqrt(w/2)(|1><1| - |0><0|) in the eigenbasis; the 0-2 and 1-2 coherences then decay at
        w/4), >= 0.
    T_K : float
        Temperature [K] of the initial Boltzmann populations, >= 0.
    frame : {"rwa", "lab"}
        ``"lab"``: the full cos(omega t) coupling, returned in the laboratory frame; ``"rwa"``:
        rotating frame of the ladder N = diag(0, 1, 2) (couplings 0-1 and 1-2 kept at their
        co-rotating half; the 0-2 coupling and the permanent dipoles average out).
    pathway : {"all", "echo"}
        ``"echo"``: after pulse 1 keep only rho_10 (the refocusing pathway).
    phases : tuple of float
        Carrier phases (phi1, phi2) [rad].
    steps_per_period : int
        Magnus steps per drive period (``frame="lab"`` only), >= 16.

    Returns
    -------
    ndarray of complex, shape (3, 3)
        rho(t_echo) in the eigenbasis of H0 (levels ascending), in the frame chosen.

    Examples
    --------
    >>> from etm.spectrum import ats_hamiltonian
    >>> p = Pulses(1e9, 20e-9, 40e-9, 100e-9)
    >>> H = ats_hamiltonian(0.0, 0.0, 0.0, 0.2, 0.05)
    >>> rho = three_level_density_matrix(H, well_dipoles(), [0.0, 0.0, 0.0], p)
    >>> float(rho[0, 0].real)
    1.0
    """
    if frame not in FRAMES:
        raise ValueError(f"frame must be one of {FRAMES}, got {frame!r}")
    _check_pathway(pathway)
    if not isinstance(pulses, Pulses):
        raise ValueError(f"pulses must be a Pulses instance, got {type(pulses).__name__}")
    if isinstance(steps_per_period, bool) or int(steps_per_period) != steps_per_period:
        raise ValueError(f"steps_per_period must be an integer >= 16, got {steps_per_period!r}")
    if steps_per_period < 16:
        raise ValueError(f"steps_per_period must be an integer >= 16, got {steps_per_period!r}")
    w = float(_check_nonneg("w_per_s", w_per_s, "1/s"))
    phi1, phi2 = (check_finite(f"phases[{i}]", p) for i, p in enumerate(phases))
    lev, _, C, rho = _three_level_setup(H_K, dipoles_Cm, F0_V_per_m, T_K)
    om = pulses.omega_per_s
    labels = np.array([-1.0, 1.0, 0.0])
    wv = np.asarray(w)
    H0 = np.diag(lev).astype(complex)
    keep = np.zeros((3, 3))
    keep[1, 0] = 1.0
    t1 = pulses.tau1_s + pulses.tau12_s  # start of pulse 2 on the laboratory clock
    if frame == "lab":
        # drive phases enter through cos(omega t + phi) = cos(omega (t + phi/omega))
        U1 = _lab_pulse(H0, C, om, phi1 / om, pulses.tau1_s, steps_per_period)
        U2 = _lab_pulse(H0, C, om, t1 + phi2 / om, pulses.tau2_s, steps_per_period)
        rho = _sandwich(U1, rho)
        if pathway == "echo":
            rho = rho * keep
        rho = _free(rho, lev, labels, wv, pulses.tau12_s)
        rho = _sandwich(U2, rho)
        return _free(rho, lev, labels, wv, pulses.tau12_s)
    # rotating frame of the ladder: rho_rot = exp(i omega t N) rho exp(-i omega t N)
    N = np.arange(3.0)
    lev_rot = lev - om * N

    def h_rot(phi: float) -> NDArray:
        H = np.diag(lev_rot).astype(complex)
        for j in (0, 1):
            # co-rotating half of C_jk cos(omega t + phi) for the ladder step j -> j+1
            H[j, j + 1] = 0.5 * C[j, j + 1] * np.exp(1j * phi)
            H[j + 1, j] = np.conj(H[j, j + 1])
        return H

    rho = _sandwich(_unitary(h_rot(phi1), pulses.tau1_s), rho)
    if pathway == "echo":
        rho = rho * keep
    rho = _free(rho, lev_rot, labels, wv, pulses.tau12_s)
    rho = _sandwich(_unitary(h_rot(phi2), pulses.tau2_s), rho)
    return _free(rho, lev_rot, labels, wv, pulses.tau12_s)


def three_level_echo(
    H_K: ArrayLike,
    dipoles_Cm: ArrayLike,
    F0_V_per_m: ArrayLike,
    pulses: Pulses,
    w_per_s: float = 0.0,
    T_K: float = 0.0,
    *,
    frame: str = "rwa",
    steps_per_period: int = 256,
) -> ThreeLevelEcho:
    """Echo amplitude of one three-level ATS driven by the pulse field (essay Eq. 23-24).

    Parameters
    ----------
    H_K, dipoles_Cm, F0_V_per_m, pulses, w_per_s, T_K, frame, steps_per_period
        As in :func:`three_level_density_matrix`.

    Returns
    -------
    ThreeLevelEcho
        ``z = 2 i rho_01 exp(-i chi)`` at t_echo in the rotating frame, where chi is the phase
        of the 0-1 coupling <0|-p.F0|1> (so that z is the two-level z of a system with
        Omega_R = |<0|p.F0|1>|/hbar when level 2 is far), with the levels and Rabi frequencies.

    Examples
    --------
    >>> from etm.spectrum import ats_hamiltonian
    >>> p = Pulses(1e9, 0.1e-6, 0.2e-6, 1e-6)
    >>> H = ats_hamiltonian(0.0, 0.0, 0.0, 1.0, 0.0)
    >>> r = three_level_echo(H, well_dipoles(), [1e3, 0.0, 0.0], p)
    >>> [round(float(x), 3) for x in r.levels_K]
    [-1.0, -1.0, 2.0]
    """
    rho = three_level_density_matrix(
        H_K,
        dipoles_Cm,
        F0_V_per_m,
        pulses,
        w_per_s,
        T_K,
        frame=frame,
        pathway="echo",
        steps_per_period=steps_per_period,
    )
    lev, lam, C, _ = _three_level_setup(H_K, dipoles_Cm, F0_V_per_m, T_K)
    r01 = rho[0, 1]
    if frame == "lab":
        r01 = r01 * np.exp(-1j * pulses.omega_per_s * pulses.t_echo_s)
    c01 = C[0, 1]
    # gauge |1> -> exp(-i chi)|1> makes the 0-1 coupling real and positive, as in the 2LS
    phase = np.conj(c01) / abs(c01) if abs(c01) > 0 else 1.0
    return ThreeLevelEcho(
        z=complex(2j * r01 * phase),
        levels_K=lam,
        omega_R_per_s=float(abs(c01)),
        omega_12_per_s=float(abs(C[1, 2])),
    )
