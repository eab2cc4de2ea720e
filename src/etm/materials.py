"""Material presets from the essay's heat-capacity tables (Tables 1-4), each citing its source.

The numbers are copied from the essay (``shared/spec/paper_tables.json``); the package does not
read that file at run time.

The tables give the ATS and Fe concentrations and, per temperature, the ATS cutoffs. They do not
give the field-independent backgrounds (the 2LS density of states and the phonon T^3 coefficient);
the presets set both to zero, so that :func:`etm.heat_capacity.total` returns the field-dependent
part that Fig. 9 is about. Use :func:`dataclasses.replace` to add measured backgrounds.

Examples
--------
>>> preset = get("BAS")
>>> preset.temperatures_K
(0.6, 0.9, 1.36)
>>> preset.at(0.90).ats.Dmin_K
0.53
"""

from __future__ import annotations

from dataclasses import dataclass

from etm.params import FE2_G, FE2_SPIN, FE3_G, FE3_SPIN, ATSParams, Material, Paramagnet

__all__ = ["HeatCapacityPreset", "get", "names", "PRESETS"]


@dataclass(frozen=True)
class HeatCapacityPreset:
    """A glass's heat-capacity fit: shared concentrations plus per-temperature ATS cutoffs.

    Attributes
    ----------
    name : str
        Preset name (as accepted by :func:`get`).
    glass : str
        Full name of the glass.
    nP_per_g : float
        n_ATS P* [1/g] (shared by all temperatures).
    n_Fe2_per_g, n_Fe3_per_g : float
        Fe2+ and Fe3+ concentrations [1/g].
    rows : tuple of (T_K, Dmin_K, X0min_KA2, X0max_KA2)
        The per-temperature fit.
    source : str
        The essay's tables these come from.
    """

    name: str
    glass: str
    nP_per_g: float
    n_Fe2_per_g: float
    n_Fe3_per_g: float
    rows: tuple[tuple[float, float, float, float], ...]
    source: str

    @property
    def temperatures_K(self) -> tuple[float, ...]:
        """Temperatures [K] at which the essay fitted Cp(B)."""
        return tuple(r[0] for r in self.rows)

    def at(self, T_K: float) -> Material:
        """The :class:`~etm.params.Material` fitted at temperature ``T_K`` (one of the table's)."""
        for T, Dmin, X0min, X0max in self.rows:
            if abs(T - float(T_K)) < 1e-9:
                ats = ATSParams(
                    Dmin_K=Dmin, X0min_KA2=X0min, X0max_KA2=X0max, nP_per_g=self.nP_per_g
                )
                return Material(
                    name=f"{self.name} @ {T:g} K",
                    ats=ats,
                    paramagnets=(
                        Paramagnet(self.n_Fe2_per_g, FE2_SPIN, FE2_G, "Fe2+"),
                        Paramagnet(self.n_Fe3_per_g, FE3_SPIN, FE3_G, "Fe3+"),
                    ),
                    source=self.source,
                )
        allowed = ", ".join(f"{t:g}" for t in self.temperatures_K)
        raise ValueError(f"T_K for preset {self.name!r} must be one of {allowed} K, got {T_K!r}")


PRESETS: dict[str, HeatCapacityPreset] = {
    "BAS": HeatCapacityPreset(
        name="BAS",
        glass="BAS (AlBaSiO, barium alumosilicate, Heraeus)",
        nP_per_g=5.19e16,
        n_Fe2_per_g=1.06e17,
        n_Fe3_per_g=5.00e16,
        rows=(
            (0.60, 0.49, 4.77e4, 3.09e5),
            (0.90, 0.53, 5.07e4, 2.90e5),
            (1.36, 0.55, 5.95e4, 2.61e5),
        ),
        source="essay Table 1 (concentrations) and Table 2 (tunneling parameters)",
    ),
    "Duran": HeatCapacityPreset(
        name="Duran",
        glass="Duran (borosilicate, Schott)",
        nP_per_g=8.88e16,
        n_Fe2_per_g=3.21e17,
        n_Fe3_per_g=2.11e17,
        rows=(
            (1.11, 0.34, 4.99e4, 2.68e5),
            (1.23, 0.32, 5.30e4, 2.50e5),
            (1.36, 0.32, 5.54e4, 2.46e5),
        ),
        source="essay Table 3 (concentrations) and Table 4 (tunneling parameters)",
    ),
}


def names() -> tuple[str, ...]:
    """Names of the available presets."""
    return tuple(PRESETS)


def get(name: str) -> HeatCapacityPreset:
    """Return the preset called ``name`` (case-insensitive); ``ValueError`` lists the known ones."""
    for key, preset in PRESETS.items():
        if key.lower() == str(name).lower():
            return preset
    raise ValueError(f"unknown material {name!r}; known materials: {', '.join(PRESETS)}")
