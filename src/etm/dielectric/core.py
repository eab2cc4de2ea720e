"""The weak-field ATS dielectric response evaluated row by row: resonant, relaxational, low field.

A *row* is one (B, T, f, drive) point. Each row gets its own energy grid
(:func:`etm.ensemble.pointwise.field_grid`), so a value never depends on the other points of
a call; rows are evaluated in chunks sized by the memory budget (:mod:`etm.chunks`). The public
interface is :mod:`etm.dielectric`; the derivations are in docs/dielectric.md §3, §3b-3e.

* resonant, real part: ``A PV << m_res tanh(E/2T) E/(E^2 - (hf)^2) >>`` (a principal value for
  hf > Dmin); imaginary part ``A (pi/2) << m_res >>_{E = hf} tanh(hf/2T) / sqrt(1 + drive)``
  (the delta function; ``drive = (F/F_c)^2`` saturates it);
* relaxational: ``(A/2) << m_rel sech^2(E/2T)/T  Gamma/(Gamma - i omega) >>``;
* the field-induced change of a row is evaluated on that row's grid for both B and B = 0 (so the
  quadrature error cancels), and below a small field by its B^2 term
  (:func:`lowfield_coefficient`), which is its own integral over D.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from etm.checks import check_choice, check_positive, plain
from etm.chunks import chunk_length, chunk_slices
from etm.constants import HF_K_PER_HZ
from etm.ensemble import check_orientation, coupling, zero_field_band
from etm.ensemble.geometry import (
    MEASURING_FIELDS,
    geometry_c2_mean,
    shell_debye_geometry,
    shell_moments,
    shell_quadrature,
)
from etm.ensemble.pointwise import field_grid, pv_integral
from etm.params import DielectricATS

__all__ = [
    "AVERAGES",
    "LOWFIELD_EPS",
    "MATRIX_ELEMENTS",
    "RELAXATIONS",
    "ResponseOptions",
    "coefficients",
    "lowfield_coefficient",
    "response_rows",
]

#: The B^2 term replaces the direct difference when (b X0max)^2 < LOWFIELD_EPS * s^2, s^2 the
#: smallest energy-squared scale of the kernel near the band edge (Dmin min(T, Dmin), and
#: hf |hf - Dmin|, hf T at the resonance). The neglected B^4 term is then ~LOWFIELD_EPS relative;
#: the direct difference there loses ~1e-16/LOWFIELD_EPS to round-off (docs/dielectric.md §3e).
LOWFIELD_EPS = 1e-7
#: Working bytes per grid node and row (about 16 complex arrays of the row's nodes live at once;
#: measured with tracemalloc: 100-180 kB per row of ~400-550 nodes, frozen to Debye, kHz-GHz).
_BYTES_PER_NODE = 16 * 16
#: Nodes per row assumed when sizing chunks (measured: 380-550 for the Table 5-6 rows).
_NODES_PER_ROW = 1000


#: Ways to average the single-system response: ``"direct"`` (joint average over D, D0, beta; no
#: approximation) and ``"decoupled"`` (the essay's Eq. 19, see :func:`ats_response`).
AVERAGES: tuple[str, ...] = ("direct", "decoupled")
#: ``"exact"``: three-well matrix elements (docs/dielectric.md); ``"essay"``: Eq. 20 for n_w wells
#: and the rate of Eq. 21.
MATRIX_ELEMENTS: tuple[str, ...] = ("exact", "essay")
#: ``"frozen"``: omega tau >> 1, resonant part (Eq. 16) only, as in the essay's fits of
#: Figs. 10-12; ``"static"``: omega tau -> 0 (no tau needed); ``"debye"``: Debye factor with the
#: ATS one-phonon rate of Eq. 21 (needs ``Gamma_inv_per_sK5``).
RELAXATIONS: tuple[str, ...] = ("frozen", "static", "debye")


def coefficients(matrix_elements: str, n_wells: int) -> tuple[float, float, float, float]:
    """(alpha, beta, beta_rel, gamma): m_res = alpha + beta D^2/E^2, m_rel = beta_rel D^2/E^2,
    rate weight (E^2 - gamma D^2)/E^2."""
    if matrix_elements not in MATRIX_ELEMENTS:
        raise ValueError(
            f"matrix_elements must be one of {MATRIX_ELEMENTS}, got {plain(matrix_elements)}"
        )
    if isinstance(n_wells, bool) or not isinstance(n_wells, int | np.integer) or n_wells < 2:
        raise ValueError(f"n_wells must be an integer >= 2, got {plain(n_wells)}")
    if matrix_elements == "exact":
        if n_wells != 3:
            raise ValueError(
                f"n_wells must be 3 with matrix_elements='exact' (the three-well model); use "
                f"matrix_elements='essay' for Eq. 20 with n_w wells, got n_wells={plain(n_wells)}"
            )
        return 1.0, -0.5, 0.5, 0.5
    k = n_wells / (3.0 * (n_wells - 1))
    # Eq. 20: G/p^2 = k ((n_w - 2) E^2 + y^2)/E^2 = k ((n_w - 1) - D^2/E^2); the diagonal
    # correlator follows from Eq. 18, sum_i p_i p_i - G, averaged: k D^2/E^2.
    return k * (n_wells - 1), -k, k, 1.0 / 6.0


@dataclass(frozen=True)
class ResponseOptions:
    """The options of the ATS dielectric response, validated on construction.

    The keyword options of :func:`etm.dielectric.ats_response`, :func:`relative_change` and
    :func:`loss` build one of these (their documentation describes each option); pass one to
    :func:`response_rows` or reuse it across calls. ``ValueError`` names the first bad option,
    its allowed values and the given value.

    Examples
    --------
    >>> ResponseOptions(relaxation="debye", Gamma_inv_per_sK5=4e10).coefs
    (1.0, -0.5, 0.5, 0.5)
    >>> ResponseOptions(average="exact")
    Traceback (most recent call last):
    ...
    ValueError: average must be one of 'direct', 'decoupled', got 'exact'
    """

    orientation: str = "isotropic"
    average: str = "direct"
    matrix_elements: str = "exact"
    n_wells: int = 3
    relaxation: str = "frozen"
    Gamma_inv_per_sK5: float | None = None
    rate_2LS: float = 0.0
    measuring_field: str = "random"
    memory_MB: float | None = None

    def __post_init__(self) -> None:
        check_orientation(self.orientation)
        check_choice("measuring_field", self.measuring_field, MEASURING_FIELDS)
        check_choice("average", self.average, AVERAGES)
        check_choice("relaxation", self.relaxation, RELAXATIONS)
        coefficients(self.matrix_elements, self.n_wells)  # checks both
        G = self.Gamma_inv_per_sK5
        if self.relaxation == "debye" and G is None:
            raise ValueError(
                "Gamma_inv_per_sK5 [1/(s K^5)] > 0 is required with relaxation='debye'"
            )
        if G is not None:
            object.__setattr__(
                self, "Gamma_inv_per_sK5", check_positive("Gamma_inv_per_sK5", G, unit="1/(s K^5)")
            )
        r2 = check_positive("rate_2LS", self.rate_2LS, allow_zero=True, unit="1/s")
        object.__setattr__(self, "rate_2LS", r2)
        if self.memory_MB is not None:
            check_positive("memory_MB", self.memory_MB, unit="MB")

    @property
    def coefs(self) -> tuple[float, float, float, float]:
        """(alpha, beta, beta_rel, gamma) of :func:`coefficients`."""
        return coefficients(self.matrix_elements, self.n_wells)


def _sech2(x: NDArray) -> NDArray:
    e = np.exp(-2.0 * x)
    return 4.0 * e / (1.0 + e) ** 2


def _decoupled_y2(Eg, bc, p, o: ResponseOptions):
    """Eq. 19 read literally: y^2 -> its unconditional mean, capped (docs/dielectric.md §4)."""
    X2 = (p.X0max_KA2**2 - p.X0min_KA2**2) / (2.0 * np.log(p.X0max_KA2 / p.X0min_KA2))
    q, qc2 = geometry_c2_mean(o.orientation, o.measuring_field)
    c2 = qc2 / q if q > 0 else 0.0
    y2 = np.minimum(bc * bc * c2 * X2, np.maximum(Eg * Eg - p.Dmin_K**2, 0.0))
    if p.Dmax_K is not None:
        y2 = np.maximum(y2, Eg * Eg - p.Dmax_K**2)
    return y2


def _weights(Eg, bc, p, o: ResponseOptions):
    """(m_res shell weight, m_rel shell weight, y^2 or None) at energies Eg, couplings bc."""
    alpha, beta, beta_rel, _ = o.coefs
    Es = np.where(Eg > 0, Eg, 1.0)
    if not np.any(bc):
        # B = 0: every system has y = 0; the closed forms reduce to the band ln(X0max/X0min)
        band = zero_field_band(Eg, p)
        W = np.where(band, np.log(p.X0max_KA2 / p.X0min_KA2), 0.0)
        W = W * geometry_c2_mean(o.orientation, o.measuring_field)[0]
        G = W / Es
    else:
        G, W = shell_moments(Eg, bc, p, o.orientation, o.measuring_field)
    if o.average == "direct":
        WoE = np.where(Eg > 0, W / Es, 0.0)
        return alpha * G + beta * WoE, beta_rel * WoE, None
    y2 = _decoupled_y2(Eg, bc, p, o)
    r = np.where(Eg > 0, (Eg * Eg - y2) / (Es * Es), 0.0)
    return G * (alpha + beta * r), G * beta_rel * r, y2


def _saturated_weight(E, b, drive, w_lin, p, o: ResponseOptions) -> NDArray[np.float64]:
    """The resonant shell weight at E = hf with each system's saturation 1/sqrt(1 + s rho).

    rho = (m_res(r)/m_res(0))/(1 - gamma r), r = D^2/E^2: Omega^2 T1 of a system relative to a
    pure-flux one (D = 0), from its transition weight (Rabi frequency) and Eq. 21's rate weight
    (docs/dielectric.md §3c). With the exact matrix elements rho = 1: the closed form divided by
    sqrt(1 + s); otherwise Gauss nodes over the shell (:func:`shell_quadrature`).
    """
    alpha, beta, _, gamma = o.coefs
    if abs(beta / alpha + gamma) < 1e-15:
        return w_lin / np.sqrt(1.0 + drive)

    def rho(r):
        return ((alpha + beta * r) / alpha) / (1.0 - gamma * r)

    out = w_lin / np.sqrt(1.0 + drive * rho(1.0))  # B = 0: every system has D = E
    if o.average == "decoupled":
        y2 = _decoupled_y2(E[:, None], b[:, None], p, o)[:, 0]
        r = np.where(E > 0, (E * E - y2) / np.where(E > 0, E * E, 1.0), 1.0)
        return w_lin / np.sqrt(1.0 + drive * rho(r))
    on = (b > 0) & (drive > 0)
    if on.any():
        Eo, bo, so = E[on], b[on], drive[on][:, None]

        def kernel(y, Ec):
            r = 1.0 - (y / Ec) ** 2
            return (alpha + beta * r) / np.sqrt(1.0 + so * rho(r))

        out[on] = shell_quadrature(Eo, bo, p, o.orientation, o.measuring_field, kernel)
    return out


def _evaluate(
    grid, b, T, hf, omega, drive, p, o: ResponseOptions, *, change: bool = False
) -> NDArray[np.complex128]:
    """Response per unit amplitude of rows at couplings b on their grid (``change``: minus the
    same sums at B = 0 on the same nodes, integrand by integrand)."""
    E, dE, Et = grid[0], grid[1], grid[2]
    bc, Tc = b[:, None], T[:, None]
    zc = np.zeros_like(bc)
    on = hf > 0
    E_hf = np.where(on, hf, 1.0)[:, None]
    th, th_t, th_hf = (np.tanh(x / (2.0 * Tc)) for x in (E, Et, E_hf))

    def res_weights(bb):
        return (_weights(E, bb, p, o), _weights(Et, bb, p, o)[0], _weights(E_hf, bb, p, o)[0])

    (w, wrel, y2), w_t, w_hf = res_weights(bc)
    if change:
        (w0, wrel0, y20), w0_t, w0_hf = res_weights(zc)
        w, w_t, w_hf = w - w0, w_t - w0_t, w_hf - w0_hf
    re = pv_integral(w * th, w_t * th_t, (w_hf * th_hf)[:, 0], grid, hf, p.Dmin_K)
    if change or not np.any(drive):
        sat = w_hf[:, 0] / np.sqrt(1.0 + drive)
    else:
        sat = _saturated_weight(E_hf[:, 0], b, drive, w_hf[:, 0], p, o)
    im = np.where(on, 0.5 * np.pi * sat * th_hf[:, 0], 0.0)
    out = re + 1j * im
    if o.relaxation == "frozen":
        return out
    therm = 0.5 * _sech2(E / (2.0 * Tc)) / Tc
    if o.relaxation == "static":
        if change:
            wrel = wrel - wrel0
        return out + np.einsum("nk,nk->n", dE, wrel * therm)
    # Debye: rate = Gamma^-1 E^3 coth(E/2T) ((1 - gamma) E^2 + gamma y^2) + rate_2LS (Eq. 21),
    # Gamma/(Gamma - i omega) = 1 + i omega/(a + c y^2)
    gamma = o.coefs[3]
    om = omega[:, None]
    AEc = o.Gamma_inv_per_sK5 * E**3 / np.tanh(E / (2.0 * Tc))
    a = AEc * (1.0 - gamma) * E**2 + o.rate_2LS - 1j * om

    def factor(bb, wr, yy):
        c = AEc * gamma
        if o.average == "direct":
            J = shell_debye_geometry(E, bb, p, o.orientation, o.measuring_field, a, c)
            return wr + 1j * om * o.coefs[2] * J / E
        return wr * (1.0 + 1j * om / (a + c * yy))

    fac = factor(bc, wrel, y2)
    if change:
        fac = fac - factor(zc, wrel0, y20)
    return out + np.einsum("nk,nk->n", dE, therm * fac)


def _y2_mean_per_b2(p: DielectricATS, o: ResponseOptions) -> float:
    """<y^2>/b^2 over the unnormalized distribution dX/X dcos(beta) with the geometry weight."""
    return (
        0.5
        * (p.X0max_KA2**2 - p.X0min_KA2**2)
        * geometry_c2_mean(o.orientation, o.measuring_field)[1]
    )


def lowfield_coefficient(
    T: NDArray, hf: NDArray, omega: NDArray, p: DielectricATS, o: ResponseOptions
) -> NDArray[np.complex128]:
    """c(T, f) with response(B) - response(0) = A c <y^2> + O(B^4), per unit amplitude.

    With h(D, s) the single-system response at y^2 = s and the measure dD/D,
    ``d/ds int dD/D h`` is (integrating the E-derivative by parts, docs/dielectric.md §3e)

        resonant      alpha PV int K(D)/D^3 dD + (alpha + beta) [K(D)/(2 D^2)]_Dmin^Dmax
        relaxational  beta_rel ([Q/(2 D^2)]_Dmin^Dmax + int dD/D dQ/ds)

    with K = tanh(D/2T) D/(D^2 - (hf)^2), Q = sech^2(D/2T)/(2T) Gamma/(Gamma - i omega).
    """
    alpha, beta, beta_rel, gamma = o.coefs
    pa = p.ats
    Dmin, Dmax = pa.Dmin_K, pa.Dmax_K
    zero = np.zeros_like(T)
    grid = field_grid(zero, T, hf, pa)
    Tc = T[:, None]

    def F(Eg):
        val = alpha * np.tanh(Eg / (2.0 * Tc)) / Eg**3
        return val if Dmax is None else np.where(Eg <= Dmax, val, 0.0)

    E_hf = np.where(hf > 0, hf, 1.0)[:, None]
    F_nodes, F_tail, F_hf = F(grid[0]), F(grid[2]), F(E_hf)[:, 0]

    def K(D):
        return np.tanh(D / (2.0 * T)) * D / (D * D - hf * hf)

    out = pv_integral(F_nodes, F_tail, F_hf, grid, hf, Dmin)
    out = out - (alpha + beta) * K(Dmin) / (2.0 * Dmin**2)
    if Dmax is not None:
        out = out + (alpha + beta) * K(Dmax) / (2.0 * Dmax**2)
    out = out.astype(complex)
    if o.relaxation == "frozen":
        return out

    def Q(D, om):
        L = 0.5 * _sech2(D / (2.0 * T)) / T
        if o.relaxation == "static":
            return L
        rate = o.Gamma_inv_per_sK5 * D**5 * (1.0 - gamma) / np.tanh(D / (2.0 * T)) + o.rate_2LS
        return L * rate / (rate - 1j * om)

    out = out - beta_rel * Q(Dmin, omega) / (2.0 * Dmin**2)
    if Dmax is not None:
        out = out + beta_rel * Q(Dmax, omega) / (2.0 * Dmax**2)
    if o.relaxation == "debye":
        E, dE = grid[0], grid[1]
        om = omega[:, None]
        coth = 1.0 / np.tanh(E / (2.0 * Tc))
        rate = o.Gamma_inv_per_sK5 * E**5 * (1.0 - gamma) * coth + o.rate_2LS
        dQ = 0.5 * _sech2(E / (2.0 * Tc)) / Tc * (-1j * om / (rate - 1j * om) ** 2)
        dQ = dQ * o.Gamma_inv_per_sK5 * E**3 * coth * gamma
        if Dmax is not None:
            dQ = np.where(E <= Dmax, dQ, 0.0)
        out = out + beta_rel * np.einsum("nk,nk->n", dE, dQ / E)
    return out


def _lowfield_rows(b, T, hf, p: DielectricATS, o: ResponseOptions) -> NDArray[np.bool_]:
    """Rows whose change is given by the B^2 term (see :data:`LOWFIELD_EPS`)."""
    Dmin = p.Dmin_K
    s2 = Dmin * np.minimum(T, Dmin)
    res = np.maximum(hf, Dmin) * np.minimum(T, np.abs(hf - Dmin))
    s2 = np.where(hf > 0, np.minimum(s2, res), s2)
    return (o.average == "direct") & ((b * p.X0max_KA2) ** 2 < LOWFIELD_EPS * s2)


def _chunk(B, T, f, drive, p: DielectricATS, o: ResponseOptions, change: bool):
    hf = HF_K_PER_HZ * f
    omega = 2.0 * np.pi * f
    b = coupling(B, o.orientation)
    pa = p.ats
    out = np.zeros(B.shape, dtype=complex)
    low = _lowfield_rows(b, T, hf, pa, o) if change else np.zeros(B.shape, dtype=bool)
    if change:
        low &= b > 0
        if low.any():
            c = lowfield_coefficient(T[low], hf[low], omega[low], p, o)
            out[low] = c * b[low] ** 2 * _y2_mean_per_b2(p, o)
        todo = (b > 0) & ~low
    else:
        todo = np.ones(B.shape, dtype=bool)
    if todo.any():
        i = np.flatnonzero(todo)
        grid = field_grid(b[i], T[i], hf[i], pa)
        out[i] = _evaluate(grid, b[i], T[i], hf[i], omega[i], drive[i], pa, o, change=change)
    return p.amplitude_K * out


def response_rows(
    B: NDArray,
    T: NDArray,
    f: NDArray,
    drive: NDArray,
    p: DielectricATS,
    o: ResponseOptions,
    *,
    change: bool = False,
) -> NDArray[np.complex128]:
    """The ATS response (``change``: minus its B = 0 value) at broadcast (B, T, f, drive)."""
    B, T, f, drive = np.broadcast_arrays(B, T, f, drive)
    shape = B.shape
    rows = np.stack([np.asarray(x, dtype=float).reshape(-1) for x in (B, T, f, drive)], axis=1)
    if rows.shape[0] == 0:
        return np.zeros(shape, dtype=complex)
    u, inv = np.unique(rows, axis=0, return_inverse=True)
    inv = inv.reshape(-1)
    vals = np.empty(u.shape[0], dtype=complex)
    n = chunk_length(_BYTES_PER_NODE * _NODES_PER_ROW, memory_MB=o.memory_MB)
    for s in chunk_slices(u.shape[0], n):
        vals[s] = _chunk(*(np.ascontiguousarray(u[s, k]) for k in range(4)), p, o, change)
    return vals[inv].reshape(shape)
