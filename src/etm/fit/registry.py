"""The observables the fitter knows: :class:`ParamSpec`, :class:`Observable` and the registry.

An :class:`Observable` tells :func:`etm.fit.engine.fit` which parameters a kind of measured curve
has (:class:`ParamSpec`: units, bounds, log10 or linear, shared or per curve by default) and how
to evaluate the model on a curve. Each observable module (:mod:`etm.fit.cp`, :mod:`etm.fit.eps`,
:mod:`etm.fit.echo`) registers itself here with :func:`register_observable` when imported;
importing :mod:`etm.fit` imports all of them. The engine only reads the registry
(:func:`lookup`), so a new observable plugs in without touching it (docs/fitting.md, "In
Python").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from etm.fit.data import MeasuredCurve, read_curve

__all__ = [
    "OBSERVABLES",
    "Observable",
    "ParamSpec",
    "lookup",
    "metadata_choices",
    "read_curves",
    "register_observable",
    "x_cutoff_specs",
]


@dataclass(frozen=True)
class ParamSpec:
    """One model parameter of an observable.

    Attributes
    ----------
    name : str
        Physical name with its unit, e.g. ``"nP_per_g"``.
    unit : str
        Unit for reports, e.g. ``"1/g"``.
    component : str
        The model term it belongs to (``"ATS"``, ``"2LS"``, ...).
    per_curve : bool
        Default: one value per curve (True) or shared by all curves (False).
    log10 : bool
        Fitted as log10 of the value (positive quantities spanning decades).
    bounds : tuple of float
        Allowed range in physical units.
    description : str
        What it is, for reports.
    amplitude : bool
        The model is linear in it (a concentration multiplying a term). The MCMC then samples
        the value itself with a uniform prior on its bounds (the Jeffreys prior of a linear
        amplitude) even if least squares fits its log10: a log-uniform prior would put unbounded
        prior mass near zero for an amplitude the data only bound from above.
    """

    name: str
    unit: str
    component: str
    per_curve: bool
    log10: bool
    bounds: tuple[float, float]
    description: str
    amplitude: bool = False


@dataclass(frozen=True)
class Observable:
    """A measured quantity the fitter knows: its columns, parameters and model.

    Attributes
    ----------
    name : str
        Key in :data:`OBSERVABLES` (``"cp"``, ``"eps"``, ``"echo"``).
    x_quantities : tuple of str
        Allowed abscissae (quantities of :data:`etm.fit.data.QUANTITIES`), e.g. ``("B", "T")``.
    y_quantity : str
        The measured quantity, e.g. ``"Cp"``.
    y_label, y_unit : str
        For plots.
    params : tuple of ParamSpec
        Every parameter of every component.
    components : tuple of str
        The model's terms, in plotting order.
    prepare : callable
        ``prepare(x_name, x, metadata, orientation, where)`` -> a curve model with
        ``evaluate(values, components)`` and ``parts(values, components)`` methods; it may cache.
    guess_shape : callable
        ``guess_shape(metadata, material)`` -> initial values of the non-linear parameters.
    equation : str, optional
        The model being fitted, as plain text (one or a few lines), stated in the reports.
    options : Mapping, optional
        The model options a curve's metadata may carry (``matrix_elements``, ...) with their
        defaults; every one is recorded, resolved per curve, in params.json (provenance).
    sanity : callable, optional
        ``sanity(curve, material)`` -> sequence of one-line messages, each a reason to refuse
        the curve before any model evaluation (non-physical data, metadata contradicting the
        preset); :func:`etm.fit.sanity.check_curves` runs it beside the generic checks.
    T_range_K : tuple of float
        Temperatures [K] the model is meant for; a curve outside is refused (a unit slip).
    y_min : float or None
        Smallest physical value of the measured quantity (0 for a heat capacity), or None.
    """

    name: str
    x_quantities: tuple[str, ...]
    y_quantity: str
    y_label: str
    y_unit: str
    params: tuple[ParamSpec, ...]
    components: tuple[str, ...]
    prepare: Callable[..., Any]
    guess_shape: Callable[[Mapping[str, Any], Any], dict[str, float]]
    equation: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)
    sanity: Callable[[MeasuredCurve, Any], Sequence[str]] | None = None
    T_range_K: tuple[float, float] = (1e-3, 100.0)
    y_min: float | None = None

    def spec(self, name: str) -> ParamSpec:
        """The :class:`ParamSpec` called ``name`` (``ValueError`` lists the known ones)."""
        for p in self.params:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.params)
        raise ValueError(f"unknown parameter {name!r} for observable {self.name!r}; known: {known}")


#: Registered observables by name, filled by the observable modules on import.
OBSERVABLES: dict[str, Observable] = {}


def register_observable(obs: Observable) -> Observable:
    """Add ``obs`` to :data:`OBSERVABLES` (replacing one of the same name) and return it."""
    OBSERVABLES[obs.name] = obs
    return obs


def lookup(name: str) -> Observable:
    """The registered observable ``name`` (``ValueError`` lists the registered ones).

    Examples
    --------
    >>> import etm.fit
    >>> lookup("cp").y_quantity
    'Cp'
    """
    if name not in OBSERVABLES:
        raise ValueError(
            f"observable must be one of {', '.join(sorted(OBSERVABLES))}, got {name!r}"
        )
    return OBSERVABLES[name]


def x_cutoff_specs(bounds: tuple[float, float] = (10.0, 1e8)) -> tuple[ParamSpec, ParamSpec]:
    """The two cutoffs X0min_KA2, X0max_KA2 of X = D0 |q/e| S [K A^2]: per curve, log10.

    They are parameters of every observable (the essay's Tables 2, 4, 5-7).
    """
    return tuple(
        ParamSpec(
            f"X0{end}_KA2", "K A^2", "ATS", True, True, bounds, f"{what} cutoff of X = D0 |q/e| S"
        )
        for end, what in (("min", "lower"), ("max", "upper"))
    )


def read_curves(
    paths: Sequence[str | Path], observable: str = "cp", metadata_toml: str | Path | None = None
) -> tuple[MeasuredCurve, ...]:
    """Read data files with the columns ``observable`` needs (see :func:`etm.fit.data.read_curve`).

    Parameters
    ----------
    paths : sequence of path-like
        The CSV files.
    observable : str
        A registered observable (``"cp"``, ``"eps"``, ``"echo"``).
    metadata_toml : path-like, optional
        A TOML file of further metadata for every file.

    Returns
    -------
    tuple of MeasuredCurve
    """
    obs = lookup(observable)
    return tuple(
        read_curve(p, x=obs.x_quantities, y=obs.y_quantity, metadata_toml=metadata_toml)
        for p in paths
    )


def metadata_choices(
    metadata: Mapping[str, Any], allowed: Mapping[str, Sequence[str]], where: str
) -> dict[str, Any]:
    """The entries of ``metadata`` named in ``allowed``, each checked against its choices; the
    error names the file (``where``), the key and the choices.

    Examples
    --------
    >>> metadata_choices({"c_form": "bloch", "T_K": 1.0}, {"c_form": ("bloch", "essay")}, "e.csv")
    {'c_form': 'bloch'}
    """
    out = {}
    for key, choices in allowed.items():
        if key in metadata:
            v = metadata[key]
            if v not in choices:
                raise ValueError(
                    f"{where}: metadata {key!r} must be one of {', '.join(choices)}, got {v!r}"
                )
            out[key] = v
    return out
