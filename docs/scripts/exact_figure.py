"""Figure docs/figures/exact_vs_analytic.png and the table of docs/exact.md.

Run: ``python3 docs/scripts/exact_figure.py [output.png]`` (prints the table to stdout).
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from etm.constants import field_for_2pi  # noqa: E402
from etm.heat_capacity import analytic_counting, ats, exact_counting, exact_heat_capacity  # noqa: E402
from etm.params import ATSParams  # noqa: E402

# BAS, essay Table 2 at T = 0.60 K
BAS = ATSParams(Dmin_K=0.49, X0min_KA2=4.77e4, X0max_KA2=3.09e5, nP_per_g=5.19e16)
AREAS = (3e3, 1e4, 3e4)
T = 0.6


def main(out: str | None = None) -> None:
    out_path = Path(out or Path(__file__).parents[1] / "figures" / "exact_vs_analytic.png")
    B = np.array([0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0])
    E = np.linspace(0.3, 4.0, 30)
    fig, ax = plt.subplots(1, 3, figsize=(13, 4))
    for Bn, col in zip((0.0, 1.0, 3.0), ("k", "C0", "C3"), strict=True):
        na = analytic_counting(E, Bn, BAS) / BAS.nP_per_g
        ne = exact_counting(E, Bn, BAS, loop_area_A2=3e4) / BAS.nP_per_g
        ax[0].plot(E, na, "-", color=col, label=f"analytic, B = {Bn:g} T")
        ax[0].plot(E, ne, "o", ms=3, color=col, label=f"exact S = 3e4 A², {Bn:g} T")
    ax[0].set(xlabel="E [K]", ylabel="N(E) / nP", title="(a) integrated DOS, isotropic")
    ax[0].legend(fontsize=7)
    ca = ats(T, B, BAS)
    ax[1].plot(B, ca * 1e6, "k-", lw=2, label="analytic (weak field)")
    print("| S [A^2] | B_2pi [T] | " + " | ".join(f"{b:g} T" for b in B) + " |")
    print("|---|---|" + "---|" * B.size)
    for S, col in zip(AREAS, ("C0", "C1", "C3"), strict=True):
        ce = exact_heat_capacity(T, B, BAS, loop_area_A2=S)
        rel = ce / ca - 1.0
        b2pi = float(field_for_2pi(S))
        ax[1].plot(B, ce * 1e6, "o-", ms=3, color=col, label=f"exact S = {S:.0e} A²")
        ax[2].plot(B, rel, "o-", ms=3, color=col, label=f"S = {S:.0e} A², B_2π = {b2pi:.1f} T")
        print(f"| {S:.0e} | {b2pi:.1f} | " + " | ".join(f"{r:+.1e}" for r in rel) + " |")
    ax[1].set(xlabel="B [T]", ylabel="C_ATS [µJ/(g K)]", title="(b) BAS, T = 0.6 K, isotropic")
    ax[1].legend(fontsize=7)
    ax[2].set_yscale("log")  # all differences are positive here; log shows the S^2 scaling
    ax[2].set(xlabel="B [T]", ylabel="C_exact/C_analytic - 1", title="(c) relative difference")
    ax[2].legend(fontsize=7)
    fig.tight_layout()
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_path, dpi=80)
    print(f"wrote {out_path} ({out_path.stat().st_size / 1024:.0f} kB)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
