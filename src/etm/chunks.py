"""Memory budget and chunking helpers shared by every public evaluation.

Every observable of the model is evaluated on a grid of (T, B) points, and the work arrays of one
point (energy panels, quadrature weights, kernel values) take a fixed number of bytes. Evaluating
all points at once makes the peak memory grow with the number of points; instead each public
function splits the points into chunks whose work arrays fit a *memory budget* and evaluates the
chunks one after the other, so the peak memory is set by the budget, not by the input size.

The default budget is ``MEMORY_BUDGET_MB = 256`` MB: large enough that a chunk holds thousands of
points (so the per-chunk Python overhead is negligible next to the vectorised work), small enough
that several engineers' processes, two dask workers and the interpreter itself (~150 MB with numpy,
scipy and numba loaded) fit in a few GB. It is overridden, in this order of precedence, by the
keyword ``memory_MB=`` of a public function, then by the environment variable ``ETM_MEMORY_MB``
(read at every call, so it can be set after import), then by this default.

References
----------
docs/performance.md (chunking, workers, dask).

Examples
--------
>>> from etm.chunks import chunk_length, chunk_slices
>>> n = chunk_length(8.0 * 1000, memory_MB=1.0)  # 1000 float64 per item in 1 MB
>>> n
131
>>> [s.stop for s in chunk_slices(300, n)]
[131, 262, 300]
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator

import numpy as np

from etm.checks import plain

__all__ = [
    "MEMORY_BUDGET_MB",
    "budget_bytes",
    "chunk_length",
    "check_workers",
    "chunk_slices",
    "default_workers",
]

MEMORY_BUDGET_MB: float = 256.0
"""Default working-memory budget of one evaluation, in MB (2**20 bytes)."""

_ENV = "ETM_MEMORY_MB"


def budget_bytes(memory_MB: float | None = None) -> int:
    """Working-memory budget in bytes.

    Parameters
    ----------
    memory_MB : float or None
        Budget in MB (2**20 bytes), > 0. ``None`` reads the environment variable
        ``ETM_MEMORY_MB`` and falls back to :data:`MEMORY_BUDGET_MB` (256 MB).

    Returns
    -------
    int
        The budget in bytes, >= 1.

    References
    ----------
    docs/performance.md.

    Examples
    --------
    >>> budget_bytes(1.0)
    1048576
    """
    source = "memory_MB"
    if memory_MB is None:
        env = os.environ.get(_ENV)
        if env is not None and env.strip():
            source = _ENV
            try:
                memory_MB = float(env)
            except ValueError:
                raise ValueError(f"{_ENV} must be a number of MB > 0, got {plain(env)}") from None
        else:
            memory_MB = MEMORY_BUDGET_MB
    memory_MB = float(memory_MB)
    if not (math.isfinite(memory_MB) and memory_MB > 0.0):
        raise ValueError(f"{source} must be a finite number of MB > 0, got {plain(memory_MB)}")
    return max(1, int(memory_MB * 2**20))


def chunk_length(bytes_per_item: float, *, memory_MB: float | None = None, minimum: int = 1) -> int:
    """Number of items whose work arrays fit in the memory budget.

    Parameters
    ----------
    bytes_per_item : float
        Peak working memory of one item (one (T, B) point, one field, ...), in bytes, > 0.
    memory_MB : float or None
        Budget in MB; ``None``: ``ETM_MEMORY_MB`` or :data:`MEMORY_BUDGET_MB`.
    minimum : int
        Smallest chunk returned (>= 1), even if one item alone exceeds the budget.

    Returns
    -------
    int
        ``max(minimum, floor(budget / bytes_per_item))``.

    References
    ----------
    docs/performance.md.

    Examples
    --------
    >>> chunk_length(1024.0, memory_MB=1.0)
    1024
    >>> chunk_length(1e12, memory_MB=1.0, minimum=4)
    4
    """
    bytes_per_item = float(bytes_per_item)
    if not (math.isfinite(bytes_per_item) and bytes_per_item > 0.0):
        raise ValueError(f"bytes_per_item must be a finite number > 0, got {plain(bytes_per_item)}")
    if int(minimum) < 1:
        raise ValueError(f"minimum must be an integer >= 1, got {plain(minimum)}")
    return max(int(minimum), int(budget_bytes(memory_MB) // bytes_per_item))


def chunk_slices(n: int, length: int) -> Iterator[slice]:
    """Consecutive slices of at most ``length`` items covering ``range(n)``.

    Parameters
    ----------
    n : int
        Number of items, >= 0 (0 yields nothing).
    length : int
        Chunk length, >= 1.

    Yields
    ------
    slice
        ``slice(start, min(start + length, n))`` for start = 0, length, 2 length, ...

    References
    ----------
    docs/performance.md.

    Examples
    --------
    >>> list(chunk_slices(5, 2))
    [slice(0, 2, None), slice(2, 4, None), slice(4, 5, None)]
    """
    n = int(n)
    length = int(length)
    if n < 0:
        raise ValueError(f"n must be an integer >= 0, got {plain(n)}")
    if length < 1:
        raise ValueError(f"length must be an integer >= 1, got {plain(length)}")
    for start in range(0, n, length):
        yield slice(start, min(start + length, n))


def default_workers() -> int:
    """Number of cores this process may use (the CPU affinity mask, else ``os.cpu_count()``).

    Returns
    -------
    int
        >= 1.

    References
    ----------
    docs/performance.md.

    Examples
    --------
    >>> default_workers() >= 1
    True
    """
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - platforms without affinity masks
        n = os.cpu_count() or 1
    return max(1, int(n))


def check_workers(workers: int | None) -> int:
    """The number of workers as an int >= 1; ``None`` means :func:`default_workers`.

    Parameters
    ----------
    workers : int or None
        Requested workers (threads or processes), >= 1.

    Returns
    -------
    int
        ``workers``, or :func:`default_workers` for ``None``.

    References
    ----------
    docs/performance.md.

    Examples
    --------
    >>> check_workers(3)
    3
    """
    if workers is None:
        return default_workers()
    if isinstance(workers, bool) or not isinstance(workers, int | np.integer) or workers < 1:
        raise ValueError(f"workers must be an integer >= 1, got {plain(workers)}")
    return int(workers)
