"""``Trial.report`` and ``Trial.should_prune`` with the bundled and a custom pruner."""

from __future__ import annotations

import pytest

import parabola as optuna
from parabola.pruners import BasePruner, NopPruner
from parabola.samplers import StudyView
from parabola.trial import FrozenTrial, TrialState


class ThresholdPruner(BasePruner):
    """Prunes as soon as a reported value exceeds ``threshold``; records what it saw."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.seen: list[dict[int, float]] = []

    def prune(self, study: StudyView, trial: FrozenTrial) -> bool:
        assert isinstance(study, StudyView)
        self.seen.append(dict(trial.intermediate_values))
        step = trial.last_step
        return step is not None and trial.intermediate_values[step] > self.threshold


def learning_curve(trial: optuna.Trial) -> float:
    start = trial.suggest_float("start", 0, 10)
    value = start
    for step in range(5):
        value = start + step
        trial.report(value, step)
        if trial.should_prune():
            raise optuna.TrialPruned()
    return value


def test_report_records_intermediate_values() -> None:
    study = optuna.create_study(storage=optuna.storages.InMemoryStorage())
    trial = study.ask()
    trial.report(0.5, 0)
    trial.report(0.25, 1)
    trial.report(1, 2)  # ints are accepted and stored as floats
    frozen = study.tell(trial, 0.25)
    assert frozen.intermediate_values == {0: 0.5, 1: 0.25, 2: 1.0}
    assert frozen.last_step == 2


def test_reporting_the_same_step_twice_warns_and_keeps_the_first() -> None:
    study = optuna.create_study(storage=optuna.storages.InMemoryStorage())
    trial = study.ask()
    trial.report(1.0, 3)
    with pytest.warns(UserWarning, match="this `step=3` is already reported"):
        trial.report(2.0, 3)
    assert study.trials[0].intermediate_values == {3: 1.0}


def test_nop_pruner_never_prunes() -> None:
    study = optuna.create_study(storage=optuna.storages.InMemoryStorage(), pruner=NopPruner())
    study.optimize(learning_curve, n_trials=5)
    assert all(t.state == TrialState.COMPLETE for t in study.trials)
    assert all(len(t.intermediate_values) == 5 for t in study.trials)


def test_default_pruner_does_not_prune_a_lone_trial() -> None:
    study = optuna.create_study(storage=optuna.storages.InMemoryStorage())
    trial = study.ask()
    trial.report(1.0, 0)
    assert trial.should_prune() is False


def test_custom_pruner_makes_optimize_record_pruned() -> None:
    pruner = ThresholdPruner(threshold=11.5)
    study = optuna.create_study(storage=optuna.storages.InMemoryStorage(), pruner=pruner)
    study.enqueue_trial({"start": 9.0})  # 9, 10, 11, 12 -> pruned at step 3
    study.enqueue_trial({"start": 1.0})  # 1..5 -> complete
    study.optimize(learning_curve, n_trials=2)
    pruned, complete = study.trials
    assert pruned.state == TrialState.PRUNED
    assert pruned.intermediate_values == {0: 9.0, 1: 10.0, 2: 11.0, 3: 12.0}
    # A pruned trial keeps its last intermediate value as its value, as in Optuna.
    assert pruned.value == 12.0
    assert complete.state == TrialState.COMPLETE
    assert complete.value == 5.0
    # The pruner saw a snapshot with the values reported so far.
    assert pruner.seen[0] == {0: 9.0}
    assert pruner.seen[3] == {0: 9.0, 1: 10.0, 2: 11.0, 3: 12.0}
    # Pruned trials are not candidates for best_trial.
    assert study.best_trial.number == 1


def test_pruned_log_line(capsys: pytest.CaptureFixture[str]) -> None:
    study = optuna.create_study(
        storage=optuna.storages.InMemoryStorage(), pruner=ThresholdPruner(-1)
    )
    study.optimize(learning_curve, n_trials=1)
    assert "Trial 0 pruned." in capsys.readouterr().err


def test_trial_pruned_without_report() -> None:
    def objective(trial: optuna.Trial) -> float:
        raise optuna.TrialPruned("not promising")

    study = optuna.create_study(storage=optuna.storages.InMemoryStorage())
    study.optimize(objective, n_trials=2)
    assert [t.state for t in study.trials] == [TrialState.PRUNED] * 2
    assert study.trials[0].value is None


def test_trial_pruned_is_the_exceptions_class() -> None:
    assert optuna.TrialPruned is optuna.exceptions.TrialPruned


def test_report_accepts_numpy_numbers() -> None:
    np = pytest.importorskip("numpy")
    study = optuna.create_study(storage=optuna.storages.InMemoryStorage())
    trial = study.ask()
    for step in np.arange(3):
        trial.report(np.float32(step) / 2, step)
    frozen = study.tell(trial, 1.0)
    assert frozen.intermediate_values == {0: 0.0, 1: 0.5, 2: 1.0}
    assert all(type(k) is int for k in frozen.intermediate_values)
