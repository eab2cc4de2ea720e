"""The figures of `etm reproduce` fit to print (issue 21): adaptive sampling, the exact figure's
grid, symbols in mathtext rather than ASCII."""

import re

import matplotlib
import numpy as np
import pytest
from numpy.testing import assert_allclose

from etm.figures.common import refine_grid

matplotlib.use("Agg")


def _lorentzian(x):
    return 1.0 / (1.0 + ((x - 0.0123) / 0.004) ** 2)


@pytest.mark.parametrize("n", [7, 21, 101])
def test_refine_grid_draws_the_peak_whatever_the_start(n):
    # a peak 100x narrower than the range: its drawn height is within tol of the true one
    # (1 at x = 0.0123) from any starting grid that sees it, with far fewer points than a
    # uniform grid of the same resolution (~2000)
    x, y = refine_grid(_lorentzian, np.linspace(-1.0, 1.0, n), tol=1e-3)
    assert abs(y.max() - 1.0) < 2e-3
    assert x.size < 400
    assert np.all(np.diff(x) > 0)
    assert_allclose(y, _lorentzian(x), rtol=0, atol=0)  # the values are f's, not interpolated


def test_refine_grid_several_curves_log_axis_and_n_split():
    def f(x):
        return np.vstack([np.log(x), _lorentzian(np.log10(x) + 2.0)])

    x0 = np.geomspace(1e-4, 1e2, 13)
    x, y = refine_grid(f, x0, log=True)
    assert y.shape == (2, x.size) and set(x0) <= set(x)
    x4, y4 = refine_grid(f, x0, log=True, n_split=4)
    # both reach the peak; splitting in four takes fewer calls for as good a curve
    assert abs(y[1].max() - 1.0) < 4e-3 and abs(y4[1].max() - 1.0) < 4e-3
    calls = []
    refine_grid(lambda x: calls.append(x.size) or f(x), x0, log=True, n_split=4)
    calls2 = []
    refine_grid(lambda x: calls2.append(x.size) or f(x), x0, log=True)
    assert len(calls) < len(calls2)


def test_refine_grid_stops_at_its_bounds():
    # a jump never satisfies the chord test: the rounds and the point budget stop it
    x, y = refine_grid(lambda x: (x > 0.3).astype(float), np.linspace(0, 1, 11), max_points=60)
    assert x.size <= 60
    x, y = refine_grid(lambda x: np.sign(x - 0.3), np.linspace(0, 1, 11), max_rounds=3)
    assert x.size <= 11 + 4 * 3  # a jump has at most two bad points: four intervals a round


def test_exact_eps_figure_grid_matches_the_default_grid():
    # FIGURE_GRID (about 1/8 of RESPONSE_GRID's cost) stays within 5e-5 of max|weak| of the
    # default grid on every Table 5 row the figure draws, at both loop areas: 50x below what a
    # figure resolves (1 pixel ~ 2.5e-3 of a panel's height). Measured: <= 2.5e-5 (BAS 120 mK).
    from etm import materials
    from etm.dielectric.ats import relative_change
    from etm.dielectric.exact import exact_relative_change
    from etm.figures.exact_response import EPS_ROWS, FIGURE_GRID

    B = np.array([0.02, 0.3, 5.0, 14.0, 29.0])
    for g, T in EPS_ROWS:
        p = materials.dielectric_row(g, T).params
        scale = np.max(np.abs(relative_change(T, np.geomspace(1e-3, 30, 60), p)))
        for S in (1e4, 3e4):
            ref = exact_relative_change(T, B, p, loop_area_A2=S)
            fig = exact_relative_change(T, B, p, loop_area_A2=S, grid=FIGURE_GRID)
            assert np.max(np.abs(fig - ref)) < 5e-5 * scale, (g, T, S)


def test_dielectric_ghz_peak_height_does_not_depend_on_the_grid():
    from etm.figures.dielectric import fig_dielectric_ghz

    heights = []
    for n in (20, 60, 150):
        fig = fig_dielectric_ghz(n_B=n)
        a, b = fig.axes[:2]
        heights.append([a.lines[2].get_ydata().min(), b.lines[0].get_ydata().max()])
        matplotlib.pyplot.close(fig)
    # the 5 GHz dip and the resonant-loss peak: within 0.2 % (tol 2e-3 of the range)
    assert_allclose(heights, [heights[-1]] * 3, rtol=2e-3)


@pytest.mark.parametrize("name", ["BK7 tau12=6us", "BK7 tau12=1.5us"])
def test_neqm_curve_matches_the_dense_grid(name):
    # the refined NEQM curve of fig_neqm_comparison (53 starting fields, NEQM_TOL = 5e-4)
    # against the NEQM evaluated on the figure's former uniform grid (161 fields, half below
    # 60 mT): within 1e-3 in A/A(0.6 T), about 1.5 pixels of the ~0.25-high panels and half
    # the Sobol error of 1024 points. Measured: <= 5.7e-4 on every row (BAS sample 1);
    # BK7 6 us has the sharpest dip, BK7 1.5 us the knee at 60 mT
    from etm.figures.neqm import _fields, _neqm, neqm_curve

    B = _fields(161, 0.6)
    x, y = neqm_curve(name, 53)
    assert x.size < 161
    assert np.max(np.abs(np.interp(B, x, y) - _neqm(name, B, 1024, 0.6))) < 1e-3


def test_mathtext_cache_draws_the_same_and_parses_once():
    # one cache for every renderer: the second figure's PNG and PDF parse nothing new, the
    # pixels are those of matplotlib's own per-renderer cache, and the cache is put back
    import io

    import matplotlib.pyplot as plt
    from matplotlib.mathtext import MathTextParser

    from etm.figures.common import mathtext_cache

    before = MathTextParser.__dict__["_parse_cached"]

    def png(tag):
        fig, ax = plt.subplots(figsize=(3, 2), layout="constrained")
        ax.set_xscale("log")
        ax.plot([1e-3, 10], [0, 1], label=r"$\tau_{12}$ = 1.5 µs")
        ax.set_xlabel(r"$B$ [T], $\varepsilon'$")
        ax.legend()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=80)
        fig.savefig(io.BytesIO(), format="pdf")
        plt.close(fig)
        return buf.getvalue()

    plain = png(0)
    calls = []
    parse = before.__wrapped__

    def counting(self, *key):
        calls.append(key[0])
        return parse(self, *key)

    counting.__wrapped__ = counting
    counting.cache_info = before.cache_info
    MathTextParser._parse_cached = counting
    try:
        with mathtext_cache():
            first = png(1)
            n = len(calls)
            second = png(2)
    finally:
        MathTextParser._parse_cached = before
    assert n > 0 and len(calls) == n  # the second figure parsed nothing
    assert first == plain and second == plain
    assert MathTextParser.__dict__["_parse_cached"] is before


#: ASCII stand-ins for symbols, and Python's float formatting, that a printed figure must not
#: show (mathtext has tau_12, mu, the angstrom ring, xi, phi, subscripts, powers of ten).
_ASCII = [
    r"\btau\d",
    r"\d\s*us\b",
    r"\d[eE][+-]\d",
    r"\bphi\b",
    r"\bxi\b",
    r"\bkappa\b",
    r"\bTheta\b",
    r"\^-?\d",
    r"\beps'",
    r"\bA\^2",
    r"\[1e",
    r"n_ATS",
    r"_Fe",
    r"\bX0m",
]


def _texts(fig):
    out = []
    if fig._suptitle is not None:
        out.append(fig._suptitle.get_text())
    for leg in fig.legends:
        out += [t.get_text() for t in leg.get_texts()] + [leg.get_title().get_text()]
    for ax in fig.axes:
        out += [ax.get_title(loc) for loc in ("left", "center", "right")]
        out += [ax.get_xlabel(), ax.get_ylabel()]
        out += [t.get_text() for t in ax.texts]
        out += [t.get_text() for t in ax.get_xticklabels()]
        leg = ax.get_legend()
        if leg is not None:
            out += [t.get_text() for t in leg.get_texts()] + [leg.get_title().get_text()]
    return [t for t in out if t]


def _plain(text):
    """The text outside $...$ (mathtext may spell \\tau or ^{2} as it likes)."""
    return re.sub(r"\$[^$]*\$", " ", text)


@pytest.mark.parametrize(
    "name",
    [
        "fig6_ats_spectrum",
        "fig7_dos_vs_energy",
        "fig8_dos_vs_phase",
        "fig9_heat_capacity",
        "fig10_dielectric_glasses",
        "fig11_dielectric_bas",
        "fig12_dielectric_sio2",
        "stm_dielectric_background",
        "dielectric_ghz",
        "fig17_dos_trends",
        "tg_vs_cooling_rate",
        "cell_sizes_vs_hrem",
        "magnetization_vs_T",
        "tunnelers_n_of_T",
        "exact_eps_30T",
        "fig15_echo_bas",
        "fig16_echo_bk7",
        "echo_decomposition",
        "echo_reconstruction",
        "neqm_comparison",
        "exact_echo_10T",
    ],
)
def test_figure_texts_use_mathtext_not_ascii(name):
    # every figure of `etm reproduce` (the same list as reproduce.FIGURES, checked below)
    from etm.reproduce import FIGURES

    spec = next(s for s in FIGURES if s.name == name)
    fig = spec.make_fast()
    bad = [(t, pat) for t in _texts(fig) for pat in _ASCII if re.search(pat, _plain(t)) is not None]
    # reproduce.FIGURE_RC fixes every title at the top of its axes (y = 1) to spare matplotlib
    # its automatic placement: that must put them there too (no top tick labels or offset
    # texts under a title), so that the setting moves nothing
    if fig.get_layout_engine() is not None:
        fig.get_layout_engine().execute(fig)
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        ax.get_tightbbox(renderer)
    moved = [ax.get_title() for ax in fig.axes if ax.title.get_position()[1] != 1.0]
    matplotlib.pyplot.close(fig)
    assert not bad, bad
    assert not moved, moved


def _echo_grid_error(names, B):
    from etm import materials
    from etm.echo.exact import exact_amplitude
    from etm.figures.exact_response import ECHO_FIGURE_GRID

    worst = 0.0
    for name in names:
        pre = materials.echo_row(name)
        args = (pre.T_K, B, pre.params, pre.pulses)
        for rabi in (None, "rms"):
            ref = exact_amplitude(*args, rabi=rabi, workers=2)
            got = exact_amplitude(*args, rabi=rabi, grid=ECHO_FIGURE_GRID, workers=2)
            worst = max(worst, np.max(np.abs(got / got[1] - ref / ref[1])))
    return worst


def test_exact_echo_figure_grid_matches_the_default_grid():
    # ECHO_FIGURE_GRID (~1/15 of DEFAULT_ECHO_GRID's cost) against the default in a(B)/a(0.6 T)
    # on BK7 tau12 = 1.5 us (measured at the figure's fields on every row: <= 2.3e-3, BAS
    # sample 2): 3e-3 is about one pixel of a panel; the slow test covers every row
    assert _echo_grid_error(["BK7 tau12 = 1.5 us"], np.array([0.2, 0.6, 2.5])) < 3e-3


@pytest.mark.slow
def test_exact_echo_figure_grid_matches_the_default_grid_on_every_row():
    from etm.figures.exact_response import ECHO_PRESETS

    B = np.array([0.03, 0.6, 0.15, 0.3, 1.2, 2.5, 5.0, 10.0])  # the figure's, 0.6 T second
    assert _echo_grid_error(ECHO_PRESETS, B) < 3e-3


def test_the_mathtext_check_covers_every_figure():
    from etm.reproduce import FIGURES

    marks = test_figure_texts_use_mathtext_not_ascii.pytestmark
    names = next(m.args[1] for m in marks if m.name == "parametrize")
    assert set(names) == {s.name for s in FIGURES}
