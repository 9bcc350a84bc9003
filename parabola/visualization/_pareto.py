"""Pareto maths for the multi-objective plots: dominance, non-domination ranks, hypervolume.

Everything works on *loss* arrays (n points x d objectives, every objective minimised: flip the
sign of maximised ones first).
"""

from __future__ import annotations

import numpy as np

__all__ = ["hypervolume", "non_domination_rank", "pareto_mask"]


def pareto_mask(loss: np.ndarray) -> np.ndarray:
    """Which rows no other row dominates (equal rows do not dominate each other)."""
    n = len(loss)
    if n == 0:
        return np.zeros(0, dtype=bool)
    if loss.shape[1] == 2:
        # Sort by the first objective (ties: by the second); a point is on the front when its
        # second objective is below every earlier point's (NaN never is, and never lowers the
        # bar: fmin), or it repeats the point before it and that one is on the front (equal
        # rows are adjacent once sorted; a NaN row equals nothing).
        order = np.lexsort((loss[:, 1], loss[:, 0]))
        a, b = loss[order, 0], loss[order, 1]
        bar = np.empty(n)  # the lowest second objective before each point
        bar[0] = np.inf
        bar[1:] = b[:-1]
        np.fmin.accumulate(bar, out=bar)
        below = b < bar
        new_run = np.ones(n, dtype=bool)
        new_run[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
        run_start = np.maximum.accumulate(np.where(new_run, np.arange(n), 0))
        on_front = np.empty(n, dtype=bool)
        on_front[order] = below[run_start]
        return on_front
    mask = np.ones(n, dtype=bool)
    for i in range(n):
        others = loss
        dominated = np.all(others <= loss[i], axis=1) & np.any(others < loss[i], axis=1)
        mask[i] = not dominated.any()
    return mask


def non_domination_rank(loss: np.ndarray) -> np.ndarray:
    """0 for the Pareto front, 1 for the front of the rest, and so on."""
    ranks = np.full(len(loss), -1, dtype=np.int64)
    remaining = np.arange(len(loss))
    rank = 0
    while len(remaining):
        front = pareto_mask(loss[remaining])
        ranks[remaining[front]] = rank
        remaining = remaining[~front]
        rank += 1
    return ranks


def hypervolume(points: np.ndarray, reference: np.ndarray) -> float:
    """Volume dominated by ``points`` and bounded by ``reference`` (points beyond it count 0)."""
    pts = points[np.all(points < reference, axis=1)]
    if len(pts) == 0:
        return 0.0
    if pts.shape[1] == 1:
        return float(reference[0] - pts[:, 0].min())
    if pts.shape[1] == 2:
        # Sorted by the first objective, the covered height right of a point is the reference
        # minus the lowest second objective so far: dominated points need no filtering.
        pts = pts[np.argsort(pts[:, 0], kind="stable")]
        widths = np.diff(np.append(pts[:, 0], reference[0]))
        return float(np.sum(widths * (reference[1] - np.minimum.accumulate(pts[:, 1]))))
    # Slice along the last objective: between consecutive levels, the (d-1)-volume of the
    # points at or below the level (HSO); exact, and fast for plot-sized fronts.
    pts = pts[np.argsort(pts[:, -1], kind="stable")]
    levels = np.append(pts[:, -1], reference[-1])
    total = 0.0
    for k in range(len(pts)):
        depth = levels[k + 1] - levels[k]
        if depth > 0:
            total += depth * hypervolume(pts[: k + 1, :-1], reference[:-1])
    return total
