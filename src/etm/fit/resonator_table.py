"""Reading resonator measurements for ``etm fit``: Q_i(T, n) grids, f0(T) and ``etm resonator``
tables.

One reader (:func:`read_resonator_file`) takes the three layouts of docs/resonator.md ("Fitting
Q_i and f0"), recognized by their columns:

* **Q_i on a T x power grid**, one long file: ``T_<unit>``, the photon number ``n_photons`` or
  the instrument power ``P_dBm`` (with a ``# attenuation_dB = ...`` line), ``Qi_1`` and an
  optional ``sigma_1``; ``# f_Hz = ...`` gives the resonance frequency. From a power the photon
  number is computed per row with :func:`etm.resonator.photons.photon_number`, which needs the
  coupling Q_c (a ``Qc`` column or a ``# Qc = ...`` line; Q_l from a ``Ql`` column, else
  1/Q_l = 1/Q_i + 1/Q_c) and the geometry (``# geometry = notch``, the default, or
  ``reflection``). Without any power column, or with every power NaN, the curve is at one
  unknown power: its x is T alone.
* **f0(T)**: ``T_<unit>``, ``f_<unit>`` and an optional ``sigma_<unit>`` (or ``sigma_f_<unit>``).
* **the table of ``etm resonator``** (``T_K, P_dBm, n_photons, f_Hz, sigma_f_Hz, Qi_1, sigma_1,
  Qc, sigma_Qc, Ql, sigma_Ql, P_device_dBm``), read as it is: both curves at once.

Each curve's metadata says which it is (``resonator_curve = "Qi"`` or ``"f0"``) and where its
photon numbers came from (``n_from``). Every malformed cell is refused with one line naming the
file, the line and the column, as :func:`etm.fit.data.read_curve` does; the file is streamed with
the same caps (:class:`etm.fit.datafile.LineReader`) and only read.
"""

from __future__ import annotations

import math
import os
import types
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from etm.fit.data import (
    MAX_ROWS,
    FileHead,
    MeasuredCurve,
    read_toml_metadata,
    refuse_late_metadata,
)
from etm.fit.datafile import LineReader, number_error, parse_number, separator_hint, split_cells
from etm.fit.units import UNITS, convert, split_name
from etm.resonator.photons import GEOMETRIES, PHOTON_CONVENTION, photon_number

__all__ = ["column_roles", "read_resonator_file"]

#: Roles whose cells may be NaN (a power or photon number the measurement does not know).
_MAY_BE_NAN = frozenset({"n", "P", "P_device"})


def _dim(unit: str) -> str | None:
    return UNITS[unit][0] if unit in UNITS else None


def _role(name: str) -> tuple[str, str] | None:
    """(role, unit) of one header cell, or None for a column the fit does not use."""
    q, unit = split_name(name)
    if name in ("n_photons", "n_1"):
        return "n", "1"
    if name in ("Qc", "Qc_1", "Ql", "Ql_1"):
        return name[:2], "1"
    if name == "Qi_1":
        return "Qi", "1"
    if unit is None:
        return None
    if q == "T" and _dim(unit) == "temperature":
        return "T", unit
    if q == "f" and _dim(unit) == "frequency":
        return "f", unit
    if q == "P" and unit.startswith("device_") and _dim(unit[7:]) == "power":
        return "P_device", unit[7:]
    if q == "P" and _dim(unit) == "power":
        return "P", unit
    if q == "sigma":
        if unit == "1":
            return "sigma_Qi", "1"
        if unit.startswith("f_") and _dim(unit[2:]) == "frequency":
            return "sigma_f", unit[2:]
        if _dim(unit) == "frequency":
            return "sigma_f", unit
    return None


def column_roles(header: list[str], where: str) -> dict[str, tuple[int, str]]:
    """Role -> (column index, unit) of the columns the resonator fit reads.

    Roles: ``T``, ``Qi``, ``sigma_Qi``, ``f``, ``sigma_f``, ``n``, ``P``, ``P_device``, ``Qc``,
    ``Ql``; other columns are ignored. A role found twice is refused (``where`` names the file).

    Examples
    --------
    >>> sorted(column_roles(["T_mK", "n_photons", "Qi_1", "sigma_1", "note"], "g.csv"))
    ['Qi', 'T', 'n', 'sigma_Qi']
    """
    out: dict[str, tuple[int, str]] = {}
    for j, name in enumerate(header):
        r = _role(name)
        if r is None:
            continue
        if r[0] in out:
            k = out[r[0]][0]
            raise ValueError(
                f"{where}: columns {k + 1} ({header[k]!r}) and {j + 1} ({name!r}) both give "
                f"{r[0]}; keep one"
            )
        out[r[0]] = (j, r[1])
    return out


def _cell(text: str, role: str, unit: str, where: str) -> float:
    """One cell as a number (NaN only where a power may be unknown), checked for its sign."""
    if text == "":
        raise ValueError(f"{where}: empty cell")
    v = parse_number(text)
    if v is None and role in _MAY_BE_NAN and text.lower() == "nan":
        return math.nan
    if v is None:
        raise ValueError(f"{where}: {number_error(text)}")
    if role == "n" and v < 0:
        raise ValueError(f"{where}: a photon number must be >= 0, got {text}")
    if (role not in _MAY_BE_NAN or (role != "n" and unit != "dBm")) and v <= 0:
        raise ValueError(f"{where}: {role} must be > 0, got {text}")
    return v


def _read_table(path: Path, metadata_toml: str | os.PathLike | None):
    """(columns by role in package units, metadata, comments, header, roles, sha256)."""
    tpath = None if metadata_toml is None else Path(metadata_toml)
    extra = {} if tpath is None else read_toml_metadata(tpath)
    with LineReader(path) as reader:
        lines = iter(reader)
        head = FileHead(path)
        text = head.read(lines)
        header = split_cells(text, f"{path}, line {head.line}")
        roles = column_roles(header, f"{path}, line {head.line}")
        if "T" not in roles or not {"Qi", "f"} & set(roles):
            raise ValueError(
                f"{path}, line {head.line}: a resonator file needs T_<unit> and Qi_1 (Q_i, with "
                f"n_photons or P_dBm for a power grid) or f_<unit> (f0); found columns: "
                f"{', '.join(header)}{separator_hint(text)}"
            )
        rows: list[list[float]] = []
        for i, line in lines:
            s = line.strip()
            if not s:
                continue
            if s.startswith("#"):
                refuse_late_metadata(path, i, s, head)
                continue
            if len(rows) == MAX_ROWS:
                raise ValueError(f"{path}: more than the {MAX_ROWS} data rows a fit takes")
            cells = split_cells(line, f"{path}, line {i}")
            if len(cells) != len(header):
                raise ValueError(
                    f"{path}, line {i}: {len(cells)} cells, but the header on line {head.line} "
                    f"has {len(header)}{separator_hint(line)}"
                )
            rows.append(
                [
                    _cell(cells[j], r, u, f"{path}, line {i}, column {j + 1} ({header[j]!r})")
                    for r, (j, u) in roles.items()
                ]
            )
        digest = reader.sha256
    if len(rows) < 2:
        raise ValueError(f"{path}: {len(rows)} data rows, at least 2 needed")
    data = np.array(rows, dtype=float)
    cols: dict[str, NDArray[np.float64]] = {}
    for k, (r, (_, unit)) in enumerate(roles.items()):
        v = data[:, k]
        if r in ("T", "f", "sigma_f", "P", "P_device") and unit != "dBm":
            dim = {"T": "temperature", "P": "power", "P_device": "power"}.get(r, "frequency")
            v = convert(v, unit, dim, f"{path}, column {header[roles[r][0]]!r}")
        elif unit == "dBm":
            v = convert(v, "dBm", "power", str(path))  # W; NaN stays NaN
        cols[r] = np.asarray(v, dtype=float)
    meta = dict(head.metadata)
    for k, v in extra.items():
        if k in meta and meta[k] != v:
            raise ValueError(
                f"{tpath}: metadata {k!r} = {v!r} conflicts with {meta[k]!r} in {path}"
            )
        meta[k] = v
    return cols, meta, head.comments, header, roles, digest


def _number(meta: dict[str, Any], key: str, path: Path) -> float | None:
    v = meta.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or v <= 0:
        raise ValueError(f"{path}: metadata {key!r} must be a finite number > 0, got {v!r}")
    return float(v)


def _photons(
    cols: dict[str, NDArray], meta: dict[str, Any], path: Path
) -> tuple[NDArray[np.float64] | None, str]:
    """Photon numbers per row (None: unknown power) and where they came from."""
    for role, what in (("n", "the n_photons column"), ("P_device", None), ("P", None)):
        v = cols.get(role)
        if v is None or np.all(np.isnan(v)):
            continue
        if np.any(np.isnan(v)):
            k = int(np.argmax(np.isnan(v)))
            raise ValueError(
                f"{path}: {role} is NaN in data row {k + 1} but given in others; give every "
                "row's power, or none (one unknown power)"
            )
        if what is not None:
            return v, what
        P_W = v
        how = "P_device_dBm"
        if role == "P":
            att = meta.get("attenuation_dB")
            known = isinstance(att, int | float) and not isinstance(att, bool)
            if (att is None or not known) and np.unique(v).size == 1:
                dBm = 10.0 * math.log10(float(v[0]) / 1e-3)
                return None, f"unknown: one instrument power ({dBm:.4g} dBm), no attenuation_dB"
            if not known or not math.isfinite(att):
                raise ValueError(
                    f"{path}: a P_dBm column of several powers needs the line attenuation "
                    "between the instrument and the device, '# attenuation_dB = <dB>' above the "
                    f"header (0 if P is at the device), got {att!r}"
                )
            P_W = P_W * 10.0 ** (-float(att) / 10.0)
            how = f"P_dBm - attenuation_dB ({float(att):g} dB)"
        f = cols.get("f")
        if f is None:
            f = _number(meta, "f_Hz", path)
        Qc = cols.get("Qc", _number(meta, "Qc", path))
        if Qc is None or f is None:
            need = "Qc (a Qc column or '# Qc = ...')" if Qc is None else "'# f_Hz = ...'"
            raise ValueError(
                f"{path}: the photon number n = 2 Ql^2 P/(Qc hbar omega^2) from the power needs "
                f"{need}; or give an n_photons column"
            )
        Ql = cols.get("Ql", _number(meta, "Ql", path))
        if Ql is None:
            Ql = 1.0 / (1.0 / cols["Qi"] + 1.0 / np.asarray(Qc))
        geometry = meta.get("geometry", "notch")
        if geometry not in GEOMETRIES:
            raise ValueError(
                f"{path}: metadata 'geometry' must be one of {', '.join(GEOMETRIES)}, "
                f"got {geometry!r}"
            )
        P_dBm = 10.0 * np.log10(P_W / 1e-3)
        n = photon_number(P_dBm, f, Ql=Ql, Qc=Qc, geometry=geometry)
        return np.asarray(n, dtype=float), f"{how}, Qc, Ql: {PHOTON_CONVENTION[geometry]}"
    return None, "unknown (no power given): one power"


def _device_power(cols: dict[str, NDArray], meta: dict[str, Any]) -> NDArray[np.float64] | None:
    """The power at the device [W] per row when the file gives one (None otherwise)."""
    att = meta.get("attenuation_dB")
    known = isinstance(att, int | float) and not isinstance(att, bool) and math.isfinite(att)
    for role in ("P_device", "P"):
        v = cols.get(role)
        if v is None or np.any(np.isnan(v)) or (role == "P" and not known):
            continue
        return v * 10.0 ** (-float(att) / 10.0) if role == "P" else v
    return None


def read_resonator_file(
    path: str | os.PathLike, *, metadata_toml: str | os.PathLike | None = None
) -> tuple[MeasuredCurve, ...]:
    """Read a Q_i(T, n) grid, an f0(T) curve or an ``etm resonator`` table (module docstring).

    Parameters
    ----------
    path : path-like
        The CSV file.
    metadata_toml : path-like, optional
        Further metadata (as :func:`etm.fit.data.read_curve`).

    Returns
    -------
    tuple of MeasuredCurve
        The Q_i curve (x ``T_K,n_1``, ``T_K,n_1,P_W`` with the device power when n comes from
        a power, or ``T_K`` at one unknown power; y ``Qi_1``) and/or the
        f0 curve (x ``T_K``, y ``f_Hz``), in this order, rows in the file's order. Metadata:
        the file's, ``resonator_curve`` ("Qi"/"f0"), for Q_i ``f_Hz`` (the metadata line, else
        the median of the f column) and ``n_from``, for f0 ``fref_Hz`` (the metadata line, else
        the largest f0 rounded down to 1 MHz).

    Raises
    ------
    ValueError
        One line naming the file (and line and column): a missing or repeated column, a bad
        cell, NaN outside the power columns, powers given on some rows only, a power without
        ``attenuation_dB``, Q_c or f, or a Q_i file without ``f_Hz``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "qi.csv"
    >>> _ = p.write_text("# f_GHz = 5\\nT_mK, n_photons, Qi_1\\n20, 1, 1e5\\n20, 100, 2e5\\n")
    >>> (c,) = read_resonator_file(p)
    >>> c.x_name, c.x.tolist(), c.metadata["f_Hz"]
    ('T_K,n_1', [[0.02, 1.0], [0.02, 100.0]], 5000000000.0)
    """
    path = Path(path)
    cols, meta, comments, header, roles, digest = _read_table(path, metadata_toml)
    sources = (str(path),) + (() if metadata_toml is None else (str(metadata_toml),))
    T = cols["T"]
    out = []

    def curve(kind, x, x_name, y, y_name, sigma, names, extra) -> MeasuredCurve:
        m = {**meta, **extra, "resonator_curve": kind}
        for a in (x, y, sigma):
            if a is not None:
                a.setflags(write=False)
        return MeasuredCurve(
            x=x, y=y, sigma=sigma, x_name=x_name, y_name=y_name,
            columns=tuple(header[roles[r][0]] for r in names if r in roles),
            metadata=types.MappingProxyType(m), comments=tuple(comments), source=path,
            sha256=digest, meta_sources=sources,
        )  # fmt: skip

    if "Qi" in cols:
        f = _number(meta, "f_Hz", path)
        if f is None and "f" not in cols:
            raise ValueError(
                f"{path}: metadata 'f_Hz' missing (a Q_i curve needs the resonance frequency); "
                "add a line '# f_GHz = <value>' above the header row"
            )
        f = float(np.median(cols["f"])) if f is None else f
        n, n_from = _photons(cols, meta, path)
        power = next((r for r in ("n", "P_device", "P") if r in cols), None)
        P = _device_power(cols, meta) if n is not None else None
        x_name = "T_K" if n is None else "T_K,n_1" if P is None else "T_K,n_1,P_W"
        x = T.copy() if n is None else np.column_stack([T, n] + ([] if P is None else [P]))
        out.append(
            curve(
                "Qi",
                x,
                x_name,
                cols["Qi"].copy(),
                "Qi_1",
                cols.get("sigma_Qi"),
                ["T", power, "Qi", "sigma_Qi"],
                {"f_Hz": f, "n_from": n_from},
            )  # fmt: skip
        )
    if "f" in cols:
        # the reference of the fitted df_r_Hz = f_r - fref_Hz: a resonance frequency itself (~1e10
        # Hz, resolved to ~1e-7 of it) stops least squares early by its relative tolerance
        fref = _number(meta, "fref_Hz", path) or float(np.floor(np.max(cols["f"]) / 1e6) * 1e6)
        out.append(
            curve(
                "f0",
                T.copy(),
                "T_K",
                cols["f"].copy(),
                "f_Hz",
                cols.get("sigma_f"),
                ["T", "f", "sigma_f"],
                {"fref_Hz": fref},
            )  # fmt: skip
        )
    return tuple(out)
