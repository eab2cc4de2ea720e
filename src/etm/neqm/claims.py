"""The essay's statements about the NEQM (section 3.3), measured on the NEQM and on the ETM.

``python -m etm.neqm.claims`` prints the numbers of docs/neqm.md section 7 (a few minutes): for
every glass of :mod:`etm.materials.nuclei`, the NEQM curve A(B)/A(0.6 T) (4096 Sobol points)
and its features (zero-field value, extremum, overshoot above the high-field value, straightness
of the recovery, size against the fraction of quadrupolar nuclei), and the same features of the
ETM's A = A_2LS - a(B) for the Table 7 rows (A_2LS(T, tau12) = 2 a(0), as the figures draw it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["CurveFeatures", "curve_features", "etm_curves", "main", "neqm_curves"]

#: Fields of the measurements [T]: 1 mT steps to 0.6 T, then to 3 T.
FIELDS_T: NDArray[np.float64] = np.concatenate(
    [np.linspace(0.0, 0.6, 601), np.linspace(0.65, 3, 48)]
)


@dataclass(frozen=True)
class CurveFeatures:
    """Features of a relative echo curve r(B) = A(B)/A(B_high).

    ``r0``: r at B = 0; ``B_ext``, ``r_ext``: the extremum (the minimum if r dips below r0, else
    the maximum) on (0, 0.6] T; ``overshoot``: max r - 1 beyond the extremum (on the whole grid,
    to 3 T); ``r_3T``: r at 3 T; ``line_dev``: the largest deviation from a straight line fitted
    to r(B) from the extremum to 90 % of the way back to 1, in units of that rise (NaN if r does
    not come back by 3 T).
    """

    r0: float
    B_ext: float
    r_ext: float
    overshoot: float
    r_3T: float
    line_dev: float


def curve_features(B: NDArray, r: NDArray) -> CurveFeatures:
    """:class:`CurveFeatures` of r on the grid B (B[0] = 0, increasing)."""
    sel = (B > 0) & (B <= 0.6 + 1e-12)
    idx = np.flatnonzero(sel)
    i = idx[np.argmin(r[sel])] if r[sel].min() < r[0] else idx[np.argmax(r[sel])]
    back = np.flatnonzero((B > B[i]) & (np.abs(r - 1) <= 0.1 * abs(1 - r[i])))
    if back.size:
        j = back[0]
        x, y = B[i : j + 1], r[i : j + 1]
        fit = np.polyval(np.polyfit(x, y, 1), x)
        dev = float(np.abs(y - fit).max() / abs(r[j] - r[i]))
    else:
        dev = float("nan")
    return CurveFeatures(
        float(r[0]),
        float(B[i]),
        float(r[i]),
        float((r[i:] - 1).max()),
        float(r[-1]),
        dev,
    )


def neqm_curves(n_samples: int = 4096, **options) -> dict[str, tuple[float, CurveFeatures]]:
    """``{row (species): (f_Q, features)}`` of the NEQM for every glass of the catalog."""
    from etm.materials.nuclei import neqm_row
    from etm.neqm.ensemble import relative_amplitude

    out = {}
    cases = [(g, "atoms") for g in ("BAS", "BK7", "Duran", "Suprasil I", "SiO2+xCyHz")]
    cases += [(g, sp) for g in ("glycerol", "glycerol-d5") for sp in ("hydrogen", "atoms")]
    for name, sp in cases:
        row = neqm_row(name, species=sp)
        r = relative_amplitude(
            row.T_K, FIELDS_T, row.params, row.pulses, n_samples=n_samples, **options
        )
        out[f"{name} ({sp})"] = (row.params.f_Q, curve_features(FIELDS_T, r))
    return out


def etm_curves(A2LS_per_a0: float = 2.0) -> dict[str, CurveFeatures]:
    """Features of the ETM's A(B)/A(0.6 T) (essay forms) for the Table 7 rows."""
    from etm import echo
    from etm.materials import ECHO_ROWS

    out = {}
    for row in ECHO_ROWS:
        p, pu = row.params, row.pulses
        a0 = float(echo.amplitude(row.T_K, 0.0, p, pu, matrix_elements="essay"))
        unit = float(echo.two_level_echo(row.T_K, pu.tau12_s, pu.f_Hz, A_2LS=1.0))
        r = echo.relative_amplitude(
            row.T_K, FIELDS_T, p, pu, A_2LS=A2LS_per_a0 * a0 / unit, matrix_elements="essay"
        )
        out[row.name] = curve_features(FIELDS_T, r)
    return out


def _line(name: str, f: CurveFeatures, fq: float | None = None) -> str:
    head = f"{name:28s}" + ("" if fq is None else f" f_Q={fq:9.3g}")
    return (
        f"{head} A(0)={f.r0:.4f} ext {f.r_ext:.4f} at {1e3 * f.B_ext:6.1f} mT "
        f"overshoot {f.overshoot:+.4f} A(3T)={f.r_3T:.4f} line dev {f.line_dev:.2f}"
    )


def main() -> int:  # pragma: no cover - prints docs/neqm.md section 7
    """Print the NEQM and ETM numbers."""
    print("NEQM, A(B)/A(0.6 T), 4096 Sobol points, pulse-centre times")
    res = neqm_curves()
    for k, (fq, f) in res.items():
        print(_line(k, f, fq))
    print("NEQM, same with symmetric times")
    for k, (fq, f) in neqm_curves(timing="symmetric").items():
        print(_line(k, f, fq))
    print("ETM (Table 7 as printed, essay forms, A_2LS = 2 a(0))")
    for k, f in etm_curves().items():
        print(_line(k, f))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
