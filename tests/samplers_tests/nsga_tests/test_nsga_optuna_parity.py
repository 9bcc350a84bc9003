"""Differential tests: NSGAIISampler/NSGAIIISampler against Optuna 5.0's on shared behaviour.

Arguments and defaults (signatures of the samplers, crossovers and mutation), bounds on a
mixed space, determinism with a seed, the generation bookkeeping (sequential and with running
trials), constraints, and the errors for bad input. optuna is an anchor (the ``bench``
extra), so this module skips without it; ``make test-anchors`` runs it.
"""

from __future__ import annotations

import inspect
import warnings
from typing import Any

import numpy as np
import pytest

import parabola

optuna = pytest.importorskip("optuna")

SAMPLERS = ["NSGAIISampler", "NSGAIIISampler"]
OPERATORS = [
    "UniformCrossover",
    "BLXAlphaCrossover",
    "SPXCrossover",
    "SBXCrossover",
    "VSBXCrossover",
    "UNDXCrossover",
    "PolynomialMutation",
]


@pytest.fixture(autouse=True)
def _quiet() -> Any:
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Optuna's ExperimentalWarning, FutureWarning
        yield


def _params(obj: Any) -> list[tuple[str, Any, Any]]:
    sig = inspect.signature(obj)
    return [(n, p.kind, p.default) for n, p in sig.parameters.items()]


@pytest.mark.parametrize("name", SAMPLERS)
def test_sampler_arguments_and_defaults_are_optunas(name: str) -> None:
    assert _params(getattr(parabola.samplers, name)) == _params(getattr(optuna.samplers, name))


@pytest.mark.parametrize("name", OPERATORS)
def test_operator_arguments_and_defaults_are_optunas(name: str) -> None:
    ours = getattr(parabola.samplers.nsgaii, name)
    theirs = getattr(optuna.samplers.nsgaii, name)
    assert _params(ours) == _params(theirs)
    method = "mutation" if name.endswith("Mutation") else "crossover"
    # Optuna calls them positionally; from ``rng`` on, the names match too.
    ours_names = [n for n, *_ in _params(getattr(ours, method))]
    theirs_names = [n for n, *_ in _params(getattr(theirs, method))]
    assert len(ours_names) == len(theirs_names) and ours_names[2:] == theirs_names[2:]
    if method == "crossover":
        assert ours().n_parents == theirs().n_parents


def test_nsgaii_exports_are_optunas() -> None:
    assert parabola.samplers.nsgaii.__all__ == sorted(optuna.samplers.nsgaii.__all__)


def _mixed(trial: Any) -> tuple[float, float]:
    x = trial.suggest_float("x", 1e-3, 1e2, log=True)
    y = trial.suggest_int("y", -5, 5, step=2)
    c = trial.suggest_categorical("c", ["a", "b", "c"])
    w = trial.suggest_float("w", -1.0, 1.0)
    return float(np.log10(x) ** 2 + y**2 + w), float((c == "a") - w)


def _run(module: Any, name: str, n_trials: int, objective: Any = _mixed, **kwargs: Any) -> Any:
    study = module.create_study(
        directions=["minimize", "minimize"],
        sampler=getattr(module.samplers, name)(**kwargs),
        storage=module.storages.InMemoryStorage(),
    )
    study.optimize(objective, n_trials=n_trials)
    return study


def _generations(study: Any) -> list[int]:
    keys = ("nsga2:generation", "nsga3:generation", "NSGAIISampler:generation")
    keys += ("NSGAIIISampler:generation",)
    return [next(t.system_attrs[k] for k in keys if k in t.system_attrs) for t in study.trials]


@pytest.mark.parametrize("name", SAMPLERS)
def test_bounds_determinism_and_generations_match(name: str) -> None:
    for module in (parabola, optuna):
        a = _run(module, name, 40, population_size=6, seed=3)
        b = _run(module, name, 40, population_size=6, seed=3)
        assert [t.params for t in a.trials] == [t.params for t in b.trials]
        for t in a.trials:
            assert 1e-3 <= t.params["x"] <= 1e2 and t.params["y"] in (-5, -3, -1, 1, 3, 5)
            assert t.params["c"] in ("a", "b", "c") and -1 <= t.params["w"] <= 1
        assert _generations(a) == [n // 6 for n in range(40)]


@pytest.mark.parametrize("name", SAMPLERS)
def test_running_trials_stay_in_their_generation_as_in_optuna(name: str) -> None:
    def gens(module: Any) -> list[int]:
        study = module.create_study(
            directions=["minimize", "minimize"],
            sampler=getattr(module.samplers, name)(population_size=4, seed=0),
            storage=module.storages.InMemoryStorage(),
        )
        running = [study.ask() for _ in range(6)]  # more than a generation, none finished
        for t in running:
            x = t.suggest_float("x", 0, 1)
            study.tell(t, [x, 1 - x])
        later = [study.ask() for _ in range(5)]
        for t in later:
            x = t.suggest_float("x", 0, 1)
            study.tell(t, [x, (1 - x) ** 2])
        return _generations(study)

    assert gens(parabola) == gens(optuna)


@pytest.mark.parametrize("name", SAMPLERS)
def test_constraints_steer_to_feasibility_in_both(name: str) -> None:
    def constraints(trial: Any) -> list[float]:
        return [0.0 - trial.params["w"]]  # feasible iff w >= 0

    for module in (parabola, optuna):
        study = _run(module, name, 120, population_size=10, seed=0, constraints_func=constraints)
        assert sum(t.params["w"] >= 0 for t in study.trials[-30:]) >= 24, module.__name__


@pytest.mark.parametrize("name", SAMPLERS)
def test_population_smaller_than_n_parents_is_refused_by_both(name: str) -> None:
    for module in (parabola, optuna):
        with pytest.raises(ValueError, match="population_size"):
            getattr(module.samplers, name)(
                population_size=2, crossover=module.samplers.nsgaii.UNDXCrossover()
            )


def test_wrong_reference_point_dimension_is_refused_by_both() -> None:
    for module in (parabola, optuna):
        with pytest.raises(ValueError, match="dimension"):
            _run(
                module,
                "NSGAIIISampler",
                12,
                population_size=4,
                seed=0,
                reference_points=np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]),
            )
