"""One ``etm fit`` request, end to end: checks, the fit, the comparison, MCMC, the report.

:func:`run_request` is what ``etm fit DATA...`` (and ``etm fit --from params.json``) runs; the
command line only parses options into a request (the keys of
:data:`etm.fit.provenance.REQUEST_KEYS`). In order, before any model evaluation: the options
(``--fix``/``--free`` conflicts, model options the observable does not take), the inputs (a file
given twice), the observable (detected from the columns unless named), the curves, the glass
(files of different glasses refused unless asked for; the preset taken from the files'
``# glass`` lines unless ``--material`` names one), the physical sanity checks, the output
folder, the MCMC's memory at its step cap. Then the fit (progress on stderr), the STM-only
comparison, the MCMC; Ctrl-C stops at the next model evaluation or MCMC step with nothing
written. Last the diagnosis (:mod:`etm.fit.diagnose`) and the report, written atomically.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["MODEL_OPTIONS", "glass_of", "run_request"]

#: The model options of `etm fit` and the observables that take them.
MODEL_OPTIONS: Mapping[str, frozenset[str]] = {
    "eps": frozenset({"average", "matrix_elements", "n_wells", "relaxation"}),
    "echo": frozenset({"matrix_elements", "c_form"}),
}


def glass_of(curves: Sequence[Any], observable: str) -> tuple[Any, str | None]:
    """The preset named by the curves' ``# glass`` lines, if they agree and the observable
    knows it (a Table 1-7 glass or row); else None. Returns (material, note)."""
    from etm.fit.registry import lookup

    names = {str(c.metadata["glass"]) for c in curves if "glass" in c.metadata}
    if len(names) != 1 or any("glass" not in c.metadata for c in curves):
        return None, None
    (name,) = names
    obs = lookup(observable)
    try:
        obs.guess_shape(curves[0].metadata, name)
    except (ValueError, TypeError, AttributeError, KeyError):
        return None, (
            f"the files' glass {name!r} is not a preset for {observable!r}: the fit starts "
            "from typical values (give --material to choose one)"
        )
    return name, f"preset {name!r} from the files' '# glass' lines (override with --material)"


def run_request(
    request: Mapping[str, Any],
    out_dir: str | Path,
    echo: Callable[[str], None] = print,
    *,
    progress: bool | None = None,
    argv: Sequence[str] | None = None,
    force: bool = False,
) -> list[Path]:
    """Run one single-observable fit request and write its report into ``out_dir``.

    Parameters
    ----------
    request : mapping
        Keys of :data:`etm.fit.provenance.REQUEST_KEYS` (``observable`` None: detected).
    out_dir : path-like
        The output folder.
    echo : callable
        Prints one line.
    progress : bool, optional
        Progress bars on stderr (default: stderr is a terminal).
    argv : sequence of str, optional
        The command line as typed, for the provenance.
    force : bool
        Write into an ``out_dir`` holding files etm did not write (:func:`etm.io.output_folder`).

    Returns
    -------
    list of Path
        The files written.
    """
    from dataclasses import replace

    from etm.fit import report, sanity
    from etm.fit.compare import compare_stm
    from etm.fit.data import with_model_options
    from etm.fit.engine import fit_problem, setup_problem
    from etm.fit.mcmc import check_chain_memory, run_mcmc
    from etm.fit.progress import interruptible
    from etm.fit.registry import read_curves

    req = checked_request(request)
    options, fixed, observable = dict(req["options"]), req["fix"], req["observable"]
    allowed = MODEL_OPTIONS.get(observable, ())
    wrong = [k for k in options if k not in allowed]
    if wrong:
        given = ", ".join("--" + k.replace("_", "-") for k in wrong)
        takers = sorted({o for o, ks in MODEL_OPTIONS.items() if set(wrong) <= ks})
        raise ValueError(f"{given}: only with --observable {' or '.join(takers)}")
    curves = read_curves(req["data"], observable, metadata_toml=req["meta_toml"])
    curves = with_model_options(curves, options)
    sanity.check_glasses(curves, mixed=req["mixed_glasses"])
    material, auto_notes = req["material"], []
    if material is None and not req["mixed_glasses"]:
        material, note = glass_of(curves, observable)
        auto_notes += [note] if note else []
    sanity.check_curves(curves, observable, material)
    report.check_outputs(curves, out_dir, mcmc=req["mcmc"])  # refuse before the (slow) fit
    kwargs = dict(
        material=material,
        fix=fixed,
        share=req["share"],
        per_curve=req["per_curve"],
        free=req["free"],
        orientation=req["orientation"],
    )
    prob, params, notes = setup_problem(
        curves,
        observable,
        material,
        fixed,
        req["share"],
        req["per_curve"],
        req["free"],
        None,
        req["orientation"],
    )
    if req["mcmc"]:
        check_chain_memory(prob, params, req["steps"], req["walkers"])
    with interruptible():
        result = fit_problem(prob, params, [*auto_notes, *notes], progress=progress)
        comparison = None
        if not req["no_compare"] and "ATS" in result.components:
            comparison = compare_stm(curves, observable, etm=result, **kwargs)
        if req["mcmc"]:
            result = run_mcmc(
                result,
                steps=req["steps"],
                nwalkers=req["walkers"],
                seed=req["seed"],
                processes=req["processes"],
                progress=progress,
            )
    result = replace(result, notes=tuple(dict.fromkeys(result.notes)))
    headline = f"{observable}: reduced chi^2 = {result.redchi:.4g}, AIC = {result.aic:.4g}"
    headline += f", Delta AIC (STM - ETM) = {comparison.delta_aic:.4g}" if comparison else ""
    return write_and_tell(req, result, comparison, out_dir, echo, [headline], argv, force)


def checked_request(request: Mapping[str, Any]) -> dict[str, Any]:
    """The request with every key (:data:`etm.fit.provenance.REQUEST_KEYS`), ``fix`` parsed,
    the options and input files checked and ``observable`` detected if None: the cheap checks
    every fit request makes before reading its curves."""
    from etm.fit import sanity
    from etm.fit.provenance import REQUEST_KEYS
    from etm.fit.registry import detect_observable

    req = {**REQUEST_KEYS, **request}
    fix = req["fix"]
    req["fix"] = dict(fix) if isinstance(fix, dict) else sanity.parse_fix(fix)
    sanity.check_options(req["fix"], req["free"], req["share"], req["per_curve"])
    sanity.check_inputs(req["data"])
    req["observable"] = req["observable"] or detect_observable(req["data"])
    return req


def write_and_tell(
    req: Mapping[str, Any],
    result: Any,
    comparison: Any,
    out_dir: str | Path,
    echo: Callable[[str], None],
    head: Sequence[str],
    argv: Sequence[str] | None,
    force: bool,
    compared: Sequence[str] = (),
) -> list[Path]:
    """The end of every fit request: the sanity warnings, the provenance, the report written
    as one unit, and the terminal lines (``head``, the parameters, ``compared``: the model
    comparison's lines, the notes, the warnings, what was written)."""
    from etm.fit import report, sanity
    from etm.fit.provenance import fit_provenance

    warnings = sanity.after_fit(result)
    prov = fit_provenance(req, out_dir, result, warnings, argv=argv)
    written = report.write_fit_report(result, out_dir, comparison, provenance=prov, force=force)
    lines = [*head, *report.terminal_lines(result)]
    lines += list(compared)
    lines += [f"  note: {note}" for note in result.notes] + list(warnings)
    for line in [*lines, f"wrote {len(written)} files to {out_dir}"]:
        echo(line)
    return written
