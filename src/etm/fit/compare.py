"""The ETM against the standard tunneling model (STM) on the same data: AIC and BIC.

:func:`compare_stm` fits the model without its ``"ATS"`` term (for cp the 2LS, phonon and Fe
terms; for eps zero; for echo a constant 1) next to the full one; see docs/fitting.md ("Goodness
of fit and model choice").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from etm.fit.data import MeasuredCurve
from etm.fit.engine import FitResult, fit
from etm.fit.registry import lookup

__all__ = ["ModelComparison", "compare_stm"]


@dataclass(frozen=True)
class ModelComparison:
    """ETM (with ATS) against STM-only (no ATS) on the same data.

    Attributes
    ----------
    etm, stm : FitResult
        The two fits (same data, options and backgrounds).
    delta_aic, delta_bic : float
        STM minus ETM: positive favours the ETM (> 10: decisive).
    preferred : str
        ``"ETM"`` or ``"STM"`` by AIC.
    """

    etm: FitResult
    stm: FitResult
    delta_aic: float
    delta_bic: float
    preferred: str


def compare_stm(
    curves: MeasuredCurve | Sequence[MeasuredCurve],
    observable: str = "cp",
    *,
    etm: FitResult | None = None,
    **kwargs: Any,
) -> ModelComparison:
    """Fit the ETM and the STM-only model (the same terms without ``"ATS"``) and compare AIC/BIC.

    Parameters
    ----------
    curves : MeasuredCurve or sequence of MeasuredCurve
        The data.
    observable : str
        A registered observable.
    etm : FitResult, optional
        An existing ETM fit of the same data and options (not refitted).
    **kwargs
        Keywords of :func:`etm.fit.engine.fit`, for both fits (entries of ATS parameters in
        ``fix``, ``share``, ``per_curve`` and ``free`` are dropped for the STM fit).

    Returns
    -------
    ModelComparison
    """
    obs = lookup(observable)
    comps = tuple(kwargs.pop("components", None) or obs.components)
    if "ATS" not in comps:
        raise ValueError("compare_stm: components must include 'ATS' (the ETM fit)")
    if etm is None:
        etm = fit(curves, observable, components=comps, **kwargs)
    stm_kwargs = dict(kwargs)
    for key in ("share", "per_curve", "free"):
        stm_kwargs[key] = [n for n in stm_kwargs.get(key, ()) if obs.spec(n).component != "ATS"]
    stm = fit(curves, observable, components=tuple(c for c in comps if c != "ATS"), **stm_kwargs)
    d_aic, d_bic = stm.aic - etm.aic, stm.bic - etm.bic
    return ModelComparison(etm, stm, d_aic, d_bic, "ETM" if d_aic > 0 else "STM")
