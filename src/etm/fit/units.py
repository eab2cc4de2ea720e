"""Units of measured curves: the explicit table of units, quantities and conversions.

A column or metadata key of a data file is ``<quantity>_<unit>`` (``B_mT``, ``Cp_uJ_per_gK``,
``T_mK``); :func:`convert` turns a value in a unit of :data:`UNITS` into the package's unit of
its dimension (:data:`BASE_UNITS`: K, T, J/(g K), s, Hz, W, J/(T g)). :mod:`etm.fit.data` reads
the files and re-exports these names.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["BASE_UNITS", "LOG_UNITS", "QUANTITIES", "UNITS", "convert", "scale", "split_name"]


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
    # dBm (a resonator's drive, ``P_dBm``) is logarithmic: :data:`LOG_UNITS` converts it
    "dBm": ("power", math.nan),
    # magnetization per gram: J/(T g) = A m^2/g; 1 emu/g = 1e-3 A m^2/g
    "J_per_Tg": ("magnetization", 1.0),
    "Am2_per_g": ("magnetization", 1.0),
    "J_per_Tkg": ("magnetization", 1e-3),
    "Am2_per_kg": ("magnetization", 1e-3),
    "emu_per_g": ("magnetization", 1e-3),
    "memu_per_g": ("magnetization", 1e-6),
    "uemu_per_g": ("magnetization", 1e-9),
}

#: Logarithmic units: unit -> the conversion to the package's unit (P [W] = 1 mW 10^(dBm/10)).
LOG_UNITS: dict[str, Any] = {"dBm": lambda v: 1e-3 * 10.0 ** (np.asarray(v, dtype=float) / 10.0)}

#: The package's unit of each dimension (what :func:`etm.fit.data.read_curve` converts to).
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
    # the nominal frequency of a resonator whose f0(T) is the data (etm fit --observable f0)
    "fnom": "frequency",
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
    >>> convert(-30.0, "dBm", "power", "example")  # 1 uW
    1e-06
    """
    allowed = ", ".join(u for u, (d, _) in UNITS.items() if d == dimension)
    if unit not in UNITS:
        raise ValueError(f"{where}: unknown unit {unit!r} for a {dimension}; allowed: {allowed}")
    dim, factor = UNITS[unit]
    if dim != dimension:
        raise ValueError(
            f"{where}: unit {unit!r} is a {dim}, but a {dimension} is needed; allowed: {allowed}"
        )
    if unit in LOG_UNITS:
        out = LOG_UNITS[unit](value)
        return float(out) if np.ndim(out) == 0 else out
    return scale(value, factor)


def scale(value: Any, factor: float) -> Any:
    """``value * factor``, but divided by the exact integer 1/factor for sub-unit prefixes, so
    that decimal inputs stay correctly rounded (5 uJ -> 5e-06, not 4.9999999999999996e-06)."""
    inv = round(1.0 / factor)
    if factor < 1.0 and inv * factor == 1.0:
        return value / inv
    return value * factor


def split_name(name: str) -> tuple[str, str | None]:
    """``"Cp_uJ_per_gK"`` -> ``("Cp", "uJ_per_gK")``; ``"B"`` -> ``("B", None)``."""
    q, sep, unit = name.partition("_")
    return q, (unit if sep else None)
