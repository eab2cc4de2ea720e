"""The outcome of a least-squares fit: :class:`ParameterEstimate` and :class:`FitResult`.

Split from :mod:`etm.fit.engine` (which builds and runs the fit). A :class:`FitResult` holds the
estimates in physical units, the goodness of fit, per curve the sigmas used (measured, or
estimated from the residual scatter when a file has no error column) and, after
:func:`etm.fit.mcmc.run_mcmc`, the posterior. ``print(result)`` is one line;
:meth:`FitResult.summary` is the table with every warning of :func:`etm.fit.diagnose.diagnose`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from etm.fit.data import MeasuredCurve
from etm.fit.registry import lookup

__all__ = ["FitResult", "ParameterEstimate"]


@dataclass(frozen=True)
class ParameterEstimate:
    """A fitted (or fixed) parameter in physical units.

    Attributes
    ----------
    name : str
        Physical name, e.g. ``"Dmin_K"``.
    curve : int or None
        Index of the curve for a per-curve parameter; None if shared.
    value : float
        Best-fit value (or the fixed value) in ``unit``.
    stderr : float or None
        Standard error from the covariance (None if fixed or not estimable).
    unit : str
        Unit of ``value``.
    vary : bool
        Whether it was fitted.
    fit_name : str
        The lmfit parameter's name (``log10_...`` for log-space parameters).
    at_bound : bool
        Whether the value sits at a bound (its error bar is then not meaningful).
    """

    name: str
    curve: int | None
    value: float
    stderr: float | None
    unit: str
    vary: bool
    fit_name: str
    at_bound: bool = False


@dataclass(frozen=True)
class FitResult:
    """The outcome of :func:`etm.fit.engine.fit`: estimates in physical units, goodness of fit,
    the raw lmfit result and (after :func:`etm.fit.mcmc.run_mcmc`) posterior samples.

    Attributes
    ----------
    observable : str
        The fitted observable.
    curves : tuple of MeasuredCurve
        The data.
    components : tuple of str
        The model terms included.
    orientation : str
        ATS loop orientation average.
    estimates : tuple of ParameterEstimate
        Every parameter, shared ones with ``curve=None``.
    chisqr, redchi, aic, bic : float
        Goodness of fit with the sigmas used: AIC = chi^2 + 2k, BIC = chi^2 + k ln N.
    ndata, nvarys, nfev : int
        Data points, free parameters, function evaluations.
    weighted : bool
        Whether every curve had a measured sigma column (then errors are not rescaled).
    success : bool
        lmfit's convergence flag; ``message`` says why.
    residuals : tuple of ndarray
        Per curve: (data - model)/sigma with the sigmas used.
    notes : tuple of str
        Automatic choices (parameters fixed or shared by default, with the reason).
    lmfit_result : lmfit.minimizer.MinimizerResult
        The raw result (fit-space parameters, covariance).
    mcmc : McmcResult or None
        Posterior samples, if :func:`etm.fit.mcmc.run_mcmc` was called.
    problem : Problem or None
        The fit's problem (curve models with their caches, parameter layout).
    sigma_estimated : tuple of bool
        Per curve: its sigma was estimated from the residual scatter (no error column).
    sigmas : tuple of ndarray
        Per curve: the sigmas used, in the y column's package unit.
    """

    observable: str
    curves: tuple[MeasuredCurve, ...]
    components: tuple[str, ...]
    orientation: str
    estimates: tuple[ParameterEstimate, ...]
    chisqr: float
    redchi: float
    aic: float
    bic: float
    ndata: int
    nvarys: int
    nfev: int
    weighted: bool
    success: bool
    message: str
    residuals: tuple[NDArray[np.float64], ...] = field(repr=False)
    notes: tuple[str, ...]
    lmfit_result: Any = field(repr=False)
    mcmc: Any = field(default=None, repr=False)
    problem: Any = field(default=None, repr=False, compare=False)
    sigma_estimated: tuple[bool, ...] = ()
    sigmas: tuple[NDArray[np.float64], ...] = field(default=(), repr=False)

    def __repr__(self) -> str:
        n = len(self.curves)
        mc = "" if self.mcmc is None else ", with MCMC"
        est = ", sigma estimated" if any(self.sigma_estimated) else ""
        return (
            f"<FitResult {self.observable!r}: {n} curve{'s' * (n != 1)}, {self.nvarys} free, "
            f"reduced chi^2 {self.redchi:.4g}{est}{mc}{'' if self.success else ', FAILED'}>"
        )

    def estimate(self, name: str, curve: int | None = None) -> ParameterEstimate:
        """The estimate of ``name`` (for curve ``curve`` if it is per curve)."""
        for e in self.estimates:
            if e.name == name and (e.curve is None or e.curve == curve):
                return e
        raise ValueError(f"no parameter {name!r} for curve {curve!r} in this fit")

    def value(self, name: str, curve: int | None = None) -> float:
        """Best-fit value of ``name`` in its physical unit."""
        return self.estimate(name, curve).value

    def stderr(self, name: str, curve: int | None = None) -> float | None:
        """Standard error of ``name`` in its physical unit (None if fixed or not estimable)."""
        return self.estimate(name, curve).stderr

    @property
    def values(self) -> tuple[dict[str, float], ...]:
        """Per curve, every physical parameter value that applies to it (``values[0]``)."""
        return tuple(
            {e.name: e.value for e in self.estimates if e.curve in (None, i)}
            for i in range(len(self.curves))
        )

    def correlations(self) -> tuple[tuple[str, ...], NDArray[np.float64]]:
        """Names of the free parameters (fit space) and their correlation matrix."""
        r = self.lmfit_result
        names = tuple(r.var_names)
        if r.covar is None:
            return names, np.full((len(names), len(names)), np.nan)
        sd = np.sqrt(np.abs(np.diag(r.covar)))
        with np.errstate(invalid="ignore", divide="ignore"):
            return names, r.covar / np.outer(sd, sd)

    def model(
        self, curve: int, x: ArrayLike | None = None, components: Sequence[str] | None = None
    ) -> NDArray[np.float64]:
        """The best-fit model of curve ``curve`` at ``x`` (default: the data's x), in the
        package's unit, optionally only some ``components``."""
        obs = lookup(self.observable)
        c = self.curves[curve]
        xx = c.x if x is None else np.asarray(x, dtype=float)
        m = obs.prepare(c.x_name, xx, c.metadata, self.orientation, str(c.source))
        comps = self.components if components is None else tuple(components)
        return np.asarray(m.evaluate(self.values[curve], comps), dtype=float)

    def model_parts(
        self, curve: int, x: ArrayLike | None = None, components: Sequence[str] | None = None
    ) -> dict[str, NDArray[np.float64]]:
        """Each best-fit model term of curve ``curve`` at ``x``."""
        obs = lookup(self.observable)
        c = self.curves[curve]
        xx = c.x if x is None else np.asarray(x, dtype=float)
        m = obs.prepare(c.x_name, xx, c.metadata, self.orientation, str(c.source))
        comps = self.components if components is None else tuple(components)
        return m.parts(self.values[curve], comps)

    def sigma(self, curve: int) -> NDArray[np.float64]:
        """The sigmas used for curve ``curve`` (measured, or estimated from the scatter)."""
        if self.sigmas:
            return self.sigmas[curve]
        c = self.curves[curve]
        return c.sigma if c.sigma is not None else np.ones_like(c.y)

    def summary(self) -> str:
        """The fit as text: goodness of fit, every parameter (value ± error, unit, status), the
        automatic choices and every warning (:func:`etm.fit.diagnose.diagnose`), once each."""
        from etm.fit.diagnose import diagnose

        lines = [
            f"Fit of {self.observable!r} to {len(self.curves)} curve(s): "
            f"{', '.join(c.label for c in self.curves)}",
            f"chi^2 = {self.chisqr:.4g}, reduced chi^2 = {self.redchi:.4g} (N = {self.ndata}, "
            f"k = {self.nvarys}), AIC = {self.aic:.4g}, {self.nfev} evaluations"
            + ("" if self.success else f"; NOT converged: {self.message}"),
        ]
        for e in self.estimates:
            where = "" if e.curve is None else f" [{self.curves[e.curve].label}]"
            if not e.vary:
                val, status = f"{e.value:.4g}", "fixed"
            else:
                err = e.stderr
                ok = err is not None and math.isfinite(err) and err > 0
                val = f"{e.value:.4g} ± {err:.2g}" if ok else f"{e.value:.4g} ± ?"
                status = "at a bound" if e.at_bound else ""
            lines.append(
                f"  {e.name}{where} = {val} {e.unit}" + (f"  ({status})" if status else "")
            )
        lines += [f"  note: {n}" for n in self.notes]
        lines += diagnose(self)
        return "\n".join(lines)
