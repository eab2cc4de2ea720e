"""Superconducting resonators and qubits: tunneling systems and quasiparticles in f0 and Q_i.

* :mod:`etm.resonator.ats`: the shift and 1/Q_i from the 2LS background and the ATS response of
  the dielectric in a magnetic field (docs/dielectric.md);
* :mod:`etm.resonator.tls`: the TLS loss with power saturation in the photon number (fittable
  exponent, temperature-dependent critical photon number) and the digamma shift;
* :mod:`etm.resonator.quasiparticles`: Mattis-Bardeen in its low-temperature form, with the
  numerical Mattis-Bardeen integrals that check it;
* :mod:`etm.resonator.model`: 1/Q_i = 1/Q_TLS + 1/Q_QP + 1/Q_other and f0(T);
* :mod:`etm.resonator.photons`: the photon number of a notch or reflection resonator;
* :mod:`etm.resonator.s21`: measured S21 traces to f0, Q_i, Q_c, Q_l with resonator-tools'
  circle fit (docs/resonator.md).
"""

from __future__ import annotations

from etm.resonator.ats import check_filling_factor, fractional_shift, inverse_q
from etm.resonator.model import inverse_qi, resonance_frequency
from etm.resonator.photons import photon_number
from etm.resonator.quasiparticles import (
    MattisBardeen,
    frequency_shift_qp,
    gap_from_tc,
    inverse_q_qp,
    mattis_bardeen_numeric,
)
from etm.resonator.tls import critical_photon_number, frequency_shift_tls, inverse_q_tls

__all__ = [
    "MattisBardeen",
    "check_filling_factor",
    "critical_photon_number",
    "fractional_shift",
    "frequency_shift_qp",
    "frequency_shift_tls",
    "gap_from_tc",
    "inverse_q",
    "inverse_q_qp",
    "inverse_q_tls",
    "inverse_qi",
    "mattis_bardeen_numeric",
    "photon_number",
    "resonance_frequency",
]
