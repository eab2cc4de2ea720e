"""
Three heat-capacity curves fitted together, with MCMC errors
============================================================

The essay fits Cp(B) of the BAS glass at three temperatures (its Tables 1-2): the concentrations
(nP, the 2LS term, the phonons, the Fe impurities) are shared by the three curves, the tunneling
cutoffs (Dmin, X0min, X0max) belong to each temperature. Here the same global fit runs on three
curves in ``examples/``, then emcee samples the posterior around it.

The curves are *synthetic* (made by ``examples/make_examples.py`` from the essay's parameters
with 0.5 % Gaussian noise), so the fit should recover the essay's Table 2 rows at the three
temperatures (Dmin = 0.49-0.55 K, X0min = 4.8e4-6.0e4 K Å²).
"""

# %%
# Read the curves
# ---------------
# A curve file is CSV with unit-carrying column names (``B_T, Cp_uJ_per_gK, sigma_uJ_per_gK``) and
# ``# T_K = 0.60`` above the header; :func:`etm.fit.read_curves` converts every column to SI.

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from etm import fit as fitting
from etm import materials

# the repository's examples/ folder: point this at your own files
EXAMPLES = Path("examples")
if not EXAMPLES.is_dir():  # the documentation build runs the script in docs/gallery
    EXAMPLES = Path("../../examples")

files = [EXAMPLES / f"cp_BAS_{T}K.csv" for T in ("0.60", "0.90", "1.36")]
curves = fitting.read_curves(files)
for c in curves:
    print(
        f"{c.source.name}: T = {c.metadata['T_K']} K, "
        f"{c.x.size} fields up to {c.x.max():g} T"
    )

# %%
# The least-squares fit
# ---------------------
# One call fits the three curves at once. The Fe3+ concentration is degenerate with the Fe2+
# one on curves this short, so it is fixed at the essay's value (``fix=``).

res = fitting.fit(curves, material="BAS", fix={"n_Fe3_per_g": 5e16})
print(res)
for name in ("nP_per_g", "n_Fe2_per_g"):
    print(f"{name:12s} = {res.value(name):.3g} +- {res.stderr(name):.2g}")
for i, c in enumerate(curves):
    print(
        f"T = {c.metadata['T_K']:.2f} K: Dmin = {res.value('Dmin_K', i):.3f} K, "
        f"X0min = {res.value('X0min_KA2', i):.3g}, "
        f"X0max = {res.value('X0max_KA2', i):.3g} K A^2"
    )

# %%
# MCMC
# ----
# :func:`etm.fit.run_mcmc` samples exp(-chi^2/2) with emcee, starting from the fit's covariance;
# the linear amplitudes are integrated out analytically. **The documentation build runs only
# 300 steps** to stay fast, so the chain is not converged (``stop_reason`` says so). A real
# analysis keeps the default ``steps=20000``: the run stops by itself once the chain is longer
# than 50 autocorrelation times (about 1000 steps here).

res = fitting.run_mcmc(res, steps=300, check_every=100, progress=False, seed=0)
m = res.mcmc
print(m.stop_reason)
print(f"{m.nwalkers} walkers, acceptance fraction {m.acceptance_fraction:.2f}")

# %%
# Data, fits and the posterior of the cutoffs
# -------------------------------------------
# The best-fit curve at the data points is data - residual x sigma. The right panels show the
# posterior's 16/50/84 % quantiles of the per-temperature cutoffs (physical units), the
# least-squares values and the Table 2 values the curves were made from.

fig, axes = plt.subplots(1, 3, figsize=(11, 3.6), layout="constrained")
for i, c in enumerate(curves):
    model = c.y - res.residuals[i] * res.sigmas[i]
    T = c.metadata["T_K"]
    axes[0].errorbar(c.x, c.y * 1e6, yerr=c.sigma * 1e6, fmt="o", ms=3, color=f"C{i}")
    axes[0].plot(c.x, model * 1e6, color=f"C{i}", label=f"T = {T:.2f} K")
axes[0].set_xlabel("B [T]")
axes[0].set_ylabel(r"$C_p$ [µJ g$^{-1}$ K$^{-1}$]")
axes[0].legend(fontsize=8)

temps = np.array([c.metadata["T_K"] for c in curves])
for ax, name, label in (
    (axes[1], "Dmin_K", r"$\Delta_{\min}$ [K]"),
    (axes[2], "X0min_KA2", r"$X_{0,\min}$ [K Å$^2$]"),
):
    cols = [j for j, n in enumerate(m.names) if n == name]
    lo, mid, hi = m.phys_quantiles[:, cols]
    ax.errorbar(temps, mid, yerr=[mid - lo, hi - mid], fmt="s", capsize=3, label="MCMC")
    fitted = [res.value(name, i) for i in range(len(curves))]
    table2 = [getattr(materials.get("BAS").at(T).ats, name) for T in temps]
    ax.plot(temps, fitted, "k+", ms=9, label="least squares")
    ax.plot(temps, table2, "rx", ms=7, label="Table 2 (truth)")
    ax.set_xlabel("T [K]")
    ax.set_ylabel(label)
axes[1].legend(fontsize=8)
plt.show()

# %%
# The same from the command line, with a report (tables, figures, corner plot, provenance)::
#
#     etm fit examples/cp_BAS_*.csv --observable cp --material BAS --fix n_Fe3_per_g=5e16 \
#         --mcmc --out fit-BAS
