"""Progress on stderr and clean interrupts for the long steps of a fit.

:class:`Progress` is a tqdm bar on stderr that appears only after ``delay`` seconds (so quick
steps print nothing) and only where stderr is a terminal unless asked for: the least-squares
fit (evaluations, chi^2), surrogate builds, and the MCMC (steps, tau, acceptance, ETA).

:func:`interruptible` turns Ctrl-C (SIGINT) into a flag that :func:`checkpoint` raises as
``KeyboardInterrupt`` at the next safe point (a model evaluation of the least-squares fit, an
MCMC step): outside of emcee's wrapper of the log-probability (which prints the walkers'
positions and a traceback on any exception) and outside compiled kernels. A second Ctrl-C
raises at once. ``etm fit`` then exits with status 130 and one line, having written nothing
(its outputs are written at the end, atomically).
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["Progress", "checkpoint", "interruptible", "progress_enabled"]

_STATE = {"armed": False, "interrupted": False}


def _handler(signum: int, frame: Any) -> None:
    if _STATE["interrupted"]:
        raise KeyboardInterrupt
    _STATE["interrupted"] = True


@contextmanager
def interruptible() -> Iterator[None]:
    """Within the block, SIGINT sets a flag that :func:`checkpoint` raises (a second one raises
    at once); the previous handler is restored afterwards. A no-op outside the main thread."""
    if threading.current_thread() is not threading.main_thread() or _STATE["armed"]:
        yield
        return
    previous = signal.signal(signal.SIGINT, _handler)
    _STATE.update(armed=True, interrupted=False)
    try:
        yield
        checkpoint()
    finally:
        signal.signal(signal.SIGINT, previous)
        _STATE.update(armed=False, interrupted=False)


def checkpoint() -> None:
    """Raise ``KeyboardInterrupt`` if Ctrl-C was pressed inside :func:`interruptible`."""
    if _STATE["interrupted"]:
        _STATE["interrupted"] = False
        raise KeyboardInterrupt


def progress_enabled(progress: bool | None) -> bool:
    """``progress`` if given, else whether stderr is a terminal."""
    if progress is not None:
        return bool(progress)
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class Progress:
    """A tqdm bar on stderr, shown after ``delay`` seconds when enabled; a no-op otherwise.

    Parameters
    ----------
    desc : str
        What runs, e.g. ``"least squares"``.
    total : int, optional
        Expected count (MCMC steps), for the ETA.
    enabled : bool, optional
        Show it (default: stderr is a terminal).
    unit : str
        The counted unit (``"eval"``, ``"step"``).
    delay : float
        Seconds before it appears.

    Examples
    --------
    >>> with Progress("demo", enabled=False) as p:
    ...     p.update(1, chi2=3.0)
    """

    def __init__(
        self,
        desc: str,
        total: int | None = None,
        *,
        enabled: bool | None = None,
        unit: str = "eval",
        delay: float = 2.0,
    ) -> None:
        self._bar = None
        if progress_enabled(enabled):
            from tqdm.auto import tqdm

            self._bar = tqdm(
                total=total, desc=desc, unit=unit, file=sys.stderr, delay=delay, leave=False
            )

    def update(self, n: int = 1, **postfix: Any) -> None:
        """Advance by ``n`` and show ``postfix`` (e.g. chi2=..., tau=...)."""
        if self._bar is None:
            return
        if postfix:
            self._bar.set_postfix(
                {k: (f"{v:.4g}" if isinstance(v, float) else v) for k, v in postfix.items()},
                refresh=False,
            )
        self._bar.update(n)

    def close(self) -> None:
        """Remove the bar."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
