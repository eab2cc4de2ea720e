"""What a finished fit says about itself: one ``WARNING:`` line per finding, each once.

:func:`diagnose` reads a :class:`~etm.fit.result.FitResult` (or a joint fit's result) and names,
in this order:

* a fit that did not converge;
* a reduced chi^2 far from 1, judged by the chi^2 distribution with N - k degrees of freedom:
  far below (errors too large, e.g. a sigma column in J beside C_p in uJ: the error bars are then
  too large by 1/sqrt(reduced chi^2)) or far above (errors too small, or the model wrong);
* parameters at a bound (their error bar is not meaningful), each once under its physical name;
* a singular covariance (no error bars), naming the parameters without one;
* groups of free parameters linked by |r| > 0.95 in the least-squares correlation matrix, named
  as not separately identifiable (one line per group, with the strongest pair), with what to do
  (fix one, or share it across curves);
* an MCMC that did not converge, with its diagnosis (:mod:`etm.fit.mcmc`);
* MCMC posteriors piled up at a bound: a limit to quote, or an interval the bound set instead
  of the data (:func:`etm.fit.chain.bound_notes`).

``etm fit`` prints them and writes them into params.json (``warnings``), params.md and
report.html. See docs/fitting.md ("Diagnosis").
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = [
    "CORRELATION_WARN",
    "REDCHI_P",
    "correlated_groups",
    "correlated_pairs",
    "diagnose",
    "parameter_label",
    "redchi_verdict",
]

#: |r| above which two parameters are named as not separately identifiable.
CORRELATION_WARN = 0.95
#: Tail probability of the chi^2 distribution below which the reduced chi^2 is flagged.
REDCHI_P = 1e-3


def _flat_estimates(result: Any) -> list[Any]:
    est = result.estimates
    if est and isinstance(est[0], tuple):  # a joint fit: per part
        out = list(getattr(result, "shared", ()))
        for part in est:
            out.extend(part)
        return out
    return list(est)


def parameter_label(result: Any, fit_name: str) -> str:
    """The physical name of the lmfit parameter ``fit_name``, with its curve's file if it is
    per curve (``Dmin_K [cp_BAS_0.60K]``); the fit name itself if unknown."""
    est = result.estimates
    if est and isinstance(est[0], tuple):  # a joint fit: the prefixed name says the part
        return fit_name
    curves = getattr(result, "curves", None)
    for e in _flat_estimates(result):
        if e.fit_name == fit_name:
            if e.curve is None or curves is None:
                return e.name
            return f"{e.name} [{curves[e.curve].label}]"
    return fit_name


def redchi_verdict(chisqr: float, dof: int) -> str | None:
    """A warning if chi^2 with ``dof`` degrees of freedom is implausibly small or large, else
    None.

    Examples
    --------
    >>> redchi_verdict(1e-10, 100).startswith("reduced chi^2 = 1e-12 ~ 0")
    True
    >>> redchi_verdict(100.0, 100) is None
    True
    """
    if dof < 1 or not math.isfinite(chisqr):
        return None
    from scipy.stats import chi2

    red = chisqr / dof
    if chi2.cdf(chisqr, dof) < REDCHI_P and red < 0.5:
        f = 1.0 / math.sqrt(max(red, 1e-300))
        return (
            f"reduced chi^2 = {red:.2g} ~ 0: the errors are too large (by a factor ~{f:.2g} = "
            "1/sqrt(reduced chi^2); a sigma column in the wrong unit?), and so are the error "
            "bars"
        )
    if (chi2.sf(chisqr, dof) < REDCHI_P and red > 1.5) or red > 3.0:
        f = math.sqrt(red)
        return (
            f"reduced chi^2 = {red:.3g} >> 1: the errors are too small (by ~{f:.2g}x) or the "
            "model does not describe the data (wrong options, preset, or a missing term)"
        )
    return None


def correlated_pairs(
    result: Any, threshold: float = CORRELATION_WARN
) -> list[tuple[str, str, float]]:
    """Pairs of free parameters (lmfit names) with |r| > ``threshold``, strongest first."""
    r = getattr(result, "lmfit_result", None)
    names = list(getattr(r, "var_names", None) or [])
    if r is None or r.covar is None or not names:
        return []
    sd = np.sqrt(np.abs(np.diag(r.covar)))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = r.covar / np.outer(sd, sd)
    out = [
        (names[i], names[j], float(corr[i, j]))
        for i in range(len(names))
        for j in range(i + 1, len(names))
        if math.isfinite(corr[i, j]) and abs(corr[i, j]) > threshold
    ]
    return sorted(out, key=lambda t: -abs(t[2]))


def correlated_groups(
    result: Any, threshold: float = CORRELATION_WARN
) -> list[tuple[list[str], list[tuple[str, str, float]]]]:
    """The parameters linked by |r| > ``threshold`` (connected groups of the correlation
    graph), each with its pairs strongest first; the groups by their strongest pair."""
    pairs = correlated_pairs(result, threshold)
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for a, b, _ in pairs:
        parent[root(a)] = root(b)
    order = list(getattr(getattr(result, "lmfit_result", None), "var_names", None) or [])
    groups: dict[str, list[str]] = {}
    for n in order:
        if n in parent:
            groups.setdefault(root(n), []).append(n)
    out = []
    for members in groups.values():
        mine = [p for p in pairs if p[0] in members]
        out.append((members, mine))
    return sorted(out, key=lambda g: -abs(g[1][0][2]))


def _measured_chi2(result: Any) -> tuple[float, int]:
    """chi^2 and degrees of freedom of the curves with measured sigmas (estimated ones are
    ~1 by construction)."""
    est = getattr(result, "sigma_estimated", ())
    if not est or not any(est):
        return float(result.chisqr), int(result.ndata - result.nvarys)
    n_all = result.ndata
    chi, n = 0.0, 0
    for r, e in zip(result.residuals, est, strict=True):
        if not e:
            chi += float(r @ r)
            n += r.size
    return chi, int(round(n * (1.0 - result.nvarys / n_all)))


def diagnose(result: Any) -> list[str]:
    """Every warning about a finished fit, one line each, beginning with ``"WARNING:"``.

    Parameters
    ----------
    result : FitResult or JointFitResult
        The fit (with or without MCMC).

    Returns
    -------
    list of str
        Without repeats, in the order of the module docstring.
    """
    out: list[str] = []
    if not getattr(result, "success", True):
        out.append(f"WARNING: the least-squares fit did not converge: {result.message}")
    verdict = None
    if hasattr(result, "chisqr"):
        verdict = redchi_verdict(*_measured_chi2(result))
    if verdict is not None:
        out.append(f"WARNING: {verdict}")
    seen = set()
    for e in _flat_estimates(result):
        if e.at_bound and e.fit_name not in seen:
            seen.add(e.fit_name)
            out.append(
                f"WARNING: {parameter_label(result, e.fit_name)} = {e.value:.4g} {e.unit} sits "
                "at a bound: its error bar is not meaningful (fix it there, or widen the bound "
                "if the data want it beyond)"
            )
    r = getattr(result, "lmfit_result", None)
    if r is not None and not r.errorbars:
        none = [
            parameter_label(result, e.fit_name)
            for e in _flat_estimates(result)
            if e.vary and e.stderr is None
        ]
        out.append(
            "WARNING: uncertainties could not be estimated (singular covariance: a combination "
            f"of {', '.join(dict.fromkeys(none)) or 'the parameters'} is not determined); fix "
            "one of them (--fix) or share it across curves (--share)"
        )
    for group, pairs in correlated_groups(result):
        names = [parameter_label(result, n) for n in group]
        a, b, rho = pairs[0]
        who = (
            " and ".join(names) if len(names) == 2 else ", ".join(names[:-1]) + f" and {names[-1]}"
        )
        rs = [abs(p[2]) for p in pairs]
        spread = (
            f"r = {rho:+.3f}"
            if len(pairs) == 1
            else f"|r| {min(rs):.3f}-{max(rs):.3f} between them, strongest "
            f"{parameter_label(result, a)} - {parameter_label(result, b)} at r = {rho:+.3f}"
        )
        out.append(
            f"WARNING: {who} are not separately identifiable from these data (least-squares "
            f"{spread}): only a combination is determined; fix one with --fix, or share it "
            "with curves that separate them"
        )
    mc = getattr(result, "mcmc", None)
    if mc is not None and not mc.converged:
        out.append(f"WARNING: MCMC {mc.stop_reason}")
    for note in getattr(mc, "bound_notes", ()) if mc is not None else ():
        out.append(f"WARNING: MCMC: {note}")
    return list(dict.fromkeys(out))
