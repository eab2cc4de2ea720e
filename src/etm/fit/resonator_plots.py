"""The report figure of a resonator fit: each loss channel against T at each power, and f0.

:func:`loss_channels_figure` is the ``figures`` hook of the ``resonator`` observable
(:mod:`etm.fit.resonator_grid`), drawn from the rows of ``curves.csv``
(:func:`etm.fit.curves.curves_table`) as every fit figure is; matplotlib is imported inside.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["loss_channels_figure"]


def _kind(c: Any) -> str:
    return str(c.metadata.get("resonator_curve", ""))


def loss_channels_figure(result: Any, table: dict[str, Any]) -> Any:
    """Each loss channel against T at each power, and f0 - f_r with its two shifts, drawn from
    the rows of ``curves.csv`` (:func:`etm.fit.curves.curves_table`): 1/Q_i (data with error
    bars, model solid) and 1/Q_TLS (dashed), 1/Q_QP (dotted), 1/Q_other (dash-dot), one colour
    per power; each channel's 1/Q is its part divided by the model squared."""
    from matplotlib.figure import Figure

    qi = [i for i, c in enumerate(result.curves) if _kind(c) == "Qi"]
    f0 = [i for i, c in enumerate(result.curves) if _kind(c) == "f0"]
    fig = Figure(figsize=(5.5 * (bool(qi) + bool(f0)), 4.5), layout="constrained")
    axes = list(np.atleast_1d(fig.subplots(1, bool(qi) + bool(f0))))
    d = table["data"]
    styles = {"TLS": "--", "QP": ":", "other": "-."}
    if qi:
        ax = axes.pop(0)
        lo, hi = np.inf, 0.0
        k = 0
        for i in qi:
            r = table["index"][i]
            by = "P_W" if "P_W" in d and np.all(np.isfinite(d["P_W"][r])) else "n_1"
            key = d[by][r] if by in d else np.full(r.stop - r.start, np.nan)
            for g, lab in _groups(key, "W" if by == "P_W" else "photons"):
                col = f"C{k % 10}"
                k += 1
                rows = np.arange(r.start, r.stop)[g]
                rows = rows[np.argsort(d["T_K"][rows])]
                T, y, s, mod = d["T_K"][rows], d["data"][rows], d["sigma"][rows], d["model"][rows]
                ax.errorbar(T, 1 / y, yerr=s / y**2, fmt="o", ms=3, color=col, label=lab)
                ax.plot(T, 1 / mod, color=col, lw=1.2)
                lo, hi = min(lo, float(np.min(1 / y))), max(hi, float(np.max(1 / y)))
                for c, ls in styles.items():
                    part = d.get(f"model_{c}")
                    if part is not None and np.any(part[rows] > 0):
                        ax.plot(T, part[rows] / mod**2, ls=ls, color=col, lw=0.9)
        ax.plot([], [], color="0.3", label="1/Q_i fit")
        for c, ls in styles.items():
            ax.plot([], [], ls=ls, color="0.3", label=f"1/Q_{c}")
        if hi > 5 * lo:  # channels over decades (a power grid): log
            ax.set_yscale("log")
            ax.set_ylim(bottom=lo / 30)
        else:
            ax.set_ylim(bottom=0.0)
        ax.set_xlabel("T [K]")
        ax.set_ylabel("1/Q_i")
        ax.set_title("loss channels at each power")
        ax.legend(fontsize=6, ncol=2, handlelength=3)
    if f0:
        ax = axes.pop(0)
        for k, i in enumerate(f0):
            r = np.arange(table["index"][i].start, table["index"][i].stop)
            r = r[np.argsort(d["T_K"][r])]
            fr = d["model_f_r"][r]
            col = f"C{k % 10}"
            ax.errorbar(d["T_K"][r], (d["data"][r] - fr) / 1e3, yerr=d["sigma"][r] / 1e3, fmt="o",
                        ms=3, color=col, label=result.curves[i].label)  # fmt: skip
            ax.plot(d["T_K"][r], (d["model"][r] - fr) / 1e3, color=col, lw=1.2, label="fit")
            for c in ("TLS", "QP"):
                part = d.get(f"model_{c}")
                if part is not None and np.any(part[r] != 0):
                    ax.plot(d["T_K"][r], part[r] / 1e3, ls=styles[c], color=col, lw=0.9,
                            label=f"{c} shift")  # fmt: skip
        ax.set_xlabel("T [K]")
        ax.set_ylabel("f0 - f_r [kHz]")
        ax.set_title("resonance frequency")
        ax.legend(fontsize=6, handlelength=3)
    return fig


def _groups(key: NDArray[np.float64], unit: str) -> list[tuple[NDArray[np.bool_], str]]:
    """Rows per power (at most 8 groups, in log bins if the powers vary row by row)."""
    if not np.all(np.isfinite(key)):
        return [(np.ones(key.size, dtype=bool), "one power")]
    vals = np.unique(key)
    if vals.size > 8:
        edges = np.geomspace(vals.min(), vals.max() * (1 + 1e-9), 9)
        idx = np.clip(np.searchsorted(edges, key, side="right") - 1, 0, 7)
        return [(idx == j, f"{edges[j]:.2g}-{edges[j + 1]:.2g} {unit}") for j in range(8)
                if np.any(idx == j)]  # fmt: skip
    return [(key == v, f"{v:.3g} {unit}") for v in vals]
