"""Non-dominated sorting, constrained domination and crowding distance (NSGA-II's selection).

Values are minimised (the sampler flips maximised objectives first). With constraints, a
feasible point dominates an infeasible one, and of two infeasible points the one with the
smaller total violation dominates (Deb's constrained domination, as in Optuna).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["crowding_distance", "dominance_matrix", "rank_fronts"]

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


def crowding_distance(values: _Array) -> _Array:
    """Crowding distance of each point of one front (infinite at each objective's extremes)."""
    n, m = values.shape
    dist = np.zeros(n)
    if n <= 2:
        return np.full(n, np.inf)
    for k in range(m):
        order = np.argsort(values[:, k], kind="stable")
        v = values[order, k]
        dist[order[0]] = dist[order[-1]] = np.inf
        width = v[-1] - v[0]
        if width == 0 or not np.isfinite(width):
            continue
        dist[order[1:-1]] += (v[2:] - v[:-2]) / width
    return dist
