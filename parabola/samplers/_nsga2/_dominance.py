"""Non-dominated sorting, constrained domination and crowding distance (NSGA-II's selection).

Values are minimised (the sampler flips maximised objectives first). With constraints, a
feasible point dominates an infeasible one, and of two infeasible points the one with the
smaller total violation dominates (Deb's constrained domination, as in Optuna).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["crowding_distance", "crowding_order", "dominance_matrix", "rank_fronts"]

_Array = np.ndarray[Any, np.dtype[np.float64]]
_Bool = np.ndarray[Any, np.dtype[np.bool_]]


def dominance_matrix(values: _Array, violation: _Array | None = None) -> _Bool:
    """``D[i, j]``: point ``i`` dominates point ``j`` (one vectorised pass, ``O(n^2 m)``)."""
    le = np.all(values[:, None, :] <= values[None, :, :], axis=2)
    lt = np.any(values[:, None, :] < values[None, :, :], axis=2)
    dom: _Bool = le & lt
    if violation is None:
        return dom
    feasible = violation <= 0.0
    both = feasible[:, None] & feasible[None, :]
    out: _Bool = np.where(
        both,
        dom,
        np.where(
            feasible[:, None] & ~feasible[None, :],
            True,
            (~feasible[:, None]) & (~feasible[None, :]) & (violation[:, None] < violation[None, :]),
        ),
    )
    return out


def rank_fronts(values: _Array, violation: _Array | None = None) -> list[list[int]]:
    """Indices of the points, front by front (front 0: dominated by none)."""
    dom = dominance_matrix(values, violation)
    n_dominating = dom.sum(axis=0)
    fronts: list[list[int]] = []
    remaining = np.ones(len(values), dtype=bool)
    while remaining.any():
        front = np.flatnonzero(remaining & (n_dominating == 0))
        fronts.append(front.tolist())
        remaining[front] = False
        n_dominating = n_dominating - dom[front].sum(axis=0)
    return fronts


def _crowding(values: _Array) -> tuple[_Array, _Array]:
    """Crowding distances, and the order of the last per-objective sort (see below)."""
    n, m = values.shape
    dist = np.zeros(n)
    # Each objective sorts the order the previous one left (stable), as Optuna sorts its list
    # in place: of tied values, which one sits at an end (and gets the infinite gap) depends
    # on the earlier objectives, and the final tie-break on the last sort.
    perm = np.arange(n)
    for k in range(m):
        perm = perm[np.argsort(values[perm, k], kind="stable")]
        v = values[perm, k]
        if n == 0 or v[0] == v[-1]:
            continue  # all equal: this objective separates nothing, not even its ends
        padded = np.concatenate(([-np.inf], v, [np.inf]))  # the ends' outer neighbours
        # The range of the finite values (v is sorted: the first value above -inf is the
        # smallest finite one, or +inf when there is none; likewise the largest).
        above_ninf, below_pinf = v[v != -np.inf], v[v != np.inf]
        lo = above_ninf[0] if above_ninf.size else np.inf
        hi = below_pinf[-1] if below_pinf.size else -np.inf
        width = hi - lo
        if not width > 0:
            width = 1.0
        below, above = padded[:-2], padded[2:]
        with np.errstate(invalid="ignore"):
            gap = np.where(below == above, 0.0, above - below)  # inf - inf counts as no gap
        dist[perm] += gap / width
    return dist, perm


def crowding_distance(values: _Array) -> _Array:
    """Crowding distance of each point of one front, Optuna's definition.

    Per objective, a point's gap between its two neighbours in that objective's order, over
    the range of the finite values; the ends' outer neighbours are -inf and +inf (so the ends
    get an infinite distance), an objective whose values are all equal adds nothing, and the
    gap between two equal infinities is 0.
    """
    return _crowding(values)[0]


def crowding_order(values: _Array) -> list[int]:
    """The points of one front, most isolated first, as Optuna's NSGA-II takes them.

    Optuna sorts by distance (stable) and reverses, so of equal distances the one later in
    the last objective's order comes first; this reproduces that order exactly.
    """
    dist, perm = _crowding(values)
    ascending = perm[np.argsort(dist[perm], kind="stable")]
    return [int(i) for i in ascending[::-1]]
