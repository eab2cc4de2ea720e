"""The catalog of observables: every quantity etm computes, with its function, units and call.

One :class:`Observable` per quantity says which public function computes it, its two leading
axes (``T_K, B_T``; ``E_K, B_T`` for the density of states and the level counting), the parameter
objects it takes after them, its extra coordinates (``f_Hz``, ``tau12_s``), the options it
requires, its unit and what it is. :func:`etm.sweep` evaluates any entry on a grid, the fit
registry (:mod:`etm.fit.registry`) names the catalog entry each fitted curve model evaluates,
``tests/test_observables.py`` runs one contract over every entry (call shape, broadcasting,
keyword-only options, bad input, no warning) and the documentation lists :data:`CATALOG`.

The functions are imported only when an entry is used (:meth:`Observable.function`), so reading
the catalog costs nothing.

Examples
--------
>>> CATALOG["eps"].path, CATALOG["eps"].units
('etm.dielectric.relative_change', '1')
>>> sorted({o.family for o in CATALOG.values()})
['dielectric', 'echo', 'ensemble', 'heat_capacity', 'magnetization', 'neqm', 'resonator']
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from etm.checks import plain

__all__ = ["CATALOG", "Observable", "example_arguments", "lookup"]

#: The kinds of parameter object an entry takes, and how the catalog builds one
#: (:func:`example_arguments`): a Material, ATSParams, DielectricATS, EchoParams + Pulses,
#: NEQMParams + Pulses.
PARAM_KINDS = ("material", "ats", "dielectric", "echo", "neqm")


@dataclass(frozen=True)
class Observable:
    """One computed quantity.

    Attributes
    ----------
    name : str
        Key in :data:`CATALOG` (``"cp"``, ``"eps"``, ``"exact_echo"``, ...).
    path : str
        The public function, dotted (``"etm.heat_capacity.total"``).
    family : str
        The package it belongs to (``"heat_capacity"``, ``"dielectric"``, ...).
    route : {"weak field", "exact", "background"}
        Weak-field closed form, exact three-level route, or a field-blind/paramagnetic term.
    kind : str
        The parameter object it takes (one of :data:`PARAM_KINDS`).
    params : tuple of str
        Keyword names of the parameter objects after the two axes (``("params", "pulses")``).
    units : str
        Unit of the result.
    long_name : str
        What it is, for labels.
    axes : tuple of str
        The two leading arguments (``("T_K", "B_T")`` or ``("E_K", "B_T")``).
    extra : tuple of str
        Extra coordinates passed by keyword (``"f_Hz"``, ``"tau12_s"``).
    required : Mapping
        Options without a default, with the value the contract test uses.
    component : str or None
        For a function returning a dict of parts, the part this entry is.
    complex_valued : bool
        The result is complex (the dielectric response).
    """

    name: str
    path: str
    family: str
    route: str
    kind: str
    params: tuple[str, ...]
    units: str
    long_name: str
    axes: tuple[str, str] = ("T_K", "B_T")
    extra: tuple[str, ...] = ()
    required: Mapping[str, Any] = field(default_factory=dict)
    component: str | None = None
    complex_valued: bool = False

    def function(self) -> Callable[..., Any]:
        """The public function (imported on first use)."""
        module, _, func = self.path.rpartition(".")
        return getattr(importlib.import_module(module), func)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Evaluate: the function's result, or its part :attr:`component`."""
        out = self.function()(*args, **kwargs)
        return out[self.component] if self.component is not None else out


def _obs(*args: Any, **kwargs: Any) -> tuple[str, Observable]:
    o = Observable(*args, **kwargs)
    return o.name, o


_C = "J/(g K)"
_M = "J/(T g)"

#: Every observable of the model, by name.
CATALOG: dict[str, Observable] = dict(
    [
        # heat capacity -----------------------------------------------------------------------
        _obs(
            "cp",
            "etm.heat_capacity.total",
            "heat_capacity",
            "weak field",
            "material",
            ("material",),
            _C,
            "heat capacity",
        ),
        _obs(
            "cp_ats",
            "etm.heat_capacity.ats",
            "heat_capacity",
            "weak field",
            "ats",
            ("params",),
            _C,
            "ATS heat capacity",
        ),
        _obs(
            "cp_2ls",
            "etm.heat_capacity.components",
            "heat_capacity",
            "background",
            "material",
            ("material",),
            _C,
            "2LS heat capacity",
            component="2LS",
        ),
        _obs(
            "cp_phonon",
            "etm.heat_capacity.components",
            "heat_capacity",
            "background",
            "material",
            ("material",),
            _C,
            "phonon heat capacity",
            component="phonon",
        ),
        _obs(
            "cp_fe2",
            "etm.heat_capacity.components",
            "heat_capacity",
            "background",
            "material",
            ("material",),
            _C,
            "Fe2+ Schottky heat capacity",
            component="Fe2+",
        ),
        _obs(
            "cp_fe3",
            "etm.heat_capacity.components",
            "heat_capacity",
            "background",
            "material",
            ("material",),
            _C,
            "Fe3+ Schottky heat capacity",
            component="Fe3+",
        ),
        _obs(
            "exact_cp",
            "etm.heat_capacity.exact_heat_capacity",
            "heat_capacity",
            "exact",
            "ats",
            ("params",),
            _C,
            "ATS heat capacity, exact three-level route",
        ),
        # density of states and level counting -----------------------------------------------
        _obs(
            "dos",
            "etm.ensemble.ats_dos",
            "ensemble",
            "weak field",
            "ats",
            ("params",),
            "1/(g K)",
            "ATS density of states g(E, B)",
            axes=("E_K", "B_T"),
        ),
        _obs(
            "counting",
            "etm.heat_capacity.analytic_counting",
            "heat_capacity",
            "weak field",
            "ats",
            ("params",),
            "1/g",
            "number of ATS with gap below E",
            axes=("E_K", "B_T"),
        ),
        _obs(
            "exact_counting",
            "etm.heat_capacity.exact_counting",
            "heat_capacity",
            "exact",
            "ats",
            ("params",),
            "1/g",
            "number of ATS with lower gap below E, exact route",
            axes=("E_K", "B_T"),
        ),
        # dielectric ---------------------------------------------------------------------------
        _obs(
            "eps",
            "etm.dielectric.relative_change",
            "dielectric",
            "weak field",
            "dielectric",
            ("params",),
            "1",
            "relative change of the dielectric constant [eps'(T,B) - eps'(T,0)]/eps'",
            extra=("f_Hz",),
        ),
        _obs(
            "eps_response",
            "etm.dielectric.ats_response",
            "dielectric",
            "weak field",
            "dielectric",
            ("params",),
            "1",
            "ATS dielectric response (delta eps' + i eps'')/eps'",
            extra=("f_Hz",),
            complex_valued=True,
        ),
        _obs(
            "loss",
            "etm.dielectric.loss",
            "dielectric",
            "weak field",
            "dielectric",
            ("params",),
            "1",
            "ATS dielectric loss tan(delta) = eps''/eps'",
            extra=("f_Hz",),
            required={"f_Hz": 5e9},
        ),
        _obs(
            "exact_eps",
            "etm.dielectric.exact_relative_change",
            "dielectric",
            "exact",
            "dielectric",
            ("params",),
            "1",
            "relative change of the dielectric constant, exact three-level route",
            extra=("f_Hz",),
        ),
        _obs(
            "exact_loss",
            "etm.dielectric.exact_loss",
            "dielectric",
            "exact",
            "dielectric",
            ("params",),
            "1",
            "ATS dielectric loss, exact three-level route",
            extra=("f_Hz",),
            required={"f_Hz": 1e3, "Gamma_inv_per_sK5": 4e10},
        ),
        # resonator ----------------------------------------------------------------------------
        _obs(
            "resonator_shift",
            "etm.resonator.fractional_shift",
            "resonator",
            "weak field",
            "dielectric",
            ("ats",),
            "1",
            "fractional resonance shift delta f0/f0",
            extra=("f_Hz",),
            required={"f_Hz": 5e9, "filling_factor": 0.5, "C": 3e-5},
        ),
        _obs(
            "resonator_inverse_qi",
            "etm.resonator.inverse_q",
            "resonator",
            "weak field",
            "dielectric",
            ("ats",),
            "1",
            "internal loss 1/Q_i",
            extra=("f_Hz",),
            required={"f_Hz": 5e9, "filling_factor": 0.5, "C": 3e-5},
        ),
        # echo ---------------------------------------------------------------------------------
        _obs(
            "echo",
            "etm.echo.relative_amplitude",
            "echo",
            "weak field",
            "echo",
            ("params", "pulses"),
            "1",
            "relative echo amplitude A(B)/A(B_high)",
            extra=("tau12_s",),
        ),
        _obs(
            "echo_amplitude",
            "etm.echo.amplitude",
            "echo",
            "weak field",
            "echo",
            ("params", "pulses"),
            "1",
            "ATS echo amplitude a(B) (units of the 2LS echo)",
            extra=("tau12_s",),
        ),
        _obs(
            "exact_echo",
            "etm.echo.exact_relative_amplitude",
            "echo",
            "exact",
            "echo",
            ("params", "pulses"),
            "1",
            "relative echo amplitude A(B)/A(B_high), exact three-level route",
        ),
        _obs(
            "neqm_echo",
            "etm.neqm.relative_amplitude",
            "neqm",
            "weak field",
            "neqm",
            ("params", "pulses"),
            "1",
            "relative echo amplitude A(B)/A(B_high), nuclear quadrupole model (the rival theory)",
            extra=("tau12_s",),
        ),
        # magnetization ------------------------------------------------------------------------
        _obs(
            "magnetization",
            "etm.magnetization.total",
            "magnetization",
            "weak field",
            "material",
            ("material",),
            _M,
            "magnetization per gram",
        ),
        _obs(
            "magnetization_ats",
            "etm.magnetization.ats",
            "magnetization",
            "weak field",
            "ats",
            ("params",),
            _M,
            "ATS orbital magnetization",
        ),
        _obs(
            "exact_magnetization",
            "etm.magnetization.exact_ats",
            "magnetization",
            "exact",
            "ats",
            ("params",),
            _M,
            "ATS orbital magnetization, exact three-level route",
        ),
    ]
)


def lookup(name: str) -> Observable:
    """The catalog entry ``name``; ``ValueError`` lists the names.

    Examples
    --------
    >>> lookup("cp").path
    'etm.heat_capacity.total'
    """
    if name not in CATALOG:
        raise ValueError(f"observable must be one of {', '.join(CATALOG)}, got {plain(name)}")
    return CATALOG[name]


def example_arguments(name: str) -> dict[str, Any]:
    """Parameter objects (by keyword) and required options for ``name``, from the essay's tables.

    BAS at 0.6 K (Tables 1-2), BAS at 50 mK (Table 5), BAS sample 2 (Table 7 and its NEQM row):
    what the docs' examples and the contract test use.

    Examples
    --------
    >>> sorted(example_arguments("echo"))
    ['params', 'pulses']
    """
    from etm import materials

    obs = lookup(name)
    if obs.kind == "material":
        objs: dict[str, Any] = {"material": materials.get("BAS").at(0.6)}
    elif obs.kind == "ats":
        objs = {"params": materials.get("BAS").at(0.6).ats}
    elif obs.kind == "dielectric":
        objs = {obs.params[0]: materials.dielectric_row("BAS", 0.05).params}
    elif obs.kind == "echo":
        row = materials.echo_row("BAS sample 2")
        objs = {"params": row.params, "pulses": row.pulses}
    else:
        nrow = materials.neqm_row("BAS sample 2")
        objs = {"params": nrow.params, "pulses": nrow.pulses}
    return {**objs, **obs.required}


def markdown() -> str:
    """The catalog as a Markdown table (docs/observables.md is this text; a test checks it)."""
    lines = [
        "# The observables",
        "",
        "Every quantity etm computes, from the catalog `etm.observables.CATALOG` (this page is",
        "`python -m etm.observables`; tests/test_observables.py checks it is current and runs one",
        "contract over every entry). Each is a function of its two axes first (by position or",
        "keyword, broadcast together), then its parameter objects, then keyword-only options;",
        "`etm.sweep(name, ...)` evaluates any of them on a grid. A parameter object may also be",
        "what `etm.materials` hands out: a Material (`materials.get(name).at(T_K)`) where an",
        "ATSParams is needed, a dielectric or echo row (`materials.dielectric_row(name, T_K)`,",
        "`materials.echo_row(name)`), or a Glass that has exactly one row of the kind needed.",
        "",
        "| name | function | axes | parameters | extra | route | unit | what |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for o in CATALOG.values():
        part = f" `[{o.component!r}]`" if o.component else ""
        extra = ", ".join(f"`{e}`" for e in o.extra) or "-"
        lines.append(
            f"| `{o.name}` | `{o.path}`{part} | `{o.axes[0]}, {o.axes[1]}` | "
            f"{', '.join(f'`{p}`' for p in o.params)} ({o.kind}) | {extra} | {o.route} | "
            f"{o.units} | {o.long_name} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(markdown(), end="")
