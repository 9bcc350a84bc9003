"""Bad inputs get errors that name the argument and what is allowed."""

from __future__ import annotations

import math
from typing import Any

import pytest

import parabola as optuna


def _study(**kwargs: Any) -> optuna.Study:
    return optuna.create_study(storage=optuna.storages.InMemoryStorage(), **kwargs)


def quadratic(trial: optuna.Trial) -> float:
    return trial.suggest_float("x", -10, 10) ** 2


@pytest.mark.parametrize("direction", ["up", "", "MIN", 1])
def test_bad_direction(direction: Any) -> None:
    with pytest.raises(ValueError, match=r"direction must be 'minimize' or 'maximize'") as info:
        _study(direction=direction)
    assert repr(direction) in str(info.value)


def test_direction_is_case_insensitive() -> None:
    assert _study(direction="MAXIMIZE").direction == optuna.study.StudyDirection.MAXIMIZE


@pytest.mark.parametrize("n_trials", [-1, 1.5, "3", True])
def test_bad_n_trials(n_trials: Any) -> None:
    with pytest.raises(ValueError, match=r"optimize\(n_trials=\.\.\.\): expected None or an int"):
        _study().optimize(quadratic, n_trials=n_trials)


@pytest.mark.parametrize("timeout", [-1, math.nan, "10", True])
def test_bad_timeout(timeout: Any) -> None:
    with pytest.raises(ValueError, match=r"optimize\(timeout=\.\.\.\): expected None or a number"):
        _study().optimize(quadratic, n_trials=1, timeout=timeout)


@pytest.mark.parametrize("n_jobs", [0, -2, 1.0, "2"])
def test_bad_n_jobs(n_jobs: Any) -> None:
    with pytest.raises(
        ValueError, match=r"optimize\(n_jobs=\.\.\.\): expected a positive int or -1"
    ):
        _study().optimize(quadratic, n_trials=1, n_jobs=n_jobs)


@pytest.mark.parametrize("catch", [[1], ("ValueError",), [ValueError, None]])
def test_bad_catch(catch: Any) -> None:
    with pytest.raises(TypeError, match=r"optimize\(catch=\.\.\.\): expected exception classes"):
        _study().optimize(quadratic, n_trials=1, catch=catch)


def test_bad_callbacks() -> None:
    study = _study()
    with pytest.raises(TypeError, match=r"optimize\(callbacks=\.\.\.\): expected callables"):
        study.optimize(quadratic, n_trials=1, callbacks=[1])  # type: ignore[list-item]
    assert study.trials == []


def test_bad_objective() -> None:
    with pytest.raises(TypeError, match=r"optimize\(func=\.\.\.\): expected a callable"):
        _study().optimize(3.0, n_trials=1)  # type: ignore[arg-type]


def test_no_trial_runs_when_arguments_are_bad() -> None:
    study = _study()
    with pytest.raises(ValueError):
        study.optimize(quadratic, n_trials=-1)
    assert study.trials == []


@pytest.mark.parametrize("storage", [42, 1.5, ["sqlite:///x.db"]])
def test_bad_storage(storage: Any) -> None:
    with pytest.raises(TypeError, match=r"storage must be None, a URL string .* or a BaseStorage"):
        optuna.create_study(storage=storage)


def test_bad_sampler_and_pruner() -> None:
    with pytest.raises(TypeError, match=r"sampler must be an instance of BaseSampler.*'x'"):
        _study(sampler="x")
    with pytest.raises(TypeError, match=r"pruner must be an instance of BasePruner.*'x'"):
        _study(pruner="x")


def test_bad_study_name() -> None:
    with pytest.raises(TypeError, match="study_name must be a str or None, got 1"):
        _study(study_name=1)


def test_bad_report_arguments() -> None:
    trial = _study().ask()
    with pytest.raises(TypeError, match=r"report\(value=\.\.\.\): expected a float, got 'a'"):
        trial.report("a", 0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"report\(step=\.\.\.\): expected an int >= 0, got -1"):
        trial.report(1.0, -1)
    with pytest.raises(TypeError, match=r"report\(step=\.\.\.\): expected an int >= 0, got 1.5"):
        trial.report(1.0, 1.5)  # type: ignore[arg-type]


def test_bad_tell_values() -> None:
    study = _study()
    trial = study.ask()
    with pytest.raises(ValueError, match=r"tell\(values=\.\.\.\): The number of the values 3"):
        study.tell(trial, [1.0, 2.0, 3.0], state=optuna.trial.TrialState.COMPLETE)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda t: t.suggest_float("x", 1, 0), r"suggest_float\('x', \.\.\.\): .*low"),
        (lambda t: t.suggest_float("x", 0, 1, log=True), r"suggest_float\('x', \.\.\.\): .*low"),
        (
            lambda t: t.suggest_float("x", 0.1, 1, log=True, step=0.1),
            r"suggest_float\('x', \.\.\.\): .*step",
        ),
        (lambda t: t.suggest_int("n", 5, 1), r"suggest_int\('n', \.\.\.\): .*low"),
        (lambda t: t.suggest_int("n", 0, 5, step=0), r"suggest_int\('n', \.\.\.\): .*step"),
        (lambda t: t.suggest_categorical("c", []), r"suggest_categorical\('c', \.\.\.\)"),
        (lambda t: t.suggest_float(1, 0, 1), r"Parameter name must be a str, got 1"),
    ],
)
def test_bad_suggest_arguments_name_the_parameter(call: Any, match: str) -> None:
    with pytest.raises((ValueError, TypeError), match=match):
        call(_study().ask())
