"""The essay's figures, one function per figure, each returning a matplotlib Figure.

======================================  ===================================================
module                                  figures
======================================  ===================================================
:mod:`etm.figures.heat_capacity`        Fig. 6 (ATS spectrum, Eq. 6), Figs. 7-8 (ATS DOS,
                                        Eq. 13), Fig. 9 (Cp(B), Tables 1-4)
:mod:`etm.figures.dielectric`           Figs. 10-12 (eps'(B), Tables 5-6) and the STM
                                        background (docs/dielectric.md)
:mod:`etm.figures.echo`                 Figs. 15-16 (echo amplitude, Table 7) and the
                                        2LS/ATS decomposition (docs/echo.md)
:mod:`etm.figures.common`               the lazy pyplot import and field axes they share
======================================  ===================================================

matplotlib is imported only inside the figure functions, so importing this package never needs
a display; ``etm reproduce`` (:func:`etm.reproduce.run`) draws them all into a folder.
"""

from __future__ import annotations

from etm.figures.dielectric import (
    ESSAY_FORM,
    STM_FIGURE_PARAMS,
    fig10_dielectric_glasses,
    fig11_dielectric_bas,
    fig12_dielectric_sio2,
    fig_stm_background,
)
from etm.figures.echo import fig15_echo_bas, fig16_echo_bk7, fig_echo_decomposition
from etm.figures.essay import (
    TG_EXAMPLE,
    fig17_dos_trends,
    fig_cell_sizes,
    fig_magnetization,
    fig_tg_kappa,
    fig_tunnelers,
)
from etm.figures.heat_capacity import (
    FIG7_PHASES,
    FIG8_ENERGIES_K,
    ILLUSTRATIVE_DOS,
    fig6_spectrum,
    fig7_dos_vs_energy,
    fig8_dos_vs_phase,
    fig9_heat_capacity,
    figure_parameters,
)

__all__ = [
    "ESSAY_FORM",
    "FIG7_PHASES",
    "FIG8_ENERGIES_K",
    "ILLUSTRATIVE_DOS",
    "STM_FIGURE_PARAMS",
    "fig6_spectrum",
    "fig7_dos_vs_energy",
    "fig8_dos_vs_phase",
    "fig9_heat_capacity",
    "fig10_dielectric_glasses",
    "fig11_dielectric_bas",
    "fig12_dielectric_sio2",
    "fig15_echo_bas",
    "fig16_echo_bk7",
    "fig_echo_decomposition",
    "fig17_dos_trends",
    "fig_cell_sizes",
    "fig_magnetization",
    "fig_tg_kappa",
    "fig_tunnelers",
    "TG_EXAMPLE",
    "fig_stm_background",
    "figure_parameters",
]
