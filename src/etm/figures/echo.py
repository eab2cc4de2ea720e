"""The essay's echo figures (Figs. 15-16), the 2LS/ATS decomposition and the reconstruction.

Each returns a matplotlib Figure; matplotlib is imported inside the functions
(:func:`etm.figures.common.pyplot`). Curves come from the essay's Table 7
(:data:`etm.materials.ECHO_ROWS`) at the conditions of Figs. 14-16, combined as Eq. 31 does:
A(B) = A_2LS - a(B), with the stated 2LS echo A_2LS = :data:`A2LS_PER_A0` times the row's
zero-field ATS echo a(0) (Table 7 gives none). Solid lines: the essay's forms (Eq. 27 Rabi
frequency and Eq. 21 rate, ``matrix_elements="essay"``, with which Table 7 was fitted); dashed:
the exact three-well matrix elements. Both use the exact isotropic cos(beta) average and C with
delta/Omega_G (docs/echo.md). Insets: the ATS density of states g(E, B)/g(E, 0) at the
resonance energy hf, "the physical origin of the effect". :func:`fig_echo_reconstruction` sets
Table 7 as printed beside the reading that reproduces the essay's stated features
(:mod:`etm.echo.readings`; docs/echo.md, section 5b).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from etm import echo, materials
from etm.echo import readings as echo_readings
from etm.ensemble import ats_dos
from etm.figures.common import FIELD_LABEL, linear_field_axis, pyplot
from etm.params import ATSParams

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "A2LS_PER_A0",
    "fig15_echo_bas",
    "fig16_echo_bk7",
    "fig_echo_decomposition",
    "fig_echo_reconstruction",
]

#: The 2LS echo the figures state, in units of each row's zero-field ATS echo a(0) at the row's
#: T and tau12 (same options): A_2LS(T, tau12) = 2 a(0), so that A(0) = a(0) > 0.
A2LS_PER_A0 = 2.0


def _combined(row, B, *, params=None, B_high_T=0.6, **opts):
    """A(B)/A(B_high) with A = A_2LS - a(B), A_2LS(T, tau12) = A2LS_PER_A0 a(0)."""
    p, pu = (row.params if params is None else params), row.pulses
    o = {k: v for k, v in opts.items() if k != "ats_sign"}
    a0 = abs(float(echo.amplitude(row.T_K, 0.0, p, pu, **o)))
    # A_2LS is the 2LS echo before its thermal factor tanh(hf/2T): divide it out
    unit = float(echo.two_level_echo(row.T_K, pu.tau12_s, pu.f_Hz, A_2LS=1.0))
    A2 = A2LS_PER_A0 * a0 / unit
    return echo.relative_amplitude(row.T_K, B, p, pu, B_high_T=B_high_T, A_2LS=A2, **opts)


def _ats(row: materials.EchoRow) -> ATSParams:
    p = row.params
    return ATSParams(Dmin_K=p.Dmin_K, X0min_KA2=p.X0min_KA2, X0max_KA2=p.X0max_KA2, nP_per_g=1.0)


def _dos_inset(ax: Axes, rows, colors, B_max_T: float) -> None:
    # make room above the curves for the inset and the legend, so neither hides a curve
    lo, hi = ax.get_ylim()
    ax.set_ylim(lo, hi + 0.7 * (hi - lo))
    ins = ax.inset_axes([0.62, 0.64, 0.35, 0.3])
    B = linear_field_axis(121, B_max_T)
    for row, c in zip(rows, colors, strict=True):
        g = ats_dos(row.pulses.hf_K, B, _ats(row))
        ins.plot(B, g / g[0], color=c, lw=1.0)
    ins.set_xlabel("$B$ [T]", fontsize=7)
    ins.set_ylabel("$g(h f, B)/g(h f, 0)$", fontsize=7)
    ins.tick_params(labelsize=6)


def _echo_panel(ax: Axes, rows, colors, B, B_high_T: float) -> None:
    for row, c in zip(rows, colors, strict=True):
        r = _combined(row, B, B_high_T=B_high_T, matrix_elements="essay")
        rx = _combined(row, B, B_high_T=B_high_T)
        ax.plot(B, r, color=c, lw=1.6, label=row.name)
        ax.plot(B, rx, color=c, lw=1.0, ls="--")
    ax.plot([], [], color="k", lw=1.6, label="essay's forms (Eq. 21, 27)")
    ax.plot([], [], color="k", lw=1.0, ls="--", label="exact matrix elements")
    ax.axhline(1.0, color="0.6", lw=0.6)
    ax.set_xlabel(FIELD_LABEL)
    ax.set_ylabel(f"$A(B)/A({B_high_T:g}$ T$)$, $A = A_{{2LS}} - a(B)$")
    ax.legend(
        fontsize=7,
        loc="upper left",
        title=f"$A_{{2LS}} = {A2LS_PER_A0:g}\\,a(0)$",
        title_fontsize=7,
    )


def fig15_echo_bas(n_B: int = 121, B_max_T: float = 0.6) -> Figure:
    """Fig. 15: relative echo amplitude of BAS (Table 7, samples 1 and 2) vs B, DOS inset.

    Parameters
    ----------
    n_B : int
        Number of fields.
    B_max_T : float
        Largest field [T] (the essay's range: 0.6 T); also the normalizing "high" field.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig15_echo_bas(n_B=5).axes[0].get_xlabel()
    'magnetic field $B$ [T]'
    """
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.0, 4.2))
    rows = [materials.echo_row("BAS sample 1"), materials.echo_row("BAS sample 2")]
    colors = ["C0", "C3"]
    B = linear_field_axis(n_B, B_max_T)
    _echo_panel(ax, rows, colors, B, B_max_T)
    _dos_inset(ax, rows, colors, B_max_T)
    ax.set_title("Fig. 15: BAS echo, 1 GHz, $\\tau_2 = 2\\tau_1 = 0.2$ µs, 12 mK", fontsize=9)
    fig.tight_layout()
    return fig


def fig16_echo_bk7(n_B: int = 121, B_max_T: float = 0.6, B_pred_T: float = 6.0) -> Figure:
    """Fig. 16: BK7 at tau12 = 1.5 and 6 us (Table 7), DOS inset, and the high-field prediction.

    Parameters
    ----------
    n_B : int
        Number of fields per panel.
    B_max_T : float
        Largest field [T] of the main panel (and its normalizing field).
    B_pred_T : float
        Largest field [T] of the prediction panel (the essay's inset: "B > 600 mT").

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> len(fig16_echo_bk7(n_B=5).axes) >= 2
    True
    """
    plt = pyplot()
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(10.0, 4.2))
    rows = [materials.echo_row("BK7 tau12=1.5us"), materials.echo_row("BK7 tau12=6us")]
    colors = ["C2", "C1"]
    B = linear_field_axis(n_B, B_max_T)
    _echo_panel(ax, rows, colors, B, B_max_T)
    _dos_inset(ax, rows, colors, B_max_T)
    ax.set_title("Fig. 16: BK7 echo, 0.9 GHz, 12 mK", fontsize=9)
    Bp = linear_field_axis(n_B, B_pred_T)
    for row, c in zip(rows, colors, strict=True):
        r = _combined(row, Bp, B_high_T=B_max_T, matrix_elements="essay")
        r23 = _combined(row, Bp, B_high_T=B_max_T, matrix_elements="essay", orientation="phi2/3")
        ax2.plot(Bp, r, color=c, lw=1.6, label=f"{row.name}, isotropic")
        ax2.plot(Bp, r23, color=c, lw=1.0, ls=":", label=r"$\varphi^2 \to \varphi^2/3$")
    ax2.axvline(B_max_T, color="0.6", lw=0.6)
    ax2.set_xlabel(FIELD_LABEL)
    ax2.set_ylabel(f"$A(B)/A({B_max_T:g}$ T$)$, $A = A_{{2LS}} - a(B)$")
    ax2.set_title("inset of Fig. 16: prediction beyond the measured range", fontsize=9)
    ax2.legend(fontsize=7)
    fig.tight_layout()
    return fig


def fig_echo_decomposition(
    name: str = "BAS sample 2",
    background: float = A2LS_PER_A0,
    n_B: int = 121,
    B_max_T: float = 3.0,
) -> Figure:
    """A(B) = A_2LS - a(B) (Eq. 31): the field-blind 2LS echo and the ATS part, separately.

    Parameters
    ----------
    name : str
        A Table 7 row (:data:`etm.materials.ECHO_ROWS`).
    background : float
        A_2LS in units of the zero-field ATS echo |a(0)| (not in Table 7; default
        :data:`A2LS_PER_A0`).
    n_B : int
        Number of fields.
    B_max_T : float
        Largest field [T].

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig_echo_decomposition(n_B=5).axes[0].get_ylabel()
    'echo amplitude [units of $a(0)$]'
    """
    plt = pyplot()
    row = materials.echo_row(name)
    B = linear_field_axis(n_B, B_max_T)
    a = echo.amplitude(
        T_K=row.T_K, B_T=B, params=row.params, pulses=row.pulses, matrix_elements="essay"
    )
    a0 = abs(a[0])
    fig, ax = plt.subplots(figsize=(6.0, 4.2))
    ax.plot(B, np.full_like(B, background), color="0.4", lw=1.2, label="2LS echo $A_{2LS}$")
    ax.plot(B, -a / a0, color="C0", lw=1.2, label="ATS part $-a(B)$ (Eq. 31's minus)")
    ax.plot(B, background - a / a0, color="k", lw=1.8, label="total $A(B)$")
    ax.axhline(0.0, color="0.7", lw=0.5)
    ax.set_xlabel(FIELD_LABEL)
    ax.set_ylabel("echo amplitude [units of $a(0)$]")
    ax.set_title(f"{name}: $A_{{2LS}}$ = {background:g} a(0) (illustrative)", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def fig_echo_reconstruction(n_B: int = 241, B_max_T: float = 0.6) -> Figure:
    """Table 7 as printed against the reconstruction of the essay's curves (docs/echo.md, 5b).

    Left: A(B)/A(B_max) from Table 7 as printed (:data:`etm.echo.readings.AS_PRINTED`); middle:
    the reconstruction (:data:`etm.echo.readings.RECONSTRUCTION`: X x 10, phi^2/3, C as printed,
    Gamma^-1 per second); both A = A_2LS - a(B), A_2LS = :data:`A2LS_PER_A0` a(0). Right: the
    reconstruction's approach to saturation, |A(B)/A_2LS - 1| on log axes to 3 T, with B^-2.

    Parameters
    ----------
    n_B : int
        Number of fields per curve.
    B_max_T : float
        Largest field [T] of the first two panels (the normalizing field).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> len(fig_echo_reconstruction(n_B=5).axes)
    3
    """
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(13.0, 4.2))
    colors = ["C0", "C3", "C2", "C1"]
    B = linear_field_axis(n_B, B_max_T)
    Bl = np.geomspace(0.05, 3.0, max(n_B, 5))
    for ax, rd in zip(
        axes[:2], (echo_readings.AS_PRINTED, echo_readings.RECONSTRUCTION), strict=True
    ):
        for row, c in zip(materials.ECHO_ROWS, colors, strict=True):
            r = _combined(row, B, params=rd.params(row), B_high_T=B_max_T, **rd.options())
            ax.plot(B, r, color=c, lw=1.4, label=row.name)
        ax.axhline(1.0, color="0.6", lw=0.6)
        ax.set_xlabel(FIELD_LABEL)
        ax.set_ylabel(f"$A(B)/A({B_max_T:g}$ T$)$, $A = A_{{2LS}} - a(B)$")
        ax.set_title(rd.label, fontsize=8)
        ax.legend(fontsize=7, title=f"$A_{{2LS}} = {A2LS_PER_A0:g}\\,a(0)$", title_fontsize=7)
    rd = echo_readings.RECONSTRUCTION
    o = {k: v for k, v in rd.options().items() if k != "ats_sign"}
    for row, c in zip(materials.ECHO_ROWS, colors, strict=True):
        p = rd.params(row)
        a = echo.amplitude(row.T_K, np.r_[0.0, Bl], p, row.pulses, **o)
        axes[2].loglog(Bl, np.abs(a[1:]) / (A2LS_PER_A0 * abs(a[0])), color=c, lw=1.4)
    axes[2].loglog(Bl, 0.02 * (Bl / 0.5) ** -2.0, color="k", ls="--", lw=0.8, label="$B^{-2}$")
    axes[2].set_xlabel(FIELD_LABEL)
    axes[2].set_ylabel("$|A(B)/A_{2LS} - 1|$ (reconstruction)")
    axes[2].set_title("approach to saturation (reconstruction)", fontsize=8)
    axes[2].legend(fontsize=7)
    fig.tight_layout()
    return fig
