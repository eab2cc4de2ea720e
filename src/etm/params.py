"""Parameter sets of the model, as frozen dataclasses validated on construction.

All fitted numbers of the essay are in *effective* parameters (docs/conventions.md): D is the
effective asymmetry, and the tunneling energy enters only through X = D0 (|q|/e) S in K*angstrom^2.
A sweep is :func:`dataclasses.replace`, never mutation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from etm.checks import check_finite, check_int, check_positive, plain
from etm.constants import DEBYE_C_M, hbar, k_B

__all__ = [
    "ATSParams",
    "NEQMParams",
    "QuadrupolarNucleus",
    "DielectricATS",
    "EchoParams",
    "Pulses",
    "Paramagnet",
    "Material",
    "FE2_SPIN",
    "FE2_G",
    "FE3_SPIN",
    "FE3_G",
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


@dataclass(frozen=True)
class ATSParams:
    """Distribution of anomalous tunneling systems (ATS), in effective parameters.

    The distribution (essay Eq. 10, docs/dos.md) is
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
                f"X0min_KA2 must be < X0max_KA2, got X0min_KA2={plain(self.X0min_KA2)} >= "
                f"X0max_KA2={self.X0max_KA2!r}"
            )
        if self.Dmax_K is not None:
            dmax = check_positive("Dmax_K", self.Dmax_K)
            if dmax <= self.Dmin_K:
                raise ValueError(
                    f"Dmax_K must be > Dmin_K={self.Dmin_K!r} or None, got {plain(self.Dmax_K)}"
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
            raise ValueError(f"S must be a positive multiple of 1/2, got {plain(self.S)}")
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


@dataclass(frozen=True)
class DielectricATS:
    """ATS parameters of a dielectric fit (the essay's Tables 5-6 columns).

    Parameters
    ----------
    amplitude_K : float
        A = pi x_ATS P* p1^2/(eps0 eps_r) [K] (energy over k_B), >= 0.
    Dmin_K : float
        Lower cutoff of the effective asymmetry D [K], > 0.
    X0min_KA2, X0max_KA2 : float
        Cutoffs of X = D0 (|q|/e) S [K*angstrom^2], 0 < X0min < X0max.
    Dmax_K : float or None
        Optional upper cutoff of D [K].

    Examples
    --------
    >>> p = DielectricATS(amplitude_K=8.9e-6, Dmin_K=0.015, X0min_KA2=2.44e5, X0max_KA2=3.08e5)
    >>> p.ats.Dmin_K
    0.015
    """

    amplitude_K: float
    Dmin_K: float
    X0min_KA2: float
    X0max_KA2: float
    Dmax_K: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "amplitude_K", check_positive("amplitude_K", self.amplitude_K, allow_zero=True)
        )
        self.ats  # noqa: B018 - validates the cutoffs through ATSParams

    @property
    def ats(self) -> ATSParams:
        """The distribution as :class:`etm.params.ATSParams` (``nP_per_g = 1``: A carries it)."""
        return ATSParams(
            Dmin_K=self.Dmin_K,
            X0min_KA2=self.X0min_KA2,
            X0max_KA2=self.X0max_KA2,
            nP_per_g=1.0,
            Dmax_K=self.Dmax_K,
        )


@dataclass(frozen=True)
class EchoParams:
    """ATS parameters of an echo fit (the columns of the essay's Table 7).

    Parameters
    ----------
    Dmin_K : float
        Lower cutoff of the effective asymmetry D [K], > 0.
    X0min_KA2, X0max_KA2 : float
        Cutoffs of X = D0 (|q|/e) S [K*angstrom^2], 0 < X0min < X0max.
    Gamma_inv_per_sK5 : float
        Phonon coupling Gamma^-1 of Eq. 21 [1/(s K^5)] (Table 7 gives 1/(us K^5)), >= 0.
    c_per_sK : float
        Spectral-diffusion constant c of Eq. 34 [1/(s K)] (c_ATS, or c_ATS - c_2LS relative to
        the 2LS echo as in Table 7), >= 0.
    p1F0_DkV_per_m : float
        p1 F0 [debye kV/m], > 0: Omega_1 = p1 F0/hbar sets the Rabi frequencies.
    tan_omega_dtau : float
        tan(omega Delta tau): the detection phase, finite.

    Examples
    --------
    >>> p = EchoParams(17.74e-3, 950.0, 21300.0, 9.22e12, 5.008e6, 0.461, 0.247)
    >>> round(p.omega1_per_s / 1e6, 3)  # Omega_1 = p1 F0 / hbar in 1/us
    14.582
    """

    Dmin_K: float
    X0min_KA2: float
    X0max_KA2: float
    Gamma_inv_per_sK5: float
    c_per_sK: float
    p1F0_DkV_per_m: float
    tan_omega_dtau: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "Dmin_K", check_positive("Dmin_K", self.Dmin_K))
        object.__setattr__(self, "X0min_KA2", check_positive("X0min_KA2", self.X0min_KA2))
        object.__setattr__(self, "X0max_KA2", check_positive("X0max_KA2", self.X0max_KA2))
        if self.X0min_KA2 >= self.X0max_KA2:
            raise ValueError(
                f"X0min_KA2 must be < X0max_KA2, "
                f"got {plain(self.X0min_KA2)} >= {plain(self.X0max_KA2)}"
            )
        for name in ("Gamma_inv_per_sK5", "c_per_sK"):
            object.__setattr__(
                self, name, check_positive(name, getattr(self, name), allow_zero=True)
            )
        object.__setattr__(
            self, "p1F0_DkV_per_m", check_positive("p1F0_DkV_per_m", self.p1F0_DkV_per_m)
        )
        object.__setattr__(
            self, "tan_omega_dtau", check_finite("tan_omega_dtau", self.tan_omega_dtau)
        )

    @property
    def omega1_per_s(self) -> float:
        """Omega_1 = p1 F0/hbar [rad/s]."""
        return self.p1F0_DkV_per_m * DEBYE_C_M * 1e3 / hbar


@dataclass(frozen=True)
class Pulses:
    """A two-pulse (spontaneous) echo sequence.

    Parameters
    ----------
    f_Hz : float
        Carrier frequency f of both pulses [Hz], > 0.
    tau1_s, tau2_s : float
        Durations of pulse 1 and pulse 2 [s], > 0 and each < ``tau12_s``.
    tau12_s : float
        Free waiting time [s] from the end of pulse 1 to the start of pulse 2; the echo is read a
        further ``tau12_s`` after the end of pulse 2 (module docstring).

    Raises
    ------
    ValueError
        For a non-positive or non-finite time or frequency, or a pulse not shorter than
        ``tau12_s`` (the model neglects relaxation during the pulses and needs the echo
        separated from them).

    Examples
    --------
    >>> p = Pulses(f_Hz=1e9, tau1_s=0.1e-6, tau2_s=0.2e-6, tau12_s=2e-6)
    >>> round(p.t_echo_s * 1e6, 6)
    4.3
    """

    f_Hz: float
    tau1_s: float
    tau2_s: float
    tau12_s: float

    def __post_init__(self) -> None:
        for name in ("f_Hz", "tau1_s", "tau2_s", "tau12_s"):
            v = check_finite(name, getattr(self, name))
            if v <= 0.0:
                unit = "Hz" if name == "f_Hz" else "s"
                raise ValueError(f"{name} must be > 0 {unit}, got {plain(getattr(self, name))}")
            object.__setattr__(self, name, v)
        for name in ("tau1_s", "tau2_s"):
            if getattr(self, name) >= self.tau12_s:
                raise ValueError(
                    f"{name} must be < tau12_s = {self.tau12_s!r} s (pulses short compared with "
                    f"the waiting time), got {plain(getattr(self, name))}"
                )

    @property
    def omega_per_s(self) -> float:
        """Angular carrier frequency omega = 2 pi f [rad/s]."""
        return 2.0 * math.pi * self.f_Hz

    @property
    def hf_K(self) -> float:
        """Photon energy hbar omega / k_B [K]: the gap of a resonant system."""
        return self.omega_per_s * hbar / k_B

    @property
    def t_echo_s(self) -> float:
        """Laboratory time of the echo read-out, from the start of pulse 1 [s]."""
        return self.tau1_s + self.tau2_s + 2.0 * self.tau12_s


# --------------------------------------------------------------------------------------------
# the nuclear electric quadrupole model (NEQM, docs/neqm.md section 4): the distributions are
# C_Q log-normal (median CQ_Hz, ln-width CQ_sigma), eta uniform on [0, eta_max], orientations
# uniform relative to B; rotation_deg=None draws the two wells' tensors independently, a number
# gives the right well the left well's tensor rotated by that angle about a random axis.


@dataclass(frozen=True)
class QuadrupolarNucleus:
    """One quadrupolar isotope carried by a fraction of the tunneling systems.

    Parameters
    ----------
    label : str
        Isotope, e.g. ``"Al-27"``.
    I : float
        Nuclear spin, a multiple of 1/2, >= 1 (smaller spins have no quadrupole moment).
    gamma_Hz_per_T : float
        gamma/(2 pi) = g_n mu_N/h [Hz/T], signed, != 0.
    fraction : float
        Fraction of all tunneling systems whose tunneling atom carries this isotope, in [0, 1].
    CQ_Hz : float
        Median of the quadrupole coupling constant C_Q = e^2 q Q/h [Hz], > 0.
    CQ_sigma : float
        Width of ln C_Q (log-normal distribution), >= 0 (0: every system has C_Q = CQ_Hz).
    eta_max : float
        The asymmetry eta of each gradient is uniform on [0, eta_max], 0 <= eta_max <= 1.
    """

    label: str
    I: float  # noqa: E741 - the literature's symbol
    gamma_Hz_per_T: float
    fraction: float
    CQ_Hz: float
    CQ_sigma: float = 0.4
    eta_max: float = 1.0

    def __post_init__(self) -> None:
        I = check_finite("I", self.I)  # noqa: E741
        if I < 1.0 or abs(2.0 * I - round(2.0 * I)) > 1e-12:
            raise ValueError(f"I must be a multiple of 1/2 and >= 1, got {self.I!r}")
        object.__setattr__(self, "I", float(round(2.0 * I)) / 2.0)
        g = check_finite("gamma_Hz_per_T", self.gamma_Hz_per_T, "Hz/T")
        if g == 0.0:
            raise ValueError("gamma_Hz_per_T must be != 0 [Hz/T], got 0")
        object.__setattr__(self, "gamma_Hz_per_T", g)
        fr = check_positive("fraction", self.fraction, allow_zero=True)
        if fr > 1.0:
            raise ValueError(f"fraction must be in [0, 1], got {self.fraction!r}")
        object.__setattr__(self, "fraction", fr)
        object.__setattr__(self, "CQ_Hz", check_positive("CQ_Hz", self.CQ_Hz, unit="Hz"))
        object.__setattr__(
            self, "CQ_sigma", check_positive("CQ_sigma", self.CQ_sigma, allow_zero=True)
        )
        em = check_positive("eta_max", self.eta_max, allow_zero=True)
        if em > 1.0:
            raise ValueError(f"eta_max must be in [0, 1], got {self.eta_max!r}")
        object.__setattr__(self, "eta_max", em)

    @property
    def dim(self) -> int:
        """2I + 1, the number of nuclear states."""
        return int(round(2.0 * self.I)) + 1

    @property
    def nu_Q_Hz(self) -> float:
        """The quadrupole frequency nu_Q = 3 C_Q/(2I(2I - 1)) [Hz] of the median C_Q (the
        splitting of the |m| = 1/2 and 3/2 doublets of an axial gradient)."""
        return 3.0 * self.CQ_Hz / (2.0 * self.I * (2.0 * self.I - 1.0))

    @property
    def recovery_field_T(self) -> float:
        """B* = nu_Q/|gamma/2 pi| [T]: the field where the Zeeman splitting reaches nu_Q."""
        return self.nu_Q_Hz / abs(self.gamma_Hz_per_T)


@dataclass(frozen=True)
class NEQMParams:
    """The NEQM parameter set of a glass.

    Parameters
    ----------
    nuclei : tuple of QuadrupolarNucleus
        The quadrupolar isotopes and their fractions (their sum <= 1; the rest of the tunneling
        systems carry no quadrupolar nucleus). May be empty.
    omega1_per_s : float
        Omega_1 = p F0/hbar [rad/s], the Rabi frequency of a symmetric 2LS (Delta0 = E) whose
        dipole is along the pulse field; it weights the 2LS by their echo (docs/neqm.md sec. 4).
    rotation_deg : float or None
        ``None``: the gradient tensors of the two wells are independent (orientation, C_Q and
        eta drawn separately). A number in [0, 180]: the right well's tensor is the left well's
        rotated by this angle about a uniformly random axis.
    atoms_per_system : int
        Atoms that move together in one tunneling system, each carrying a nucleus with the
        probabilities above independently; the echo factors multiply (docs/neqm.md sec. 4), >= 1.
    """

    nuclei: tuple[QuadrupolarNucleus, ...]
    omega1_per_s: float
    rotation_deg: float | None = None
    atoms_per_system: int = 1

    def __post_init__(self) -> None:
        nuc = tuple(self.nuclei)
        for n in nuc:
            if not isinstance(n, QuadrupolarNucleus):
                raise TypeError(
                    f"nuclei must hold QuadrupolarNucleus objects, got {type(n).__name__}"
                )
        object.__setattr__(self, "nuclei", nuc)
        if sum(n.fraction for n in nuc) > 1.0 + 1e-12:
            tot = sum(n.fraction for n in nuc)
            raise ValueError(f"the fractions of the nuclei must sum to <= 1, got {tot!r}")
        object.__setattr__(
            self, "omega1_per_s", check_positive("omega1_per_s", self.omega1_per_s, unit="rad/s")
        )
        if self.rotation_deg is not None:
            r = check_finite("rotation_deg", self.rotation_deg, "deg")
            if not 0.0 <= r <= 180.0:
                raise ValueError(f"rotation_deg must be in [0, 180] [deg] or None, got {r!r}")
            object.__setattr__(self, "rotation_deg", r)
        n_at = check_int("atoms_per_system", self.atoms_per_system, minimum=1)
        object.__setattr__(self, "atoms_per_system", n_at)

    @property
    def f_Q(self) -> float:
        """Fraction of tunneling atoms that carry a quadrupolar nucleus (sum of the fractions)."""
        return math.fsum(n.fraction for n in self.nuclei)
