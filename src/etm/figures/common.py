"""What the figure modules share: the lazy pyplot import, field axes, axis labels and the
adaptive sampling of curves with sharp features (:func:`refine_grid`).

matplotlib is imported only when a figure is drawn (:func:`etm.reproduce.run` selects the Agg
backend first), so importing :mod:`etm` or :mod:`etm.figures` never needs a display.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "FIELD_LABEL",
    "chem",
    "frequency_text",
    "linear_field_axis",
    "log_field_axis",
    "mathtext_cache",
    "pyplot",
    "refine_grid",
    "row_label",
    "tex_number",
]

#: Label of every magnetic-field axis.
FIELD_LABEL = "magnetic field $B$ [T]"


def pyplot() -> ModuleType:
    """Import and return :mod:`matplotlib.pyplot` (deferred until a figure is drawn)."""
    import matplotlib.pyplot as plt

    return plt


class _ParserKind:
    """A matplotlib ``MathTextParser`` as a cache key: its class and output type only.

    A parse depends on the parser only through these (the parsing grammar and the font-set
    table are class attributes), but each renderer makes its own parser, so a cache keyed on
    the parser object is new for every figure and every format."""

    def __init__(self, parser) -> None:
        self.parser = parser
        self.key = (type(parser), getattr(parser, "_output_type", id(parser)))

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _ParserKind) and other.key == self.key


@contextmanager
def mathtext_cache(maxsize: int = 4096) -> Iterator[None]:
    """Within the block, matplotlib keeps ``maxsize`` parsed mathtext strings for all figures.

    matplotlib parses a mathtext string anew unless the same renderer parsed it among its last
    50 strings (an ``lru_cache(50)`` on ``MathTextParser._parse_cached``, keyed on the parser,
    and every renderer, so every figure and format, has its own parser). ``etm reproduce``
    draws the same labels, tick labels and legends in many figures, a few hundred distinct
    strings; parsing them (pyparsing, ~10 ms each) was a quarter of its CPU time, most of it
    repeated. Here one cache serves every parser of the same output type; the key keeps the
    string, dpi, font properties, antialiasing and hinting, everything the result depends
    on, so the drawing is the same. The per-parser cache is put back on exit; with a
    matplotlib whose cache looks otherwise, this does nothing.

    Examples
    --------
    >>> with mathtext_cache():
    ...     pass
    """
    from matplotlib.mathtext import MathTextParser

    cached = MathTextParser.__dict__.get("_parse_cached")
    parse = getattr(cached, "__wrapped__", None)
    if parse is None or not hasattr(cached, "cache_info"):
        yield
        return

    @functools.lru_cache(maxsize)
    def by_kind(kind, *key):
        return parse(kind.parser, *key)

    def shared(self, *key):
        return by_kind(_ParserKind(self), *key)

    MathTextParser._parse_cached = shared
    try:
        yield
    finally:
        MathTextParser._parse_cached = cached


def tex_number(x: float, digits: int = 3) -> str:
    r"""``x`` for mathtext, powers of ten as such: ``1.06\times10^{17}``, ``10^{8}``, ``0.05``.

    Examples
    --------
    >>> tex_number(1.06e17), tex_number(1e8), tex_number(0.05), tex_number(-2e-5), tex_number(1e4)
    ('1.06\\times10^{17}', '10^{8}', '0.05', '-2\\times10^{-5}', '10^{4}')
    """
    text = f"{x:.{digits}g}"
    if x == 0 or (1e-3 <= abs(x) < 1e4 and "e" not in text):
        return text
    mant, exp = f"{x:.{digits - 1}e}".split("e")
    mant = mant.rstrip("0").rstrip(".") if "." in mant else mant
    e = int(exp)
    if mant in ("1", "-1"):
        return f"{mant[:-1]}10^{{{e}}}"
    return f"{mant}\\times10^{{{e}}}"


def frequency_text(f_Hz: float) -> str:
    """A frequency with its SI prefix: ``1 kHz``, ``5 GHz``, ``100 Hz``.

    Examples
    --------
    >>> frequency_text(1e3), frequency_text(5e9), frequency_text(100.0), frequency_text(0.9e9)
    ('1 kHz', '5 GHz', '100 Hz', '0.9 GHz')
    """
    for scale, unit in ((1e9, "GHz"), (1e6, "MHz"), (1e3, "kHz")):
        if abs(f_Hz) >= 0.5 * scale:
            return f"{f_Hz / scale:g} {unit}"
    return f"{f_Hz:g} Hz"


def chem(formula: str) -> str:
    """A chemical formula with mathtext subscripts: ``(B2O3)0.75`` -> ``(B$_{2}$O$_{3}$)$_{0.75}$``.

    Examples
    --------
    >>> chem("Li2O-SiO2"), chem("(B2O3)0.75(PbO)0.25")
    ('Li$_{2}$O-SiO$_{2}$', '(B$_{2}$O$_{3}$)$_{0.75}$(PbO)$_{0.25}$')
    """
    return re.sub(r"(?<=[A-Za-z)])(\d+(?:\.\d+)?)", r"$_{\1}$", formula)


def row_label(name: str) -> str:
    r"""A table row's name for a legend, its ASCII symbols in mathtext (``tau12=1.5us`` ->
    ``$\tau_{12}$ = 1.5 µs``).

    Examples
    --------
    >>> row_label("BK7 tau12=1.5us"), row_label("BAS sample 1")
    ('BK7, $\\tau_{12}$ = 1.5 µs', 'BAS sample 1')
    """
    m = re.fullmatch(r"(.*?)\s*tau12\s*=\s*([\d.]+)\s*us", name)
    if m is None:
        return name
    return f"{m.group(1)}, $\\tau_{{12}}$ = {m.group(2)} µs"


def linear_field_axis(n_B: int, B_max_T: float) -> np.ndarray:
    """``n_B`` fields [T] evenly spaced from 0 to ``B_max_T`` (Figs. 9, 15-16).

    Examples
    --------
    >>> from etm.figures.common import linear_field_axis
    >>> linear_field_axis(3, 8.0)
    array([0., 4., 8.])
    """
    return np.linspace(0.0, B_max_T, n_B)


def log_field_axis(n_B: int, B_min_T: float, B_max_T: float) -> np.ndarray:
    """``n_B`` fields [T] log-spaced from ``B_min_T`` to ``B_max_T`` (Figs. 10-12, log axis).

    Examples
    --------
    >>> from etm.figures.common import log_field_axis
    >>> log_field_axis(3, 1e-3, 10.0)
    array([1.e-03, 1.e-01, 1.e+01])
    """
    return np.geomspace(B_min_T, B_max_T, n_B)


def refine_grid(
    f: Callable[[NDArray[np.float64]], ArrayLike],
    x: ArrayLike,
    *,
    log: bool = False,
    tol: float = 2e-3,
    max_points: int = 1500,
    max_rounds: int = 14,
    n_split: int = 2,
    scale: float | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Sample ``f`` on ``x`` and refine the grid where the drawn curve bends.

    A point is bad when it lies farther than ``tol`` x (the curve's range, or ``scale``) from
    the chord of its two neighbours (in ln x if ``log``): both intervals beside it are split in
    ``n_split``, ``f`` is called on the new points only, and this repeats until no point is
    bad, ``max_rounds`` rounds have passed or the next round would exceed ``max_points``. The drawn
    peak heights and kinks are then within ~``tol`` of the curve's range of their true values
    whatever the starting grid, provided the starting grid sees every feature at one point at
    least.

    Parameters
    ----------
    f : callable
        ``f(x)`` for a 1-D array ``x``: an array of shape ``(n,)`` or ``(k, n)`` (k curves drawn
        on the same grid; a point is bad if it is bad for one of them).
    x : array_like
        Starting grid (sorted and made unique here; > 0 if ``log``).
    log : bool
        Refine in ln x (a curve drawn on a log x axis).
    tol : float
        Allowed distance of a point from its neighbours' chord, in units of the curve's range.
    max_points : int
        Upper bound on the number of points.
    max_rounds : int
        Upper bound on the number of refinement rounds.
    n_split : int
        Parts a bad interval is split into: 2 halves the most points; more take fewer rounds
        (fewer calls of ``f``, for an ``f`` whose cost is mostly per call).
    scale : float, optional
        The range ``tol`` is a fraction of, in the units of ``f`` (the drawn axis' range, for
        a curve that is nearly flat or noisy on it); default: each curve's own range.

    Returns
    -------
    x : ndarray
        The refined grid, sorted.
    y : ndarray
        ``f`` on it, shape ``(n,)`` or ``(k, n)`` as ``f`` returns.

    Examples
    --------
    >>> import numpy as np
    >>> from etm.figures.common import refine_grid
    >>> x, y = refine_grid(lambda x: 1.0 / (1.0 + (x / 0.01) ** 2), np.linspace(-1, 1, 11))
    >>> float(y.max()), bool(x.size < 200)
    (1.0, True)
    """
    x = np.unique(np.asarray(x, dtype=float))
    y = np.asarray(f(x), dtype=float)
    flat = y.ndim == 1
    y = np.atleast_2d(y)
    for _ in range(max_rounds):
        u = np.log(x) if log else x
        if u.size < 3:
            break
        span = np.ptp(y, axis=1, keepdims=True) if scale is None else np.full((1, 1), scale)
        span = np.where(span > 0.0, span, np.inf)
        t = (u[1:-1] - u[:-2]) / (u[2:] - u[:-2])
        chord = y[:, :-2] + t * (y[:, 2:] - y[:, :-2])
        bad = np.any(np.abs(y[:, 1:-1] - chord) > tol * span, axis=0)
        split = np.zeros(u.size - 1, dtype=bool)
        split[:-1] |= bad
        split[1:] |= bad
        # intervals already below rounding in u are not split again
        split &= np.diff(u) > 1e-9 * (u[-1] - u[0])
        if not split.any() or x.size + (n_split - 1) * int(split.sum()) > max_points:
            break
        frac = np.arange(1, n_split) / n_split
        un = (u[:-1][split, None] + np.diff(u)[split, None] * frac).ravel()
        xn = np.exp(un) if log else un
        yn = np.atleast_2d(np.asarray(f(xn), dtype=float))
        order = np.argsort(np.concatenate([x, xn]), kind="stable")
        x = np.concatenate([x, xn])[order]
        y = np.concatenate([y, yn], axis=1)[:, order]
    return x, (y[0] if flat else y)
