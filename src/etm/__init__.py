"""etm: the extended tunneling model (ETM) of glasses at low temperature.

Energies are in kelvin (E/k_B), temperatures in K, magnetic fields in tesla.
"""

from importlib.metadata import PackageNotFoundError, version

from etm.constants import ab_energy

try:
    __version__ = version("etm")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

__all__ = ["__version__", "ab_energy"]
