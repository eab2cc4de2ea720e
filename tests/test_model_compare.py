"""Model comparison on the same echo data (etm.fit.model_compare) and the evidence by
thermodynamic integration (etm.fit.evidence)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import etm.fit as fitting
from etm.cli import main
from etm.fit.evidence import thermodynamic_integration
from etm.fit.model_compare import compare_echo_models
from etm.fit.model_evidence import add_evidence

B = np.linspace(0.0, 0.6, 25)


def _linear_gaussian():
    """y = a0 + a1 x + noise; uniform prior on a box far wider than the posterior."""
    rng = np.random.default_rng(1)
    N, sigma = 30, 0.1
    X = np.column_stack([np.ones(N), np.linspace(-1.0, 1.0, N)])
    y = X @ np.array([0.3, -0.7]) + sigma * rng.standard_normal(N)
    lo, hi = np.array([-5.0, -5.0]), np.array([5.0, 5.0])
    const = -0.5 * N * math.log(2 * math.pi * sigma**2)

    def log_like(th):
        r = (y[None, :] - np.atleast_2d(th) @ X.T) / sigma
        return const - 0.5 * np.sum(r * r, axis=1)

    F = X.T @ X / sigma**2
    a_hat = np.linalg.solve(X.T @ X, X.T @ y)
    chi2 = float(np.sum(((y - X @ a_hat) / sigma) ** 2))
    # the box holds the posterior to 1e-300: its probability is 1
    ln_Z = (
        const
        - 0.5 * chi2
        + math.log(2 * math.pi)
        - 0.5 * np.linalg.slogdet(F)[1]
        - float(np.sum(np.log(hi - lo)))
    )
    return log_like, lo, hi, a_hat, np.linalg.inv(F), ln_Z


@pytest.mark.parametrize(
    ("reference", "rungs", "steps"), [("gaussian", 12, 200), ("prior", 40, 150)]
)
def test_thermodynamic_integration_against_analytic_evidence(reference, rungs, steps):
    log_like, lo, hi, a_hat, cov, ln_Z = _linear_gaussian()
    ev = thermodynamic_integration(
        log_like, lo, hi, reference=reference, mean=a_hat, cov=4.0 * cov,
        n_rungs=rungs, nwalkers=16, steps=steps, seed=0,
    )  # fmt: skip
    # 3 stated errors: over 6 seeds the scatter was 1.4x the stated error (gaussian; the rungs'
    # chains are correlated, the stated Monte Carlo error treats them as independent) and 0.4x
    # (prior: the ladder's error dominates and is an upper estimate)
    assert abs(ev.ln_Z - ln_Z) < 3.0 * ev.error, (ev.ln_Z, ln_Z, ev.error)
    assert ev.bounds[0] - 3 * ev.err_mc <= ln_Z <= ev.bounds[1] + 3 * ev.err_mc
    # the Gaussian path is the accurate one at this cost
    if reference == "gaussian":
        assert ev.error < 0.06
    assert np.all(np.diff(ev.means) > -3 * np.sqrt(ev.variances[1:] / ev.n_eff[1:]) - 1e-9)


def test_thermodynamic_integration_with_an_order_constraint():
    # two exchangeable parameters, the prior restricted to a0 < a1 (half the box): the
    # posterior's mirror image is cut away and the density doubles, Z is unchanged when the
    # likelihood is symmetric and its mass lies in one half
    rng = np.random.default_rng(4)
    mu = np.array([-1.0, 1.5])

    def log_like(th):
        d = np.atleast_2d(th) - mu
        return -0.5 * np.sum(d * d, axis=1) / 0.04 - math.log(2 * math.pi * 0.04)

    lo, hi = np.full(2, -4.0), np.full(2, 4.0)
    ev = thermodynamic_integration(
        log_like, lo, hi, constraint=lambda t: t[:, 0] < t[:, 1], support_fraction=0.5,
        mean=mu, cov=0.16 * np.eye(2), nwalkers=16, steps=150, seed=int(rng.integers(100)),
    )  # fmt: skip
    assert abs(ev.ln_Z - (-math.log(32.0))) < 3.0 * ev.error + 0.02


@pytest.fixture(scope="module")
def etm_made():
    return fitting.synthetic_echo_curve("BAS sample 2", B, noise=0.005, seed=11)


@pytest.fixture(scope="module")
def neqm_made():
    return fitting.synthetic_neqm_curve("BAS sample 2", B, CQ_scale=1.5, f_Q=0.12, seed=12)


def test_the_criteria_recover_the_model_that_made_the_data(etm_made, neqm_made):
    # ETM-made (Table 7's BAS sample 2, 0.5 % noise) and NEQM-made (BAS at 2048 Sobol points,
    # another sample than the fit's) curves: each prefers its maker by AIC and BIC
    for curve, maker in ((etm_made, "etm"), (neqm_made, "neqm")):
        cmp = compare_echo_models([curve])
        assert cmp.preferred("aic") == maker and cmp.preferred("bic") == maker
        others = [v for m, v in cmp.delta("bic").items() if m != maker]
        assert min(others) > 2.0  # "positive" on Kass and Raftery's scale (Delta BIC > 2)
        assert {r.model for r in cmp.rows} == {"etm", "neqm", "both", "none"}
        assert cmp.row("both").chi2 <= min(cmp.row("etm").chi2, cmp.row("neqm").chi2) + 1.0


@pytest.mark.slow
def test_the_evidence_recovers_the_model_that_made_the_data(etm_made, neqm_made):
    # small chains (8 rungs x 60 steps); Dmin_K and X0min_KA2 held so that the ETM's surrogate
    # is one-dimensional (cheap to build); ln B > 3 ("strong") beside its stated error
    fix = {"Dmin_K": 0.0272, "X0min_KA2": 1140.0}
    for curve, maker in ((etm_made, "etm"), (neqm_made, "neqm")):
        cmp = compare_echo_models([curve], fix=fix, models=("etm", "neqm"))
        cmp = add_evidence(cmp, steps=60, n_rungs=8, nwalkers=16)
        assert cmp.preferred("evidence") == maker, cmp.terminal_lines()
        other = "neqm" if maker == "etm" else "etm"
        lnB, err = cmp.ln_bayes(maker, other)
        assert lnB > 3.0 + 3.0 * err, (lnB, err)


def _write(curve, path):
    m = curve.metadata
    lines = [
        "# SYNTHETIC",
        f"# glass = {m['glass']}",
        "# T_mK = 12",
        "# f_GHz = 1",
        "# tau1_us = 0.1",
        "# tau2_us = 0.2",
        "# tau12_us = 2",
        "B_T, rel_echo, sigma_echo",
    ]
    rows = zip(curve.x, curve.y, curve.sigma, strict=True)
    lines += [f"{b:.6g}, {y:.9g}, {s:.3g}" for b, y, s in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_cli_model_option(tmp_path, neqm_made, capsys):
    f = _write(neqm_made, tmp_path / "neqm.csv")
    out = tmp_path / "out"
    args = ["fit", str(f), "--observable", "echo", "--model", "neqm", "--no-progress"]
    assert main([*args, "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Preferred model by AIC: NEQM" in text and "BIC: NEQM" in text
    doc = json.loads((out / "params.json").read_text())
    assert doc["observable"] == "echo_neqm"
    cmp = doc["comparison"]
    assert cmp["preferred"]["aic"] == "neqm" and cmp["preferred"]["bic"] == "neqm"
    assert set(cmp["models"]) == {"ETM", "NEQM", "ETM + NEQM", "none (A = 1)"}
    assert "--model neqm" in doc["provenance"]["command_line"]
    md = (out / "params.md").read_text()
    assert "## Model comparison: ETM, NEQM, both" in md and "Preferred model by" in md
    assert "Model comparison" in (out / "report.html").read_text()


def test_cli_model_option_refusals(tmp_path, capsys):
    cp = tmp_path / "cp.csv"
    cp.write_text("# T_K = 0.6\nB_T, Cp_J_per_gK\n0, 1e-6\n1, 2e-6\n2, 3e-6\n")
    assert main(["fit", str(cp), "--model", "neqm", "--out", str(tmp_path / "o")]) == 2
    assert "--model compares echo models" in capsys.readouterr().err
    assert main(["fit", "--plan", str(cp), "--model", "both", "--out", str(tmp_path / "o")]) == 2
    assert "--plan takes no DATA or other options (got --model)" in capsys.readouterr().err
