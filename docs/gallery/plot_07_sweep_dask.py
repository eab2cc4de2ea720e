"""
A parameter sweep on a dask cluster
===================================

:func:`etm.sweep` evaluates any observable of the catalog on the outer product of its
coordinates and returns an :class:`xarray.DataArray` with units on every axis. The grid is cut
into chunks along its first axis; the chunks run one after the other, on a pool of processes,
or on a dask cluster, and give the same numbers every way. Needs the ``sweep`` extra:
``pip install "etm[sweep]"``.
"""

# %%
# Start a cluster
# ---------------
# A :class:`dask.distributed.LocalCluster` on this machine: two workers, one thread each (the
# compiled kernels would only oversubscribe the cores). For a real cluster, pass
# ``Client("tcp://scheduler:8786")`` instead; docs/performance.md says how to start one. The
# build uses thread workers (``processes=False``) so that it starts in a second; with
# ``processes=True`` (dask's default) run the script under ``if __name__ == "__main__":``.

import matplotlib.pyplot as plt
import numpy as np
from dask.distributed import Client, LocalCluster

import etm
from etm import materials

cluster = LocalCluster(
    n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
)
client = Client(cluster)
print(f"{len(client.scheduler_info()['workers'])} workers")

# %%
# Sweep eps'(T, B, f)
# -------------------
# The dielectric response of the BAS Table 5 row on a 12 x 60 x 3 grid of temperature, field
# and frequency. Array-valued extra coordinates (here ``f_Hz``) become dimensions after T and B.

p = materials.dielectric_row("BAS", 0.05).params
da = etm.sweep(
    "eps",
    T_K=np.geomspace(0.02, 0.2, 12),
    B_T=np.geomspace(1e-3, 3.0, 60),
    f_Hz=np.array([1e3, 1e9, 5e9]),
    params=p,
    client=client,
)
print(da.dims, da.shape, da.attrs["units"])
print(da.attrs["model"])

client.close()
cluster.close()

# %%
# Plot with xarray
# ----------------
# Selections by coordinate value, and the axes labelled from the coordinates' ``long_name`` and
# ``units``. ``da.to_netcdf("eps.nc")`` keeps the grid with its units and the parameters that
# made it (``da.attrs``).

label = r"$[\varepsilon'(B) - \varepsilon'(0)]/\varepsilon'$ [$10^{-5}$]"
fig, axes = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
(da.sel(f_Hz=1e3) / 1e-5).plot(
    ax=axes[0],
    x="B_T",
    xscale="log",
    cmap="RdBu_r",
    center=0.0,
    cbar_kwargs={"label": label},
)
axes[0].set_title("f = 1 kHz")
for f_Hz, name in zip(da.f_Hz.values, ("1 kHz", "1 GHz", "5 GHz"), strict=True):
    line = da.sel(T_K=0.05, method="nearest").sel(f_Hz=f_Hz) / 1e-5
    line.plot(ax=axes[1], x="B_T", xscale="log", label=name)
axes[1].set_ylabel(label)
axes[1].set_title(f"T = {float(line.T_K) * 1e3:.3g} mK")
axes[1].legend(fontsize=8)
plt.show()

# %%
# The same grid serially (``client=None``, the default) gives identical numbers:

serial = etm.sweep(
    "eps",
    T_K=da.T_K.values,
    B_T=da.B_T.values,
    f_Hz=da.f_Hz.values,
    params=p,
)
print("identical:", bool((serial == da).all()))
