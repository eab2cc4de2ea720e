"""Compiled (numba) twin of the ensemble's Mims factor: one system through all fields at once.

:func:`mims_fields` returns, for every sampled system k and every field point p, the reduced
echo factor of :func:`etm.neqm.single.mims_factor`,

    A = (1/n) Tr[exp(-2 pi i H_- tb) exp(-2 pi i H_+ ta) exp(2 pi i H_- ta) exp(2 pi i H_+ tb)],
    H_+- = Qbar_k +- s_k q_k + B_p Z,   Z = -(gamma/2 pi) I_z  (diagonal in the |m> basis),

the same numbers as the numpy route :func:`etm.neqm.ensemble._mims_batch` (tested to 1e-10 in
tests/test_neqm.py). Two things make it faster than the batched LAPACK calls (docs/neqm.md,
section 4, "Speed"):

* **Jacobi with a warm start.** The Hermitian eigenproblems are n x n with n = 2I + 1 <= 9;
  LAPACK's per-call cost dominates there. Cyclic complex Jacobi rotations diagonalize them, and
  the fields of one system are visited in ascending order, each started from the previous
  field's eigenvectors: H(B_p) in the eigenbasis of H(B_{p-1}) is nearly diagonal (its
  off-diagonal part is ~ gamma (B_p - B_{p-1}) <m|I_z|m'>), so one or two sweeps converge it
  instead of six to eight. A field point equal to the previous one (another tau12 or T) costs
  no rotation at all. Convergence: the off-diagonal Frobenius norm below 1e-14 of the matrix's
  (a relative eigenvalue error ~1e-28, far below the phase resolution needed: |eps| tau ~ 1e2).
* **Fused trace.** U = V_+^dag V_-, the two propagators in the + eigenbasis and the trace are
  computed in place, without the temporaries of the numpy route.

The eigenvectors are not unique (phases; rotations inside degenerate subspaces, e.g. Kramers
doublets at B = 0), but A is a trace of propagators and does not depend on that choice.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange
from numpy.typing import NDArray

from etm.ensemble.kernels import serial_and_parallel

__all__ = ["mims_fields", "mims_fields_parallel"]

#: Converged when the off-diagonal Frobenius norm is below this fraction of the matrix's.
_TOL = 1e-14
#: Safety cap on the Jacobi sweeps (converged problems need 1-8).
_MAX_SWEEPS = 40


def _jacobi(A, V, n):  # pragma: no cover - compiled
    """Diagonalize the Hermitian ``A`` in place by complex Jacobi rotations, accumulating them
    into the columns of ``V`` (A <- J^dag A J, V <- V J). On return diag(A) holds the eigenvalues
    of the original A' = V_in^dag ... (the eigenvectors of the matrix A was expressed in the basis
    V_in of are the columns of V)."""
    tot = 0.0
    for i in range(n):
        for j in range(n):
            tot += A[i, j].real ** 2 + A[i, j].imag ** 2
    thr = (_TOL * _TOL) * tot
    # a rotation whose element is below this changes nothing that the stopping rule keeps
    small = thr / (n * n)
    for _ in range(_MAX_SWEEPS):
        off = 0.0
        for i in range(n):
            for j in range(i + 1, n):
                off += A[i, j].real ** 2 + A[i, j].imag ** 2
        if 2.0 * off <= thr:
            return
        for p in range(n - 1):
            for q in range(p + 1, n):
                b = A[p, q]
                ab2 = b.real * b.real + b.imag * b.imag
                if ab2 <= small:
                    continue
                ab = math.sqrt(ab2)
                # phase e^{i alpha} = b/|b|; D = diag(1, e^{-i alpha}) makes the pair real
                ph = b / ab
                app = A[p, p].real
                aqq = A[q, q].real
                tau = (aqq - app) / (2.0 * ab)
                t = 1.0 / (abs(tau) + math.sqrt(1.0 + tau * tau))
                if tau < 0.0:
                    t = -t
                c = 1.0 / math.sqrt(1.0 + t * t)
                s = t * c
                # J restricted to (p, q): [[c, s], [-s e^{-i alpha}, c e^{-i alpha}]]
                phc = ph.conjugate()
                jqp = -s * phc
                jqq = c * phc
                for k in range(n):  # columns: A <- A J
                    akp = A[k, p]
                    akq = A[k, q]
                    A[k, p] = c * akp + jqp * akq
                    A[k, q] = s * akp + jqq * akq
                for k in range(n):  # rows: A <- J^dag A
                    apk = A[p, k]
                    aqk = A[q, k]
                    A[p, k] = c * apk + jqp.conjugate() * aqk
                    A[q, k] = s * apk + jqq.conjugate() * aqk
                A[p, q] = 0.0
                A[q, p] = 0.0
                for k in range(n):
                    vkp = V[k, p]
                    vkq = V[k, q]
                    V[k, p] = c * vkp + jqp * vkq
                    V[k, q] = s * vkp + jqq * vkq


_jacobi_c = njit(cache=True, nogil=True, error_model="numpy", fastmath=True)(_jacobi)


def _rotate_into(H, V, A, T, n):  # pragma: no cover - compiled
    """A <- V^dag H V (T a work array)."""
    for i in range(n):
        for j in range(n):
            acc = 0j
            for k in range(n):
                acc += H[i, k] * V[k, j]
            T[i, j] = acc
    for i in range(n):
        for j in range(i, n):
            acc = 0j
            for k in range(n):
                acc += V[k, i].conjugate() * T[k, j]
            A[i, j] = acc
            A[j, i] = acc.conjugate()


_rotate_c = njit(cache=True, nogil=True, error_model="numpy", fastmath=True)(_rotate_into)


def _mims_fields(Qbar, sq, zdiag, B, ta, tb, out):  # pragma: no cover - compiled
    """out[p, k] = A of system k at field point p (module docstring). ``B`` ascending."""
    N = Qbar.shape[0]
    n = Qbar.shape[1]
    P = B.shape[0]
    w = 2.0 * math.pi
    for k in prange(N):
        H = np.empty((n, n), dtype=np.complex128)
        A = np.empty((n, n), dtype=np.complex128)
        T = np.empty((n, n), dtype=np.complex128)
        Vp = np.zeros((n, n), dtype=np.complex128)
        Vm = np.zeros((n, n), dtype=np.complex128)
        U = np.empty((n, n), dtype=np.complex128)
        Pa = np.empty((n, n), dtype=np.complex128)
        Pb = np.empty((n, n), dtype=np.complex128)
        Ua = np.empty((n, n), dtype=np.complex128)
        Ub = np.empty((n, n), dtype=np.complex128)
        lp = np.empty(n)
        lm = np.empty(n)
        ea = np.empty(n, dtype=np.complex128)
        eb = np.empty(n, dtype=np.complex128)
        fa = np.empty(n, dtype=np.complex128)
        fb = np.empty(n, dtype=np.complex128)
        for i in range(n):
            Vp[i, i] = 1.0
            Vm[i, i] = 1.0
        prev = -1.0
        for p in range(P):
            if p == 0 or B[p] != prev:
                prev = B[p]
                for sign in range(2):
                    sg = 1.0 if sign == 0 else -1.0
                    V = Vp if sign == 0 else Vm
                    for i in range(n):
                        for j in range(n):
                            H[i, j] = Qbar[k, i, j] + sg * sq[k, i, j]
                        H[i, i] += B[p] * zdiag[i]
                    # warm start: H in the eigenbasis of the previous field, then rotate V
                    _rotate_c(H, V, A, T, n)
                    _jacobi_c(A, V, n)
                    if sign == 0:
                        for i in range(n):
                            lp[i] = A[i, i].real
                    else:
                        for i in range(n):
                            lm[i] = A[i, i].real
                # U = V_+^dag V_-
                for i in range(n):
                    for j in range(n):
                        acc = 0j
                        for m in range(n):
                            acc += Vp[m, i].conjugate() * Vm[m, j]
                        U[i, j] = acc
            # P_b = U diag(e^{-i w l_- tb}) U^dag, P_a = U diag(e^{i w l_- ta}) U^dag
            for m in range(n):
                xb = w * lm[m] * tb[p]
                xa = w * lm[m] * ta[p]
                eb[m] = complex(math.cos(xb), -math.sin(xb))
                ea[m] = complex(math.cos(xa), math.sin(xa))
                yb = w * lp[m] * tb[p]
                ya = w * lp[m] * ta[p]
                fb[m] = complex(math.cos(yb), math.sin(yb))
                fa[m] = complex(math.cos(ya), -math.sin(ya))
            for i in range(n):
                for m in range(n):
                    Ub[i, m] = U[i, m] * eb[m]
                    Ua[i, m] = U[i, m] * ea[m]
            for i in range(n):
                for j in range(n):
                    sb = 0j
                    sa = 0j
                    for m in range(n):
                        uj = U[j, m].conjugate()
                        sb += Ub[i, m] * uj
                        sa += Ua[i, m] * uj
                    Pb[i, j] = sb
                    Pa[i, j] = sa
            # Tr = sum_ij e^{i w l+_i tb} P_b[i, j] P_a[j, i] e^{-i w l+_j ta}
            acc = 0j
            for i in range(n):
                row = 0j
                for j in range(n):
                    row += Pb[i, j] * Pa[j, i] * fa[j]
                acc += fb[i] * row
            out[p, k] = acc / n


mims_fields_serial, mims_fields_parallel = serial_and_parallel(
    _mims_fields, nogil=True, error_model="numpy", fastmath=True
)


def mims_fields(
    Qbar: NDArray[np.complex128],
    sq: NDArray[np.complex128],
    zdiag: NDArray[np.float64],
    B_T: NDArray[np.float64],
    tau_a_s: NDArray[np.float64],
    tau_b_s: NDArray[np.float64],
    *,
    parallel: bool = False,
) -> NDArray[np.complex128]:
    """The Mims factor of every system at every field point, shape (P, N) (module docstring).

    Parameters
    ----------
    Qbar, sq : ndarray, shape (N, n, n)
        Mean quadrupole Hamiltonian of the two wells and s q (asymmetry times half-difference)
        of each system [Hz].
    zdiag : ndarray, shape (n,)
        Diagonal of the Zeeman Hamiltonian per tesla, -(gamma/2 pi) m [Hz/T].
    B_T, tau_a_s, tau_b_s : ndarray, shape (P,)
        Field points [T] (any order; visited in ascending order) and the two Mims times [s].
    parallel : bool
        Use numba's threads over the systems (same numbers).

    Returns
    -------
    ndarray, shape (P, N)
        Complex A.
    """
    B = np.ascontiguousarray(B_T, dtype=float)
    order = np.argsort(B, kind="stable")
    out = np.empty((B.size, Qbar.shape[0]), dtype=np.complex128)
    f = mims_fields_parallel if parallel else mims_fields_serial
    f(
        np.ascontiguousarray(Qbar, dtype=np.complex128),
        np.ascontiguousarray(sq, dtype=np.complex128),
        np.ascontiguousarray(zdiag, dtype=float),
        B[order],
        np.ascontiguousarray(np.asarray(tau_a_s, dtype=float)[order]),
        np.ascontiguousarray(np.asarray(tau_b_s, dtype=float)[order]),
        out,
    )
    res = np.empty_like(out)
    res[order] = out
    return res
