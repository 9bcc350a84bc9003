"""Exact hypervolume, Pareto fronts and box decompositions for minimisation problems.

All functions take *loss* values (every objective minimised; flip the sign of maximised ones)
as an ``(n, m)`` array and a reference point of length ``m`` that bounds the region of interest.
Two and three objectives have fast exact paths (a sweep, and slabs of two-objective sweeps);
four and more use WFG (While, Bradstreet and Barone, 2012): the sum over the points, sorted
by the first objective, of each one's exclusive contribution, computed from the volume of the
later points limited to the region it dominates. It is exact; its cost grows quickly with the
number of objectives and of points (about a second for 100 points in 5-D).

Used by ``GPSampler``'s expected hypervolume improvement (the box decomposition) and meant to be
shared with the other multi-objective samplers and plots.

Example:
    >>> import numpy as np
    >>> from parabola._hypervolume import hypervolume
    >>> hypervolume(np.array([[1.0, 2.0], [2.0, 1.0]]), np.array([3.0, 3.0]))
    3.0
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["hypervolume", "is_pareto_front", "non_dominated_boxes"]

_Array = np.ndarray[Any, np.dtype[np.float64]]


def is_pareto_front(loss: _Array) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Mask of the rows of ``loss`` that no other row dominates (duplicates all kept).

    Example:
        >>> import numpy as np
        >>> is_pareto_front(np.array([[1.0, 2.0], [2.0, 1.0], [2.0, 2.0]])).tolist()
        [True, True, False]
    """
    loss = np.asarray(loss, dtype=float)
    n = len(loss)
    if n == 0:
        return np.zeros(0, dtype=bool)
    # Row i is dominated if some row is <= everywhere and < somewhere: one (n, n) comparison is
    # cheaper than a Python loop for the front sizes a sampler sees (hundreds of points).
    le = np.all(loss[:, None, :] <= loss[None, :, :], axis=2)
    lt = np.any(loss[:, None, :] < loss[None, :, :], axis=2)
    dominated = np.any(le & lt, axis=0)
    return np.asarray(~dominated)


def _front_2d(points: _Array) -> _Array:
    """Non-dominated rows of a 2-D set, sorted by the first objective (second decreasing)."""
    order = np.lexsort((points[:, 1], points[:, 0]))
    pts = points[order]
    keep = []
    best = np.inf
    for i, y in enumerate(pts[:, 1]):
        if y < best:
            keep.append(i)
            best = y
    return pts[keep]


def _hv_2d(points: _Array, ref: _Array) -> float:
    front = _front_2d(points)
    if len(front) == 0:
        return 0.0
    xs = np.append(front[1:, 0], ref[0])
    return float(np.sum((xs - front[:, 0]) * (ref[1] - front[:, 1])))


def _hv_recursive(points: _Array, ref: _Array) -> float:
    m = points.shape[1]
    if len(points) == 0:
        return 0.0
    if m == 1:
        return float(ref[0] - points[:, 0].min())
    if m == 2:
        return _hv_2d(points, ref)
    # Slabs along the last objective: between consecutive values, the dominated region is that
    # of the points already passed, projected onto the other objectives.
    order = np.argsort(points[:, -1], kind="stable")
    pts = points[order]
    zs = np.append(pts[:, -1], ref[-1])
    total = 0.0
    for k in range(len(pts)):
        thickness = zs[k + 1] - zs[k]
        if thickness > 0:
            total += thickness * _hv_recursive(pts[: k + 1, :-1], ref[:-1])
    return total


def _unique_front(points: _Array) -> _Array:
    """Distinct non-dominated rows, sorted by the first objective."""
    order = np.lexsort(points.T[::-1])
    pts = points[order]
    if len(pts) > 1:
        distinct = np.any(pts[1:] != pts[:-1], axis=1)
        pts = pts[np.concatenate([[True], distinct])]
    # Sorted lexicographically, a row can only be dominated by an earlier one: weak dominance
    # by any earlier row is enough (the rows are distinct).
    n = len(pts)
    if n <= 1:
        return pts
    weakly = np.all(pts[:, None, :] <= pts[None, :, :], axis=2)
    dominated = np.any(np.triu(weakly, k=1), axis=0)
    out: _Array = pts[~dominated]
    return out


def _hv_wfg(front: _Array, ref: _Array) -> float:
    """WFG on distinct non-dominated rows sorted by the first objective."""
    n = len(front)
    if n == 0:
        return 0.0
    inclusive = np.prod(ref - front, axis=1)
    if n == 1:
        return float(inclusive[0])
    if n == 2:
        both = np.prod(ref - np.maximum(front[0], front[1]))
        return float(inclusive[0] + inclusive[1] - both)
    if front.shape[1] <= 3:
        return _hv_recursive(front, ref)
    total = float(inclusive[-1])
    for i in range(n - 1):
        # What the later points add inside the box of point i is point i's overlap with them;
        # its exclusive volume is its box minus that.
        limited = _unique_front(np.maximum(front[i + 1 :], front[i]))
        total += float(inclusive[i]) - _hv_wfg(limited, ref)
    return total


def hypervolume(loss: _Array, reference_point: _Array) -> float:
    """Volume dominated by ``loss`` and bounded by ``reference_point`` (all minimised).

    Rows that do not lie strictly below the reference point in every objective add nothing.

    Raises:
        ValueError: if the shapes of ``loss`` and ``reference_point`` do not match.

    Example:
        >>> import numpy as np
        >>> hypervolume(np.array([[0.0, 0.0, 0.0]]), np.array([1.0, 2.0, 3.0]))
        6.0
    """
    pts = np.asarray(loss, dtype=float)
    ref = np.asarray(reference_point, dtype=float)
    if pts.ndim != 2 or ref.ndim != 1 or (len(pts) and pts.shape[1] != len(ref)):
        raise ValueError(
            f"hypervolume(loss=..., reference_point=...): expected an (n, m) array and m values,"
            f" got shapes {pts.shape} and {ref.shape}."
        )
    pts = pts[np.all(pts < ref, axis=1)]
    if len(pts) == 0:
        return 0.0
    if pts.shape[1] >= 4:
        return _hv_wfg(_unique_front(pts), ref)
    return float(_hv_recursive(pts[is_pareto_front(pts)], ref))


def _boxes_2d(front: _Array, ref: _Array) -> tuple[_Array, _Array]:
    # front sorted by x increasing (so y decreasing). Box i spans x in [p_i.x, p_{i+1}.x) and
    # y below p_i.y, with p_0 = (-inf, ref.y) and p_{k+1}.x = ref.x.
    xs_lo = np.concatenate([[-np.inf], front[:, 0]])
    xs_hi = np.concatenate([front[:, 0], [ref[0]]])
    ys_hi = np.concatenate([[ref[1]], front[:, 1]])
    lower = np.stack([xs_lo, np.full(len(xs_lo), -np.inf)], axis=1)
    upper = np.stack([xs_hi, ys_hi], axis=1)
    keep = upper[:, 0] > lower[:, 0]
    return lower[keep], upper[keep]


def non_dominated_boxes(loss: _Array, reference_point: _Array) -> tuple[_Array, _Array]:
    """Disjoint boxes ``[lower, upper]`` that tile the region below ``reference_point`` that no
    row of ``loss`` weakly dominates (lower bounds may be ``-inf``).

    The hypervolume improvement of a new point ``y`` is then
    ``sum_b prod_j max(0, upper[b, j] - max(lower[b, j], y_j))``, which is what makes expected
    hypervolume improvement exact in closed form for independent Gaussian predictions.
    Two objectives give ``k + 1`` boxes for ``k`` front points, three give ``O(k^2)``.

    Raises:
        ValueError: for other than 2 or 3 objectives.

    Example:
        >>> import numpy as np
        >>> lo, hi = non_dominated_boxes(np.array([[1.0, 1.0]]), np.array([2.0, 2.0]))
        >>> lo.tolist(), hi.tolist()
        ([[-inf, -inf], [1.0, -inf]], [[1.0, 2.0], [2.0, 1.0]])
    """
    pts = np.asarray(loss, dtype=float)
    ref = np.asarray(reference_point, dtype=float)
    if pts.ndim != 2 or pts.shape[1] not in (2, 3) or len(ref) != pts.shape[1]:
        raise ValueError(
            f"non_dominated_boxes(loss=...): expected 2 or 3 objectives matching the reference "
            f"point, got shapes {pts.shape} and {ref.shape}."
        )
    pts = pts[np.all(pts < ref, axis=1)]
    if pts.shape[1] == 2:
        return _boxes_2d(_front_2d(pts), ref)
    pts = pts[is_pareto_front(pts)] if len(pts) else pts
    order = np.argsort(pts[:, 2], kind="stable")
    pts = pts[order]
    zs = np.concatenate([[-np.inf], pts[:, 2], [ref[2]]])
    lowers: list[_Array] = []
    uppers: list[_Array] = []
    for k in range(len(pts) + 1):
        z_lo, z_hi = zs[k], zs[k + 1]
        if not z_hi > z_lo:
            continue
        # In this slab only the first k points (z <= z_lo) dominate anything.
        lo2, hi2 = _boxes_2d(_front_2d(pts[:k, :2]), ref[:2])
        lowers.append(np.column_stack([lo2, np.full(len(lo2), z_lo)]))
        uppers.append(np.column_stack([hi2, np.full(len(hi2), z_hi)]))
    if not lowers:
        return np.empty((0, 3)), np.empty((0, 3))
    return np.concatenate(lowers), np.concatenate(uppers)
