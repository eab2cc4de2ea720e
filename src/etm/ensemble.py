"""The ensemble average: the analytic ATS density of states and thermal integrals over it.

Conventions (MODEL.md sections 3-4, effective parameters): the ATS distribution is
``2 pi nP dD/D dD0/D0`` on ``Dmin <= D (<= Dmax)``, ``D0min <= D0 <= D0max``; a system's gap is
``E = sqrt(D^2 + (D0 phi)^2)`` with ``D0 phi = ab_energy(X, B, cos beta)``. Only the product
``kappa = 2 pi (e/h) B cos(beta)`` [1/(K*angstrom^2) * K] times X enters, so the density of states
is a function of (E, kappa X0min, kappa X0max).

Orientation of the loops relative to the field:

``"aligned"``
    cos beta = 1 for every system (a single crystal-like ensemble; the essay's Eq. 13 as written).
``"isotropic"``
    cos beta uniform in [0, 1]: the exact powder average, in closed form (derived in
    ``docs/dos.md``).
``"phi2/3"``
    the essay's shortcut phi^2 -> phi^2/3, i.e. cos beta = 1/sqrt(3) for every system.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from etm.constants import AB_K_PER_T_KA2
from etm.params import ATSParams

__all__ = [
    "ORIENTATIONS",
    "ThermalGrid",
    "ats_dos",
    "ats_dos_oriented",
    "check_orientation",
    "coupling",
    "dos_at_coupling",
    "energy_panels",
    "thermal_dos_integral",
    "thermal_grid",
]

ORIENTATIONS: tuple[str, ...] = ("aligned", "isotropic", "phi2/3")

_TWO_PI = 2.0 * np.pi


def check_orientation(orientation: str) -> str:
    """Return ``orientation`` if it is one of :data:`ORIENTATIONS`, else raise ``ValueError``."""
    if orientation not in ORIENTATIONS:
        raise ValueError(
            f"orientation must be one of {', '.join(repr(o) for o in ORIENTATIONS)}, "
            f"got {orientation!r}"
        )
    return orientation


def _check_array(name: str, x: ArrayLike, *, minimum: float = 0.0, strict: bool = False):
    a = np.asarray(x, dtype=float)
    if np.isnan(a).any():
        raise ValueError(f"{name} must not contain NaN")
    bad = (a <= minimum) if strict else (a < minimum)
    if bad.any():
        rel = ">" if strict else ">="
        raise ValueError(f"{name} must be {rel} {minimum:g}, got min {a.min()!r}")
    if np.isinf(a).any():
        raise ValueError(f"{name} must be finite")
    return a


def _sq_minus(E2: NDArray, y: NDArray) -> NDArray:
    """E^2 - y^2, clipped at 0 (round-off at branch edges)."""
    return np.maximum(E2 - y * y, 0.0)


def ats_dos_oriented(E_K: ArrayLike, kappa: ArrayLike, params: ATSParams) -> NDArray[np.float64]:
    """ATS density of states at a fixed AB coupling, in states per gram per kelvin.

    Parameters
    ----------
    E_K : array_like
        Energy E [K], >= 0.
    kappa : array_like
        ``2 pi (e/h) B cos(beta)`` in 1/angstrom^2 (so that ``kappa * X_KA2`` is D0*phi in K);
        use :data:`etm.constants.AB_K_PER_T_KA2` ``* B_T * cos_beta``. >= 0.
    params : ATSParams
        The ATS distribution.

    Returns
    -------
    ndarray
        g_ATS(E) [1/(g K)], the essay's Eq. 13 (with the optional Dmax cutoff), broadcast over
        ``E_K`` and ``kappa``.

    Notes
    -----
    With y = D0 phi, integrating the distribution over D against delta(E - sqrt(D^2 + y^2)) gives
    ``g = (2 pi nP / E) [ln(y2/y1) + (1/2) ln((E^2 - y1^2)/(E^2 - y2^2))]`` for y2 > y1, where
    ``y2 = min(kappa X0max, sqrt(E^2 - Dmin^2))`` and ``y1 = max(kappa X0min, sqrt(E^2 - Dmax^2))``.
    At kappa = 0 it is ``(2 pi nP / E) ln(X0max/X0min)`` for Dmin < E <= Dmax.

    Examples
    --------
    >>> p = ATSParams(Dmin_K=0.5, X0min_KA2=5e4, X0max_KA2=3e5, nP_per_g=1.0)
    >>> bool(np.isclose(ats_dos_oriented(1.0, 0.0, p), 2 * np.pi * np.log(6.0), rtol=1e-15))
    True
    """
    E = np.asarray(E_K, dtype=float)
    k = np.asarray(kappa, dtype=float)
    E, k = np.broadcast_arrays(E, k)
    E2 = E * E
    Dmin, Dmax = params.Dmin_K, params.Dmax_K
    above = E > Dmin
    if Dmax is not None:
        # the B = 0 band is Dmin < E <= Dmax
        band0 = above & (E <= Dmax)
    else:
        band0 = above
    y2 = np.minimum(k * params.X0max_KA2, np.sqrt(np.maximum(E2 - Dmin * Dmin, 0.0)))
    y1 = k * params.X0min_KA2
    if Dmax is not None:
        y1 = np.maximum(y1, np.sqrt(np.maximum(E2 - Dmax * Dmax, 0.0)))
    field_on = k > 0
    ok = field_on & above & (y2 > y1)
    y1s = np.where(ok, y1, 1.0)
    y2s = np.where(ok, y2, 2.0)
    Es2 = np.where(ok, E2, 9.0)
    # E^2 - y2^2 >= Dmin^2 > 0 by construction, so neither log sees zero.
    val = np.log(y2s / y1s) + 0.5 * np.log(_sq_minus(Es2, y1s) / _sq_minus(Es2, y2s))
    lnratio = np.log(params.X0max_KA2 / params.X0min_KA2)
    shape = np.where(ok, val, 0.0)
    shape = np.where(field_on, shape, np.where(band0, lnratio, 0.0))
    Es = np.where(above, E, 1.0)  # shape is 0 unless E > Dmin: no overflow for subnormal E
    return np.where(above, _TWO_PI * params.nP_per_g * shape / Es, 0.0)


def _artanh_diff(hi: NDArray, lo: NDArray, E: NDArray) -> NDArray:
    """artanh(hi/E) - artanh(lo/E) without cancellation: artanh((a - b)/(1 - a b))."""
    a = hi / E
    b = lo / E
    return np.arctanh((a - b) / (1.0 - a * b))


#: Below this relative width (of y, and of y^2 against the distance E^2 - y^2 to the pole),
#: piece B of the isotropic DOS is integrated by Gauss-Legendre: its closed form is a
#: difference of two terms that cancel where the integrand vanishes (at y = b0 X0max).
_NARROW = 1e-2
_GL6 = np.polynomial.legendre.leggauss(6)

#: Below this coupling b0 [1/A^2] the field is zero for all purposes: the corrections are
#: O((b0 X / E)^2) < 1e-100, and 1/b0 would overflow for subnormal b0.
_B0_ZERO = 1e-200


def _ats_dos_isotropic(E: NDArray, b0: NDArray, params: ATSParams) -> NDArray:
    """Closed-form average of :func:`ats_dos_oriented` over cos(beta) uniform in [0, 1].

    With y = b0 X cos(beta), X log-uniform and cos(beta) uniform, y has density proportional to
    w(y) = (1/b0)[1/max(X0min, y/b0) - 1/X0max] on [0, b0 X0max]; then
    g = 2 pi nP E * integral of w(y) dy / (E^2 - y^2) over the allowed y (the 1/ln(X0max/X0min)
    of the normalized density cancels against the distribution's own weight; derivation in
    docs/dos.md), which has elementary antiderivatives.
    """
    E, b0 = np.broadcast_arrays(E, b0)
    X0min, X0max, Dmin, Dmax = params.X0min_KA2, params.X0max_KA2, params.Dmin_K, params.Dmax_K
    lnratio = np.log(X0max / X0min)
    above = E > Dmin
    field_on = b0 > _B0_ZERO
    ok = field_on & above
    Es = np.where(ok, E, 1.0)
    Es2 = Es * Es
    bs = np.where(ok, b0, 1.0)
    hi = np.where(ok, np.minimum(bs * X0max, np.sqrt(np.maximum(Es2 - Dmin * Dmin, 0.0))), 0.0)
    if Dmax is not None:
        lo = np.where(ok, np.sqrt(np.maximum(Es2 - Dmax * Dmax, 0.0)), 0.0)
    else:
        lo = np.zeros_like(hi)
    lo = np.minimum(lo, hi)
    ybreak = bs * X0min
    # piece A: y in [lo, hi] intersected with [0, ybreak], weight constant wA
    a_lo = np.minimum(lo, ybreak)
    a_hi = np.minimum(hi, ybreak)
    wA = (1.0 / X0min - 1.0 / X0max) / bs
    IA = wA * _artanh_diff(a_hi, a_lo, Es) / Es
    # piece B: y in [lo, hi] intersected with [ybreak, b0 X0max], weight 1/y - 1/(b0 X0max)
    b_lo = np.maximum(lo, ybreak)
    b_hi = np.maximum(hi, ybreak)
    hasB = b_hi > b_lo
    bl = np.where(hasB, b_lo, 1.0)
    bh = np.where(hasB, b_hi, 2.0)
    Eb2 = np.where(hasB, Es2, 9.0)
    EbS = np.sqrt(Eb2)
    Y = bs * X0max
    logpart = np.log(bh / bl) + 0.5 * np.log(_sq_minus(Eb2, bl) / _sq_minus(Eb2, bh))
    IB = logpart / Eb2 - _artanh_diff(bh, bl, EbS) / (EbS * Y)
    # narrow on the scale of y and of the pole at y = E, so six nodes resolve the integrand
    narrow = hasB & (bh - bl < _NARROW * bh) & (bh * bh - bl * bl < _NARROW * (Eb2 - bh * bh))
    narrow = narrow.reshape(-1)
    if narrow.any():
        t, w = _GL6
        IB = np.array(IB, dtype=float).reshape(-1)
        lo_n, hi_n = bl.reshape(-1)[narrow, None], bh.reshape(-1)[narrow, None]
        y = 0.5 * (hi_n + lo_n) + 0.5 * (hi_n - lo_n) * t
        Yn = Y.reshape(-1)[narrow, None]
        f = (Yn - y) / (y * Yn * (Eb2.reshape(-1)[narrow, None] - y * y))
        IB[narrow] = 0.5 * (hi_n[:, 0] - lo_n[:, 0]) * (f @ w)
        IB = IB.reshape(hasB.shape)
    IB = np.where(hasB, IB, 0.0)
    if Dmax is not None:
        band0 = above & (E <= Dmax)
    else:
        band0 = above
    # g / (2 pi nP): E * integral of w(y) dy / (E^2 - y^2) with the field on; the B = 0 band
    # (2 pi nP / E) ln(X0max/X0min) without it.
    Epos = np.where(band0, E, 1.0)
    val = np.where(ok, Es * (IA + IB), np.where(~field_on & band0, lnratio / Epos, 0.0))
    # the exact value is >= 0; round-off in the closed form must not make a DOS negative
    return _TWO_PI * params.nP_per_g * np.maximum(val, 0.0)


def _kappa(B_T: ArrayLike) -> NDArray:
    return AB_K_PER_T_KA2 * np.asarray(B_T, dtype=float)


def ats_dos(
    E_K: ArrayLike, B_T: ArrayLike, params: ATSParams, orientation: str = "isotropic"
) -> NDArray[np.float64]:
    """Density of states of the ATS in a magnetic field (essay Eq. 13), states per gram per kelvin.

    Parameters
    ----------
    E_K : array_like
        Energy gap E [K], >= 0.
    B_T : array_like
        Magnetic field B [T], >= 0 (broadcast against ``E_K``).
    params : ATSParams
        The ATS distribution (effective parameters).
    orientation : {"isotropic", "aligned", "phi2/3"}
        How the loops are oriented relative to B (see the module docstring).

    Returns
    -------
    ndarray
        g_ATS(E, B) [1/(g K)].

    References
    ----------
    The essay's Eq. 12-13; MODEL.md section 4; docs/dos.md.

    Examples
    --------
    >>> p = ATSParams(Dmin_K=0.5, X0min_KA2=5e4, X0max_KA2=3e5, nP_per_g=1.0)
    >>> g0 = ats_dos([0.4, 1.0], 0.0, p)
    >>> float(g0[0]), bool(np.isclose(g0[1], 2 * np.pi * np.log(6.0)))
    (0.0, True)
    """
    check_orientation(orientation)
    E = _check_array("E_K", E_K)
    B = _check_array("B_T", B_T)
    return dos_at_coupling(E, coupling(B, orientation), params, orientation)


def _breakpoints(b0: NDArray, params: ATSParams) -> list[tuple[NDArray, NDArray, NDArray]]:
    """Energies [K] where g(E) has a kink or edge, each with the width of the structure beside it.

    At E = hypot(D, y) (D a cutoff of the asymmetry, y = kappa X a cutoff of D0 phi) the DOS has
    a kink, and just above it logarithmic spikes ln(E^2 - y^2) and ln(E^2 - D^2), of widths
    E - y = D^2/(E + y) and E - D = y^2/(E + D): the quadrature grades its panels geometrically
    away from E from the narrower of the two on (see :func:`energy_panels`). Returns
    (E, width of the ln(E^2 - y^2) spike, width of the ln(E^2 - D^2) spike) per corner.
    """
    D = [params.Dmin_K] if params.Dmax_K is None else [params.Dmin_K, params.Dmax_K]
    pts = []
    for d in D:
        for X in (params.X0min_KA2, params.X0max_KA2):
            y = b0 * X
            e = np.hypot(d, y)
            pts.append((e, d * d / (e + y), y * y / (e + d)))
    return pts


#: Gauss-Legendre nodes per panel of :func:`thermal_dos_integral`.
GL_NODES = 8
#: Ratio of consecutive panel edges in E - Dmin.
PANEL_RATIO = 2.0
#: The kernel is taken as zero beyond E - Dmin = TAIL * T (exp(-60) ~ 1e-26 of its scale).
TAIL = 60.0
#: The first panel ends at E - Dmin = HEAD * min(min(T), Dmin).
HEAD = 0.05


def coupling(B_T: ArrayLike, orientation: str) -> NDArray[np.float64]:
    """The coupling b [1/angstrom^2] with D0 phi = b X (times cos beta for isotropic loops).

    ``2 pi (e/h) B``, divided by sqrt(3) for the essay's ``"phi2/3"`` shortcut.
    """
    b = _kappa(B_T)
    return b / np.sqrt(3.0) if orientation == "phi2/3" else b


def dos_at_coupling(
    E_K: ArrayLike, b: ArrayLike, params: ATSParams, orientation: str
) -> NDArray[np.float64]:
    """g_ATS(E) [1/(g K)] at coupling ``b`` from :func:`coupling` (no input checks: internal)."""
    if orientation == "isotropic":
        return _ats_dos_isotropic(np.asarray(E_K, dtype=float), np.asarray(b, dtype=float), params)
    return ats_dos_oriented(E_K, b, params)


def energy_panels(
    b0: NDArray,
    params: ATSParams,
    T_min_K: float,
    u_top_K: float,
    *,
    nodes: int = GL_NODES,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Quadrature nodes and weights for integrals of g_ATS(E) f(E) over [Dmin, Dmin + u_top].

    One row per coupling in ``b0`` (shape (nB,)); returns ``E`` and ``dE`` of shape
    (nB, n_nodes), ascending along each row. The scheme is described in the Notes of
    :func:`thermal_dos_integral`: geometric panels in u = E - Dmin from
    ``HEAD * min(T_min, Dmin)`` to ``u_top``, every kink of g a panel edge with panels graded
    away from it, u = ua + (ub - ua) t^2 on each panel, ``nodes`` Gauss-Legendre points each.
    """
    Dmin = params.Dmin_K
    # panels must resolve both the kernel (scale T) and the 1/E fall of g (scale Dmin)
    u_lo = HEAD * min(float(T_min_K), Dmin)
    u_top = max(float(u_top_K), 2.0 * u_lo)
    n_geo = max(int(np.ceil(np.log(u_top / u_lo) / np.log(PANEL_RATIO))), 1)
    fixed = np.concatenate(([0.0], u_lo * PANEL_RATIO ** np.arange(n_geo)))
    fixed = np.append(fixed[fixed < u_top], u_top)
    cols = [np.broadcast_to(fixed, (b0.size, fixed.size))]
    if params.Dmax_K is not None:
        cols.append(np.full((b0.size, 1), params.Dmax_K - Dmin))
    for e, h_y, h_d in _breakpoints(b0, params):
        u_bp = e - Dmin
        # Left unresolved, the ln(E^2 - D^2) spike of width h_d costs ~1e-2 h_d/u_lo relative
        # (measured: 8e-6 at h_d/u_lo = 1e-3), so one narrower than 1e-6 u_lo costs < 1e-8.
        # Refining it anyway would make the grid, and so the quadrature error, jump between
        # B = 0 (where it does not exist) and tiny B, where differences are wanted to O(B^2).
        h = np.where((h_d < h_y) & (h_d >= 1e-6 * u_lo), h_d, np.maximum(h_y, 1e-6 * u_lo))
        # refine from the spike's width h up to the base grid's own scale near the breakpoint
        n_ref = int(np.clip(np.ceil(np.log2(np.max(np.maximum(u_bp, u_lo) / h))), 0, 60))
        steps = h[:, None] * PANEL_RATIO ** np.arange(n_ref + 1)
        cols += [u_bp[:, None], u_bp[:, None] + steps]
    edges = np.sort(np.clip(np.concatenate(cols, axis=-1), 0.0, u_top), axis=-1)
    keep = (edges[:, 1:] > edges[:, :-1]).any(axis=0)  # panels of zero width for every field
    edges = np.concatenate([edges[:, :1], edges[:, 1:][:, keep]], axis=-1)
    t, w = np.polynomial.legendre.leggauss(nodes)
    t = 0.5 * (t + 1.0)
    w = 0.5 * w
    ua = edges[:, :-1, None]
    width = (edges[:, 1:] - edges[:, :-1])[:, :, None]
    E = (Dmin + ua + width * t * t).reshape(b0.size, -1)  # ascending per row
    dE = (width * 2.0 * t * w).reshape(b0.size, -1)
    return E, dE


@dataclass(frozen=True)
class ThermalGrid:
    """A quadrature of g_ATS(E, B) dE serving every (T, B) pair of a broadcast set.

    Attributes
    ----------
    E_K : ndarray, shape (n_fields, n_nodes)
        Energies [K] of the nodes, ascending along each row.
    weights : ndarray, shape (n_fields, n_nodes)
        g_ATS(E, B) * dE at the nodes [1/g]: the integral of g * f is ``sum(weights * f(E_K))``.
    field_index : ndarray of int, shape (n,)
        Row of ``E_K``/``weights`` for each flattened (T, B) pair.
    T_K : ndarray, shape (n,)
        Temperature [K] of each flattened pair.
    shape : tuple
        Broadcast shape of (T, B); results are reshaped to it.
    """

    E_K: NDArray[np.float64]
    weights: NDArray[np.float64]
    field_index: NDArray[np.intp]
    T_K: NDArray[np.float64]
    shape: tuple[int, ...]


def thermal_grid(
    T_K: ArrayLike,
    B_T: ArrayLike,
    params: ATSParams,
    orientation: str = "isotropic",
    *,
    nodes: int = GL_NODES,
) -> ThermalGrid:
    """Build the energy quadrature of :func:`thermal_dos_integral` (see its Notes)."""
    check_orientation(orientation)
    T = _check_array("T_K", T_K, strict=True)
    B = _check_array("B_T", B_T)
    T, B = np.broadcast_arrays(T, B)
    shape = T.shape
    # real copies: broadcast views are read-only and numba warns on them
    T = np.array(T, dtype=float).reshape(-1)
    B = np.array(B, dtype=float).reshape(-1)
    if T.size == 0:
        empty = np.zeros((0, 0))
        return ThermalGrid(empty, empty, np.zeros(0, dtype=np.intp), T, shape)
    Bu, inv = np.unique(B, return_inverse=True)
    b0 = coupling(Bu, orientation)
    E, dE = energy_panels(b0, params, T.min(), TAIL * T.max(), nodes=nodes)
    g = dos_at_coupling(E, b0[:, None], params, orientation)
    return ThermalGrid(E, g * dE, inv, T, shape)


def thermal_dos_integral(
    kernel: Callable[[NDArray, NDArray], NDArray],
    T_K: ArrayLike,
    B_T: ArrayLike,
    params: ATSParams,
    orientation: str = "isotropic",
    *,
    nodes: int = GL_NODES,
) -> NDArray[np.float64]:
    """Integral of g_ATS(E, B) * kernel(E, T) over E, for kernels that decay like exp(-E/T).

    Parameters
    ----------
    kernel : callable
        ``kernel(E_K, T_K)`` vectorized; must fall off at least like exp(-E/T) for E >> T.
    T_K, B_T : array_like
        Temperature [K] (> 0) and field [T] (>= 0), broadcast together.
    params : ATSParams
        The ATS distribution.
    orientation : str
        As in :func:`ats_dos`.
    nodes : int
        Gauss-Legendre nodes per panel.

    Returns
    -------
    ndarray
        The integral, shape ``broadcast(T_K, B_T)``, in [kernel units * 1/g].

    Notes
    -----
    One quadrature grid per field serves every temperature: panels in u = E - Dmin grow
    geometrically (ratio :data:`PANEL_RATIO`) from ``HEAD * min(min T, Dmin)`` to
    ``TAIL * max T``, so every temperature's kernel scale and the 1/E fall of g are resolved.
    The energies where g has kinks (Dmin, Ec1, Ec2 and, with Dmax, their Dmax counterparts) are
    panel edges, and from each of them panels grade geometrically away, starting from the width
    of the logarithmic spike that g has just above it (see :func:`_breakpoints`). Each panel is
    mapped by u = ua + (ub - ua) t^2 so that a square-root edge at its left end is smooth. The
    density of states is evaluated once per distinct field and the kernel once per (T, B) pair
    and node. Accuracy: about 1e-8 relative, tested against nested adaptive quadrature.

    Examples
    --------
    >>> p = ATSParams(Dmin_K=0.5, X0min_KA2=5e4, X0max_KA2=3e5, nP_per_g=1.0)
    >>> thermal_dos_integral(lambda E, T: np.exp(-E / T), [[0.5], [1.0]], [0.0, 1.0], p).shape
    (2, 2)
    """
    grid = thermal_grid(T_K, B_T, params, orientation, nodes=nodes)
    if grid.T_K.size == 0:
        return np.zeros(grid.shape)
    idx = grid.field_index
    vals = kernel(grid.E_K[idx], grid.T_K[:, None])
    return np.einsum("nk,nk->n", grid.weights[idx], vals).reshape(grid.shape)
