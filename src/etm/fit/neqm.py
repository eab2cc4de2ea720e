"""The nuclear-quadrupole echo (NEQM) as fit models of echo curves: ``echo_neqm`` and ``echo_both``.

Two alternative models of an ``"echo"`` curve A(B)/A(B_high) (:func:`etm.fit.registry.
register_model`; ``etm fit --observable echo --model neqm|both``, :mod:`etm.fit.model_compare`):

* ``echo_neqm``, the NEQM alone (:func:`etm.neqm.relative_amplitude`, docs/neqm.md sec. 4)::

      A(B)/A(B_high) = m(B)/m(B_high),   m(B) = 1 - f_Q D(B; s_Q),
      D(B; s_Q) = sum_i (f_i/f_Q) [1 - <A_i(B)>]  (C_Q of every isotope times s_Q)

  with two parameters: ``f_Q``, the fraction of tunneling systems whose atom carries a
  quadrupolar nucleus (the isotope mix f_i/f_Q is the glass's composition,
  :func:`etm.materials.neqm_row`), and ``CQ_scale`` s_Q, one factor on every isotope's median
  quadrupole coupling (the row's couplings are order-of-magnitude NMR values, docs/neqm.md
  sec. 6). The uniform decay of the 2LS echo cancels in the ratio.
* ``echo_both``, both contributions with their weights (Eq. 31 with the NEQM factor)::

      A(B) = A_2LS(T, tau12) m(B) - a(B),   normalized at B_high,

  the ``"echo"`` observable's parameters (a(B) the ATS echo, A_2LS(T, tau12) =
  A_2LS_per_a0 a_0 tanh(hf/2T) exp(...) the 2LS echo) plus ``f_Q`` and ``CQ_scale``. Here the
  weight ``A_2LS_per_a0`` is fitted as log10 on [1e-8, 1e4]: at the bottom the 2LS echo, and
  with it the NEQM part, is < 1e-5 of the ATS echo at B_high (a(B_high)/a_0 is ~1e-3 for the
  Table 7 rows, whose ATS echo decays by tau12): the ETM alone; at the top the ATS part is
  < 1e-4 of the 2LS echo: the NEQM alone.

**The depth table.** D depends on the fitted s_Q through the sampled ensemble (Sobol points shared
by every field and every s_Q; :func:`etm.neqm.ensemble.echo_factor`), which costs ~0.1-0.3 s per
curve and s_Q. :func:`depth_table` computes it once per curve at :data:`TABLE_NODES` Chebyshev-
Lobatto nodes in log10 s_Q over the parameter's bounds and fits a Chebyshev series of degree
:data:`TABLE_DEGREE` to them (least squares, per field): the fitted model is this smooth function
of log10 s_Q, exact in f_Q. The sampled ensemble has a fixed sampling pattern that moves with
s_Q (wiggles of the size of its sampling error, ~0.004 at 256 points, on a scale of a few
percent in s_Q: the phases C_Q tau change); the smooth fit averages them out. Measured for BAS
sample 1 (61 fields, 256 points per node): the smoothed model is within 0.0037 of a 2048-point
ensemble at every node, the raw 256-point one within 0.0054 (docs/neqm.md, "Model
comparison"). The table is kept per curve (LRU), so the least-squares fits of both models, the
MCMC and the evidence reuse it; every later evaluation is a Chebyshev sum.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.polynomial import chebyshev as cheb
from numpy.typing import ArrayLike, NDArray

from etm.fit.data import MeasuredCurve, field_curve_axes
from etm.fit.echo import ECHO, echo_defaults, echo_guess, preset_row
from etm.fit.echo_curve import ECHO_OPTIONS, EchoCurve, echo_options, pulses_from_metadata
from etm.fit.registry import Defaults, Observable, ParamSpec, register_model
from etm.fit.synthetic import synthetic_field_curve
from etm.params import NEQMParams, Pulses

__all__ = [
    "BOTH_EQUATION",
    "ECHO_BOTH",
    "ECHO_NEQM",
    "NEQM_EQUATION",
    "NEQM_OPTIONS",
    "TABLE_DEGREE",
    "TABLE_NODES",
    "BothCurve",
    "DepthTable",
    "NEQMCurve",
    "depth_table",
    "neqm_params",
    "synthetic_neqm_curve",
]

#: Model options of the NEQM part a curve's metadata may carry, with their defaults: Sobol points
#: of the ensemble (a power of 2), the Mims times (:data:`etm.neqm.ensemble.TIMINGS`), which atoms
#: tunnel (:func:`etm.materials.nuclei.quadrupolar_fractions`), the normalization field.
NEQM_OPTIONS: Mapping[str, Any] = MappingProxyType(
    {"neqm_samples": 256, "neqm_timing": "centres", "neqm_species": "atoms", "Bhigh_T": 0.6}
)
#: Chebyshev-Lobatto nodes in log10 CQ_scale of the depth table, and the degree fitted to them
#: (module docstring: 33 and 12 measured against a 2048-point ensemble).
TABLE_NODES = 33
TABLE_DEGREE = 12
#: Bounds of CQ_scale (the table spans them).
CQ_SCALE_BOUNDS = (0.1, 10.0)

NEQM_EQUATION = (
    "A(B)/A(B_high) = m(B)/m(B_high), m(B) = 1 - f_Q D(B; CQ_scale), D = sum_i (f_i/f_Q) "
    "[1 - <A_i(B)>]: the Mims factor of the quadrupolar isotopes averaged over the 2LS (echo "
    "weight), the two wells' gradients and C_Q (every median C_Q times CQ_scale); docs/neqm.md"
)
BOTH_EQUATION = (
    "A(B)/A(B_high) = [A_2LS(T, tau12) m(B) - a(B)] / [A_2LS(T, tau12) m(B_high) - a(B_high)]: "
    "the ATS echo a(B) (Eq. 27-34) and the 2LS echo A_2LS(T, tau12) = A_2LS_per_a0 a_0 "
    "tanh(hf/2T) exp(...) carrying the NEQM factor m(B) = 1 - f_Q D(B; CQ_scale)"
)

_NEQM_SPECS = (
    ParamSpec(
        name="CQ_scale",
        unit="1",
        component="NEQM",
        per_curve=True,  # shared by the defaults hook (the engine's linear start leaves it)
        log10=True,
        bounds=CQ_SCALE_BOUNDS,
        description="factor on every isotope's median quadrupole coupling C_Q (the glass's "
        "NEQM row: 1)",
    ),
    ParamSpec(
        name="f_Q",
        unit="1",
        component="NEQM",
        per_curve=True,
        bounds=(0.0, 1.0),
        description="fraction of the tunneling systems whose atom carries a quadrupolar nucleus "
        "(isotope mix of the glass's composition)",
    ),
)


def _option(metadata: Mapping[str, Any], key: str, where: str) -> Any:
    v = metadata.get(key, NEQM_OPTIONS[key])
    if key == "neqm_samples":
        ok = isinstance(v, int | float) and not isinstance(v, bool) and v >= 16
        if not ok or 2 ** round(math.log2(v)) != v:
            raise ValueError(
                f"{where}: metadata 'neqm_samples' must be a power of 2 >= 16, got {v!r}"
            )
        return int(v)
    if key == "neqm_timing":
        from etm.neqm.ensemble import TIMINGS

        if v not in TIMINGS:
            raise ValueError(f"{where}: metadata 'neqm_timing' must be one of {', '.join(TIMINGS)}")
    return v


def neqm_params(metadata: Mapping[str, Any], pulses: Pulses, where: str) -> NEQMParams:
    """The NEQM parameters of a curve: its glass's :func:`etm.materials.neqm_row` (metadata
    ``neqm_glass``, else ``glass``; species ``neqm_species``) with Omega_1 tau1 = pi/2 for the
    file's tau1, as the row sets it. Raises naming the file if there is no glass, or it has
    no NEQM row or no quadrupolar isotope."""
    from etm.materials.nuclei import neqm_names, neqm_row

    name = metadata.get("neqm_glass", metadata.get("glass"))
    if name is None:
        raise ValueError(
            f"{where}: the NEQM model needs the glass (its composition gives the isotopes): add "
            f"'# glass = <name>' or give --material (one of {', '.join(neqm_names())})"
        )
    try:
        row = neqm_row(str(name), species=_option(metadata, "neqm_species", where))
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
    if row.params.f_Q <= 0.0:
        raise ValueError(f"{where}: glass {name!r} has no quadrupolar isotope: no NEQM effect")
    return replace(row.params, omega1_per_s=0.5 * math.pi / pulses.tau1_s)


@dataclass(frozen=True)
class DepthTable:
    """D(B; CQ_scale) on a curve's fields as a Chebyshev series in x = log10 CQ_scale.

    Attributes
    ----------
    x_nodes : ndarray, shape (K,)
        The nodes in x (Chebyshev-Lobatto over the bounds).
    D_nodes : ndarray, shape (K, P)
        The sampled ensemble's D at the nodes, on the P fields (the curve's, then B_high).
    coef : ndarray, shape (deg + 1, P)
        Chebyshev coefficients in the variable mapped to [-1, 1].
    lo, hi : float
        The x range.
    f_Q : float
        The row's f_Q (for reference; D is per unit f_Q).
    smoothing : float
        max |series - D_nodes| f_Q over the nodes and fields (the wiggles averaged out).
    """

    x_nodes: NDArray[np.float64]
    D_nodes: NDArray[np.float64]
    coef: NDArray[np.float64]
    lo: float
    hi: float
    f_Q: float
    smoothing: float

    def __call__(self, x: ArrayLike) -> NDArray[np.float64]:
        """D at x = log10 CQ_scale (clipped to the range): shape (*x.shape, P)."""
        x = np.clip(np.asarray(x, dtype=float), self.lo, self.hi)
        t = (2.0 * x - (self.lo + self.hi)) / (self.hi - self.lo)
        r = cheb.chebval(t, self.coef)  # shape (P, *x.shape)
        return r if t.ndim == 0 else np.moveaxis(r, 0, -1)


@functools.lru_cache(maxsize=16)
def depth_table(
    params: NEQMParams,
    pulses: Pulses,
    fields: tuple[float, ...],
    T_K: float,
    n_samples: int = 256,
    timing: str = "centres",
    seed: int = 0,
    workers: int = 1,
) -> DepthTable:
    """The :class:`DepthTable` of a curve (module docstring), cached on its arguments.

    Parameters
    ----------
    params : NEQMParams
        The glass's NEQM parameters (:func:`neqm_params`).
    pulses : Pulses
        The curve's pulses.
    fields : tuple of float
        The fields [T] (the curve's, then B_high).
    T_K : float
        Temperature [K] (enters only through the 2LS phonon decay, not used here).
    n_samples, timing, seed, workers
        As :func:`etm.neqm.ensemble.echo_factor`.

    Returns
    -------
    DepthTable
    """
    from etm.neqm.ensemble import echo_factor

    lo, hi = (math.log10(b) for b in CQ_SCALE_BOUNDS)
    k = np.arange(TABLE_NODES)
    t = -np.cos(np.pi * k / (TABLE_NODES - 1))
    x = 0.5 * (lo + hi) + 0.5 * (hi - lo) * t
    B = np.asarray(fields, dtype=float)
    fq = params.f_Q
    rows = []
    for xi in x:
        nuc = tuple(replace(n, CQ_Hz=n.CQ_Hz * 10.0**xi) for n in params.nuclei)
        m = echo_factor(
            T_K,
            B,
            replace(params, nuclei=nuc),
            pulses,
            n_samples=n_samples,
            timing=timing,
            seed=seed,
            workers=workers,
        )
        rows.append((1.0 - m) / fq)
    D = np.array(rows)
    coef = cheb.chebfit(t, D, TABLE_DEGREE)
    smooth = float(np.max(np.abs(cheb.chebval(t, coef).T - D))) * fq
    return DepthTable(x, D, coef, lo, hi, fq, smooth)


class NEQMCurve:
    """The ``echo_neqm`` model of one curve (module docstring): exact in f_Q, the depth table
    in CQ_scale; :meth:`evaluate_many` is vectorized over parameter sets (the MCMC)."""

    def __init__(
        self, x_name: str, x: ArrayLike, metadata: Mapping[str, Any], orientation: str, where: str
    ) -> None:
        self.B, T = field_curve_axes(x_name, x, metadata, where, "echo", "T_mK = 12")
        self.T_K = T
        self.T = np.full_like(self.B, T)
        self.pulses = pulses_from_metadata(metadata, where)
        self.params = neqm_params(metadata, self.pulses, where)
        opts = {k: _option(metadata, k, where) for k in ("neqm_samples", "neqm_timing")}
        Bh = echo_options(metadata, where)["Bhigh_T"]
        self.options = {**opts, "Bhigh_T": Bh}
        self._fields = tuple(float(b) for b in np.concatenate([self.B, [Bh]]))

    @property
    def table(self) -> DepthTable:
        """The curve's depth table (computed on first use, then cached)."""
        return depth_table(
            self.params,
            self.pulses,
            self._fields,
            self.T_K,
            self.options["neqm_samples"],
            self.options["neqm_timing"],
        )

    def factor(self, v: Mapping[str, float]) -> NDArray[np.float64]:
        """m on the fields then at B_high."""
        return 1.0 - float(v["f_Q"]) * self.table(math.log10(float(v["CQ_scale"])))

    def parts(self, v: Mapping[str, float], components: Sequence[str]) -> dict[str, NDArray]:
        """``"2LS"`` 1/m(B_high) and ``"NEQM"`` -f_Q D(B)/m(B_high): they add to m(B)/m(B_high)."""
        m = self.factor(v)
        den = m[-1] if m[-1] != 0.0 else 1e-300
        out = {}
        if "2LS" in components:
            out["2LS"] = np.full_like(self.B, 1.0 / den)
        if "NEQM" in components:
            out["NEQM"] = (m[:-1] - 1.0) / den
        return out

    def evaluate(self, v: Mapping[str, float], components: Sequence[str]) -> NDArray[np.float64]:
        """The model A(B)/A(B_high)."""
        return sum(self.parts(v, components).values(), np.zeros_like(self.B))

    def prepare_sampling(
        self, box: Mapping[str, tuple[float, float]] | None, best: Mapping[str, float] | None
    ) -> float | None:
        """No surrogate is needed: :meth:`evaluate_many` is the model itself (error 0)."""
        return None if box is None else 0.0

    def evaluate_many(
        self, v: Mapping[str, NDArray], components: Sequence[str]
    ) -> NDArray[np.float64]:
        """The model for W parameter sets (``v``: name -> array of W), shape (W, n)."""
        x = np.log10(np.asarray(v["CQ_scale"], dtype=float))
        f = np.asarray(v["f_Q"], dtype=float)
        m = 1.0 - f[:, None] * np.atleast_2d(self.table(x))
        if "NEQM" not in components:
            m = np.ones_like(m)
        den = np.where(m[:, -1:] != 0.0, m[:, -1:], 1e-300)
        out = m[:, :-1] / den
        return out if "2LS" in components else out - 1.0 / den


class BothCurve(EchoCurve):
    """The ``echo_both`` model of one curve: :class:`~etm.fit.echo_curve.EchoCurve` (cached ATS
    echo and its checked surrogate) with the 2LS echo multiplied by the NEQM factor m(B)."""

    def __init__(
        self, x_name: str, x: ArrayLike, metadata: Mapping[str, Any], orientation: str, where: str
    ) -> None:
        super().__init__(x_name, x, metadata, orientation, where)
        self.neqm = NEQMCurve(x_name, x, metadata, orientation, where)

    def _combine(self, v, got, components):
        """The terms of A(B)/A(B_high) with the 2LS echo carrying m(B) (``"NEQM"`` is the
        change it brings: the terms add up to the model)."""
        if "NEQM" not in components or "2LS" not in components:
            out = super()._combine(v, got, components)
            if "NEQM" in components:
                out["NEQM"] = np.zeros_like(self.B)
            return out
        m = self.neqm.factor(v)
        if got is None:  # no ATS (an empty X window): the NEQM alone
            den = m[-1] if m[-1] != 0.0 else 1e-300
            out = {"2LS": np.full_like(self.B, 1.0 / den), "NEQM": (m[:-1] - 1.0) / den}
            if "ATS" in components:
                out["ATS"] = np.zeros_like(self.B)
            return out
        z, a0 = got
        two = self.two_level(v, a0)
        sign = self.options["ats_sign"]
        if self.options["detection"] == "projection":
            a = float(v["tan_omega_dtau"]) * z.real + z.imag
            den = two * m[-1] + sign * a[-1]
            rel_ats = sign * a[:-1]
        else:
            den = abs(two * m[-1] + sign * z[-1])
            rel_ats = np.abs(two * m[:-1] + sign * z[:-1]) - two * m[:-1]
        den = den if den != 0.0 else 1e-300
        return {
            "ATS": rel_ats / den,
            "2LS": np.full_like(self.B, two / den),
            "NEQM": two * (m[:-1] - 1.0) / den,
        }


# --- starts, defaults and the two registered models -----------------------------------------


def _neqm_name(metadata: Mapping[str, Any], material: Any) -> str | None:
    name = metadata.get("neqm_glass", metadata.get("glass"))
    if name is None and isinstance(material, str):
        name = material
    return None if name is None else str(name)


def _neqm_guess(metadata: Mapping[str, Any], material: Any) -> dict[str, float]:
    """CQ_scale = 1 (the row's couplings) and the composition's f_Q."""
    from etm.materials.nuclei import neqm_row

    name = _neqm_name(metadata, material)
    if name is None:
        raise ValueError("the NEQM model needs the glass: a '# glass' line or --material")
    row = neqm_row(name, species=metadata.get("neqm_species", NEQM_OPTIONS["neqm_species"]))
    return {"CQ_scale": 1.0, "f_Q": float(row.params.f_Q)}


def etm_material(material: Any) -> Any:
    """``material`` if it names a Table 7 row or glass (an ETM start), else None."""
    if material is None:
        return None
    try:
        preset_row(material, {})
    except ValueError:
        return None
    return material


def _neqm_note(curves: Sequence[MeasuredCurve], material: Any) -> str:
    from etm.materials.nuclei import neqm_row

    meta = curves[0].metadata if curves else {}
    name = _neqm_name(meta, material)
    row = neqm_row(str(name), species=meta.get("neqm_species", NEQM_OPTIONS["neqm_species"]))
    iso = ", ".join(f"{n.label} {n.fraction / row.params.f_Q:.2g}" for n in row.params.nuclei[:4])
    return (
        f"NEQM isotopes from neqm_row({name!r}) (share of f_Q: {iso}); f_Q starts at the "
        f"composition's {row.params.f_Q:.3g}, CQ_scale at 1 (the row's median C_Q); the depth "
        f"table: {TABLE_NODES} nodes in log10 CQ_scale over [0.1, 10], Chebyshev degree "
        f"{TABLE_DEGREE} (docs/neqm.md, 'Model comparison')"
    )


def _neqm_hook(curves, material, fix, free, components) -> Defaults:
    return Defaults(
        fix={}, share=tuple(p.name for p in _NEQM_SPECS), notes=(_neqm_note(curves, material),)
    )


def _grid_start(prob: Any, init: list[dict[str, float]], fix: Mapping[str, float], grid):
    """The best point of ``grid`` (dicts of values) by chi^2 over the curves, each cheap."""
    best, pick = np.inf, {}
    for g in grid:
        g = {k: x for k, x in g.items() if k not in fix}
        chi2 = 0.0
        for i, (c, m, s) in enumerate(zip(prob.curves, prob.models, prob.sigmas, strict=True)):
            r = (c.y - m.evaluate({**init[i], **fix, **g}, prob.components)) / s
            chi2 += float(r @ r)
        if chi2 < best:
            best, pick = chi2, g
    return [{**d, **pick} for d in init]


def _neqm_refine(prob: Any, init: list[dict[str, float]], fix: Mapping[str, float]):
    """Start at the best of a grid in (CQ_scale, f_Q): each point costs no ensemble (the table)."""
    f0 = init[0]["f_Q"]
    grid = [
        {"CQ_scale": 10.0**x, "f_Q": min(f0 * k, 1.0)}
        for x in np.linspace(-1.0, 1.0, 9)
        for k in (0.25, 0.5, 1.0, 2.0, 4.0)
    ]
    return _grid_start(prob, init, fix, grid)


#: The registered ``echo_neqm`` model (:func:`etm.fit.registry.lookup` finds it).
ECHO_NEQM = register_model(
    Observable(
        name="echo_neqm",
        x_quantities=("B",),
        y_quantity="rel",
        y_label="A(B)/A(B_high)",
        y_unit="1",
        params=_NEQM_SPECS,
        components=("2LS", "NEQM"),
        prepare=NEQMCurve,
        guess_shape=_neqm_guess,
        equation=NEQM_EQUATION,
        options=NEQM_OPTIONS,
        y_units=("echo", "1"),
        detect_metadata=("tau12",),
        defaults=_neqm_hook,
        refine_start=_neqm_refine,
    )
)

#: The 2LS weight of ``echo_both``: log10 on [1e-8, 1e4] (the ETM alone at the bottom, the
#: NEQM alone at the top; a log-uniform prior across them).
_A2LS_BOTH = replace(ECHO.spec("A_2LS_per_a0"), log10=True, bounds=(1e-8, 1e4))
_BOTH_SPECS = (
    tuple(_A2LS_BOTH if p.name == "A_2LS_per_a0" else p for p in ECHO.params) + _NEQM_SPECS
)


def _both_guess(metadata: Mapping[str, Any], material: Any) -> dict[str, float]:
    return {
        **echo_guess(metadata, etm_material(material)),
        "A_2LS_per_a0": 1.0,
        **_neqm_guess(metadata, material),
    }


def _both_hook(curves, material, fix, free, components) -> Defaults:
    """The echo defaults with the 2LS weight fitted (it carries the NEQM factor)."""
    fixed, notes = echo_defaults(curves, etm_material(material), fix, (*free, "A_2LS_per_a0"))
    extra = {k: v for k, v in fixed.items() if k not in (fix or {})}
    notes = [
        *notes,
        "A_2LS_per_a0 fitted (log10 on [1e-8, 1e4]): the weight of the 2LS echo, which carries "
        "the NEQM factor",
        _neqm_note(curves, material),
    ]
    return Defaults(fix=extra, share=tuple(p.name for p in _BOTH_SPECS), notes=tuple(notes))


def _both_refine(prob: Any, init: list[dict[str, float]], fix: Mapping[str, float]):
    """Start at the best of a grid in (A_2LS_per_a0, CQ_scale): the ATS echo is cached, so the
    grid costs one echo integral per curve."""
    grid = [
        {"A_2LS_per_a0": a, "CQ_scale": 10.0**x}
        for a in (1e-8, 1e-4, 1e-3, 0.01, 0.1, 1.0, 10.0, 100.0, 1e3)
        for x in (-1.0, -0.5, 0.0, 0.5, 1.0)
    ]
    return _grid_start(prob, init, fix, grid)


#: The registered ``echo_both`` model.
ECHO_BOTH = register_model(
    Observable(
        name="echo_both",
        x_quantities=("B",),
        y_quantity="rel",
        y_label="A(B)/A(B_high)",
        y_unit="1",
        params=_BOTH_SPECS,
        components=("ATS", "2LS", "NEQM"),
        prepare=BothCurve,
        guess_shape=_both_guess,
        equation=BOTH_EQUATION,
        options=MappingProxyType({**ECHO_OPTIONS, **NEQM_OPTIONS}),
        y_units=("echo", "1"),
        detect_metadata=("tau12",),
        defaults=_both_hook,
        refine_start=_both_refine,
    )
)


def synthetic_neqm_curve(
    name: str,
    B_T: ArrayLike,
    *,
    CQ_scale: float = 1.0,
    f_Q: float | None = None,
    tau12_s: float | None = None,
    noise: float = 0.005,
    seed: int = 0,
    n_samples: int = 2048,
    neqm_seed: int = 1,
    source: str | Path = "synthetic_neqm.csv",
) -> MeasuredCurve:
    """A SYNTHETIC echo curve made by the NEQM: :func:`etm.neqm.relative_amplitude` of
    ``neqm_row(name)`` with every median C_Q times ``CQ_scale`` and the fractions scaled to
    ``f_Q``, plus seeded Gaussian noise.

    The curve is computed directly (not through the fit's depth table), with ``n_samples``
    Sobol points scrambled by ``neqm_seed`` (default 2048 and 1: more points and another
    sample than the fit model's 256 and 0, so the fit meets its own sampling error).

    Parameters
    ----------
    name : str
        An NEQM row (:func:`etm.materials.neqm_row`: a glass or a Table 7 row); its T, pulses.
    B_T : array_like
        Fields [T], >= 0, increasing.
    CQ_scale : float
        Factor on every median C_Q, > 0.
    f_Q : float, optional
        Fraction of systems with a quadrupolar nucleus (default: the row's).
    tau12_s : float, optional
        Waiting time [s] (default: the row's).
    noise : float
        Gaussian noise sigma (units of A(B_high)), constant along the curve.
    seed : int
        Seed of the noise (:func:`numpy.random.default_rng`).
    n_samples, neqm_seed : int
        Sobol points and scrambling seed of the ensemble.
    source : path-like
        The name the curve reports as its file.

    Returns
    -------
    MeasuredCurve
        x = B [T], y = A(B)/A(0.6 T) (``rel_1``), sigma; metadata ``T_K``, ``f_Hz``, ``tau1_s``,
        ``tau2_s``, ``tau12_s``, ``glass``.
    """
    from etm.materials.nuclei import neqm_row
    from etm.neqm import relative_amplitude

    row = neqm_row(name)
    p = row.params
    k = 1.0 if f_Q is None else float(f_Q) / p.f_Q
    nuc = tuple(replace(n, CQ_Hz=n.CQ_Hz * CQ_scale, fraction=n.fraction * k) for n in p.nuclei)
    pu = row.pulses if tau12_s is None else replace(row.pulses, tau12_s=float(tau12_s))
    B = np.asarray(B_T, dtype=float)
    y0 = relative_amplitude(
        row.T_K,
        B,
        replace(p, nuclei=nuc, omega1_per_s=0.5 * math.pi / pu.tau1_s),
        pu,
        n_samples=n_samples,
        seed=neqm_seed,
    )
    meta = {
        "T_K": row.T_K,
        "f_Hz": pu.f_Hz,
        "tau1_s": pu.tau1_s,
        "tau2_s": pu.tau2_s,
        "tau12_s": pu.tau12_s,
        "glass": row.name,
        "synthetic": "yes",
    }
    return synthetic_field_curve(B, y0, noise, seed, meta, source)
