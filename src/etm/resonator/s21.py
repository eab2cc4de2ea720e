"""Measured S21 (or S11) traces of a resonator to its resonance parameters f0, Qi, Qc, Ql.

The fit is resonator-tools' (Probst et al., Rev. Sci. Instrum. 86, 024706 (2015)): its
``circuit.notch_port`` / ``reflection_port`` remove the cable delay and the environment, fit the
circle and its phase, and report f0, Ql, Qc (notch: 1/Re(1/Qc_complex), Khalil et al. J. Appl.
Phys. 111, 054510 (2012)) and Qi with errors. On top, ``delay="refine"`` (default) replaces the
library's cable-delay estimate, biased by a sloped baseline (1.6 ns on the Al/InP traces, which
lowers Ql and Qc by 12 %, docs/resonator.md), by the delay that minimizes the residual of the
library's own full model against the raw data; ``"library"`` keeps its estimate.

Inputs: CSV (frequency with |S21| in dB or linear and the phase in deg or rad, or re and im; a
header row is honoured, else ``columns="db_deg"``) and Touchstone (.s2p: S21, .s1p: S11, read by
scikit-rf). T, P and the line attenuation come from an argument, else a ``# T_K = ...`` line,
else the file name (:data:`DEFAULT_PATTERN`, or the caller's regex with the same groups).
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from pathlib import Path
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray
from scipy import optimize

from etm.checks import check_choice, plain
from etm.resonator.photons import GEOMETRIES, PHOTON_CONVENTION, photon_number

__all__ = [
    "COLUMN_FORMATS",
    "DEFAULT_PATTERN",
    "FITTER",
    "TABLE_COLUMNS",
    "S21Fit",
    "S21Table",
    "Trace",
    "analyze_files",
    "fit_trace",
    "read_trace",
]

#: Column layouts of a CSV trace: frequency [Hz], then |S21| in dB or linear ("lin") with the
#: phase in degrees or radians, or the real and imaginary parts ("re_im").
COLUMN_FORMATS: tuple[str, ...] = ("db_deg", "db_rad", "lin_deg", "lin_rad", "re_im")

#: Default regex for the file name (``re.search``): temperature as ``<number>mK`` or
#: ``T<number>K``, instrument power as ``<signed number>dB`` or ``dBm``. It reads
#: ``S21_T105.0mK.csv`` (T = 0.105 K) and ``..._7.7182GHz_-20.0dB_105mK.csv`` (P = -20 dBm,
#: T = 0.105 K). A caller's pattern may use the groups T_K, T_mK, P_dBm and attenuation_dB.
DEFAULT_PATTERN: str = (
    r"(?:(?=.*?(?<![\d.])(?P<T_mK>\d+(?:\.\d+)?)mK(?![A-Za-z])))?"
    r"(?:(?=.*?T(?P<T_K>\d+(?:\.\d+)?)K(?![A-Za-z])))?"
    r"(?:(?=.*?(?<![\d.])(?P<P_dBm>[-+]?\d+(?:\.\d+)?)dBm?(?![A-Za-z])))?"
)

#: The fitting library and its version, as written into every output table.
FITTER: str = "resonator-tools"

#: Columns of the output table, in order (``etm fit`` reads them; P_device_dBm comes last).
TABLE_COLUMNS: tuple[str, ...] = (
    "T_K", "P_dBm", "n_photons", "f_Hz", "sigma_f_Hz", "Qi_1", "sigma_1",
    "Qc", "sigma_Qc", "Ql", "sigma_Ql", "P_device_dBm",
)  # fmt: skip

_GROUPS = {"T_K": 1.0, "T_mK": 1e-3, "P_dBm": 1.0, "attenuation_dB": 1.0}
_MIN_POINTS = 20
_POSITIONAL = {"re_im": ("Re S21", "Im S21")} | {
    f"{m}_{u}": ("|S21| [dB]" if m == "db" else "|S21|", f"phase [{u}]")
    for m in ("db", "lin")
    for u in ("deg", "rad")
}
_META = re.compile(r"^[#!%]\s*([A-Za-z_]\w*)\s*[=:]\s*(.*?)\s*$")
_PHASE_ONLY = {"s21", "s11", "deg", "rad"}
_FREQ_UNITS = {"hz": 1.0, "khz": 1e3, "mhz": 1e6, "ghz": 1e9}


@dataclass(frozen=True)
class Trace:
    """One measured trace: frequencies, complex S21 (or S11) and its conditions.

    ``f_Hz`` [Hz] strictly increases; ``s21`` is the linear complex coefficient; T_K [K],
    P_dBm (instrument) and attenuation_dB are NaN when unknown, ``sources`` says where each came
    from (argument, metadata line, file name); ``metadata`` holds every ``# key = value`` line.
    """

    path: str
    f_Hz: NDArray[np.float64]
    s21: NDArray[np.complex128]
    T_K: float = math.nan
    P_dBm: float = math.nan
    attenuation_dB: float = math.nan
    sources: Mapping[str, str] = field(default_factory=dict)
    metadata: Mapping[str, str] = field(default_factory=dict)


def _tokens(name: str) -> list[str]:
    return [t for t in re.split(r"[^0-9a-z]+", name.lower()) if t]


def _column_kind(name: str) -> tuple[str, float] | None:
    """(kind, scale) of a header name, or None when it is not a column we use."""
    tok = _tokens(name)
    if not tok:
        return None
    s = set(tok)
    if tok[0] in {"f", "freq", "frequency"} and set(tok[1:]) <= set(_FREQ_UNITS):
        return "f", _FREQ_UNITS[tok[1]] if len(tok) > 1 else 1.0
    if s & {"phase", "phi", "arg", "angle", "ang"} or (s & {"deg", "rad"} and s <= _PHASE_ONLY):
        unit = s & {"deg", "rad"}
        return ("phase_" + unit.pop(), 1.0) if len(unit) == 1 else ("phase_?", 1.0)
    if "db" in s and s <= {"db", "s21", "s11", "mag", "log", "logmag", "amp", "amplitude", "abs"}:
        return "db", 1.0
    if s & {"re", "real", "i"} and s <= {"re", "real", "i", "s21", "s11"}:
        return "re", 1.0
    if s & {"im", "imag", "q"} and s <= {"im", "imag", "q", "s21", "s11"}:
        return "im", 1.0
    if s <= {"s21", "s11", "mag", "abs", "amp", "amplitude", "lin", "linmag", "linear"}:
        return "lin", 1.0
    return None


def _layout_from_header(path: str, line: int, names: list[str]) -> tuple[str, list[int], float]:
    """(format, [column indices], frequency scale) from a header row."""
    found: dict[str, int] = {}
    scale = 1.0
    for i, name in enumerate(names):
        kind = _column_kind(name)
        if kind is None:
            continue
        if kind[0] == "phase_?":
            raise ValueError(
                f"{path} line {line}, column {i + 1}: phase column {name!r} has no unit; "
                "allowed: a name with deg or rad (phase_deg, phase_rad), got no unit"
            )
        if kind[0] in found:
            raise ValueError(
                f"{path} line {line}, column {i + 1}: two {kind[0]} columns "
                f"({names[found[kind[0]]]!r} and {name!r}); allowed: one of each"
            )
        found[kind[0]] = i
        if kind[0] == "f":
            scale = kind[1]
    if "f" in found and "re" in found and "im" in found:
        return "re_im", [found["f"], found["re"], found["im"]], scale
    for mag in ("db", "lin"):
        for unit in ("deg", "rad"):
            if {"f", mag, "phase_" + unit} <= set(found):
                return f"{mag}_{unit}", [found["f"], found[mag], found["phase_" + unit]], scale
    raise ValueError(
        f"{path} line {line}: header {', '.join(names)} lacks a frequency column and "
        "|S21| (dB or linear) with phase (deg or rad), or re and im; allowed names e.g. "
        "f_Hz, S21_dB, mag, phase_deg, phase_rad, re, im, got the header shown"
    )


def _read_csv(path: str, columns: str | None):
    """Parse a CSV trace: (format, f, a, b, metadata {key: (line, value)})."""
    meta: dict[str, tuple[int, str]] = {}
    header: tuple[int, list[str]] | None = None
    rows: list[tuple[int, list[str]]] = []
    delim: str | None = None
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for ln, raw in enumerate(fh, start=1):
            text = raw.strip()
            if not text:
                continue
            if text.startswith(("#", "!", "%")):
                if m := _META.match(text):
                    meta[m[1]] = (ln, m[2])
                continue
            if delim is None:
                delim = next((d for d in (",", ";", "\t") if d in text), None)
            fields = [x.strip() for x in (text.split(delim) if delim else text.split())]
            if not rows and header is None:
                try:
                    [float(x) for x in fields]
                except ValueError:
                    header = (ln, fields)
                    continue
            rows.append((ln, fields))
    if not rows:
        raise ValueError(f"{path}: no data rows (allowed: numbers in >= 3 columns), got none")
    if columns is not None:
        fmt, idx, scale = check_choice("columns", columns, COLUMN_FORMATS), [0, 1, 2], 1.0
    elif header is not None:
        fmt, idx, scale = _layout_from_header(path, header[0], header[1])
    else:
        fmt, idx, scale = "db_deg", [0, 1, 2], 1.0
    ncol = len(header[1]) if header is not None else len(rows[0][1])
    if ncol < 3:
        raise ValueError(
            f"{path} line {(header or rows[0])[0]}: expected >= 3 columns (frequency, |S21|, "
            f"phase or re, im), got {ncol}"
        )
    names = header[1] if header is not None else ["frequency [Hz]", *_POSITIONAL[fmt]]
    data = np.empty((len(rows), 3))
    for r, (ln, fields) in enumerate(rows):
        if len(fields) != ncol:
            raise ValueError(
                f"{path} line {ln}: expected {ncol} columns, got {len(fields)} ({','.join(fields)})"
            )
        for j, c in enumerate(idx):
            try:
                v = float(fields[c])
            except ValueError:
                v = math.nan
            if not math.isfinite(v):
                raise ValueError(
                    f"{path} line {ln}, column {c + 1} ({names[c]}): expected a finite number, "
                    f"got {fields[c]!r}"
                )
            data[r, j] = v
    lines = [ln for ln, _ in rows]
    return fmt, data[:, 0] * scale, data[:, 1], data[:, 2], meta, lines, names, idx


def _to_complex(path, fmt, a, b, lines, names, idx) -> NDArray[np.complex128]:
    if fmt == "re_im":
        return a + 1j * b
    mag_kind, unit = fmt.split("_")
    if mag_kind == "lin" and (a < 0).any():
        r = int(np.flatnonzero(a < 0)[0])
        raise ValueError(
            f"{path} line {lines[r]}, column {idx[1] + 1} ({names[idx[1]]}): linear |S21| must "
            f"be >= 0, got {plain(a[r])} (for dB use columns db_deg or db_rad)"
        )
    mag = 10.0 ** (a / 20.0) if mag_kind == "db" else a
    phase = np.deg2rad(b) if unit == "deg" else b
    return mag * np.exp(1j * phase)


def _read_touchstone(path: str):
    import skrf  # scikit-rf: Touchstone reading only (imported here, it is slow to import)

    try:
        ntw = skrf.Network(path)
    except (ValueError, IndexError, KeyError, NotImplementedError) as exc:
        raise ValueError(f"{path}: scikit-rf could not read it as Touchstone ({exc})") from None
    if ntw.nports == 2:
        s = ntw.s[:, 1, 0]
    elif ntw.nports == 1:
        s = ntw.s[:, 0, 0]
    else:
        raise ValueError(
            f"{path}: expected a 1-port (.s1p) or 2-port (.s2p) file, got {ntw.nports} ports"
        )
    lines = Path(path).read_text(errors="replace").splitlines()
    meta = {m[1]: (ln, m[2]) for ln, t in enumerate(lines, 1) if (m := _META.match(t.strip()))}
    return np.array(ntw.f, dtype=float), np.array(s, dtype=complex), meta


def _conditions(path: str, meta, pattern: str, given: Mapping[str, float | None]):
    """T_K, P_dBm, attenuation_dB and their sources: argument > metadata > file name."""
    try:
        rx = re.compile(pattern)
    except re.error as exc:
        raise ValueError(
            f"pattern must be a valid regular expression, got {pattern!r} ({exc})"
        ) from None
    unknown = set(rx.groupindex) - set(_GROUPS)
    if unknown or not rx.groupindex:
        raise ValueError(
            "pattern must have named groups among T_K, T_mK, P_dBm, attenuation_dB, "
            f"got {sorted(rx.groupindex) or 'none'} in {pattern!r}"
        )
    m = rx.search(Path(path).name)
    named = {k: ("file name", v) for k, v in (m.groupdict() if m else {}).items() if v is not None}
    found = {k: (f"metadata line {ln}", v) for k, (ln, v) in meta.items() if k in _GROUPS}
    out: dict[str, float] = {}
    src: dict[str, str] = {}
    for key, alias in (("T_K", "T_mK"), ("P_dBm", "P_dBm"), ("attenuation_dB", "attenuation_dB")):
        if given.get(key) is not None:
            out[key], src[key] = float(given[key]), "argument"  # type: ignore[arg-type]
            continue
        hit = next(((k, d[k]) for d in (found, named) for k in (key, alias) if k in d), None)
        if hit is None:
            out[key], src[key] = math.nan, "unknown"
            continue
        k, (src[key], text) = hit
        try:
            out[key] = float(text) * _GROUPS[k]
        except ValueError:
            out[key] = math.nan
        if not math.isfinite(out[key]):
            raise ValueError(f"{path} ({src[key]}): {k} must be a finite number, got {text!r}")
    if math.isfinite(out["T_K"]) and out["T_K"] <= 0:
        raise ValueError(f"{path}: T_K must be > 0 [K], got {plain(out['T_K'])} ({src['T_K']})")
    return out, src


def read_trace(
    path: str | Path,
    *,
    columns: str | None = None,
    pattern: str = DEFAULT_PATTERN,
    T_K: float | None = None,
    P_dBm: float | None = None,
    attenuation_dB: float | None = None,
) -> Trace:
    """Read one trace (CSV or Touchstone) and its temperature, power and attenuation.

    Parameters
    ----------
    path : str or Path
        A CSV file (``.csv``, ``.txt``, ``.dat``) or a Touchstone file (``.s2p``: S21 is taken;
        ``.s1p``: S11). The file is only read.
    columns : str, optional
        CSV layout, one of :data:`COLUMN_FORMATS`, for the first three columns; default: from
        the header row if there is one, else ``"db_deg"`` (frequency [Hz], |S21| [dB], phase [deg]).
    pattern : str, optional
        Regex searched in the file name for the groups T_K, T_mK, P_dBm, attenuation_dB
        (default :data:`DEFAULT_PATTERN`).
    T_K, P_dBm, attenuation_dB : float, optional
        Temperature [K], instrument power [dBm], line attenuation [dB]; when given they win over
        the file's ``# key = value`` lines, which win over the file name.

    Returns
    -------
    Trace
        The data sorted by frequency; bad input raises a one-line ``ValueError`` naming the file,
        line and column, what is allowed and what was found.
    """
    path = str(path)
    suffix = Path(path).suffix.lower()
    if re.fullmatch(r"\.s[12]p", suffix):
        f, s, meta = _read_touchstone(path)
        lines = list(range(1, len(f) + 1))
    else:
        fmt, f, a, b, meta, lines, names, idx = _read_csv(path, columns)
        s = _to_complex(path, fmt, a, b, lines, names, idx)
    if len(f) < _MIN_POINTS:
        raise ValueError(f"{path}: a trace needs >= {_MIN_POINTS} points, got {len(f)}")
    up, down = np.diff(f) > 0, np.diff(f) < 0
    if (f <= 0).any() or not (up.all() or down.all()):
        r = int(np.argmax(f <= 0)) if (f <= 0).any() else int(np.argmin(up if up[0] else down)) + 1
        raise ValueError(
            f"{path} line {lines[r]}, column 1 (frequency): frequencies must be > 0 [Hz] and "
            f"strictly monotonic, got {plain(f[r])} after {plain(f[r - 1]) if r else 'none'}"
        )
    order = np.argsort(f)
    given = {"T_K": T_K, "P_dBm": P_dBm, "attenuation_dB": attenuation_dB}
    cond, src = _conditions(path, meta, pattern, given)
    return Trace(
        path=path,
        f_Hz=f[order],
        s21=s[order],
        sources=MappingProxyType(src),
        metadata=MappingProxyType({k: v for k, (_, v) in meta.items()}),
        **cond,
    )


@dataclass(frozen=True)
class S21Fit:
    """Resonance parameters of one trace with the arrays that draw its fit.

    f0_Hz, Qi, Qc, Ql carry one-sigma errors sigma_* from resonator-tools' covariance (NaN
    when it failed); for a notch Qc = 1/Re(1/Qc_complex) and sigma_Qc is propagated from |Qc|
    and phi0 without their correlation, which the library does not report. n_photons follows
    :data:`etm.resonator.photons.PHOTON_CONVENTION`. ``notes`` holds every warning or message
    the library gave on the final fit.
    """

    path: str
    geometry: str
    T_K: float
    P_dBm: float
    attenuation_dB: float
    P_device_dBm: float
    n_photons: float
    f0_Hz: float
    sigma_f0_Hz: float
    Qi: float
    sigma_Qi: float
    Qc: float
    sigma_Qc: float
    Ql: float
    sigma_Ql: float
    absQc: float
    phi0: float
    delay_s: float
    chi2: float
    f_Hz: NDArray[np.float64] = field(repr=False)
    s21: NDArray[np.complex128] = field(repr=False)
    s21_model: NDArray[np.complex128] = field(repr=False)
    s21_norm: NDArray[np.complex128] = field(repr=False)
    s21_model_norm: NDArray[np.complex128] = field(repr=False)
    notes: tuple[str, ...] = ()
    sources: Mapping[str, str] = field(default_factory=dict)


@functools.cache
def _port_class(geometry: str) -> type:
    """resonator-tools' port class for ``geometry``, reusing its |S21| Lorentzian fit.

    The library's ``get_delay`` (called by ``autofit`` also when the delay is given) first fits
    a skewed Lorentzian to |S21|, which does not depend on the delay, for starting values; the
    subclass returns those values from ``lorentz`` when they are set, so the delay search costs
    one such fit per trace instead of one per trial delay. Results are the library's, bit for bit.
    """
    from resonator_tools import circuit

    base = circuit.notch_port if geometry == "notch" else circuit.reflection_port

    class Port(base):  # type: ignore[misc, valid-type]
        lorentz: list[float] | None = None

        def get_delay(self, f_data, z_data, delay=None, ignoreslope=True, guess=True):
            if delay is not None and self.lorentz is not None:
                return delay, list(self.lorentz)
            return super().get_delay(
                f_data, z_data, delay=delay, ignoreslope=ignoreslope, guess=guess
            )

    Port.__name__ = Port.__qualname__ = f"{base.__name__}_etm"
    return Port


def _autofit(geometry: str, f, z, delay: float | None, lorentz):
    port = _port_class(geometry)(f.copy(), z.copy())
    port.lorentz = lorentz
    port.autofit(electric_delay=delay)
    return port


def _cost(d: float, geometry: str, f, z, lorentz) -> float:
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        try:
            port = _autofit(geometry, f, z, d, lorentz)
            r = float(np.sum(np.abs(port.z_data_sim - z) ** 2))
        except (ValueError, ArithmeticError, np.linalg.LinAlgError, RuntimeError, TypeError):
            return math.inf
    return r if math.isfinite(r) else math.inf


def _refine_delay(geometry: str, f, z, d0: float, lorentz) -> float:
    """The delay minimizing the library's full-model residual: 5-point scan, then Brent.

    The scan's middle point is the library's estimate d0, so the result is never worse than d0.
    """
    span = float(f[-1] - f[0])
    half = 0.25 / span  # +-pi/2 of phase across the span around the library's estimate
    grid = d0 + np.linspace(-half, half, 5)
    costs = [_cost(float(d), geometry, f, z, lorentz) for d in grid]
    k = int(np.argmin(costs))
    if not math.isfinite(costs[k]):
        return d0
    lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)]
    # xatol = 1e-3 rad of phase across the span: on the shared traces 0.15 rad moved Ql by 12 %,
    # so this moves it by < 1e-3 relative, below the library's own sigma_Ql/Ql (~2.5e-3)
    res = optimize.minimize_scalar(
        _cost, bounds=(lo, hi), args=(geometry, f, z, lorentz), method="bounded",
        options={"xatol": 1e-3 / (2 * math.pi * span)},
    )  # fmt: skip
    return float(res.x) if res.fun <= costs[k] else float(grid[k])


def fit_trace(trace: Trace, *, geometry: str = "notch", delay: str | float = "refine") -> S21Fit:
    """Fit one trace with resonator-tools and return its resonance parameters.

    Parameters
    ----------
    trace : Trace
        From :func:`read_trace` (not modified).
    geometry : {"notch", "reflection"}
        Notch (hanger, side-coupled, S21) or reflection (one port, S11).
    delay : {"refine", "library"} or float
        Cable delay: "refine" (default) minimizes the library's full-model residual over it,
        "library" keeps resonator-tools' own estimate, a number [s] fixes it.

    Returns
    -------
    S21Fit

    Raises
    ------
    ValueError
        When the library's fit fails or gives a non-physical result (Ql, Qc or Qi <= 0).
    """
    geometry = check_choice("geometry", geometry, GEOMETRIES)
    f = np.array(trace.f_Hz, dtype=float)
    z = np.array(trace.s21, dtype=complex)
    if isinstance(delay, str):
        check_choice("delay", delay, ("refine", "library"))
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            # the library's own delay estimate, as its autofit() makes it, and the Lorentzian
            # starting values that every later autofit reuses
            d0, lorentz = _port_class(geometry)(f, z).get_delay(f, z, guess=geometry == "notch")
        d = float(d0)
        if delay == "refine":
            d = _refine_delay(geometry, f, z, d, lorentz)
    else:
        d, lorentz = float(delay), None
        if not math.isfinite(d):
            raise ValueError(f"delay must be 'refine', 'library' or a finite number [s], got {d}")
    out = io.StringIO()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(out):
        warnings.simplefilter("always")
        try:
            port = _autofit(geometry, f, z, d, lorentz)
        except (ValueError, ArithmeticError, np.linalg.LinAlgError, RuntimeError) as exc:
            raise ValueError(
                f"{trace.path}: resonator-tools' {geometry} fit failed ({exc})"
            ) from None
    notes = tuple(dict.fromkeys([str(w.message) for w in caught] + out.getvalue().splitlines()))
    r = port.fitresults
    nan = math.nan
    if geometry == "notch":
        Qc, Qi, absQc, phi0 = r["Qc_dia_corr"], r["Qi_dia_corr"], r["absQc"], r["phi0"]
        sQi = r.get("Qi_dia_corr_err", nan)
        sQc = math.hypot(
            r.get("absQc_err", nan) / math.cos(phi0),
            absQc * math.sin(phi0) / math.cos(phi0) ** 2 * r.get("phi0_err", nan),
        )
    else:
        Qc, Qi, absQc, phi0 = r["Qc"], r["Qi"], r["Qc"], nan
        sQi, sQc = r.get("Qi_err", nan), r.get("Qc_err", nan)
    Ql = r["Ql"]
    if not (Ql > 0 and Qc > 0 and Qi > 0):
        raise ValueError(
            f"{trace.path}: the {geometry} fit gave Ql = {plain(Ql)}, Qc = {plain(Qc)}, "
            f"Qi = {plain(Qi)}; allowed: all > 0 (wrong geometry, or no resonance in the span?)"
        )
    P_dev = trace.P_dBm - trace.attenuation_dB
    n = float(photon_number(P_dev, r["fr"], Ql=Ql, Qc=Qc, geometry=geometry))
    return S21Fit(
        path=trace.path, geometry=geometry, T_K=trace.T_K, P_dBm=trace.P_dBm,
        attenuation_dB=trace.attenuation_dB, P_device_dBm=P_dev, n_photons=n,
        f0_Hz=float(r["fr"]), sigma_f0_Hz=float(r.get("fr_err", nan)),
        Qi=float(Qi), sigma_Qi=float(sQi), Qc=float(Qc), sigma_Qc=float(sQc),
        Ql=float(Ql), sigma_Ql=float(r.get("Ql_err", nan)), absQc=float(absQc),
        phi0=float(phi0), delay_s=d, chi2=float(r.get("chi_square", nan)),
        f_Hz=f, s21=z, s21_model=np.array(port.z_data_sim),
        s21_norm=np.array(port.z_data), s21_model_norm=np.array(port.z_data_sim_norm),
        notes=notes, sources=trace.sources,
    )  # fmt: skip


@dataclass(frozen=True)
class S21Table:
    """The fits of a series of traces, one row each, sorted by temperature then power."""

    fits: tuple[S21Fit, ...]
    geometry: str
    delay: str
    fitter: str = FITTER
    fitter_version: str = ""

    def column(self, name: str) -> NDArray[np.float64]:
        """One column of :data:`TABLE_COLUMNS` as an array."""
        attr = {
            "f_Hz": "f0_Hz", "sigma_f_Hz": "sigma_f0_Hz", "Qi_1": "Qi", "sigma_1": "sigma_Qi",
        }.get(check_choice("name", name, TABLE_COLUMNS), name)  # fmt: skip
        return np.array([getattr(fit, attr) for fit in self.fits], dtype=float)

    def metadata_lines(self) -> list[str]:
        """The ``# key = value`` lines that head the CSV."""
        lines = [
            "# resonance parameters of measured traces (etm.resonator.s21, docs/resonator.md)",
            f"# fitter = {self.fitter} {self.fitter_version} (Probst et al. RSI 86, 024706 (2015))",
            f"# geometry = {self.geometry}",
            f"# delay = {self.delay} (refine: minimum of the fit residual; library: its estimate)",
            f"# photon_number = {PHOTON_CONVENTION[self.geometry]}; NaN where P_device is unknown",
            "# columns: T_K [K], P_dBm at the instrument, n_photons, f_Hz = f0 and sigma_f_Hz, "
            "Qi_1 = Qi and sigma_1, Qc (notch: 1/Re(1/Qc_complex)) and sigma_Qc, Ql and sigma_Ql, "
            "P_device_dBm = P_dBm - attenuation_dB",
        ]
        for i, fit in enumerate(self.fits):
            note = f"; notes: {' | '.join(fit.notes)}" if fit.notes else ""
            src = ", ".join(f"{k} from {v}" for k, v in fit.sources.items())
            lines.append(
                f"# source_{i + 1} = {Path(fit.path).name} ({src}; delay {fit.delay_s:.6g} s, "
                f"chi2 {fit.chi2:.3g}{note})"
            )
        return lines

    def to_csv_text(self) -> str:
        """The table as CSV text with its metadata lines."""
        cols = [self.column(c) for c in TABLE_COLUMNS]
        rows = [", ".join(f"{float(c[i]):.12g}" for c in cols) for i in range(len(self.fits))]
        return "\n".join(self.metadata_lines() + [", ".join(TABLE_COLUMNS)] + rows) + "\n"

    def to_csv(self, path: str | Path) -> Path:
        """Write the table to ``path`` (atomically) and return the path."""
        from etm.io import atomic_write_text

        return atomic_write_text(path, self.to_csv_text())


def _nan_last(v: float) -> float:
    return math.inf if math.isnan(v) else v


def analyze_files(
    paths: Iterable[str | Path],
    *,
    geometry: str = "notch",
    columns: str | None = None,
    pattern: str = DEFAULT_PATTERN,
    T_K: float | None = None,
    P_dBm: float | None = None,
    attenuation_dB: float | None = None,
    delay: str | float = "refine",
) -> S21Table:
    """Read and fit every file; the table's rows are sorted by temperature, then power.

    Parameters are those of :func:`read_trace` and :func:`fit_trace`.

    Examples
    --------
    >>> files = ["examples/s21_Al_InP/S21_T30.0mK.csv", "examples/s21_Al_InP/S21_T300.0mK.csv"]
    >>> analyze_files(files, P_dBm=-20.0).column("T_K")  # doctest: +SKIP
    array([0.03, 0.3 ])
    """
    geometry = check_choice("geometry", geometry, GEOMETRIES)
    paths = [str(p) for p in paths]
    if not paths:
        raise ValueError("paths must name at least one file, got none")
    fits = [
        fit_trace(
            read_trace(
                p, columns=columns, pattern=pattern, T_K=T_K, P_dBm=P_dBm,
                attenuation_dB=attenuation_dB,
            ),
            geometry=geometry, delay=delay,
        )
        for p in paths
    ]  # fmt: skip
    fits.sort(key=lambda x: (_nan_last(x.T_K), _nan_last(x.P_dBm), x.path))
    version = importlib_metadata.version(FITTER)
    return S21Table(tuple(fits), geometry, str(delay), fitter_version=version)
