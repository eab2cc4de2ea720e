"""The dielectric observable ``"eps"``: [eps'(B) - eps'(0)]/eps' at fixed T and frequency.

Registered in :data:`etm.fit.registry.OBSERVABLES` on import. The model (the essay's Eq. 16-20,
Figs. 10-12, Tables 5-6; docs/fitting.md, "Dielectric constant", and docs/dielectric.md)::

    [eps'(B) - eps'(0)]/eps' = amplitude_K * r_ATS(B; T, f; Dmin_K, X0min_KA2, X0max_KA2)  (ATS)
                             + 0                                                         (STM)

with r_ATS per unit amplitude from :func:`etm.dielectric.relative_change`; the 2LS background
of the standard model is field-blind and cancels in the difference (the ``"STM"`` term is zero).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from etm import dielectric, materials
from etm.fit.data import MeasuredCurve, field_curve_axes, metadata_number
from etm.fit.models import LinearCurve
from etm.fit.registry import (
    Observable,
    ParamSpec,
    metadata_choices,
    register_observable,
    x_cutoff_specs,
)
from etm.fit.synthetic import synthetic_field_curve
from etm.params import DielectricATS

__all__ = ["EPS", "EPS_OPTIONS", "synthetic_eps_curve"]

#: Model options an ``"eps"`` curve may carry in its metadata (``# average = decoupled`` above
#: the header row, a ``--meta`` TOML entry, or the ``etm fit`` options), with their defaults:
#: the exact model. ``average = decoupled`` with ``matrix_elements = essay`` are the essay's own
#: forms (Eq. 19-20), :data:`etm.figures.ESSAY_FORM`.
EPS_OPTIONS: Mapping[str, Any] = MappingProxyType(
    {
        "average": "direct",
        "matrix_elements": "exact",
        "n_wells": 3,
        "relaxation": "frozen",
        "measuring_field": "random",
    }
)
#: Relaxation treatments the fitter accepts: ``"debye"`` needs the ATS phonon coupling A_ATS,
#: which no table gives and the fit does not determine.
_EPS_RELAXATIONS = ("frozen", "static")
#: Bounds of Dmin_K for ``"eps"`` [K] (any frequency is allowed: hf > Dmin is a principal value).
_EPS_DMIN_BOUNDS = (1e-3, 20.0)


def _eps_options(metadata: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The model options of one curve from its metadata, checked (``where`` names the file)."""
    out = dict(EPS_OPTIONS)
    allowed = {
        "average": dielectric.AVERAGES,
        "matrix_elements": dielectric.MATRIX_ELEMENTS,
        "relaxation": _EPS_RELAXATIONS,
        "measuring_field": dielectric.MEASURING_FIELDS,
    }
    out.update(metadata_choices(metadata, allowed, where))
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


class _EpsCurve(LinearCurve):
    """Dielectric model of one curve: [eps'(B) - eps'(0)]/eps' at fixed T and f, cached shapes.

    The change is linear in the amplitude A (:attr:`LINEAR`), so the ATS integral is computed
    per unit A and cached on (Dmin, X0min, X0max), as for the heat capacity. The curve needs
    ``T_K`` and ``f_Hz`` in its metadata (no default frequency: with frozen relaxation the curve
    hardly depends on it, but a silent default would hide a missing measurement condition); the
    model options (:data:`EPS_OPTIONS`) may be there too. The ``"STM"`` term is zero.
    """

    LINEAR = {"amplitude_K": "ATS"}
    SHAPE_PARAMS = {"ATS": ("Dmin_K", "X0min_KA2", "X0max_KA2")}

    def __init__(
        self, x_name: str, x: ArrayLike, metadata: Mapping[str, Any], orientation: str, where: str
    ) -> None:
        super().__init__()
        self.B, T = field_curve_axes(x_name, x, metadata, where, "eps", "T_mK = 50")
        f = metadata_number(metadata, "f_Hz", where, "f_kHz = 1")
        if not 0 <= f:
            raise ValueError(f"{where}: metadata 'f_Hz' must be >= 0 Hz, got {f:g}")
        # an array, as for Cp: the fitter reads the curves' temperatures from ``T``
        self.T_K, self.f_Hz = T, f
        self.T = np.full_like(self.B, T)
        self.options = _eps_options(metadata, where)
        self.orientation = orientation

    def ats_unit(self, Dmin: float, X0a: float, X0b: float) -> NDArray[np.float64]:
        """The change per unit amplitude A [1/K]. Symmetric in the two X cutoffs and zero when
        they coincide (the distribution is proportional to ln(X0max/X0min))."""
        lo, hi = min(X0a, X0b), max(X0a, X0b)
        empty = hi <= lo * (1.0 + 1e-12)

        def compute() -> NDArray[np.float64]:
            if empty:
                return np.zeros_like(self.B)
            return dielectric.relative_change(
                T_K=self.T_K,
                B_T=self.B,
                params=DielectricATS(1.0, Dmin, lo, hi),
                f_Hz=self.f_Hz,
                orientation=self.orientation,
                **self.options,
            )

        return self.cached((Dmin, lo, hi), compute, not empty)

    def shape(self, component: str, v: Mapping[str, float]) -> NDArray[np.float64]:
        """The ATS change per unit amplitude at ``v``."""
        return self.ats_unit(v["Dmin_K"], v["X0min_KA2"], v["X0max_KA2"])


#: Start of the eps parameters when no material is given: the BAS 50 mK row of Table 5, rounded.
_EPS_DEFAULT_START = {
    "amplitude_K": 1e-5,
    "Dmin_K": 0.02,
    "X0min_KA2": 1.5e5,
    "X0max_KA2": 3e5,
}


def _dielectric_rows(material: Any) -> tuple[materials.DielectricRow, ...]:
    """The Table 5-6 rows of ``material``: a row, a :class:`~etm.materials.Glass` or its name."""
    if isinstance(material, materials.DielectricRow):
        return (material,)
    glass = material if isinstance(material, materials.Glass) else None
    if glass is None:
        try:
            glass = materials.get(material)
        except ValueError:
            glass = None
    rows = glass.dielectric_rows if glass is not None else ()
    if not rows:
        names = ", ".join(sorted({r.glass for r in materials.DIELECTRIC_ROWS}))
        raise ValueError(
            f"unknown material {material!r} for observable 'eps'; known (Tables 5-6): {names}"
        )
    return rows


def _eps_guess_shape(metadata: Mapping[str, Any], material: Any) -> dict[str, float]:
    if material is None:
        return dict(_EPS_DEFAULT_START)
    rows = _dielectric_rows(material)
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


#: The registered ``"eps"`` observable.
EPS = register_observable(
    Observable(
        name="eps",
        catalog="eps",
        x_quantities=("B",),
        y_quantity="rel",
        y_label="[eps'(B) - eps'(0)]/eps'",
        y_unit="1",
        params=(
            ParamSpec(
                name="amplitude_K",
                unit="K",
                component="ATS",
                per_curve=True,
                log10=True,
                bounds=(1e-10, 1e-1),
                description="amplitude A = pi x_ATS P* p1^2/(eps0 eps_r), an energy over k_B",
            ),
            ParamSpec(
                name="Dmin_K",
                unit="K",
                component="ATS",
                per_curve=True,
                bounds=_EPS_DMIN_BOUNDS,
                description="lower cutoff of the ATS asymmetry D",
            ),
            *x_cutoff_specs(),
        ),
        components=("ATS", "STM"),
        prepare=_EpsCurve,
        guess_shape=_eps_guess_shape,
        options=EPS_OPTIONS,
        y_units=("eps", "ppm", "1"),
    )
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
    preset : str or DielectricRow
        A row of :data:`etm.materials.DIELECTRIC_ROWS` (Tables 5-6), or a glass name (then
        ``T_K`` picks the row, :func:`etm.materials.dielectric_row`).
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
        if isinstance(preset, materials.DielectricRow)
        else materials.dielectric_row(preset, T_K)
    )
    opts = {**EPS_OPTIONS, **dict(options or {})}
    B = np.asarray(B_T, dtype=float)
    y0 = dielectric.relative_change(
        T_K=row.T_K, B_T=B, params=row.params, f_Hz=f_Hz, orientation=orientation, **opts
    )
    meta = {"T_K": float(row.T_K), "f_Hz": float(f_Hz), "glass": row.glass, "synthetic": "yes"}
    meta.update(dict(options or {}))
    return synthetic_field_curve(B, y0, noise * float(np.max(np.abs(y0))), seed, meta, source)
