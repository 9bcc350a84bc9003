"""Functional ANOVA of a fitted regression tree, vectorised over its leaves.

A tree cuts the search box into leaf boxes, each with a constant prediction. Under the uniform
measure on the box, the main effect of a parameter (one column, or the one-hot columns of a
categorical) is the prediction averaged over every other column; it is constant on the cells cut
by the tree's own thresholds on that parameter. Its variance over those cells, divided by the
variance of the whole tree, is the parameter's importance in that tree (Hutter et al., ICML 2014).

Optuna evaluates the main effect by walking the tree once per cell in Python. Here each leaf
contributes ``value x (volume outside the parameter)`` to a contiguous run of cells, so one
difference array and a cumulative sum give every cell at once (an outer product over the
one-hot columns of a categorical, or, when that grid is large, a pairwise sum over leaves that
never lists its cells). The numbers are the same up to rounding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["TreeBoxes", "main_effect_variance", "tree_boxes"]

# Cap on leaves x cells per chunk for categorical parameters (memory of the indicator matrix).
_CHUNK_ELEMENTS = 1 << 22
# Above this many cells in a categorical's product grid, use the pairwise (Gram) form.
_DENSE_CELL_LIMIT = 1 << 10


@dataclass(frozen=True)
class TreeBoxes:
    """A tree as its leaves: box bounds, predictions, and every threshold per column."""

    low: np.ndarray  # (n_leaves, n_columns)
    high: np.ndarray  # (n_leaves, n_columns)
    value: np.ndarray  # (n_leaves,)
    volume: np.ndarray  # (n_leaves,)
    variance: float  # of the prediction over the whole box
    split_feature: np.ndarray  # (n_internal,) column split by each internal node
    split_threshold: np.ndarray  # (n_internal,)


def tree_boxes(
    children_left: np.ndarray,
    children_right: np.ndarray,
    feature: np.ndarray,
    threshold: np.ndarray,
    value: np.ndarray,
    bounds: np.ndarray,
) -> TreeBoxes:
    """Leaf boxes of a binary tree given as sklearn-style node arrays (leaves have feature < 0).

    ``x[feature] <= threshold`` goes left. ``bounds`` is the ``(n_columns, 2)`` search box.
    """
    n_nodes = feature.shape[0]
    low = np.empty((n_nodes, bounds.shape[0]))
    high = np.empty((n_nodes, bounds.shape[0]))
    low[0], high[0] = bounds[:, 0], bounds[:, 1]
    # Breadth-first, one numpy step per depth level: a child's box is its parent's with one
    # side moved to the split threshold.
    frontier = np.zeros(1, dtype=np.int64)
    while frontier.size:
        internal = frontier[feature[frontier] >= 0]
        if internal.size == 0:
            break
        left, right = children_left[internal], children_right[internal]
        column, cut = feature[internal], threshold[internal]
        for child in (left, right):
            low[child], high[child] = low[internal], high[internal]
        high[left, column] = cut
        low[right, column] = cut
        frontier = np.concatenate([left, right])
    is_leaf = feature < 0
    leaf_low, leaf_high = low[is_leaf], high[is_leaf]
    leaf_value = value[is_leaf]
    volume = np.prod(leaf_high - leaf_low, axis=1)
    mean = np.average(leaf_value, weights=volume)
    variance = float(np.average((leaf_value - mean) ** 2, weights=volume))
    return TreeBoxes(
        low=leaf_low,
        high=leaf_high,
        value=leaf_value,
        volume=volume,
        variance=variance,
        split_feature=feature[~is_leaf],
        split_threshold=threshold[~is_leaf],
    )


def main_effect_variance(
    tree: TreeBoxes, parameter_columns: Sequence[int] | np.ndarray, bounds: np.ndarray
) -> float:
    """Variance (uniform measure) of the main effect of the parameter in ``parameter_columns``."""
    columns = [int(c) for c in parameter_columns]
    others = np.ones(bounds.shape[0], dtype=bool)
    others[columns] = False
    # Each leaf's weight: its volume outside the parameter's columns.
    weight = np.prod(tree.high[:, others] - tree.low[:, others], axis=1)
    edges = [_cell_edges(tree, c, bounds) for c in columns]
    split = [i for i, e in enumerate(edges) if e.size > 2]
    if not split:
        return 0.0  # the tree never splits on this parameter: a flat main effect
    if len(split) == 1:
        column = columns[split[0]]
        numerator, denominator, sizes = _run_sums(
            edges[split[0]], tree.low[:, column], tree.high[:, column], tree.value * weight, weight
        )
    else:
        split_columns = [columns[i] for i in split]
        n_cells = int(np.prod([edges[i].size - 1 for i in split]))
        if n_cells > _DENSE_CELL_LIMIT:
            # The product grid doubles with every split one-hot column (a categorical with
            # many choices); the pairwise form costs leaves^2 x columns instead.
            return _pairwise_variance(tree, split_columns, weight, bounds)
        numerator, denominator, sizes = _product_sums(
            [edges[i] for i in split],
            [tree.low[:, c] for c in split_columns],
            [tree.high[:, c] for c in split_columns],
            tree.value * weight,
            weight,
        )
    effect = numerator / denominator
    mean = np.average(effect, weights=sizes)
    variance = float(np.average((effect - mean) ** 2, weights=sizes))
    return max(variance, 0.0)


def _pairwise_variance(
    tree: TreeBoxes, columns: list[int], weight: np.ndarray, bounds: np.ndarray
) -> float:
    """Main-effect variance over a product grid without enumerating its cells.

    With ``c_l`` a leaf's share of the main effect (``a(cell) = sum_l c_l [cell in leaf]``) and
    cells weighted by their size, ``E[a] = sum_l c_l |leaf_l| / T`` and ``E[a^2] = sum_lm c_l
    c_m |leaf_l n leaf_m| / T``, where ``|.|`` is the measure in the parameter's columns: the
    product over columns of interval lengths and overlaps. Leaves with the same intervals in
    those columns are merged first; values are centred on the tree's mean (which shifts the
    effect by a constant) so that ``E[a^2] - E[a]^2`` does not cancel.
    """
    others = np.ones(bounds.shape[0], dtype=bool)
    others[columns] = False
    outside = float(np.prod(bounds[others, 1] - bounds[others, 0]))  # = sum of weights per cell
    mean_value = np.average(tree.value, weights=tree.volume)
    share = (tree.value - mean_value) * weight / outside
    sides = np.concatenate([tree.low[:, columns], tree.high[:, columns]], axis=1)
    patterns, inverse = np.unique(sides, axis=0, return_inverse=True)
    share = np.bincount(inverse.reshape(-1), weights=share, minlength=patterns.shape[0])
    k = len(columns)
    low, high = patterns[:, :k], patterns[:, k:]
    total = float(np.prod(bounds[columns, 1] - bounds[columns, 0]))
    overlap = np.ones((patterns.shape[0], patterns.shape[0]))
    for j in range(k):
        overlap *= np.clip(
            np.minimum(high[:, None, j], high[None, :, j])
            - np.maximum(low[:, None, j], low[None, :, j]),
            0.0,
            None,
        )
    mean = float(share @ np.prod(high - low, axis=1)) / total
    second = float(share @ overlap @ share) / total
    return max(second - mean**2, 0.0)


def _cell_edges(tree: TreeBoxes, column: int, bounds: np.ndarray) -> np.ndarray:
    cuts = np.unique(tree.split_threshold[tree.split_feature == column])
    return np.concatenate(([bounds[column, 0]], cuts, [bounds[column, 1]]))


def _run_sums(
    edges: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    weighted_value: np.ndarray,
    weight: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per cell: sum of value x weight and of weight over the leaves covering it (1 column)."""
    n_cells = edges.size - 1
    # Leaf sides are cell edges exactly (bounds or thresholds): searchsorted finds their index.
    start = np.searchsorted(edges, low)
    stop = np.searchsorted(edges, high)
    sums = []
    for w in (weighted_value, weight):
        delta = np.bincount(start, weights=w, minlength=n_cells + 1)
        delta -= np.bincount(stop, weights=w, minlength=n_cells + 1)
        sums.append(np.cumsum(delta)[:n_cells])
    return sums[0], sums[1], np.diff(edges)


def _product_sums(
    edges: list[np.ndarray],
    low: list[np.ndarray],
    high: list[np.ndarray],
    weighted_value: np.ndarray,
    weight: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Like :func:`_run_sums` on the product grid of several columns (a categorical)."""
    n_leaves = weight.shape[0]
    shape = [e.size - 1 for e in edges]
    n_cells = int(np.prod(shape))
    covers = []
    for e, lo, hi in zip(edges, low, high, strict=True):
        centre = 0.5 * (e[1:] + e[:-1])
        covers.append((lo[:, None] < centre[None, :]) & (centre[None, :] < hi[:, None]))
    numerator = np.zeros(n_cells)
    denominator = np.zeros(n_cells)
    chunk = max(1, _CHUNK_ELEMENTS // n_cells)
    for begin in range(0, n_leaves, chunk):
        part = slice(begin, begin + chunk)
        indicator = covers[0][part].astype(np.float64)
        for cover in covers[1:]:
            indicator = (indicator[:, :, None] * cover[part][:, None, :]).reshape(
                indicator.shape[0], -1
            )
        numerator += weighted_value[part] @ indicator
        denominator += weight[part] @ indicator
    sizes = np.diff(edges[0])
    for e in edges[1:]:
        sizes = np.outer(sizes, np.diff(e)).reshape(-1)
    return numerator, denominator, sizes
