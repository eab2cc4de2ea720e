"""The fit contract and the registry: :class:`ParamSpec`, :class:`Observable`, the curve-model
protocols, and :func:`register_observable` / :func:`lookup` / :func:`detect_observable`.

An :class:`Observable` tells :func:`etm.fit.engine.fit` which parameters a kind of measured curve
has (:class:`ParamSpec`: units, bounds, log10 or linear, shared or per curve by default) and how
to build the model of one curve (``prepare``). The model of one curve is any object with the
methods of :class:`CurveModel`; it may add the sampling part (:class:`SamplingModel`: a checked
surrogate for the MCMC) and the linear part (:class:`LinearModel`: the amplitudes the model is
linear in, which the engine starts by non-negative least squares and the MCMC integrates out).
:class:`etm.fit.models.LinearCurve` implements the linear part and the cached shape once for
every observable that is a sum of amplitudes times shapes.

Each observable module (:mod:`etm.fit.cp`, :mod:`etm.fit.eps`, :mod:`etm.fit.echo`,
:mod:`etm.fit.magnetization`, :mod:`etm.fit.resonator`) registers itself here with
:func:`register_observable` when imported; importing :mod:`etm.fit` imports all of them. The
engine, the MCMC, the reports and ``etm fit`` only read the registry, so a new observable plugs
in without touching them (docs/fitting.md, "In Python"). A grid observable (a curve over two
axes, e.g. Q_i(T, n)) plugs in the same way: its ``read`` hook returns a
:class:`~etm.fit.data.MeasuredCurve` whose ``x`` has one column per axis and whose ``x_name``
names them comma-separated (``"T_K,n_1"``); the engine and ``curves.csv`` handle such an x.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from etm.fit.data import MeasuredCurve, read_curve

__all__ = [
    "MODELS",
    "OBSERVABLES",
    "CurveModel",
    "Defaults",
    "LinearModel",
    "Observable",
    "ParamSpec",
    "SamplingModel",
    "detect_observable",
    "lookup",
    "metadata_choices",
    "read_curves",
    "register_model",
    "register_observable",
    "x_cutoff_specs",
]


# --- the contract of one curve's model -----------------------------------------------------------


@runtime_checkable
class CurveModel(Protocol):
    """The model of one measured curve, as ``Observable.prepare`` returns it.

    ``values`` maps every parameter name of the included components to its physical value;
    ``components`` are the model terms to include. The model may cache expensive terms (the
    engine calls it many times with nearby values).

    Attributes
    ----------
    T : ndarray
        The temperature [K] at each point (the engine reads which temperatures a fit spans).
    """

    T: NDArray[np.float64]

    def parts(
        self, values: Mapping[str, float], components: Sequence[str]
    ) -> dict[str, NDArray[np.float64]]:
        """Each included term at the curve's points, in the y column's package unit."""
        ...

    def evaluate(
        self, values: Mapping[str, float], components: Sequence[str]
    ) -> NDArray[np.float64]:
        """The model at the curve's points (usually the sum of :meth:`parts`)."""
        ...


@runtime_checkable
class SamplingModel(Protocol):
    """The optional sampling part: a checked surrogate and many parameter sets at once (MCMC)."""

    def prepare_sampling(
        self, box: Mapping[str, tuple[float, float]] | None, best: Mapping[str, float] | None
    ) -> float | None:
        """Build a surrogate over ``box`` (physical ranges per parameter) around ``best``, or
        drop it (``box=None``); return its largest checked error [y unit], or None (none).

        A model whose :meth:`evaluate_many` falls back to the exact model outside the box
        counts those parameter sets in an integer attribute ``surrogate_misses``: the MCMC
        rebuilds the surrogate over the walkers' range when the misses become frequent."""
        ...

    def evaluate_many(
        self, values: Mapping[str, NDArray[np.float64]], components: Sequence[str]
    ) -> NDArray[np.float64]:
        """The model for W parameter sets (``values``: name -> array of W), shape (W, n)."""
        ...


@runtime_checkable
class LinearModel(Protocol):
    """The optional linear part: the amplitudes the model is linear in.

    Attributes
    ----------
    LINEAR : Mapping[str, str]
        Amplitude parameter name -> the component it multiplies.
    """

    LINEAR: Mapping[str, str]

    def columns_many(
        self, values: Mapping[str, NDArray[np.float64]], components: Sequence[str]
    ) -> tuple[NDArray[np.float64], dict[str, NDArray[np.float64]]]:
        """The model for W parameter sets as ``offset + sum_a values[a] * columns[a]``:
        (offset (W, n), {amplitude: column (W, n)}) over the included components."""
        ...


# --- parameters and observables ------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ParamSpec:
    """One model parameter of an observable, declared by keyword.

    Attributes
    ----------
    name : str
        Physical name with its unit, e.g. ``"nP_per_g"``.
    unit : str
        Unit for reports, e.g. ``"1/g"``.
    component : str
        The model term it belongs to (``"ATS"``, ``"2LS"``, ...).
    bounds : tuple of float
        Allowed range in physical units.
    description : str
        What it is, for reports.
    per_curve : bool
        Default: one value per curve (True) or shared by all curves (False).
    log10 : bool
        Fitted as log10 of the value (positive quantities spanning decades).
    amplitude : bool
        The model is linear in it (a concentration multiplying a term). The MCMC then samples
        the value itself with a uniform prior on its bounds (the Jeffreys prior of a linear
        amplitude) even if least squares fits its log10: a log-uniform prior would put unbounded
        prior mass near zero for an amplitude the data only bound from above.

    Examples
    --------
    >>> ParamSpec(name="Dmin_K", unit="K", component="ATS", bounds=(1e-3, 20.0),
    ...           description="lower cutoff of D", per_curve=True).log10
    False
    """

    name: str
    unit: str
    component: str
    bounds: tuple[float, float]
    description: str
    per_curve: bool = False
    log10: bool = False
    amplitude: bool = False


class Defaults(NamedTuple):
    """What an observable's ``defaults`` hook decides for one fit (applied unless overridden).

    Attributes
    ----------
    fix : dict
        Parameters held fixed, physical values (the user's own ``fix`` wins).
    share : tuple of str or None
        Parameters shared across the curves (None: the observable's ParamSpec defaults).
    components : tuple of str or None
        Model terms (None: all).
    notes : tuple of str
        One line per automatic choice, with the reason and how to override it.
    """

    fix: dict[str, float]
    share: tuple[str, ...] | None = None
    components: tuple[str, ...] | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Observable:
    """A measured quantity the fitter knows: its columns, parameters and model.

    Attributes
    ----------
    name : str
        Key in :data:`OBSERVABLES` (``"cp"``, ``"eps"``, ``"echo"``, ...).
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
        ``prepare(x_name, x, metadata, orientation, where) -> CurveModel`` (:class:`CurveModel`,
        optionally :class:`SamplingModel` and :class:`LinearModel`).
    guess_shape : callable
        ``guess_shape(metadata, material)`` -> initial values of the non-linear parameters.
    equation : str, optional
        The model being fitted, as plain text, stated in the reports.
    options : Mapping, optional
        The model options a curve's metadata may carry with their defaults; every one is
        recorded, resolved per curve, in params.json (provenance).
    sanity : callable, optional
        ``sanity(curve, material)`` -> one-line reasons to refuse the curve before any model
        evaluation; :func:`etm.fit.sanity.check_curves` runs it beside the generic checks.
    T_range_K : tuple of float
        Temperatures [K] the model is meant for; a curve outside is refused (a unit slip).
    y_min : float or None
        Smallest physical value of the measured quantity (0 for a heat capacity), or None.
    y_units : tuple of str
        Units of the y column that identify this observable (empty: any unit of its quantity);
        ``rel_echo`` is an echo, ``rel_ppm`` a change of eps'.
    detect_metadata : tuple of str
        Metadata keys that identify it among observables with the same columns (``tau12_s``
        for an echo).
    defaults : callable, optional
        ``defaults(curves, material, fix, free) -> Defaults``: the parameters one set of curves
        does not determine, fixed (or shared) with a stated reason (:class:`Defaults`).
    read : callable, optional
        ``read(path, metadata_toml) -> MeasuredCurve`` for files :func:`etm.fit.data.read_curve`
        cannot read as they are (another unit table, several x columns).
    refine_start : callable, optional
        ``refine_start(problem, init, fix) -> init``: better starting values from the data
        (e.g. a grid over a parameter that costs no integral), after the amplitudes' start.
    catalog : str or None
        The entry of the physics catalog (:data:`etm.observables.CATALOG`) whose function the
        curve model evaluates (checked on registration), or None for a background-only model.
    other_y : tuple of str
        Further measured quantities of a composite observable whose curves each hold one of
        ``y_quantity`` and these (Q_i and f0 of one resonator, :mod:`etm.fit.resonator_grid`).
    detect : callable, optional
        ``detect(columns, metadata_keys) -> int``: 2 if a file with these columns is this
        observable's, 1 if it may be (when another file of the set is), 0 if not; an
        observable with this hook is detected only through it (:func:`detect_observable`).
    figures : callable, optional
        ``figures(result, table) -> [(file name, Figure), ...]``: the report's own figures of
        this observable, drawn from ``curves.csv`` (:func:`etm.fit.curves.curves_table`).
    """

    name: str
    x_quantities: tuple[str, ...]
    y_quantity: str
    y_label: str
    y_unit: str
    params: tuple[ParamSpec, ...]
    components: tuple[str, ...]
    prepare: Callable[..., CurveModel]
    guess_shape: Callable[[Mapping[str, Any], Any], dict[str, float]]
    equation: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)
    sanity: Callable[[MeasuredCurve, Any], Sequence[str]] | None = None
    T_range_K: tuple[float, float] = (1e-3, 100.0)
    y_min: float | None = None
    y_units: tuple[str, ...] = ()
    detect_metadata: tuple[str, ...] = ()
    defaults: Callable[..., Defaults] | None = None
    read: Callable[..., MeasuredCurve] | None = None
    refine_start: Callable[..., list[dict[str, float]]] | None = None
    catalog: str | None = None
    other_y: tuple[str, ...] = ()
    detect: Callable[[Sequence[str], set[str]], int] | None = None
    figures: Callable[..., list[tuple[str, Any]]] | None = None

    def spec(self, name: str) -> ParamSpec:
        """The :class:`ParamSpec` called ``name`` (``ValueError`` lists the known ones)."""
        for p in self.params:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.params)
        raise ValueError(f"unknown parameter {name!r} for observable {self.name!r}; known: {known}")


#: Registered observables by name, filled by the observable modules on import.
OBSERVABLES: dict[str, Observable] = {}
#: Alternative models of a registered observable's curves (``etm fit --observable echo --model
#: neqm``: :mod:`etm.fit.neqm`), by name: :func:`lookup` finds them like observables, but they
#: are never detected from a file's columns nor offered as ``--observable``.
MODELS: dict[str, Observable] = {}


def register_model(obs: Observable) -> Observable:
    """Add ``obs`` to :data:`MODELS` (an alternative model of an observable's curves) and
    return it."""
    MODELS[obs.name] = obs
    return obs


def register_observable(obs: Observable) -> Observable:
    """Add ``obs`` to :data:`OBSERVABLES` (replacing one of the same name) and return it."""
    if obs.catalog is not None:
        from etm.observables import lookup as catalog_lookup

        catalog_lookup(obs.catalog)  # ValueError lists the catalog's names
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
    if name in MODELS and name not in OBSERVABLES:
        return MODELS[name]
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
            name=f"X0{end}_KA2",
            unit="K A^2",
            component="ATS",
            per_curve=True,
            log10=True,
            bounds=bounds,
            description=f"{what} cutoff of X = D0 |q/e| S",
        )
        for end, what in (("min", "lower"), ("max", "upper"))
    )


#: Bytes of a file's beginning read to find its header row (metadata lines and the header).
_HEAD_BYTES = 1 << 16


def _file_head(path: Path) -> tuple[list[str], set[str]] | None:
    """(column names, metadata keys) of a data file, from its first 64 KiB; None if it is not a
    regular file or has no header row there (the reader then gives the error)."""
    try:
        if not path.is_file():
            return None
        with path.open("rb") as fh:
            head = fh.read(_HEAD_BYTES).decode("utf-8-sig", errors="replace")
    except OSError:
        return None
    keys: set[str] = set()
    for line in head.splitlines():
        s = line.strip()
        if not s:
            continue
        if s.startswith("#"):
            key, eq, _ = s[1:].partition("=")
            if eq:
                keys.add(key.strip().partition("_")[0])
            continue
        return [c.strip() for c in s.split(",")], keys
    return None


def detect_observable(paths: Sequence[str | Path]) -> str:
    """The observable the files' columns (and metadata) identify, the same for every file.

    A file's y column names the quantity (``Cp_``, ``M_``, ``tand_``, ``Qi_``, ``f_``,
    ``rel_``), its unit and x column tell eps' (``rel_ppm``, ``rel_eps`` against B), the echo
    (``rel_echo``) and eps'(T) (``rel_1`` against T) apart, and metadata ``tau12_<unit>`` marks
    an echo. Refuses, naming the file and its columns, when no or several observables fit.

    Examples
    --------
    >>> import tempfile, pathlib, etm.fit
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "m.csv"
    >>> _ = p.write_text("# B_T = 1\\nT_K, M_emu_per_g\\n1, 2\\n2, 1\\n")
    >>> detect_observable([p])
    'magnetization'
    """
    found: dict[str, str] = {}
    maybe: dict[str, set[str]] = {}  # file -> observables whose hook says it may be theirs
    for p in paths:
        head = _file_head(Path(p))
        if head is None:
            return "cp"  # let the reader say what is wrong with the file
        cols, keys = head
        hooked = {o.name: o.detect(cols, keys) for o in OBSERVABLES.values() if o.detect}
        maybe[str(p)] = {n for n, v in hooked.items() if v == 1}
        claims = [n for n, v in hooked.items() if v == 2]
        if len(claims) == 1:
            found[str(p)] = claims[0]
            continue
        q_units = {c.partition("_")[0]: c.partition("_")[2] for c in cols}
        cands = []
        for obs in OBSERVABLES.values():
            if obs.detect is not None:
                continue
            y_unit = q_units.get(obs.y_quantity)
            if y_unit is None or not any(x in q_units for x in obs.x_quantities):
                continue
            if obs.y_units and y_unit not in obs.y_units:
                continue
            if obs.y_quantity == "f" and "T" not in q_units:
                continue
            cands.append(obs)
        if len(cands) > 1:
            marked = [o for o in cands if o.detect_metadata and set(o.detect_metadata) & keys]
            unmarked = [o for o in cands if not o.detect_metadata]
            cands = marked or unmarked or cands
        if len(cands) != 1:
            what = "no observable" if not cands else ", ".join(sorted(o.name for o in cands))
            raise ValueError(
                f"{p}: columns {', '.join(cols)} fit {what}; give --observable (one of "
                f"{', '.join(sorted(OBSERVABLES))})"
            )
        found[str(p)] = cands[0].name
    names = sorted(set(found.values()))
    # a file that may be a hooked observable's joins the others' (Q_i(T) beside a Q_i(T, n) grid)
    joint = [n for n in names if all(v == n or n in maybe[p] for p, v in found.items())]
    if len(names) > 1 and len(joint) == 1:
        names = joint
    if len(names) > 1:
        detail = ", ".join(f"{Path(p).name}: {n}" for p, n in found.items())
        raise ValueError(
            f"the files hold different observables ({detail}); fit one observable at a time, "
            "or several with --plan"
        )
    return names[0]


def read_curves(
    paths: Sequence[str | Path], observable: str = "cp", metadata_toml: str | Path | None = None
) -> tuple[MeasuredCurve, ...]:
    """Read data files with the columns ``observable`` needs (see :func:`etm.fit.data.read_curve`,
    or the observable's own ``read`` hook).

    Parameters
    ----------
    paths : sequence of path-like
        The CSV files.
    observable : str
        A registered observable (``"cp"``, ``"eps"``, ``"echo"``, ...).
    metadata_toml : path-like, optional
        A TOML file of further metadata for every file.

    Returns
    -------
    tuple of MeasuredCurve
    """
    obs = lookup(observable)
    if obs.read is not None:
        # a hook may return several curves from one file (a table of Q_i and f0)
        out: list[MeasuredCurve] = []
        for p in paths:
            got = obs.read(p, metadata_toml=metadata_toml)
            out += [got] if isinstance(got, MeasuredCurve) else list(got)
        return tuple(out)
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
