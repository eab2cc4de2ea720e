"""Figures and numbers of docs/exact_response.md (exact three-level dielectric response and echo).

Run: ``python docs/scripts/exact_response_figures.py [--part eps|echo|breakdown|all]``. Writes
docs/figures/exact_eps.png, exact_echo.png and prints every number quoted in the page.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from etm import materials
from etm.constants import field_for_2pi
from etm.dielectric import relative_change
from etm.dielectric.exact import exact_relative_change
from etm.echo import amplitude
from etm.echo.exact import exact_amplitude

FIG = Path(__file__).resolve().parents[1] / "figures"
EPS_ROWS = (("BK7", 0.015), ("Duran", 0.015), ("BAS", 0.05), ("BAS", 0.094), ("BAS", 0.12))
ECHO_ROWS = ("BAS sample 1", "BAS sample 2", "BK7 tau12 = 1.5 us", "BK7 tau12 = 6 us")


def breakdown() -> None:
    """max|exact - weak|/max|weak| of the relative change against the loop area S."""
    print("| glass | T [mK] | B range | S [A^2] | phi0 at B_max | max|exact - weak|/max|weak| |")
    print("|---|---|---|---|---|---|")
    for g, T in (("BAS", 0.05), ("BAS", 0.12), ("BK7", 0.015), ("SiO2+xCyHz", 0.07)):
        p = materials.dielectric_row(g, T).params
        for Bmax in (1.0, 30.0):
            B = np.linspace(0.0, Bmax, 41)
            w = relative_change(T, B, p)
            for S in (3e2, 1e3, 3e3, 1e4, 3e4):
                e = exact_relative_change(T, B, p, loop_area_A2=S)
                ph = 2 * np.pi * Bmax / float(field_for_2pi(S))
                err = np.max(np.abs(e - w)) / np.max(np.abs(w))
                print(f"| {g} | {T * 1e3:.0f} | 0-{Bmax:.0f} T | {S:.0e} | {ph:.3g} | {err:.2e} |")


def eps_figure() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    B = np.linspace(0.0, 30.0, 200)
    fig, axes = plt.subplots(2, 3, figsize=(13, 7.5), sharex=True)
    print("| glass | T [mK] | weak at 30 T [1e-5] | exact S=1e4 | exact S=3e4 | S=1e4 rel. diff |")
    print("|---|---|---|---|---|---|")
    for ax, (g, T) in zip(axes.flat, EPS_ROWS, strict=False):
        p = materials.dielectric_row(g, T).params
        w = relative_change(T, B, p)
        t0 = time.perf_counter()
        e4 = exact_relative_change(T, B, p, loop_area_A2=1e4)
        dt = time.perf_counter() - t0
        e34 = exact_relative_change(T, B, p, loop_area_A2=3e4)
        ax.plot(B, w * 1e5, "k-", label="weak field (etm.dielectric)")
        ax.plot(B, e4 * 1e5, "C0--", label="exact 3-level, S = 1e4 A$^2$")
        ax.plot(B, e34 * 1e5, "C3:", label="exact 3-level, S = 3e4 A$^2$")
        ax.set_title(f"{g}, {T * 1e3:.0f} mK (Table 5)")
        ax.set_ylabel(r"$\Delta\epsilon'/\epsilon'$ [1e-5]")
        rel = (e4[-1] - w[-1]) / abs(w[-1])
        print(
            f"| {g} | {T * 1e3:.0f} | {w[-1] * 1e5:.3f} | {e4[-1] * 1e5:.3f} | "
            f"{e34[-1] * 1e5:.3f} | {rel:+.2e} ({dt:.1f} s) |"
        )
    ax = axes.flat[-1]
    p = materials.dielectric_row("BAS", 0.05).params
    for S, c in ((1e4, "C0"), (3e4, "C3")):
        e = exact_relative_change(0.05, B, p, loop_area_A2=S)
        w = relative_change(0.05, B, p)
        ax.plot(B, (e - w) / np.max(np.abs(w)), c, label=f"S = {S:.0e} A$^2$")
    ax.set_title("BAS 50 mK: (exact - weak)/max|weak|")
    ax.legend(fontsize=8)
    for a in axes[-1]:
        a.set_xlabel("B [T]")
    axes.flat[0].legend(fontsize=8)
    fig.suptitle("Exact three-level relative change of eps' to 30 T (isotropic, 1 kHz, frozen)")
    fig.tight_layout()
    fig.savefig(FIG / "exact_eps.png", dpi=110)


def echo_figure() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    B = np.concatenate([[0.0, 0.05, 0.1, 0.2, 0.3, 0.45, 0.6], np.linspace(1.0, 10.0, 19)])
    fig, axes = plt.subplots(2, 2, figsize=(11, 8), sharex=True)
    # weak field and exact: the pulse field's direction averaged (the default, random field);
    # rms: the exact route with one rms Rabi frequency per system (the essay's approximation)
    print("| preset | a(0) weak | a(0) exact | a(0) rms | A(10 T)/A(0.6 T): weak | exact | rms |")
    print("|---|---|---|---|---|---|---|")
    for ax, name in zip(axes.flat, ECHO_ROWS, strict=True):
        pre = materials.echo_row(name)
        args = (pre.T_K, B, pre.params, pre.pulses)
        w = amplitude(*args)
        t0 = time.perf_counter()
        ex = exact_amplitude(*args)
        dt = time.perf_counter() - t0
        rm = exact_amplitude(*args, rabi="rms")
        i6 = 6  # B = 0.6 T: the essay's normalization
        for y, st, lab in (
            (w, "k-", "weak field (etm.echo), field direction averaged"),
            (ex, "C0o-", "exact 3-level, field direction averaged"),
            (rm, "C3s--", "exact 3-level, rms Rabi (essay's approx.)"),
        ):
            ax.plot(B, y / y[i6], st, ms=3, label=lab)
        ax.set_title(f"{name} (Table 7), S = 1e4 A$^2$")
        ax.set_ylabel("a(B)/a(0.6 T)")
        print(
            f"| {name} | {w[0]:.4e} | {ex[0]:.4e} | {rm[0]:.4e} | {w[-1] / w[i6]:.4f} | "
            f"{ex[-1] / ex[i6]:.4f} | {rm[-1] / rm[i6]:.4f} | ({dt:.0f} s)"
        )
        for k in (0, 3, 6, 9, 13, 18, 25):
            print(
                f"    B = {B[k]:5.2f} T: weak {w[k]:.4e}, exact {ex[k]:.4e} "
                f"({ex[k] / w[k]:.3f}), rms {rm[k]:.4e} ({rm[k] / w[k]:.3f})"
            )
    axes.flat[0].legend(fontsize=8)
    for a in axes[-1]:
        a.set_xlabel("B [T]")
    fig.suptitle("ATS echo a(B) to 10 T with all three levels (Fig. 16 inset), isotropic")
    fig.tight_layout()
    fig.savefig(FIG / "exact_echo.png", dpi=110)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--part", default="all", choices=("eps", "echo", "breakdown", "all"))
    part = ap.parse_args().part
    if part in ("breakdown", "all"):
        breakdown()
    if part in ("eps", "all"):
        eps_figure()
    if part in ("echo", "all"):
        echo_figure()


if __name__ == "__main__":
    main()
