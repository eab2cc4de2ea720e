"""Catalog objects accepted wherever a parameter set is needed.

Every observable takes its parameters as a frozen dataclass of :mod:`etm.params`; these functions
also accept what :mod:`etm.materials` hands out: a :class:`~etm.params.Material` (a glass at one
heat-capacity temperature) where an :class:`~etm.params.ATSParams` is needed, a
:class:`~etm.materials.DielectricRow` or :class:`~etm.materials.EchoRow` where their parameters
are, and a :class:`~etm.materials.Glass` where it has exactly one row of the kind needed. Anything
else (a name string, ``None``, a number) is a ``TypeError`` naming the argument and saying how to
build the right object.

Examples
--------
>>> from etm import materials
>>> as_ats(materials.get("BAS").at(0.6)).Dmin_K
0.49
>>> as_dielectric(materials.get("BK7")).Dmin_K  # BK7 has one Table 5 row
0.03
"""

from __future__ import annotations

from typing import Any

from etm.checks import plain
from etm.params import ATSParams, DielectricATS, EchoParams, Material, NEQMParams, Pulses

__all__ = ["as_ats", "as_dielectric", "as_echo", "as_pulses", "as_material"]

_HOW_ATS = (
    "an ATSParams, or a Material from etm.materials.get(name).at(T_K), e.g. "
    "etm.materials.get('BAS').at(0.6)"
)
_HOW_MATERIAL = (
    "a Material from etm.materials.get(name).at(T_K), e.g. etm.materials.get('BAS').at(0.6)"
)
_HOW_DIELECTRIC = (
    "a DielectricATS, or a row from etm.materials.dielectric_row(name, T_K), e.g. "
    "etm.materials.dielectric_row('BAS', 0.05)"
)
_HOW_ECHO = (
    "an EchoParams, or a row from etm.materials.echo_row(name), e.g. "
    "etm.materials.echo_row('BAS sample 2')"
)


def _glass_rows(value: Any, attr: str) -> tuple | None:
    """The rows ``attr`` of a Glass (duck-typed: materials imports this module), else None."""
    if type(value).__name__ == "Glass" and hasattr(value, attr):
        return tuple(getattr(value, attr))
    return None


def _refuse(name: str, value: Any, how: str, extra: str = "") -> TypeError:
    if isinstance(getattr(value, "name", None), str):
        got = f"{type(value).__name__} {value.name!r}"
    else:
        got = f"{type(value).__name__} {plain(value)}"
    return TypeError(f"{name} must be {how}; got {got}{extra}")


def _one_row(name: str, value: Any, attr: str, what: str, how: str):
    rows = _glass_rows(value, attr)
    if rows is None:
        return None
    if len(rows) == 1:
        return rows[0]
    if not rows:
        raise _refuse(name, value, how, f" (the essay has no {what} for {value.name})")
    keys = ", ".join(f"{r.T_K:g} K" if what != "echo fit" else repr(r.name) for r in rows)
    raise _refuse(name, value, how, f" ({value.name} has {len(rows)} {what}s: {keys}; pick one)")


def as_ats(value: Any, name: str = "params") -> ATSParams:
    """An :class:`ATSParams` from an ATSParams, a Material or a Glass with one Cp row."""
    if isinstance(value, ATSParams):
        return value
    if isinstance(value, Material):
        return value.ats
    row = _one_row(name, value, "heat_capacity_rows", "heat-capacity fit", _HOW_ATS)
    if row is not None:
        return value.at(row.T_K).ats
    raise _refuse(name, value, _HOW_ATS)


def as_material(value: Any, name: str = "material") -> Material:
    """A :class:`Material` from a Material or a Glass with one heat-capacity row."""
    if isinstance(value, Material):
        return value
    row = _one_row(name, value, "heat_capacity_rows", "heat-capacity fit", _HOW_MATERIAL)
    if row is not None:
        return value.at(row.T_K)
    raise _refuse(name, value, _HOW_MATERIAL)


def as_dielectric(value: Any, name: str = "params") -> DielectricATS:
    """A :class:`DielectricATS` from itself, a DielectricRow or a Glass with one such row."""
    if isinstance(value, DielectricATS):
        return value
    if isinstance(getattr(value, "params", None), DielectricATS):
        return value.params
    row = _one_row(name, value, "dielectric_rows", "dielectric fit", _HOW_DIELECTRIC)
    if row is not None:
        return row.params
    raise _refuse(name, value, _HOW_DIELECTRIC)


def as_echo(value: Any, name: str = "params") -> EchoParams:
    """An :class:`EchoParams` from itself, an EchoRow or a Glass with one echo row."""
    if isinstance(value, EchoParams):
        return value
    if isinstance(getattr(value, "params", None), EchoParams):
        return value.params
    row = _one_row(name, value, "echo_rows", "echo fit", _HOW_ECHO)
    if row is not None:
        return row.params
    raise _refuse(name, value, _HOW_ECHO)


def as_neqm(value: Any, name: str = "params") -> NEQMParams:
    """An :class:`NEQMParams` from itself or an NEQM row (``etm.materials.neqm_row(name)``)."""
    if isinstance(value, NEQMParams):
        return value
    if isinstance(getattr(value, "params", None), NEQMParams):
        return value.params
    raise _refuse(
        name,
        value,
        "an NEQMParams, or a row from etm.materials.neqm_row(name), e.g. "
        "etm.materials.neqm_row('BAS sample 2')",
    )


def as_pulses(value: Any, params: Any = None, name: str = "pulses") -> Pulses:
    """The :class:`Pulses`: ``value`` itself, or (``value`` None) the pulses of an EchoRow given
    as ``params``; an EchoRow as ``value`` gives its pulses."""
    if isinstance(value, Pulses):
        return value
    if isinstance(getattr(value, "pulses", None), Pulses):
        return value.pulses
    if value is None and isinstance(getattr(params, "pulses", None), Pulses):
        return params.pulses
    raise _refuse(
        name,
        value,
        "a Pulses(f_Hz, tau1_s, tau2_s, tau12_s), or the .pulses of etm.materials.echo_row(name) "
        "or etm.materials.neqm_row(name)",
    )
