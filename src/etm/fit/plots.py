"""Figures of a fit report: each curve with its fit (and posterior-predictive band), the corner
plot, an overlay of all curves, the per-curve parameters against temperature.

Every figure is a :class:`matplotlib.figure.Figure` made without pyplot (no GUI backend is
touched); matplotlib is imported inside each function. Used by :mod:`etm.fit.report`
(docs/fitting.md, "Walk-through").
"""

from __future__ import annotations

import io as _io
from typing import Any

import numpy as np

from etm.fit.engine import FitResult

__all__ = [
    "corner_figure",
    "curve_label",
    "fit_figure",
    "overlay_figure",
    "parameters_vs_T_figure",
    "png_bytes",
    "y_scale",
]

#: Scale for plotting: heat capacities J/(g K) -> uJ/(g K); relative changes of eps' in 1e-5.
_PLOT_SCALE = {
    "Cp_J_per_gK": (1e6, r"$C_p$ [$\mu$J g$^{-1}$ K$^{-1}$]"),
    "rel_1": (1e5, r"$[\varepsilon'(B) - \varepsilon'(0)]/\varepsilon'$ [$10^{-5}$]"),
}
#: Labels of observables whose y column shares a unit name with another's (``rel_1``).
_PLOT_SCALE_BY_OBSERVABLE = {"echo": (1.0, r"$A(B)/A(B_\mathrm{high})$")}


def y_scale(observable: str, y_name: str) -> tuple[float, str]:
    """(factor, axis label) for plotting a curve's y values."""
    return _PLOT_SCALE_BY_OBSERVABLE.get(observable, _PLOT_SCALE.get(y_name, (1.0, y_name)))


def curve_label(result: FitResult, i: int) -> str:
    """The curve's file stem and its fixed coordinate, e.g. ``cp_BAS_0.60K (T = 0.6 K)``."""
    c = result.curves[i]
    other = "T_K" if c.x_name == "B_T" else "B_T"
    v = c.metadata.get(other)
    tag = f"{other.split('_')[0]} = {v:g} {other.split('_')[1]}" if v is not None else ""
    return f"{c.label} ({tag})" if tag else c.label


def _fine_x(x: np.ndarray, n: int) -> tuple[np.ndarray, bool]:
    # fields spanning decades (dielectric curves, the essay's Figs. 10-12) on a log axis
    log_x = bool(x.min() > 0 and x.max() > 100 * x.min())
    return (np.geomspace if log_x else np.linspace)(x.min(), x.max(), n), log_x


def fit_figure(result: FitResult, curve: int, n_fine: int = 201, band: bool = True) -> Any:
    """Data with error bars, the best-fit model (and its terms, dashed), the posterior-
    predictive 16-84 % band of the model when MCMC ran, and the residuals of one curve."""
    from matplotlib.figure import Figure

    c = result.curves[curve]
    scale, ylabel = y_scale(result.observable, c.y_name)
    x, log_x = _fine_x(c.x, n_fine)
    parts = result.model_parts(curve, x)
    fig = Figure(figsize=(6.0, 5.0), layout="constrained")
    ax, axr = fig.subplots(2, 1, sharex=True, height_ratios=(3, 1))
    if c.sigma is not None:
        ax.errorbar(c.x, c.y * scale, yerr=c.sigma * scale, fmt="o", ms=3, color="k", label="data")
    else:
        ax.plot(c.x, c.y * scale, "o", ms=3, color="k", label="data")
    if band and result.mcmc is not None:
        from etm.fit.mcmc import predictive_band

        xb, _ = _fine_x(c.x, 61)
        q = predictive_band(result, curve, xb)
        ax.fill_between(
            xb, q[0] * scale, q[2] * scale, color="C3", alpha=0.3, lw=0, label="posterior 16-84 %"
        )
    ax.plot(x, sum(parts.values()) * scale, color="C3", label="fit")
    colors = ("C0", "C1", "C2", "C4", "C5", "C6", "C8", "C9")  # C3 is the fit's
    for j, (name, y) in enumerate(parts.items()):
        if np.any(y != 0):
            ax.plot(x, y * scale, ls="--", lw=0.9, color=colors[j % len(colors)], label=name)
    ax.set_ylabel(ylabel)
    ax.set_title(curve_label(result, curve))
    ax.legend(fontsize=7, ncol=2)
    axr.axhline(0.0, color="0.5", lw=0.8)
    axr.plot(c.x, result.residuals[curve], "o", ms=3, color="k")
    axr.set_ylabel("(data - fit)/σ" if result.weighted else "data - fit")
    axr.set_xlabel(c.x_name.replace("_", " [") + "]")
    if log_x:
        axr.set_xscale("log")
    return fig


def overlay_figure(result: FitResult, n_fine: int = 201) -> Any:
    """All curves of the fit in one panel: data and best fit, one colour per curve."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.0, 4.0), layout="constrained")
    ax = fig.subplots()
    log_any = False
    for i, c in enumerate(result.curves):
        scale, ylabel = y_scale(result.observable, c.y_name)
        x, log_x = _fine_x(c.x, n_fine)
        log_any |= log_x
        col = f"C{i % 10}"
        ax.plot(c.x, c.y * scale, "o", ms=3, color=col, label=curve_label(result, i))
        ax.plot(x, result.model(i, x) * scale, color=col, lw=1.2)
    ax.set_ylabel(ylabel)
    ax.set_xlabel(result.curves[0].x_name.replace("_", " [") + "]")
    if log_any:
        ax.set_xscale("log")
    ax.set_title("all curves: data (points) and fits (lines)")
    ax.legend(fontsize=7)
    return fig


def parameters_vs_T_figure(result: FitResult) -> Any | None:
    """Each per-curve parameter against the curve's temperature (as the essay's Tables 2 and 4
    vary with T), least squares with error bars and, when MCMC ran, the posterior median with
    its 16-84 % interval. None if there are no per-curve parameters or temperatures."""
    from matplotlib.figure import Figure

    T = [c.metadata.get("T_K") for c in result.curves]
    per = [e for e in result.estimates if e.curve is not None]
    names = list(dict.fromkeys(e.name for e in per))
    if not names or any(not isinstance(t, int | float) for t in T):
        return None
    fig = Figure(figsize=(3.0 * len(names), 3.0), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(names)))
    m = result.mcmc
    for ax, n in zip(axes, names, strict=True):
        es = [result.estimate(n, i) for i in range(len(result.curves))]
        ax.errorbar(
            T,
            [e.value for e in es],
            yerr=[e.stderr or 0.0 for e in es],
            fmt="o",
            color="k",
            capsize=3,
            label="least squares",
        )
        if m is not None and m.names:
            pts = [
                (T[c], m.phys_quantiles[:, j])
                for j, (nn, c) in enumerate(zip(m.names, m.curves, strict=True))
                if nn == n and c is not None
            ]
            if pts:
                tt = np.array([p[0] for p in pts]) * 1.01
                q = np.array([p[1] for p in pts])
                ax.errorbar(
                    tt,
                    q[:, 1],
                    yerr=[q[:, 1] - q[:, 0], q[:, 2] - q[:, 1]],
                    fmt="s",
                    color="C3",
                    capsize=3,
                    label="MCMC 16/50/84 %",
                )
        ax.set_xlabel("T [K]")
        ax.set_ylabel(f"{n} [{es[0].unit}]")
        if n.startswith("X0"):
            ax.set_yscale("log")
    axes[0].legend(fontsize=7)
    return fig


def corner_figure(result: FitResult) -> Any:
    """Corner plot of the MCMC posterior (fit space: log10 for ``log10_*``), best fit marked."""
    import corner
    from matplotlib.figure import Figure

    if result.mcmc is None:
        raise ValueError("corner_figure needs a result with MCMC samples (run_mcmc)")
    m = result.mcmc
    best = [result.lmfit_result.params[n].value for n in m.var_names]
    n = len(m.var_names)
    fig = Figure(figsize=(1.3 * n + 1, 1.3 * n + 1))
    return corner.corner(
        m.flatchain,
        labels=list(m.var_names),
        truths=best,
        fig=fig,
        quantiles=(0.1587, 0.5, 0.8413),
        label_kwargs={"fontsize": 7},
        max_n_ticks=3,
    )


def png_bytes(fig: Any, dpi: int = 110) -> bytes:
    """The figure as PNG bytes."""
    buf = _io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
