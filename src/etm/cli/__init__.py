"""The ``etm`` command line: thin wrappers around the library.

The group :func:`cli` and the console script :func:`main` (``etm = "etm.cli:main"``) live here
with ``etm reproduce`` (the essay's figures, :mod:`etm.reproduce`) and ``etm materials`` (the
essay's tables, :mod:`etm.materials`); ``etm fit``, ``etm cell-size`` and ``etm tg`` come from
:mod:`etm.cli.fit` (docs/fitting.md). Every command imports the library inside its body, so
``etm --help`` stays fast.
"""

from __future__ import annotations

import click

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="etm", prog_name="etm")
def cli() -> None:
    """etm: the extended tunneling model (ETM) of glasses at low temperature.

    Energies are in kelvin, fields in tesla. Run `etm reproduce --out DIR` to draw the essay's
    figures, `etm materials [NAME]` to list the glasses and the essay's table rows (or show one
    glass), `etm fit DATA... --out DIR` to fit measured curves, `etm cell-size` and `etm tg` for
    structure from the fits.
    """


@cli.command()
@click.option(
    "--out",
    "out_dir",
    default="etm-output",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder to write the figures (PNG and PDF), tables.md, audit.md and provenance.json into.",
)
@click.option("--fast", is_flag=True, help="Coarser grids: quicker, for smoke tests.")
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(["png", "pdf", "svg"]),
    default=("png", "pdf"),
    show_default=True,
    help="Image format (repeat for several).",
)
@click.option("--no-progress", is_flag=True, help="Do not show a progress bar.")
def reproduce(out_dir: str, fast: bool, formats: tuple[str, ...], no_progress: bool) -> None:
    """Draw the essay's figures 6-12 and 15-17 and the figures beyond them, and write audit.md.

    Beyond the essay: the STM background, the GHz response, the echo decomposition and
    reconstruction, Tg(kappa), cell sizes vs HREM, the magnetization, N(T), and the exact
    three-level predictions to 10-30 T. Every curve comes from the parameters of the essay's
    tables (listed in tables.md); audit.md checks every equation, table and claim; each output
    carries the package version and those parameters (provenance.json, file metadata).
    """
    from etm.reproduce import run

    try:
        written = run(out_dir, fast=fast, formats=formats, progress=not no_progress)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"wrote {len(written)} files to {out_dir}")


@cli.command(name="materials")
@click.argument("name", required=False)
def materials_cmd(name: str | None) -> None:
    """List every glass and its table rows, or show the full parameter set of glass NAME.

    Without NAME: each glass with its heat-capacity (Tables 1-4), dielectric (Tables 5-6) and
    echo (Table 7) rows and their sources. With NAME (e.g. BAS): that glass's every parameter.
    """
    from etm import materials

    try:
        text = materials.describe(name)
    except ValueError as exc:
        raise click.UsageError(str(exc).splitlines()[0] if str(exc) else repr(exc)) from None
    click.echo(text)


def _register() -> None:
    from etm.cli.fit import cell_size, fit, tg
    from etm.cli.resonator import resonator

    for cmd in (fit, cell_size, tg, resonator):
        cli.add_command(cmd)


_register()


def main(argv: list[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default: ``sys.argv[1:]``) and return the exit code."""
    try:
        cli.main(args=argv, prog_name="etm", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("Aborted!", err=True)
        return 1
    return 0
