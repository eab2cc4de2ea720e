"""The essay's dielectric figures (Figs. 10-12) and the STM background, one function each.

Each returns a matplotlib Figure; matplotlib is imported inside the functions
(:func:`etm.figures.common.pyplot`). Curves come from the essay's Tables 5-6
(:data:`etm.materials.DIELECTRIC_ROWS`) at the documented measuring frequency
:data:`etm.dielectric.TYPICAL_FREQUENCY_HZ` (the tables do not give it). Solid lines: the exact
model (direct average, exact three-well matrix elements, isotropic loops); dashed lines: the
essay's forms (Eq. 19 decoupling with Eq. 20, isotropic average). In both the relaxational part
is frozen, as in the essay's fits (docs/dielectric.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from etm import dielectric, materials
from etm.dielectric import stm
from etm.figures.common import (
    FIELD_LABEL,
    frequency_text,
    log_field_axis,
    pyplot,
    refine_grid,
    tex_number,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "ESSAY_FORM",
    "STM_FIGURE_PARAMS",
    "fig10_dielectric_glasses",
    "fig11_dielectric_bas",
    "fig12_dielectric_sio2",
    "fig_dielectric_ghz",
    "fig_stm_background",
]

#: Options of :func:`etm.dielectric.relative_change` that reproduce the essay's own forms.
ESSAY_FORM: dict[str, object] = {"average": "decoupled", "matrix_elements": "essay", "n_wells": 3}
#: Illustrative STM parameters of :func:`fig_stm_background`: C = Pbar p^2/(eps0 eps_r) and the
#: one-phonon coefficient [1/(s K^3)] (typical orders for multicomponent glasses; not fitted).
STM_FIGURE_PARAMS: dict[str, float] = {"C": 1e-4, "A_phonon_per_sK3": 1e8}


def _draw(ax: Axes, B, T, params, color, label, f_Hz, scale, offset=0.0) -> None:
    def both(b):
        exact = dielectric.relative_change(T_K=T, B_T=b, params=params, f_Hz=f_Hz)
        essay = dielectric.relative_change(T_K=T, B_T=b, params=params, f_Hz=f_Hz, **ESSAY_FORM)
        return np.vstack([exact, essay])

    B, (exact, essay) = refine_grid(both, B, log=True)
    ax.plot(B, exact / scale + offset, color=color, lw=1.6, label=label)
    ax.plot(B, essay / scale + offset, color=color, lw=1.0, ls="--")


def _finish(ax: Axes, title: str, f_Hz: float, shifted: bool = False) -> None:
    ax.axhline(0.0, color="0.6", lw=0.6)
    ax.set_xscale("log")
    ax.set_xlabel(FIELD_LABEL)
    lab = r"$[\varepsilon'(B) - \varepsilon'(0)]/\varepsilon'$ [$10^{-5}$]"
    ax.set_ylabel(lab + (" (shifted)" if shifted else ""))
    ax.set_title(title)
    ax.plot([], [], color="k", lw=1.6, label="exact model")
    ax.plot([], [], color="k", lw=1.0, ls="--", label="essay's forms (Eq. 19-20)")
    # the conditions go in the legend's title, where no curve can cross them
    ax.legend(
        fontsize=7,
        loc="lower left",
        title=f"$f$ = {frequency_text(f_Hz)}, isotropic loops",
        title_fontsize=7,
    )


def fig10_dielectric_glasses(
    f_Hz: float = dielectric.TYPICAL_FREQUENCY_HZ,
    n_B: int = 60,
    B_min_T: float = 1e-3,
    B_max_T: float = 10.0,
) -> Figure:
    """Fig. 10: relative change of eps' vs B for BAS (50 mK), BK7 and Duran (15 mK), Table 5.

    Parameters
    ----------
    f_Hz : float
        Measuring frequency [Hz] (not in the tables; 1 kHz documented default).
    n_B : int
        Number of starting fields, refined where a curve bends
        (:func:`etm.figures.common.refine_grid`).
    B_min_T, B_max_T : float
        Field range [T] (log axis).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = fig10_dielectric_glasses(n_B=20)
    >>> fig.axes[0].get_xlabel()
    'magnetic field $B$ [T]'
    """
    plt = pyplot()
    B = log_field_axis(n_B, B_min_T, B_max_T)
    fig, ax = plt.subplots(figsize=(5.4, 4.0), layout="constrained")
    for i, (g, T) in enumerate((("BAS", 0.05), ("BK7", 0.015), ("Duran", 0.015))):
        p = materials.dielectric_row(g, T).params
        _draw(ax, B, T, p, f"C{i}", f"{g}, {1e3 * T:g} mK", f_Hz, 1e-5)
    _finish(ax, "Fig. 10: BAS, BK7, Duran (Table 5)", f_Hz)
    return fig


def _temperature_series(glass: str, title: str, f_Hz, n_B, B_min_T, B_max_T, shift) -> Figure:
    plt = pyplot()
    B = log_field_axis(n_B, B_min_T, B_max_T)
    fig, ax = plt.subplots(figsize=(5.4, 4.0), layout="constrained")
    for i, row in enumerate(materials.get(glass).dielectric_rows):
        off = shift * i
        lab = f"{1e3 * row.T_K:g} mK" + (f" (+{off:g})" if off else "")
        _draw(ax, B, row.T_K, row.params, f"C{i}", lab, f_Hz, 1e-5, off)
    _finish(ax, title, f_Hz, shifted=bool(shift))
    return fig


def fig11_dielectric_bas(
    f_Hz: float = dielectric.TYPICAL_FREQUENCY_HZ,
    n_B: int = 60,
    B_min_T: float = 1e-3,
    B_max_T: float = 10.0,
    shift: float = 0.0,
) -> Figure:
    """Fig. 11: BAS at 50, 94 and 120 mK (Table 5).

    Parameters
    ----------
    f_Hz, n_B, B_min_T, B_max_T
        As in :func:`fig10_dielectric_glasses`.
    shift : float
        Vertical offset between curves [1e-5] (the essay shifts them apart; default none).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> len(fig11_dielectric_bas(n_B=10).axes[0].lines) >= 6
    True
    """
    return _temperature_series(
        "BAS", "Fig. 11: BAS vs T (Table 5)", f_Hz, n_B, B_min_T, B_max_T, shift
    )


def fig12_dielectric_sio2(
    f_Hz: float = dielectric.TYPICAL_FREQUENCY_HZ,
    n_B: int = 60,
    B_min_T: float = 1e-3,
    B_max_T: float = 10.0,
    shift: float = 0.0,
) -> Figure:
    """Fig. 12: SiO2+xCyHz at 50, 70 and 100 mK (Table 6).

    Parameters
    ----------
    f_Hz, n_B, B_min_T, B_max_T, shift
        As in :func:`fig11_dielectric_bas`.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig12_dielectric_sio2(n_B=10).axes[0].get_xscale()
    'log'
    """
    return _temperature_series(
        "SiO2+xCyHz", "Fig. 12: SiO$_{2+x}$C$_y$H$_z$ (Table 6)", f_Hz, n_B, B_min_T, B_max_T, shift
    )


def fig_stm_background(
    f_Hz=(1e2, 1e3, 1e4),
    C: float = STM_FIGURE_PARAMS["C"],
    A_phonon: float = STM_FIGURE_PARAMS["A_phonon_per_sK3"],
    T_min_K: float = 1e-3,
    T_max_K: float = 3.0,
    n_T: int = 300,
) -> Figure:
    """STM background: delta eps'/eps' and tan(delta) vs T, resonant/relaxational crossover.

    Parameters
    ----------
    f_Hz : sequence of float
        Frequencies [Hz]; the middle one is also drawn split into its two parts.
    C : float
        Pbar p^2/(eps0 eps_r).
    A_phonon : float
        One-phonon coefficient [1/(s K^3)].
    T_min_K, T_max_K : float
        Temperature range [K] (log axis).
    n_T : int
        Number of temperatures.

    Returns
    -------
    matplotlib.figure.Figure
        (a) delta eps'/eps' with the slopes -(2/3)C (below the minimum) and +(1/3)C (above) and
        the minimum marked; (b) tan(delta).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> len(fig_stm_background(n_T=30).axes)
    2
    """
    plt = pyplot()
    T = np.geomspace(T_min_K, T_max_K, n_T)
    fs = list(np.atleast_1d(f_Hz))
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(9.5, 3.9), layout="constrained")
    for i, f in enumerate(fs):
        d, tl = stm.stm_total(T, f, C, A_phonon)
        ax.plot(T, d / C, color=f"C{i}", lw=1.6, label=frequency_text(f))
        k = int(np.argmin(d))
        ax.plot(T[k], d[k] / C, "o", color=f"C{i}", ms=4)
        bx.plot(T, tl / C, color=f"C{i}", lw=1.6, label=frequency_text(f))
    fm = fs[len(fs) // 2]
    ax.plot(T, stm.stm_resonant(T, fm, C) / C, color="0.4", ls=":", lw=1.0, label="resonant")
    ax.plot(
        T, stm.stm_relaxation(T, fm, C, A_phonon)[0] / C, color="0.4", ls="--", lw=1.0,
        label="relaxational",
    )  # fmt: skip
    ax.set_xscale("log")
    ax.set_xlabel("temperature $T$ [K]")
    ax.set_ylabel(r"$\delta\varepsilon'/\varepsilon'$ [$C$]  (+ const)")
    ax.set_title("(a) STM: slopes $-2C/3$ below, $+C/3$ above the minimum")
    ax.legend(fontsize=7)
    bx.set_xscale("log")
    bx.set_yscale("log")
    bx.set_xlabel("temperature $T$ [K]")
    bx.set_ylabel(r"$\tan\delta$ [$C$]")
    bx.set_title(r"(b) loss: relaxation plateau $\pi C/6$")
    bx.axhline(np.pi / 6, color="0.6", lw=0.6, ls="--", label=r"$\pi C/6$")
    lo, _ = bx.get_ylim()
    bx.set_ylim(lo, 3.0 * np.pi / 6)  # the plateau inside the frame, not on its edge
    bx.legend(fontsize=7, loc="lower right")
    fig.suptitle(
        f"STM background, $C = {tex_number(C)}$, $A = {tex_number(A_phonon)}$ "
        "s$^{-1}$ K$^{-3}$ (illustrative)",
        fontsize=9,
    )
    return fig


def fig_dielectric_ghz(
    glass: str = "BAS",
    T_K: float = 0.05,
    f_Hz=(1e3, 1e9, 5e9),
    drive_ratios=(0.0, 10.0, 100.0),
    n_B: int = 60,
    B_min_T: float = 1e-3,
    B_max_T: float = 10.0,
) -> Figure:
    """The ATS response at resonator frequencies: eps'(B) from kHz to GHz, the resonant loss.

    Parameters
    ----------
    glass : str
        Row of Tables 5-6 (with ``T_K``).
    T_K : float
        Temperature [K].
    f_Hz : sequence of float
        Frequencies [Hz] of panel (a); the last one is used in panel (b).
    drive_ratios : sequence of float
        Saturation parameters (F/F_c)^2 = P/P_c of panel (b).
    n_B : int
        Number of starting fields (log axis from ``B_min_T`` to ``B_max_T`` [T]), refined
        where a curve bends (:func:`etm.figures.common.refine_grid`).
    B_min_T, B_max_T : float
        Field range [T].

    Returns
    -------
    matplotlib.figure.Figure
        (a) [eps'(B) - eps'(0)]/eps' at each frequency (exact model, isotropic, relaxation
        frozen, random measuring-field direction) and F parallel to B at the last one (dashed);
        (b) the resonant ATS loss tan(delta)(B) at the last frequency for each drive ratio.

    References
    ----------
    Essay Eq. 16-22, Tables 5-6; docs/dielectric.md §3b-3c.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> len(fig_dielectric_ghz(n_B=15).axes)
    2
    """
    plt = pyplot()
    p = materials.dielectric_row(glass, T_K).params
    B0 = log_field_axis(n_B, B_min_T, B_max_T)
    fs = list(np.atleast_1d(f_Hz))
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(9.5, 3.9), layout="constrained")
    # each curve on its own grid, refined where it bends: the resonances at E = hf are sharp
    # (the 5 GHz dip and the 1 GHz kink), and their drawn depth must not depend on n_B
    for i, f in enumerate(fs):
        B, d = refine_grid(lambda b, f=f: dielectric.relative_change(T_K, b, p, f), B0, log=True)
        ax.plot(B, d / 1e-5, color=f"C{i}", lw=1.6, label=f"$f$ = {frequency_text(f)}")
    B, par = refine_grid(
        lambda b: dielectric.relative_change(T_K, b, p, fs[-1], measuring_field="parallel"),
        B0,
        log=True,
    )
    lab = r"$\mathbf{F} \parallel \mathbf{B}$, " + frequency_text(fs[-1])
    ax.plot(B, par / 1e-5, color=f"C{len(fs) - 1}", lw=1.0, ls="--", label=lab)
    ax.axhline(0.0, color="0.6", lw=0.6)
    ax.set_xscale("log")
    ax.set_xlabel(FIELD_LABEL)
    ax.set_ylabel(r"$[\varepsilon'(B) - \varepsilon'(0)]/\varepsilon'$ [$10^{-5}$]")
    hf = fs[-1] * stm.HF_K_PER_HZ
    ax.set_title(f"(a) {glass}, {1e3 * T_K:g} mK: kHz to GHz ($hf/k_{{\\rm B}}$ up to {hf:.2g} K)")
    ax.legend(fontsize=7)
    for j, s in enumerate(drive_ratios):
        B, tl = refine_grid(
            lambda b, s=s: dielectric.loss(T_K, b, p, fs[-1], drive_ratio=s), B0, log=True
        )
        bx.plot(B, tl / 1e-6, color=f"C{j}", lw=1.6, label=f"$P/P_c$ = {s:g}")
    bx.set_xscale("log")
    bx.set_xlabel(FIELD_LABEL)
    bx.set_ylabel(r"resonant ATS $\tan\delta$ [$10^{-6}$]")
    bx.set_title(f"(b) resonant loss at {frequency_text(fs[-1])}, drive $P/P_c$")
    bx.legend(fontsize=7)
    table = "6" if glass == "SiO2+xCyHz" else "5"
    fig.suptitle(f"ATS dielectric response at GHz (Table {table} row)", fontsize=9)
    return fig
