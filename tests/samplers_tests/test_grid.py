"""GridSampler: exhaustive, seeded-order search over a given grid that stops the study."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

import parabola
from parabola.samplers import GridSampler, RandomSampler
from parabola.storages import InMemoryStorage
from parabola.trial import Trial, TrialState

SPACE: dict[str, list[Any]] = {"x": [-1.5, 0.0, 2.5], "n": [1, 3], "c": ["a", None, True]}


def _objective(trial: Trial) -> float:
    x = trial.suggest_float("x", -2.0, 3.0)
    n = trial.suggest_int("n", 0, 5)
    c = trial.suggest_categorical("c", ["a", None, True])
    return x * n + (c is None)


def _study(sampler: parabola.samplers.BaseSampler) -> parabola.Study:
    return parabola.create_study(storage=InMemoryStorage(), sampler=sampler)


def _points(study: parabola.Study) -> list[tuple[Any, ...]]:
    return [(t.params["x"], t.params["n"], t.params["c"]) for t in study.trials]


ALL_POINTS = set(itertools.product(SPACE["x"], SPACE["n"], SPACE["c"]))


def test_visits_every_point_once_then_stops() -> None:
    study = _study(GridSampler(SPACE, seed=1))
    study.optimize(_objective, n_trials=100)
    points = _points(study)
    assert len(points) == len(ALL_POINTS) == 18
    assert set(points) == ALL_POINTS
    assert all(t.state == TrialState.COMPLETE for t in study.trials)


def test_values_keep_their_types() -> None:
    study = _study(GridSampler(SPACE))
    study.optimize(_objective, n_trials=100)
    for t in study.trials:
        assert type(t.params["x"]) is float
        assert type(t.params["n"]) is int
        assert t.params["c"] in ("a", None) or t.params["c"] is True


def test_records_grid_id_and_search_space() -> None:
    sampler = GridSampler(SPACE, seed=3)
    study = _study(sampler)
    study.optimize(_objective, n_trials=5)
    ids = [t.system_attrs["grid_id"] for t in study.trials]
    # A fresh study takes the shuffled points in order: trial k gets point k.
    assert ids == [0, 1, 2, 3, 4]
    assert all(t.system_attrs["search_space"] == dict(sorted(SPACE.items())) for t in study.trials)
    assert not sampler.is_exhausted(study)


def test_order_is_shuffled_and_seeded() -> None:
    def order(seed: int | None) -> list[tuple[Any, ...]]:
        study = _study(GridSampler(SPACE, seed=seed))
        study.optimize(_objective)  # no n_trials: the exhausted grid ends optimize
        return _points(study)

    assert order(5) == order(5)
    assert order(None) == order(0)  # Optuna's convention: no seed shuffles with seed 0
    orders = {tuple(order(seed)) for seed in range(4)}
    assert len(orders) > 1
    in_product_order = list(itertools.product(*(SPACE[k] for k in sorted(SPACE))))
    assert all(list(o) != in_product_order for o in orders)


def test_same_order_as_optuna() -> None:
    optuna = pytest.importorskip("optuna")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    ours = _study(GridSampler(SPACE, seed=11))
    ours.optimize(_objective)
    theirs = optuna.create_study(sampler=optuna.samplers.GridSampler(SPACE, seed=11))
    theirs.optimize(_objective)  # type: ignore[arg-type]
    assert _points(ours) == [(t.params["x"], t.params["n"], t.params["c"]) for t in theirs.trials]


def test_ask_and_tell_covers_the_grid() -> None:
    sampler = GridSampler({"x": [0.0, 1.0], "y": [10, 20, 30]}, seed=0)
    study = _study(sampler)
    seen = set()
    for _ in range(6):
        trial = study.ask()
        x = trial.suggest_float("x", 0.0, 1.0)
        y = trial.suggest_int("y", 0, 100)
        seen.add((x, y))
        study.tell(trial, x + y)
    assert seen == set(itertools.product([0.0, 1.0], [10, 20, 30]))
    assert sampler.is_exhausted(study)


def test_two_threads_cover_the_grid() -> None:
    study = _study(GridSampler(SPACE, seed=0))
    study.optimize(_objective, n_trials=40, n_jobs=2)
    points = _points(study)
    assert set(points) == ALL_POINTS
    # At most one point per extra thread is re-run near the end (see the class Note).
    assert len(ALL_POINTS) <= len(points) <= len(ALL_POINTS) + 1


def test_resumes_with_a_new_sampler_instance() -> None:
    study = _study(GridSampler(SPACE, seed=2))
    study.optimize(_objective, n_trials=7)
    study.sampler = GridSampler(SPACE, seed=2)
    study.optimize(_objective, n_trials=100)
    points = _points(study)
    assert len(points) == len(ALL_POINTS)
    assert set(points) == ALL_POINTS


def test_trials_of_another_grid_are_ignored() -> None:
    study = _study(GridSampler({"x": [0.0], "n": [1], "c": ["a"]}))
    study.optimize(_objective)
    assert len(study.trials) == 1
    study.sampler = GridSampler(SPACE, seed=4)
    study.optimize(_objective)
    assert set(_points(study)[1:]) == ALL_POINTS
    assert len(study.trials) == 1 + len(ALL_POINTS)


def test_exhausted_grid_runs_one_more_trial_and_warns(capsys: pytest.CaptureFixture[str]) -> None:
    sampler = GridSampler({"x": [0.0, 1.0]})
    study = _study(sampler)
    study.optimize(lambda t: t.suggest_float("x", 0, 1))
    assert len(study.trials) == 2
    capsys.readouterr()
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=10)
    assert len(study.trials) == 3
    assert "re-evaluating a grid point" in capsys.readouterr().err


def test_parameter_not_in_grid_is_a_value_error() -> None:
    study = _study(GridSampler({"x": [0.0, 1.0]}))

    def objective(trial: Trial) -> float:
        return trial.suggest_float("x", 0, 1) + trial.suggest_float("missing_param", 0, 1)

    with pytest.raises(ValueError, match="missing_param"):
        study.optimize(objective, n_trials=1)


def test_value_outside_the_range_warns_and_is_used() -> None:
    study = _study(GridSampler({"x": [5.0]}))
    with pytest.warns(UserWarning, match="out of range of the parameter `x`"):
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    assert study.trials[0].params["x"] == 5.0


def test_enqueued_trials_keep_their_params() -> None:
    study = _study(GridSampler({"x": [0.0, 1.0]}))
    study.enqueue_trial({"x": 0.5})
    study.optimize(lambda t: t.suggest_float("x", 0, 1))
    xs = [t.params["x"] for t in study.trials]
    assert xs[0] == 0.5 and "grid_id" not in study.trials[0].system_attrs
    assert sorted(xs[1:]) == [0.0, 1.0]


def test_enqueued_trial_missing_a_grid_param_is_an_error() -> None:
    study = _study(GridSampler({"x": [0.0, 1.0], "y": [0.0]}))
    study.enqueue_trial({"x": 0.5})

    def objective(trial: Trial) -> float:
        return trial.suggest_float("x", 0, 1) + trial.suggest_float("y", 0, 1)

    with pytest.raises(ValueError, match="All parameters must be specified"):
        study.optimize(objective, n_trials=1)


def test_pruned_and_failed_trials_count_as_visited() -> None:
    study = _study(GridSampler({"x": [0.0, 1.0, 2.0]}))

    def objective(trial: Trial) -> float:
        x = trial.suggest_float("x", 0, 2)
        if x == 1.0:
            raise parabola.TrialPruned()
        if x == 2.0:
            raise RuntimeError("boom")
        return x

    study.optimize(objective, n_trials=10, catch=(RuntimeError,))
    assert sorted(t.state.name for t in study.trials) == ["COMPLETE", "FAIL", "PRUNED"]


@pytest.mark.parametrize(
    ("space", "match"),
    [
        ({"x": []}, "'x' has no values"),
        ({"x": "abc"}, "values of 'x' must be a list"),
        ({"x": 3}, "values of 'x' must be a list"),
        ({"x": {"a": 1}}, "values of 'x' must be a list"),
        ([("x", [1])], "expected a dict"),
    ],
)
def test_bad_search_space_is_a_value_error(space: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        GridSampler(space)


def test_numpy_grids_become_python_values() -> None:
    sampler = GridSampler({"x": np.linspace(0.0, 1.0, 3), "n": np.arange(2)})
    study = _study(sampler)
    study.optimize(lambda t: t.suggest_float("x", 0, 1) * t.suggest_int("n", 0, 1))
    assert len(study.trials) == 6
    assert {type(t.params["n"]) for t in study.trials} == {int}
    space = study.trials[0].system_attrs["search_space"]
    assert space == {"n": [0, 1], "x": [0.0, 0.5, 1.0]}
    assert {type(v) for v in space["n"]} == {int}


def test_unstorable_value_type_warns() -> None:
    with pytest.warns(UserWarning, match="'x' contains"):
        GridSampler({"x": [object()]})


def test_multi_objective_study() -> None:
    study = parabola.create_study(
        storage=InMemoryStorage(),
        sampler=GridSampler({"x": [0.0, 1.0], "y": [2.0, 3.0]}),
        directions=["minimize", "maximize"],
    )
    study.optimize(lambda t: (t.suggest_float("x", 0, 1), t.suggest_float("y", 2, 3)))
    assert len(study.trials) == 4
    assert {(t.params["x"], t.params["y"]) for t in study.best_trials} == {(0.0, 3.0)}


def test_reseed_rng_does_not_change_the_grid() -> None:
    sampler = GridSampler(SPACE, seed=0)
    sampler.reseed_rng()
    study = _study(sampler)
    study.optimize(_objective)
    assert set(_points(study)) == ALL_POINTS


def test_study_without_a_grid_sampler_unaffected() -> None:
    # Guard against the grid attrs leaking into other samplers' trials.
    study = _study(RandomSampler(seed=0))
    study.optimize(_objective, n_trials=3)
    assert all("grid_id" not in t.system_attrs for t in study.trials)
