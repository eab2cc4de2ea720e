"""Which theory describes echo data better: the ETM, the NEQM, or both, fitted to the same curves.

``etm fit FILES --observable echo --model etm|neqm|both`` (run by
:func:`etm.fit.model_request.run_model_request`) fits the
named model as the main result and, unless ``--no-compare``, the other two and the field-blind
model (A(B)/A(B_high) = 1, no parameter) to the same curves, and states which model each
criterion prefers:

* **AIC = chi^2 + 2k** and **BIC = chi^2 + k ln N** (Gaussian likelihood with known errors,
  constants dropped; k = the free parameters of the least-squares fit, N = the data points).
  chi^2 uses the measured sigmas; for a curve without a sigma column one common noise estimate
  for every model, from the scatter of the curve's second differences
  (:func:`etm.fit.engine.initial_noise`): each fit's own residual-scatter estimate would make
  every model's chi^2 ~ N - k and hide the difference.
* with ``--mcmc``, **the evidence** Z = int L pi dtheta of each model by thermodynamic
  integration over tempered emcee chains (:mod:`etm.fit.evidence`,
  :func:`etm.fit.model_evidence.fit_evidence`): a Gaussian reference at the least-squares
  point, 12 rungs beta_k = (k/12)^3, with the ladder's and the Monte Carlo errors; the prior
  is uniform in the fit's coordinates within each parameter's bounds (log-uniform for the
  log10 ones; X0min < X0max where both are fitted, the model being symmetric in them).
  ln B = ln Z_a - ln Z_b.

The three models are nested (``both`` contains the ETM at A_2LS_per_a0 = 1e-8 and the NEQM at
1e4, :mod:`etm.fit.neqm`); ``both`` starts from the better of the two fits it contains, and the
ETM from the better of its Table 7 row and the typical values (a curve the ETM does not describe
can leave LM from the row at A = 1).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

import numpy as np

from etm.fit.data import MeasuredCurve
from etm.fit.engine import FitResult, fit_problem, initial_noise, setup_problem
from etm.fit.evidence import GAUSSIAN_WIDTH, Evidence
from etm.fit.neqm import ECHO_BOTH, ECHO_NEQM, etm_material
from etm.fit.registry import lookup

__all__ = [
    "ECHO_MODELS",
    "EchoModelComparison",
    "ModelRow",
    "compare_echo_models",
]

#: ``--model`` name -> the registered observable or model that fits it.
ECHO_MODELS: Mapping[str, str] = MappingProxyType(
    {"etm": "echo", "neqm": ECHO_NEQM.name, "both": ECHO_BOTH.name}
)
#: LM evaluations per free parameter (+1) of the ``both`` fit: where the data want one model
#: alone, the other's parameters are flat directions in which LM can wander for thousands of
#: evaluations; its start is already the better nested optimum, so the cap costs little.
BOTH_MAX_NFEV_PER_PARAMETER = 20
_CAP_NOTE = (
    "the ETM + NEQM fit stopped at its cap of {cap} evaluations (flat directions of the model "
    "that the data do not use); its chi^2 is the best reached, at most the better nested fit's"
)
#: The ETM's second start (fit coordinates): typical cutoffs of Table 7.
_ETM_ALT_START = {"Dmin_K": 0.025, "log10_X0min_KA2": 3.0, "log10_X0max_KA2": 4.0}
#: The labels of the reports.
LABELS = {"etm": "ETM", "neqm": "NEQM", "both": "ETM + NEQM", "none": "none (A = 1)"}


@dataclass(frozen=True)
class ModelRow:
    """One model of the comparison: its fit and its criteria.

    Attributes
    ----------
    model : str
        ``"etm"``, ``"neqm"``, ``"both"`` or ``"none"``.
    result : FitResult or None
        The least-squares fit (None for ``"none"``).
    chi2 : float
        chi^2 with the comparison's sigmas (module docstring).
    k, N : int
        Free parameters and data points.
    aic, bic : float
        chi^2 + 2k, chi^2 + k ln N.
    evidence : Evidence or None
        ln Z by thermodynamic integration (``--mcmc``).
    """

    model: str
    result: FitResult | None
    chi2: float
    k: int
    N: int
    aic: float
    bic: float
    evidence: Evidence | None = None


@dataclass(frozen=True)
class EchoModelComparison:
    """The models fitted to the same echo curves, and which one each criterion prefers.

    Attributes
    ----------
    rows : tuple of ModelRow
    main : str
        The ``--model`` whose fit is the report's main result.
    sigma_note : str
        Which sigmas the chi^2 of the comparison use.
    missing : tuple of str
        The models whose evidence was not computed, and why.
    """

    rows: tuple[ModelRow, ...]
    main: str
    sigma_note: str
    missing: tuple[str, ...] = ()

    def row(self, model: str) -> ModelRow:
        """The row of ``model``."""
        for r in self.rows:
            if r.model == model:
                return r
        raise KeyError(model)

    def preferred(self, criterion: str) -> str | None:
        """The model with the lowest AIC or BIC, or the largest ln Z (``"aic"``, ``"bic"``,
        ``"evidence"``); None if no row has the criterion."""
        if criterion == "evidence":
            rows = [r for r in self.rows if r.evidence is not None]
            return max(rows, key=lambda r: r.evidence.ln_Z).model if rows else None
        return min(self.rows, key=lambda r: getattr(r, criterion)).model

    def delta(self, criterion: str) -> dict[str, float]:
        """Each model's criterion minus the preferred one's (AIC, BIC: >= 0; evidence: ln B of
        the preferred model against each, >= 0)."""
        best = self.preferred(criterion)
        if best is None:
            return {}
        if criterion == "evidence":
            z = self.row(best).evidence.ln_Z
            return {r.model: z - r.evidence.ln_Z for r in self.rows if r.evidence is not None}
        v = getattr(self.row(best), criterion)
        return {r.model: getattr(r, criterion) - v for r in self.rows}

    def ln_bayes(self, a: str, b: str) -> tuple[float, float]:
        """(ln Z_a - ln Z_b, its standard error)."""
        ea, eb = self.row(a).evidence, self.row(b).evidence
        return ea.ln_Z - eb.ln_Z, math.hypot(ea.error, eb.error)

    def to_dict(self) -> dict[str, Any]:
        """The comparison as JSON (params.json ``comparison``)."""
        rows = {}
        for r in self.rows:
            rows[LABELS[r.model]] = {
                "model": r.model,
                "observable": None if r.result is None else r.result.observable,
                "chisqr": r.chi2,
                "k": r.k,
                "N": r.N,
                "aic": r.aic,
                "bic": r.bic,
                "parameters": {}
                if r.result is None
                else {e.name: [e.value, e.stderr] for e in r.result.estimates if e.vary},
                "evidence": None if r.evidence is None else r.evidence.to_dict(),
            }
        out = {
            "kind": "echo models (etm fit --model)",
            "main": self.main,
            "criteria": "AIC = chi^2 + 2k, BIC = chi^2 + k ln N (k = free parameters of the "
            "least-squares fit, N = data points); evidence by thermodynamic integration "
            "(etm.fit.evidence)",
            "sigmas": self.sigma_note,
            "models": rows,
            "preferred": {c: self.preferred(c) for c in ("aic", "bic", "evidence")},
            "delta_aic": self.delta("aic"),
            "delta_bic": self.delta("bic"),
        }
        if self.preferred("evidence") is not None:
            out["ln_B_preferred_vs"] = self.delta("evidence")
        out["evidence_missing"] = list(self.missing)
        return out

    def markdown_lines(self) -> list[str]:
        """The comparison section of params.md and report.html."""
        ev = any(r.evidence is not None for r in self.rows)
        head = "| model | chi^2 | k | AIC | BIC | Delta AIC | Delta BIC |"
        sep = "|---|---|---|---|---|---|---|"
        if ev:
            head += " ln Z | ladder err | MC err |"
            sep += "---|---|---|"
        da, db = self.delta("aic"), self.delta("bic")
        lines = [
            "",
            "## Model comparison: ETM, NEQM, both",
            "",
            "The same curves fitted by each model (`--model` "
            f"{self.main} is the main result above). AIC = chi^2 + 2k, BIC = chi^2 + k ln N "
            "(k free parameters, N points); Delta = the model's minus the lowest. "
            f"{self.sigma_note}",
            "",
            head,
            sep,
        ]
        for r in self.rows:
            cells = (
                f"| {LABELS[r.model]} | {r.chi2:.4g} | {r.k} | {r.aic:.4g} | {r.bic:.4g} | "
                f"{da[r.model]:.3g} | {db[r.model]:.3g} |"
            )
            if ev:
                e = r.evidence
                cells += (
                    f" {e.ln_Z:.4g} | {e.err_ladder:.2g} | {e.err_mc:.2g} |"
                    if e is not None
                    else " | | |"
                )
            lines.append(cells)
        lines += ["", self.verdict()]
        if ev:
            lines += ["", self.evidence_note()]
        lines += [f"* evidence not computed for {m}" for m in self.missing]
        return lines

    def verdict(self) -> str:
        """One line: the model each criterion prefers, with the margin to the runner-up."""
        parts = []
        for c, name in (("aic", "AIC"), ("bic", "BIC"), ("evidence", "evidence")):
            best = self.preferred(c)
            if best is None:
                continue
            d = sorted(v for m, v in self.delta(c).items() if m != best)
            margin = f" (next by {d[0]:.3g}{' in ln Z' if c == 'evidence' else ''})" if d else ""
            among = " of those with one" if c == "evidence" and self.missing else ""
            parts.append(f"{name}{among}: {LABELS[best]}{margin}")
        return "Preferred model by " + "; ".join(parts) + "."

    def evidence_note(self) -> str:
        r = next(r for r in self.rows if r.evidence is not None).evidence
        return (
            f"Evidence: thermodynamic integration from a Gaussian reference (the least-squares "
            f"covariance, sd x {GAUSSIAN_WIDTH:g}) to the posterior over {r.betas.size - 1} rungs "
            f"beta = (k/{r.betas.size - 1})^3, {r.nwalkers} walkers x {r.steps} steps per rung "
            "(etm.fit.evidence); prior uniform within the bounds in the fit coordinates; errors: "
            "the ladder's (trapezoid correction) and Monte Carlo (rungs independent), plus the "
            "surrogate's where one is used (see params.json)."
        )

    def terminal_lines(self) -> list[str]:
        """The comparison for the terminal."""
        out = []
        for r in self.rows:
            line = f"  {LABELS[r.model]:<13} chi^2 = {r.chi2:.4g}, k = {r.k}, AIC = {r.aic:.4g}, "
            line += f"BIC = {r.bic:.4g}"
            if r.evidence is not None:
                line += f", ln Z = {r.evidence.ln_Z:.4g} ± {r.evidence.error:.2g}"
            out.append(line)
        out.append("  " + self.verdict())
        out += [f"  evidence not computed for {m}" for m in self.missing]
        return out


# --- the fits -----------------------------------------------------------------------------------


def _with_glass(curves: Sequence[MeasuredCurve], material: Any) -> tuple[MeasuredCurve, ...]:
    """The curves with ``neqm_glass`` = ``material`` in their metadata (the NEQM's glass)."""
    if material is None:
        return tuple(curves)
    return tuple(
        replace(c, metadata=MappingProxyType({**c.metadata, "neqm_glass": str(material)}))
        for c in curves
    )


def _subset(kw: Mapping[str, Any], observable: str) -> dict[str, Any]:
    """The fit options restricted to the parameters ``observable`` has."""
    names = {p.name for p in lookup(observable).params}
    out = dict(kw)
    out["fix"] = {k: v for k, v in dict(kw.get("fix") or {}).items() if k in names}
    for key in ("share", "per_curve", "free"):
        out[key] = [n for n in kw.get(key, ()) if n in names]
    return out


def _chi2(result: FitResult, sigmas: Sequence[np.ndarray]) -> float:
    """chi^2 of a fit with the comparison's sigmas."""
    tot = 0.0
    for r, s_fit, s in zip(result.residuals, result.sigmas, sigmas, strict=True):
        raw = np.asarray(r) * np.asarray(s_fit)
        tot += float(np.sum((raw / s) ** 2))
    return tot


def _row(model: str, result: FitResult | None, chi2: float, k: int, N: int) -> ModelRow:
    return ModelRow(model, result, chi2, k, N, chi2 + 2 * k, chi2 + k * math.log(N))


def comparison_sigmas(curves: Sequence[MeasuredCurve]) -> tuple[list[np.ndarray], str]:
    """The sigmas of the comparison (module docstring) and a sentence saying which."""
    sig, est = [], []
    for c in curves:
        if c.sigma is not None:
            sig.append(np.asarray(c.sigma, dtype=float))
        else:
            sig.append(np.full_like(c.y, initial_noise(c.y)))
            est.append(f"{c.label} {sig[-1][0]:.3g}")
    if not est:
        return sig, "chi^2 with the measured sigmas."
    return sig, (
        "chi^2 with the measured sigmas and, for the curves without a sigma column, one noise "
        "estimate for every model from the scatter of the second differences ("
        + ", ".join(est)
        + ")."
    )


def _start_both(prob, params, etm: FitResult | None, neqm: FitResult | None) -> None:
    """Set ``params`` (``echo_both``) to the better (chi^2) of the ETM fit with a 2LS weight at
    its floor and the NEQM fit with the ATS echo small against it; leave them if neither."""
    cands = []
    base = {n: p.value for n, p in params.items()}
    if etm is not None:
        c = dict(base)
        for e in etm.estimates:
            spec = lookup("echo").spec(e.name)
            if e.name == "A_2LS_per_a0":
                continue
            c[e.fit_name] = math.log10(e.value) if spec.log10 else e.value
        c["log10_A_2LS_per_a0"] = -8.0 + 1e-6
        cands.append(c)
    if neqm is not None:
        c = dict(base)
        for e in neqm.estimates:
            c[e.fit_name] = math.log10(e.value) if e.name == "CQ_scale" else e.value
        c["log10_A_2LS_per_a0"] = 3.0
        cands.append(c)
        if etm is not None:
            c2 = dict(cands[0])
            c2.update({e.fit_name: c[e.fit_name] for e in neqm.estimates})
            cands[0] = c2
    best, pick = math.inf, None
    for c in cands:
        for n, p in params.items():
            if n in c and p.vary:
                p.value = min(max(c[n], p.min), p.max)
        chi2 = float(np.sum(prob.residual(params) ** 2))
        if chi2 < best:
            best, pick = chi2, c
    if pick is not None:
        for n, p in params.items():
            if n in pick and p.vary:
                p.value = min(max(pick[n], p.min), p.max)


def compare_echo_models(
    curves: Sequence[MeasuredCurve],
    *,
    main: str = "etm",
    material: Any = None,
    fix: Mapping[str, float] | None = None,
    share: Sequence[str] = (),
    per_curve: Sequence[str] = (),
    free: Sequence[str] = (),
    orientation: str = "isotropic",
    progress: bool | None = None,
    models: Sequence[str] = ("etm", "neqm", "both"),
) -> EchoModelComparison:
    """Fit the echo models to the same curves and compare them (module docstring).

    Parameters
    ----------
    curves : sequence of MeasuredCurve
        Echo curves A(B)/A(B_high) of one glass.
    main : {"etm", "neqm", "both"}
        The model of the main result (it must be in ``models``).
    material : str, optional
        The glass or Table 7 row: the ETM's start (if a Table 7 glass or row) and the NEQM's
        composition (overrides the files' ``# glass``).
    fix, share, per_curve, free, orientation
        As :func:`etm.fit.engine.fit`; each model takes the entries it knows.
    progress : bool, optional
        Progress bars on stderr.
    models : sequence of str
        Which of ``"etm"``, ``"neqm"``, ``"both"`` to fit (the field-blind model is always
        added).

    Returns
    -------
    EchoModelComparison
    """
    if main not in models:
        raise ValueError(f"main must be one of the fitted models {', '.join(models)}, got {main!r}")
    bad = [m for m in models if m not in ECHO_MODELS]
    if bad:
        raise ValueError(f"models must be among etm, neqm, both; got {', '.join(bad)}")
    curves = tuple(curves)
    kw = dict(fix=dict(fix or {}), share=share, per_curve=per_curve, free=free)
    sig, note = comparison_sigmas(curves)
    N = sum(c.y.size for c in curves)
    results: dict[str, FitResult] = {}
    neqm_curves = _with_glass(curves, material)
    order = [m for m in ("etm", "neqm", "both") if m in models]
    for m in order:
        obs = ECHO_MODELS[m]
        opts = _subset(kw, obs)
        mat = etm_material(material) if m == "etm" else material
        cs = curves if m == "etm" else neqm_curves
        prob, params, notes = setup_problem(
            cs, obs, mat, opts["fix"], opts["share"], opts["per_curve"], opts["free"], None,
            orientation,
        )  # fmt: skip
        if m == "both":
            _start_both(prob, params, results.get("etm"), results.get("neqm"))
        cap = BOTH_MAX_NFEV_PER_PARAMETER * (sum(p.vary for p in params.values()) + 1)
        res = fit_problem(
            prob, params.copy(), notes, progress=progress, max_nfev=cap if m == "both" else None
        )
        if m == "both" and res.nfev >= cap:
            res = replace(res, notes=(*res.notes, _CAP_NOTE.format(cap=cap)))
        if m == "etm":
            # a second start at typical cutoffs: from a Table 7 row, LM can end in the flat
            # A = 1 of an empty X window on a curve the ETM does not describe
            alt = params.copy()
            for n, v in _ETM_ALT_START.items():
                if n in alt and alt[n].vary:
                    alt[n].value = min(max(v, alt[n].min), alt[n].max)
            res2 = fit_problem(prob, alt, notes, progress=progress)
            if res2.chisqr < res.chisqr:
                res = res2
        results[m] = res
    rows = [_row(m, results[m], _chi2(results[m], sig), results[m].nvarys, N) for m in order]
    flat = sum(float(np.sum(((c.y - 1.0) / s) ** 2)) for c, s in zip(curves, sig, strict=True))
    rows.append(_row("none", None, flat, 0, N))
    return EchoModelComparison(tuple(rows), main, note)
