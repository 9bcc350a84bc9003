"""MeanDecreaseImpurityImportanceEvaluator: the forest's impurity importances per parameter."""

from __future__ import annotations

from typing import Any

import pytest

import parabola
from parabola.importance import MeanDecreaseImpurityImportanceEvaluator, get_param_importances


def _study(n_trials: int = 150, **kwargs: Any) -> parabola.Study:
    study = parabola.create_study(
        storage=parabola.storages.InMemoryStorage(),
        sampler=parabola.samplers.RandomSampler(seed=0),
        **kwargs,
    )

    def objective(trial: parabola.Trial) -> float:
        x = trial.suggest_float("x", -5, 5)
        c = trial.suggest_categorical("c", ["a", "b", "c", "d"])
        trial.suggest_int("noise", 0, 3)
        return x**2 + 3 * (c == "b")

    study.optimize(objective, n_trials=n_trials)
    return study


def test_categorical_columns_are_summed_into_one_parameter() -> None:
    importances = get_param_importances(
        _study(), evaluator=MeanDecreaseImpurityImportanceEvaluator(seed=0)
    )
    assert set(importances) == {"x", "c", "noise"}
    assert list(importances)[:2] == ["x", "c"]
    assert sum(importances.values()) == pytest.approx(1.0)
    # Unnormalised, MDI importances already sum to 1 (scikit-learn's convention).
    raw = MeanDecreaseImpurityImportanceEvaluator(seed=0).evaluate(_study())
    assert sum(raw.values()) == pytest.approx(1.0)


def test_params_order_does_not_change_the_labels() -> None:
    study = _study()
    a = MeanDecreaseImpurityImportanceEvaluator(seed=2).evaluate(study, params=["x", "c"])
    b = MeanDecreaseImpurityImportanceEvaluator(seed=2).evaluate(study, params=["c", "x"])
    assert a == b and next(iter(a)) == "x"


def test_multi_objective_needs_a_target() -> None:
    mo = parabola.create_study(
        directions=["minimize", "maximize"], storage=parabola.storages.InMemoryStorage()
    )
    mo.optimize(lambda t: (t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1)), n_trials=20)
    with pytest.raises(ValueError, match="specify the `target`"):
        get_param_importances(mo, evaluator=MeanDecreaseImpurityImportanceEvaluator())


def test_edge_cases() -> None:
    evaluator = MeanDecreaseImpurityImportanceEvaluator(seed=0)
    assert get_param_importances(_study(20), evaluator=evaluator, params=[]) == {}
    one = _study(1)
    assert evaluator.evaluate(one) == {"c": 0.0, "noise": 0.0, "x": 0.0}
    with pytest.raises(ValueError, match=r"Specified parameters: \['nope'\]"):
        evaluator.evaluate(_study(10), params=["nope"])
    with pytest.raises(ValueError, match="n_trees must be a positive int"):
        MeanDecreaseImpurityImportanceEvaluator(n_trees=-3)
