"""The essay's echo figures (Figs. 15-16), the 2LS/ATS decomposition and the reconstruction.

Each returns a matplotlib Figure; matplotlib is imported inside the functions
(:func:`etm.figures.common.pyplot`). Curves come from the essay's Table 7
(:data:`etm.materials.ECHO_ROWS`) at the conditions of Figs. 14-16, combined as Eq. 31 does:
A(B) = A_2LS - a(B), with the stated 2LS echo A_2LS = :data:`A2LS_PER_A0` times the row's
zero-field ATS echo a(0) (Table 7 gives none). Solid lines: the essay's forms (Eq. 27 Rabi
frequency and Eq. 21 rate, ``matrix_elements="essay"``, with which Table 7 was fitted: one
orientation-averaged Rabi frequency per system); dashed: the default model, the exact three-well
matrix elements with the pulse field's direction averaged (``measuring_field="random"``,
``rabi="exact"``: every system driven by the field's actual direction, docs/echo.md section 9).
Both use the exact isotropic cos(beta) average and C with delta/Omega_G (docs/echo.md).
Insets: the ATS density of states g(E, B)/g(E, 0) at the resonance energy hf, "the physical
origin of the effect". :func:`fig_echo_reconstruction` sets Table 7 as printed beside the
reading that reproduces the essay's stated features (:mod:`etm.echo.readings`; docs/echo.md,
section 5b).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from etm import echo, materials
from etm.constants import ab_energy
from etm.echo import readings as echo_readings
from etm.ensemble import ats_dos
from etm.figures.common import FIELD_LABEL, linear_field_axis, pyplot, refine_grid, row_label
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
    "relative_echo",
]

#: The 2LS echo the figures state, in units of each row's zero-field ATS echo a(0) at the row's
#: T and tau12 (same options): A_2LS(T, tau12) = 2 a(0), so that A(0) = a(0) > 0.
A2LS_PER_A0 = 2.0


def relative_echo(row, B, *, params=None, B_high_T=0.6, **opts):
    """A(B)/A(B_high) of a Table 7 row with A = A_2LS - a(B), A_2LS(T, tau12) = A2LS_PER_A0 a(0)
    (the combination every echo figure draws; ``opts`` go to :func:`etm.echo.amplitude`).

    Examples
    --------
    >>> from etm import materials
    >>> r = relative_echo(materials.echo_row("BAS sample 2"), [0.0, 0.6], matrix_elements="essay")
    >>> float(r[1])
    1.0
    """
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


def _dos_panel(ax: Axes, rows, colors, B_max_T: float) -> None:
    """g(hf, B)/g(hf, 0) of each row above its echo panel (the essay's inset: "the physical
    origin of the effect"), on the same field axis."""
    for row, c in zip(rows, colors, strict=True):
        B, g = refine_grid(
            lambda b, row=row: ats_dos(row.pulses.hf_K, b, _ats(row)),
            linear_field_axis(41, B_max_T),
        )
        ax.plot(B, g / g[0], color=c, lw=1.2, label=row_label(row.name))
    ax.axhline(1.0, color="0.7", lw=0.6)
    ax.set_ylabel("$g(hf, B)/g(hf, 0)$", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.set_xlim(0.0, B_max_T)


def _echo_panel(ax: Axes, rows, colors, B_max_T: float, n_B: int) -> None:
    # each curve on its own field grid, refined where it bends (the essay-form curves have
    # kinks where the resonant shell leaves the band edge; the default model's are smooth and
    # ten times dearer a field)
    B0 = linear_field_axis(max(n_B, 3), B_max_T)
    for row, c in zip(rows, colors, strict=True):
        B, r = refine_grid(
            lambda b, row=row: relative_echo(row, b, B_high_T=B_max_T, matrix_elements="essay"), B0
        )
        ax.plot(B, r, color=c, lw=1.6, label=row_label(row.name))
        B, rx = refine_grid(lambda b, row=row: relative_echo(row, b, B_high_T=B_max_T), B0)
        ax.plot(B, rx, color=c, lw=1.0, ls="--")
    ax.plot([], [], color="k", lw=1.6, label="essay's forms (Eq. 21, 27)")
    ax.plot([], [], color="k", lw=1.0, ls="--", label="exact m.e., field direction averaged")
    ax.axhline(1.0, color="0.6", lw=0.6)
    ax.set_xlabel(FIELD_LABEL)
    ax.set_ylabel(_ylabel(B_max_T))
    ax.set_xlim(0.0, B_max_T)


def _ylabel(B_high_T: float) -> str:
    return f"$A(B)/A({B_high_T:g}\\,{{\\rm T}})$, $A = A_{{\\rm 2LS}} - a(B)$"


def _legend_below(fig, ax: Axes, ncol: int = 2) -> None:
    """The echo panel's legend under the figure, where it hides no curve."""
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        loc="outside lower center",
        ncol=ncol,
        fontsize=7,
        title=f"$A_{{\\rm 2LS}} = {A2LS_PER_A0:g}\\,a(0)$ (Eq. 31)",
        title_fontsize=7,
    )


def fig15_echo_bas(n_B: int = 25, B_max_T: float = 0.6) -> Figure:
    """Fig. 15: relative echo amplitude of BAS (Table 7, samples 1 and 2) vs B, with the DOS.

    Parameters
    ----------
    n_B : int
        Number of starting fields, refined where a curve bends
        (:func:`etm.figures.common.refine_grid`).
    B_max_T : float
        Largest field [T] (the essay's range: 0.6 T); also the normalizing "high" field.

    Returns
    -------
    matplotlib.figure.Figure
        Top: the ATS density of states g(hf, B)/g(hf, 0) at the resonance (the essay's inset);
        bottom: A(B)/A(B_max), essay's forms (solid) and the default model (dashed).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig15_echo_bas(n_B=5).axes[1].get_xlabel()
    'magnetic field $B$ [T]'
    """
    plt = pyplot()
    fig, (dx, ax) = plt.subplots(
        2, 1, figsize=(6.0, 5.6), sharex=True, height_ratios=(1.0, 2.6), layout="constrained"
    )
    rows = [materials.echo_row("BAS sample 1"), materials.echo_row("BAS sample 2")]
    colors = ["C0", "C3"]
    _dos_panel(dx, rows, colors, B_max_T)
    _echo_panel(ax, rows, colors, B_max_T, n_B)
    dx.set_title("Fig. 15: BAS echo, 1 GHz, $\\tau_2 = 2\\tau_1 = 0.2\\,\\mu$s, 12 mK", fontsize=9)
    _legend_below(fig, ax)
    return fig


def _flat_field(row) -> float:
    """B [T] above which no ATS is resonant at hf when every loop has cos^2(beta) = 1/3
    (phi^2/3): Dmin^2 + (X0min b/sqrt 3)^2 > (hf)^2, so a(B) = 0 and A = A_2LS."""
    p, hf = row.params, row.pulses.hf_K
    return float(np.sqrt(3.0 * (hf**2 - p.Dmin_K**2)) / ab_energy(p.X0min_KA2, 1.0))


def fig16_echo_bk7(n_B: int = 25, B_max_T: float = 0.6, B_pred_T: float = 6.0) -> Figure:
    """Fig. 16: BK7 at tau12 = 1.5 and 6 us (Table 7) with the DOS, and the high-field prediction.

    Parameters
    ----------
    n_B : int
        Number of starting fields per curve, refined where a curve bends.
    B_max_T : float
        Largest field [T] of the main panel (and its normalizing field).
    B_pred_T : float
        Largest field [T] of the prediction panel (the essay's inset: "B > 600 mT").

    Returns
    -------
    matplotlib.figure.Figure
        Left: g(hf, B)/g(hf, 0) over A(B)/A(B_max) as in :func:`fig15_echo_bas`; right: the
        prediction to ``B_pred_T``, isotropic loops and phi^2 -> phi^2/3 (every loop at
        cos^2(beta) = 1/3), whose curves turn flat at the field where the smallest coupling
        lifts every ATS off the resonance (marked; then A = A_2LS).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> len(fig16_echo_bk7(n_B=5).axes)
    3
    """
    plt = pyplot()
    fig, axd = plt.subplot_mosaic(
        [["dos", "pred"], ["main", "pred"]],
        figsize=(10.5, 5.6),
        height_ratios=(1.0, 2.6),
        layout="constrained",
    )
    dx, ax, ax2 = axd["dos"], axd["main"], axd["pred"]
    dx.sharex(ax)
    dx.tick_params(labelbottom=False)
    rows = [materials.echo_row("BK7 tau12=1.5us"), materials.echo_row("BK7 tau12=6us")]
    colors = ["C2", "C1"]
    _dos_panel(dx, rows, colors, B_max_T)
    _echo_panel(ax, rows, colors, B_max_T, n_B)
    dx.set_title("Fig. 16: BK7 echo, 0.9 GHz, 12 mK", fontsize=9)
    B0 = linear_field_axis(max(n_B, 3), B_pred_T)
    for row, c in zip(rows, colors, strict=True):

        def both(b, row=row):
            r = relative_echo(row, b, B_high_T=B_max_T, matrix_elements="essay")
            r23 = relative_echo(
                row, b, B_high_T=B_max_T, matrix_elements="essay", orientation="phi2/3"
            )
            return np.vstack([r, r23])

        Bp, (r, r23) = refine_grid(both, np.union1d(B0, [_flat_field(row)]))
        ax2.plot(Bp, r, color=c, lw=1.6, label=f"{row_label(row.name)}, isotropic")
        ax2.plot(Bp, r23, color=c, lw=1.0, ls=":", label=r"$\varphi^2 \to \varphi^2/3$")
        Bf = _flat_field(row)
        if Bf < B_pred_T:
            ax2.plot([Bf], [np.interp(Bf, Bp, r23)], "|", color=c, ms=12, mew=1.5)
    flat = r"$\varphi^2/3$: beyond the mark no ATS is resonant at $hf$, $A = A_{\rm 2LS}$"
    ax2.plot([], [], "|", color="k", ms=8, mew=1.5, label=flat)
    ax2.axvline(B_max_T, color="0.6", lw=0.6)
    ax2.set_xlabel(FIELD_LABEL)
    ax2.set_ylabel(_ylabel(B_max_T))
    ax2.set_title("inset of Fig. 16: prediction beyond the measured range", fontsize=9)
    ax2.legend(fontsize=7, loc="lower right")
    _legend_below(fig, ax, ncol=4)
    return fig


def fig_echo_decomposition(
    name: str = "BAS sample 2",
    background: float = A2LS_PER_A0,
    n_B: int = 31,
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
        Number of starting fields, refined where a curve bends.
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
    B, a = refine_grid(
        lambda b: echo.amplitude(
            T_K=row.T_K, B_T=b, params=row.params, pulses=row.pulses, matrix_elements="essay"
        ),
        linear_field_axis(max(n_B, 3), B_max_T),
    )
    a0 = abs(a[0])
    fig, ax = plt.subplots(figsize=(6.0, 4.2), layout="constrained")
    two = r"$A_{\rm 2LS}$"
    ax.plot(B, np.full_like(B, background), color="0.4", lw=1.2, label=f"2LS echo {two}")
    ax.plot(B, -a / a0, color="C0", lw=1.2, label="ATS part $-a(B)$ (Eq. 31's minus)")
    ax.plot(B, background - a / a0, color="k", lw=1.8, label="total $A(B)$")
    ax.axhline(0.0, color="0.7", lw=0.5)
    ax.set_xlabel(FIELD_LABEL)
    ax.set_ylabel("echo amplitude [units of $a(0)$]")
    ax.set_title(f"{name}: {two} = {background:g} $a(0)$ (illustrative)", fontsize=9)
    ax.legend(fontsize=8)
    return fig


def _reading_title(rd: echo_readings.Reading) -> str:
    """A reading's label with its symbols in mathtext (the label itself is ASCII)."""
    parts = []
    if rd.X_scale != 1.0:
        parts.append(f"$X\\times{rd.X_scale:g}$")
    if rd.orientation == "phi2/3":
        parts.append(r"$\varphi^2/3$")
    if rd.c_form == "essay":
        parts.append("printed $C$")
    if rd.gamma_unit == "per_s":
        parts.append(r"$\Gamma^{-1}$ per s")
    head = rd.label.split(":")[0]
    return f"{head}: {', '.join(parts)}" if parts else head


def fig_echo_reconstruction(n_B: int = 41, B_max_T: float = 0.6) -> Figure:
    """Table 7 as printed against the reconstruction of the essay's curves (docs/echo.md, 5b).

    Left: A(B)/A(B_max) from Table 7 as printed (:data:`etm.echo.readings.AS_PRINTED`); middle:
    the reconstruction (:data:`etm.echo.readings.RECONSTRUCTION`: X x 10, phi^2/3, C as printed,
    Gamma^-1 per second); both A = A_2LS - a(B), A_2LS = :data:`A2LS_PER_A0` a(0). Right: the
    reconstruction's approach to saturation, |A(B)/A_2LS - 1| on log axes to 3 T, with B^-2.

    Parameters
    ----------
    n_B : int
        Number of starting fields per curve, refined where a curve bends
        (:func:`etm.figures.common.refine_grid`; in ln|A/A_2LS - 1| on the log panel).
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
    fig, axes = plt.subplots(1, 3, figsize=(13.5, 4.4), layout="constrained")
    colors = ["C0", "C3", "C2", "C1"]
    B0 = linear_field_axis(max(n_B, 3), B_max_T)
    for ax, rd in zip(
        axes[:2], (echo_readings.AS_PRINTED, echo_readings.RECONSTRUCTION), strict=True
    ):
        for row, c in zip(materials.ECHO_ROWS, colors, strict=True):
            B, r = refine_grid(
                lambda b, row=row, rd=rd: relative_echo(
                    row, b, params=rd.params(row), B_high_T=B_max_T, **rd.options()
                ),
                B0,
            )
            ax.plot(B, r, color=c, lw=1.4, label=row_label(row.name))
        ax.axhline(1.0, color="0.6", lw=0.6)
        ax.set_xlabel(FIELD_LABEL)
        ax.set_ylabel(_ylabel(B_max_T))
        ax.set_title(_reading_title(rd), fontsize=9)
    _legend_below(fig, axes[0], ncol=4)
    rd = echo_readings.RECONSTRUCTION
    o = {k: v for k, v in rd.options().items() if k != "ats_sign"}
    Bl0 = np.geomspace(0.05, 3.0, max(n_B // 2, 5))
    for row, c in zip(materials.ECHO_ROWS, colors, strict=True):
        p = rd.params(row)
        a0 = abs(float(echo.amplitude(row.T_K, 0.0, p, row.pulses, **o)))

        def log_dev(b, row=row, p=p, a0=a0):
            # refined in ln|A/A_2LS - 1|: the curve is drawn on log axes
            a = echo.amplitude(row.T_K, b, p, row.pulses, **o)
            return np.log(np.maximum(np.abs(a) / (A2LS_PER_A0 * a0), 1e-300))

        Bl, y = refine_grid(log_dev, Bl0, log=True, max_points=400)
        axes[2].loglog(Bl, np.exp(y), color=c, lw=1.4)
    Bl = np.geomspace(0.05, 3.0, 2)
    axes[2].loglog(Bl, 0.02 * (Bl / 0.5) ** -2.0, color="k", ls="--", lw=0.8, label="$B^{-2}$")
    axes[2].set_xlabel(FIELD_LABEL)
    axes[2].set_ylabel(r"$|A(B)/A_{\rm 2LS} - 1|$ (reconstruction)")
    axes[2].set_title("approach to saturation (reconstruction)", fontsize=9)
    axes[2].legend(fontsize=7)
    return fig
