"""Command-line command ``etm resonator``: S21 traces to a table of f0, Qi, Qc, Ql (and figures).

A plain :func:`click.command` around :func:`etm.resonator.s21.analyze_files` and
:func:`etm.figures.resonator.write_s21_figures` (docs/resonator.md); :mod:`etm.cli` registers it
on its group. The library is imported inside the command, so ``etm --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["resonator"]

#: The table's file name inside --out.
TABLE_NAME = "resonator_fits.csv"


def _delay(value: str) -> str | float:
    if value in ("refine", "library"):
        return value
    try:
        return float(value)
    except ValueError:
        raise click.BadParameter(
            f"must be 'refine', 'library' or a delay in seconds, got {value!r}"
        ) from None


@click.command(name="resonator")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help=f"Folder to write {TABLE_NAME} and the figures into (created if missing).",
)
@click.option(
    "--geometry",
    type=click.Choice(["notch", "reflection"]),
    default="notch",
    show_default=True,
    help="notch: a resonator side-coupled to a through line (S21 dips); reflection: a one-port "
    "resonator measured in S11.",
)
@click.option(
    "--pattern",
    default=None,
    metavar="REGEX",
    help="Regex searched in each file name for the named groups T_K, T_mK, P_dBm, "
    "attenuation_dB. Default: temperature as <number>mK or T<number>K, power as <signed "
    "number>dB or dBm (reads S21_T105.0mK.csv and ..._-20.0dB_105mK.csv).",
)
@click.option(
    "--attenuation-dB",
    "attenuation_dB",
    type=float,
    default=None,
    help="Line attenuation [dB] from the instrument to the device, for every file (overrides "
    "'# attenuation_dB = ...' lines). Without it the photon number is NaN.",
)
@click.option(
    "--power-dBm",
    "power_dBm",
    type=float,
    default=None,
    help="Instrument power [dBm] for every file (overrides '# P_dBm = ...' lines and the name).",
)
@click.option(
    "--columns",
    type=click.Choice(["db_deg", "db_rad", "lin_deg", "lin_rad", "re_im"]),
    default=None,
    help="CSV layout of the first three columns: frequency [Hz], then |S21| in dB or linear "
    "with the phase in deg or rad, or real and imaginary parts. Default: from the header "
    "row, or db_deg for a file without one.",
)
@click.option(
    "--delay",
    default="refine",
    show_default=True,
    metavar="refine|library|SECONDS",
    help="Cable delay: refine = minimize the fit's residual over it (docs/resonator.md), "
    "library = resonator-tools' own estimate, or a fixed value in seconds.",
)
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(["png", "pdf", "svg"]),
    default=("png",),
    show_default=True,
    help="Figure format (repeat for several).",
)
@click.option("--no-figures", is_flag=True, help="Write only the table.")
def resonator(
    files: tuple[str, ...],
    out_dir: str,
    geometry: str,
    pattern: str | None,
    attenuation_dB: float | None,
    power_dBm: float | None,
    columns: str | None,
    delay: str,
    formats: tuple[str, ...],
    no_figures: bool,
) -> None:
    """Fit measured S21 (or S11) traces of a resonator: f0, Qi, Qc, Ql vs temperature and power.

    FILES are CSV files (frequency [Hz] with |S21| [dB] and phase [deg] by default; a header row
    naming the columns, e.g. f_Hz, re, im, is honoured) or Touchstone .s2p/.s1p files. Each is
    fitted with resonator-tools' circle fit; the table (one row per file, sorted by temperature)
    goes to OUT/resonator_fits.csv with the fitter, its version, the geometry and the
    photon-number convention in '#' lines, the figures (each trace with its fit, and f0(T),
    Qi(T)) beside it. Temperature and power come from '# T_K = ...', '# P_dBm = ...' lines or
    the file name.
    """
    from etm.figures.resonator import write_s21_figures
    from etm.resonator.s21 import DEFAULT_PATTERN, analyze_files

    try:
        table = analyze_files(
            files,
            geometry=geometry,
            columns=columns,
            pattern=pattern or DEFAULT_PATTERN,
            P_dBm=power_dBm,
            attenuation_dB=attenuation_dB,
            delay=_delay(delay),
        )
    except ValueError as exc:
        raise click.UsageError(str(exc).splitlines()[0] if str(exc) else repr(exc)) from None
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = table.to_csv(out / TABLE_NAME)
    written = [path]
    if not no_figures:
        written += write_s21_figures(table, out, formats=formats)
    for fit in table.fits:
        click.echo(
            f"{Path(fit.path).name}: T = {fit.T_K:.4g} K, f0 = {fit.f0_Hz:.1f} +- "
            f"{fit.sigma_f0_Hz:.2g} Hz, Qi = {fit.Qi:.5g} +- {fit.sigma_Qi:.2g}, "
            f"Qc = {fit.Qc:.5g}, Ql = {fit.Ql:.5g}"
        )
    click.echo(f"wrote {len(written)} files to {out_dir}")
