"""The rest of the essay: Fig. 17, Tg(kappa), cell sizes vs HREM, magnetization, N(T).

Each function returns a matplotlib Figure (matplotlib imported inside,
:func:`etm.figures.common.pyplot`); :func:`fig17_data` returns the numbers Fig. 17 draws.

* :func:`fig17_dos_trends` (Fig. 17): for BAS, the echo -A(B)/A(B_high) (Table 7, 12 mK, 1 GHz),
  the dielectric change (Table 5, 50 mK) and Cp(B) (Tables 1-2, 0.60 K), each normalised, beside
  the ATS density of states g(E*, B) at the energy each probes (hf for the echo, k_B T for the
  others), and each against it;
* :func:`fig_tg_kappa`: Tg(kappa) of Eq. 37 on a log axis with the logarithmic law fitted;
* :func:`fig_cell_sizes`: Eq. 40's cell diameters beside the HREM estimates;
* :func:`fig_magnetization`: M(T) of the Table 1/3 iron concentrations and the ATS;
* :func:`fig_tunnelers`: the tables' X cutoffs against T with the best single N(T)^3 law.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from etm import dielectric, echo, heat_capacity, magnetization, materials, structure, tunnelers
from etm.ensemble import ats_dos
from etm.figures.common import FIELD_LABEL, chem, pyplot, refine_grid, tex_number
from etm.params import ATSParams

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = [
    "TG_EXAMPLE",
    "fig17_data",
    "fig17_dos_trends",
    "fig_cell_sizes",
    "fig_magnetization",
    "fig_tg_kappa",
    "fig_tunnelers",
]

#: Illustrative Eq. 37 inputs (the essay gives none): silicate-like Tc, tau0, w0/k_B, Theta.
TG_EXAMPLE: dict[str, float] = {"Tc_K": 1200.0, "tau0_s": 1e-13, "w0_K": 3000.0, "Theta_K": 700.0}


def _norm(y: np.ndarray) -> np.ndarray:
    m = np.max(np.abs(y))
    return y / m if m > 0 else y


def _field_correlation(B: np.ndarray, s: np.ndarray, q: np.ndarray) -> float:
    """Pearson correlation of s(B) and q(B) over the field range, uniform in B (trapezoid
    weights, so the number does not depend on how the fields are spaced)."""
    w = np.zeros_like(B)
    w[1:] += 0.5 * np.diff(B)
    w[:-1] += 0.5 * np.diff(B)
    w = w / w.sum()
    ds, dq = s - np.sum(w * s), q - np.sum(w * q)
    vs, vq = np.sum(w * ds * ds), np.sum(w * dq * dq)
    return float(np.sum(w * ds * dq) / np.sqrt(vs * vq)) if vs > 0 and vq > 0 else float("nan")


def fig17_data(n_B: int = 41, tol: float = 2e-3) -> dict[str, dict[str, np.ndarray | float | str]]:
    r"""The curves of Fig. 17 for BAS: each observable's field change and the DOS change.

    Returns ``{"echo"|"eps"|"cp": {"B_T", "signal", "dos", "E_K", "label", "r"}}`` with
    ``signal`` the normalised field effect (-[A(B) - A(0)]/A(B_high) for the echo,
    [eps'(B) - eps'(0)]/eps' and C(B) - C(0)), ``dos`` = g(E*, B)/g(E*, 0) - 1 normalised,
    and ``r`` their correlation over the field range (uniform in B). The fields start from
    ``n_B`` points dense at low field and are refined where a curve bends
    (:func:`etm.figures.common.refine_grid`): the DOS spike of the dielectric panel near
    0.02 T is ~0.01 T wide. ``label`` is mathtext.

    Examples
    --------
    >>> d = fig17_data(n_B=5)
    >>> sorted(d), float(d["cp"]["B_T"][0]), bool(d["cp"]["B_T"].size >= 5)
    (['cp', 'echo', 'eps'], 0.0, True)
    """
    out: dict[str, dict] = {}
    # echo: Table 7 BAS sample 1 at its conditions (12 mK, 1 GHz), essay's forms as in Fig. 15
    row = materials.echo_row("BAS sample 1")
    pe = row.params
    p_echo = ATSParams(Dmin_K=pe.Dmin_K, X0min_KA2=pe.X0min_KA2, X0max_KA2=pe.X0max_KA2, nP_per_g=1)

    def echo_curves(B):
        a = echo.relative_amplitude(
            T_K=row.T_K, B_T=B, params=row.params, pulses=row.pulses, matrix_elements="essay"
        )
        return np.vstack([a, ats_dos(E_K=row.pulses.hf_K, B_T=B, params=p_echo)])

    # dielectric: Table 5 BAS at 50 mK
    drow = materials.dielectric_row("BAS", 0.05)

    def eps_curves(B):
        d = dielectric.relative_change(T_K=drow.T_K, B_T=B, params=drow.params)
        return np.vstack([d, ats_dos(E_K=drow.T_K, B_T=B, params=drow.params.ats)])

    # heat capacity: Tables 1-2 at 0.60 K
    m = materials.get("BAS").at(0.60)

    def cp_curves(B):
        c = heat_capacity.ats(T_K=0.60, B_T=B, params=m.ats)
        return np.vstack([c, ats_dos(E_K=0.60, B_T=B, params=m.ats)])

    specs = (
        (
            "echo",
            0.6,
            echo_curves,
            row.pulses.hf_K,
            rf"echo $-[A(B) - A(0)]/A(0.6\,{{\rm T}})$, Table 7 {row.name}, "
            f"{1e3 * row.T_K:g} mK",
        ),
        (
            "eps",
            2.0,
            eps_curves,
            drow.T_K,
            r"dielectric $[\varepsilon'(B) - \varepsilon'(0)]/\varepsilon'$, Table 5, "
            f"{1e3 * drow.T_K:g} mK",
        ),
        ("cp", 8.0, cp_curves, 0.60, r"$C_{\rm ATS}(B) - C_{\rm ATS}(0)$, Tables 1-2, 0.60 K"),
    )
    for key, B_max, curves, E_K, label in specs:
        B0 = B_max * np.linspace(0.0, 1.0, max(n_B, 3)) ** 2  # dense at low field
        B, (y, g) = refine_grid(curves, B0, tol=tol)
        s = -(y - y[0]) if key == "echo" else y - y[0]
        q = g / g[0] - 1.0
        out[key] = {
            "B_T": B,
            "signal": _norm(s),
            "dos": _norm(q),
            "E_K": E_K,
            "label": label,
            "r": _field_correlation(B, s, q),
        }
    return out


def fig17_dos_trends(n_B: int = 61) -> Figure:
    """Fig. 17: BAS's echo, dielectric and Cp field effects against the ATS density of states.

    Panels 1-3: each observable's field change (normalised to its largest magnitude, solid) and
    g_ATS(E*, B)/g_ATS(E*, 0) - 1 at the energy E* it probes (hf or k_B T, normalised, dashed);
    the dielectric and Cp panels on a log field axis (their structure spans decades). Panel 4:
    each normalised signal against its normalised DOS change: one DOS driving all three would
    put every curve on a straight line through the origin.

    Parameters
    ----------
    n_B : int
        Starting fields per curve (refined where a curve bends, :func:`fig17_data`).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> len(fig17_dos_trends(n_B=5).axes)
    4
    """
    plt = pyplot()
    data = fig17_data(n_B)
    fig, axes = plt.subplots(2, 2, figsize=(9.6, 7.4), layout="constrained")
    colors = {"echo": "C0", "eps": "C3", "cp": "C2"}
    names = {"echo": "echo", "eps": r"$\varepsilon'$", "cp": r"$C_p$"}
    for ax, (key, v) in zip(axes.flat[:3], data.items(), strict=True):
        B = v["B_T"]
        on = B > 0 if key != "echo" else np.ones(B.size, dtype=bool)
        ax.plot(B[on], v["signal"][on], color=colors[key], lw=1.6, label="observable (normalised)")
        ax.plot(
            B[on],
            v["dos"][on],
            color="k",
            lw=1.0,
            ls="--",
            label=f"$g(E^*, B)/g(E^*, 0) - 1$, $E^*$ = {v['E_K'] * 1e3:.3g} mK",
        )
        ax.axhline(0.0, color="0.7", lw=0.6)
        if key != "echo":
            ax.set_xscale("log")
            ax.set_xlim(B[on][0], B[-1])
        ax.set_xlabel(FIELD_LABEL)
        ax.set_ylabel("normalised change")
        ax.set_title(f"{v['label']}\ncorrelation with the DOS $r$ = {v['r']:.3f}", fontsize=8)
        ax.legend(fontsize=7, loc="best")
    ax = axes.flat[3]
    for key, v in data.items():
        ax.plot(v["dos"], v["signal"], "-", lw=1.2, color=colors[key], label=names[key])
    ax.plot([-1, 1], [-1, 1], color="0.6", lw=0.6, ls=":")
    ax.plot([-1, 1], [1, -1], color="0.6", lw=0.6, ls=":")
    ax.set_xlabel("DOS change (normalised)")
    ax.set_ylabel("observable change (normalised)")
    ax.set_title("one DOS for all three? (a line through 0 if so)", fontsize=8)
    ax.legend(fontsize=7)
    fig.suptitle("Fig. 17: BAS field effects against the ATS density of states", fontsize=10)
    return fig


def fig_tg_kappa(n_kappa: int = 81, kappa_range=(1e-4, 1e4)) -> Figure:
    """Tg(kappa) from Eq. 37 on a log axis, with the logarithmic law fitted over 0.1-10 K/s.

    Inputs :data:`TG_EXAMPLE` (illustrative: the essay gives no Tc, tau0, w0, Theta); the fit
    window (0.1-10 K/s) is shaded. Lower panel: the slope dTg/d(log10 kappa) of
    :func:`etm.structure.tg_log_slope`, constant for a purely logarithmic law.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> len(fig_tg_kappa(n_kappa=9).axes)
    2
    """
    plt = pyplot()
    k = np.geomspace(*kappa_range, n_kappa)
    Tg = structure.glass_transition_temperature(k, **TG_EXAMPLE)
    sel = (k >= 0.1) & (k <= 10.0)
    b, a = np.polyfit(np.log10(k[sel]), Tg[sel], 1)
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(5.8, 6.2), sharex=True, layout="constrained")
    ax.semilogx(k, Tg, lw=1.8, label="Eq. 37 (solved)")
    ax.semilogx(k, a + b * np.log10(k), "--", lw=1.0, label=f"log law, {b:.2f} K per decade")
    ax.axvspan(0.1, 10.0, color="0.92", lw=0)
    ax.text(
        1.0, 0.97, "fit window", transform=ax.get_xaxis_transform(), ha="center", va="top",
        fontsize=7, color="0.35",
    )  # fmt: skip
    ax.set_ylabel("$T_g$ [K]")
    ex = TG_EXAMPLE
    ax.set_title(
        f"Eq. 37: $T_c$ = {ex['Tc_K']:g} K, $\\tau_0 = {tex_number(ex['tau0_s'])}$ s, "
        f"$w_0/k_{{\\rm B}}$ = {ex['w0_K']:g} K, $\\Theta$ = {ex['Theta_K']:g} K "
        "(illustrative)",
        fontsize=8,
    )
    # lower right: below both curves and clear of the shaded window
    ax.legend(fontsize=8, loc="lower right")
    s = structure.tg_log_slope(k, **TG_EXAMPLE) * np.log(10.0)
    ax2.semilogx(k, s, lw=1.5, label=r"$dT_g/d\log_{10}\kappa$ (Eq. 37, implicit)")
    u = Tg - ex["Theta_K"]
    ax2.semilogx(
        k,
        u**2 / ex["w0_K"] * np.log(10.0),
        ":",
        lw=1.2,
        label=r"$(T_g - \Theta)^2 \ln 10 / w_0$  ($T_g - \Theta \ll T_c - \Theta$)",
    )
    ax2.set_xlabel(r"cooling rate $\kappa$ [K/s]")
    ax2.set_ylabel(r"$dT_g/d\log_{10}\kappa$ [K per decade]")
    ax2.legend(fontsize=8, loc="upper left")
    return fig


def fig_cell_sizes() -> Figure:
    """Cell diameters 2 xi from Eq. 40 (BAS, Duran, BK7) beside the HREM estimates.

    Bars: Eq. 40 from the catalog's n_ATS P* and density; black marks: the diameters the essay
    prints; orange: the HREM diameters of other glasses (section 4.2).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> len(fig_cell_sizes().axes)
    1
    """
    plt = pyplot()
    rows = structure.cell_comparison()
    fig, ax = plt.subplots(figsize=(7.0, 4.2), layout="constrained")
    x = np.arange(len(rows))
    d = [c.diameter_A for c in rows]
    q = [c.quoted_diameter_A for c in rows]
    ax.bar(x, d, width=0.6, color="C0", label=r"$2\xi$, Eq. 40 (etm)")
    ax.hlines(q, x - 0.38, x + 0.38, color="k", lw=2.2, label=r"$2\xi$ as the essay prints it")
    h = structure.HREM_DIAMETERS_A
    xh = len(rows) + 0.5 + np.arange(len(h))
    ax.bar(xh, list(h.values()), width=0.6, color="C1", label="HREM diameter (other glasses)")
    # each number above both its bar and the essay's mark, so the mark never strikes it through
    for xi, di, qi in zip(x, d, q, strict=True):
        text = f"{di:.0f} Å" + (f"\n(essay: {qi:.0f} Å)" if abs(qi - di) > 0.01 * di else "")
        ax.text(xi, max(di, qi) + 14, text, ha="center", va="bottom", fontsize=8)
    for xi, v in zip(xh, h.values(), strict=True):
        ax.text(xi, v + 14, f"{v:.0f} Å", ha="center", va="bottom", fontsize=8)
    ax.set_xticks([*x, *xh], [c.glass for c in rows] + [chem(k) for k in h], fontsize=8)
    ax.set_ylabel("cell diameter $2\\xi$ [Å]")
    ax.set_title(
        r"Cell sizes: Eq. 40 from $n_{\rm ATS}P^*$ and $\rho$ vs HREM (section 4.2)", fontsize=9
    )
    ax.legend(fontsize=8, loc="upper left", handlelength=2.5)
    ax.set_ylim(0, 820)
    return fig


def fig_magnetization(n_T: int = 60, B_T: tuple[float, ...] = (1.0, 5.0)) -> Figure:
    """M(T) of BAS and Duran: Fe2+ and Fe3+ (Tables 1, 3), the ATS (weak field), and the sum.

    The ATS use the lowest-temperature Cp row (Tables 2, 4) with T-independent X; dash-dotted,
    at the first field, the ATS with the essay's N(T)^3 law instead: X0min,max(T) of the fit
    to Tables 2, 4, 7 (:func:`etm.tunnelers.fit_tunnelers`, E0 = 13.7 mK), the glass's Dmin.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> len(fig_magnetization(n_T=5).axes)
    2
    """
    plt = pyplot()
    T = np.geomspace(0.05, 20.0, n_T)
    rows = tunnelers.table_cutoffs()
    sel = [r for r in rows if r.table != "Table 5"]
    law = tunnelers.fit_tunnelers(
        [r.T_K for r in sel], [r.X0min_KA2 for r in sel], [r.X0max_KA2 for r in sel]
    )
    lo_T, hi_T = law.predict(T)
    fig, axes = plt.subplots(1, 2, figsize=(10.4, 4.8), layout="constrained", sharey=True)
    names = {"Fe2+": r"Fe$^{2+}$", "Fe3+": r"Fe$^{3+}$", "ATS": "ATS"}
    for ax, name in zip(axes, ("BAS", "Duran"), strict=True):
        g = materials.get(name)
        m = g.at(g.heat_capacity_rows[0].T_K)
        for j, B in enumerate(B_T):
            parts = magnetization.components(T, B, m)
            ls = ["-", "--", ":"][j % 3]
            for key, c in (("Fe2+", "C0"), ("Fe3+", "C1"), ("ATS", "C2")):
                ax.loglog(
                    T,
                    parts[key],
                    ls,
                    color=c,
                    lw=1.1,
                    label=f"{names[key]}, {B:g} T" if j == 0 or key == "ATS" else None,
                )
            tot = sum(parts.values())
            ax.loglog(T, tot, ls, color="k", lw=1.8, label=f"total, {B:g} T")
        B0 = B_T[0]
        nt = [
            magnetization.ats(t, B0, replace(m.ats, X0min_KA2=a, X0max_KA2=b))
            for t, a, b in zip(T, lo_T, hi_T, strict=True)
        ]
        ax.loglog(
            T,
            nt,
            "-.",
            color="C2",
            lw=1.1,
            label=f"ATS with $N(T)$, $E_0$ = {1e3 * law.E0_K:.1f} mK, {B0:g} T",
        )
        ax.set_xlabel("temperature $T$ [K]")
        ax.set_title(
            f"{name}: $n({{\\rm Fe}}^{{2+}}) = {tex_number(g.n_Fe2_per_g)}$ g$^{{-1}}$, "
            f"$n({{\\rm Fe}}^{{3+}}) = {tex_number(g.n_Fe3_per_g)}$ g$^{{-1}}$,\n"
            f"$n_{{\\rm ATS}}P^* = {tex_number(g.nP_per_g)}$ g$^{{-1}}$",
            fontsize=8,
        )
        ax.legend(fontsize=6.5, ncol=2, loc="lower left")
    axes[0].set_ylabel(r"$M$ [J T$^{-1}$ g$^{-1}$ = A m$^2$ g$^{-1}$]")
    fig.suptitle("Magnetization: free Fe spins (Brillouin) and the ATS orbital moment", fontsize=10)
    return fig


def fig_tunnelers() -> Figure:
    """The tables' X cutoffs against T, with the best single N(T)^3 law and subset fits.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> len(fig_tunnelers().axes)
    1
    """
    plt = pyplot()
    rows = tunnelers.table_cutoffs()
    T = np.array([r.T_K for r in rows])
    lo = np.array([r.X0min_KA2 for r in rows])
    hi = np.array([r.X0max_KA2 for r in rows])
    fig, ax = plt.subplots(figsize=(6.6, 4.6), layout="constrained")
    marks = {"Table 2": "o", "Table 4": "s", "Table 5": "^", "Table 7": "D"}
    for tab, mk in marks.items():
        s = np.array([r.table == tab for r in rows])
        ax.loglog(T[s], lo[s], mk, color="C0", ms=5, label=f"{tab} $X_{{0,\\rm min}}$")
        ax.loglog(T[s], hi[s], mk, color="C3", ms=5, mfc="none", label=f"{tab} $X_{{0,\\rm max}}$")
    Tf = np.geomspace(0.008, 2.0, 200)
    fits = [
        ("all tables", np.ones(T.size, bool), "-"),
        ("Tables 2, 4, 7", np.array([r.table != "Table 5" for r in rows]), "--"),
    ]
    for lab, sel, ls in fits:
        f = tunnelers.fit_tunnelers(T[sel], lo[sel], hi[sel])
        a, b = f.predict(Tf)
        ax.loglog(Tf, a, ls, color="C0", lw=1.0)
        ax.loglog(
            Tf,
            b,
            ls,
            color="C3",
            lw=1.0,
            label=f"$N(T)^3$ fit, {lab}: $E_0$ = {1e3 * f.E0_K:.1f} mK, "
            f"rms $\\ln X$ = {f.rms_ln:.2f}",
        )
    ax.set_xlabel("temperature of the fit $T$ [K]")
    ax.set_ylabel(r"cutoffs of $X = D_0\,|q/e|\,S$ [K Å$^2$]")
    ax.set_title(
        r"$X_{0,\rm min}, X_{0,\rm max} \propto N(T)^3$, $N = N_0\,e^{-E_0/T}$: "
        "one law for all tables?",
        fontsize=9,
    )
    ax.legend(fontsize=6.5, ncol=2, loc="lower right")
    return fig
