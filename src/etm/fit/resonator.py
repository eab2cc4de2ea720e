"""Fits of the dielectric background and of resonators: eps'(T), eps''(B or T), f0(T), Q_i(T or P).

Registered in :data:`etm.fit.registry.OBSERVABLES` on import (docs/dielectric.md §6):

``"eps_T"``  delta eps'/eps' against T at fixed f and B: the 2LS background of
             :mod:`etm.dielectric.stm`
             (C, T0, the one-phonon coefficient A) plus the ATS part at the curve's field;
``"loss"``   tan(delta) = eps''/eps' against B or T: 2LS resonant + relaxational loss plus the ATS
             loss (resonant and Debye-relaxational, Eq. 21's Gamma^-1);
``"f0"``     a resonator's frequency f0(T) = f_r + f_nom delta f0/f0
             (:func:`etm.resonator.fractional_shift`; f_nom the curve's nominal frequency, the
             product f_r x shift ~1e-6 is dropped at 1e-12);
``"Qi"``     its internal quality factor against T or the circulating power P:
             1/Q_i = F tan(delta)_2LS(T, P/P_c) + 1/Q_other.

Metadata a curve needs: ``f_Hz`` always (for f0, whose data are frequencies, the nominal
frequency ``fnom_Hz``); ``T_K`` for curves against B or P; ``B_T`` (default 0);
``filling_factor`` (default 1) for f0 and Q_i; ``P_W`` (default 0, unsaturated) for Q_i(T);
``drive_ratio`` (default 0) for loss curves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from etm import dielectric, materials, resonator
from etm.dielectric import stm
from etm.fit.data import MeasuredCurve, metadata_number
from etm.fit.models import LinearCurve
from etm.fit.registry import (
    Defaults,
    Observable,
    ParamSpec,
    register_observable,
    x_cutoff_specs,
)
from etm.fit.synthetic import synthetic_curve
from etm.params import DielectricATS

__all__ = ["EPS_T", "F0", "LOSS", "QI", "synthetic_background_curve"]

_GAMMA_E = 0.5772156649015329
#: E_ref of :func:`etm.dielectric.stm.stm_resonant` for a given T0: -(2/3) C ln(T/T0) with
#: T0 = (2 e^gamma/pi) E_ref (the hf << kT limit).
_T0_PER_EREF = 2.0 * np.exp(_GAMMA_E) / np.pi


def _meta(metadata: Mapping[str, Any], key: str, default: float | None, where: str, ex: str):
    if key not in metadata and default is not None:
        return float(default)
    return metadata_number(metadata, key, where, ex, kind="dielectric/resonator")


#: Typical values [K, 1/(s K^3), 1/(s K^5)] of what one curve does not determine (the examples'
#: values; no table of the essay gives them).
_TYPICAL = {"A_phonon_per_sK3": 1e8, "Gamma_inv_per_sK5": 4e10}


class _Axes:
    """The (T, B, P) of every point of a curve and its fixed conditions (f, F, drive)."""

    def __init__(self, x_name: str, x: ArrayLike, metadata: Mapping[str, Any], where: str):
        xv = np.asarray(x, dtype=float)
        q = x_name.split("_")[0]
        # an f0(T) file holds f in its data: its nominal frequency is metadata fnom_<unit>
        key = "fnom_Hz" if "fnom_Hz" in metadata else "f_Hz"
        self.f = _meta(metadata, key, None, where, "f_GHz = 5")
        B0 = _meta(metadata, "B_T", 0.0, where, "B_T = 0")
        self.F = _meta(metadata, "filling_factor", 1.0, where, "filling_factor = 0.1")
        self.drive = _meta(metadata, "drive_ratio", 0.0, where, "drive_ratio = 0")
        self.B = xv if q == "B" else np.full_like(xv, B0)
        T_fixed = q != "T"
        self.T = (
            np.full_like(xv, _meta(metadata, "T_K", None, where, "T_mK = 20")) if T_fixed else xv
        )
        P0 = _meta(metadata, "P_W", 0.0, where, "P_W = 1e-15")
        self.P = xv if q == "P" else np.full_like(xv, P0)


class _Curve(LinearCurve):
    """One eps'(T), loss or f0 curve: linear in the 2LS C, the ATS amplitude (and f_r for f0);
    the 2LS shape cached on (T0, A_phonon), the ATS response on its shape parameters."""

    def __init__(self, kind: str, x_name: str, x: ArrayLike, metadata, orientation: str, where):
        super().__init__()
        self.kind, self.orientation = kind, orientation
        ax = _Axes(x_name, x, metadata, where)
        self.f, self.F, self.drive, self.B, self.T, self.P = (
            ax.f, ax.F, ax.drive, ax.B, ax.T, ax.P,
        )  # fmt: skip
        self.LINEAR = {"C": "STM", "amplitude_K": "ATS"}
        stm_params = ("T0_K", "A_phonon_per_sK3") if kind == "eps_T" else ("A_phonon_per_sK3",)
        self.SHAPE_PARAMS = {
            "STM": stm_params,
            "ATS": ("Dmin_K", "X0min_KA2", "X0max_KA2", "Gamma_inv_per_sK5"),
        }
        if kind == "f0":
            self.LINEAR = {**self.LINEAR, "f_r_Hz": "offset"}
            self.basis["offset"] = np.ones_like(self.T)
            shift = resonator.fractional_shift(self.T, 0.0, self.f, filling_factor=self.F, C=1.0)
            self.basis["STM"] = self.f * shift

    def shape(self, component: str, v: Mapping[str, float]) -> NDArray[np.float64]:
        """Per unit C (the 2LS background) or per unit ATS amplitude."""
        if component == "STM":
            A = v["A_phonon_per_sK3"]
            if self.kind == "eps_T":
                T0 = v["T0_K"]
                return self.cached(("STM", T0, A), lambda: self._stm_eps(T0, A), count=False)
            return self.cached(("STM", A), lambda: self._stm_loss(A), count=False)
        r = self._ats_part(v)
        if self.kind == "eps_T":
            return r.real
        if self.kind == "loss":
            return r.imag
        return -0.5 * self.F * self.f * r.real

    def _stm_eps(self, T0: float, A: float) -> NDArray[np.float64]:
        d = stm.stm_resonant(self.T, self.f, 1.0, E_ref_K=T0 / _T0_PER_EREF)
        return d + stm.stm_relaxation(self.T, self.f, 1.0, A)[0]

    def _stm_loss(self, A: float) -> NDArray[np.float64]:
        tl = stm.stm_resonant_loss(self.T, self.f, 1.0, drive_ratio=self.drive)
        return tl + stm.stm_relaxation(self.T, self.f, 1.0, A)[1]

    def _ats_part(self, v: Mapping[str, float]) -> NDArray[np.complex128]:
        """ATS response per unit amplitude (cached on the shape parameters)."""
        G = v.get("Gamma_inv_per_sK5")
        lo, hi = sorted((v["X0min_KA2"], v["X0max_KA2"]))
        key = ("ATS", v["Dmin_K"], lo, hi, G)
        empty = hi <= lo * (1 + 1e-12)

        def compute() -> NDArray[np.complex128]:
            if empty:
                return np.zeros(self.T.shape, dtype=complex)
            return dielectric.ats_response(
                self.T,
                self.B,
                DielectricATS(1.0, v["Dmin_K"], lo, hi),
                self.f,
                orientation=self.orientation,
                relaxation="frozen" if G is None else "debye",
                Gamma_inv_per_sK5=G,
                drive_ratio=self.drive,
            )

        return self.cached(key, compute, not empty)


class _QiCurve:
    """One Q_i curve (against T or P): 1/Q_i = F tan(delta)_2LS(T, P/P_c) + 1/Q_other, not
    linear in its parameters (no linear part)."""

    def __init__(self, x_name: str, x: ArrayLike, metadata, orientation: str, where):
        ax = _Axes(x_name, x, metadata, where)
        self.f, self.F, self.B, self.T, self.P = ax.f, ax.F, ax.B, ax.T, ax.P

    def _inverse(self, v: Mapping[str, float], components: Sequence[str]) -> dict[str, NDArray]:
        out = {}
        if "STM" in components:
            s = self.P / v["Pc_W"]
            out["STM"] = self.F * stm.stm_resonant_loss(self.T, self.f, v["C"], drive_ratio=s)
        if "other" in components:
            out["other"] = np.full_like(self.T, v["inverse_Q_other"])
        return out

    def parts(self, v: Mapping[str, float], components: Sequence[str]) -> dict[str, NDArray]:
        """Each loss's share of Q_i, Q_i^2 x (its 1/Q), so that the parts add up to Q_i."""
        inv = self._inverse(v, components)
        total = np.maximum(sum(inv.values(), np.zeros_like(self.T)), 1e-300)
        return {c: x / total**2 for c, x in inv.items()}

    def evaluate(self, v: Mapping[str, float], components: Sequence[str]) -> NDArray[np.float64]:
        inv = sum(self._inverse(v, components).values(), np.zeros_like(self.T))
        return 1.0 / np.maximum(inv, 1e-300)


def _prepare(kind: str):
    def prepare(x_name, x, metadata, orientation, where):
        if kind == "Qi":
            return _QiCurve(x_name, x, metadata, orientation, where)
        return _Curve(kind, x_name, x, metadata, orientation, where)

    return prepare


def _spec(name, unit, component, bounds, description, per_curve=False, log10=False):
    return ParamSpec(
        name=name,
        unit=unit,
        component=component,
        bounds=bounds,
        description=description,
        per_curve=per_curve,
        log10=log10,
    )


_C = _spec("C", "1", "STM", (1e-9, 1e-1), "2LS C = Pbar p^2/(eps0 eps_r)", log10=True)
_C_NL = _spec("C", "1", "STM", (1e-9, 1e-1), "2LS C = Pbar p^2/(eps0 eps_r)", True, True)
_T0 = _spec("T0_K", "K", "STM", (1e-6, 1e3), "2LS T0 of -(2/3) C ln(T/T0)", True, True)
_APH = _spec(
    "A_phonon_per_sK3", "1/(s K^3)", "STM", (1.0, 1e14), "2LS one-phonon coefficient", True, True
)
_AMP = _spec("amplitude_K", "K", "ATS", (1e-12, 1e-1), "ATS amplitude A", log10=True)
_DMIN = _spec("Dmin_K", "K", "ATS", (1e-3, 20.0), "ATS lower cutoff of D", per_curve=True)
_GAM = _spec(
    "Gamma_inv_per_sK5", "1/(s K^5)", "ATS", (1e2, 1e20), "ATS phonon coupling (Eq. 21)", True, True
)
_FR = _spec("f_r_Hz", "Hz", "offset", (1e3, 1e13), "f0 without the TLS shift", per_curve=True)
_PC = _spec("Pc_W", "W", "STM", (1e-25, 1.0), "2LS critical power P_c", True, True)
_QO = _spec("inverse_Q_other", "1", "other", (0.0, 1e-2), "1/Q of other losses", per_curve=True)
_ATS_SHAPE = ("amplitude_K", "Dmin_K", "X0min_KA2", "X0max_KA2", "Gamma_inv_per_sK5")


def _row(metadata: Mapping[str, Any], material: Any, x: NDArray | None = None):
    """The Table 5-6 row of ``material`` nearest the curve's temperature, or None."""
    name = getattr(material, "name", material)
    rows = [r for r in materials.DIELECTRIC_ROWS if r.glass == str(name)]
    if not rows:
        return None
    T = metadata.get("T_K")
    if not isinstance(T, float):
        T = float(np.median(x)) if x is not None else 0.05
    return min(rows, key=lambda r: abs(r.T_K - T))


def _guess(kind: str):
    def guess(metadata: Mapping[str, Any], material: Any) -> dict[str, float]:
        out = {"C": 1e-4, "T0_K": 1.0, "A_phonon_per_sK3": 1e8, "Gamma_inv_per_sK5": 4e10,
               "amplitude_K": 1e-5, "Pc_W": 1e-15, "inverse_Q_other": 1e-7}  # fmt: skip
        out.update({"Dmin_K": 0.02, "X0min_KA2": 1.5e5, "X0max_KA2": 3e5})
        row = _row(metadata, material) if material is not None else None
        if row is not None:
            p = row.params
            out.update(amplitude_K=p.amplitude_K, Dmin_K=p.Dmin_K)
            out.update(X0min_KA2=p.X0min_KA2, X0max_KA2=p.X0max_KA2)
        if kind == "f0":
            out["f_r_Hz"] = float(metadata.get("fnom_Hz", metadata.get("f_Hz", 5e9)))
        return out

    return guess


def _defaults(kind: str):
    def defaults(curves, material, fix, free, components) -> Defaults:
        """What one curve of ``kind`` does not determine (docs/fitting.md, "Resonators")."""
        out: dict[str, float] = {}
        notes: list[str] = []
        comps, share = None, None
        against = {c.x_name.split("_")[0] for c in curves}

        def hold(name: str, value: float, why: str) -> None:
            if name not in fix and name not in free:
                out[name] = value
                notes.append(f"{name} fixed at {value:.4g}: {why} (free it with --free {name})")

        if "ATS" in components and (kind in ("eps_T", "f0") or "T" in against):
            if material is None and not set(_ATS_SHAPE) & set(free):
                comps = tuple(c for c in components if c != "ATS")
                notes.append(
                    "the ATS term is left out: no glass in the files' metadata or --material, "
                    "and a curve against T does not determine its shape (give --material GLASS "
                    "to include it at the glass's Table 5-6 row)"
                )
            else:
                c0 = curves[0]
                row = _row(c0.metadata, material, c0.x if c0.x_name == "T_K" else None)
                if row is not None:
                    p = row.params
                    vals = {"amplitude_K": p.amplitude_K, "Dmin_K": p.Dmin_K,
                            "X0min_KA2": p.X0min_KA2, "X0max_KA2": p.X0max_KA2}  # fmt: skip
                    if kind != "f0":
                        vals["Gamma_inv_per_sK5"] = _TYPICAL["Gamma_inv_per_sK5"]
                    why = (
                        f"the ATS term is held at {row.glass} {row.T_K * 1e3:g} mK of Tables "
                        "5-6: a curve against T does not separate it from the 2LS background"
                    )
                    for name, value in vals.items():
                        hold(name, value, why)
        if kind == "loss" and "B" in against:
            hold(
                "A_phonon_per_sK3",
                _TYPICAL["A_phonon_per_sK3"],
                "the 2LS loss is field-blind, so its relaxational part is degenerate with C "
                "against B",
            )
            hold(
                "Gamma_inv_per_sK5",
                _TYPICAL["Gamma_inv_per_sK5"],
                "the ATS relaxation is weak at GHz frequencies, so one loss(B) curve leaves it "
                "undetermined (a typical value)",
            )
        if kind == "Qi":
            if len(curves) > 1:
                share = ("C", "Pc_W", "inverse_Q_other")
                notes.append(
                    "C, Pc_W and inverse_Q_other shared by the curves (one resonator; "
                    "--per-curve P to fit P per curve)"
                )
            if "P" not in against:
                hold(
                    "Pc_W",
                    1.0,
                    "without a curve against power only C/sqrt(1 + P/P_c) is determined, so "
                    "C is the loss at the curve's power; fit a Qi(P) curve with it to separate "
                    "C and P_c",
                )
        return Defaults(fix=out, share=share, components=comps, notes=tuple(notes))

    return defaults


#: The physics catalog entry each resonator observable's ATS/2LS model evaluates.
_CATALOG = {"eps_T": "eps", "loss": "loss", "f0": "resonator_shift", "Qi": "resonator_inverse_qi"}


def _obs(name, xq, yq, label, params, components, equation, y_units=()):
    return register_observable(
        Observable(
            name=name,
            x_quantities=xq,
            y_quantity=yq,
            y_label=label,
            y_unit="Hz" if yq == "f" else "1",
            params=params,
            components=components,
            prepare=_prepare(name),
            guess_shape=_guess(name),
            equation=equation,
            y_units=y_units,
            defaults=_defaults(name),
            catalog=_CATALOG[name],
        )
    )


_ATS = (_AMP, _DMIN, *x_cutoff_specs(), _GAM)
#: delta eps'/eps'(T) (2LS + ATS).
EPS_T = _obs(
    "eps_T", ("T",), "rel", "delta eps'/eps'", (_C, _T0, _APH, *_ATS), ("STM", "ATS"),
    "stm_resonant(T; C, T0) + Re stm_relaxation(T; C, A) + A_ATS Re r_ATS(T, B)", ("1",),
)  # fmt: skip
#: tan(delta)(B or T) (2LS + ATS).
LOSS = _obs(
    "loss", ("B", "T"), "tand", "tan(delta)", (_C, _APH, *_ATS), ("STM", "ATS"),
    "(pi/3) C tanh(hf/2kT)/sqrt(1+s) + Im stm_relaxation + A_ATS Im r_ATS(T, B)",
)  # fmt: skip
#: f0(T) of a resonator.
F0 = _obs(
    "f0", ("T",), "f", "f0", (_FR, _C, _AMP, _DMIN, *x_cutoff_specs()), ("offset", "STM", "ATS"),
    "f_r + f_nom (-(F/2)) [stm_resonant(T; C) + A_ATS Re r_ATS(T, B)]",
)  # fmt: skip
#: Q_i(T or P) of a resonator.
QI = _obs(
    "Qi", ("T", "P"), "Qi", "Q_i", (_C_NL, _PC, _QO), ("STM", "other"),
    "1/Q_i = F (pi/3) C tanh(hf/2kT)/sqrt(1 + P/P_c) + 1/Q_other",
)  # fmt: skip


def synthetic_background_curve(
    observable: str,
    x_name: str,
    x: ArrayLike,
    values: Mapping[str, float],
    metadata: Mapping[str, Any],
    *,
    components: Sequence[str] | None = None,
    noise: float = 1e-3,
    seed: int = 0,
    source: str = "synthetic.csv",
) -> MeasuredCurve:
    """A SYNTHETIC curve of ``"eps_T"``, ``"loss"``, ``"f0"`` or ``"Qi"``: the model at ``values``
    plus seeded Gaussian noise of ``noise`` x the model's spread (its peak-to-peak range; for
    ``"Qi"``, which spans decades against P, ``noise`` x the value).

    Parameters
    ----------
    observable : str
        One of the four names.
    x_name : str
        Abscissa with its package unit: ``"T_K"``, ``"B_T"`` or ``"P_W"``.
    x : array_like
        The abscissa values, increasing.
    values : mapping
        Parameter values in physical units (every parameter of the included components).
    metadata : mapping
        ``f_Hz`` and what the observable needs (module docstring); ``synthetic = yes`` is added.
    components : sequence of str, optional
        Model terms (default: all of the observable's).
    noise, seed, source
        Noise relative to the model's spread, seed of numpy's default_rng, the reported name.

    Returns
    -------
    MeasuredCurve

    Examples
    --------
    >>> c = synthetic_background_curve("Qi", "T_K", [0.02, 0.1, 0.5], {"C": 3e-5, "Pc_W": 1e-15,
    ...     "inverse_Q_other": 1e-6}, {"f_Hz": 5e9, "filling_factor": 0.5}, noise=0.0)
    >>> c.y_name, bool(c.y[0] < c.y[2])
    ('Qi_1', True)
    """
    from etm.fit.registry import lookup

    obs = lookup(observable)
    comps = obs.components if components is None else tuple(components)
    meta = {**dict(metadata), "synthetic": "yes"}
    model = obs.prepare(x_name, np.asarray(x, dtype=float), meta, "isotropic", source)
    y0 = model.evaluate(values, comps)
    # Q_i spans decades (against P): relative noise; the others: a constant fraction of the spread
    spread = np.abs(y0) if observable == "Qi" else float(np.ptp(y0))
    sigma = noise * spread if noise > 0 else 0.0
    unit = "Hz" if obs.y_quantity == "f" else "1"
    return synthetic_curve(x_name, x, f"{obs.y_quantity}_{unit}", y0, sigma, seed, meta, source)
