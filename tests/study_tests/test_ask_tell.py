"""Ask-and-tell loops written for Optuna, run with ``import parabola as optuna``."""

from __future__ import annotations

import math

import pytest

import parabola as optuna
from parabola.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from parabola.exceptions import UpdateFinishedTrialError
from parabola.trial import TrialState


def _study(**kwargs: object) -> optuna.Study:
    return optuna.create_study(storage=optuna.storages.InMemoryStorage(), **kwargs)  # type: ignore[arg-type]


def test_ask_tell_loop_by_trial_and_by_number() -> None:
    study = _study()
    for i in range(6):
        trial = study.ask()
        assert trial.number == i
        x = trial.suggest_float("x", -10, 10)
        frozen = study.tell(trial if i % 2 == 0 else trial.number, x**2)
        assert frozen.state == TrialState.COMPLETE
        assert frozen.value == x**2
        assert frozen.number == i
    assert [t.number for t in study.trials] == list(range(6))
    assert study.best_value == min(t.value for t in study.trials)  # type: ignore[type-var]


@pytest.mark.parametrize("state", [TrialState.PRUNED, TrialState.FAIL])
def test_tell_with_a_non_complete_state(state: TrialState) -> None:
    study = _study()
    trial = study.ask()
    trial.suggest_int("n", 0, 3)
    frozen = study.tell(trial, state=state)
    assert frozen.state == state
    assert frozen.value is None
    assert frozen.datetime_complete is not None


def test_tell_pruned_keeps_the_last_intermediate_value() -> None:
    study = _study()
    trial = study.ask()
    trial.report(3.0, step=0)
    trial.report(2.5, step=4)
    frozen = study.tell(trial, state=TrialState.PRUNED)
    assert frozen.state == TrialState.PRUNED
    assert frozen.value == 2.5
    assert frozen.intermediate_values == {0: 3.0, 4: 2.5}


def test_tell_complete_state_with_values() -> None:
    study = _study()
    trial = study.ask()
    assert study.tell(trial, 1.0, state=TrialState.COMPLETE).value == 1.0


def test_tell_validates_values_against_the_state() -> None:
    study = _study()
    trial = study.ask()
    with pytest.raises(ValueError, match=r"Values are required when state is TrialState.COMPLETE"):
        study.tell(trial, state=TrialState.COMPLETE)
    with pytest.raises(ValueError, match="Values cannot be specified when state is"):
        study.tell(trial, 1.0, state=TrialState.PRUNED)
    with pytest.raises(ValueError, match="Values cannot be specified when state is"):
        study.tell(trial, 1.0, state=TrialState.FAIL)
    with pytest.raises(ValueError, match="use COMPLETE, PRUNED or FAIL"):
        study.tell(trial, state=TrialState.RUNNING)
    with pytest.raises(ValueError, match=r"number of the values 2 did not match .* objectives 1"):
        study.tell(trial, [1.0, 2.0], state=TrialState.COMPLETE)
    # None of the rejected calls finished the trial.
    assert study.trials[0].state == TrialState.RUNNING
    assert study.tell(trial, 0.5).state == TrialState.COMPLETE


def test_tell_with_bad_values_and_no_state_records_fail_and_warns() -> None:
    study = _study()
    trial = study.ask()
    with pytest.warns(UserWarning, match="number of the values 2 did not match"):
        frozen = study.tell(trial, [1.0, 2.0])
    assert frozen.state == TrialState.FAIL

    trial = study.ask()
    with pytest.warns(UserWarning, match="nan is not acceptable"):
        assert study.tell(trial, math.nan).state == TrialState.FAIL

    trial = study.ask()
    with pytest.warns(UserWarning, match="could not be cast to float"):
        assert study.tell(trial, "abc").state == TrialState.FAIL  # type: ignore[arg-type]


def test_telling_a_finished_trial_twice() -> None:
    study = _study()
    trial = study.ask()
    study.tell(trial, 1.0)
    with pytest.raises(UpdateFinishedTrialError, match="Cannot tell a COMPLETE trial"):
        study.tell(trial, 2.0)
    # Optuna raises ValueError here: scripts catching that keep working.
    with pytest.raises(ValueError, match="Cannot tell a COMPLETE trial"):
        study.tell(trial, 2.0)
    with pytest.raises(UpdateFinishedTrialError):
        study.tell(trial.number, state=TrialState.FAIL)
    skipped = study.tell(trial, 2.0, skip_if_finished=True)
    assert skipped.value == 1.0
    assert study.trials[0].value == 1.0
    # UpdateFinishedTrialError is also a RuntimeError, as in Optuna.
    assert issubclass(UpdateFinishedTrialError, RuntimeError)


def test_tell_unknown_trial_number_and_wrong_types() -> None:
    study = _study()
    with pytest.raises(ValueError, match=r"tell\(trial=7\): no trial with that number"):
        study.tell(7, 1.0)
    study.ask()
    with pytest.raises(TypeError, match=r"tell\(trial=\.\.\.\): expected a Trial or a trial"):
        study.tell("0", 1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"tell\(state=\.\.\.\): expected a TrialState"):
        study.tell(0, state="COMPLETE")  # type: ignore[arg-type]


def test_tell_rejects_a_trial_from_another_study() -> None:
    storage = optuna.storages.InMemoryStorage()
    a = optuna.create_study(storage=storage)
    b = optuna.create_study(storage=storage)
    trial = a.ask()
    with pytest.raises(ValueError, match="belongs to another study"):
        b.tell(trial, 1.0)


def test_ask_with_fixed_distributions() -> None:
    study = _study(sampler=optuna.samplers.RandomSampler(seed=1))
    fixed = {
        "x": FloatDistribution(-1, 1),
        "n": IntDistribution(1, 8, log=True),
        "c": CategoricalDistribution(["a", "b"]),
    }
    trial = study.ask(fixed_distributions=fixed)
    assert set(trial.params) == {"x", "n", "c"}
    assert trial.distributions == fixed
    # Suggesting them again in the objective returns the same values.
    assert trial.suggest_float("x", -1, 1) == trial.params["x"]
    assert trial.suggest_int("n", 1, 8, log=True) == trial.params["n"]
    assert trial.suggest_categorical("c", ["a", "b"]) == trial.params["c"]
    frozen = study.tell(trial, 0.0)
    assert frozen.distributions == fixed


def test_ask_tell_multi_objective() -> None:
    study = _study(directions=["minimize", "maximize"])
    trial = study.ask()
    x = trial.suggest_float("x", 0, 1)
    frozen = study.tell(trial, [x, x**2])
    assert frozen.values == [x, x**2]
    with pytest.raises(RuntimeError, match="multi-objective"):
        _ = frozen.value
    trial = study.ask()
    with pytest.raises(ValueError, match=r"number of the values 1 did not match .* objectives 2"):
        study.tell(trial, 1.0, state=TrialState.COMPLETE)


def test_numpy_values_are_accepted() -> None:
    np = pytest.importorskip("numpy")
    study = _study(directions=["minimize", "maximize"])
    assert study.tell(study.ask(), np.array([1.0, 2.0])).values == [1.0, 2.0]
    single = _study()
    frozen = single.tell(single.ask(), np.float32(0.5))
    assert frozen.value == 0.5
    assert type(frozen.value) is float


def test_a_finished_trial_cannot_be_changed() -> None:
    study = _study()
    trial = study.ask()
    x = trial.suggest_float("x", 0, 1)
    study.tell(trial, x)
    with pytest.raises(UpdateFinishedTrialError):
        trial.suggest_float("y", 0, 1)
    with pytest.raises(UpdateFinishedTrialError):
        trial.report(1.0, 0)
    with pytest.raises(UpdateFinishedTrialError):
        trial.set_user_attr("late", True)
    # Reading a parameter already suggested is still fine.
    assert trial.suggest_float("x", 0, 1) == x
    assert study.trials[0].params == {"x": x}
    assert study.trials[0].user_attrs == {}
