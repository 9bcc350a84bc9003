"""parabola._hypervolume: exact hypervolume, Pareto masks and box decompositions."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from parabola._hypervolume import hypervolume, is_pareto_front, non_dominated_boxes


def _grid_volume(loss: np.ndarray, ref: np.ndarray) -> float:
    """Brute force on the grid of all coordinates: count dominated cells."""
    m = loss.shape[1]
    axes = [np.unique(np.append(loss[:, j], ref[j])) for j in range(m)]
    total = 0.0
    for cell in itertools.product(*[range(len(a) - 1) for a in axes]):
        lo = np.array([axes[j][c] for j, c in enumerate(cell)])
        hi = np.array([axes[j][c + 1] for j, c in enumerate(cell)])
        if np.any(np.all(loss <= lo, axis=1)):
            total += float(np.prod(hi - lo))
    return total


@pytest.mark.parametrize("m", [2, 3, 4])
def test_hypervolume_matches_brute_force(m: int) -> None:
    rng = np.random.RandomState(m)
    loss = rng.rand(9, m)
    ref = np.full(m, 1.1)
    assert hypervolume(loss, ref) == pytest.approx(_grid_volume(loss, ref), rel=1e-12)


def test_points_beyond_the_reference_add_nothing() -> None:
    loss = np.array([[0.5, 0.5], [2.0, 0.0]])
    assert hypervolume(loss, np.array([1.0, 1.0])) == pytest.approx(0.25)
    assert hypervolume(np.empty((0, 2)), np.array([1.0, 1.0])) == 0.0


def test_bad_shapes_name_the_arguments() -> None:
    with pytest.raises(ValueError, match="reference_point"):
        hypervolume(np.ones((3, 2)), np.ones(3))
    with pytest.raises(ValueError, match="2 or 3 objectives"):
        non_dominated_boxes(np.ones((3, 4)), np.ones(4))


def test_pareto_mask() -> None:
    loss = np.array([[1.0, 3.0], [2.0, 2.0], [3.0, 3.0], [1.0, 3.0], [0.5, 5.0]])
    assert is_pareto_front(loss).tolist() == [True, True, False, True, True]


@pytest.mark.parametrize("m", [2, 3])
def test_boxes_give_the_exact_hypervolume_improvement(m: int) -> None:
    rng = np.random.RandomState(10 + m)
    loss = rng.rand(8, m)
    ref = np.full(m, 1.2)
    lo, hi = non_dominated_boxes(loss, ref)
    base = hypervolume(loss, ref)
    for y in rng.rand(20, m) * 1.3 - 0.1:
        gain = float(np.sum(np.prod(np.maximum(0.0, hi - np.maximum(lo, y)), axis=1)))
        assert gain == pytest.approx(hypervolume(np.vstack([loss, y]), ref) - base, abs=1e-12)


@pytest.mark.parametrize("m", [4, 5])
def test_wfg_matches_brute_force_beyond_three_objectives(m: int) -> None:
    rng = np.random.RandomState(10 + m)
    loss = rng.rand(7, m)
    loss = np.vstack([loss, loss[:2]])  # duplicates count once
    ref = np.full(m, 1.2)
    assert hypervolume(loss, ref) == pytest.approx(_grid_volume(loss, ref), rel=1e-12)


def _random_front(rng: np.random.RandomState, n: int, m: int) -> np.ndarray:
    """Points near the unit sphere (mostly non-dominated), some dominated, some duplicated."""
    x = np.abs(rng.randn(n, m))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    x[: n // 5] *= 1.3  # dominated
    x[-2:] = x[:2]  # duplicates
    return x


@pytest.mark.parametrize("m", [2, 3, 4, 5])
def test_hypervolume_equals_optunas_to_1e_12(m: int) -> None:
    # The differential test against Optuna 5.0 (the bench extra): skipped without it.
    pytest.importorskip("optuna")
    from optuna._hypervolume import compute_hypervolume

    rng = np.random.RandomState(100 + m)
    sizes = {2: [1, 2, 10, 200], 3: [1, 3, 30, 150], 4: [3, 12, 25], 5: [3, 10, 16]}[m]
    for n in sizes:
        for _ in range(3):
            loss = _random_front(rng, n, m)
            ref = np.full(m, 1.5) + rng.rand(m)
            ours, theirs = hypervolume(loss, ref), compute_hypervolume(loss, ref)
            assert abs(ours - theirs) <= 1e-12 * abs(theirs), (n, ours, theirs)
