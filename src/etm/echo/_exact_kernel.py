"""Compiled sum (numba) of the exact three-level echo over its nodes (:mod:`etm.echo.exact`).

For every outer node (theta, D0, u = phi0 cos(beta), c = cos(beta)) the exact resonance
g01(E_w) = hf is found (bisection on the closed-form gap) and the E_w panels are centred on it
through the local slope; each E_w node is one system, propagated by
:func:`etm.threelevel.pulses.system_echo` for every direction of the pulse field. The interface
is named (:class:`OuterNodes`, :class:`EchoPanels` and the pulses' NamedTuples).
"""

from __future__ import annotations

import math
from typing import NamedTuple

from numba import njit
from numpy.typing import NDArray

from etm.threelevel.pulses import system_echo, workspace
from etm.threelevel.systems import closed_form_levels

__all__ = ["EchoPanels", "OuterNodes", "echo_sum"]

_SQ3_2 = 0.5 * math.sqrt(3.0)


class OuterNodes(NamedTuple):
    """Outer quadrature nodes of one field (:func:`etm.echo.exact` builds them)."""

    theta: NDArray  #: polar angle of the well energies [rad]
    D0_K: NDArray  #: effective D0 [K]
    u: NDArray  #: phase u = phi0 cos(beta) [rad]
    c: NDArray  #: cos(beta) (the pulse field's size for the correlated geometries)
    weight: NDArray


class EchoPanels(NamedTuple):
    """The E_w panels about each system's exact resonance, in delta [K] and K."""

    core_edges_K: NDArray  #: resonance panel edges in delta [K]
    t_core: NDArray  #: Gauss-Legendre rule on [0, 1] per core panel
    w_core: NDArray
    t_tail: NDArray  #: Gauss-Legendre rule on [0, 1] per geometric tail panel
    w_tail: NDArray
    h_tail_K: float  #: first tail panel [K] (one pulse-oscillation period)
    E_top_K: float  #: top of the E_w range [K]
    Dmin_K: float
    hf_K: float


@njit(cache=True)
def _gap(E_w, y, th, d, phi):  # pragma: no cover - compiled
    """Exact lower gap [K] of the system with weak-field coordinates (E_w, y) at phase phi."""
    D = math.sqrt(max(E_w * E_w - y * y, 0.0))
    e1 = D * math.cos(th)
    e2 = D * math.cos(th + 2.0 * math.pi / 3.0)
    e3 = D * math.cos(th + 4.0 * math.pi / 3.0)
    scale, _, _, _, g01, _ = closed_form_levels(e1, e2, e3, d, phi)
    return g01 * scale


@njit(cache=True)
def _resonance(y, th, d, u, E_edge, hf):  # pragma: no cover - compiled
    """(E*, slope, delta*): the E_w of the exact resonance g = hf (or the band edge), dg/dE_w."""
    g_edge = _gap(E_edge, y, th, d, u)
    if g_edge >= hf:
        E = E_edge
        h = 1e-7 * E
        s = (_gap(E + h, y, th, d, u) - g_edge) / h
        return E, s, g_edge - hf
    lo, hi = E_edge, max(2.0 * hf, 2.0 * E_edge)
    while _gap(hi, y, th, d, u) < hf:
        hi *= 2.0
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        if _gap(mid, y, th, d, u) < hf:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-15 * hi:
            break
    E = 0.5 * (lo + hi)
    h = 1e-7 * E
    s = (_gap(E + h, y, th, d, u) - _gap(max(E - h, E_edge), y, th, d, u)) / (
        E + h - max(E - h, E_edge)
    )
    return E, s, 0.0


@njit(cache=True, nogil=True)
def echo_sum(nodes, T, consts, dirs, panels):  # pragma: no cover - compiled
    """sum over outer nodes and their E_w nodes of weight * Jacobian * direction-averaged echo.

    Parameters
    ----------
    nodes : OuterNodes
    T : float
        Temperature [K].
    consts : etm.threelevel.pulses.PulseConstants
    dirs : etm.threelevel.pulses.FieldDirections
    panels : EchoPanels
    """
    ws = workspace()
    core_edges = panels.core_edges_K
    h_tail = panels.h_tail_K
    E_top = panels.E_top_K
    hf = panels.hf_K
    th = nodes.theta
    total = 0.0
    for i in range(th.shape[0]):
        D0 = nodes.D0_K[i]
        u = nodes.u[i]
        d = _SQ3_2 * D0
        y = D0 * u
        E_edge = math.hypot(y, panels.Dmin_K)
        Es, s, dstar = _resonance(y, th[i], d, u, E_edge, hf)
        acc = 0.0
        # core panels (fixed in delta, mapped to E_w through the local slope), then the tails
        lo_core = Es + (core_edges[0] - dstar) / s
        hi_core = Es + (core_edges[-1] - dstar) / s
        npan = core_edges.shape[0] - 1
        n_dn = 0
        if lo_core > E_edge:
            n_dn = int(math.ceil(math.log2(max((lo_core - E_edge) / h_tail, 1.0)))) + 1
        n_up = int(math.ceil(math.log2(max((E_top - hi_core) / h_tail, 1.0)))) + 1
        for k in range(npan + n_dn + n_up):
            if k < npan:
                a = Es + (core_edges[k] - dstar) / s
                b = Es + (core_edges[k + 1] - dstar) / s
                tt, ww = panels.t_core, panels.w_core
            elif k < npan + n_dn:
                j = k - npan
                b = lo_core - h_tail * (2.0**j - 1.0)
                a = lo_core - h_tail * (2.0 ** (j + 1) - 1.0)
                tt, ww = panels.t_tail, panels.w_tail
            else:
                j = k - npan - n_dn
                a = hi_core + h_tail * (2.0**j - 1.0)
                b = min(hi_core + h_tail * (2.0 ** (j + 1) - 1.0), E_top)
                tt, ww = panels.t_tail, panels.w_tail
            a = max(a, E_edge)
            if b <= a:
                continue
            for q in range(tt.shape[0]):
                E = a + (b - a) * tt[q]
                D2 = E * E - y * y
                D = math.sqrt(D2)
                e1 = D * math.cos(th[i])
                e2 = D * math.cos(th[i] + 2.0 * math.pi / 3.0)
                e3 = -e1 - e2
                val, _ = system_echo(e1, e2, e3, d, u, D, nodes.c[i], T, consts, dirs, ws)
                acc += (b - a) * ww[q] * E / D2 * val
        total += nodes.weight[i] * acc
    return total
