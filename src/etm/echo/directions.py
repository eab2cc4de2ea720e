"""The pulse field's direction: quadrature nodes over the directions a loop sees (issue 23).

Only the projection of the pulse field F on a loop's plane couples (the well dipoles lie in it),
with size F0 sin(Theta), Theta the angle between F and the loop's normal n, and an in-plane angle
psi. Write sigma^2 = (3/2) sin^2(Theta), so that sigma^2 averages to 1 for F uniform on the sphere
(the essay's p1^2 = (2/3) p^2). With c = cos(beta) the loop's tilt to B (docs/echo.md section 9):

    measuring_field   sigma^2                               over
    "random"          (3/2)(1 - t^2)                        t = cos(Theta) uniform on [0, 1]
    "parallel"        (3/2)(1 - c^2)                        (Theta = beta)
    "perpendicular"   (3/2)(sin^2 chi + c^2 cos^2 chi)      chi uniform (n's azimuth about B)

and psi uniform, independent of everything (the loop's own rotation about n is random). The
rms of sigma^2 at fixed c is the dielectric's weight q(c) = g0 + g2 c^2
(:func:`etm.ensemble.geometry.geometry_weights`).

Every direction enters through sigma^2 = alpha + beta c^2, so a rule is a list of nodes
(weight, alpha, beta, ...). The integrands are analytic in sigma^2 and, at fixed sigma, in
cos(2 psi), so Gauss rules in the right variables converge exponentially: the positive half of
an even Gauss-Legendre rule in t (the integrand is even in t), Gauss-Chebyshev in cos^2 chi and
cos^2 psi (the midpoint rule in 2 chi, 2 psi). With one tilt node, t^2 = 1/3 and sigma^2 = 1:
the fixed in-plane size sqrt(2/3) F0 of the former exact route is this rule's lowest order,
exact for an integrand linear in sigma^2 (a linear response) but not for the echo.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from etm.echo._kernel import DirectionRule
from etm.ensemble import gauss_legendre01
from etm.ensemble.geometry import geometry_weights
from etm.threelevel.pulses import FieldDirections

__all__ = [
    "AZIMUTH_NODES",
    "TILT_NODES",
    "TILT_C_NODES",
    "closed_form_rule",
    "exact_route_directions",
    "tilt_nodes",
]

#: Closed form: Gauss nodes of the field's tilt (``"random"``: t; ``"perpendicular"``: chi),
#: of cos^2(psi), and of c at fixed y for the correlated geometries. Sized for 1e-4 of a(B)
#: on the Table 7 rows (measured, docs/echo.md section 9).
TILT_NODES = 4
AZIMUTH_NODES = 4
TILT_C_NODES = 6


def _chebyshev_cos2(n: int) -> tuple[NDArray, NDArray]:
    """Nodes x = cos^2(a), a uniform, and weights (sum 1): Gauss-Chebyshev in cos(2a)."""
    a = (np.arange(n) + 0.5) * math.pi / (2 * n)
    return np.cos(a) ** 2, np.full(n, 1.0 / n)


def tilt_nodes(measuring_field: str, n: int) -> tuple[NDArray, NDArray, NDArray]:
    """(weight, alpha, beta) of the tilt nodes: sigma^2 = alpha + beta c^2, weights sum 1.

    Examples
    --------
    >>> w, a, b = tilt_nodes("random", 1)  # the lowest order: sigma^2 = 1
    >>> [round(float(v), 12) for v in (w[0], a[0], b[0])]
    [1.0, 1.0, 0.0]
    """
    if measuring_field == "parallel":
        return np.ones(1), np.full(1, 1.5), np.full(1, -1.5)
    if measuring_field == "perpendicular":
        x, w = _chebyshev_cos2(n)
        return w, 1.5 * (1.0 - x), 1.5 * x
    # positive half of the 2n-point rule on [-1, 1] = Gauss in t^2 (weight 1/sqrt(t^2))
    t, w = gauss_legendre01(2 * n)
    t, w = t[n:] * 2.0 - 1.0, w[n:] * 2.0
    return w, 1.5 * (1.0 - t * t), np.zeros(n)


def closed_form_rule(
    measuring_field: str,
    rabi: str,
    orientation: str,
    gamma: float,
    *,
    n_tilt: int = TILT_NODES,
    n_azimuth: int = AZIMUTH_NODES,
    n_c: int = TILT_C_NODES,
) -> DirectionRule:
    """The direction rule of the weak-field closed form (:class:`etm.echo._kernel.DirectionRule`).

    ``rabi="rms"``: one node, Omega_R^2 = Omega_1^2 k q(c) (1 - gamma D^2/E^2) (q the dielectric's
    geometry weight; for ``"random"`` the essay's Eq. 27). ``rabi="exact"`` (three-well matrix
    elements): Omega^2 = Omega_1^2 k sigma^2 (1 - (D^2/E^2) cos^2 psi) per direction, the
    in-plane anisotropy of the effective two-level transition (docs/echo.md section 9: |C01|^2 =
    |c|^2 (1 - sin^2(eta) cos^2(psi - psi0)), sin(eta) = D/E). A fixed cos(beta) (``"aligned"``,
    ``"phi2/3"``) is folded into alpha.
    """
    if rabi == "rms":
        g0, g2 = geometry_weights(measuring_field)
        w, al, be, an = np.ones(1), np.full(1, g0), np.full(1, g2), np.full(1, gamma)
    else:
        wt, at, bt = tilt_nodes(measuring_field, n_tilt)
        x, wx = _chebyshev_cos2(n_azimuth)
        w = (wt[:, None] * wx).ravel()
        al = np.repeat(at, x.size)
        be = np.repeat(bt, x.size)
        an = np.tile(x, wt.size)
    if orientation != "isotropic":
        c2 = 1.0 if orientation == "aligned" else 1.0 / 3.0
        al, be = al + be * c2, np.zeros_like(be)
    if np.any(be != 0.0):
        t_c, w_c = gauss_legendre01(n_c)
    else:
        t_c, w_c = np.zeros(0), np.zeros(0)
    return DirectionRule(w, al, be, an, t_c, w_c)


def exact_route_directions(measuring_field: str, rabi: str, n_tilt: int, n_psi: int):
    """The direction nodes of the exact route (:class:`etm.threelevel.pulses.FieldDirections`).

    ``rabi="exact"``: the tilt nodes times a trapezoid rule of n_psi in-plane angles over
    [0, pi) (the echo is even under F -> -F; the in-plane anisotropy's axis is the system's
    own, so no further symmetry). ``rabi="rms"``: one node with sigma^2 = q(c) and the
    in-plane rms of the 0-1 coupling.
    """
    if rabi == "rms":
        g0, g2 = geometry_weights(measuring_field)
        one = np.ones(1)
        return FieldDirections(one, g0 * one, g2 * one, one, 0.0 * one, True)
    wt, at, bt = tilt_nodes(measuring_field, n_tilt)
    psi = math.pi * np.arange(n_psi) / n_psi
    w = (wt[:, None] * np.full(n_psi, 1.0 / n_psi)).ravel()
    return FieldDirections(
        w,
        np.repeat(at, n_psi),
        np.repeat(bt, n_psi),
        np.tile(np.cos(psi), wt.size),
        np.tile(np.sin(psi), wt.size),
        False,
    )
