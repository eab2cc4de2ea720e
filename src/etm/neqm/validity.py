"""Where the reduced (Mims) form of the NEQM echo holds: measured against the full evolution.

Three measurements (docs/neqm.md, section 5; ``python -m etm.neqm.validity`` prints them):

* :func:`bandwidth_errors`: single resonant systems, |A_full - A_Mims| against the nuclear
  frequency scale times the pulse length (the reduced form assumes pulses that act as
  sigma_x (x) 1 instantly, i.e. nuclear splittings << 1/tau_pulse), rotating frame, both
  conventions for the Mims times (pulse edges: tau_a = tau_b = tau12; pulse centres: tau_a =
  tau12 + (tau1 + tau2)/2, tau_b = tau12 + tau2/2).
* :func:`hq_over_e_errors`: laboratory frame (the full Hamiltonian, first-order reduction not
  made) against the rotating frame (the first-order H_+-), same pulses: the error of the
  first-order nuclear Hamiltonians against H_Q/E.
* :func:`ensemble_error`: the echo-weighted ensemble (detuning, Delta0/E, dipole orientation,
  gradients), full rotating-frame propagation of every sampled system against the reduced
  form on the same samples.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from etm.neqm.ensemble import sample_nucleus
from etm.neqm.single import mims_factor, simulate_echo, spin_operators
from etm.params import NEQMParams, Pulses, QuadrupolarNucleus

__all__ = ["bandwidth_errors", "ensemble_error", "hq_over_e_errors", "main"]

#: The essay's pulses (Figs. 15-16): 1 GHz, tau1 = 0.1 us, tau2 = 0.2 us, tau12 = 2 us.
ESSAY_PULSES = Pulses(1e9, 0.1e-6, 0.2e-6, 2e-6)
_TWO_PI = 2.0 * math.pi


def _nucleus(I: float, CQ_Hz: float, gamma: float = 11.1e6) -> QuadrupolarNucleus:  # noqa: E741
    return QuadrupolarNucleus("X", I, gamma, 1.0, CQ_Hz, 0.4, 1.0)


def _systems(I, CQ_Hz, pulses, n, seed, gamma=11.1e6):  # noqa: E741
    nuc = _nucleus(I, CQ_Hz, gamma)
    p = NEQMParams((nuc,), omega1_per_s=0.5 * math.pi / pulses.tau1_s)
    return nuc, sample_nucleus(nuc, p, pulses, n, seed=seed)


def _times(pulses: Pulses) -> tuple[tuple[float, float], tuple[float, float]]:
    t = pulses.tau12_s
    centres = (t + 0.5 * (pulses.tau1_s + pulses.tau2_s), t + 0.5 * pulses.tau2_s)
    return (t, t), centres


def bandwidth_errors(
    CQ_Hz: NDArray,
    *,
    I: float = 1.5,  # noqa: E741
    B_T: float = 0.02,
    pulses: Pulses = ESSAY_PULSES,
    n_systems: int = 16,
    seed: int = 0,
) -> NDArray[np.float64]:
    """Rows (C_Q, x, median and max error with edge times, median and max with centre times).

    x = nu_Q tau2 (nu_Q = 3 C_Q/(2I(2I-1)), tau2 the longer pulse). Resonant systems with the
    sampled gradients and Delta/E; pulse areas pi/2 and pi for the symmetric, aligned 2LS scaled
    by Delta0/E as in the glass.
    """
    out = []
    edge, centre = _times(pulses)
    om1 = 0.5 * math.pi / pulses.tau1_s
    for cq in np.atleast_1d(CQ_Hz):
        nuc, smp = _systems(I, float(cq), pulses, n_systems, seed)
        Iz = spin_operators(I)[2]
        HZ = -nuc.gamma_Hz_per_T * B_T * Iz
        e1, e2 = [], []
        for j in range(n_systems):
            s = float(smp.s[j])
            u = math.sqrt(max(1.0 - s * s, 1e-6))
            QL = smp.Qbar[j] + smp.q[j]
            QR = smp.Qbar[j] - smp.q[j]
            E = pulses.f_Hz
            r = simulate_echo(s * E, u * E, QL, QR, HZ, pulses, om1 * u).ratio
            Hp, Hm = HZ + smp.Qbar[j] + s * smp.q[j], HZ + smp.Qbar[j] - s * smp.q[j]
            e1.append(abs(r - complex(mims_factor(Hp, Hm, *edge))))
            e2.append(abs(r - complex(mims_factor(Hp, Hm, *centre))))
        x = nuc.nu_Q_Hz * max(pulses.tau1_s, pulses.tau2_s)
        out.append([cq, x, np.median(e1), np.max(e1), np.median(e2), np.max(e2)])
    return np.array(out)


def hq_over_e_errors(
    ratios: NDArray,
    *,
    I: float = 1.5,  # noqa: E741
    E_Hz: float = 1e9,
    B_T: float = 0.02,
    n_systems: int = 6,
    seed: int = 1,
    steps_per_period: int = 64,
) -> NDArray[np.float64]:
    """Rows (C_Q/E, median and max |ratio_lab - ratio_rwa|) at fixed short pulses.

    Pulses: tau1 = 20 ns, tau2 = 40 ns, tau12 = 0.3 us at f = E (so that the lab-frame
    propagation stays short); both frames see the same pulses, so the difference is the
    first-order reduction (plus the Bloch-Siegert shift, which cancels in z/z_bare to ~1e-6).
    """
    pulses = Pulses(E_Hz, 20e-9, 40e-9, 0.3e-6)
    om1 = 0.5 * math.pi / pulses.tau1_s
    out = []
    for ratio in np.atleast_1d(ratios):
        nuc, smp = _systems(I, float(ratio) * E_Hz, pulses, 8, seed)
        HZ = -nuc.gamma_Hz_per_T * B_T * spin_operators(I)[2]
        errs = []
        for j in range(n_systems):
            s = float(smp.s[j])
            u = math.sqrt(max(1.0 - s * s, 1e-6))
            QL, QR = smp.Qbar[j] + smp.q[j], smp.Qbar[j] - smp.q[j]
            args = (s * E_Hz, u * E_Hz, QL, QR, HZ, pulses, om1 * u)
            a = simulate_echo(*args, frame="rwa").ratio
            b = simulate_echo(*args, frame="lab", steps_per_period=steps_per_period).ratio
            errs.append(abs(a - b))
        out.append([ratio, np.median(errs), np.max(errs)])
    return np.array(out)


def ensemble_error(
    CQ_Hz: float,
    *,
    I: float = 1.5,  # noqa: E741
    B_T: float = 0.02,
    pulses: Pulses = ESSAY_PULSES,
    n_systems: int = 512,
    seed: int = 2,
) -> tuple[float, float, float]:
    """(A_full, A_Mims, standard error) of the echo-weighted ensemble at one C_Q.

    Every sampled system has its gradients (Sobol), phi = arcsin(Delta0/E) uniform, cos(theta)
    of its dipole uniform and a detuning delta = Omega_R tan(v), v uniform (importance
    sampling of the resonant band); its weight is the density times the emitted dipole,
    cos(theta) Omega_R sec^2(v) (docs/neqm.md sec. 4). A_full = sum w z / sum w z_bare with
    the full rotating-frame echo z; A_Mims = sum w z_bare A / sum w z_bare with the reduced
    A at the centre times (the factorization the ensemble module assumes).
    """
    nuc, smp = _systems(I, CQ_Hz, pulses, n_systems, seed)
    rng = np.random.default_rng(seed)
    HZ = -nuc.gamma_Hz_per_T * B_T * spin_operators(I)[2]
    _, centre = _times(pulses)
    om1 = 0.5 * math.pi / pulses.tau1_s
    num, den, red, terms = 0.0, 0.0, 0.0, []
    for j in range(n_systems):
        phi = 0.5 * math.pi * rng.random()
        c = rng.random()
        v = math.pi * (rng.random() - 0.5) * 0.999
        s, u = math.cos(phi), math.sin(phi)
        omR = om1 * u * c
        if omR <= 0.0:
            continue
        delta = omR * math.tan(v)
        E = pulses.f_Hz + delta / _TWO_PI
        w = c * omR / math.cos(v) ** 2
        QL, QR = smp.Qbar[j] + smp.q[j], smp.Qbar[j] - smp.q[j]
        r = simulate_echo(s * E, u * E, QL, QR, HZ, pulses, omR)
        Hp, Hm = HZ + smp.Qbar[j] + s * smp.q[j], HZ + smp.Qbar[j] - s * smp.q[j]
        A = complex(mims_factor(Hp, Hm, *centre))
        num += w * r.z.real
        den += w * r.z_bare.real
        red += w * (r.z_bare * A).real
        terms.append(w * (r.z.real - (r.z_bare * A).real))
    t = np.array(terms)
    return num / den, red / den, float(t.std() * math.sqrt(t.size) / den)


def main() -> int:  # pragma: no cover - prints the tables of docs/neqm.md
    """Print the three measurements (a few minutes on one core)."""
    print("bandwidth (I = 3/2, B = 20 mT, tau1 = 0.1 us, tau2 = 0.2 us, 16 systems per row)")
    print("   C_Q [Hz]   nu_Q tau2   edge med   edge max   centre med   centre max")
    for row in bandwidth_errors(np.array([1e4, 3e4, 1e5, 3e5, 1e6, 3e6, 1e7])):
        cq, x, a, b, c, d = row
        print(f"  {cq:9.3g}   {x:9.3g}  {a:9.2e}  {b:9.2e}  {c:11.2e}  {d:11.2e}")
    print("H_Q/E (I = 3/2, E = 1 GHz, tau1 = 20 ns, tau2 = 40 ns, lab vs rotating frame)")
    print("   C_Q/E      median      max")
    for row in hq_over_e_errors(np.array([1e-4, 1e-3, 1e-2, 3e-2])):
        print(f"  {row[0]:8.1e}  {row[1]:9.2e}  {row[2]:9.2e}")
    print("ensemble (I = 3/2, B = 20 mT, essay pulses): A_full, A_Mims, standard error")
    for cq in (1e5, 3e5, 1e6, 3e6):
        a, b, se = ensemble_error(cq)
        print(f"  C_Q = {cq:7.2g} Hz: {a:.4f}  {b:.4f}  +- {se:.4f}  (diff {a - b:.4f})")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
