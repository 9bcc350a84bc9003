"""``enqueue_trial``, ``add_trial``/``add_trials`` and ``create_trial`` (warm starts)."""

from __future__ import annotations

import datetime
import math

import pytest

import parabola as optuna
from parabola.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from parabola.trial import TrialState


def _study(**kwargs: object) -> optuna.Study:
    return optuna.create_study(storage=optuna.storages.InMemoryStorage(), **kwargs)  # type: ignore[arg-type]


def objective(trial: optuna.Trial) -> float:
    x = trial.suggest_float("x", -10, 10)
    y = trial.suggest_int("y", 0, 5)
    c = trial.suggest_categorical("c", ["a", "b"])
    return x**2 + y + (c == "b")


def test_enqueued_params_are_used_first() -> None:
    study = _study()
    study.enqueue_trial({"x": 1.5, "y": 2, "c": "b"})
    study.enqueue_trial({"x": -3.0, "y": 0, "c": "a"}, user_attrs={"source": "paper"})
    assert [t.state for t in study.trials] == [TrialState.WAITING, TrialState.WAITING]
    study.optimize(objective, n_trials=3)
    trials = study.trials
    assert trials[0].params == {"x": 1.5, "y": 2, "c": "b"}
    assert trials[0].value == 1.5**2 + 2 + 1
    assert trials[1].params == {"x": -3.0, "y": 0, "c": "a"}
    assert trials[1].user_attrs == {"source": "paper"}
    assert [t.state for t in trials] == [TrialState.COMPLETE] * 3
    assert [t.number for t in trials] == [0, 1, 2]


def test_partial_params_are_sampled() -> None:
    study = _study(sampler=optuna.samplers.RandomSampler(seed=0))
    study.enqueue_trial({"x": 0.25})
    study.optimize(objective, n_trials=1)
    trial = study.trials[0]
    assert trial.params["x"] == 0.25
    assert 0 <= trial.params["y"] <= 5
    assert trial.params["c"] in ("a", "b")


def test_enqueue_then_ask() -> None:
    study = _study()
    study.enqueue_trial({"x": 2.0})
    trial = study.ask()
    assert trial.suggest_float("x", -10, 10) == 2.0
    assert study.tell(trial, 4.0).params == {"x": 2.0}


def test_enqueue_out_of_range_value_warns() -> None:
    study = _study()
    study.enqueue_trial({"x": 50.0})
    trial = study.ask()
    with pytest.warns(UserWarning, match="'x' with value 50.0 is out of range"):
        trial.suggest_float("x", -10, 10)


def test_enqueue_skip_if_exists() -> None:
    study = _study()
    study.enqueue_trial({"x": 1.0, "y": 1, "c": "a"})
    study.enqueue_trial({"x": 1.0, "y": 1, "c": "a"}, skip_if_exists=True)
    assert len(study.trials) == 1
    study.optimize(objective, n_trials=1)
    # Finished trials count too.
    study.enqueue_trial({"x": 1.0, "y": 1, "c": "a"}, skip_if_exists=True)
    assert len(study.trials) == 1
    study.enqueue_trial({"x": 1.0, "y": 2, "c": "a"}, skip_if_exists=True)
    assert len(study.trials) == 2
    # NaN equals NaN for this purpose.
    study.enqueue_trial({"z": math.nan})
    study.enqueue_trial({"z": math.nan}, skip_if_exists=True)
    assert len(study.trials) == 3


def test_enqueue_rejects_non_dict() -> None:
    with pytest.raises(TypeError, match=r"enqueue_trial\(params=\.\.\.\): expected a dict"):
        _study().enqueue_trial([("x", 1.0)])  # type: ignore[arg-type]


def test_add_trial_warm_start_counts_for_best() -> None:
    study = _study()
    study.add_trial(
        optuna.create_trial(
            params={"x": 0.0, "y": 0, "c": "a"},
            distributions={
                "x": FloatDistribution(-10, 10),
                "y": IntDistribution(0, 5),
                "c": CategoricalDistribution(["a", "b"]),
            },
            value=0.0,
            user_attrs={"from": "yesterday"},
        )
    )
    study.optimize(objective, n_trials=3)
    assert study.best_trial.number == 0
    assert study.best_value == 0.0
    assert study.best_params == {"x": 0.0, "y": 0, "c": "a"}
    assert study.trials[0].user_attrs == {"from": "yesterday"}


def test_add_trials_copies_between_studies() -> None:
    source = _study(sampler=optuna.samplers.RandomSampler(seed=3))
    source.optimize(objective, n_trials=5)
    target = _study()
    target.add_trials(source.trials)
    assert [t.params for t in target.trials] == [t.params for t in source.trials]
    assert [t.value for t in target.trials] == [t.value for t in source.trials]
    assert target.best_value == source.best_value


def test_create_trial_states() -> None:
    pruned = optuna.create_trial(state=TrialState.PRUNED, intermediate_values={0: 1.0})
    failed = optuna.create_trial(state=TrialState.FAIL)
    waiting = optuna.create_trial(state=TrialState.WAITING)
    study = _study()
    study.add_trials([pruned, failed, waiting])
    assert [t.state for t in study.trials] == [
        TrialState.PRUNED,
        TrialState.FAIL,
        TrialState.WAITING,
    ]
    assert isinstance(study.trials[0].datetime_start, datetime.datetime)


def test_create_trial_validation_errors() -> None:
    with pytest.raises(ValueError, match="COMPLETE trial needs a value"):
        optuna.create_trial(state=TrialState.COMPLETE)
    with pytest.raises(ValueError, match="NaN"):
        optuna.create_trial(value=math.nan)
    with pytest.raises(ValueError, match="only one of value and values"):
        optuna.create_trial(value=1.0, values=[1.0])
    with pytest.raises(ValueError, match="params and distributions must have the same keys"):
        optuna.create_trial(value=1.0, params={"x": 1.0})
    with pytest.raises(ValueError, match=r"value 20.0 of parameter 'x' is not in"):
        optuna.create_trial(
            value=1.0, params={"x": 20.0}, distributions={"x": FloatDistribution(0, 10)}
        )
    with pytest.raises(ValueError, match=r"Only COMPLETE .* may carry values; this one is FAIL"):
        optuna.create_trial(state=TrialState.FAIL, value=1.0)


def test_add_trial_validation_errors() -> None:
    study = _study()
    with pytest.raises(TypeError, match=r"add_trial\(trial=\.\.\.\): expected a FrozenTrial"):
        study.add_trial({"value": 1.0})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="has 2 values but the study has 1 directions"):
        study.add_trial(optuna.create_trial(values=[1.0, 2.0]))
    broken = optuna.create_trial(value=1.0)
    broken.datetime_complete = None
    with pytest.raises(ValueError, match="datetime_complete is required"):
        study.add_trial(broken)
    assert study.trials == []


def test_enqueued_value_of_the_wrong_kind_names_the_parameter() -> None:
    study = _study()
    study.enqueue_trial({"c": "z", "x": "str"})
    trial = study.ask()
    with pytest.raises(ValueError, match=r"value 'z' of parameter 'c' does not fit Categorical"):
        trial.suggest_categorical("c", ["a", "b"])
    with pytest.raises(ValueError, match=r"value 'str' of parameter 'x' does not fit Float"):
        trial.suggest_float("x", 0, 1)


def test_enqueued_trial_starts_when_it_is_popped() -> None:
    study = _study()
    study.enqueue_trial({"x": 0.5})
    assert study.trials[0].datetime_start is None
    before = datetime.datetime.now()
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    trial = study.trials[0]
    assert trial.datetime_start is not None
    assert trial.datetime_start >= before - datetime.timedelta(seconds=1)
    assert trial.duration is not None
    assert trial.duration < datetime.timedelta(seconds=5)
