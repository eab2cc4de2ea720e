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
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from etm.fit.compare import ModelComparison
from etm.fit.engine import FitResult
from etm.fit.plots import corner_figure, curve_label, figure_names, fit_figure, report_figures
from etm.io import atomic_write_dir, provenance

__all__ = [
    "check_outputs",
    "corner_figure",
    "fit_figure",
    "format_value",
    "params_markdown",
    "report_html",
    "report_html_from_markdown",
    "result_to_dict",
    "terminal_lines",
    "write_fit_report",
]


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


def _figure_html(figures: Sequence[tuple[str, bytes]]) -> list[str]:
    out = ["<h2>Figures</h2>"]
    for name, png in figures:
        b64, alt = base64.b64encode(png).decode("ascii"), html.escape(name)
        out.append(
            f'<figure><img alt="{alt}" src="data:image/png;base64,{b64}">'
            f"<figcaption>{alt}</figcaption></figure>"
        )
    return out


def _status(result: FitResult, e: Any) -> str:
    if not e.vary:
        return "fixed"
    n = sum(1 for _ in result.curves)
    return "shared" if e.curve is None and n > 1 else ("free" if e.curve is None else "per curve")


def _bounds(result: FitResult, name: str) -> tuple[float, float]:
    from etm.fit.registry import lookup

    return tuple(float(b) for b in lookup(result.observable).spec(name).bounds)


def mcmc_summary(result: FitResult) -> dict[str, Any]:
    """The MCMC run as a JSON-able dict: settings, convergence, and per parameter the
    least-squares value and error beside the posterior median, 16/84 %, sd (physical units),
    tau and effective sample size."""
    m = result.mcmc
    ls = {e.fit_name: e for e in result.estimates}
    rows = []
    for j, n in enumerate(m.var_names):
        e = ls[n]
        rows.append(
            {
                "name": e.name,
                "fit_name": n,
                "curve": e.curve,
                "unit": e.unit,
                "least_squares": e.value,
                "least_squares_stderr": e.stderr,
                "median": float(m.phys_quantiles[1, j]),
                "p16": float(m.phys_quantiles[0, j]),
                "p84": float(m.phys_quantiles[2, j]),
                "sd": float(m.phys_sd[j]),
                "tau_steps": float(m.autocorr_time[j]),
                "n_eff": float(m.n_eff[j]),
            }
        )
    return {
        "parameters": rows,
        "acceptance_fraction": m.acceptance_fraction,
        "converged": m.converged,
        "stop_reason": m.stop_reason,
        "tau_factor": m.tau_factor,
        "nwalkers": m.nwalkers,
        "steps": m.steps,
        "burn": m.burn,
        "thin": m.thin,
        "seed": m.seed,
        "n_samples": int(m.flatchain.shape[0]),
        "evaluation": m.surrogate,
        "marginalized": m.marginalized,
        "prior": "uniform within the bounds in the fit space, linear amplitudes uniform in value",
        # fit space (log10 for log10_* names), as before
        "var_names": list(m.var_names),
        "median": m.quantiles[1].tolist(),
        "sigma_low": (m.quantiles[1] - m.quantiles[0]).tolist(),
        "sigma_high": (m.quantiles[2] - m.quantiles[1]).tolist(),
        "autocorr_time": m.autocorr_time.tolist(),
        "space": "median/sigma_*: fit space (log10 for log10_* names); parameters: physical",
    }


def result_to_dict(
    result: FitResult,
    comparison: ModelComparison | None = None,
    provenance_record: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything about a fit as a JSON-able dict: parameters with errors, units and bounds,
    goodness of fit, correlations, MCMC summary (physical units), the ETM/STM comparison,
    inputs with SHA-256, and the provenance record (:func:`etm.fit.provenance.fit_provenance`)."""
    names, corr = result.correlations()
    out: dict[str, Any] = {k: v for k, v in provenance().items() if k != "parameters"}
    out["observable"] = result.observable
    out["components"] = list(result.components)
    out["orientation"] = result.orientation
    out["parameters"] = [
        {
            "name": e.name,
            "curve": e.curve,
            "curve_label": None if e.curve is None else curve_label(result, e.curve),
            "value": e.value,
            "stderr": e.stderr,
            "unit": e.unit,
            "vary": e.vary,
            "fit_name": e.fit_name,
            "at_bound": e.at_bound,
            "status": _status(result, e),
            "bounds": list(_bounds(result, e.name)),
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
        out["mcmc"] = mcmc_summary(result)
    out["warnings"] = list(provenance_record.get("warnings", [])) if provenance_record else []
    if provenance_record is not None:
        out["provenance"] = dict(provenance_record)
    if hasattr(comparison, "to_dict"):  # the echo models (etm.fit.model_compare)
        out["comparison"] = comparison.to_dict()
    elif comparison is not None:
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
        if result.mcmc is not None and result.mcmc.lnprob.size:
            q = np.percentile(result.mcmc.lnprob, [15.87, 50.0, 84.13])
            out["comparison"]["ETM_posterior_lnL"] = {
                "p16": float(q[0]),
                "median": float(q[1]),
                "p84": float(q[2]),
                "max": float(np.max(result.mcmc.lnprob)),
                "least_squares": -0.5 * result.chisqr,
            }
    return out


def params_markdown(
    result: FitResult,
    comparison: ModelComparison | None = None,
    provenance_record: Mapping[str, Any] | None = None,
) -> str:
    """The fit as Markdown tables like the essay's: the warnings, the model, shared parameters
    (cf. Tables 1, 3), one row per curve (cf. Tables 2, 4), the posterior beside least squares,
    goodness of fit, the ETM/STM comparison and the provenance."""
    from etm import __version__

    prov = provenance_record or {}
    lines = [f"# Fit of {result.observable!r} ({len(result.curves)} curve(s))", ""]
    if prov.get("warnings"):
        lines += ["## Warnings", ""] + [f"* {w}" for w in prov["warnings"]] + [""]
    lines += _model_lines(result, prov)
    shared = [e for e in result.estimates if e.curve is None]
    lines += [
        "## Shared parameters",
        "",
        "| parameter | value | unit | status |",
        "|---|---|---|---|",
    ]
    for e in shared:
        flag = "at bound" if e.vary and e.at_bound else _status(result, e)
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
            lines.append(f"| {curve_label(result, i)} | " + " | ".join(cells) + " |")
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
            else "errors from the sigmas estimated from the residual scatter where a file has "
            "no sigma column (see Notes)."
        ),
    ]
    if hasattr(comparison, "markdown_lines"):  # the echo models (etm.fit.model_compare)
        lines += comparison.markdown_lines()
    elif comparison is not None:
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
    stm = comparison is not None and not hasattr(comparison, "markdown_lines")
    if stm and result.mcmc is not None and result.mcmc.lnprob.size:
        q = np.percentile(result.mcmc.lnprob, [15.87, 50.0, 84.13])
        lines += [
            "",
            f"Posterior ln-likelihood of the ETM (-chi^2/2): median {q[1]:.4g}, 16-84 % "
            f"[{q[0]:.4g}, {q[2]:.4g}] (least squares {-0.5 * result.chisqr:.4g}; a spread of "
            f"~k/2 = {result.nvarys / 2:g} is expected).",
        ]
    if result.mcmc is not None:
        lines += _mcmc_lines(result)
    if result.notes:
        lines += ["", "## Notes", ""] + [f"* {n}" for n in result.notes]
    lines += _provenance_lines(result, prov)
    lines += ["", f"etm {__version__}", ""]
    return "\n".join(lines)


def _model_lines(result: FitResult, prov: Mapping[str, Any]) -> list[str]:
    from etm.fit.registry import lookup

    obs = lookup(result.observable)
    model = prov.get("model", {})
    lines = ["## Model", ""]
    if obs.equation:
        lines += [f"`{obs.equation}`", ""]
    lines.append(
        f"Observable {result.observable!r}; components {', '.join(result.components)}; "
        f"orientation {result.orientation}."
    )
    for row in model.get("per_curve", []):
        opts = [f"{k} = {v}" for k, v in row.items() if k != "curve" and not k.endswith("_from")]
        if opts:
            lines.append(f"* {row['curve']}: " + ", ".join(opts))
    return lines + [""]


def _mcmc_lines(result: FitResult) -> list[str]:
    m = result.mcmc
    summ = mcmc_summary(result)
    lines = [
        "",
        "## Posterior (MCMC, emcee)",
        "",
        f"{m.nwalkers} walkers x {m.steps} steps, burn-in {m.burn}, thin {m.thin}, seed "
        f"{m.seed}: {m.stop_reason}. Acceptance fraction {m.acceptance_fraction:.3f}; "
        f"{m.flatchain.shape[0]} samples kept. Model evaluation: {m.surrogate}. "
        f"Linear amplitudes: {m.marginalized}.",
        "",
        "| parameter | curve | least squares | median | 16 % | 84 % | unit | tau [steps] | n_eff |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in summ["parameters"]:
        cur = "shared" if r["curve"] is None else curve_label(result, r["curve"])
        lines.append(
            f"| {r['name']} | {cur} | {format_value(r['least_squares'], r['least_squares_stderr'])}"
            f" | {r['median']:.4g} | {r['p16']:.4g} | {r['p84']:.4g} | {r['unit']} | "
            f"{r['tau_steps']:.0f} | {r['n_eff']:.0f} |"
        )
    return lines


def _provenance_lines(result: FitResult, prov: Mapping[str, Any]) -> list[str]:
    lines = ["", "## Parameters: fixed, shared, free; bounds", ""]
    lines += ["| parameter | curve | status | value | bounds | unit |", "|---|---|---|---|---|---|"]
    for e in result.estimates:
        lo, hi = _bounds(result, e.name)
        cur = "all" if e.curve is None else curve_label(result, e.curve)
        lines.append(
            f"| {e.name} | {cur} | {_status(result, e)} | {e.value:.6g} | [{lo:g}, {hi:g}] | "
            f"{e.unit} |"
        )
    lines += ["", "## Provenance", ""]
    if prov.get("command_line"):
        lines.append(f"* command line: `{prov['command_line']}`")
    if prov.get("date_utc"):
        lines.append(f"* date (UTC): {prov['date_utc']}")
    sw = prov.get("software")
    if sw:
        lines.append("* software: " + ", ".join(f"{k} {v}" for k, v in sw.items()))
    req = prov.get("request", {})
    if req:
        lines.append(f"* preset (--material): {req.get('material')}")
    rows = {i["path"]: i.get("rows_used") for i in prov.get("inputs", [])}
    lines += ["", "## Inputs", ""]
    lines += [
        f"* `{c.source}` sha256 `{c.sha256}`, {rows.get(str(c.source), len(c))} rows used"
        for c in result.curves
    ]
    return lines


def report_html(
    result: FitResult,
    figures: Sequence[tuple[str, bytes]],
    comparison: ModelComparison | None = None,
    provenance_record: Mapping[str, Any] | None = None,
) -> str:
    """One self-contained HTML page: warnings, model, tables, the correlation matrix as a
    coloured table, figures (base64 PNG) and provenance; no external resource."""
    md = params_markdown(result, comparison, provenance_record)
    return report_html_from_markdown(md, figures, correlation_table_html(result))


def report_html_from_markdown(
    md: str,
    figures: Sequence[tuple[str, bytes]],
    extra: Sequence[str] = (),
    title: str = "etm fit report",
) -> str:
    """The HTML page of a report's Markdown (headings, tables, bullets, code), then the
    ``extra`` HTML lines (the correlation table), then the figures as data URIs."""
    from etm import __version__

    body: list[str] = []
    in_table = False
    shown = False  # the figures go before the first table section (after the warnings)
    for line in md.splitlines():
        if not shown and line.startswith("## ") and line != "## Warnings":
            body += _figure_html(figures)
            shown = True
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
        elif line.startswith("* WARNING"):
            body.append(f'<p class="warn">&bull; {_code(line[2:])}</p>')
        elif line.startswith("* "):
            body.append(f"<p>&bull; {_code(line[2:])}</p>")
        elif line.strip():
            body.append(f"<p>{_code(line)}</p>")
    if in_table:
        body.append("</table>")
    body += list(extra) + ([] if shown else _figure_html(figures))
    style = (
        "body{font-family:sans-serif;max-width:60em;margin:auto;padding:1em}"
        "table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px}"
        "img{max-width:100%}code{background:#eee}"
        ".warn{color:#a00;font-weight:bold}table.corr td{text-align:right;font-size:80%}"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{style}</style></head><body>\n"
        + "\n".join(body)
        + f"\n<p><small>written by etm {html.escape(__version__)}</small></p>"
        "\n</body></html>\n"
    )


def correlation_table_html(result: FitResult) -> list[str]:
    """The correlation matrix of the free parameters as an HTML table, each cell coloured by
    its value (red positive, blue negative; white 0)."""
    names, corr = result.correlations()
    if not names:
        return []
    out = [
        "<h2>Correlation matrix (least squares, fit space)</h2>",
        '<table class="corr"><tr><th></th>'
        + "".join(f"<th>{j}</th>" for j in range(len(names)))
        + "</tr>",
    ]
    for i, n in enumerate(names):
        cells = []
        for j in range(len(names)):
            v = corr[i, j]
            if not math.isfinite(v):
                cells.append("<td>n/a</td>")
                continue
            a = min(1.0, abs(float(v)))
            r, g, b = (
                (255, int(255 * (1 - a)), int(255 * (1 - a)))
                if v > 0
                else (
                    int(255 * (1 - a)),
                    int(255 * (1 - a)),
                    255,
                )
            )
            ink = "#fff" if a > 0.6 else "#000"
            cells.append(f'<td style="background:rgb({r},{g},{b});color:{ink}">{v:+.2f}</td>')
        out.append(f"<tr><th>{i} {html.escape(n)}</th>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return out


def _code(text: str) -> str:
    parts = re.split(r"`([^`]*)`", text)
    return "".join(
        html.escape(p) if k % 2 == 0 else f"<code>{html.escape(p)}</code>"
        for k, p in enumerate(parts)
    )


def check_outputs(curves: Sequence[Any], out_dir: str | Path, *, mcmc: bool) -> list[str]:
    """Names of the files :func:`write_fit_report` may write (figures first).

    Raises ``ValueError`` if ``out_dir`` is a file or a name would replace one of the input
    files. It is cheap: call it before fitting.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} exists and is not a folder")
    names = figure_names(curves, mcmc) + ["parameters_vs_T.png"]
    names += ["params.json", "params.md", "report.html", "curves.csv"]
    inputs = {Path(c.source).resolve() for c in curves}
    for n in names:
        if (out / n).resolve() in inputs:
            raise ValueError(
                f"output {out / n} would overwrite an input file; choose another --out"
            )
    return names


def write_fit_report(
    result: FitResult,
    out_dir: str | Path,
    comparison: ModelComparison | None = None,
    provenance: Mapping[str, Any] | None = None,
    *,
    force: bool = False,
) -> list[Path]:
    """Write params.json, params.md, the figures (PNG) and report.html into ``out_dir`` as one
    unit (:func:`etm.io.output_folder`): the folder appears complete or not at all, an earlier
    etm output there is replaced whole, a folder holding other files is refused unless
    ``force`` (they are then kept). Returns the paths.
    """
    import json

    from etm.fit.curves import curves_csv, curves_table

    check_outputs(result.curves, out_dir, mcmc=result.mcmc is not None)
    table = curves_table(result)
    figures = report_figures(result, table)
    doc = result_to_dict(result, comparison, provenance)
    files: dict[str, bytes] = {name: png for name, png in figures}
    files["params.json"] = (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode()
    files["params.md"] = params_markdown(result, comparison, provenance).encode()
    files["report.html"] = report_html(result, figures, comparison, provenance).encode()
    files["curves.csv"] = curves_csv(result, table).encode()

    def write(tmp: Path) -> None:
        for name, data in files.items():
            (tmp / name).write_bytes(data)

    atomic_write_dir(out_dir, write, force=force)
    return [Path(out_dir) / n for n in files]


def terminal_lines(result: FitResult) -> list[str]:
    """The fitted parameters for the terminal: least squares, and after MCMC the posterior
    median with its 16/84 % interval beside it (physical units)."""
    mc = {}
    if result.mcmc is not None:
        mc = {r["fit_name"]: r for r in mcmc_summary(result)["parameters"]}
    out = []
    for e in result.estimates:
        if not e.vary:
            continue
        where = "" if e.curve is None else f" [{result.curves[e.curve].label}]"
        line = f"  {e.name}{where} = {format_value(e.value, e.stderr)} {e.unit}"
        r = mc.get(e.fit_name)
        if r is not None:
            line += f"   MCMC median {r['median']:.4g} (16-84 %: {r['p16']:.4g} - {r['p84']:.4g})"
        out.append(line)
    if result.mcmc is not None:
        m = result.mcmc
        out.append(
            f"  MCMC: {m.stop_reason}; acceptance {m.acceptance_fraction:.2f}; "
            f"min n_eff {np.min(m.n_eff):.0f}"
        )
    return out
