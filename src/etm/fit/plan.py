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
    # also: share, per_curve, free (arrays of names), orientation, options (a table of the
    # model options etm fit takes for the observable), meta (a TOML path)

    [[part]]
    observable = "eps"
    files = ["eps_a.csv"]
    material = "BAS"
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from etm.checks import plain
from etm.fit.sanity import SanityError
from etm.inputs import resolved

__all__ = ["ORIENTATIONS", "PART_KEYS", "PLAN_KEYS", "PLAN_OPTIONS", "read_plan", "run_plan"]

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
#: The ``orientation`` values of a part (as ``etm fit --orientation``).
ORIENTATIONS = ("isotropic", "aligned", "phi2/3")
#: The model options a part's ``options`` table may hold, by observable, with their allowed
#: values (a tuple of choices, or ``int`` for an integer >= 2): the options ``etm fit`` takes on
#: its command line for that observable (``--average``, ``--matrix-elements``, ...).
PLAN_OPTIONS: Mapping[str, Mapping[str, Any]] = {
    "eps": {
        "average": ("direct", "decoupled"),
        "matrix_elements": ("exact", "essay"),
        "n_wells": int,
        "relaxation": ("frozen", "static"),
    },
    "echo": {"matrix_elements": ("exact", "essay"), "c_form": ("bloch", "essay")},
}


def _kind(value: Any) -> str:
    """What a TOML value is, for a message."""
    if isinstance(value, bool):
        return f"a boolean {str(value).lower()}"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return f"an array {_toml(value)}"
    if isinstance(value, str):
        return f"a string {_toml(value)}"
    if isinstance(value, int | float):
        return f"a number {plain(value)}"
    return f"a {type(value).__name__} {plain(value)}"


def _toml(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _names(value: Any, where: str, key: str) -> list[str]:
    """A list of parameter names; a bare string is refused (it would be split into letters)."""
    if isinstance(value, str):
        raise SanityError(
            f"{where}: {key} must be an array of names, e.g. {key} = [{_toml(value)}], got "
            f"{_kind(value)}"
        )
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SanityError(f"{where}: {key} must be an array of names (strings), got {_kind(value)}")
    return list(value)


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise SanityError(f"{where} must be a finite number, got {_kind(value)}")
    return float(value)


def _table(value: Any, where: str, example: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SanityError(f"{where} must be a table, e.g. {example}, got {_kind(value)}")
    return value


def _bounds(value: Any, where: str) -> dict[str, tuple[float, float]]:
    out = {}
    for name, b in _table(value, where, "bounds = { X0min_KA2 = [1e4, 1e6] }").items():
        if not (isinstance(b, list) and len(b) == 2):
            raise SanityError(f"{where}.{name} must be [low, high], got {_kind(b)}")
        lo, hi = (_number(v, f"{where}.{name}") for v in b)
        if not lo < hi:
            raise SanityError(f"{where}.{name}: low {plain(lo)} >= high {plain(hi)}")
        out[name] = (lo, hi)
    return out


def _options(value: Any, observable: str, where: str) -> dict[str, Any]:
    """The part's model options, each allowed for its observable and of an allowed value."""
    opts = _table(value, f"{where}: options", 'options = { average = "decoupled" }')
    allowed = PLAN_OPTIONS.get(observable, {})
    for key, v in opts.items():
        if key not in allowed:
            takers = sorted(o for o, keys in PLAN_OPTIONS.items() if key in keys)
            known = sorted({k for keys in PLAN_OPTIONS.values() for k in keys})
            why = (
                f"only for observable {' or '.join(takers)}"
                if takers
                else f"not an option; known: {', '.join(known)}"
            )
            raise SanityError(f"{where}: options.{key} ({observable}): {why}")
        choices = allowed[key]
        if choices is int:
            if isinstance(v, bool) or not isinstance(v, int) or v < 2:
                raise SanityError(f"{where}: options.{key} must be an integer >= 2, got {_kind(v)}")
        elif v not in choices:
            raise SanityError(
                f"{where}: options.{key} must be one of {', '.join(choices)}, got {_kind(v)}"
            )
    return dict(opts)


def _part(p: Any, k: int, base: Path, where: str) -> dict[str, Any]:
    """One ``[[part]]`` table checked by type and value, its paths resolved against ``base``."""
    from etm.fit.registry import OBSERVABLES

    here = f"{where}: part {k}"
    if not isinstance(p, dict):
        raise SanityError(f"{here} must be a table, got {_kind(p)}")
    bad = set(p) - PART_KEYS
    if bad:
        raise SanityError(f"{here}: unknown keys {', '.join(sorted(bad))}")
    if "observable" not in p or not p.get("files"):
        raise SanityError(f"{here} needs observable and files")
    obs = p["observable"]
    if not isinstance(obs, str) or obs not in OBSERVABLES:
        raise SanityError(
            f"{here}: observable must be one of {', '.join(sorted(OBSERVABLES))}, got {_kind(obs)}"
        )
    q = dict(p)
    q["files"] = [resolved(base / f) for f in _names(p["files"], here, "files")]
    for key in ("material", "meta", "orientation"):
        if key in p and not isinstance(p[key], str):
            raise SanityError(f"{here}: {key} must be a string, got {_kind(p[key])}")
    if "meta" in q:
        q["meta"] = resolved(base / q["meta"])
    if p.get("orientation", ORIENTATIONS[0]) not in ORIENTATIONS:
        raise SanityError(
            f"{here}: orientation must be one of {', '.join(ORIENTATIONS)}, got "
            f"{_kind(p['orientation'])}"
        )
    fix = _table(p.get("fix", {}), f"{here}: fix", "fix = { n_Fe3_per_g = 5e16 }")
    q["fix"] = {name: _number(v, f"{here}: fix.{name}") for name, v in fix.items()}
    for key in ("share", "per_curve", "free"):
        if key in p:
            q[key] = _names(p[key], here, key)
    q["options"] = _options(p.get("options", {}), obs, here)
    return q


def read_plan(path: str | Path) -> dict[str, Any]:
    """Read and check a fit plan; file paths are resolved against the plan's folder.

    Every entry is checked by type and value before any work, with one line naming the plan,
    the part and the entry.

    Raises
    ------
    SanityError
        Not a readable UTF-8 TOML file, unknown keys, ``[part]`` written as one table or fewer
        than two parts, a part without observable or files, an unregistered observable, a
        string where an array of names is expected (``share = "X0min_KA2"``), ``fix`` or
        ``bounds`` not a table, a bound that is not [low, high] with low < high, a value that is
        not a finite number, an option the observable does not take (``etm fit`` refuses it on
        the command line too) or of a value it does not allow, a ``meta`` that is not a path.
    """
    from etm.inputs import read_input

    path = Path(path)
    where = f"--plan {path}"
    raw = read_input(path, label=where)
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SanityError(f"{where}: not a valid UTF-8 TOML file ({exc})") from None
    bad = set(doc) - PLAN_KEYS
    if bad:
        raise SanityError(f"{where}: unknown keys {', '.join(sorted(bad))}")
    parts = doc.get("part", [])
    if isinstance(parts, dict):
        raise SanityError(
            f"{where}: part must be an array of tables, each written [[part]] (two or more), got "
            "one table written [part]"
        )
    if not isinstance(parts, list) or len(parts) < 2:
        got = len(parts) if isinstance(parts, list) else _kind(parts)
        raise SanityError(f"{where}: needs at least two [[part]] tables, got {got}")
    title = doc.get("title", path.stem)
    if not isinstance(title, str):
        raise SanityError(f"{where}: title must be a string, got {_kind(title)}")
    base = path.parent
    return {
        "title": title,
        "share": _names(doc.get("share", []), where, "share"),
        "bounds": _bounds(doc.get("bounds", {}), f"{where}: bounds"),
        "parts": [_part(p, k, base, where) for k, p in enumerate(parts)],
        "path": str(path.resolve()),
    }


def run_plan(
    path: str | Path,
    out_dir: str | Path,
    echo: Callable[[str], None] = print,
    *,
    force: bool = False,
) -> list:
    """Run the joint fit of a plan and write its report into ``out_dir``; return the paths.

    The plan and the output folder (:func:`etm.io.check_output_folder`; ``force`` as there)
    are checked first, then the files are read and the sanity checks of :mod:`etm.fit.sanity`
    run on every part before the fit; the after-fit warnings are printed and recorded in every
    output.
    """
    import sys

    from etm.fit import registry, sanity
    from etm.fit.joint import fit_joint
    from etm.fit.plan_report import check_joint_outputs, write_joint_report
    from etm.io import check_output_folder

    plan = read_plan(path)
    check_output_folder(out_dir, force=force)
    parts = []
    for p in plan["parts"]:
        fix = p["fix"]
        sanity.check_options(fix, p.get("free", ()), p.get("share", ()), p.get("per_curve", ()))
        # read first (regular files only, size and row caps while streaming), then compare
        curves = registry.read_curves(p["files"], p["observable"], metadata_toml=p.get("meta"))
        curves = _with_options(curves, p["options"])
        sanity.check_curves(curves, p["observable"], p.get("material"))
        opts: dict[str, Any] = {"fix": fix}
        for key in ("material", "share", "per_curve", "free", "orientation"):
            if key in p:
                opts[key] = p[key]
        parts.append((p["observable"], curves, opts))
    sanity.check_inputs([f for p in plan["parts"] for f in p["files"]])
    check_joint_outputs(parts, out_dir)
    result = fit_joint(parts, share=plan["share"], bounds=plan["bounds"])
    warnings = sanity.after_fit(result)
    written = write_joint_report(result, parts, plan, out_dir, warnings, argv=sys.argv, force=force)
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
