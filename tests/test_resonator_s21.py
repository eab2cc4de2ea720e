"""S21 traces to resonance parameters (etm.resonator.s21), the figures and ``etm resonator``.

Checked against resonator-tools called directly on the shipped Al/InP traces (the same numbers),
against an independent least-squares fit of the full notch model to the raw data, on synthetic
traces of known parameters (seeded noise, notch and reflection, every input format), and on bad
input (one-line errors naming file, line and column).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import lmfit
import numpy as np
import pytest
from click.testing import CliRunner
from numpy.testing import assert_allclose

from etm.cli.resonator import TABLE_NAME, resonator
from etm.figures.resonator import fig_s21_fit, fig_s21_series, write_s21_figures
from etm.resonator.s21 import (
    DEFAULT_PATTERN,
    TABLE_COLUMNS,
    analyze_files,
    fit_trace,
    read_trace,
)

DATA = Path(__file__).resolve().parents[1] / "examples" / "s21_Al_InP"
FILES = sorted(DATA.glob("S21_T*mK.csv"))
FEW = [DATA / f"S21_T{t}mK.csv" for t in ("30.0", "150.0", "300.0")]


def _load(path):
    a = np.loadtxt(path, delimiter=",")
    return a[:, 0], 10 ** (a[:, 1] / 20) * np.exp(1j * np.deg2rad(a[:, 2]))


@pytest.fixture(scope="module")
def series():
    return analyze_files(FILES, P_dBm=-20.0)


# ---------------------------------------------------------------------------------------------
# the shipped measurement
# ---------------------------------------------------------------------------------------------


def test_the_examples_ship_with_their_license():
    # the README of the shared data says 19 temperatures; the folder holds 20 (30-315 mK in
    # 15 mK steps), all of them shipped
    assert len(FILES) == 20
    assert (DATA / "LICENSE").read_text().startswith("MIT License")
    assert "scresonators" in (DATA / "README.md").read_text()


def test_reader_gives_the_files_numbers():
    tr = read_trace(FEW[0])
    f, z = _load(FEW[0])
    assert_allclose(tr.f_Hz, f, rtol=0)
    assert_allclose(tr.s21, z, rtol=1e-15)
    assert tr.T_K == pytest.approx(0.03) and np.isnan(tr.P_dBm)
    assert tr.sources["T_K"] == "file name"


def test_every_trace_is_fitted(series):
    assert len(series.fits) == len(FILES)
    T = series.column("T_K")
    assert_allclose(T, np.arange(30, 316, 15) / 1e3)  # sorted by temperature
    for name in TABLE_COLUMNS:
        col = series.column(name)
        if name in ("n_photons", "P_device_dBm"):
            assert np.isnan(col).all()  # no attenuation known: no device power
        else:
            assert np.isfinite(col).all(), name
    assert (series.column("P_dBm") == -20.0).all()
    assert all(not fit.notes for fit in series.fits)  # the library raised nothing


def test_f0_and_qi_fall_with_temperature_above_150_mK(series):
    T, f0, Qi = series.column("T_K"), series.column("f_Hz"), series.column("Qi_1")
    hot = T >= 0.15
    assert (np.diff(f0[hot]) < 0).all() and (np.diff(Qi[hot]) < 0).all()
    # 130 kHz from 150 to 315 mK, 60 times sigma_f0 (~2 kHz)
    sigma = series.column("sigma_f_Hz")
    assert f0[hot][0] - f0[-1] > 60 * sigma.max()
    # below 150 mK f0 moves by less than 2 sigma: quasiparticles are frozen out
    cold = T <= 0.15
    assert np.ptp(f0[cold]) < 2 * sigma.max()


@pytest.mark.parametrize("path", FEW, ids=lambda p: p.name)
def test_table_equals_resonator_tools_called_directly(series, path):
    from resonator_tools import circuit

    fit = next(x for x in series.fits if Path(x.path).name == path.name)
    f, z = _load(path)
    port = circuit.notch_port(f, z)
    port.autofit(electric_delay=fit.delay_s)
    r = port.fitresults
    # the same library on the same numbers at the same delay: equal up to rounding
    assert_allclose(
        [fit.f0_Hz, fit.Qi, fit.Qc, fit.Ql, fit.sigma_f0_Hz, fit.sigma_Ql],
        [r["fr"], r["Qi_dia_corr"], r["Qc_dia_corr"], r["Ql"], r["fr_err"], r["Ql_err"]],
        rtol=1e-12,
    )
    # delay="library" is the library's autofit() unchanged
    lib = fit_trace(read_trace(path), delay="library")
    port = circuit.notch_port(f, z)
    port.autofit()
    assert_allclose(
        [lib.f0_Hz, lib.Qi, lib.Ql],
        [port.fitresults[k] for k in ("fr", "Qi_dia_corr", "Ql")],
        rtol=1e-12,
    )
    # and the refined delay fits the raw data better than the library's own estimate
    res = lambda x: np.sum(np.abs(x.s21_model - x.s21) ** 2)  # noqa: E731
    assert res(fit) < 0.2 * res(lib)


def _full_model(f, fr, Ql, absQc, phi, a, alpha, delay):
    return (
        a
        * np.exp(1j * alpha)
        * np.exp(-2j * np.pi * f * delay)
        * (1 - Ql / absQc * np.exp(1j * phi) / (1 + 2j * Ql * (f - fr) / fr))
    )


@pytest.mark.parametrize("path", FEW[::2], ids=lambda p: p.name)
def test_against_a_least_squares_fit_of_the_full_model(series, path):
    # independent route: lmfit on all seven parameters of the notch model against the raw
    # complex data (no circle fit, no calibration steps)
    fit = next(x for x in series.fits if Path(x.path).name == path.name)
    f, z = _load(path)
    env = fit.s21_model[0] / fit.s21_model_norm[0] * np.exp(2j * np.pi * f[0] * fit.delay_s)
    model = lmfit.Model(_full_model)
    params = model.make_params(
        fr=fit.f0_Hz,
        Ql=fit.Ql,
        absQc=fit.absQc,
        phi=fit.phi0,
        a=abs(env),
        alpha=np.angle(env),
        delay=fit.delay_s,
    )
    y = np.concatenate([z.real, z.imag])
    out = lmfit.minimize(
        lambda p: np.concatenate([(d := _full_model(f, **p.valuesdict()) - z).real, d.imag]), params
    )
    v = out.params.valuesdict()
    Qc = v["absQc"] / np.cos(v["phi"])
    Qi = 1 / (1 / v["Ql"] - 1 / Qc)
    assert y.size == 2 * f.size
    # the two minimize different residuals (the normalized circle vs the raw data): they agree
    # to 0.1 % on these traces; 0.5 % is 2 sigma_Qi, and f0 within sigma_f0
    assert_allclose([fit.Ql, fit.Qc, fit.Qi], [v["Ql"], Qc, Qi], rtol=5e-3)
    assert abs(fit.f0_Hz - v["fr"]) < fit.sigma_f0_Hz


# ---------------------------------------------------------------------------------------------
# synthetic traces: formats, geometries, metadata
# ---------------------------------------------------------------------------------------------

TRUE = {
    "fr": 5.2e9,
    "Ql": 8000.0,
    "absQc": 12000.0,
    "phi": 0.15,
    "a": 0.3,
    "alpha": 1.0,
    "delay": 4e-8,
}


def _synthetic(geometry="notch", n=1201, noise=1e-3, seed=7):
    rng = np.random.default_rng(seed)
    p = TRUE
    f = p["fr"] + np.linspace(-6, 6, n) * p["fr"] / p["Ql"]
    env = p["a"] * np.exp(1j * p["alpha"]) * np.exp(-2j * np.pi * f * p["delay"])
    x = 2j * p["Ql"] * (f - p["fr"]) / p["fr"]
    if geometry == "notch":
        z = env * (1 - p["Ql"] / p["absQc"] * np.exp(1j * p["phi"]) / (1 + x))
    else:  # one-port reflection, Qc real: S11 = (2 Ql/Qc - 1 - x)/(1 + x)
        z = env * (2 * p["Ql"] / p["absQc"] - 1 - x) / (1 + x)
    z = z + noise * p["a"] * (rng.standard_normal(n) + 1j * rng.standard_normal(n))
    return f, z


def _true_q(geometry):
    Qc = TRUE["absQc"] / np.cos(TRUE["phi"]) if geometry == "notch" else TRUE["absQc"]
    return TRUE["Ql"], Qc, 1 / (1 / TRUE["Ql"] - 1 / Qc)


def _write(path, f, cols, header=None, meta=(), sep=", "):
    lines = list(meta) + ([sep.join(header)] if header else [])
    lines += [sep.join(repr(float(v)) for v in row) for row in zip(f, *cols, strict=True)]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("geometry", ["notch", "reflection"])
def test_synthetic_recovery(tmp_path, geometry):
    f, z = _synthetic(geometry)
    path = _write(tmp_path / "trace.csv", f, [z.real, z.imag], header=["f_Hz", "re", "im"])
    fit = fit_trace(read_trace(path), geometry=geometry)
    Ql, Qc, Qi = _true_q(geometry)
    # noise 1e-3 of the baseline: recovered within 4 of the library's sigmas (plus 0.2 % for
    # the circle fit's own bias at this noise)
    for got, sig, true in [
        (fit.Ql, fit.sigma_Ql, Ql),
        (fit.Qc, fit.sigma_Qc, Qc),
        (fit.Qi, fit.sigma_Qi, Qi),
        (fit.f0_Hz, fit.sigma_f0_Hz, TRUE["fr"]),
    ]:
        assert abs(got - true) < 4 * sig + 2e-3 * abs(true), (got, sig, true)
    assert fit.delay_s == pytest.approx(TRUE["delay"], rel=2e-3)
    assert len(fig_s21_fit(fit).axes) == 2  # the figure draws either geometry


def test_every_input_format_gives_the_same_fit(tmp_path):
    f, z = _synthetic()
    db, deg, rad, mag = 20 * np.log10(abs(z)), np.rad2deg(np.angle(z)), np.angle(z), abs(z)
    files = [
        _write(tmp_path / "nohead.csv", f, [db, deg]),  # no header: db_deg
        _write(
            tmp_path / "ghz.csv", f / 1e9, [z.real, z.imag], header=["f_GHz", "Re(S21)", "Im(S21)"]
        ),
        _write(
            tmp_path / "semi.csv",
            f,
            [db, deg],
            header=["Frequency [Hz]", "|S21| [dB]", "Phase [deg]"],
            sep=";",
        ),
        _write(tmp_path / "ws.txt", f, [mag, rad], header=["freq_Hz", "mag", "phase_rad"], sep=" "),
        _write(tmp_path / "tab.dat", f, [mag, rad], sep="\t"),  # positional, columns given below
        _write(
            tmp_path / "vna.csv", f, [db, deg], header=["Freq(Hz)", "S21 Log Mag(dB)", "S21(deg)"]
        ),
    ]
    kinds = [None, None, None, None, "lin_rad", None]
    fits = [
        fit_trace(read_trace(p, columns=c), delay=TRUE["delay"])
        for p, c in zip(files, kinds, strict=True)
    ]
    ref = fits[0]
    for fit in fits[1:]:
        # text round trips of the same numbers (repr) and GHz scaling: 1e-9 relative at most
        assert_allclose(
            [fit.f0_Hz, fit.Ql, fit.Qc, fit.Qi], [ref.f0_Hz, ref.Ql, ref.Qc, ref.Qi], rtol=1e-8
        )


def test_touchstone(tmp_path):
    f, z = _synthetic()
    lines = ["! T_K = 0.05", "! P_dBm = -30", "# Hz S RI R 50"]
    lines += [
        f"{fi:.17g} 0 0 {zi.real:.17g} {zi.imag:.17g} {zi.real:.17g} {zi.imag:.17g} 0 0"
        for fi, zi in zip(f, z, strict=True)
    ]
    path = tmp_path / "res_x.s2p"
    path.write_text("\n".join(lines) + "\n")
    tr = read_trace(path, attenuation_dB=60.0)
    assert_allclose(tr.s21, z, rtol=1e-14)
    assert (tr.T_K, tr.P_dBm, tr.attenuation_dB) == (0.05, -30.0, 60.0)
    fit = fit_trace(tr)
    assert fit.P_device_dBm == -90.0 and np.isfinite(fit.n_photons) and fit.n_photons > 0
    bad = tmp_path / "broken.s2p"
    bad.write_text("# Hz S RI R 50\n5e9 0 0 x 0 0 0 0 0\n")
    with pytest.raises(ValueError, match="broken.s2p: scikit-rf could not read it"):
        read_trace(bad)


def test_metadata_argument_and_file_name_precedence(tmp_path):
    f, z = _synthetic(n=200)
    meta = ["# T_mK = 42", "# P_dBm = -35.5", "# attenuation_dB = 70"]
    path = _write(tmp_path / "dev_-20.0dB_105mK.csv", f, [z.real, z.imag], ["f", "re", "im"], meta)
    tr = read_trace(path)
    assert (tr.T_K, tr.P_dBm, tr.attenuation_dB) == (0.042, -35.5, 70.0)
    assert tr.sources["P_dBm"] == "metadata line 2"
    tr = read_trace(path, T_K=0.2, P_dBm=-10.0)
    assert (tr.T_K, tr.P_dBm) == (0.2, -10.0) and tr.sources["T_K"] == "argument"
    bare = _write(tmp_path / "dev_-20.0dB_105mK_b.csv", f, [z.real, z.imag], ["f", "re", "im"])
    tr = read_trace(bare)
    assert (tr.T_K, tr.P_dBm) == (0.105, -20.0) and np.isnan(tr.attenuation_dB)
    # a caller's pattern
    other = _write(tmp_path / "run7_temp0.25_pow-40.csv", f, [z.real, z.imag], ["f", "re", "im"])
    tr = read_trace(other, pattern=r"temp(?P<T_K>[\d.]+)_pow(?P<P_dBm>-?[\d.]+)")
    assert (tr.T_K, tr.P_dBm) == (0.25, -40.0)


@pytest.mark.parametrize(
    "name, T_K, P_dBm",
    [
        ("S21_T105.0mK.csv", 0.105, None),
        ("NYU2D_AL_INP_220131_7.7182GHz_-20.0dB_105mK.csv", 0.105, -20.0),
        ("res_T0.05K_-110.5dBm.s2p", 0.05, -110.5),
        ("no_numbers_here.csv", None, None),
    ],
)
def test_default_pattern(name, T_K, P_dBm):
    import re

    g = re.search(DEFAULT_PATTERN, name).groupdict()
    T = float(g["T_mK"]) / 1e3 if g["T_mK"] else (float(g["T_K"]) if g["T_K"] else None)
    assert T == (pytest.approx(T_K) if T_K is not None else None)
    assert (float(g["P_dBm"]) if g["P_dBm"] else None) == P_dBm


def test_photon_number_in_the_table(tmp_path):
    table = analyze_files(FEW[:1], P_dBm=-20.0, attenuation_dB=70.0, delay="library")
    fit = table.fits[0]
    # notch: n = 2 Ql^2 P/(Qc hbar omega^2), P = -90 dBm = 1e-12 W
    from etm.constants import hbar

    n = 2 * fit.Ql**2 * 1e-12 / (fit.Qc * hbar * (2 * np.pi * fit.f0_Hz) ** 2)
    assert_allclose(table.column("n_photons"), n, rtol=1e-12)
    assert_allclose(table.column("P_device_dBm"), -90.0)


def test_csv_output(tmp_path, series):
    path = series.to_csv(tmp_path / "t.csv")
    text = path.read_text().splitlines()
    meta = [x for x in text if x.startswith("#")]
    assert any(x.startswith("# fitter = resonator-tools ") for x in meta)
    assert any(x.startswith("# geometry = notch") for x in meta)
    assert any("n = 2 Ql^2 P_device/(Qc hbar omega0^2)" in x for x in meta)
    assert sum(x.startswith("# source_") for x in meta) == len(FILES)
    header = [x for x in text if not x.startswith("#")][0]
    assert [c.strip() for c in header.split(",")] == list(TABLE_COLUMNS)
    data = np.genfromtxt(path, delimiter=",", comments="#", skip_header=len(meta) + 1)
    assert data.shape == (len(FILES), len(TABLE_COLUMNS))
    assert_allclose(data[:, 3], series.column("f_Hz"), rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------------


def _bad(tmp_path, text, name="bad.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def _rows(n=30, start=5e9):
    return [f"{start + i * 1e5!r}, {-20.0 - (i == 15) * 10}, {float(i)}" for i in range(n)]


@pytest.mark.parametrize(
    "text, kwargs, match",
    [
        (
            "\n".join(_rows()[:4] + ["5.0004e9, abc, 1.0"] + _rows()[5:]),
            {},
            r"bad.csv line 5, column 2 \(|S21| \[dB\]\): expected a finite number, got 'abc'",
        ),
        (
            "\n".join(_rows()[:7] + ["5.0007e9, -20"] + _rows()[8:]),
            {},
            r"line 8: expected 3 columns, got 2",
        ),
        (
            "\n".join(_rows()[:9] + [_rows()[3]] + _rows()[10:]),
            {},
            r"line 10, column 1 \(frequency\): frequencies must be > 0 \[Hz\] and strictly "
            r"monotonic, got 5000300000 after 5000800000",
        ),
        (
            "\n".join(_rows()),
            {"columns": "lin_deg"},
            r"line 1, column 2 .*linear \|S21\| must be >= 0, got -20",
        ),
        (
            "f_Hz, S21_dB, phase\n" + "\n".join(_rows()),
            {},
            r"line 1, column 3: phase column 'phase' has no unit",
        ),
        ("f_Hz, x, y\n" + "\n".join(_rows()), {}, r"line 1: header f_Hz, x, y lacks"),
        ("\n".join(_rows()), {"columns": "dbm"}, r"columns must be one of 'db_deg'"),
        ("\n".join(_rows(10)), {}, r"a trace needs >= 20 points, got 10"),
        (
            "# T_K = cold\n" + "\n".join(_rows()),
            {},
            r"metadata line 1\): T_K must be a finite number, got 'cold'",
        ),
        ("# only comments\n", {}, r"no data rows"),
        (
            "\n".join(_rows()),
            {"pattern": "(?P<temp>"},
            r"pattern must be a valid regular expression",
        ),
        (
            "\n".join(_rows()),
            {"pattern": r"(?P<temp>\d+)"},
            r"pattern must have named groups among T_K",
        ),
        (
            "\n".join(f"{-1e9 + i:.1f}, -20, 0" for i in range(30)),
            {},
            r"line 1, column 1 \(frequency\): frequencies must be > 0 \[Hz\] and strictly "
            r"monotonic, got -1000000000 after none",
        ),
    ],
    ids=[
        "not-a-number",
        "column-count",
        "not-monotonic",
        "negative-linear",
        "phase-unit",
        "header",
        "columns-option",
        "too-few",
        "metadata",
        "no-data",
        "bad-regex",
        "regex-groups",
        "negative-frequency",
    ],  # fmt: skip
)
def test_bad_input_is_one_line_naming_the_place(tmp_path, text, kwargs, match):
    path = _bad(tmp_path, text + "\n")
    with pytest.raises(ValueError, match=match) as err:
        read_trace(path, **kwargs)
    assert "\n" not in str(err.value)


def test_bad_fit_arguments():
    tr = read_trace(FEW[0])
    with pytest.raises(
        ValueError, match="geometry must be one of 'notch', 'reflection', got 'hanger'"
    ):
        fit_trace(tr, geometry="hanger")
    with pytest.raises(ValueError, match="delay must be one of 'refine', 'library'"):
        fit_trace(tr, delay="auto")
    with pytest.raises(ValueError, match="paths must name at least one file"):
        analyze_files([])


def test_inputs_are_never_modified(tmp_path):
    path = tmp_path / FEW[0].name
    path.write_bytes(FEW[0].read_bytes())
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    tr = read_trace(path)
    f, z = tr.f_Hz.copy(), tr.s21.copy()
    fit = fit_trace(tr, delay="library")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert (tr.f_Hz == f).all() and (tr.s21 == z).all()
    fig_s21_fit(fit)
    assert (fit.s21 == z).all()


# ---------------------------------------------------------------------------------------------
# figures and the command line
# ---------------------------------------------------------------------------------------------


def test_figures(tmp_path, series):
    fig = fig_s21_series(series)
    assert len(fig.axes) == 2
    written = write_s21_figures(series.__class__(series.fits[:2], "notch", "refine"), tmp_path)
    assert [p.name for p in written] == [
        "S21_T30.0mK_fit.png",
        "S21_T45.0mK_fit.png",
        "s21_series.png",
    ]
    assert all(p.stat().st_size > 10_000 for p in written)


def test_cli_writes_table_and_figures(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        resonator,
        [
            str(FEW[0]),
            str(FEW[2]),
            "--out",
            str(out),
            "--power-dBm",
            "-20",
            "--attenuation-dB",
            "70",
            "--delay",
            "library",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "wrote 4 files" in result.output
    text = (out / TABLE_NAME).read_text()
    assert "# geometry = notch" in text and "# delay = library" in text
    rows = [x for x in text.splitlines() if x[:1].isdigit()]
    assert len(rows) == 2 and rows[0].startswith("0.03, -20, ")
    assert (out / "S21_T300.0mK_fit.png").exists() and (out / "s21_series.png").exists()


def test_cli_errors_are_usage_errors(tmp_path):
    bad = _bad(tmp_path, "\n".join(_rows()[:4] + ["5.0004e9, abc, 1.0"] + _rows()[5:]))
    result = CliRunner().invoke(resonator, [str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "line 5, column 2" in result.output
    result = CliRunner().invoke(
        resonator, [str(FEW[0]), "--out", str(tmp_path / "o"), "--delay", "soon"]
    )
    assert result.exit_code == 2 and "must be 'refine', 'library' or a delay" in result.output
    result = CliRunner().invoke(resonator, ["--help"])
    assert result.exit_code == 0 and "--attenuation-dB" in result.output
