"""Command-line commands ``etm fit``, ``etm cell-size`` and ``etm tg``: thin wrappers.

They are plain :func:`click.command` objects around :mod:`etm.fit` (docs/fitting.md) and
:mod:`etm.structure` (the essay's Eq. 35-40); :mod:`etm.cli` registers them on its group with
``cli.add_command``. This module does not import :mod:`etm.cli`, and imports the library inside
each command, so ``etm --help`` stays fast.
"""

from __future__ import annotations

import click

__all__ = ["cell_size", "fit", "tg", "with_model_options"]


#: The observables of ``etm fit`` (the registry's, :data:`etm.fit.OBSERVABLES`; listed here so
#: that ``etm --help`` does not import the library; a test keeps the two equal).
OBSERVABLE_NAMES = ("cp", "eps", "eps_T", "loss", "echo", "magnetization", "f0", "Qi", "resonator")
#: Options that only mean something with --mcmc.
_MCMC_OPTIONS = ("steps", "walkers", "seed", "processes")


@click.command(name="fit")
@click.argument("data", nargs=-1, required=False, type=click.Path(dir_okay=False))
@click.option(
    "--observable",
    default=None,
    metavar="NAME",
    help="What the files hold [default: detected from the columns]: cp = heat capacity "
    "C_p(B) at fixed T or C_p(T) at fixed B (column Cp_<unit>); eps = [eps'(B) - eps'(0)]/eps' "
    "(rel_ppm, rel_eps) at fixed T and f; eps_T = delta eps'/eps' against T (rel_1); loss = "
    "tan(delta) against B or T (tand_1); echo = A(B)/A(B_high) (rel_echo) at fixed T and pulse "
    "sequence; magnetization = M against T or B (M_<unit>); f0 = a resonator's frequency "
    "against T (f_<unit>); Qi = its internal quality factor against T or power (Qi_1); "
    "resonator = Qi on a temperature x power grid and f0(T) of one resonator together (TLS "
    "with power saturation + Mattis-Bardeen quasiparticles; e.g. the table `etm resonator` "
    "writes).",
)
@click.option(
    "--material",
    default=None,
    help="Preset (see `etm materials`) whose parameters start the fit, e.g. BAS; for echo a "
    "Table 7 row, e.g. 'BAS sample 2', whose values also fill the default-fixed parameters "
    "[default: the files' '# glass' lines].",
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
@click.option(
    "--model",
    type=click.Choice(["etm", "neqm", "both"]),
    default=None,
    help="echo only: the model of the main fit: etm = the ATS echo (Eq. 31), neqm = the "
    "nuclear-quadrupole echo of the files' glass (its composition's quadrupolar isotopes; "
    "fitted: f_Q and CQ_scale), both = the two with their weights. The other two and A = 1 are "
    "fitted to the same files and the report states AIC, BIC and, with --mcmc, the evidence "
    "(thermodynamic integration) of each, and which model each prefers (docs/neqm.md, 'Model "
    "comparison') [default: etm against STM-only, as without --model].",
)
@click.option(
    "--no-compare",
    is_flag=True,
    help="Skip the STM-only fit and the AIC comparison (with --model: the other models).",
)
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
    type=click.IntRange(min=2, max=1_000_000),
    help="MCMC step cap per walker: the chain stops earlier once longer than 50 "
    "autocorrelation times with tau stable to 2 % (checked every 200 steps), or, when 50 tau "
    "cannot fit in the cap, with a diagnosis of what is not identifiable. Needs --mcmc.",
)
@click.option(
    "--processes",
    default=1,
    show_default=True,
    type=click.IntRange(min=1, max=8),
    help="MCMC: 1 = vectorized over walkers in this process (with the models' checked "
    "surrogates, rebuilt when the walkers leave their box and corrected to the exact model "
    "when not exact enough alone); 2 = a process pool evaluating the exact model walker by "
    "walker. Needs --mcmc.",
)
@click.option(
    "--walkers",
    default=None,
    type=click.IntRange(min=2, max=10_000),
    help="MCMC walkers [default: max(32, 4 x sampled parameters); the marginalized linear "
    "amplitudes do not count]. Needs --mcmc.",
)
@click.option(
    "--seed",
    default=0,
    show_default=True,
    type=click.IntRange(min=0, max=2**32 - 1),
    help="MCMC random seed. Needs --mcmc.",
)
@click.option(
    "--mixed-glasses",
    "mixed_glasses",
    is_flag=True,
    help="Fit files whose '# glass' lines name different glasses together (refused without "
    "it: the fit would share their concentrations).",
)
@click.option(
    "--progress/--no-progress",
    "progress",
    default=None,
    help="Progress bars on stderr for the fit, surrogate builds and the MCMC "
    "[default: when stderr is a terminal].",
)
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
    help="Folder for params.json, params.md, the figures and report.html, written as one unit "
    "when the fit is done (an earlier etm output there is replaced whole).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Write into an --out folder that holds files etm did not write (they are kept); "
    "without it such a folder is refused before the fit.",
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
    model,
    no_compare,
    mcmc,
    steps,
    processes,
    walkers,
    seed,
    mixed_glasses,
    progress,
    from_json,
    plan_toml,
    out_dir,
    force,
) -> None:
    """Fit the model to measured curves DATA... (CSV, units in the header) and write a report.

    The observable is detected from the columns (--observable to name it), the preset from the
    files' '# glass' lines (--material to choose one). Several files are fitted together (a
    global fit). cp: concentrations shared, Dmin_K, X0min_KA2 and X0max_KA2 per file, as in the
    essay's Tables 1-4. eps: amplitude_K, Dmin_K, X0min_KA2, X0max_KA2 per file (Tables 5-6).
    echo: the files are one glass (a tau12 or temperature series) sharing every parameter;
    Dmin_K, X0min_KA2, X0max_KA2 are fitted, the rest held at the Table 7 row (a series also
    fits its 2LS echo). magnetization: E0_K fixed at 0, the cutoffs shared. Whatever the files
    cannot determine is fixed or shared by default and each such choice is stated (note: lines);
    --free P fits it anyway. A file without a sigma column is fitted with its noise estimated
    from the residual scatter (stated in every output). The input files are only read.

    Example: etm fit examples/cp_BAS_0.60K.csv examples/cp_BAS_0.90K.csv
    examples/cp_BAS_1.36K.csv --out fit-bas

    Example: etm fit examples/eps_BAS_50mK.csv --out fit-eps

    Example: etm fit examples/echo_BAS_sample2.csv --out fit-echo

    Example: etm fit --from fit-bas/params.json --out fit-bas-again   (re-run a recorded fit)

    Example: etm fit --plan examples/plan_joint_BAS_synthetic.toml --out fit-joint   (joint fit)

    examples/README.md gives one command per example file with its expected result.

    Nonsense is refused before any work, with exit status 2 (a T outside 1 mK - 100 K, a
    negative Cp, files of two glasses, metadata contradicting --material, a file given twice,
    --fix P --free P, --steps without --mcmc, an MCMC whose chain would not fit in memory, an
    unwritable --out). Every finding about the fit (reduced chi^2 far from 1, a parameter at a
    bound, pairs of parameters correlated above 0.95, an MCMC that did not converge) is one
    WARNING line in the terminal and in every output (docs/fitting.md, "Diagnosis"). Ctrl-C
    stops with exit status 130 and writes nothing.
    """
    from etm.fit.sanity import SanityError
    from etm.inputs import resolved
    from etm.io import check_output_folder

    ctx = click.get_current_context()
    try:
        # first: an unusable --out is refused before anything else
        check_output_folder(out_dir, force=force)
        given = [
            k
            for k, v in ctx.params.items()
            if k not in ("data", "from_json", "plan_toml", "out_dir", "progress", "force")
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
        if not mcmc and from_json is None and plan_toml is None:
            for k in _MCMC_OPTIONS:
                if k in given:
                    name = "--" + k.replace("_", "-")
                    raise SanityError(
                        f"{name} {ctx.params[k]} only applies with --mcmc (it sets the MCMC's "
                        f"{k}); add --mcmc or drop {name}"
                    )
        if plan_toml is not None:
            from etm.fit.plan import run_plan

            run_plan(plan_toml, out_dir, click.echo, force=force)
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
                "data": [resolved(p) for p in data],
                "material": material,
                "meta_toml": None if meta_toml is None else resolved(meta_toml),
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
                "mixed_glasses": mixed_glasses,
                "model": model,
            }
        run_request(request, out_dir, click.echo, progress=progress, force=force)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def run_request(request, out_dir, echo, progress=None, force=False) -> list:
    """Run one single-observable fit request (:func:`etm.fit.request.run_request`)."""
    import sys

    from etm.fit.request import run_request as run

    if request.get("model") is not None:
        from etm.fit.model_request import run_model_request as run

    return run(request, out_dir, echo, progress=progress, argv=sys.argv, force=force)


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
@click.option(
    "--glass",
    default=None,
    help="A glass of the catalog (BAS, Duran, BK7; see `etm materials`): its n_ATS P* and "
    "density as the essay's section 4 quotes them, unless --nP, --from or --rho is given.",
)
def cell_size(nP, nP_err, from_json, rho, rho_err, glass) -> None:
    """Cell radius xi = (3/(pi sqrt(2) n_ATS P* rho))^(1/3) in angstrom (the essay's Eq. 40).

    Examples: etm cell-size --glass BAS   (the catalog's n_ATS P* = 5e16 /g, rho = 3.1 g/cm^3:
    163 A); etm cell-size --nP 4e16 --rho 2.5; etm cell-size --from fit/params.json --glass BAS
    """
    from etm import materials, structure

    try:
        if from_json is not None:
            if nP is not None:
                raise ValueError("give either --nP or --from, not both")
            from etm.fit.provenance import parameter_estimate, read_params_json

            doc = read_params_json(from_json)
            nP, nP_err = parameter_estimate(doc, "nP_per_g", f"--from {from_json}")
        try:
            g = None if glass is None else materials.get(glass)
        except ValueError as exc:
            raise ValueError(f"--glass: {exc}") from None
        usable = [k for k in materials.names() if materials.get(k).cell_nP_per_g is not None]
        lacks_nP = nP is None and g is not None and g.cell_nP_per_g is None
        if lacks_nP or (rho is None and g is not None and g.density_g_cm3 is None):
            raise ValueError(
                f"--glass {glass}: the catalog has no section 4 n_ATS P* and density for "
                f"{g.name} (it has them for {', '.join(usable)}); give --nP and --rho"
            )
        if nP is None:
            if g is None:
                raise ValueError(
                    "give --glass (one of " + ", ".join(usable) + "), --nP (n_ATS P* in 1/g) "
                    "or --from params.json"
                )
            nP = g.cell_nP_per_g
        if rho is None:
            if g is None:
                raise ValueError("give --rho (g/cm^3) or --glass (" + ", ".join(usable) + ")")
            rho = g.density_g_cm3
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
