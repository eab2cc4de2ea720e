"""The exact three-level route's shared pieces: the loop phase, input checks, parallel points.

Every observable of the exact route (:func:`etm.heat_capacity.exact_heat_capacity`,
:func:`etm.heat_capacity.exact_counting`, :func:`etm.magnetization.exact_ats`,
:func:`etm.dielectric.exact_relative_change` and :func:`etm.dielectric.exact_loss`,
:func:`etm.echo.exact_relative_amplitude`) maps one system with the loop area S as the one extra
parameter (docs/exact.md): ``phi = 2 pi e B S cos(beta) / h``, ``D0_eff = X / S``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from etm.checks import check_instance, check_positive
from etm.chunks import check_workers
from etm.constants import ANGSTROM2_M2, PHI0_T_M2
from etm.ensemble import ExactGrid, check_orientation
from etm.params import ATSParams

__all__ = [
    "DEFAULT_LOOP_AREA_A2",
    "ExactOptions",
    "check_exact_inputs",
    "check_loop_area",
    "loop_phase",
    "map_points",
]

#: Default loop area S [angstrom^2] (charge e): B_2pi = h/(e S) = 41.4 T, and D0_eff = X/S spans
#: ~5-30 K for the X cutoffs of the essay's heat-capacity tables.
DEFAULT_LOOP_AREA_A2: float = 1.0e4


def check_loop_area(loop_area_A2: float) -> float:
    """Return the loop area S [angstrom^2] as a float; ``ValueError`` unless finite and > 0."""
    return check_positive("loop_area_A2", loop_area_A2, unit="angstrom^2")


def loop_phase(B_T: ArrayLike, loop_area_A2: float, cos_beta: ArrayLike = 1.0) -> NDArray:
    """Aharonov-Bohm phase phi = 2 pi e B S cos(beta) / h of a loop of area S holding charge e.

    Parameters
    ----------
    B_T : array_like
        Field B [T].
    loop_area_A2 : float
        Loop area S [angstrom^2], > 0.
    cos_beta : array_like, optional
        Cosine of the angle between B and the loop normal (default 1).

    Returns
    -------
    ndarray
        phi [rad] = 2 pi B cos(beta) / B_2pi, B_2pi = h/(e S).

    References
    ----------
    docs/conventions.md.

    Examples
    --------
    >>> from etm.constants import field_for_2pi
    >>> float(loop_phase(field_for_2pi(1e4), 1e4) / (2 * np.pi))
    1.0
    """
    S = check_loop_area(loop_area_A2)
    B = np.asarray(B_T, dtype=float)
    return 2.0 * np.pi * B * np.asarray(cos_beta, dtype=float) * (S * ANGSTROM2_M2) / PHI0_T_M2


@dataclass(frozen=True)
class ExactOptions:
    """The options every exact three-level observable shares, validated on construction.

    :func:`etm.heat_capacity.exact_heat_capacity`, :func:`etm.heat_capacity.exact_counting`,
    :func:`etm.magnetization.exact_ats` and :func:`etm.dielectric.exact_relative_change` /
    :func:`~etm.dielectric.exact_loss` build one from their keyword options (the echo's
    :func:`etm.echo.exact_relative_amplitude` has its own grid type).

    Attributes
    ----------
    loop_area_A2 : float
        Loop area S [angstrom^2] of the charge-e loop, > 0.
    orientation : {"isotropic", "aligned", "phi2/3"}
        Loop orientation relative to B.
    grid : ExactGrid or None
        Node counts (None: the observable's default).
    workers : int or None
        Threads over the distinct (T, B) points (None: :func:`etm.chunks.default_workers`;
        stored resolved).

    Examples
    --------
    >>> ExactOptions(loop_area_A2=1e3, workers=1)
    ExactOptions(loop_area_A2=1000.0, orientation='isotropic', grid=None, workers=1)
    >>> ExactOptions(loop_area_A2=-1.0)
    Traceback (most recent call last):
    ...
    ValueError: loop_area_A2 must be > 0 [angstrom^2], got -1
    """

    loop_area_A2: float = DEFAULT_LOOP_AREA_A2
    orientation: str = "isotropic"
    grid: ExactGrid | None = None
    workers: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "loop_area_A2", check_loop_area(self.loop_area_A2))
        check_orientation(self.orientation)
        if self.grid is not None and not isinstance(self.grid, ExactGrid):
            raise TypeError(
                f"grid must be an etm.ensemble.ExactGrid, got {type(self.grid).__name__}"
            )
        object.__setattr__(self, "workers", check_workers(self.workers))


def check_exact_inputs(params: ATSParams, loop_area_A2: float, orientation: str) -> float:
    """Check the exact route's common inputs; return the loop area S [angstrom^2]."""
    check_instance("params", params, ATSParams, "etm.materials.get(name).at(T_K).ats")
    return ExactOptions(loop_area_A2=loop_area_A2, orientation=orientation, workers=1).loop_area_A2


def map_points(func, T: NDArray, B: NDArray, *, workers: int = 1) -> NDArray[np.float64]:
    """``func(T, B)`` (a float) at every distinct pair of the broadcast (T, B), in parallel.

    Each distinct pair is evaluated once, by one of ``workers`` threads (the compiled kernels
    release the GIL), the pairs handed out in decreasing (T, B) order: the exact route's cost
    grows with T (fewer systems skipped) and is least at B = 0 (one phase node), so the costly
    points start first and the threads finish together. Every value is computed by the same
    code whatever the thread count or order, so the result does not depend on them. Memory:
    O(number of pairs) floats.

    Examples
    --------
    >>> map_points(lambda t, b: t + b, np.array([1.0, 2.0]), np.array([0.5, 0.5])).tolist()
    [1.5, 2.5]
    """
    T, B = np.broadcast_arrays(np.asarray(T, dtype=float), np.asarray(B, dtype=float))
    pairs = np.stack([T.ravel(), B.ravel()], axis=-1)
    if pairs.shape[0] == 0:
        return np.zeros(T.shape)
    uniq, inv = np.unique(pairs, axis=0, return_inverse=True)
    vals = np.empty(uniq.shape[0])
    if workers > 1 and uniq.shape[0] > 1:
        from concurrent.futures import ThreadPoolExecutor

        order = np.lexsort((-uniq[:, 1], -uniq[:, 0]))  # T descending, then B descending
        with ThreadPoolExecutor(max_workers=min(workers, uniq.shape[0])) as pool:
            got = list(pool.map(lambda i: func(uniq[i, 0], uniq[i, 1]), order))
        vals[order] = got
    else:
        vals[:] = [func(t, b) for t, b in uniq]
    return vals[np.ravel(inv)].reshape(T.shape)
