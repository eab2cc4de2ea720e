"""Measured curves with units: reading, unit conversion and metadata.

Measured curves are CSV files whose header names carry their units (``B_T``, ``Cp_uJ_per_gK``);
:func:`read_curve` converts every column to the package's units (kelvin, tesla, J/(g K), seconds,
hertz) through the explicit table :data:`UNITS`, and takes metadata from ``# key = value`` lines
above the header row (and optionally a TOML file). See docs/fitting.md ("Data files") for the
file format. :func:`metadata_number` and :func:`field_curve_axes` check the metadata a model of a
curve needs, with errors naming the file.
"""

from __future__ import annotations

import csv
import hashlib
import math
import os
import tomllib
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "BASE_UNITS",
    "MAX_ROWS",
    "temperature_field_axes",
    "QUANTITIES",
    "UNITS",
    "MeasuredCurve",
    "convert",
    "field_curve_axes",
    "metadata_number",
    "read_curve",
    "with_model_options",
]


#: Most data rows one curve file may hold: the fit evaluates the whole ensemble model at every row
#: per step (~0.1 ms per row for eps at any frequency), so longer curves are refused up front.
MAX_ROWS: int = 20_000

#: Units a column or metadata key may carry: unit -> (dimension, factor to the package's unit).
#: The package's units are K, T, J/(g K), s, Hz; "1" marks a dimensionless number.
UNITS: dict[str, tuple[str, float]] = {
    "K": ("temperature", 1.0),
    "mK": ("temperature", 1e-3),
    "uK": ("temperature", 1e-6),
    "T": ("field", 1.0),
    "mT": ("field", 1e-3),
    "G": ("field", 1e-4),
    "kG": ("field", 1e-1),
    "J_per_gK": ("heat_capacity", 1.0),
    "mJ_per_gK": ("heat_capacity", 1e-3),
    "uJ_per_gK": ("heat_capacity", 1e-6),
    "nJ_per_gK": ("heat_capacity", 1e-9),
    "J_per_kgK": ("heat_capacity", 1e-3),
    "mJ_per_kgK": ("heat_capacity", 1e-6),
    "erg_per_gK": ("heat_capacity", 1e-7),
    "s": ("time", 1.0),
    "ms": ("time", 1e-3),
    "us": ("time", 1e-6),
    "ns": ("time", 1e-9),
    "Hz": ("frequency", 1.0),
    "kHz": ("frequency", 1e3),
    "MHz": ("frequency", 1e6),
    "GHz": ("frequency", 1e9),
    "1": ("dimensionless", 1.0),
    # a relative change of eps' written as a plain fraction of eps' (``rel_eps``) or in ppm
    "eps": ("dimensionless", 1.0),
    "ppm": ("dimensionless", 1e-6),
    # a relative echo amplitude A(B)/A(B_high) as a plain ratio (``rel_echo``)
    "echo": ("dimensionless", 1.0),
    # drive power of a resonator measurement (etm fit --observable Qi against P)
    "W": ("power", 1.0),
    "mW": ("power", 1e-3),
    "uW": ("power", 1e-6),
    "nW": ("power", 1e-9),
    "pW": ("power", 1e-12),
    "fW": ("power", 1e-15),
    "aW": ("power", 1e-18),
    # magnetization per gram: J/(T g) = A m^2/g; 1 emu/g = 1e-3 A m^2/g
    "J_per_Tg": ("magnetization", 1.0),
    "Am2_per_g": ("magnetization", 1.0),
    "J_per_Tkg": ("magnetization", 1e-3),
    "Am2_per_kg": ("magnetization", 1e-3),
    "emu_per_g": ("magnetization", 1e-3),
    "memu_per_g": ("magnetization", 1e-6),
    "uemu_per_g": ("magnetization", 1e-9),
}

#: The package's unit of each dimension (what :func:`read_curve` converts to).
BASE_UNITS: dict[str, str] = {
    "temperature": "K",
    "field": "T",
    "heat_capacity": "J_per_gK",
    "time": "s",
    "frequency": "Hz",
    "dimensionless": "1",
    "power": "W",
    "magnetization": "J_per_Tg",
}

#: Quantities a column or metadata key may name, with their dimension. ``sigma`` (the one-sigma
#: uncertainty of the y column) takes the y column's dimension.
QUANTITIES: dict[str, str] = {
    "T": "temperature",
    "B": "field",
    "Cp": "heat_capacity",
    "C": "heat_capacity",
    "f": "frequency",
    "tau12": "time",
    "tau1": "time",
    "tau2": "time",
    # relative change [eps'(B) - eps'(0)]/eps' of the dielectric constant (etm fit --observable eps)
    "rel": "dimensionless",
    # the field an echo curve is normalized at (metadata ``Bhigh_T``; etm fit --observable echo)
    "Bhigh": "field",
    # loss tangent, internal quality factor and drive power (etm fit --observable loss / Qi)
    "tand": "dimensionless",
    "Qi": "dimensionless",
    "P": "power",
    # magnetization per gram (etm fit --observable magnetization)
    "M": "magnetization",
}


def convert(value: Any, unit: str, dimension: str, where: str) -> Any:
    """Convert ``value`` from ``unit`` to the package's unit of ``dimension``.

    Parameters
    ----------
    value : float or ndarray
        The number(s) in ``unit``.
    unit : str
        A key of :data:`UNITS`.
    dimension : str
        The dimension the caller expects (a key of :data:`BASE_UNITS`).
    where : str
        Where the value comes from, for the error message (file, line, column).

    Returns
    -------
    float or ndarray
        ``value`` in the package's unit (K, T, J/(g K), s, Hz).

    Examples
    --------
    >>> convert(600.0, "mK", "temperature", "example")
    0.6
    """
    allowed = ", ".join(u for u, (d, _) in UNITS.items() if d == dimension)
    if unit not in UNITS:
        raise ValueError(f"{where}: unknown unit {unit!r} for a {dimension}; allowed: {allowed}")
    dim, factor = UNITS[unit]
    if dim != dimension:
        raise ValueError(
            f"{where}: unit {unit!r} is a {dim}, but a {dimension} is needed; allowed: {allowed}"
        )
    return _scale(value, factor)


def _scale(value: Any, factor: float) -> Any:
    """``value * factor``, but divided by the exact integer 1/factor for sub-unit prefixes, so
    that decimal inputs stay correctly rounded (5 uJ -> 5e-06, not 4.9999999999999996e-06)."""
    inv = round(1.0 / factor)
    if factor < 1.0 and inv * factor == 1.0:
        return value / inv
    return value * factor


@dataclass(frozen=True)
class MeasuredCurve:
    """One measured curve y(x) in the package's units, with where it came from.

    Attributes
    ----------
    x, y : ndarray
        The abscissa (strictly increasing) and the measured values, converted to the package's
        units (read-only arrays).
    sigma : ndarray or None
        One-sigma uncertainties of ``y`` (same unit), or None if the file gives none.
    x_name, y_name : str
        Quantity and package unit, e.g. ``"B_T"``, ``"Cp_J_per_gK"``.
    columns : tuple of str
        The column names as written in the file, in the order (x, y[, sigma]).
    metadata : Mapping
        ``# key = value`` header lines (and TOML entries), keys with a known quantity converted
        to the package's unit (``T_mK = 600`` becomes ``T_K = 0.6``). Read-only.
    comments : tuple of str
        Other ``#`` lines above the header (free text such as "SYNTHETIC data").
    source : Path
        The file read.
    sha256 : str
        SHA-256 of the file's bytes as read.
    """

    x: NDArray[np.float64]
    y: NDArray[np.float64]
    sigma: NDArray[np.float64] | None
    x_name: str
    y_name: str
    columns: tuple[str, ...]
    metadata: Mapping[str, Any]
    comments: tuple[str, ...]
    source: Path
    sha256: str
    meta_sources: tuple[str, ...] = field(default_factory=tuple)

    @property
    def label(self) -> str:
        """A short label: the file's stem."""
        return self.source.stem

    def __len__(self) -> int:
        return int(self.x.size)


def _split_name(name: str) -> tuple[str, str | None]:
    """``"Cp_uJ_per_gK"`` -> ``("Cp", "uJ_per_gK")``; ``"B"`` -> ``("B", None)``."""
    q, sep, unit = name.partition("_")
    return q, (unit if sep else None)


def _parse_meta_value(text: str) -> Any:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    try:
        v = float(text)
    except ValueError:
        return text
    return v


def _meta_entry(key: str, value: Any, where: str) -> tuple[str, Any]:
    """Convert a metadata entry whose key names a known quantity to the package's unit."""
    q, unit = _split_name(key)
    if q not in QUANTITIES:
        return key, value
    dim = QUANTITIES[q]
    if unit is None:
        raise ValueError(
            f"{where}: metadata key {key!r} carries no unit; write it as {q}_{BASE_UNITS[dim]}"
        )
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{where}: metadata {key!r} must be a finite number, got {value!r}")
    return f"{q}_{BASE_UNITS[dim]}", convert(float(value), unit, dim, where)


def _read_toml_metadata(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not a valid UTF-8 TOML file ({exc})") from None
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict | list):
            raise ValueError(
                f"{path}: metadata key {key!r} must be a plain value (number or string), "
                "not a table or array"
            )
        k, v = _meta_entry(key, value, f"{path}, key {key!r}")
        out[k] = v
    return out


def read_curve(
    path: str | os.PathLike,
    x: str | Sequence[str] = "B",
    y: str = "Cp",
    *,
    metadata_toml: str | os.PathLike | None = None,
    require_metadata: Sequence[str] = (),
    min_points: int = 2,
) -> MeasuredCurve:
    """Read one measured curve from a CSV file with units in its header, converting on read.

    The file is read once, as bytes, and never written. Its layout::

        # SYNTHETIC data (free-text comment lines are kept as comments)
        # glass = BAS
        # T_K = 0.60
        B_T, Cp_uJ_per_gK, sigma_uJ_per_gK
        0.0, 7.36, 0.07
        ...

    Column names are ``<quantity>_<unit>`` (the quantity has no underscore); ``sigma_<unit>``
    holds the one-sigma uncertainty of y. Other columns are ignored.

    Parameters
    ----------
    path : path-like
        The CSV file (UTF-8).
    x : str or sequence of str
        Quantity of the abscissa, or several alternatives (the first present is used), e.g.
        ``("B", "T")``; a key of :data:`QUANTITIES`. It must be strictly increasing.
    y : str
        Quantity of the ordinate, e.g. ``"Cp"``.
    metadata_toml : path-like, optional
        A TOML file of further ``key = value`` metadata (plain values); a key given both there
        and in the CSV with different values is an error.
    require_metadata : sequence of str
        Metadata keys (in package units, e.g. ``"T_K"``) that must be present.
    min_points : int
        Fewest data rows accepted (a fit needs more points than free parameters).

    Returns
    -------
    MeasuredCurve
        The converted curve with its metadata, source path and SHA-256.

    Raises
    ------
    ValueError
        Naming the file, line and column: missing column, column without a unit, unknown unit or
        one of the wrong dimension, a row with more or fewer cells than the header, empty /
        non-numeric / NaN / infinite cell, sigma <= 0,
        duplicated or decreasing x, too few rows, missing metadata.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "c.csv").write_text("# T_mK = 600\\nB_mT,Cp_uJ_per_gK\\n0,5.0\\n500,4.0\\n")
    >>> c = read_curve(d / "c.csv")
    >>> c.x.tolist(), c.y.tolist(), c.metadata["T_K"]
    ([0.0, 0.5], [5e-06, 4e-06], 0.6)
    """
    path = Path(path)
    xs = (x,) if isinstance(x, str) else tuple(x)
    for q in (*xs, y):
        if q not in QUANTITIES:
            raise ValueError(f"quantity {q!r} is not known; known: {', '.join(QUANTITIES)}")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"{path}: cannot read ({exc.strerror})") from None
    digest = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    lines = text.splitlines()

    metadata: dict[str, Any] = {}
    meta_line: dict[str, int] = {}
    comments: list[str] = []
    header_idx = None
    for i, line in enumerate(lines):
        s = line.strip()
        if not s:
            continue
        if s.startswith("#"):
            body = s[1:].strip()
            key, eq, value = body.partition("=")
            key = key.strip()
            if eq and key.isidentifier():
                where = f"{path}, line {i + 1}"
                k, v = _meta_entry(key, _parse_meta_value(value), where)
                if k in metadata:
                    raise ValueError(
                        f"{where}: metadata {k!r} given twice (first on line {meta_line[k]})"
                    )
                metadata[k] = v
                meta_line[k] = i + 1
            else:
                comments.append(body)
            continue
        header_idx = i
        break
    if header_idx is None:
        raise ValueError(
            f"{path}: no header row (expected e.g. 'B_T, Cp_J_per_gK, sigma_J_per_gK')"
        )
    hline = header_idx + 1
    header = [h.strip() for h in next(csv.reader([lines[header_idx]]))]

    # locate and check the columns: name -> (index, unit)
    found: dict[str, tuple[int, str]] = {}
    for j, name in enumerate(header):
        q, unit = _split_name(name)
        if q not in QUANTITIES and q != "sigma":
            continue
        where = f"{path}, line {hline}, column {j + 1} ({name!r})"
        if not name:
            raise ValueError(f"{path}, line {hline}, column {j + 1}: empty column name")
        if unit is None:
            dim = QUANTITIES.get(q, QUANTITIES[y])
            raise ValueError(
                f"{where}: column carries no unit; write it as {q}_<unit>, e.g. "
                f"{q}_{BASE_UNITS[dim]}"
            )
        if q in found:
            raise ValueError(
                f"{where}: quantity {q!r} appears twice (also column {found[q][0] + 1})"
            )
        found[q] = (j, unit)
    x_q = next((q for q in xs if q in found), None)
    if x_q is None:
        want = " or ".join(f"{q}_<unit>" for q in xs)
        raise ValueError(
            f"{path}, line {hline}: missing column {want}; found columns: {', '.join(header)}"
        )
    if y not in found:
        raise ValueError(
            f"{path}, line {hline}: missing column {y}_<unit> (e.g. {y}_"
            f"{BASE_UNITS[QUANTITIES[y]]}); found columns: {', '.join(header)}"
        )
    wanted = [(x_q, QUANTITIES[x_q]), (y, QUANTITIES[y])]
    if "sigma" in found:
        wanted.append(("sigma", QUANTITIES[y]))
    factors = []
    for q, dim in wanted:
        j, unit = found[q]
        convert(1.0, unit, dim, f"{path}, line {hline}, column {j + 1} ({header[j]!r})")
        factors.append(UNITS[unit][1])

    # data rows: refuse a file too long to fit before parsing it (a 1e6-row file would hold the
    # fit for hours: every least-squares step evaluates the ensemble model at every row)
    n_data = sum(1 for s in lines[header_idx + 1 :] if s.strip() and not s.strip().startswith("#"))
    if n_data > MAX_ROWS:
        raise ValueError(
            f"{path}: {n_data} data rows, more than the {MAX_ROWS} a fit takes (every model "
            f"evaluation runs over every row): bin or thin the curve first, e.g. every "
            f"{-(-n_data // MAX_ROWS)}th row"
        )
    cols_idx = [found[q][0] for q, _ in wanted]
    rows: list[list[float]] = []
    row_lines: list[int] = []
    for i in range(header_idx + 1, len(lines)):
        s = lines[i].strip()
        if not s or s.startswith("#"):
            continue
        cells = [c.strip() for c in next(csv.reader([lines[i]]))]
        if len(cells) != len(header):
            what = "extra" if len(cells) > len(header) else "missing"
            raise ValueError(
                f"{path}, line {i + 1}: {len(cells)} cells, but the header on line {hline} has "
                f"{len(header)} ({', '.join(header)}): {what} cells"
            )
        vals = []
        for j in cols_idx:
            where = f"{path}, line {i + 1}, column {j + 1} ({header[j]!r})"
            if j >= len(cells) or cells[j] == "":
                raise ValueError(f"{where}: empty cell")
            try:
                v = float(cells[j])
            except ValueError:
                raise ValueError(f"{where}: not a number: {cells[j]!r}") from None
            if not math.isfinite(v):
                raise ValueError(f"{where}: {cells[j]!r} is not a finite number")
            vals.append(v)
        rows.append(vals)
        row_lines.append(i + 1)
    if len(rows) < min_points:
        raise ValueError(
            f"{path}: {len(rows)} data rows, at least {min_points} needed (after line {hline})"
        )
    data = np.array(rows, dtype=float)
    for j, f in enumerate(factors):
        data[:, j] = _scale(data[:, j], f)
    xv = data[:, 0]
    jx = found[x_q][0]
    step = np.diff(xv)
    if np.any(step <= 0):
        k = int(np.argmax(step <= 0))
        what = "duplicated" if step[k] == 0 else "decreasing (x must be sorted ascending)"
        raise ValueError(
            f"{path}, line {row_lines[k + 1]}, column {jx + 1} ({header[jx]!r}): {what} x: "
            f"{rows[k + 1][0]!r} after {rows[k][0]!r} on line {row_lines[k]}"
        )
    sigma = None
    if "sigma" in found:
        sigma = data[:, 2]
        if np.any(sigma <= 0):
            k = int(np.argmax(sigma <= 0))
            js = found["sigma"][0]
            raise ValueError(
                f"{path}, line {row_lines[k]}, column {js + 1} ({header[js]!r}): sigma must be "
                f"> 0, got {rows[k][2]!r}"
            )

    meta_sources = [str(path)]
    if metadata_toml is not None:
        tpath = Path(metadata_toml)
        for k, v in _read_toml_metadata(tpath).items():
            if k in metadata and metadata[k] != v:
                raise ValueError(
                    f"{tpath}: metadata {k!r} = {v!r} conflicts with {metadata[k]!r} on line "
                    f"{meta_line[k]} of {path}"
                )
            metadata[k] = v
        meta_sources.append(str(tpath))
    for key in require_metadata:
        if key not in metadata:
            raise ValueError(
                f"{path}: metadata {key!r} missing; add a line '# {key} = <value>' above the "
                "header row (or a TOML entry)"
            )

    arrays = [xv, data[:, 1]] + ([sigma] if sigma is not None else [])
    for a in arrays:
        a.setflags(write=False)
    x_dim, y_dim = QUANTITIES[x_q], QUANTITIES[y]
    return MeasuredCurve(
        x=arrays[0],
        y=arrays[1],
        sigma=arrays[2] if sigma is not None else None,
        x_name=f"{x_q}_{BASE_UNITS[x_dim]}",
        y_name=f"{y}_{BASE_UNITS[y_dim]}",
        columns=tuple(header[j] for j in cols_idx),
        metadata=types.MappingProxyType(metadata),
        comments=tuple(comments),
        source=path,
        sha256=digest,
        meta_sources=tuple(meta_sources),
    )


def metadata_number(
    metadata: Mapping[str, Any], key: str, where: str, example: str, kind: str = "eps"
) -> float:
    """The finite number ``metadata[key]``; the error names the file (``where``) and a fix.

    Parameters
    ----------
    metadata : Mapping
        A curve's metadata (package units).
    key : str
        The key, e.g. ``"f_Hz"``.
    where : str
        The file, for the error message.
    example : str
        A metadata line that would fix a missing key, e.g. ``"f_kHz = 1"``.
    kind : str
        The kind of curve that needs it (``"eps"``, ``"echo"``), for the error message.

    Returns
    -------
    float
        The value.

    Examples
    --------
    >>> metadata_number({"f_Hz": 1e3}, "f_Hz", "c.csv", "f_kHz = 1")
    1000.0
    """
    if key not in metadata:
        raise ValueError(
            f"{where}: metadata {key!r} missing (an {kind} curve needs it); add a line "
            f"'# {example}' above the header row"
        )
    v = metadata[key]
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise ValueError(f"{where}: metadata {key!r} must be a finite number, got {v!r}")
    return float(v)


def field_curve_axes(
    x_name: str, x: ArrayLike, metadata: Mapping[str, Any], where: str, kind: str, T_example: str
) -> tuple[NDArray[np.float64], float]:
    """Field values [T] and the curve's temperature [K] of a curve measured against B at fixed T.

    ``kind`` and ``T_example`` (e.g. ``"T_mK = 50"``) go into the error messages, which name the
    file ``where``: x must be the field B, and ``T_K`` a number > 0 in the metadata.
    """
    if x_name != "B_T":
        raise ValueError(
            f"{where}: an {kind} curve is a function of the field B (column B_<unit>), got {x_name}"
        )
    T = metadata_number(metadata, "T_K", where, T_example, kind)
    if T <= 0:
        raise ValueError(f"{where}: metadata 'T_K' must be > 0, got {T!r}")
    return np.asarray(x, dtype=float), T


def temperature_field_axes(
    x_name: str, x: ArrayLike, metadata: Mapping[str, Any], where: str
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(T [K], B [T]) of every point of a curve measured against B at fixed T or against T at
    fixed B: the fixed one comes from the metadata (``T_K`` > 0 or ``B_T`` >= 0), and a curve
    against T must have every T > 0. Errors name the file ``where`` and say what to add.
    """
    x = np.asarray(x, dtype=float)
    other = "T_K" if x_name == "B_T" else "B_T"
    if other not in metadata:
        raise ValueError(
            f"{where}: metadata {other!r} missing (a {x_name} curve needs it); add a line "
            f"'# {other} = <value>' above the header row"
        )
    v = metadata[other]
    if not isinstance(v, float) or not math.isfinite(v) or v < 0 or (other == "T_K" and v == 0):
        rng = "> 0" if other == "T_K" else ">= 0"
        raise ValueError(f"{where}: metadata {other!r} must be a number {rng}, got {v!r}")
    if x_name == "B_T":
        return np.full_like(x, v), x
    if np.any(x <= 0):
        raise ValueError(f"{where}: temperatures must be > 0 K")
    return x, np.full_like(x, v)


def with_model_options(
    curves: Sequence[MeasuredCurve], options: Mapping[str, Any]
) -> tuple[MeasuredCurve, ...]:
    """The curves with the command line's model options added to their metadata (where the eps
    and echo models read them, and where params.json records them); a file that says otherwise
    is an error rather than silently overridden.

    Parameters
    ----------
    curves : sequence of MeasuredCurve
        The curves read.
    options : mapping
        Model options by metadata key (``average``, ``matrix_elements``, ...).

    Returns
    -------
    tuple of MeasuredCurve
        New curves ("command line" added to their metadata sources); the originals are kept.
    """
    from dataclasses import replace

    if not options:
        return tuple(curves)
    out = []
    for c in curves:
        for k, v in options.items():
            if k in c.metadata and c.metadata[k] != v:
                raise ValueError(
                    f"{c.source}: metadata {k!r} = {c.metadata[k]!r} conflicts with "
                    f"--{k.replace('_', '-')} {v}"
                )
        meta = types.MappingProxyType({**c.metadata, **options})
        out.append(replace(c, metadata=meta, meta_sources=(*c.meta_sources, "command line")))
    return tuple(out)
