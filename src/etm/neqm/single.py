"""One tunneling system whose tunneling atom carries a quadrupolar nucleus: Hamiltonians and echo.

Units: the Hamiltonians of this module are frequencies H/h [Hz]; times in seconds; fields in
tesla. Basis of the nuclear spin: |m>, m = I, I - 1, ..., -I, quantized along z, the field's
direction.

The system (docs/neqm.md, section 1), in the well basis {|L>, |R>} (x) nuclear states:

    H = (1/2)(Delta sz + Delta0 sx) (x) 1 + |L><L| (x) H_Q^L + |R><R| (x) H_Q^R + 1 (x) H_Z,
    H_Q^w = C_Q^w/(4I(2I - 1)) [3 I_z'^2 - I(I + 1) + eta^w (I_x'^2 - I_y'^2)]  (frame of w),
    H_Z = -(gamma/2 pi) B . I.

To first order in H_Q/E the upper (+) and lower (-) tunnel states carry the nuclear Hamiltonians

    H_+- = H_Z + (H_Q^L + H_Q^R)/2 +- (Delta/E)(H_Q^L - H_Q^R)/2

(:func:`tunnel_state_hamiltonians`),

and a hard two-pulse sequence gives the echo relative to a bare 2LS (Mims' ESEEM form,
:func:`mims_factor`), with n = 2I + 1,

    A(tau_a, tau_b) = (1/n) Tr[e^{-i H_- tau_b} e^{-i H_+ tau_a} e^{i H_- tau_a} e^{i H_+ tau_b}]

(energies as 2 pi x frequency), tau_a the time from pulse 1 to pulse 2, tau_b from pulse 2 to the
read-out; tau_a = tau_b = tau gives the four-index sum of docs/neqm.md section 2.

The independent route is :func:`simulate_echo`: the 2n-level density matrix propagated through
the finite pulses, either in the frame rotating at the carrier with the rotating-wave
approximation (``frame="rwa"``: the first-order Hamiltonian above, exact pulses of any length and
detuning) or in the laboratory frame (``frame="lab"``: the full H with the cos(omega t) drive on
the dipole operator sigma_z (x) 1, every term kept).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from etm.checks import check_choice, check_finite, check_int, check_positive
from etm.constants import h, k_B
from etm.params import Pulses

__all__ = [
    "FRAMES",
    "SingleEcho",
    "full_hamiltonian",
    "mims_factor",
    "quadrupole_hamiltonian",
    "random_rotations",
    "simulate_echo",
    "spin_dimension",
    "spin_operators",
    "spin_products",
    "tunnel_state_hamiltonians",
    "zeeman_hamiltonian",
]

#: Frames of :func:`simulate_echo`.
FRAMES: tuple[str, ...] = ("rwa", "lab")
_TWO_PI = 2.0 * math.pi


def spin_dimension(I: float) -> int:  # noqa: E741
    """2I + 1 for a spin I >= 0 that is a multiple of 1/2; ``ValueError`` otherwise."""
    v = check_finite("I", I)
    if v < 0.0 or abs(2.0 * v - round(2.0 * v)) > 1e-12:
        raise ValueError(f"I must be a multiple of 1/2 and >= 0, got {I!r}")
    return int(round(2.0 * v)) + 1


def spin_operators(I: float) -> tuple[NDArray, NDArray, NDArray]:  # noqa: E741
    """(I_x, I_y, I_z) of spin I in the basis m = I, I - 1, ..., -I.

    Examples
    --------
    >>> Ix, Iy, Iz = spin_operators(1.0)
    >>> bool(np.allclose(Ix @ Iy - Iy @ Ix, 1j * Iz))
    True
    """
    n = spin_dimension(I)
    m = I - np.arange(n)
    # <m+1|I+|m> = sqrt(I(I+1) - m(m+1)); row m+1 sits one above row m
    up = np.sqrt(I * (I + 1.0) - m[1:] * (m[1:] + 1.0))
    Ip = np.diag(up, 1).astype(complex)
    Ix = 0.5 * (Ip + Ip.conj().T)
    Iy = -0.5j * (Ip - Ip.conj().T)
    return Ix, Iy, np.diag(m).astype(complex)


def spin_products(I: float) -> NDArray[np.complex128]:  # noqa: E741
    """The nine products I_j I_k, shape (3, 3, n, n) (j, k = x, y, z)."""
    ops = spin_operators(I)
    return np.array([[a @ b for b in ops] for a in ops])


def random_rotations(u: ArrayLike) -> NDArray[np.float64]:
    """Rotation matrices, uniform on SO(3), from uniform numbers u[..., 0:3] in [0, 1).

    Shoemake's map u -> unit quaternion; the columns of each matrix are the rotated x, y, z axes.
    """
    u = np.asarray(u, dtype=float)
    a, b, c = u[..., 0], _TWO_PI * u[..., 1], _TWO_PI * u[..., 2]
    q1, q2 = np.sqrt(1.0 - a) * np.sin(b), np.sqrt(1.0 - a) * np.cos(b)
    q3, q0 = np.sqrt(a) * np.sin(c), np.sqrt(a) * np.cos(c)
    R = np.empty((*a.shape, 3, 3))
    R[..., 0, 0] = 1 - 2 * (q2 * q2 + q3 * q3)
    R[..., 0, 1] = 2 * (q1 * q2 - q0 * q3)
    R[..., 0, 2] = 2 * (q1 * q3 + q0 * q2)
    R[..., 1, 0] = 2 * (q1 * q2 + q0 * q3)
    R[..., 1, 1] = 1 - 2 * (q1 * q1 + q3 * q3)
    R[..., 1, 2] = 2 * (q2 * q3 - q0 * q1)
    R[..., 2, 0] = 2 * (q1 * q3 - q0 * q2)
    R[..., 2, 1] = 2 * (q2 * q3 + q0 * q1)
    R[..., 2, 2] = 1 - 2 * (q1 * q1 + q2 * q2)
    return R


def quadrupole_hamiltonian(
    I: float,  # noqa: E741
    CQ_Hz: ArrayLike,
    eta: ArrayLike = 0.0,
    rotation: ArrayLike | None = None,
) -> NDArray[np.complex128]:
    """Quadrupole Hamiltonian H_Q/h [Hz] of a field gradient, broadcast over its parameters.

    Parameters
    ----------
    I : float
        Nuclear spin; for I < 1 the result is zero (no quadrupole moment).
    CQ_Hz : array_like
        Coupling constant C_Q = e^2 q Q/h [Hz] (V_zz along the gradient's z' axis).
    eta : array_like
        Asymmetry eta = (V_xx - V_yy)/V_zz of the gradient, in [0, 1].
    rotation : array_like, optional
        Rotation matrices (..., 3, 3) whose columns are the gradient's principal axes x', y', z'
        in the frame of the field (z along B). Default: the identity.

    Returns
    -------
    ndarray
        Shape ``broadcast(CQ_Hz, eta, rotation[..., 0, 0]) + (n, n)``:
        C_Q/(4I(2I-1)) [3 I_z'^2 - I(I+1) + eta (I_x'^2 - I_y'^2)].

    Examples
    --------
    >>> H = quadrupole_hamiltonian(1.5, 2e6)  # axial: levels -+ C_Q/4 for |m| = 1/2, 3/2
    >>> np.round(np.linalg.eigvalsh(H) / 1e6, 6).tolist()
    [-0.5, -0.5, 0.5, 0.5]
    """
    n = spin_dimension(I)
    CQ = np.asarray(CQ_Hz, dtype=float)
    et = np.asarray(eta, dtype=float)
    R = np.eye(3) if rotation is None else np.asarray(rotation, dtype=float)
    shape = np.broadcast_shapes(CQ.shape, et.shape, R.shape[:-2])
    if I < 1.0:
        return np.zeros((*shape, n, n), dtype=complex)
    # 3 Iz'^2 - I(I+1) + eta (Ix'^2 - Iy'^2) = sum_a c_a I_a'^2, c = (eta - 1, -eta - 1, 2)
    c = np.stack([et - 1.0, -et - 1.0, np.full_like(et, 2.0)], axis=-1)
    M = np.einsum("...ja,...a,...ka->...jk", R, c, R)
    pref = CQ / (4.0 * I * (2.0 * I - 1.0))
    H = np.einsum("...jk,jkab->...ab", M, spin_products(I))
    return np.broadcast_to(pref[..., None, None] * H, (*shape, n, n)).copy()


def zeeman_hamiltonian(
    I: float,  # noqa: E741
    gamma_Hz_per_T: float,
    B_T: ArrayLike,
    direction: ArrayLike = (0.0, 0.0, 1.0),
) -> NDArray[np.complex128]:
    """Nuclear Zeeman Hamiltonian H_Z/h = -(gamma/2 pi) B (n . I) [Hz], shape B_T.shape + (n, n).

    Examples
    --------
    >>> H = zeeman_hamiltonian(0.5, 42.577e6, 1.0)
    >>> np.round(np.diag(H).real / 1e6, 4).tolist()
    [-21.2885, 21.2885]
    """
    ops = spin_operators(I)
    d = np.asarray(direction, dtype=float)
    d = d / np.linalg.norm(d)
    nI = d[0] * ops[0] + d[1] * ops[1] + d[2] * ops[2]
    B = np.asarray(B_T, dtype=float)
    return -float(gamma_Hz_per_T) * B[..., None, None] * nI


def tunnel_state_hamiltonians(
    HQ_L: ArrayLike, HQ_R: ArrayLike, HZ: ArrayLike, asymmetry: ArrayLike
) -> tuple[NDArray[np.complex128], NDArray[np.complex128]]:
    """First-order nuclear Hamiltonians H_+ (upper) and H_- (lower tunnel state) [Hz].

    ``asymmetry`` is Delta/E of the tunneling system (in [-1, 1]; 0: symmetric, the nucleus sees
    the mean gradient in both states). Broadcast over leading dimensions.
    """
    QL, QR = np.asarray(HQ_L), np.asarray(HQ_R)
    s = np.asarray(asymmetry, dtype=float)[..., None, None]
    mean, half = 0.5 * (QL + QR), 0.5 * (QL - QR)
    base = np.asarray(HZ) + mean
    return base + s * half, base - s * half


def full_hamiltonian(
    Delta_Hz: float, Delta0_Hz: float, HQ_L: ArrayLike, HQ_R: ArrayLike, HZ: ArrayLike
) -> NDArray[np.complex128]:
    """The 2n x 2n Hamiltonian H/h [Hz] in the basis {|L>, |R>} (x) |m> (|L> first)."""
    QL, QR, Z = (np.asarray(x, dtype=complex) for x in (HQ_L, HQ_R, HZ))
    n = QL.shape[-1]
    one = np.eye(n)
    H = np.zeros((2 * n, 2 * n), dtype=complex)
    H[:n, :n] = 0.5 * Delta_Hz * one + QL + Z
    H[n:, n:] = -0.5 * Delta_Hz * one + QR + Z
    H[:n, n:] = 0.5 * Delta0_Hz * one
    H[n:, :n] = 0.5 * Delta0_Hz * one
    return H


def _eig_phases(H: NDArray, tau: float) -> tuple[NDArray, NDArray]:
    lam, V = np.linalg.eigh(H)
    return np.exp(-1j * _TWO_PI * lam * tau), V


def mims_factor(
    H_plus: ArrayLike, H_minus: ArrayLike, tau_s: ArrayLike, tau_b_s: ArrayLike | None = None
) -> NDArray[np.complex128]:
    """Echo of a hard two-pulse sequence relative to a bare 2LS: Mims' ESEEM form.

    Parameters
    ----------
    H_plus, H_minus : array_like
        Nuclear Hamiltonians [Hz] of the upper and lower tunnel states, shape (..., n, n).
    tau_s : array_like
        Time tau_a [s] from pulse 1 to pulse 2, broadcast with the leading dimensions.
    tau_b_s : array_like, optional
        Time tau_b [s] from pulse 2 to the read-out (default tau_a).

    Returns
    -------
    ndarray of complex
        (1/n) Tr[e^{-i H_- tau_b} e^{-i H_+ tau_a} e^{i H_- tau_a} e^{i H_+ tau_b}]; 1 when
        H_+ = H_-.

    Notes
    -----
    With the eigenbases H_+ |k+> = eps_k^+ |k+>, H_- |m-> = eps_m^- |m-> and U_km = <k+|m->,
    tau_a = tau_b = tau, this is the four-index sum (1/n) sum U_km U*_km' U*_k'm U_k'm'
    exp{i[(eps_k'^+ - eps_k^+) - (eps_m'^- - eps_m^-)] tau}, evaluated as
    (1/n) sum_kk' |G_kk'|^2 exp{i (eps_k'^+ - eps_k^+) tau} with G = U diag(e^{i eps^- tau}) U^+.

    Examples
    --------
    >>> Hp = quadrupole_hamiltonian(1.0, 1e6)
    >>> complex(mims_factor(Hp, Hp, 2e-6))
    (1+0j)
    """
    Hp, Hm = np.asarray(H_plus, dtype=complex), np.asarray(H_minus, dtype=complex)
    n = Hp.shape[-1]
    ta = np.asarray(tau_s, dtype=float)
    tb = ta if tau_b_s is None else np.asarray(tau_b_s, dtype=float)
    lp, Vp = np.linalg.eigh(Hp)
    lm, Vm = np.linalg.eigh(Hm)
    U = np.conj(np.swapaxes(Vp, -1, -2)) @ Vm
    Ud = np.conj(np.swapaxes(U, -1, -2))
    w = _TWO_PI * 1j
    ta_, tb_ = ta[..., None], tb[..., None]
    # e^{-i H_- t} in the + eigenbasis: U diag(e^{-i eps^- t}) U^+
    Pm_b = (U * np.exp(-w * lm * tb_)[..., None, :]) @ Ud
    Pm_a = (U * np.exp(w * lm * ta_)[..., None, :]) @ Ud
    ep_a = np.exp(-w * lp * ta_)
    ep_b = np.exp(w * lp * tb_)
    # Tr[Pm_b diag(ep_a) Pm_a diag(ep_b)] = sum_kl Pm_b[k,l] ep_a[l] Pm_a[l,k] ep_b[k]
    tr = np.einsum("...kl,...l,...lk,...k->...", Pm_b, ep_a, Pm_a, ep_b)
    return tr / n


# --------------------------------------------------------------------------------------------
# the full density-matrix evolution


@dataclass(frozen=True)
class SingleEcho:
    """Result of :func:`simulate_echo`.

    ``z``: the echo 2i Tr_nuc <0|rho|1> in the rotating frame at the read-out (0: lower, 1: upper
    tunnel state; the convention of :func:`etm.echo.dynamics.two_pulse_echo`); ``z_bare``: the
    same system without quadrupole interaction (a bare 2LS); ``ratio`` = z/z_bare, the quantity
    the reduced form :func:`mims_factor` approximates; ``frame``.
    """

    z: complex
    z_bare: complex
    ratio: complex
    frame: str


def _expm_h(H: NDArray, t: float) -> NDArray:
    """exp(-2 pi i H t) for Hermitian H [Hz]."""
    ph, V = _eig_phases(H, t)
    return (V * ph[..., None, :]) @ np.conj(np.swapaxes(V, -1, -2))


def _lab_pulse(H0: NDArray, C: NDArray, f: float, t0: float, tau: float, phase: float, K: int):
    """Propagator of H0 - cos(2 pi f t + phase) C from t0 to t0 + tau (exponential midpoint steps,
    K per drive period; the period propagator raised to the number of whole periods)."""
    dt = 1.0 / (f * K)

    def steps(t_start: float, count: int, last: float) -> NDArray:
        U = np.eye(H0.shape[0], dtype=complex)
        for j in range(count):
            step = dt if j < count - 1 else last
            tm = t_start + j * dt + 0.5 * step
            U = _expm_h(H0 - math.cos(_TWO_PI * f * tm + phase) * C, step) @ U
        return U

    periods = int(math.floor(tau * f * (1.0 + 1e-12)))
    U = np.linalg.matrix_power(steps(t0, K, dt), periods) if periods else np.eye(H0.shape[0])
    rest = tau - periods / f
    if rest > 1e-9 * dt:
        m = int(math.ceil(rest / dt - 1e-9))
        U = steps(t0 + periods / f, m, rest - (m - 1) * dt) @ U
    return U


def _echo_blocks(rho: NDArray, n: int, keep: tuple[int, int]) -> NDArray:
    out = np.zeros_like(rho)
    i, j = keep
    out[i * n : (i + 1) * n, j * n : (j + 1) * n] = rho[i * n : (i + 1) * n, j * n : (j + 1) * n]
    return out


def _run(Delta_Hz, Delta0_Hz, HQ_L, HQ_R, HZ, pulses, omega_R, T_K, frame, K, phases):
    n = np.asarray(HZ).shape[-1]
    E = math.hypot(Delta_Hz, Delta0_Hz)
    f = pulses.f_Hz
    p = 1.0 if T_K == 0.0 else math.tanh(min(h * E / (2.0 * k_B * T_K), 350.0))
    one = np.eye(n)
    if frame == "rwa":
        Hp, Hm = tunnel_state_hamiltonians(HQ_L, HQ_R, HZ, Delta_Hz / E)
        H0 = np.zeros((2 * n, 2 * n), dtype=complex)
        H0[:n, :n] = -0.5 * (E - f) * one + Hm
        H0[n:, n:] = 0.5 * (E - f) * one + Hp
        T = np.eye(2 * n)
        P_low = np.kron(np.diag([1.0, 0.0]), one)
    else:
        H0 = full_hamiltonian(Delta_Hz, Delta0_Hz, HQ_L, HQ_R, HZ)
        # tunnel eigenvectors (columns: lower, upper) of (1/2)(Delta sz + Delta0 sx), L first
        th = math.atan2(Delta0_Hz, Delta_Hz)
        t2 = np.array([[-math.sin(th / 2), math.cos(th / 2)], [math.cos(th / 2), math.sin(th / 2)]])
        T = np.kron(t2, one)
        lam, V = np.linalg.eigh(H0)
        P_low = T.conj().T @ (V[:, :n] @ V[:, :n].conj().T) @ T  # exact lower manifold
    P_up = np.eye(2 * n) - P_low
    rho = ((1.0 + p) * P_low + (1.0 - p) * P_up) / (2.0 * n)  # nuclear populations equal

    def pulse(rho, t0, tau, phi):
        if frame == "rwa":
            D = np.zeros((2 * n, 2 * n), dtype=complex)
            D[:n, n:] = 0.5 * omega_R / _TWO_PI * np.exp(1j * phi) * one
            D[n:, :n] = D[:n, n:].conj().T
            U = _expm_h(H0 + D, tau)
        else:
            # -Omega_c cos(wt + phi) sigma_z(well) (x) 1, Omega_c = Omega_R E/Delta0: its RWA
            # part is (Omega_R/2)(e^{i phi}|0><1| + h.c.), as in the rotating frame
            C = (omega_R * E / Delta0_Hz / _TWO_PI) * np.kron(np.diag([1.0, -1.0]), one)
            U = T.conj().T @ _lab_pulse(H0, C, f, t0, tau, phi, K) @ T
        return U @ rho @ U.conj().T

    def free(rho, tau):
        U = _expm_h(H0, tau)
        if frame == "lab":
            U = T.conj().T @ U @ T
        return U @ rho @ U.conj().T

    t1, t2_, t12 = pulses.tau1_s, pulses.tau2_s, pulses.tau12_s
    rho = pulse(rho, 0.0, t1, phases[0])
    rho = _echo_blocks(rho, n, (1, 0))  # keep rho_10, the coherence pulse 2 conjugates
    rho = free(rho, t12)
    rho = pulse(rho, t1 + t12, t2_, phases[1])
    rho = free(rho, t12)
    z = 2j * np.trace(rho[:n, n:])
    if frame == "lab":
        z *= np.exp(-1j * _TWO_PI * f * pulses.t_echo_s)
    return complex(z)


def simulate_echo(
    Delta_Hz: float,
    Delta0_Hz: float,
    HQ_L: ArrayLike,
    HQ_R: ArrayLike,
    HZ: ArrayLike,
    pulses: Pulses,
    omega_R_per_s: float,
    *,
    T_K: float = 0.0,
    frame: str = "rwa",
    steps_per_period: int = 64,
    phases: tuple[float, float] = (0.0, 0.0),
) -> SingleEcho:
    """Two-pulse echo of one tunneling system with its nucleus, from the full density matrix.

    Parameters
    ----------
    Delta_Hz, Delta0_Hz : float
        Asymmetry and tunnel splitting of the 2LS as frequencies Delta/h, Delta0/h [Hz];
        E = hypot(Delta, Delta0) is its transition frequency (resonant if E = ``pulses.f_Hz``).
        Delta0 > 0.
    HQ_L, HQ_R, HZ : array_like
        Quadrupole Hamiltonians of the two wells and the nuclear Zeeman Hamiltonian [Hz], (n, n)
        (:func:`quadrupole_hamiltonian`, :func:`zeeman_hamiltonian`).
    pulses : Pulses
        Carrier frequency and timing (tau12 from the end of pulse 1 to the start of pulse 2 and
        from the end of pulse 2 to the read-out).
    omega_R_per_s : float
        Rabi frequency Omega_R of the tunnel transition [rad/s] (rotating-wave amplitude; in the
        lab frame the drive on the well dipole is Omega_R E/Delta0), > 0.
    T_K : float
        Temperature [K] of the tunnel populations, >= 0 (0: all in the lower state). The nuclear
        populations are equal (h nu_Q << k_B T).
    frame : {"rwa", "lab"}
        Rotating frame with the first-order nuclear Hamiltonians H_+- (exact pulses), or the
        laboratory frame with the full Hamiltonian and drive.
    steps_per_period : int
        Exponential-midpoint steps per drive period in the lab frame (>= 8).
    phases : (float, float)
        Carrier phases of the two pulses [rad].

    Returns
    -------
    SingleEcho
        ``z``, ``z_bare`` (same system and pulses without quadrupole interaction) and their
        ratio.

    Examples
    --------
    >>> from etm.params import Pulses
    >>> pu = Pulses(1e9, 1e-8, 2e-8, 1e-6)
    >>> HQ = quadrupole_hamiltonian(1.0, 0.0)
    >>> r = simulate_echo(0.0, 1e9, HQ, HQ, 0 * HQ, pu, math.pi / 2 / 1e-8)
    >>> round(r.ratio.real, 12), round(r.z.real, 12)  # bare: sin(pi/2) sin^2(pi/2)
    (1.0, 1.0)
    """
    if not isinstance(pulses, Pulses):
        raise TypeError(f"pulses must be a Pulses instance, got {type(pulses).__name__}")
    d = check_finite("Delta_Hz", Delta_Hz, "Hz")
    d0 = check_positive("Delta0_Hz", Delta0_Hz, unit="Hz")
    om = check_positive("omega_R_per_s", omega_R_per_s, unit="rad/s")
    T = check_positive("T_K", T_K, allow_zero=True, unit="K")
    check_choice("frame", frame, FRAMES)
    K = check_int("steps_per_period", steps_per_period, minimum=8)
    ph = tuple(check_finite(f"phases[{i}]", x, "rad") for i, x in enumerate(phases))
    QL = np.asarray(HQ_L, dtype=complex)
    QR = np.asarray(HQ_R, dtype=complex)
    Z = np.asarray(HZ, dtype=complex)
    if not (QL.shape == QR.shape == Z.shape and QL.ndim == 2 and QL.shape[0] == QL.shape[1]):
        raise ValueError(
            f"HQ_L, HQ_R, HZ must be square matrices of one shape, got {QL.shape}, {QR.shape}, "
            f"{Z.shape}"
        )
    z = _run(d, d0, QL, QR, Z, pulses, om, T, frame, K, ph)
    zero = np.zeros_like(QL)
    z0 = _run(d, d0, zero, zero, Z, pulses, om, T, frame, K, ph)
    return SingleEcho(z, z0, z / z0, frame)
