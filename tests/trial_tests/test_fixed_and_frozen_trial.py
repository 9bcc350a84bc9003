"""``FixedTrial`` and ``FrozenTrial`` used as trials: re-running an objective."""

from __future__ import annotations

import copy

import pytest

import parabola as optuna
from parabola.distributions import FloatDistribution
from parabola.trial import FixedTrial, FrozenTrial, TrialState


def objective(trial: optuna.trial.BaseTrial) -> float:
    x = trial.suggest_float("x", -10, 10)
    n = trial.suggest_int("n", 1, 4)
    kind = trial.suggest_categorical("kind", ["sq", "abs"])
    trial.report(x, 0)
    if trial.should_prune():
        raise optuna.TrialPruned()
    trial.set_user_attr("seen", True)
    return (x**2 if kind == "sq" else abs(x)) * n


def test_fixed_trial_runs_an_objective() -> None:
    trial = FixedTrial({"x": -2.0, "n": 3, "kind": "sq"})
    assert objective(trial) == 12.0
    assert trial.params == {"x": -2.0, "n": 3, "kind": "sq"}
    assert trial.distributions["n"] == optuna.distributions.IntDistribution(1, 4)
    assert trial.user_attrs == {"seen": True}
    assert trial.number == 0
    assert FixedTrial({}, number=7).number == 7
    assert trial.datetime_start is not None


def test_fixed_trial_missing_param_and_out_of_range() -> None:
    with pytest.raises(ValueError, match=r"parameter 'n' is not found; FixedTrial has \['x'\]"):
        objective(FixedTrial({"x": 1.0}))
    trial = FixedTrial({"x": 50.0})
    with pytest.warns(UserWarning, match="value 50.0 of the parameter 'x' is out of the range"):
        assert trial.suggest_float("x", -10, 10) == 50.0


def test_fixed_trial_converts_ints_for_float_params() -> None:
    assert FixedTrial({"x": 2}).suggest_float("x", 0, 10) == 2.0
    assert FixedTrial({"n": 3}).suggest_int("n", 0, 10) == 3


def test_frozen_trial_reruns_the_best_trial() -> None:
    study = optuna.create_study(storage=optuna.storages.InMemoryStorage())
    study.optimize(objective, n_trials=5)
    best = study.best_trial
    assert isinstance(best, FrozenTrial)
    assert objective(best) == pytest.approx(best.value)
    with pytest.raises(ValueError, match=r"parameter 'y' is not found"):
        best.suggest_float("y", 0, 1)


def test_frozen_trial_out_of_range_warns() -> None:
    trial = optuna.create_trial(
        params={"x": 5.0}, distributions={"x": FloatDistribution(0, 10)}, value=1.0
    )
    with pytest.warns(UserWarning, match="out of the range"):
        trial.suggest_float("x", 0, 1)


def test_frozen_trial_fields_and_copy() -> None:
    trial = optuna.create_trial(
        params={"x": 5.0},
        distributions={"x": FloatDistribution(0, 10)},
        value=1.0,
        user_attrs={"a": 1},
        intermediate_values={0: 3.0, 2: 1.0},
    )
    assert trial.state == TrialState.COMPLETE
    assert trial.value == 1.0
    assert trial.values == [1.0]
    assert trial.last_step == 2
    assert trial.duration is not None
    twin = copy.deepcopy(trial)
    assert twin == trial
    twin.user_attrs["a"] = 2
    assert twin != trial
    assert "FrozenTrial(number=-1, state=TrialState.COMPLETE" in repr(trial)


def test_trial_state() -> None:
    assert [s.name for s in TrialState] == ["RUNNING", "COMPLETE", "PRUNED", "FAIL", "WAITING"]
    assert [int(s) for s in TrialState] == [0, 1, 2, 3, 4]
    assert repr(TrialState.COMPLETE) == "TrialState.COMPLETE"
    assert {s for s in TrialState if s.is_finished()} == {
        TrialState.COMPLETE,
        TrialState.PRUNED,
        TrialState.FAIL,
    }


def test_fixed_trial_value_of_the_wrong_kind_names_the_parameter() -> None:
    trial = FixedTrial({"c": "z", "x": "s"})
    with pytest.raises(ValueError, match=r"value 'z' of parameter 'c' does not fit Categorical"):
        trial.suggest_categorical("c", ["a", "b"])
    with pytest.raises(ValueError, match=r"value 's' of parameter 'x' does not fit Float"):
        trial.suggest_float("x", 0, 1)


def test_frozen_trial_restore_equals_the_constructor_and_takes_the_containers() -> None:
    fields = {
        "number": 3,
        "state": TrialState.COMPLETE,
        "datetime_start": None,
        "datetime_complete": None,
        "params": {"x": 1.0},
        "distributions": {"x": FloatDistribution(0, 2)},
        "user_attrs": {"a": [1]},
        "system_attrs": {},
        "intermediate_values": {0: 0.5},
        "trial_id": 7,
    }
    built = FrozenTrial(value=2.0, **fields)  # type: ignore[arg-type]
    restored = FrozenTrial._restore(values=[2.0], **fields)  # type: ignore[arg-type]
    assert restored == built and repr(restored) == repr(built)
    assert list(vars(restored)) == list(vars(built))  # one attribute layout
    assert restored.params is fields["params"]  # no defensive copy (the store's fast path)
    assert built.params is not fields["params"]  # the public constructor keeps its copy
