"""The two theories of the echo's field dependence side by side: the ETM and the NEQM.

:func:`fig_neqm_comparison` draws, under the conditions of the essay's Figs. 14-16 (12 mK,
tau_2 = 2 tau_1 = 0.2 us; BAS at 1 GHz, tau_12 = 2 us; BK7 at 0.9 GHz, tau_12 = 1.5 and 6 us), the
ETM's A(B)/A(0.6 T) of each Table 7 row (the essay's forms, A = A_2LS - a(B) with A_2LS = 2 a(0),
as :mod:`etm.figures.echo` draws Figs. 15-16) beside the NEQM's for the same glass and pulses
(:func:`etm.materials.neqm_row`, :func:`etm.neqm.relative_amplitude`; docs/neqm.md), and the NEQM
of Suprasil I, the glass with almost no quadrupolar nuclei. The NEQM does not depend on the BAS
sample (the same composition): one curve serves both. matplotlib is imported inside.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from etm import materials
from etm.figures.common import FIELD_LABEL, pyplot, refine_grid

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["NEQM_TOL", "fig_neqm_comparison", "neqm_curve"]

#: Refinement tolerance of the NEQM curves, in A(B)/A(0.6 T): 5e-4, about a pixel of the
#: panels (each ~0.25 high in A/A(0.6 T), ~350 pixels at 150 dpi), and 4x below the Sobol
#: sampling error of 1024 points (~0.002, docs/neqm.md sec. 4). The NEQM's cost is per field
#: (~3-8 ms at 1024 Sobol points); the old uniform 161 fields oversampled the flat parts.
NEQM_TOL = 5e-4


def _fields(n_B: int, B_max_T: float) -> np.ndarray:
    """Fields dense where the NEQM's dip is (below 60 mT) and uniform above."""
    lo = np.linspace(0.0, min(0.06, B_max_T), max(n_B // 2, 3))
    hi = np.linspace(min(0.06, B_max_T), B_max_T, max(n_B - n_B // 2, 2))
    return np.unique(np.concatenate([lo, hi]))


def _neqm(name: str, B: np.ndarray, n_samples: int, B_high_T: float) -> np.ndarray:
    from etm.materials.nuclei import neqm_row
    from etm.neqm import relative_amplitude

    row = neqm_row(name)
    return relative_amplitude(
        row.T_K, B, row.params, row.pulses, n_samples=n_samples, B_high_T=B_high_T
    )


def neqm_curve(
    name: str,
    n_B: int = 41,
    B_max_T: float = 0.6,
    n_samples: int = 1024,
    *,
    tol: float = NEQM_TOL,
) -> tuple[np.ndarray, np.ndarray]:
    """The NEQM's A(B)/A(B_max) of a row of :func:`etm.materials.neqm_row` as the figure draws
    it: from ``n_B`` fields (half below 60 mT) refined where the curve bends, until every point
    lies within ``tol`` (absolute, in A/A(B_max)) of its neighbours' chord
    (:func:`etm.figures.common.refine_grid`).

    The ensemble uses the same Sobol points at every field, so the curve is a smooth function
    of B and its values do not depend on the grid; only the drawn polyline does.

    Returns
    -------
    B : ndarray
        Fields [T].
    r : ndarray
        A(B)/A(B_max).

    Examples
    --------
    >>> B, r = neqm_curve("Suprasil I", n_B=6, n_samples=32)
    >>> float(B[-1]), float(r[-1])
    (0.6, 1.0)
    """
    return refine_grid(
        lambda b: _neqm(name, b, n_samples, B_max_T),
        _fields(n_B, B_max_T),
        tol=tol,
        scale=1.0,  # tol in units of A/A(B_max) itself, not of the curve's (tiny) range
        max_points=400,
    )


def fig_neqm_comparison(
    n_B: int = 161, B_max_T: float = 0.6, n_samples: int = 1024, zoom_T: float = 0.06
) -> Figure:
    """ETM and NEQM echo A(B)/A(B_high) under the conditions of the essay's Figs. 14-16.

    Parameters
    ----------
    n_B : int
        Number of fields of the ETM curves (half of them below 60 mT, where the NEQM's dip
        is); the NEQM curves start from a third of them and are refined where they bend
        (:func:`neqm_curve`, :data:`NEQM_TOL`).
    B_max_T : float
        Largest field [T], also the normalizing field (0.6 T, as Figs. 15-16).
    n_samples : int
        Sobol points of the NEQM ensemble (a power of 2; sampling error ~0.002 at 1024,
        docs/neqm.md sec. 4).
    zoom_T : float
        Field range [T] of the lower panels, which show the NEQM's low-field dip.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> len(fig_neqm_comparison(n_B=9, n_samples=32).axes)
    4
    """
    from etm.figures.echo import A2LS_PER_A0, relative_echo

    plt = pyplot()
    fig, axes = plt.subplots(2, 2, figsize=(10.5, 7.6), height_ratios=[1.0, 0.8])
    B = _fields(n_B, B_max_T)
    panels = [
        (
            axes[:, 0],
            "BAS, 1 GHz, $\\tau_{12} = 2\\,\\mu$s (Figs. 14a, 15)",
            [("BAS sample 1", "C0"), ("BAS sample 2", "C3")],
            [("BAS sample 1", "BAS", "C0")],
        ),
        (
            axes[:, 1],
            "BK7, 0.9 GHz (Figs. 14b, 16)",
            [("BK7 tau12=1.5us", "C2"), ("BK7 tau12=6us", "C1")],
            [("BK7 tau12=1.5us", "BK7", "C2"), ("BK7 tau12=6us", "BK7", "C1")],
        ),
    ]
    n_neqm = max(n_B // 3, 6)
    Bs, sup = neqm_curve("Suprasil I", n_neqm, B_max_T, n_samples)
    zoom = B <= zoom_T
    for (ax, axz), title, etm_rows, neqm_rows in panels:
        for name, c in etm_rows:
            row = materials.echo_row(name)
            r = relative_echo(row, B, B_high_T=B_max_T, matrix_elements="essay")
            ax.plot(B, r, color=c, lw=1.6, label=f"ETM, {_row_label(row)}")
            axz.plot(B[zoom], r[zoom], color=c, lw=1.4)
        for name, glass, c in neqm_rows:
            Bn, r = neqm_curve(name, n_neqm, B_max_T, n_samples)
            tau = materials.echo_row(name).pulses.tau12_s * 1e6
            lab = f"NEQM, {glass}, $\\tau_{{12}} = {tau:g}\\,\\mu$s"
            ax.plot(Bn, r, color=c, lw=1.3, ls="--", label=lab)
            axz.plot(Bn[Bn <= zoom_T], r[Bn <= zoom_T], color=c, lw=1.3, ls="--")
        ax.plot(Bs, sup, color="0.35", lw=1.2, ls=":", label="NEQM, Suprasil I (Fig. 14a)")
        axz.plot(Bs[Bs <= zoom_T], sup[Bs <= zoom_T], color="0.35", lw=1.2, ls=":")
        for a in (ax, axz):
            a.axhline(1.0, color="0.7", lw=0.6)
            a.set_ylabel(f"$A(B)/A({B_max_T:g}\\,$T$)$")
        ax.set_xlabel(FIELD_LABEL)
        axz.set_xlabel(f"magnetic field $B$ [T] (the NEQM's dip, below {zoom_T * 1e3:g} mT)")
        ax.set_title(title, fontsize=9)
        axz.legend(
            *ax.get_legend_handles_labels(),
            fontsize=7,
            ncol=2,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.28),
            title=f"solid: ETM (Table 7, essay's forms, $A_{{2LS}} = {A2LS_PER_A0:g}\\,a(0)$); "
            "dashed/dotted: NEQM (neqm_row)",
            title_fontsize=7,
        )
    fig.suptitle(
        "Echo amplitude: ETM against the nuclear-quadrupole model (NEQM), 12 mK, "
        "$\\tau_2 = 2\\tau_1 = 0.2\\,\\mu$s",
        fontsize=10,
    )
    fig.tight_layout()
    return fig


def _row_label(row: materials.EchoRow) -> str:
    """``BK7, tau_12 = 1.5 us`` in mathtext, or the row's name for the BAS samples."""
    if row.name.startswith("BK7"):
        return f"BK7, $\\tau_{{12}} = {row.pulses.tau12_s * 1e6:g}\\,\\mu$s"
    return row.name
