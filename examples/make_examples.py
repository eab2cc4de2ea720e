"""Write the SYNTHETIC example data files of examples/ (Cp(B), Tables 1-4; eps'(B), Table 5;
echo A(B)/A(0.6 T), Table 7).

Each cp file is the model (etm.heat_capacity.total, isotropic orientation) at the essay's fitted
parameters for one temperature (Tables 1-2 for BAS, 3-4 for Duran), plus a field-independent
background the essay does not give (an illustrative 2LS term and phonon T^3 term, stated in each
header), plus seeded Gaussian noise of 0.5 % of the value.

Each eps file is [eps'(B) - eps'(0)]/eps' from etm.dielectric.relative_change (the exact model:
direct average, exact matrix elements, isotropic loops, relaxation frozen) at one row of the
essay's Table 5, at 1 kHz (the tables give no frequency), on 41 fields from 1 mT to 10 T, plus
seeded Gaussian noise of 0.1 % of the curve's largest |change|.

Each echo file is A(B)/A(0.6 T) from etm.echo.relative_amplitude (isotropic loops, the essay's
matrix elements, as Table 7 was fitted; no 2LS background, which Table 7 does not give) at one
row of the essay's Table 7 with the conditions of Figs. 14-16 (12 mK; tau1 = 0.1 us,
tau2 = 0.2 us), on 61 fields from 0 to 0.6 T, plus seeded Gaussian noise of 0.005 (absolute).
The echo series files (echo_*_series_*.csv) are one glass at several tau12 or temperatures with
a stated 2LS echo (A = A_2LS - a(B), Eq. 31; ECHO_SERIES below), to be fitted together.
None of them is a measurement.

Run from the repository root:  python examples/make_examples.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from etm import dielectric, materials
from etm.fit import synthetic_cp_curve, synthetic_echo_curve, synthetic_eps_curve
from etm.io import atomic_write_text

HERE = Path(__file__).resolve().parent
#: Illustrative backgrounds (NOT from the essay): C_2LS = 2 uJ/(g K^2) * T and beta T^3.
NP2LS_PER_G_PER_K = 8.8e16
BETA_J_PER_GK4 = 5e-7
REL_NOISE = 0.005
B_T = np.linspace(0.0, 8.0, 41)
#: unit of each glass's files: BAS in tesla and uJ/(g K); Duran in mT and J/(g K), to show both
UNITS = {"BAS": ("B_T", 1.0, "uJ_per_gK", 1e6), "Duran": ("B_mT", 1e3, "J_per_gK", 1.0)}

#: Dielectric examples: the Table 5 rows, 41 log-spaced fields, noise 0.1 % of max |change|.
EPS_B_T = np.geomspace(1e-3, 10.0, 41)
EPS_NOISE = 0.001
EPS_F_HZ = dielectric.TYPICAL_FREQUENCY_HZ
#: columns of each glass's eps files: BAS in mT and ppm (metadata in mK, kHz); BK7 and Duran in
#: tesla and plain fractions of eps' (metadata in K, Hz), to show both
EPS_UNITS = {"BAS": ("B_mT", 1e3, "ppm", 1e6), "BK7": ("B_T", 1.0, "eps", 1.0)}
EPS_UNITS["Duran"] = EPS_UNITS["BK7"]


#: Echo examples: Table 7 rows, 61 fields 0-0.6 T in mT, noise 0.005, essay matrix elements.
ECHO_B_T = np.linspace(0.0, 0.6, 61)
ECHO_NOISE = 0.005
ECHO_ROWS = {"BAS sample 2": "echo_BAS_sample2.csv", "BK7 tau12=6us": "echo_BK7_6us.csv"}


def main() -> list[Path]:
    return main_cp() + main_eps() + main_echo() + main_background()


def main_echo() -> list[Path]:
    written = []
    for k, (name, fname) in enumerate(ECHO_ROWS.items()):
        seed = 3000 + k
        row = materials.echo_row(name)
        opts = {"matrix_elements": "essay"}
        c = synthetic_echo_curve(
            row, ECHO_B_T, background=0.0, noise=ECHO_NOISE, seed=seed, options=opts
        )
        p, pu = row.params, row.pulses
        lines = [
            "# SYNTHETIC data made by examples/make_examples.py (not a measurement)",
            "# model: etm.echo.relative_amplitude, isotropic, essay matrix elements, c_form "
            "bloch, normalized at 0.6 T, background 0",
            f"# parameters from the {row.source}",
            f"# truth: Dmin_K={p.Dmin_K:g} X0min_KA2={p.X0min_KA2:g} X0max_KA2={p.X0max_KA2:g} "
            f"Gamma_inv_per_sK5={p.Gamma_inv_per_sK5:g} c_per_sK={p.c_per_sK:g} "
            f"p1F0_DkV_per_m={p.p1F0_DkV_per_m:g} tan_omega_dtau={p.tan_omega_dtau:g} "
            "background=0",
            f"# noise: Gaussian, sigma = {ECHO_NOISE:g}, numpy default_rng({seed})",
            f"# glass = {name}",
            f"# T_mK = {1e3 * row.T_K:g}",
            f"# f_GHz = {pu.f_Hz / 1e9:g}",
            f"# tau1_us = {pu.tau1_s * 1e6:g}",
            f"# tau2_us = {pu.tau2_s * 1e6:g}",
            f"# tau12_us = {pu.tau12_s * 1e6:g}",
            "# matrix_elements = essay",
            "B_mT, rel_echo, sigma_echo",
        ]
        lines += [
            f"{x * 1e3:.6g}, {y:.6g}, {s:.4g}" for x, y, s in zip(c.x, c.y, c.sigma, strict=True)
        ]
        written.append(atomic_write_text(HERE / fname, "\n".join(lines) + "\n"))
    return written + main_echo_series()


#: Echo series examples (one glass, several files, one parameter set): BK7 (Table 7's 6 us row)
#: at three tau12 and BAS sample 2 at three temperatures, with a stated 2LS echo A_2LS = 2 a_0
#: (Table 7 gives none; etm.fit.echo.bare_unit) and, for the temperature series, a 2LS phonon
#: rate Gamma_2LS = 3e7 /(s K^3); 31 fields 0-0.6 T, noise 0.005, essay matrix elements.
ECHO_SERIES_B_T = np.linspace(0.0, 0.6, 31)
ECHO_SERIES_A2LS = 2.0
ECHO_SERIES_GAMMA_2LS = 3e7
ECHO_SERIES = {
    "BK7 tau12=6us": [
        ("tau12_s", t, f"echo_BK7_series_tau12_{t * 1e6:g}us.csv") for t in (1.5e-6, 3e-6, 6e-6)
    ],
    "BAS sample 2": [
        ("T_K", T, f"echo_BAS_sample2_series_{T * 1e3:g}mK.csv") for T in (0.012, 0.02, 0.03)
    ],
}


def main_echo_series() -> list[Path]:
    written = []
    opts = {"matrix_elements": "essay"}
    for g, (name, files) in enumerate(ECHO_SERIES.items()):
        row = materials.echo_row(name)
        p = row.params
        G2 = ECHO_SERIES_GAMMA_2LS if files[0][0] == "T_K" else 0.0
        for k, (key, value, fname) in enumerate(files):
            seed = 3100 + 10 * g + k
            c = synthetic_echo_curve(
                row,
                ECHO_SERIES_B_T,
                A_2LS_per_a0=ECHO_SERIES_A2LS,
                Gamma_2LS_per_sK3=G2,
                noise=ECHO_NOISE,
                seed=seed,
                options=opts,
                **{key: value},
            )
            m = c.metadata
            lines = [
                "# SYNTHETIC data made by examples/make_examples.py (not a measurement)",
                "# model: etm.echo.relative_amplitude, A = A_2LS - a(B), isotropic, essay matrix "
                "elements, c_form bloch, normalized at 0.6 T",
                f"# series: {name} at several {'tau12' if key == 'tau12_s' else 'T'}; fit the "
                "files together (etm.fit.fit_echo shares the parameters)",
                f"# parameters from the {row.source}",
                f"# truth: Dmin_K={p.Dmin_K:g} X0min_KA2={p.X0min_KA2:g} "
                f"X0max_KA2={p.X0max_KA2:g} Gamma_inv_per_sK5={p.Gamma_inv_per_sK5:g} "
                f"c_per_sK={p.c_per_sK:g} p1F0_DkV_per_m={p.p1F0_DkV_per_m:g} "
                f"tan_omega_dtau={p.tan_omega_dtau:g} A_2LS_per_a0={ECHO_SERIES_A2LS:g} "
                f"c_2LS_per_sK=0 Gamma_2LS_per_sK3={G2:g}",
                f"# noise: Gaussian, sigma = {ECHO_NOISE:g}, numpy default_rng({seed})",
                f"# glass = {name}",
                f"# T_mK = {1e3 * m['T_K']:g}",
                f"# f_GHz = {m['f_Hz'] / 1e9:g}",
                f"# tau1_us = {m['tau1_s'] * 1e6:g}",
                f"# tau2_us = {m['tau2_s'] * 1e6:g}",
                f"# tau12_us = {m['tau12_s'] * 1e6:g}",
                "# matrix_elements = essay",
                "B_mT, rel_echo, sigma_echo",
            ]
            lines += [
                f"{x * 1e3:.6g}, {y:.6g}, {s:.4g}"
                for x, y, s in zip(c.x, c.y, c.sigma, strict=True)
            ]
            written.append(atomic_write_text(HERE / fname, "\n".join(lines) + "\n"))
    return written


def main_eps() -> list[Path]:
    written = []
    rows = [r for r in materials.DIELECTRIC_ROWS if r.glass in EPS_UNITS]
    for k, row in enumerate(rows):
        seed = 2000 + k
        c = synthetic_eps_curve(row, EPS_B_T, f_Hz=EPS_F_HZ, noise=EPS_NOISE, seed=seed)
        p = row.params
        xcol, xf, yunit, yf = EPS_UNITS[row.glass]
        mK = f"{1e3 * row.T_K:.0f}"
        meta = (
            [f"# T_mK = {mK}", f"# f_kHz = {EPS_F_HZ / 1e3:g}"]
            if yunit == "ppm"
            else [f"# T_K = {row.T_K:g}", f"# f_Hz = {EPS_F_HZ:g}"]
        )
        lines = [
            "# SYNTHETIC data made by examples/make_examples.py (not a measurement)",
            "# model: etm.dielectric.relative_change, exact (direct average, exact matrix "
            "elements, isotropic, relaxation frozen)",
            f"# parameters from the {row.source}",
            f"# truth: amplitude_K={p.amplitude_K:g} Dmin_K={p.Dmin_K:g} "
            f"X0min_KA2={p.X0min_KA2:g} X0max_KA2={p.X0max_KA2:g}",
            f"# noise: Gaussian, sigma = {EPS_NOISE:g} x max|change|, numpy default_rng({seed})",
            f"# glass = {row.glass}",
            *meta,
            f"{xcol}, rel_{yunit}, sigma_{yunit}",
        ]
        lines += [
            f"{x * xf:.6g}, {y * yf:.6g}, {s * yf:.4g}"
            for x, y, s in zip(c.x, c.y, c.sigma, strict=True)
        ]
        path = HERE / f"eps_{row.glass}_{mK}mK.csv"
        written.append(atomic_write_text(path, "\n".join(lines) + "\n"))
    return written


def main_cp() -> list[Path]:
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
                "# model: etm.heat_capacity.total, isotropic; parameters from the "
                f"{preset.at(T).source}",
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


#: Background and resonator examples (etm.fit.resonator): name -> (observable, x column, x values,
#: x factor, truth, metadata, components). The 2LS numbers are illustrative (NOT from the essay:
#: it gives no 2LS dielectric parameters); the ATS rows are Table 5's BAS 50 mK. Noise 0.2 % of
#: each curve's spread (of the value for Q_i).
BACKGROUND = {
    "eps_T_2LS_1kHz.csv": (
        "eps_T", "T_K", np.geomspace(0.01, 3.0, 40), 1.0,
        {"C": 1e-4, "T0_K": 0.8, "A_phonon_per_sK3": 1e8}, {"f_Hz": 1e3}, ("STM",),
    ),
    "eps_loss_BAS_50mK_5GHz.csv": (
        "loss", "B_T", np.geomspace(1e-3, 3.0, 30), 1.0,
        {"C": 1e-5, "A_phonon_per_sK3": 1e8, "Gamma_inv_per_sK5": 4e10,
         "amplitude_K": 8.9e-06, "Dmin_K": 0.015, "X0min_KA2": 2.44e5, "X0max_KA2": 3.08e5},
        {"f_Hz": 5e9, "T_K": 0.05}, None,
    ),
    "resonator_f0_T.csv": (
        "f0", "T_K", np.geomspace(0.01, 3.0, 40), 1.0, {"f_r_Hz": 5.0e9 + 1234.0, "C": 2e-5},
        {"fnom_Hz": 5e9, "filling_factor": 0.4}, ("offset", "STM"),
    ),
    "resonator_Qi_T.csv": (
        "Qi", "T_K", np.geomspace(0.01, 3.0, 40), 1.0,
        {"C": 3e-5, "Pc_W": 1e-16, "inverse_Q_other": 2e-7},
        {"f_Hz": 5e9, "filling_factor": 0.5, "P_W": 1e-15}, None,
    ),
    "resonator_Qi_P.csv": (
        "Qi", "P_W", np.geomspace(1e-20, 1e-10, 30), 1.0,
        {"C": 3e-5, "Pc_W": 1e-16, "inverse_Q_other": 2e-7},
        {"f_Hz": 5e9, "filling_factor": 0.5, "T_K": 0.02}, None,
    ),
}  # fmt: skip
BACKGROUND_NOISE = 0.002


def main_background() -> list[Path]:
    from etm.fit.resonator import synthetic_background_curve

    written = []
    for k, (name, (obs, xcol, x, _, truth, meta, comps)) in enumerate(BACKGROUND.items()):
        seed = 3000 + k
        c = synthetic_background_curve(
            obs, xcol, x, truth, meta, components=comps, noise=BACKGROUND_NOISE, seed=seed
        )
        truth_s = " ".join(f"{a}={v:.12g}" for a, v in truth.items())
        lines = [
            "# SYNTHETIC data made by examples/make_examples.py (not a measurement)",
            f"# model: etm.fit.resonator observable {obs!r}, components "
            f"{', '.join(comps) if comps else 'all'} (docs/dielectric.md)",
            f"# truth: {truth_s}",
            f"# noise: Gaussian, sigma = {BACKGROUND_NOISE:g} x the curve's spread (Q_i: value), "
            f"numpy default_rng({seed})",
            *(f"# {a} = {v:g}" for a, v in meta.items()),
            f"{xcol}, {c.y_name}, sigma_{c.y_name.partition('_')[2]}",
        ]
        lines += [f"{a:.6g}, {b:.10g}, {s:.4g}" for a, b, s in zip(c.x, c.y, c.sigma, strict=True)]
        written.append(atomic_write_text(HERE / name, "\n".join(lines) + "\n"))
    return written


if __name__ == "__main__":
    for p in main():
        print(p)
