"""Write the SYNTHETIC magnetization example files examples/magnetization_*.csv.

Each file is the model of :mod:`etm.fit.magnetization` (weak-field ATS, isotropic loops, free
Fe2+ S = 2 and Fe3+ S = 5/2 spins with g = 2) at the essay's BAS parameters (Table 1
concentrations; Table 2's 0.60 K row for Dmin and the X cutoffs, T-independent: E0 = 0), plus an
illustrative diamagnetic background chi = -2e-7 J/(T^2 g) the essay does not give, plus seeded
Gaussian noise of 0.3 % of |M|. M(T) at 1 T in emu/g (= A m^2/kg) and M(B) at 2 K in memu/g, to
show the unit conversion. None of them is a measurement.

Run from the repository root:  python examples/magnetization_make_examples.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from etm.fit.magnetization import synthetic_magnetization_curve
from etm.io import atomic_write_text

HERE = Path(__file__).resolve().parent
CHI = -2e-7
REL_NOISE = 0.003
#: file name, abscissa, fixed variable, M unit and its factor from J/(T g), seed
FILES = (
    ("magnetization_BAS_1T.csv", "T", 1.0, "emu_per_g", 1e3, 1),
    ("magnetization_BAS_2K.csv", "B", 2.0, "memu_per_g", 1e6, 2),
)


def main() -> None:
    for name, x, fixed, unit, factor, seed in FILES:
        if x == "T":
            kw = {"T_K": np.geomspace(0.3, 20.0, 30), "B_T": fixed}
            head, meta = "T_K", f"# B_T = {fixed:g}"
        else:
            kw = {"T_K": fixed, "B_T": np.linspace(0.1, 7.0, 30)}
            head, meta = "B_T", f"# T_K = {fixed:g}"
        c = synthetic_magnetization_curve(
            "BAS", rel_noise=REL_NOISE, seed=seed, chi_dia_J_per_T2g=CHI, source=name, **kw
        )
        lines = [
            "# SYNTHETIC data made by examples/magnetization_make_examples.py (not a measurement)",
            "# model: etm.fit.magnetization (weak-field ATS, isotropic; Fe2+ S=2, Fe3+ S=5/2, g=2)",
            "# truth: nP_per_g=5.19e+16 n_Fe2_per_g=1.06e+17 n_Fe3_per_g=5e+16 (essay Table 1)",
            "# truth: Dmin_K=0.49 X0min_KA2=47700 X0max_KA2=309000 E0_K=0 (Table 2, 0.60 K row)",
            f"# truth (illustrative, not from the essay): chi_dia_J_per_T2g={CHI:g}",
            f"# noise: Gaussian, sigma = {REL_NOISE:g} x |M|, numpy default_rng({seed})",
            "# glass = BAS",
            meta,
            f"{head}, M_{unit}, sigma_{unit}",
        ]
        lines += [
            f"{xv:.6g}, {yv * factor:.7g}, {sv * factor:.4g}"
            for xv, yv, sv in zip(c.x, c.y, c.sigma, strict=True)
        ]
        atomic_write_text(HERE / name, "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
