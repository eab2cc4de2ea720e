"""The echo observable ``"echo"``: relative two-pulse echo amplitude A(B)/A(B_high) vs field B.

Registered in :data:`etm.fit.registry.OBSERVABLES` on import. The model (the essay's Eq. 21,
27-34, Figs. 15-16, Table 7; :func:`etm.echo.relative_amplitude`; docs/fitting.md, "Echo")::

    A(B)/A(B_high) = [A_2LS(T, tau12) + s a(B)] / [A_2LS(T, tau12) + s a(B_high)],  s = -1,
    A_2LS(T, tau12) = A_2LS_per_a0 a_0 tanh(hf/2T) exp(-2 tau12 [c_2LS T + Gamma_2LS (hf)^3 coth])

with a(B) the ATS echo of :func:`etm.echo.amplitude` at the curve's temperature and pulse
sequence (metadata ``T_K``, ``f_Hz``, ``tau1_s``, ``tau2_s``, ``tau12_s``, read in any unit of
:data:`etm.fit.data.UNITS`, e.g. ``# tau12_us = 2``), s = ``ats_sign`` (Eq. 31's minus by
default) and a_0 the undecayed zero-field ATS echo of the curve's pulses (T -> 0, c = Gamma = 0:
the unit of the 2LS echo, the same for every curve of one pulse shape and frequency, so that a
tau12 or temperature series shares one A_2LS_per_a0). The two terms the fitter plots are
``"ATS"`` = s a(B)/A(B_high) and ``"2LS"`` = A_2LS/A(B_high) (for ``detection = magnitude``,
"ATS" is the rest of the ratio).

Several files of one glass (a tau12 series, a temperature series) are fitted together by
:func:`fit_echo`, which shares every tunneling and 2LS parameter across the curves by default.

What the data determine: without a 2LS echo, c multiplies every system's echo, a(0) included, by
exp(-2 c T tau12) and cancels *exactly* in the ratio; with one, only c - c_2LS enters (the ratio
is unchanged if both move together: Table 7's column is c_ATS - c_2LS), so c_2LS is fixed at 0 by
default and c then means c_ATS - c_2LS. p1F0 and tan(omega Delta tau) are strongly correlated
with the cutoffs on a single curve, and so are Gamma^-1 (with Dmin and X0max) and A_2LS (with
X0min): on a 100-point curve with 0.5 % noise only Dmin_K, X0min_KA2 and X0max_KA2 are
determined (docs/fitting.md). :func:`fit_echo` therefore fixes :data:`ECHO_DEFAULT_FIXED` (at
the material's Table 7 row, or typical values; the 2LS terms at 0) unless they are freed, and
says so in the fit's notes; Table 7's constants are starting values only where freed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from etm import echo, materials
from etm.fit.data import MeasuredCurve
from etm.fit.echo_curve import ECHO_OPTIONS, EP_NAMES, TLS_NAMES, EchoCurve, bare_unit
from etm.fit.engine import FitResult, fit
from etm.fit.registry import (
    Defaults,
    Observable,
    ParamSpec,
    register_observable,
    x_cutoff_specs,
)
from etm.fit.synthetic import synthetic_field_curve
from etm.params import EchoParams

__all__ = [
    "ECHO",
    "ECHO_DEFAULT_FIXED",
    "ECHO_EQUATION",
    "ECHO_OPTIONS",
    "SERIES_FREE",
    "bare_unit",
    "echo_defaults",
    "echo_guess",
    "fit_echo",
    "preset_row",
    "synthetic_echo_curve",
]

#: The fitted model in one line each, for the reports.
ECHO_EQUATION = (
    "A(B)/A(B_high) = [A_2LS(T, tau12) + s a(B)] / [A_2LS(T, tau12) + s a(B_high)], s = -1 "
    "(Eq. 31); a(B): ATS echo of Eq. 27-34 averaged over (D, X, cos beta); A_2LS(T, tau12) = "
    "A_2LS_per_a0 a_0 tanh(hf/2T) exp(-2 tau12 [c_2LS T + Gamma_2LS (hf)^3 coth(hf/2T)])"
)
#: Parameters :func:`fit_echo` holds fixed unless freed (see the module docstring): on one
#: curve only Dmin_K, X0min_KA2 and X0max_KA2 are determined.
ECHO_DEFAULT_FIXED: tuple[str, ...] = (
    "Gamma_inv_per_sK5",
    "c_per_sK",
    "p1F0_DkV_per_m",
    "tan_omega_dtau",
    "A_2LS_per_a0",
    "c_2LS_per_sK",
    "Gamma_2LS_per_sK3",
)
#: Start (and default-fixed values) without a material: BAS sample 2 of Table 7, rounded;
#: no 2LS echo (Table 7 gives none; :func:`etm.echo.relative_amplitude`'s default).
_ECHO_DEFAULT_START = {
    "Dmin_K": 0.025,
    "X0min_KA2": 1e3,
    "X0max_KA2": 1e4,
    "Gamma_inv_per_sK5": 2.6e11,
    "c_per_sK": 4e6,
    "p1F0_DkV_per_m": 0.45,
    "tan_omega_dtau": 0.25,
    "A_2LS_per_a0": 0.0,
    "c_2LS_per_sK": 0.0,
    "Gamma_2LS_per_sK3": 0.0,
}


def preset_row(material: Any, metadata: Mapping[str, Any]) -> materials.EchoRow:
    """The Table 7 row for ``material``: a row or its name ("BAS sample 2"), or a glass ("BAS",
    "BK7", a :class:`~etm.materials.Glass`), then the row whose tau12 is nearest the curve's."""
    if isinstance(material, materials.EchoRow):
        return material
    names = [r.name for r in materials.ECHO_ROWS]
    if isinstance(material, str):
        try:
            return materials.echo_row(material)
        except ValueError:
            pass
    glass = material if isinstance(material, materials.Glass) else None
    if glass is None:
        try:
            glass = materials.get(material)
        except ValueError:
            glass = None
    rows = glass.echo_rows if glass is not None else ()
    if not rows:
        glasses = sorted({r.glass for r in materials.ECHO_ROWS})
        raise ValueError(
            f"unknown material {material!r} for observable 'echo'; known (Table 7): "
            f"{', '.join(glasses + names)}"
        )
    t12 = metadata.get("tau12_s")
    if isinstance(t12, float):
        return min(rows, key=lambda r: abs(math.log(r.pulses.tau12_s / t12)))
    return rows[0]


def echo_guess(metadata: Mapping[str, Any], material: Any) -> dict[str, float]:
    """The fit's start: the Table 7 row of ``material`` (:func:`preset_row`) or, without a glass,
    the typical values; the 2LS parameters at their defaults."""
    if material is None:
        return dict(_ECHO_DEFAULT_START)
    p = preset_row(material, metadata).params
    out = {n: float(getattr(p, n)) for n in EP_NAMES}
    out.update({n: _ECHO_DEFAULT_START[n] for n in TLS_NAMES})
    return out


def _echo_start(metadata: Mapping[str, Any], material: Any) -> dict[str, float]:
    """Starting values of a fit: the defaults, but a freed 2LS echo starts at A_2LS = a_0 (at
    A_2LS = 0 the ratio's dependence on the cutoffs has a second, wrong valley)."""
    return {**echo_guess(metadata, material), "A_2LS_per_a0": 1.0}


#: The registered ``"echo"`` observable.
ECHO = register_observable(
    Observable(
        name="echo",
        catalog="echo",
        x_quantities=("B",),
        y_quantity="rel",
        y_label="A(B)/A(B_high)",
        y_unit="1",
        params=(
            ParamSpec(
                name="Dmin_K",
                unit="K",
                component="ATS",
                per_curve=True,
                bounds=(1e-3, 2.0),
                description="lower cutoff of D",
            ),
            # Table 7's X values reach down to ~1e3 K A^2: a lower bound than cp/eps's 10
            *x_cutoff_specs((1.0, 1e8)),
            ParamSpec(
                name="Gamma_inv_per_sK5",
                unit="1/(s K^5)",
                component="ATS",
                per_curve=True,
                log10=True,
                bounds=(1e-6, 1e20),
                description="ATS one-phonon coupling Gamma^-1 of Eq. 21",
            ),
            ParamSpec(
                name="c_per_sK",
                unit="1/(s K)",
                component="ATS",
                per_curve=True,
                bounds=(0.0, 1e10),
                description="spectral-diffusion constant c of Eq. 34 (c_ATS - c_2LS with c_2LS "
                "fixed at 0)",
            ),
            ParamSpec(
                name="p1F0_DkV_per_m",
                unit="D kV/m",
                component="ATS",
                per_curve=True,
                bounds=(1e-3, 1e3),
                description="p1 F0: Omega_1 = p1 F0/hbar sets the Rabi frequencies",
            ),
            ParamSpec(
                name="tan_omega_dtau",
                unit="1",
                component="ATS",
                per_curve=True,
                bounds=(-100.0, 100.0),
                description="tan(omega Delta tau), the detection phase",
            ),
            # the 2LS echo: per curve in the registry (so the engine's linear start leaves
            # them alone), shared by fit_echo across the curves of one glass
            ParamSpec(
                name="A_2LS_per_a0",
                unit="a0",
                component="2LS",
                per_curve=True,
                bounds=(0.0, 1e4),
                description="2LS echo A_2LS in units of a_0, the undecayed zero-field ATS echo",
            ),
            ParamSpec(
                name="c_2LS_per_sK",
                unit="1/(s K)",
                component="2LS",
                per_curve=True,
                bounds=(0.0, 1e10),
                description="2LS spectral diffusion c_2LS (only c - c_2LS enters the ratio)",
            ),
            ParamSpec(
                name="Gamma_2LS_per_sK3",
                unit="1/(s K^3)",
                component="2LS",
                per_curve=True,
                bounds=(0.0, 1e12),
                description="one-phonon rate Gamma_2LS (hf)^3 coth(hf/2T) of the resonant 2LS",
            ),
        ),
        components=("ATS", "2LS"),
        prepare=EchoCurve,
        guess_shape=_echo_start,
        equation=ECHO_EQUATION,
        options=ECHO_OPTIONS,
        y_units=("echo", "1"),
        detect_metadata=("tau12",),
        defaults=lambda *args: _echo_hook(*args),
        refine_start=lambda *args: _refine_start(*args),
    )
)


def _series(curves: Sequence[MeasuredCurve]) -> str | None:
    """``"tau12"`` or ``"T"`` if the curves are a series in it (several values), else None."""
    if len(curves) < 2:
        return None
    for key, kind in (("tau12_s", "tau12"), ("T_K", "T")):
        vals = {round(float(c.metadata.get(key, math.nan)), 15) for c in curves}
        if len(vals) > 1:
            return kind
    return None


#: What a series determines beyond one curve, fitted by default (docs/fitting.md, "Echo").
SERIES_FREE = {
    "tau12": ("A_2LS_per_a0", "c_per_sK"),
    "T": ("A_2LS_per_a0",),
}


def echo_defaults(
    curves: Sequence[MeasuredCurve],
    material: Any = None,
    fix: Mapping[str, float] | None = None,
    free: Sequence[str] = (),
) -> tuple[dict[str, float], list[str]]:
    """The ``fix`` mapping :func:`fit_echo` uses, and notes saying what it fixed and why.

    One curve determines Dmin_K, X0min_KA2 and X0max_KA2: :data:`ECHO_DEFAULT_FIXED` are held
    at the material's Table 7 row. A series in tau12 also determines the 2LS echo and c
    (:data:`SERIES_FREE`), a temperature series the 2LS echo and its phonon rate: those are
    fitted, and X0min_KA2 (degenerate with A_2LS_per_a0, correlation 1.00) is held at the row.

    Parameters
    ----------
    curves : sequence of MeasuredCurve
        The echo curves (the first one's metadata picks the Table 7 row).
    material : str or EchoRow, optional
        Table 7 row or glass whose values are used; else the typical values of BAS sample 2.
    fix : mapping, optional
        The user's fixed values (kept).
    free : sequence of str
        Parameters of :data:`ECHO_DEFAULT_FIXED` to fit anyway.

    Returns
    -------
    fix : dict
        ``fix`` plus each default-fixed parameter not freed.
    notes : list of str
        One per automatic choice.
    """
    out = dict(fix or {})
    meta = curves[0].metadata if curves else {}
    start = echo_guess(meta, material)
    src = (
        f"the Table 7 row {preset_row(material, meta).name!r}"
        if material is not None
        else "typical values (BAS sample 2 of Table 7, rounded)"
    )
    why = {
        "c_per_sK": "without a 2LS echo it scales every ATS echo, a(0) included, by "
        "exp(-2 c T tau12) and cancels exactly in A(B)/A(B_high)",
        "p1F0_DkV_per_m": "on one curve it is strongly correlated with the X cutoffs",
        "tan_omega_dtau": "on one curve it is strongly correlated with A_2LS and Dmin",
        "Gamma_inv_per_sK5": "on one curve at Table 7's values its log10 is undetermined "
        "(linearized sigma of several decades, correlation > 0.95 with Dmin_K and X0max_KA2)",
        "A_2LS_per_a0": "Table 7 gives no 2LS echo, and on one curve it is degenerate with "
        "X0min_KA2 (correlation ~1); a tau12 or temperature series determines it",
        "c_2LS_per_sK": "only c_per_sK - c_2LS_per_sK enters the ratio (Table 7's column "
        "c_ATS - c_2LS); c_per_sK then holds the difference",
        "Gamma_2LS_per_sK3": "Table 7 gives no 2LS phonon rate; only a temperature series "
        "separates it from the 2LS spectral diffusion",
        "X0min_KA2": "with the 2LS echo fitted it is degenerate with A_2LS_per_a0 (correlation "
        "1.00; docs/echo.md)",
    }
    series = _series(curves)
    auto = set(SERIES_FREE.get(series, ())) if series else set()
    notes = []
    for name in sorted(auto):
        if name not in out and name not in free:
            notes.append(f"{name} fitted: a {series} series determines it (fix it with --fix)")
    held = [n for n in ECHO_DEFAULT_FIXED if n not in auto]
    if series and "X0min_KA2" not in free:
        held.append("X0min_KA2")
    for name in held:
        if name in out or name in free:
            continue
        out[name] = start[name]
        frm = "" if name in TLS_NAMES else f" from {src}"
        notes.append(
            f"{name} fixed at {start[name]:.4g}{frm}: {why[name]} (free it with free=/--free, "
            "or set it with fix=/--fix)"
        )
    return out, notes


#: A_2LS_per_a0 values [a_0] tried for the start when it is fitted (each costs no echo integral).
_A2LS_GRID = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0)


def _refine_start(prob: Any, init: list[dict[str, float]], fix: Mapping[str, float]):
    """Start a fitted 2LS echo at the best of :data:`_A2LS_GRID` for the curves (the ratio's
    dependence on the cutoffs has a second, wrong valley at a poor A_2LS). The ATS echo is
    cached on its own parameters, so the grid costs one echo integral per curve."""
    if "A_2LS_per_a0" in fix or "2LS" not in prob.components:
        return init
    best, best_a = np.inf, None
    for a in _A2LS_GRID:
        chi2 = 0.0
        for i, (c, m, s) in enumerate(zip(prob.curves, prob.models, prob.sigmas, strict=True)):
            v = {**init[i], **fix, "A_2LS_per_a0": a}
            r = (c.y - m.evaluate(v, prob.components)) / s
            chi2 += float(r @ r)
        if chi2 < best:
            best, best_a = chi2, a
    return [{**d, "A_2LS_per_a0": max(best_a, 0.05)} for d in init]


def _echo_hook(curves, material, fix, free, components) -> Defaults:
    """The observable's defaults: :func:`echo_defaults`, and every parameter shared across the
    curves of one glass (a tau12 or temperature series is one model)."""
    fixed, notes = echo_defaults(curves, material, fix, free)
    extra = {k: v for k, v in fixed.items() if k not in (fix or {})}
    return Defaults(fix=extra, share=tuple(p.name for p in ECHO.params), notes=tuple(notes))


def fit_echo(
    curves: MeasuredCurve | Sequence[MeasuredCurve],
    *,
    material: Any = None,
    fix: Mapping[str, float] | None = None,
    free: Sequence[str] = (),
    **kwargs: Any,
) -> FitResult:
    """Fit echo curves of one glass together with the defaults of :func:`echo_defaults`.

    Each curve carries its own T, tau12 and pulses (metadata); the tunneling parameters, the 2LS
    echo A_2LS_per_a0 and its decay are shared across the curves by default, so a tau12 series
    (Fig. 14b) or a temperature series (Fig. 15) is one model with one parameter set. Table 7's
    values (``material``) are starting values of what is freed and the values of what is not.
    It is :func:`etm.fit.engine.fit` with ``observable="echo"``, which applies the same defaults.

    Parameters
    ----------
    curves : MeasuredCurve or sequence of MeasuredCurve
        Relative echo amplitudes (column ``rel_<unit>``, e.g. ``rel_echo``).
    material : str or EchoRow, optional
        Table 7 row or glass ("BAS", "BK7", "BAS sample 2"): the start, and the fixed values.
    fix : mapping, optional
        ``{name: value}`` in physical units, held fixed.
    free : sequence of str
        Default-fixed parameters to fit anyway.
    **kwargs
        Passed to :func:`etm.fit.engine.fit` (``share``, ``per_curve``, ``components``,
        ``orientation``, ``max_nfev``). Default ``share``: every parameter not named in
        ``per_curve`` (several curves of one glass: a tau12 or temperature series).

    Returns
    -------
    FitResult
        With the automatic choices first in ``notes``.

    References
    ----------
    The essay's Eq. 21, 27-34, Figs. 15-16, Table 7.
    """
    curves = (curves,) if isinstance(curves, MeasuredCurve) else tuple(curves)
    return fit(curves, "echo", material=material, fix=fix, free=free, **kwargs)


def synthetic_echo_curve(
    preset: Any,
    B_T: ArrayLike,
    *,
    A_2LS_per_a0: float = 0.0,
    c_2LS_per_sK: float = 0.0,
    Gamma_2LS_per_sK3: float = 0.0,
    T_K: float | None = None,
    tau12_s: float | None = None,
    params: EchoParams | None = None,
    background: float = 0.0,
    noise: float = 0.005,
    seed: int = 0,
    orientation: str = "isotropic",
    options: Mapping[str, Any] | None = None,
    source: str | Path = "synthetic.csv",
) -> MeasuredCurve:
    """A synthetic A(B)/A(B_high) curve: a Table 7 row's model plus seeded Gaussian noise.

    Parameters
    ----------
    preset : str or EchoRow
        A row of :data:`etm.materials.ECHO_ROWS` (Table 7) or its name; its pulses and
        temperature are used unless overridden.
    B_T : array_like
        Fields B [T], >= 0, increasing.
    A_2LS_per_a0 : float
        The 2LS echo in units of a_0 (:func:`bare_unit`), >= 0 (Table 7 gives none; default 0).
    c_2LS_per_sK, Gamma_2LS_per_sK3 : float
        Its decay (:func:`etm.echo.two_level_echo`), >= 0.
    T_K : float, optional
        Temperature [K] > 0 (default: the row's, 12 mK): a temperature series.
    tau12_s : float, optional
        Waiting time [s] (default: the row's): a tau12 series.
    params : EchoParams, optional
        Parameters instead of the row's (e.g. :func:`etm.echo.echo_params` readings).
    background : float
        The former convention (:func:`etm.echo.relative_amplitude`), >= 0; not with A_2LS.
    noise : float
        Gaussian noise sigma, constant along the curve (dimensionless, in units of A(B_high)).
    seed : int
        Seed of :func:`numpy.random.default_rng`.
    orientation : {"isotropic", "aligned", "phi2/3"}
        Loop orientation average.
    options : mapping, optional
        Model options (:data:`ECHO_OPTIONS`); they are written to the metadata.
    source : path-like
        The name the curve reports as its file.

    Returns
    -------
    MeasuredCurve
        x = B [T], y = A(B)/A(B_high) (``rel_1``), sigma; metadata ``T_K``, ``f_Hz``,
        ``tau1_s``, ``tau2_s``, ``tau12_s``, ``glass``.

    Examples
    --------
    >>> c = synthetic_echo_curve("BAS sample 2", [0.0, 0.6], noise=0.0)
    >>> c.y_name, round(float(c.y[1]), 12)
    ('rel_1', 1.0)
    """
    row = preset_row(preset, {})
    opts = {**ECHO_OPTIONS, **dict(options or {})}
    p = row.params if params is None else params
    pu = row.pulses if tau12_s is None else replace(row.pulses, tau12_s=float(tau12_s))
    T = row.T_K if T_K is None else float(T_K)
    B = np.asarray(B_T, dtype=float)
    A2 = A_2LS_per_a0 * bare_unit(p, pu, opts) if A_2LS_per_a0 else 0.0
    y0 = echo.relative_amplitude(
        T_K=T,
        B_T=B,
        params=p,
        pulses=pu,
        B_high_T=opts["Bhigh_T"],
        A_2LS=A2,
        ats_sign=opts["ats_sign"],
        c_2LS_per_sK=c_2LS_per_sK,
        Gamma_2LS_per_sK3=Gamma_2LS_per_sK3,
        detection=opts["detection"],
        background=background,
        orientation=orientation,
        matrix_elements=opts["matrix_elements"],
        c_form=opts["c_form"],
    )
    meta = {
        "T_K": T,
        "f_Hz": pu.f_Hz,
        "tau1_s": pu.tau1_s,
        "tau2_s": pu.tau2_s,
        "tau12_s": pu.tau12_s,
        "glass": row.name,
        "synthetic": "yes",
    }
    meta.update(dict(options or {}))
    return synthetic_field_curve(B, y0, noise, seed, meta, source)
