"""SYNTHETIC curves for tests and examples: a model curve plus seeded Gaussian noise.

The observable modules build their ``synthetic_*_curve`` functions on :func:`synthetic_curve`
(:func:`etm.fit.cp.synthetic_cp_curve`, :func:`etm.fit.eps.synthetic_eps_curve`,
:func:`etm.fit.echo.synthetic_echo_curve`); every curve says SYNTHETIC in its comments and
``synthetic = yes`` in its metadata is the caller's to add (docs/fitting.md, "The examples").
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from etm.fit.data import MeasuredCurve

__all__ = ["synthetic_curve", "synthetic_field_curve"]


def synthetic_curve(
    x_name: str,
    x: ArrayLike,
    y_name: str,
    y0: ArrayLike,
    sigma: ArrayLike,
    seed: int,
    metadata: Mapping[str, Any],
    source: str | Path,
) -> MeasuredCurve:
    """A SYNTHETIC curve y0(x) plus seeded Gaussian noise of width ``sigma``.

    Parameters
    ----------
    x_name, y_name : str
        Quantity and package unit of x and y, e.g. ``"B_T"``, ``"Cp_J_per_gK"``.
    x, y0 : array_like
        The abscissa and the noise-free model, in the package's units.
    sigma : array_like
        The one-sigma noise (broadcast to x's shape), also the curve's ``sigma``.
    seed : int
        Seed of :func:`numpy.random.default_rng`.
    metadata : Mapping
        The curve's metadata (package units).
    source : path-like
        The name the curve reports as its file.

    Returns
    -------
    MeasuredCurve
        Read-only arrays; columns (x_name, y_name, sigma_<y unit>); no SHA-256.

    Examples
    --------
    >>> c = synthetic_curve("B_T", [0.0, 1.0], "rel_1", [0.0, 1.0], 0.0, 0, {}, "s.csv")
    >>> c.columns, c.y.tolist()
    (('B_T', 'rel_1', 'sigma_1'), [0.0, 1.0])
    """
    xv = np.array(x, dtype=float)
    s = np.array(np.broadcast_to(np.asarray(sigma, dtype=float), xv.shape))
    y = np.asarray(y0, dtype=float) + s * np.random.default_rng(seed).standard_normal(xv.shape)
    for a in (xv, y, s):
        a.setflags(write=False)
    y_unit = y_name.partition("_")[2]
    return MeasuredCurve(
        x=xv,
        y=y,
        sigma=s,
        x_name=x_name,
        y_name=y_name,
        columns=(x_name, y_name, f"sigma_{y_unit}"),
        metadata=MappingProxyType(dict(metadata)),
        comments=("SYNTHETIC",),
        source=Path(source),
        sha256="",
        meta_sources=(),
    )


def synthetic_field_curve(
    B_T: ArrayLike,
    y0: ArrayLike,
    sigma: float,
    seed: int,
    metadata: Mapping[str, Any],
    source: str | Path,
) -> MeasuredCurve:
    """A SYNTHETIC relative-change curve y0(B) (``rel_1``) plus seeded noise of width ``sigma``."""
    return synthetic_curve("B_T", B_T, "rel_1", y0, sigma, seed, metadata, source)
