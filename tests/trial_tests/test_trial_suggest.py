"""``Trial.suggest_*``: ranges, repeats, incompatible repeats, and the trial's attributes."""

from __future__ import annotations

import datetime

import pytest

import parabola as optuna
from parabola.distributions import CategoricalDistribution, FloatDistribution, IntDistribution


def _trial(seed: int = 0) -> optuna.Trial:
    study = optuna.create_study(
        storage=optuna.storages.InMemoryStorage(),
        sampler=optuna.samplers.RandomSampler(seed=seed),
    )
    return study.ask()


def test_suggest_kinds_stay_in_range() -> None:
    for seed in range(20):
        trial = _trial(seed)
        x = trial.suggest_float("x", -2.5, 2.5)
        lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
        q = trial.suggest_float("q", 0.0, 1.0, step=0.25)
        n = trial.suggest_int("n", 1, 9, step=2)
        m = trial.suggest_int("m", 1, 1024, log=True)
        c = trial.suggest_categorical("c", ["relu", None, 3, 1.5, True])
        assert -2.5 <= x <= 2.5
        assert 1e-5 <= lr <= 1e-1
        assert q in (0.0, 0.25, 0.5, 0.75, 1.0)
        assert n in (1, 3, 5, 7, 9)
        assert isinstance(n, int)
        assert 1 <= m <= 1024
        assert isinstance(m, int)
        assert c in ["relu", None, 3, 1.5, True]
        assert trial.distributions == {
            "x": FloatDistribution(-2.5, 2.5),
            "lr": FloatDistribution(1e-5, 1e-1, log=True),
            "q": FloatDistribution(0.0, 1.0, step=0.25),
            "n": IntDistribution(1, 9, step=2),
            "m": IntDistribution(1, 1024, log=True),
            "c": CategoricalDistribution(["relu", None, 3, 1.5, True]),
        }
        assert trial.params == {"x": x, "lr": lr, "q": q, "n": n, "m": m, "c": c}


def test_single_point_ranges() -> None:
    trial = _trial()
    assert trial.suggest_float("x", 1.5, 1.5) == 1.5
    assert trial.suggest_int("n", 3, 3) == 3
    assert trial.suggest_categorical("c", ["only"]) == "only"


def test_suggesting_the_same_name_twice_returns_the_same_value() -> None:
    trial = _trial()
    assert trial.suggest_float("x", 0, 1) == trial.suggest_float("x", 0, 1)
    assert trial.suggest_int("n", 0, 100) == trial.suggest_int("n", 0, 100)
    c = trial.suggest_categorical("c", ["a", "b", "c"])
    assert all(trial.suggest_categorical("c", ["a", "b", "c"]) == c for _ in range(5))
    # A compatible change of range keeps the first value and warns (as Optuna does).
    x = trial.params["x"]
    with pytest.warns(RuntimeWarning, match='Inconsistent parameter values .* name "x"'):
        assert trial.suggest_float("x", -5, 5) == x


def test_incompatible_distribution_names_the_parameter() -> None:
    trial = _trial()
    trial.suggest_float("x", 0, 1)
    with pytest.raises(ValueError, match=r"Parameter 'x' was already suggested in trial 0"):
        trial.suggest_int("x", 0, 1)
    trial.suggest_categorical("c", ["a", "b"])
    with pytest.raises(ValueError, match=r"Parameter 'c'"):
        trial.suggest_categorical("c", ["a", "b", "z"])
    with pytest.raises(ValueError, match=r"Parameter 'c'"):
        trial.suggest_float("c", 0, 1)


def test_same_name_in_optimize_via_objective() -> None:
    def objective(trial: optuna.Trial) -> float:
        x = trial.suggest_float("x", -1, 1)
        assert trial.suggest_float("x", -1, 1) == x
        return x

    study = optuna.create_study(storage=optuna.storages.InMemoryStorage())
    study.optimize(objective, n_trials=3)
    assert all(set(t.params) == {"x"} for t in study.trials)


def test_trial_attributes() -> None:
    study = optuna.create_study(storage=optuna.storages.InMemoryStorage())
    study.ask()
    trial = study.ask()
    assert trial.number == 1
    assert trial.params == {}
    assert trial.distributions == {}
    assert trial.user_attrs == {}
    assert isinstance(trial.datetime_start, datetime.datetime)
    assert trial.study is study
    trial.set_user_attr("k", {"nested": [1]})
    assert trial.user_attrs == {"k": {"nested": [1]}}
    assert study.trials[1].user_attrs == {"k": {"nested": [1]}}
    # params returns a copy: mutating it does not change the trial.
    trial.suggest_float("x", 0, 1)
    trial.params["x"] = 99
    assert trial.params["x"] != 99


def test_seeded_sampler_is_reproducible() -> None:
    def run(seed: int) -> list[float]:
        study = optuna.create_study(
            storage=optuna.storages.InMemoryStorage(),
            sampler=optuna.samplers.RandomSampler(seed=seed),
        )
        study.optimize(lambda t: t.suggest_float("x", -10, 10), n_trials=5)
        return [t.params["x"] for t in study.trials]

    assert run(7) == run(7)
    assert run(7) != run(8)


def test_trial_is_a_base_trial() -> None:
    assert isinstance(_trial(), optuna.trial.BaseTrial)
    assert isinstance(optuna.trial.FixedTrial({}), optuna.trial.BaseTrial)
    assert isinstance(optuna.create_trial(value=1.0), optuna.trial.BaseTrial)


def test_constraints_pick_the_best_feasible_trial() -> None:
    study = optuna.create_study(storage=optuna.storages.InMemoryStorage())
    for x, c in ((0.0, 1.0), (1.0, -1.0), (2.0, 0.0), (0.5, 0.5)):
        trial = study.ask()
        trial.set_constraint("c", c)
        study.tell(trial, x)
    # Trial 0 has the lowest value but violates its constraint (c > 0).
    assert study.best_trial.number == 1
    assert study.best_trial.constraints == {"c": -1.0}
    assert [t.number for t in study.best_trials] == [1]


def test_set_constraint_checks() -> None:
    trial = _trial()
    trial.set_constraint("c", 0.5)
    with pytest.warns(UserWarning, match="constraint value is ignored .* `key='c'` is already set"):
        trial.set_constraint("c", -1.0)
    assert trial.constraints == {"c": 0.5}
    with pytest.raises(ValueError, match=r"constraint for 'd', but NaN is not allowed"):
        trial.set_constraint("d", float("nan"))
    with pytest.raises(TypeError, match=r"set_constraint\('d', value=\.\.\.\): .* float"):
        trial.set_constraint("d", "high")  # type: ignore[arg-type]
    # Stored as Optuna 5.0 stores it: one system attribute per constraint.
    assert trial.study.trials[0].system_attrs == {"constraints:c": 0.5}


def test_fixed_and_frozen_trials_hold_constraints() -> None:
    fixed = optuna.trial.FixedTrial({})
    fixed.set_constraint("a", 1)
    assert fixed.constraints == {"a": 1.0}
    frozen = optuna.create_trial(value=1.0, constraints={"b": -1.0})
    assert frozen.system_attrs == {"constraints:b": -1.0}
    frozen.set_constraint("c", 2.0)
    assert frozen.constraints == {"b": -1.0, "c": 2.0}
    with pytest.raises(ValueError, match="NaN is not allowed"):
        optuna.create_trial(value=1.0, constraints={"b": float("nan")})
    # Optuna's older list form (a sampler's constraints_func) reads as "0", "1", ...
    old = optuna.create_trial(value=1.0, system_attrs={"constraints": [0.5, -1.0]})
    assert old.constraints == {"0": 0.5, "1": -1.0}


def test_no_feasible_trial() -> None:
    study = optuna.create_study(storage=optuna.storages.InMemoryStorage())
    trial = study.ask()
    trial.set_constraint("c", 1.0)
    study.tell(trial, 0.0)
    with pytest.raises(ValueError, match="No feasible trials are completed yet"):
        _ = study.best_trial
    assert study.best_trials == []
