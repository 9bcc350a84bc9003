"""The top trials of a multi-objective study: non-domination rank, then hypervolume tie-break.

PED-ANOVA with no ``target`` on a multi-objective study asks which parameters matter to reach the
Pareto front. As in Optuna 5.0 (and multi-objective TPE), the top ``n`` trials are the best
non-domination ranks; the rank that does not fit whole is cut by greedy hypervolume subset
selection (HSSP). This module works on a loss matrix (lower is better), nothing else.
"""

from __future__ import annotations

import numpy as np

__all__ = ["hypervolume", "select_top"]

_EPS = 1e-12


def select_top(losses: np.ndarray, n_below: int) -> np.ndarray:
    """Indices (ascending) of the ``n_below`` best rows of ``losses`` (``(n, m)``, minimised)."""
    n = losses.shape[0]
    if n_below <= 0:
        return np.zeros(0, dtype=np.int64)
    if n_below >= n:
        return np.arange(n)
    ranks = _ranks_until(losses, n_below)
    chosen: list[int] = []
    rank = 0
    while True:
        front = np.flatnonzero(ranks == rank)
        if len(chosen) + front.size > n_below:
            points = losses[front]
            worst = points.max(axis=0)
            ref = np.maximum(1.1 * worst, 0.9 * worst)
            ref[ref == 0] = _EPS
            picked = _hssp(points, n_below - len(chosen), ref)
            chosen.extend(front[picked].tolist())
            break
        chosen.extend(front.tolist())
        if len(chosen) == n_below:
            break
        rank += 1
    return np.sort(np.asarray(chosen, dtype=np.int64))


def _ranks_until(losses: np.ndarray, n_below: int) -> np.ndarray:
    """Non-domination rank of each row, exact until ``n_below`` rows are ranked (rest: -1)."""
    unique, inverse = np.unique(losses, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    multiplicity = np.bincount(inverse, minlength=unique.shape[0])
    ranks = np.full(unique.shape[0], -1, dtype=np.int64)
    remaining = np.arange(unique.shape[0])
    ranked, rank = 0, 0
    while ranked < n_below and remaining.size:
        on_front = _front_of_lexsorted(unique[remaining])
        ranks[remaining[on_front]] = rank
        ranked += int(multiplicity[remaining[on_front]].sum())
        remaining = remaining[~on_front]
        rank += 1
    out: np.ndarray = ranks[inverse]
    return out


def _front_of_lexsorted(points: np.ndarray) -> np.ndarray:
    """Non-dominated mask of unique, lexicographically sorted rows.

    Sorted unique rows can only be dominated by earlier rows, which makes one forward pass
    enough.
    """
    n, m = points.shape
    if m == 2:
        # Sorted by the first objective: a row is on the front iff it beats every earlier
        # row on the second.
        best_before = np.minimum.accumulate(np.append(np.inf, points[:-1, 1]))
        mask: np.ndarray = points[:, 1] < best_before
        return mask
    on_front = np.zeros(n, dtype=bool)
    alive = np.ones(n, dtype=bool)
    for i in range(n):
        if not alive[i]:
            continue
        on_front[i] = True
        # Unique rows: "<= everywhere" already means "dominates".
        alive[i:] &= ~np.all(points[i] <= points[i:], axis=1)
    return on_front


def _hssp(points: np.ndarray, k: int, ref: np.ndarray) -> np.ndarray:
    """Greedily pick ``k`` rows of one front that add the most hypervolume (Optuna's rules)."""
    n = points.shape[0]
    if k >= n:
        return np.arange(n)
    unique, first = np.unique(points, axis=0, return_index=True)
    if unique.shape[0] < k:
        # Every distinct point, then duplicates in their original order.
        keep = np.zeros(n, dtype=bool)
        keep[first] = True
        keep[np.flatnonzero(~keep)[: k - unique.shape[0]]] = True
        return np.flatnonzero(keep)
    if not np.all(np.isfinite(ref)):
        return first[:k]
    if unique.shape[0] == k:
        return first
    picked = _greedy_2d(unique, k, ref) if unique.shape[1] == 2 else _greedy_nd(unique, k, ref)
    out: np.ndarray = first[picked]
    return out


def _greedy_2d(points: np.ndarray, k: int, ref: np.ndarray) -> np.ndarray:
    # Points of one front sorted by x (so y decreases): a candidate's exclusive contribution is
    # the box from it to (x of the nearest chosen point on its right, y of the nearest on its
    # left), capped by the reference point.
    n = points.shape[0]
    right_x = np.full(n, ref[0])
    left_y = np.full(n, ref[1])
    alive = np.ones(n, dtype=bool)
    chosen = np.zeros(k, dtype=np.int64)
    for j in range(k):
        gain = np.where(alive, (right_x - points[:, 0]) * (left_y - points[:, 1]), -np.inf)
        best = int(np.argmax(gain))
        chosen[j] = best
        alive[best] = False
        right_x[:best] = np.minimum(right_x[:best], points[best, 0])
        left_y[best + 1 :] = np.minimum(left_y[best + 1 :], points[best, 1])
    return chosen


def _greedy_nd(points: np.ndarray, k: int, ref: np.ndarray) -> np.ndarray:
    # Lazy greedy: hypervolume is submodular, so a stale contribution is an upper bound and only
    # candidates whose bound beats the best fresh contribution need recomputing.
    n = points.shape[0]
    boxes = np.prod(ref - points, axis=1)
    bound = boxes.copy()
    alive = np.ones(n, dtype=bool)
    chosen: list[int] = []
    for _ in range(k):
        if chosen:
            selected = points[chosen]
            best_fresh = -np.inf
            for i in np.argsort(-np.where(alive, bound, -np.inf), kind="stable"):
                if not alive[i] or bound[i] < best_fresh:
                    continue
                bound[i] = boxes[i] - hypervolume(np.maximum(selected, points[i]), ref)
                best_fresh = max(best_fresh, bound[i])
        best = int(np.argmax(np.where(alive, bound, -np.inf)))
        chosen.append(best)
        alive[best] = False
    return np.asarray(chosen, dtype=np.int64)


def hypervolume(points: np.ndarray, ref: np.ndarray) -> float:
    """Volume dominated by ``points`` (minimised) and bounded by ``ref``; exact, by slicing."""
    points = points[np.all(points < ref, axis=1)]
    if points.shape[0] == 0:
        return 0.0
    if points.shape[1] == 1:
        return float(ref[0] - points[:, 0].min())
    if points.shape[1] == 2:
        points = points[np.lexsort((points[:, 1], points[:, 0]))]
        best_y = np.minimum.accumulate(points[:, 1])
        widths = np.append(points[1:, 0], ref[0]) - points[:, 0]
        return float(widths @ (ref[1] - best_y))
    points = points[np.argsort(points[:, -1], kind="stable")]
    tops = np.append(points[1:, -1], ref[-1])
    total = 0.0
    for i in range(points.shape[0]):
        depth = tops[i] - points[i, -1]
        if depth > 0:
            total += depth * hypervolume(points[: i + 1, :-1], ref[:-1])
    return total
