"""Issue 19's cases whose fix lives in `etm fit`, each through the command line: the MCMC's step
cap and memory checked before the fit (#9), Ctrl-C during the MCMC (#12), files of two glasses
(#15), errors far too large (#17), --steps without --mcmc and a shared parameter stuck at its
plan bound (#19), --seed -1 and --mcmc --steps 2 (#23)."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from etm.cli import cli, main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CP = EXAMPLES / "cp_BAS_0.60K.csv"


def run(args):
    res = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return res.exit_code, res.output


def test_09_huge_step_cap_refused_before_the_fit(tmp_path):
    out = tmp_path / "o"
    t = time.perf_counter()
    code, text = run(["fit", CP, "--mcmc", "--steps", "1000000000", "--out", out])
    assert code == 2 and "--steps" in text and "1000000000" in text and "1000000" in text
    # within the cap, but a chain this long and wide would not fit in memory: refused with the
    # estimate and the allowed range, before the least-squares fit (no model evaluation: fast)
    args = ["fit", CP, "--mcmc", "--steps", "1000000", "--walkers", "10000", "--out", out]
    code, text = run(args)
    assert code == 2, text
    last = text.strip().splitlines()[-1]
    assert last.startswith("Error: --steps 1000000: the chain of 10000 walkers") and "GiB" in last
    assert "allowed for this fit: 2 to" in last
    assert time.perf_counter() - t < 20.0
    assert not out.exists()


def test_12_ctrl_c_during_mcmc_exits_130_with_one_line_and_nothing_written(tmp_path):
    out = tmp_path / "o"
    cmd = [sys.executable, "-m", "etm.cli", "fit", str(CP), "--mcmc", "--out", str(out)]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    # the import and the least-squares fit take a few seconds, the MCMC far longer: the
    # interrupt lands in the sampler (or, on a slow machine, in the fit: the same outcome)
    time.sleep(12.0)
    p.send_signal(signal.SIGINT)
    stdout, stderr = p.communicate(timeout=60)
    assert p.returncode == 130, (stdout, stderr)
    assert "Traceback" not in stderr and "params:" not in stderr
    assert stderr.strip().splitlines() == ["etm: interrupted (Ctrl-C)"], stderr
    assert not out.exists()
    assert not [q for q in tmp_path.iterdir() if q.name != "o"]  # no temporary sibling left


def test_15_two_glasses_refused_naming_both_glass_lines(tmp_path):
    duran = EXAMPLES / "cp_Duran_1.11K.csv"
    out = tmp_path / "o"
    code, text = run(["fit", CP, duran, "--out", out])
    assert code == 2
    last = text.strip().splitlines()[-1]
    assert f"{CP}, line 6: glass = BAS" in last and f"{duran}, line 6: glass = Duran" in last
    assert "--mixed-glasses" in last and not out.exists()
    code, text = run(["fit", CP, duran, "--mixed-glasses", "--no-compare", "--out", out])
    assert code == 0, text


def test_17_errors_far_too_large_say_reduced_chi2_near_zero_not_at_a_bound(tmp_path):
    lines = CP.read_text().splitlines()
    h = lines.index("B_T, Cp_uJ_per_gK, sigma_uJ_per_gK")
    scaled = [
        f"{b}, {c}, {float(s) * 1e6:.6g}"
        for b, c, s in (row.split(", ") for row in lines[h + 1 :] if row.strip())
    ]
    big = tmp_path / "big.csv"
    big.write_text("\n".join(lines[: h + 1] + scaled) + "\n")
    code, text = run(["fit", big, "--no-compare", "--out", tmp_path / "o"])
    assert code == 0, text
    warnings = [w for w in text.splitlines() if w.startswith("WARNING")]
    assert any("~ 0: the errors are too large (by a factor ~1.2e+06" in w for w in warnings), text
    assert not any("sits at a bound" in w for w in warnings), warnings
    doc = json.loads((tmp_path / "o" / "params.json").read_text())
    assert not any(p["at_bound"] for p in doc["parameters"])


def test_19_steps_without_mcmc_is_refused(tmp_path):
    code, text = run(["fit", CP, "--steps", "500", "--out", tmp_path / "o"])
    assert code == 2
    assert text.strip().splitlines()[-1] == (
        "Error: --steps 500 only applies with --mcmc (it sets the MCMC's steps); add --mcmc "
        "or drop --steps"
    )
    code, text = run(["fit", CP, "--seed", "3", "--out", tmp_path / "o"])
    assert code == 2 and "--seed 3 only applies with --mcmc" in text


def test_19_shared_parameter_stuck_at_its_plan_bound_is_flagged(tmp_path):
    plan = (EXAMPLES / "plan_joint_BAS_synthetic.toml").read_text()
    # X0min's truth is 1.2e5 K A^2: a plan bound of 9e4 holds the shared value against it
    plan = plan.replace("X0min_KA2 = [1e4, 1e6]", "X0min_KA2 = [1e4, 9e4]")
    plan = plan.replace('files = ["joint_', f'files = ["{EXAMPLES}/joint_')
    plan = plan.replace('", "joint_', f'", "{EXAMPLES}/joint_')
    p = tmp_path / "plan.toml"
    p.write_text(plan)
    code, text = run(["fit", "--plan", p, "--out", tmp_path / "o"])
    assert code == 0, text
    assert any(
        w.startswith("WARNING: log10_X0min_KA2 = 9e+04 K A^2 sits at a bound")
        for w in text.splitlines()
    ), text


def test_23_seed_out_of_range_names_the_option(tmp_path):
    code, text = run(["fit", CP, "--mcmc", "--seed", "-1", "--out", tmp_path / "o"])
    assert code == 2
    last = text.strip().splitlines()[-1]
    assert last.startswith("Error: Invalid value for '--seed': -1 is not in the range")
    assert "x>=0" in last or "0<=x" in last


def test_23_two_mcmc_steps_print_no_log_spam(tmp_path):
    out = tmp_path / "o"
    args = ["fit", str(CP), "--mcmc", "--steps", "2", "--no-compare", "--out", str(out)]
    res = subprocess.run(
        [sys.executable, "-m", "etm.cli", *args], capture_output=True, text=True, timeout=300
    )
    assert res.returncode == 0, res.stderr
    assert "Too few points" not in res.stderr and "WARNING:root" not in res.stderr
    assert res.stdout.count("WARNING: MCMC NOT converged") == 1
    assert (out / "corner.png").exists()


def test_main_returns_the_status(tmp_path):
    # the same refusals through etm.cli.main (the console script's function)
    assert main(["fit", str(CP), "--steps", "9", "--out", str(tmp_path / "o")]) == 2


def test_19_a_value_a_hair_inside_its_bound_is_at_the_bound():
    # the numbers: 19.9998 against a bound of 20, with an error bar of 0.01 (lmfit's
    # bound transform squeezes it there): flagged, as the command line above shows it
    import lmfit

    from etm.fit.engine import parameter_estimate
    from etm.fit.registry import ParamSpec

    p = lmfit.Parameter("Dmin_K", value=19.9998, min=1e-3, max=20.0)
    p.stderr = 0.01
    spec = ParamSpec(name="Dmin_K", unit="K", component="ATS", bounds=(1e-3, 20.0),
                     description="lower cutoff of D")  # fmt: skip
    assert parameter_estimate(spec, None, p).at_bound
    p.value = 19.9
    assert not parameter_estimate(spec, None, p).at_bound
