"""Table 7 as printed against the reconstruction of the essay's echo curves (docs/echo.md, 5b).

Prints, for each Table 7 row and both readings (etm.echo.readings.AS_PRINTED and
RECONSTRUCTION), with Eq. 31's minus sign and A_2LS = 2 a(0) (etm.figures.echo.A2LS_PER_A0):
the minimum of A(B)/A(0.6 T) on 0-0.6 T, the field where A first regains its high-field value
A_2LS, the overshoot above it, the exponent n of |A/A_2LS - 1| ~ B^-n over 0.8-3 T, and the
straightness of the rise; then the phonon times against 1/(cT) for both units of Gamma^-1.
Writes docs/figures/echo_reconstruction.png.

Run from the repository root:  python docs/scripts/echo_reconstruction.py
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from etm import echo, materials  # noqa: E402
from etm.echo.readings import AS_PRINTED, RECONSTRUCTION, decay_times  # noqa: E402
from etm.figures.echo import A2LS_PER_A0, fig_echo_reconstruction  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "figures" / "echo_reconstruction.png"


def features(row, reading):
    """Measured features of A = A_2LS - a(B), A_2LS(T, tau12) = 2 a(0)."""
    p = reading.params(row)
    o = {k: v for k, v in reading.options().items() if k != "ats_sign"}
    B = np.unique(np.concatenate([np.linspace(0, 0.6, 601), np.geomspace(1e-3, 3.0, 400)]))
    a = echo.amplitude(row.T_K, B, p, row.pulses, **o)
    A2 = A2LS_PER_A0 * abs(a[0])
    A = A2 - a  # Eq. 31: the 2LS echo minus the ATS part
    rel = A / A[np.searchsorted(B, 0.6)]
    inner = B <= 0.6
    i = int(np.argmin(np.where(inner, rel, np.inf)))
    # first return to the high-field value A_2LS after the minimum, and the overshoot beyond
    after = np.nonzero((B > B[i]) & (A >= A2))[0]
    B_back = B[after[0]] if after.size else np.nan
    over = (A[B > B[i]].max() / A2 - 1) * 100
    sel = (B >= 0.8) & (B <= 3.0) & (a != 0)
    n = -np.polyfit(np.log(B[sel]), np.log(np.abs(a[sel])), 1)[0]
    # straightness of the rise from the minimum to 90 % of the way back to A_2LS
    lin = np.nan
    if after.size:
        j = np.nonzero((B > B[i]) & (A >= A[i] + 0.9 * (A2 - A[i])))[0][0]
        seg = slice(i, j + 1)
        fit = np.polyval(np.polyfit(B[seg], A[seg], 1), B[seg])
        lin = np.max(np.abs(A[seg] - fit)) / (A[j] - A[i]) * 100
    return B[i], rel[i], B_back, over, n, lin


def main() -> None:
    print(f"A = A_2LS - a(B), A_2LS = {A2LS_PER_A0:g} a(0); minimum of A(B)/A(0.6 T) on 0-0.6 T")
    print(
        "reading | row | B_min [mT] | A_min/A(0.6) | back to A_2LS at [T] | overshoot [%] "
        "| n in B^-n (0.8-3 T) | rise: max dev. from a line [% of rise]"
    )
    for rd in (AS_PRINTED, RECONSTRUCTION):
        for row in materials.ECHO_ROWS:
            Bm, rm, Bb, ov, n, lin = features(row, rd)
            print(
                f"{rd.label[:14]} | {row.name} | {Bm * 1e3:.1f} | {rm:.4f} | {Bb:.3f} | "
                f"{ov:.2f} | {n:.2f} | {lin:.1f}"
            )
    print("\nphonon time at resonance (E = hf, D = 0 / D = E) against 1/(cT), T = 12 mK [us]")
    for row in materials.ECHO_ROWS:
        us, s = decay_times(row), decay_times(row, gamma_unit="per_s")
        print(
            f"{row.name}: per us {us.phonon_D_0_s * 1e6:.3g} / {us.phonon_D_eq_E_s * 1e6:.3g}; "
            f"per s {s.phonon_D_0_s * 1e6:.3g} / {s.phonon_D_eq_E_s * 1e6:.3g}; "
            f"1/(cT) {us.spectral_diffusion_s * 1e6:.3g}"
        )
    fig = fig_echo_reconstruction()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(OUT, dpi=120)
    print(f"\nwrote {OUT}")


if __name__ == "__main__":
    main()
