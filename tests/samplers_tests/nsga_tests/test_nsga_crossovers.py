"""NSGA-II's crossovers and mutation: Optuna's arguments and signatures, their distributions,
the sampler's use of them (bounds, retries, categorical parameters) and the nsgaii path."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import parabola
from parabola.samplers import (
    BaseCrossover,
    BaseMutation,
    BLXAlphaCrossover,
    NSGAIIISampler,
    NSGAIISampler,
    PolynomialMutation,
    SBXCrossover,
    SPXCrossover,
    UNDXCrossover,
    UniformCrossover,
    VSBXCrossover,
)
from parabola.storages import InMemoryStorage

ALL = [
    UniformCrossover(),
    BLXAlphaCrossover(),
    SPXCrossover(),
    SBXCrossover(),
    VSBXCrossover(),
    UNDXCrossover(),
]


class _Directions:
    """The part of a study the crossovers read."""

    def __init__(self, n: int) -> None:
        self.directions = [parabola.study.StudyDirection.MINIMIZE] * n


def _mixed(trial: parabola.Trial) -> tuple[float, float]:
    x = trial.suggest_float("x", 1e-3, 1e2, log=True)
    y = trial.suggest_int("y", -5, 5)
    z = trial.suggest_float("z", 0.0, 1.0, step=0.25)
    c = trial.suggest_categorical("c", ["a", "b", "c"])
    w = trial.suggest_float("w", -1.0, 1.0)
    return np.log10(x) ** 2 + y**2 + w, (z - 0.5) ** 2 + (c == "a") - w


@pytest.mark.parametrize("crossover", ALL, ids=str)
@pytest.mark.parametrize("cls", [NSGAIISampler, NSGAIIISampler])
def test_every_crossover_keeps_mixed_spaces_in_bounds(crossover: BaseCrossover, cls: Any) -> None:
    sampler = cls(population_size=6, seed=0, crossover=crossover, mutation=PolynomialMutation())
    study = parabola.create_study(
        directions=["minimize"] * 2, sampler=sampler, storage=InMemoryStorage()
    )
    study.optimize(_mixed, n_trials=30)
    for t in study.trials:
        assert 1e-3 <= t.params["x"] <= 1e2 and t.params["y"] in range(-5, 6)
        assert t.params["z"] in (0.0, 0.25, 0.5, 0.75, 1.0) and t.params["c"] in ("a", "b", "c")
        assert -1.0 <= t.params["w"] <= 1.0


def test_sbx_default_eta_follows_the_number_of_objectives() -> None:
    parents = np.array([[0.3, 0.6, 0.5], [0.5, 0.4, 0.9]])

    def child(crossover: SBXCrossover, study: Any) -> list[float]:
        out: list[float] = crossover.crossover(parents, np.random.RandomState(7), study).tolist()
        return out

    def sbx(eta: float | None = None) -> SBXCrossover:
        return SBXCrossover(eta=eta, use_child_gene_prob=1.0)

    assert child(sbx(), _Directions(1)) == child(sbx(2.0), None)
    assert child(sbx(), _Directions(2)) == child(sbx(20.0), None)
    assert child(sbx(), _Directions(1)) != child(sbx(), _Directions(2))


def test_sbx_children_are_parents_values_or_spread_around_them() -> None:
    parents = np.array([[0.4, 0.4, 0.4, 0.4], [0.6, 0.6, 0.6, 0.6]])
    rng = np.random.RandomState(0)
    # use_child_gene_prob=1: never a parent's value; eta large: close to a parent.
    kids = np.array(
        [SBXCrossover(eta=200, use_child_gene_prob=1.0).crossover(parents, rng) for _ in range(200)]
    )
    near = np.minimum(np.abs(kids - 0.4), np.abs(kids - 0.6))
    assert near.max() < 0.05 and not np.isin(kids, [0.4, 0.6]).all()
    # A small use_child_gene_prob: mostly the parents' values themselves.
    kids = np.array(
        [SBXCrossover(use_child_gene_prob=0.01).crossover(parents, rng) for _ in range(50)]
    )
    assert np.isin(kids, [0.4, 0.6]).mean() > 0.9


def test_vsbx_children_spread_beyond_the_parents_without_bounds() -> None:
    parents = np.array([[0.45, 0.45], [0.55, 0.55]])
    rng = np.random.RandomState(0)
    kids = np.array(
        [
            VSBXCrossover(eta=0.5, use_child_gene_prob=1.0).crossover(parents, rng)
            for _ in range(500)
        ]
    )
    assert (kids < 0.4).any() and (kids > 0.6).any()  # not confined to the parents' box
    assert abs(float(np.median(kids)) - 0.5) < 0.05  # symmetric around the midpoint


def test_undx_standard_deviations_are_the_arguments() -> None:
    # Parents on one line: children lie on it, spread by sigma_xi times the parents' distance
    # (0.2) around their midpoint.
    parents = np.array([[0.4, 0.5], [0.6, 0.5], [0.5, 0.5]])
    rng = np.random.RandomState(0)
    kids = np.array([UNDXCrossover(sigma_xi=0.5).crossover(parents, rng) for _ in range(4000)])
    assert np.allclose(kids[:, 1], 0.5)
    assert kids[:, 0].mean() == pytest.approx(0.5, abs=0.01)
    assert kids[:, 0].std() == pytest.approx(0.1, rel=0.05)


def test_undx_spreads_across_by_the_third_parents_distance() -> None:
    parents = np.array([[0.4, 0.5, 0.5], [0.6, 0.5, 0.5], [0.5, 0.7, 0.5]])
    rng = np.random.RandomState(0)
    kids = np.array([UNDXCrossover(sigma_eta=0.5).crossover(parents, rng) for _ in range(4000)])
    # Across the line (axes 1 and 2): std sigma_eta * 0.2 = 0.1 each.
    assert kids[:, 1].std() == pytest.approx(0.1, rel=0.05)
    assert kids[:, 2].std() == pytest.approx(0.1, rel=0.05)


def test_a_crossover_written_for_optuna_runs_unchanged() -> None:
    seen: list[tuple[Any, Any]] = []

    class Midpoint(BaseCrossover):
        n_parents = 2  # type: ignore[assignment]  # Optuna's class attribute

        def crossover(
            self,
            parents_params: np.ndarray,
            rng: np.random.RandomState,
            study: Any = None,
            search_space_bounds: Any = None,
        ) -> np.ndarray:
            seen.append((study, search_space_bounds))
            out: np.ndarray = parents_params.mean(axis=0)
            return out

    class Stay(BaseMutation):
        def mutation(
            self,
            param: float,
            rng: np.random.RandomState,
            study: Any = None,
            search_space_bounds: Any = None,
        ) -> float:
            return param + 5.0  # out of bounds: the sampler clips it

    study = parabola.create_study(
        directions=["minimize"] * 2,
        sampler=NSGAIISampler(population_size=4, seed=0, crossover=Midpoint(), mutation=Stay()),
        storage=InMemoryStorage(),
    )
    study.optimize(lambda t: (t.suggest_float("a", 0, 1), t.suggest_float("b", 0, 2)), 12)
    assert seen and len(seen[0][0].directions) == 2
    assert np.array_equal(seen[0][1], [[0.0, 1.0], [0.0, 1.0]])
    assert all(0 <= t.params["a"] <= 1 and 0 <= t.params["b"] <= 2 for t in study.trials)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: SBXCrossover(eta=-1.0), "eta"),
        (lambda: SBXCrossover(use_child_gene_prob=0.0), "use_child_gene_prob"),
        (lambda: VSBXCrossover(eta=-1.0), "eta"),
        (lambda: VSBXCrossover(uniform_crossover_prob=1.5), "uniform_crossover_prob"),
        (lambda: VSBXCrossover(use_child_gene_prob=1.5), "use_child_gene_prob"),
        (lambda: UNDXCrossover(sigma_xi=0.0), "sigma_xi"),
        (lambda: UNDXCrossover(sigma_eta=-1.0), "sigma_eta"),
        (lambda: UniformCrossover(1.5), "swapping_prob"),
    ],
)
def test_bad_operator_arguments_are_named(make: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        make()


def test_population_smaller_than_n_parents_names_both() -> None:
    with pytest.raises(ValueError, match=r"population_size.*n_parents.*UNDXCrossover: 3"):
        NSGAIISampler(population_size=2, crossover=UNDXCrossover())


def test_the_nsgaii_module_is_optunas_path() -> None:
    import parabola.samplers.nsgaii as nsgaii

    assert parabola.samplers.nsgaii is nsgaii
    for name in nsgaii.__all__:
        assert getattr(nsgaii, name) is getattr(parabola.samplers, name)
    assert nsgaii.__all__ == sorted(nsgaii.__all__)
