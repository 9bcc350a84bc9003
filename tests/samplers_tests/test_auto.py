"""AutoSampler: the sampler contract, and the policy handing over at its documented points."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

import pytest

import parabola
from parabola.distributions import BaseDistribution
from parabola.samplers import AutoSampler, BaseSampler
from parabola.samplers import _auto as auto_module
from parabola.storages import InMemoryStorage
from parabola.testing.samplers import SamplerContract


class TestAutoSampler(SamplerContract):
    def create_sampler(
        self, seed: int | None, search_space: Mapping[str, BaseDistribution]
    ) -> BaseSampler:
        return AutoSampler(seed=seed, max_overhead=None)


def _study(sampler: BaseSampler, directions: tuple[str, ...] = ("minimize",)) -> Any:
    return parabola.create_study(
        storage=InMemoryStorage(), sampler=sampler, directions=list(directions)
    )


def _choices(study: Any) -> list[str]:
    return [t.system_attrs[auto_module.CHOICE_KEY] for t in study.trials]


def _continuous(trial: Any) -> float:
    return float((trial.suggest_float("x", -3, 3) - 1) ** 2 + trial.suggest_int("n", 0, 5))


def test_continuous_space_uses_the_gp_then_hands_over(caplog: pytest.LogCaptureFixture) -> None:
    study = _study(AutoSampler(seed=0, gp_trials=14, max_overhead=None))
    with caplog.at_level(logging.INFO, logger="parabola"):
        study.optimize(_continuous, n_trials=17)
    choices = _choices(study)
    after = "CmaEsSampler" if auto_module._cmaes_class() is not None else "TPESampler"
    assert choices == ["GPSampler"] * 14 + [after] * 3
    logged = [r.getMessage() for r in caplog.records if "AutoSampler" in r.getMessage()]
    assert logged == [
        "AutoSampler: trial 0 onwards uses GPSampler.",
        f"AutoSampler: trial 14 onwards uses {after}.",
    ]


def test_categorical_or_conditional_spaces_use_tpe() -> None:
    study = _study(AutoSampler(seed=0, max_overhead=None))
    study.optimize(
        lambda t: t.suggest_float("x", 0, 1) + (t.suggest_categorical("c", ["a", "b"]) == "a"),
        n_trials=5,
    )
    assert _choices(study)[1:] == ["TPESampler"] * 4

    def conditional(trial: Any) -> float:
        x = trial.suggest_float("x", 0, 1)
        return x + (trial.suggest_float("y", 0, 1) if trial.number % 2 else 0.0)

    study = _study(AutoSampler(seed=0, max_overhead=None))
    study.optimize(conditional, n_trials=5)
    assert _choices(study)[2:] == ["TPESampler"] * 3


def test_several_objectives() -> None:
    def two(trial: Any) -> tuple[float, float]:
        x = trial.suggest_float("x", 0, 1)
        return x, 1 - x

    study = _study(AutoSampler(seed=0, max_overhead=None), ("minimize", "minimize"))
    study.optimize(two, n_trials=4)
    assert set(_choices(study)) == {"GPSampler"}

    study = _study(AutoSampler(seed=0, max_overhead=None), ("minimize",) * 4)
    study.optimize(lambda t: tuple(t.suggest_float("x", 0, 1) + i for i in range(4)), n_trials=3)
    many = "NSGAIISampler" if auto_module._nsga2_class() is not None else "TPESampler"
    assert _choices(study) == [many] * 3


def test_a_fast_objective_leaves_the_gp_a_slow_one_keeps_it() -> None:
    fast = _study(AutoSampler(seed=0))
    fast.optimize(_continuous, n_trials=16)
    assert _choices(fast)[:11] == ["GPSampler"] * 11  # start-up, then the first GP step
    assert _choices(fast)[-1] == "TPESampler"  # the GP step costs more than the objective

    def slow(trial: Any) -> float:
        time.sleep(0.3)
        return _continuous(trial)

    study = _study(AutoSampler(seed=0))
    study.optimize(slow, n_trials=13)
    assert set(_choices(study)) == {"GPSampler"}


def test_reproducible_with_a_seed_when_the_clock_rule_is_off() -> None:
    def run() -> list[dict[str, Any]]:
        study = _study(AutoSampler(seed=5, max_overhead=None, gp_trials=12))
        study.optimize(_continuous, n_trials=14)
        return [t.params for t in study.trials]

    assert run() == run()


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"gp_trials": -1}, "gp_trials"), ({"max_overhead": 0.0}, "max_overhead")],
)
def test_bad_arguments_name_themselves(kwargs: dict[str, Any], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        AutoSampler(**kwargs)
