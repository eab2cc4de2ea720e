"""
A superconducting resonator from measured S21
=============================================

Real data: an aluminium coplanar-waveguide resonator on InP (notch geometry, 7.718 GHz),
S21 measured at 20 temperatures from 30 to 315 mK (``examples/s21_Al_InP/``, from the
scresonators project, MIT license; its README says where they come from). Each trace is fitted
for f0, Qi and Qc (:mod:`etm.resonator.s21`, resonator-tools' circle fit with the cable delay
refined), then f0(T) is fitted with the model of :mod:`etm.resonator.model`: the TLS
frequency shift plus the quasiparticle (Mattis-Bardeen) shift of the aluminium.
"""

# %%
# Fit every trace
# ---------------
# :func:`etm.resonator.s21.analyze_files` reads each CSV (frequency, magnitude of S21 in dB,
# phase in degrees; the temperature comes from the file name) and fits it; the table has one
# row per trace, sorted by temperature, with one-sigma errors.

from pathlib import Path

import lmfit
import matplotlib.pyplot as plt
import numpy as np

from etm.resonator.model import resonance_frequency
from etm.resonator.s21 import analyze_files

DATA = Path("examples/s21_Al_InP")  # point this at your own traces
if not DATA.is_dir():  # the documentation build runs the script in docs/gallery
    DATA = Path("../../examples/s21_Al_InP")

table = analyze_files(sorted(DATA.glob("S21_T*mK.csv")), P_dBm=-20.0)
T = table.column("T_K")
f0, sf0 = table.column("f_Hz"), table.column("sigma_f_Hz")
Qi, sQi = table.column("Qi_1"), table.column("sigma_1")
print(f"{len(table.fits)} traces fitted with {table.fitter} {table.fitter_version}")

fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
ax.errorbar(T * 1e3, (f0 - f0[0]) / 1e3, yerr=sf0 / 1e3, fmt="o", ms=3)
ax.set_xlabel("T [mK]")
ax.set_ylabel(r"$f_0(T) - f_0(30\,\mathrm{mK})$ [kHz]")
ax.set_title(rf"$f_0$(30 mK) = {f0[0] / 1e9:.6f} GHz")
bx.errorbar(T * 1e3, Qi / 1e3, yerr=sQi / 1e3, fmt="o", ms=3)
bx.set_xlabel("T [mK]")
bx.set_ylabel(r"$Q_i$ [$10^3$]")
bx.set_title("internal quality factor")
plt.show()

# %%
# One trace and its circle fit
# ----------------------------
# After removing the cable delay and the environment, the resonance is a circle in the complex
# plane; the fit's model (line) follows the normalized data (points).

fit = table.fits[0]
df_kHz = (fit.f_Hz - fit.f0_Hz) / 1e3
fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
ax.plot(df_kHz, 20 * np.log10(np.abs(fit.s21)), "C0.", ms=2, label="data")
ax.plot(df_kHz, 20 * np.log10(np.abs(fit.s21_model)), "k-", lw=0.8, label="fit")
ax.set_xlabel(r"$f - f_0$ [kHz]")
ax.set_ylabel(r"$|S_{21}|$ [dB]")
ax.set_title(f"T = {fit.T_K * 1e3:g} mK: Qi = {fit.Qi:.3g}, Qc = {fit.Qc:.3g}")
ax.legend(fontsize=8)
bx.plot(fit.s21_norm.real, fit.s21_norm.imag, "C0.", ms=2)
bx.plot(fit.s21_model_norm.real, fit.s21_model_norm.imag, "k-", lw=0.8)
bx.set_aspect("equal")
bx.set_xlabel(r"Re $S_{21}$ (normalized)")
bx.set_ylabel(r"Im $S_{21}$ (normalized)")
plt.show()

# %%
# f0(T): TLS and quasiparticles
# -----------------------------
# Below ~150 mK the TLS of the dielectric pull f0 (a digamma function of hf/2kT, amplitude
# F delta0); above, thermal quasiparticles in the aluminium lower it (kinetic-inductance
# fraction alpha, gap Delta). :func:`etm.resonator.model.resonance_frequency` is the sum; lmfit
# fits it with the sigmas of the circle fits as weights. (``etm fit`` will take such a table
# directly; this script calls lmfit itself.)


def f0_model(T_K, f_r_Hz, Delta_K, alpha, F_delta0):
    return resonance_frequency(
        T_K, f_r_Hz=f_r_Hz, F_delta0=F_delta0, Delta_K=Delta_K, alpha=alpha
    )


model = lmfit.Model(f0_model)
params = model.make_params(f_r_Hz=f0[0], Delta_K=2.0, alpha=0.05, F_delta0=1e-6)
params["Delta_K"].set(min=0.5, max=5.0)
params["alpha"].set(min=0.0, max=1.0)
params["F_delta0"].set(min=0.0, max=1e-3)
result = model.fit(f0, params, T_K=T, weights=1.0 / sf0)
print(result.fit_report(show_correl=False))

# %%
# The model against the data, over the whole range (quasiparticles) and below 200 mK (TLS):

Tf = np.linspace(T.min(), T.max(), 300)
fr = result.params["f_r_Hz"].value
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
for ax, top in zip(axes, (T.max(), 0.2), strict=True):
    sel, fine = T <= top, Tf <= top
    y_kHz, dy_kHz = (f0[sel] - fr) / 1e3, sf0[sel] / 1e3
    ax.errorbar(T[sel] * 1e3, y_kHz, yerr=dy_kHz, fmt="o", ms=3, label="circle fits")
    model_kHz = (f0_model(Tf[fine], **result.best_values) - fr) / 1e3
    ax.plot(Tf[fine] * 1e3, model_kHz, "k-", label="TLS + QP model")
    ax.set_xlabel("T [mK]")
    ax.set_ylabel(r"$f_0 - f_r$ [kHz]")
axes[0].legend(fontsize=8)
axes[1].set_title("below 200 mK")
plt.show()

# %%
# The gap gives the critical temperature through the BCS ratio Delta = 1.764 k_B Tc (aluminium
# films: Tc ~ 1.2 K). Nothing is known about this sample's filling factor, so F delta0 is the
# product, not the loss tangent. docs/resonator.md discusses the fits and their limits.

print(f"Tc = Delta/1.764 = {result.params['Delta_K'].value / 1.764:.3g} K")
