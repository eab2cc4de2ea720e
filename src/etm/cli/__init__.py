"""The ``etm`` command line: thin wrappers around the library.

The group :func:`cli` and the console script :func:`main` (``etm = "etm.cli:main"``) live here
with ``etm reproduce`` (the essay's figures, :mod:`etm.reproduce`) and ``etm materials`` (the
essay's tables, :mod:`etm.materials`); ``etm fit``, ``etm cell-size`` and ``etm tg`` come from
:mod:`etm.cli.fit` (docs/fitting.md). Every command imports the library inside its body, so
``etm --help`` stays fast.
"""

from __future__ import annotations

import click

__all__ = ["EXIT_INTERRUPTED", "EXIT_TERMINATED", "Terminated", "cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="etm", prog_name="etm")
def cli() -> None:
    """etm: the extended tunneling model (ETM) of glasses at low temperature.

    Energies are in kelvin, fields in tesla. Run `etm reproduce --out DIR` to draw the essay's
    figures, `etm materials [NAME]` to list the glasses and the essay's table rows (or show one
    glass), `etm resonator S21... --out DIR` to turn a resonator's S21 traces into a table of f0,
    Qi, Qc, `etm fit DATA... --out DIR` to fit measured curves (that table too), `etm cell-size`
    and `etm tg` for structure from the fits.
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
@click.option(
    "--force",
    is_flag=True,
    help="Write into an --out folder that holds files etm did not write (they are kept). "
    "Without it such a folder is refused; an earlier etm output there is replaced whole.",
)
def reproduce(
    out_dir: str, fast: bool, formats: tuple[str, ...], no_progress: bool, force: bool
) -> None:
    """Draw the essay's figures 6-12 and 15-17 and the figures beyond them, and write audit.md.

    Beyond the essay: the STM background, the GHz response, the echo decomposition and
    reconstruction, Tg(kappa), cell sizes vs HREM, the magnetization, N(T), the echo of the ETM
    beside the nuclear-quadrupole model, and the exact three-level predictions to 10-30 T. The
    progress bar names the figure it draws. Every curve comes from the parameters of the essay's
    tables (listed in tables.md); audit.md checks every equation, table and claim; each output
    carries the package version and those parameters (file metadata); provenance.json adds the
    date, the command line, the git commit and the versions of the libraries.

    The folder appears complete or not at all: it is assembled beside --out and renamed into
    place (an interrupted run leaves nothing behind).
    """
    from etm.reproduce import run

    try:
        written = run(out_dir, fast=fast, formats=formats, progress=not no_progress, force=force)
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


#: Exit status after Ctrl-C (SIGINT) and SIGTERM: 128 + the signal number, as a shell reports.
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


class Terminated(BaseException):
    """Raised in the main thread by SIGTERM while :func:`main` runs, so that outputs in progress
    are cleaned up as after Ctrl-C (a BaseException: ``except Exception`` does not swallow it)."""


def _interrupted(exc: BaseException) -> int | None:
    """The exit status if ``exc`` (or an exception it was raised from) is an interrupt.

    Ctrl-C inside a compiled numba function reaches Python as ``SystemError: CPUDispatcher(...)
    returned a result with an exception set`` whose cause is the KeyboardInterrupt; click turns
    KeyboardInterrupt into Abort.
    """
    seen = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if isinstance(e, KeyboardInterrupt):
            return EXIT_INTERRUPTED
        if isinstance(e, Terminated):
            return EXIT_TERMINATED
        e = e.__cause__ or e.__context__
    return None


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated()


def main(argv: list[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default: ``sys.argv[1:]``) and return the exit code.

    Ctrl-C returns 130 and SIGTERM 143, each with one line on stderr and no traceback; an output
    folder in progress is removed (:func:`etm.io.output_folder`).
    """
    import signal
    import threading

    previous = None
    if threading.current_thread() is threading.main_thread():
        if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
            previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return _run(argv)
    except BaseException as exc:
        code = _interrupted(exc)
        if code is None:
            raise
        what = "interrupted (Ctrl-C)" if code == EXIT_INTERRUPTED else "terminated (SIGTERM)"
        click.echo(f"etm: {what}", err=True)
        return code
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _run(argv: list[str] | None) -> int:
    try:
        cli.main(args=argv, prog_name="etm", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort as exc:
        if _interrupted(exc) is not None:
            raise
        click.echo("Aborted!", err=True)
        return 1
    return 0
