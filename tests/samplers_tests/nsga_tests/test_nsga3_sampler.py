"""NSGAIIISampler: the sampler contract, reference points, normalisation, niching and errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest

import parabola
from parabola.distributions import BaseDistribution
from parabola.samplers import (
    BaseSampler,
    NSGAIIISampler,
    PolynomialMutation,
    UNDXCrossover,
)
from parabola.samplers._nsga3._niching import associate, das_dennis, niche_select, normalise
from parabola.storages import InMemoryStorage
from parabola.testing.samplers import SamplerContract


class TestNSGAIIISampler(SamplerContract):
    def create_sampler(
        self, seed: int | None, search_space: Mapping[str, BaseDistribution]
    ) -> BaseSampler:
        # Small generations, so the contract's 12 trials reach the genetic part.
        return NSGAIIISampler(population_size=4, seed=seed)


class TestNSGAIIISamplerUNDXPolynomial(SamplerContract):
    def create_sampler(
        self, seed: int | None, search_space: Mapping[str, BaseDistribution]
    ) -> BaseSampler:
        return NSGAIIISampler(
            population_size=4, seed=seed, crossover=UNDXCrossover(), mutation=PolynomialMutation()
        )


def _dtlz2(trial: parabola.Trial) -> tuple[float, float, float]:
    x = [trial.suggest_float(f"x{i}", 0.0, 1.0) for i in range(5)]
    g = sum((v - 0.5) ** 2 for v in x[2:])
    c0, c1 = np.cos(x[0] * np.pi / 2), np.cos(x[1] * np.pi / 2)
    s0, s1 = np.sin(x[0] * np.pi / 2), np.sin(x[1] * np.pi / 2)
    return (1 + g) * c0 * c1, (1 + g) * c0 * s1, (1 + g) * s0


def _study(sampler: BaseSampler, directions: list[str] | None = None) -> parabola.Study:
    return parabola.create_study(
        directions=directions or ["minimize"] * 3, sampler=sampler, storage=InMemoryStorage()
    )


def test_das_dennis_points_cover_the_simplex() -> None:
    points = das_dennis(3, 3)
    assert points.shape == (10, 3)  # C(3 + 3 - 1, 3)
    assert np.allclose(points.sum(axis=1), 1.0)
    assert len({tuple(p) for p in points}) == 10
    assert das_dennis(2, 4).tolist() == [[1.0, 0.0], [0.75, 0.25], [0.5, 0.5], [0.25, 0.75], [0, 1]]


def test_normalise_scales_by_the_extreme_points_hyperplane() -> None:
    # Points on the plane x/2 + y/4 + z/8 = 1 shifted by (1, 1, 1): the intercepts are 2, 4, 8.
    values = np.array([[2.0, 0.0, 0.0], [0.0, 4.0, 0.0], [0.0, 0.0, 8.0], [1.0, 2.0, 0.0]]) + 1
    norm = normalise(values)
    assert np.allclose(norm[:3], np.eye(3))
    assert np.allclose(norm[3], [0.5, 0.5, 0.0])


def test_normalise_falls_back_on_a_degenerate_hyperplane_and_clips_infinities() -> None:
    values = np.array([[1.0, 1.0], [1.0, 1.0], [3.0, 5.0], [np.inf, 2.0]])
    norm = normalise(values)
    assert np.all(np.isfinite(norm)) and norm.min() == 0.0 and norm.max() == pytest.approx(1.0)


def test_associate_finds_the_nearest_line() -> None:
    refs = das_dennis(2, 2)  # directions (1, 0), (0.5, 0.5), (0, 1)
    nearest, distance = associate(np.array([[2.0, 0.0], [1.0, 1.1], [0.1, 3.0]]), refs)
    assert nearest.tolist() == [0, 1, 2]
    assert distance[0] == 0.0 and distance[1] == pytest.approx(0.1 / np.sqrt(2))


def test_niching_fills_empty_lines_first_with_their_nearest_member() -> None:
    # Elite: two members on line 0. Last front: two on line 0, two on line 1 (distances 0.3,
    # 0.1). One admission goes to the empty line 1, and to its nearest member (index 3).
    nearest = np.array([0, 0, 0, 0, 1, 1])
    distance = np.array([0.0, 0.0, 0.5, 0.6, 0.3, 0.1])
    rng = np.random.RandomState(0)
    assert niche_select(1, 2, nearest, distance, 3, rng) == [3]
    assert sorted(niche_select(4, 2, nearest, distance, 3, rng)) == [0, 1, 2, 3]


def test_generations_and_improvement_over_random() -> None:
    study = _study(NSGAIIISampler(population_size=20, seed=0))
    study.optimize(_dtlz2, n_trials=300)
    gens = [t.system_attrs["nsga3:generation"] for t in study.trials]
    assert gens == sorted(gens) and gens[0] == 0 and gens[-1] == 14
    assert "nsga2:generation" not in study.trials[0].system_attrs
    random = _study(parabola.samplers.RandomSampler(seed=0))
    random.optimize(_dtlz2, n_trials=300)

    def distance_to_front(s: parabola.Study) -> float:
        return float(np.mean([np.linalg.norm(t.values) - 1 for t in s.trials[-60:]]))

    assert distance_to_front(study) < 0.5 * distance_to_front(random)


def test_selection_differs_from_nsga2() -> None:
    def run(cls: Any) -> list[dict[str, Any]]:
        study = _study(cls(population_size=10, seed=0))
        study.optimize(_dtlz2, n_trials=60)
        return [t.params for t in study.trials]

    two, three = run(parabola.samplers.NSGAIISampler), run(NSGAIIISampler)
    assert two[:10] == three[:10]  # generation 0 is random in both
    assert two != three


def test_reproducible_and_seed_sensitive() -> None:
    def run(seed: int) -> list[dict[str, Any]]:
        study = _study(NSGAIIISampler(population_size=5, seed=seed))
        study.optimize(_dtlz2, n_trials=30)
        return [t.params for t in study.trials]

    assert run(3) == run(3)
    assert run(3) != run(4)


def test_maximised_objectives_are_flipped_before_normalising() -> None:
    def negated(trial: parabola.Trial) -> tuple[float, ...]:
        return tuple(-v for v in _dtlz2(trial))

    lo = _study(NSGAIIISampler(population_size=8, seed=1))
    lo.optimize(_dtlz2, n_trials=48)
    hi = _study(NSGAIIISampler(population_size=8, seed=1), ["maximize"] * 3)
    hi.optimize(negated, n_trials=48)
    assert [t.params for t in lo.trials] == [t.params for t in hi.trials]


def test_user_reference_points_replace_the_default_ones() -> None:
    def run(points: Any) -> list[dict[str, Any]]:
        study = _study(NSGAIIISampler(population_size=10, seed=0, reference_points=points))
        study.optimize(_dtlz2, n_trials=60)
        return [t.params for t in study.trials]

    # The default points given explicitly select the same; one direction selects otherwise.
    assert run(None) == run(das_dennis(3, 3))
    assert run(None) != run([[1.0, 0.0, 0.0]])


def test_constraints_steer_to_the_feasible_region() -> None:
    def constraints(trial: parabola.trial.FrozenTrial) -> list[float]:
        return [0.3 - trial.params["x0"]]

    study = _study(NSGAIIISampler(population_size=10, seed=0, constraints_func=constraints))
    study.optimize(_dtlz2, n_trials=150)
    assert sum(t.params["x0"] >= 0.3 for t in study.trials[-30:]) >= 25


def test_reference_point_dimension_is_checked_at_the_first_trial() -> None:
    study = _study(NSGAIIISampler(reference_points=[[1.0, 0.0], [0.0, 1.0]]))
    with pytest.raises(ValueError, match=r"reference_points.*dimension 2.*3 objectives"):
        study.optimize(_dtlz2, n_trials=1)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"dividing_parameter": 0}, ValueError, "dividing_parameter"),
        ({"dividing_parameter": 2.5}, TypeError, "dividing_parameter"),
        ({"reference_points": [1.0, 0.0]}, ValueError, "reference_points.*2-D"),
        ({"reference_points": [[1.0, -1.0]]}, ValueError, "reference_points.*non-negative"),
        ({"reference_points": [[0.0, 0.0]]}, ValueError, "reference_points"),
        ({"reference_points": [["a", "b"]]}, ValueError, "reference_points"),
        ({"population_size": 2, "crossover": UNDXCrossover()}, ValueError, "n_parents"),
        ({"population_size": 1}, ValueError, "population_size"),
        ({"crossover_prob": 2.0}, ValueError, "crossover_prob"),
    ],
)
def test_bad_arguments_are_named(kwargs: dict[str, Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        NSGAIIISampler(**kwargs)
