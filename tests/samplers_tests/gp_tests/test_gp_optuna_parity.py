"""Differential tests: the same GPSampler script on Optuna 5.0 and on parabola behaves alike.

Optuna is an anchor of the ``bench`` extra, not a test dependency: these tests skip without it.
Values differ (different random streams and models); what is compared is what scripts rely on:
bounds and types of the values, reproducibility with a seed, running trials getting distinct
points, constraints steering to the feasible optimum, several objectives, and the warnings of
the deprecated and experimental arguments.
"""

from __future__ import annotations

import types
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

import parabola

optuna = pytest.importorskip("optuna")

# Optuna's GPSampler takes about a second per trial here: these run with the slow tests.
pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _quiet() -> Iterator[None]:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


LIBS = [pytest.param(parabola, id="parabola"), pytest.param(optuna, id="optuna")]


def _study(m: types.ModuleType, sampler: Any, directions: tuple[str, ...] = ("minimize",)) -> Any:
    return m.create_study(
        storage=m.storages.InMemoryStorage(), sampler=sampler, directions=list(directions)
    )


def _mixed(trial: Any) -> float:
    x = trial.suggest_float("x", -2.0, 3.0)
    lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
    s = trial.suggest_float("s", 0.0, 1.0, step=0.25)
    n = trial.suggest_int("n", -3, 9, step=3)
    k = trial.suggest_int("k", 1, 100, log=True)
    c = trial.suggest_categorical("c", ["a", "b", None])
    return (x - 1) ** 2 + abs(lr - 1e-2) + s + abs(n) + abs(k - 10) / 10 + (c == "b")


def _shape(m: types.ModuleType, seed: int) -> list[tuple[str, type, bool]]:
    study = _study(m, m.samplers.GPSampler(seed=seed, n_startup_trials=4))
    study.optimize(_mixed, n_trials=10)
    out = []
    for t in study.trials:
        for name, value in sorted(t.params.items()):
            dist = t.distributions[name]
            out.append((name, type(value), dist._contains(dist.to_internal_repr(value))))
    return sorted(set(out), key=repr)


def test_same_value_types_all_in_bounds() -> None:
    ours, theirs = _shape(parabola, 0), _shape(optuna, 0)
    assert ours == theirs
    assert all(inside for _, _, inside in ours)


@pytest.mark.parametrize("m", LIBS)
def test_a_seed_reproduces_the_study(m: types.ModuleType) -> None:
    def run() -> list[dict[str, Any]]:
        study = _study(m, m.samplers.GPSampler(seed=11, n_startup_trials=3))
        study.optimize(_mixed, n_trials=6)
        return [t.params for t in study.trials]

    assert run() == run()


@pytest.mark.parametrize("m", LIBS)
def test_running_trials_get_distinct_points(m: types.ModuleType) -> None:
    def objective(trial: Any) -> float:
        return float((trial.suggest_float("x", 0, 1) - 0.3) ** 2)

    study = _study(m, m.samplers.GPSampler(seed=0, n_startup_trials=4))
    study.optimize(objective, n_trials=4)
    running = [study.ask() for _ in range(3)]
    xs = [t.suggest_float("x", 0, 1) for t in running]
    assert len(set(xs)) == 3
    for t in running:
        study.tell(t, objective(t))
    assert len(study.trials) == 7


@pytest.mark.parametrize("m", LIBS)
def test_constraints_lead_to_the_feasible_optimum(m: types.ModuleType) -> None:
    def objective(trial: Any) -> float:
        x = trial.suggest_float("x", -2.0, 2.0)
        y = trial.suggest_float("y", -2.0, 2.0)
        trial.set_constraint("c", 1.0 - x - y)
        return x * x + y * y

    study = _study(m, m.samplers.GPSampler(seed=0))
    study.optimize(objective, n_trials=25)
    assert study.best_trial.constraints["c"] <= 0
    assert study.best_value == pytest.approx(0.5, abs=0.1)


@pytest.mark.parametrize("m", LIBS)
def test_two_objectives_build_a_front(m: types.ModuleType) -> None:
    def objective(trial: Any) -> tuple[float, float]:
        x = trial.suggest_float("x", 0.0, 1.0)
        y = trial.suggest_float("y", 0.0, 1.0)
        return x * x + y, (1 - x) ** 2 + y

    study = _study(m, m.samplers.GPSampler(seed=0, n_startup_trials=5), ("minimize", "minimize"))
    study.optimize(objective, n_trials=15)
    front = study.best_trials
    assert len(front) >= 4
    # The front lies at y = 0; the GP trials should find it more often than not.
    assert sum(t.params["y"] < 0.05 for t in study.trials[5:]) >= 5


@pytest.mark.parametrize("m", LIBS)
def test_deprecated_and_experimental_arguments_warn(m: types.ModuleType) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m.samplers.GPSampler(constraints_func=lambda t: [0.0])
        m.samplers.GPSampler(deterministic_objective=True)
    kinds = [w.category.__name__ for w in caught]
    assert kinds == ["FutureWarning", "ExperimentalWarning"]
