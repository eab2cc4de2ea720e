"""Reading input files defensively: regular files only, never blocking, size-capped.

Every file etm reads that a user names (data files, ``--meta`` and ``--plan`` TOML, a
``--from`` params.json) goes through :func:`open_input`: the path is checked with
:func:`os.stat` before it is opened, so a named pipe (which would block forever), a device such
as /dev/zero (which would read without end), a folder or a symlink loop is refused with one
line naming the file. :func:`read_input` reads a small file whole up to a size cap;
:func:`sha256_file` digests a file in blocks. Measured curves are streamed by
:mod:`etm.fit.datafile` with their own caps. :mod:`etm.io` re-exports these names.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from pathlib import Path
from typing import BinaryIO

__all__ = [
    "KINDS",
    "MAX_INPUT_BYTES",
    "InputError",
    "open_input",
    "read_input",
    "reason",
    "resolved",
    "sha256_file",
]

#: Largest settings file (TOML plan or metadata, params.json) :func:`read_input` reads [bytes].
MAX_INPUT_BYTES: int = 64 * 2**20

#: What a path that is not a regular file is, for the messages.
KINDS: dict[int, str] = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}


class InputError(ValueError):
    """An input that cannot be read: the message is one line naming the file."""


def open_input(path: str | os.PathLike, label: str | None = None) -> BinaryIO:
    """Open a regular file for reading in binary mode, never blocking.

    The path is checked with :func:`os.stat` before it is opened (a FIFO, device, socket or
    folder is refused), and opened with ``O_NONBLOCK`` so that a FIFO swapped in meanwhile does
    not block; the open descriptor is checked again.

    Parameters
    ----------
    path : path-like
        The file.
    label : str, optional
        How the message names the file (default: the path), e.g. ``"--meta m.toml"``.

    Returns
    -------
    BinaryIO
        The open file (the caller closes it).

    Raises
    ------
    InputError
        One line: ``<label>: cannot read (No such file or directory)``, ``<label>: not a regular
        file (a named pipe (FIFO))``, a symlink loop, no permission.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> _ = p.write_text("x")
    >>> with open_input(p) as f:
    ...     f.read()
    b'x'
    """
    label = str(path) if label is None else label
    try:
        st = os.stat(path)
        _check_regular(st, label)
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputError(f"{label}: cannot read ({reason(exc)})") from None
    try:
        _check_regular(os.fstat(fd), label)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def _check_regular(st: os.stat_result, label: str) -> None:
    if not stat.S_ISREG(st.st_mode):
        kind = KINDS.get(stat.S_IFMT(st.st_mode), "not a file")
        raise InputError(f"{label}: not a regular file ({kind})")


def reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "a symlink loop"
    return exc.strerror or str(exc)


def read_input(
    path: str | os.PathLike, *, max_bytes: int = MAX_INPUT_BYTES, label: str | None = None
) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``, read without blocking.

    Raises :class:`InputError` (one line, naming ``label`` or the path) for anything
    :func:`open_input` refuses and for a file larger than ``max_bytes`` (checked while reading,
    so a growing file cannot exceed it either).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.toml"
    >>> _ = p.write_text("x = 1")
    >>> read_input(p)
    b'x = 1'
    """
    label = str(path) if label is None else label
    with open_input(path, label) as f:
        try:
            data = f.read(max_bytes + 1)
        except OSError as exc:
            raise InputError(f"{label}: cannot read ({reason(exc)})") from None
    if len(data) > max_bytes:
        raise InputError(f"{label}: larger than {max_bytes} bytes; not a file etm reads")
    return data


def sha256_file(path: str | os.PathLike, label: str | None = None) -> str:
    """SHA-256 hex digest of a regular file's bytes (read-only, streamed in 1 MB blocks).

    Raises :class:`InputError` for anything :func:`open_input` refuses.
    """
    h = hashlib.sha256()
    label = str(path) if label is None else label
    with open_input(path, label) as f:
        try:
            for block in iter(lambda: f.read(2**20), b""):
                h.update(block)
        except OSError as exc:
            raise InputError(f"{label}: cannot read ({reason(exc)})") from None
    return h.hexdigest()


def resolved(path: str | os.PathLike) -> str:
    """``path`` made absolute with its symlinks resolved, as far as they resolve.

    ``Path.resolve`` raises ``RuntimeError`` on a symlink loop (Python < 3.13); this returns the
    absolute path instead, so that reading it gives the one-line error of :func:`open_input`.

    Examples
    --------
    >>> import os
    >>> resolved("a.csv") == os.path.join(os.path.realpath(os.getcwd()), "a.csv")
    True
    """
    try:
        return str(Path(path).resolve())
    except (OSError, RuntimeError):
        return os.path.abspath(path)
