"""Shell integrals weighted by the measuring field's direction relative to B (cos^2 beta terms).

At fixed gap E the ATS of the distribution ``dD/D dX/X dcos(beta)`` have the density w(y) in
y = D0 phi = b X cos(beta) (:mod:`etm.ensemble.shells`). The measuring field F couples only
through its projection on the loop's plane, so a loop whose normal makes the angle beta with B
carries the extra weight q(cos beta) relative to a randomly directed F (docs/dielectric.md §3b):

    random         q = 1                       (the average over the direction of F)
    parallel       q = (3/2)(1 - cos^2 beta)   (F along B)
    perpendicular  q = (3/4)(1 + cos^2 beta)   (F normal to B, averaged over the azimuth)

Each is ``g0 + g2 cos^2 beta`` with ``<q> = 1`` over cos beta uniform in [0, 1], so the zero-field
response does not depend on it. The c^2 term turns the density into ``g0 w(y) + g2 w2(y)`` with
an elementary ``w2`` (:func:`w2_pieces`); its moments are closed forms too, so the weak-field
response stays one integral over E for every geometry.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from etm.checks import plain
from etm.ensemble.measure import gauss_legendre01
from etm.ensemble.shells import shell_debye, shell_G, shell_W, y_range
from etm.params import ATSParams

__all__ = [
    "MEASURING_FIELDS",
    "check_measuring_field",
    "geometry_c2_mean",
    "geometry_weights",
    "SHELL_QUAD_NODES",
    "shell_debye_geometry",
    "shell_moments",
    "shell_quadrature",
    "w2_pieces",
]

#: Direction of the measuring electric field relative to B: ``"random"`` (default; the average
#: over the field's direction, the essay's Eq. 20 as fitted in Tables 5-6), ``"parallel"``,
#: ``"perpendicular"``.
MEASURING_FIELDS: tuple[str, ...] = ("random", "parallel", "perpendicular")

_GEOMETRY = {"random": (1.0, 0.0), "parallel": (1.5, -1.5), "perpendicular": (0.75, 0.75)}
#: |z| below which artanh(z) - z and z - arctan(z) are summed as series (no cancellation).
_Z_SERIES = 0.2
_N_SERIES = 24  # 0.2^(2*24+1) ~ 1e-34


def check_measuring_field(measuring_field: str) -> str:
    """Return ``measuring_field`` if it is one of :data:`MEASURING_FIELDS`, else ``ValueError``."""
    if measuring_field not in MEASURING_FIELDS:
        raise ValueError(
            f"measuring_field must be one of {', '.join(map(repr, MEASURING_FIELDS))}, "
            f"got {plain(measuring_field)}"
        )
    return measuring_field


def geometry_weights(measuring_field: str) -> tuple[float, float]:
    """(g0, g2) of the weight q(cos beta) = g0 + g2 cos^2 beta of a loop tilted by beta.

    Examples
    --------
    >>> geometry_weights("parallel")
    (1.5, -1.5)
    """
    return _GEOMETRY[check_measuring_field(measuring_field)]


def _c0(orientation: str) -> float | None:
    """cos(beta) shared by every loop (None for isotropic loops)."""
    return {"aligned": 1.0, "phi2/3": 1.0 / np.sqrt(3.0)}.get(orientation)


def geometry_c2_mean(orientation: str, measuring_field: str) -> tuple[float, float]:
    """(<q>, <q c^2>) over the loop orientations, c = cos(beta) (``"phi2/3"``: c^2 is in b).

    Examples
    --------
    >>> [round(v, 12) for v in geometry_c2_mean("isotropic", "parallel")]
    [1.0, 0.2]
    """
    g0, g2 = geometry_weights(measuring_field)
    c0 = _c0(orientation)
    if c0 is None:
        return g0 + g2 / 3.0, g0 / 3.0 + g2 / 5.0
    q = g0 + g2 * c0 * c0
    return q, q  # y = b X with c folded into b


def _artanh_minus(z: NDArray) -> NDArray:
    """artanh(z) - z for 0 <= z < 1, without cancellation for small z."""
    z = np.asarray(z, dtype=float)
    out = np.arctanh(np.minimum(z, 1.0 - 1e-16)) - z
    small = z < _Z_SERIES
    if small.any():
        zs = z[small]
        z2 = zs * zs
        acc = np.zeros_like(zs)
        term = zs * z2
        for k in range(1, _N_SERIES + 1):
            acc = acc + term / (2 * k + 1)
            term = term * z2
        out = np.array(out)
        out[small] = acc
    return out


def _u_minus_arctan(u: NDArray) -> NDArray:
    """u - arctan(u) for complex u with Re u >= 0, without cancellation for small |u|."""
    u = np.asarray(u, dtype=complex)
    out = u - np.arctan(u)
    small = np.abs(u) < _Z_SERIES
    if small.any():
        us = u[small]
        u2 = us * us
        acc = np.zeros_like(us)
        term = us * u2
        for k in range(1, _N_SERIES + 1):
            acc = acc + (-1) ** (k + 1) * term / (2 * k + 1)
            term = term * u2
        out = np.array(out)
        out[small] = acc
    return out


def w2_pieces(E: NDArray, b: NDArray, p: ATSParams):
    """Intervals of y and the density w2(y) = inv/y + k2 y^2 of the cos^2(beta)-weighted
    isotropic measure: [(lo, hi, inv, k2)] (b > 0).

    ``w2(y) = int dX/X dc c^2 delta(y - b X c)`` = ``y^2 (1/max(X0min, y/b)^3 - 1/X0max^3)/(3 b^3)``
    on [0, b X0max]: ``k2 y^2`` below b X0min, ``1/(3y) - y^2/(3 b^3 X0max^3)`` above.
    """
    lo, hi = y_range(E, p)
    hi = np.minimum(hi, b * p.X0max_KA2)
    lo = np.minimum(lo, hi)
    yb = b * p.X0min_KA2
    b3 = b * b * b
    kA = (1.0 / p.X0min_KA2**3 - 1.0 / p.X0max_KA2**3) / (3.0 * b3)
    kB = -1.0 / (3.0 * b3 * p.X0max_KA2**3)
    return [
        (np.minimum(lo, yb), np.minimum(hi, yb), 0.0, kA),
        (np.maximum(lo, yb), np.maximum(hi, yb), 1.0 / 3.0, kB),
    ]


def _w2_moments(E: NDArray, b: NDArray, p: ATSParams) -> tuple[NDArray, NDArray]:
    """(G2, W2): E int w2 dy/(E^2 - y^2) and int w2 dy over the allowed y (b > 0)."""
    G = np.zeros(np.broadcast(E, b).shape)
    W = np.zeros_like(G)
    Es = np.where(E > 0, E, 1.0)
    for lo, hi, inv, k2 in w2_pieces(E, b, p):
        ok = hi > lo
        lo_s = np.where(ok, lo, 0.5)
        hi_s = np.where(ok, hi, 1.0)
        W = W + np.where(ok, k2 * (hi_s**3 - lo_s**3) / 3.0, 0.0)
        # E int y^2/(E^2 - y^2) dy = E^2 (artanh(y/E) - y/E)
        Eo = np.where(ok, Es, 2.0)
        g = k2 * Eo * Eo * (_artanh_minus(hi_s / Eo) - _artanh_minus(lo_s / Eo))
        if inv:
            W = W + np.where(ok, inv * np.log(hi_s / lo_s), 0.0)
            # E int dy/(y (E^2 - y^2)) = (1/E) [ln y - (1/2) ln(E^2 - y^2)]
            g = (
                g
                + inv
                * (np.log(hi_s / lo_s) - 0.5 * np.log((Eo * Eo - hi_s**2) / (Eo * Eo - lo_s**2)))
                / Eo
            )
        G = G + np.where(ok, g, 0.0)
    return G, W


def shell_moments(
    E: NDArray, b: NDArray, p: ATSParams, orientation: str, measuring_field: str = "random"
) -> tuple[NDArray, NDArray]:
    """(G, W) with the measuring-field weight: G = g(E, B)/(2 pi nP) and W the shell count.

    For a weight alpha + beta D^2/E^2 the shell integral is ``alpha G + beta W/E``
    (:func:`etm.dielectric.shell_count`). ``b`` is the coupling of :func:`etm.ensemble.coupling`
    (broadcast against E).

    Examples
    --------
    >>> p = ATSParams(Dmin_K=0.5, X0min_KA2=5e4, X0max_KA2=3e5, nP_per_g=1.0)
    >>> G, W = shell_moments(np.array(1.0), np.array(0.0), p, "isotropic", "parallel")
    >>> bool(np.isclose(W, np.log(6.0)))
    True
    """
    g0, g2 = geometry_weights(measuring_field)
    G = shell_G(E, b, p, orientation)
    W = shell_W(E, b, p, orientation)
    c0 = _c0(orientation)
    if g2 == 0.0:
        return G, W
    if c0 is not None:
        q = g0 + g2 * c0 * c0
        return q * G, q * W
    on = b > 0
    G2, W2 = _w2_moments(E, np.where(on, b, 1.0), p)
    # B = 0: every loop has y = 0, <q> = 1
    return (np.where(on, g0 * G + g2 * G2, G), np.where(on, g0 * W + g2 * W2, W))


def shell_debye_geometry(
    E: NDArray,
    b: NDArray,
    p: ATSParams,
    orientation: str,
    measuring_field: str,
    a: NDArray,
    c: NDArray,
) -> NDArray:
    """Integral of the weighted density over the allowed y of 1/(a + c y^2) (Re a > 0, c > 0)."""
    g0, g2 = geometry_weights(measuring_field)
    J = shell_debye(E, b, p, orientation, a, c)
    c0 = _c0(orientation)
    if g2 == 0.0:
        return J
    if c0 is not None:
        return (g0 + g2 * c0 * c0) * J
    on = b > 0
    bs = np.where(on, b, 1.0)
    q = np.sqrt(c / a)
    out = np.zeros(np.broadcast(E, b, a).shape, dtype=complex)
    for lo, hi, inv, k2 in w2_pieces(E, bs, p):
        ok = hi > lo
        lo_s = np.where(ok, lo, 0.5)
        hi_s = np.where(ok, hi, 1.0)
        # int y^2/(a + c y^2) dy = (u - arctan u)/(c q), u = q y
        piece = k2 * (_u_minus_arctan(q * hi_s) - _u_minus_arctan(q * lo_s)) / (c * q)
        if inv:
            piece = piece + inv * (
                2.0 * np.log(hi_s / lo_s) - (np.log(a + c * hi_s**2) - np.log(a + c * lo_s**2))
            ) / (2.0 * a)
        out = out + np.where(ok, piece, 0.0)
    return np.where(on, g0 * J + g2 * out, J)


#: Gauss-Legendre nodes of :func:`shell_quadrature` per piece.
SHELL_QUAD_NODES = 48


def _density(y, b, p, orientation, measuring_field, piece):
    """The weighted density of piece ``piece`` (0: y < b X0min, 1: above) at y (b > 0)."""
    g0, g2 = geometry_weights(measuring_field)
    if orientation != "isotropic":
        q = g0 + g2 * _c0(orientation) ** 2
        return q / y
    if piece == 0:
        kA = (1.0 / p.X0min_KA2**3 - 1.0 / p.X0max_KA2**3) / (3.0 * b**3)
        return g0 * (1.0 / p.X0min_KA2 - 1.0 / p.X0max_KA2) / b + g2 * kA * y * y
    kB = -1.0 / (3.0 * b**3 * p.X0max_KA2**3)
    return g0 * (1.0 / y - 1.0 / (b * p.X0max_KA2)) + g2 * (1.0 / (3.0 * y) + kB * y * y)


def shell_quadrature(E, b, p: ATSParams, orientation: str, measuring_field: str, kernel):
    """``E int w_q(y) kernel(y) dy/(E^2 - y^2)`` over the allowed y, by Gauss nodes (b > 0).

    The map t = artanh(y/E) makes the measure E dy/(E^2 - y^2) = dt flat; the piece y < b X0min
    gets nodes linear in t, the 1/y piece nodes in ln t. ``kernel(y, E)`` is vectorized; E, b are
    1-d arrays of one row each. With kernel = 1 this is G of :func:`shell_moments` (tested).

    Examples
    --------
    >>> p = ATSParams(Dmin_K=0.5, X0min_KA2=5e4, X0max_KA2=3e5, nP_per_g=1.0)
    >>> E, b = np.array([1.0]), np.array([3e-6])
    >>> q = shell_quadrature(E, b, p, "isotropic", "random", lambda y, E: np.ones_like(y))
    >>> bool(np.isclose(q[0], shell_moments(E, b, p, "isotropic")[0][0], rtol=1e-9))
    True
    """
    t, w = gauss_legendre01(SHELL_QUAD_NODES)
    Ec, bc = E[:, None], b[:, None]
    lo, hi = y_range(E, p)
    hi = np.minimum(hi, b * p.X0max_KA2)
    lo = np.minimum(lo, hi)
    yb = b * p.X0min_KA2 if orientation == "isotropic" else np.minimum(b * p.X0min_KA2, hi)
    if orientation == "isotropic":
        pieces = [(np.minimum(lo, yb), np.minimum(hi, yb), 0), (np.maximum(lo, yb), hi, 1)]
    else:
        pieces = [(np.maximum(lo, b * p.X0min_KA2), hi, 1)]
    out = np.zeros(E.shape)
    for a, z, k in pieces:
        ok = z > a
        ta = np.arctanh(np.where(ok, a, 0.0) / E)
        tz = np.arctanh(np.where(ok, z, 0.5 * E) / E)
        if k == 0:
            tt = ta[:, None] + (tz - ta)[:, None] * t
            wt = (tz - ta)[:, None] * w
        else:
            la = np.log(np.where(ok, ta, 1.0))
            lz = np.log(np.where(ok, tz, 2.0))
            tt = np.exp(la[:, None] + (lz - la)[:, None] * t)
            wt = (lz - la)[:, None] * w * tt
        y = Ec * np.tanh(tt)
        f = _density(np.where(y > 0, y, 1e-300), bc, p, orientation, measuring_field, k)
        out = out + np.where(ok, np.sum(wt * f * kernel(y, Ec), axis=1), 0.0)
    return out
