"""Sanity checks of a fit's inputs (before any model evaluation) and of its result (after).

Every check that refuses raises :class:`SanityError`, a one-line :class:`ValueError` naming the
file (or option) and the offending value; ``etm fit`` turns it into exit status 2 before it has
written anything. The checks, in the order ``etm fit`` runs them (docs/fitting.md, "Sanity
checks"):

* :func:`check_out_dir`: the ``--out`` folder can be created and written (checked first, with a
  probe file that is removed again).
* :func:`parse_fix` and :func:`check_options`: ``--fix P=a --fix P=b``, ``--fix P --free P``.
* :func:`check_inputs`: the same input file twice (same SHA-256 of the bytes).
* :func:`check_curves`: temperatures outside the observable's range (1 mK - 100 K by default,
  a likely unit slip), frequencies outside 1 Hz - 100 GHz, non-physical values (a negative
  C_p), metadata (glass, T, f, tau12) contradicting the chosen preset, and the observable's own
  hook (:attr:`etm.fit.registry.Observable.sanity`).
* :func:`after_fit`: warnings (not refusals) when reduced chi^2 > 3 or a parameter sits at a
  bound; they are printed and recorded in every output.

Rows with extra or missing cells are refused while reading (:func:`etm.fit.data.read_curve`).
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from etm.fit.data import MeasuredCurve
from etm.fit.registry import lookup

__all__ = [
    "FREQUENCY_RANGE_HZ",
    "REDCHI_WARN",
    "SanityError",
    "after_fit",
    "check_curves",
    "check_glasses",
    "check_inputs",
    "check_options",
    "check_out_dir",
    "parse_fix",
]

#: Frequencies [Hz] a dielectric or echo curve may be measured at (1 Hz - 100 GHz).
FREQUENCY_RANGE_HZ = (1.0, 1e11)
#: Reduced chi^2 above which a fit is flagged (with measured sigmas a good fit gives ~1).
REDCHI_WARN = 3.0
#: Relative tolerance for metadata to agree with a preset's conditions.
_REL_TOL = 1e-3


class SanityError(ValueError):
    """A refused input: the message is one line naming the file or option and the value."""


def _fmt_T(T_K: float) -> str:
    return f"{T_K * 1e3:g} mK" if T_K < 1 else f"{T_K:g} K"


def check_out_dir(out_dir: str | os.PathLike) -> None:
    """Refuse an ``--out`` that cannot be written, without creating anything.

    The nearest existing ancestor of ``out_dir`` must be a folder in which a probe file can be
    created (it is removed at once); ``out_dir`` itself, if it exists, must be a folder.

    Examples
    --------
    >>> import tempfile
    >>> check_out_dir(tempfile.mkdtemp() + "/new/out")
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise SanityError(f"--out {out}: exists and is not a folder")
    probe = out
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if not probe.is_dir():
        raise SanityError(f"--out {out}: {probe} is a file, not a folder")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".etm-probe.", dir=probe)
    except OSError as exc:
        raise SanityError(f"--out {out}: folder {probe} is not writable ({exc.strerror})") from None
    os.close(fd)
    os.unlink(tmp)


def parse_fix(items: Iterable[str]) -> dict[str, float]:
    """``("P=V", ...)`` -> ``{P: V}``; refuse a malformed item and a parameter given twice.

    Examples
    --------
    >>> parse_fix(["Dmin_K=0.5"])
    {'Dmin_K': 0.5}
    """
    out: dict[str, float] = {}
    for item in items:
        name, eq, value = item.partition("=")
        name = name.strip()
        try:
            if not eq or not name:
                raise ValueError
            v = float(value)
        except ValueError:
            raise SanityError(
                f"--fix: expected NAME=VALUE with a number, e.g. Dmin_K=0.5, got {item!r}"
            ) from None
        if name in out:
            raise SanityError(
                f"--fix {name} given twice ({out[name]:g} and {v:g}); give each parameter once"
            )
        out[name] = v
    return out


def check_options(
    fix: Mapping[str, float],
    free: Sequence[str] = (),
    share: Sequence[str] = (),
    per_curve: Sequence[str] = (),
) -> None:
    """Refuse contradictory parameter options: fixed and freed, shared and per curve, repeats.

    Examples
    --------
    >>> check_options({"Dmin_K": 0.5}, free=["beta_J_per_gK4"])
    """
    for name in free:
        if name in fix:
            raise SanityError(
                f"--fix {name}={fix[name]:g} and --free {name} conflict: a parameter is either "
                "fixed or free"
            )
    for opt, names in (("--free", free), ("--share", share), ("--per-curve", per_curve)):
        seen = set()
        for n in names:
            if n in seen:
                raise SanityError(f"{opt} {n} given twice")
            seen.add(n)
    both = sorted(set(share) & set(per_curve))
    if both:
        raise SanityError(
            f"--share and --per-curve both name {', '.join(both)}: a parameter cannot be both "
            "shared and per curve"
        )


def check_inputs(paths: Sequence[str | os.PathLike]) -> dict[str, str]:
    """SHA-256 of each input file; refuse the same content given twice (its errors would shrink
    by sqrt 2). Unreadable files are left to the reader's error.

    Returns
    -------
    dict
        path -> sha256 hex digest.
    """
    seen: dict[str, str] = {}
    out: dict[str, str] = {}
    from etm.fit.datafile import MAX_BYTES
    from etm.inputs import sha256_file

    for p in paths:
        try:
            # regular files within the reader's cap only (a FIFO would block, /dev/zero never
            # end, a huge file is refused by the reader while streaming)
            if os.stat(p).st_size > MAX_BYTES:
                continue
            h = sha256_file(p)
        except (OSError, ValueError):
            continue
        if h in seen and Path(seen[h]).resolve() == Path(p).resolve():
            raise SanityError(f"{p}: given twice; give each file once")
        if h in seen:
            raise SanityError(
                f"{p}: same content as {seen[h]} (sha256 {h[:12]}...); give each file once"
            )
        seen[h] = str(p)
        out[str(p)] = h
    return out


def _curve_temperatures(c: MeasuredCurve) -> np.ndarray:
    if c.x_name == "T_K":
        return np.asarray(c.x, dtype=float)
    T = c.metadata.get("T_K")
    return np.asarray([T], dtype=float) if isinstance(T, int | float) else np.zeros(0)


def _preset_conditions(
    observable: str, material: Any, c: MeasuredCurve, series: Sequence[str] = ()
) -> list[tuple[str, Any]]:
    """(metadata key, preset value) pairs the curve must agree with, and the preset's label."""
    from etm import materials

    if material is None:
        return []
    out: list[tuple[str, Any]] = []
    glass = None
    if observable == "echo":
        row = None
        if isinstance(material, materials.EchoRow):
            row = material
        elif isinstance(material, str):
            try:
                row = materials.echo_row(material)
            except ValueError:
                row = None
        if row is not None:
            glass = row.glass
            out += [("T_K", row.T_K), ("f_Hz", row.pulses.f_Hz), ("tau12_s", row.pulses.tau12_s)]
            # a tau12 or temperature series takes the row as its start: only the pulses' f
            # must agree
            for key in series:
                out = [(k, v) for k, v in out if k != key]
    if glass is None:
        try:
            glass = (
                material.name
                if isinstance(material, materials.Glass)
                else materials.get(material).name
            )
        except (ValueError, TypeError, AttributeError):
            glass = None
    if glass is not None:
        out.insert(0, ("glass", glass))
    return out


def _disagrees(a: Any, b: Any) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return str(a).split()[0].lower() != str(b).split()[0].lower()
    return abs(float(a) - float(b)) > _REL_TOL * max(abs(float(a)), abs(float(b)))


#: Units of the y column that make sense per observable (both share the quantity ``rel``).
_Y_COLUMNS = {
    "echo": (("echo", "1"), "an echo ratio A(B)/A(B_high)"),
    "eps": (("eps", "ppm", "1"), "a relative change [eps'(B) - eps'(0)]/eps'"),
}

_UNIT_OF = {"T_K": "K", "f_Hz": "Hz", "tau12_s": "s"}


def check_curves(
    curves: Sequence[MeasuredCurve], observable: str, material: Any = None
) -> list[str]:
    """Refuse curves the model cannot mean; return warnings (none yet refuse-worthy).

    Parameters
    ----------
    curves : sequence of MeasuredCurve
        The curves read.
    observable : str
        A registered observable.
    material : str or preset, optional
        The preset the fit starts from (``--material``).

    Returns
    -------
    list of str
        Warnings (the refusals raise :class:`SanityError`).

    Raises
    ------
    SanityError
        Naming the file and the value: T outside :attr:`Observable.T_range_K`, f outside
        :data:`FREQUENCY_RANGE_HZ`, a value below :attr:`Observable.y_min`, metadata
        contradicting the preset, or the observable's own hook's first message.
    """
    obs = lookup(observable)
    lo, hi = obs.T_range_K
    warnings: list[str] = []
    series = [
        key for key in ("T_K", "tau12_s") if len({repr(c.metadata.get(key)) for c in curves}) > 1
    ]
    for c in curves:
        T = _curve_temperatures(c)
        bad = T[(T < lo) | (T > hi)]
        if bad.size:
            v = float(bad[0])
            raise SanityError(
                f"{c.source}: T = {v:g} K is outside the model's range {_fmt_T(lo)} - "
                f"{_fmt_T(hi)} (a unit slip? write e.g. T_mK for millikelvin)"
            )
        f = c.metadata.get("f_Hz")
        if isinstance(f, int | float) and not FREQUENCY_RANGE_HZ[0] <= f <= FREQUENCY_RANGE_HZ[1]:
            raise SanityError(
                f"{c.source}: f = {f:g} Hz is outside {FREQUENCY_RANGE_HZ[0]:g} Hz - "
                f"{FREQUENCY_RANGE_HZ[1]:g} Hz (a unit slip? write e.g. f_kHz or f_GHz)"
            )
        ycol = c.columns[1] if len(c.columns) > 1 else ""
        want = _Y_COLUMNS.get(observable)
        if want is not None and ycol.partition("_")[2] not in want[0]:
            raise SanityError(
                f"{c.source}: column {ycol!r} does not hold {want[1]}; name it "
                f"{' or '.join('rel_' + u for u in want[0])}"
            )
        if obs.y_min is not None and np.any(c.y < obs.y_min):
            k = int(np.argmax(c.y < obs.y_min))
            raise SanityError(
                f"{c.source}: {c.y_name} = {c.y[k]:g} at {c.x_name} = {c.x[k]:g} (data row "
                f"{k + 1}) is below {obs.y_min:g}: not physical for {obs.y_label}"
            )
        for key, want in _preset_conditions(observable, material, c, series):
            have = c.metadata.get(key)
            if have is None or not _disagrees(have, want):
                continue
            unit = _UNIT_OF.get(key, "")
            raise SanityError(
                f"{c.source}: metadata {key} = {have:g}{' ' + unit if unit else ''} contradicts "
                f"--material {material!r} ({key} = {want:g}{' ' + unit if unit else ''}); "
                "choose the matching preset or leave --material out"
                if not isinstance(have, str)
                else f"{c.source}: metadata glass = {have!r} contradicts --material "
                f"{material!r} (glass {want!r}); choose the matching preset or leave "
                "--material out"
            )
        if obs.sanity is not None:
            problems = list(obs.sanity(c, material))
            if problems:
                raise SanityError(str(problems[0]).splitlines()[0])
    return warnings


def _line_of(path: Path, key: str) -> int | None:
    """The line number of the metadata line ``# key = ...`` in the first 64 KiB of ``path``."""
    try:
        with Path(path).open("rb") as fh:
            head = fh.read(1 << 16).decode("utf-8-sig", errors="replace")
    except OSError:
        return None
    for i, line in enumerate(head.splitlines()):
        s = line.strip()
        if s.startswith("#") and s[1:].partition("=")[0].strip() == key:
            return i + 1
    return None


def _glass_word(name: Any) -> str:
    return str(name).split()[0].lower() if str(name).split() else ""


def check_glasses(curves: Sequence[MeasuredCurve], *, mixed: bool = False) -> None:
    """Refuse files of different glasses in one fit (a fit shares parameters, such as the
    concentrations, between its curves) unless ``mixed`` (``--mixed-glasses``); the message
    names both ``# glass`` lines.

    Examples
    --------
    >>> check_glasses([])
    """
    if mixed:
        return
    tagged = [c for c in curves if "glass" in c.metadata]
    for c in tagged[1:]:
        a, b = tagged[0], c
        if _glass_word(a.metadata["glass"]) != _glass_word(b.metadata["glass"]):
            where = []
            for cc in (a, b):
                line = _line_of(cc.source, "glass")
                at = f", line {line}" if line else ""
                where.append(f"{cc.source}{at}: glass = {cc.metadata['glass']}")
            raise SanityError(
                f"{where[0]} and {where[1]}: files of different glasses in one fit would share "
                "their parameters; fit each glass on its own, or give --mixed-glasses"
            )


def after_fit(result: Any, redchi_warn: float = REDCHI_WARN) -> list[str]:
    """Warnings about a finished fit (:func:`etm.fit.diagnose.diagnose`): reduced chi^2 far
    from 1, parameters at a bound, a singular covariance, non-identifiable pairs, an MCMC that
    did not converge; one line each, each once, beginning with ``"WARNING:"``.

    Parameters
    ----------
    result : FitResult or JointFitResult
        The fit.
    redchi_warn : float
        Kept for compatibility: a reduced chi^2 above it is always flagged.

    Returns
    -------
    list of str
    """
    from etm.fit.diagnose import diagnose

    out = diagnose(result)
    redchi = float(result.redchi)
    if math.isfinite(redchi) and redchi > redchi_warn and not any(">> 1" in w for w in out):
        out.insert(0, f"WARNING: reduced chi^2 = {redchi:.4g} > {redchi_warn:g}")
    return out
