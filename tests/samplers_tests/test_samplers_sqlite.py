"""Samplers over a real SQLite file: their bookkeeping survives the JSON round trip and a
second ``Study`` object on the same file (as another process would open it)."""

from __future__ import annotations

import itertools
import subprocess
import sys
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
    assert second.trials[0].system_attrs["search_space"] == dict(sorted(GRID.items()))


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


_WORKER = """
import sys, time
import parabola

parabola.logging.set_verbosity(parabola.logging.WARNING)
grid = {"x": list(range(5)), "y": list(range(4))}
study = parabola.load_study(
    study_name="shared", storage=sys.argv[1], sampler=parabola.samplers.GridSampler(grid)
)

def objective(trial):
    time.sleep(0.01)  # let the two processes overlap
    return trial.suggest_int("x", 0, 4) + trial.suggest_int("y", 0, 3)

study.optimize(objective, n_trials=100)
"""


def test_grid_shared_by_two_processes(tmp_path: Path) -> None:
    url = _url(tmp_path)
    parabola.create_study(storage=url, study_name="shared")
    script = tmp_path / "worker.py"
    script.write_text(_WORKER)
    workers = [subprocess.Popen([sys.executable, str(script), url], cwd=tmp_path) for _ in range(2)]
    assert [w.wait(timeout=120) for w in workers] == [0, 0]
    trials = parabola.load_study(storage=url, study_name="shared").trials
    points = [(t.params["x"], t.params["y"]) for t in trials]
    assert set(points) == set(itertools.product(range(5), range(4)))
    # Each process stops once the grid is done; near the end a point may run twice.
    assert 20 <= len(points) <= 22
