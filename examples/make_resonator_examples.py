"""Write the SYNTHETIC resonator example files: Q_i on a T x photon-number grid and f0(T) of one
made-up aluminium resonator at 6 GHz, for the joint fit ``etm fit Qi.csv f0.csv``.

The model is etm.resonator.model (docs/resonator.md): inverse_qi (TLS loss with a saturation
exponent beta and a critical photon number n_c(T) = n_c (T/0.1 K)^beta1, Mattis-Bardeen
quasiparticles in their low-temperature form, a constant 1/Q_other) and resonance_frequency
(the TLS digamma shift and the quasiparticle shift), at the TRUTH below, plus seeded Gaussian
noise: 1 % of Q_i and 150 Hz on f0. The numbers are illustrative (an aluminium film: Delta =
2.0 K, i.e. Tc = 1.13 K), not a measurement.

Run from the repository root:  python examples/make_resonator_examples.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from etm.resonator.model import inverse_qi, resonance_frequency

HERE = Path(__file__).resolve().parent

#: The truth of both files (every parameter of the joint fit; T0_K = 0, thermal quasiparticles).
TRUTH = {
    "F_delta0": 1.2e-5,
    "n_c": 30.0,
    "beta": 0.6,
    "beta1": 1.0,
    "Delta_K": 2.0,
    "alpha": 0.05,
    "inverse_Q_other": 2e-6,
    "f_r_Hz": 6000001234.0,
}
#: The f0 file's reference: the fit's df_r_Hz is f_r_Hz - FREF_HZ (truth 1234 Hz).
FREF_HZ = 6.0e9
#: The grid: temperatures [K] x photon numbers, and the f0(T) temperatures [K].
T_GRID = np.array([0.02, 0.04, 0.06, 0.08, 0.1, 0.13, 0.16, 0.19, 0.22, 0.25, 0.28, 0.31])
N_GRID = np.array([1.0, 10.0, 1e2, 1e3, 1e4, 1e5, 1e6])
T_F0 = np.round(np.linspace(0.02, 0.32, 31), 3)
QI_NOISE, F0_NOISE_HZ = 0.01, 150.0
SEEDS = {"Qi": 2020, "f0": 2021}


def _header(kind: str, seed: int, noise: str) -> list[str]:
    truth = " ".join(f"{k}={v:.12g}" for k, v in TRUTH.items())
    truth += f" df_r_Hz={TRUTH['f_r_Hz'] - FREF_HZ:.12g}"
    return [
        "# SYNTHETIC data made by examples/make_resonator_examples.py (not a measurement)",
        f"# model: etm.resonator.model ({kind}), saturation inside, Tref_K = 0.1, T0_K = 0",
        f"# truth: {truth}",
        f"# noise: Gaussian, {noise}, numpy default_rng({seed})",
    ]


def main() -> list[Path]:
    """Write both files; return their paths."""
    t = TRUTH
    T, n = (a.ravel() for a in np.meshgrid(T_GRID, N_GRID, indexing="ij"))
    inv = inverse_qi(
        T, n, f_Hz=t["f_r_Hz"], F_delta0=t["F_delta0"], n_c=t["n_c"], beta=t["beta"],
        beta1=t["beta1"], T_ref_K=0.1, Delta_K=t["Delta_K"], alpha=t["alpha"],
        inverse_Q_other=t["inverse_Q_other"],
    )  # fmt: skip
    Qi0 = 1.0 / inv
    sigma = QI_NOISE * Qi0
    Qi = Qi0 + sigma * np.random.default_rng(SEEDS["Qi"]).standard_normal(Qi0.size)
    qi_path = HERE / "resonator_grid_Qi_synthetic.csv"
    lines = _header("inverse_qi", SEEDS["Qi"], f"sigma = {QI_NOISE:g} x Q_i")
    lines += ["# f_GHz = 6", "T_K, n_photons, Qi_1, sigma_1"]
    lines += [f"{a:g}, {b:g}, {c:.7g}, {d:.4g}" for a, b, c, d in zip(T, n, Qi, sigma, strict=True)]
    qi_path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    f0 = resonance_frequency(
        T_F0, f_r_Hz=t["f_r_Hz"], F_delta0=t["F_delta0"], Delta_K=t["Delta_K"], alpha=t["alpha"]
    )
    f = f0 + F0_NOISE_HZ * np.random.default_rng(SEEDS["f0"]).standard_normal(T_F0.size)
    f0_path = HERE / "resonator_grid_f0_synthetic.csv"
    lines = _header("resonance_frequency", SEEDS["f0"], f"sigma = {F0_NOISE_HZ:g} Hz")
    lines += [f"# fref_Hz = {FREF_HZ:.0f}", "T_mK, f_Hz, sigma_Hz"]
    lines += [f"{1e3 * a:g}, {b:.1f}, {F0_NOISE_HZ:g}" for a, b in zip(T_F0, f, strict=True)]
    f0_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [qi_path, f0_path]


if __name__ == "__main__":
    for p in main():
        print(f"wrote {p}")
