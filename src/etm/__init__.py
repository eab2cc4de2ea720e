"""etm: the extended tunneling model (ETM) of glasses at low temperature.

Energies are in kelvin (E/k_B), temperatures in K, magnetic fields in tesla.

``import etm`` stays light (numpy and the constants only); the physics modules are imported
when used (``from etm import heat_capacity`` or ``etm.heat_capacity``), and ``etm.sweep(...)``
(:func:`etm.sweeps.sweep`; xarray and dask only when it runs) on first access
(docs/performance.md).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

from etm.constants import ab_energy


def _writable_or_creatable(path: str) -> bool:
    """Whether ``path`` is a writable folder or could be created as one."""
    while not os.path.exists(path):
        parent = os.path.dirname(path)
        if parent == path:
            return False
        path = parent
    return os.path.isdir(path) and os.access(path, os.W_OK | os.X_OK)


def _numba_cache_fallback() -> None:
    """Point numba's on-disk cache at a private temporary folder when it has nowhere to go.

    Every compiled kernel is ``njit(cache=True)``; numba caches beside the source (``__pycache__``
    of an installed package is often read-only) or in the user's cache folder (``~/.cache/numba``,
    not writable when HOME is not: a cluster job, a container, ``HOME=/nonexistent``). With
    neither, numba refuses at import: ``cannot cache function ...: no locator available``. Then
    ``NUMBA_CACHE_DIR`` is set to a folder of this user under the temporary directory (created
    0700, or a fresh one if that name is taken by someone else). A ``NUMBA_CACHE_DIR`` already
    set is left alone.
    """
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    here = os.path.dirname(os.path.abspath(__file__))
    if all(
        _writable_or_creatable(os.path.join(d, "__pycache__")) for d in (here, f"{here}/ensemble")
    ):
        return
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if _writable_or_creatable(os.path.join(xdg, "numba")):
        return
    import stat
    import tempfile

    try:
        uid = os.getuid()
        folder = os.path.join(tempfile.gettempdir(), f"etm-numba-cache-{uid}")
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            st = os.lstat(folder)
            mine = stat.S_ISDIR(st.st_mode) and st.st_uid == uid
            if not mine or st.st_mode & 0o022:  # not ours to trust: numba loads pickles from it
                folder = tempfile.mkdtemp(prefix="etm-numba-cache-")
    except (OSError, AttributeError):  # no writable temporary folder (or no getuid)
        return
    os.environ["NUMBA_CACHE_DIR"] = folder
    config = sys.modules.get("numba.core.config")
    if config is not None:  # numba imported before etm: make it read the variable again
        config.reload_config()


_numba_cache_fallback()

if TYPE_CHECKING:  # pragma: no cover
    from etm.sweeps import sweep

__all__ = ["__version__", "ab_energy", "sweep"]


def __getattr__(name: str) -> Any:
    # lazy attributes (PEP 562): the version (importlib.metadata costs ~20 ms), the function
    # etm.sweep (defined in etm.sweeps) and the subpackages, on first attribute access
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("etm")
        except PackageNotFoundError:  # pragma: no cover - a source tree without install
            return "0+unknown"
    import importlib

    if name == "sweep":
        from etm.sweeps import sweep

        return sweep

    try:
        return importlib.import_module(f"etm.{name}")
    except ModuleNotFoundError as err:
        if err.name != f"etm.{name}":
            raise
        raise AttributeError(f"module 'etm' has no attribute {name!r}") from None
