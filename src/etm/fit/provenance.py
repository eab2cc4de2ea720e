"""What made a fit: the request (files, options), the model options per curve, the software.

Every output of ``etm fit`` (params.json, params.md, report.html) carries :func:`fit_provenance`;
params.json keeps the request in a form ``etm fit --from params.json`` re-runs
(:func:`request_from_json`). See docs/fitting.md ("Provenance and re-runs").
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import platform
import shlex
from collections.abc import Mapping, Sequence
from importlib import metadata as _md
from pathlib import Path
from typing import Any

from etm.fit.data import MeasuredCurve
from etm.fit.registry import lookup

__all__ = [
    "REQUEST_KEYS",
    "command_line",
    "environment",
    "fit_provenance",
    "model_options",
    "parameter_estimate",
    "read_params_json",
    "request_from_json",
]

#: The keys of a fit request (the ``etm fit`` options that change the numbers), with defaults.
REQUEST_KEYS: dict[str, Any] = {
    "observable": "cp",
    "data": [],
    "material": None,
    "meta_toml": None,
    "fix": {},
    "share": [],
    "per_curve": [],
    "free": [],
    "orientation": "isotropic",
    "options": {},
    "no_compare": False,
    "mcmc": False,
    "steps": 20000,
    "walkers": None,
    "seed": 0,
    "processes": 1,
    "mixed_glasses": False,
    "model": None,
}


def environment() -> dict[str, str]:
    """Versions of Python, etm, numpy, scipy, lmfit and emcee (``"not installed"`` if absent).

    Examples
    --------
    >>> sorted(environment())[:3]
    ['emcee', 'etm', 'lmfit']
    """
    out = {"python": platform.python_version(), "platform": platform.platform()}
    for pkg in ("etm", "numpy", "scipy", "lmfit", "emcee"):
        try:
            out[pkg] = _md.version(pkg)
        except _md.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def model_options(observable: str, curves: Sequence[MeasuredCurve], orientation: str) -> dict:
    """Every model option of the fit, resolved: the orientation, and per curve each option of
    the observable (:attr:`etm.fit.registry.Observable.options`, else the module's
    ``*_OPTIONS``) at the value its metadata gives or the default.

    Returns
    -------
    dict
        ``{"orientation": ..., "per_curve": [{"curve": label, option: value, ...}, ...]}``.
    """
    obs = lookup(observable)
    defaults = dict(obs.options)
    if not defaults:
        defaults = dict(_module_options(observable))
    rows = []
    for c in curves:
        row: dict[str, Any] = {"curve": c.label}
        for k, v in defaults.items():
            row[k] = c.metadata.get(k, v)
            row[f"{k}_from"] = "file/command line" if k in c.metadata else "default"
        rows.append(row)
    return {"orientation": orientation, "defaults": defaults, "per_curve": rows}


def _module_options(observable: str) -> Mapping[str, Any]:
    """The ``EPS_OPTIONS`` / ``ECHO_OPTIONS`` of observables registered before the field
    :attr:`Observable.options` existed."""
    if observable == "eps":
        from etm.fit.eps import EPS_OPTIONS

        return EPS_OPTIONS
    if observable == "echo":
        from etm.fit.echo import ECHO_OPTIONS

        return ECHO_OPTIONS
    return {}


def command_line(request: Mapping[str, Any], out_dir: str | Path) -> str:
    """The ``etm fit`` command line that makes ``request`` (quoted for a POSIX shell).

    Examples
    --------
    >>> command_line({"data": ["a.csv"], "material": "BAS", "fix": {"Dmin_K": 0.5}}, "o")
    'etm fit a.csv --material BAS --fix Dmin_K=0.5 --out o'
    """
    r = {**REQUEST_KEYS, **request}
    args = ["etm", "fit", *map(str, r["data"])]
    if r["observable"] not in ("cp", None):
        args += ["--observable", r["observable"]]
    if r["material"] is not None:
        args += ["--material", str(r["material"])]
    if r["meta_toml"] is not None:
        args += ["--meta", str(r["meta_toml"])]
    for k, v in r["fix"].items():
        args += ["--fix", f"{k}={v!r}"]
    for opt in ("share", "per_curve", "free"):
        for n in r[opt]:
            args += ["--" + opt.replace("_", "-"), n]
    if r["orientation"] != "isotropic":
        args += ["--orientation", r["orientation"]]
    for k, v in r["options"].items():
        args += ["--" + k.replace("_", "-"), str(v)]
    if r["no_compare"]:
        args.append("--no-compare")
    if r["mixed_glasses"]:
        args.append("--mixed-glasses")
    if r.get("model") is not None:
        args += ["--model", str(r["model"])]
    if r["mcmc"]:
        args.append("--mcmc")
        for k in ("steps", "walkers", "seed", "processes"):
            if r[k] != REQUEST_KEYS[k]:
                args += ["--" + k.replace("_", "-"), str(r[k])]
    args += ["--out", str(out_dir)]
    return shlex.join(args)


def fit_provenance(
    request: Mapping[str, Any],
    out_dir: str | Path,
    result: Any,
    warnings: Sequence[str] = (),
    argv: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The provenance block of every output of one fit.

    Parameters
    ----------
    request : mapping
        The fit request (keys of :data:`REQUEST_KEYS`).
    out_dir : path-like
        The output folder.
    result : FitResult
        The fit (its curves give the input digests and the resolved model options).
    warnings : sequence of str
        The sanity warnings (:func:`etm.fit.sanity.after_fit`).
    argv : sequence of str, optional
        The command line as typed, if known.

    Returns
    -------
    dict
        ``request``, ``command_line`` (re-runs the fit), ``argv``, ``date_utc``, ``software``,
        ``model`` (observable, equation, components, options per curve), ``inputs`` (path,
        sha256, rows used), ``warnings``.
    """
    req = {**REQUEST_KEYS, **request}
    obs = lookup(result.observable)
    return {
        "request": json.loads(json.dumps(req, default=str)),
        "command_line": command_line(req, out_dir),
        "argv": list(argv) if argv is not None else None,
        "date_utc": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "software": environment(),
        "model": {
            "observable": result.observable,
            "equation": obs.equation,
            "components": list(result.components),
            **model_options(result.observable, result.curves, result.orientation),
        },
        "inputs": [
            {"path": str(c.source), "sha256": c.sha256, "rows_used": len(c)} for c in result.curves
        ],
        "warnings": list(warnings),
    }


def read_params_json(path: str | Path, option: str = "--from") -> dict[str, Any]:
    """The parsed params.json of ``etm fit`` at ``path``, read defensively.

    Raises
    ------
    SanityError
        One line naming ``option`` and the file: it cannot be read (missing, not a regular file,
        a symlink loop, larger than :data:`etm.inputs.MAX_INPUT_BYTES`), is not UTF-8 JSON (with
        the line and column), or is not a JSON object written by etm.
    """
    from etm.fit.sanity import SanityError
    from etm.inputs import read_input

    where = f"{option} {path}"
    try:
        raw = read_input(path, label=where)
    except ValueError as exc:
        raise SanityError(str(exc)) from None
    try:
        doc = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise SanityError(f"{where}: not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise SanityError(
            f"{where}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "is it a params.json written by etm fit?"
        ) from None
    if not isinstance(doc, dict) or doc.get("software") != "etm":
        kinds = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
        got = "a JSON object" if isinstance(doc, dict) else kinds.get(type(doc), "a number")
        raise SanityError(f"{where}: not a params.json written by etm fit (it holds {got})")
    return doc


def parameter_estimate(doc: Mapping[str, Any], name: str, where: str) -> tuple[float, float]:
    """(value, standard error) of the one shared estimate ``name`` in a params.json ``doc``
    (a single fit's ``parameters`` or a joint fit's ``shared``); ``where`` names the file."""
    from etm.fit.sanity import SanityError

    entries = doc.get("parameters", doc.get("shared", []))
    if not isinstance(entries, list):
        entries = []
    est = [e for e in entries if isinstance(e, dict) and e.get("name") == name]
    if len(est) != 1:
        raise SanityError(f"{where}: expected one shared {name}, found {len(est)}")
    value, err = est[0].get("value"), est[0].get("stderr") or 0.0
    for v in (value, err):
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise SanityError(f"{where}: {name} is not a finite number ({v!r})")
    return float(value), float(err)


def request_from_json(path: str | Path) -> dict[str, Any]:
    """The fit request recorded in a params.json of ``etm fit``, its input digests checked.

    Raises
    ------
    ValueError
        One line naming the file: it cannot be read or is not JSON (each said as such), it is
        a joint fit's params.json (re-run with ``--plan``), it holds no request, or an input file
        changed since (its SHA-256 differs) or is gone.
    """
    from etm.fit.sanity import SanityError
    from etm.inputs import sha256_file

    path = Path(path)
    where = f"--from {path}"
    doc = read_params_json(path)
    prov = doc.get("provenance")
    if doc.get("kind") == "joint fit":
        plan = prov.get("plan", {}).get("path") if isinstance(prov, dict) else None
        how = f"etm fit --plan {plan}" if isinstance(plan, str) else "etm fit --plan PLAN"
        raise SanityError(f"{where}: the params.json of a joint fit; re-run it with {how}")
    req = prov.get("request") if isinstance(prov, dict) else None
    if not isinstance(req, dict):
        raise SanityError(f"{where}: not a params.json written by etm fit (no provenance.request)")
    inputs = prov.get("inputs", [])
    for inp in inputs if isinstance(inputs, list) else []:
        if not isinstance(inp, dict) or not isinstance(inp.get("path"), str):
            raise SanityError(f"{where}: provenance.inputs holds {inp!r}, not a file record")
        p = Path(inp["path"])
        try:
            h = sha256_file(p)
        except ValueError as exc:
            raise SanityError(f"{where}: input {exc}") from None
        if h != inp.get("sha256"):
            raise SanityError(
                f"{where}: input {p} changed since the fit (sha256 {h[:12]}..., recorded "
                f"{str(inp.get('sha256'))[:12]}...)"
            )
    unknown = set(req) - set(REQUEST_KEYS)
    if unknown:
        raise SanityError(f"{where}: unknown request keys {', '.join(sorted(unknown))}")
    return {**REQUEST_KEYS, **req}
