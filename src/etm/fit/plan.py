"""TOML fit plans: a joint fit of several observables' files from the command line.

``etm fit --plan plan.toml --out DIR`` reads a plan (:func:`read_plan`), checks it like a single
fit (the same sanity checks per part), runs :func:`etm.fit.joint.fit_joint` and writes one report
(:func:`etm.fit.plan_report.write_joint_report`): a panel per observable, the shared parameters
once. The format (paths relative to the plan file; docs/fitting.md, "Fit plans")::

    title = "BAS: Cp and eps' with shared X cutoffs (SYNTHETIC)"
    share = ["X0min_KA2", "X0max_KA2"]          # one value across all parts
    bounds = { X0min_KA2 = [1e4, 1e6] }          # physical units, every part

    [[part]]
    observable = "cp"
    files = ["cp_a.csv", "cp_b.csv"]
    material = "BAS"
    fix = { n_Fe3_per_g = 5e16 }
    # also: share, per_curve, free (lists), orientation, options (table), meta (TOML path)

    [[part]]
    observable = "eps"
    files = ["eps_a.csv"]
    material = "BAS"
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from etm.fit.sanity import SanityError

__all__ = ["PART_KEYS", "PLAN_KEYS", "read_plan", "run_plan"]

#: Keys of the plan's top level and of each ``[[part]]``.
PLAN_KEYS = frozenset({"title", "share", "bounds", "part"})
PART_KEYS = frozenset(
    {
        "observable",
        "files",
        "material",
        "fix",
        "share",
        "per_curve",
        "free",
        "orientation",
        "options",
        "meta",
    }
)


def read_plan(path: str | Path) -> dict[str, Any]:
    """Read and check a fit plan; file paths are resolved against the plan's folder.

    Raises
    ------
    SanityError
        Not UTF-8 TOML, unknown keys, fewer than two parts, a part without observable or files,
        a bound that is not [low, high] with low < high, the same file twice (across parts).
    """
    path = Path(path)
    try:
        doc = tomllib.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise SanityError(f"--plan {path}: cannot read ({exc.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SanityError(f"--plan {path}: not a valid UTF-8 TOML file ({exc})") from None
    bad = set(doc) - PLAN_KEYS
    if bad:
        raise SanityError(f"--plan {path}: unknown keys {', '.join(sorted(bad))}")
    parts = doc.get("part", [])
    if not isinstance(parts, list) or len(parts) < 2:
        raise SanityError(f"--plan {path}: needs at least two [[part]] tables, got {len(parts)}")
    base = path.parent
    out_parts = []
    for k, p in enumerate(parts):
        bad = set(p) - PART_KEYS
        if bad:
            raise SanityError(f"--plan {path}: part {k}: unknown keys {', '.join(sorted(bad))}")
        if "observable" not in p or not p.get("files"):
            raise SanityError(f"--plan {path}: part {k} needs observable and files")
        q = dict(p)
        q["files"] = [str((base / f).resolve()) for f in p["files"]]
        if "meta" in q:
            q["meta"] = str((base / q["meta"]).resolve())
        out_parts.append(q)
    bounds = {}
    for name, b in dict(doc.get("bounds", {})).items():
        if not (isinstance(b, list) and len(b) == 2 and all(isinstance(v, int | float) for v in b)):
            raise SanityError(f"--plan {path}: bounds.{name} must be [low, high], got {b!r}")
        if not b[0] < b[1]:
            raise SanityError(f"--plan {path}: bounds.{name}: low {b[0]:g} >= high {b[1]:g}")
        bounds[name] = (float(b[0]), float(b[1]))
    return {
        "title": str(doc.get("title", path.stem)),
        "share": list(doc.get("share", [])),
        "bounds": bounds,
        "parts": out_parts,
        "path": str(path.resolve()),
    }


def run_plan(path: str | Path, out_dir: str | Path, echo: Callable[[str], None] = print) -> list:
    """Run the joint fit of a plan and write its report into ``out_dir``; return the paths.

    The sanity checks of :mod:`etm.fit.sanity` run on every part before the fit; the after-fit
    warnings are printed and recorded in every output.
    """
    import sys

    from etm.fit import registry, sanity
    from etm.fit.joint import fit_joint
    from etm.fit.plan_report import check_joint_outputs, write_joint_report

    plan = read_plan(path)
    sanity.check_inputs([f for p in plan["parts"] for f in p["files"]])
    parts = []
    for p in plan["parts"]:
        fix = {k: float(v) for k, v in dict(p.get("fix", {})).items()}
        sanity.check_options(fix, p.get("free", ()), p.get("share", ()), p.get("per_curve", ()))
        curves = registry.read_curves(p["files"], p["observable"], metadata_toml=p.get("meta"))
        curves = _with_options(curves, p.get("options", {}))
        sanity.check_curves(curves, p["observable"], p.get("material"))
        opts: dict[str, Any] = {"fix": fix}
        for key in ("material", "share", "per_curve", "free", "orientation"):
            if key in p:
                opts[key] = p[key]
        parts.append((p["observable"], curves, opts))
    check_joint_outputs(parts, out_dir)
    result = fit_joint(parts, share=plan["share"], bounds=plan["bounds"])
    warnings = sanity.after_fit(result)
    written = write_joint_report(result, parts, plan, out_dir, warnings, argv=sys.argv)
    echo(f"joint fit of {len(parts)} parts: reduced chi^2 = {result.redchi:.4g}")
    for e in result.shared:
        from etm.fit.report import format_value

        echo(f"  {e.name} (shared) = {format_value(e.value, e.stderr)} {e.unit}")
    for w in warnings:
        echo(w)
    echo(f"wrote {len(written)} files to {out_dir}")
    return written


def _with_options(curves: Any, options: Mapping[str, Any]) -> Any:
    from etm.fit.data import with_model_options

    return with_model_options(curves, dict(options))
