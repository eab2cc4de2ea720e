"""``etm reproduce``: write the essay's figures, the parameters used and the audit into a folder.

The figures are :data:`FIGURES` (one :class:`FigureSpec` each: add one with a one-entry edit);
``tables.md`` lists the parameters, ``audit.md`` is :func:`etm.audit.markdown` (docs/audit.md).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from etm import audit, dielectric, figures, materials
from etm.io import check_output_folder, output_folder, provenance, run_environment

__all__ = [
    "FIGURE_RC",
    "FigureSpec",
    "FIGURES",
    "command_line",
    "run",
    "tables_markdown",
    "write_figure",
]


@dataclass(frozen=True)
class FigureSpec:
    """One output figure: its file stem, what it shows, and how to make it (full and fast)."""

    name: str
    title: str
    make: Callable[[], Any]
    make_fast: Callable[[], Any]


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec(
        "fig6_ats_spectrum",
        "ATS spectrum vs Aharonov-Bohm phase",
        figures.fig6_spectrum,
        lambda: figures.fig6_spectrum(n_phi=91),
    ),
    FigureSpec(
        "fig7_dos_vs_energy",
        "magnetic DOS vs energy at several phases",
        figures.fig7_dos_vs_energy,
        figures.fig7_dos_vs_energy,
    ),
    FigureSpec(
        "fig8_dos_vs_phase",
        "magnetic DOS vs phase at several energies",
        figures.fig8_dos_vs_phase,
        figures.fig8_dos_vs_phase,
    ),
    FigureSpec(
        "fig9_heat_capacity",
        "Cp(B) of BAS and Duran from Tables 1-4",
        figures.fig9_heat_capacity,
        lambda: figures.fig9_heat_capacity(n_B=21),
    ),
    FigureSpec(
        "fig10_dielectric_glasses",
        "relative change of eps' vs B: BAS, BK7, Duran (Table 5)",
        figures.fig10_dielectric_glasses,
        lambda: figures.fig10_dielectric_glasses(n_B=25),
    ),
    FigureSpec(
        "fig11_dielectric_bas",
        "relative change of eps' vs B: BAS at 50, 94, 120 mK (Table 5)",
        figures.fig11_dielectric_bas,
        lambda: figures.fig11_dielectric_bas(n_B=25),
    ),
    FigureSpec(
        "fig12_dielectric_sio2",
        "relative change of eps' vs B: SiO2+xCyHz at 50, 70, 100 mK (Table 6)",
        figures.fig12_dielectric_sio2,
        lambda: figures.fig12_dielectric_sio2(n_B=25),
    ),
    FigureSpec(
        "stm_dielectric_background",
        "STM dielectric background vs T: resonant/relaxational crossover",
        figures.fig_stm_background,
        lambda: figures.fig_stm_background(n_T=60),
    ),
    FigureSpec(
        "dielectric_ghz",
        "ATS eps'(B) from kHz to 5 GHz and the saturated resonant loss (Table 5, BAS 50 mK)",
        figures.dielectric.fig_dielectric_ghz,
        lambda: figures.dielectric.fig_dielectric_ghz(n_B=25),
    ),
    FigureSpec(
        "fig15_echo_bas",
        "relative echo amplitude vs B: BAS samples 1 and 2 (Table 7)",
        figures.fig15_echo_bas,
        lambda: figures.fig15_echo_bas(n_B=15),
    ),
    FigureSpec(
        "fig16_echo_bk7",
        "relative echo amplitude vs B: BK7 at tau12 = 1.5 and 6 us, with the high-field prediction",
        figures.fig16_echo_bk7,
        lambda: figures.fig16_echo_bk7(n_B=15),
    ),
    FigureSpec(
        "fig17_dos_trends",
        "BAS: echo, dielectric and Cp field effects against the ATS DOS (Tables 1-2, 5, 7)",
        figures.fig17_dos_trends,
        lambda: figures.fig17_dos_trends(n_B=9),
    ),
    FigureSpec(
        "tg_vs_cooling_rate",
        "Tg(kappa) from Eq. 37 on a log axis with the logarithmic law fitted (illustrative)",
        figures.fig_tg_kappa,
        lambda: figures.fig_tg_kappa(n_kappa=17),
    ),
    FigureSpec(
        "cell_sizes_vs_hrem",
        "cell diameters from Eq. 40 beside the HREM estimates (section 4.2)",
        figures.fig_cell_sizes,
        figures.fig_cell_sizes,
    ),
    FigureSpec(
        "magnetization_vs_T",
        "magnetization of the Table 1/3 iron concentrations and the ATS vs T",
        figures.fig_magnetization,
        lambda: figures.fig_magnetization(n_T=12),
    ),
    FigureSpec(
        "tunnelers_n_of_T",
        "X cutoffs of Tables 2, 4, 5, 7 vs T with the best single N(T)^3 law",
        figures.fig_tunnelers,
        figures.fig_tunnelers,
    ),
    FigureSpec(
        "echo_decomposition",
        "echo amplitude A(B): 2LS background and ATS part separated",
        figures.fig_echo_decomposition,
        lambda: figures.fig_echo_decomposition(n_B=15),
    ),
    FigureSpec(
        "echo_reconstruction",
        "echo: Table 7 as printed vs the reconstruction (X x10, phi^2/3, printed C, 1/s)",
        figures.echo.fig_echo_reconstruction,
        lambda: figures.echo.fig_echo_reconstruction(n_B=15),
    ),
    FigureSpec(
        "neqm_comparison",
        "echo A(B)/A(0.6 T): the ETM (Table 7) beside the nuclear-quadrupole model (docs/neqm.md)",
        lambda: __import__("etm.figures.neqm", fromlist=["x"]).fig_neqm_comparison(),
        lambda: __import__("etm.figures.neqm", fromlist=["x"]).fig_neqm_comparison(
            n_B=21, n_samples=64
        ),
    ),
    FigureSpec(
        "exact_eps_30T",
        "exact three-level eps'(B) to 30 T vs the weak field (Table 5; docs/exact_response.md)",
        lambda: __import__("etm.figures.exact_response", fromlist=["x"]).fig_exact_eps(),
        lambda: __import__("etm.figures.exact_response", fromlist=["x"]).fig_exact_eps(
            n_B=6, areas_A2=(1e4,), rows=(("BAS", 0.05),)
        ),
    ),
    FigureSpec(
        "exact_echo_10T",
        "exact three-level echo a(B) to 10 T, BAS (Fig. 15) and BK7 (Fig. 16; "
        "docs/exact_response.md)",
        lambda: __import__("etm.figures.exact_response", fromlist=["x"]).fig_exact_echo(),
        lambda: __import__("etm.figures.exact_response", fromlist=["x"]).fig_exact_echo(
            n_B=3, presets=("BAS sample 2",)
        ),
    ),
)


def tables_markdown() -> str:
    """The essay's parameters the figures use (Tables 1-7, :mod:`etm.materials`), as Markdown."""
    from etm import __version__

    lines = [
        "# Parameters used by `etm reproduce`",
        "",
        f"Written by etm {__version__}. Numbers: the essay's Tables 1-4, effective parameters.",
        "The Fe impurities are free spins: Fe2+ S = 2, g = 2; Fe3+ S = 5/2, g = 2.",
        "The tables give no 2LS or phonon background; Fig. 9 shows the field-dependent part.",
        "",
    ]
    for name in materials.names():
        p = materials.get(name)
        if not p.heat_capacity_rows:
            continue
        sources = "; ".join(dict.fromkeys(r.source for r in p.heat_capacity_rows))
        lines += [
            f"## {p.glass}",
            "",
            f"Source: {sources}.",
            "",
            "| quantity | value |",
            "|---|---|",
            f"| n_ATS P* [1/g] | {p.nP_per_g:.3g} |",
            f"| n_Fe2+ [1/g] | {p.n_Fe2_per_g:.3g} |",
            f"| n_Fe3+ [1/g] | {p.n_Fe3_per_g:.3g} |",
            "",
            "| T [K] | Dmin [K] | D0min abs(q/e) S [K Å²] | D0max abs(q/e) S [K Å²] |",
            "|---|---|---|---|",
        ]
        lines += [f"| {T:g} | {D:g} | {a:.3g} | {b:.3g} |" for T, D, a, b in p.rows]
        lines.append("")
    lines += [
        "## Dielectric constant (Tables 5-6)",
        "",
        f"Measuring frequency {dielectric.TYPICAL_FREQUENCY_HZ:g} Hz (the essay: 'low (kHz)'); "
        "amplitude A = pi x_ATS P* p1^2/(eps0 eps_r) read in kelvin (docs/dielectric.md).",
        "",
        "| glass | T [K] | A [K] | Dmin [K] | D0min abs(q/e) S [K Å²] | D0max abs(q/e) S [K Å²] |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.glass} | {r.T_K:g} | {r.params.amplitude_K:.3g} | {r.params.Dmin_K:g} | "
        f"{r.params.X0min_KA2:.4g} | {r.params.X0max_KA2:.4g} |"
        for r in materials.DIELECTRIC_ROWS
    ]
    lines.append("")
    lines += [
        "## Polarization echo (Table 7)",
        "",
        "T = 12 mK, tau2 = 2 tau1 = 0.2 us; BAS 1 GHz, tau12 = 2 us (Fig. 14a); BK7 0.9 GHz.",
        "",
        "| preset | Dmin [mK] | D0min abs(q/e) S [K Å²] | D0max abs(q/e) S [K Å²] | "
        "Gamma^-1 [1/(us K^5)] | c [1/(us K)] | p1 F0 [D kV/m] | tan(omega dtau) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.name} | {1e3 * r.params.Dmin_K:.4g} | {r.params.X0min_KA2:.4g} | "
        f"{r.params.X0max_KA2:.4g} | {r.params.Gamma_inv_per_sK5 * 1e-6:.3g} | "
        f"{r.params.c_per_sK * 1e-6:.4g} | {r.params.p1F0_DkV_per_m:g} | "
        f"{r.params.tan_omega_dtau:g} |"
        for r in materials.ECHO_ROWS
    ]
    lines.append("")
    ill = figures.ILLUSTRATIVE_DOS
    lines += [
        "## Figs. 7-8 (illustrative; the essay gives no values)",
        "",
        f"Dmin = {ill.Dmin_K:g} K, D0min = {ill.X0min_KA2:g} K, D0max = {ill.X0max_KA2:g} K, "
        "n_ATS P* = 1, aligned loops.",
        "",
    ]
    return "\n".join(lines)


#: matplotlib settings of the figures ``etm reproduce`` draws. ``axes.titley``: every title
#: at the top of its axes, where matplotlib's automatic placement puts it in every figure here
#: (none has top tick labels or an offset text under a title; tests/test_figures.py checks
#: it); given, it spares the automatic placement, which measures the whole y axis again for
#: each title at every draw (a tenth of the drawing time), and the pixels are the same.
FIGURE_RC: dict[str, Any] = {"axes.titley": 1.0}
#: zlib level of the PNGs: 3 instead of 6, a third less encoding time for ~4 % larger files.
_PNG_COMPRESSION = 3


def _save(fig, out: Path, stem: str, formats: Iterable[str], meta: dict[str, Any]) -> list[str]:
    import matplotlib
    import matplotlib.pyplot as plt

    written = []
    desc = f"{meta['software']} {meta['version']}: {stem}"
    formats = tuple(formats)
    engine = fig.get_layout_engine()
    if len(formats) > 1 and engine is not None:
        # lay the figure out once, at the saving dpi, and keep that layout for every format:
        # the constrained layout measures every text of the figure again at each savefig (a
        # third of reproduce's CPU time); its result is in figure fractions, the same for all.
        # The engine alone, not a whole draw without rendering (the same layout, one
        # measuring pass less)
        fig.set_dpi(150)
        engine.execute(fig)
        # then no engine at all (``"none"`` leaves a placeholder engine, and savefig draws
        # the figure once more before each format to measure it for that engine)
        with matplotlib.rc_context(
            {"figure.autolayout": False, "figure.constrained_layout.use": False}
        ):
            fig.set_layout_engine(None)
    for fmt in formats:
        md = {
            "pdf": {"Title": stem, "Creator": desc},
            "svg": {"Title": stem, "Creator": desc},
        }.get(fmt, {"Software": desc})
        kw = {"pil_kwargs": {"compress_level": _PNG_COMPRESSION}} if fmt == "png" else {}
        fig.savefig(out / f"{stem}.{fmt}", format=fmt, dpi=150, metadata=md, **kw)
        written.append(f"{stem}.{fmt}")
    plt.close(fig)
    return written


def write_figure(
    spec: FigureSpec,
    out_dir: str | Path,
    formats: Iterable[str] = ("png", "pdf"),
    *,
    fast: bool = False,
    meta: dict[str, Any] | None = None,
) -> list[str]:
    """Make one figure and write it in every format as :func:`run` does (:data:`FIGURE_RC`;
    laid out once for all formats); returns the file names written into ``out_dir``.

    Call it inside :func:`etm.figures.common.mathtext_cache` to share the parsed labels
    between figures, as :func:`run` does.

    Examples
    --------
    >>> import tempfile
    >>> spec = next(s for s in FIGURES if s.name == "fig7_dos_vs_energy")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     write_figure(spec, tmp, ("png",), fast=True)
    ['fig7_dos_vs_energy.png']
    """
    import matplotlib

    matplotlib.use("Agg")
    from etm import __version__

    meta = meta if meta is not None else {"software": "etm", "version": __version__}
    with matplotlib.rc_context(FIGURE_RC):
        fig = (spec.make_fast if fast else spec.make)()
    return _save(fig, Path(out_dir), spec.name, formats, meta)


def command_line(
    out_dir: str | Path,
    *,
    fast: bool = False,
    formats: Iterable[str] = ("png", "pdf"),
    progress: bool = True,
    force: bool = False,
) -> str:
    """The ``etm reproduce`` command line that makes what :func:`run` with these options makes
    (quoted for a POSIX shell; recorded in provenance.json).

    Examples
    --------
    >>> command_line("out dir", fast=True, formats=("png",))
    "etm reproduce --out 'out dir' --fast --format png"
    """
    import shlex

    args = ["etm", "reproduce", "--out", str(out_dir)]
    args += ["--fast"] if fast else []
    for fmt in formats:
        args += ["--format", fmt]
    args += [] if progress else ["--no-progress"]
    args += ["--force"] if force else []
    return shlex.join(args)


def run(
    out_dir: str | Path,
    *,
    fast: bool = False,
    formats: Iterable[str] = ("png", "pdf"),
    progress: bool = True,
    force: bool = False,
) -> list[Path]:
    """Write every figure (PNG and PDF), ``tables.md``, ``audit.md`` (the audit of the essay,
    :mod:`etm.audit`) and ``provenance.json`` into ``out_dir``, as one unit.

    The folder is assembled beside ``out_dir`` and put in place when complete
    (:func:`etm.io.output_folder`): an interrupted run leaves no partial folder, an earlier
    output of etm there is replaced whole, and a folder holding other files is refused unless
    ``force``.

    ``provenance.json`` records the date (UTC), the versions of Python, etm, numpy, scipy,
    numba, lmfit, emcee and matplotlib, the git commit of etm when it runs from a checkout
    (:func:`etm.io.run_environment`), the command line that re-makes the folder
    (:func:`command_line`) with every option, the parameters of every figure (Figs. 7-8 as
    they state them: D0min, D0max in K) and the Table 5-7 rows, and the files written.

    Parameters
    ----------
    out_dir : path
        Output folder (created if missing; its parents too).
    fast : bool
        Coarser grids (for tests); the figures show the same curves with fewer points.
    formats : iterable of str
        Image formats among "png", "pdf", "svg".
    progress : bool
        Show a progress bar on stderr.
    force : bool
        Write into a folder that holds files etm did not write; they are kept (outputs of
        the same names are replaced).

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    ValueError
        An unknown format, or an output folder that cannot or may not be written
        (:class:`etm.io.OutputError`), before any figure is drawn.
    """
    formats = tuple(formats)
    for fmt in formats:
        if fmt not in ("png", "pdf", "svg"):
            raise ValueError(f"formats must be among 'png', 'pdf', 'svg', got {fmt!r}")
    target = check_output_folder(out_dir, force=force)

    import matplotlib

    matplotlib.use("Agg")
    from tqdm import tqdm

    options = {
        "out_dir": str(out_dir),
        "fast": fast,
        "formats": list(formats),
        "progress": progress,
        "force": force,
    }
    meta = provenance(
        fast=fast,
        formats=list(formats),
        figures=figures.figure_parameters(),
        dielectric={
            "f_Hz": dielectric.TYPICAL_FREQUENCY_HZ,
            "presets": [asdict(r) for r in materials.DIELECTRIC_ROWS],
        },
        echo={"presets": [asdict(r) for r in materials.ECHO_ROWS]},
    )
    meta.update(run_environment())
    meta["command_line"] = command_line(**options)
    meta["options"] = options
    written: list[str] = []
    with output_folder(out_dir, force=force) as tmp:
        bar = tqdm(FIGURES, desc="etm reproduce", unit="fig", disable=not progress)
        with figures.common.mathtext_cache():
            for spec in bar:
                bar.set_description_str(f"etm reproduce: {spec.name}")
                written += write_figure(spec, tmp, formats, fast=fast, meta=meta)
        bar.set_description_str("etm reproduce")
        bar.close()
        (tmp / "tables.md").write_text(tables_markdown(), encoding="utf-8")
        (tmp / "audit.md").write_text(audit.markdown(), encoding="utf-8")
        written += ["tables.md", "audit.md"]
        # written last: it marks the folder as an etm output and lists its files
        meta["files"] = sorted(written)
        text = json.dumps(meta, indent=2, sort_keys=True) + "\n"
        (tmp / "provenance.json").write_text(text, encoding="utf-8")
        written.append("provenance.json")
    return [target / name for name in written]
