"""Every argument check of the package, with one message style.

A refused argument raises ``ValueError`` (a value out of range) or ``TypeError`` (an object of the
wrong kind) with one line that names the argument, the allowed range with its unit and the given
value as a plain number::

    T_K must be finite and > 0 [K], got -1
    f_Hz must be finite and >= 0 [Hz], got nan (at index 3)

Values are printed with :func:`plain` (``-1``, ``2.5e-06``, ``nan``), never as reprs such as
``np.float64(-1.0)``. Physics modules call these functions instead of writing their own checks.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "plain",
    "check_finite",
    "check_positive",
    "check_array",
    "check_nonneg",
    "check_temperature",
    "check_frequency",
    "check_drive_ratio",
    "check_fraction",
    "check_choice",
    "check_int",
    "check_instance",
]


def plain(value: Any) -> str:
    """``value`` as a plain number for a message: ``-1``, ``2.5e-06``, ``nan``, ``inf``.

    Numpy scalars and 0-d arrays print like Python floats; anything that is not a number prints
    as its ``str`` (at most 60 characters).

    Examples
    --------
    >>> plain(np.float64(-1.0)), plain(2.5e-6), plain(float("nan")), plain("abc")
    ('-1', '2.5e-06', 'nan', "'abc'")
    """
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    try:
        v = float(value)
    except (TypeError, ValueError):
        s = repr(value) if isinstance(value, str) else str(value)
        return s if len(s) <= 60 else s[:57] + "..."
    if math.isfinite(v) and v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.6g}"


def _unit(unit: str) -> str:
    return f" [{unit}]" if unit else ""


def check_finite(name: str, value: Any, unit: str = "") -> float:
    """Return ``float(value)``; ``ValueError`` naming ``name`` unless it is a finite number.

    Examples
    --------
    >>> check_finite("E0_K", "2")
    2.0
    """
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be a finite real number{_unit(unit)}, got {plain(value)}"
        ) from None
    if not math.isfinite(v):
        raise ValueError(f"{name} must be a finite real number{_unit(unit)}, got {plain(v)}")
    return v


def check_positive(name: str, value: Any, *, allow_zero: bool = False, unit: str = "") -> float:
    """Return ``float(value)``; ``ValueError`` unless it is finite and > 0 (>= 0 with allow_zero).

    Examples
    --------
    >>> check_positive("nP_per_g", 1e17)
    1e+17
    """
    v = check_finite(name, value, unit)
    if v < 0 or (v == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be {bound}{_unit(unit)}, got {plain(value)}")
    return v


def check_fraction(name: str, value: Any) -> float:
    """Return ``float(value)``; ``ValueError`` unless 0 < value <= 1 (a filling factor, say)."""
    v = check_finite(name, value)
    if not 0.0 < v <= 1.0:
        raise ValueError(f"{name} must satisfy 0 < {name} <= 1, got {plain(value)}")
    return v


def _first_bad(a: NDArray, bad: NDArray) -> str:
    """The first value flagged in ``bad``, with its index when ``a`` is not a scalar."""
    i = int(np.flatnonzero(bad.ravel())[0])
    if a.ndim == 0:
        return plain(a.ravel()[i])
    idx = np.unravel_index(i, a.shape)
    where = str(int(idx[0])) if a.ndim == 1 else str(tuple(int(k) for k in idx))
    return f"{plain(a.ravel()[i])} (at index {where})"


def check_array(
    name: str, x: ArrayLike, *, minimum: float = 0.0, strict: bool = False, unit: str = ""
) -> NDArray[np.float64]:
    """``x`` as a float array; ``ValueError`` unless every value is finite and >= ``minimum``
    (> ``minimum`` with ``strict``). The message names the first bad value and its index.

    Examples
    --------
    >>> check_array("B_T", [0.0, 1.0]).tolist()
    [0.0, 1.0]
    """
    try:
        a = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be an array of numbers{_unit(unit)}, got {plain(x)}"
        ) from None
    rel = ">" if strict else ">="
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(a) | ((a <= minimum) if strict else (a < minimum))
    if bad.any():
        raise ValueError(
            f"{name} must be finite and {rel} {plain(minimum)}{_unit(unit)}, "
            f"got {_first_bad(a, bad)}"
        )
    return a


def check_nonneg(name: str, x: ArrayLike, unit: str = "") -> NDArray[np.float64]:
    """``x`` as a float array; ``ValueError`` unless every value is finite and >= 0."""
    return check_array(name, x, minimum=0.0, unit=unit)


def check_temperature(T_K: ArrayLike, name: str = "T_K") -> NDArray[np.float64]:
    """``T_K`` as a float array; ``ValueError`` unless every value is finite and > 0 [K]."""
    return check_array(name, T_K, minimum=0.0, strict=True, unit="K")


def check_frequency(f_Hz: ArrayLike, *, positive: bool = False) -> NDArray[np.float64]:
    """``f_Hz`` as a float array; ``ValueError`` unless finite and >= 0 (> 0 with positive) [Hz]."""
    return check_array("f_Hz", f_Hz, minimum=0.0, strict=positive, unit="Hz")


def check_drive_ratio(drive_ratio: ArrayLike) -> NDArray[np.float64]:
    """``drive_ratio`` = (F/F_c)^2 = P/P_c as a float array; ``ValueError`` unless finite, >= 0."""
    return check_array("drive_ratio", drive_ratio, minimum=0.0)


def check_choice(name: str, value: Any, allowed: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``allowed``; ``ValueError`` listing them otherwise.

    Examples
    --------
    >>> check_choice("orientation", "aligned", ("isotropic", "aligned"))
    'aligned'
    """
    allowed = tuple(allowed)
    if not isinstance(value, str) or value not in allowed:
        opts = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {opts}, got {plain(value)}")
    return value


def check_int(name: str, value: Any, *, minimum: int = 0, maximum: int | None = None) -> int:
    """Return ``value`` as an int; ``ValueError`` unless an integer in [minimum, maximum]."""
    ok = isinstance(value, int | np.integer) and not isinstance(value, bool)
    if not ok and isinstance(value, float | np.floating) and float(value).is_integer():
        ok = True
    top = "" if maximum is None else f" and <= {maximum}"
    if not ok or value < minimum or (maximum is not None and value > maximum):
        raise ValueError(f"{name} must be an integer >= {minimum}{top}, got {plain(value)}")
    return int(value)


def check_instance(name: str, value: Any, kind: type | tuple[type, ...], how: str = "") -> Any:
    """Return ``value`` if it is an instance of ``kind``; ``TypeError`` saying how to build one.

    Examples
    --------
    >>> check_instance("n", 3, int)
    3
    """
    if not isinstance(value, kind):
        kinds = kind if isinstance(kind, tuple) else (kind,)
        names = " or ".join(k.__name__ for k in kinds)
        hint = f" ({how})" if how else ""
        raise TypeError(
            f"{name} must be a {names}{hint}, got {type(value).__name__} {plain(value)}"
        )
    return value
