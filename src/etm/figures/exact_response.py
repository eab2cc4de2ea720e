"""Figures of the exact three-level dielectric response and echo (docs/exact_response.md).

:func:`fig_exact_eps`: eps'(B) to 30 T for the Table 5 glasses, weak field against the exact
three-level ensemble at two loop areas; :func:`fig_exact_echo`: the echo a(B) to 10 T for BAS
and BK7 (the essay's Fig. 16 inset) with all three levels. matplotlib is imported lazily.
"""

from __future__ import annotations

import numpy as np

from etm import materials
from etm.dielectric.ats import relative_change
from etm.dielectric.exact import exact_relative_change
from etm.echo.closed_form import amplitude
from etm.echo.exact import exact_amplitude
from etm.figures.common import pyplot

__all__ = ["ECHO_PRESETS", "EPS_ROWS", "fig_exact_echo", "fig_exact_eps"]

#: (glass, T [K]) rows of Table 5 drawn by :func:`fig_exact_eps`.
EPS_ROWS: tuple[tuple[str, float], ...] = (
    ("BK7", 0.015),
    ("Duran", 0.015),
    ("BAS", 0.05),
    ("BAS", 0.094),
    ("BAS", 0.12),
)
#: Table 7 rows drawn by :func:`fig_exact_echo`.
ECHO_PRESETS: tuple[str, ...] = (
    "BAS sample 1",
    "BAS sample 2",
    "BK7 tau12 = 1.5 us",
    "BK7 tau12 = 6 us",
)


def fig_exact_eps(n_B: int = 200, B_max_T: float = 30.0, areas_A2=(1e4, 3e4), rows=EPS_ROWS):
    """Relative change of eps' to ``B_max_T``: weak field vs exact three-level (Table 5).

    Parameters
    ----------
    n_B : int
        Number of fields in [0, B_max_T].
    B_max_T : float
        Top field [T].
    areas_A2 : tuple of float
        Loop areas S [angstrom^2] of the exact curves.
    rows : tuple of (str, float)
        (glass, T [K]) rows of Table 5, at most five panels.

    Returns
    -------
    matplotlib.figure.Figure
        Five Table 5 panels and the BAS 50 mK difference (exact - weak)/max|weak|.
    """
    plt = pyplot()
    B = np.linspace(0.0, B_max_T, n_B)
    fig, axes = plt.subplots(2, 3, figsize=(13, 7.5), sharex=True)
    styles = ("C0--", "C3:", "C2-.")
    for ax, (g, T) in zip(axes.flat[:5], rows, strict=False):
        p = materials.dielectric_row(g, T).params
        ax.plot(B, relative_change(T, B, p) * 1e5, "k-", label="weak field (etm.dielectric)")
        for S, st in zip(areas_A2, styles, strict=False):
            e = exact_relative_change(T, B, p, loop_area_A2=S)
            ax.plot(B, e * 1e5, st, label=f"exact 3-level, S = {S:.0e} A$^2$")
        ax.set_title(f"{g}, {T * 1e3:.0f} mK (Table 5)")
        ax.set_ylabel(r"$\Delta\epsilon'/\epsilon'$ [1e-5]")
    ax = axes.flat[-1]
    p = materials.dielectric_row("BAS", 0.05).params
    w = relative_change(0.05, B, p)
    for S, st in zip(areas_A2, styles, strict=False):
        e = exact_relative_change(0.05, B, p, loop_area_A2=S)
        ax.plot(B, (e - w) / np.max(np.abs(w)), st[:2] + "-", label=f"S = {S:.0e} A$^2$")
    ax.set_title("BAS 50 mK: (exact - weak)/max|weak|")
    ax.legend(fontsize=8)
    for a in axes[-1]:
        a.set_xlabel("B [T]")
    axes.flat[0].legend(fontsize=8)
    fig.suptitle("Exact three-level relative change of eps' (isotropic, 1 kHz, frozen)")
    fig.tight_layout()
    return fig


def fig_exact_echo(
    n_B: int = 26, B_max_T: float = 10.0, loop_area_A2: float = 1e4, presets=ECHO_PRESETS
):
    """Echo a(B)/a(0.6 T) to ``B_max_T``: weak field vs exact three-level (Table 7, Fig. 16 inset).

    Parameters
    ----------
    n_B : int
        Number of fields: 0, 0.05, 0.1, 0.2, 0.3, 0.45, 0.6 T and the rest linear to B_max_T
        (n_B <= 7: the first n_B of these, normalized at the last).
    B_max_T : float
        Top field [T], <= B_2pi/2 of the loop area.
    loop_area_A2 : float
        Loop area S [angstrom^2].
    presets : tuple of str
        Table 7 rows, one panel each (at most four).

    Returns
    -------
    matplotlib.figure.Figure
        One panel per Table 7 row: weak field, exact (psi-averaged Rabi), exact (rms Rabi).
    """
    plt = pyplot()
    low = np.array([0.0, 0.05, 0.1, 0.2, 0.3, 0.45, 0.6])
    if n_B <= low.size:
        B = low[: max(n_B, 2)]
    else:
        B = np.concatenate([low, np.linspace(1.0, B_max_T, n_B - low.size)])
    fig, axes = plt.subplots(2, 2, figsize=(11, 8), sharex=True)
    i6 = min(6, B.size - 1)  # B = 0.6 T, the essay's normalization
    for ax, name in zip(axes.flat, presets, strict=False):
        pre = materials.echo_row(name)
        args = (pre.T_K, B, pre.params, pre.pulses)
        curves = (
            (amplitude(*args, matrix_elements="exact"), "k-", "weak field (etm.echo)"),
            (exact_amplitude(*args, loop_area_A2=loop_area_A2), "C0o-", "exact, psi-averaged"),
            (
                exact_amplitude(*args, loop_area_A2=loop_area_A2, rabi="rms"),
                "C3s--",
                "exact, rms Rabi (essay's approx.)",
            ),
        )
        for y, st, lab in curves:
            ax.plot(B, y / y[i6], st, ms=3, label=lab)
        ax.set_title(f"{name} (Table 7), S = {loop_area_A2:.0e} A$^2$")
        ax.set_ylabel(f"a(B)/a({B[i6]:g} T)")
    axes.flat[0].legend(fontsize=8)
    for a in axes[-1]:
        a.set_xlabel("B [T]")
    fig.suptitle("ATS echo a(B) with all three levels (Fig. 16 inset), isotropic")
    fig.tight_layout()
    return fig
