"""Parameter sweeps of any observable over named, unit-labelled coordinates, chunk by chunk.

:func:`sweep` evaluates any observable of the catalog (:mod:`etm.observables`) on the outer
product of its coordinates (T or E, B and, per observable, f or tau12) and returns an
:class:`xarray.DataArray` whose coordinates carry ``units`` and ``long_name`` and whose
attributes record the model function, the parameters and the options. The grid is cut into
chunks along its first axis (independent of how they are run); the chunks run one after the
other, on a pool of ``workers`` processes, or on a :class:`dask.distributed.Client` (a local
cluster or a real one). Each chunk is the same function call whichever way it runs, so the
three give bit-identical numbers.

xarray and dask are optional (``pip install "etm[sweep]"``) and are imported only when a sweep
runs.

References
----------
docs/performance.md (chunking, workers, pointing a sweep at a cluster).

Examples
--------
>>> import numpy as np
>>> from etm import materials
>>> m = materials.get("BAS").at(0.60)
>>> da = sweep("cp", T_K=[0.3, 0.6], B_T=np.linspace(0.0, 2.0, 3), material=m)
>>> da.dims, da.shape, da.attrs["units"]
(('T_K', 'B_T'), (2, 3), 'J/(g K)')
>>> da.coords["B_T"].attrs["units"]
'T'
"""

from __future__ import annotations

import inspect
import math
import os
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from etm.checks import check_int, plain
from etm.chunks import check_workers
from etm.materials.coerce import as_pulses
from etm.observables import lookup
from etm.params import ATSParams

__all__ = ["POINTS_PER_CHUNK", "sweep", "evaluate_chunk"]

#: Default size of a chunk [grid points]: a few MB of results and, inside each observable, work
#: arrays bounded by its own memory budget; at least 4 chunks (when T has 4 values or more) so
#: that 2-4 workers have work.
POINTS_PER_CHUNK = 10_000

#: Coordinates every observable has, with (units, long_name).
_COORD_META = {
    "T_K": ("K", "temperature"),
    "E_K": ("K", "energy gap"),
    "B_T": ("T", "magnetic field"),
    "f_Hz": ("Hz", "measuring frequency"),
    "tau12_s": ("s", "pulse separation tau_12"),
}


def _coordinate(name: str, values: ArrayLike) -> NDArray[np.float64]:
    a = np.asarray(values, dtype=float)
    if a.ndim > 1:
        raise ValueError(f"{name} must be a scalar or a 1-D array, got shape {a.shape}")
    if not np.isfinite(a).all():
        raise ValueError(f"{name} must be finite, got {plain(a[~np.isfinite(a)].flat[0])}")
    return a


def _resolve(observable: str, kwargs: dict[str, Any]):
    """Split the keywords into parameters, extra coordinates and options of the catalog entry."""
    obs = lookup(observable)
    kwargs = dict(kwargs)
    params = {}
    if obs.params == ("params", "pulses"):  # an echo row carries its pulses
        kwargs.setdefault("pulses", None)
    for p in obs.params:
        if p not in kwargs:
            alias = "params" if p in ("material", "ats") else "material" if p == "params" else None
            if alias is not None and alias in kwargs:
                kwargs[p] = kwargs.pop(alias)
            else:
                raise ValueError(f"sweep({observable!r}) needs the keyword {p}=")
        params[p] = kwargs.pop(p)
    if obs.params == ("params", "pulses"):  # an echo row carries its pulses
        params["pulses"] = as_pulses(params["pulses"], params["params"])
    name = observable
    if observable == "cp" and isinstance(params["material"], ATSParams):
        name = "cp_ats"  # an ATSParams alone: the ATS term
        params = {"params": params.pop("material")}
    extra = {c: _coordinate(c, kwargs.pop(c)) for c in obs.extra if c in kwargs}
    for k in ("client", "workers", "memory_MB", "points_per_chunk"):
        kwargs.pop(k, None)
    return name, params, extra, kwargs


def evaluate_chunk(
    observable: str,
    coords: Mapping[str, NDArray],
    params: Mapping[str, Any],
    options: Mapping[str, Any],
    memory_MB: float | None = None,
) -> NDArray:
    """One chunk of a sweep: the observable on the outer product of ``coords`` (ordered dims).

    The unit of work that :func:`sweep` runs serially, in a process pool or on a dask worker.

    Parameters
    ----------
    observable : str
        A key of :data:`etm.observables.CATALOG`.
    coords : mapping
        Coordinate name -> 1-D values, in the order of the result's dimensions.
    params : mapping
        The observable's parameter objects by keyword (``material``, ``params``, ``pulses``).
    options : mapping
        Further keyword options of the observable function.
    memory_MB : float or None
        Working-memory budget of the observable [MB].

    Returns
    -------
    ndarray
        Shape ``tuple(len(v) for v in coords.values())``.

    Examples
    --------
    >>> from etm import materials
    >>> p = materials.get("BAS").at(0.60).ats
    >>> evaluate_chunk("cp_ats", {"T_K": np.array([0.6]), "B_T": np.zeros(2)}, {"params": p},
    ...                {}).shape
    (1, 2)
    """
    obs = lookup(observable)
    names = list(coords)
    n = len(names)
    grids = {}
    for i, k in enumerate(names):
        shape = [1] * n
        shape[i] = coords[k].size
        grids[k] = np.asarray(coords[k], dtype=float).reshape(shape)
    kw = dict(options)
    for c in obs.extra:
        if c in grids:
            kw[c] = grids[c]
    if memory_MB is not None and "memory_MB" in inspect.signature(obs.function()).parameters:
        kw["memory_MB"] = memory_MB
    a0, a1 = obs.axes
    out = obs(**{a0: grids[a0], a1: grids[a1]}, **params, **kw)
    full = tuple(coords[k].size for k in names)
    return np.broadcast_to(out, full).copy()


def _worker_init() -> None:  # pragma: no cover - runs in pool processes
    # one process per core: the compiled kernels' own threads would only oversubscribe
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def _chunk_T(nT: int, n_points: int, points_per_chunk: int) -> int:
    if nT == 0:
        return 1
    n_chunks = max(min(nT, 4), math.ceil(n_points / points_per_chunk))
    return max(1, math.ceil(nT / min(n_chunks, nT)))


def sweep(
    observable: str,
    *,
    T_K: ArrayLike | None = None,
    B_T: ArrayLike,
    E_K: ArrayLike | None = None,
    client: Any = None,
    workers: int | None = 1,
    memory_MB: float | None = None,
    points_per_chunk: int = POINTS_PER_CHUNK,
    **params_and_coords: Any,
):
    """Evaluate an observable on a (T, B, ...) grid; an ``xarray.DataArray`` with units.

    Parameters
    ----------
    observable : str
        A name of the catalog :data:`etm.observables.CATALOG` (docs/observables.md lists them
        with their functions): ``"cp"`` (:func:`etm.heat_capacity.total`, ``material=``; an
        ATSParams gives the ATS term), its parts ``"cp_ats"``, ``"cp_2ls"``, ``"cp_phonon"``,
        ``"cp_fe2"``, ``"cp_fe3"``, ``"exact_cp"``; ``"dos"``, ``"counting"``,
        ``"exact_counting"`` (on ``E_K``); ``"eps"``, ``"eps_response"``, ``"loss"``,
        ``"exact_eps"``, ``"exact_loss"`` (``params=``, extra coordinate ``f_Hz``);
        ``"resonator_shift"``, ``"resonator_inverse_qi"`` (``ats=``, ``f_Hz``,
        ``filling_factor=``); ``"echo"``, ``"echo_amplitude"``, ``"exact_echo"`` (``params=``
        and ``pulses=``, or an echo row as ``params=``; extra coordinate ``tau12_s``);
        ``"magnetization"``, ``"magnetization_ats"``, ``"exact_magnetization"``;
        ``"neqm_echo"`` (the nuclear-quadrupole rival, ``params=`` an NEQM row).
    T_K : array_like
        Temperatures [K], a scalar or 1-D: a dimension (or a scalar coordinate); every
        observable but the DOS and the counting.
    B_T : array_like
        Fields [T], a scalar or 1-D.
    E_K : array_like
        Energies [K], a scalar or 1-D (``"dos"``, ``"counting"``, ``"exact_counting"``).
    client : dask.distributed.Client, optional
        Run the chunks on this cluster (``Client("tcp://scheduler:8786")`` or a LocalCluster's).
    workers : int or None
        Without ``client``: processes running the chunks (1: in this process; ``None``: every
        core, :func:`etm.chunks.default_workers`).
    memory_MB : float or None
        Working-memory budget of each chunk's evaluation [MB] (:mod:`etm.chunks`).
    points_per_chunk : int
        Largest number of grid points of a chunk (chunks are cut along the first axis; default
        :data:`POINTS_PER_CHUNK`, and at least 4 chunks when it has >= 4 values).
    **params_and_coords
        The observable's parameter objects (``material=``, ``params=``, ``pulses=``, ``ats=``;
        catalog objects such as ``etm.materials.get("BAS").at(0.6)`` or an echo row are
        accepted), its extra coordinates (``f_Hz=``, ``tau12_s=``; 1-D arrays become dimensions
        after the two axes), and keyword options of the observable function
        (``orientation=``, ...).

    Returns
    -------
    xarray.DataArray
        Dimensions ``T_K`` (or ``E_K``), ``B_T`` and the array-valued extra coordinates;
        coordinates with ``units``/``long_name``; attrs ``units``, ``long_name``,
        ``observable``, ``model`` (the function), ``params`` and ``options`` (their reprs) and
        ``chunk_T``.

    Notes
    -----
    The chunks are fixed by the grid and ``points_per_chunk`` alone, never by ``workers`` or
    the cluster, so every way of running gives the same numbers. An observable whose quadrature
    adapts to the set of points it is given (the energy grids span that set's T range) may
    differ from one call on the whole grid by its quadrature accuracy (~1e-8 relative).

    References
    ----------
    docs/performance.md.

    Examples
    --------
    >>> from etm import materials
    >>> p = materials.dielectric_row("BAS", 0.05).params
    >>> da = sweep("eps", T_K=0.05, B_T=[0.0, 0.1], params=p, f_Hz=[1e3, 1e4])
    >>> da.dims, da.coords["f_Hz"].attrs["units"]
    (('B_T', 'f_Hz'), 'Hz')
    """
    import xarray as xr

    name, params, extra, options = _resolve(observable, params_and_coords)
    obs = lookup(name)
    a0 = obs.axes[0]
    given = {"T_K": T_K, "E_K": E_K}
    other = "E_K" if a0 == "T_K" else "T_K"
    if given[a0] is None:
        raise TypeError(f"sweep({observable!r}) needs the keyword {a0}= (its first axis)")
    if given[other] is not None:
        raise TypeError(f"sweep({observable!r}) takes {a0}=, not {other}=")
    nworkers = check_workers(workers)
    ppc = check_int("points_per_chunk", points_per_chunk, minimum=1)
    coords = {a0: _coordinate(a0, given[a0]), "B_T": _coordinate("B_T", B_T), **extra}
    dims = [k for k, v in coords.items() if v.ndim == 1]
    vec = {k: np.atleast_1d(v) for k, v in coords.items()}
    n0 = vec[a0].size
    n_points = math.prod(v.size for v in vec.values())
    step = _chunk_T(n0, n_points, ppc)
    pieces = [{**vec, a0: vec[a0][s : s + step]} for s in range(0, n0, step)] if n_points else []
    args = [(name, c, params, options, memory_MB) for c in pieces]
    if client is not None:
        futures = [client.submit(evaluate_chunk, *a, pure=False) for a in args]
        results = client.gather(futures)
    elif nworkers > 1 and len(args) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        ctx = multiprocessing.get_context("spawn")  # no fork of a process with numba threads
        with ProcessPoolExecutor(
            max_workers=min(nworkers, len(args)), mp_context=ctx, initializer=_worker_init
        ) as pool:
            results = list(pool.map(evaluate_chunk, *zip(*args, strict=True)))
    else:
        results = [evaluate_chunk(*a) for a in args]
    dtype = complex if obs.complex_valued else float
    shape = [vec[k].size for k in vec]
    data = np.concatenate(results, axis=0) if results else np.zeros(shape, dtype=dtype)
    # scalar coordinates: drop their length-1 axes
    data = data.reshape([vec[k].size for k in dims])
    xcoords = {}
    for k, v in coords.items():
        units, long_name = _COORD_META[k]
        xcoords[k] = ((k,) if k in dims else (), v, {"units": units, "long_name": long_name})
    attrs = {
        "units": obs.units,
        "long_name": obs.long_name,
        "observable": name,
        "model": obs.path + (f"[{obs.component!r}]" if obs.component else ""),
        "params": "; ".join(f"{k}={v!r}" for k, v in params.items()),
        "options": repr(options),
        "chunk_T": step,
    }
    return xr.DataArray(data, coords=xcoords, dims=dims, name=name, attrs=attrs)
