"""The analytic ATS density of states in a field (essay Eq. 12-13) and the loop orientations.

Conventions (effective parameters, docs/conventions.md and docs/dos.md): the ATS distribution is
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

import numpy as np
from numpy.typing import ArrayLike, NDArray

from etm.checks import check_array, plain
from etm.chunks import chunk_length, chunk_slices
from etm.constants import AB_K_PER_T_KA2
from etm.ensemble.measure import gauss_legendre01
from etm.materials.coerce import as_ats
from etm.params import ATSParams

__all__ = [
    "ORIENTATIONS",
    "ats_dos",
    "ats_dos_isotropic",
    "ats_dos_oriented",
    "check_orientation",
    "coupling",
    "dos_at_coupling",
]

ORIENTATIONS: tuple[str, ...] = ("aligned", "isotropic", "phi2/3")

_TWO_PI = 2.0 * np.pi


def check_orientation(orientation: str) -> str:
    """Return ``orientation`` if it is one of :data:`ORIENTATIONS`, else raise ``ValueError``."""
    if orientation not in ORIENTATIONS:
        raise ValueError(
            f"orientation must be one of {', '.join(repr(o) for o in ORIENTATIONS)}, "
            f"got {plain(orientation)}"
        )
    return orientation


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
_GL6 = gauss_legendre01(6)

#: Below this coupling b0 [1/A^2] the field is zero for all purposes: the corrections are
#: O((b0 X / E)^2) < 1e-100, and 1/b0 would overflow for subnormal b0.
_B0_ZERO = 1e-200


def ats_dos_isotropic(E: NDArray, b0: NDArray, params: ATSParams) -> NDArray:
    """g_ATS(E) [1/(g K)] at coupling b0 [1/A^2] for isotropic loops (no input checks).

    Closed-form average of :func:`ats_dos_oriented` over cos(beta) uniform in [0, 1].

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
        y = lo_n + (hi_n - lo_n) * t
        Yn = Y.reshape(-1)[narrow, None]
        f = (Yn - y) / (y * Yn * (Eb2.reshape(-1)[narrow, None] - y * y))
        IB[narrow] = (hi_n[:, 0] - lo_n[:, 0]) * (f @ w)
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
    E_K: ArrayLike,
    B_T: ArrayLike,
    params: ATSParams,
    *,
    orientation: str = "isotropic",
    memory_MB: float | None = None,
) -> NDArray[np.float64]:
    """Density of states of the ATS in a magnetic field (essay Eq. 13), states per gram per kelvin.

    Parameters
    ----------
    E_K : array_like
        Energy gap E [K], >= 0.
    B_T : array_like
        Magnetic field B [T], >= 0 (broadcast against ``E_K``).
    params : ATSParams or Material
        The ATS distribution (effective parameters), or a Material (its ``ats``).
    orientation : {"isotropic", "aligned", "phi2/3"}
        How the loops are oriented relative to B (see the module docstring).
    memory_MB : float or None
        Working-memory budget [MB] (:mod:`etm.chunks`): the points are evaluated in chunks
        (elementwise, so the result is the same).

    Returns
    -------
    ndarray
        g_ATS(E, B) [1/(g K)].

    References
    ----------
    The essay's Eq. 12-13; docs/dos.md.

    Examples
    --------
    >>> p = ATSParams(Dmin_K=0.5, X0min_KA2=5e4, X0max_KA2=3e5, nP_per_g=1.0)
    >>> g0 = ats_dos([0.4, 1.0], 0.0, p)
    >>> float(g0[0]), bool(np.isclose(g0[1], 2 * np.pi * np.log(6.0)))
    (0.0, True)
    """
    params = as_ats(params)
    check_orientation(orientation)
    E = check_array("E_K", E_K)
    B = check_array("B_T", B_T)
    E, B = np.broadcast_arrays(E, B)
    out = np.empty(E.shape)
    Ef, Bf, of = E.reshape(-1), B.reshape(-1), out.reshape(-1)
    for s in chunk_slices(Ef.size, chunk_length(_BYTES_PER_POINT, memory_MB=memory_MB)):
        of[s] = dos_at_coupling(Ef[s], coupling(Bf[s], orientation), params, orientation)
    return out


#: Working memory of the closed forms per point [bytes]: ~48 float64 temporaries.
_BYTES_PER_POINT = 8.0 * 48


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
        return ats_dos_isotropic(np.asarray(E_K, dtype=float), np.asarray(b, dtype=float), params)
    return ats_dos_oriented(E_K, b, params)
