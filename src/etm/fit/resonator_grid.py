"""Fit of one superconducting resonator: Q_i(T, n) on a temperature x power grid and f0(T), jointly.

Registered as observable ``"resonator"`` (docs/resonator.md, "Fitting Q_i and f0"). Its curves
are read by :func:`etm.fit.resonator_table.read_resonator_file`: a Q_i curve (x ``T_K,n_1``, or
``T_K`` at one unknown power) and an f0 curve (x ``T_K``), from separate files or from one
``etm resonator`` table. The model is :mod:`etm.resonator.model`'s:

    1/Q_i(T, n) = F delta0 tanh(hf/2kT) S(n, T) + alpha sigma1/sigma2 (T; Delta) + 1/Q_other
    f0(T)       = f_r [1 + (F delta0/pi)(Re psi(1/2 + i y) - ln y) + (df/f)_QP(T; Delta, alpha)]

with S(n, T) = (1 + (n/n_c(T))^beta)^(-1/2), n_c(T) = n_c (T/Tref)^beta1 (``# saturation =
outside`` for (1 + n/n_c)^(-beta/2); ``# Tref_K`` sets Tref, default 0.1 K), y = hf/(2 pi k_B T)
and Mattis-Bardeen's low-temperature forms (Delta = 1.764 k_B Tc). Every parameter is shared by
the curves (one resonator), so F delta0, Delta and alpha are fitted to Q_i and f0 at once. At one
unknown power the saturation is not identifiable: its parameters are fixed and the TLS loss in
Q_i is F delta0 S_TLS tanh(hf/2kT), with S_TLS fitted when an f0 curve gives F delta0.

Q_i is not linear in any parameter; the model's ``parts`` are each loss's share Q_i^2 x (its 1/Q),
which add up to Q_i, so that ``curves.csv`` gives every channel's 1/Q as part/model^2 (the loss
figure, :func:`etm.fit.resonator_plots.loss_channels_figure`, is drawn from it).
:meth:`ResonatorCurve.evaluate` calls :mod:`etm.resonator`; :meth:`ResonatorCurve.evaluate_many`
is the same formulas written for W parameter sets at once (the MCMC), checked against it when
sampling starts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special

from etm.fit.data import MeasuredCurve, metadata_number
from etm.fit.registry import (
    Defaults,
    Observable,
    ParamSpec,
    metadata_choices,
    register_observable,
)
from etm.fit.resonator_table import column_roles, read_resonator_file
from etm.resonator.quasiparticles import frequency_shift_qp, inverse_q_qp
from etm.resonator.tls import HF_K_PER_HZ, SATURATION_FORMS, frequency_shift_tls, inverse_q_tls

__all__ = ["RESONATOR", "ResonatorCurve"]

#: Exponent p of the effective quasiparticle temperature (T^p + T0^p)^(1/p)
#: (:func:`etm.resonator.quasiparticles.effective_temperature`'s default).
_P_QP = 5.0
#: Model options a curve's metadata may carry, with their defaults.
OPTIONS: dict[str, Any] = {"saturation": "inside", "Tref_K": 0.1}


def _spec(name: str, unit: str, component: str, bounds, description: str, log10=False):
    return ParamSpec(
        name=name, unit=unit, component=component, bounds=bounds, description=description,
        log10=log10,
    )  # fmt: skip


PARAMS = (
    _spec("F_delta0", "1", "TLS", (0.0, 1e-2), "filling factor x intrinsic TLS loss F tan(delta0)"),
    _spec("n_c", "photons", "TLS", (1e-4, 1e10), "critical photon number at Tref", log10=True),
    _spec("beta", "1", "TLS", (0.05, 2.0), "saturation exponent (STM: 1)"),
    _spec("beta1", "1", "TLS", (-2.0, 4.0), "temperature exponent of n_c(T)"),
    _spec("S_TLS", "1", "TLS", (0.0, 1.0), "TLS saturation at one unknown power"),
    _spec("Delta_K", "K", "QP", (0.05, 50.0), "gap Delta0/k_B (Tc = Delta_K/1.764)"),
    _spec("alpha", "1", "QP", (0.0, 1.0), "kinetic inductance fraction L_k/L"),
    _spec("T0_K", "K", "QP", (0.0, 2.0), "quasiparticle saturation temperature T0"),
    _spec("inverse_Q_other", "1", "other", (0.0, 1e-2), "T- and power-independent loss"),
    _spec("df_r_Hz", "Hz", "f_r", (-1e8, 1e8), "f_r - fref_Hz, f_r the frequency at T = 0"),
)
COMPONENTS = ("TLS", "QP", "other", "f_r")


# --- the formulas for W parameter sets (twins of etm.resonator's, tested against them) ------------


def _col(v: Mapping[str, Any], name: str) -> NDArray[np.float64]:
    return np.asarray(v[name], dtype=float).reshape(-1, 1)


def _qp_many(T, f, D0, T0) -> tuple[NDArray, NDArray]:
    """(sigma1/sigma2, delta f/f per unit alpha) of :mod:`etm.resonator.quasiparticles` for
    arrays of the gap ``D0`` and ``T0`` broadcast against T (Mattis-Bardeen, low T)."""
    m = np.maximum(T, T0)
    Te = m * ((T / m) ** _P_QP + (T0 / m) ** _P_QP) ** (1.0 / _P_QP)
    hf = HF_K_PER_HZ * f
    xi = hf / (2.0 * Te)
    e = np.exp(-D0 / Te)
    s1 = (4.0 * D0 / hf) * e * 0.5 * (-np.expm1(-2.0 * xi)) * special.k0e(xi)
    root = np.sqrt(2.0 * np.pi * Te / D0)
    s2 = (np.pi * D0 * (1.0 - root * e) / hf) * (1.0 - 2.0 * e * special.i0e(xi))
    return s1 / s2, -0.5 * (root + 2.0 * special.i0e(xi)) * e


def _tls_shift_many(T, f) -> NDArray[np.float64]:
    """delta f/f of the TLS per unit F delta0 (:func:`etm.resonator.tls.frequency_shift_tls`)."""
    y = HF_K_PER_HZ * f / (2.0 * np.pi * T)
    return (special.digamma(0.5 + 1j * y).real - np.log(y)) / np.pi


class ResonatorCurve:
    """One Q_i or f0 curve of a resonator (module docstring).

    Parameters
    ----------
    x_name, x, metadata, orientation, where
        As ``Observable.prepare`` passes them; ``metadata["resonator_curve"]`` says "Qi" or
        "f0", a Q_i curve needs ``f_Hz``, an f0 curve ``fref_Hz``, the reference of the fitted
        ``df_r_Hz = f_r - fref_Hz`` (orientation is not used).

    Attributes
    ----------
    T : ndarray
        Temperature [K] per point.
    n : ndarray or None
        Photon number per point of a Q_i curve, None at one unknown power (and for f0).
    """

    #: No amplitude for the engine's non-negative start: Q_i is linear in none of them.
    LINEAR: ClassVar[Mapping[str, str]] = {}

    def __init__(self, x_name: str, x: ArrayLike, metadata, orientation: str, where: str):
        kind = metadata.get("resonator_curve")
        if kind not in ("Qi", "f0"):
            raise ValueError(
                f"{where}: not a resonator curve (metadata resonator_curve is {kind!r}); read "
                "it with etm.fit.resonator_table.read_resonator_file"
            )
        names = [s.strip() for s in x_name.split(",")]
        xv = np.asarray(x, dtype=float).reshape(-1, len(names))
        self.kind, self.where = kind, where
        self.T = xv[:, 0].copy()
        self.n = xv[:, 1].copy() if kind == "Qi" and len(names) > 1 else None
        opts = metadata_choices(metadata, {"saturation": SATURATION_FORMS}, where)
        self.saturation = opts.get("saturation", OPTIONS["saturation"])
        self.Tref = float(metadata.get("Tref_K", OPTIONS["Tref_K"]))
        self.f = self.fref = None
        if kind == "Qi":
            self.f = metadata_number(metadata, "f_Hz", where, "f_GHz = 7.7", kind="Q_i")
            self._tanh = np.tanh(HF_K_PER_HZ * self.f / (2.0 * self.T))
        else:
            self.fref = metadata_number(metadata, "fref_Hz", where, "fref_Hz = 7.7e9", kind="f0")

    # --- one parameter set (etm.resonator) -----------------------------------------------------

    def inverse_parts(self, v: Mapping[str, float], components: Sequence[str]) -> dict:
        """Each loss channel 1/Q of a Q_i curve (TLS, QP, other) at the values ``v``."""
        T, out = self.T, {}
        if "TLS" in components:
            if self.n is None:
                F = v["F_delta0"] * v["S_TLS"]
                out["TLS"] = inverse_q_tls(T, f_Hz=self.f, F_delta0=F)
            else:
                out["TLS"] = inverse_q_tls(
                    T, self.n, f_Hz=self.f, F_delta0=v["F_delta0"], n_c=v["n_c"],
                    beta=v["beta"], beta1=v["beta1"], T_ref_K=self.Tref,
                    saturation=self.saturation,
                )  # fmt: skip
        if "QP" in components and v["alpha"] > 0:
            out["QP"] = inverse_q_qp(
                T, self.f, alpha=v["alpha"], Delta_K=v["Delta_K"], T0_K=v["T0_K"], p=_P_QP
            )
        if "other" in components:
            out["other"] = np.full_like(T, v["inverse_Q_other"])
        return out

    def _f0_parts(self, v: Mapping[str, float], components: Sequence[str]) -> dict:
        if "f_r" not in components:
            raise ValueError(f"{self.where}: an f0 curve needs the f_r component")
        fr, T = self.fref + v["df_r_Hz"], self.T
        out = {"f_r": np.full_like(T, fr)}
        if "TLS" in components:
            out["TLS"] = fr * frequency_shift_tls(T, f_Hz=fr, F_delta0=v["F_delta0"])
        if "QP" in components and v["alpha"] > 0:
            out["QP"] = fr * frequency_shift_qp(
                T, fr, alpha=v["alpha"], Delta_K=v["Delta_K"], T0_K=v["T0_K"], p=_P_QP
            )
        return out

    def parts(self, v: Mapping[str, float], components: Sequence[str]) -> dict:
        """Each included term: for f0, f_r and f_r times each shift [Hz]; for Q_i, each loss's
        share Q_i^2 x (its 1/Q), so that the parts add up to Q_i."""
        if self.kind == "f0":
            got = self._f0_parts(v, components)
        else:
            inv = self.inverse_parts(v, components)
            total = np.maximum(sum(inv.values(), np.zeros_like(self.T)), 1e-300)
            got = {c: x / total**2 for c, x in inv.items()}
        return {c: got.get(c, np.zeros_like(self.T)) for c in components}

    def evaluate(self, v: Mapping[str, float], components: Sequence[str]) -> NDArray[np.float64]:
        """Q_i or f0 [Hz] at the values ``v``."""
        if self.kind == "f0":
            return sum(self._f0_parts(v, components).values(), np.zeros_like(self.T))
        inv = sum(self.inverse_parts(v, components).values(), np.zeros_like(self.T))
        return 1.0 / np.maximum(inv, 1e-300)

    # --- W parameter sets at once (the MCMC) ---------------------------------------------------

    def evaluate_many(self, v: Mapping[str, ArrayLike], components: Sequence[str]) -> NDArray:
        """The model for W parameter sets (``v``: name -> array of W), shape (W, n)."""
        T = self.T[None, :]
        W = np.shape(np.atleast_1d(next(iter(v.values()))))[0]
        qp = "QP" in components and np.any(np.asarray(v["alpha"]) > 0)
        if self.kind == "f0":
            fr = self.fref + _col(v, "df_r_Hz")
            shift = np.zeros((W, T.size))
            if "TLS" in components:
                shift = shift + _col(v, "F_delta0") * _tls_shift_many(T, fr)
            if qp:
                shift = shift + _col(v, "alpha") * _qp_many(T, fr, *self._gap(v))[1]
            return fr + fr * shift
        inv = np.zeros((W, T.size))
        if "TLS" in components:
            F = _col(v, "F_delta0")
            if self.n is None:
                S = _col(v, "S_TLS")
            else:
                nc = _col(v, "n_c") * (T / self.Tref) ** _col(v, "beta1")
                x, b = self.n[None, :] / nc, _col(v, "beta")
                S = (
                    1.0 / np.sqrt(1.0 + x**b)
                    if self.saturation == "inside"
                    else (1 + x) ** (-b / 2)
                )
            inv = inv + F * self._tanh[None, :] * S
        if qp:
            inv = inv + _col(v, "alpha") * _qp_many(T, self.f, *self._gap(v))[0]
        if "other" in components:
            inv = inv + _col(v, "inverse_Q_other")
        return 1.0 / np.maximum(inv, 1e-300)

    @staticmethod
    def _gap(v: Mapping[str, Any]) -> tuple[NDArray, NDArray]:
        return _col(v, "Delta_K"), _col(v, "T0_K")

    def columns_many(self, v: Mapping[str, ArrayLike], components: Sequence[str]):
        """The model for W parameter sets as an offset with no linear amplitude."""
        return self.evaluate_many(v, components), {}

    def prepare_sampling(self, box, best) -> float | None:
        """No surrogate is needed: :meth:`evaluate_many` is the exact model. Returns its largest
        difference from :meth:`evaluate` [y unit] at the best fit and 7 seeded points of
        ``box`` (rounding: ~1e-12 relative), so that the MCMC uses it."""
        if box is None:
            return None
        rng = np.random.default_rng(0)
        pts = [dict(best)] + [
            {k: float(rng.uniform(lo, hi)) for k, (lo, hi) in box.items()} for _ in range(7)
        ]
        need = {"TLS": "F_delta0", "QP": "alpha", "other": "inverse_Q_other", "f_r": "df_r_Hz"}
        comps = [c for c, name in need.items() if name in box]
        many = self.evaluate_many({k: np.array([p[k] for p in pts]) for k in pts[0]}, comps)
        one = np.array([self.evaluate(p, comps) for p in pts])
        return float(np.max(np.abs(many - one)))


# --- defaults and start ---------------------------------------------------------------------------


def _kind(c: MeasuredCurve) -> str:
    return str(c.metadata.get("resonator_curve", ""))


def _defaults(curves, material, fix, free, components) -> Defaults:
    """What the curves do not determine, fixed with the reason (docs/resonator.md)."""
    qi = [c for c in curves if _kind(c) == "Qi"]
    f0 = [c for c in curves if _kind(c) == "f0"]
    grid = [c for c in qi if "," in c.x_name]
    comps = tuple(
        c for c in components if (c != "f_r" or f0) and (c != "other" or qi)
    )  # fmt: skip
    out: dict[str, float] = {}
    notes: list[str] = []
    unused: list[str] = []

    def hold(name: str, value: float, why: str | None) -> None:
        if name in fix or name in free:
            return
        out[name] = value
        if why is None:
            unused.append(name)
        else:
            notes.append(f"{name} fixed at {value:g}: {why} (free it with --free {name})")

    if grid:
        x = np.vstack([np.asarray(c.x, dtype=float)[:, :2] for c in grid])
        # temperatures to 2 digits (a measured grid drifts by ~1 mK), powers to 0.1 decade
        T, n = np.array([float(f"{t:.2g}") for t in x[:, 0]]), x[:, 1]
        powers = np.unique(np.round(np.log10(np.maximum(n, 1e-30)), 1))
        if powers.size < 2:
            why = (
                "the Q_i data are at one photon number, so the saturation's shape is not determined"
            )
            hold("beta", 1.0, why + " (the STM's value)")
            hold("beta1", 0.0, why)
            if not f0:
                hold(
                    "n_c", 1e10, why + "; without f0(T) F_delta0 is then the TLS loss at that power"
                )
        else:
            per_T = [np.unique(np.round(np.log10(np.maximum(n[T == t], 1e-30)), 1)).size
                     for t in np.unique(T)]  # fmt: skip
            if sum(k >= 2 for k in per_T) < 3:
                hold("beta1", 0.0, "n_c(T) needs several powers at 3 or more temperatures")
    else:
        for name, value in (("n_c", 1e10), ("beta", 1.0), ("beta1", 0.0)):
            hold(name, value, None)
    if len(grid) < len(qi):  # a Q_i curve at one unknown power
        if f0:
            notes.append(
                "Q_i at one unknown power: its saturation (n_c, beta, beta1) is not identifiable; "
                "S_TLS, the TLS loss there relative to F_delta0 from f0(T), is fitted"
            )
        else:
            hold(
                "S_TLS", 1.0, "Q_i at one unknown power without f0(T): F_delta0 is then the TLS "
                "loss at that power, a lower bound of the low-power F tan(delta0)",
            )  # fmt: skip
    else:
        hold("S_TLS", 1.0, None)
    hold("T0_K", 0.0, "thermal quasiparticles, T_eff = T; a quasiparticle density that stops "
         "falling at low T needs T0_K > 0")  # fmt: skip
    refs = sorted({float(c.metadata["fref_Hz"]) for c in f0 if "fref_Hz" in c.metadata})
    if len(refs) > 1:
        raise ValueError(
            f"the f0 curves have different fref_Hz ({', '.join(f'{r:.10g}' for r in refs)}): "
            "give each file the same '# fref_Hz = ...' (df_r_Hz = f_r - fref_Hz is shared)"
        )
    if refs:
        notes.append(
            f"df_r_Hz is f_r - fref_Hz, fref_Hz = {refs[0]:.10g} Hz (the f0 data's largest "
            "value rounded down to 1 MHz, or the files' '# fref_Hz'): f_r = fref_Hz + df_r_Hz"
        )
    if unused:
        notes.append(f"not used by these curves, held fixed: {', '.join(unused)}")
    return Defaults(fix=out, components=comps, notes=tuple(notes))


def _guess(metadata: Mapping[str, Any], material: Any) -> dict[str, float]:
    return {
        "F_delta0": 1e-5, "n_c": 10.0, "beta": 0.7, "beta1": 0.0, "S_TLS": 0.5,
        "Delta_K": 2.0, "alpha": 0.05, "T0_K": 0.0, "inverse_Q_other": 1e-6,
        "df_r_Hz": 0.0,
    }  # fmt: skip


def _refine_start(prob: Any, init: list[dict[str, float]], fix: Mapping[str, float]):
    """Start from the best of a grid over Delta (and n_c), with F delta0, S_TLS, alpha,
    1/Q_other and f_r from linear least squares at each node (1/Q_i and f0 are linear in them
    there, f0 to first order in the shifts); fixed values stay."""
    v0 = {**init[0], **fix}
    comps = prob.components
    free = {p.name for p in prob.specs} - set(fix)
    f0_data = [c.y for c in prob.curves if _kind(c) == "f0"]
    fmax = float(max(np.max(y) for y in f0_data)) if f0_data else 5e9  # linearized there
    f_ref = next((m.fref for m in prob.models if m.kind == "f0"), fmax)  # the model's
    # the gap's start inside the low-T forms' domain (k_B T, hf << Delta): at Delta ~ k_B T_max
    # a second, unphysical minimum can fit Q_i(T) alone (a slow rise from a tiny gap)
    T_max = max(float(np.max(m.T)) for m in prob.models)
    hf = HF_K_PER_HZ * max(m.f if m.f is not None else fmax for m in prob.models)
    low = max(0.3, 3.0 * T_max, 2.0 * hf)
    grid_D = np.geomspace(low, max(30.0, 10 * low), 31) if "Delta_K" in free else [v0["Delta_K"]]
    n_all = [m.n for m in prob.models if m.n is not None]
    grid_nc = [v0["n_c"]]
    if "n_c" in free and n_all:
        n = np.concatenate(n_all)
        lo, hi = max(float(np.min(n)), 1e-3), max(float(np.max(n)), 1e-2)
        grid_nc = list(np.geomspace(lo / 10, hi * 10, 7))
    names = [n for n in ("F_delta0", "FS", "alpha", "inverse_Q_other", "df_r") if n in free
             or (n == "FS" and "S_TLS" in free) or (n == "df_r" and "df_r_Hz" in free)]  # fmt: skip
    best = (np.inf, None, None, None)
    for D in grid_D:
        for nc in grid_nc:
            v = {**v0, "Delta_K": D, "n_c": nc}
            A, b = _design(prob, v, names, fmax, comps)
            x, chi2 = _nonnegative(A, b, [k == "df_r" for k in names])
            if chi2 < best[0]:
                best = (chi2, D, nc, x)
    _, D, nc, x = best
    out = {**init[0], "Delta_K": D, "n_c": nc}
    got = dict(zip(names, [] if x is None else x, strict=True))
    for k in ("F_delta0", "alpha", "inverse_Q_other"):
        if k in got:
            out[k] = float(got[k])
    if "df_r" in got:
        out["df_r_Hz"] = fmax + float(got["df_r"]) - f_ref
    if "FS" in got:
        F = out.get("F_delta0", v0["F_delta0"])
        out["S_TLS"] = float(np.clip(got["FS"] / F, 0.02, 0.98)) if F > 0 else 0.5
    if "F_delta0" in got and "FS" in got and out["F_delta0"] <= 0:
        out["F_delta0"] = float(got["FS"])
    for p in prob.specs:
        lo, hi = p.bounds
        out[p.name] = float(np.clip(out[p.name], lo, hi))
    return [dict(out) for _ in init]


def _nonnegative(A: NDArray, b: NDArray, signed: Sequence[bool]) -> tuple[NDArray, float]:
    """min |A x - b| with x >= 0 except where ``signed`` (non-negative least squares on scaled
    columns, a signed unknown as the difference of two); returns (x, chi^2)."""
    if A.shape[1] == 0:
        return np.zeros(0), float(b @ b)
    M = np.column_stack([A] + [-A[:, j] for j, s in enumerate(signed) if s])
    scale = np.linalg.norm(M, axis=0)
    scale[scale == 0] = 1.0
    y, rnorm = optimize.nnls(M / scale, b, maxiter=50 * M.shape[1])
    y = y / scale
    x = y[: A.shape[1]].copy()
    k = A.shape[1]
    for j, s in enumerate(signed):
        if s:
            x[j] -= y[k]
            k += 1
    return x, float(rnorm) ** 2


def _design(prob, v, names, fref, comps) -> tuple[NDArray, NDArray]:
    """Weighted columns of the linear unknowns ``names`` and the weighted data minus the rest:
    1/Q_i for Q_i curves, f0 - fref for f0 curves (with fixed values in the offset)."""
    rows, ys = [], []
    f_ref = next((m.fref for m in prob.models if m.kind == "f0"), fref)
    for c, m, s in zip(prob.curves, prob.models, prob.sigmas, strict=True):
        cols = dict.fromkeys(names, 0.0)
        T = m.T
        if m.kind == "Qi":
            y, w = 1.0 / c.y, c.y**2 / s
            tls = m._tanh
            if m.n is not None:
                nc = v["n_c"] * (T / m.Tref) ** v["beta1"]
                x = m.n / nc
                tls = tls * (1.0 / np.sqrt(1.0 + x ** v["beta"]) if m.saturation == "inside"
                             else (1.0 + x) ** (-v["beta"] / 2))  # fmt: skip
                parts = {"F_delta0": tls}
            elif "FS" in names:
                parts = {"FS": tls, "F_delta0": 0.0 * tls}
            else:
                parts = {"F_delta0": tls * v["S_TLS"]}
            q = _qp_many(T, m.f, v["Delta_K"], v["T0_K"])[0] if "QP" in comps else 0.0 * T
            parts.update(alpha=q, inverse_Q_other=np.ones_like(T) if "other" in comps else 0 * T)
        else:
            y, w = c.y - fref, 1.0 / s
            q = _qp_many(T, fref, v["Delta_K"], v["T0_K"])[1] if "QP" in comps else 0.0 * T
            parts = {"F_delta0": fref * _tls_shift_many(T, fref), "alpha": fref * q,
                     "df_r": np.ones_like(T)}  # fmt: skip
        value = {**v, "FS": v["F_delta0"] * v["S_TLS"], "df_r": f_ref + v["df_r_Hz"] - fref}
        off = sum((parts[k] * value[k] for k in parts if k not in names), np.zeros_like(T))
        for k in names:
            cols[k] = parts.get(k, 0.0 * T)
        rows.append(
            np.column_stack([cols[k] * w for k in names]) if names else np.zeros((T.size, 0))
        )
        ys.append((y - off) * w)
    return np.vstack(rows), np.concatenate(ys)


# --- detection, checks, registration ------------------------------------------------------------


def _detect(columns: Sequence[str], keys: set[str]) -> int:
    """2: a Q_i grid, a table of Q_i and f0, or an f0(T) without a nominal frequency (the f0
    observable's files carry ``# fnom_<unit>``); 1: a plain Q_i(T) (the Qi observable's, or
    this one's beside such a file); 0 otherwise."""
    try:
        roles = set(column_roles(list(columns), "header"))
    except ValueError:
        return 0
    if "T" not in roles:
        return 0
    if "Qi" in roles and roles & {"n", "P", "P_device", "f"}:
        return 2
    if "f" in roles and "Qi" not in roles and "fnom" not in keys:
        return 2
    return 1 if "Qi" in roles else 0


def _sanity(curve: MeasuredCurve, material: Any) -> list[str]:
    T = np.asarray(curve.x, dtype=float).reshape(len(curve), -1)[:, 0]
    if np.any(T < 1e-3) or np.any(T > 100.0):
        bad = float(T[(T < 1e-3) | (T > 100)][0])
        return [
            f"{curve.source}: T = {bad:g} K is outside the model's range 1 mK - 100 K (a unit "
            "slip? write e.g. T_mK for millikelvin)"
        ]
    return []


def _figures(result: Any, table: dict[str, Any]) -> list[tuple[str, Any]]:
    from etm.fit.resonator_plots import loss_channels_figure

    return [("fit_loss_channels.png", loss_channels_figure(result, table))]


#: Q_i(T, n) and f0(T) of one superconducting resonator.
RESONATOR = register_observable(
    Observable(
        name="resonator",
        x_quantities=("T", "n", "P"),
        y_quantity="Qi",
        other_y=("f",),
        y_label="Q_i, f0",
        y_unit="1 (Q_i) or Hz (f0)",
        params=PARAMS,
        components=COMPONENTS,
        prepare=ResonatorCurve,
        guess_shape=_guess,
        equation=(
            "1/Q_i = F_delta0 tanh(hf/2kT) S(n,T) + alpha sigma1/sigma2(T; Delta_K, T0_K) + "
            "inverse_Q_other, S = (1 + (n/(n_c (T/Tref)^beta1))^beta)^(-1/2) (S_TLS at one unknown "
            "power); f0 = f_r [1 + (F_delta0/pi)(Re psi(1/2 + i hf/2pi kT) - ln(hf/2pi kT)) + "
            "(alpha/2) delta sigma2/sigma2] (Mattis-Bardeen, low T)"
        ),
        options=OPTIONS,
        sanity=_sanity,
        defaults=_defaults,
        read=lambda path, metadata_toml=None: read_resonator_file(
            path, metadata_toml=metadata_toml
        ),
        refine_start=_refine_start,
        detect=_detect,
        figures=_figures,
    )
)
