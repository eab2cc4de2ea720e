"""
The essay audit
===============

:mod:`etm.audit` holds one row per equation, table, figure and stated result of the source
essay: what etm computes for it, the independent check (a test), the measured agreement and a
verdict (reproduced, differs, or not computable from what the essay gives).
``python -m etm.audit`` prints it as Markdown (it is the :doc:`audit page </audit>` of these
docs) and ``etm reproduce`` writes it beside the figures.
"""

# %%
# The verdicts
# ------------

from collections import Counter

import matplotlib.pyplot as plt
import numpy as np

import etm.audit
from etm import dielectric

rows = etm.audit.ROWS
print(f"{len(rows)} audited items")


def kind(item: str) -> str:
    return (
        item.split()[0].rstrip(".:")
        if item.startswith(("Eq", "Table", "Fig"))
        else "Claim"
    )


counts = Counter(
    (kind(r.item), v)
    for r in rows
    for v in etm.audit.VERDICTS
    if r.verdict.startswith(v)
)
kinds = ["Eq", "Table", "Fig", "Claim"]
labels = ["equations", "tables", "figures", "stated results"]
fig, ax = plt.subplots(figsize=(7, 3.2), layout="constrained")
left = np.zeros(len(kinds))
for v, color in zip(etm.audit.VERDICTS, ("C2", "C1", "0.6"), strict=True):
    n = np.array([counts[(k, v)] for k in kinds])
    ax.barh(labels, n, left=left, color=color, label=v)
    left += n
ax.invert_yaxis()
ax.set_xlabel("items")
ax.legend(fontsize=8, loc="lower right")
plt.show()

# %%
# Where the essay and etm part
# ----------------------------
# Every row that does not say "reproduced", with the reason.

for r in rows:
    if not r.verdict.startswith("reproduced"):
        print(f"{r.item}: {r.verdict}")

# %%
# One row, checked again here
# ---------------------------
# Each row names the tests that check it. The first row, the 2LS of Eq. 1, says the resonant
# 2LS dielectric constant falls with slope -(2/3) C per e-fold of temperature when hf << kT.
# :func:`etm.dielectric.stm_resonant` at 1 kHz:

row = rows[0]
print(row.item, "|", row.claim)
print("checks:", *row.checks, sep="\n  ")
print("measured:", row.measured)

C = 1e-4
T = np.array([0.1, 0.2])  # K, hf/k = 48 nK at 1 kHz
d = dielectric.stm_resonant(T, 1e3, C)
slope = (d[1] - d[0]) / np.log(T[1] / T[0])
print(f"slope / C = {slope / C:.9f} (Eq. 1 with the STM average: -2/3 = {-2 / 3:.9f})")
