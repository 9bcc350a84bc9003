"""FanovaImportanceEvaluator and its tree decomposition, against brute force and known answers."""

from __future__ import annotations

import itertools
import time
from typing import Any

import numpy as np
import pytest
from sklearn.tree import DecisionTreeRegressor

import parabola
from parabola.importance import FanovaImportanceEvaluator, get_param_importances
from parabola.importance._fanova import _decomposition as decomposition
from parabola.importance._fanova._decomposition import main_effect_variance, tree_boxes


def _boxes(tree: Any, bounds: np.ndarray) -> Any:
    t = tree.tree_
    return tree_boxes(
        t.children_left, t.children_right, t.feature, t.threshold, t.value[:, 0, 0], bounds
    )


def _brute_force(tree: Any, bounds: np.ndarray, columns: list[int]) -> tuple[float, float]:
    """Main-effect and total variance by evaluating the tree on every cell of the full grid."""
    t = tree.tree_
    edges = []
    for c in range(bounds.shape[0]):
        cuts = np.unique(t.threshold[t.feature == c])
        edges.append(np.concatenate(([bounds[c, 0]], cuts, [bounds[c, 1]])))
    mids = [0.5 * (e[1:] + e[:-1]) for e in edges]
    sizes = [np.diff(e) for e in edges]
    points = np.array(list(itertools.product(*mids)))
    weights = np.prod(np.array(list(itertools.product(*sizes))), axis=1)
    values = tree.predict(points).reshape([len(m) for m in mids])
    weights = weights.reshape(values.shape)
    total_mean = np.average(values, weights=weights)
    total_var = float(np.average((values - total_mean) ** 2, weights=weights))
    others = tuple(c for c in range(bounds.shape[0]) if c not in columns)
    effect = (values * weights).sum(axis=others) / weights.sum(axis=others)
    cell = weights.sum(axis=others)
    mean = np.average(effect, weights=cell)
    return float(np.average((effect - mean) ** 2, weights=cell)), total_var


def test_a_single_split_explains_everything() -> None:
    tree = DecisionTreeRegressor(max_depth=1).fit([[0.2, 0.5], [0.8, 0.5]], [0.0, 1.0])
    bounds = np.array([[0.0, 1.0], [0.0, 1.0]])
    boxes = _boxes(tree, bounds)
    assert boxes.variance == pytest.approx(0.25)
    assert main_effect_variance(boxes, [0], bounds) == pytest.approx(0.25)
    assert main_effect_variance(boxes, [1], bounds) == 0.0


@pytest.mark.parametrize("seed", range(5))
def test_numeric_main_effects_equal_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    bounds = np.array([[0.0, 1.0], [-2.0, 3.0], [10.0, 20.0]])
    x = rng.uniform(bounds[:, 0], bounds[:, 1], size=(60, 3))
    y = np.sin(3 * x[:, 0]) * x[:, 1] + 0.1 * x[:, 2] + rng.normal(size=60) * 0.1
    tree = DecisionTreeRegressor(max_depth=5, random_state=seed).fit(x, y)
    boxes = _boxes(tree, bounds)
    for column in range(3):
        expected, total = _brute_force(tree, bounds, [column])
        assert main_effect_variance(boxes, [column], bounds) == pytest.approx(expected, rel=1e-9)
        assert boxes.variance == pytest.approx(total, rel=1e-9)


@pytest.mark.parametrize("path", ["dense grid", "pairwise"])
@pytest.mark.parametrize("seed", range(3))
def test_one_hot_main_effects_equal_brute_force(
    seed: int, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both ways of summing over a categorical's product grid: cell by cell, and the pairwise
    # form used for many choices.
    if path == "pairwise":
        monkeypatch.setattr(decomposition, "_DENSE_CELL_LIMIT", 0)
    rng = np.random.default_rng(seed)
    choice = rng.integers(0, 3, size=80)
    one_hot = np.eye(3)[choice]
    u = rng.uniform(size=(80, 1))
    x = np.hstack([one_hot, u])
    y = np.array([0.0, 2.0, 5.0])[choice] + u[:, 0] + rng.normal(size=80) * 0.1
    tree = DecisionTreeRegressor(max_depth=6, random_state=seed).fit(x, y)
    bounds = np.array([[0.0, 1.0]] * 4)
    boxes = _boxes(tree, bounds)
    expected, _ = _brute_force(tree, bounds, [0, 1, 2])
    assert main_effect_variance(boxes, [0, 1, 2], bounds) == pytest.approx(expected, rel=1e-9)


def test_a_categorical_with_many_choices_stays_fast() -> None:
    # 24 one-hot columns: a product grid of up to 2^24 cells per tree, summed pairwise instead.
    study = parabola.create_study(
        storage=parabola.storages.InMemoryStorage(),
        sampler=parabola.samplers.RandomSampler(seed=0),
    )
    study.optimize(
        lambda t: (
            3 * np.sin(t.suggest_categorical("c", list(range(24)))) + t.suggest_float("x", 0, 1)
        ),
        n_trials=400,
    )
    start = time.process_time()
    importances = get_param_importances(study, evaluator=FanovaImportanceEvaluator(seed=0))
    assert time.process_time() - start < 30  # ~1 s here; the dense grid would take hours
    assert next(iter(importances)) == "c"


def _study(objective: Any, n_trials: int = 150, **kwargs: Any) -> parabola.Study:
    study = parabola.create_study(
        storage=parabola.storages.InMemoryStorage(),
        sampler=parabola.samplers.RandomSampler(seed=0),
        **kwargs,
    )
    study.optimize(objective, n_trials=n_trials)
    return study


def _mixed(trial: parabola.Trial) -> float:
    x = trial.suggest_float("x", -5, 5)
    n = trial.suggest_int("n", 1, 100, log=True)
    c = trial.suggest_categorical("c", ["a", "b", "c"])
    trial.suggest_float("fixed", 1.0, 1.0)
    if c == "a":
        trial.suggest_float("only_a", 0, 1)
    return x**2 + 5 * (c == "b") + 0.01 * n


def test_ranks_the_parameters_of_a_known_objective() -> None:
    importances = get_param_importances(_study(_mixed), evaluator=FanovaImportanceEvaluator(seed=0))
    assert list(importances)[:2] == ["x", "c"]
    # The single-valued parameter is assessed (zero); the conditional one is not.
    assert importances["fixed"] == 0.0
    assert "only_a" not in importances
    assert sum(importances.values()) == pytest.approx(1.0)


def test_a_seed_makes_it_reproducible() -> None:
    study = _study(_mixed)
    a = get_param_importances(study, evaluator=FanovaImportanceEvaluator(seed=3))
    b = get_param_importances(study, evaluator=FanovaImportanceEvaluator(seed=3))
    assert a == b


def test_params_limit_the_assessment() -> None:
    study = _study(_mixed)
    importances = get_param_importances(
        study, evaluator=FanovaImportanceEvaluator(seed=0), params=["n", "x"]
    )
    assert set(importances) == {"n", "x"}


def test_conditional_param_by_name_uses_the_trials_that_have_it() -> None:
    study = _study(_mixed)
    importances = get_param_importances(
        study, evaluator=FanovaImportanceEvaluator(seed=0), params=["only_a", "x"]
    )
    assert set(importances) == {"only_a", "x"}


def test_multi_objective_needs_a_target() -> None:
    study = _study(lambda t: (t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1)),
                   directions=["minimize", "minimize"])  # fmt: skip
    with pytest.raises(ValueError, match="specify the `target`"):
        get_param_importances(study, evaluator=FanovaImportanceEvaluator(seed=0))
    importances = get_param_importances(
        study, evaluator=FanovaImportanceEvaluator(seed=0), target=lambda t: t.values[1]
    )
    assert next(iter(importances)) == "y"


def test_unknown_param_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=r"params.*Specified parameters: \['x', 'nope'\]"):
        get_param_importances(
            _study(_mixed, 20), evaluator=FanovaImportanceEvaluator(), params=["x", "nope"]
        )


def test_changing_distribution_with_params_is_a_value_error() -> None:
    study = parabola.create_study(storage=parabola.storages.InMemoryStorage())
    for high in (1.0, 2.0, 1.0, 2.0):
        study.enqueue_trial({"x": 0.5})
        study.optimize(lambda t, h=high: t.suggest_float("x", 0, h), n_trials=1)
    with pytest.raises(ValueError, match="dynamic search spaces"):
        get_param_importances(study, evaluator=FanovaImportanceEvaluator(), params=["x"])


def test_too_few_trials_and_constant_objective() -> None:
    one = _study(_mixed, 1)
    expected = dict.fromkeys(sorted(one.trials[0].params), 0.0)
    assert FanovaImportanceEvaluator(seed=0).evaluate(one) == expected
    flat = _study(lambda t: 0.0 * t.suggest_float("x", 0, 1), 20)
    with pytest.raises(RuntimeError, match="zero total variance"):
        get_param_importances(flat, evaluator=FanovaImportanceEvaluator(seed=0))


def test_empty_study_and_empty_params() -> None:
    empty = parabola.create_study(storage=parabola.storages.InMemoryStorage())
    assert get_param_importances(empty, evaluator=FanovaImportanceEvaluator()) == {}
    assert get_param_importances(_study(_mixed, 10), evaluator=FanovaImportanceEvaluator(),
                                 params=[]) == {}  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"n_trees": 0}, "n_trees"), ({"max_depth": 1.5}, "max_depth"), ({"seed": -1}, "seed"),
     ({"n_trees": True}, "n_trees")],
)  # fmt: skip
def test_bad_settings_name_the_argument(kwargs: dict[str, Any], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        FanovaImportanceEvaluator(**kwargs)
