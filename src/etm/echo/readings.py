"""Readings of the essay's Table 7: the unit of Gamma^-1, and the reconstruction of its curves.

Table 7 prints Gamma^-1 in 1/(us K^5). Read so (the catalog :data:`etm.materials.ECHO_ROWS`
does), the one-phonon time of a resonant ATS (E = hf) is 0.4-15 us, shorter than or comparable
with the spectral-diffusion time 1/(c T) = 15-81 us, against the essay's statement
tau_phi << tau; read per second (``gamma_unit="per_s"``, 1e-6 of the catalog value) the phonon
time is 0.4-15 s and the statement holds. :func:`decay_times` gives both (docs/echo.md, 4b).

The essay's curves (minimum near 10 mT, saturation by 0.4-0.5 T, a B^-2 approach) do not follow
from Table 7 as printed; they do with X about 10 times larger (the essay says its echo X are ~10x
smaller than its Cp and eps tables'), Eq. 31's minus sign, phi^2 -> phi^2/3, C with
delta/Omega_R as printed and Gamma^-1 per second: :data:`RECONSTRUCTION`, against
:data:`AS_PRINTED` (docs/echo.md, section 5b; docs/scripts/echo_reconstruction.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from etm import materials
from etm.checks import check_positive
from etm.params import EchoParams
from etm.relaxation import ats_phonon_rate

__all__ = [
    "AS_PRINTED",
    "GAMMA_UNITS",
    "RECONSTRUCTION",
    "DecayTimes",
    "Reading",
    "decay_times",
    "echo_params",
]

#: Readings of Table 7's Gamma^-1 column: ``"per_us"`` 1/(us K^5) as printed (the catalog's
#: default), ``"per_s"`` 1/(s K^5).
GAMMA_UNITS: tuple[str, ...] = ("per_us", "per_s")


def _row(row: materials.EchoRow | str) -> materials.EchoRow:
    return row if isinstance(row, materials.EchoRow) else materials.echo_row(row)


def echo_params(
    row: materials.EchoRow | str, *, gamma_unit: str = "per_us", X_scale: float = 1.0
) -> EchoParams:
    """EchoParams of a Table 7 row, with Gamma^-1 read per microsecond or per second.

    Parameters
    ----------
    row : EchoRow or str
        A row of :data:`etm.materials.ECHO_ROWS` or its name (``"BAS sample 2"``).
    gamma_unit : {"per_us", "per_s"}
        Table 7's Gamma^-1 number read as 1/(us K^5) (as printed, the catalog's; default) or as
        1/(s K^5) (then Gamma_inv_per_sK5 is 1e-6 of the catalog value).
    X_scale : float
        Factor on both X cutoffs X0min, X0max [K A^2], > 0 (1: as printed).

    Returns
    -------
    EchoParams

    References
    ----------
    Essay Table 7, Eq. 21; docs/echo.md, section 4b.

    Examples
    --------
    >>> p = echo_params("BAS sample 2", gamma_unit="per_s")
    >>> p.Gamma_inv_per_sK5  # Table 7's 2.57e5, read per second
    257000.0
    """
    r = _row(row)
    if gamma_unit not in GAMMA_UNITS:
        raise ValueError(f"gamma_unit must be one of {GAMMA_UNITS}, got {gamma_unit!r}")
    s = check_positive("X_scale", X_scale)
    p = r.params
    G = p.Gamma_inv_per_sK5 * (1e-6 if gamma_unit == "per_s" else 1.0)
    return replace(p, Gamma_inv_per_sK5=G, X0min_KA2=s * p.X0min_KA2, X0max_KA2=s * p.X0max_KA2)


class DecayTimes(NamedTuple):
    """Decay times [s] of a resonant ATS (E = hf) at the row's temperature."""

    phonon_D_eq_E_s: float  #: 1/tau^-1 at D = E (loops with D0 phi -> 0: the slowest)
    phonon_D_0_s: float  #: 1/tau^-1 at D = 0 (the fastest)
    spectral_diffusion_s: float  #: 1/(c T)


def decay_times(
    row: materials.EchoRow | str, *, gamma_unit: str = "per_us", matrix_elements: str = "essay"
) -> DecayTimes:
    """Phonon times at resonance against the spectral-diffusion time 1/(c T) of a Table 7 row.

    Parameters
    ----------
    row : EchoRow or str
        Table 7 row (its pulses give hf, its T_K the temperature).
    gamma_unit : {"per_us", "per_s"}
        Reading of Gamma^-1 (:func:`echo_params`).
    matrix_elements : {"essay", "exact"}
        Phonon weight E^2 - gamma D^2 with gamma = 1/6 (Eq. 21, default) or 1/2.

    Returns
    -------
    DecayTimes

    References
    ----------
    Essay Eq. 21, 33-34, Table 7; docs/echo.md, section 4b.

    Examples
    --------
    >>> t = decay_times("BAS sample 1")
    >>> round(t.phonon_D_0_s * 1e6, 2), round(t.spectral_diffusion_s * 1e6, 1)  # us
    (0.41, 16.6)
    """
    r = _row(row)
    p = echo_params(r, gamma_unit=gamma_unit)
    E = r.pulses.hf_K
    slow = float(ats_phonon_rate(E, E, r.T_K, p.Gamma_inv_per_sK5, matrix_elements))
    fast = float(ats_phonon_rate(E, 0.0, r.T_K, p.Gamma_inv_per_sK5, matrix_elements))
    cT = p.c_per_sK * r.T_K
    return DecayTimes(*(math.inf if x == 0.0 else 1.0 / x for x in (slow, fast, cT)))


@dataclass(frozen=True)
class Reading:
    """One way of reading Table 7 into the echo model, labelled for what it is.

    Attributes
    ----------
    label : str
        What it is, for figure legends.
    X_scale : float
        Factor on the X cutoffs.
    gamma_unit : {"per_us", "per_s"}
        Reading of Gamma^-1.
    orientation, c_form, matrix_elements : str
        Options of :func:`etm.echo.amplitude`.
    ats_sign : int
        Sign of the ATS term (:func:`etm.echo.relative_amplitude`).
    """

    label: str
    X_scale: float
    gamma_unit: str
    orientation: str
    c_form: str
    matrix_elements: str = "essay"
    ats_sign: int = -1

    def params(self, row: materials.EchoRow | str) -> EchoParams:
        """The row's EchoParams in this reading."""
        return echo_params(row, gamma_unit=self.gamma_unit, X_scale=self.X_scale)

    def options(self) -> dict[str, Any]:
        """Keyword options of :func:`etm.echo.relative_amplitude` for this reading."""
        return {
            "orientation": self.orientation,
            "c_form": self.c_form,
            "matrix_elements": self.matrix_elements,
            "ats_sign": self.ats_sign,
        }


#: Table 7 as printed: X as given, Gamma^-1 per us, the exact isotropic average, C with
#: delta/Omega_G (what the Bloch equations give), the essay's Eq. 21/27 matrix elements.
AS_PRINTED = Reading("Table 7 as printed", 1.0, "per_us", "isotropic", "bloch")
#: The reconstruction of the essay's curves: X x 10, Gamma^-1 per s, phi^2/3, C as printed.
RECONSTRUCTION = Reading(
    "reconstruction: X x10, phi^2/3, printed C, Gamma^-1 per s", 10.0, "per_s", "phi2/3", "essay"
)
