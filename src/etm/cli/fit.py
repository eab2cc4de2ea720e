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
from types import MappingProxyType

import click

__all__ = ["cell_size", "fit", "tg", "with_model_options"]


#: The model options of `etm fit` and the observables that take them.
_OPTIONS_BY_OBSERVABLE = {
    "eps": frozenset({"average", "matrix_elements", "n_wells", "relaxation"}),
    "echo": frozenset({"matrix_elements", "c_form"}),
}


def _parse_fix(items: tuple[str, ...]) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in items:
        name, eq, value = item.partition("=")
        try:
            if not eq or not name.strip():
                raise ValueError
            out[name.strip()] = float(value)
        except ValueError:
            raise click.BadParameter(
                f"expected NAME=VALUE with a number, e.g. Dmin_K=0.5, got {item!r}",
                param_hint="--fix",
            ) from None
    return out


@click.command(name="fit")
@click.argument("data", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--observable",
    type=click.Choice(["cp", "eps", "echo"]),
    default="cp",
    show_default=True,
    help="What the files hold: cp = heat capacity C_p(B) at fixed T (or C_p(T) at fixed B); "
    "eps = relative change [eps'(B) - eps'(0)]/eps' (column rel_<unit>) at fixed T and "
    "frequency (metadata T_<unit> and f_<unit>); echo = relative echo amplitude "
    "A(B)/A(B_high) (column rel_echo) at fixed T and pulse sequence (metadata T_<unit>, "
    "f_<unit>, tau1_<unit>, tau2_<unit>, tau12_<unit>).",
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
    "echo Gamma_inv_per_sK5, c_per_sK, p1F0_DkV_per_m, tan_omega_dtau, background).",
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
@click.option("--mcmc", is_flag=True, help="Also sample the posterior with emcee (slow).")
@click.option(
    "--steps",
    default=1000,
    show_default=True,
    type=click.IntRange(min=2),
    help="MCMC steps per walker.",
)
@click.option(
    "--walkers",
    default=None,
    type=click.IntRange(min=2),
    help="MCMC walkers [default: max(32, 4 x free parameters)].",
)
@click.option("--seed", default=0, show_default=True, type=int, help="MCMC random seed.")
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
    walkers,
    seed,
    out_dir,
) -> None:
    """Fit the model to measured curves DATA... (CSV, units in the header) and write a report.

    Several files are fitted together (a global fit). cp: concentrations shared, Dmin_K,
    X0min_KA2 and X0max_KA2 per file, as in the essay's Tables 1-4. eps: amplitude_K, Dmin_K,
    X0min_KA2 and X0max_KA2 all per file, as in Tables 5-6 (--share P to share one). echo:
    Dmin_K, X0min_KA2, X0max_KA2 fitted per file; Gamma_inv_per_sK5, c_per_sK, p1F0_DkV_per_m,
    tan_omega_dtau (from the --material Table 7 row) and background (0) fixed unless --free'd,
    as one curve does not determine them (docs/fitting.md). The input files are only read.

    Example: etm fit bas_0.60K.csv bas_0.90K.csv bas_1.36K.csv --material BAS --out fit-bas

    Example: etm fit eps_BAS_50mK.csv --observable eps --material BAS --out fit-eps

    Example: etm fit echo_BAS_sample2.csv --observable echo --material "BAS sample 2" --out fit-echo
    """
    from etm.fit import compare_stm, echo_defaults, read_curves, report, run_mcmc
    from etm.fit.engine import fit as fit_curves

    options = {
        "average": average,
        "matrix_elements": matrix_elements,
        "n_wells": n_wells,
        "relaxation": relaxation,
        "c_form": c_form,
    }
    options = {k: v for k, v in options.items() if v is not None}
    try:
        fixed = _parse_fix(fix)
        allowed = _OPTIONS_BY_OBSERVABLE.get(observable, ())
        wrong = [k for k in options if k not in allowed]
        if wrong:
            given = ", ".join("--" + k.replace("_", "-") for k in wrong)
            takers = sorted({o for o, ks in _OPTIONS_BY_OBSERVABLE.items() if set(wrong) <= ks})
            raise ValueError(f"{given}: only with --observable {' or '.join(takers)}")
        curves = read_curves(data, observable, metadata_toml=meta_toml)
        curves = with_model_options(curves, options)
        report.check_outputs(curves, out_dir, mcmc=mcmc)  # refuse before the (slow) fit
        kwargs = dict(
            material=material,
            fix=fixed,
            share=share,
            per_curve=per_curve,
            free=free,
            orientation=orientation,
        )
        auto_notes: list[str] = []
        if observable == "echo":
            kwargs["fix"], auto_notes = echo_defaults(curves, material, fixed, free)
        result = fit_curves(curves, observable, **kwargs)
        if auto_notes:
            result = replace(result, notes=(*auto_notes, *result.notes))
        comparison = None
        if not no_compare:
            comparison = compare_stm(curves, observable, etm=result, **kwargs)
        if mcmc:
            result = run_mcmc(result, steps=steps, nwalkers=walkers, seed=seed)
        written = report.write_fit_report(result, out_dir, comparison)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(
        f"reduced chi^2 = {result.redchi:.4g}, AIC = {result.aic:.4g}"
        + (f", Delta AIC (STM - ETM) = {comparison.delta_aic:.4g}" if comparison else "")
    )
    for e in result.estimates:
        if e.vary:
            where = "" if e.curve is None else f" [{result.curves[e.curve].label}]"
            click.echo(f"  {e.name}{where} = {report.format_value(e.value, e.stderr)} {e.unit}")
    for note in result.notes:
        click.echo(f"  note: {note}")
    click.echo(f"wrote {len(written)} files to {out_dir}")


def with_model_options(curves, options):
    """The curves with the command line's model options added to their metadata (where the eps
    and echo models read them, and where params.json records them); a file that says otherwise
    is an error rather than silently overridden.

    Parameters
    ----------
    curves : sequence of MeasuredCurve
        The curves read.
    options : mapping
        Model options by metadata key (``average``, ``matrix_elements``, ...).

    Returns
    -------
    tuple of MeasuredCurve
        New curves ("command line" added to their metadata sources); the originals are kept.
    """
    if not options:
        return curves
    out = []
    for c in curves:
        for k, v in options.items():
            if k in c.metadata and c.metadata[k] != v:
                raise ValueError(
                    f"{c.source}: metadata {k!r} = {c.metadata[k]!r} conflicts with "
                    f"--{k.replace('_', '-')} {v}"
                )
        meta = MappingProxyType({**c.metadata, **options})
        out.append(replace(c, metadata=meta, meta_sources=(*c.meta_sources, "command line")))
    return tuple(out)


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
