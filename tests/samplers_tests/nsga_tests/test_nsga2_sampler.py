"""NSGAIISampler: the sampler contract, generations, selection, operators and errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest

import parabola
from parabola.distributions import BaseDistribution
from parabola.samplers import (
    BaseSampler,
    BLXAlphaCrossover,
    NSGAIISampler,
    PolynomialMutation,
    SBXCrossover,
    SPXCrossover,
    UniformCrossover,
)
from parabola.samplers._nsga2._dominance import crowding_distance, rank_fronts
from parabola.storages import InMemoryStorage
from parabola.testing.samplers import SamplerContract


class TestNSGAIISampler(SamplerContract):
    def create_sampler(
        self, seed: int | None, search_space: Mapping[str, BaseDistribution]
    ) -> BaseSampler:
        # Small generations, so the contract's 12 trials reach the genetic part.
        return NSGAIISampler(population_size=4, seed=seed)


class TestNSGAIISamplerBLXPolynomial(SamplerContract):
    def create_sampler(
        self, seed: int | None, search_space: Mapping[str, BaseDistribution]
    ) -> BaseSampler:
        return NSGAIISampler(
            population_size=4,
            seed=seed,
            crossover=BLXAlphaCrossover(),
            mutation=PolynomialMutation(),
        )


def _zdt1(trial: parabola.Trial) -> tuple[float, float]:
    x = [trial.suggest_float(f"x{i}", 0.0, 1.0) for i in range(4)]
    g = 1 + 9 * sum(x[1:]) / 3
    return x[0], g * (1 - (x[0] / g) ** 0.5)


def _study(sampler: BaseSampler, n: int = 2) -> parabola.Study:
    return parabola.create_study(
        directions=["minimize"] * n, sampler=sampler, storage=InMemoryStorage()
    )


def test_rank_fronts_and_crowding() -> None:
    values = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5], [1.0, 1.0], [2.0, 2.0]])
    assert rank_fronts(values) == [[0, 1, 2], [3], [4]]
    crowd = crowding_distance(values[:3])
    assert np.isinf(crowd[0]) and np.isinf(crowd[1]) and crowd[2] == pytest.approx(2.0)


def test_constrained_domination_ranks_feasible_first() -> None:
    values = np.array([[0.0, 0.0], [5.0, 5.0], [1.0, 1.0]])
    violation = np.array([2.0, 0.0, 1.0])
    # The feasible point first despite worse values; then the smaller violation.
    assert rank_fronts(values, violation) == [[1], [2], [0]]


def test_generations_and_improvement_over_random() -> None:
    study = _study(NSGAIISampler(population_size=20, seed=0))
    study.optimize(_zdt1, n_trials=400)
    gens = [t.system_attrs["nsga2:generation"] for t in study.trials]
    assert gens == sorted(gens) and gens[0] == 0 and gens[-1] == 19
    random = _study(parabola.samplers.RandomSampler(seed=0))
    random.optimize(_zdt1, n_trials=400)

    def mean_g(s: parabola.Study) -> float:
        return float(np.mean([t.values[0] + t.values[1] for t in s.best_trials]))

    assert mean_g(study) < mean_g(random)


def test_reproducible_and_seed_sensitive() -> None:
    def run(seed: int) -> list[dict[str, Any]]:
        study = _study(NSGAIISampler(population_size=5, seed=seed))
        study.optimize(_zdt1, n_trials=30)
        return [t.params for t in study.trials]

    assert run(3) == run(3)
    assert run(3) != run(4)


def test_children_come_from_parents_without_mutation() -> None:
    # No mutation and a copy instead of a crossover: every child repeats a parent.
    sampler = NSGAIISampler(population_size=6, seed=0, crossover_prob=0.0, mutation_prob=0.0)
    study = _study(sampler)
    study.optimize(_zdt1, n_trials=24)
    first = {tuple(t.params.values()) for t in study.trials[:6]}
    assert {tuple(t.params.values()) for t in study.trials[6:12]} <= first


def test_uniform_crossover_mixes_the_parents_coordinates() -> None:
    sampler = NSGAIISampler(population_size=6, seed=0, mutation_prob=0.0, crossover_prob=1.0)
    study = _study(sampler)
    study.optimize(_zdt1, n_trials=12)
    coords = {(i, t.params[f"x{i}"]) for t in study.trials[:6] for i in range(4)}
    for t in study.trials[6:]:
        assert all((i, t.params[f"x{i}"]) in coords for i in range(4))


def test_constraints_steer_to_the_feasible_region() -> None:
    def constraints(trial: parabola.trial.FrozenTrial) -> list[float]:
        return [0.3 - trial.params["x0"]]  # feasible iff x0 >= 0.3

    study = _study(NSGAIISampler(population_size=10, seed=0, constraints_func=constraints))
    study.optimize(_zdt1, n_trials=150)
    late = study.trials[-30:]
    assert sum(t.params["x0"] >= 0.3 for t in late) >= 25
    assert all("constraints" in t.system_attrs for t in study.trials)


@pytest.mark.parametrize(
    "crossover", [UniformCrossover(0.3), BLXAlphaCrossover(0.2), SPXCrossover(), SBXCrossover()]
)
def test_crossovers_stay_in_bounds(crossover: Any) -> None:
    study = _study(NSGAIISampler(population_size=6, seed=1, crossover=crossover))
    study.optimize(_zdt1, n_trials=36)
    assert all(0.0 <= v <= 1.0 for t in study.trials for v in t.params.values())


def test_sbx_children_stay_near_close_parents() -> None:
    rng = np.random.RandomState(0)
    parents = np.array([[0.50, 0.50], [0.52, 0.52]])
    children = np.array([SBXCrossover(eta=20).crossover(parents, rng) for _ in range(200)])
    assert np.all(np.abs(children - 0.51) < 0.1)
    assert len({tuple(c) for c in children}) > 100  # it does vary


def test_polynomial_mutation_stays_near() -> None:
    rng = np.random.RandomState(0)
    moves = [abs(PolynomialMutation(100.0).mutation(0.5, rng) - 0.5) for _ in range(200)]
    assert max(moves) < 0.1 and np.mean(moves) > 0


def test_three_objectives() -> None:
    def dtlz2(trial: parabola.Trial) -> tuple[float, float, float]:
        x = [trial.suggest_float(f"x{i}", 0.0, 1.0) for i in range(4)]
        g = sum((v - 0.5) ** 2 for v in x[2:])
        c0, c1 = np.cos(x[0] * np.pi / 2), np.cos(x[1] * np.pi / 2)
        s0, s1 = np.sin(x[0] * np.pi / 2), np.sin(x[1] * np.pi / 2)
        return (1 + g) * c0 * c1, (1 + g) * c0 * s1, (1 + g) * s0

    study = _study(NSGAIISampler(population_size=10, seed=0), n=3)
    study.optimize(dtlz2, n_trials=100)
    assert len(study.best_trials) >= 5


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"population_size": 1}, "population_size"),
        ({"mutation_prob": 1.5}, "mutation_prob"),
        ({"crossover_prob": -0.1}, "crossover_prob"),
        ({"swapping_prob": 2.0}, "swapping_prob"),
        ({"crossover": "uniform"}, "crossover"),
        ({"mutation": "poly"}, "mutation"),
        ({"population_size": 2, "crossover": SPXCrossover()}, "n_parents"),
    ],
)
def test_bad_arguments_are_named(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        NSGAIISampler(**kwargs)


def test_bad_operator_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="alpha"):
        BLXAlphaCrossover(-1.0)
    with pytest.raises(ValueError, match="eta"):
        PolynomialMutation(-1.0)
    with pytest.raises(ValueError, match="uniform_crossover_prob"):
        SBXCrossover(uniform_crossover_prob=1.5)
    with pytest.raises(ValueError, match="epsilon"):
        SPXCrossover(0.0)
    with pytest.raises(TypeError, match="population_size"):
        NSGAIISampler(population_size=2.5)  # type: ignore[arg-type]


def test_the_joint_space_follows_a_changed_distribution() -> None:
    # As for CMA-ES: the incremental intersection drops a parameter whose range changed.
    sampler = parabola.samplers.NSGAIISampler(population_size=2, seed=0)
    study = parabola.create_study(
        directions=["minimize", "minimize"],
        storage=parabola.storages.InMemoryStorage(),
        sampler=sampler,
    )
    study.optimize(lambda t: (t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1)), n_trials=3)
    trial = study.ask()
    assert set(sampler.infer_relative_search_space(study, trial._cached)) == {"x", "y"}
    study.tell(trial, (trial.suggest_float("x", 0, 1), trial.suggest_float("y", 0, 2)))
    trial = study.ask()
    assert set(sampler.infer_relative_search_space(study, trial._cached)) == {"x"}


@pytest.mark.parametrize("crossover", ["sbx", SBXCrossover, 0.5])
def test_a_crossover_that_is_not_an_instance_names_the_allowed_ones(crossover: Any) -> None:
    # A name or the class itself (a common slip) is refused before any trial runs, with the
    # classes to pass instead.
    with pytest.raises(
        ValueError, match=r"`crossover` must be a BaseCrossover instance.*SBXCrossover\(\)"
    ):
        NSGAIISampler(crossover=crossover)
