"""``etm fit FILES --observable echo --model etm|neqm|both``: the request, end to end.

The same order as :func:`etm.fit.request.run_request` (checks before any model evaluation, the
fits, the MCMC, the diagnosis, the report written atomically), with the model comparison of
:mod:`etm.fit.model_compare` in place of the STM comparison: the ``--model`` fit is the main
result (its parameters, figures and, with ``--mcmc``, its posterior), and unless
``--no-compare`` the other models are fitted to the same curves and every output states AIC,
BIC and, with ``--mcmc``, the evidence of each, and which model each criterion prefers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["run_model_request"]


def run_model_request(
    request: Mapping[str, Any],
    out_dir: str | Path,
    echo: Callable[[str], None] = print,
    *,
    progress: bool | None = None,
    argv: Sequence[str] | None = None,
    force: bool = False,
) -> list[Path]:
    """Run one ``--model`` request and write its report into ``out_dir``.

    Parameters
    ----------
    request : mapping
        Keys of :data:`etm.fit.provenance.REQUEST_KEYS`, ``model`` one of etm, neqm, both.
    out_dir : path-like
        The output folder.
    echo : callable
        Prints one line.
    progress : bool, optional
        Progress bars on stderr.
    argv : sequence of str, optional
        The command line as typed.
    force : bool
        Write into a folder holding other files.

    Returns
    -------
    list of Path
        The files written.
    """
    from dataclasses import replace

    from etm.fit import report, sanity
    from etm.fit.data import with_model_options
    from etm.fit.mcmc import check_chain_memory, run_mcmc
    from etm.fit.model_compare import ECHO_MODELS, compare_echo_models
    from etm.fit.model_evidence import add_evidence
    from etm.fit.neqm import etm_material
    from etm.fit.progress import interruptible
    from etm.fit.provenance import REQUEST_KEYS
    from etm.fit.registry import read_curves
    from etm.fit.request import MODEL_OPTIONS, checked_request, glass_of, write_and_tell

    model = {**REQUEST_KEYS, **request}["model"]
    if model not in ECHO_MODELS:
        raise ValueError(f"--model must be one of {', '.join(ECHO_MODELS)}, got {model!r}")
    req = checked_request(request)
    options, fixed, observable = dict(req["options"]), req["fix"], req["observable"]
    if observable != "echo":
        raise ValueError(f"--model compares echo models; the files hold {observable!r}")
    wrong = [k for k in options if k not in MODEL_OPTIONS["echo"]]
    if wrong:
        raise ValueError(f"{', '.join('--' + k.replace('_', '-') for k in wrong)}: not for echo")
    known = {p.name for o in ECHO_MODELS.values() for p in _lookup(o).params}
    for name in (*fixed, *req["free"], *req["share"], *req["per_curve"]):
        if name not in known:
            raise ValueError(
                f"unknown parameter {name!r} for the echo models; known: {', '.join(sorted(known))}"
            )
    curves = read_curves(req["data"], "echo", metadata_toml=req["meta_toml"])
    curves = with_model_options(curves, options)
    sanity.check_glasses(curves, mixed=req["mixed_glasses"])
    material, notes = req["material"], []
    if material is None and not req["mixed_glasses"]:
        material, note = glass_of(curves, "echo")
        notes += [note] if note else []
    sanity.check_curves(curves, "echo", etm_material(material))
    report.check_outputs(curves, out_dir, mcmc=req["mcmc"])
    models = (model,) if req["no_compare"] else ("etm", "neqm", "both")
    with interruptible():
        comparison = compare_echo_models(
            curves,
            main=model,
            material=material,
            fix=fixed,
            share=req["share"],
            per_curve=req["per_curve"],
            free=req["free"],
            orientation=req["orientation"],
            progress=progress,
            models=models,
        )
        result = comparison.row(model).result
        if req["mcmc"]:
            params = result.lmfit_result.params
            check_chain_memory(result.problem, params, req["steps"], req["walkers"])
            result = run_mcmc(
                result,
                steps=req["steps"],
                nwalkers=req["walkers"],
                seed=req["seed"],
                processes=req["processes"],
                progress=progress,
            )
            if not req["no_compare"]:
                comparison = add_evidence(comparison, seed=req["seed"], progress=progress)
    result = replace(result, notes=tuple(dict.fromkeys([*notes, *result.notes])))
    shown = None if req["no_compare"] else comparison
    head = [
        f"echo, model {model} ({result.observable}): reduced chi^2 = {result.redchi:.4g}, "
        f"AIC = {result.aic:.4g}"
    ]
    compared = shown.terminal_lines() if shown is not None else []
    return write_and_tell(req, result, shown, out_dir, echo, head, argv, force, compared)


def _lookup(name: str) -> Any:
    from etm.fit.registry import lookup

    return lookup(name)
