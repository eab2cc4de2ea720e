"""Compare resonance fitters on the Al/InP traces: the numbers of docs/resonator.md's table.

Run from the repository root: ``python examples/s21_Al_InP/compare_fitters.py``. It needs
resonator-tools and scikit-rf (etm's dependencies) and, for its scraps column, ``pip install
scraps`` (skipped when missing). Each fitter is called the way its documentation shows:

* resonator-tools: ``circuit.notch_port(f, z).autofit()`` (its own cable-delay estimate), and
  etm's ``fit_trace`` (the same library with the delay refined, docs/resonator.md);
* scikit-rf: ``skrf.qfactor.Qfactor(Network.s21, "absorption").fit(method="NLQFIT7")`` (the
  method that fits a line length), on the raw data and on the data with resonator-tools' delay
  removed; Qi = Q_unloaded, Qc from 1/Ql = 1/Qi + 1/Qc;
* scraps: ``Resonator`` + ``hanger_resonator.hanger_params``/``hanger_fit``, ``do_lmfit``;
  Ql = 1/(1/qi + 1/qc);
* a reference: lmfit on the full notch model of Probst et al. (a, alpha, delay, fr, Ql, |Qc|,
  phi) against the raw complex data, started from the refined resonator-tools fit.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import lmfit
import numpy as np

from etm.resonator.s21 import fit_trace, read_trace

HERE = Path(__file__).parent
TEMPS_MK = ("30.0", "150.0", "240.0", "315.0")


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def rt_library(f, z):
    from resonator_tools import circuit

    port = circuit.notch_port(f, z)
    port.autofit()
    r = port.fitresults
    return r["fr"], r["Qi_dia_corr"], r["Qc_dia_corr"], r["Ql"]


def skrf_q(f, z, delay):
    import skrf
    from skrf.qfactor import Qfactor

    zz = z * np.exp(2j * np.pi * f * delay)
    ntw = skrf.Network(frequency=skrf.Frequency.from_f(f, unit="Hz"), s=zz)
    q = Qfactor(ntw, "absorption")
    res = q.fit(method="NLQFIT7")
    Q0 = q.Q_unloaded(A=None)
    return res.f_L, Q0, 1.0 / (1.0 / res.Q_L - 1.0 / Q0), res.Q_L


def scraps_fit(f, z, T_K):
    import scraps
    from scraps.fitsS21 import hanger_resonator as hr

    res = scraps.Resonator("trace", T_K, -20.0, f, z.real, z.imag)
    res.load_params(hr.hanger_params)
    res.do_lmfit(hr.hanger_fit)
    p = res.lmfit_result["default"]["result"].params
    qi, qc = p["qi"].value, p["qc"].value
    # the pole of scraps' model is at f0 + df (its f0 is the transmission minimum)
    return p["f0"].value + p["df"].value, qi, qc, 1.0 / (1.0 / qi + 1.0 / qc)


def full_model(f, z, start):
    def model(f, fr, Ql, absQc, phi, a, alpha, delay):
        return (
            a * np.exp(1j * alpha) * np.exp(-2j * np.pi * f * delay)
            * (1 - Ql / absQc * np.exp(1j * phi) / (1 + 2j * Ql * (f - fr) / fr))
        )  # fmt: skip

    pars = lmfit.Parameters()
    for k, v in start.items():
        pars.add(k, v)

    def resid(p):
        d = model(f, **p.valuesdict()) - z
        return np.concatenate([d.real, d.imag])

    v = lmfit.minimize(resid, pars).params
    Qc = v["absQc"].value / np.cos(v["phi"].value)
    Ql = v["Ql"].value
    return v["fr"].value, 1.0 / (1.0 / Ql - 1.0 / Qc), Qc, Ql


def main() -> None:
    rows = []
    for T in TEMPS_MK:
        trace = read_trace(HERE / f"S21_T{T}mK.csv")
        f, z = trace.f_Hz, trace.s21
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            etm_fit, t_etm = timed(lambda tr=trace: fit_trace(tr))
            rows.append((T, "etm (resonator-tools, delay refined)", etm_fit.f0_Hz, etm_fit.Qi,
                         etm_fit.Qc, etm_fit.Ql, t_etm))  # fmt: skip
            out, t = timed(lambda f=f, z=z: rt_library(f, z))
            rows.append((T, "resonator-tools autofit()", *out, t))
            lib = fit_trace(trace, delay="library")
            for label, d in (("scikit-rf NLQFIT7, raw", 0.0), ("scikit-rf NLQFIT7, de-delayed",
                                                               lib.delay_s)):  # fmt: skip
                try:
                    out, t = timed(lambda d=d, f=f, z=z: skrf_q(f, z, d))
                    rows.append((T, label, *out, t))
                except Exception as exc:  # noqa: BLE001 - report any failure in the table
                    rows.append((T, f"{label}: failed ({exc})", *[np.nan] * 5))
            try:
                out, t = timed(lambda tr=trace, f=f, z=z: scraps_fit(f, z, tr.T_K))
                rows.append((T, "scraps hanger_fit", *out, t))
            except ImportError:
                pass
            start = {"fr": etm_fit.f0_Hz, "Ql": etm_fit.Ql, "absQc": etm_fit.absQc,
                     "phi": etm_fit.phi0, "a": float(np.abs(z[0])), "alpha": float(np.angle(z[0])),
                     "delay": etm_fit.delay_s}  # fmt: skip
            # a and alpha: from the library's normalization, the off-resonance point
            start["a"] = float(np.abs(etm_fit.s21_model[0] / etm_fit.s21_model_norm[0]))
            start["alpha"] = float(
                np.angle(etm_fit.s21_model[0] / etm_fit.s21_model_norm[0])
                + 2 * np.pi * f[0] * etm_fit.delay_s
            )
            out, t = timed(lambda s=start, f=f, z=z: full_model(f, z, s))
            rows.append((T, "lmfit, full model (reference)", *out, t))
    print("| T [mK] | fitter | f0 - 7718 MHz [kHz] | Qi | Qc | Ql | time [ms] |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for T, label, f0, Qi, Qc, Ql, t in rows:
        print(
            f"| {float(T):.0f} | {label} | {(f0 - 7.718e9) / 1e3:.1f} | {Qi:.0f} | {Qc:.0f} | "
            f"{Ql:.0f} | {t * 1e3:.0f} |"
        )


if __name__ == "__main__":
    main()
