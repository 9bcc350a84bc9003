"""NSGA-II's crowding-distance cut takes the same trials, in the same order, as Optuna's."""

from __future__ import annotations

import numpy as np
import pytest

from parabola.samplers._nsga2._dominance import crowding_distance, crowding_order

optuna = pytest.importorskip("optuna")
_eps = pytest.importorskip("optuna.samplers.nsgaii._elite_population_selection_strategy")


def _optuna_order(values: np.ndarray) -> tuple[list[int], list[float]]:
    trials = [
        optuna.trial.create_trial(values=list(map(float, row)), params={}, distributions={})
        for row in values
    ]
    for i, t in enumerate(trials):
        t.number = i
    dist = _eps._calc_crowding_distance(list(trials))
    population = list(trials)
    _eps._crowding_distance_sort(population)
    return [t.number for t in population], [dist[i] for i in range(len(trials))]


@pytest.mark.parametrize("seed", range(40))
def test_order_and_distances_equal_optunas(seed: int) -> None:
    rng = np.random.RandomState(seed)
    n, m = rng.randint(1, 12), rng.randint(2, 4)
    # Few distinct values, so ties (and all-equal objectives) are common; some infinities.
    values = rng.randint(0, 4, size=(n, m)).astype(float)
    if seed % 5 == 0:
        values[:, 0] = 1.0
    if seed % 7 == 0:
        values[rng.randint(n), rng.randint(m)] = np.inf
    order, dist = _optuna_order(values)
    assert crowding_order(values) == order
    np.testing.assert_array_equal(crowding_distance(values), np.array(dist))
