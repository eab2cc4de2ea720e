"""
The echo in a field: a tau12 series
===================================

The two-pulse polarization echo of a multicomponent glass depends on the magnetic field, and the
more so the longer the waiting time tau12 between the pulses (the essay's Fig. 16, BK7 at
0.9 GHz and 12 mK). The model computes A(B)/A(B_high) for any tau12 at once; a series of curves
at several tau12 is fitted as one model with one set of parameters.
"""

# %%
# The model for three waiting times
# ---------------------------------
# :func:`etm.echo.relative_amplitude` takes the Table 7 parameters and the pulse sequence;
# ``tau12_s`` broadcasts against the fields, so one call gives the whole series. Without a
# field-blind 2LS echo (``A_2LS=0``, the default; Table 7 gives none) the ratio is the ATS
# echo's own, a(B)/a(0.6 T), with the essay's matrix elements.

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from etm import echo, materials
from etm import fit as fitting

row = materials.echo_row("BK7 tau12=6us")
print(row.params)
print(row.pulses, f"T = {row.T_K * 1e3:g} mK")

B = np.linspace(0.0, 0.6, 121)  # T
tau12 = np.array([1.5e-6, 3e-6, 6e-6])  # s
a = echo.relative_amplitude(
    row.T_K,
    B[:, None],
    row.params,
    row.pulses,
    tau12_s=tau12,
    matrix_elements="essay",
)  # shape (121, 3), each column normalized at 0.6 T

fig, ax = plt.subplots(figsize=(6.4, 4), layout="constrained")
for j, t in enumerate(tau12):
    ax.plot(B * 1e3, a[:, j], color=f"C{j}", label=rf"$\tau_{{12}}$ = {t * 1e6:g} µs")
ax.set_xlabel("B [mT]")
ax.set_ylabel(r"$a(B)/a(0.6\,\mathrm{T})$")
ax.set_title(f"model, Table 7 row BK7, T = {row.T_K * 1e3:g} mK")
ax.legend(fontsize=8)
plt.show()

# %%
# Fitting the series
# ------------------
# Three curve files in ``examples/`` (*synthetic*: the model above with 0.5 % noise, made by
# ``examples/make_examples.py``) carry their tau12, T and pulses in ``# key = value`` lines.
# They include a 2LS echo, A = A_2LS - a(B) with A_2LS = 2 a_0 (the essay's Eq. 31; a_0 the
# zero-field ATS echo), which shrinks the relative field dependence to a few per cent; the
# fit recovers it as ``A_2LS_per_a0``.
# :func:`etm.fit.fit_echo` shares every parameter across the curves; what one curve cannot
# determine is fixed at the Table 7 row, and ``res.notes`` says which and why.

# the repository's examples/ folder: point this at your own files
EXAMPLES = Path("examples")
if not EXAMPLES.is_dir():  # the documentation build runs the script in docs/gallery
    EXAMPLES = Path("../../examples")

files = [EXAMPLES / f"echo_BK7_series_tau12_{t}us.csv" for t in ("1.5", "3", "6")]
curves = fitting.read_curves(files, "echo")
res = fitting.fit_echo(curves, material=row)
print(res)
for e in res.estimates:
    if e.vary:
        print(f"{e.name:14s} = {e.value:.4g} +- {e.stderr:.2g} {e.unit}")
print(f"{len(res.notes)} automatic choices, the first: {res.notes[0]}")

fig, bx = plt.subplots(figsize=(6.4, 4), layout="constrained")
for i, c in enumerate(curves):
    model = c.y - res.residuals[i] * res.sigmas[i]
    bx.plot(c.x * 1e3, c.y, "o", ms=2.5, color=f"C{i}", alpha=0.6)
    label = rf"$\tau_{{12}}$ = {c.metadata['tau12_s'] * 1e6:g} µs"
    bx.plot(c.x * 1e3, model, color=f"C{i}", label=label)
bx.set_xlabel("B [mT]")
bx.set_ylabel(r"$A(B)/A(0.6\,\mathrm{T})$")
bx.set_title("synthetic series (points) and the joint fit (lines)")
bx.legend(fontsize=8)
plt.show()
