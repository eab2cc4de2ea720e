"""Streaming a measured-curve file with caps: lines, cells and plain numbers.

:func:`etm.fit.data.read_curve` reads a data file through :class:`LineReader`, which never holds
more than one block of the file: the file is opened as a regular file only
(:func:`etm.inputs.open_input`: no named pipe, device or symlink loop), its SHA-256 is updated
as it is read, and every cap is checked while streaming, before anything is parsed whole:

* :data:`MAX_ROWS` data rows (a longer curve would hold the fit for hours),
* :data:`MAX_BYTES` bytes in all (blank and comment lines included),
* :data:`MAX_LINE_CHARS` characters per line (below the csv module's field limit, so a
  cell or header of any length gives one line naming the file and line).

Cells are numbers only in the plain decimal form of a CSV file (:func:`parse_number`): Python's
``float`` also accepts ``7_857124``, ``infinity`` and non-ASCII digits, which a spreadsheet or
another reader would not read as the same number.
"""

from __future__ import annotations

import csv
import hashlib
import math
import os
import re
from collections.abc import Iterator
from typing import BinaryIO

from etm.inputs import InputError, open_input, reason

__all__ = [
    "MAX_BYTES",
    "MAX_LINE_CHARS",
    "MAX_ROWS",
    "LineReader",
    "number_error",
    "parse_number",
    "separator_hint",
    "split_cells",
]

#: Most data rows one curve file may hold: the fit evaluates the whole ensemble model at every row
#: per step (~0.1 ms per row for eps at any frequency), so longer curves are refused up front.
MAX_ROWS: int = 20_000
#: Largest curve file [bytes]: 20000 rows of a few dozen columns fit many times over.
MAX_BYTES: int = 64 * 2**20
#: Longest line [characters]; the csv module refuses fields above 131072 characters.
MAX_LINE_CHARS: int = 65_536

_BLOCK = 2**20
_EOL = re.compile(rb"\r\n|\r|\n")
_PLAIN = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_NONFINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.ASCII | re.IGNORECASE)


class LineReader:
    """The decoded lines of a file, streamed in blocks with the caps of this module.

    Iterating yields ``(line_number, text)`` (1-based; ``\\r\\n``, ``\\r`` and ``\\n`` end a
    line; a UTF-8 byte-order mark at the start is dropped). :attr:`sha256` is the digest of the
    bytes read so far (of the whole file once iteration has ended); :attr:`offset` the bytes read
    up to the current line and :attr:`size` the file's size when opened.

    Parameters
    ----------
    path : path-like
        The file.

    Raises
    ------
    etm.inputs.InputError
        One line naming the file: not a regular file, cannot be read, larger than
        :data:`MAX_BYTES`, a line longer than :data:`MAX_LINE_CHARS`, not UTF-8.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.csv"
    >>> _ = p.write_bytes(b"a,b\\r\\n1,2\\n")
    >>> with LineReader(p) as r:
    ...     list(r)
    [(1, 'a,b'), (2, '1,2')]
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.label = str(path)
        self._file: BinaryIO = open_input(path, self.label)
        self.size = os.fstat(self._file.fileno()).st_size
        self.offset = 0
        self._digest = hashlib.sha256()

    def __enter__(self) -> LineReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self._file.close()

    @property
    def sha256(self) -> str:
        """SHA-256 hex digest of the bytes read so far."""
        return self._digest.hexdigest()

    def _blocks(self) -> Iterator[bytes]:
        read = 0
        while True:
            try:
                block = self._file.read(_BLOCK)
            except OSError as exc:
                raise InputError(f"{self.label}: cannot read ({reason(exc)})") from None
            if not block:
                return
            read += len(block)
            if read > MAX_BYTES:
                raise InputError(
                    f"{self.label}: larger than {MAX_BYTES // 2**20} MB; a curve etm fits is "
                    f"at most {MAX_ROWS} rows: bin or thin it first"
                )
            self._digest.update(block)
            yield block

    def __iter__(self) -> Iterator[tuple[int, str]]:
        pending = b""
        number = 0
        base = 0  # file offset of pending[0]
        for block in self._blocks():
            pending += block
            # a trailing \r may be the first half of \r\n: keep it for the next block
            hold = pending.endswith(b"\r")
            body = pending[:-1] if hold else pending
            pos = 0
            for m in _EOL.finditer(body):
                number += 1
                self.offset = base + pos
                yield number, self._decode(body[pos : m.start()], number, base + pos)
                pos = m.end()
            pending = body[pos:] + (b"\r" if hold else b"")
            base += pos
            if len(pending) > 4 * MAX_LINE_CHARS:
                self._too_long(number + 1)
        pending = pending[:-1] if pending.endswith(b"\r") else pending
        if pending:
            number += 1
            self.offset = base
            yield number, self._decode(pending, number, base)

    def _decode(self, raw: bytes, number: int, start: int) -> str:
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{self.label}, line {number}: not UTF-8 text (byte {start + exc.start})"
            ) from None
        if len(text) > MAX_LINE_CHARS:
            self._too_long(number)
        return text

    def _too_long(self, number: int) -> None:
        raise InputError(
            f"{self.label}, line {number}: longer than {MAX_LINE_CHARS} characters; not a row "
            "of a curve file (a binary file, or one without line breaks?)"
        )


def split_cells(line: str, where: str) -> list[str]:
    """The stripped cells of one comma-separated line; one-line ``ValueError`` naming ``where``.

    Examples
    --------
    >>> split_cells(' 1, "2" ,x', "f.csv, line 3")
    ['1', '"2"', 'x']
    """
    try:
        return [c.strip() for c in next(csv.reader([line]))]
    except (csv.Error, StopIteration) as exc:
        raise ValueError(f"{where}: not a comma-separated row ({exc})") from None


def parse_number(text: str) -> float | None:
    """``float(text)`` if ``text`` is a plain decimal number, else None.

    Examples
    --------
    >>> parse_number("-1.5e-3"), parse_number("7_857124"), parse_number("nan")
    (-0.0015, None, None)
    """
    return float(text) if _PLAIN.fullmatch(text) else None


def number_error(text: str) -> str:
    """Why ``text`` is not a number a data file may hold (``parse_number`` gave None).

    Examples
    --------
    >>> number_error("7_857124")
    "not a number: '7_857124' (digit-group underscores are Python's spelling; write 7857124)"
    >>> number_error("NaN")
    "'NaN' is not a finite number"
    """
    if _NONFINITE.fullmatch(text):
        return f"{text!r} is not a finite number"
    if "_" in text and _PLAIN.fullmatch(text.replace("_", "")):
        return (
            f"not a number: {text!r} (digit-group underscores are Python's spelling; write "
            f"{text.replace('_', '')})"
        )
    try:
        v = float(text)
    except ValueError:
        return f"not a number: {text!r}"
    if math.isfinite(v):
        return f"not a number: {text!r} (not a plain decimal number; write {v!r})"
    return f"{text!r} is not a finite number"


def separator_hint(text: str) -> str:
    """A hint if a line seems to be separated by tabs or semicolons instead of commas.

    Examples
    --------
    >>> separator_hint("B_T;Cp_J_per_gK")
    '; the file seems to be separated by semicolons: etm reads comma-separated values'
    """
    for sep, name in (("\t", "tabs"), (";", "semicolons")):
        if sep in text and text.count(sep) >= text.count(","):
            return f"; the file seems to be separated by {name}: etm reads comma-separated values"
    return ""
