"""NSGA-III's selection on the last front: reference points, normalisation and niching.

Deb and Jain (2014). The objective values of the candidates are translated to the ideal point
and scaled by the intercepts of the hyperplane through the extreme points; each candidate is
then associated with the reference line (origin to a reference point) it is nearest to, and
the last front's members are admitted one by one to the least crowded lines, so that the
population spreads over the reference directions instead of by crowding distance.
Values are minimised (the sampler flips maximised objectives first).
"""

from __future__ import annotations

from itertools import combinations_with_replacement
from typing import Any

import numpy as np

__all__ = ["associate", "das_dennis", "niche_select", "normalise"]

_Array = np.ndarray[Any, np.dtype[np.float64]]
_Int = np.ndarray[Any, np.dtype[np.intp]]
# Infinite values are clipped this many ranges beyond the finite ones (Optuna's factor).
_INF_MARGIN = 3.0


def das_dennis(n_objectives: int, dividing_parameter: int) -> _Array:
    """Das and Dennis's points: every point of the unit simplex whose coordinates are
    multiples of ``1 / dividing_parameter`` (``C(m + p - 1, p)`` points).

    Example:
        >>> das_dennis(2, 2).tolist()
        [[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]]
    """
    combos = list(combinations_with_replacement(range(n_objectives), dividing_parameter))
    points = np.zeros((len(combos), n_objectives))
    for row, combo in enumerate(combos):
        for j in combo:
            points[row, j] += 1.0
    out: _Array = points / dividing_parameter
    return out


def normalise(values: _Array) -> _Array:
    """Objective values translated to the ideal point and scaled by the hyperplane's intercepts.

    The extreme point of each axis minimises the achievement scalarising function with
    weights ``1`` on that axis and ``1e6`` elsewhere. When they do not span a hyperplane with
    positive intercepts (degenerate or too few distinct points), each axis is scaled by its
    largest translated value instead.
    """
    f = np.array(values, dtype=float)
    finite = np.where(np.isfinite(f), f, np.nan)
    if np.isnan(finite).all(axis=0).any():  # an objective with no finite value at all
        finite = np.where(np.isnan(finite), 0.0, finite)
    lo, hi = np.nanmin(finite, axis=0), np.nanmax(finite, axis=0)
    margin = _INF_MARGIN * (hi - lo)
    f = np.clip(np.nan_to_num(f, nan=np.inf), lo - margin, hi + margin)
    f -= f.min(axis=0)
    m = f.shape[1]
    weights = np.where(np.eye(m) == 1.0, 1.0, 1e6)
    asf = np.max(f[None, :, :] * weights[:, None, :], axis=2)  # (axis, point)
    extreme = f[np.argmin(asf, axis=1)]
    inverse: _Array | None = None
    if np.linalg.matrix_rank(extreme) == m:
        candidate = np.linalg.solve(extreme, np.ones(m))
        if np.all(np.isfinite(candidate)) and np.all(candidate > 0):
            inverse = candidate
    if inverse is None:
        top = f.max(axis=0)
        inverse = 1.0 / np.where(top > 0, top, 1.0)
    out: _Array = f * inverse
    return out


def associate(normalised: _Array, reference_points: _Array) -> tuple[_Int, _Array]:
    """For each point: the nearest reference line (through the origin) and its distance."""
    directions = reference_points / np.linalg.norm(reference_points, axis=1, keepdims=True)
    along = normalised @ directions.T  # (point, line)
    squared = np.sum(normalised**2, axis=1, keepdims=True) - along**2
    distance = np.sqrt(np.maximum(squared, 0.0))
    nearest: _Int = np.argmin(distance, axis=1)
    return nearest, distance[np.arange(len(normalised)), nearest]


def niche_select(
    n_select: int,
    n_elite: int,
    nearest: _Int,
    distance: _Array,
    n_lines: int,
    rng: np.random.RandomState,
) -> list[int]:
    """Indices (into the last front, which follows the ``n_elite`` already chosen) of the
    ``n_select`` members admitted.

    Repeatedly: among the lines that still have last-front members, one with the fewest
    members chosen so far (ties at random) admits its nearest member if it has none yet,
    else a random one.
    """
    count = np.bincount(nearest[:n_elite], minlength=n_lines)
    members: dict[int, list[int]] = {}
    for k, line in enumerate(nearest[n_elite:]):
        members.setdefault(int(line), []).append(k)
    chosen: list[int] = []
    while len(chosen) < n_select:
        open_lines = np.array(sorted(members))
        fewest = open_lines[count[open_lines] == count[open_lines].min()]
        line = int(fewest[rng.randint(len(fewest))])
        pool = members[line]
        if count[line] == 0:
            pick = min(range(len(pool)), key=lambda i: distance[n_elite + pool[i]])
        else:
            pick = rng.randint(len(pool))
        chosen.append(pool.pop(pick))
        count[line] += 1
        if not pool:
            del members[line]
    return chosen
