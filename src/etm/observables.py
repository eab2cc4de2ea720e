"""Observables the fitter knows: a registry, the heat capacity ``"cp"`` and dielectric ``"eps"``.

An :class:`Observable` tells :func:`etm.fitting.fit` which parameters a kind of measured curve
has (:class:`ParamSpec`: units, bounds, log10 or linear, shared or per curve by default) and how
to evaluate the model on a curve. Register new kinds (dielectric, echo) with
:func:`register_observable`.

Heat capacity (``"cp"``, the essay's Eq. 14-15, Tables 1-4)::

    C(T, B) = nP_per_g * c_ATS(T, B; Dmin_K, X0min_KA2, X0max_KA2)    (ATS, c_ATS per unit nP)
            + (pi^2/6) k_B nP2LS_per_g_per_K T                         (2LS)
            + beta_J_per_gK4 T^3                                       (phonons)
            + n_Fe2_per_g c_S=2(T, B) + n_Fe3_per_g c_S=5/2(T, B)      (Fe2+, Fe3+ Schottky)

Dielectric constant (``"eps"``, the essay's Eq. 16-20, Figs. 10-12, Tables 5-6)::

    [eps'(B) - eps'(0)]/eps' = amplitude_K * r_ATS(B; T, f; Dmin_K, X0min_KA2, X0max_KA2)  (ATS)
                             + 0                                                         (STM)

with r_ATS per unit amplitude from :func:`etm.dielectric.relative_change`; the 2LS background
of the standard model is field-blind and cancels in the difference (the ``"STM"`` term is zero).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from etm import dielectric, heat_capacity, materials
from etm.constants import k_B
from etm.io import MeasuredCurve, read_curve
from etm.params import FE2_G, FE2_SPIN, FE3_G, FE3_SPIN, ATSParams
from etm.stm import HF_K_PER_HZ

__all__ = [
    "EPS_OPTIONS",
    "OBSERVABLES",
    "Observable",
    "ParamSpec",
    "read_curves",
    "register_observable",
    "synthetic_cp_curve",
    "synthetic_eps_curve",
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
    """

    name: str
    unit: str
    component: str
    per_curve: bool
    log10: bool
    bounds: tuple[float, float]
    description: str


@dataclass(frozen=True)
class Observable:
    """A measured quantity the fitter knows: its columns, parameters and model.

    Attributes
    ----------
    name : str
        Key in :data:`OBSERVABLES` (``"cp"``).
    x_quantities : tuple of str
        Allowed abscissae (quantities of :data:`etm.io.QUANTITIES`), e.g. ``("B", "T")``.
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

    def spec(self, name: str) -> ParamSpec:
        """The :class:`ParamSpec` called ``name`` (``ValueError`` lists the known ones)."""
        for p in self.params:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.params)
        raise ValueError(f"unknown parameter {name!r} for observable {self.name!r}; known: {known}")


#: Registered observables by name. Dielectric (``"eps"``) and echo models plug in here with
#: :func:`register_observable` when their modules land.
OBSERVABLES: dict[str, Observable] = {}


def register_observable(obs: Observable) -> Observable:
    """Add ``obs`` to :data:`OBSERVABLES` (replacing one of the same name) and return it."""
    OBSERVABLES[obs.name] = obs
    return obs


def _observable(name: str) -> Observable:
    if name not in OBSERVABLES:
        raise ValueError(f"observable must be one of {', '.join(OBSERVABLES)}, got {name!r}")
    return OBSERVABLES[name]


def x_cutoff_specs(bounds: tuple[float, float] = (10.0, 1e8)) -> tuple[ParamSpec, ParamSpec]:
    """The two cutoffs X0min_KA2, X0max_KA2 of X = D0 |q/e| S [K A^2]: per curve, log10."""
    return tuple(
        ParamSpec(
            f"X0{end}_KA2", "K A^2", "ATS", True, True, bounds, f"{what} cutoff of X = D0 |q/e| S"
        )
        for end, what in (("min", "lower"), ("max", "upper"))
    )


class _CpCurve:
    """Heat-capacity model of one curve: fixed (T, B) points, cached ATS shapes.

    The model is linear in nP and in every other amplitude, so the expensive ATS integral is
    computed per unit nP and cached on (Dmin, X0min, X0max): a finite-difference Jacobian then
    re-evaluates it only for the per-curve cutoffs of the one curve being perturbed.
    """

    _CACHE_SIZE = 16

    def __init__(
        self, x_name: str, x: ArrayLike, metadata: Mapping[str, Any], orientation: str, where: str
    ) -> None:
        x = np.asarray(x, dtype=float)
        other = "T_K" if x_name == "B_T" else "B_T"
        if other not in metadata:
            raise ValueError(
                f"{where}: metadata {other!r} missing (a {x_name} curve needs it); add a line "
                f"'# {other} = <value>' above the header row"
            )
        v = metadata[other]
        if not isinstance(v, float) or not math.isfinite(v) or v < 0 or (other == "T_K" and v == 0):
            rng = "> 0" if other == "T_K" else ">= 0"
            raise ValueError(f"{where}: metadata {other!r} must be a number {rng}, got {v!r}")
        if x_name == "B_T":
            self.T, self.B = np.full_like(x, v), x
        else:
            self.T, self.B = x, np.full_like(x, v)
        self.orientation = orientation
        self.basis = {
            "2LS": (np.pi**2 / 6.0) * k_B * self.T,
            "phonon": self.T**3,
            "Fe2+": heat_capacity.zeeman_schottky(self.T, self.B, FE2_SPIN, FE2_G),
            "Fe3+": heat_capacity.zeeman_schottky(self.T, self.B, FE3_SPIN, FE3_G),
        }
        self._cache: OrderedDict[tuple[float, float, float], NDArray] = OrderedDict()
        self.n_ats_evals = 0

    def ats_unit(self, Dmin: float, X0a: float, X0b: float) -> NDArray[np.float64]:
        """C_ATS per unit nP. Symmetric in the two X cutoffs and zero when they coincide (the DOS
        is proportional to ln(X0max/X0min)), so the objective is continuous everywhere."""
        lo, hi = min(X0a, X0b), max(X0a, X0b)
        key = (Dmin, lo, hi)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        if hi <= lo * (1.0 + 1e-12):
            out = np.zeros_like(self.T)
        else:
            out = heat_capacity.ats(self.T, self.B, ATSParams(Dmin, lo, hi, 1.0), self.orientation)
            self.n_ats_evals += 1
        self._cache[key] = out
        if len(self._cache) > self._CACHE_SIZE:
            self._cache.popitem(last=False)
        return out

    def parts(self, v: Mapping[str, float], components: Sequence[str]) -> dict[str, NDArray]:
        """Each included term [J/(g K)] at the values ``v``."""
        out: dict[str, NDArray] = {}
        amp = {
            "2LS": "nP2LS_per_g_per_K",
            "phonon": "beta_J_per_gK4",
            "Fe2+": "n_Fe2_per_g",
            "Fe3+": "n_Fe3_per_g",
        }
        for c in components:
            if c == "ATS":
                shape = self.ats_unit(v["Dmin_K"], v["X0min_KA2"], v["X0max_KA2"])
                out[c] = v["nP_per_g"] * shape
            else:
                out[c] = v[amp[c]] * self.basis[c]
        return out

    def evaluate(self, v: Mapping[str, float], components: Sequence[str]) -> NDArray[np.float64]:
        """The model [J/(g K)] at the values ``v``."""
        return sum(self.parts(v, components).values(), np.zeros_like(self.T))


#: Start of the non-linear ATS parameters when no material is given: typical of Tables 2 and 4.
_CP_DEFAULT_SHAPE = {"Dmin_K": 0.5, "X0min_KA2": 5e4, "X0max_KA2": 3e5}


def _cp_guess_shape(metadata: Mapping[str, Any], material: Any) -> dict[str, float]:
    if material is None:
        return dict(_CP_DEFAULT_SHAPE)
    preset = materials.get(material) if isinstance(material, str) else material
    T = metadata.get("T_K")
    # the preset row nearest in temperature (Tables 2 and 4 give three)
    row = min(preset.rows, key=lambda r: abs(r[0] - T)) if T is not None else preset.rows[0]
    out = {
        "Dmin_K": row[1],
        "X0min_KA2": row[2],
        "X0max_KA2": row[3],
        "nP_per_g": preset.nP_per_g,
        "n_Fe2_per_g": preset.n_Fe2_per_g,
        "n_Fe3_per_g": preset.n_Fe3_per_g,
    }
    return out


register_observable(
    Observable(
        name="cp",
        x_quantities=("B", "T"),
        y_quantity="Cp",
        y_label="C_p",
        y_unit="J/(g K)",
        params=(
            ParamSpec(
                "Dmin_K",
                "K",
                "ATS",
                True,
                False,
                (1e-3, 20.0),
                "lower cutoff of the ATS asymmetry D",
            ),
            *x_cutoff_specs(),
            ParamSpec(
                "nP_per_g", "1/g", "ATS", False, True, (1e12, 1e20), "ATS concentration n_ATS P*"
            ),
            ParamSpec(
                "nP2LS_per_g_per_K",
                "1/(g K)",
                "2LS",
                False,
                False,
                (0.0, 1e21),
                "2LS density of states n_2LS Pbar",
            ),
            ParamSpec(
                "beta_J_per_gK4",
                "J/(g K^4)",
                "phonon",
                False,
                False,
                (0.0, 1.0),
                "Debye coefficient beta",
            ),
            ParamSpec(
                "n_Fe2_per_g",
                "1/g",
                "Fe2+",
                False,
                True,
                (1e12, 1e20),
                "Fe2+ concentration (S = 2, g = 2)",
            ),
            ParamSpec(
                "n_Fe3_per_g",
                "1/g",
                "Fe3+",
                False,
                True,
                (1e12, 1e20),
                "Fe3+ concentration (S = 5/2, g = 2)",
            ),
        ),
        components=("ATS", "2LS", "phonon", "Fe2+", "Fe3+"),
        prepare=_CpCurve,
        guess_shape=_cp_guess_shape,
    )
)


# --- dielectric constant ----------------------------------------------------------------------

#: Model options an ``"eps"`` curve may carry in its metadata (``# average = decoupled`` above
#: the header row, a ``--meta`` TOML entry, or the ``etm fit`` options), with their defaults:
#: the exact model. ``average = decoupled`` with ``matrix_elements = essay`` are the essay's own
#: forms (Eq. 19-20), :data:`etm.figures_dielectric.ESSAY_FORM`.
EPS_OPTIONS: Mapping[str, Any] = MappingProxyType(
    {"average": "direct", "matrix_elements": "exact", "n_wells": 3, "relaxation": "frozen"}
)
#: Relaxation treatments the fitter accepts: ``"debye"`` needs the ATS phonon coupling A_ATS,
#: which no table gives and the fit does not determine.
_EPS_RELAXATIONS = ("frozen", "static")
#: Bounds of Dmin_K for ``"eps"`` [K]; the lower one also bounds the frequency (hf < Dmin).
_EPS_DMIN_BOUNDS = (1e-3, 20.0)


def _eps_options(metadata: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The model options of one curve from its metadata, checked (``where`` names the file)."""
    out = dict(EPS_OPTIONS)
    allowed = {
        "average": dielectric.AVERAGES,
        "matrix_elements": dielectric.MATRIX_ELEMENTS,
        "relaxation": _EPS_RELAXATIONS,
    }
    for key, choices in allowed.items():
        if key in metadata:
            v = metadata[key]
            if v not in choices:
                raise ValueError(
                    f"{where}: metadata {key!r} must be one of {', '.join(choices)}, got {v!r}"
                )
            out[key] = v
    if "n_wells" in metadata:
        v = metadata["n_wells"]
        if isinstance(v, bool) or not isinstance(v, int | float) or v != int(v) or v < 2:
            raise ValueError(f"{where}: metadata 'n_wells' must be an integer >= 2, got {v!r}")
        out["n_wells"] = int(v)
    if out["matrix_elements"] == "exact" and out["n_wells"] != 3:
        raise ValueError(
            f"{where}: n_wells = {out['n_wells']} needs matrix_elements = essay (the exact "
            "matrix elements are those of three wells)"
        )
    return out


def metadata_number(
    metadata: Mapping[str, Any], key: str, where: str, example: str, kind: str = "eps"
) -> float:
    """The finite number ``metadata[key]``; the error names the file (``where``) and a fix."""
    if key not in metadata:
        raise ValueError(
            f"{where}: metadata {key!r} missing (an {kind} curve needs it); add a line "
            f"'# {example}' above the header row"
        )
    v = metadata[key]
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise ValueError(f"{where}: metadata {key!r} must be a finite number, got {v!r}")
    return float(v)


def field_curve_axes(
    x_name: str, x: ArrayLike, metadata: Mapping[str, Any], where: str, kind: str, T_example: str
) -> tuple[NDArray[np.float64], float]:
    """Field values [T] and the curve's temperature [K] of a curve measured against B at fixed T."""
    if x_name != "B_T":
        raise ValueError(
            f"{where}: an {kind} curve is a function of the field B (column B_<unit>), got {x_name}"
        )
    T = metadata_number(metadata, "T_K", where, T_example, kind)
    if T <= 0:
        raise ValueError(f"{where}: metadata 'T_K' must be > 0, got {T!r}")
    return np.asarray(x, dtype=float), T


class _EpsCurve:
    """Dielectric model of one curve: [eps'(B) - eps'(0)]/eps' at fixed T and f, cached shapes.

    The change is linear in the amplitude A, so the ATS integral is computed per unit A and
    cached on (Dmin, X0min, X0max), as for the heat capacity. The curve needs ``T_K`` and
    ``f_Hz`` in its metadata (no default frequency: with frozen relaxation the curve hardly
    depends on it, but a silent default would hide a missing measurement condition); the model
    options (:data:`EPS_OPTIONS`) may be there too.
    """

    _CACHE_SIZE = 16

    def __init__(
        self, x_name: str, x: ArrayLike, metadata: Mapping[str, Any], orientation: str, where: str
    ) -> None:
        self.B, T = field_curve_axes(x_name, x, metadata, where, "eps", "T_mK = 50")
        f = metadata_number(metadata, "f_Hz", where, "f_kHz = 1")
        f_max = _EPS_DMIN_BOUNDS[0] / HF_K_PER_HZ
        if not 0 <= f < f_max:
            raise ValueError(
                f"{where}: metadata 'f_Hz' must be in [0, {f_max:.4g}) Hz (the ATS resonant part "
                f"needs hf < Dmin for every Dmin_K >= {_EPS_DMIN_BOUNDS[0]:g} K), got {f!r}"
            )
        # an array, as for Cp: the fitter reads the curves' temperatures from ``T``
        self.T_K, self.f_Hz = T, f
        self.T = np.full_like(self.B, T)
        self.options = _eps_options(metadata, where)
        self.orientation = orientation
        self._cache: OrderedDict[tuple[float, float, float], NDArray] = OrderedDict()
        self.n_ats_evals = 0

    def ats_unit(self, Dmin: float, X0a: float, X0b: float) -> NDArray[np.float64]:
        """The change per unit amplitude A [1/K]. Symmetric in the two X cutoffs and zero when
        they coincide (the distribution is proportional to ln(X0max/X0min))."""
        lo, hi = min(X0a, X0b), max(X0a, X0b)
        key = (Dmin, lo, hi)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        if hi <= lo * (1.0 + 1e-12):
            out = np.zeros_like(self.B)
        else:
            out = dielectric.relative_change(
                self.B,
                self.T_K,
                dielectric.DielectricATS(1.0, Dmin, lo, hi),
                self.f_Hz,
                orientation=self.orientation,
                **self.options,
            )
            self.n_ats_evals += 1
        self._cache[key] = out
        if len(self._cache) > self._CACHE_SIZE:
            self._cache.popitem(last=False)
        return out

    def parts(self, v: Mapping[str, float], components: Sequence[str]) -> dict[str, NDArray]:
        """Each included term (dimensionless) at the values ``v``; the STM term is zero."""
        out: dict[str, NDArray] = {}
        for c in components:
            if c == "ATS":
                shape = self.ats_unit(v["Dmin_K"], v["X0min_KA2"], v["X0max_KA2"])
                out[c] = v["amplitude_K"] * shape
            else:
                out[c] = np.zeros_like(self.B)
        return out

    def evaluate(self, v: Mapping[str, float], components: Sequence[str]) -> NDArray[np.float64]:
        """The model (dimensionless relative change) at the values ``v``."""
        return sum(self.parts(v, components).values(), np.zeros_like(self.B))


#: Start of the eps parameters when no material is given: the BAS 50 mK row of Table 5, rounded.
_EPS_DEFAULT_START = {
    "amplitude_K": 1e-5,
    "Dmin_K": 0.02,
    "X0min_KA2": 1.5e5,
    "X0max_KA2": 3e5,
}


def _eps_guess_shape(metadata: Mapping[str, Any], material: Any) -> dict[str, float]:
    if material is None:
        return dict(_EPS_DEFAULT_START)
    if isinstance(material, dielectric.DielectricPreset):
        row = material
    else:
        rows = [r for r in dielectric.DIELECTRIC_PRESETS if r.glass == material]
        if not rows:
            names = ", ".join(sorted({r.glass for r in dielectric.DIELECTRIC_PRESETS}))
            raise ValueError(
                f"unknown material {material!r} for observable 'eps'; known (Tables 5-6): {names}"
            )
        T = metadata.get("T_K")
        # the row nearest in temperature (Table 5 gives three for BAS, Table 6 three)
        row = min(rows, key=lambda r: abs(r.T_K - T)) if isinstance(T, float) else rows[0]
    p = row.params
    return {
        "amplitude_K": p.amplitude_K,
        "Dmin_K": p.Dmin_K,
        "X0min_KA2": p.X0min_KA2,
        "X0max_KA2": p.X0max_KA2,
    }


register_observable(
    Observable(
        name="eps",
        x_quantities=("B",),
        y_quantity="rel",
        y_label="[eps'(B) - eps'(0)]/eps'",
        y_unit="1",
        params=(
            ParamSpec(
                "amplitude_K",
                "K",
                "ATS",
                True,
                True,
                (1e-10, 1e-1),
                "amplitude A = pi x_ATS P* p1^2/(eps0 eps_r), an energy over k_B",
            ),
            ParamSpec(
                "Dmin_K",
                "K",
                "ATS",
                True,
                False,
                _EPS_DMIN_BOUNDS,
                "lower cutoff of the ATS asymmetry D",
            ),
            *x_cutoff_specs(),
        ),
        components=("ATS", "STM"),
        prepare=_EpsCurve,
        guess_shape=_eps_guess_shape,
    )
)


def read_curves(
    paths: Sequence[str | Path], observable: str = "cp", metadata_toml: str | Path | None = None
) -> tuple[MeasuredCurve, ...]:
    """Read data files with the columns ``observable`` needs (see :func:`etm.io.read_curve`)."""
    obs = _observable(observable)
    return tuple(
        read_curve(p, x=obs.x_quantities, y=obs.y_quantity, metadata_toml=metadata_toml)
        for p in paths
    )


def synthetic_cp_curve(
    preset: Any,
    T_K: float,
    B_T: ArrayLike,
    *,
    rel_noise: float = 0.01,
    seed: int = 0,
    nP2LS_per_g_per_K: float = 0.0,
    beta_J_per_gK4: float = 0.0,
    orientation: str = "isotropic",
    source: str | Path = "synthetic.csv",
) -> MeasuredCurve:
    """A synthetic Cp(B) curve: the model at a preset's parameters plus seeded Gaussian noise.

    ``sigma = rel_noise * C`` at each point; the preset must have a row at ``T_K``.
    """
    preset = materials.get(preset) if isinstance(preset, str) else preset
    m = replace(
        preset.at(T_K), nP2LS_per_g_per_K=nP2LS_per_g_per_K, phonon_beta_J_per_gK4=beta_J_per_gK4
    )
    B = np.asarray(B_T, dtype=float)
    c = heat_capacity.total(T_K, B, m, orientation)
    sigma = rel_noise * c
    y = c + sigma * np.random.default_rng(seed).standard_normal(B.shape)
    for a in (B, y, sigma):
        a.setflags(write=False)
    return MeasuredCurve(
        x=B,
        y=y,
        sigma=sigma,
        x_name="B_T",
        y_name="Cp_J_per_gK",
        columns=("B_T", "Cp_J_per_gK", "sigma_J_per_gK"),
        metadata=MappingProxyType({"T_K": float(T_K), "glass": preset.name, "synthetic": "yes"}),
        comments=("SYNTHETIC",),
        source=Path(source),
        sha256="",
        meta_sources=(),
    )


def synthetic_eps_curve(
    preset: Any,
    B_T: ArrayLike,
    *,
    T_K: float | None = None,
    f_Hz: float = dielectric.TYPICAL_FREQUENCY_HZ,
    noise: float = 0.01,
    seed: int = 0,
    orientation: str = "isotropic",
    options: Mapping[str, Any] | None = None,
    source: str | Path = "synthetic.csv",
) -> MeasuredCurve:
    """A synthetic [eps'(B) - eps'(0)]/eps' curve: the model at a Table 5-6 row plus seeded noise.

    Parameters
    ----------
    preset : str or DielectricPreset
        A row of :data:`etm.dielectric.DIELECTRIC_PRESETS`, or a glass name (then ``T_K``
        picks the row).
    B_T : array_like
        Fields B [T], >= 0, increasing.
    T_K : float, optional
        Temperature [K] of the row (needed for a glass with several rows).
    f_Hz : float
        Measuring frequency f [Hz] (written to the metadata).
    noise : float
        Gaussian noise, constant along the curve: sigma = noise x max|change| (dimensionless).
    seed : int
        Seed of :func:`numpy.random.default_rng`.
    orientation : {"isotropic", "aligned", "phi2/3"}
        Loop orientation average.
    options : mapping, optional
        Model options (:data:`EPS_OPTIONS`); they are written to the metadata.
    source : path-like
        The name the curve reports as its file.

    Returns
    -------
    MeasuredCurve
        x = B [T], y = the change (``rel_1``), sigma, metadata ``T_K``, ``f_Hz``, ``glass``.

    Examples
    --------
    >>> c = synthetic_eps_curve("BAS", [0.0, 0.03, 1.0], T_K=0.05, noise=0.0)
    >>> c.y_name, float(c.y[0]), bool(c.y[1] > 0 > c.y[2])
    ('rel_1', 0.0, True)
    """
    row = (
        preset
        if isinstance(preset, dielectric.DielectricPreset)
        else dielectric.dielectric_preset(preset, T_K)
    )
    opts = {**EPS_OPTIONS, **dict(options or {})}
    B = np.asarray(B_T, dtype=float)
    y0 = dielectric.relative_change(B, row.T_K, row.params, f_Hz, orientation=orientation, **opts)
    meta = {"T_K": float(row.T_K), "f_Hz": float(f_Hz), "glass": row.glass, "synthetic": "yes"}
    meta.update(dict(options or {}))
    return synthetic_field_curve(B, y0, noise * float(np.max(np.abs(y0))), seed, meta, source)


def synthetic_field_curve(
    B_T: NDArray[np.float64],
    y0: NDArray[np.float64],
    sigma: float,
    seed: int,
    metadata: Mapping[str, Any],
    source: str | Path,
) -> MeasuredCurve:
    """A SYNTHETIC relative-change curve y0(B) plus seeded Gaussian noise of width ``sigma``."""
    B = np.array(B_T, dtype=float)
    s = np.full_like(B, sigma)
    y = y0 + s * np.random.default_rng(seed).standard_normal(B.shape)
    for a in (B, y, s):
        a.setflags(write=False)
    return MeasuredCurve(
        x=B,
        y=y,
        sigma=s,
        x_name="B_T",
        y_name="rel_1",
        columns=("B_T", "rel_1", "sigma_1"),
        metadata=MappingProxyType(dict(metadata)),
        comments=("SYNTHETIC",),
        source=Path(source),
        sha256="",
        meta_sources=(),
    )


# the echo observable lives in its own module (this one would pass ~800 lines); importing it
# registers "echo" in OBSERVABLES
from etm import observables_echo as _observables_echo  # noqa: E402, F401
