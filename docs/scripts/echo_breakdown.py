"""Where the effective two-level reduction of the ATS echo breaks down (docs/echo.md section 8).

Run: ``python3 docs/scripts/echo_breakdown.py [output.png]`` (prints the tables and the fit;
writes ``docs/figures/echo_breakdown.png``).

One ATS at a time, resonant with the BAS pulses (f = 1 GHz, E = hf = 48 mK): the full three-level
echo (:func:`etm.echo.dynamics.three_level_echo`, Eq. 6/23 Hamiltonian in bare parameters, MODEL.md
section 6 triangle dipoles, field in the triangle plane at angle ``psi``) against the effective
2LS (:func:`etm.echo.dynamics.two_pulse_echo`) with the effective gap sqrt(D^2 + D0^2 phi^2) and the
effective Rabi frequency of the same field direction (the coupling projected on the chiral
doublet, evaluated between the eigenstates of the effective 2x2 Hamiltonian). Same pulses, same
F0, so the same nominal pulse areas (theta1, theta2) = (Omega_eff tau1, 2 Omega_eff tau1).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import least_squares

from etm.constants import hbar, k_B
from etm.echo.dynamics import DEBYE_C_M, Pulses, three_level_echo, two_pulse_echo, well_dipoles
from etm.materials import echo_row
from etm.spectrum import ats_hamiltonian, ats_well_energies, lower_gap, to_bare

K_TO_RAD_S = k_B / hbar
BAS = echo_row("BAS sample 2").pulses
E_RES = BAS.hf_K  # resonant gap [K], 1 GHz = 48.0 mK
P_CM = DEBYE_C_M  # |p_j|; drops out (F0 is set from the pulse area)
THETA1 = 1.0  # nominal area of pulse 1 [rad]; pulse 2 is twice as long (BAS: 0.1/0.2 us)
#: (theta, psi): asymmetry angle on the plane sum E_j = 0, in-plane field direction [rad]
ORIENTATIONS = ((0.4, 0.7), (1.9, 0.1), (3.0, 2.2))
R_GRID = np.geomspace(1e-3, 0.5, 8)  # D/D0 (effective)
PHI_GRID = np.geomspace(1e-3, 1.0, 7)  # Aharonov-Bohm phase [rad]
_W3 = np.exp(2j * np.pi * np.arange(3) / 3.0)


def ats_at_gap(r: float, phi: float, theta: float, gap_K: float, *, exact_gap: bool):
    """Bare H (well basis), bare well energies and effective (D, D0) with D/D0_eff = r.

    ``exact_gap=False``: the effective gap sqrt(D^2 + D0^2 phi^2) equals ``gap_K``;
    ``exact_gap=True``: D and D0 are scaled together so that the exact lower gap equals it.
    """
    D0e = gap_K / math.hypot(r, phi)
    D = r * D0e
    if exact_gap:
        Eb = ats_well_energies(D, theta)
        _, D0b = to_bare(D, D0e)
        s = gap_K / float(lower_gap(*Eb, D0b, phi))
        D0e, D = s * D0e, s * D
    Eb = ats_well_energies(D, theta)
    _, D0b = to_bare(D, D0e)
    return ats_hamiltonian(*Eb, float(D0b), phi), Eb, D, D0e


def field_vector(psi: float) -> NDArray[np.float64]:
    """Unit in-plane field direction (triangle normal z, :func:`well_dipoles` default)."""
    return np.array([math.cos(psi), math.sin(psi), 0.0])


def effective_rabi(Eb: NDArray, D0_eff: float, phi: float, psi: float, F0: float) -> float:
    """Rabi frequency [rad/s] of the effective 2LS for the field F0 (V/m) along ``psi``.

    The chiral doublet |k> = sum_j exp(2 pi i k j/3)|j>/sqrt(3), k = 1, 2, carries the effective
    Hamiltonian [[-D0 phi/2, a], [a*, D0 phi/2]], a = sum_j E_j exp(2 pi i j/3)/3 (|a| = D/2), and
    the coupling [[0, c], [c*, 0]], c = sum_j c_j exp(2 pi i j/3)/3 with c_j = -p_j.F0/hbar
    (|c| = p F0/2 hbar); Omega_eff = |<g|C|e>| between the eigenstates of the 2x2 Hamiltonian.
    Its in-plane average of Omega_eff^2 is ``etm.echo.rabi_frequency(E, D, p F0/hbar, "exact")^2``.
    """
    y = D0_eff * phi
    a = complex(np.sum(Eb * _W3) / 3.0)
    H2 = np.array([[-0.5 * y, a], [np.conj(a), 0.5 * y]])
    c_j = -(well_dipoles(P_CM) @ (F0 * field_vector(psi))) / hbar
    c = complex(np.sum(c_j * _W3) / 3.0)
    C2 = np.array([[0.0, c], [np.conj(c), 0.0]])
    _, V = np.linalg.eigh(H2)
    return float(abs(np.conj(V[:, 0]) @ C2 @ V[:, 1]))


def compare(
    r: float,
    phi: float,
    theta: float = 0.4,
    psi: float = 0.7,
    *,
    tau1_s: float = 1e-7,
    frame: str = "rwa",
    exact_gap: bool = True,
    theta1: float = THETA1,
) -> dict[str, float | complex]:
    """Three-level against effective-2LS echo of one system; returns the measures.

    Keys: ``err`` = |z3 - z2|/|z2|, ``amp`` = |z3|/|z2| - 1, ``phase`` = arg(z3/z2) [rad],
    ``kappa`` = Omega_eff/omega_12 (pulse Rabi frequency over the 1-2 spacing), ``gap_err`` =
    exact lower gap/effective gap - 1, ``dOmega`` = |<0|p.F0|1>|/(hbar Omega_eff) - 1, z2, z3.
    """
    H, Eb, D, D0e = ats_at_gap(r, phi, theta, E_RES, exact_gap=exact_gap)
    E_eff = math.hypot(D, D0e * phi)
    pulses = Pulses(BAS.f_Hz, tau1_s, 2.0 * tau1_s, BAS.tau12_s)
    F0 = theta1 / tau1_s / effective_rabi(Eb, D0e, phi, psi, 1.0)
    om = effective_rabi(Eb, D0e, phi, psi, F0)
    # the 2LS sits at its effective gap, hf: resonant (the 3x3 system is too if exact_gap)
    z2 = complex(two_pulse_echo(E_RES, om, pulses))
    res = three_level_echo(H, well_dipoles(P_CM), F0 * field_vector(psi), pulses, frame=frame)
    lev = res.levels_K
    return {
        "err": abs(res.z - z2) / abs(z2),
        "amp": abs(res.z) / abs(z2) - 1.0,
        "phase": float(np.angle(res.z / z2)),
        "kappa": om / ((lev[2] - lev[1]) * K_TO_RAD_S),
        "gap_err": (lev[1] - lev[0]) / E_eff - 1.0,
        "dOmega": res.omega_R_per_s / om - 1.0,
        "z2": z2,
        "z3": res.z,
    }


def worst(r: float, phi: float, **kw) -> dict[str, float | complex]:
    """:func:`compare` at the orientation of ORIENTATIONS with the largest ``err``."""
    rows = [compare(r, phi, th, ps, **kw) for th, ps in ORIENTATIONS]
    return max(rows, key=lambda d: d["err"])


def rule(x: NDArray, r: NDArray, kappa: NDArray) -> NDArray:
    """error ~ c (D/D0)^a + d kappa^b, x = (c, a, d, b)."""
    c, a, d, b = x
    return c * r**a + d * kappa**b


def fit_rule(r: NDArray, kappa: NDArray, err: NDArray) -> NDArray:
    """Least squares in log(err) of :func:`rule`; returns (c, a, d, b)."""

    def resid(x: NDArray) -> NDArray:
        return np.log(rule(x, r, kappa)) - np.log(err)

    sol = least_squares(resid, [0.1, 2.0, 0.5, 1.0], bounds=([1e-9, 0.1, 1e-9, 0.1], [1e3] * 4))
    return sol.x


def main(out: str | None = None) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_path = Path(out or Path(__file__).parents[1] / "figures" / "echo_breakdown.png")
    print(
        f"E = hf = {E_RES * 1e3:.2f} mK, tau1 = 0.1 us, tau2 = 0.2 us, tau12 = 2 us, "
        f"theta1 = {THETA1}, theta2 = {2 * THETA1}, T = 0, w = 0; worst of {len(ORIENTATIONS)} "
        "orientations"
    )
    nr, nphi = len(R_GRID), len(PHI_GRID)
    dyn = np.empty((nr, nphi))
    tot = np.empty((nr, nphi))
    gap = np.empty((nr, nphi))
    kap = np.empty((nr, nphi))
    amp = np.empty((nr, nphi))
    pha = np.empty((nr, nphi))
    for i, r in enumerate(R_GRID):
        for j, phi in enumerate(PHI_GRID):
            d = worst(r, phi)
            dyn[i, j], kap[i, j], amp[i, j], pha[i, j] = d["err"], d["kappa"], d["amp"], d["phase"]
            t = worst(r, phi, exact_gap=False)
            tot[i, j], gap[i, j] = t["err"], t["gap_err"]
    print("\n(a) dynamic error |z3 - z2|/|z2| at matched resonance (exact gap = hf), frame rwa")
    print("D/D0 \\ phi " + " ".join(f"{p:9.1e}" for p in PHI_GRID))
    for i, r in enumerate(R_GRID):
        print(f"{r:9.1e}  " + " ".join(f"{v:9.2e}" for v in dyn[i]))
    print("\n    amplitude part |z3|/|z2| - 1 (same grid)")
    for i, r in enumerate(R_GRID):
        print(f"{r:9.1e}  " + " ".join(f"{v:9.1e}" for v in amp[i]))
    print("\n    phase part arg(z3/z2) [rad]")
    for i, r in enumerate(R_GRID):
        print(f"{r:9.1e}  " + " ".join(f"{v:9.1e}" for v in pha[i]))
    print("\n(b) gap error (exact lower gap)/sqrt(D^2 + D0^2 phi^2) - 1 (orientation of (a))")
    for i, r in enumerate(R_GRID):
        print(f"{r:9.1e}  " + " ".join(f"{v:9.1e}" for v in gap[i]))
    print("\n(c) total error at equal parameters (2LS at the effective gap = hf, 3x3 detuned)")
    for i, r in enumerate(R_GRID):
        print(f"{r:9.1e}  " + " ".join(f"{v:9.2e}" for v in tot[i]))

    # pulse strength at fixed areas: tau1 from 0.1 us down to 0.1 ns
    taus = np.geomspace(1e-7, 1e-10, 10)
    scan_pts = ((1e-3, 1.0), (1e-3, 0.1), (0.1, 0.1), (0.3, 1.0))
    print("\n(d) pulse strength at fixed areas (frame rwa): err, kappa = Omega_eff/omega_12")
    scan = {}
    for r, phi in scan_pts:
        rows = [worst(r, phi, tau1_s=t) for t in taus]
        scan[(r, phi)] = rows
        print(
            f"D/D0 = {r:g}, phi = {phi:g}: "
            + " ".join(f"{d['err']:.1e}@{d['kappa']:.0e}" for d in rows)
        )
    print("\n(e) laboratory frame (all couplings, counter-rotating terms) at tau1 = 0.1 us")
    for r, phi in ((1e-3, 1e-3), (0.1, 0.1), (0.5, 1.0), (1e-3, 1.0)):
        lab = compare(r, phi, frame="lab")["err"]
        rwa = compare(r, phi, frame="rwa")["err"]
        print(f"D/D0 = {r:g}, phi = {phi:g}: lab {lab:.3e}, rwa {rwa:.3e}")

    rr = np.concatenate([np.repeat(R_GRID, nphi)] + [np.full(len(taus), r) for r, _ in scan_pts])
    kk = np.concatenate([kap.ravel()] + [np.array([d["kappa"] for d in scan[p]]) for p in scan_pts])
    ee = np.concatenate([dyn.ravel()] + [np.array([d["err"] for d in scan[p]]) for p in scan_pts])
    keep = kk < 0.3
    x = fit_rule(rr[keep], kk[keep], ee[keep])
    ratio = rule(x, rr[keep], kk[keep]) / ee[keep]
    print(
        f"\nfit err ~ c (D/D0)^a + d kappa^b over {keep.sum()} points (kappa < 0.3): "
        f"c = {x[0]:.3g}, a = {x[1]:.3g}, d = {x[2]:.3g}, b = {x[3]:.3g}; "
        f"fit/measured in [{ratio.min():.2f}, {ratio.max():.2f}]"
    )
    pp = np.tile(PHI_GRID, nr)
    bound = 0.2 * np.repeat(R_GRID, nphi) + pp**2 / 54.0
    print(
        f"|gap error| / (0.2 D/D0 + phi^2/54) in [{np.min(np.abs(gap.ravel()) / bound):.2f}, "
        f"{np.max(np.abs(gap.ravel()) / bound):.2f}] over the grid; at D/D0 = 1e-3, phi = 1: "
        f"{gap[0, -1]:.4f} (-phi^2/54 = {-1 / 54:.4f})"
    )

    fig, ax = plt.subplots(1, 3, figsize=(13.5, 4.0))
    for a_, data, title in (
        (ax[0], dyn, "dynamic error (matched resonance)"),
        (ax[1], np.abs(gap), "|gap error| (exact/effective - 1)"),
    ):
        m = a_.pcolormesh(PHI_GRID, R_GRID, np.log10(data), shading="nearest", cmap="viridis")
        a_.set_xscale("log")
        a_.set_yscale("log")
        a_.set_xlabel("phi [rad]")
        a_.set_ylabel("D/D0 (effective)")
        a_.set_title(title, fontsize=10)
        fig.colorbar(m, ax=a_, label="log10")
    for p in scan_pts:
        k = np.array([d["kappa"] for d in scan[p]])
        e = np.array([d["err"] for d in scan[p]])
        ax[2].loglog(k, e, "o-", ms=3, label=f"D/D0={p[0]:g}, phi={p[1]:g}")
        ax[2].loglog(k, rule(x, np.full_like(k, p[0]), k), "k:", lw=0.8)
    ax[2].set_xlabel("Omega_eff / omega_12")
    ax[2].set_ylabel("|z3 - z2|/|z2|")
    ax[2].set_title("pulse strength at fixed areas (dotted: rule)", fontsize=10)
    ax[2].legend(fontsize=7)
    fig.tight_layout()
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_path, dpi=80)
    print(f"\nwrote {out_path} ({out_path.stat().st_size / 1024:.0f} kB)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
