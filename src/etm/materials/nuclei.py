"""Nuclear data and glass compositions for the nuclear electric quadrupole model (NEQM).

Pure data and small frozen dataclasses (imports: numpy, :mod:`etm.constants`, :mod:`etm.params`
and the standard library only). What is here:

* :data:`ISOTOPES`: the stable isotopes of the elements the glasses need, with spin I, nuclear g
  factor g_n (mu = g_n I mu_N), quadrupole moment Q [barn] and natural abundance. Moments from
  N. J. Stone, IAEA INDC(NDS)-0658 (2014) (magnetic dipole) and INDC(NDS)-0650 (2013)
  (quadrupole); abundances the IUPAC representative isotopic compositions. We read all of them
  from the EasySpin isotope table, which quotes those two IAEA reports entry by entry
  (``easyspin/private/isotopedata.txt``, mirrored in public repositories); every entry below
  carries that citation in its ``source``.
* :data:`QUADRUPOLE_COUPLINGS`: a typical quadrupole coupling constant C_Q = e^2 q Q/h of each
  quadrupolar isotope at an oxide-glass (or glycerol) site, from solid-state NMR. These are *NMR
  site values*, rounded, with a wide log-normal spread; the NEQM needs the field gradient at the
  tunneling atom in each of its two wells, which no experiment measures directly. Treat them as
  order-of-magnitude defaults (docs/neqm.md, section 6).
* :data:`COMPOSITIONS`: the glasses, by mole or mass fraction of their components, each with its
  source and how sure we are of it.
* :func:`quadrupolar_fractions`: the fraction of tunneling systems whose tunneling atom carries
  each quadrupolar isotope, from a composition and a hypothesis on which atoms tunnel.
* :func:`neqm_row`: an NEQM parameter set with the temperature and pulses of the essay's echo
  figures (Figs. 14-16), for every glass here.

Examples
--------
>>> ISOTOPES["Al-27"].I, ISOTOPES["Al-27"].quadrupolar
(2.5, True)
>>> round(ISOTOPES["Al-27"].gamma_Hz_per_T / 1e6, 4)  # gamma/2 pi in MHz/T
11.1031
>>> f = quadrupolar_fractions("Suprasil I")
>>> sorted(f), f"{f['O-17']:.2e}"
(['H-2', 'O-17'], '2.53e-04')
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from etm.constants import MU_N_HZ_PER_T
from etm.params import NEQMParams, Pulses, QuadrupolarNucleus

__all__ = [
    "ATOMIC_MASS_U",
    "COMPOSITIONS",
    "ELEMENT_ISOTOPES",
    "ISOTOPES",
    "NEQMRow",
    "QUADRUPOLE_COUPLINGS",
    "SPECIES",
    "Composition",
    "Coupling",
    "Isotope",
    "composition",
    "neqm_names",
    "neqm_row",
    "quadrupolar_fractions",
]


_STONE = (
    "N. J. Stone, IAEA INDC(NDS)-0658 (2014) (mu) and INDC(NDS)-0650 (2013) (Q); IUPAC "
    "abundance; as tabulated in EasySpin's isotopedata.txt"
)


@dataclass(frozen=True)
class Isotope:
    """One stable isotope.

    Parameters
    ----------
    label : str
        ``"<element>-<A>"``, e.g. ``"Al-27"``.
    I : float
        Nuclear spin (a multiple of 1/2).
    g_n : float
        Nuclear g factor, mu = g_n I mu_N (signed).
    Q_barn : float
        Electric quadrupole moment [barn] (0 for I < 1).
    abundance : float
        Natural abundance (fraction of the element's atoms, 0..1).
    source : str
        Where the numbers come from.
    """

    label: str
    I: float  # noqa: E741 - the literature's symbol for the nuclear spin
    g_n: float
    Q_barn: float
    abundance: float
    source: str = _STONE

    @property
    def element(self) -> str:
        """The element symbol (``"Al"``; deuterium is ``"H"``)."""
        return self.label.split("-")[0]

    @property
    def gamma_Hz_per_T(self) -> float:
        """gamma/(2 pi) = g_n mu_N/h [Hz/T] (signed): the Larmor frequency per tesla."""
        return self.g_n * MU_N_HZ_PER_T

    @property
    def quadrupolar(self) -> bool:
        """True if the nucleus has a quadrupole moment (I >= 1 and Q != 0)."""
        return self.I >= 1.0 and self.Q_barn != 0.0


def _iso(label: str, I: float, g_n: float, Q: float, pct: float) -> Isotope:  # noqa: E741
    return Isotope(label, I, g_n, Q, pct / 100.0)


#: Stable isotopes of the glasses' elements (natural abundance in the last column, per cent).
ISOTOPES: dict[str, Isotope] = {
    i.label: i
    for i in (
        _iso("H-1", 0.5, 5.58569468, 0.0, 99.9885),
        _iso("H-2", 1.0, 0.8574382, 0.00286, 0.0115),
        _iso("B-10", 3.0, 0.600215, 0.0845, 19.9),
        _iso("B-11", 1.5, 1.7924326, 0.04059, 80.1),
        _iso("C-13", 0.5, 1.4048236, 0.0, 1.07),
        _iso("O-17", 2.5, -0.757516, -0.0256, 0.038),
        _iso("Na-23", 1.5, 1.478348, 0.104, 100.0),
        _iso("Al-27", 2.5, 1.4566028, 0.1466, 100.0),
        _iso("Si-29", 0.5, -1.11058, 0.0, 4.6832),
        _iso("K-39", 1.5, 0.26098, 0.0585, 93.2581),
        _iso("K-40", 4.0, -0.324525, -0.073, 0.0117),
        _iso("K-41", 1.5, 0.1432467, 0.0711, 6.7302),
        _iso("As-75", 1.5, 0.95965, 0.314, 100.0),
        _iso("Ba-135", 1.5, 0.55863, 0.160, 6.592),
        _iso("Ba-137", 1.5, 0.62491, 0.245, 11.232),
    )
}

#: Isotopes with a nuclear moment of each element (the rest of the element has I = 0). ``"D"``
#: is deuterium put in on purpose (100 % H-2), as in deuterated glycerol.
ELEMENT_ISOTOPES: dict[str, tuple[tuple[str, float], ...]] = {
    "H": (("H-1", 0.999885), ("H-2", 0.000115)),
    "D": (("H-2", 1.0),),
    "B": (("B-10", 0.199), ("B-11", 0.801)),
    "C": (("C-13", 0.0107),),
    "O": (("O-17", 0.00038),),
    "Na": (("Na-23", 1.0),),
    "Al": (("Al-27", 1.0),),
    "Si": (("Si-29", 0.046832),),
    "K": (("K-39", 0.932581), ("K-40", 0.000117), ("K-41", 0.067302)),
    "As": (("As-75", 1.0),),
    "Ba": (("Ba-135", 0.06592), ("Ba-137", 0.11232)),
}

#: Standard atomic weights [u] (IUPAC/CIAAW abridged values; D: the H-2 atomic mass), for
#: converting mass fractions to mole fractions.
ATOMIC_MASS_U: dict[str, float] = {
    "H": 1.008, "D": 2.0141, "B": 10.81, "C": 12.011, "O": 15.999, "Na": 22.990,
    "Al": 26.982, "Si": 28.085, "K": 39.098, "As": 74.922, "Ba": 137.33,
}  # fmt: skip


@dataclass(frozen=True)
class Coupling:
    """Typical quadrupole coupling of an isotope at its sites in the glasses (NMR).

    ``CQ_Hz`` is the median of C_Q = e^2 q Q/h [Hz]; ``sigma`` the width of ln C_Q (log-normal);
    ``eta_max`` the top of a uniform distribution of the asymmetry eta; ``source`` the basis.
    """

    CQ_Hz: float
    sigma: float
    eta_max: float
    source: str


_NMR = "typical solid-state NMR site value, rounded (order of magnitude; docs/neqm.md sec. 6)"

#: Default C_Q distributions per isotope. Isotopes of one element scale with Q (B-10 = 2.08 x
#: B-11, K-41 = 1.215 x K-39, Ba-135 = 0.653 x Ba-137): one site, two nuclei.
QUADRUPOLE_COUPLINGS: dict[str, Coupling] = {
    "H-2": Coupling(0.17e6, 0.15, 0.1, "C-D deuterons, C_Q ~ 165-175 kHz, eta ~ 0; " + _NMR),
    "B-11": Coupling(2.6e6, 0.5, 0.5, "trigonal BO3 ~ 2.5-2.7 MHz (BO4 ~ 0.2-0.6 MHz); " + _NMR),
    "B-10": Coupling(5.4e6, 0.5, 0.5, "B-11 value x Q(B-10)/Q(B-11) = 2.08"),
    "O-17": Coupling(5.3e6, 0.15, 0.3, "bridging Si-O-Si oxygen ~ 5.2-5.8 MHz; " + _NMR),
    "Na-23": Coupling(2.5e6, 0.4, 1.0, "Na in silicate glasses ~ 1.5-3.5 MHz; " + _NMR),
    "Al-27": Coupling(5.0e6, 0.4, 1.0, "AlO4 in aluminosilicate glasses ~ 4-8 MHz; " + _NMR),
    "K-39": Coupling(1.5e6, 0.5, 1.0, "K in silicate glasses ~ 1-3 MHz; " + _NMR),
    "K-40": Coupling(1.9e6, 0.5, 1.0, "K-39 value x Q(K-40)/Q(K-39) = 1.25"),
    "K-41": Coupling(1.8e6, 0.5, 1.0, "K-39 value x Q(K-41)/Q(K-39) = 1.215"),
    "As-75": Coupling(100e6, 0.5, 0.5, "As(III) in oxides, tens to ~ 200 MHz; " + _NMR),
    "Ba-137": Coupling(15e6, 0.6, 1.0, "Ba in oxides ~ 5-30 MHz (few glass data); " + _NMR),
    "Ba-135": Coupling(9.8e6, 0.6, 1.0, "Ba-137 value x Q(Ba-135)/Q(Ba-137) = 0.653"),
}

#: Element counts of the components the compositions use.
_FORMULAS: dict[str, dict[str, float]] = {
    "SiO2": {"Si": 1, "O": 2},
    "B2O3": {"B": 2, "O": 3},
    "Al2O3": {"Al": 2, "O": 3},
    "Na2O": {"Na": 2, "O": 1},
    "K2O": {"K": 2, "O": 1},
    "BaO": {"Ba": 1, "O": 1},
    "As2O3": {"As": 2, "O": 3},
    "OH": {"O": 1, "H": 1},
    "C": {"C": 1},
    "H": {"H": 1},
    "C3H8O3": {"C": 3, "H": 8, "O": 3},
    "C3D5H3O3": {"C": 3, "D": 5, "H": 3, "O": 3},
}


@dataclass(frozen=True)
class Composition:
    """A glass's composition.

    Parameters
    ----------
    name : str
        The glass.
    components : tuple of (str, float)
        Component formula (a key of the module's formula table, e.g. ``"SiO2"``) and its
        fraction; the fractions are normalized.
    basis : {"mol", "mass"}
        Whether the fractions are mole or mass fractions.
    source : str
        Where the composition comes from and how sure it is.
    """

    name: str
    components: tuple[tuple[str, float], ...]
    basis: str
    source: str

    def __post_init__(self) -> None:
        if self.basis not in ("mol", "mass"):
            raise ValueError(f"basis must be 'mol' or 'mass', got {self.basis!r}")
        for comp, x in self.components:
            if comp not in _FORMULAS:
                raise ValueError(f"unknown component {comp!r}; known: {', '.join(_FORMULAS)}")
            if not (math.isfinite(x) and x >= 0.0):
                raise ValueError(f"fraction of {comp} must be finite and >= 0, got {x!r}")

    def mole_fractions(self) -> dict[str, float]:
        """Mole fraction of each component."""
        x = {c: float(v) for c, v in self.components}
        if self.basis == "mass":
            x = {c: v / sum(ATOMIC_MASS_U[e] * k for e, k in _FORMULAS[c].items())
                 for c, v in x.items()}  # fmt: skip
        tot = sum(x.values())
        return {c: v / tot for c, v in x.items()}

    def atom_fractions(self) -> dict[str, float]:
        """Fraction of all atoms that are of each element (``"D"`` kept apart from ``"H"``)."""
        n: dict[str, float] = {}
        for c, x in self.mole_fractions().items():
            for e, k in _FORMULAS[c].items():
                n[e] = n.get(e, 0.0) + x * k
        tot = sum(n.values())
        return {e: v / tot for e, v in sorted(n.items())}


_BK7_SRC = (
    "nominal BK7 analysis as commonly quoted in the literature (Schott publishes no exact "
    "analysis; its safety data sheet gives ranges SiO2 60-70, B2O3 10-20, BaO/Na2O/K2O 1-10 wt%); "
    "not checked against a primary source here"
)
#: The glasses by name.
COMPOSITIONS: dict[str, Composition] = {
    c.name: c
    for c in (
        Composition(
            "BAS",
            (("SiO2", 0.50), ("BaO", 0.25), ("Al2O3", 0.25)),
            "mol",
            "PLACEHOLDER: the essay's BAS (AlBaSiO, Heraeus) is a BaO-Al2O3-SiO2 glass 'of "
            "eutectic composition' whose analysis we could not find in the sources reachable "
            "here; we take the celsian stoichiometry BaO.Al2O3.2SiO2. f_Q depends on it only "
            "through the Al and Ba content (docs/neqm.md sec. 6)",
        ),
        Composition(
            "BK7",
            (
                ("SiO2", 69.13),
                ("B2O3", 10.75),
                ("BaO", 3.07),
                ("Na2O", 10.40),
                ("K2O", 6.29),
                ("As2O3", 0.36),
            ),
            "mass",
            _BK7_SRC,
        ),  # fmt: skip
        Composition(
            "Duran",
            (("SiO2", 81.0), ("B2O3", 13.0), ("Na2O", 3.5), ("K2O", 0.5), ("Al2O3", 2.0)),
            "mass",
            "Schott DURAN (borosilicate 3.3) data sheet: SiO2 81, B2O3 13, Na2O + K2O 4, Al2O3 "
            "2 wt%; the split Na2O 3.5 / K2O 0.5 is our assumption",
        ),
        Composition(
            "SiO2+xCyHz",
            (("SiO2", 0.97), ("C", 0.01), ("H", 0.02)),
            "mol",
            "PLACEHOLDER x, y: the essay (Table 6) gives no values; C and H (13C, 1H: I = 1/2) "
            "carry no quadrupole moment, so f_Q is that of silica's O-17 and natural H-2 for any "
            "small x, y",
        ),
        Composition(
            "Suprasil I",
            (("SiO2", 0.9988), ("OH", 0.0012)),
            "mass",
            "Heraeus Suprasil 1: synthetic fused silica with ~1000-1200 wt-ppm OH (we take 1200)",
        ),
        Composition("glycerol", (("C3H8O3", 1.0),), "mol", "C3H5(OH)3, natural isotopes"),
        Composition(
            "glycerol-d5",
            (("C3D5H3O3", 1.0),),
            "mol",
            "partly deuterated glycerol C3D5(OH)3 (glycerol-d5: the five C-bound H replaced "
            "by D, the three OH protons kept), the deuteration we understand the polarization-"
            "echo isotope experiments (Nagel et al., PRL 92, 245511 (2004)) to have used; the "
            "essay says only 'part-deuterated'",
        ),
    )
}

#: Hypotheses on which atoms tunnel (:func:`quadrupolar_fractions`): every atom with equal
#: probability, every atom but oxygen, oxygen only, hydrogen (H and D) only.
SPECIES: tuple[str, ...] = ("atoms", "cations", "oxygen", "hydrogen")


def composition(name: str) -> Composition:
    """The :class:`Composition` called ``name`` (case and spaces ignored)."""
    key = "".join(name.split()).lower()
    for c in COMPOSITIONS.values():
        if "".join(c.name.split()).lower() == key:
            return c
    raise ValueError(f"unknown glass {name!r}; known: {', '.join(COMPOSITIONS)}")


def _tunnelers(species: str | tuple[str, ...]) -> Any:
    if isinstance(species, tuple):
        return lambda e: e in species
    if species not in SPECIES:
        raise ValueError(
            f"species must be one of {SPECIES} or a tuple of elements, got {species!r}"
        )
    return {
        "atoms": lambda e: True,
        "cations": lambda e: e != "O",
        "oxygen": lambda e: e == "O",
        "hydrogen": lambda e: e in ("H", "D"),
    }[species]


def quadrupolar_fractions(
    glass: str | Composition, species: str | tuple[str, ...] = "atoms"
) -> dict[str, float]:
    """Fraction of tunneling systems whose tunneling atom carries each quadrupolar isotope.

    Parameters
    ----------
    glass : str or Composition
        A glass of :data:`COMPOSITIONS` or a composition.
    species : {"atoms", "cations", "oxygen", "hydrogen"} or tuple of str
        Which atoms tunnel, each with equal probability: all atoms, all but oxygen, oxygen,
        hydrogen (H and D); or a tuple of element symbols.

    Returns
    -------
    dict
        ``{isotope label: fraction}`` for the quadrupolar isotopes present (fractions of all
        tunneling systems; one tunneling atom per system).

    Examples
    --------
    >>> f = quadrupolar_fractions("glycerol-d5", "hydrogen")
    >>> round(f["H-2"], 6)
    0.625043
    """
    comp = composition(glass) if isinstance(glass, str) else glass
    take = _tunnelers(species)
    atoms = {e: x for e, x in comp.atom_fractions().items() if take(e)}
    tot = sum(atoms.values())
    if tot <= 0.0:
        raise ValueError(f"no atom of {comp.name} is a tunneler under species={species!r}")
    out: dict[str, float] = {}
    for e, x in atoms.items():
        for label, ab in ELEMENT_ISOTOPES.get(e, ()):
            if ISOTOPES[label].quadrupolar:
                out[label] = out.get(label, 0.0) + ab * x / tot
    return out


# --------------------------------------------------------------------------------------------
# rows


@dataclass(frozen=True)
class NEQMRow:
    """An NEQM parameter set with the conditions of an echo measurement.

    ``name`` the row; ``glass`` a key of :data:`COMPOSITIONS`; ``T_K`` [K]; ``params`` an
    :class:`etm.params.NEQMParams`; ``pulses`` an :class:`etm.params.Pulses`; ``source``
    what the conditions and numbers are.
    """

    name: str
    glass: str
    T_K: float
    params: Any
    pulses: Any
    source: str
    fractions: dict[str, float] = field(default_factory=dict)


#: Row name -> (glass, f_Hz, tau12_s, label of the conditions). The Table 7 rows repeat the
#: pulses of ``etm.materials.echo_row(name)`` (tests/test_neqm_data.py checks they are equal;
#: importing etm.materials here would close an import cycle through its re-export).
_ROWS: dict[str, tuple[str, float, float, str]] = {
    "BAS": ("BAS", 1.0e9, 2.0e-6, "fig14"),
    "BAS sample 1": ("BAS", 1.0e9, 2.0e-6, "table7"),
    "BAS sample 2": ("BAS", 1.0e9, 2.0e-6, "table7"),
    "BK7": ("BK7", 1.0e9, 2.0e-6, "fig14"),
    "BK7 tau12=1.5us": ("BK7", 0.9e9, 1.5e-6, "table7"),
    "BK7 tau12=6us": ("BK7", 0.9e9, 6.0e-6, "table7"),
    "Duran": ("Duran", 1.0e9, 1.7e-6, "fig14"),
    "Suprasil I": ("Suprasil I", 1.0e9, 2.0e-6, "fig14"),
    "SiO2+xCyHz": ("SiO2+xCyHz", 1.0e9, 2.0e-6, "fig14"),
    "glycerol": ("glycerol", 1.0e9, 2.0e-6, "glycerol"),
    "glycerol-d5": ("glycerol-d5", 1.0e9, 2.0e-6, "glycerol"),
}
_FIG14 = (
    "essay Fig. 14a conditions: T = 12 mK, nominally 1 GHz, tau12 = 2 us (Duran 1.7 us), "
    "tau2 = 2 tau1 = 0.2 us (Figs. 15-16)"
)
_GLYCEROL = (
    "glycerol echo conditions not given in the essay; we take those of Fig. 14a (12 mK, 1 GHz, "
    "tau12 = 2 us, tau2 = 2 tau1 = 0.2 us)"
)


def neqm_names() -> tuple[str, ...]:
    """Names accepted by :func:`neqm_row`."""
    return tuple(_ROWS)


def neqm_row(
    name: str,
    *,
    species: str | tuple[str, ...] = "atoms",
    rotation_deg: float | None = None,
    atoms_per_system: int = 1,
) -> NEQMRow:
    """NEQM parameters of a glass with the temperature and pulses of the essay's echo figures.

    Parameters
    ----------
    name : str
        A glass (``"BAS"``, ``"BK7"``, ``"Duran"``, ``"Suprasil I"``, ``"SiO2+xCyHz"``,
        ``"glycerol"``, ``"glycerol-d5"``: Fig. 14a conditions) or a Table 7 echo row
        (``"BAS sample 1"``, ``"BK7 tau12=6us"``, ...: the pulses of
        ``etm.materials.echo_row(name)``, repeated here). Case and spaces are ignored.
    species : str or tuple of str
        Which atoms tunnel (:func:`quadrupolar_fractions`); default every atom alike.
    rotation_deg : float or None
        Angle [deg] between the field-gradient tensors of the two wells (``None``: independent
        orientations, sizes and asymmetries; :class:`etm.params.NEQMParams`).
    atoms_per_system : int
        Atoms moving together in one tunneling system (each may carry a nucleus), >= 1.

    Returns
    -------
    NEQMRow
        ``T_K``, ``params`` (:class:`etm.params.NEQMParams`), ``pulses``
        (:class:`etm.params.Pulses`, tau1 = 0.1 us, tau2 = 0.2 us), ``fractions``.

    Examples
    --------
    >>> r = neqm_row("BK7 tau12=6us")
    >>> r.T_K, r.pulses.tau12_s, r.pulses.f_Hz
    (0.012, 6e-06, 900000000.0)
    >>> round(neqm_row("glycerol-d5", species="hydrogen").params.f_Q, 3)
    0.625
    """

    key = "".join(name.split()).lower()
    match = [k for k in _ROWS if "".join(k.split()).lower() == key]
    if not match:
        raise ValueError(f"unknown NEQM row {name!r}; known: {', '.join(_ROWS)}")
    row = match[0]
    glass, f_Hz, tau12_s, kind = _ROWS[row]
    pulses = Pulses(f_Hz, 0.1e-6, 0.2e-6, tau12_s)
    src = {
        "fig14": _FIG14,
        "glycerol": _GLYCEROL,
        "table7": f"pulses and T of the echo row {row!r} (essay Table 7, Figs. 15-16)",
    }[kind]
    fr = quadrupolar_fractions(glass, species)
    nuclei = []
    for label, x in sorted(fr.items(), key=lambda kv: -kv[1]):
        iso, c = ISOTOPES[label], QUADRUPOLE_COUPLINGS[label]
        nuclei.append(
            QuadrupolarNucleus(
                label=label,
                I=iso.I,
                gamma_Hz_per_T=iso.gamma_Hz_per_T,
                fraction=x,
                CQ_Hz=c.CQ_Hz,
                CQ_sigma=c.sigma,
                eta_max=c.eta_max,
            )
        )
    # pulses set for the strongest echo of a symmetric 2LS with its dipole along F0:
    # theta1 = Omega1 tau1 = pi/2 (then theta2 = pi for tau2 = 2 tau1)
    params = NEQMParams(
        nuclei=tuple(nuclei),
        omega1_per_s=0.5 * np.pi / pulses.tau1_s,
        rotation_deg=rotation_deg,
        atoms_per_system=atoms_per_system,
    )
    comp = COMPOSITIONS[glass]
    source = f"{src}; composition: {comp.source}; tunnelers: {species}"
    return NEQMRow(row, glass, 0.012, params, pulses, source, fr)
