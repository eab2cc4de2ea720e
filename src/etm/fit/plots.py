"""Figures of a fit report: each curve with its fit (and posterior-predictive band), the corner
plot, an overlay of all curves, the per-curve parameters against temperature.

Every figure is a :class:`matplotlib.figure.Figure` made without pyplot (no GUI backend is
touched); matplotlib is imported inside each function. Used by :mod:`etm.fit.report`
(docs/fitting.md, "Walk-through").
"""

from __future__ import annotations

import io as _io
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from etm.fit.engine import FitResult

__all__ = [
    "PARAM_SYMBOLS",
    "axis_label",
    "corner_figure",
    "corner_groups",
    "curve_label",
    "figure_names",
    "fit_figure",
    "overlay_figure",
    "parameters_vs_T_figure",
    "png_bytes",
    "report_figures",
    "slug",
    "unit_tex",
    "y_scale",
]

#: Scale for plotting: heat capacities J/(g K) -> uJ/(g K); relative changes of eps' in 1e-5.
_PLOT_SCALE = {
    "Cp_J_per_gK": (1e6, r"$C_p$ [$\mu$J g$^{-1}$ K$^{-1}$]"),
    "rel_1": (1e5, r"$[\varepsilon'(B) - \varepsilon'(0)]/\varepsilon'$ [$10^{-5}$]"),
}
#: Labels of observables whose y column shares a unit name with another's (``rel_1``).
_PLOT_SCALE_BY_OBSERVABLE = {
    "echo": (1.0, r"$A(B)/A(B_\mathrm{high})$"),
    "eps_T": (1e5, r"$\delta\varepsilon'/\varepsilon'$ [$10^{-5}$]"),
}
_PLOT_SCALE |= {
    "M_J_per_Tg": (1e3, r"$M$ [emu g$^{-1}$]"),  # 1 emu = 1e-3 J/T
    "tand_1": (1e6, r"$\tan\delta$ [$10^{-6}$]"),
    "Qi_1": (1.0, r"$Q_i$"),
    "f_Hz": (1e-9, r"$f_0$ [GHz]"),
}

#: Mathtext symbols of the fit parameters (:func:`axis_label`); others are drawn by name.
PARAM_SYMBOLS = {
    "A_2LS_per_a0": r"$A_\mathrm{2LS}$",
    "A_phonon_per_sK3": r"$A_\mathrm{ph}$",
    "C": r"$C$",
    "Delta_K": r"$\Delta$",
    "Dmin_K": r"$D_\mathrm{min}$",
    "E0_K": r"$E_0$",
    "F_delta0": r"$F\delta_0$",
    "Gamma_2LS_per_sK3": r"$\Gamma_\mathrm{2LS}$",
    "Gamma_inv_per_sK5": r"$\Gamma^{-1}$",
    "Pc_W": r"$P_c$",
    "S_TLS": r"$S_\mathrm{TLS}$",
    "T0_K": r"$T_0$",
    "X0max_KA2": r"$X_{0,\mathrm{max}}$",
    "X0min_KA2": r"$X_{0,\mathrm{min}}$",
    "alpha": r"$\alpha$",
    "amplitude_K": r"$A$",
    "beta": r"$\beta$",
    "beta1": r"$\beta_1$",
    "beta_J_per_gK4": r"$\beta$",
    "c_2LS_per_sK": r"$c_\mathrm{2LS}$",
    "c_per_sK": r"$c$",
    "chi_dia_J_per_T2g": r"$\chi_\mathrm{dia}$",
    "df_r_Hz": r"$\delta f_r$",
    "f_r_Hz": r"$f_r$",
    "inverse_Q_other": r"$1/Q_\mathrm{other}$",
    "nP2LS_per_g_per_K": r"$n_{P,\mathrm{2LS}}$",
    "nP_per_g": r"$nP$",
    "n_Fe2_per_g": r"$n_{\mathrm{Fe}^{2+}}$",
    "n_Fe3_per_g": r"$n_{\mathrm{Fe}^{3+}}$",
    "n_c": r"$n_c$",
    "p1F0_DkV_per_m": r"$p_1F_0$",
    "tan_omega_dtau": r"$\tan\omega\delta\tau$",
}


def unit_tex(unit: str) -> str:
    """A unit string of the fit (``"K A^2"``, ``"1/(s K^3)"``) in mathtext; "" if dimensionless.

    Examples
    --------
    >>> unit_tex("K A^2"), unit_tex("1/(s K^3)"), unit_tex("J/(g K^4)"), unit_tex("1")
    ('K Å$^{2}$', 's$^{-1}$ K$^{-3}$', 'J g$^{-1}$ K$^{-4}$', '')
    """
    if unit.strip() in ("", "1"):
        return ""
    num, _, den = unit.partition("/")
    parts = [] if num.strip() == "1" else [_unit_token(t, 1) for t in num.split()]
    parts += [_unit_token(t, -1) for t in den.strip().strip("()").split()]
    return " ".join(parts)


def _unit_token(t: str, sign: int) -> str:
    base, _, p = t.partition("^")
    power = sign * (int(p) if p else 1)
    base = {"A": "Å", "a0": "$a_0$", "us": "µs"}.get(base, base)
    return base if power == 1 else f"{base}$^{{{power}}}$"


def axis_label(name: str, unit: str, log10: bool = False, scale: int = 0) -> str:
    r"""An axis label for the parameter ``name``: its symbol, log10 if drawn so, and its unit
    (times 10^scale).

    Examples
    --------
    >>> axis_label("X0min_KA2", "K A^2", log10=True)
    '$\\log_{10}\\,X_{0,\\mathrm{min}}$ [K Å$^{2}$]'
    >>> axis_label("nP2LS_per_g_per_K", "1/(g K)", scale=17)
    '$n_{P,\\mathrm{2LS}}$ [$10^{17}$ g$^{-1}$ K$^{-1}$]'
    """
    sym = PARAM_SYMBOLS.get(name)
    if sym is None:  # no symbol: the name as plain text
        sym = f"log$_{{10}}$ {name}" if log10 else name
    elif log10:
        sym = rf"$\log_{{10}}\,{sym[1:-1]}$"
    u = unit_tex(unit)
    if scale:
        u = f"$10^{{{scale}}}$ {u}".strip()
    return f"{sym} [{u}]" if u else sym


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
        ax.set_xlabel("$T$ [K]")
        ax.set_ylabel(axis_label(n, es[0].unit))
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
    best = np.array([result.lmfit_result.params[k].value for k in names], dtype=float)
    data = m.flatchain[:, cols].copy()
    est = {e.fit_name: e for e in result.estimates}
    labels = []
    for k, name in enumerate(names):
        e = est.get(name)
        log10 = name.startswith("log10_")
        med = float(np.median(data[:, k]))
        # linear columns of large or small size in units of 10^p: no offset text to collide
        p = 0 if log10 or med == 0 or 1e-2 <= abs(med) < 1e3 else int(np.floor(np.log10(abs(med))))
        data[:, k] /= 10.0**p
        best[k] /= 10.0**p
        label = name if e is None else axis_label(e.name, e.unit, log10, p)
        if e is not None and e.curve is not None and len(result.curves) > 1:
            label = f"{label} ({e.curve})"
        labels.append(label)
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
            data,
            labels=labels,
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


def slug(text: str) -> str:
    """``text`` as a file-name part: runs of other characters than letters, digits, dot and
    dash become one underscore."""
    return re.sub(r"[^A-Za-z0-9.-]+", "_", text).strip("_") or "curve"


def figure_names(curves: Sequence[Any], mcmc: bool) -> list[str]:
    """The file names of a report's figures for ``curves`` (:func:`report_figures`)."""
    names = [f"fit_{i}_{slug(c.label)}.png" for i, c in enumerate(curves)]
    if len(curves) > 1:
        names.append("overlay.png")
    if mcmc:  # corner.png, and one per curve when the parameters are many (corner_groups)
        names.append("corner.png")
        if len(curves) > 1:
            names += [f"corner_{i}_{slug(c.label)}.png" for i, c in enumerate(curves)]
    return names


def report_figures(
    result: FitResult, table: dict[str, Any] | None = None
) -> list[tuple[str, bytes]]:
    """(file name, PNG bytes) of every figure of the report: one fit per curve (with the
    posterior-predictive band after MCMC), the overlay of all curves (both drawn from
    ``curves.csv``, :func:`etm.fit.curves.curves_table`), the per-curve parameters against T,
    the corner plot."""
    from etm.fit.curves import curves_table

    table = curves_table(result) if table is None else table
    names = figure_names(result.curves, result.mcmc is not None)
    figs = [
        (names[i], png_bytes(fit_figure(result, i, table=table))) for i in range(len(result.curves))
    ]
    if len(result.curves) > 1:
        if len({c.y_name for c in result.curves}) == 1:  # one axis only for one quantity
            figs.append(("overlay.png", png_bytes(overlay_figure(result, table=table))))
        pt = parameters_vs_T_figure(result)
        if pt is not None:
            figs.append(("parameters_vs_T.png", png_bytes(pt)))
    from etm.fit.registry import lookup

    own = lookup(result.observable).figures  # the observable's figures (loss channels)
    figs += [(n, png_bytes(f)) for n, f in (own(result, table) if own is not None else [])]
    if result.mcmc is not None:
        for curve, group in corner_groups(result):
            name = "corner.png"
            if curve is not None:
                name = f"corner_{curve}_{slug(result.curves[curve].label)}.png"
            figs.append((name, png_bytes(corner_figure(result, group), dpi=80)))
    return figs
