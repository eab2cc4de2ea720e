"""Figures of measured resonator traces and their fits (:mod:`etm.resonator.s21`).

Each function returns a :class:`matplotlib.figure.Figure` made without pyplot (no global figure
registry, so a series of 20 traces leaves nothing open and needs no display); matplotlib is
imported inside the functions. Plotting never changes the fits it draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from etm.resonator.s21 import S21Fit, S21Table

__all__ = ["fig_s21_fit", "fig_s21_series", "write_s21_figures"]


def _label(fit: S21Fit) -> str:
    T = f"T = {fit.T_K * 1e3:.1f} mK" if np.isfinite(fit.T_K) else "T unknown"
    P = f", P = {fit.P_dBm:g} dBm" if np.isfinite(fit.P_dBm) else ""
    return f"{Path(fit.path).name}: {T}{P}"


def fig_s21_fit(fit: S21Fit) -> Figure:
    """One trace with its fit: |S21| [dB] against frequency, and the normalized IQ circle.

    Parameters
    ----------
    fit : S21Fit
        A fit from :func:`etm.resonator.s21.fit_trace`.

    Returns
    -------
    matplotlib.figure.Figure
        Left: measured |S21| (dots) and the fitted full model (line, with the environment and
        the cable delay) against f - f0. Right: the data and the model with the environment and
        delay removed, in the complex plane (the resonance circle).
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9.0, 3.8), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.4, 1.0]})
    df_MHz = (fit.f_Hz - fit.f0_Hz) / 1e6
    ax1.plot(df_MHz, 20 * np.log10(np.abs(fit.s21)), ".", ms=2, color="0.45", label="measured")
    ax1.plot(df_MHz, 20 * np.log10(np.abs(fit.s21_model)), "-", color="C3", lw=1.2, label="fit")
    ax1.set_xlabel(f"$f - f_0$ [MHz], $f_0$ = {fit.f0_Hz / 1e9:.7f} GHz")
    ax1.set_ylabel(r"$|S_{21}|$ [dB]" if fit.geometry == "notch" else r"$|S_{11}|$ [dB]")
    ax1.legend(fontsize=8, loc="lower left")
    ax1.set_title(_label(fit), fontsize=9)
    ax2.plot(fit.s21_norm.real, fit.s21_norm.imag, ".", ms=2, color="0.45")
    ax2.plot(fit.s21_model_norm.real, fit.s21_model_norm.imag, "-", color="C3", lw=1.2)
    ax2.set_aspect("equal", adjustable="datalim")
    ax2.set_xlabel("Re (normalized)")
    ax2.set_ylabel("Im (normalized)")
    ax2.set_title(
        f"$Q_i$ = {fit.Qi:.4g} ± {fit.sigma_Qi:.2g}, $Q_c$ = {fit.Qc:.4g}, $Q_l$ = {fit.Ql:.4g}",
        fontsize=9,
    )
    return fig


def fig_s21_series(table: S21Table) -> Figure:
    """f0(T) and Qi(T) of a series of fitted traces, with their one-sigma errors.

    Parameters
    ----------
    table : S21Table
        From :func:`etm.resonator.s21.analyze_files`.

    Returns
    -------
    matplotlib.figure.Figure
        Left: f0 - f0(lowest T) [kHz]; right: Qi; both against T [mK].
    """
    from matplotlib.figure import Figure

    T_mK = table.column("T_K") * 1e3
    f0 = table.column("f_Hz")
    fig = Figure(figsize=(9.0, 3.6), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    ref = f0[np.nanargmin(T_mK)] if np.isfinite(T_mK).any() else f0[0]
    ax1.errorbar(
        T_mK, (f0 - ref) / 1e3, yerr=table.column("sigma_f_Hz") / 1e3, fmt="o", ms=3, capsize=2
    )
    ax1.set_xlabel("T [mK]")
    ax1.set_ylabel(r"$f_0 - f_0(T_{min})$ [kHz]")
    ax1.set_title(rf"$f_0(T_{{min}})$ = {ref / 1e9:.7f} GHz", fontsize=9)
    ax2.errorbar(T_mK, table.column("Qi_1"), yerr=table.column("sigma_1"), fmt="o", ms=3, capsize=2)
    ax2.set_xlabel("T [mK]")
    ax2.set_ylabel("$Q_i$")
    fig.suptitle(f"{table.geometry} fits, {table.fitter} {table.fitter_version}", fontsize=9)
    return fig


def write_s21_figures(
    table: S21Table, out_dir: str | Path, *, formats: Sequence[str] = ("png",), dpi: int = 120
) -> list[Path]:
    """Draw every trace's fit and the series into ``out_dir``; return the files written.

    One file per trace and format, ``<file stem>_fit.<format>``, and ``s21_series.<format>``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    figures = [(f"{Path(fit.path).stem}_fit", fig_s21_fit(fit)) for fit in table.fits]
    figures.append(("s21_series", fig_s21_series(table)))
    for stem, fig in figures:
        for fmt in formats:
            path = out / f"{stem}.{fmt}"
            fig.savefig(path, dpi=dpi)
            written.append(path)
    return written
