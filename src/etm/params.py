"""Parameter sets of the model, as frozen dataclasses validated on construction.

All fitted numbers of the essay are in *effective* parameters (MODEL.md section 2): D is the
effective asymmetry, and the tunneling energy enters only through X = D0 (|q|/e) S in K*angstrom^2.
A sweep is :func:`dataclasses.replace`, never mutation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

__all__ = [
    "ATSParams",
    "Paramagnet",
    "Material",
    "FE2_SPIN",
    "FE2_G",
    "FE3_SPIN",
    "FE3_G",
    "check_finite",
    "check_positive",
]

#: Default spin of Fe2+ (high-spin 3d6, 5D): S = 2. Its large, site-dependent zero-field
#: splitting is not modelled (free-spin Brillouin levels, the essay's "Langevin paramagnetism").
FE2_SPIN: float = 2.0
#: Default g factor of Fe2+: the spin-only value 2.0 (orbital moment taken as quenched).
FE2_G: float = 2.0
#: Default spin of Fe3+ (high-spin 3d5, 6S, an orbital singlet): S = 5/2.
FE3_SPIN: float = 2.5
#: Default g factor of Fe3+: 2.0 (6S ion, no orbital moment).
FE3_G: float = 2.0


def check_finite(name: str, value: float) -> float:
    """Return ``float(value)``, or raise ``ValueError`` naming the parameter if it is not finite."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a finite real number, got {value!r}") from None
    if not math.isfinite(v):
        raise ValueError(f"{name} must be a finite real number, got {value!r}")
    return v


def check_positive(name: str, value: float, *, allow_zero: bool = False) -> float:
    """Return ``float(value)``, or raise ``ValueError`` unless it is finite and > 0 (or >= 0)."""
    v = check_finite(name, value)
    if v < 0 or (v == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be {bound}, got {value!r}")
    return v


@dataclass(frozen=True)
class ATSParams:
    """Distribution of anomalous tunneling systems (ATS), in effective parameters.

    The distribution (essay Eq. 10, MODEL.md section 3) is
    ``n_ATS P(D, D0) dD dD0 = 2 pi nP_per_g dD/D dD0/D0`` with ``Dmin <= D <= Dmax`` and
    ``D0min <= D0 <= D0max``; the D0 cutoffs enter only through X = D0 (|q|/e) S.

    Parameters
    ----------
    Dmin_K : float
        Lower cutoff of the effective asymmetry D [K], > 0.
    X0min_KA2, X0max_KA2 : float
        Cutoffs of X = D0 (|q|/e) S [K*angstrom^2], 0 < X0min < X0max (the essay's
        "D0min |q/e| S" and "D0max |q/e| S" columns).
    nP_per_g : float
        n_ATS P* [1/g], the ATS concentration times the dimensionless P* (>= 0).
    Dmax_K : float or None
        Optional upper cutoff of D [K] (> Dmin); ``None`` means no cutoff (the essay's Eq. 13).

    Examples
    --------
    >>> p = ATSParams(Dmin_K=0.49, X0min_KA2=4.77e4, X0max_KA2=3.09e5, nP_per_g=5.19e16)
    >>> p.Dmin_K
    0.49
    """

    Dmin_K: float
    X0min_KA2: float
    X0max_KA2: float
    nP_per_g: float
    Dmax_K: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "Dmin_K", check_positive("Dmin_K", self.Dmin_K))
        object.__setattr__(self, "X0min_KA2", check_positive("X0min_KA2", self.X0min_KA2))
        object.__setattr__(self, "X0max_KA2", check_positive("X0max_KA2", self.X0max_KA2))
        object.__setattr__(
            self, "nP_per_g", check_positive("nP_per_g", self.nP_per_g, allow_zero=True)
        )
        if self.X0min_KA2 >= self.X0max_KA2:
            raise ValueError(
                f"X0min_KA2 must be < X0max_KA2, got X0min_KA2={self.X0min_KA2!r} >= "
                f"X0max_KA2={self.X0max_KA2!r}"
            )
        if self.Dmax_K is not None:
            dmax = check_positive("Dmax_K", self.Dmax_K)
            if dmax <= self.Dmin_K:
                raise ValueError(
                    f"Dmax_K must be > Dmin_K={self.Dmin_K!r} or None, got {self.Dmax_K!r}"
                )
            object.__setattr__(self, "Dmax_K", dmax)


@dataclass(frozen=True)
class Paramagnet:
    """A dilute paramagnetic impurity: free spin S with g factor g, n_per_g ions per gram.

    Examples
    --------
    >>> Paramagnet(n_per_g=1e17, S=2.0, g=2.0).S
    2.0
    """

    n_per_g: float
    S: float
    g: float
    label: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "n_per_g", check_positive("n_per_g", self.n_per_g, allow_zero=True)
        )
        S = check_positive("S", self.S)
        if abs(2 * S - round(2 * S)) > 1e-12:
            raise ValueError(f"S must be a positive multiple of 1/2, got {self.S!r}")
        object.__setattr__(self, "S", S)
        object.__setattr__(self, "g", check_positive("g", self.g))


@dataclass(frozen=True)
class Material:
    """Everything the heat capacity of a glass needs at one set of fitted parameters.

    Parameters
    ----------
    name : str
        Label of the glass.
    ats : ATSParams
        The ATS distribution.
    nP2LS_per_g_per_K : float
        n_2LS * Pbar [1/(g K)], the constant 2LS density of states (>= 0).
    phonon_beta_J_per_gK4 : float
        Debye coefficient beta [J/(g K^4)] of C_ph = beta T^3 (>= 0).
    paramagnets : tuple of Paramagnet
        Paramagnetic impurities (e.g. Fe2+, Fe3+).
    source : str
        Where the numbers come from (table, figure).
    """

    name: str
    ats: ATSParams
    nP2LS_per_g_per_K: float = 0.0
    phonon_beta_J_per_gK4: float = 0.0
    paramagnets: tuple[Paramagnet, ...] = field(default_factory=tuple)
    source: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "nP2LS_per_g_per_K",
            check_positive("nP2LS_per_g_per_K", self.nP2LS_per_g_per_K, allow_zero=True),
        )
        object.__setattr__(
            self,
            "phonon_beta_J_per_gK4",
            check_positive("phonon_beta_J_per_gK4", self.phonon_beta_J_per_gK4, allow_zero=True),
        )
        object.__setattr__(self, "paramagnets", tuple(self.paramagnets))
