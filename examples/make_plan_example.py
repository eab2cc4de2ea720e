"""Write the SYNTHETIC joint-fit example of examples/: Cp(B) and eps'(B) of one made-up glass
whose heat-capacity and dielectric curves share the X cutoffs, and the fit plan that fits them
together (``etm fit --plan examples/plan_joint_BAS_synthetic.toml --out fit-joint``; see
docs/fitting.md, "Fit plans").

The glass is BAS-like but NOT the essay's: the concentrations and Dmin of Tables 1-2 (Cp at
0.60 K and 0.90 K) and the amplitude and Dmin of Table 5 (eps' at 50 mK, 1 kHz), with ONE pair of
X cutoffs (X0min_KA2 = 1.2e5, X0max_KA2 = 3.0e5) for both observables, so that sharing them is
right by construction. Backgrounds and noise as in examples/make_examples.py (Cp: 0.5 % of the
value; eps: 0.1 % of the largest |change|). None of it is a measurement.

Run from the repository root:  python examples/make_plan_example.py
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np

from etm import materials
from etm.fit import synthetic_cp_curve, synthetic_eps_curve
from etm.io import atomic_write_text

HERE = Path(__file__).resolve().parent
X0MIN_KA2, X0MAX_KA2 = 1.2e5, 3.0e5
NP2LS_PER_G_PER_K, BETA_J_PER_GK4 = 8.8e16, 5e-7
PLAN = "plan_joint_BAS_synthetic.toml"


class _Glass:
    """BAS of Tables 1-2 with the shared X cutoffs (duck type of etm.materials.Glass)."""

    def __init__(self) -> None:
        self._g = materials.get("BAS")
        self.name = "BAS"

    def at(self, T_K: float):
        m = self._g.at(T_K)
        return replace(m, ats=replace(m.ats, X0min_KA2=X0MIN_KA2, X0max_KA2=X0MAX_KA2))


def _write(path: Path, header: list[str], c, xcol: str, xf: float, ycol: str, yf: float) -> Path:
    lines = header + [f"{xcol}, {ycol}, sigma_{ycol.partition('_')[2]}"]
    lines += [
        f"{x * xf:.6g}, {y * yf:.8g}, {s * yf:.4g}"
        for x, y, s in zip(c.x, c.y, c.sigma, strict=True)
    ]
    return atomic_write_text(path, "\n".join(lines) + "\n")


def main() -> list[Path]:
    written = []
    glass = _Glass()
    cp_files = []
    for k, T in enumerate((0.6, 0.9)):
        seed = 4000 + k
        c = synthetic_cp_curve(
            glass,
            T,
            np.linspace(0.0, 8.0, 41),
            rel_noise=0.005,
            seed=seed,
            nP2LS_per_g_per_K=NP2LS_PER_G_PER_K,
            beta_J_per_gK4=BETA_J_PER_GK4,
        )
        m = glass.at(T)
        name = f"joint_cp_BAS_synthetic_{T:.2f}K.csv"
        header = [
            "# SYNTHETIC data made by examples/make_plan_example.py (not a measurement)",
            "# a BAS-like glass whose Cp and eps' share the X cutoffs (NOT the essay's Table 2)",
            f"# truth: nP_per_g={m.ats.nP_per_g:g} n_Fe2_per_g={m.paramagnets[0].n_per_g:g} "
            f"n_Fe3_per_g={m.paramagnets[1].n_per_g:g} Dmin_K={m.ats.Dmin_K:g} "
            f"X0min_KA2={X0MIN_KA2:g} "
            f"X0max_KA2={X0MAX_KA2:g} nP2LS_per_g_per_K={NP2LS_PER_G_PER_K:g} "
            f"beta_J_per_gK4={BETA_J_PER_GK4:g}",
            f"# noise: Gaussian, sigma = 0.005 x value, numpy default_rng({seed})",
            "# glass = BAS",
            f"# T_K = {T:.2f}",
        ]
        written.append(_write(HERE / name, header, c, "B_T", 1.0, "Cp_uJ_per_gK", 1e6))
        cp_files.append(name)
    row = materials.dielectric_row("BAS", 0.05)
    row = replace(row, params=replace(row.params, X0min_KA2=X0MIN_KA2, X0max_KA2=X0MAX_KA2))
    seed = 4100
    c = synthetic_eps_curve(row, np.geomspace(1e-3, 10.0, 41), noise=0.001, seed=seed)
    p = row.params
    header = [
        "# SYNTHETIC data made by examples/make_plan_example.py (not a measurement)",
        "# a BAS-like glass whose Cp and eps' share the X cutoffs (NOT the essay's Table 5)",
        "# model: etm.dielectric.relative_change, exact (direct average, exact matrix elements, "
        "isotropic, relaxation frozen)",
        f"# truth: amplitude_K={p.amplitude_K:g} Dmin_K={p.Dmin_K:g} X0min_KA2={X0MIN_KA2:g} "
        f"X0max_KA2={X0MAX_KA2:g}",
        f"# noise: Gaussian, sigma = 0.001 x max|change|, numpy default_rng({seed})",
        "# glass = BAS",
        "# T_mK = 50",
        f"# f_Hz = {c.metadata['f_Hz']:g}",
    ]
    eps_name = "joint_eps_BAS_synthetic_50mK.csv"
    written.append(_write(HERE / eps_name, header, c, "B_T", 1.0, "rel_eps", 1.0))
    plan = f'''# SYNTHETIC example: a joint fit of Cp(B) and eps'(B) of one made-up BAS-like glass
# (examples/make_plan_example.py). Run:  etm fit --plan examples/{PLAN} --out fit-joint
title = "BAS-like glass: Cp and eps' with shared X cutoffs (SYNTHETIC)"
share = ["X0min_KA2", "X0max_KA2"]
bounds = {{ X0min_KA2 = [1e4, 1e6], X0max_KA2 = [1e4, 1e7] }}

[[part]]
observable = "cp"
files = {json.dumps(cp_files)}
material = "BAS"

[[part]]
observable = "eps"
files = ["{eps_name}"]
material = "BAS"
'''
    written.append(atomic_write_text(HERE / PLAN, plan))
    return written


if __name__ == "__main__":
    for path in main():
        print(path)
