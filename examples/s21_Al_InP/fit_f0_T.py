"""Preliminary Mattis-Bardeen fit of the Al/InP series: f0(T), then Qi(T) (docs/resonator.md).

Run from the repository root: ``python examples/s21_Al_InP/fit_f0_T.py``. It fits the 20 traces
(etm.resonator.s21, delay refined), then

1. f0(T) = f_r [1 + (delta f/f)_TLS + (delta f/f)_QP] (etm.resonator.model.resonance_frequency)
   with f_r, the gap Delta_K, the kinetic inductance fraction alpha and F delta0 free, weighted by
   the fit's sigma_f0;
2. 1/Qi(T) = 1/Q_other + F delta0' tanh(hf/2kT) + alpha sigma1/sigma2 (inverse_qi, TLS
   saturation folded into F delta0' since the photon number is unknown) with alpha and Delta
   either free or held at the f0 values.

This is a quick look with lmfit, not etm's fit machinery (the lead wires `etm fit` to these
models later); the numbers go into docs/resonator.md.
"""

from __future__ import annotations

from pathlib import Path

import lmfit

from etm.resonator.model import inverse_qi, resonance_frequency
from etm.resonator.quasiparticles import BCS_GAP_RATIO
from etm.resonator.s21 import analyze_files

HERE = Path(__file__).parent


def f0_model(T_K, f_r_Hz, Delta_K, alpha, F_delta0):
    return resonance_frequency(T_K, f_r_Hz=f_r_Hz, F_delta0=F_delta0, Delta_K=Delta_K, alpha=alpha)


def inv_qi_model(T_K, Delta_K, alpha, F_delta0, inverse_Q_other):
    return inverse_qi(
        T_K, f_Hz=7.718e9, F_delta0=F_delta0, Delta_K=Delta_K, alpha=alpha,
        inverse_Q_other=inverse_Q_other,
    )  # fmt: skip


def report(title: str, result: lmfit.model.ModelResult) -> None:
    print(f"{title}: reduced chi2 = {result.redchi:.3g}")
    for name, p in result.params.items():
        err = f"{p.stderr:.3g}" if p.stderr is not None else "fixed" if not p.vary else "n/a"
        print(f"    {name:16s} = {p.value:.6g} +- {err}")
    if "Delta_K" in result.params:
        D = result.params["Delta_K"]
        sd = f" +- {D.stderr / BCS_GAP_RATIO:.3g}" if D.stderr else ""
        print(f"    Tc = Delta/1.764 = {D.value / BCS_GAP_RATIO:.4g}{sd} K")


def main() -> None:
    table = analyze_files(sorted(HERE.glob("S21_T*mK.csv")), P_dBm=-20.0)
    T, f0, sf = table.column("T_K"), table.column("f_Hz"), table.column("sigma_f_Hz")
    Qi, sQi = table.column("Qi_1"), table.column("sigma_1")

    m = lmfit.Model(f0_model)
    p = m.make_params(f_r_Hz=f0[0], Delta_K=2.0, alpha=0.05, F_delta0=1e-6)
    p["Delta_K"].set(min=0.5, max=5.0)
    p["alpha"].set(min=0.0, max=1.0)
    p["F_delta0"].set(min=0.0, max=1e-3)
    r_f0 = m.fit(f0, p, T_K=T, weights=1.0 / sf)
    report("f0(T), f_r, Delta, alpha, F delta0 free", r_f0)

    m = lmfit.Model(inv_qi_model)
    p = m.make_params(
        Delta_K=r_f0.params["Delta_K"].value, alpha=r_f0.params["alpha"].value,
        F_delta0=1e-6, inverse_Q_other=1 / Qi[0],
    )  # fmt: skip
    p["F_delta0"].set(min=0.0, max=1e-3)
    p["inverse_Q_other"].set(min=0.0)
    p["Delta_K"].set(min=0.5, max=5.0)
    p["alpha"].set(min=0.0, max=1.0)
    y, sy = 1 / Qi, sQi / Qi**2
    r_free = m.fit(y, p, T_K=T, weights=1.0 / sy)
    report("1/Qi(T), Delta and alpha free", r_free)
    p["Delta_K"].set(vary=False)
    p["alpha"].set(vary=False)
    r_held = m.fit(y, p, T_K=T, weights=1.0 / sy)
    report("1/Qi(T), Delta and alpha held at the f0(T) values", r_held)
    print("T [mK], f0 - f_r [kHz] data/model, Qi data/model (held):")
    for i in range(len(T)):
        print(
            f"  {T[i] * 1e3:5.0f}  {(f0[i] - r_f0.params['f_r_Hz'].value) / 1e3:8.2f} "
            f"{(r_f0.best_fit[i] - r_f0.params['f_r_Hz'].value) / 1e3:8.2f}   "
            f"{Qi[i]:8.0f} {1 / r_held.best_fit[i]:8.0f}"
        )


if __name__ == "__main__":
    main()
