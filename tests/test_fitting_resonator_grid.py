"""The resonator observable: Q_i(T, n) on a grid and f0(T) of one superconducting resonator,
fitted jointly (etm.fit.resonator_grid), read from grids, f0 files and etm resonator tables
(etm.fit.resonator_table)."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

import etm.fit as fitting
from etm.cli import main
from etm.constants import hbar
from etm.fit.registry import detect_observable
from etm.fit.resonator_grid import ResonatorCurve
from etm.fit.resonator_table import read_resonator_file
from etm.resonator.model import inverse_qi, resonance_frequency

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
QI = EXAMPLES / "resonator_grid_Qi_synthetic.csv"
F0 = EXAMPLES / "resonator_grid_f0_synthetic.csv"
TABLE_HEADER = (
    "T_K, P_dBm, n_photons, f_Hz, sigma_f_Hz, Qi_1, sigma_1, Qc, sigma_Qc, Ql, sigma_Ql, "
    "P_device_dBm"
)


def _truth(path: Path) -> dict[str, float]:
    line = next(s for s in path.read_text().splitlines() if s.startswith("# truth:"))
    return {k: float(v) for k, v in (w.split("=") for w in line[8:].split())}


def _within(result, truth, n_sigma=3.0, skip=()):
    # every free parameter within n_sigma reported errors of the truth (the README's promise)
    got = {e.name: e for e in result.estimates if e.vary}
    for name, e in got.items():
        if name in skip:
            continue
        assert e.stderr is not None and e.stderr > 0, name
        assert abs(e.value - truth[name]) < n_sigma * e.stderr, (name, e.value, truth[name])
    return got


# --- the joint synthetic fit ----------------------------------------------------------------


def test_joint_fit_of_the_synthetic_grid_and_f0_recovers_the_truth():
    curves = fitting.read_curves([QI, F0], "resonator")
    r = fitting.fit(curves, "resonator")
    truth = _truth(QI)
    got = _within(r, truth)
    # everything the two files determine is fitted: 8 free, T0_K and the unused S_TLS fixed
    assert set(got) == set(truth) - {"f_r_Hz"}  # f_r = fref_Hz + df_r_Hz
    assert 0.7 < r.redchi < 1.3  # 115 points, 8 parameters: chi^2/dof within ~2.5 sd of 1
    assert any("S_TLS" in n for n in r.notes)


def test_the_shared_parameters_tighten_with_the_second_observable():
    # F delta0, Delta and alpha from Q_i alone, and with f0: one resonator, one parameter set
    qi, f0 = fitting.read_curves([QI, F0], "resonator")
    alone = fitting.fit([qi], "resonator")
    joint = fitting.fit([qi, f0], "resonator")
    for name in ("F_delta0", "Delta_K", "alpha"):
        assert joint.stderr(name) < alone.stderr(name), name
    assert "f_r_Hz" not in {e.name for e in alone.estimates}  # no f0 curve: no f_r


@pytest.mark.slow
def test_the_posterior_of_the_joint_fit_converges_around_the_truth():
    curves = fitting.read_curves([QI, F0], "resonator")
    r = fitting.run_mcmc(fitting.fit(curves, "resonator"), seed=0, progress=False)
    m = r.mcmc
    assert m.converged, m.stop_reason
    truth = _truth(QI)
    ls = {e.fit_name: e for e in r.estimates}
    for j, n in enumerate(m.var_names):
        e = ls[n]
        # the posterior median within 3 posterior sd of the truth, its sd that of least
        # squares to 20 % (a near-Gaussian posterior: the model is smooth in every parameter)
        assert abs(m.phys_quantiles[1, j] - truth[e.name]) < 3 * m.phys_sd[j], e.name
        assert 0.8 < m.phys_sd[j] / e.stderr < 1.2, e.name


# --- the model ------------------------------------------------------------------------------------


def _curves(n=None):
    T = np.array([0.03, 0.1, 0.2, 0.3])
    qi_x = T if n is None else np.column_stack([T, n])
    qi = ResonatorCurve(
        "T_K" if n is None else "T_K,n_1", qi_x, {"resonator_curve": "Qi", "f_Hz": 7.7e9},
        "isotropic", "q.csv",
    )  # fmt: skip
    f0 = ResonatorCurve("T_K", T, {"resonator_curve": "f0", "fref_Hz": 7.7e9}, "isotropic", "f.csv")
    return T, qi, f0


VALUES = {
    "F_delta0": 2e-5, "n_c": 10.0, "beta": 0.5, "beta1": 0.8, "S_TLS": 0.3, "Delta_K": 2.1,
    "alpha": 0.03, "T0_K": 0.12, "inverse_Q_other": 1e-5, "df_r_Hz": 1234.0,
}  # fmt: skip
COMPS = ("TLS", "QP", "other", "f_r")


def test_the_curve_model_is_etm_resonator_model():
    n = np.array([1.0, 10.0, 100.0, 1e4])
    T, qi, f0 = _curves(n)
    v = VALUES
    want = inverse_qi(
        T, n, f_Hz=7.7e9, F_delta0=v["F_delta0"], n_c=v["n_c"], beta=v["beta"],
        beta1=v["beta1"], T_ref_K=0.1, Delta_K=v["Delta_K"], alpha=v["alpha"], T0_K=v["T0_K"],
        inverse_Q_other=v["inverse_Q_other"],
    )  # fmt: skip
    # the same closed forms summed in another order: rounding only
    assert_allclose(1.0 / qi.evaluate(v, COMPS), want, rtol=1e-13)
    assert_allclose(sum(qi.parts(v, COMPS).values()), qi.evaluate(v, COMPS), rtol=1e-13)
    want_f = resonance_frequency(
        T, f_r_Hz=7.7e9 + v["df_r_Hz"], F_delta0=v["F_delta0"], Delta_K=v["Delta_K"],
        alpha=v["alpha"],
        T0_K=v["T0_K"],
    )  # fmt: skip
    # f_r (1 + s) against f_r + f_r s: 1e-16 of 7.7 GHz, far below any sigma
    assert_allclose(f0.evaluate(v, COMPS), want_f, rtol=1e-15, atol=1e-5)


@pytest.mark.parametrize("known_power", [True, False])
def test_the_vectorized_model_equals_the_reference_set_by_set(known_power):
    # evaluate_many (the MCMC's, numpy formulas for W sets) against evaluate (etm.resonator)
    T, qi, f0 = _curves(np.array([1.0, 10.0, 100.0, 1e4]) if known_power else None)
    rng = np.random.default_rng(5)
    sets = [{k: v * rng.uniform(0.5, 1.5) for k, v in VALUES.items()} for _ in range(6)]
    many = {k: np.array([s[k] for s in sets]) for k in VALUES}
    for m in (qi, f0):
        got = m.evaluate_many(many, COMPS)
        want = np.array([m.evaluate(s, COMPS) for s in sets])
        # same formulas, rewritten for broadcasting: rounding (1e-12) only
        assert_allclose(got, want, rtol=1e-12)
        box = {k: (0.9 * v, 1.1 * v) for k, v in VALUES.items()}
        assert m.prepare_sampling(box, VALUES) < 1e-9 * float(np.min(np.abs(want)))


def test_an_unknown_power_scales_the_tls_loss_by_s_tls():
    T, qi, _ = _curves()
    v = {**VALUES, "alpha": 0.0, "inverse_Q_other": 0.0}
    tls = 2e-5 * 0.3 * np.tanh(6.62607015e-34 * 7.7e9 / (2 * 1.380649e-23 * T))
    assert_allclose(1.0 / qi.evaluate(v, COMPS), tls, rtol=1e-13)


# --- reading and detection ------------------------------------------------------------------


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_photon_number_from_dbm_and_attenuation_is_the_hand_value(tmp_path):
    # -50 dBm at the instrument, 70 dB of lines: 1e-15 W at the device; Qc = Qi = 2e4 gives
    # Ql = 1e4 (1/Ql = 1/Qi + 1/Qc); 5 GHz. By hand: n = 2 Ql^2 P/(Qc hbar omega^2) = 96.078
    # (the notch value of docs/resonator.md and tests/test_photons.py; reflection twice that)
    hand = 2 * 1e4**2 * 1e-15 / (2e4 * hbar * (2 * math.pi * 5e9) ** 2)
    assert abs(hand - 96.078) < 1e-3
    for geometry, factor in (("notch", 1.0), ("reflection", 2.0)):
        p = _write(
            tmp_path / f"p_{geometry}.csv",
            f"# f_GHz = 5\n# attenuation_dB = 70\n# geometry = {geometry}\n"
            "T_mK, P_dBm, Qc, Qi_1, sigma_1\n20, -50, 2e4, 2e4, 100\n20, -40, 2e4, 2e4, 100\n",
        )
        (c,) = read_resonator_file(p)
        assert c.x_name == "T_K,n_1,P_W"
        # the reader's n against the hand value: the same formula, rounding only
        assert_allclose(c.x[:, 1], factor * hand * np.array([1.0, 10.0]), rtol=1e-12)
        assert_allclose(c.x[:, 2], [1e-15, 1e-14], rtol=1e-12)
        assert "P_dBm - attenuation_dB (70 dB)" in c.metadata["n_from"]
    # Ql from its own column, and the device power column of etm resonator's table
    p = _write(
        tmp_path / "dev.csv",
        "# f_Hz = 5e9\nT_K, P_device_dBm, Qc, Ql, Qi_1\n0.02, -120, 2e4, 1e4, 3e4\n"
        "0.03, -120, 2e4, 1e4, 3e4\n",
    )
    (c,) = read_resonator_file(p)
    assert_allclose(c.x[:, 1], hand, rtol=1e-12)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "# f_Hz = 5e9\nT_K, P_dBm, Qc, Qi_1\n0.02, -50, 2e4, 2e4\n0.03, -40, 2e4, 2e4\n",
            "attenuation_dB",
        ),
        (
            "# f_Hz = 5e9\n# attenuation_dB = 70\nT_K, P_dBm, Qi_1\n0.02, -50, 2e4\n"
            "0.03, -50, 2e4\n",
            "needs Qc",
        ),
        ("T_K, n_photons, Qi_1\n0.02, 1, 2e4\n0.03, 1, 2e4\n", "metadata 'f_Hz' missing"),
        ("# f_Hz = 5e9\nT_K, n_photons, Qi_1\n0.02, nan, 2e4\n0.03, 1, 2e4\n", "NaN in data row 1"),
        ("# f_Hz = 5e9\nT_K, n_photons, Qi_1\n0.02, 1, nan\n0.03, 1, 2e4\n", "column 3 ('Qi_1')"),
        ("# f_Hz = 5e9\nT_K, n_photons, Qi_1\n0.02, -1, 2e4\n0.03, 1, 2e4\n", "must be >= 0"),
        ("T_K, f_Hz, sigma_Hz, sigma_f_Hz\n0.02, 5e9, 1, 1\n0.03, 5e9, 1, 1\n", "both give"),
        ("T_K, Qc\n0.02, 5e9\n0.03, 5e9\n", "needs T_<unit> and Qi_1"),
    ],
)
def test_bad_files_are_refused_with_one_line(tmp_path, text, message):
    p = _write(tmp_path / "bad.csv", text)
    with pytest.raises(ValueError, match="bad.csv") as err:
        read_resonator_file(p)
    assert message in str(err.value) and "\n" not in str(err.value)


def _table(tmp_path: Path, sigma: bool = True, power: bool = False, P_dBm=np.nan) -> Path:
    """A table as etm resonator writes it, from the example's truth at one power (NaN: unknown)
    or at two known ones; noise-free but for a seeded 0.5 % on Q_i and 150 Hz on f."""
    t = _truth(QI)
    T = np.repeat(np.linspace(0.03, 0.32, 12), 3 if power else 1)
    P = np.tile([-20.0, -10.0, 0.0], 12) if power else np.full(T.size, P_dBm)
    n = 10.0 ** ((P + 20.0) / 10.0) * 5.0 if power else np.full(T.size, np.nan)  # 5-500
    # at one unknown power the TLS are unsaturated here (S_TLS = 1)
    Qi = 1.0 / inverse_qi(
        T, n if power else 0.0, f_Hz=t["f_r_Hz"], F_delta0=t["F_delta0"],
        n_c=t["n_c"] if power else None, beta=t["beta"], beta1=t["beta1"],
        Delta_K=t["Delta_K"], alpha=t["alpha"], inverse_Q_other=t["inverse_Q_other"],
    )  # fmt: skip
    f = resonance_frequency(
        T, f_r_Hz=t["f_r_Hz"], F_delta0=t["F_delta0"], Delta_K=t["Delta_K"], alpha=t["alpha"]
    )
    rng = np.random.default_rng(7)
    Qi = Qi * (1 + 0.005 * rng.standard_normal(T.size))
    f = f + 150.0 * rng.standard_normal(T.size)
    rows = [
        f"{a:g}, {p:g}, {m:g}, {b:.1f}, 150, {q:.6g}, {0.005 * q:.4g}, 5e4, 100, 1e4, 20, "
        f"{p - 70 if power else np.nan:g}"
        for a, p, m, b, q in zip(T, P, n, f, Qi, strict=True)
    ]
    header = TABLE_HEADER
    if not sigma:  # no error columns: drop sigma_f_Hz and sigma_1
        header = header.replace(" sigma_f_Hz,", "").replace(" sigma_1,", "")
        rows = [", ".join(c for k, c in enumerate(r.split(", ")) if k not in (4, 6)) for r in rows]
    text = "# geometry = notch\n" + header + "\n" + "\n".join(rows) + "\n"
    return _write(tmp_path / "resonator_fits.csv", text)


@pytest.mark.parametrize("P_dBm", [np.nan, -20.0])
def test_an_etm_resonator_table_is_read_as_it_is_and_fitted(tmp_path, P_dBm):
    # as etm resonator writes it without an attenuation: no photon number (with or without the
    # instrument's power, one for every trace)
    path = _table(tmp_path, P_dBm=P_dBm)
    assert detect_observable([path]) == "resonator"
    qi, f0 = fitting.read_curves([path], "resonator")  # one file, two curves
    assert (qi.x_name, qi.y_name, f0.x_name, f0.y_name) == ("T_K", "Qi_1", "T_K", "f_Hz")
    assert qi.metadata["n_from"].startswith("unknown")
    r = fitting.fit([qi, f0], "resonator")
    # one unknown power: the saturation is fixed with its reason, S_TLS (here 1) is fitted
    assert {"n_c", "beta", "beta1"} <= {e.name for e in r.estimates if not e.vary}
    assert any("one unknown power" in n for n in r.notes)
    truth = {**_truth(QI), "S_TLS": 1.0}
    _within(r, truth, skip=("S_TLS",))
    # S_TLS = 1 is its upper bound: the fit ends there or within 3 sigma of it
    s = r.estimate("S_TLS")
    assert s.at_bound or abs(s.value - 1.0) < 3 * s.stderr


def test_a_table_without_error_columns_gets_its_noise_from_the_scatter(tmp_path):
    path = _table(tmp_path, sigma=False, power=True)
    qi, f0 = fitting.read_curves([path], "resonator")
    assert qi.sigma is None and f0.sigma is None and qi.x_name == "T_K,n_1,P_W"
    r = fitting.fit([qi, f0], "resonator")
    assert sum("no sigma column" in n for n in r.notes) == 2
    # the estimated noise is the one put in, 150 Hz on f0, to ~25 % (36 points per curve, 8
    # parameters shared by both: sd of the estimate ~ 1/sqrt(2 x 32) = 12 %)
    assert 0.75 < float(r.sigma(1)[0]) / 150.0 < 1.33
    _within(r, _truth(QI), skip=("S_TLS",))


def test_detection_from_the_columns(tmp_path):
    grid_q = _write(tmp_path / "g.csv", "# f_Hz = 5e9\nT_K, n_photons, Qi_1\n0.02, 1, 2e4\n")
    f0_new = _write(tmp_path / "f.csv", "T_mK, f_GHz\n20, 5\n30, 5\n")
    qi_T = EXAMPLES / "resonator_Qi_T.csv"  # T_K, Qi_1 (the Qi observable's, at P_W)
    assert detect_observable([QI]) == detect_observable([F0]) == "resonator"
    assert detect_observable([grid_q, f0_new]) == "resonator"
    assert detect_observable([f0_new]) == "resonator"  # no nominal frequency: the f0 data
    # the fixed-power observables keep their files
    assert detect_observable([EXAMPLES / "resonator_f0_T.csv"]) == "f0"  # '# fnom_Hz'
    assert detect_observable([qi_T]) == "Qi"
    assert detect_observable([qi_T, EXAMPLES / "resonator_Qi_P.csv"]) == "Qi"
    # a plain Q_i(T) beside a grid or f0(T) of the joint fit is that fit's (one unknown power)
    assert detect_observable([grid_q, qi_T]) == "resonator"
    with pytest.raises(ValueError, match="different observables"):
        detect_observable([EXAMPLES / "resonator_f0_T.csv", QI])


def test_etm_fit_writes_the_loss_channels_figure_and_curves_csv(tmp_path):
    out = tmp_path / "out"
    assert main(["fit", str(QI), str(F0), "--out", str(out)]) == 0
    assert (out / "fit_loss_channels.png").stat().st_size > 10_000
    assert not (out / "overlay.png").exists()  # Q_i and f0 share no axis
    doc = json.loads((out / "params.json").read_text())
    assert doc["provenance"]["model"]["observable"] == "resonator"
    rows = list(csv.DictReader((out / "curves.csv").read_text().splitlines()))
    q = [r for r in rows if r["n_1"]]
    # each loss channel's 1/Q is its part / model^2; they add up to 1/Q_i (rounding)
    for r in q[:5]:
        model = float(r["model"])
        inv = sum(float(r[f"model_{c}"]) for c in ("TLS", "QP", "other")) / model**2
        assert abs(inv * model - 1.0) < 1e-12
    # refitting into the same folder replaces the earlier output (the figure is etm's)
    assert main(["fit", str(QI), str(F0), "--out", str(out)]) == 0
