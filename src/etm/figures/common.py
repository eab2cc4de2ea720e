"""What the figure modules share: the lazy pyplot import, field axes and axis labels.

matplotlib is imported only when a figure is drawn (:func:`etm.reproduce.run` selects the Agg
backend first), so importing :mod:`etm` or :mod:`etm.figures` never needs a display.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np

__all__ = ["FIELD_LABEL", "linear_field_axis", "log_field_axis", "pyplot"]

#: Label of every magnetic-field axis.
FIELD_LABEL = "magnetic field $B$ [T]"


def pyplot() -> ModuleType:
    """Import and return :mod:`matplotlib.pyplot` (deferred until a figure is drawn)."""
    import matplotlib.pyplot as plt

    return plt


def linear_field_axis(n_B: int, B_max_T: float) -> np.ndarray:
    """``n_B`` fields [T] evenly spaced from 0 to ``B_max_T`` (Figs. 9, 15-16).

    Examples
    --------
    >>> from etm.figures.common import linear_field_axis
    >>> linear_field_axis(3, 8.0)
    array([0., 4., 8.])
    """
    return np.linspace(0.0, B_max_T, n_B)


def log_field_axis(n_B: int, B_min_T: float, B_max_T: float) -> np.ndarray:
    """``n_B`` fields [T] log-spaced from ``B_min_T`` to ``B_max_T`` (Figs. 10-12, log axis).

    Examples
    --------
    >>> from etm.figures.common import log_field_axis
    >>> log_field_axis(3, 1e-3, 10.0)
    array([1.e-03, 1.e-01, 1.e+01])
    """
    return np.geomspace(B_min_T, B_max_T, n_B)
