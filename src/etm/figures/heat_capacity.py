"""The essay's Figs. 6-9: ATS spectrum, ATS density of states, heat capacity in a field.

One function per figure, each returning a matplotlib Figure; matplotlib is imported inside the
functions (:func:`etm.figures.common.pyplot`). Fig. 6 draws the levels of the essay's Eq. 6
(docs/spectrum.md), Figs. 7-8 the magnetic part of the DOS, Eq. 13 (docs/dos.md), Fig. 9 the
field-dependent heat capacity from the parameters of Tables 1-4 (:mod:`etm.materials`).
Plotting never changes the data it plots.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from etm import heat_capacity, materials
from etm.ensemble import ats_dos_oriented
from etm.figures.common import FIELD_LABEL, linear_field_axis, pyplot, refine_grid
from etm.params import ATSParams
from etm.spectrum import ats_levels, ats_well_energies

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "ILLUSTRATIVE_DOS",
    "FIG7_PHASES",
    "FIG8_ENERGIES_K",
    "fig6_spectrum",
    "fig7_dos_vs_energy",
    "fig8_dos_vs_phase",
    "fig9_heat_capacity",
    "figure_parameters",
]

#: Parameters of the illustrative DOS of Figs. 7-8 (the essay gives none; n_ATS P* = 1 as there).
#: With X0 set equal to D0 [K], the coupling kappa of :func:`etm.ensemble.ats_dos_oriented` is the
#: Aharonov-Bohm phase phi itself (aligned loops).
ILLUSTRATIVE_DOS = ATSParams(Dmin_K=0.05, X0min_KA2=5.0, X0max_KA2=30.0, nP_per_g=1.0)
#: Phases phi [rad] of Fig. 7.
FIG7_PHASES = (0.0, 0.002, 0.005, 0.01, 0.02)
#: Energies E [K] of Fig. 8.
FIG8_ENERGIES_K = (0.06, 0.08, 0.1, 0.15, 0.2)
#: Label of the DOS axis of Figs. 7-8.
_DOS_LABEL = r"$g_{\rm ATS}(E)$ [1/K]  ($n_{\rm ATS}P^* = 1$)"


def fig6_spectrum(D_over_D0: float = 0.1, theta: float = 0.3, n_phi: int = 721) -> Figure:
    """Fig. 6: the three ATS levels (Eq. 6) vs the Aharonov-Bohm phase, in units of D0 (bare).

    Parameters
    ----------
    D_over_D0 : float
        Effective asymmetry of the near-degenerate wells, in units of the bare D0 (solid lines;
        wells at polar angle ``theta`` on the plane E1+E2+E3 = 0, docs/spectrum.md).
    theta : float
        That polar angle [rad].
    n_phi : int
        Number of phases on [0, 2 pi].

    Returns
    -------
    matplotlib.figure.Figure
        Dashed: the symmetric triangle (E_i = 0), whose levels are 2 D0 cos((phi + 2 pi k)/3).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig6_spectrum(n_phi=11).axes[0].get_title()
    'Fig. 6: ATS spectrum (three wells, Eq. 6)'
    """
    plt = pyplot()
    phi = np.linspace(0.0, 2.0 * np.pi, n_phi)
    E = ats_well_energies(D_over_D0, theta)
    lv = ats_levels(E[0], E[1], E[2], 1.0, phi)
    lv0 = ats_levels(0.0, 0.0, 0.0, 1.0, phi)
    fig, ax = plt.subplots(figsize=(6.4, 3.8), layout="constrained")
    # wide pale solids under thin black dashes: where the two spectra coincide both stay seen
    for k in range(3):
        ax.plot(phi / np.pi, lv[:, k], color=f"C{k}", lw=3.0, alpha=0.6, label=f"$E_{k}$")
    for k in range(3):
        lab = "$E_i = 0$ (symmetric)" if k == 0 else None
        ax.plot(phi / np.pi, lv0[:, k], color="k", lw=0.9, ls=(0, (3, 2)), label=lab)
    ax.set_xlabel(r"Aharonov-Bohm phase $\varphi$ [$\pi$]")
    ax.set_ylabel(r"energy [$D_0$]")
    ax.set_title("Fig. 6: ATS spectrum (three wells, Eq. 6)")
    ax.set_xlim(0, 2)
    fig.legend(
        loc="outside right upper",
        fontsize=8,
        title=f"$D/D_0 = {D_over_D0:g}$,\n$\\theta$ = {theta:g} rad",
        title_fontsize=8,
    )
    return fig


def fig7_dos_vs_energy(params: ATSParams = ILLUSTRATIVE_DOS, phases=FIG7_PHASES) -> Figure:
    """Fig. 7: the magnetic part of the DOS (Eq. 13) vs E at several phases phi (n_ATS P* = 1).

    Parameters
    ----------
    params : ATSParams
        Cutoffs (default :data:`ILLUSTRATIVE_DOS`; the essay gives no values).
    phases : sequence of float
        Aharonov-Bohm phases phi [rad], one curve each.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> len(fig7_dos_vs_energy(phases=(0.0, 0.01)).axes[0].get_legend().get_texts())
    2
    """
    plt = pyplot()
    E0 = np.linspace(0.0, 0.6, 241)[1:]
    fig, ax = plt.subplots(figsize=(5.0, 3.8), layout="constrained")
    for i, phi in enumerate(phases):
        lab = rf"$\varphi$ = {phi:g} rad"
        E, g = refine_grid(lambda E, phi=phi: ats_dos_oriented(E, phi, params), E0, tol=1e-3)
        ax.plot(E, g, color=f"C{i}", label=lab)
    ax.set_xlabel("gap energy $E$ [K]")
    ax.set_ylabel(_DOS_LABEL)
    ax.set_title("Fig. 7: ATS density of states vs energy")
    ax.legend(fontsize=8)
    ax.set_xlim(0, E0[-1])
    ax.set_ylim(bottom=0)
    _note(ax, params)
    return fig


def fig8_dos_vs_phase(params: ATSParams = ILLUSTRATIVE_DOS, energies=FIG8_ENERGIES_K) -> Figure:
    """Fig. 8: the magnetic part of the DOS (Eq. 13) vs the phase phi at several energies.

    Parameters
    ----------
    params : ATSParams
        Cutoffs (default :data:`ILLUSTRATIVE_DOS`, n_ATS P* = 1).
    energies : sequence of float
        Gap energies E [K], one curve each.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig8_dos_vs_phase(energies=(0.1,)).axes[0].get_title()
    'Fig. 8: ATS density of states vs phase'
    """
    plt = pyplot()
    phi0 = np.linspace(0.0, 0.05, 201)
    fig, ax = plt.subplots(figsize=(5.0, 3.8), layout="constrained")
    for i, E in enumerate(energies):
        phi, g = refine_grid(lambda p, E=E: ats_dos_oriented(E, p, params), phi0, tol=1e-3)
        ax.plot(phi, g, color=f"C{i}", label=f"$E$ = {E:g} K")
    ax.set_xlabel(r"Aharonov-Bohm phase $\varphi$ [rad]")
    ax.set_ylabel(_DOS_LABEL)
    ax.set_title("Fig. 8: ATS density of states vs phase")
    ax.legend(fontsize=8)
    ax.set_xlim(0, phi0[-1])
    ax.set_ylim(bottom=0)
    _note(ax, params)
    return fig


def _note(ax: Axes, p: ATSParams) -> None:
    ax.text(
        0.98,
        0.5,
        f"$D_{{\\rm min}}$ = {p.Dmin_K:g} K\n$D_{{0,\\rm min}}$ = {p.X0min_KA2:g} K\n"
        f"$D_{{0,\\rm max}}$ = {p.X0max_KA2:g} K\naligned loops",
        transform=ax.transAxes,
        ha="right",
        va="center",
        fontsize=8,
        color="0.3",
    )


def fig9_heat_capacity(
    B_max_T: float = 8.0, n_B: int = 41, orientation: str = "isotropic"
) -> Figure:
    """Fig. 9: field dependence of the heat capacity of (a) BAS and (b) Duran, from Tables 1-4.

    Parameters
    ----------
    B_max_T : float
        Largest field [T].
    n_B : int
        Number of starting fields on [0, ``B_max_T``], refined where a curve bends
        (:func:`etm.figures.common.refine_grid`).
    orientation : str
        Loop orientations, as in :func:`etm.heat_capacity.components`.

    Returns
    -------
    matplotlib.figure.Figure
        Solid: ATS + Fe2+ + Fe3+ (the field-dependent part; the tables give no 2LS or phonon
        background, which would add a field-independent constant at each T). Dashed: ATS alone.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> [ax.get_title() for ax in fig9_heat_capacity(n_B=3).axes]
    ['Fig. 9(a): BAS', 'Fig. 9(b): Duran']
    """
    plt = pyplot()
    B0 = linear_field_axis(max(n_B, 3), B_max_T)
    fig, axes = plt.subplots(1, 2, figsize=(9.0, 3.8), layout="constrained")
    for ax, name, tag in zip(axes, ("BAS", "Duran"), ("a", "b"), strict=True):
        glass = materials.get(name)
        for i, T in enumerate(glass.temperatures_K):
            m = glass.at(T)

            def cp(b, T=T, m=m):
                parts = heat_capacity.components(T_K=T, B_T=b, material=m, orientation=orientation)
                return np.vstack([sum(parts.values()), parts["ATS"]])

            B, (tot, ats) = refine_grid(cp, B0)
            ax.plot(B, tot * 1e6, color=f"C{i}", label=f"{T:g} K")
            ax.plot(B, ats * 1e6, color=f"C{i}", ls="--", lw=0.9)
        ax.plot([], [], color="k", ls="--", lw=0.9, label="ATS only")
        ax.set_xlabel(FIELD_LABEL)
        ax.set_ylabel(r"$C_p$ [$\mu$J g$^{-1}$ K$^{-1}$]")
        ax.set_title(f"Fig. 9({tag}): {name}")
        ax.set_xlim(0, B_max_T)
        ax.set_ylim(bottom=0)
        ax.legend(fontsize=8)
    return fig


def _stated(p: ATSParams) -> dict[str, Any]:
    """Figs. 7-8's parameters as the figures state them: X0 = D0 [K] (phi is the coupling)."""
    return {
        "Dmin_K": p.Dmin_K,
        "D0min_K": p.X0min_KA2,
        "D0max_K": p.X0max_KA2,
        "nP_per_g": p.nP_per_g,
        "orientation": "aligned",
        "note": "D0 in K with X0 = D0, so that the coupling kappa is the phase phi itself",
    }


def figure_parameters() -> dict[str, Any]:
    """The parameters of Figs. 6-9, for the provenance record of :func:`etm.reproduce.run`.

    The dielectric and echo figures draw rows of Tables 5-7, which ``run`` records itself.

    Examples
    --------
    >>> sorted(figure_parameters())
    ['fig6', 'fig7', 'fig8', 'fig9']
    """
    return {
        "fig6": {"D_over_D0": 0.1, "theta": 0.3, "units": "D0 = 1 (bare)"},
        "fig7": {**_stated(ILLUSTRATIVE_DOS), "phases_rad": list(FIG7_PHASES)},
        "fig8": {**_stated(ILLUSTRATIVE_DOS), "energies_K": list(FIG8_ENERGIES_K)},
        "fig9": {
            name: {
                "rows_T_Dmin_X0min_X0max": [list(r) for r in materials.get(name).rows],
                "nP_per_g": materials.get(name).nP_per_g,
                "n_Fe2_per_g": materials.get(name).n_Fe2_per_g,
                "n_Fe3_per_g": materials.get(name).n_Fe3_per_g,
                "orientation": "isotropic",
            }
            for name in materials.names()
            if materials.get(name).heat_capacity_rows
        },
    }
