"""
Magnetization: the impurities and the ATS orbital moment
========================================================

A glass with iron impurities is paramagnetic; the ATS add an orbital moment -dF/dB because the
field shifts their spectrum through the Aharonov-Bohm phase (the essay's section 4.2). Both
are computed from the same parameters as the heat capacity: here the BAS glass of Tables 1-2.
Units: J/(T g) = A m² per gram (1 J/(T g) = 1e3 emu/g).
"""

# %%
# The terms of M(B) and M(T)
# --------------------------
# :func:`etm.magnetization.components` returns each term: the ATS (weak field here;
# ``route="exact"`` takes the full three-level spectra), the 2LS (zero: field-blind) and each
# paramagnet (Fe2+ with S = 2, Fe3+ with S = 5/2, Brillouin functions).

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from etm import fit as fitting
from etm import magnetization, materials

bas = materials.get("BAS").at(0.60)
B = np.linspace(0.0, 8.0, 81)  # T
T = np.geomspace(0.05, 10.0, 81)  # K

fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
for name, m in magnetization.components(2.0, B, bas).items():
    if np.any(m != 0):
        axes[0].plot(B, m * 1e6, label=name)
axes[0].set_xlabel("B [T]")
axes[0].set_ylabel(r"$M$ [µJ T$^{-1}$ g$^{-1}$]")
axes[0].set_title("T = 2 K")
axes[0].legend(fontsize=8)

parts = magnetization.components(T, 1.0, bas)
ats = parts["ATS"]
axes[1].loglog(T, ats * 1e6, label="ATS")
axes[1].loglog(T, (sum(parts.values()) - ats) * 1e6, label="Fe impurities")
axes[1].set_xlabel("T [K]")
axes[1].set_ylabel(r"$M$ [µJ T$^{-1}$ g$^{-1}$]")
axes[1].set_title("B = 1 T")
axes[1].legend(fontsize=8)
plt.show()
print(
    f"at 1 T and 2 K the ATS carry {ats[np.searchsorted(T, 2.0)] / 1e-6:.3g} uJ/(T g)"
)

# %%
# Fitting M(B) and M(T) together
# ------------------------------
# Two *synthetic* curves in ``examples/`` (the model with the Table 1-2 values, a diamagnetic
# term and 0.3 % noise; ``examples/magnetization_make_examples.py``): M(B) at 2 K and M(T) at
# 1 T. The fit shares the cutoffs between them and says which choices it made.

# the repository's examples/ folder: point this at your own files
EXAMPLES = Path("examples")
if not EXAMPLES.is_dir():  # the documentation build runs the script in docs/gallery
    EXAMPLES = Path("../../examples")

curves = fitting.read_curves(
    [EXAMPLES / "magnetization_BAS_2K.csv", EXAMPLES / "magnetization_BAS_1T.csv"],
    "magnetization",
)
res = fitting.fit(curves, "magnetization", material="BAS")
print(res)
for e in res.estimates:
    if e.vary:
        print(f"{e.name:18s} = {e.value:.3g} +- {e.stderr:.2g} {e.unit}")
for note in res.notes:
    print("note:", note)

fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
for ax, c, r, s, xlabel in zip(
    axes, curves, res.residuals, res.sigmas, ("B [T]", "T [K]"), strict=True
):
    ax.plot(c.x, c.y * 1e6, "o", ms=3, label="synthetic data")
    ax.plot(c.x, (c.y - r * s) * 1e6, "k-", label="fit")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(r"$M$ [µJ T$^{-1}$ g$^{-1}$]")
    ax.legend(fontsize=8)
axes[0].set_title("M(B) at 2 K")
axes[1].set_title("M(T) at 1 T")
axes[1].set_xscale("log")
plt.show()
