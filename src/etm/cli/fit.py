"""Command-line commands ``etm fit``, ``etm cell-size`` and ``etm tg``: thin wrappers.

They are plain :func:`click.command` objects around :mod:`etm.fit` (docs/fitting.md) and
:mod:`etm.structure` (the essay's Eq. 35-40); :mod:`etm.cli` registers them on its group with
``cli.add_command``. This module does not import :mod:`etm.cli`, and imports the library inside
each command, so ``etm --help`` stays fast.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import click

__all__ = ["cell_size", "fit", "tg", "with_model_options"]


#: The model options of `etm fit` and the observables that take them.
_OPTIONS_BY_OBSERVABLE = {
    "eps": frozenset({"average", "matrix_elements", "n_wells", "relaxation"}),
    "echo": frozenset({"matrix_elements", "c_form"}),
}


@click.command(name="fit")
@click.argument("data", nargs=-1, required=False, type=click.Path(dir_okay=False))
@click.option(
    "--observable",
    type=click.Choice(["cp", "eps", "echo", "magnetization"]),
    default="cp",
    show_default=True,
    help="What the files hold: cp = heat capacity C_p(B) at fixed T (or C_p(T) at fixed B); "
    "eps = relative change [eps'(B) - eps'(0)]/eps' (column rel_<unit>) at fixed T and "
    "frequency (metadata T_<unit> and f_<unit>); echo = relative echo amplitude "
    "A(B)/A(B_high) (column rel_echo) at fixed T and pulse sequence (metadata T_<unit>, "
    "f_<unit>, tau1_<unit>, tau2_<unit>, tau12_<unit>); magnetization = M vs T at fixed B "
    "(metadata B_<unit>) or M vs B at fixed T (column M_<unit>, e.g. M_emu_per_g).",
)
@click.option(
    "--material",
    default=None,
    help="Preset (see `etm materials`) whose parameters start the fit, e.g. BAS; for echo a "
    "Table 7 row, e.g. 'BAS sample 2', whose values also fill the default-fixed parameters.",
)
@click.option(
    "--meta",
    "meta_toml",
    type=click.Path(dir_okay=False),
    default=None,
    help="TOML file with further metadata for every file (e.g. T_K = 0.6).",
)
@click.option(
    "--fix",
    "fix",
    multiple=True,
    metavar="P=V",
    help="Hold parameter P at V (its unit is in its name), e.g. --fix n_Fe3_per_g=5e16.",
)
@click.option(
    "--share",
    multiple=True,
    metavar="P",
    help="Share a per-curve parameter across all files, e.g. --share Dmin_K.",
)
@click.option(
    "--per-curve",
    "per_curve",
    multiple=True,
    metavar="P",
    help="Fit a normally shared parameter separately per file, e.g. nP_per_g.",
)
@click.option(
    "--free",
    multiple=True,
    metavar="P",
    help="Fit a parameter that would be fixed automatically (beta_J_per_gK4 at one T; for "
    "echo Gamma_inv_per_sK5, c_per_sK, p1F0_DkV_per_m, tan_omega_dtau, A_2LS_per_a0, "
    "c_2LS_per_sK, Gamma_2LS_per_sK3).",
)
@click.option(
    "--orientation",
    type=click.Choice(["isotropic", "aligned", "phi2/3"]),
    default="isotropic",
    show_default=True,
    help="ATS loop orientation average.",
)
@click.option(
    "--average",
    type=click.Choice(["direct", "decoupled"]),
    default=None,
    help="eps only: ATS average, direct (exact) or decoupled (the essay's Eq. 19) "
    "[default: the files' metadata, else direct].",
)
@click.option(
    "--matrix-elements",
    "matrix_elements",
    type=click.Choice(["exact", "essay"]),
    default=None,
    help="eps and echo: dipole matrix elements, exact (three wells) or essay (eps: Eq. 20, "
    "with --n-wells; echo: Eq. 21 and 27) [default: the files' metadata, else exact].",
)
@click.option(
    "--c-form",
    "c_form",
    type=click.Choice(["bloch", "essay"]),
    default=None,
    help="echo only: delta/Omega_G (Bloch equations) or delta/Omega_R (Eq. 32) in the echo's "
    "C term [default: the files' metadata, else bloch].",
)
@click.option(
    "--n-wells",
    "n_wells",
    type=click.IntRange(min=2),
    default=None,
    help="eps only: wells n_w of the essay's Eq. 20 (needs --matrix-elements essay) [default: 3].",
)
@click.option(
    "--relaxation",
    type=click.Choice(["frozen", "static"]),
    default=None,
    help="eps only: relaxational part frozen (omega tau >> 1, the essay's fits) or static "
    "[default: the files' metadata, else frozen].",
)
@click.option("--no-compare", is_flag=True, help="Skip the STM-only fit and the AIC comparison.")
@click.option(
    "--mcmc",
    is_flag=True,
    help="Also sample the posterior with emcee (linear amplitudes integrated out; ~30 s for "
    "the three BAS Cp curves, ~2 min for one echo curve).",
)
@click.option(
    "--steps",
    default=20000,
    show_default=True,
    type=click.IntRange(min=2),
    help="MCMC step cap per walker: the chain stops earlier once longer than 50 "
    "autocorrelation times with tau stable to 2 % (checked every 200 steps).",
)
@click.option(
    "--processes",
    default=1,
    show_default=True,
    type=click.IntRange(min=1, max=8),
    help="MCMC: 1 = vectorized over walkers in this process (with the Cp and echo models' "
    "checked surrogates, the echo's corrected to the exact model); 2 = a process pool "
    "evaluating the exact model walker by walker.",
)
@click.option(
    "--walkers",
    default=None,
    type=click.IntRange(min=2),
    help="MCMC walkers [default: max(32, 4 x sampled parameters); the marginalized linear "
    "amplitudes do not count].",
)
@click.option("--seed", default=0, show_default=True, type=int, help="MCMC random seed.")
@click.option(
    "--from",
    "from_json",
    type=click.Path(dir_okay=False),
    default=None,
    help="Re-run the fit recorded in a params.json of etm fit (same files, checked by sha256, "
    "and options); give no DATA or other options with it.",
)
@click.option(
    "--plan",
    "plan_toml",
    type=click.Path(dir_okay=False),
    default=None,
    help="A TOML fit plan: files per observable, shared parameters, fixed values, bounds; "
    "one joint fit and one report (docs/fitting.md, 'Fit plans').",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder for params.json, params.md, the figures and report.html.",
)
def fit(
    data,
    observable,
    material,
    meta_toml,
    fix,
    share,
    per_curve,
    free,
    orientation,
    average,
    matrix_elements,
    c_form,
    n_wells,
    relaxation,
    no_compare,
    mcmc,
    steps,
    processes,
    walkers,
    seed,
    from_json,
    plan_toml,
    out_dir,
) -> None:
    """Fit the model to measured curves DATA... (CSV, units in the header) and write a report.

    Several files are fitted together (a global fit). cp: concentrations shared, Dmin_K,
    X0min_KA2 and X0max_KA2 per file, as in the essay's Tables 1-4. eps: amplitude_K, Dmin_K,
    X0min_KA2 and X0max_KA2 all per file, as in Tables 5-6 (--share P to share one). echo: the
    files are one glass (a tau12 or temperature series, each file with its own T, tau12 and
    pulses) and share every parameter (--per-curve P to fit P per file); Dmin_K, X0min_KA2,
    X0max_KA2 are fitted, Gamma_inv_per_sK5, c_per_sK, p1F0_DkV_per_m, tan_omega_dtau (from the
    --material Table 7 row) and the 2LS terms A_2LS_per_a0, c_2LS_per_sK, Gamma_2LS_per_sK3 (0)
    fixed unless --free'd, as one curve does not determine them (docs/fitting.md, docs/echo.md).
    The input files are only read.

    Example: etm fit bas_0.60K.csv bas_0.90K.csv bas_1.36K.csv --material BAS --out fit-bas

    Example: etm fit eps_BAS_50mK.csv --observable eps --material BAS --out fit-eps

    Example: etm fit echo_BAS_sample2.csv --observable echo --material "BAS sample 2" --out fit-echo

    Example: etm fit --from fit-bas/params.json --out fit-bas-again   (re-run a recorded fit)

    Example: etm fit --plan examples/plan_joint_BAS_synthetic.toml --out fit-joint   (joint fit)

    Nonsense is refused before any work, with exit status 2 (a T outside 1 mK - 100 K, a
    negative Cp, metadata contradicting --material, a file given twice, --fix P --free P, a row
    with extra cells, an unwritable --out); a poor fit (reduced chi^2 > 3, a parameter at a
    bound) is flagged with WARNING lines in the terminal and every output (docs/fitting.md).
    """
    from etm.fit.sanity import SanityError, check_out_dir

    ctx = click.get_current_context()
    try:
        check_out_dir(out_dir)  # first: an unwritable --out is refused before anything else
        given = [
            k
            for k, v in ctx.params.items()
            if k not in ("from_json", "plan_toml", "out_dir")
            and ctx.get_parameter_source(k) != click.core.ParameterSource.DEFAULT
            and v not in ((), None)
        ]
        if from_json is not None or plan_toml is not None:
            if from_json is not None and plan_toml is not None:
                raise SanityError("give either --from or --plan, not both")
            if data or given:
                what = "--from" if from_json is not None else "--plan"
                extra = ", ".join(
                    ["DATA"] * bool(data) + ["--" + k.replace("_", "-") for k in given]
                )
                raise SanityError(f"{what} takes no DATA or other options (got {extra})")
        if plan_toml is not None:
            from etm.fit.plan import run_plan

            run_plan(plan_toml, out_dir, click.echo)
            return
        if from_json is not None:
            from etm.fit.provenance import request_from_json

            request = request_from_json(from_json)
        else:
            if not data:
                raise SanityError("give DATA files (or --from params.json, or --plan plan.toml)")
            options = {
                "average": average,
                "matrix_elements": matrix_elements,
                "n_wells": n_wells,
                "relaxation": relaxation,
                "c_form": c_form,
            }
            request = {
                "observable": observable,
                "data": [str(Path(p).resolve()) for p in data],
                "material": material,
                "meta_toml": None if meta_toml is None else str(Path(meta_toml).resolve()),
                "fix": fix,  # parsed and checked in run_request
                "share": list(share),
                "per_curve": list(per_curve),
                "free": list(free),
                "orientation": orientation,
                "options": {k: v for k, v in options.items() if v is not None},
                "no_compare": no_compare,
                "mcmc": mcmc,
                "steps": steps,
                "walkers": walkers,
                "seed": seed,
                "processes": processes,
            }
        run_request(request, out_dir, click.echo)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def run_request(request, out_dir, echo) -> list:
    """Run one single-observable fit request (the keys of
    :data:`etm.fit.provenance.REQUEST_KEYS`) and write its report into ``out_dir``: the sanity
    checks first, then the fit, the STM comparison, MCMC, the after-fit warnings. ``echo``
    prints a line. Returns the paths written.
    """
    import sys

    from etm.fit import compare_stm, echo_defaults, lookup, read_curves, report, run_mcmc, sanity
    from etm.fit.engine import fit as fit_curves
    from etm.fit.provenance import REQUEST_KEYS, fit_provenance

    req = {**REQUEST_KEYS, **request}
    observable, options = req["observable"], dict(req["options"])
    fix = req["fix"]
    fixed = dict(fix) if isinstance(fix, dict) else sanity.parse_fix(fix)
    req["fix"] = fixed
    sanity.check_options(fixed, req["free"], req["share"], req["per_curve"])
    allowed = _OPTIONS_BY_OBSERVABLE.get(observable, ())
    wrong = [k for k in options if k not in allowed]
    if wrong:
        given = ", ".join("--" + k.replace("_", "-") for k in wrong)
        takers = sorted({o for o, ks in _OPTIONS_BY_OBSERVABLE.items() if set(wrong) <= ks})
        raise ValueError(f"{given}: only with --observable {' or '.join(takers)}")
    sanity.check_inputs(req["data"])
    curves = read_curves(req["data"], observable, metadata_toml=req["meta_toml"])
    curves = with_model_options(curves, options)
    sanity.check_curves(curves, observable, req["material"])
    report.check_outputs(curves, out_dir, mcmc=req["mcmc"])  # refuse before the (slow) fit
    kwargs = dict(
        material=req["material"],
        fix=fixed,
        share=req["share"],
        per_curve=req["per_curve"],
        free=req["free"],
        orientation=req["orientation"],
    )
    auto_notes: list[str] = []
    if observable == "echo":
        kwargs["fix"], auto_notes = echo_defaults(curves, req["material"], fixed, req["free"])
        if not req["share"]:
            # several files of one glass (a tau12 or temperature series) are one model with one
            # parameter set, as etm.fit.fit_echo does; --per-curve P keeps P per file
            own = set(req["per_curve"])
            kwargs["share"] = [p.name for p in lookup("echo").params if p.name not in own]
    result = fit_curves(curves, observable, **kwargs)
    if auto_notes:
        result = replace(result, notes=(*auto_notes, *result.notes))
    comparison = None
    if not req["no_compare"]:
        comparison = compare_stm(curves, observable, etm=result, **kwargs)
    if req["mcmc"]:
        result = run_mcmc(
            result,
            steps=req["steps"],
            nwalkers=req["walkers"],
            seed=req["seed"],
            processes=req["processes"],
        )
    warnings = sanity.after_fit(result)
    if result.mcmc is not None and not result.mcmc.converged:
        warnings.append(f"WARNING: MCMC {result.mcmc.stop_reason}")
    prov = fit_provenance(req, out_dir, result, warnings, argv=sys.argv)
    written = report.write_fit_report(result, out_dir, comparison, provenance=prov)
    echo(
        f"reduced chi^2 = {result.redchi:.4g}, AIC = {result.aic:.4g}"
        + (f", Delta AIC (STM - ETM) = {comparison.delta_aic:.4g}" if comparison else "")
    )
    for line in report.terminal_lines(result):
        echo(line)
    for note in result.notes:
        echo(f"  note: {note}")
    for w in warnings:
        echo(w)
    echo(f"wrote {len(written)} files to {out_dir}")
    return written


def with_model_options(curves, options):
    """The curves with the command line's model options in their metadata
    (:func:`etm.fit.data.with_model_options`)."""
    from etm.fit.data import with_model_options as _with

    return _with(curves, options)


@click.command(name="cell-size")
@click.option("--nP", "nP", type=float, default=None, help="n_ATS P* [1/g] (e.g. 5e16).")
@click.option(
    "--nP-err",
    "nP_err",
    type=float,
    default=0.0,
    show_default=True,
    help="Its standard uncertainty [1/g].",
)
@click.option(
    "--from",
    "from_json",
    type=click.Path(dir_okay=False, exists=True),
    default=None,
    help="Take nP_per_g and its error from a params.json written by `etm fit`.",
)
@click.option(
    "--rho",
    type=float,
    default=None,
    help="Mass density [g/cm^3]; default: the essay's value for --glass.",
)
@click.option(
    "--rho-err",
    type=float,
    default=0.0,
    show_default=True,
    help="Its standard uncertainty [g/cm^3].",
)
@click.option("--glass", default=None, help="BAS, Duran or BK7: use the essay's density.")
def cell_size(nP, nP_err, from_json, rho, rho_err, glass) -> None:
    """Cell radius xi = (3/(pi sqrt(2) n_ATS P* rho))^(1/3) in angstrom (the essay's Eq. 40).

    Example: etm cell-size --nP 5e16 --glass BAS   (163 A)
    """
    from etm import structure

    try:
        if from_json is not None:
            if nP is not None:
                raise ValueError("give either --nP or --from, not both")
            doc = json.loads(Path(from_json).read_text(encoding="utf-8"))
            est = [p for p in doc.get("parameters", []) if p.get("name") == "nP_per_g"]
            if len(est) != 1:
                raise ValueError(f"{from_json}: expected one shared nP_per_g, found {len(est)}")
            nP, nP_err = est[0]["value"], est[0]["stderr"] or 0.0
        if nP is None:
            raise ValueError("give --nP (n_ATS P* in 1/g) or --from params.json")
        if rho is None:
            if glass is None:
                raise ValueError("give --rho (g/cm^3) or --glass (BAS, Duran, BK7)")
            known = {k.lower(): v for k, v in structure.DENSITIES_G_CM3.items()}
            if glass.lower() not in known:
                raise ValueError(
                    f"--glass must be one of {', '.join(structure.DENSITIES_G_CM3)}, got {glass!r}"
                )
            rho = known[glass.lower()]
        r = structure.cell_radius(nP, rho, nP_err=nP_err, rho_err=rho_err)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    err = f" ± {r.xi_err_A:.3g}" if r.xi_err_A > 0 else ""
    click.echo(
        f"xi = {r.xi_A:.4g}{err} A (diameter {r.diameter_A:.4g} A) for n_ATS P* = "
        f"{nP:.4g} /g, rho = {rho:g} g/cm^3"
    )


@click.command(name="tg")
@click.option(
    "--kappa",
    "kappas",
    type=float,
    multiple=True,
    required=True,
    help="Cooling rate [K/s] (repeat for several).",
)
@click.option("--Tc", "Tc", type=float, required=True, help="Tc [K] of Eq. 35.")
@click.option("--tau0", type=float, required=True, help="Microscopic time tau0 [s].")
@click.option("--w0", type=float, required=True, help="Energy per atom w0/k_B [K].")
@click.option("--Theta", "Theta", type=float, required=True, help="Cell-cell temperature [K].")
def tg(kappas, Tc, tau0, w0, Theta) -> None:
    """Glass-transition temperature Tg(kappa) from the essay's Eq. 37.

    Example: etm tg --kappa 0.1 --kappa 10 --Tc 1200 --tau0 1e-13 --w0 3000 --Theta 700
    """
    from etm import structure

    try:
        values = [structure.glass_transition_temperature(k, Tc, tau0, w0, Theta) for k in kappas]
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo("kappa [K/s]    Tg [K]")
    for k, t in zip(kappas, values, strict=True):
        click.echo(f"{k:<14.4g} {t:.6g}")
