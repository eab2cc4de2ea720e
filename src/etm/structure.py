"""Structure from the fits: cell size (Eq. 38-40) and glass transition vs cooling rate (Eq. 35-37).

The essay's section 4 reads two structural numbers off the low-temperature fits:

* the radius xi of the better-ordered cells, from the ATS concentration n_ATS P* (four ATS per
  tetrahedral interstice between four cells, Eq. 38, with P* ~ 1/(2 pi) from Eq. 39), and
* the glass-transition temperature Tg as a function of the cooling rate kappa (Eq. 37).

Both are plain functions of their inputs; the derivations and the units are in
``docs/fitting.md`` (section "Structure from the fits").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import brentq

from etm import materials
from etm.checks import check_positive, plain

__all__ = [
    "CellComparison",
    "CellRadius",
    "DENSITIES_G_CM3",
    "HREM_DIAMETERS_A",
    "cell_comparison",
    "cell_radius",
    "cooling_rate",
    "glass_transition_temperature",
    "tg_log_slope",
]

#: Unit conversion (not a physical constant): angstrom per centimetre.
_ANGSTROM_PER_CM = 1e8

#: Mass densities rho [g/cm^3] the essay quotes (section 4.2, from its ref. [43]), by glass: taken
#: from the catalog (:attr:`etm.materials.Glass.density_g_cm3`) for the glasses that have one.
DENSITIES_G_CM3: dict[str, float] = {
    g.name: g.density_g_cm3 for g in materials.GLASSES.values() if g.density_g_cm3 is not None
}


@dataclass(frozen=True)
class CellRadius:
    """A cell radius with its one-sigma uncertainty.

    Attributes
    ----------
    xi_A : float
        Cell radius xi [angstrom].
    xi_err_A : float
        Its standard uncertainty [angstrom], propagated linearly from the inputs'.
    """

    xi_A: float
    xi_err_A: float

    @property
    def diameter_A(self) -> float:
        """Cell diameter 2 xi [angstrom] (the quantity HREM images show)."""
        return 2.0 * self.xi_A


def cell_radius(
    nP_per_g: float, rho_g_cm3: float, nP_err: float = 0.0, rho_err: float = 0.0
) -> CellRadius:
    """Radius of the better-ordered cells from the ATS concentration (the essay's Eq. 40).

    ``xi = (3 / (pi sqrt(2) n_ATS P* rho))^(1/3)``: four ATS per interstice of volume
    ``2 sqrt(2) xi^3 / 3`` (Eq. 38) with P* = 1/(2 pi) (Eq. 39 with ln(Dmax/Dmin) ln(D0max/D0min)
    of order 1). Since xi ~ (nP rho)^(-1/3), the relative uncertainty is
    ``(1/3) sqrt((s_nP/nP)^2 + (s_rho/rho)^2)`` (independent inputs, linear propagation).

    Parameters
    ----------
    nP_per_g : float
        n_ATS P* [1/g], > 0 (the fitted ATS concentration, Tables 1 and 3).
    rho_g_cm3 : float
        Mass density rho [g/cm^3], > 0.
    nP_err : float, optional
        Standard uncertainty of ``nP_per_g`` [1/g], >= 0.
    rho_err : float, optional
        Standard uncertainty of ``rho_g_cm3`` [g/cm^3], >= 0.

    Returns
    -------
    CellRadius
        xi and its uncertainty [angstrom].

    References
    ----------
    The essay's Eq. 38-40 (section 4.2); docs/fitting.md, "Structure from the fits". With the
    essay's inputs (:class:`etm.materials.Glass`: ``cell_nP_per_g``, ``density_g_cm3``) this gives
    163 A (BAS), 300 A (BK7) and 148 A for Duran, where the essay prints 154 A
    (``cell_radius_quoted_A``).

    Examples
    --------
    >>> r = cell_radius(5e16, 3.1, nP_err=0.5e16)
    >>> round(r.xi_A), round(r.xi_err_A, 1)
    (163, 5.4)
    """
    nP = check_positive("nP_per_g", nP_per_g)
    rho = check_positive("rho_g_cm3", rho_g_cm3)
    s_nP = check_positive("nP_err", nP_err, allow_zero=True)
    s_rho = check_positive("rho_err", rho_err, allow_zero=True)
    xi_cm = (3.0 / (np.pi * np.sqrt(2.0) * nP * rho)) ** (1.0 / 3.0)
    xi = float(xi_cm * _ANGSTROM_PER_CM)
    rel = np.hypot(s_nP / nP, s_rho / rho) / 3.0
    return CellRadius(xi_A=xi, xi_err_A=float(xi * rel))


def _check_tg_inputs(Tc_K: float, tau0_s: float, w0_K: float, Theta_K: float):
    Tc = check_positive("Tc_K", Tc_K)
    tau0 = check_positive("tau0_s", tau0_s)
    w0 = check_positive("w0_K", w0_K)
    Theta = check_positive("Theta_K", Theta_K, allow_zero=True)
    if Theta >= Tc:
        raise ValueError(f"Theta_K must be in [0, Tc_K={Tc:g}), got {plain(Theta_K)}")
    return Tc, tau0, w0, Theta


def cooling_rate(
    Tg_K: ArrayLike, Tc_K: float, tau0_s: float, w0_K: float, Theta_K: float
) -> NDArray[np.float64]:
    """Cooling rate kappa [K/s] at which the glass forms at Tg: the inverse of Eq. 37.

    ``kappa = (Tc - Tg) / tau0 * exp(-w0 / (Tg - Theta))`` for Theta < Tg < Tc (w0 in kelvin).

    Parameters
    ----------
    Tg_K : array_like
        Glass-transition temperature Tg [K], Theta < Tg < Tc.
    Tc_K, tau0_s, w0_K, Theta_K : float
        As in :func:`glass_transition_temperature`.

    Returns
    -------
    ndarray
        kappa [K/s].

    Examples
    --------
    >>> float(cooling_rate(800.0, 1200.0, 1e-13, 3000.0, 700.0))  # doctest: +ELLIPSIS
    374.30...
    """
    Tc, tau0, w0, Theta = _check_tg_inputs(Tc_K, tau0_s, w0_K, Theta_K)
    Tg = np.asarray(Tg_K, dtype=float)
    if not np.all((Tg > Theta) & (Tg < Tc)):
        raise ValueError(
            f"Tg_K must be in ({Theta:g}, {Tc:g}) K (Theta_K < Tg < Tc_K), got {plain(Tg_K)}"
        )
    return (Tc - Tg) / tau0 * np.exp(-w0 / (Tg - Theta))


def glass_transition_temperature(
    kappa_K_per_s: ArrayLike, Tc_K: float, tau0_s: float, w0_K: float, Theta_K: float
) -> float | NDArray[np.float64]:
    """Glass-transition temperature Tg for a cooling rate kappa, solving the essay's Eq. 37.

    Eq. 37 reads ``k_B ln((Tc - Tg)/(kappa tau0)) = w0/(Tg - Theta)``. With ``w0_K = w0/k_B``
    (the energy per atomic species in kelvin) k_B cancels::

        ln((Tc - Tg) / (kappa tau0)) = w0_K / (Tg - Theta),

    where kappa tau0 is in kelvin, so the logarithm's argument is a pure number. Written in
    u = Tg - Theta, F(u) = ln(Tc - Theta - u) - ln(kappa tau0) - w0_K/u is strictly concave on
    0 < u < Tc - Theta and tends to -infinity at both ends, so it has either no root or two. The
    lower root is the glass transition: it grows with kappa (and tends to Theta as kappa -> 0, a
    Vogel-Fulcher-like limit); the upper one, within kappa tau0 e^(w0/(Tc-Theta)) of Tc, falls with
    kappa. The maximum of F is located by bracketing F' (monotone), then the lower root by
    bracketing F on (0, u_max), both with :func:`scipy.optimize.brentq`.

    Parameters
    ----------
    kappa_K_per_s : array_like
        Cooling rate kappa [K/s], > 0.
    Tc_K : float
        Temperature Tc [K] of Eq. 35 (above which the polycluster cannot form), > 0.
    tau0_s : float
        Microscopic time tau0 [s] of the cells' rearrangement, > 0.
    w0_K : float
        Characteristic energy w0 per atomic species, as w0/k_B [K], > 0.
    Theta_K : float
        Cell-cell interaction temperature Theta [K], 0 <= Theta < Tc.

    Returns
    -------
    float or ndarray
        Tg [K], Theta < Tg < Tc (a float for scalar kappa).

    Raises
    ------
    ValueError
        If an input is out of range, or if kappa is so fast that Eq. 37 has no root (the message
        gives the largest rate that has one).

    References
    ----------
    The essay's Eq. 35-37 (section 4.1); derivation in docs/fitting.md.

    Examples
    --------
    >>> Tg = glass_transition_temperature([0.1, 1.0, 10.0], 1200.0, 1e-13, 3000.0, 700.0)
    >>> [round(float(t), 1) for t in Tg]
    [778.4, 783.4, 789.2]
    """
    Tc, tau0, w0, Theta = _check_tg_inputs(Tc_K, tau0_s, w0_K, Theta_K)
    kappa = np.asarray(kappa_K_per_s, dtype=float)
    if not np.all(np.isfinite(kappa) & (kappa > 0)):
        raise ValueError(f"kappa_K_per_s must be finite and > 0, got {plain(kappa_K_per_s)}")
    span = Tc - Theta

    # F'(u) = -1/(span - u) + w0/u^2 falls monotonically from +inf to -inf: one zero, u_max.
    def dF(u: float) -> float:
        return -1.0 / (span - u) + w0 / (u * u)

    # bracket ends a hair inside (0, span) so that both terms stay finite
    lo, hi = span * 1e-12, span * (1.0 - 1e-12)
    u_max = brentq(dF, lo, hi, xtol=1e-15 * span, rtol=4 * np.finfo(float).eps)
    F_max_plus_log = np.log(span - u_max) - w0 / u_max  # F(u_max) + ln(kappa tau0)
    kappa_max = np.exp(F_max_plus_log) / tau0

    def solve(k: float) -> float:
        log_kt = np.log(k * tau0)
        if F_max_plus_log - log_kt <= 0.0:
            raise ValueError(
                f"kappa_K_per_s={k:g} is too fast: Eq. 37 has no root; it must be < "
                f"{kappa_max:.6g} K/s for Tc_K={Tc:g}, tau0_s={tau0:g}, w0_K={w0:g}, "
                f"Theta_K={Theta:g}"
            )

        def F(u: float) -> float:
            return np.log(span - u) - log_kt - w0 / u

        # F(lo) ~ -w0/lo < 0 and F(u_max) > 0: a valid bracket for the lower root
        u = brentq(F, lo, u_max, xtol=1e-15 * span, rtol=4 * np.finfo(float).eps)
        return Theta + u

    if kappa.ndim == 0:
        return solve(float(kappa))
    return np.array([solve(float(k)) for k in kappa.ravel()]).reshape(kappa.shape)


def tg_log_slope(
    kappa_K_per_s: ArrayLike, Tc_K: float, tau0_s: float, w0_K: float, Theta_K: float
) -> float | NDArray[np.float64]:
    """dTg/d(ln kappa) [K] of Eq. 37, by implicit differentiation: the logarithmic law's slope.

    With F(u) = ln(Tc - Theta - u) - ln(kappa tau0) - w0_K/u = 0 (u = Tg - Theta) and
    dF/d(ln kappa) = -1, ``dTg/d(ln kappa) = 1 / (w0_K/u^2 - 1/(Tc - Tg))``; for u << Tc - Theta
    this is ~ (Tg - Theta)^2/w0_K, which changes only slowly with kappa: Tg grows by a nearly
    constant amount per decade of cooling rate (the essay's "Tg increases logarithmically").

    Parameters
    ----------
    kappa_K_per_s : array_like
        Cooling rate kappa [K/s], > 0.
    Tc_K, tau0_s, w0_K, Theta_K : float
        As in :func:`glass_transition_temperature`.

    Returns
    -------
    float or ndarray
        dTg/d(ln kappa) [K] (multiply by ln 10 for K per decade).

    References
    ----------
    The essay's Eq. 37 (section 4.1); docs/fitting.md, "Structure from the fits".

    Examples
    --------
    >>> round(float(tg_log_slope(1.0, 1200.0, 1e-13, 3000.0, 700.0) * np.log(10)), 2)
    5.37
    """
    Tg = np.asarray(glass_transition_temperature(kappa_K_per_s, Tc_K, tau0_s, w0_K, Theta_K))
    u = Tg - Theta_K
    out = 1.0 / (w0_K / (u * u) - 1.0 / (Tc_K - Tg))
    return float(out) if out.ndim == 0 else out


#: Cell diameters [angstrom] the essay quotes from HREM images for comparison (section 4.2).
HREM_DIAMETERS_A: dict[str, float] = {
    "a-SiO2": 500.0,
    "(B2O3)0.75(PbO)0.25": 600.0,
    "Li2O-SiO2": 500.0,
}


@dataclass(frozen=True)
class CellComparison:
    """One glass's cell size: Eq. 40 from its inputs, the essay's quoted radius, and diameters.

    Attributes
    ----------
    glass : str
        Key of :data:`etm.materials.GLASSES`.
    xi_A : float
        Radius [angstrom] from Eq. 40 with the essay's n_ATS P* and density.
    xi_quoted_A : float
        The radius the essay prints [angstrom].
    """

    glass: str
    xi_A: float
    xi_quoted_A: float

    @property
    def diameter_A(self) -> float:
        """2 xi [angstrom] from Eq. 40."""
        return 2.0 * self.xi_A

    @property
    def quoted_diameter_A(self) -> float:
        """2 xi [angstrom] of the essay's printed radius."""
        return 2.0 * self.xi_quoted_A


def cell_comparison() -> tuple[CellComparison, ...]:
    """Eq. 40's radii for the glasses whose inputs the essay gives, with its printed values.

    Compare their diameters with :data:`HREM_DIAMETERS_A` (other glasses: a-SiO2, B2O3-PbO,
    Li2O-SiO2; the essay's comparison is one of orders of magnitude).

    Examples
    --------
    >>> [(c.glass, round(c.xi_A), c.xi_quoted_A) for c in cell_comparison()]
    [('BAS', 163, 163.0), ('Duran', 148, 154.0), ('BK7', 300, 300.0)]
    """
    out = []
    for g in materials.GLASSES.values():
        if g.cell_nP_per_g is None or g.density_g_cm3 is None:
            continue
        r = cell_radius(g.cell_nP_per_g, g.density_g_cm3)
        out.append(CellComparison(g.name, r.xi_A, float(g.cell_radius_quoted_A)))
    return tuple(out)
