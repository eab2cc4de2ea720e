"""Fitting the model to measured curves: global least-squares fits, errors, MCMC, model choice.

The layers, each importing only the ones above it (docs/fitting.md):

* :mod:`etm.fit.data`: measured curves with units (:class:`MeasuredCurve`, :func:`read_curve`).
* :mod:`etm.fit.registry`: :class:`ParamSpec`, :class:`Observable`, :func:`register_observable`;
  the engine reads it, the observables register into it.
* :mod:`etm.fit.engine`: least squares (:func:`fit`, :class:`FitResult`), with
  :mod:`etm.fit.joint` (:func:`fit_joint`), :mod:`etm.fit.mcmc` (:func:`run_mcmc`) and
  :mod:`etm.fit.compare` (:func:`compare_stm`) on top, and :mod:`etm.fit.report` for the files.
* one module per observable, each registering itself: :mod:`etm.fit.cp` (heat capacity, the
  essay's Eq. 14-15, Tables 1-4), :mod:`etm.fit.eps` (dielectric constant, Eq. 16-20,
  Tables 5-6), :mod:`etm.fit.echo` (echo amplitude, Eq. 21, 27-34, Table 7),
  :mod:`etm.fit.resonator` (eps'(T), the loss, resonator f0 and Q_i),
  :mod:`etm.fit.resonator_grid` (a superconducting resonator's Q_i(T, n) and f0(T) together) and
  :mod:`etm.fit.magnetization` (M vs T or B, section 4.2). Importing this package imports them
  all, so the registry is complete. :mod:`etm.fit.neqm` registers two alternative models of
  echo curves (the nuclear-quadrupole echo, and both echoes), which :mod:`etm.fit.model_compare`
  fits beside the ETM (``etm fit --observable echo --model``).

Examples
--------
>>> import numpy as np
>>> from etm import fit as fitting
>>> curve = fitting.synthetic_cp_curve("BAS", 0.9, np.linspace(0, 8, 25), rel_noise=0.003)
>>> res = fitting.fit([curve], material="BAS")
>>> res.success, sorted(fitting.OBSERVABLES)
(True, ['Qi', 'cp', 'echo', 'eps', 'eps_T', 'f0', 'loss', 'magnetization', 'resonator'])
"""

from etm.fit import neqm as neqm  # registers the echo models echo_neqm, echo_both (MODELS)
from etm.fit import resonator as resonator  # registers eps_T, loss, f0, Qi
from etm.fit import resonator_grid as resonator_grid  # registers resonator
from etm.fit.compare import ModelComparison, compare_stm
from etm.fit.cp import synthetic_cp_curve
from etm.fit.data import MeasuredCurve, read_curve
from etm.fit.echo import (
    ECHO_DEFAULT_FIXED,
    ECHO_OPTIONS,
    echo_defaults,
    fit_echo,
    synthetic_echo_curve,
)
from etm.fit.engine import FitResult, ParameterEstimate, fit
from etm.fit.eps import EPS_OPTIONS, synthetic_eps_curve
from etm.fit.joint import JointFitResult, fit_joint
from etm.fit.magnetization import synthetic_magnetization_curve
from etm.fit.mcmc import McmcResult, run_mcmc
from etm.fit.model_compare import EchoModelComparison, compare_echo_models
from etm.fit.neqm import synthetic_neqm_curve
from etm.fit.registry import (
    OBSERVABLES,
    Observable,
    ParamSpec,
    lookup,
    read_curves,
    register_observable,
)

__all__ = [
    "ECHO_DEFAULT_FIXED",
    "ECHO_OPTIONS",
    "EchoModelComparison",
    "EPS_OPTIONS",
    "OBSERVABLES",
    "FitResult",
    "JointFitResult",
    "McmcResult",
    "MeasuredCurve",
    "ModelComparison",
    "Observable",
    "ParamSpec",
    "ParameterEstimate",
    "compare_echo_models",
    "compare_stm",
    "echo_defaults",
    "fit",
    "fit_echo",
    "fit_joint",
    "lookup",
    "read_curve",
    "read_curves",
    "register_observable",
    "run_mcmc",
    "synthetic_cp_curve",
    "synthetic_echo_curve",
    "synthetic_eps_curve",
    "synthetic_magnetization_curve",
    "synthetic_neqm_curve",
]
