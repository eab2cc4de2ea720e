"""etm: the extended tunneling model (ETM) of glasses at low temperature.

Energies are in kelvin (E/k_B), temperatures in K, magnetic fields in tesla.

``import etm`` stays light (numpy and the constants only); the physics modules are imported
when used (``from etm import heat_capacity`` or ``etm.heat_capacity``), and ``etm.sweep(...)``
(:func:`etm.sweeps.sweep`; xarray and dask only when it runs) on first access
(docs/performance.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from etm.constants import ab_energy

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
