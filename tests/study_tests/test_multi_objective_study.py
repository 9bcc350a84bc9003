"""Multi-objective studies: Pareto front, directions, and what is refused."""

from __future__ import annotations

import pytest

import parabola as optuna
from parabola.trial import TrialState


def _study(directions: list[str]) -> optuna.Study:
    return optuna.create_study(storage=optuna.storages.InMemoryStorage(), directions=directions)


def _tell(study: optuna.Study, values: list[float]) -> None:
    study.tell(study.ask(), values)


def test_best_trials_is_the_pareto_front() -> None:
    study = _study(["minimize", "minimize"])
    points = [[1.0, 5.0], [2.0, 2.0], [5.0, 1.0], [3.0, 3.0], [2.0, 2.0], [6.0, 6.0]]
    for p in points:
        _tell(study, p)
    front = study.best_trials
    # (3, 3) and (6, 6) are dominated by (2, 2); duplicates of a front point are all kept.
    assert [t.number for t in front] == [0, 1, 2, 4]
    assert [t.values for t in front] == [points[i] for i in (0, 1, 2, 4)]


def test_best_trials_respects_directions() -> None:
    study = _study(["minimize", "maximize"])
    for p in ([1.0, 1.0], [2.0, 3.0], [1.0, 2.0], [3.0, 3.0]):
        _tell(study, p)
    assert [t.number for t in study.best_trials] == [1, 2]


def test_best_trials_ignores_unfinished_and_failed() -> None:
    study = _study(["minimize", "minimize"])
    study.ask()
    study.tell(study.ask(), state=TrialState.FAIL)
    assert study.best_trials == []
    _tell(study, [1.0, 1.0])
    assert [t.number for t in study.best_trials] == [2]


def test_single_best_is_refused() -> None:
    study = _study(["minimize", "maximize"])
    study.optimize(lambda t: (t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1)), n_trials=5)
    with pytest.raises(RuntimeError, match=r"Use study.best_trials"):
        _ = study.best_trial
    with pytest.raises(RuntimeError):
        _ = study.best_value
    with pytest.raises(RuntimeError):
        _ = study.best_params
    assert 1 <= len(study.best_trials) <= 5


def test_optimize_multi_objective_with_wrong_number_of_values(
    capsys: pytest.CaptureFixture[str],
) -> None:
    study = _study(["minimize", "minimize"])
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    assert [t.state for t in study.trials] == [TrialState.FAIL, TrialState.FAIL]
    assert "number of the values 1 did not match the number of the objectives 2" in (
        capsys.readouterr().err
    )


def test_multi_objective_log_line(capsys: pytest.CaptureFixture[str]) -> None:
    study = _study(["minimize", "maximize"])
    study.optimize(lambda t: (1.0, 2.0), n_trials=1)
    assert "Trial 0 finished with values: [1.0, 2.0] and parameters: {}." in (
        capsys.readouterr().err
    )


def test_report_and_should_prune_are_refused() -> None:
    study = _study(["minimize", "maximize"])
    trial = study.ask()
    with pytest.raises(NotImplementedError, match="multi-objective"):
        trial.report(1.0, 0)
    with pytest.raises(NotImplementedError, match="multi-objective"):
        trial.should_prune()


def test_directions_errors() -> None:
    storage = optuna.storages.InMemoryStorage()
    with pytest.raises(ValueError, match="Specify only one of direction and directions"):
        optuna.create_study(storage=storage, direction="minimize", directions=["minimize"])
    with pytest.raises(ValueError, match="directions must be a non-empty list"):
        optuna.create_study(storage=storage, directions=[])
    with pytest.raises(ValueError, match="directions must be a non-empty list"):
        optuna.create_study(storage=storage, directions="minimize")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"directions must be 'minimize' or 'maximize'.*'up'"):
        optuna.create_study(storage=storage, directions=["minimize", "up"])
