"""A temperature-dependent number of coherent tunnelers per ATS, N(T) = N0 exp(-E0/(k_B T)).

The essay (section 4.2) says that an ATS is N coherently tunneling particles in a cell
interstice, that the product X = D0 (|q|/e) S grows like N^3 (the charge, the loop area and the
tunneling energy each scale with N), and that N depends on temperature, N(T) = N0 exp(-E0/k_B T):
its explanation of why the echo's X (Table 7, 12 mK) are far below the Cp ones (Tables 2, 4,
0.6-1.4 K). Here:

* :func:`n_tunnelers` is N(T); :func:`x_cutoffs` gives X0min(T), X0max(T) = X1min,max N(T)^3 with
  X1 the cutoffs of a single tunneler (N = 1);
* :func:`fit_tunnelers` fits that law to tabulated cutoffs against temperature by weighted
  linear least squares in ln X (ln X = ln(X1 N0^3) - 3 E0/T is linear in 1/T);
* :func:`table_cutoffs` collects the essay's X cutoffs with their temperatures (Tables 2, 4, 5,
  7, from :mod:`etm.materials`).

Only X1 N0^3 and E0 are determined by X(T): N0 follows only if X1 is fixed (``X1min_KA2``,
``X1max_KA2`` given). How to impose the law inside a fit of curves at several temperatures:
docs/magnetization.md ("N(T) in a fit"), :mod:`etm.fit.tunnelers`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from etm import materials
from etm.checks import check_array, check_positive, plain

__all__ = [
    "TunnelerFit",
    "TableCutoff",
    "fit_tunnelers",
    "n_tunnelers",
    "table_cutoffs",
    "x_cutoffs",
]


def n_tunnelers(T_K: ArrayLike, N0: float, E0_K: float) -> NDArray[np.float64]:
    """Number of coherent tunnelers per ATS, N(T) = N0 exp(-E0/T) (E0 in kelvin).

    Parameters
    ----------
    T_K : array_like
        Temperature [K], > 0.
    N0 : float
        High-temperature limit N0, > 0.
    E0_K : float
        Activation energy E0/k_B [K], finite (E0 > 0: N grows with T).

    Returns
    -------
    ndarray
        N(T).

    References
    ----------
    The essay's section 4.2; docs/magnetization.md.

    Examples
    --------
    >>> float(n_tunnelers(1.0, 3.0, 0.0))
    3.0
    """
    T = check_array("T_K", T_K, strict=True)
    N0 = check_positive("N0", N0)
    E0 = float(E0_K)
    if not np.isfinite(E0):
        raise ValueError(f"E0_K must be a finite number [K], got {plain(E0_K)}")
    # clipping the exponent keeps exp finite (no overflow) for E0 < 0 at small T: N is capped at
    # N0 e^700 there, far outside any physical use
    arg = np.clip(-E0 / T, -745.0, 700.0)
    return N0 * np.exp(arg)


def x_cutoffs(
    T_K: ArrayLike, *, X1min_KA2: float, X1max_KA2: float, N0: float, E0_K: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The X cutoffs at temperature T: X0min,max(T) = X1min,max N(T)^3 [K angstrom^2].

    Parameters
    ----------
    T_K : array_like
        Temperature [K], > 0.
    X1min_KA2, X1max_KA2 : float
        Cutoffs of X for a single tunneler (N = 1) [K angstrom^2], 0 < X1min < X1max.
    N0, E0_K : float
        As in :func:`n_tunnelers`.

    Returns
    -------
    (ndarray, ndarray)
        X0min(T), X0max(T) [K angstrom^2].

    Examples
    --------
    >>> lo, hi = x_cutoffs([0.5, 1.0], X1min_KA2=100.0, X1max_KA2=500.0, N0=2.0, E0_K=0.0)
    >>> lo.tolist(), hi.tolist()
    ([800.0, 800.0], [4000.0, 4000.0])
    """
    a = check_positive("X1min_KA2", X1min_KA2)
    b = check_positive("X1max_KA2", X1max_KA2)
    if a >= b:
        raise ValueError(f"X1min_KA2 must be < X1max_KA2, got {plain(a)} >= {plain(b)}")
    n3 = n_tunnelers(T_K, N0, E0_K) ** 3
    return a * n3, b * n3


@dataclass(frozen=True)
class TableCutoff:
    """One (T, X0min, X0max) of the essay's tables: ``label`` names its table and row."""

    label: str
    table: str
    T_K: float
    X0min_KA2: float
    X0max_KA2: float


def table_cutoffs() -> tuple[TableCutoff, ...]:
    """The X cutoffs of Tables 2, 4 (Cp), 5 (eps) and 7 (echo, 12 mK) with their temperatures.

    Examples
    --------
    >>> rows = table_cutoffs()
    >>> sorted({r.table for r in rows})
    ['Table 2', 'Table 4', 'Table 5', 'Table 7']
    """
    out = []
    for name, table in (("BAS", "Table 2"), ("Duran", "Table 4")):
        for r in materials.get(name).heat_capacity_rows:
            out.append(
                TableCutoff(f"{name} Cp {r.T_K:g} K", table, r.T_K, r.X0min_KA2, r.X0max_KA2)
            )
    for r in materials.DIELECTRIC_ROWS:
        if r.glass == "SiO2+xCyHz":
            continue  # Table 6, a different glass family (no Cp or echo tables to compare with)
        p = r.params
        out.append(
            TableCutoff(f"{r.glass} eps {1e3 * r.T_K:g} mK", "Table 5", r.T_K, p.X0min_KA2,
                        p.X0max_KA2)
        )  # fmt: skip
    for r in materials.ECHO_ROWS:
        p = r.params
        out.append(TableCutoff(f"{r.name} echo", "Table 7", r.T_K, p.X0min_KA2, p.X0max_KA2))
    return tuple(out)


@dataclass(frozen=True)
class TunnelerFit:
    """Result of :func:`fit_tunnelers`.

    Attributes
    ----------
    E0_K, E0_err_K : float
        E0/k_B [K] and its standard error.
    A_min_KA2, A_max_KA2 : float
        X1min N0^3 and X1max N0^3 [K angstrom^2]: the high-temperature limits of the cutoffs.
    ln_A_err : tuple of float
        Standard errors of ln A_min, ln A_max.
    N0, N0_err : float or None
        N0 and its error when X1 was fixed; None otherwise (only X1 N0^3 is determined).
    residuals : ndarray, shape (n, 2)
        ln X_table - ln X_fit for (X0min, X0max) of every point.
    rms_ln : float
        Root-mean-square residual in ln X (0.1 = 10 % scatter).
    chi2_red : float
        Residual sum of squares per degree of freedom with the assumed ``sigma_ln``.
    sigma_ln : float
        The assumed one-sigma scatter of ln X.
    """

    E0_K: float
    E0_err_K: float
    A_min_KA2: float
    A_max_KA2: float
    ln_A_err: tuple[float, float]
    N0: float | None
    N0_err: float | None
    residuals: NDArray[np.float64]
    rms_ln: float
    chi2_red: float
    sigma_ln: float

    def predict(self, T_K: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """X0min(T), X0max(T) [K angstrom^2] of the fitted law."""
        T = check_array("T_K", T_K, strict=True)
        f = np.exp(np.clip(-3.0 * self.E0_K / T, -745.0, 700.0))
        return self.A_min_KA2 * f, self.A_max_KA2 * f


def fit_tunnelers(
    T_K: ArrayLike,
    X0min_KA2: ArrayLike,
    X0max_KA2: ArrayLike,
    *,
    X1min_KA2: float | None = None,
    X1max_KA2: float | None = None,
    sigma_ln: float = 0.1,
) -> TunnelerFit:
    """Fit X0min,max(T) = X1min,max N0^3 exp(-3 E0/T) to cutoffs tabulated against T.

    In ln X the law is linear: ln X0min = ln A_min - 3 E0/T, ln X0max = ln A_max - 3 E0/T with
    A = X1 N0^3. Without X1 the parameters are (ln A_min, ln A_max, E0); with X1 fixed they are
    (ln N0, E0). Weighted linear least squares with one-sigma ``sigma_ln`` on every ln X; errors
    from the covariance scaled by the reduced chi^2 when it exceeds 1 (so a law that does not
    fit gets honest, larger errors).

    Parameters
    ----------
    T_K : array_like, shape (n,)
        Temperatures [K], > 0, at least two distinct.
    X0min_KA2, X0max_KA2 : array_like, shape (n,)
        The cutoffs [K angstrom^2], > 0.
    X1min_KA2, X1max_KA2 : float, optional
        Single-tunneler cutoffs (both or neither): then N0 is fitted.
    sigma_ln : float
        Assumed scatter of ln X (default 0.1: the tables give no errors).

    Returns
    -------
    TunnelerFit

    References
    ----------
    The essay's section 4.2; docs/magnetization.md ("N(T) against the tables").

    Examples
    --------
    >>> T = np.array([0.1, 0.3, 1.0])
    >>> lo, hi = x_cutoffs(T, X1min_KA2=10.0, X1max_KA2=50.0, N0=20.0, E0_K=0.05)
    >>> r = fit_tunnelers(T, lo, hi, X1min_KA2=10.0, X1max_KA2=50.0)
    >>> round(r.N0, 6), round(r.E0_K, 6)
    (20.0, 0.05)
    """
    T = check_array("T_K", T_K, strict=True).ravel()
    lo = check_array("X0min_KA2", X0min_KA2, strict=True).ravel()
    hi = check_array("X0max_KA2", X0max_KA2, strict=True).ravel()
    if not (T.size == lo.size == hi.size):
        raise ValueError(
            f"T_K, X0min_KA2 and X0max_KA2 must have the same length, got {T.size}, {lo.size}, "
            f"{hi.size}"
        )
    if np.unique(T).size < 2:
        raise ValueError("T_K must hold at least two distinct temperatures (E0 needs them)")
    sig = check_positive("sigma_ln", sigma_ln)
    fixed = (X1min_KA2 is not None, X1max_KA2 is not None)
    if fixed[0] != fixed[1]:
        raise ValueError("X1min_KA2 and X1max_KA2 must be given together (or neither)")
    n = T.size
    y = np.concatenate([np.log(lo), np.log(hi)])
    slope = np.concatenate([-3.0 / T, -3.0 / T])
    if fixed[0]:
        x1 = (check_positive("X1min_KA2", X1min_KA2), check_positive("X1max_KA2", X1max_KA2))
        y = y - np.concatenate([np.full(n, np.log(x1[0])), np.full(n, np.log(x1[1]))])
        # y = 3 ln N0 - 3 E0/T
        A = np.column_stack([np.full(2 * n, 3.0), slope])
    else:
        A = np.column_stack([np.r_[np.ones(n), np.zeros(n)], np.r_[np.zeros(n), np.ones(n)], slope])
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    res = y - A @ coef
    dof = max(2 * n - A.shape[1], 1)
    chi2_red = float(np.sum(res**2) / sig**2 / dof)
    cov = np.linalg.inv(A.T @ A) * sig**2 * max(chi2_red, 1.0)
    err = np.sqrt(np.diag(cov))
    if fixed[0]:
        lnN0, E0 = coef
        N0 = float(np.exp(lnN0))
        A_min, A_max = x1[0] * N0**3, x1[1] * N0**3
        ln_err = (3.0 * err[0], 3.0 * err[0])
        N0_out, N0_err = N0, N0 * float(err[0])
        E0_err = float(err[1])
    else:
        A_min, A_max, E0 = float(np.exp(coef[0])), float(np.exp(coef[1])), coef[2]
        ln_err = (float(err[0]), float(err[1]))
        N0_out = N0_err = None
        E0_err = float(err[2])
    return TunnelerFit(
        E0_K=float(E0),
        E0_err_K=E0_err,
        A_min_KA2=float(A_min),
        A_max_KA2=float(A_max),
        ln_A_err=ln_err,
        N0=N0_out,
        N0_err=N0_err,
        residuals=res.reshape(2, n).T,
        rms_ln=float(np.sqrt(np.mean(res**2))),
        chi2_red=chi2_red,
        sigma_ln=sig,
    )
