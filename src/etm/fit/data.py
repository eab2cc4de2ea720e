"""Measured curves with units: reading, unit conversion and metadata.

Measured curves are CSV files whose header names carry their units (``B_T``, ``Cp_uJ_per_gK``);
:func:`read_curve` converts every column to the package's units (kelvin, tesla, J/(g K), seconds,
hertz) through the explicit table :data:`UNITS` (:mod:`etm.fit.units`), and takes metadata from
``# key = value`` lines above the header row (and optionally a TOML file); it streams the file
with caps (:mod:`etm.fit.datafile`). See docs/fitting.md ("Data files") for the
file format. :func:`metadata_number` and :func:`field_curve_axes` check the metadata a model of a
curve needs, with errors naming the file.
"""

from __future__ import annotations

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

from etm.checks import plain
from etm.fit.datafile import (
    MAX_ROWS,
    LineReader,
    number_error,
    parse_number,
    separator_hint,
    split_cells,
)
from etm.fit.units import BASE_UNITS, LOG_UNITS, QUANTITIES, UNITS, convert, split_name
from etm.inputs import read_input

__all__ = [
    "BASE_UNITS",
    "MAX_ROWS",
    "FileHead",
    "temperature_field_axes",
    "QUANTITIES",
    "UNITS",
    "MeasuredCurve",
    "convert",
    "field_curve_axes",
    "metadata_number",
    "read_curve",
    "read_toml_metadata",
    "refuse_late_metadata",
    "with_model_options",
]


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
        return int(self.y.size)  # x may have one column per axis (a Q_i(T, n) grid)


def _parse_meta_value(text: str) -> Any:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    v = parse_number(text)
    return text if v is None else v


def _meta_entry(key: str, value: Any, where: str) -> tuple[str, Any]:
    """Convert a metadata entry whose key names a known quantity to the package's unit."""
    q, unit = split_name(key)
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


def read_toml_metadata(path: Path) -> dict[str, Any]:
    """The plain ``key = value`` entries of a TOML metadata file, converted as metadata lines."""
    raw = read_input(path)
    try:
        data = tomllib.loads(raw.decode("utf-8"))
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

    The file is streamed once and never written (:class:`etm.fit.datafile.LineReader`: regular
    files only, at most :data:`MAX_ROWS` data rows, checked while reading). Its layout::

        # SYNTHETIC data (free-text comment lines are kept as comments)
        # glass = BAS
        # T_K = 0.60
        B_T, Cp_uJ_per_gK, sigma_uJ_per_gK
        0.0, 7.36, 0.07
        ...

    Column names are ``<quantity>_<unit>`` (the quantity has no underscore); ``sigma_<unit>``
    holds the one-sigma uncertainty of y. Other columns are ignored. Metadata lines go above the
    header row; numbers are plain decimals (``7857124``, ``-1.5e-3``).

    Parameters
    ----------
    path : path-like
        The CSV file (UTF-8).
    x : str or sequence of str
        Quantity of the abscissa, or several alternatives (the first present is used), e.g.
        ``("B", "T")``; a key of :data:`QUANTITIES`. It must be strictly increasing (a field
        >= 0, a temperature, frequency or power > 0).
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
        One line naming the file, line and column: not a regular file, too large or too many
        rows, missing column, column without a unit, unknown unit or one of the wrong dimension,
        a row with more or fewer cells than the header, empty / non-numeric / NaN / infinite
        cell, a number in a Python-only form (``7_857124``), a negative field, sigma <= 0,
        duplicated or decreasing x, too few rows, missing metadata, metadata below the header or
        given both as a line and as a column.

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
    tpath = None if metadata_toml is None else Path(metadata_toml)
    extra = {} if tpath is None else read_toml_metadata(tpath)
    with LineReader(path) as reader:
        lines = iter(reader)
        head = FileHead(path)
        header_text = head.read(lines)
        header = split_cells(header_text, f"{path}, line {head.line}")
        found = _locate_columns(path, header, head.line, xs, y, header_text)
        x_q = next(q for q in xs if q in found)
        wanted = [(x_q, QUANTITIES[x_q]), (y, QUANTITIES[y])]
        if "sigma" in found:
            wanted.append(("sigma", QUANTITIES[y]))
        units = []
        for q, dim in wanted:
            j, unit = found[q]
            convert(1.0, unit, dim, f"{path}, line {head.line}, column {j + 1} ({header[j]!r})")
            units.append((unit, dim))
        _refuse_doubly_given(path, header, head, found, extra, tpath)
        cols = [found[q][0] for q, _ in wanted]
        x_low = "" if found[x_q][1] in LOG_UNITS else x_q  # any dBm is a power > 0
        rows, row_lines = _read_rows(reader, lines, head, header, cols, x_low)
        digest = reader.sha256
    if len(rows) < min_points:
        raise ValueError(
            f"{path}: {len(rows)} data rows, at least {min_points} needed (after line {head.line})"
        )
    data = np.array(rows, dtype=float)
    for j, (unit, dim) in enumerate(units):
        data[:, j] = convert(data[:, j], unit, dim, str(path))
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
    sigma = data[:, 2] if "sigma" in found else None

    metadata, meta_line = head.metadata, head.meta_line
    meta_sources = [str(path)]
    if tpath is not None:
        for k, v in extra.items():
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
        columns=tuple(header[j] for j in cols),
        metadata=types.MappingProxyType(metadata),
        comments=tuple(head.comments),
        source=path,
        sha256=digest,
        meta_sources=tuple(meta_sources),
    )


#: Smallest value of an abscissa, by quantity: (bound, strict).
_X_MINIMUM = {"B": (0.0, False), "T": (0.0, True), "f": (0.0, True), "P": (0.0, True)}


class FileHead:
    """The lines above the header row: metadata (package units), their line numbers, comments
    (public for readers of other layouts, e.g. :mod:`etm.fit.resonator_table`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.metadata: dict[str, Any] = {}
        self.meta_line: dict[str, int] = {}
        self.comments: list[str] = []
        self.line = 0

    def read(self, lines: Any) -> str:
        """Consume the lines up to the header row; return the header's text."""
        for i, line in lines:
            s = line.strip()
            if not s:
                continue
            if not s.startswith("#"):
                self.line = i
                return line
            key, value = _meta_line(s)
            if key is None:
                self.comments.append(s[1:].strip())
                continue
            where = f"{self.path}, line {i}"
            k, v = _meta_entry(key, _parse_meta_value(value), where)
            if k in self.metadata:
                raise ValueError(
                    f"{where}: metadata {k!r} given twice (first on line {self.meta_line[k]})"
                )
            self.metadata[k] = v
            self.meta_line[k] = i
        raise ValueError(
            f"{self.path}: no header row (expected e.g. 'B_T, Cp_J_per_gK, sigma_J_per_gK')"
        )


def _meta_line(s: str) -> tuple[str | None, str]:
    """(key, value text) of a ``# key = value`` line, or (None, "") for a free-text comment."""
    key, eq, value = s[1:].strip().partition("=")
    key = key.strip()
    return (key, value) if eq and key.isidentifier() else (None, "")


def _canonical(key: str) -> str:
    """The metadata key a ``<quantity>_<unit>`` name becomes (``T_mK`` -> ``T_K``)."""
    q, unit = split_name(key)
    return f"{q}_{BASE_UNITS[QUANTITIES[q]]}" if q in QUANTITIES and unit else key


def _locate_columns(
    path: Path, header: list[str], hline: int, xs: Sequence[str], y: str, text: str
) -> dict[str, tuple[int, str]]:
    """Quantity -> (column index, unit) of the known columns; x and y must be there."""
    found: dict[str, tuple[int, str]] = {}
    for j, name in enumerate(header):
        q, unit = split_name(name)
        if q not in QUANTITIES and q != "sigma":
            continue
        where = f"{path}, line {hline}, column {j + 1} ({name!r})"
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
    hint = separator_hint(text)
    if not any(q in found for q in xs):
        want = " or ".join(f"{q}_<unit>" for q in xs)
        raise ValueError(
            f"{path}, line {hline}: missing column {want}; found columns: {_shown(header)}{hint}"
        )
    if y not in found:
        raise ValueError(
            f"{path}, line {hline}: missing column {y}_<unit> (e.g. {y}_"
            f"{BASE_UNITS[QUANTITIES[y]]}); found columns: {_shown(header)}{hint}"
        )
    return found


def _shown(header: list[str]) -> str:
    text = ", ".join(header).replace("\t", "\\t")
    return text if len(text) <= 200 else text[:197] + "..."


def _refuse_doubly_given(
    path: Path,
    header: list[str],
    head: FileHead,
    found: dict[str, tuple[int, str]],
    extra: dict[str, Any],
    tpath: Path | None,
) -> None:
    """A quantity given both as a column and as metadata (a ``T_K`` column in a field curve
    and a ``# T_K`` line): which one holds is ambiguous, so the file is refused."""
    for q, (j, unit) in found.items():
        if q == "sigma":
            continue
        key = _canonical(f"{q}_{unit}")
        col = f"column {j + 1} ({header[j]!r}) on line {head.line}"
        if key in head.metadata:
            raise ValueError(
                f"{path}: {key} is given twice, by the metadata line {head.meta_line[key]} and "
                f"by {col}; keep one"
            )
        if key in extra:
            raise ValueError(f"{path}: {key} is given twice, by {tpath} and by {col}; keep one")


def _read_rows(
    reader: LineReader,
    lines: Any,
    head: FileHead,
    header: list[str],
    cols: list[int],
    x_q: str,
) -> tuple[list[list[float]], list[int]]:
    """The wanted cells of every data row (in the file's units) and their line numbers."""
    path, hline = head.path, head.line
    rows: list[list[float]] = []
    row_lines: list[int] = []
    start = reader.offset
    low, strict = _X_MINIMUM.get(x_q, (-math.inf, False))
    for i, line in lines:
        s = line.strip()
        if not s:
            continue
        if s.startswith("#"):
            refuse_late_metadata(path, i, s, head)
            continue
        if len(rows) == MAX_ROWS:
            per_row = max(reader.offset - start, 1) / MAX_ROWS
            about = max(int((reader.size - start) / per_row), MAX_ROWS + 1)
            raise ValueError(
                f"{path}: more than the {MAX_ROWS} data rows a fit takes (about {about} in "
                f"the file; every model evaluation runs over every row): bin or thin the curve "
                f"first, e.g. every {-(-about // MAX_ROWS)}th row"
            )
        cells = split_cells(line, f"{path}, line {i}")
        if len(cells) != len(header):
            what = "extra" if len(cells) > len(header) else "missing"
            raise ValueError(
                f"{path}, line {i}: {len(cells)} cells, but the header on line {hline} has "
                f"{len(header)} ({_shown(header)}): {what} cells{separator_hint(line)}"
            )
        vals = []
        for n, j in enumerate(cols):
            where = f"{path}, line {i}, column {j + 1} ({header[j]!r})"
            text = cells[j]
            if text == "":
                raise ValueError(f"{where}: empty cell")
            v = parse_number(text)
            if v is None:
                raise ValueError(f"{where}: {number_error(text)}")
            if not math.isfinite(v):
                raise ValueError(f"{where}: {text!r} is not a finite number")
            if n == 0 and (v < low or (strict and v == low)):
                rel = ">" if strict else ">="
                raise ValueError(f"{where}: {x_q} must be {rel} {plain(low)}, got {text}")
            if n == 2 and v <= 0:
                zero = (
                    "" if v < 0 or not _nonzero_text(text) else ", which is 0 in double precision"
                )
                raise ValueError(f"{where}: sigma must be > 0, got {text}{zero}")
            vals.append(v)
        rows.append(vals)
        row_lines.append(i)
    return rows, row_lines


def _nonzero_text(text: str) -> bool:
    mantissa = text.lower().partition("e")[0]
    return any(c in "123456789" for c in mantissa)


def refuse_late_metadata(path: Path, i: int, s: str, head: FileHead) -> None:
    """A ``# key = value`` line below the header would be ignored: refuse it, naming the line
    above the header that gives the same key, if any."""
    key, _ = _meta_line(s)
    if key is None:
        return
    k = _canonical(key)
    above = head.meta_line.get(k)
    also = "" if above is None else f", and line {above} above it already gives {k}"
    raise ValueError(
        f"{path}, line {i}: metadata {key!r} below the header row (line {head.line}) would be "
        f"ignored{also}; metadata lines go above the header, each key once"
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
