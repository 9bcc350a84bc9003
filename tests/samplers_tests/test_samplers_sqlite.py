"""Samplers over a real SQLite file: their bookkeeping survives the JSON round trip and a
second ``Study`` object on the same file (as another process would open it)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.stats import qmc

import parabola
from parabola.samplers import BruteForceSampler, GridSampler, QMCSampler
from parabola.trial import Trial

pytestmark = pytest.mark.filterwarnings("ignore::parabola.exceptions.ExperimentalWarning")

GRID: dict[str, list[Any]] = {"x": [0.0, 0.5, 1.0], "c": [None, True, 1, "a"]}


def _url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'samplers.db'}"


def _grid_objective(trial: Trial) -> float:
    x = trial.suggest_float("x", 0.0, 1.0)
    c = trial.suggest_categorical("c", [None, True, 1, "a"])
    return x + (c is None)


def test_grid_resumes_from_another_study_object(tmp_path: Path) -> None:
    first = parabola.create_study(
        storage=_url(tmp_path), study_name="grid", sampler=GridSampler(GRID, seed=1)
    )
    first.optimize(_grid_objective, n_trials=5)
    second = parabola.load_study(
        storage=_url(tmp_path), study_name="grid", sampler=GridSampler(GRID, seed=1)
    )
    second.optimize(_grid_objective, n_trials=100)
    points = [(t.params["x"], t.params["c"]) for t in second.trials]
    assert len(points) == 12
    # True and 1 are distinct choices and stay distinct through the store.
    assert sorted(map(repr, points)) == sorted(map(repr, itertools.product(GRID["x"], GRID["c"])))
    assert second.trials[0].system_attrs["search_space"] == {
        "c": [None, True, 1, "a"],
        **{"x": [0.0, 0.5, 1.0]},
    }


def test_qmc_sequence_continues_across_study_objects(tmp_path: Path) -> None:
    def objective(trial: Trial) -> float:
        return trial.suggest_float("x", 0, 1) + trial.suggest_float("y", 0, 1)

    first = parabola.create_study(
        storage=_url(tmp_path), study_name="qmc", sampler=QMCSampler(scramble=True, seed=3)
    )
    first.optimize(objective, n_trials=5)
    second = parabola.load_study(
        storage=_url(tmp_path), study_name="qmc", sampler=QMCSampler(scramble=True, seed=3)
    )
    second.optimize(objective, n_trials=4)
    got = np.array([[t.params["x"], t.params["y"]] for t in second.trials[1:]])
    expected = qmc.Sobol(2, scramble=True, seed=3).random(8)
    np.testing.assert_allclose(got, expected, atol=1e-12)


def test_brute_force_conditional_space(tmp_path: Path) -> None:
    def objective(trial: Trial) -> float:
        if trial.suggest_categorical("kind", ["i", "f"]) == "i":
            return trial.suggest_int("n", 0, 3, step=3)
        return trial.suggest_float("x", 0.1, 0.3, step=0.1)

    study = parabola.create_study(storage=_url(tmp_path), sampler=BruteForceSampler(seed=0))
    study.optimize(objective, n_trials=50)
    seen = sorted(tuple(sorted(t.params.items())) for t in study.trials)
    assert seen == sorted(
        [(("kind", "i"), ("n", n)) for n in (0, 3)]
        + [(("kind", "f"), ("x", x)) for x in (0.1, 0.2, 0.3)]
    )
