"""Tests of etm.sweeps: coordinates and units, chunks equal direct calls, every way of running
(serial, a process pool, a dask LocalCluster of 2 processes) gives identical numbers."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("xarray")

import etm  # noqa: E402
from etm import dielectric, echo, heat_capacity, materials  # noqa: E402
from etm.heat_capacity import exact
from etm.sweeps import evaluate_chunk, sweep  # noqa: E402

BAS = materials.get("BAS").at(0.60)
EPS = materials.dielectric_row("BAS", 0.05).params
B = np.linspace(0.0, 2.0, 5)


def test_cp_rows_equal_direct_calls_and_units():
    T = np.array([0.3, 0.6])
    da = sweep("cp", T_K=T, B_T=B, material=BAS)
    assert da.dims == ("T_K", "B_T") and da.shape == (2, 5)
    # chunks are cut along T, one row each here: each equals the direct call bit for bit
    for i, t in enumerate(T):
        assert np.array_equal(da.values[i], heat_capacity.total(t, B, BAS))
    assert da.attrs["units"] == "J/(g K)"
    assert da.attrs["model"] == "etm.heat_capacity.total"
    assert "Material(" in da.attrs["params"]
    assert da.coords["T_K"].attrs == {"units": "K", "long_name": "temperature"}
    assert da.coords["B_T"].attrs["units"] == "T"


def test_cp_with_atsparams_is_the_ats_term():
    da = sweep("cp", T_K=[0.6], B_T=B, params=BAS.ats)
    assert da.attrs["observable"] == "cp_ats"
    assert np.array_equal(da.values[0], heat_capacity.ats(0.6, B, BAS.ats))


def test_eps_has_frequency_dimension_and_matches_direct():
    T, f = np.array([0.05, 0.1]), np.array([1e3, 1e4, 1e5])
    da = sweep("eps", T_K=T, B_T=B, params=EPS, f_Hz=f, orientation="isotropic")
    assert da.dims == ("T_K", "B_T", "f_Hz") and da.shape == (2, 5, 3)
    assert da.coords["f_Hz"].attrs["units"] == "Hz"
    assert "orientation" in da.attrs["options"]
    for i, t in enumerate(T):
        direct = dielectric.relative_change(t, B[:, None], EPS, f[None, :])
        assert np.array_equal(da.values[i], direct)


def test_eps_response_is_complex_and_scalar_coords_drop():
    da = sweep("eps_response", T_K=0.05, B_T=B, params=EPS, f_Hz=1e3)
    assert da.dims == ("B_T",) and np.iscomplexobj(da.values)
    assert float(da.coords["f_Hz"]) == 1e3 and float(da.coords["T_K"]) == 0.05
    assert np.array_equal(da.values, dielectric.ats_response(0.05, B, EPS, 1e3))


def test_echo_and_exact_cp():
    row = materials.echo_row("BAS sample 2")
    da = sweep("echo", T_K=[row.T_K], B_T=B[:3], params=row.params, pulses=row.pulses)
    direct = echo.relative_amplitude(row.T_K, B[:3], row.params, row.pulses)
    assert np.array_equal(da.values[0], direct)
    dx = sweep("exact_cp", T_K=[0.6], B_T=[0.0, 1.0], params=BAS.ats)
    assert np.array_equal(dx.values[0], exact.exact_heat_capacity(0.6, [0.0, 1.0], BAS.ats))


def test_chunking_independent_of_workers_and_evaluate_chunk():
    T = np.linspace(0.2, 1.0, 9)
    a = sweep("cp", T_K=T, B_T=B, material=BAS, points_per_chunk=10)
    assert a.attrs["chunk_T"] == 2  # 45 points / 10 per chunk -> 5 chunks of <= 2 rows
    got = evaluate_chunk("cp", {"T_K": T[2:4], "B_T": B}, {"material": BAS}, {})
    assert np.array_equal(a.values[2:4], got)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"observable": "nope"}, "observable must be one of"),
        ({"observable": "eps"}, "needs the keyword params="),
        ({"observable": "cp", "material": BAS, "T_K": [[0.6]]}, "T_K must be a scalar or a 1-D"),
        ({"observable": "cp", "material": BAS, "B_T": [np.nan]}, "B_T must be finite"),
        ({"observable": "cp", "material": BAS, "workers": 0}, "workers must be"),
        ({"observable": "cp", "material": BAS, "points_per_chunk": 0}, "points_per_chunk"),
    ],
)
def test_bad_input(kwargs, match):
    args = {"T_K": [0.6], "B_T": [0.0], **kwargs}
    with pytest.raises(ValueError, match=match):
        sweep(args.pop("observable"), **args)


def test_every_catalog_entry_is_sweepable_by_name():
    # the sweep reads the one catalog (tests/test_observables.py sweeps each entry)
    import inspect

    from etm.observables import CATALOG

    doc = inspect.getdoc(etm.sweep)
    assert all(f'"{name}"' in doc for name in CATALOG)


def test_import_etm_stays_light_and_sweep_is_lazy():
    code = (
        "import sys, etm, etm.sweeps; "
        "assert not any(m.split('.')[0] in ('xarray', 'dask', 'distributed', 'scipy', 'numba')"
        " for m in sys.modules), sorted(m for m in sys.modules if 'xarray' in m or 'scipy' in m);"
        " import inspect, types;"
        " assert isinstance(etm.sweep, types.FunctionType) and etm.sweep is etm.sweeps.sweep;"
        " assert list(inspect.signature(etm.sweep).parameters)[:3] == ['observable', 'T_K', 'B_T']"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


@pytest.mark.slow
def test_process_pool_identical_to_serial():
    T = np.linspace(0.05, 0.2, 4)
    f = np.array([1e3, 1e4])
    serial = sweep("eps", T_K=T, B_T=B, params=EPS, f_Hz=f)
    pooled = sweep("eps", T_K=T, B_T=B, params=EPS, f_Hz=f, workers=2)
    assert np.array_equal(serial.values, pooled.values)
    assert serial.attrs == pooled.attrs


@pytest.mark.slow
def test_dask_local_cluster_identical_to_serial():
    distributed = pytest.importorskip("distributed")
    T = np.linspace(0.05, 0.2, 4)
    f = np.array([1e3, 1e4])
    serial = sweep("eps", T_K=T, B_T=B, params=EPS, f_Hz=f)
    cp_serial = sweep("cp", T_K=T + 0.3, B_T=B, material=BAS)
    with (
        distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        on_cluster = sweep("eps", T_K=T, B_T=B, params=EPS, f_Hz=f, client=client)
        cp_cluster = sweep("cp", T_K=T + 0.3, B_T=B, material=BAS, client=client)
    assert np.array_equal(serial.values, on_cluster.values)
    assert np.array_equal(cp_serial.values, cp_cluster.values)
