"""The shell measure: the ATS distribution at fixed gap E, as a density in y = D0 phi.

At fixed E the systems of the distribution ``dD/D dX/X dcos(beta)`` (essay Eq. 10) with gap
``E = sqrt(D^2 + y^2)``, ``y = b X cos(beta)`` (``b`` the coupling of
:func:`etm.ensemble.coupling`), have the measure ``E w(y) dy/(E^2 - y^2)`` with an elementary
density ``w(y) = const + inv/y`` on at most two intervals of y (:func:`y_pieces`). Every weak-field
observable is an integral over E of a kernel times this measure:

* weights linear in D^2/E^2 (Cp, the dielectric correlators): closed forms, the density of states
  g(E, B) (:func:`shell_G`) and the shell count W(E, B) (:func:`shell_W`), also with a Debye
  factor (:func:`shell_debye`);
* any other kernel (the echo): Gauss-Legendre nodes in y on the pieces (:func:`shell_nodes`).

Derivations: docs/dos.md (the density w(y)) and docs/dielectric.md (the shell integrals).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from etm.ensemble.dos import dos_at_coupling
from etm.ensemble.measure import gauss_legendre01
from etm.params import ATSParams

__all__ = [
    "SHELL_NODES_LOG",
    "SHELL_NODES_LIN",
    "shell_G",
    "shell_W",
    "shell_debye",
    "shell_nodes",
    "y_pieces",
    "y_range",
    "zero_field_band",
]

_TWO_PI = 2.0 * np.pi
#: Gauss-Legendre nodes of :func:`shell_nodes` on the ln y piece and on the y in [0, b X0min]
#: piece (isotropic loops).
SHELL_NODES_LOG = 16
SHELL_NODES_LIN = 8
_GL_LOG = gauss_legendre01(SHELL_NODES_LOG)
_GL_LIN = gauss_legendre01(SHELL_NODES_LIN)


def y_range(E: NDArray, p: ATSParams) -> tuple[NDArray, NDArray]:
    """Allowed y = D0 phi at gap E: D = sqrt(E^2 - y^2) within [Dmin, Dmax]."""
    E2 = E * E
    hi = np.sqrt(np.maximum(E2 - p.Dmin_K**2, 0.0))
    if p.Dmax_K is None:
        lo = np.zeros_like(hi)
    else:
        lo = np.sqrt(np.maximum(E2 - p.Dmax_K**2, 0.0))
    return lo, hi


def y_pieces(E: NDArray, b: NDArray, p: ATSParams, orientation: str):
    """Intervals of y and the density w(y) on each: [(lo, hi, const, inv)] with
    w = const + inv / y. b must be > 0."""
    lo, hi = y_range(E, p)
    if orientation == "isotropic":
        # y = b X c, X log-uniform, c uniform: w(y) = (1/b)(1/max(X0min, y/b) - 1/X0max)
        hi = np.minimum(hi, b * p.X0max_KA2)
        lo = np.minimum(lo, hi)
        yb = b * p.X0min_KA2
        wA = (1.0 / p.X0min_KA2 - 1.0 / p.X0max_KA2) / b
        return [
            (np.minimum(lo, yb), np.minimum(hi, yb), wA, 0.0),
            (np.maximum(lo, yb), np.maximum(hi, yb), -1.0 / (b * p.X0max_KA2), 1.0),
        ]
    yl = np.maximum(lo, b * p.X0min_KA2)
    yh = np.maximum(np.minimum(hi, b * p.X0max_KA2), yl)
    return [(yl, yh, 0.0, 1.0)]


def zero_field_band(E: NDArray, p: ATSParams) -> NDArray:
    band = E > p.Dmin_K
    if p.Dmax_K is not None:
        band &= E <= p.Dmax_K
    return band


def shell_W(E: NDArray, b: NDArray, p: ATSParams, orientation: str) -> NDArray:
    on = b > 0
    bs = np.where(on, b, 1.0)
    W = np.zeros(np.broadcast(E, b).shape)
    for lo, hi, const, inv in y_pieces(E, bs, p, orientation):
        ok = hi > lo
        lo_s = np.where(ok, lo, 1.0)
        hi_s = np.where(ok, hi, 1.0)
        piece = const * (hi_s - lo_s)
        if np.any(inv):
            piece = piece + inv * np.log(hi_s / lo_s)
        W = W + np.where(ok, piece, 0.0)
    return np.where(on, W, np.where(zero_field_band(E, p), np.log(p.X0max_KA2 / p.X0min_KA2), 0.0))


def shell_G(E: NDArray, b: NDArray, p: ATSParams, orientation: str) -> NDArray:
    """g(E, B)/(2 pi nP): the closed form of :func:`etm.ensemble.ats_dos` at coupling b."""
    return dos_at_coupling(E, b, p, orientation) / (_TWO_PI * p.nP_per_g)


def shell_debye(
    E: NDArray, b: NDArray, p: ATSParams, orientation: str, a: NDArray, c: NDArray
) -> NDArray:
    """Integral of w(y)/(a + c y^2) over the allowed y (a complex with Re a > 0, c > 0)."""
    on = b > 0
    bs = np.where(on, b, 1.0)
    sac = np.sqrt(a * c)
    q = np.sqrt(c / a)  # Re q > 0: arctan(y q) stays off its branch cuts

    def F1(y):
        return np.arctan(y * q) / sac

    out = np.zeros(np.broadcast(E, b, a).shape, dtype=complex)
    for lo, hi, const, inv in y_pieces(E, bs, p, orientation):
        ok = hi > lo
        lo_s = np.where(ok, lo, 1.0)
        hi_s = np.where(ok, hi, 1.0)
        piece = const * (F1(hi_s) - F1(lo_s))
        if np.any(inv):
            # int dy / (y (a + c y^2)) = (1/2a) ln(y^2 / (a + c y^2))
            piece = piece + inv * (
                2.0 * np.log(hi_s / lo_s) - (np.log(a + c * hi_s**2) - np.log(a + c * lo_s**2))
            ) / (2.0 * a)
        out = out + np.where(ok, piece, 0.0)
    # B = 0: every system has y = 0
    W0 = np.where(zero_field_band(E, p), np.log(p.X0max_KA2 / p.X0min_KA2), 0.0)
    return np.where(on, out, W0 / a)


def shell_nodes(E: NDArray, b: NDArray, p: ATSParams, orientation: str):
    """Nodes y (.., M) and weights of  integral w(y) E/(E^2 - y^2) (.) dy  over the allowed y.

    ``E`` and ``b`` broadcast (b > 0); the last axis of the result holds the nodes. The ln y piece
    [b X0min, min(b X0max, sqrt(E^2 - Dmin^2))] gets :data:`SHELL_NODES_LOG` nodes in ln y, the
    isotropic piece [0, min(b X0min, ...)] :data:`SHELL_NODES_LIN` in y (smooth in y^2 from 0).
    Only ``Dmax_K = None`` is supported (the echo tables have no Dmax).
    """
    if p.Dmax_K is not None:
        raise ValueError("shell_nodes supports only Dmax_K=None (the echo tables give no Dmax)")
    E2 = E * E
    yhi = np.sqrt(np.maximum(E2 - p.Dmin_K**2, 0.0))
    t, wgl = _GL_LOG
    bb = np.maximum(b, 1e-300)
    ys, ws = [], []
    # piece in ln y with weight y w(y): isotropic 1 - y/(b X0max), aligned 1
    lo = bb * p.X0min_KA2
    hi = np.minimum(bb * p.X0max_KA2, yhi)
    ok = hi > lo
    llo = np.log(np.where(ok, lo, 1.0))
    lhi = np.log(np.where(ok, hi, 1.0))
    y = np.exp(llo[..., None] + (lhi - llo)[..., None] * t)
    yw = 1.0 - y / (bb * p.X0max_KA2)[..., None] if orientation == "isotropic" else 1.0
    wt = np.where(ok, lhi - llo, 0.0)[..., None] * wgl * yw
    ys.append(y)
    ws.append(wt * E[..., None] / (E2[..., None] - y * y))
    if orientation == "isotropic":
        # piece y in [0, min(b X0min, yhi)] with the constant density (1/X0min - 1/X0max)/b
        # (smooth in y^2 from y = 0: fewer nodes suffice)
        ta, wa = _GL_LIN
        top = np.minimum(bb * p.X0min_KA2, yhi)
        y = top[..., None] * ta
        wA = (1.0 / p.X0min_KA2 - 1.0 / p.X0max_KA2) / bb
        ys.append(y)
        ws.append((top * wA)[..., None] * wa * E[..., None] / (E2[..., None] - y * y))
    return np.concatenate(ys, axis=-1), np.concatenate(ws, axis=-1)
