"""Reports a reader can use (issue 9): one self-contained HTML file with the warnings, the model
equation, the posterior beside least squares, the coloured correlation table, the overlay and
per-curve-parameter figures; params.json with the MCMC summary in physical units."""

import json
import re

import numpy as np
import pytest

from etm import fit as fitting
from etm import materials
from etm.fit import report
from etm.fit.cp import CP_EQUATION


@pytest.fixture(scope="module")
def sampled():
    pre = materials.get("BAS")
    curves = [
        fitting.synthetic_cp_curve(
            pre,
            T,
            np.linspace(0, 8, 15),
            rel_noise=0.005,
            seed=k,
            source=f"c{k}.csv",
            nP2LS_per_g_per_K=8.8e16,
            beta_J_per_gK4=5e-7,
        )
        for k, T in enumerate((0.6, 0.9))
    ]
    fix = {"n_Fe3_per_g": 5e16, "n_Fe2_per_g": 1.06e17, "nP2LS_per_g_per_K": 8.8e16}
    r = fitting.fit(curves, material="BAS", fix=fix, share=["Dmin_K"])
    cmp = fitting.compare_stm(curves, material="BAS", fix=fix, share=["Dmin_K"], etm=r)
    return fitting.run_mcmc(r, steps=60, nwalkers=16, seed=0), cmp


def test_html_is_self_contained_and_complete(sampled, tmp_path):
    r, cmp = sampled
    prov = {"warnings": ["WARNING: test warning"], "command_line": "etm fit c0.csv c1.csv"}
    written = report.write_fit_report(r, tmp_path / "o", cmp, provenance=prov)
    names = {p.name for p in written}
    assert {"overlay.png", "parameters_vs_T.png", "corner.png", "report.html"} <= names
    page = (tmp_path / "o" / "report.html").read_text()
    assert not re.search(r"""(src|href)=["']?(https?:|//|file:)""", page)
    assert page.count("data:image/png;base64,") == len([n for n in names if n.endswith(".png")])
    assert '<p class="warn">' in page and "test warning" in page
    assert "Correlation matrix" in page and "background:rgb(" in page
    assert "Posterior (MCMC, emcee)" in page and "Posterior ln-likelihood" in page
    assert CP_EQUATION.split(" [")[0] in page.replace("&#x27;", "'")
    doc = json.loads((tmp_path / "o" / "params.json").read_text())
    rows = doc["mcmc"]["parameters"]
    assert [x["fit_name"] for x in rows] == list(r.mcmc.var_names)
    for x in rows:
        assert x["p16"] <= x["median"] <= x["p84"] and x["tau_steps"] > 0
    nP = next(x for x in rows if x["name"] == "nP_per_g")
    assert 1e16 < nP["median"] < 1e17  # physical units, not log10
    assert doc["comparison"]["ETM_posterior_lnL"]["median"] <= -0.5 * r.chisqr + 1e-9


def test_html_shows_figures_before_the_tables_and_every_status(sampled, tmp_path):
    # issue 21: the figures came after seven tables, and free shared parameters had a blank
    # status cell
    r, cmp = sampled
    report.write_fit_report(r, tmp_path / "o", cmp, provenance={"warnings": ["WARNING: w"]})
    page = (tmp_path / "o" / "report.html").read_text()
    heads = re.findall(r"<h2>(.*?)</h2>", page)
    assert heads[:3] == ["Warnings", "Figures", "Model"]
    shared = page.split("<h2>Shared parameters</h2>")[1].split("</table>")[0]
    status = re.findall(
        r"<tr><td>[^<]*</td><td>[^<]*</td><td>[^<]*</td><td>([^<]*)</td></tr>", shared
    )
    assert status and all(status), status  # shared, fixed or at bound: never blank


def test_axis_labels_are_mathtext_with_units():
    from etm.fit.plots import axis_label, unit_tex

    assert unit_tex("1/(s K^5)") == "s$^{-1}$ K$^{-5}$" and unit_tex("D kV/m") == "D kV m$^{-1}$"
    assert axis_label("Dmin_K", "K") == r"$D_\mathrm{min}$ [K]"
    assert axis_label("n_c", "photons") == "$n_c$ [photons]"
    assert axis_label("S_TLS", "1") == r"$S_\mathrm{TLS}$"  # dimensionless: no brackets
    assert axis_label("new_param", "K", log10=True) == "log$_{10}$ new_param [K]"


def test_terminal_lines_show_posterior_beside_least_squares(sampled):
    r, _ = sampled
    lines = report.terminal_lines(r)
    assert any("nP_per_g = (" in s and "MCMC median" in s and "16-84 %" in s for s in lines)
    assert lines[-1].startswith("  MCMC: NOT converged: step cap 60 reached")
