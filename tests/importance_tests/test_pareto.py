"""PED-ANOVA's multi-objective top trials: ranks, hypervolume and the greedy tie-break."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from parabola.importance._ped_anova._pareto import hypervolume, select_top


def _dominated_volume_on_grid(points: np.ndarray, ref: np.ndarray) -> float:
    """Exact hypervolume by checking every cell of the grid of the points' coordinates."""
    axes = [np.unique(np.append(points[:, d], ref[d])) for d in range(points.shape[1])]
    total = 0.0
    for cell in itertools.product(*[range(len(a) - 1) for a in axes]):
        low = np.array([axes[d][i] for d, i in enumerate(cell)])
        size = np.prod([axes[d][i + 1] - axes[d][i] for d, i in enumerate(cell)])
        if np.any(np.all(points <= low, axis=1)):
            total += size
    return float(total)


@pytest.mark.parametrize(("seed", "n_objectives"), [(0, 2), (1, 2), (2, 3), (3, 3), (4, 4)])
def test_hypervolume_equals_the_grid_count(seed: int, n_objectives: int) -> None:
    points = np.random.default_rng(seed).uniform(size=(12, n_objectives))
    ref = np.full(n_objectives, 1.1)
    assert hypervolume(points, ref) == pytest.approx(
        _dominated_volume_on_grid(points, ref), rel=1e-12
    )


def _fronts(losses: np.ndarray) -> list[set[int]]:
    remaining = set(range(len(losses)))
    fronts = []
    while remaining:
        front = {
            i
            for i in remaining
            if not any(
                np.all(losses[j] <= losses[i]) and np.any(losses[j] < losses[i]) for j in remaining
            )
        }
        fronts.append(front)
        remaining -= front
    return fronts


@pytest.mark.parametrize(("seed", "n_objectives"), [(0, 2), (1, 2), (2, 3), (3, 3)])
@pytest.mark.parametrize("n_below", [1, 7, 20, 39, 40])
def test_select_top_takes_whole_fronts_then_cuts_one(
    seed: int, n_objectives: int, n_below: int
) -> None:
    rng = np.random.default_rng(seed)
    losses = np.round(rng.uniform(size=(40, n_objectives)), 1)  # rounding: duplicates, ties
    chosen = set(select_top(losses, n_below).tolist())
    assert len(chosen) == n_below
    taken = 0
    for front in _fronts(losses):
        if taken + len(front) <= n_below:
            assert front <= chosen  # a front that fits is taken whole
            taken += len(front)
        else:
            assert len(chosen & front) == n_below - taken  # the cut front fills the rest
            break


def test_greedy_tie_break_maximises_hypervolume_step_by_step() -> None:
    # One front of five points; choosing 2: the greedy first pick is the largest box, the
    # second the one adding most to it.
    front = np.array([[0.0, 1.0], [0.2, 0.5], [0.5, 0.2], [1.0, 0.0], [0.4, 0.4]])
    chosen = select_top(front, 2)
    ref = np.maximum(1.1 * front.max(axis=0), 0.9 * front.max(axis=0))
    first = int(np.argmax(np.prod(ref - front, axis=1)))
    assert first in chosen
    gains = [hypervolume(front[[first, i]], ref) if i != first else -1 for i in range(5)]
    assert set(chosen.tolist()) == {first, int(np.argmax(gains))}


def test_degenerate_sizes() -> None:
    losses = np.array([[1.0, 2.0], [2.0, 1.0]])
    assert select_top(losses, 0).tolist() == []
    assert select_top(losses, 2).tolist() == [0, 1]
    same = np.ones((5, 2))
    assert len(select_top(same, 3)) == 3
