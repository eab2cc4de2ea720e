"""The shared machinery of curve models: a cached expensive term and the linear parts.

Every observable of etm is a sum of terms, most of them an amplitude times a shape (the ATS
term: a concentration times the ensemble average per unit concentration; the Fe Schottky terms,
the 2LS and phonon backgrounds). :class:`ShapeCache` keeps the last few evaluations of an
expensive shape (the ensemble integral) keyed on its non-linear parameters, so that a
finite-difference Jacobian column of an amplitude, or of another curve's parameter, costs no
integral. :class:`LinearCurve` adds the linear part of the fit contract
(:class:`etm.fit.registry.LinearModel`): ``parts`` and ``evaluate`` for one parameter set, and
``columns_many`` / ``evaluate_many`` for the W parameter sets of an MCMC step, from the shapes
per unit amplitude. A subclass says which amplitude multiplies which component (``LINEAR``),
puts the fixed shapes in ``basis`` and computes the others in :meth:`LinearCurve.shape`.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

__all__ = ["LinearCurve", "ShapeCache"]


class ShapeCache:
    """A least-recently-used cache of an expensive term, with a count of its evaluations.

    Attributes
    ----------
    n_ats_evals : int
        How many times the expensive term was computed (cache misses that integrated).

    Examples
    --------
    >>> c = ShapeCache()
    >>> c.cached((1.0,), lambda: np.ones(2)).tolist(), c.cached((1.0,), lambda: None).tolist()
    ([1.0, 1.0], [1.0, 1.0])
    >>> c.n_ats_evals
    1
    """

    #: Entries kept: a Jacobian of a few curves' cutoffs needs a handful at a time.
    CACHE_SIZE: ClassVar[int] = 16

    def __init__(self) -> None:
        self._cache: OrderedDict[Hashable, Any] = OrderedDict()
        self.n_ats_evals = 0

    def cached(self, key: Hashable, compute: Callable[[], Any], count: bool = True) -> Any:
        """The value stored under ``key``, else ``compute()`` stored (``count``: it integrated)."""
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        out = compute()
        self.n_ats_evals += int(count)
        self._cache[key] = out
        if len(self._cache) > self.CACHE_SIZE:
            self._cache.popitem(last=False)
        return out


class LinearCurve(ShapeCache):
    """A curve model that is a sum over components of an amplitude times a shape.

    Subclasses set :attr:`LINEAR` (amplitude name -> component), fill :attr:`basis` with the
    shapes that depend on no fitted parameter (per unit amplitude), set :attr:`T`, and implement
    :meth:`shape` for the others (usually through :meth:`ShapeCache.cached`). A component with
    no amplitude (a field-blind term that cancels) is zero unless :meth:`fixed_part` says
    otherwise. :meth:`shape_many` computes a shape for W parameter sets (the MCMC), by default
    one by one; a subclass with a surrogate overrides it.

    Attributes
    ----------
    T : ndarray
        Temperature [K] at each point.
    basis : dict
        Component -> its shape per unit amplitude, when fixed.
    """

    #: Amplitude parameter -> the component it multiplies.
    LINEAR: ClassVar[Mapping[str, str]] = {}
    #: Component -> the parameters its fitted shape depends on: opts the component in to the
    #: generic checked surrogate of :meth:`prepare_sampling` (empty: no surrogate).
    SHAPE_PARAMS: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    #: Chebyshev nodes per varying coordinate of the generic surrogate (at most three vary),
    #: and the nodes of its one rebuild when the first's checked error exceeds 1e-3 sigma.
    SURROGATE_NODES: Any = 8
    SURROGATE_REFINED: Any = 16
    #: Parameter sets :meth:`shape_many` gave the exact shape (outside the surrogate's box).
    surrogate_misses = 0

    def __init__(self) -> None:
        super().__init__()
        self.basis: dict[str, NDArray[np.float64]] = {}
        self.T: NDArray[np.float64] = np.zeros(0)

    # --- to implement -------------------------------------------------------------------------

    def shape(self, component: str, v: Mapping[str, float]) -> NDArray[np.float64]:
        """The shape of ``component`` per unit amplitude at the values ``v`` (not in basis)."""
        raise NotImplementedError(f"{type(self).__name__}: no shape for {component!r}")

    def fixed_part(self, component: str, v: Mapping[str, float]) -> NDArray[np.float64]:
        """A component without an amplitude (default: zero, a term that cancels)."""
        return np.zeros_like(self.T)

    # --- one parameter set ---------------------------------------------------------------------

    def unit(self, component: str, v: Mapping[str, float]) -> NDArray[np.float64]:
        """The shape of ``component`` per unit amplitude (the basis, else :meth:`shape`)."""
        if component in self.basis:
            return self.basis[component]
        return self.shape(component, v)

    def parts(self, v: Mapping[str, float], components: Sequence[str]) -> dict[str, NDArray]:
        """Each included term at the values ``v``."""
        amp = {c: a for a, c in self.LINEAR.items()}
        return {
            c: v[amp[c]] * self.unit(c, v) if c in amp else self.fixed_part(c, v)
            for c in components
        }

    def evaluate(self, v: Mapping[str, float], components: Sequence[str]) -> NDArray[np.float64]:
        """The model at the values ``v``."""
        return sum(self.parts(v, components).values(), np.zeros_like(self.T))

    # --- many parameter sets at once (MCMC walkers) --------------------------------------------

    def shape_many(self, component: str, v: Mapping[str, NDArray]) -> NDArray[np.float64]:
        """The shape of ``component`` for W parameter sets, shape (W, n): from the surrogate of
        :meth:`prepare_sampling` inside its box, one by one with :meth:`shape` outside."""
        W = np.shape(next(iter(v.values())))[0]
        out = np.empty((W, self.T.size))
        inside = np.zeros(W, dtype=bool)
        sur = getattr(self, "_surrogates", {}).get(component)
        if sur is not None:
            cheb, vary, logs, pair = sur
            q = np.column_stack([np.asarray(v[n], dtype=float) for n in vary])
            q = np.where(logs, np.log10(np.where(logs, np.abs(q), 1.0)), q)
            if pair is not None:  # (log X_lo, log X_hi / X_lo): the shape is symmetric
                a, b = pair
                x_lo, x_hi = np.minimum(q[:, a], q[:, b]), np.maximum(q[:, a], q[:, b])
                q[:, a], q[:, b] = x_lo, x_hi - x_lo
            inside, vals = cheb(q)
            out[inside] = vals[inside]
            self.surrogate_misses += int(W - np.count_nonzero(inside))
        for w in np.flatnonzero(~inside):
            out[w] = self.shape(component, {k: float(np.asarray(x)[w]) for k, x in v.items()})
        return out

    def prepare_sampling(
        self, box: Mapping[str, tuple[float, float]] | None, best: Mapping[str, float] | None
    ) -> float | None:
        """Build (or, with ``box=None``, drop) a checked tensor Chebyshev interpolant
        (:class:`etm.fit.surrogate.Chebyshev`) of each component's shape of
        :attr:`SHAPE_PARAMS` over the parameters that vary in ``box`` (physical ranges; nodes
        in log10 of positive ones; the two X cutoffs as log10 of the smaller and of their ratio,
        since the shape is symmetric in them and folds where they meet), the others held at
        ``best``. Returns the largest error
        against the exact shape at 16 seeded random points of each box, times the component's
        amplitude at ``best``, summed over the components [y unit]; None (no surrogate) if a
        component has more than three varying parameters or the class declares none."""
        from etm.fit.surrogate import Chebyshev

        self._surrogates: dict[str, Any] = {}
        if box is None or best is None or not self.SHAPE_PARAMS:
            return None
        amp_of = {c: a for a, c in self.LINEAR.items()}
        total = 0.0
        for comp, names in self.SHAPE_PARAMS.items():
            vary = [n for n in names if n in box and box[n][1] > box[n][0]]
            if not vary:
                continue  # a constant shape: the cache serves it
            if len(vary) > 3:
                self._surrogates = {}
                return None
            lo = np.array([box[n][0] for n in vary], dtype=float)
            hi = np.array([box[n][1] for n in vary], dtype=float)
            logs = lo > 0
            lo = np.where(logs, np.log10(np.where(logs, lo, 1.0)), lo)
            hi = np.where(logs, np.log10(np.where(logs, hi, 1.0)), hi)
            pair = None
            if "X0min_KA2" in vary and "X0max_KA2" in vary:
                # the shape is symmetric in the X cutoffs and folds (a kink) where they meet,
                # zero there: in (log10 of the smaller, log10 of their ratio >= 0) it is smooth
                # and the fold is the box's edge, whichever way the walkers order them
                a, b = pair = vary.index("X0min_KA2"), vary.index("X0max_KA2")
                gap = max(0.0, max(lo[a], lo[b]) - min(hi[a], hi[b]))
                wide = max(hi[b] - lo[a], hi[a] - lo[b])
                lo[a], hi[a] = min(lo[a], lo[b]), max(hi[a], hi[b])
                lo[b], hi[b] = gap, wide
            base = {k: float(x) for k, x in best.items()}

            def exact(q, comp=comp, vary=vary, logs=logs, base=base, pair=pair):
                x = np.array(q, dtype=float)
                if pair is not None:
                    x[pair[1]] = x[pair[0]] + x[pair[1]]
                pts = zip(vary, logs, x, strict=True)
                at = {n: float(10.0**y if lg else y) for n, lg, y in pts}
                return self.shape(comp, base | at)

            cheb = Chebyshev(exact, lo, hi, [self.SURROGATE_NODES] * len(vary))
            _, approx, ref = cheb.check()
            scale = abs(base.get(amp_of.get(comp, ""), 1.0))
            total += float(np.max(np.abs(approx - ref))) * scale
            self._surrogates[comp] = (cheb, vary, logs, pair)
        return total

    def columns_many(
        self, v: Mapping[str, NDArray], components: Sequence[str]
    ) -> tuple[NDArray[np.float64], dict[str, NDArray[np.float64]]]:
        """The model for W parameter sets as ``offset + sum_a v[a] * columns[a]``: the offset
        (W, n) (the components without an amplitude) and the column (W, n) of each included
        amplitude of :attr:`LINEAR`."""
        W = np.shape(next(iter(v.values())))[0]
        n = self.T.size
        cols: dict[str, NDArray[np.float64]] = {}
        for name, c in self.LINEAR.items():
            if c not in components:
                continue
            if c in self.basis:
                cols[name] = np.broadcast_to(self.basis[c], (W, n))
            else:
                cols[name] = self.shape_many(c, v)
        off = np.zeros((W, n))
        linear = set(self.LINEAR.values())
        for c in components:
            if c not in linear:
                rows = ({k: float(np.asarray(x)[w]) for k, x in v.items()} for w in range(W))
                off = off + np.array([self.fixed_part(c, r) for r in rows]).reshape(W, n)
        return off, cols

    def evaluate_many(
        self, v: Mapping[str, NDArray], components: Sequence[str]
    ) -> NDArray[np.float64]:
        """The model for W parameter sets (``v``: name -> array of W), shape (W, n)."""
        out, cols = self.columns_many(v, components)
        for name, col in cols.items():
            out = out + np.asarray(v[name])[:, None] * col
        return out
