"""The report of a joint fit (``etm fit --plan``): params.json, params.md, figures, report.html.

One report for all parts: the shared parameters once, then per observable its own parameters
and a fit panel per curve, the correlation matrix, warnings and provenance (the plan, its
sha256, the inputs' sha256, the software). Written like a single fit's report
(:mod:`etm.fit.report`), into one folder atomically (docs/fitting.md, "Fit plans").
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from etm.fit.engine import FitResult
from etm.fit.joint import JointFitResult
from etm.fit.plots import fit_figure, png_bytes, slug
from etm.fit.registry import lookup
from etm.io import atomic_write_dir

__all__ = ["check_joint_outputs", "part_results", "write_joint_report"]


def _figure_names(parts: Sequence[tuple[str, Any, Any]]) -> list[str]:
    return [
        f"fit_{k}{obs}_{i}_{slug(c.label)}.png"
        for k, (obs, curves, _) in enumerate(parts)
        for i, c in enumerate(curves)
    ]


def check_joint_outputs(parts: Sequence[tuple[str, Any, Any]], out_dir: str | Path) -> list[str]:
    """The file names of the joint report; refuse one that would replace an input file."""
    out = Path(out_dir)
    names = _figure_names(parts) + ["params.json", "params.md", "report.html"]
    inputs = {Path(c.source).resolve() for _, curves, _ in parts for c in curves}
    for n in names:
        if (out / n).resolve() in inputs:
            raise ValueError(
                f"output {out / n} would overwrite an input file; choose another --out"
            )
    return names


def part_results(
    result: JointFitResult, parts: Sequence[tuple[str, Any, Mapping[str, Any]]]
) -> list[FitResult]:
    """Each part of a joint fit as a :class:`FitResult` (for its figures and tables)."""
    out = []
    r = result.lmfit_result
    for k, (obs_name, curves, opts) in enumerate(parts):
        obs = lookup(obs_name)
        comps = tuple(opts.get("components") or obs.components)
        chi2 = float(sum(float(x @ x) for x in result.residuals[k]))
        out.append(
            FitResult(
                observable=obs_name,
                curves=tuple(curves),
                components=comps,
                orientation=opts.get("orientation", "isotropic"),
                estimates=result.estimates[k],
                chisqr=chi2,
                redchi=result.redchi,
                aic=result.aic,
                bic=result.bic,
                ndata=sum(len(c) for c in curves),
                nvarys=result.nvarys,
                nfev=result.nfev,
                weighted=True,
                success=result.success,
                message=result.message,
                residuals=result.residuals[k],
                notes=(),
                lmfit_result=r,
            )
        )
    return out


def _fmt(e: Any) -> str:
    from etm.fit.report import format_value

    return format_value(e.value, e.stderr) + ("" if e.vary else " (fixed)")


def _markdown(result, presults, plan, prov) -> str:
    from etm.fit.plots import curve_label

    lines = [f"# Joint fit: {plan['title']}", ""]
    if prov["warnings"]:
        lines += ["## Warnings", ""] + [f"* {w}" for w in prov["warnings"]] + [""]
    lines += ["## Model", ""]
    for pr in presults:
        eq = lookup(pr.observable).equation
        lines.append(f"* {pr.observable}: `{eq}`" if eq else f"* {pr.observable}")
    lines += ["", "## Shared parameters (all parts)", "", "| parameter | value | unit |"]
    lines.append("|---|---|---|")
    for e in result.shared:
        lines.append(f"| {e.name} | {_fmt(e)} | {e.unit} |")
    shared = {e.name for e in result.shared}
    for k, pr in enumerate(presults):
        lines += ["", f"## Part {k}: {pr.observable} ({len(pr.curves)} curve(s))", ""]
        lines += ["| parameter | curve | value | unit |", "|---|---|---|---|"]
        for e in pr.estimates:
            if e.name in shared:
                continue
            cur = "all" if e.curve is None else curve_label(pr, e.curve)
            lines.append(f"| {e.name} | {cur} | {_fmt(e)} | {e.unit} |")
        lines.append("")
        lines.append(f"chi^2 of this part = {pr.chisqr:.4g} ({pr.ndata} points)")
    lines += [
        "",
        "## Goodness of fit",
        "",
        f"chi^2 = {result.chisqr:.4g}, reduced chi^2 = {result.redchi:.4g} (N = {result.ndata}, "
        f"k = {result.nvarys}), AIC = {result.aic:.4g}, BIC = {result.bic:.4g}.",
    ]
    if result.notes:
        lines += ["", "## Notes", ""] + [f"* {n}" for n in result.notes]
    lines += ["", "## Provenance", ""]
    lines.append(f"* command line: `{prov['command_line']}`")
    lines.append(f"* plan: `{prov['plan']['path']}` sha256 `{prov['plan']['sha256']}`")
    lines.append(f"* date (UTC): {prov['date_utc']}")
    lines.append("* software: " + ", ".join(f"{k} {v}" for k, v in prov["software"].items()))
    lines += ["", "## Inputs", ""]
    lines += [
        f"* `{i['path']}` sha256 `{i['sha256']}`, {i['rows_used']} rows used"
        for i in prov["inputs"]
    ]
    return "\n".join(lines) + "\n"


def write_joint_report(
    result: JointFitResult,
    parts: Sequence[tuple[str, Any, Mapping[str, Any]]],
    plan: Mapping[str, Any],
    out_dir: str | Path,
    warnings: Sequence[str] = (),
    argv: Sequence[str] | None = None,
    *,
    force: bool = False,
) -> list[Path]:
    """Write the joint fit's params.json, params.md, a fit figure per curve and report.html,
    as one unit (:func:`etm.io.output_folder`; ``force`` as there)."""
    import datetime as dt
    import shlex

    from etm.fit.provenance import environment, model_options
    from etm.fit.report import correlation_table_html, report_html_from_markdown

    presults = part_results(result, parts)
    names = _figure_names(parts)
    figures, j = [], 0
    for pr in presults:
        for i in range(len(pr.curves)):
            figures.append((names[j], png_bytes(fit_figure(pr, i))))
            j += 1
    plan_path = Path(plan["path"])
    prov = {
        "command_line": shlex.join(["etm", "fit", "--plan", str(plan_path), "--out", str(out_dir)]),
        "argv": list(argv) if argv is not None else None,
        "plan": {
            "path": str(plan_path),
            "sha256": hashlib.sha256(plan_path.read_bytes()).hexdigest(),
            "text": plan_path.read_text(encoding="utf-8"),
        },
        "date_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "software": environment(),
        "model": [
            {
                "observable": pr.observable,
                "equation": lookup(pr.observable).equation,
                "components": list(pr.components),
                **model_options(pr.observable, pr.curves, pr.orientation),
            }
            for pr in presults
        ],
        "inputs": [
            {"path": str(c.source), "sha256": c.sha256, "rows_used": len(c)}
            for pr in presults
            for c in pr.curves
        ],
        "warnings": list(warnings),
    }

    def est(e: Any, part: int | None) -> dict[str, Any]:
        return {
            "name": e.name,
            "part": part,
            "curve": e.curve,
            "value": e.value,
            "stderr": e.stderr,
            "unit": e.unit,
            "vary": e.vary,
            "fit_name": e.fit_name,
            "at_bound": e.at_bound,
        }

    names_c, corr = result.correlations() if hasattr(result, "correlations") else _corr(result)
    doc = {
        "software": "etm",
        "kind": "joint fit",
        "title": plan["title"],
        "observables": list(result.observables),
        "shared": [est(e, None) for e in result.shared],
        "parts": [[est(e, k) for e in result.estimates[k]] for k in range(len(presults))],
        "goodness_of_fit": {
            "chisqr": result.chisqr,
            "redchi": result.redchi,
            "aic": result.aic,
            "bic": result.bic,
            "ndata": result.ndata,
            "nvarys": result.nvarys,
            "success": result.success,
        },
        "correlations": {
            "names": list(names_c),
            "matrix": [
                [None if not np.isfinite(v) else round(float(v), 6) for v in row] for row in corr
            ],
        },
        "notes": list(result.notes),
        "warnings": list(warnings),
        "provenance": prov,
    }
    md = _markdown(result, presults, plan, prov)
    page = report_html_from_markdown(
        md, figures, correlation_table_html(_CorrView(names_c, corr)), title="etm joint fit"
    )
    files = {n: b for n, b in figures}
    files["params.json"] = (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode()
    files["params.md"] = md.encode()
    files["report.html"] = page.encode()

    def write(tmp: Path) -> None:
        for n, b in files.items():
            (tmp / n).write_bytes(b)

    atomic_write_dir(out_dir, write, force=force)
    return [Path(out_dir) / n for n in files]


def _corr(result: JointFitResult) -> tuple[tuple[str, ...], np.ndarray]:
    r = result.lmfit_result
    names = tuple(r.var_names)
    if r.covar is None:
        return names, np.full((len(names), len(names)), np.nan)
    sd = np.sqrt(np.diag(r.covar))
    return names, r.covar / np.outer(sd, sd)


class _CorrView:
    """Duck type for :func:`etm.fit.report.correlation_table_html`."""

    def __init__(self, names: tuple[str, ...], corr: np.ndarray) -> None:
        self._v = (names, corr)

    def correlations(self) -> tuple[tuple[str, ...], np.ndarray]:
        return self._v
