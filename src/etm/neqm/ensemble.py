"""The glass's two-pulse echo in the NEQM: the single-system factor averaged over the ensemble.

Each 2LS of the glass with (E, u = Delta0/E) and its dipole at angle theta to the pulse field
contributes, after the detuning average over the resonant band, the echo

    dP ~ Omega_1^2 u cos^2(theta) J(Omega_1 u cos(theta)) du d cos(theta) / sqrt(1 - u^2),
    J(r) = int dx (1 + x^2)^{-3/2} sin(r tau1 sqrt(1 + x^2)) sin^2(r tau2 sqrt(1 + x^2)/2)

(x = delta/Omega_R; the dispersive part is odd in x and cancels), times its nuclear factor
A(Delta/E) (:func:`etm.neqm.single.mims_factor`, hard pulses at the pulse centres) when its atom
carries a quadrupolar nucleus. With u = sin(phi) the weight is W(phi) = K(sin phi)/sin^2(phi),
K(y) = int_0^y r^2 J(r) dr (:func:`echo_weight`), and Delta/E = cos(phi). The glass's echo
relative to the same glass without nuclear quadrupoles is

    m(B) = 1 - f_Q + sum_isotopes f_i <A_i(B)>,

<.> the average over phi (weight W), the two wells' gradient tensors (orientations uniform relative
to B, C_Q log-normal, eta uniform; :class:`etm.params.NEQMParams`), done by scrambled Sobol
points shared by every field (so curves are smooth; the sampling error is a fixed pattern,
measured in docs/neqm.md). With N atoms per system, m = <(1 - f_Q + sum f_i a_i(phi))^N>_phi on
Gauss nodes in phi. The measured echo is A(B) = A_2LS(T, tau12) m(B) (minus the ETM's a(B) if an
ATS population is given, as in :func:`etm.echo.relative_amplitude`), normalized at B_high.
"""

from __future__ import annotations

import functools
import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.integrate import cumulative_simpson
from scipy.special import itj0y0, j1, ndtri
from scipy.stats import qmc

from etm.checks import (
    check_array,
    check_choice,
    check_instance,
    check_int,
    check_nonneg,
    check_positive,
    check_temperature,
    plain,
)
from etm.chunks import check_workers, chunk_length, chunk_slices
from etm.constants import HF_K_PER_HZ
from etm.materials.coerce import as_neqm, as_pulses
from etm.neqm.single import quadrupole_hamiltonian, random_rotations, spin_operators
from etm.params import EchoParams, NEQMParams, Pulses, QuadrupolarNucleus

__all__ = [
    "NuclearSamples",
    "TIMINGS",
    "detuning_integral",
    "echo_factor",
    "echo_weight",
    "isotope_factors",
    "relative_amplitude",
    "sample_nucleus",
]

_TWO_PI = 2.0 * math.pi
#: Grid of r = u cos(theta) in [0, 1] on which K(y) is tabulated (cumulative Simpson).
_R_GRID = 2001
#: Bytes of work memory per (field x sample x n^2) complex entry: H+-, V+-, U, P_a, P_b, temps.
_BYTES_PER_ENTRY = 16 * 14


def _F(k: NDArray) -> NDArray:
    """F(k) = int_0^inf dx (1 + x^2)^{-3/2} sin(k sqrt(1 + x^2)), odd in k.

    Closed form: F'' = -(pi/2) J0 (differentiate under the integral with x = sinh v), F(0) = 0,
    F'(0) = pi/2, so F(k) = (pi/2) [k - k int_0^k J0 + k J1(k)].
    """
    a = np.abs(k)
    ij0, _ = itj0y0(a)
    return np.sign(k) * 0.5 * math.pi * (a - a * ij0 + a * j1(a))


def detuning_integral(r: ArrayLike, a1: float, a2: float) -> NDArray[np.float64]:
    """J(r) = int dx (1 + x^2)^{-3/2} sin(a1 r sqrt(1 + x^2)) sin^2(a2 r sqrt(1 + x^2)/2).

    The echo S-part of a 2LS summed over its detuning x = delta/Omega_R, per unit Omega_R, for
    pulse areas a_k r (a_k = Omega_1 tau_k, r = u cos(theta)). With sin^2(b/2) = (1 - cos b)/2:
    J = F(a1 r) - [F((a1 + a2) r) + F((a1 - a2) r)]/2 (:func:`_F`).
    """
    r = np.asarray(r, dtype=float)
    return _F(a1 * r) - 0.5 * (_F((a1 + a2) * r) + _F((a1 - a2) * r))


@functools.lru_cache(maxsize=32)
def _k_table(a1: float, a2: float) -> tuple[NDArray, NDArray]:
    """K(y) = int_0^y r^2 J(r) dr on a grid of y in [0, 1], for pulse areas a_k = Omega_1 tau_k."""
    r = np.linspace(0.0, 1.0, _R_GRID)
    return r, cumulative_simpson(r * r * detuning_integral(r, a1, a2), x=r, initial=0.0)


def echo_weight(phi: ArrayLike, omega1_per_s: float, pulses: Pulses) -> NDArray[np.float64]:
    """Echo weight W(phi) of the 2LS with Delta0/E = sin(phi), Delta/E = cos(phi).

    Parameters
    ----------
    phi : array_like
        Mixing angle phi in [0, pi/2] [rad].
    omega1_per_s : float
        Omega_1 = p F0/hbar [rad/s] of a symmetric 2LS with its dipole along the field.
    pulses : Pulses
        Pulse lengths tau1, tau2.

    Returns
    -------
    ndarray
        W(phi) = K(sin phi)/sin^2(phi) [unnormalized; units of Omega_1^2 / Omega_1], the echo of
        the 2LS of one d phi, summed over the resonant band and the dipole orientations
        (module docstring). W ~ sin^4(phi) as phi -> 0.

    Examples
    --------
    >>> from etm.params import Pulses
    >>> pu = Pulses(1e9, 1e-7, 2e-7, 2e-6)
    >>> w = echo_weight([0.3, 1.5], math.pi / 2 / 1e-7, pu)
    >>> bool(w[1] > w[0] > 0)
    True
    """
    om = check_positive("omega1_per_s", omega1_per_s, unit="rad/s")
    r, K = _k_table(om * pulses.tau1_s, om * pulses.tau2_s)
    y = np.sin(np.asarray(phi, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(y > 0.0, np.interp(y, r, K) / (y * y), 0.0)


def _phi_cdf(omega1_per_s: float, pulses: Pulses) -> tuple[NDArray, NDArray, float]:
    """Grid of phi, the normalized CDF of |W(phi)|, and the mean sign of W."""
    phi = np.linspace(0.0, 0.5 * math.pi, 4001)
    W = echo_weight(phi, omega1_per_s, pulses)
    aw = np.abs(W)
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (aw[1:] + aw[:-1]) * np.diff(phi))])
    tot = cdf[-1]
    if not tot > 0.0:
        raise ValueError("the echo weight vanishes for these pulses (Omega_1 tau = 0?)")
    return phi, cdf / tot, float(np.trapezoid(W, phi) / tot)


@dataclass(frozen=True)
class NuclearSamples:
    """The sampled systems of one isotope (:func:`sample_nucleus`).

    ``Qbar`` and ``q`` are (N, n, n) [Hz]: the mean and half-difference of the two wells'
    quadrupole Hamiltonians; ``s`` (N,) the asymmetry Delta/E of each system; ``weight`` (N,)
    its weight (sign of W over N; they sum to the mean sign of W); ``nucleus``.
    """

    nucleus: QuadrupolarNucleus
    Qbar: NDArray[np.complex128]
    q: NDArray[np.complex128]
    s: NDArray[np.float64]
    weight: NDArray[np.float64]


def _axis_rotation(axis: NDArray, angle: float) -> NDArray:
    """Rodrigues rotation matrices about unit ``axis`` (..., 3) by ``angle`` [rad]."""
    k = axis
    Kx = np.zeros((*k.shape[:-1], 3, 3))
    Kx[..., 0, 1], Kx[..., 0, 2] = -k[..., 2], k[..., 1]
    Kx[..., 1, 0], Kx[..., 1, 2] = k[..., 2], -k[..., 0]
    Kx[..., 2, 0], Kx[..., 2, 1] = -k[..., 1], k[..., 0]
    return np.eye(3) + math.sin(angle) * Kx + (1.0 - math.cos(angle)) * (Kx @ Kx)


def sample_nucleus(
    nucleus: QuadrupolarNucleus,
    params: NEQMParams,
    pulses: Pulses | None = None,
    n_samples: int = 256,
    *,
    seed: int = 0,
    phi_nodes: NDArray | None = None,
) -> NuclearSamples:
    """Scrambled-Sobol sample of the systems carrying ``nucleus``.

    Parameters
    ----------
    nucleus, params, pulses
        The isotope, the NEQM parameters (rotation mode, Omega_1), the pulses (weight W).
    n_samples : int
        Number of systems, a power of 2 (>= 4).
    seed : int
        Seed of the scrambling (the same seed gives the same systems).
    phi_nodes : ndarray, optional
        If given, phi is not sampled: every tensor pair is repeated at each of these nodes
        (weights 1/N; the caller applies the phi weights).

    Returns
    -------
    NuclearSamples
    """
    m = int(round(math.log2(n_samples)))
    if n_samples < 4 or 2**m != n_samples:
        raise ValueError(f"n_samples must be a power of 2 and >= 4, got {plain(n_samples)}")
    indep = params.rotation_deg is None
    d = 11 if indep else 8
    u = qmc.Sobol(d, scramble=True, seed=np.random.default_rng(seed)).random_base2(m)
    u = np.clip(u, 1e-12, 1.0 - 1e-12)
    I = nucleus.I  # noqa: E741
    R_L = random_rotations(u[:, 0:3])

    def cq(x):
        return nucleus.CQ_Hz * np.exp(nucleus.CQ_sigma * ndtri(x))

    if indep:
        R_R = random_rotations(u[:, 3:6])
        cl, cr = cq(u[:, 6]), cq(u[:, 7])
        el, er = nucleus.eta_max * u[:, 8], nucleus.eta_max * u[:, 9]
        uphi = u[:, 10]
    else:
        z = 2.0 * u[:, 3] - 1.0
        a = _TWO_PI * u[:, 4]
        axis = np.stack([np.sqrt(1 - z * z) * np.cos(a), np.sqrt(1 - z * z) * np.sin(a), z], -1)
        R_R = _axis_rotation(axis, math.radians(params.rotation_deg)) @ R_L
        cl = cr = cq(u[:, 5])
        el = er = nucleus.eta_max * u[:, 6]
        uphi = u[:, 7]
    QL = quadrupole_hamiltonian(I, cl, el, R_L)
    QR = quadrupole_hamiltonian(I, cr, er, R_R)
    Qbar, q = 0.5 * (QL + QR), 0.5 * (QL - QR)
    if phi_nodes is None:
        grid, cdf, _ = _phi_cdf(params.omega1_per_s, pulses)
        phi = np.interp(uphi, cdf, grid)
        sign = np.sign(echo_weight(phi, params.omega1_per_s, pulses))
        return NuclearSamples(nucleus, Qbar, q, np.cos(phi), sign / n_samples)
    k = len(phi_nodes)
    s = np.repeat(np.cos(np.asarray(phi_nodes, dtype=float))[None, :], n_samples, 0).ravel()
    return NuclearSamples(
        nucleus,
        np.repeat(Qbar, k, axis=0),
        np.repeat(q, k, axis=0),
        s,
        np.full(s.size, 1.0 / n_samples),
    )


def _mm(a: NDArray, b: NDArray) -> NDArray:
    # einsum with optimize=True is ~4x faster than np.matmul on stacks of 4x4 to 7x7 matrices
    return np.einsum("...ij,...jk->...ik", a, b, optimize=True)


def _mims_batch(Hp, Hm, ta, tb):
    """(1/n) Tr[...] of :func:`etm.neqm.single.mims_factor` for stacks, ta/tb broadcast."""
    n = Hp.shape[-1]
    lp, Vp = np.linalg.eigh(Hp)
    lm, Vm = np.linalg.eigh(Hm)
    U = _mm(np.conj(np.swapaxes(Vp, -1, -2)), Vm)
    Ud = np.conj(np.swapaxes(U, -1, -2))
    w = _TWO_PI * 1j
    Pb = _mm(U * np.exp(-w * lm * tb)[..., None, :], Ud)
    Pa = _mm(U * np.exp(w * lm * ta)[..., None, :], Ud)
    X = Pb * np.swapaxes(Pa, -1, -2)
    tr = np.einsum("...k,...kl,...l->...", np.exp(w * lp * tb), X, np.exp(-w * lp * ta))
    return tr / n


def isotope_factors(
    samples: NuclearSamples,
    B_T: ArrayLike,
    tau_a_s: ArrayLike,
    tau_b_s: ArrayLike,
    *,
    memory_MB: float | None = None,
    workers: int = 1,
    route: str = "kernel",
) -> NDArray[np.complex128]:
    """Nuclear echo factor A of every sampled system at every (B, tau_a, tau_b), shape (P, N).

    ``B_T``, ``tau_a_s``, ``tau_b_s`` are flat arrays of P points (fields [T] and the two Mims
    times [s]); the field is along z. ``route="kernel"`` (default) is the compiled loop of
    :mod:`etm.neqm._kernel` (each system through the fields in ascending order, Jacobi
    eigensolver warm-started from the previous field; ``workers`` numba threads share the
    systems; work memory O(P N)); ``route="numpy"`` the batched LAPACK route (chunks within
    ``memory_MB``; ``workers`` threads share the fields). The two agree to 1e-10
    (tests/test_neqm.py), and with ``workers`` threads to the same 1e-10 (the threaded
    kernel is compiled apart, with fastmath).
    """
    B = np.asarray(B_T, dtype=float).ravel()
    ta = np.broadcast_to(np.asarray(tau_a_s, dtype=float), B.shape)
    tb = np.broadcast_to(np.asarray(tau_b_s, dtype=float), B.shape)
    check_choice("route", route, ("kernel", "numpy"))
    nuc = samples.nucleus
    Iz = spin_operators(nuc.I)[2]
    sq = samples.s[:, None, None] * samples.q
    if route == "kernel":
        import numba

        from etm.neqm._kernel import mims_fields

        zdiag = -nuc.gamma_Hz_per_T * np.real(np.diagonal(Iz))
        w = min(workers, numba.config.NUMBA_NUM_THREADS)
        before = numba.get_num_threads()
        if w > 1:
            numba.set_num_threads(w)
        try:
            return mims_fields(samples.Qbar, sq, zdiag, B, ta, tb, parallel=w > 1)
        finally:
            numba.set_num_threads(before)
    N, n = samples.s.size, samples.q.shape[-1]
    base = samples.Qbar
    out = np.empty((B.size, N), dtype=complex)
    length = chunk_length(_BYTES_PER_ENTRY * N * n * n, memory_MB=memory_MB)
    if workers > 1:
        length = max(1, min(length, -(-B.size // workers)))

    def run(sl: slice) -> None:
        Z = (-nuc.gamma_Hz_per_T * B[sl])[:, None, None, None] * Iz
        H0 = Z + base[None]
        out[sl] = _mims_batch(
            H0 + sq[None], H0 - sq[None], ta[sl][:, None, None], tb[sl][:, None, None]
        )

    slices = list(chunk_slices(B.size, length))
    if workers == 1 or len(slices) == 1:
        for sl in slices:
            run(sl)
    else:
        # numpy's eigh and einsum release the GIL: threads share the chunks (~2x on two cores)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(run, slices))
    return out


#: Mims times of :func:`echo_factor`: ``"centres"`` (hard pulses at the pulse centres, tau_a =
#: tau12 + (tau1 + tau2)/2, tau_b = tau12 + tau2/2: the most accurate at the fields where the
#: effect is), ``"symmetric"`` (tau_a = tau_b = their mean: static nuclear shifts refocus, so
#: m -> 1 exactly at high field), ``"edges"`` (tau_a = tau_b = tau12). docs/neqm.md sec. 5.
TIMINGS: tuple[str, ...] = ("centres", "symmetric", "edges")


def _mims_times(pulses: Pulses, tau12: NDArray, timing: str) -> tuple[NDArray, NDArray]:
    ta = tau12 + 0.5 * (pulses.tau1_s + pulses.tau2_s)
    tb = tau12 + 0.5 * pulses.tau2_s
    if timing == "centres":
        return ta, tb
    if timing == "symmetric":
        return 0.5 * (ta + tb), 0.5 * (ta + tb)
    return tau12, tau12


def _retained(params: NEQMParams, min_fraction: float) -> list[QuadrupolarNucleus]:
    fq = params.f_Q
    return [n for n in params.nuclei if n.fraction > 0.0 and n.fraction >= min_fraction * fq]


def _sizes(nuclei, n_samples: int) -> list[int]:
    """Sobol points per isotope: n_samples in all, shared in proportion to the fractions (which
    minimizes the variance of sum f_i <A_i> for equal per-system spreads), each a power of 2 in
    [16, n_samples]."""
    tot = sum(n.fraction for n in nuclei)
    out = []
    for n in nuclei:
        want = max(16.0, n_samples * n.fraction / tot)
        out.append(min(n_samples, 2 ** int(round(math.log2(want)))))
    return out


def echo_factor(
    T_K: ArrayLike,
    B_T: ArrayLike,
    params: NEQMParams,
    pulses: Pulses | None = None,
    *,
    tau12_s: ArrayLike | None = None,
    Gamma_2LS_per_sK3: float = 0.0,
    n_samples: int = 256,
    n_phi: int = 8,
    seed: int = 0,
    min_fraction: float = 1e-3,
    timing: str = "centres",
    memory_MB: float | None = None,
    workers: int = 1,
) -> NDArray[np.float64]:
    """The NEQM factor m(T, B) multiplying the 2LS echo (module docstring).

    Parameters
    ----------
    T_K, B_T : array_like
        Temperature [K] > 0 and field [T] >= 0, broadcast together with ``tau12_s``.
    params : NEQMParams
        The nuclei, their fractions and gradient distributions (e.g. ``neqm_row(...).params``).
    pulses : Pulses
        Carrier, pulse lengths and (default) tau12.
    tau12_s : array_like, optional
        Waiting times [s] (default ``pulses.tau12_s``), > the longer pulse.
    Gamma_2LS_per_sK3 : float
        One-phonon rate of the 2LS, Gamma u^2 (hf)^3 coth(hf/2T) [1/(s K^3)] at Delta0 = u E,
        weighting each 2LS by exp(-2 tau12 rate) (>= 0; default 0: no phonon decay).
    n_samples : int
        Sobol points of the most abundant isotope (a power of 2); the others get
        proportionally fewer (>= 32). The sampling error of m is ~ f_Q/sqrt(n) or smaller
        (measured: docs/neqm.md sec. 5).
    n_phi : int
        Gauss nodes in phi when ``params.atoms_per_system > 1`` (otherwise phi is sampled).
    seed : int
        Scrambling seed.
    min_fraction : float
        Isotopes with a fraction below ``min_fraction * f_Q`` are counted as unaffected
        (A = 1), >= 0.
    timing : {"centres", "symmetric", "edges"}
        The times of the reduced form (:data:`TIMINGS`). ``"centres"`` errs by ~1e-3 f_Q at
        high field (static shifts refocus only with equal times); ``"symmetric"`` has m -> 1.
    memory_MB : float, optional
        Work-memory budget (:mod:`etm.chunks`).
    workers : int
        Threads sharing the fields, >= 1 (the numbers do not depend on it).

    Returns
    -------
    ndarray
        m, shape ``broadcast(T_K, B_T, tau12_s)``; 1 for a glass without quadrupolar nuclei.
    """
    pulses, params = as_pulses(pulses, params), as_neqm(params)
    check_instance("params", params, NEQMParams, "etm.neqm.NEQMParams or neqm_row(...).params")
    check_instance("pulses", pulses, Pulses, "etm.params.Pulses")
    G = check_positive("Gamma_2LS_per_sK3", Gamma_2LS_per_sK3, allow_zero=True, unit="1/(s K^3)")
    check_int("n_samples", n_samples, minimum=4)
    n_phi = check_int("n_phi", n_phi, minimum=1)
    mf = check_positive("min_fraction", min_fraction, allow_zero=True)
    workers = check_workers(workers)
    check_choice("timing", timing, TIMINGS)
    T = check_temperature(T_K)
    B = check_nonneg("B_T", B_T, "T")
    longest = max(pulses.tau1_s, pulses.tau2_s)
    t12 = check_array(
        "tau12_s",
        pulses.tau12_s if tau12_s is None else tau12_s,
        minimum=longest,
        strict=True,
        unit="s",
    )
    T, B, t12 = np.broadcast_arrays(T, B, t12)
    shape = T.shape
    keys = np.column_stack([B.ravel(), t12.ravel(), T.ravel()])
    uk, inv = np.unique(keys, axis=0, return_inverse=True)
    inv = inv.reshape(-1)
    Bu, tu, Tu = uk[:, 0], uk[:, 1], uk[:, 2]
    ta, tb = _mims_times(pulses, tu, timing)
    hf = HF_K_PER_HZ * pulses.f_Hz
    rate0 = G * hf**3 / np.tanh(np.minimum(hf / (2.0 * Tu), 350.0))  # times u^2
    nuclei = _retained(params, mf)
    N_atoms = params.atoms_per_system
    if N_atoms == 1:
        m = np.full(uk.shape[0], 1.0 - params.f_Q, dtype=float) + sum(
            n.fraction for n in params.nuclei if n not in nuclei
        )
        # the weight normalization with the phonon factor: <e^{-2 tau rate0 u^2}>_W
        grid = np.linspace(0.0, 0.5 * math.pi, 4001)
        Wn = echo_weight(grid, params.omega1_per_s, pulses)
        norm = np.trapezoid(Wn, grid)
        dec_mean = (
            np.trapezoid(
                Wn[None, :] * np.exp(-2.0 * (tu * rate0)[:, None] * np.sin(grid)[None, :] ** 2),
                grid,
                axis=1,
            )
            / norm
        )
        m = m * dec_mean
        for nuc, size in zip(nuclei, _sizes(nuclei, n_samples), strict=True):
            smp = sample_nucleus(nuc, params, pulses, size, seed=seed)
            A = isotope_factors(smp, Bu, ta, tb, memory_MB=memory_MB, workers=workers).real
            u2 = 1.0 - smp.s**2
            dec = np.exp(-2.0 * (tu * rate0)[:, None] * u2[None, :])
            m += nuc.fraction * (A * dec) @ smp.weight / smp.weight.sum()
        return m[inv].reshape(shape)
    # several atoms per system: Gauss nodes in phi, m = <(1 - f_Q + sum f a(phi))^N>_W
    x, wx = np.polynomial.legendre.leggauss(n_phi)
    phis = 0.25 * math.pi * (x + 1.0)
    wphi = 0.25 * math.pi * wx * echo_weight(phis, params.omega1_per_s, pulses)
    one = np.full((uk.shape[0], n_phi), 1.0 - params.f_Q) + sum(
        n.fraction for n in params.nuclei if n not in nuclei
    )
    for nuc, size in zip(nuclei, _sizes(nuclei, n_samples), strict=True):
        smp = sample_nucleus(nuc, params, pulses, size, seed=seed, phi_nodes=phis)
        A = isotope_factors(smp, Bu, ta, tb, memory_MB=memory_MB, workers=workers).real
        one += nuc.fraction * A.reshape(uk.shape[0], size, n_phi).mean(axis=1)
    dec = np.exp(-2.0 * (tu * rate0)[:, None] * np.sin(phis)[None, :] ** 2)
    m = (one**N_atoms * dec) @ wphi / wphi.sum()
    return m[inv].reshape(shape)


def relative_amplitude(
    T_K: ArrayLike,
    B_T: ArrayLike,
    params: NEQMParams,
    pulses: Pulses | None = None,
    *,
    tau12_s: ArrayLike | None = None,
    B_high_T: float = 0.6,
    Gamma_2LS_per_sK3: float = 0.0,
    ats_params: EchoParams | None = None,
    A_2LS: float = 1.0,
    ats_options: dict | None = None,
    n_samples: int = 256,
    n_phi: int = 8,
    seed: int = 0,
    min_fraction: float = 1e-3,
    timing: str = "centres",
    memory_MB: float | None = None,
    workers: int = 1,
) -> NDArray[np.float64]:
    """Relative echo amplitude A(B)/A(B_high) of the NEQM (the rival of the essay's Eq. 31).

    Parameters
    ----------
    T_K, B_T : array_like
        Temperature [K] > 0 and field [T] >= 0, broadcast together (with ``tau12_s``); every
        point is normalized at its own T and tau12.
    params : NEQMParams or NEQMRow
        NEQM parameters (``etm.materials.neqm_row(name).params``), or the row itself.
    pulses : Pulses, optional
        The pulse sequence (``neqm_row(name).pulses``; default: the row's, when ``params`` is a
        row).
    tau12_s : array_like, optional
        Waiting times [s]; default ``pulses.tau12_s``.
    B_high_T : float
        Normalization field [T], >= 0 (default 0.6 T, as :func:`etm.echo.relative_amplitude`).
    Gamma_2LS_per_sK3 : float
        2LS one-phonon rate (:func:`echo_factor`).
    ats_params : EchoParams, optional
        An ATS population (Table 7 row) whose echo a(B) (:func:`etm.echo.amplitude`) is
        subtracted as in Eq. 31: A = A_2LS tanh(hf/2T) m(B) - a(B). Default: none, A = A_2LS m.
    A_2LS : float
        The 2LS echo in the units of a(B) (:func:`etm.echo.relative_amplitude`), > 0; it
        cancels without ``ats_params``.
    ats_options : dict, optional
        Keywords passed to :func:`etm.echo.amplitude` (``matrix_elements``, ``orientation``, ...).
    n_samples, n_phi, seed, min_fraction, timing, memory_MB, workers
        As in :func:`echo_factor`.

    Returns
    -------
    ndarray
        A(B)/A(B_high), shape ``broadcast(T_K, B_T, tau12_s)``.

    References
    ----------
    Würger, Fleischmann, Enss, PRL 89, 237601 (2002); essay section 3.3; docs/neqm.md.

    Examples
    --------
    >>> from etm.materials.nuclei import neqm_row
    >>> row = neqm_row("Suprasil I")
    >>> r = relative_amplitude(row.T_K, [0.0, 0.6], row.params, row.pulses, n_samples=32)
    >>> bool(abs(r[0] - 1.0) < 1e-3), float(r[1])
    (True, 1.0)
    """
    pulses, params = as_pulses(pulses, params), as_neqm(params)
    Bh = check_positive("B_high_T", B_high_T, allow_zero=True, unit="T")
    A2 = check_positive("A_2LS", A_2LS, unit="units of a(B)")
    T, B, t12 = np.broadcast_arrays(
        np.asarray(T_K, dtype=float),
        np.asarray(B_T, dtype=float),
        np.asarray(pulses.tau12_s if tau12_s is None else tau12_s, dtype=float),
    )
    shape = T.shape
    T, B, t12 = T.ravel(), B.ravel(), t12.ravel()
    kw = dict(
        Gamma_2LS_per_sK3=Gamma_2LS_per_sK3,
        n_samples=n_samples,
        n_phi=n_phi,
        seed=seed,
        min_fraction=min_fraction,
        timing=timing,
        memory_MB=memory_MB,
        workers=workers,
    )
    # one call: the points, then each point's (T, tau12) at B_high
    TT, tt = np.concatenate([T, T]), np.concatenate([t12, t12])
    BB = np.concatenate([B, np.full_like(B, Bh)])
    m = echo_factor(TT, BB, params, pulses, tau12_s=tt, **kw)
    if ats_params is None:
        num, den = m[: T.size], m[T.size :]
    else:
        from etm import echo

        check_instance("ats_params", ats_params, EchoParams, "a Table 7 row's .params")
        a = echo.amplitude(TT, BB, ats_params, pulses, tau12_s=tt, **(ats_options or {}))
        hf = HF_K_PER_HZ * pulses.f_Hz
        two = A2 * np.tanh(np.minimum(hf / (2.0 * TT), 350.0)) * m - a
        num, den = two[: T.size], two[T.size :]
    if (den == 0.0).any():
        raise ValueError(f"A(B_high_T={plain(Bh)}) is 0; choose another B_high_T")
    return (num / den).reshape(shape)
