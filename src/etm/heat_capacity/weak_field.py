"""Heat capacity of a glass in a magnetic field (the essay's section 3.1, Eq. 14-15).

All functions broadcast over T and B and return J/(g K) (per ion, J/K, for
:func:`zeeman_schottky`). Energies inside are in kelvin.
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import ArrayLike, NDArray

from etm.checks import check_array, check_positive, plain
from etm.chunks import check_workers, chunk_length, chunk_slices
from etm.constants import k_B, mu_B_K_per_T
from etm.ensemble import check_orientation, gauss_legendre01, thermal_grid, thermal_plan
from etm.ensemble.quadrature import GL_NODES, HEAD, base_edges, corner_arrays
from etm.heat_capacity._kernels import cp_contract, cp_fused, cp_fused_parallel
from etm.materials.coerce import as_ats, as_material
from etm.params import ATSParams, Material

__all__ = [
    "single_ts",
    "ats",
    "ats_reference",
    "two_level",
    "phonon",
    "zeeman_schottky",
    "total",
    "components",
]

_TWO_PI = 2.0 * np.pi
#: Gauss-Legendre nodes on [0, 1] of the narrow piece of the isotropic density of states (as in
#: :func:`etm.ensemble.ats_dos_isotropic`).
_GL6 = gauss_legendre01(6)
#: Below this many ((fields + pairs) x nodes) :func:`ats` runs on one thread whatever
#: ``workers`` is.
_PARALLEL_NODES = 100_000
_GL8 = tuple(np.ascontiguousarray(a) for a in gauss_legendre01(GL_NODES))


def _x2_over_sinh2(x: NDArray) -> NDArray:
    """x^2 / sinh(x)^2 for x >= 0, without overflow (e^-x form) and exact 1 at x = 0."""
    x = np.abs(x)
    small = x < 1e-4
    xs = np.where(small, 1.0, x)
    # sinh(x) = e^x (1 - e^-2x)/2, so x/sinh(x) = 2x e^-x / (-expm1(-2x)): no overflow for large x.
    r = 2.0 * xs * np.exp(-xs) / (-np.expm1(-2.0 * xs))
    # series 1 - x^2/3 + x^4/15 keeps full precision where the closed form would divide 0/0
    series = 1.0 - x * x / 3.0 + x**4 / 15.0
    return np.where(small, series, r * r)


def single_ts(E_K: ArrayLike, T_K: ArrayLike) -> NDArray[np.float64]:
    """Heat capacity of one two-level system of gap E, in units of k_B (the essay's Eq. 15 / k_B).

    ``(E/2T)^2 / cosh^2(E/2T)``, computed as ``x^2 e^{-2x} * 4 / (1 + e^{-2x})^2`` (x = E/2T) so
    that it neither overflows at T -> 0 nor loses precision at T -> infinity.

    Examples
    --------
    >>> float(single_ts(0.0, 1.0)), float(single_ts(1e4, 1e-3))
    (0.0, 0.0)
    """
    E = check_array("E_K", E_K)
    T = check_array("T_K", T_K, strict=True)
    x = E / (2.0 * T)
    em = np.exp(-2.0 * x)
    return 4.0 * x * x * em / (1.0 + em) ** 2


def ats(
    T_K: ArrayLike,
    B_T: ArrayLike,
    params: ATSParams,
    *,
    orientation: str = "isotropic",
    workers: int | None = None,
    memory_MB: float | None = None,
) -> NDArray[np.float64]:
    """ATS heat capacity C_ATS(T, B) = k_B * integral of g_ATS(E, B) (E/2T)^2 cosh^-2(E/2T) dE.

    Parameters
    ----------
    T_K : array_like
        Temperature [K], > 0.
    B_T : array_like
        Magnetic field [T], >= 0; broadcast against ``T_K``.
    params : ATSParams
        The ATS distribution (effective parameters).
    orientation : {"isotropic", "aligned", "phi2/3"}
        Orientation average, as in :func:`etm.ensemble.ats_dos`.
    workers : int or None
        Threads over the distinct fields (>= 1; default :func:`etm.chunks.default_workers`).
        The result does not depend on it.
    memory_MB : float or None
        Working-memory budget [MB] (:mod:`etm.chunks`). The compiled quadrature holds one
        field's nodes per thread, so the memory is ~40 bytes per (T, B) point on top of the
        inputs and the result, whatever the budget.

    Returns
    -------
    ndarray
        C [J/(g K)].

    References
    ----------
    The essay's Eq. 14-15; docs/dos.md; docs/performance.md.

    Examples
    --------
    >>> p = ATSParams(Dmin_K=0.49, X0min_KA2=4.77e4, X0max_KA2=3.09e5, nP_per_g=5.19e16)
    >>> c0, c1 = ats(0.6, [0.0, 2.0], p)
    >>> bool(c1 < c0)
    True
    """
    params = as_ats(params)
    check_orientation(orientation)
    nthreads = check_workers(workers)
    plan = thermal_plan(T_K, B_T, params, orientation, memory_MB=memory_MB)
    if plan.T_K.size == 0:
        return np.zeros(plan.shape)
    nF = plan.b0.size
    row_start = np.zeros(nF + 1, dtype=np.intp)
    np.cumsum(np.bincount(plan.field_index, minlength=nF), out=row_start[1:])
    corner_D, corner_X = corner_arrays(params)
    u_lo = HEAD * min(plan.T_min_K, params.Dmin_K)
    u_top = max(plan.u_top_K, 2.0 * u_lo)
    t, w = _GL8
    # threads pay off only above ~1e5 nodes (their start-up is ~50 us, more on a busy machine)
    nthreads = min(nthreads, numba.config.NUMBA_NUM_THREADS, nF)
    parallel = nthreads > 1 and (nF + plan.T_K.size) * plan.n_nodes >= _PARALLEL_NODES
    previous = numba.get_num_threads()
    if parallel:
        numba.set_num_threads(nthreads)
    try:
        out = (cp_fused_parallel if parallel else cp_fused)(
            plan.b0,
            row_start,
            plan.order,
            plan.T_K,
            base_edges(params, plan.T_min_K, plan.u_top_K),
            params.Dmin_K,
            params.Dmax_K if params.Dmax_K is not None else np.inf,
            params.Dmax_K is not None,
            params.X0min_KA2,
            params.X0max_KA2,
            _TWO_PI * params.nP_per_g,
            orientation == "isotropic",
            u_lo,
            u_top,
            np.array(plan.depth, dtype=np.int64),
            corner_D,
            corner_X,
            t,
            w,
            _GL6[0],
            _GL6[1],
        )
    finally:
        numba.set_num_threads(previous)
    return k_B * out.reshape(plan.shape)


def ats_reference(
    T_K: ArrayLike, B_T: ArrayLike, params: ATSParams, *, orientation: str = "isotropic"
) -> NDArray[np.float64]:
    """:func:`ats` by the numpy route: :func:`etm.ensemble.thermal_grid` and a compiled sum.

    Kept as the reference the fused kernel is tested against (same quadrature, different code);
    its memory grows with the number of distinct fields.

    Examples
    --------
    >>> p = ATSParams(Dmin_K=0.49, X0min_KA2=4.77e4, X0max_KA2=3.09e5, nP_per_g=5.19e16)
    >>> bool(np.isclose(ats_reference(0.6, 1.0, p), ats(0.6, 1.0, p), rtol=1e-12))
    True
    """
    params = as_ats(params)
    grid = thermal_grid(T_K, B_T, params, orientation)
    if grid.T_K.size == 0:
        return np.zeros(grid.shape)
    out = cp_contract(grid.E_K, grid.weights, grid.field_index, grid.T_K)
    return k_B * out.reshape(grid.shape)


def two_level(T_K: ArrayLike, nP2LS_per_g_per_K: float) -> NDArray[np.float64]:
    """Heat capacity of standard-model 2LS with a constant DOS n P-bar: (pi^2/6) k_B^2 nP T.

    With E and T in kelvin, C = (pi^2/6) k_B nP T [J/(g K)] for nP [1/(g K)].

    Examples
    --------
    >>> float(two_level(1.0, 6.0 / np.pi**2 / k_B))
    1.0
    """
    T = check_array("T_K", T_K, strict=True)
    nP = check_positive("nP2LS_per_g_per_K", nP2LS_per_g_per_K, allow_zero=True)
    return (np.pi**2 / 6.0) * k_B * nP * T


def phonon(T_K: ArrayLike, beta_J_per_gK4: float) -> NDArray[np.float64]:
    """Debye phonon heat capacity beta T^3 [J/(g K)] for beta in J/(g K^4).

    Examples
    --------
    >>> float(phonon(2.0, 1e-6))
    8e-06
    """
    T = check_array("T_K", T_K, strict=True)
    beta = check_positive("beta_J_per_gK4", beta_J_per_gK4, allow_zero=True)
    return beta * T**3


def zeeman_schottky(
    T_K: ArrayLike, B_T: ArrayLike, S: float = 2.5, g: float = 2.0
) -> NDArray[np.float64]:
    """Schottky heat capacity of one free spin S in a field B, J/K per ion.

    C/k_B = (y/2)^2 / sinh^2(y/2) - ((2S+1) y/2)^2 / sinh^2((2S+1) y/2), y = g mu_B B/(k_B T)
    (the Brillouin-level Schottky anomaly; zero-field splitting is not included). Defaults are
    Fe3+ (S = 5/2, g = 2); Fe2+ is S = 2, g = 2 (:data:`etm.params.FE2_SPIN`, ``FE2_G``).

    Parameters
    ----------
    T_K : array_like
        Temperature [K], > 0.
    B_T : array_like
        Field [T], >= 0.
    S : float
        Spin (a positive multiple of 1/2).
    g : float
        g factor, > 0.

    Returns
    -------
    ndarray
        C [J/K] per ion.

    Examples
    --------
    >>> float(zeeman_schottky(1.0, 0.0))
    0.0
    """
    T = check_array("T_K", T_K, strict=True)
    B = check_array("B_T", B_T)
    S = check_positive("S", S)
    if abs(2 * S - round(2 * S)) > 1e-12:
        raise ValueError(f"S must be a positive multiple of 1/2, got {plain(S)}")
    g = check_positive("g", g)
    n = 2.0 * S + 1.0
    x = g * mu_B_K_per_T * B / (2.0 * T)
    nx = n * x
    # The difference of two numbers near 1 cancels at small x: use its series there,
    # ((n^2-1) x^2/3 - (n^4-1) x^4/15 + 2 (n^6-1) x^6/189), exact to O((n x)^8).
    small = nx < 1e-2
    series = (n**2 - 1) * x**2 / 3.0 - (n**4 - 1) * x**4 / 15.0 + 2.0 * (n**6 - 1) * x**6 / 189.0
    direct = _x2_over_sinh2(x) - _x2_over_sinh2(nx)
    return k_B * np.where(small, series, direct)


#: Working memory of the background terms per (T, B) point [bytes]: ~16 float64 temporaries.
_BYTES_PER_POINT = 8.0 * 16


def components(
    T_K: ArrayLike,
    B_T: ArrayLike,
    material: Material,
    *,
    orientation: str = "isotropic",
    workers: int | None = None,
    memory_MB: float | None = None,
) -> dict[str, NDArray[np.float64]]:
    """Each term of the heat capacity [J/(g K)], keyed "ATS", "2LS", "phonon" and the impurities'
    labels (or "paramagnet i"), broadcast over T and B.

    ``workers`` and ``memory_MB`` as in :func:`ats`; the background terms are evaluated in
    chunks of the points that fit the budget.

    Examples
    --------
    >>> from etm import materials
    >>> terms = components(0.6, 1.0, materials.get("BAS").at(0.60))
    >>> list(terms)[:3]
    ['ATS', '2LS', 'phonon']
    """
    material = as_material(material)
    T = check_array("T_K", T_K, strict=True)
    B = check_array("B_T", B_T)
    T, B = np.broadcast_arrays(T, B)
    out = {
        "ATS": ats(
            T, B, material.ats, orientation=orientation, workers=workers, memory_MB=memory_MB
        )
    }
    keys = ["2LS", "phonon"]
    keys += [pm.label or f"paramagnet {i}" for i, pm in enumerate(material.paramagnets)]
    flat = {k: np.empty(T.size) for k in keys}
    Tf, Bf = T.reshape(-1), B.reshape(-1)
    for s in chunk_slices(T.size, chunk_length(_BYTES_PER_POINT, memory_MB=memory_MB)):
        flat["2LS"][s] = two_level(Tf[s], material.nP2LS_per_g_per_K)
        flat["phonon"][s] = phonon(Tf[s], material.phonon_beta_J_per_gK4)
        for key, pm in zip(keys[2:], material.paramagnets, strict=True):
            flat[key][s] = pm.n_per_g * zeeman_schottky(Tf[s], Bf[s], pm.S, pm.g)
    if T.size == 0:  # the checks of the background terms still apply
        two_level(Tf, material.nP2LS_per_g_per_K)
        phonon(Tf, material.phonon_beta_J_per_gK4)
    out.update({k: v.reshape(T.shape) for k, v in flat.items()})
    return out


def total(
    T_K: ArrayLike,
    B_T: ArrayLike,
    material: Material,
    *,
    orientation: str = "isotropic",
    workers: int | None = None,
    memory_MB: float | None = None,
) -> NDArray[np.float64]:
    """Total heat capacity [J/(g K)]: ATS + 2LS + phonons + paramagnetic impurities.

    Parameters
    ----------
    T_K : array_like
        Temperature [K], > 0.
    B_T : array_like
        Magnetic field [T], >= 0; broadcast against ``T_K``.
    material : Material
        The glass (ATS distribution and background terms).
    orientation : {"isotropic", "aligned", "phi2/3"}
        Orientation average of the ATS term.
    workers : int or None
        Threads of the ATS quadrature (default: all cores); the result does not depend on it.
    memory_MB : float or None
        Working-memory budget [MB] (:mod:`etm.chunks`): the peak memory does not grow with the
        number of points beyond ~100 bytes per point (inputs, terms and result).

    Returns
    -------
    ndarray
        C [J/(g K)], shape ``broadcast(T_K, B_T)``.

    References
    ----------
    The essay's Eq. 14-15; docs/performance.md.

    Examples
    --------
    >>> from etm import materials
    >>> m = materials.get("BAS").at(0.60)
    >>> c = total([0.6, 0.6], [0.0, 1.0], m)
    >>> c.shape
    (2,)
    """
    material = as_material(material)
    terms = components(
        T_K, B_T, material, orientation=orientation, workers=workers, memory_MB=memory_MB
    )
    out = terms.pop("ATS")
    for v in terms.values():
        out += v
    return out
