"""Observables the fitter knows: a registry, and the heat capacity ``"cp"`` model.

An :class:`Observable` tells :func:`etm.fitting.fit` which parameters a kind of measured curve
has (:class:`ParamSpec`: units, bounds, log10 or linear, shared or per curve by default) and how
to evaluate the model on a curve. Register new kinds (dielectric, echo) with
:func:`register_observable`.

Heat capacity (``"cp"``, the essay's Eq. 14-15, Tables 1-4)::

    C(T, B) = nP_per_g * c_ATS(T, B; Dmin_K, X0min_KA2, X0max_KA2)    (ATS, c_ATS per unit nP)
            + (pi^2/6) k_B nP2LS_per_g_per_K T                         (2LS)
            + beta_J_per_gK4 T^3                                       (phonons)
            + n_Fe2_per_g c_S=2(T, B) + n_Fe3_per_g c_S=5/2(T, B)      (Fe2+, Fe3+ Schottky)
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

from etm import heat_capacity, materials
from etm.constants import k_B
from etm.io import MeasuredCurve, read_curve
from etm.params import FE2_G, FE2_SPIN, FE3_G, FE3_SPIN, ATSParams

__all__ = [
    "OBSERVABLES",
    "Observable",
    "ParamSpec",
    "read_curves",
    "register_observable",
    "synthetic_cp_curve",
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
            ParamSpec(
                "X0min_KA2",
                "K A^2",
                "ATS",
                True,
                True,
                (10.0, 1e8),
                "lower cutoff of X = D0 |q/e| S",
            ),
            ParamSpec(
                "X0max_KA2",
                "K A^2",
                "ATS",
                True,
                True,
                (10.0, 1e8),
                "upper cutoff of X = D0 |q/e| S",
            ),
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
