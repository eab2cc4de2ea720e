"""The ``etm`` command line: thin wrappers around the library."""

from __future__ import annotations

import sys

import click

from etm import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="etm")
def cli() -> None:
    """etm: the extended tunneling model (ETM) of glasses at low temperature.

    Energies are in kelvin, fields in tesla. Run `etm reproduce --out DIR` to draw the essay's
    figures, `etm materials` to list the built-in material presets, `etm fit DATA... --out DIR`
    to fit measured Cp(B) curves, `etm cell-size` and `etm tg` for structure from the fits.
    """


@cli.command()
@click.option(
    "--out",
    "out_dir",
    default="etm-output",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder to write the figures (PNG and PDF), tables.md and provenance.json into.",
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
    """Draw the essay's figures 6-12 and the STM dielectric background into a folder.

    Every curve comes from the parameters of the essay's tables (listed in tables.md); each
    output carries the package version and those parameters (provenance.json, file metadata).
    """
    from etm.reproduce import run

    try:
        written = run(out_dir, fast=fast, formats=formats, progress=not no_progress)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"wrote {len(written)} files to {out_dir}")


@cli.command(name="materials")
def materials_cmd() -> None:
    """List the built-in material presets and their sources."""
    from etm import materials

    for name in materials.names():
        p = materials.get(name)
        temps = ", ".join(f"{t:g}" for t in p.temperatures_K)
        click.echo(f"{name:8s} {p.glass}")
        click.echo(
            f"{'':8s}   n_ATS P* = {p.nP_per_g:.3g} /g, Fe2+ = {p.n_Fe2_per_g:.3g} /g, "
            f"Fe3+ = {p.n_Fe3_per_g:.3g} /g; fitted at T = {temps} K"
        )
        click.echo(f"{'':8s}   source: {p.source}")


def _register() -> None:
    from etm.cli_fit import cell_size, fit, tg

    for cmd in (fit, cell_size, tg):
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
