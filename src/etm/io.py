"""Writing outputs safely: atomic replacement, provenance records, file digests.

Used by ``etm reproduce`` and the fit reports (docs/fitting.md). Reading measured curves with
units is :mod:`etm.fit.data`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = [
    "atomic_write",
    "atomic_write_dir",
    "atomic_write_json",
    "atomic_write_text",
    "provenance",
    "sha256_file",
]


def provenance(**parameters: Any) -> dict[str, Any]:
    """A provenance record: the package name and version plus the given parameters."""
    from etm import __version__

    return {"software": "etm", "version": __version__, "parameters": parameters}


def atomic_write(path: str | os.PathLike, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)`` on a temporary file beside ``path``, then rename it into place.

    A reader never sees a half-written file, and a failure leaves any earlier ``path`` intact.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    # mkstemp creates 0600; give the output the permissions a plain open() would (0666 & ~umask)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    tmp_path = Path(tmp)
    try:
        write(tmp_path)
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    return atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def atomic_write_json(path: str | os.PathLike, obj: Any) -> Path:
    """Write ``obj`` as indented JSON to ``path`` atomically."""
    return atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=True) + "\n")


def sha256_file(path: str | os.PathLike) -> str:
    """SHA-256 hex digest of a file's bytes (read-only)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def atomic_write_dir(path: str | os.PathLike, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_dir)`` on a new temporary folder beside ``path``, then rename it to
    ``path``.

    If ``path`` does not exist, a reader sees either no folder or the complete one, and a
    failure leaves nothing behind. If it exists (it may hold other files, even the inputs),
    the files are moved into it one by one, each replacing its namesake atomically.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()) / "out"
    >>> _ = atomic_write_dir(d, lambda t: (t / "a.txt").write_text("x"))
    >>> sorted(p.name for p in d.iterdir())
    ['a.txt']
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        if not path.exists():
            os.chmod(tmp, 0o777 & ~umask)
            os.replace(tmp, path)
            return path
        for f in sorted(tmp.iterdir()):
            os.replace(f, path / f.name)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return path
