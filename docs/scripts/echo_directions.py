"""Numbers of docs/echo.md section 9: the pulse field's direction in the echo (issue 23).

Run: ``python docs/scripts/echo_directions.py [--part size|quadrature|exact|all]``.

* ``size``: the weak-field closed form (exact matrix elements, isotropic loops, 12 mK, Table 7)
  with the field's direction averaged (``rabi="exact"``) for each ``measuring_field``, against
  the essay's one rms Rabi frequency (``rabi="rms"``, ``"random"``: Eq. 27 with the three-well
  weight), at 0, 0.3 and 0.6 T; and A(B)/A(0.6 T) with A_2LS = 2 a(0) at 0.3 T;
* ``quadrature``: the direction rules against refined ones (closed form and exact route);
* ``exact``: the exact three-level route (S = 1e4 A^2) with the field direction averaged
  against its rms mode, at 0 and 0.6 T, for each geometry.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import etm.echo.closed_form as cf
from etm import echo, materials
from etm.echo.exact import EchoGrid, exact_amplitude

ROWS = ("BAS sample 1", "BAS sample 2", "BK7 tau12 = 1.5 us", "BK7 tau12 = 6 us")
GEOMETRIES = ("random", "parallel", "perpendicular")


def size() -> None:
    B = np.array([0.0, 0.3, 0.6])
    print("a/a_rms, a_rms = the essay's rms Rabi frequency (random field), exact m.e., 12 mK")
    print("| row | geometry | a/a_rms at 0 T | 0.3 T | 0.6 T | rms at tilt / a_rms, 0 / 0.6 T |")
    print("|---|---|---|---|---|---|")
    for name in ROWS:
        row = materials.echo_row(name)
        args = (row.T_K, B, row.params, row.pulses)
        ref = echo.amplitude(*args, rabi="rms")
        for g in GEOMETRIES:
            a = echo.amplitude(*args, measuring_field=g)
            r = echo.amplitude(*args, measuring_field=g, rabi="rms")
            print(
                f"| {name} | {g} | {a[0] / ref[0]:.4f} | {a[1] / ref[1]:.4f} | "
                f"{a[2] / ref[2]:.4f} | {r[0] / ref[0]:.4f}, {r[2] / ref[2]:.4f} |"
            )
    print("\nA(0.3 T)/A(0.6 T) with A = A_2LS - a(B), A_2LS(T, tau12) = 2 a(0)")
    for name in ROWS:
        row = materials.echo_row(name)
        out = []
        for kw in ({"rabi": "rms"}, *({"measuring_field": g} for g in GEOMETRIES)):
            a = echo.amplitude(row.T_K, B, row.params, row.pulses, **kw)
            A = 2 * a[0] - a
            out.append(f"{A[1] / A[2]:.4f}")
        print(f"  {name}: rms {out[0]}, random {out[1]}, parallel {out[2]}, perp. {out[3]}")


def quadrature() -> None:
    B = np.array([0.0, 0.1, 0.3, 0.6, 2.0])
    print("closed form: max |a - a_ref| / max |a_ref| over 0-2 T, default rules (4, 4, 6)")
    print("against (16, 16, 24) nodes (tilt, cos^2 psi, c)")
    orig = cf.closed_form_rule
    for g in GEOMETRIES:
        errs = []
        for name in ROWS:
            row = materials.echo_row(name)
            args = (row.T_K, B, row.params, row.pulses)
            a = echo.amplitude(*args, measuring_field=g)
            cf.closed_form_rule = lambda *x, **k: orig(*x, n_tilt=16, n_azimuth=16, n_c=24)
            try:
                ref = echo.amplitude(*args, measuring_field=g)
            finally:
                cf.closed_form_rule = orig
            errs.append(np.max(np.abs(a - ref)) / np.max(np.abs(ref)))
        print(f"  {g}: " + ", ".join(f"{e:.1e}" for e in errs))
    row = materials.echo_row("BAS sample 2")
    t0 = time.perf_counter()
    echo.amplitude(row.T_K, np.linspace(0, 0.6, 100), row.params, row.pulses, rabi="rms")
    t1 = time.perf_counter()
    echo.amplitude(row.T_K, np.linspace(0, 0.6, 100), row.params, row.pulses)
    t2 = time.perf_counter()
    print(f"  cost, BAS sample 2, 100 fields: rms {t1 - t0:.3f} s, averaged {t2 - t1:.3f} s")
    print("\nexact route (S = 1e4 A^2) at 0, 0.6, 2 T: default (n_tilt, n_psi, n_c) = (4, 8, 6)")
    print("against (8, 16, 12)")
    B = np.array([0.0, 0.6, 2.0])
    ref_grid = EchoGrid(n_tilt=8, n_psi=16, n_c=12)
    for g in GEOMETRIES:
        for name in ("BAS sample 2", "BK7 tau12 = 6 us"):
            row = materials.echo_row(name)
            args = (row.T_K, B, row.params, row.pulses)
            a = exact_amplitude(*args, measuring_field=g)
            ref = exact_amplitude(*args, measuring_field=g, grid=ref_grid)
            print(f"  {g}, {name}: a/a_ref - 1 = {np.array2string(a / ref - 1, precision=1)}")
    rng = (1, 4, 3), (4, 8, 6)
    row = materials.echo_row("BAS sample 2")
    for nt, npsi, nc in rng:
        grid = EchoGrid(n_tilt=nt, n_psi=npsi, n_c=nc)
        t0 = time.perf_counter()
        exact_amplitude(row.T_K, B, row.params, row.pulses, grid=grid)
        dt = time.perf_counter() - t0
        print(f"  cost, BAS sample 2, 3 fields, ({nt}, {npsi}, {nc}): {dt:.1f} s")


def exact() -> None:
    B = np.array([0.0, 0.6])
    print("exact route, S = 1e4 A^2: a/a_rms (a_rms: its rms mode, random field), exact m.e.")
    print("| row | geometry | 0 T | 0.6 T | a(0.6 T)/a(0) |")
    print("|---|---|---|---|---|")
    for name in ROWS:
        row = materials.echo_row(name)
        args = (row.T_K, B, row.params, row.pulses)
        ref = exact_amplitude(*args, rabi="rms")
        print(f"| {name} | rms | 1 | 1 | {ref[1] / ref[0]:.4f} |")
        for g in GEOMETRIES:
            a = exact_amplitude(*args, measuring_field=g)
            print(
                f"| {name} | {g} | {a[0] / ref[0]:.4f} | {a[1] / ref[1]:.4f} | {a[1] / a[0]:.4f} |",
                flush=True,
            )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--part", default="all", choices=("size", "quadrature", "exact", "all"))
    part = ap.parse_args().part
    if part in ("size", "all"):
        size()
    if part in ("quadrature", "all"):
        quadrature()
    if part in ("exact", "all"):
        exact()


if __name__ == "__main__":
    main()
