"""Fits of the dielectric background and of resonators: eps'(T), eps''(B or T), f0(T), Q_i(T or P).

Registered in :data:`etm.fit.registry.OBSERVABLES` on import (docs/dielectric.md §6):

``"eps_T"``  delta eps'/eps' against T at fixed f and B: the 2LS background of
             :mod:`etm.dielectric.stm`
             (C, T0, the one-phonon coefficient A) plus the ATS part at the curve's field;
``"loss"``   tan(delta) = eps''/eps' against B or T: 2LS resonant + relaxational loss plus the ATS
             loss (resonant and Debye-relaxational, Eq. 21's Gamma^-1);
``"f0"``     a resonator's frequency f0(T) = f_r + f_nom delta f0/f0 (:func:`etm.resonator.
             fractional_shift`; f_nom the curve's nominal frequency, the product f_r x shift ~1e-6
             is dropped at 1e-12);
``"Qi"``     its internal quality factor against T or the circulating power P:
             1/Q_i = F tan(delta)_2LS(T, P/P_c) + 1/Q_other.

Metadata a curve needs: ``f_Hz`` always; ``T_K`` for curves against B or P; ``B_T`` (default 0);
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
from etm.fit.registry import Observable, ParamSpec, register_observable, x_cutoff_specs
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


class _Curve:
    """One curve of any of the four observables: axes from x and the metadata, cached ATS."""

    def __init__(self, kind: str, x_name: str, x: ArrayLike, metadata, orientation: str, where):
        self.kind, self.orientation = kind, orientation
        xv = np.asarray(x, dtype=float)
        q = x_name.split("_")[0]
        self.f = _meta(metadata, "f_Hz", None, where, "f_GHz = 5")
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
        self._ats: dict[tuple, NDArray] = {}

    def _ats_part(self, v: Mapping[str, float]) -> NDArray[np.complex128]:
        """ATS response per unit amplitude (cached on the shape parameters)."""
        key = (v["Dmin_K"], v["X0min_KA2"], v["X0max_KA2"], v.get("Gamma_inv_per_sK5"))
        if key not in self._ats:
            lo, hi = sorted((v["X0min_KA2"], v["X0max_KA2"]))
            if hi <= lo * (1 + 1e-12):
                self._ats[key] = np.zeros(self.T.shape, dtype=complex)
            else:
                G = v.get("Gamma_inv_per_sK5")
                self._ats[key] = dielectric.ats_response(
                    self.T,
                    self.B,
                    DielectricATS(1.0, v["Dmin_K"], lo, hi),
                    self.f,
                    orientation=self.orientation,
                    relaxation="frozen" if G is None else "debye",
                    Gamma_inv_per_sK5=G,
                    drive_ratio=self.drive,
                )
            if len(self._ats) > 16:
                self._ats.pop(next(iter(self._ats)))
        return self._ats[key]

    def parts(self, v: Mapping[str, float], components: Sequence[str]) -> dict[str, NDArray]:
        out: dict[str, NDArray] = {}
        k = self.kind
        for c in components:
            if c == "STM":
                out[c] = self._stm(v)
            elif c == "ATS":
                r = self._ats_part(v) * v["amplitude_K"]
                if k == "eps_T":
                    out[c] = r.real
                elif k == "loss":
                    out[c] = r.imag
                else:  # f0
                    out[c] = -0.5 * self.F * self.f * r.real
            elif c == "offset":
                out[c] = np.full_like(self.T, v["f_r_Hz"])
            else:  # "other"
                out[c] = np.zeros_like(self.T)
        return out

    def _stm(self, v: Mapping[str, float]) -> NDArray[np.float64]:
        C, k = v["C"], self.kind
        if k == "eps_T":
            E_ref = v["T0_K"] / _T0_PER_EREF
            d = stm.stm_resonant(self.T, self.f, C, E_ref_K=E_ref)
            return d + stm.stm_relaxation(self.T, self.f, C, v["A_phonon_per_sK3"])[0]
        if k == "loss":
            tl = stm.stm_resonant_loss(self.T, self.f, C, drive_ratio=self.drive)
            return tl + stm.stm_relaxation(self.T, self.f, C, v["A_phonon_per_sK3"])[1]
        if k == "f0":
            return self.f * resonator.fractional_shift(
                self.T, 0.0, self.f, filling_factor=self.F, C=C
            )
        return np.zeros_like(self.T)  # Qi: see evaluate

    def evaluate(self, v: Mapping[str, float], components: Sequence[str]) -> NDArray[np.float64]:
        if self.kind != "Qi":
            return sum(self.parts(v, components).values(), np.zeros_like(self.T))
        inv = np.zeros_like(self.T)
        if "STM" in components:
            s = self.P / v["Pc_W"]
            inv = inv + self.F * stm.stm_resonant_loss(self.T, self.f, v["C"], drive_ratio=s)
        if "other" in components:
            inv = inv + v["inverse_Q_other"]
        return 1.0 / np.maximum(inv, 1e-300)


def _prepare(kind: str):
    def prepare(x_name, x, metadata, orientation, where):
        return _Curve(kind, x_name, x, metadata, orientation, where)

    return prepare


_C = ParamSpec("C", "1", "STM", False, True, (1e-9, 1e-1), "2LS C = Pbar p^2/(eps0 eps_r)")
_C_NL = ParamSpec("C", "1", "STM", True, True, (1e-9, 1e-1), "2LS C = Pbar p^2/(eps0 eps_r)")
_T0 = ParamSpec("T0_K", "K", "STM", True, True, (1e-6, 1e3), "2LS T0 of -(2/3) C ln(T/T0)")
_APH = ParamSpec(
    "A_phonon_per_sK3", "1/(s K^3)", "STM", True, True, (1.0, 1e14), "2LS one-phonon coefficient"
)
_AMP = ParamSpec("amplitude_K", "K", "ATS", False, True, (1e-12, 1e-1), "ATS amplitude A")
_DMIN = ParamSpec("Dmin_K", "K", "ATS", True, False, (1e-3, 20.0), "ATS lower cutoff of D")
_GAM = ParamSpec(
    "Gamma_inv_per_sK5", "1/(s K^5)", "ATS", True, True, (1e2, 1e20), "ATS phonon coupling (Eq. 21)"
)
_FR = ParamSpec("f_r_Hz", "Hz", "offset", True, False, (1e3, 1e13), "f0 without the TLS shift")
_PC = ParamSpec("Pc_W", "W", "STM", True, True, (1e-25, 1.0), "2LS critical power P_c")
_QO = ParamSpec("inverse_Q_other", "1", "other", True, False, (0.0, 1e-2), "1/Q of other losses")


def _guess(kind: str):
    def guess(metadata: Mapping[str, Any], material: Any) -> dict[str, float]:
        out = {"C": 1e-4, "T0_K": 1.0, "A_phonon_per_sK3": 1e8, "Gamma_inv_per_sK5": 4e10,
               "amplitude_K": 1e-5, "Pc_W": 1e-15, "inverse_Q_other": 1e-7}  # fmt: skip
        out.update({"Dmin_K": 0.02, "X0min_KA2": 1.5e5, "X0max_KA2": 3e5})
        if material is not None:
            T = metadata.get("T_K", 0.05)
            rows = [r for r in materials.DIELECTRIC_ROWS if r.glass == str(material)]
            if rows:
                p = min(rows, key=lambda r: abs(r.T_K - T)).params
                out.update(amplitude_K=p.amplitude_K, Dmin_K=p.Dmin_K)
                out.update(X0min_KA2=p.X0min_KA2, X0max_KA2=p.X0max_KA2)
        if kind == "f0":
            out["f_r_Hz"] = float(metadata.get("f_Hz", 5e9))
        return out

    return guess


def _obs(name, xq, yq, label, params, components, equation):
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
        )
    )


_ATS = (_AMP, _DMIN, *x_cutoff_specs(), _GAM)
#: delta eps'/eps'(T) (2LS + ATS).
EPS_T = _obs(
    "eps_T", ("T",), "rel", "delta eps'/eps'", (_C, _T0, _APH, *_ATS), ("STM", "ATS"),
    "stm_resonant(T; C, T0) + Re stm_relaxation(T; C, A) + A_ATS Re r_ATS(T, B)",
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
