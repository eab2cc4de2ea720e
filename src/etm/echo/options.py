"""The options of the echo family, as one validated object.

:class:`EchoOptions` holds every modelling and computing option of the weak-field closed form
(:func:`etm.echo.amplitude`, :func:`~etm.echo.complex_amplitude`,
:func:`~etm.echo.relative_amplitude`) and of the exact three-level route
(:func:`etm.echo.exact_amplitude`, :func:`~etm.echo.exact_relative_amplitude`). Their keyword
options build one (:meth:`EchoOptions.merge`); pass ``options=`` to reuse one across calls. A bad
option is a ``ValueError`` naming it, its allowed values and the given value.

The pulse field's direction (issue 23, docs/echo.md section 9) is set by two options:
``measuring_field`` (its direction relative to B, with the same names and meaning as in
:mod:`etm.dielectric`) and ``rabi`` (whether each system is driven by the coupling of the field's
actual direction, averaged over the directions, or by one rms Rabi frequency, the essay's "main
approximation").
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from etm.checks import check_choice, check_int, check_positive
from etm.echo.single import C_FORMS, MATRIX_ELEMENTS
from etm.ensemble import check_orientation
from etm.ensemble.geometry import MEASURING_FIELDS

__all__ = ["DETECTIONS", "MEASURING_FIELDS", "RABI_MODES", "EchoOptions"]

#: ``"projection"``: the fixed quadrature cos(alpha) [S tan(alpha) + C], alpha = omega Delta tau
#: (essay Eq. 31); ``"magnitude"``: |P(2 tau12)|, the modulus of the complex echo S + i C.
DETECTIONS: tuple[str, ...] = ("projection", "magnitude")

#: ``"exact"``: every system is driven by the coupling of the pulse field's actual direction
#: (its size and in-plane angle in the loop's plane), averaged over the directions of
#: ``measuring_field``; ``"rms"``: one Rabi frequency per system, the rms over those directions
#: (the essay's "main approximation", Eq. 27).
RABI_MODES: tuple[str, ...] = ("exact", "rms")


@dataclass(frozen=True)
class EchoOptions:
    """The options of the echo family, validated on construction.

    Parameters
    ----------
    orientation : {"isotropic", "aligned", "phi2/3"}
        Loop orientation relative to B: cos(beta) uniform in [0, 1] (default), cos(beta) = 1,
        or the essay's shortcut phi^2 -> phi^2/3. The exact route takes ``"isotropic"`` only.
    measuring_field : {"random", "parallel", "perpendicular"}
        Direction of the pulse field F relative to B, as in :mod:`etm.dielectric`. Only its
        projection on a loop's plane couples, of size F0 sin(Theta), Theta the angle between F
        and the loop's normal. ``"random"`` (default): F uniform on the sphere, independent of
        the loops (the essay's p1^2 = (2/3) p^2 is this average of sin^2 Theta); ``"parallel"``
        (F along B: Theta = beta, so the field's size and the loop's Aharonov-Bohm phase are
        correlated through the same tilt) and ``"perpendicular"`` (F normal to B: cos Theta =
        sin(beta) cos(chi), chi the azimuth of the loop's normal about B, uniform).
    rabi : {"exact", "rms"} or None
        ``"exact"``: each system is driven by the coupling of the field's actual direction,
        averaged over the directions; ``"rms"``: by one Rabi frequency, the rms over them (the
        essay's "main approximation"). None (default): ``"exact"`` wherever the model defines a
        coupling per direction (the exact route; the closed form with the three-well
        ``matrix_elements="exact"``), ``"rms"`` for the essay's Eq. 27, which is defined only as
        an orientation average (:meth:`closed_form_rabi`).
    matrix_elements : {"exact", "essay"}
        Rabi frequency and phonon weight (:func:`etm.echo.rabi_frequency`,
        :func:`etm.echo.relaxation_rate`); in the exact route the phonon weight only.
    c_form : {"bloch", "essay"}
        delta/Omega_G or delta/Omega_R in C (closed form; the exact route is ``"bloch"``).
    detection : {"projection", "magnitude"}
        The essay's fixed quadrature or the modulus of the complex ensemble echo (closed form;
        the exact route is ``"projection"``).
    memory_MB : float or None
        Work-memory budget [MB] (default :data:`etm.chunks.MEMORY_BUDGET_MB`), > 0.
    workers : int
        Threads of the closed form's compiled sum, >= 1 (the numbers do not depend on it).

    Examples
    --------
    >>> EchoOptions(matrix_elements="essay").closed_form_rabi()
    'rms'
    >>> EchoOptions(measuring_field="along B")
    Traceback (most recent call last):
    ...
    ValueError: measuring_field must be one of 'random', 'parallel', 'perpendicular', got 'along B'
    """

    orientation: str = "isotropic"
    measuring_field: str = "random"
    rabi: str | None = None
    matrix_elements: str = "exact"
    c_form: str = "bloch"
    detection: str = "projection"
    memory_MB: float | None = None
    workers: int = 1

    def __post_init__(self) -> None:
        check_orientation(self.orientation)
        check_choice("measuring_field", self.measuring_field, MEASURING_FIELDS)
        if self.rabi is not None:
            check_choice("rabi", self.rabi, RABI_MODES)
        check_choice("matrix_elements", self.matrix_elements, MATRIX_ELEMENTS)
        check_choice("c_form", self.c_form, C_FORMS)
        check_choice("detection", self.detection, DETECTIONS)
        if self.memory_MB is not None:
            check_positive("memory_MB", self.memory_MB, unit="MB")
        object.__setattr__(self, "workers", check_int("workers", self.workers, minimum=1))

    def closed_form_rabi(self) -> str:
        """The closed form's Rabi treatment: ``rabi``, or its default for the matrix elements.

        ``ValueError`` for ``rabi="exact"`` with ``matrix_elements="essay"``: Eq. 27 gives no
        coupling per field direction.
        """
        if self.rabi is None:
            return "exact" if self.matrix_elements == "exact" else "rms"
        if self.rabi == "exact" and self.matrix_elements == "essay":
            raise ValueError(
                "rabi='exact' needs matrix_elements='exact' in the closed form: the essay's "
                "Eq. 27 is an orientation-averaged Rabi frequency (use rabi='rms'), got "
                "matrix_elements='essay'"
            )
        return self.rabi

    def exact_route_rabi(self) -> str:
        """The exact route's Rabi treatment (``"exact"`` unless ``rabi="rms"``); ``ValueError``
        for the options the exact route does not offer."""
        for name, allowed in (
            ("orientation", "isotropic"),
            ("c_form", "bloch"),
            ("detection", "projection"),
        ):
            if getattr(self, name) != allowed:
                raise ValueError(
                    f"{name} must be {allowed!r} in the exact route, got {getattr(self, name)!r}"
                )
        return "exact" if self.rabi is None else self.rabi

    @classmethod
    def merge(cls, options: EchoOptions | None, **keywords: Any) -> EchoOptions:
        """``options`` if given (then every keyword must be at its default), else the keywords'.

        Examples
        --------
        >>> EchoOptions.merge(None, matrix_elements="essay").matrix_elements
        'essay'
        """
        if options is None:
            return cls(**keywords)
        if not isinstance(options, EchoOptions):
            raise TypeError(
                f"options must be an EchoOptions (etm.echo.EchoOptions(...)), got "
                f"{type(options).__name__}"
            )
        defaults = {f.name: f.default for f in fields(cls)}
        moved = [k for k, v in keywords.items() if v != defaults[k]]
        if moved:
            raise ValueError(
                f"give the options either as keywords or as options=, not both: {', '.join(moved)}"
            )
        return options
