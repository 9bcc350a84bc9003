"""PartialFixedSampler: pinned parameters come back as given, the rest go to the base sampler."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from unittest import mock

import pytest

import parabola
from parabola.exceptions import ExperimentalWarning
from parabola.samplers import (
    BaseSampler,
    GridSampler,
    PartialFixedSampler,
    QMCSampler,
    RandomSampler,
)
from parabola.storages import InMemoryStorage
from parabola.trial import Trial

pytestmark = pytest.mark.filterwarnings("ignore::parabola.exceptions.ExperimentalWarning")


def _objective(trial: Trial) -> float:
    x = trial.suggest_float("x", -1.0, 1.0)
    y = trial.suggest_int("y", -5, 5)
    c = trial.suggest_categorical("c", ["a", "b"])
    return x + y + (c == "a")


def _study(sampler: BaseSampler) -> parabola.Study:
    return parabola.create_study(storage=InMemoryStorage(), sampler=sampler)


def test_fixed_values_are_returned_and_others_sampled() -> None:
    study = _study(PartialFixedSampler({"y": 2, "c": "b"}, RandomSampler(seed=0)))
    study.optimize(_objective, n_trials=10)
    assert {(t.params["y"], t.params["c"]) for t in study.trials} == {(2, "b")}
    xs = {t.params["x"] for t in study.trials}
    assert len(xs) == 10 and all(-1.0 <= x <= 1.0 for x in xs)


def test_same_values_as_the_base_sampler_for_free_params() -> None:
    fixed = _study(PartialFixedSampler({"y": 0}, RandomSampler(seed=3)))
    fixed.optimize(_objective, n_trials=5)

    def pinned_by_range(trial: Trial) -> float:
        trial.suggest_float("x", -1.0, 1.0)
        trial.suggest_int("y", 0, 0)
        trial.suggest_categorical("c", ["a", "b"])
        return 0.0

    free = _study(RandomSampler(seed=3))
    free.optimize(pinned_by_range, n_trials=5)
    # The pinned y consumes no random draw, as a single-valued y consumes none either.
    assert [t.params for t in fixed.trials] == [t.params for t in free.trials]


def test_fixed_params_are_removed_from_the_relative_space() -> None:
    # QMC samples x and y jointly after trial 0; y must still be the fixed value.
    base = QMCSampler(seed=0)
    study = _study(PartialFixedSampler({"y": -4}, base))
    study.optimize(_objective, n_trials=6)
    assert {t.params["y"] for t in study.trials} == {-4}
    space = study.sampler.infer_relative_search_space(study, study.trials[-1])
    assert "y" not in space and "x" in space


def test_out_of_range_value_warns_and_is_used() -> None:
    study = _study(PartialFixedSampler({"y": 50}, RandomSampler(seed=0)))
    with pytest.warns(UserWarning, match="Fixed parameter 'y' with value '50' is out of range"):
        study.optimize(_objective, n_trials=1)
    assert study.trials[0].params["y"] == 50


def test_value_of_the_wrong_kind_is_a_value_error() -> None:
    study = _study(PartialFixedSampler({"c": "zzz"}, RandomSampler(seed=0)))
    with pytest.raises(ValueError, match="zzz"):
        study.optimize(_objective, n_trials=1)


def test_hooks_reach_the_base_sampler() -> None:
    # GridSampler needs before_trial (to pick a point) and after_trial (to stop the study).
    study = _study(PartialFixedSampler({"y": 1}, GridSampler({"x": [0.0, 0.5], "c": ["a"]})))
    study.optimize(_objective, n_trials=50)
    assert sorted(t.params["x"] for t in study.trials) == [0.0, 0.5]


def test_reseed_rng_is_delegated() -> None:
    base = RandomSampler(seed=0)
    with mock.patch.object(base, "reseed_rng") as reseed:
        PartialFixedSampler({"x": 0.0}, base).reseed_rng()
    reseed.assert_called_once_with()


def test_after_trial_gets_state_and_values() -> None:
    calls: list[tuple[str, Sequence[float] | None]] = []

    class Recorder(RandomSampler):
        def after_trial(self, study: Any, trial: Any, state: Any, values: Any) -> None:
            calls.append((state.name, values))

    study = _study(PartialFixedSampler({"y": 0, "c": "a"}, Recorder(seed=0)))
    study.optimize(lambda t: t.suggest_int("y", 0, 1) + 1.0, n_trials=1)
    assert calls == [("COMPLETE", [1.0])]


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (([("x", 1)], RandomSampler()), "fixed_params"),
        (({"x": 1}, "random"), "base_sampler"),
    ],
)
def test_bad_arguments_name_themselves(args: tuple[Any, Any], match: str) -> None:
    with pytest.raises(TypeError, match=match):
        PartialFixedSampler(*args)


@pytest.mark.filterwarnings("default::parabola.exceptions.ExperimentalWarning")
def test_is_experimental_as_in_optuna() -> None:
    with pytest.warns(ExperimentalWarning, match="PartialFixedSampler"):
        PartialFixedSampler({}, RandomSampler())
