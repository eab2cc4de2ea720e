"""The essay's single echo minimum from Table 7 with Eq. 31's minus sign (docs/echo.md, 5a).

For each Table 7 row (essay matrix elements, isotropic, C with delta/Omega_G, 12 mK) prints the
field of the minimum of A(B)/A(0.6 T), A = A_2LS - a(B), on a 1 mT grid over 0-0.6 T, and its
depth for several A_2LS (in units of a(0), the row's zero-field ATS echo at its T and tau12;
A > 0 on the whole range needs A_2LS > max a).

Run from the repository root:  python docs/scripts/echo_minima.py
"""

from __future__ import annotations

import numpy as np

from etm import echo, materials

B = np.linspace(0.0, 0.6, 601)
RATIOS = (1.2, 2.0, 3.0, 10.0)


def main() -> None:
    print(
        "row | max a/a(0) | B_min [T] | A_min/A(0.6 T) for A_2LS/a(0) = "
        + ", ".join(map(str, RATIOS))
    )
    for row in materials.ECHO_ROWS:
        a = echo.amplitude(row.T_K, B, row.params, row.pulses, matrix_elements="essay")
        a0 = a[0]
        unit = float(echo.two_level_echo(row.T_K, row.pulses.tau12_s, row.pulses.f_Hz, A_2LS=1.0))
        depths, where = [], []
        for k in RATIOS:
            r = echo.relative_amplitude(
                row.T_K, B, row.params, row.pulses, A_2LS=k * a0 / unit, matrix_elements="essay"
            )
            i = int(np.argmin(r))
            depths.append(f"{r[i]:.4f}")
            where.append(B[i])
        pos = ", ".join(f"{w:.3f}" for w in sorted(set(where)))
        print(f"{row.name} | {a.max() / a0:.4f} | {pos} | " + ", ".join(depths))


if __name__ == "__main__":
    main()
