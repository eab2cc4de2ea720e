"""Reading inputs and writing outputs safely.

Inputs (:func:`open_input`, :func:`read_input`, :func:`sha256_file`, defined in
:mod:`etm.inputs`): regular files only, opened without blocking (a named pipe, a device or a
symlink loop is refused with one line instead of hanging or reading without end), size-capped.

Outputs: single files by atomic replacement (:func:`atomic_write`), output folders as one unit
(:func:`output_folder`, :func:`atomic_write_dir`). An output folder is assembled in a temporary
folder beside the target and put in place by rename, so a reader sees the earlier folder or the
complete new one, and an interrupted run (Ctrl-C, SIGTERM, SIGKILL) leaves no partial folder:

* a target that holds an earlier etm output (recognised by its ``provenance.json`` or
  ``params.json`` written by etm, :data:`MARKERS`) is replaced whole: its stale files go;
* a target that holds anything else is refused, unless ``force=True`` (``--force``): then the
  outputs are moved in among the other files, which stay;
* writers to one target take turns (a lock on the parent folder), so their files never mix;
* an empty ``--out``, a path through a file, a folder where nothing can be created are refused
  up front (:func:`check_output_folder`), before any work.

Used by ``etm reproduce`` and ``etm fit`` (docs/fitting.md, "Output folders"). Reading measured
curves with units is :mod:`etm.fit.data`.
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import json
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from etm.inputs import (
    KINDS,
    MAX_INPUT_BYTES,
    InputError,
    open_input,
    read_input,
    reason,
    sha256_file,
)

__all__ = [
    "MARKERS",
    "MAX_INPUT_BYTES",
    "RECORDED_PACKAGES",
    "InputError",
    "OutputError",
    "atomic_write",
    "atomic_write_dir",
    "atomic_write_json",
    "atomic_write_text",
    "check_output_folder",
    "open_input",
    "output_folder",
    "provenance",
    "read_input",
    "run_environment",
    "sha256_file",
]

#: Files that mark a folder as an earlier etm output: JSON with ``"software": "etm"`` at the top.
#: ``etm reproduce``'s provenance.json lists its files (``"files"``); a fit's params.json does
#: not, and the files of a fit report are :data:`FIT_OUTPUTS`.
MARKERS: tuple[str, ...] = ("provenance.json", "params.json")

#: Names a fit report (``etm fit``, single or joint) writes beside its params.json: a new output
#: of the report must be added here, or a refit into the folder refuses it as not etm's
#: (tests/test_robust_cli.py refits into a report's folder).
FIT_OUTPUTS: tuple[str, ...] = (
    "params.json",
    "params.md",
    "report.html",
    "curves.csv",
    "fit_*.png",
    "overlay.png",
    "parameters_vs_T.png",
    "corner.png",
)

#: Seconds a writer waits for another writer of the same parent folder to finish its swap.
LOCK_WAIT_S: float = 120.0

_STAGING = "etm-staging"


class OutputError(ValueError):
    """An output folder that cannot or may not be written: one line naming the option."""


def provenance(**parameters: Any) -> dict[str, Any]:
    """A provenance record: the package name and version plus the given parameters."""
    from etm import __version__

    return {"software": "etm", "version": __version__, "parameters": parameters}


#: The packages whose versions :func:`run_environment` records.
RECORDED_PACKAGES: tuple[str, ...] = (
    "etm",
    "numpy",
    "scipy",
    "numba",
    "lmfit",
    "emcee",
    "matplotlib",
)


def run_environment() -> dict[str, Any]:
    """When and with what software an output is made: the shared part of every provenance
    record (``etm reproduce``'s provenance.json, ``etm fit``'s params.json and params.md).

    Returns
    -------
    dict
        ``date_utc`` (ISO 8601, seconds), ``versions`` (Python, the platform and each package
        of :data:`RECORDED_PACKAGES`, ``"not installed"`` if absent) and, only when etm is
        imported from a git checkout (its ``__init__.py`` tracked by the repository that holds
        it), ``git`` = ``{"commit": sha, "dirty": bool}``, dirty when a tracked file of the
        package differs from that commit.

    Examples
    --------
    >>> env = run_environment()
    >>> sorted(env["versions"])[:4], env["date_utc"].endswith("Z")
    (['emcee', 'etm', 'lmfit', 'matplotlib'], True)
    """
    import datetime as dt
    import platform
    from importlib import metadata

    versions = {"python": platform.python_version(), "platform": platform.platform()}
    for pkg in RECORDED_PACKAGES:
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = "not installed"
    out: dict[str, Any] = {
        "date_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "versions": versions,
    }
    git = _git_checkout()
    if git is not None:
        out["git"] = git
    return out


def _git_checkout(pkg: Path | None = None) -> dict[str, Any] | None:
    """The commit of the git checkout holding the package folder ``pkg`` (default: etm's), or
    None (no git, no checkout, or the folder belongs to another repository)."""
    import subprocess

    pkg = Path(__file__).resolve().parent if pkg is None else Path(pkg)
    # no optional index lock: a record must never block (or be blocked by) a commit in progress
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}

    def git(*args: str) -> str | None:
        try:
            r = subprocess.run(
                ["git", "-C", str(pkg), *args],
                capture_output=True,
                text=True,
                timeout=10,
                env=env,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return r.stdout.strip() if r.returncode == 0 else None

    if git("ls-files", "--error-unmatch", "--", "__init__.py") is None:
        return None
    commit = git("rev-parse", "HEAD")
    if not commit:
        return None
    status = git("status", "--porcelain", "--untracked-files=no", "--", ".")
    return {"commit": commit, "dirty": bool(status)}


# ----------------------------------------------------------------------------------------------
# single files


def atomic_write(path: str | os.PathLike, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)`` on a temporary file beside ``path``, then rename it into place.

    A reader never sees a half-written file, and a failure leaves any earlier ``path`` intact.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    # mkstemp creates 0600; give the output the permissions a plain open() would (0666 & ~umask)
    os.chmod(tmp, 0o666 & ~_umask())
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


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# ----------------------------------------------------------------------------------------------
# output folders


def check_output_folder(
    path: str | os.PathLike,
    *,
    force: bool = False,
    option: str = "--out",
    names: Iterable[str] = (),
) -> Path:
    """Refuse an output folder that cannot or may not be written, creating nothing.

    Parameters
    ----------
    path : path-like
        The folder (it need not exist).
    force : bool
        Accept a folder that holds files etm did not write (they are kept).
    option : str
        The option the path came from, for the messages.
    names : iterable of str
        Files the output will have, if known: each must not be a folder or other non-file in
        the target.

    Returns
    -------
    Path
        The absolute target (a symlink to a folder resolved).

    Raises
    ------
    OutputError
        One line: an empty path, a path through a file, a folder in which nothing can be
        created, a target holding files etm did not write (without ``force``), an output name
        taken by a folder.

    Examples
    --------
    >>> import tempfile
    >>> check_output_folder(tempfile.mkdtemp() + "/new/out").name
    'out'
    """
    target, _ = _inspect(path, force, option, tuple(names))
    return target


@contextlib.contextmanager
def output_folder(
    path: str | os.PathLike,
    *,
    force: bool = False,
    option: str = "--out",
    wait_s: float = LOCK_WAIT_S,
) -> Iterator[Path]:
    """Assemble an output folder in a temporary folder and put it in place as one unit.

    ``with output_folder(path) as tmp:`` yields an empty temporary folder beside ``path``; when
    the block ends without an exception its content becomes ``path``: a new folder is renamed
    into place, an earlier etm output is exchanged with it (:data:`MARKERS`) and removed, and
    with ``force`` the files are moved in among the others. An exception (Ctrl-C included)
    removes the temporary folder and any parent folder created for it. See the module
    docstring for the rules.

    Parameters
    ----------
    path : path-like
        The output folder.
    force : bool
        Write into a folder that holds files etm did not write (they are kept).
    option : str
        The option the path came from, for the messages.
    wait_s : float
        Seconds to wait for another writer to finish putting its folder in place.

    Yields
    ------
    Path
        The temporary folder to write into.

    Raises
    ------
    OutputError
        As :func:`check_output_folder`, up front; after the block, if the target changed
        meanwhile so that it may not be replaced, or another writer held it for ``wait_s``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()) / "out"
    >>> with output_folder(d) as tmp:
    ...     _ = (tmp / "provenance.json").write_text('{"software": "etm", "files": ["a.txt"]}')
    ...     _ = (tmp / "a.txt").write_text("x")
    >>> sorted(p.name for p in d.iterdir())
    ['a.txt', 'provenance.json']
    """
    target, staging = _inspect(path, force, option, ())
    created = _make_parents(staging)
    inside = staging == target
    _remove_stale(staging, "" if inside else target.name)
    prefix = (
        f".{_STAGING}-{os.getpid()}-" if inside else f".{target.name}.{_STAGING}-{os.getpid()}-"
    )
    try:
        tmp = Path(tempfile.mkdtemp(prefix=prefix, dir=staging))
    except OSError as exc:
        _remove_created(created)
        raise OutputError(f"{option} {path}: cannot write in {staging} ({reason(exc)})") from None
    try:
        os.chmod(tmp, 0o777 & ~_umask())
        yield tmp
        with _locked(target, option, path, wait_s):
            _put_in_place(tmp, target, force, option, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        _remove_created(created)
        raise


def atomic_write_dir(
    path: str | os.PathLike,
    write: Callable[[Path], None],
    *,
    force: bool = False,
    option: str = "--out",
) -> Path:
    """Call ``write(tmp_dir)`` and put ``tmp_dir`` in place as ``path`` (:func:`output_folder`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()) / "out"
    >>> _ = atomic_write_dir(d, lambda t: (t / "a.txt").write_text("x"))
    >>> sorted(p.name for p in d.iterdir())
    ['a.txt']
    """
    with output_folder(path, force=force, option=option) as tmp:
        write(tmp)
    return Path(path)


def _inspect(
    path: str | os.PathLike, force: bool, option: str, names: tuple[str, ...]
) -> tuple[Path, Path]:
    """(target, the folder the temporary folder goes into); refuse what cannot be written."""
    given = os.fspath(path)
    if not isinstance(given, str) or not given.strip():
        raise OutputError(f"{option} must name a folder, got {given!r}")
    where = f"{option} {given}"
    target = Path(os.path.abspath(given))
    if target.parent == target:
        raise OutputError(f"{where}: the root folder cannot be an output folder")
    # walk down from the root: every existing component must be a folder
    probe = Path(target.anchor)
    for part in target.relative_to(target.anchor).parts:
        nxt = probe / part
        try:
            st = os.stat(nxt)
        except FileNotFoundError:
            break
        except OSError as exc:
            raise OutputError(f"{where}: cannot use {nxt} ({reason(exc)})") from None
        if not stat.S_ISDIR(st.st_mode):
            shown = nxt if os.path.isabs(given) else os.path.relpath(nxt)
            raise OutputError(f"{where}: {shown} is {_kind(st)}, not a folder")
        probe = nxt
    if probe != target:  # target does not exist: probe is its nearest existing ancestor
        _probe_writable(probe, where)
        return target, target.parent
    target = target.resolve()
    _, foreign, conflicts = _classify(target, names)
    if foreign and not force:
        raise OutputError(
            f"{where}: holds files etm did not write ({_listing(target, foreign)}); choose "
            "another folder, or add --force to write the outputs among them"
        )
    if conflicts:
        raise OutputError(
            f"{where}: {_listing(target, conflicts)} would be replaced by an output file; "
            "move it away or choose another folder"
        )
    try:
        _probe_writable(target.parent, where)
        return target, target.parent
    except OutputError:
        # the parent cannot be written (e.g. a user's folder in a shared read-only one): stage
        # inside the target and move the files in one by one
        _probe_writable(target, where)
        return target, target


def _kind(st: os.stat_result) -> str:
    return "a file" if stat.S_ISREG(st.st_mode) else KINDS.get(stat.S_IFMT(st.st_mode), "a file")


def _probe_writable(folder: Path, where: str) -> None:
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".etm-probe.", dir=folder))
    except OSError as exc:
        raise OutputError(f"{where}: folder {folder} is not writable ({reason(exc)})") from None


def _listing(folder: Path, names: Iterable[str]) -> str:
    shown = []
    names = sorted(names)
    for n in names[:5]:
        shown.append(n + "/" if (folder / n).is_dir() and not (folder / n).is_symlink() else n)
    more = len(names) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _marker_files(folder: Path, entries: set[str]) -> set[str] | None:
    """The names etm wrote into ``folder``, if a marker says it is an etm output."""
    for marker in MARKERS:
        if marker not in entries:
            continue
        try:
            doc = json.loads(read_input(folder / marker))
        except ValueError:  # InputError, JSON and UTF-8 errors: not a marker
            continue
        if not isinstance(doc, dict) or doc.get("software") != "etm":
            continue
        listed = doc.get("files")
        if isinstance(listed, list) and all(isinstance(n, str) for n in listed):
            own = {n for n in listed if n in entries}
        else:
            own = {n for n in entries if any(fnmatch.fnmatchcase(n, p) for p in FIT_OUTPUTS)}
        return own | {marker}
    return None


def _classify(folder: Path, names: Iterable[str]) -> tuple[set[str], set[str], set[str]]:
    """(names etm wrote, other entries, output names taken by a non-file) in ``folder``."""
    try:
        entries = set(os.listdir(folder))
    except OSError as exc:
        raise OutputError(f"cannot list the folder {folder} ({reason(exc)})") from None
    entries = {e for e in entries if not e.startswith(f".{_STAGING}-")}
    own = _marker_files(folder, entries) or set()
    own = {n for n in own if (folder / n).is_file() and not (folder / n).is_symlink()}
    conflicts = {n for n in names if n in entries and not (folder / n).is_file()}
    return own, entries - own, conflicts


def _make_parents(folder: Path) -> list[Path]:
    created = []
    missing = []
    p = folder
    while not p.exists():
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        try:
            d.mkdir()
        except FileExistsError:
            continue
        created.append(d)
    return created


def _remove_created(created: list[Path]) -> None:
    for d in reversed(created):
        with contextlib.suppress(OSError):
            d.rmdir()  # only if still empty


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process
        return True
    return True


def _remove_stale(folder: Path, name: str) -> None:
    """Remove the temporary folders of ``name`` that killed etm processes (SIGKILL) left in
    ``folder``."""
    stale = re.compile(rf"^{re.escape(f'.{name}.' if name else '.')}{_STAGING}-(\d+)-")
    try:
        entries = os.listdir(folder)
    except OSError:
        return
    for e in entries:
        m = stale.match(e)
        if m and int(m.group(1)) != os.getpid() and not _alive(int(m.group(1))):
            shutil.rmtree(folder / e, ignore_errors=True)


@contextlib.contextmanager
def _locked(target: Path, option: str, path: Any, wait_s: float) -> Iterator[None]:
    """Hold an exclusive lock on the parent folder of ``target`` (flock on the folder itself:
    no lock file to leave behind, released by the kernel if the process dies)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        yield
        return
    folder = target.parent
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # a parent that cannot be read: lock the target itself
        folder = target
        fd = os.open(folder, os.O_RDONLY)
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise OutputError(
                        f"{option} {path}: another etm process kept writing in {folder} for "
                        f"{wait_s:g} s; try again when it has finished"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # releases the lock


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _holds_cwd(target: Path) -> bool:
    try:
        cwd = Path.cwd().resolve()
    except OSError:
        return False
    return cwd == target or target in cwd.parents


def _put_in_place(tmp: Path, target: Path, force: bool, option: str, path: Any) -> None:
    where = f"{option} {os.fspath(path)}"
    if not os.path.lexists(target):
        os.rename(tmp, target)
        return
    new = set(os.listdir(tmp))
    own, foreign, conflicts = _classify(target, new)
    if foreign and not force:
        raise OutputError(
            f"{where}: files etm did not write appeared there meanwhile "
            f"({_listing(target, foreign)}); nothing was written"
        )
    if conflicts:
        raise OutputError(
            f"{where}: {_listing(target, conflicts)} would be replaced by an output file; "
            "nothing was written"
        )
    if not foreign and tmp.parent == target.parent and not _holds_cwd(target):
        if not _exchange(tmp, target):
            old = Path(
                tempfile.mkdtemp(
                    prefix=f".{target.name}.{_STAGING}-{os.getpid()}-old-", dir=target.parent
                )
            )
            os.rename(target, old / "x")
            os.rename(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
            return
        shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the earlier output
        return
    # one by one, the markers last: a marker says its folder is complete
    for n in sorted(new, key=lambda n: (n in MARKERS, n)):
        os.replace(tmp / n, target / n)
    for n in own - new:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target / n)
    shutil.rmtree(tmp, ignore_errors=True)
