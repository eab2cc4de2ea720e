"""Reports of a fit: params.json, params.md (a table like the essay's), figures, report.html.

:func:`write_fit_report` writes every file atomically into one folder; report.html is one
self-contained page (figures embedded as base64 PNG, no external links) that reads offline.
Figures are :class:`matplotlib.figure.Figure` objects made without pyplot, so no GUI backend is
touched and plotting never changes the data. The files are described in docs/fitting.md
("Walk-through"); params.md lays the parameters out like the essay's Tables 1-4.
"""

from __future__ import annotations

import base64
import html
import io as _io
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from etm.fit.compare import ModelComparison
from etm.fit.engine import FitResult
from etm.io import atomic_write, atomic_write_json, atomic_write_text, provenance

__all__ = [
    "check_outputs",
    "corner_figure",
    "fit_figure",
    "format_value",
    "params_markdown",
    "report_html",
    "result_to_dict",
    "write_fit_report",
]

#: Scale for plotting: heat capacities J/(g K) -> uJ/(g K); relative changes of eps' in 1e-5.
_PLOT_SCALE = {
    "Cp_J_per_gK": (1e6, r"$C_p$ [$\mu$J g$^{-1}$ K$^{-1}$]"),
    "rel_1": (1e5, r"$[\varepsilon'(B) - \varepsilon'(0)]/\varepsilon'$ [$10^{-5}$]"),
}
#: Labels of observables whose y column shares a unit name with another's (``rel_1``).
_PLOT_SCALE_BY_OBSERVABLE = {"echo": (1.0, r"$A(B)/A(B_\mathrm{high})$")}


def format_value(value: float, err: float | None, digits: int = 2) -> str:
    """``value ± err`` rounded to ``digits`` significant digits of the error.

    Examples
    --------
    >>> format_value(5.1934e16, 1.66e15)
    '(5.19 ± 0.17)e16'
    >>> format_value(0.5086, 0.0345)
    '0.509 ± 0.035'
    >>> format_value(0.49, None)
    '0.49'
    """
    if err is None or not math.isfinite(err) or err <= 0:
        return f"{value:.4g}"
    exp = int(math.floor(math.log10(abs(value)))) if value != 0 else 0
    if abs(exp) >= 4:
        v, e = value / 10.0**exp, err / 10.0**exp
        nd = max(0, digits - 1 - int(math.floor(math.log10(e))))
        return f"({v:.{nd}f} ± {e:.{nd}f})e{exp}"
    nd = max(0, digits - 1 - int(math.floor(math.log10(err))))
    return f"{value:.{nd}f} ± {err:.{nd}f}"


def _curve_label(result: FitResult, i: int) -> str:
    c = result.curves[i]
    other = "T_K" if c.x_name == "B_T" else "B_T"
    v = c.metadata.get(other)
    tag = f"{other.split('_')[0]} = {v:g} {other.split('_')[1]}" if v is not None else ""
    return f"{c.label} ({tag})" if tag else c.label


def result_to_dict(result: FitResult, comparison: ModelComparison | None = None) -> dict[str, Any]:
    """Everything about a fit as a JSON-able dict: parameters with errors and units, goodness of
    fit, correlations, MCMC summary, the ETM/STM comparison, inputs with SHA-256, provenance."""
    names, corr = result.correlations()
    out: dict[str, Any] = provenance(
        observable=result.observable,
        components=list(result.components),
        orientation=result.orientation,
    )
    out["parameters"] = [
        {
            "name": e.name,
            "curve": e.curve,
            "curve_label": None if e.curve is None else _curve_label(result, e.curve),
            "value": e.value,
            "stderr": e.stderr,
            "unit": e.unit,
            "vary": e.vary,
            "fit_name": e.fit_name,
            "at_bound": e.at_bound,
        }
        for e in result.estimates
    ]
    out["goodness_of_fit"] = {
        "chisqr": result.chisqr,
        "redchi": result.redchi,
        "aic": result.aic,
        "bic": result.bic,
        "ndata": result.ndata,
        "nvarys": result.nvarys,
        "nfev": result.nfev,
        "weighted": result.weighted,
        "success": result.success,
        "message": result.message,
        "rms_residual_per_curve": [float(np.sqrt(np.mean(r**2))) for r in result.residuals],
    }
    out["correlations"] = {
        "names": list(names),
        "matrix": [
            [None if not math.isfinite(v) else round(float(v), 6) for v in row] for row in corr
        ],
    }
    out["inputs"] = [
        {
            "path": str(c.source),
            "sha256": c.sha256,
            "columns": list(c.columns),
            "n_points": len(c),
            "metadata": dict(c.metadata),
            "metadata_sources": list(c.meta_sources),
        }
        for c in result.curves
    ]
    out["notes"] = list(result.notes)
    if result.mcmc is not None:
        m = result.mcmc
        out["mcmc"] = {
            "var_names": list(m.var_names),
            "median": m.quantiles[1].tolist(),
            "sigma_low": (m.quantiles[1] - m.quantiles[0]).tolist(),
            "sigma_high": (m.quantiles[2] - m.quantiles[1]).tolist(),
            "acceptance_fraction": m.acceptance_fraction,
            "autocorr_time": m.autocorr_time.tolist(),
            "converged": m.converged,
            "nwalkers": m.nwalkers,
            "steps": m.steps,
            "burn": m.burn,
            "thin": m.thin,
            "seed": m.seed,
            "space": "fit space: log10 of the value for log10_* names",
        }
    if comparison is not None:
        out["comparison"] = {
            "ETM": {
                "chisqr": comparison.etm.chisqr,
                "aic": comparison.etm.aic,
                "bic": comparison.etm.bic,
                "nvarys": comparison.etm.nvarys,
            },
            "STM_only": {
                "chisqr": comparison.stm.chisqr,
                "aic": comparison.stm.aic,
                "bic": comparison.stm.bic,
                "nvarys": comparison.stm.nvarys,
            },
            "delta_aic_STM_minus_ETM": comparison.delta_aic,
            "delta_bic_STM_minus_ETM": comparison.delta_bic,
            "preferred": comparison.preferred,
        }
    return out


def params_markdown(result: FitResult, comparison: ModelComparison | None = None) -> str:
    """The fit as Markdown tables like the essay's: shared parameters (cf. Tables 1, 3), then
    one row per curve (cf. Tables 2, 4), goodness of fit and the ETM/STM comparison."""
    from etm import __version__

    lines = [f"# Fit of {result.observable!r} ({len(result.curves)} curve(s))", ""]
    shared = [e for e in result.estimates if e.curve is None]
    lines += ["## Shared parameters", "", "| parameter | value | unit | |", "|---|---|---|---|"]
    for e in shared:
        flag = "fixed" if not e.vary else ("at bound" if e.at_bound else "")
        lines.append(f"| {e.name} | {format_value(e.value, e.stderr)} | {e.unit} | {flag} |")
    per = [e for e in result.estimates if e.curve is not None]
    if per:
        pnames = list(dict.fromkeys(e.name for e in per))
        units = {e.name: e.unit for e in per}
        lines += ["", "## Per-curve parameters", ""]
        lines.append("| curve | " + " | ".join(f"{n} [{units[n]}]" for n in pnames) + " |")
        lines.append("|---" * (len(pnames) + 1) + "|")
        for i in range(len(result.curves)):
            cells = []
            for n in pnames:
                e = result.estimate(n, i)
                cells.append(format_value(e.value, e.stderr) + ("" if e.vary else " (fixed)"))
            lines.append(f"| {_curve_label(result, i)} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Goodness of fit",
        "",
        f"chi^2 = {result.chisqr:.4g}, reduced chi^2 = {result.redchi:.4g} "
        f"(N = {result.ndata}, k = {result.nvarys}), AIC = {result.aic:.4g}, "
        f"BIC = {result.bic:.4g}, {result.nfev} function evaluations; "
        + (
            "errors from the measured sigmas."
            if result.weighted
            else "no sigmas given: errors scaled by sqrt(reduced chi^2)."
        ),
    ]
    if comparison is not None:
        lines += [
            "",
            "## ETM against STM-only (no ATS)",
            "",
            *(
                [
                    "For eps the STM-only model is zero: its 2LS background is field-blind and "
                    "cancels in [eps'(B) - eps'(0)]/eps'.",
                    "",
                ]
                if result.observable == "eps"
                else [
                    "For echo the STM-only model is 1: its 2LS echo is field-blind and "
                    "A(B)/A(B_high) is constant.",
                    "",
                ]
                if result.observable == "echo"
                else []
            ),
            "| model | chi^2 | k | AIC | BIC |",
            "|---|---|---|---|---|",
            f"| ETM | {comparison.etm.chisqr:.4g} | {comparison.etm.nvarys} | "
            f"{comparison.etm.aic:.4g} | {comparison.etm.bic:.4g} |",
            f"| STM only | {comparison.stm.chisqr:.4g} | {comparison.stm.nvarys} | "
            f"{comparison.stm.aic:.4g} | {comparison.stm.bic:.4g} |",
            "",
            f"Delta AIC (STM - ETM) = {comparison.delta_aic:.4g}: {comparison.preferred} "
            "preferred.",
        ]
    if result.notes:
        lines += ["", "## Notes", ""] + [f"* {n}" for n in result.notes]
    lines += ["", "## Inputs", ""]
    lines += [f"* `{c.source}` sha256 `{c.sha256}`" for c in result.curves]
    lines += ["", f"etm {__version__}", ""]
    return "\n".join(lines)


def fit_figure(result: FitResult, curve: int, n_fine: int = 201) -> Any:
    """Data with error bars, the best-fit model (and its terms, dashed) and the residuals of one
    curve, as a :class:`matplotlib.figure.Figure`."""
    from matplotlib.figure import Figure

    c = result.curves[curve]
    scale, ylabel = _PLOT_SCALE_BY_OBSERVABLE.get(
        result.observable, _PLOT_SCALE.get(c.y_name, (1.0, c.y_name))
    )
    # fields spanning decades (dielectric curves, the essay's Figs. 10-12) on a log axis
    log_x = bool(c.x.min() > 0 and c.x.max() > 100 * c.x.min())
    x = (np.geomspace if log_x else np.linspace)(c.x.min(), c.x.max(), n_fine)
    parts = result.model_parts(curve, x)
    fig = Figure(figsize=(6.0, 5.0), layout="constrained")
    ax, axr = fig.subplots(2, 1, sharex=True, height_ratios=(3, 1))
    if c.sigma is not None:
        ax.errorbar(c.x, c.y * scale, yerr=c.sigma * scale, fmt="o", ms=3, color="k", label="data")
    else:
        ax.plot(c.x, c.y * scale, "o", ms=3, color="k", label="data")
    ax.plot(x, sum(parts.values()) * scale, color="C3", label="fit")
    colors = ("C0", "C1", "C2", "C4", "C5", "C6", "C8", "C9")  # C3 is the fit's
    for j, (name, y) in enumerate(parts.items()):
        if np.any(y != 0):
            ax.plot(x, y * scale, ls="--", lw=0.9, color=colors[j % len(colors)], label=name)
    ax.set_ylabel(ylabel)
    ax.set_title(_curve_label(result, curve))
    ax.legend(fontsize=7, ncol=2)
    axr.axhline(0.0, color="0.5", lw=0.8)
    axr.plot(c.x, result.residuals[curve], "o", ms=3, color="k")
    axr.set_ylabel("(data - fit)/σ" if result.weighted else "data - fit")
    axr.set_xlabel(c.x_name.replace("_", " [") + "]")
    if log_x:
        axr.set_xscale("log")
    return fig


def corner_figure(result: FitResult) -> Any:
    """Corner plot of the MCMC posterior (fit space), best fit marked."""
    import corner
    from matplotlib.figure import Figure

    if result.mcmc is None:
        raise ValueError("corner_figure needs a result with MCMC samples (run_mcmc)")
    m = result.mcmc
    best = [result.lmfit_result.params[n].value for n in m.var_names]
    n = len(m.var_names)
    fig = Figure(figsize=(1.6 * n + 1, 1.6 * n + 1))
    return corner.corner(
        m.flatchain,
        labels=list(m.var_names),
        truths=best,
        fig=fig,
        quantiles=(0.1587, 0.5, 0.8413),
        label_kwargs={"fontsize": 7},
    )


def _png(fig: Any) -> bytes:
    buf = _io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return buf.getvalue()


def report_html(
    result: FitResult,
    figures: Sequence[tuple[str, bytes]],
    comparison: ModelComparison | None = None,
) -> str:
    """One self-contained HTML page: tables, figures (base64 PNG) and provenance."""
    from etm import __version__

    md = params_markdown(result, comparison)
    body: list[str] = []
    in_table = False
    for line in md.splitlines():
        if line.startswith("|"):
            cells = [html.escape(x.strip()) for x in line.strip("|").split("|")]
            if set("".join(cells)) <= set("-"):
                continue
            tag = "th" if not in_table else "td"
            if not in_table:
                body.append("<table>")
                in_table = True
            body.append("<tr>" + "".join(f"<{tag}>{x}</{tag}>" for x in cells) + "</tr>")
            continue
        if in_table:
            body.append("</table>")
            in_table = False
        if line.startswith("## "):
            body.append(f"<h2>{html.escape(line[3:])}</h2>")
        elif line.startswith("# "):
            body.append(f"<h1>{html.escape(line[2:])}</h1>")
        elif line.startswith("* "):
            body.append(f"<p>&bull; {_code(line[2:])}</p>")
        elif line.strip():
            body.append(f"<p>{_code(line)}</p>")
    if in_table:
        body.append("</table>")
    body.append("<h2>Figures</h2>")
    for name, png in figures:
        b64 = base64.b64encode(png).decode("ascii")
        body.append(
            f'<figure><img alt="{html.escape(name)}" src="data:image/png;base64,{b64}">'
            f"<figcaption>{html.escape(name)}</figcaption></figure>"
        )
    style = (
        "body{font-family:sans-serif;max-width:60em;margin:auto;padding:1em}"
        "table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px}"
        "img{max-width:100%}code{background:#eee}"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>etm fit report</title><style>{style}</style></head><body>\n"
        + "\n".join(body)
        + f"\n<p><small>written by etm {html.escape(__version__)}</small></p>"
        "\n</body></html>\n"
    )


def _code(text: str) -> str:
    parts = re.split(r"`([^`]*)`", text)
    return "".join(
        html.escape(p) if k % 2 == 0 else f"<code>{html.escape(p)}</code>"
        for k, p in enumerate(parts)
    )


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]+", "_", text).strip("_") or "curve"


def check_outputs(curves: Sequence[Any], out_dir: str | Path, *, mcmc: bool) -> list[str]:
    """Names of the files :func:`write_fit_report` will write (figures first).

    Raises ``ValueError`` if ``out_dir`` is a file or a name would replace one of the input
    files. It is cheap: call it before fitting.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} exists and is not a folder")
    names = [f"fit_{i}_{_slug(c.label)}.png" for i, c in enumerate(curves)]
    names += (["corner.png"] if mcmc else []) + ["params.json", "params.md", "report.html"]
    inputs = {Path(c.source).resolve() for c in curves}
    for n in names:
        if (out / n).resolve() in inputs:
            raise ValueError(
                f"output {out / n} would overwrite an input file; choose another --out"
            )
    return names


def write_fit_report(
    result: FitResult, out_dir: str | Path, comparison: ModelComparison | None = None
) -> list[Path]:
    """Write params.json, params.md, one fit figure per curve (PNG), corner.png (with MCMC) and
    report.html into ``out_dir``, each atomically; return the paths written."""
    names = check_outputs(result.curves, out_dir, mcmc=result.mcmc is not None)
    out = Path(out_dir)
    written: list[Path] = []
    figures: list[tuple[str, bytes]] = []
    for i in range(len(result.curves)):
        figures.append((names[i], _png(fit_figure(result, i))))
    if result.mcmc is not None:
        figures.append(("corner.png", _png(corner_figure(result))))
    for name, png in figures:
        written.append(atomic_write(out / name, lambda p, b=png: p.write_bytes(b)))
    written.append(atomic_write_json(out / "params.json", result_to_dict(result, comparison)))
    written.append(atomic_write_text(out / "params.md", params_markdown(result, comparison)))
    written.append(atomic_write_text(out / "report.html", report_html(result, figures, comparison)))
    return written
