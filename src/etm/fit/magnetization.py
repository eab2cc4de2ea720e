"""The magnetization observable ``"magnetization"``: M(T) at fixed B, or M(B) at fixed T.

Registered in :data:`etm.fit.registry.OBSERVABLES` on import. The model (the essay's section
4.2; docs/magnetization.md)::

    M(T, B) = nP_per_g * m_ATS(T, B; Dmin_K, X0min(T), X0max(T))      (ATS, weak field)
            + n_Fe2_per_g <mu>_S=2(T, B) + n_Fe3_per_g <mu>_S=5/2(T, B)  (Fe2+, Fe3+ Brillouin)
            + chi_dia_J_per_T2g * B                                     (diamagnetic matrix)

with X0min,max(T) = X0min,max_KA2 * exp(-3 E0_K (1/T - 1/T_REF_K)): the essay's N(T)^3 law
(:mod:`etm.tunnelers`) with the cutoffs given at T_REF_K = 1 K. E0_K = 0 (fix it so for M(B) at
one temperature, where it is degenerate with the cutoffs) is the temperature-independent model.

Files: column ``M_<unit>`` with ``<unit>`` one of :data:`M_UNITS` (J_per_Tg = Am2_per_g, the
package unit; Am2_per_kg = emu_per_g = 1e-3 of it; memu_per_g, uemu_per_g), optional
``sigma_<unit>``, x ``T_<unit>`` or ``B_<unit>``, and the other variable as metadata
(``# B_T = 1`` or ``# T_K = 2``). Until :mod:`etm.fit.data` knows the quantity M,
:func:`read_magnetization_curve` converts the column here (docs/magnetization.md, "Fitting").
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from etm import magnetization, materials
from etm.fit.data import BASE_UNITS, QUANTITIES, MeasuredCurve, read_curve, temperature_field_axes
from etm.fit.models import LinearCurve
from etm.fit.registry import (
    Defaults,
    Observable,
    ParamSpec,
    register_observable,
    x_cutoff_specs,
)
from etm.fit.synthetic import synthetic_curve
from etm.params import FE2_G, FE2_SPIN, FE3_G, FE3_SPIN, ATSParams

__all__ = [
    "MAGNETIZATION",
    "M_UNITS",
    "T_REF_K",
    "read_magnetization_curve",
    "synthetic_magnetization_curve",
]

#: Units of a magnetization column: unit -> factor to the package's J/(T g) (= A m^2/g).
M_UNITS: dict[str, float] = {
    "J_per_Tg": 1.0,
    "Am2_per_g": 1.0,
    "J_per_Tkg": 1e-3,
    "Am2_per_kg": 1e-3,
    "emu_per_g": 1e-3,
    "memu_per_g": 1e-6,
    "uemu_per_g": 1e-9,
}

#: Reference temperature [K] at which the fitted X cutoffs hold when E0_K != 0.
T_REF_K: float = 1.0


class _MCurve(LinearCurve):
    """Magnetization model of one curve: fixed (T, B) points, cached ATS shapes per unit nP;
    linear in nP, the Fe concentrations and the diamagnetic slope (:attr:`LINEAR`)."""

    LINEAR = {
        "nP_per_g": "ATS",
        "n_Fe2_per_g": "Fe2+",
        "n_Fe3_per_g": "Fe3+",
        "chi_dia_J_per_T2g": "diamagnet",
    }
    SHAPE_PARAMS = {"ATS": ("Dmin_K", "X0min_KA2", "X0max_KA2", "E0_K")}

    def __init__(
        self, x_name: str, x: ArrayLike, metadata: Mapping[str, Any], orientation: str, where: str
    ) -> None:
        super().__init__()
        self.T, self.B = temperature_field_axes(x_name, x, metadata, where)
        self.orientation = orientation
        self.basis = {
            "Fe2+": magnetization.paramagnet(T_K=self.T, B_T=self.B, S=FE2_SPIN, g=FE2_G),
            "Fe3+": magnetization.paramagnet(T_K=self.T, B_T=self.B, S=FE3_SPIN, g=FE3_G),
            "diamagnet": self.B.copy(),
        }

    def ats_unit(self, Dmin: float, X0a: float, X0b: float, E0: float) -> NDArray[np.float64]:
        """M_ATS per unit nP [J/(T g) per 1/g]; symmetric in the X cutoffs, zero when they meet."""
        lo, hi = min(X0a, X0b), max(X0a, X0b)

        def at(T: NDArray[np.float64], B: NDArray[np.float64]) -> NDArray[np.float64]:
            if E0 == 0.0:
                p = ATSParams(Dmin, lo, hi, 1.0)
                return magnetization.ats(T, B, p, orientation=self.orientation)
            # the N(T)^3 law moves the cutoffs point by point
            f = np.exp(np.clip(-3.0 * E0 * (1.0 / T - 1.0 / T_REF_K), -700.0, 700.0))
            return np.array(
                [
                    magnetization.ats(
                        t, b, ATSParams(Dmin, lo * fk, hi * fk, 1.0), orientation=self.orientation
                    )
                    for t, b, fk in zip(T, B, f, strict=True)
                ]
            )

        def compute() -> NDArray[np.float64]:
            if hi <= lo * (1.0 + 1e-12):
                return np.zeros_like(self.T)
            return checked_interpolation(at, self.T, self.B)

        return self.cached((Dmin, lo, hi, E0), compute)

    def shape(self, component: str, v: Mapping[str, float]) -> NDArray[np.float64]:
        """The ATS magnetization per unit nP at ``v``."""
        return self.ats_unit(v["Dmin_K"], v["X0min_KA2"], v["X0max_KA2"], v["E0_K"])


#: Above this many distinct x values a curve's ATS term is interpolated (checked at every call).
INTERPOLATE_ABOVE = 512
#: Largest error of the interpolant at its check points, relative to the term's largest value.
INTERPOLATION_RTOL = 1e-7


def checked_interpolation(
    at: Any, T: NDArray[np.float64], B: NDArray[np.float64]
) -> NDArray[np.float64]:
    """``at(T, B)`` at every point of a curve, computed at its distinct x values only and, for a
    curve of more than :data:`INTERPOLATE_ABOVE` of them, through a Chebyshev interpolant in x.

    The interpolant takes n = 64, 128, 256, 512 Chebyshev nodes on the curve's x range and is
    checked at every call against ``at`` at 64 of the curve's own x values (evenly through them,
    the two ends included); the first n whose largest error there is <= :data:`INTERPOLATION_RTOL`
    of the term's largest value is used, else the term is computed at every distinct x. A
    20000-point M(B) curve costs ~130 evaluations instead of 20000 (issue 19, case 24), and a
    curve with a feature the nodes miss is computed point by point rather than mis-drawn.
    """
    varying_B = np.ptp(B) > 0
    if varying_B and np.ptp(T) > 0:  # not one curve's axis: point by point
        return at(T, B)
    x = B if varying_B else T
    xu, inverse = np.unique(x, return_inverse=True)
    other = float((T if varying_B else B)[0])

    def on(xs: NDArray[np.float64]) -> NDArray[np.float64]:
        o = np.full_like(xs, other)
        return np.asarray(at(o, xs) if varying_B else at(xs, o), dtype=float)

    if xu.size > INTERPOLATE_ABOVE:
        check = xu[np.unique(np.linspace(0, xu.size - 1, 64).round().astype(int))]
        exact = on(check)
        a, b = float(xu[0]), float(xu[-1])
        for n in (64, 128, 256, 512):
            k = np.arange(n)
            nodes = 0.5 * (a + b) + 0.5 * (b - a) * np.cos(np.pi * (k + 0.5) / n)
            cheb = np.polynomial.Chebyshev.fit(nodes, on(nodes), n - 1, domain=[a, b])
            scale = max(float(np.max(np.abs(exact))), 1e-300)
            if np.max(np.abs(cheb(check) - exact)) <= INTERPOLATION_RTOL * scale:
                return cheb(xu)[inverse]
    return on(xu)[inverse]


_DEFAULT_SHAPE = {"Dmin_K": 0.5, "X0min_KA2": 5e4, "X0max_KA2": 3e5, "E0_K": 0.0}


def _guess_shape(metadata: Mapping[str, Any], material: Any) -> dict[str, float]:
    if material is None:
        return dict(_DEFAULT_SHAPE)
    preset = materials.get(material) if isinstance(material, str) else material
    if not preset.heat_capacity_rows:
        known = ", ".join(g.name for g in materials.GLASSES.values() if g.heat_capacity_rows)
        raise ValueError(
            f"material {material!r} has no heat-capacity fit to start 'magnetization' from; "
            f"known (Tables 1-4): {known}"
        )
    T = metadata.get("T_K")
    rows = preset.heat_capacity_rows
    row = min(rows, key=lambda r: abs(r.T_K - T)) if T is not None else rows[0]
    return {
        "Dmin_K": row.Dmin_K,
        "X0min_KA2": row.X0min_KA2,
        "X0max_KA2": row.X0max_KA2,
        "E0_K": 0.0,
        "nP_per_g": preset.nP_per_g,
        "n_Fe2_per_g": preset.n_Fe2_per_g,
        "n_Fe3_per_g": preset.n_Fe3_per_g,
        "chi_dia_J_per_T2g": 0.0,
    }


def _defaults(curves, material, fix, free, components) -> Defaults:
    """docs/magnetization.md's recipe: E0_K fixed at 0 (degenerate with the cutoffs on M(B) at
    one T, and poorly determined by M(T): free it with --free E0_K), the ATS cutoffs shared by
    several curves of one sample."""
    out: dict[str, float] = {}
    notes = []
    if "E0_K" not in fix and "E0_K" not in free and "ATS" in components:
        out["E0_K"] = 0.0
        notes.append(
            "E0_K fixed at 0 (temperature-independent cutoffs): on M(B) at one T it is "
            "degenerate with the cutoffs, and M(T) determines it only with the Fe terms known "
            "(free it with --free E0_K)"
        )
    share = None
    if len(curves) > 1:
        share = ("Dmin_K", "X0min_KA2", "X0max_KA2", "E0_K")
        notes.append(
            "Dmin_K, X0min_KA2, X0max_KA2 shared by the curves (one sample; each curve alone "
            "leaves them correlated above 0.99; --per-curve P to fit P per curve)"
        )
    return Defaults(fix=out, share=share, notes=tuple(notes))


#: The registered ``"magnetization"`` observable.
MAGNETIZATION = register_observable(
    Observable(
        name="magnetization",
        catalog="magnetization",
        x_quantities=("T", "B"),
        y_quantity="M",
        y_label="M",
        y_unit="J/(T g)",
        params=(
            ParamSpec(
                name="Dmin_K",
                unit="K",
                component="ATS",
                per_curve=True,
                bounds=(1e-3, 20.0),
                description="lower cutoff of D",
            ),
            *x_cutoff_specs(),
            ParamSpec(
                name="E0_K",
                unit="K",
                component="ATS",
                per_curve=True,
                bounds=(-5.0, 5.0),
                description="N(T) = N0 exp(-E0/T): X cutoffs scale as exp(-3 E0 (1/T - 1/T_ref))",
            ),
            ParamSpec(
                name="nP_per_g",
                unit="1/g",
                component="ATS",
                log10=True,
                bounds=(1e12, 1e20),
                description="ATS concentration n_ATS P*",
                amplitude=True,
            ),
            ParamSpec(
                name="n_Fe2_per_g",
                unit="1/g",
                component="Fe2+",
                log10=True,
                bounds=(1e12, 1e20),
                description="Fe2+ concentration (S = 2, g = 2)",
                amplitude=True,
            ),
            ParamSpec(
                name="n_Fe3_per_g",
                unit="1/g",
                component="Fe3+",
                log10=True,
                bounds=(1e12, 1e20),
                description="Fe3+ concentration (S = 5/2, g = 2)",
                amplitude=True,
            ),
            ParamSpec(
                name="chi_dia_J_per_T2g",
                unit="J/(T^2 g)",
                component="diamagnet",
                bounds=(-1e-4, 1e-4),
                description="field-linear background (diamagnetic matrix, < 0)",
            ),
        ),
        components=("ATS", "Fe2+", "Fe3+", "diamagnet"),
        prepare=_MCurve,
        guess_shape=_guess_shape,
        defaults=lambda *args: _defaults(*args),
        read=lambda path, metadata_toml=None: read_magnetization_curve(
            path, metadata_toml=metadata_toml
        ),
    )
)


def read_magnetization_curve(
    path: str | os.PathLike, *, metadata_toml: str | os.PathLike | None = None
) -> MeasuredCurve:
    """Read an M(T) or M(B) curve (columns ``M_<unit>``, :data:`M_UNITS`), converting to J/(T g).

    Parameters
    ----------
    path : path-like
        The CSV file (layout of :func:`etm.fit.data.read_curve`).
    metadata_toml : path-like, optional
        Further metadata (see :func:`etm.fit.data.read_curve`).

    Returns
    -------
    MeasuredCurve
        y named ``M_J_per_Tg``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "m.csv").write_text("# B_T = 1\\nT_K,M_emu_per_g\\n1,2.0\\n2,1.0\\n")
    >>> c = read_magnetization_curve(d / "m.csv")
    >>> c.y_name, c.y.tolist()
    ('M_J_per_Tg', [0.002, 0.001])
    """
    path = Path(path)
    if BASE_UNITS.get(QUANTITIES.get("M", ""), "") == "J_per_Tg":
        # etm.fit.data knows the magnetization units (with this package unit): read directly
        return read_curve(path, x=("T", "B"), y="M", metadata_toml=metadata_toml)
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: cannot read as UTF-8 text ({exc})") from None
    lines = text.splitlines()
    h = next((i for i, s in enumerate(lines) if s.strip() and not s.strip().startswith("#")), None)
    if h is None:
        raise ValueError(f"{path}: no header row (expected e.g. 'T_K, M_emu_per_g')")
    names = [c.strip() for c in lines[h].split(",")]
    unit = None
    for j, n in enumerate(names):
        q, _, u = n.partition("_")
        if q in ("M", "sigma"):
            if u not in M_UNITS:
                raise ValueError(
                    f"{path}, line {h + 1}, column {j + 1} ({n!r}): unit {u!r} is not a "
                    f"magnetization unit; allowed: {', '.join(M_UNITS)}"
                )
            if unit is not None and u != unit:
                raise ValueError(f"{path}, line {h + 1}: M and sigma must share one unit")
            unit = u
            names[j] = f"{q}_1"
    if unit is None:
        raise ValueError(f"{path}, line {h + 1}: missing column M_<unit> (e.g. M_emu_per_g)")
    names = ["rel_1" if n == "M_1" else n for n in names]
    lines[h] = ", ".join(names)
    # read through etm.fit.data (all its checks) from a copy with M as a plain number
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / path.name
        copy.write_text("\n".join(lines) + "\n", encoding="utf-8")
        try:
            c = read_curve(copy, x=("T", "B"), y="rel", metadata_toml=metadata_toml)
        except ValueError as exc:
            raise ValueError(str(exc).replace(str(copy), str(path))) from None
    f = M_UNITS[unit]
    y, s = c.y * f, (None if c.sigma is None else c.sigma * f)
    for a in (y, s):
        if a is not None:
            a.setflags(write=False)
    cols = tuple(
        n.replace("rel_1", f"M_{unit}").replace("sigma_1", f"sigma_{unit}") for n in c.columns
    )
    return replace(
        c,
        y=y,
        sigma=s,
        y_name="M_J_per_Tg",
        columns=cols,
        source=path,
        sha256=hashlib.sha256(raw).hexdigest(),
        meta_sources=(str(path), *c.meta_sources[1:]),
    )


def synthetic_magnetization_curve(
    preset: Any,
    *,
    T_K: ArrayLike,
    B_T: ArrayLike,
    rel_noise: float = 0.01,
    seed: int = 0,
    E0_K: float = 0.0,
    chi_dia_J_per_T2g: float = 0.0,
    orientation: str = "isotropic",
    source: str | Path = "synthetic.csv",
) -> MeasuredCurve:
    """A SYNTHETIC M(T) (``B_T`` scalar) or M(B) (``T_K`` scalar) curve plus seeded noise.

    Parameters
    ----------
    preset : str or Glass
        A material with heat-capacity rows (Tables 1-4): concentrations, and the first row's
        Dmin and X cutoffs (taken at T_REF_K when ``E0_K`` != 0).
    T_K, B_T : array_like or float
        Temperatures [K] and fields [T]; exactly one is an array (the abscissa).
    rel_noise : float
        Relative noise: ``sigma = rel_noise * |M|``.
    seed : int
        Seed of :func:`numpy.random.default_rng`.
    E0_K : float
        The N(T) activation energy [K] of the model (0: T-independent X).
    chi_dia_J_per_T2g : float
        Field-linear background [J/(T^2 g)].
    orientation : str
        Loop orientation average.
    source : path-like
        The name the curve reports as its file.

    Returns
    -------
    MeasuredCurve
        y ``M_J_per_Tg``; metadata the fixed variable, ``glass`` and ``synthetic``.

    Examples
    --------
    >>> c = synthetic_magnetization_curve("BAS", T_K=[0.5, 1.0, 2.0], B_T=1.0, rel_noise=0.0)
    >>> c.x_name, c.metadata["B_T"], bool(c.y[0] > c.y[2])
    ('T_K', 1.0, True)
    """
    g = materials.get(preset) if isinstance(preset, str) else preset
    T, B = np.asarray(T_K, dtype=float), np.asarray(B_T, dtype=float)
    if (T.ndim == 0) == (B.ndim == 0):
        raise ValueError("exactly one of T_K and B_T must be an array (the abscissa)")
    x_name, x, other = (
        ("T_K", T, ("B_T", float(B))) if B.ndim == 0 else ("B_T", B, ("T_K", float(T)))
    )
    model = _MCurve(x_name, x, {other[0]: other[1]}, orientation, str(source))
    v = _guess_shape({}, g)
    v.update(E0_K=E0_K, chi_dia_J_per_T2g=chi_dia_J_per_T2g)
    m = model.evaluate(v, MAGNETIZATION.components)
    meta = {other[0]: other[1], "glass": g.name, "synthetic": "yes"}
    return synthetic_curve(x_name, x, "M_J_per_Tg", m, rel_noise * np.abs(m), seed, meta, source)
