"""The fitted curves as a table: ``curves.csv``, from which the fit figures are drawn.

One row per data point of every curve: ``curve`` (the file's name), the x column(s) by name in
the package's units (``B_T``, ``T_K``, ...; a curve leaves the others empty), ``data``,
``sigma`` (measured, or estimated from the residual scatter: ``sigma_estimated``), ``model``,
``residual`` = (data - model)/sigma, then one column per model component (``model_ATS``,
``model_2LS``, ...) that add up to ``model``. y values are in the package's unit of the
observable (J/(g K) for C_p; params.json ``inputs`` gives each file's columns), so a fit can be
re-plotted in any tool. See docs/fitting.md ("Outputs").
"""

from __future__ import annotations

import csv
import io
from typing import Any

import numpy as np

__all__ = ["curves_csv", "curves_table"]


def _x_names(c: Any) -> list[str]:
    return [n.strip() for n in c.x_name.split(",")]


def curves_table(result: Any) -> dict[str, Any]:
    """The fitted curves as columns (lists of equal length) and their order.

    Parameters
    ----------
    result : FitResult
        A fit (its curves, models and residuals).

    Returns
    -------
    dict
        ``{"columns": [names...], "data": {name: ndarray or list}, "index": [per curve: slice]}``.

    Examples
    --------
    >>> import numpy as np
    >>> from etm import fit as fitting
    >>> c = fitting.synthetic_cp_curve("BAS", 0.9, np.linspace(0, 8, 9), rel_noise=0.003)
    >>> t = curves_table(fitting.fit([c], material="BAS"))
    >>> t["columns"][:6]
    ['curve', 'B_T', 'data', 'sigma', 'model', 'residual']
    """
    xs: list[str] = []
    for c in result.curves:
        xs += [n for n in _x_names(c) if n not in xs]
    comps = list(result.components)
    columns = ["curve", *xs, "data", "sigma", "model", "residual", *(f"model_{k}" for k in comps)]
    cols: dict[str, list[Any]] = {n: [] for n in columns}
    index = []
    start = 0
    for i, c in enumerate(result.curves):
        n = c.y.size
        index.append(slice(start, start + n))
        start += n
        cols["curve"] += [c.source.name] * n
        x = np.asarray(c.x, dtype=float).reshape(n, -1)
        names = _x_names(c)
        for name in xs:
            cols[name] += list(x[:, names.index(name)]) if name in names else [np.nan] * n
        parts = result.model_parts(i)
        model = sum(parts.values(), np.zeros(n))
        sigma = result.sigma(i)
        cols["data"] += list(c.y)
        cols["sigma"] += list(sigma)
        cols["model"] += list(model)
        cols["residual"] += list((c.y - model) / sigma)
        for k in comps:
            cols[f"model_{k}"] += list(parts.get(k, np.zeros(n)))
    data = {k: (v if k == "curve" else np.asarray(v, dtype=float)) for k, v in cols.items()}
    return {"columns": columns, "data": data, "index": index}


def curves_csv(result: Any, table: dict[str, Any] | None = None) -> str:
    """``curves.csv`` as text (17 significant digits; empty cells where a curve has no such x).

    Parameters
    ----------
    result : FitResult
        The fit.
    table : dict, optional
        :func:`curves_table` of it, if already made.
    """
    t = curves_table(result) if table is None else table
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(t["columns"])
    n = len(t["data"]["curve"])
    for r in range(n):
        row = []
        for name in t["columns"]:
            v = t["data"][name][r]
            if name == "curve":
                row.append(v)
            else:
                row.append("" if not np.isfinite(v) else repr(float(v)))
        w.writerow(row)
    return buf.getvalue()
