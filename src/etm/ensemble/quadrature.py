"""Energy quadratures of the weak-field ensemble: one panel scheme that every observable uses.

Every weak-field observable is an integral over the gap E of a single-system kernel times the
shell measure of :mod:`etm.ensemble.shells` (or the density of states of
:mod:`etm.ensemble.dos`). The panels in E are built here, once per distinct field:

* :func:`energy_panels`: geometric panels in u = E - Dmin from the temperature scale up, every
  kink of g(E, B) a panel edge with panels graded away from it (thermal kernels: Cp, the
  relaxational dielectric part); :func:`thermal_grid` / :func:`thermal_dos_integral` build on it;
* :func:`response_grid`: the same panels plus a 1/E tail map to infinity (the resonant
  dielectric kernel, which decays only like 1/E);
* :func:`resonance_grid`: panels that resolve a narrow resonance at E = hf and its pulse
  oscillations (the echo), graded away from the resonance and from every cutoff energy.

Accuracy of each scheme: measured against nested adaptive quadrature in the tests
(tests/test_ensemble.py, test_dielectric.py, test_echo.py) and in docs/benchmarks.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from etm.checks import check_array
from etm.chunks import chunk_length, chunk_slices
from etm.ensemble.dos import check_orientation, coupling, dos_at_coupling
from etm.ensemble.kernels import corner_ratio_max
from etm.ensemble.measure import gauss_legendre01
from etm.params import ATSParams

__all__ = [
    "GL_NODES",
    "ThermalGrid",
    "ThermalPlan",
    "base_edges",
    "corner_arrays",
    "energy_panels",
    "refinement_depth",
    "resonance_grid",
    "response_grid",
    "thermal_dos_integral",
    "thermal_grid",
    "thermal_plan",
]


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


def _refinement_widths(b0: NDArray, params: ATSParams, u_lo: float):
    """Per corner of g: (u_bp, h), the breakpoint in u = E - Dmin and the first panel width."""
    out = []
    for e, h_y, h_d in _breakpoints(b0, params):
        # Left unresolved, the ln(E^2 - D^2) spike of width h_d costs ~1e-2 h_d/u_lo relative
        # (measured: 8e-6 at h_d/u_lo = 1e-3), so one narrower than 1e-6 u_lo costs < 1e-8.
        # Refining it anyway would make the grid, and so the quadrature error, jump between
        # B = 0 (where it does not exist) and tiny B, where differences are wanted to O(B^2).
        h = np.where((h_d < h_y) & (h_d >= 1e-6 * u_lo), h_d, np.maximum(h_y, 1e-6 * u_lo))
        out.append((e - params.Dmin_K, h))
    return out


def _u_range(params: ATSParams, T_min_K: float, u_top_K: float) -> tuple[float, float]:
    u_lo = HEAD * min(float(T_min_K), params.Dmin_K)
    return u_lo, max(float(u_top_K), 2.0 * u_lo)


def refinement_depth(
    b0: ArrayLike, params: ATSParams, T_min_K: float, *, memory_MB: float | None = None
) -> tuple[int, ...]:
    """Number of graded panels beside each kink of g, shared by every field in ``b0``.

    :func:`energy_panels` grades panels geometrically away from every corner energy of g, from
    the width of the spike beside it up to the base grid's scale; the number of steps is the
    largest any field in the set needs. Computing it once for all fields and passing it to
    :func:`energy_panels` for chunks of the fields makes the chunks' rows identical to those of
    one grid over every field (so chunked results equal unchunked ones).

    Parameters
    ----------
    b0 : array_like
        Couplings [1/angstrom^2] (from :func:`etm.ensemble.coupling`).
    params : ATSParams
        The ATS distribution.
    T_min_K : float
        Lowest temperature [K] the grid serves.
    memory_MB : float or None
        Unused (the compiled pass over the fields needs O(1) memory); kept for the common
        call shape.

    Returns
    -------
    tuple of int
        One depth per corner (2 without Dmax, 4 with it), each in [0, 60].

    Examples
    --------
    >>> p = ATSParams(Dmin_K=0.5, X0min_KA2=5e4, X0max_KA2=3e5, nP_per_g=1.0)
    >>> len(refinement_depth([0.0, 1e-5], p, 0.3))
    2
    """
    b0 = np.ascontiguousarray(b0, dtype=float).reshape(-1)
    u_lo, _ = _u_range(params, T_min_K, 0.0)
    # compiled loop over the fields, same arithmetic as _refinement_widths, no temporaries
    ratio = corner_ratio_max(b0, *corner_arrays(params), params.Dmin_K, u_lo)
    depth = []
    for r in ratio:
        if r <= 0.0:
            depth.append(0)
        else:
            depth.append(int(np.clip(np.ceil(np.log2(r)), 0, 60)))
    return tuple(depth)


def corner_arrays(params: ATSParams) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(D, X) of every corner of g, in the order of :func:`refinement_depth`'s depths."""
    D = [params.Dmin_K] if params.Dmax_K is None else [params.Dmin_K, params.Dmax_K]
    corner_D = np.array([d for d in D for _ in (0, 1)], dtype=float)
    corner_X = np.array([x for _ in D for x in (params.X0min_KA2, params.X0max_KA2)])
    return corner_D, corner_X


def base_edges(params: ATSParams, T_min_K: float, u_top_K: float) -> NDArray[np.float64]:
    """The field-independent panel edges in u = E - Dmin of :func:`energy_panels` [K]."""
    u_lo, u_top = _u_range(params, T_min_K, u_top_K)
    n_geo = max(int(np.ceil(np.log(u_top / u_lo) / np.log(PANEL_RATIO))), 1)
    fixed = np.concatenate(([0.0], u_lo * PANEL_RATIO ** np.arange(n_geo)))
    return np.append(fixed[fixed < u_top], u_top)


def energy_panels(
    b0: NDArray,
    params: ATSParams,
    T_min_K: float,
    u_top_K: float,
    *,
    nodes: int = GL_NODES,
    depth: tuple[int, ...] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Quadrature nodes and weights for integrals of g_ATS(E) f(E) over [Dmin, Dmin + u_top].

    One row per coupling in ``b0`` (shape (nB,)); returns ``E`` and ``dE`` of shape
    (nB, n_nodes), ascending along each row. The scheme is described in the Notes of
    :func:`thermal_dos_integral`: geometric panels in u = E - Dmin from
    ``HEAD * min(T_min, Dmin)`` to ``u_top``, every kink of g a panel edge with panels graded
    away from it, u = ua + (ub - ua) t^2 on each panel, ``nodes`` Gauss-Legendre points each.
    ``depth`` (from :func:`refinement_depth` over a larger set of fields) fixes the number of
    graded panels; by default it is computed from ``b0`` itself. Panels of zero width in every
    row are dropped (they carry zero weight).
    """
    Dmin = params.Dmin_K
    u_lo, u_top = _u_range(params, T_min_K, u_top_K)
    fixed = base_edges(params, T_min_K, u_top_K)
    if depth is None:
        depth = refinement_depth(b0, params, T_min_K)
    cols = [np.broadcast_to(fixed, (b0.size, fixed.size))]
    if params.Dmax_K is not None:
        cols.append(np.full((b0.size, 1), params.Dmax_K - Dmin))
    for (u_bp, h), n_ref in zip(_refinement_widths(b0, params, u_lo), depth, strict=True):
        # refine from the spike's width h up to the base grid's own scale near the breakpoint
        steps = h[:, None] * PANEL_RATIO ** np.arange(n_ref + 1)
        cols += [u_bp[:, None], u_bp[:, None] + steps]
    edges = np.sort(np.clip(np.concatenate(cols, axis=-1), 0.0, u_top), axis=-1)
    keep = (edges[:, 1:] > edges[:, :-1]).any(axis=0)  # panels of zero width for every field
    edges = np.concatenate([edges[:, :1], edges[:, 1:][:, keep]], axis=-1)
    t, w = gauss_legendre01(nodes)
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


@dataclass(frozen=True)
class ThermalPlan:
    """Everything a thermal quadrature over a broadcast set of (T, B) pairs shares.

    Built once by :func:`thermal_plan` (cost O(number of pairs), no energy nodes); the energy
    grid of any subset of the fields built with it (:func:`energy_panels` with ``T_min_K``,
    ``u_top_K`` and ``depth``) has exactly the rows of the grid over all fields, so evaluating
    the pairs chunk by chunk gives the unchunked result.

    Attributes
    ----------
    T_K : ndarray, shape (n,)
        Temperature [K] of each flattened pair.
    b0 : ndarray, shape (n_fields,)
        Distinct couplings [1/angstrom^2] (:func:`etm.ensemble.coupling` of the distinct fields).
    field_index : ndarray of int, shape (n,)
        Index into ``b0`` of each pair.
    order : ndarray of int, shape (n,)
        The pairs sorted by field (stable): chunks of ``order`` touch contiguous fields.
    shape : tuple
        Broadcast shape of (T, B).
    T_min_K, u_top_K : float
        Lowest temperature and top of the grid in u = E - Dmin [K].
    depth : tuple of int
        :func:`refinement_depth` over all fields.
    n_nodes : int
        Upper bound of the nodes per field.
    """

    T_K: NDArray[np.float64]
    b0: NDArray[np.float64]
    field_index: NDArray[np.intp]
    order: NDArray[np.intp]
    shape: tuple[int, ...]
    T_min_K: float
    u_top_K: float
    depth: tuple[int, ...]
    n_nodes: int


def thermal_plan(
    T_K: ArrayLike,
    B_T: ArrayLike,
    params: ATSParams,
    orientation: str = "isotropic",
    *,
    nodes: int = GL_NODES,
    memory_MB: float | None = None,
) -> ThermalPlan:
    """Check the inputs and build the :class:`ThermalPlan` of :func:`thermal_dos_integral`.

    Examples
    --------
    >>> p = ATSParams(Dmin_K=0.5, X0min_KA2=5e4, X0max_KA2=3e5, nP_per_g=1.0)
    >>> plan = thermal_plan([0.3, 0.6], [0.0, 1.0], p)
    >>> plan.b0.shape, plan.shape
    ((2,), (2,))
    """
    check_orientation(orientation)
    T = check_array("T_K", T_K, strict=True)
    B = check_array("B_T", B_T)
    shape = np.broadcast_shapes(T.shape, B.shape)
    # real copies: broadcast views are read-only and numba warns on them
    T = np.array(np.broadcast_to(T, shape), dtype=float).reshape(-1)
    B = np.broadcast_to(B, shape).reshape(-1)
    if T.size == 0:
        e = np.zeros(0, dtype=np.intp)
        return ThermalPlan(T, np.zeros(0), e, e, shape, 1.0, 1.0, (), 0)
    Bu, inv = np.unique(B, return_inverse=True)
    inv = inv.reshape(-1)
    b0 = coupling(Bu, orientation)
    T_min, u_top = float(T.min()), TAIL * float(T.max())
    depth = refinement_depth(b0, params, T_min, memory_MB=memory_MB)
    n_edges = base_edges(params, T_min, u_top).size + 1 + sum(d + 2 for d in depth)
    order = np.argsort(inv, kind="stable")
    return ThermalPlan(T, b0, inv, order, shape, T_min, u_top, depth, nodes * n_edges)


def thermal_grid(
    T_K: ArrayLike,
    B_T: ArrayLike,
    params: ATSParams,
    orientation: str = "isotropic",
    *,
    nodes: int = GL_NODES,
) -> ThermalGrid:
    """Build the energy quadrature of :func:`thermal_dos_integral` over all fields at once.

    Its arrays hold (number of distinct fields) x (nodes) values: for large sets use
    :func:`thermal_dos_integral`, which evaluates the same grid chunk by chunk.
    """
    plan = thermal_plan(T_K, B_T, params, orientation, nodes=nodes)
    if plan.T_K.size == 0:
        empty = np.zeros((0, 0))
        return ThermalGrid(empty, empty, plan.field_index, plan.T_K, plan.shape)
    E, dE = energy_panels(
        plan.b0, params, plan.T_min_K, plan.u_top_K, nodes=nodes, depth=plan.depth
    )
    g = dos_at_coupling(E, plan.b0[:, None], params, orientation)
    return ThermalGrid(E, g * dE, plan.field_index, plan.T_K, plan.shape)


#: Working memory of the numpy thermal quadrature per (pair or field) and node [bytes]: ~40
#: temporaries of the isotropic density of states plus the kernel's own (measured peak).
_BYTES_PER_NODE = 8.0 * 64


def thermal_dos_integral(
    kernel: Callable[[NDArray, NDArray], NDArray],
    T_K: ArrayLike,
    B_T: ArrayLike,
    params: ATSParams,
    orientation: str = "isotropic",
    *,
    nodes: int = GL_NODES,
    memory_MB: float | None = None,
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
    memory_MB : float or None
        Working-memory budget [MB] (:mod:`etm.chunks`; default 256 MB or ``ETM_MEMORY_MB``):
        the pairs are evaluated in chunks that fit it, with the same result as one pass.

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
    density of states is evaluated once per distinct field (per chunk) and the kernel once per
    (T, B) pair and node. Accuracy: about 1e-8 relative, tested against nested adaptive
    quadrature.

    Examples
    --------
    >>> p = ATSParams(Dmin_K=0.5, X0min_KA2=5e4, X0max_KA2=3e5, nP_per_g=1.0)
    >>> thermal_dos_integral(lambda E, T: np.exp(-E / T), [[0.5], [1.0]], [0.0, 1.0], p).shape
    (2, 2)
    """
    plan = thermal_plan(T_K, B_T, params, orientation, nodes=nodes, memory_MB=memory_MB)
    out = np.zeros(plan.T_K.size)
    if out.size == 0:
        return out.reshape(plan.shape)
    length = chunk_length(_BYTES_PER_NODE * plan.n_nodes, memory_MB=memory_MB)
    for s in chunk_slices(out.size, length):
        pairs = plan.order[s]
        fi = plan.field_index[pairs]
        f0, f1 = int(fi[0]), int(fi[-1]) + 1  # sorted by field: a contiguous range
        b0 = plan.b0[f0:f1]
        E, dE = energy_panels(b0, params, plan.T_min_K, plan.u_top_K, nodes=nodes, depth=plan.depth)
        w = dos_at_coupling(E, b0[:, None], params, orientation) * dE
        rows = fi - f0
        vals = kernel(E[rows], plan.T_K[pairs][:, None])
        out[pairs] = np.einsum("nk,nk->n", w[rows], vals)
    return out.reshape(plan.shape)


#: Thermal kernels are negligible beyond E - Dmin = TAIL_T * T (sech^2(30) ~ 4e-26).
TAIL_T = 60.0
#: Nodes of the 1/E tail [E_top, inf) of the resonant integral, in t = E_top/E.
TAIL_NODES = 16


def response_grid(
    Bu: NDArray,
    T: NDArray,
    p: ATSParams,
    orientation: str,
    *,
    all_fields_T: NDArray | None = None,
):
    """Nodes E (nB, K) and weights dE on [Dmin, inf) resolving every kink of g and W.

    Returns ``(E, dE, E_tail, dE_tail)``: the panels for fields ``Bu`` [T] (one row each) at
    temperatures ``T`` [K], and the tail nodes.

    The panels of :func:`etm.ensemble.energy_panels` up to E_top (>= twice every cutoff energy
    and TAIL_T times the highest T), above which t = E_top/E maps the 1/E^2 tail of the
    resonant kernel onto [0, 1], where the integrand is smooth.

    For chunked evaluation pass, with each chunk's fields ``Bu``, every distinct field of the
    whole evaluation as ``all_fields_T`` and the whole evaluation's temperatures (or just
    their min and max) as ``T``: the top of the grid and the graded panels then follow the whole
    set, and each chunk's rows equal those of one grid over all fields.
    """
    Dmin = p.Dmin_K
    b = coupling(Bu, orientation)
    b_all = b if all_fields_T is None else coupling(np.asarray(all_fields_T, float), orientation)
    X_hi = b_all * p.X0max_KA2
    e_max = float(np.max(np.hypot(p.Dmax_K or Dmin, X_hi)))
    u_top = max(TAIL_T * float(T.max()), 2.0 * e_max, 4.0 * Dmin) - Dmin
    if p.Dmax_K is not None:
        u_top = max(u_top, 2.0 * p.Dmax_K)
    depth = refinement_depth(b_all, p, float(T.min()))
    E, dE = energy_panels(b, p, float(T.min()), u_top, depth=depth)
    # tail: E = E_top / t, dE = E_top dt / t^2, two panels in t
    tt, tw = gauss_legendre01(TAIL_NODES)
    tt = np.concatenate([0.5 * tt, 0.5 + 0.5 * tt])
    tw = np.concatenate([0.5 * tw, 0.5 * tw])
    E_top = Dmin + u_top
    Et = np.broadcast_to(E_top / tt, (Bu.size, tt.size))
    dEt = np.broadcast_to(E_top * tw / tt**2, (Bu.size, tt.size))
    return E, dE, Et, dEt


#: Resonance grids (:func:`resonance_grid`): half-width of the core in units of the largest Rabi
#: frequency (the kernel's oscillations are kept up to core/2 and tapered to their mean by core),
#: Gauss-Legendre nodes per panel, the top of the grid in units of the largest energy scale (the
#: tail beyond is O((hbar Omega_R / k_B E)^2) ~ 1e-8 relative), and the number of geometric
#: grading steps on each side of every cutoff energy.
CORE = 40.0
E_NODES = 8
E_TOP = 20.0
GRADE = 4


def resonance_grid(
    b: NDArray,
    p: ATSParams,
    orientation: str,
    *,
    E_res_K: float,
    rabi_max_rad_s: float,
    period_rad_s: float,
    K_per_rad_s: float,
    core: float = CORE,
):
    """E nodes (nB, K) [K] and weights for a kernel with a narrow resonance at ``E_res_K``.

    ``b`` are the couplings (one row each), ``rabi_max_rad_s`` the largest Rabi frequency
    Omega, ``period_rad_s`` the angular period 2 pi/(tau1 + tau2) of the fastest oscillation of
    the kernel in delta = omega0 - omega, ``K_per_rad_s`` = hbar/k_B. The resonance itself
    (|delta| < 4 Omega) gets panels of Omega/2, the core |delta| < ``core`` Omega one
    oscillation period per panel (8 nodes: ~1e-6), then panels grow geometrically (ratio 2) up
    to :data:`E_TOP` times the largest energy scale and down to the lowest cutoff; around each
    cutoff energy Dmin, hypot(Dmin, b X0min), hypot(Dmin, b X0max) panels are graded too.
    Returns ``(E, dE, lam_rad_s)`` with lam the core half-width [rad/s].
    """
    Dmin = p.Dmin_K
    E_res = E_res_K
    Om_max = rabi_max_rad_s
    to_K = K_per_rad_s
    lam = core * Om_max
    per = period_rad_s
    h_in = min(0.5 * Om_max, 0.5 * per)
    n_in = int(math.ceil(8.0 * Om_max / h_in))
    inner = (-4.0 * Om_max + (8.0 * Om_max / n_in) * np.arange(n_in + 1)) * to_K
    n_out = int(math.ceil((lam - 4.0 * Om_max) / per))
    outer = (4.0 * Om_max + (lam - 4.0 * Om_max) / n_out * np.arange(1, n_out + 1)) * to_K
    core = E_res + np.concatenate([-outer[::-1], inner, outer])
    h = per * to_K
    bps = [np.full_like(b, Dmin), np.hypot(Dmin, b * p.X0min_KA2), np.hypot(Dmin, b * p.X0max_KA2)]
    E_top = E_TOP * max(E_res, Dmin, float(np.max(bps[2])))
    lam_K = lam * to_K
    n_up = int(math.ceil(math.log2(max(E_top - E_res - lam_K, h) / h))) + 1
    n_dn = int(math.ceil(math.log2(max(E_res - lam_K - Dmin, h) / h))) + 1
    up = E_res + lam_K + h * (2.0 ** np.arange(n_up) - 1.0)
    dn = E_res - lam_K - h * (2.0 ** np.arange(n_dn) - 1.0)
    base = np.concatenate([core, up, dn, [E_top]])
    cols = [np.broadcast_to(base, (b.size, base.size))]
    for e in bps:
        # the inner integral has a kink (isotropic) or a log spike (aligned) at each cutoff
        # energy: grade panels geometrically away from it
        h0 = np.full_like(e, h / 4.0)
        steps = h0[:, None] * 2.0 ** np.arange(GRADE)
        cols += [e[:, None], e[:, None] + steps, e[:, None] - steps]
    lo = bps[0] if orientation == "isotropic" else bps[1]
    edges = np.sort(np.clip(np.concatenate(cols, axis=1), lo[:, None], E_top), axis=1)
    t, wgl = gauss_legendre01(E_NODES)
    a = edges[:, :-1, None]
    wd = (edges[:, 1:] - edges[:, :-1])[:, :, None]
    E = (a + wd * t).reshape(b.size, -1)
    dE = (wd * wgl).reshape(b.size, -1)
    return E, dE, lam
