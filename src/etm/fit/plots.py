"""Figures of a fit report: each curve with its fit (and posterior-predictive band), the corner
plot, an overlay of all curves, the per-curve parameters against temperature.

Every figure is a :class:`matplotlib.figure.Figure` made without pyplot (no GUI backend is
touched); matplotlib is imported inside each function. Used by :mod:`etm.fit.report`
(docs/fitting.md, "Walk-through").
"""

from __future__ import annotations

import io as _io
from collections.abc import Sequence
from typing import Any

import numpy as np

from etm.fit.engine import FitResult

__all__ = [
    "corner_figure",
    "corner_groups",
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


def _table(result: FitResult, table: dict[str, Any] | None) -> dict[str, Any]:
    from etm.fit.curves import curves_table

    return curves_table(result) if table is None else table


def _line_order(c: Any, d: dict[str, Any]) -> np.ndarray:
    """Rows in the order a model line is drawn: the data's, or for a curve over several axes
    (a Q_i(T, n) grid) by the first axis within each value of the last, -1 between them."""
    names = [n.strip() for n in c.x_name.split(",")]
    if len(names) == 1:
        return np.arange(d["data"].size)
    key, out = d[names[-1]], []
    for k in np.unique(key):
        g = np.flatnonzero(key == k)
        out += [*g[np.argsort(d[names[0]][g])], -1]
    return np.array(out[:-1], dtype=int)


def _line(order: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``y`` in the order of :func:`_line_order`, NaN (a break in the line) at -1."""
    return np.where(order >= 0, np.asarray(y, dtype=float)[order], np.nan)


def fit_figure(
    result: FitResult, curve: int, band: bool = True, table: dict[str, Any] | None = None
) -> Any:
    """Data with error bars, the best-fit model (and its terms, dashed), the posterior-
    predictive 16-84 % band of the model when MCMC ran, and the residuals of one curve, all
    drawn from the rows of ``curves.csv`` (:func:`etm.fit.curves.curves_table`)."""
    from matplotlib.figure import Figure

    t = _table(result, table)
    rows = t["index"][curve]
    d = {k: v[rows] for k, v in t["data"].items() if k != "curve"}
    c = result.curves[curve]
    xname = c.x_name.split(",")[0].strip()
    x = d[xname]
    o = _line_order(c, d)
    scale, ylabel = y_scale(result.observable, c.y_name)
    _, log_x = _fine_x(x, 2)
    fig = Figure(figsize=(6.0, 5.0), layout="constrained")
    ax, axr = fig.subplots(2, 1, sharex=True, height_ratios=(3, 1))
    label = "data" + (
        " (sigma estimated)" if result.sigma_estimated[curve : curve + 1] == (True,) else ""
    )
    ax.errorbar(x, d["data"] * scale, yerr=d["sigma"] * scale, fmt="o", ms=3, color="k",
                label=label)  # fmt: skip
    if band and result.mcmc is not None:
        from etm.fit.mcmc import predictive_band

        q = predictive_band(result, curve, c.x)
        ax.fill_between(_line(o, x), _line(o, q[0]) * scale, _line(o, q[2]) * scale, color="C3",
                        alpha=0.3, lw=0, label="posterior 16-84 %")  # fmt: skip
    ax.plot(_line(o, x), _line(o, d["model"]) * scale, color="C3", label="fit")
    colors = ("C0", "C1", "C2", "C4", "C5", "C6", "C8", "C9")  # C3 is the fit's
    for j, name in enumerate(result.components):
        y = d[f"model_{name}"]
        if np.any(y != 0):
            ax.plot(_line(o, x), _line(o, y) * scale, ls="--", lw=0.9,
                    color=colors[j % len(colors)], label=name)  # fmt: skip
    ax.set_ylabel(ylabel)
    ax.set_title(curve_label(result, curve))
    ax.legend(fontsize=7, ncol=2)
    axr.axhline(0.0, color="0.5", lw=0.8)
    axr.plot(x, d["residual"], "o", ms=3, color="k")
    axr.set_ylabel("(data - fit)/σ")
    axr.set_xlabel(xname.replace("_", " [") + "]")
    if log_x:
        axr.set_xscale("log")
    return fig


def overlay_figure(result: FitResult, table: dict[str, Any] | None = None) -> Any:
    """All curves of the fit in one panel: data and best fit, one colour per curve (from the
    rows of ``curves.csv``)."""
    from matplotlib.figure import Figure

    t = _table(result, table)
    fig = Figure(figsize=(6.0, 4.0), layout="constrained")
    ax = fig.subplots()
    log_any = False
    for i, c in enumerate(result.curves):
        rows = t["index"][i]
        xname = c.x_name.split(",")[0].strip()
        x = t["data"][xname][rows]
        scale, ylabel = y_scale(result.observable, c.y_name)
        log_any |= _fine_x(x, 2)[1]
        col = f"C{i % 10}"
        ax.plot(x, t["data"]["data"][rows] * scale, "o", ms=3, color=col,
                label=curve_label(result, i))  # fmt: skip
        ax.plot(x, t["data"]["model"][rows] * scale, color=col, lw=1.2)
    ax.set_ylabel(ylabel)
    ax.set_xlabel(result.curves[0].x_name.split(",")[0].replace("_", " [") + "]")
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


#: Above this many sampled parameters the corner plot is split by curve (:func:`corner_groups`).
CORNER_MAX_PARAMETERS = 8


def corner_groups(result: FitResult) -> list[tuple[int | None, list[str]]]:
    """The sampled parameters drawn together: all of them in one corner plot when there are at
    most :data:`CORNER_MAX_PARAMETERS`; else one plot of the shared parameters (curve ``None``)
    and one per curve of its own parameters beside the shared ones (a corner of 14 parameters
    is unreadable; the correlations across curves stay in the report's matrix)."""
    names = list(result.mcmc.var_names)
    if len(names) <= CORNER_MAX_PARAMETERS:
        return [(None, names)]
    curve = {e.fit_name: e.curve for e in result.estimates}
    shared = [n for n in names if curve.get(n) is None]
    groups: list[tuple[int | None, list[str]]] = [(None, shared)] if shared else []
    for i in range(len(result.curves)):
        own = [n for n in names if curve.get(n) == i]
        if own:
            groups.append((i, own + shared))
    return groups


def corner_figure(result: FitResult, names: Sequence[str] | None = None) -> Any:
    """Corner plot of the MCMC posterior (fit space: log10 for ``log10_*``), best fit marked;
    ``names``: the sampled parameters to draw (all by default).

    Contours need a few hundred samples; with fewer (a short chain) only the points and
    histograms are drawn, and corner's "Too few points" log lines are kept off the terminal.
    """
    import logging

    import corner
    from matplotlib.figure import Figure

    if result.mcmc is None:
        raise ValueError("corner_figure needs a result with MCMC samples (run_mcmc)")
    m = result.mcmc
    names = list(m.var_names) if names is None else list(names)
    cols = [m.var_names.index(k) for k in names]
    best = [result.lmfit_result.params[k].value for k in names]
    n = len(names)
    fig = Figure(figsize=(1.6 * n + 1.2, 1.6 * n + 1.2))
    few = m.flatchain.shape[0] < 500

    class _Quiet(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            return "Too few points" not in record.getMessage()

    root = logging.getLogger()
    quiet = _Quiet()
    root.addFilter(quiet)
    try:
        return corner.corner(
            m.flatchain[:, cols],
            labels=names,
            truths=best,
            fig=fig,
            quantiles=(0.1587, 0.5, 0.8413),
            label_kwargs={"fontsize": 9},
            max_n_ticks=3,
            use_math_text=True,
            plot_contours=not few,
            plot_density=not few,
        )
    finally:
        root.removeFilter(quiet)


def png_bytes(fig: Any, dpi: int = 110) -> bytes:
    """The figure as PNG bytes."""
    buf = _io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
