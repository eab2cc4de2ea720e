"""Figures of the exact three-level dielectric response and echo (docs/exact_response.md).

:func:`fig_exact_eps`: eps'(B) to 30 T for the Table 5 glasses, weak field against the exact
three-level ensemble at two loop areas; :func:`fig_exact_echo`: the echo a(B) to 10 T for the
Table 7 rows of BAS (Fig. 15) and BK7 (Fig. 16 and its high-field inset) with all three levels.
Both on log field axes, on grids refined where the curves bend and node counts chosen for a
figure (:data:`FIGURE_GRID`, :data:`ECHO_FIGURE_GRID`). matplotlib is imported lazily.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from etm import materials
from etm.constants import field_for_2pi
from etm.dielectric.ats import relative_change
from etm.dielectric.exact import RESPONSE_GRID, exact_relative_change
from etm.echo.closed_form import amplitude
from etm.echo.exact import DEFAULT_ECHO_GRID, EchoGrid, exact_amplitude
from etm.ensemble import ExactGrid
from etm.figures.common import (
    FIELD_LABEL,
    log_field_axis,
    pyplot,
    refine_grid,
    row_label,
    tex_number,
)

__all__ = [
    "ECHO_FIELDS_T",
    "ECHO_FIGURE_GRID",
    "ECHO_PRESETS",
    "EPS_ROWS",
    "FIGURE_GRID",
    "fig_exact_echo",
    "fig_exact_eps",
]

#: (glass, T [K]) rows of Table 5 drawn by :func:`fig_exact_eps`.
EPS_ROWS: tuple[tuple[str, float], ...] = (
    ("BK7", 0.015),
    ("Duran", 0.015),
    ("BAS", 0.05),
    ("BAS", 0.094),
    ("BAS", 0.12),
)
#: Node counts of the exact curves of :func:`fig_exact_eps`: coarser than
#: :data:`etm.dielectric.exact.RESPONSE_GRID` (which is converged far beyond a figure's needs),
#: within 2.5e-5 of max|weak| of it on every Table 5 row (a pixel is ~2.5e-3 of a panel;
#: tests/test_figures.py), at ~1/8 of its cost.
FIGURE_GRID = replace(RESPONSE_GRID, n_lnD=3, n_tail=4, n_lnD0=4, n_theta=6, n_phase=3)
#: Node counts of the exact echo curves of :func:`fig_exact_echo`: the pulse field's direction
#: on 2 x 3 nodes instead of 4 x 8, fewer u, ln D0, theta and core nodes; within 2.3e-3 of
#: :data:`etm.echo.exact.DEFAULT_ECHO_GRID` in a(B)/a(0.6 T) on every Table 7 row at 0.03-10 T
#: (a pixel is ~2.5e-3 of a panel; tests/test_figures.py), at ~1/15 of its cost.
ECHO_FIGURE_GRID = replace(
    DEFAULT_ECHO_GRID, n_tilt=2, n_psi=3, n_u=10, n_lnD0=3, n_core=2, n_theta=3, core=16.0
)
#: Fields [T] of the exact echo curves of :func:`fig_exact_echo`: 3 a decade on the log axis,
#: denser at 0.15-0.6 T where the Table 7 curves bend (BAS sample 2's peak, BK7's low-field
#: step), with 0.6 T, the essay's normalisation; 0.03 T stands for the zero-field plateau.
ECHO_FIELDS_T: tuple[float, ...] = (0.03, 0.15, 0.3, 0.6, 1.2, 2.5, 5.0, 10.0)
#: Table 7 rows drawn by :func:`fig_exact_echo`.
ECHO_PRESETS: tuple[str, ...] = (
    "BAS sample 1",
    "BAS sample 2",
    "BK7 tau12 = 1.5 us",
    "BK7 tau12 = 6 us",
)


def _eps_curves(glass, T_K, B0, areas_A2, grid, tol):
    """The weak-field curve and the exact one per loop area on one field grid, refined where
    any of them bends (:func:`etm.figures.common.refine_grid`, log B).

    The grid is refined first on the weak-field curve alone (milliseconds a call), then on all
    curves: an exact call costs ~20 ms plus ~1 ms a field, so few calls on many fields are
    cheaper than many calls on few."""
    p = materials.dielectric_row(glass, T_K).params

    def weak(B):
        return relative_change(T_K, B, p)

    def curves(B):
        exact = [exact_relative_change(T_K, B, p, loop_area_A2=S, grid=grid) for S in areas_A2]
        return np.vstack([weak(B), *exact])

    B, _ = refine_grid(weak, B0, log=True, tol=tol)
    return refine_grid(curves, B, log=True, tol=tol, n_split=4)


def fig_exact_eps(
    n_B: int = 40,
    B_max_T: float = 30.0,
    areas_A2=(1e4, 3e4),
    rows=EPS_ROWS,
    *,
    B_min_T: float = 1e-3,
    tol: float = 2e-3,
    grid: ExactGrid = FIGURE_GRID,
):
    """Relative change of eps' to ``B_max_T``: weak field vs exact three-level (Table 5).

    The fields are log-spaced (the weak-field structure sits at 0.01-1 T, the exact route's
    departures at B_2pi = h/(eS) and above) and refined where a curve bends, so the drawn
    steps do not depend on the starting grid; the exact curves use :data:`FIGURE_GRID`.

    Parameters
    ----------
    n_B : int
        Number of starting fields, log-spaced in [B_min_T, B_max_T].
    B_max_T : float
        Top field [T].
    areas_A2 : tuple of float
        Loop areas S [angstrom^2] of the exact curves.
    rows : tuple of (str, float)
        (glass, T [K]) rows of Table 5, at most five panels.
    B_min_T : float
        Lowest field [T].
    tol : float
        Refinement tolerance of :func:`etm.figures.common.refine_grid` (fraction of a curve's
        range).
    grid : ExactGrid
        Node counts of the exact curves.

    Returns
    -------
    matplotlib.figure.Figure
        Five Table 5 panels and the BAS 50 mK difference (exact - weak)/max|weak|; dotted
        verticals at B_2pi = h/(eS) of each loop area.
    """
    plt = pyplot()
    B0 = log_field_axis(max(n_B, 3), B_min_T, B_max_T)
    fig, axes = plt.subplots(2, 3, figsize=(12.5, 7.2), sharex=True, layout="constrained")
    styles = ("C0--", "C3:", "C2-.")
    area_text = [f"$S = {tex_number(S, 2)}$ Å$^2$" for S in areas_A2]
    done = {}
    for ax, (g, T) in zip(axes.flat[:5], rows, strict=False):
        B, y = done[(g, T)] = _eps_curves(g, T, B0, areas_A2, grid, tol)
        ax.plot(B, y[0] * 1e5, "k-", lw=1.6, label="weak field (etm.dielectric)")
        for e, st, lab in zip(y[1:], styles, area_text, strict=False):
            ax.plot(B, e * 1e5, st, lw=1.3, label=f"exact three-level, {lab}")
        ax.set_title(f"{g}, {T * 1e3:.0f} mK (Table 5)", fontsize=10)
        ax.set_ylabel(r"$\Delta\varepsilon'/\varepsilon'$ [$10^{-5}$]")
    ax = axes.flat[-1]
    B, y = done.get(("BAS", 0.05)) or _eps_curves("BAS", 0.05, B0, areas_A2, grid, tol)
    w = y[0]
    for e, st, lab in zip(y[1:], styles, area_text, strict=False):
        ax.plot(B, (e - w) / np.max(np.abs(w)), st[:2] + "-", lw=1.3, label=lab)
    ax.axhline(0.0, color="0.6", lw=0.6)
    ax.set_title("BAS, 50 mK: (exact $-$ weak)/max|weak|", fontsize=10)
    ax.set_ylabel("relative difference")
    ax.legend(fontsize=8, loc="upper left")
    marks = [
        (float(field_for_2pi(S)), lab)
        for S, lab in zip(areas_A2, area_text, strict=False)
        if field_for_2pi(S) < B_max_T
    ]
    for a in axes.flat:
        a.set_xscale("log")
        a.set_xlim(B_min_T, B_max_T)
        for B2pi, _ in marks:
            a.axvline(B2pi, color="0.45", lw=0.8, ls=(0, (1, 2)))
    for a in axes[-1]:
        a.set_xlabel(FIELD_LABEL)
    for B2pi, lab in marks:
        text = f"$B_{{2\\pi}} = h/(eS)$ = {B2pi:.3g} T at {lab}"
        axes.flat[0].plot([], [], color="0.45", lw=0.8, ls=(0, (1, 2)), label=text)
    axes.flat[0].legend(fontsize=8, loc="lower left")
    fig.suptitle(
        "Exact three-level relative change of $\\varepsilon'$ (isotropic loops, "
        "$f$ = 1 kHz, relaxation frozen)"
    )
    return fig


def fig_exact_echo(
    n_B: int | None = None,
    B_max_T: float = 10.0,
    loop_area_A2: float = 1e4,
    presets=ECHO_PRESETS,
    *,
    fields_T=ECHO_FIELDS_T,
    B_min_T: float = 0.03,
    grid: EchoGrid = ECHO_FIGURE_GRID,
    workers: int = 2,
):
    """Echo a(B)/a(0.6 T) to ``B_max_T``: weak field vs exact three-level (Table 7).

    The weak-field curves are drawn on a log field grid refined where they bend
    (:func:`etm.figures.common.refine_grid`); the exact ones (markers) at the fields
    :data:`ECHO_FIELDS_T` (3 a decade, denser where the weak-field curves bend, with 0.6 T),
    on the figure's grid :data:`ECHO_FIGURE_GRID`, on ``workers`` threads.

    Parameters
    ----------
    n_B : int, optional
        If given, the exact curves take ``n_B`` log-spaced fields in [B_min_T, B_max_T] and
        0.6 T instead of ``fields_T``.
    B_max_T : float
        Top field [T], <= B_2pi/2 of the loop area.
    loop_area_A2 : float
        Loop area S [angstrom^2].
    presets : tuple of str
        Table 7 rows, one panel each (at most four).
    fields_T : tuple of float
        Fields [T] of the exact curves (0.6 T among them).
    B_min_T : float
        Lowest field [T] (log axis).
    grid : EchoGrid
        Node counts of the exact curves.
    workers : int
        Threads of the exact route (:func:`etm.echo.exact.exact_amplitude`).

    Returns
    -------
    matplotlib.figure.Figure
        One panel per Table 7 row (BAS: Fig. 15's rows; BK7: Fig. 16's and its high-field
        inset): weak field and exact with the pulse field's direction averaged, and exact with
        one rms Rabi frequency (the essay's approximation).
    """
    plt = pyplot()
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.6), sharex=True, layout="constrained")
    B_norm = 0.6  # the essay's normalisation
    if n_B is None:
        Be = np.array(sorted(b for b in fields_T if B_min_T <= b <= B_max_T))
    else:
        Be = np.unique(np.r_[np.geomspace(B_min_T, B_max_T, max(n_B, 2)), B_norm])
    for ax, name in zip(axes.flat, presets, strict=False):
        pre = materials.echo_row(name)

        def weak(B, pre=pre):
            return amplitude(pre.T_K, B, pre.params, pre.pulses)

        Bw, w = refine_grid(weak, np.r_[np.geomspace(B_min_T, B_max_T, 30), B_norm], log=True)
        opts = {"loop_area_A2": loop_area_A2, "grid": grid, "workers": workers}
        ex = exact_amplitude(pre.T_K, Be, pre.params, pre.pulses, **opts)
        rms = exact_amplitude(pre.T_K, Be, pre.params, pre.pulses, rabi="rms", **opts)
        i = int(np.flatnonzero(Be == B_norm)[0])
        iw = int(np.flatnonzero(Bw == B_norm)[0])
        curves = (
            (Bw, w / w[iw], "k-", "weak field (etm.echo), field direction averaged"),
            (Be, ex / ex[i], "C0o-", "exact three-level, field direction averaged"),
            (
                Be,
                rms / rms[i],
                "C3s--",
                "exact, one rms Rabi frequency (the essay's approximation)",
            ),
        )
        for B, y, st, lab in curves:
            ax.plot(B, y, st, ms=4, lw=1.4 if st == "k-" else 1.0, label=lab)
        ax.axvline(B_norm, color="0.7", lw=0.6)
        glass = "Fig. 15" if pre.glass == "BAS" else "Fig. 16"
        ax.set_title(f"{row_label(name)} (Table 7; {glass})", fontsize=10)
        ax.set_ylabel(r"$a(B)/a(0.6\,{\rm T})$")
        ax.set_xscale("log")
        ax.set_xlim(0.85 * B_min_T, 1.15 * B_max_T)  # the end markers whole
    for a in axes[-1]:
        a.set_xlabel(FIELD_LABEL)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=3, fontsize=8)
    fig.suptitle(
        "ATS echo $a(B)$ with all three levels to 10 T, BAS and BK7 (isotropic loops, "
        f"$S = {tex_number(loop_area_A2, 2)}$ Å$^2$)",
        fontsize=11,
    )
    return fig
