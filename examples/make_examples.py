"""Write the SYNTHETIC example data files of examples/ (Cp(B) of BAS and Duran, Tables 1-4).

Each file is the model (etm.heat_capacity.total, isotropic orientation) at the essay's fitted
parameters for one temperature (Tables 1-2 for BAS, 3-4 for Duran), plus a field-independent
background the essay does not give (an illustrative 2LS term and phonon T^3 term, stated in each
header), plus seeded Gaussian noise of 0.5 % of the value. They are not measurements.

Run from the repository root:  python examples/make_examples.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from etm import materials
from etm.fitting import synthetic_cp_curve
from etm.io import atomic_write_text

HERE = Path(__file__).resolve().parent
#: Illustrative backgrounds (NOT from the essay): C_2LS = 2 uJ/(g K^2) * T and beta T^3.
NP2LS_PER_G_PER_K = 8.8e16
BETA_J_PER_GK4 = 5e-7
REL_NOISE = 0.005
B_T = np.linspace(0.0, 8.0, 41)
#: unit of each glass's files: BAS in tesla and uJ/(g K); Duran in mT and J/(g K), to show both
UNITS = {"BAS": ("B_T", 1.0, "uJ_per_gK", 1e6), "Duran": ("B_mT", 1e3, "J_per_gK", 1.0)}


def main() -> list[Path]:
    written = []
    for k, name in enumerate(("BAS", "Duran")):
        preset = materials.get(name)
        xcol, xf, yunit, yf = UNITS[name]
        for i, T in enumerate(preset.temperatures_K):
            seed = 1000 * k + i
            c = synthetic_cp_curve(
                preset,
                T,
                B_T,
                rel_noise=REL_NOISE,
                seed=seed,
                nP2LS_per_g_per_K=NP2LS_PER_G_PER_K,
                beta_J_per_gK4=BETA_J_PER_GK4,
            )
            row = next(r for r in preset.rows if r[0] == T)
            lines = [
                "# SYNTHETIC data made by examples/make_examples.py (not a measurement)",
                f"# model: etm.heat_capacity.total, isotropic; parameters from the {preset.source}",
                f"# truth: nP_per_g={preset.nP_per_g:g} n_Fe2_per_g={preset.n_Fe2_per_g:g} "
                f"n_Fe3_per_g={preset.n_Fe3_per_g:g} Dmin_K={row[1]:g} X0min_KA2={row[2]:g} "
                f"X0max_KA2={row[3]:g}",
                f"# truth (illustrative, not from the essay): nP2LS_per_g_per_K="
                f"{NP2LS_PER_G_PER_K:g} beta_J_per_gK4={BETA_J_PER_GK4:g}",
                f"# noise: Gaussian, sigma = {REL_NOISE:g} x value, numpy default_rng({seed})",
                f"# glass = {name}",
                f"# T_K = {T:.2f}",
                f"{xcol}, Cp_{yunit}, sigma_{yunit}",
            ]
            lines += [
                f"{x * xf:.6g}, {y * yf:.7g}, {s * yf:.4g}"
                for x, y, s in zip(c.x, c.y, c.sigma, strict=True)
            ]
            path = HERE / f"cp_{name}_{T:.2f}K.csv"
            written.append(atomic_write_text(path, "\n".join(lines) + "\n"))
    return written


if __name__ == "__main__":
    for p in main():
        print(p)
