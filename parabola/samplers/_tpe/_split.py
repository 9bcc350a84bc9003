"""Splitting observations into the "good" (below) and "bad" (above) sets of TPE.

Semantics follow Optuna 5.0's TPE: the best ``n_below`` trials by objective go below; when
there are fewer feasible COMPLETE trials than that, PRUNED trials fill in (deepest step first,
then best last intermediate value), then infeasible trials (smallest total violation first).
Running trials (constant liar) always go above. With several objectives the COMPLETE trials are
ranked by non-domination and the last, partially taken front is tie-broken by greedy
hypervolume subset selection (MOTPE).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

__all__ = [
    "hssp_greedy",
    "hypervolume",
    "non_domination_ranks",
    "split_below",
    "split_complete",
]

_Array = np.ndarray[Any, np.dtype[np.float64]]
_IntArray = np.ndarray[Any, np.dtype[np.int64]]
_BoolArray = np.ndarray[Any, np.dtype[np.bool_]]

KIND_COMPLETE = 0
KIND_PRUNED = 1
KIND_RUNNING = 2


def split_below(
    numbers: _IntArray,
    kinds: _IntArray,
    losses: _Array,
    pruned_step: _Array,
    pruned_value: _Array,
    violation: _Array,
    n_below: int,
) -> _BoolArray:
    """Return the mask of rows in the below set.

    Args:
        numbers: Trial number per row (ties are broken by it, for determinism).
        kinds: ``KIND_COMPLETE``, ``KIND_PRUNED`` or ``KIND_RUNNING`` per row.
        losses: Objective values turned into losses (maximised objectives negated), ``(N, m)``.
        pruned_step: ``-last_step`` (``1`` if none) per row: deeper pruned trials sort first.
        pruned_value: Last intermediate value as a loss per row.
        violation: Sum of positive constraint values per row (0 when feasible).
        n_below: How many rows to put below.
    """
    below = np.zeros(len(numbers), dtype=bool)
    finished = kinds != KIND_RUNNING
    infeasible = finished & (violation > 0)
    complete = np.flatnonzero((kinds == KIND_COMPLETE) & ~infeasible)
    pruned = np.flatnonzero((kinds == KIND_PRUNED) & ~infeasible)
    bad = np.flatnonzero(infeasible)

    take = min(n_below, len(complete))
    if take > 0:
        if losses.shape[1] == 1:
            below[_best(complete, numbers[complete], losses[complete, 0], take)] = True
        else:
            below[complete[_select_multi_objective(losses[complete], take)]] = True
    n_below = max(0, n_below - take)

    take = min(n_below, len(pruned))
    if take > 0:
        order = np.lexsort((numbers[pruned], pruned_value[pruned], pruned_step[pruned]))
        below[pruned[order[:take]]] = True
    n_below = max(0, n_below - take)

    take = min(n_below, len(bad))
    if take > 0:
        order = np.lexsort((numbers[bad], violation[bad]))
        below[bad[order[:take]]] = True
    return below


def split_complete(numbers: _IntArray, loss: _Array, n_below: int) -> _BoolArray:
    """:func:`split_below` when every row is a feasible COMPLETE trial of one objective."""
    below = np.zeros(len(numbers), dtype=bool)
    take = min(n_below, len(numbers))
    if take > 0:
        below[_best(np.arange(len(numbers)), numbers, loss, take)] = True
    return below


def _best(rows: _IntArray, numbers: _Array | _IntArray, loss: _Array, take: int) -> _IntArray:
    """The ``take`` rows of smallest ``(loss, number)``, ``0 < take <= len(rows)``."""
    if take < len(rows):
        # Only rows no worse than the take-th smallest loss can be below.
        cut = np.partition(loss, take - 1)[take - 1]
        keep = loss <= cut
        rows, numbers, loss = rows[keep], numbers[keep], loss[keep]
    order = np.lexsort((numbers, loss))
    return rows[order[:take]]


def _select_multi_objective(losses: _Array, n_below: int) -> _IntArray:
    if n_below >= len(losses):
        return np.arange(len(losses))
    ranks = non_domination_ranks(losses, n_below)
    chosen: list[int] = []
    rank = 0
    while True:
        front = np.flatnonzero(ranks == rank)
        if len(chosen) + len(front) <= n_below:
            chosen.extend(front.tolist())
            if len(chosen) == n_below:
                break
            rank += 1
            continue
        pts = losses[front]
        worst = np.max(pts, axis=0)
        ref = np.maximum(1.1 * worst, 0.9 * worst)
        ref[ref == 0] = 1e-12
        picked = hssp_greedy(pts, n_below - len(chosen), ref)
        chosen.extend(front[picked].tolist())
        break
    return np.asarray(sorted(chosen), dtype=np.int64)


def non_domination_ranks(losses: _Array, n_below: int | None = None) -> _IntArray:
    """Rank 0 for the Pareto front, 1 for the next front, ...; ``-1`` past ``n_below`` rows.

    Fronts are peeled from a pairwise dominance matrix; peeling stops once ``n_below`` rows
    have a rank (the rest keep rank ``-1`` and are never used by the split).
    """
    n = len(losses)
    le = np.all(losses[:, None, :] <= losses[None, :, :], axis=2)
    lt = np.any(losses[:, None, :] < losses[None, :, :], axis=2)
    dominates = le & lt  # dominates[i, j]: row i dominates row j
    n_dominators = dominates.sum(axis=0)
    ranks = np.full(n, -1, dtype=np.int64)
    limit = n if n_below is None else n_below
    rank, done = 0, 0
    remaining = np.ones(n, dtype=bool)
    while done < limit and remaining.any():
        front = remaining & (n_dominators == 0)
        ranks[front] = rank
        remaining &= ~front
        done += int(front.sum())
        n_dominators = n_dominators - dominates[front].sum(axis=0)
        rank += 1
    return ranks


def hypervolume(points: _Array, ref: _Array) -> float:
    """Hypervolume dominated by ``points`` (losses) up to ``ref``; exact, by slicing."""
    pts = points[np.all(points < ref, axis=1)]
    if len(pts) == 0:
        return 0.0
    m = pts.shape[1]
    if m == 1:
        return float(ref[0] - pts[:, 0].min())
    if m == 2:
        pts = pts[np.lexsort((pts[:, 1], pts[:, 0]))]
        best = np.minimum.accumulate(pts[:, 1])
        widths = np.append(pts[1:, 0], ref[0]) - pts[:, 0]
        return float(np.sum(widths * (ref[1] - best)))
    if m == 3 and len(pts) <= 64:
        return _hypervolume_grid3(pts, ref)
    # Slice along the last objective; each slab is a (m-1)-dimensional problem.
    order = np.argsort(pts[:, -1])
    pts = pts[order]
    total = 0.0
    for i in range(len(pts)):
        upper = pts[i + 1, -1] if i + 1 < len(pts) else ref[-1]
        depth = upper - pts[i, -1]
        if depth > 0:
            total += depth * hypervolume(pts[: i + 1, :-1], ref[:-1])
    return total


def _hypervolume_grid3(pts: _Array, ref: _Array) -> float:
    """Exact 3-D hypervolume on the grid of the points' coordinates (few numpy calls)."""
    axes = [np.unique(np.append(pts[:, k], ref[k])) for k in range(3)]
    idx = [np.searchsorted(axes[k], pts[:, k]) for k in range(3)]
    grid = np.zeros(tuple(len(a) - 1 for a in axes), dtype=bool)
    grid[idx[0], idx[1], idx[2]] = True
    # A cell is dominated when some point sits at or below it on every axis.
    for k in range(3):
        grid = np.logical_or.accumulate(grid, axis=k)
    widths = [np.diff(a) for a in axes]
    volume = np.einsum("ijk,i,j,k->", grid.astype(float), *widths)
    return float(volume)


def hssp_greedy(points: _Array, k: int, ref: _Array) -> _IntArray:
    """Greedily pick ``k`` rows of ``points`` that add the most hypervolume, one at a time.

    Lazy greedy: a point's exclusive contribution can only shrink as the chosen set grows
    (hypervolume is submodular), so stale contributions are upper bounds and only the current
    leader is re-evaluated until it stays ahead. The result for identical inputs is memoised:
    consecutive trials usually see the same front.
    """
    key = (points.tobytes(), points.shape, k, ref.tobytes())
    cached = _HSSP_CACHE.get(key)
    if cached is not None:
        return np.array(cached, dtype=np.int64)
    n = len(points)
    if points.shape[1] in (2, 3):
        out = _hssp_grid(points, k, ref)
        _HSSP_CACHE.clear()
        _HSSP_CACHE[key] = out
        return np.array(out, dtype=np.int64)
    bound = np.prod(ref - points, axis=1)  # contribution to the empty set: the point's box
    fresh = np.zeros(n, dtype=bool)
    chosen: list[int] = []
    alive = np.ones(n, dtype=bool)
    for _ in range(min(k, n)):
        fresh[:] = False
        while True:
            i = int(np.argmax(np.where(alive, bound, -np.inf)))
            if fresh[i]:
                break
            if chosen:
                # Exclusive contribution: the point's box minus what the chosen set covers.
                covered = hypervolume(np.maximum(points[chosen], points[i]), ref)
                bound[i] = np.prod(ref - points[i]) - covered
            fresh[i] = True
        chosen.append(i)
        alive[i] = False
    out = np.asarray(chosen, dtype=np.int64)
    _HSSP_CACHE.clear()  # one entry, like Optuna's lru_cache(maxsize=1)
    _HSSP_CACHE[key] = out
    return np.array(out, dtype=np.int64)


def _hssp_grid(points: _Array, k: int, ref: _Array) -> _IntArray:
    """Plain greedy HSSP in 2 or 3 objectives, every candidate's contribution at once.

    The region not yet covered by the chosen points is piecewise constant on the grid of their
    coordinates, so ``G(x) = volume of [x, ref] outside the chosen set's dominated region`` is
    multilinear inside each grid cell: suffix sums give ``G`` at the cell corners and
    multilinear interpolation gives it exactly at every candidate, which is its exclusive
    contribution.
    """
    n, m = points.shape
    lo = points.min(axis=0)
    chosen: list[int] = []
    alive = np.ones(n, dtype=bool)
    corners = list(itertools.product((0, 1), repeat=m))
    for _ in range(min(k, n)):
        if chosen:
            sel = points[chosen]
            axes = [np.unique(np.concatenate([[lo[d]], sel[:, d], [ref[d]]])) for d in range(m)]
            marks = np.zeros(tuple(len(a) - 1 for a in axes), dtype=bool)
            marks[tuple(np.searchsorted(axes[d], sel[:, d]) for d in range(m))] = True
            for d in range(m):
                marks = np.logical_or.accumulate(marks, axis=d)
            free = (~marks).astype(float)
            for d in range(m):
                shape = [1] * m
                shape[d] = -1
                free = free * np.diff(axes[d]).reshape(shape)
            # Suffix sums: g[i, j, ...] = free volume of the cells at or above corner (i, j, ...).
            g = np.zeros(tuple(len(a) for a in axes))
            g[tuple(slice(0, -1) for _ in range(m))] = free
            for d in range(m):
                g = np.flip(np.cumsum(np.flip(g, axis=d), axis=d), axis=d)
            cell = [
                np.clip(
                    np.searchsorted(axes[d], points[:, d], side="right") - 1, 0, len(axes[d]) - 2
                )
                for d in range(m)
            ]
            frac = [
                (points[:, d] - axes[d][cell[d]]) / (axes[d][cell[d] + 1] - axes[d][cell[d]])
                for d in range(m)
            ]
            gain = np.zeros(n)
            for corner in corners:
                weight = np.ones(n)
                for d, c in enumerate(corner):
                    weight = weight * (frac[d] if c else 1.0 - frac[d])
                gain += weight * g[tuple(cell[d] + c for d, c in enumerate(corner))]
        else:
            gain = np.prod(ref - points, axis=1)
        i = int(np.argmax(np.where(alive, gain, -np.inf)))
        chosen.append(i)
        alive[i] = False
    return np.asarray(chosen, dtype=np.int64)


_HSSP_CACHE: dict[tuple[bytes, tuple[int, ...], int, bytes], _IntArray] = {}
