"""The catalog of the essay's glasses: every fitted parameter set, each row citing its table.

One :class:`Glass` per glass the essay fits (BAS, Duran, BK7, SiO2+xCyHz) holds all of it:

* the heat-capacity fit (Tables 1-4): the shared ATS and Fe concentrations and, per temperature,
  the ATS cutoffs (:class:`HeatCapacityRow`; :meth:`Glass.at` turns one into a
  :class:`~etm.params.Material`);
* the dielectric fits (Tables 5-6, :class:`DielectricRow`);
* the echo fits (Table 7) with the experimental conditions of Figs. 14-16 (:class:`EchoRow`);
* the mass density and the n_ATS P* that section 4 quotes for the cell radius (Eq. 40).

The numbers are copied by hand from the essay into this module; nothing is read at run time. The
heat-capacity tables give no field-independent backgrounds (2LS density of states, phonon T^3
coefficient): :meth:`Glass.at` sets both to zero, so :func:`etm.heat_capacity.total` returns the
field-dependent part that Fig. 9 is about (docs/conventions.md, "Backgrounds"); use
:func:`dataclasses.replace` to add measured ones. Tables 5-6 print the unit of the D0 columns as
K^2; like Table 7 and section 3.1 we read them as K*angstrom^2 (docs/dielectric.md, section 5).
For the echo conditions see docs/echo.md, section 4.

Examples
--------
>>> bas = get("BAS")
>>> bas.temperatures_K
(0.6, 0.9, 1.36)
>>> bas.at(0.90).ats.Dmin_K
0.53
>>> bas.dielectric(0.094).params.amplitude_K
3.75e-05
>>> bas.echo("sample 2").params.Dmin_K
0.0272
>>> get("sio2").name, names()
('SiO2+xCyHz', ('BAS', 'Duran', 'BK7', 'SiO2+xCyHz'))
"""

from __future__ import annotations

from dataclasses import dataclass

from etm.checks import check_finite, check_positive, plain
from etm.materials.nuclei import neqm_names, neqm_row
from etm.params import (
    FE2_G,
    FE2_SPIN,
    FE3_G,
    FE3_SPIN,
    ATSParams,
    DielectricATS,
    EchoParams,
    Material,
    Paramagnet,
    Pulses,
)

__all__ = [
    "DEFAULT_TOL_K",
    "DIELECTRIC_ROWS",
    "ECHO_ROWS",
    "GLASSES",
    "DielectricRow",
    "EchoRow",
    "Glass",
    "HeatCapacityRow",
    "describe",
    "dielectric_row",
    "echo_row",
    "get",
    "names",
    "neqm_names",
    "neqm_row",
]

#: Default tolerance [K] of the temperature look-ups: a table row matches a requested T_K within
#: this (the tables print temperatures to 1 mK at best).
DEFAULT_TOL_K: float = 1e-3

#: The observables :meth:`Glass.temperatures` knows: heat capacity, dielectric constant, echo.
OBSERVABLE_KEYS: tuple[str, ...] = ("cp", "eps", "echo")


# --------------------------------------------------------------------------------------------
# rows


@dataclass(frozen=True)
class HeatCapacityRow:
    """One row of the essay's Table 2 or 4: the ATS cutoffs fitted to Cp(B) at ``T_K`` [K].

    ``Dmin_K`` is the cutoff of the effective asymmetry D [K]; ``X0min_KA2``, ``X0max_KA2`` those of
    X = D0 (|q|/e) S [K*angstrom^2] (the tables' "D0min |q/e| S" columns); ``source`` names the
    essay's tables.
    """

    T_K: float
    Dmin_K: float
    X0min_KA2: float
    X0max_KA2: float
    source: str


@dataclass(frozen=True)
class DielectricRow:
    """One row of the essay's Table 5 or 6: ``glass`` (a key of :data:`GLASSES`) fitted at ``T_K``.

    ``params`` holds the amplitude A = pi x_ATS P* p1^2/(eps0 eps_r) [K] and the cutoffs;
    ``source`` names the table and the unit reading of its D0 columns.
    """

    glass: str
    T_K: float
    params: DielectricATS
    source: str


@dataclass(frozen=True)
class EchoRow:
    """One row of the essay's Table 7 with the experimental conditions of Figs. 14-16.

    ``name`` is ``"<glass> <sample>"``, e.g. ``"BAS sample 1"``, ``"BK7 tau12=1.5us"``; ``glass``
    a key of :data:`GLASSES`; ``sample`` the row's label within its glass (Table 7's first column:
    ``"sample 1"``, ``"sample 2"`` for BAS; for BK7, one sample at two waiting times,
    ``"tau12=1.5us"``, ``"tau12=6us"``). ``params`` are in SI units (Gamma^-1 in 1/(s K^5), c in
    1/(s K)); ``pulses`` and ``T_K`` [K] are the measurement's; ``source`` names table and figures.
    """

    name: str
    glass: str
    sample: str
    params: EchoParams
    pulses: Pulses
    T_K: float
    source: str


# --------------------------------------------------------------------------------------------
# the essay's numbers

_CP_BAS = "essay Table 1 (concentrations) and Table 2 (tunneling parameters)"
_CP_DURAN = "essay Table 3 (concentrations) and Table 4 (tunneling parameters)"
_T5 = "essay Table 5; D0 columns read as K*angstrom^2 (the extraction prints K^2)"
_T6 = "essay Table 6 (SiO2+xCyHz); D0 columns read as K*angstrom^2 (the extraction prints K^2)"
_T7 = (
    "essay Table 7 (units 1/(us K^5), 1/(us K), D kV/m); conditions of Figs. 14-16: T = 12 mK, "
    "tau2 = 2 tau1 = 0.2 us"
)
_T7_BAS = _T7 + "; BAS: 1 GHz, tau12 = 2 us (Fig. 14a); the c column is c_ATS - c_2LS"
_T7_BK7 = _T7 + "; BK7: 0.9 GHz, tau12 as named (Fig. 16); the c column is c_ATS (Table 7 note *)"


def _eps(glass: str, T: float, A: float, Dmin: float, x0: float, x1: float, src: str):
    return DielectricRow(glass, T, DielectricATS(A, Dmin, x0, x1), src)


def _echo(glass, sample, Dmin_mK, x0, x1, G_us, c_us, p1F0, tan_a, f, tau12_us, src) -> EchoRow:
    # Table 7 units: Dmin in mK, Gamma^-1 in 1/(us K^5), c in 1/(us K), tau12 in us
    params = EchoParams(Dmin_mK * 1e-3, x0, x1, G_us * 1e6, c_us * 1e6, p1F0, tan_a)
    pulses = Pulses(f, 0.1e-6, 0.2e-6, tau12_us * 1e-6)
    return EchoRow(f"{glass} {sample}", glass, sample, params, pulses, 0.012, src)


#: The essay's dielectric fits (Tables 5, 6) in table order; amplitude A in K.
DIELECTRIC_ROWS: tuple[DielectricRow, ...] = (
    _eps("BK7", 0.015, 0.089e-5, 0.03, 1.668e5, 4.576e5, _T5),
    _eps("Duran", 0.015, 0.052e-5, 0.021, 2.457e5, 4.151e5, _T5),
    _eps("BAS", 0.050, 0.89e-5, 0.015, 2.440e5, 3.080e5, _T5),
    _eps("BAS", 0.094, 3.75e-5, 0.025, 1.225e5, 1.589e5, _T5),
    _eps("BAS", 0.120, 3.09e-5, 0.0227, 1.767e5, 2.248e5, _T5),
    _eps("SiO2+xCyHz", 0.050, 4.38e-5, 0.015, 0.076e3, 3.047e4, _T6),
    _eps("SiO2+xCyHz", 0.070, 12.22e-5, 0.0486, 0.600e3, 2.662e4, _T6),
    _eps("SiO2+xCyHz", 0.100, 13.63e-5, 0.0486, 3.035e3, 7.616e4, _T6),
)

#: Table 7 with the conditions of Figs. 14-16 (T = 12 mK, tau1 = 0.1 us, tau2 = 0.2 us; BAS:
#: 1 GHz, tau12 = 2 us; BK7: 0.9 GHz, tau12 = 1.5 and 6 us), in table order.
ECHO_ROWS: tuple[EchoRow, ...] = (
    _echo("BAS", "sample 1", 17.74, 950.0, 21300.0, 9.22e6, 5.008, 0.461, 0.247, 1e9, 2.0, _T7_BAS),
    _echo("BAS", "sample 2", 27.2, 1140.0, 8960.0, 2.57e5, 3.825, 0.450, 0.245, 1e9, 2.0, _T7_BAS),
    _echo(
        "BK7", "tau12=1.5us", 16.76, 920.0, 13400.0, 8.91e6, 1.03, 0.60, 0.207, 0.9e9, 1.5, _T7_BK7
    ),
    _echo(
        "BK7", "tau12=6us", 15.94, 890.0, 33100.0, 3.25e6, 5.72, 0.98, 0.204, 0.9e9, 6.0, _T7_BK7
    ),
)


# --------------------------------------------------------------------------------------------
# look-up helpers


def _norm(text: object) -> str:
    """Case- and whitespace-insensitive form of a name."""
    return "".join(str(text).split()).lower()


def _temps(rows) -> str:
    return ", ".join(f"{T:g}" for T in dict.fromkeys(r.T_K for r in rows))


def _nearest(rows, T_K: float, tol_K: float, glass: str, what: str):
    """The row nearest ``T_K`` if within ``tol_K``; else ``ValueError`` listing the temperatures."""
    T = check_finite("T_K", T_K)
    tol = check_positive("tol_K", tol_K, allow_zero=True)
    best = min(rows, key=lambda r: abs(r.T_K - T))
    if abs(best.T_K - T) <= tol:
        return best
    raise ValueError(
        f"T_K for {glass} must be one of {_temps(rows)} K (the essay's {what}; matched within "
        f"tol_K = {tol:g} K), got {plain(T_K)}"
    )


def _echo_keys(row: EchoRow) -> set[str]:
    keys = {_norm(row.name), _norm(row.sample)}
    if row.sample.startswith("tau12="):
        keys.add(_norm(row.sample[len("tau12=") :]))
    return keys


# --------------------------------------------------------------------------------------------
# formatting


def _x_text(p, full: bool) -> str:
    if full:
        return f"X0min = {p.X0min_KA2:g} K*A^2, X0max = {p.X0max_KA2:g} K*A^2"
    return f"X0 = {p.X0min_KA2:g}..{p.X0max_KA2:g} K*A^2"


def _row_text(r, full: bool) -> str:
    """A row's temperature and parameters with units (``full``: also the pulse durations)."""
    if isinstance(r, EchoRow):
        p, s = r.params, r.pulses
        durations = f", tau1 = {s.tau1_s * 1e6:g} us, tau2 = {s.tau2_s * 1e6:g} us" if full else ""
        return (
            f"{r.name}: T = {r.T_K:g} K, f = {s.f_Hz / 1e9:g} GHz, tau12 = {s.tau12_s * 1e6:g} us"
            f"{durations}; Dmin = {p.Dmin_K:g} K, {_x_text(p, full)}, Gamma^-1 = "
            f"{p.Gamma_inv_per_sK5:g} 1/(s K^5), c = {p.c_per_sK:g} 1/(s K), p1 F0 = "
            f"{p.p1F0_DkV_per_m:g} D kV/m, tan(omega dtau) = {p.tan_omega_dtau:g}"
        )
    p = r if isinstance(r, HeatCapacityRow) else r.params
    amplitude = "" if isinstance(r, HeatCapacityRow) else f"A = {p.amplitude_K:g} K, "
    return f"T = {r.T_K:g} K: {amplitude}Dmin = {p.Dmin_K:g} K, {_x_text(p, full)}"


def _opt(value: float | None, unit: str) -> str:
    return "not given" if value is None else f"{value:g} {unit}"


def _glass_lines(g: Glass, full: bool) -> list[str]:
    """The listing of one glass: every row with its source (``full``: all parameters)."""
    conc = (
        "Tables 1, 3 give no concentrations"
        if g.nP_per_g is None
        else f"n_ATS P* = {g.nP_per_g:g} 1/g, Fe2+ = {g.n_Fe2_per_g:g} 1/g, "
        f"Fe3+ = {g.n_Fe3_per_g:g} 1/g (free spins S = {FE2_SPIN:g}, {FE3_SPIN:g})"
    )
    lines = [
        f"{g.name}: {g.glass}",
        f"  {conc}",
        f"  section 4 (Eq. 40): rho = {_opt(g.density_g_cm3, 'g/cm^3')}, n_ATS P* = "
        f"{_opt(g.cell_nP_per_g, '1/g')}, quoted cell radius xi = "
        f"{_opt(g.cell_radius_quoted_A, 'A')}",
    ]
    if full:
        lines.append(f"  source: {g.source}")
    for title, rows in (
        ("heat capacity (cp)", g.heat_capacity_rows),
        ("dielectric (eps)", g.dielectric_rows),
        ("echo", g.echo_rows),
    ):
        if not rows:
            lines.append(f"  {title}: the essay has no fit")
        elif full:
            lines.append(f"  {title}:")
            for r in rows:
                lines += [f"    {_row_text(r, True)}", f"      source: {r.source}"]
        elif len({r.source for r in rows}) == 1:  # compact: one shared source per observable
            lines.append(f"  {title} [{rows[0].source}]:")
            lines += [f"    {_row_text(r, False)}" for r in rows]
        else:
            lines.append(f"  {title}:")
            lines += [f"    {_row_text(r, False)}  [{r.source}]" for r in rows]
    return lines


# --------------------------------------------------------------------------------------------
# glasses


@dataclass(frozen=True)
class Glass:
    """Everything the essay fits for one glass: heat capacity, dielectric, echo, structure.

    Attributes
    ----------
    name : str
        Short name (a key of :data:`GLASSES`, as accepted by :func:`get`).
    glass : str
        Full name of the glass.
    nP_per_g, n_Fe2_per_g, n_Fe3_per_g : float or None
        n_ATS P*, Fe2+ and Fe3+ concentrations [1/g] of the heat-capacity fit (Tables 1, 3),
        shared by its temperatures; ``None`` where the essay gives none.
    heat_capacity_rows : tuple of HeatCapacityRow
        The per-temperature Cp fit (Tables 2, 4); empty if the essay has none.
    dielectric_rows : tuple of DielectricRow
        The dielectric fits (Tables 5, 6).
    echo_rows : tuple of EchoRow
        The echo fits (Table 7).
    density_g_cm3 : float or None
        Mass density rho [g/cm^3] quoted in section 4 (for Eq. 40, from the essay's ref. [43]).
    cell_nP_per_g : float or None
        The rounded n_ATS P* [1/g] section 4 puts into Eq. 40 (for BK7 from the essay's ref. [42]).
    cell_radius_quoted_A : float or None
        The cell radius xi [angstrom] section 4 quotes for those inputs (see
        :func:`etm.structure.cell_radius`, which recomputes it).
    source : str
        The essay's tables and sections the glass's numbers come from.
    """

    name: str
    glass: str
    nP_per_g: float | None
    n_Fe2_per_g: float | None
    n_Fe3_per_g: float | None
    heat_capacity_rows: tuple[HeatCapacityRow, ...]
    dielectric_rows: tuple[DielectricRow, ...]
    echo_rows: tuple[EchoRow, ...]
    density_g_cm3: float | None
    cell_nP_per_g: float | None
    cell_radius_quoted_A: float | None
    source: str

    def __post_init__(self) -> None:
        for attr in ("heat_capacity_rows", "dielectric_rows", "echo_rows"):
            rows = tuple(getattr(self, attr))
            object.__setattr__(self, attr, rows)
            if attr != "heat_capacity_rows" and any(r.glass != self.name for r in rows):
                raise ValueError(f"{attr} of {self.name} must all have glass == {self.name!r}")
        conc = (self.nP_per_g, self.n_Fe2_per_g, self.n_Fe3_per_g)
        if self.heat_capacity_rows and None in conc:
            raise ValueError(f"{self.name}: a heat-capacity fit needs nP_per_g, n_Fe2/3_per_g")

    # compatibility with the former HeatCapacityPreset -------------------------------------

    @property
    def temperatures_K(self) -> tuple[float, ...]:
        """Temperatures [K] of the heat-capacity fit (empty if the essay has none)."""
        return tuple(r.T_K for r in self.heat_capacity_rows)

    @property
    def rows(self) -> tuple[tuple[float, float, float, float], ...]:
        """The heat-capacity rows as ``(T_K, Dmin_K, X0min_KA2, X0max_KA2)`` tuples."""
        return tuple((r.T_K, r.Dmin_K, r.X0min_KA2, r.X0max_KA2) for r in self.heat_capacity_rows)

    # look-ups -----------------------------------------------------------------------------

    def at(self, T_K: float, *, tol_K: float = DEFAULT_TOL_K) -> Material:
        """The :class:`~etm.params.Material` of the heat-capacity fit at ``T_K`` [K].

        The table row nearest ``T_K`` is used if within ``tol_K`` [K] (>= 0). The Material has
        the ATS distribution (Tables 2, 4) and the Fe2+, Fe3+ free spins (Tables 1, 3), no 2LS or
        phonon background. ``ValueError`` if no row is that close (the message lists the
        temperatures) or if the essay has no heat-capacity fit for this glass.
        """
        if not self.heat_capacity_rows:
            fits = ", ".join(o for o in OBSERVABLE_KEYS if self.temperatures(o))
            raise ValueError(
                f"the essay has no heat-capacity fit for {self.name} (Tables 1-4 cover BAS and "
                f"Duran only); its fits: {fits}"
            )
        r = _nearest(self.heat_capacity_rows, T_K, tol_K, self.name, "heat-capacity fits")
        ats = ATSParams(
            Dmin_K=r.Dmin_K, X0min_KA2=r.X0min_KA2, X0max_KA2=r.X0max_KA2, nP_per_g=self.nP_per_g
        )
        return Material(
            name=f"{self.name} @ {r.T_K:g} K",
            ats=ats,
            paramagnets=(
                Paramagnet(self.n_Fe2_per_g, FE2_SPIN, FE2_G, "Fe2+"),
                Paramagnet(self.n_Fe3_per_g, FE3_SPIN, FE3_G, "Fe3+"),
            ),
            source=r.source,
        )

    def dielectric(
        self, T_K: float | None = None, *, tol_K: float = DEFAULT_TOL_K
    ) -> DielectricRow:
        """The dielectric fit (Table 5 or 6) at ``T_K`` [K] (``None``: the only one).

        Raises ``ValueError`` if ``T_K`` is ``None`` and there are several rows, or if no row is
        within ``tol_K`` [K] (both messages list the temperatures).
        """
        rows = self.dielectric_rows
        if not rows:
            raise ValueError(f"the essay has no dielectric fit for {self.name}")
        if T_K is None:
            if len(rows) > 1:
                raise ValueError(
                    f"{self.name} has dielectric fits at T_K = {_temps(rows)} K; pass T_K"
                )
            return rows[0]
        return _nearest(rows, T_K, tol_K, self.name, "dielectric fits")

    def echo(self, key: str | None = None) -> EchoRow:
        """The echo fit (Table 7) called ``key`` (``None``: the only one).

        ``key`` is the row's name (``"BAS sample 1"``), its sample (``"sample 1"``,
        ``"tau12=1.5us"``) or, for BK7, the waiting time (``"1.5us"``); case and spaces are
        ignored. ``ValueError`` lists the rows if it matches none.
        """
        rows = self.echo_rows
        if not rows:
            glasses = ", ".join(dict.fromkeys(r.glass for r in ECHO_ROWS))
            raise ValueError(
                f"the essay has no echo fit for {self.name} (Table 7 covers {glasses} only)"
            )
        listing = ", ".join(repr(r.name) for r in rows)
        if key is None:
            if len(rows) > 1:
                raise ValueError(
                    f"{self.name} has {len(rows)} echo rows ({listing}); pass key, e.g. "
                    f"{rows[0].sample!r}"
                )
            return rows[0]
        for r in rows:
            if _norm(key) in _echo_keys(r):
                return r
        samples = ", ".join(repr(r.sample) for r in rows)
        raise ValueError(
            f"unknown echo row {key!r} for {self.name}; rows: {listing} (or their samples "
            f"{samples})"
        )

    def temperatures(self, observable: str) -> tuple[float, ...]:
        """Distinct temperatures [K] of the fits of ``observable``: "cp", "eps" or "echo"."""
        rows = {
            "cp": self.heat_capacity_rows,
            "eps": self.dielectric_rows,
            "echo": self.echo_rows,
        }.get(_norm(observable))
        if rows is None:
            raise ValueError(
                f"observable must be one of {', '.join(OBSERVABLE_KEYS)}, got {plain(observable)}"
            )
        return tuple(dict.fromkeys(r.T_K for r in rows))

    def __str__(self) -> str:
        return "\n".join(_glass_lines(self, full=True))


def _glass(name, glass, conc, cp, rho, cell_nP, xi, source) -> Glass:
    """A :class:`Glass`; ``cp`` rows ``(T_K, Dmin_K, X0min_KA2, X0max_KA2, source)``."""
    return Glass(
        name, glass, *conc, tuple(HeatCapacityRow(*r) for r in cp),
        tuple(r for r in DIELECTRIC_ROWS if r.glass == name),
        tuple(r for r in ECHO_ROWS if r.glass == name), rho, cell_nP, xi, source,
    )  # fmt: skip


_SEC4 = "section 4.2 (Eq. 40; density, cell radius)"
_NONE3 = (None, None, None)
# name, full name, (n_ATS P*, n_Fe2+, n_Fe3+) [1/g] (Tables 1, 3), Cp rows (Tables 2, 4),
# section 4: rho [g/cm^3], the n_ATS P* [1/g] put into Eq. 40 and the quoted xi [A]; source
_GLASS_DATA = (
    ("BAS", "BAS (AlBaSiO, barium alumosilicate, Heraeus)", (5.19e16, 1.06e17, 5.00e16),
     ((0.60, 0.49, 4.77e4, 3.09e5, _CP_BAS),
      (0.90, 0.53, 5.07e4, 2.90e5, _CP_BAS),
      (1.36, 0.55, 5.95e4, 2.61e5, _CP_BAS)),
     3.1, 5e16, 163.0,
     f"essay Tables 1-2 (heat capacity), Table 5 (dielectric), Table 7 (echo), {_SEC4}"),
    ("Duran", "Duran (borosilicate, Schott)", (8.88e16, 3.21e17, 2.11e17),
     ((1.11, 0.34, 4.99e4, 2.68e5, _CP_DURAN),
      (1.23, 0.32, 5.30e4, 2.50e5, _CP_DURAN),
      (1.36, 0.32, 5.54e4, 2.46e5, _CP_DURAN)),
     2.3, 9e16, 154.0, f"essay Tables 3-4 (heat capacity), Table 5 (dielectric), {_SEC4}"),
    ("BK7", "BK7 (borosilicate optical glass)", _NONE3, (),
     2.5, 1e16, 300.0, f"essay Table 5 (dielectric), Table 7 (echo), {_SEC4}"),
    ("SiO2+xCyHz", "SiO2+xCyHz (silica with C and H, no nuclear quadrupole moments)", _NONE3, (),
     None, None, None, "essay Table 6 (dielectric, Fig. 12)"),
)  # fmt: skip

#: The glasses, by short name (see :func:`get`).
GLASSES: dict[str, Glass] = {d[0]: _glass(*d) for d in _GLASS_DATA}

#: Other spellings accepted by :func:`get` (compared case- and space-insensitively).
_ALIASES: dict[str, str] = {
    "albasio": "BAS",
    "sio2": "SiO2+xCyHz",
    "sio2xcyhz": "SiO2+xCyHz",
    "sio2+cxhy": "SiO2+xCyHz",
}


# --------------------------------------------------------------------------------------------
# public look-ups


def names() -> tuple[str, ...]:
    """Short names of the glasses in the catalog."""
    return tuple(GLASSES)


def get(name: str) -> Glass:
    """The :class:`Glass` called ``name``.

    Case and spaces are ignored; also accepted are the spellings ``"AlBaSiO"``, ``"SiO2"``,
    ``"SiO2xCyHz"`` and an echo row's name (``"BAS sample 1"`` gives BAS). ``ValueError`` lists
    the names if none matches.

    Examples
    --------
    >>> get("duran").name, get("BK7 tau12=6us").name
    ('Duran', 'BK7')
    """
    key = _norm(name)
    for glass in GLASSES.values():
        if _norm(glass.name) == key:
            return glass
    if key in _ALIASES:
        return GLASSES[_ALIASES[key]]
    for r in ECHO_ROWS:
        if _norm(r.name) == key:
            return GLASSES[r.glass]
    raise ValueError(
        f"unknown material {name!r}; known materials: {', '.join(GLASSES)} (also AlBaSiO, SiO2, "
        f"or an echo row name such as {ECHO_ROWS[0].name!r})"
    )


def dielectric_row(
    glass: str, T_K: float | None = None, *, tol_K: float = DEFAULT_TOL_K
) -> DielectricRow:
    """The Table 5/6 row of ``glass`` at ``T_K`` [K] (see :meth:`Glass.dielectric`).

    Examples
    --------
    >>> dielectric_row("BK7").T_K
    0.015
    >>> dielectric_row("SiO2", 0.07).params.Dmin_K
    0.0486
    """
    return get(glass).dielectric(T_K, tol_K=tol_K)


def echo_row(name: str) -> EchoRow:
    """The Table 7 row called ``name`` (case and spaces ignored); ``ValueError`` lists them.

    Examples
    --------
    >>> echo_row("BK7 tau12=6us").pulses.tau12_s
    6e-06
    """
    for r in ECHO_ROWS:
        if _norm(r.name) == _norm(name):
            return r
    raise ValueError(
        f"unknown echo row {name!r}; known rows: {', '.join(repr(r.name) for r in ECHO_ROWS)}"
    )


def describe(name: str | None = None) -> str:
    """Text listing of the catalog (what ``etm materials [NAME]`` prints).

    Parameters
    ----------
    name : str, optional
        A glass (as accepted by :func:`get`): its full parameter set, every row with its units
        and source (``str(get(name))``). ``None``: all glasses, one compact line per row, each
        with its source.

    Returns
    -------
    str
        The listing (no trailing newline).
    """
    if name is not None:
        return str(get(name))
    head = [
        "Glasses fitted in the essay (etm.materials); X = D0 |q/e| S in K*A^2.",
        "`etm materials NAME` prints one glass's full parameter set.",
    ]
    blocks = ["\n".join(_glass_lines(g, full=False)) for g in GLASSES.values()]
    return "\n\n".join(["\n".join(head), *blocks])
