"""
Dielectric constant and loss from kHz to GHz
============================================

The ATS change the dielectric constant of a multicomponent glass in a magnetic field: at the kHz
of the essay's Figs. 10-12 through their resonant and relaxational susceptibility, at the GHz of
a superconducting resonator through a resonance at E = hf that the field moves through the
distribution, with a loss that a strong drive saturates. Parameters: the BAS row of the essay's
Table 5 at 50 mK.
"""

# %%
# eps'(B) at 1 kHz, 1 GHz and 5 GHz
# ----------------------------------
# :func:`etm.dielectric.relative_change` is [eps'(T, B) - eps'(T, 0)]/eps'. Arguments broadcast:
# a column of frequencies against a row of fields gives one curve per frequency. The field axis
# is logarithmic: the structure spans three decades.

import matplotlib.pyplot as plt
import numpy as np

from etm import dielectric, materials
from etm.constants import h, k_B

row = materials.dielectric_row("BAS", 0.05)
p = row.params
print(row.source)
print(f"A = {p.amplitude_K:.3g} K, Dmin = {p.Dmin_K:g} K")
print(f"X0 from {p.X0min_KA2:.3g} to {p.X0max_KA2:.3g} K A^2")

T = 0.05  # K
B = np.geomspace(1e-3, 10.0, 300)  # T
f = np.array([1e3, 1e9, 5e9])[:, None]  # Hz
d = dielectric.relative_change(T, B, p, f)  # shape (3, 300)

fig, ax = plt.subplots(figsize=(6.4, 4), layout="constrained")
for i, label in enumerate(["1 kHz", "1 GHz", "5 GHz"]):
    hf_mK = h * f[i, 0] / k_B * 1e3
    ax.plot(B, d[i] / 1e-5, label=f"{label} (hf/k = {hf_mK:.2g} mK)")
ax.set_xscale("log")
ax.set_xlabel("B [T]")
ax.set_ylabel(r"$[\varepsilon'(B) - \varepsilon'(0)]/\varepsilon'$ [$10^{-5}$]")
ax.set_title(f"BAS, T = {T * 1e3:g} mK, isotropic loops")
ax.legend(fontsize=8)
plt.show()

# %%
# The resonant loss at 5 GHz and its saturation
# ---------------------------------------------
# :func:`etm.dielectric.loss` gives tan(delta) = eps''/eps' of the ATS. ``drive_ratio`` is the
# saturation parameter P/P_c of the resonant systems (0: the weak-drive limit).

fig, bx = plt.subplots(figsize=(6.4, 4), layout="constrained")
for j, s in enumerate([0.0, 10.0, 100.0]):
    tl = dielectric.loss(T, B, p, 5e9, drive_ratio=s)
    bx.plot(B, tl / 1e-6, color=f"C{j}", label=f"P/P$_c$ = {s:g}")
bx.set_xscale("log")
bx.set_xlabel("B [T]")
bx.set_ylabel(r"ATS $\tan\delta$ [$10^{-6}$]")
bx.set_title(f"BAS, T = {T * 1e3:g} mK, f = 5 GHz")
bx.legend(fontsize=8)
plt.show()

# %%
# The field of the loss maximum moves with the frequency of the resonator:

for fi in (2e9, 5e9, 8e9):
    tl = dielectric.loss(T, B, p, fi)
    print(f"f = {fi / 1e9:g} GHz: the loss peaks at B = {B[np.argmax(tl)]:.3g} T")
