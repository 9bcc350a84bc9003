"""PED-ANOVA on parabola's own studies: the ranking it must find, its warnings and its errors."""

from __future__ import annotations

import math
import warnings

import pytest

import parabola
from parabola.importance import PedAnovaImportanceEvaluator, get_param_importances


def _study(n_trials: int = 200, seed: int = 0) -> parabola.Study:
    study = parabola.create_study(
        storage=parabola.storages.InMemoryStorage(),
        sampler=parabola.samplers.RandomSampler(seed=seed),
    )

    def objective(trial: parabola.Trial) -> float:
        x = trial.suggest_float("x", -10, 10)
        y = trial.suggest_int("y", 0, 20)
        z = trial.suggest_categorical("z", ["a", "b", "c"])
        return x**2 + 0.1 * y + 0.001 * (z == "a")

    study.optimize(objective, n_trials=n_trials)
    return study


def test_finds_the_dominant_parameter_and_normalises() -> None:
    importances = get_param_importances(_study())
    assert next(iter(importances)) == "x"
    assert importances["x"] > 0.8
    assert math.isclose(sum(importances.values()), 1.0)
    values = list(importances.values())
    assert values == sorted(values, reverse=True)


def test_maximize_flips_which_trials_are_top() -> None:
    study = parabola.create_study(
        direction="maximize",
        storage=parabola.storages.InMemoryStorage(),
        sampler=parabola.samplers.RandomSampler(seed=1),
    )
    # Maximising: the best trials sit at |x| near 10; y is noise.
    study.optimize(
        lambda t: t.suggest_float("x", -10, 10) ** 2 + 0.0 * t.suggest_float("y", 0, 1), 300
    )
    importances = get_param_importances(study)
    assert list(importances) == ["x", "y"]


def test_quantiles_are_validated_naming_the_arguments() -> None:
    with pytest.raises(ValueError, match=r"target_quantile.*region_quantile"):
        PedAnovaImportanceEvaluator(target_quantile=0.5, region_quantile=0.5)
    with pytest.raises(ValueError, match="target_quantile"):
        PedAnovaImportanceEvaluator(target_quantile=0.0)
    with pytest.raises(TypeError, match="target_quantile"):
        PedAnovaImportanceEvaluator(target_quantile="0.1")  # type: ignore[arg-type]
    with pytest.warns(UserWarning, match="region_quantile` has no effect"):
        PedAnovaImportanceEvaluator(region_quantile=0.5, evaluate_on_local=False)


def test_unknown_param_is_a_value_error_naming_it() -> None:
    with pytest.raises(ValueError, match=r"params.*Missing parameters: \['nope'\]"):
        get_param_importances(_study(20), params=["x", "nope"])


def test_params_must_be_a_list_of_names() -> None:
    with pytest.raises(TypeError, match="params"):
        get_param_importances(_study(20), params="x")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="params"):
        get_param_importances(_study(20), params=[1])  # type: ignore[list-item]


def test_too_few_trials_warn_and_give_equal_shares() -> None:
    study = _study(1)
    with pytest.warns(UserWarning, match="too small to compute importances"):
        importances = get_param_importances(study)
    assert importances == {"x": 1 / 3, "y": 1 / 3, "z": 1 / 3}


def test_empty_study_gives_empty_dict() -> None:
    study = parabola.create_study(storage=parabola.storages.InMemoryStorage())
    with pytest.warns(UserWarning, match="too small"):
        assert get_param_importances(study) == {}


def test_empty_params_give_empty_dict() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert get_param_importances(_study(30), params=[]) == {}
