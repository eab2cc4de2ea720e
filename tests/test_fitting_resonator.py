"""Fits of eps'(T), eps''(B or T), resonator f0(T) and Q_i(T or P): SYNTHETIC curves recovered."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import etm.fit as fitting
import etm.fit.resonator  # noqa: F401  (registers the observables)
from etm import materials
from etm.fit.resonator import synthetic_background_curve as synthetic

BAS = materials.dielectric_row("BAS", 0.05).params
T = np.geomspace(0.01, 3.0, 40)


def _check(result, truth, n_sigma=4.0):
    # each free parameter within n_sigma of the truth (4: a few parameters per curve, so a 3-sigma
    # miss happens by chance; the seeds are fixed, so the test is deterministic)
    got = {e.name: e for e in result.estimates if e.vary}
    assert set(got) == set(truth)
    for name, value in truth.items():
        e = got[name]
        assert e.stderr is not None and e.stderr > 0, name
        assert abs(e.value - value) < n_sigma * e.stderr, (name, e.value, value, e.stderr)


def test_eps_vs_T_recovers_C_T0_and_the_phonon_rate():
    truth = {"C": 1e-4, "T0_K": 0.8, "A_phonon_per_sK3": 1e8}
    c = synthetic("eps_T", "T_K", T, truth, {"f_Hz": 1e3}, components=("STM",), seed=1)
    _check(fitting.fit([c], "eps_T", components=("STM",)), truth)


def test_loss_vs_T_recovers_C_and_the_phonon_rate():
    truth = {"C": 3e-4, "A_phonon_per_sK3": 3e7}
    c = synthetic("loss", "T_K", T, truth, {"f_Hz": 1e4}, components=("STM",), seed=2)
    _check(fitting.fit([c], "loss", components=("STM",)), truth)


def test_loss_vs_B_at_GHz_recovers_the_ATS_amplitude_and_Dmin():
    # 5 GHz, BAS 50 mK (Table 5): the resonant ATS loss falls with B as the systems of E = hf
    # move away; the 2LS loss is a constant (C fixed), the rate irrelevant at hf >> kT
    B = np.geomspace(1e-3, 3.0, 30)
    truth = {"amplitude_K": BAS.amplitude_K, "Dmin_K": BAS.Dmin_K}
    fixed = {"C": 1e-5, "A_phonon_per_sK3": 1e8, "X0min_KA2": BAS.X0min_KA2,
             "X0max_KA2": BAS.X0max_KA2, "Gamma_inv_per_sK5": 4e10}  # fmt: skip
    c = synthetic("loss", "B_T", B, {**truth, **fixed}, {"f_Hz": 5e9, "T_K": 0.05}, seed=3)
    r = fitting.fit([c], "loss", fix=fixed, material="BAS")
    _check(r, truth)


def test_f0_vs_T_recovers_f_r_and_C():
    truth = {"f_r_Hz": 5.0e9 + 1234.0, "C": 2e-5}
    meta = {"f_Hz": 5e9, "filling_factor": 0.4}
    c = synthetic("f0", "T_K", T, truth, meta, components=("offset", "STM"), seed=4)
    _check(fitting.fit([c], "f0", components=("offset", "STM")), truth)


@pytest.mark.parametrize("axis", ["T", "P"])
def test_Qi_vs_T_or_power_recovers_C_Pc_and_the_other_loss(axis):
    truth = {"C": 3e-5, "Pc_W": 1e-16, "inverse_Q_other": 2e-7}
    if axis == "T":
        x_name, x, meta = "T_K", T, {"f_Hz": 5e9, "filling_factor": 0.5, "P_W": 1e-15}
    else:
        x_name, x = "P_W", np.geomspace(1e-20, 1e-10, 30)
        meta = {"f_Hz": 5e9, "filling_factor": 0.5, "T_K": 0.02}
    c = synthetic("Qi", x_name, x, truth, meta, seed=5)
    r = fitting.fit([c], "Qi", material=None)
    if axis == "T":
        # one power: only C/sqrt(1 + P/P_c) is determined; the default holds P_c at 1 W (no
        # saturation), so C is the loss at the curve's power (stated in the notes)
        assert r.estimate("Pc_W", 0).vary is False and any("Pc_W fixed" in n for n in r.notes)
        truth = {"C": 3e-5 / np.sqrt(1 + 1e-15 / 1e-16), "inverse_Q_other": 2e-7}
    _check(r, truth)


def test_missing_frequency_is_refused():
    c = synthetic("loss", "T_K", T, {"C": 1e-4, "A_phonon_per_sK3": 1e8}, {"f_Hz": 1e4},
                  components=("STM",))  # fmt: skip
    bad = fitting.MeasuredCurve(**{**c.__dict__, "metadata": {}})
    with pytest.raises(ValueError, match="f_Hz"):
        fitting.fit([bad], "loss", components=("STM",))


@pytest.mark.parametrize(
    ("name", "obs", "x", "y", "comps"),
    [
        ("eps_T_2LS_1kHz.csv", "eps_T", "T", "rel", ("STM",)),
        ("resonator_f0_T.csv", "f0", "T", "f", ("offset", "STM")),
    ],
)
def test_example_files_are_recovered(name, obs, x, y, comps):
    # the SYNTHETIC examples of examples/make_examples.py, read from disk; truth in the header
    path = Path(__file__).resolve().parents[1] / "examples" / name
    c = fitting.read_curve(path, x=x, y=y)
    assert "SYNTHETIC" in path.read_text().splitlines()[0]
    line = next(s for s in path.read_text().splitlines() if s.startswith("# truth:"))
    truth = {k: float(v) for k, v in (kv.split("=") for kv in line[len("# truth:") :].split())}
    _check(fitting.fit([c], obs, components=comps), truth)
