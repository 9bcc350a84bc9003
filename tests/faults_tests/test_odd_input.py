"""Odd but valid input that must work on every backend: categorical choices that are JSON
lists or dicts (TPE's model-based trials included), run labels at the backend limits."""

from __future__ import annotations

import warnings

import pytest

import parabola
from parabola.storages import RDBStorage, RunKey
from parabola.trial import TrialState

CHOICES = [[1, 2], [3], {"a": [4, 5]}, None]


@pytest.mark.parametrize("multivariate", [False, True])
def test_tpe_with_unhashable_categorical_choices(backend_url: str, multivariate: bool) -> None:
    sampler = parabola.samplers.TPESampler(seed=0, n_startup_trials=3, multivariate=multivariate)
    study = parabola.create_study(storage=RDBStorage(backend_url), sampler=sampler)

    def objective(trial: parabola.Trial) -> float:
        choice = trial.suggest_categorical("c", CHOICES)  # type: ignore[arg-type]
        x = trial.suggest_float("x", 0, 1)
        return (sum(choice) if isinstance(choice, list) else 0) + x

    with warnings.catch_warnings():
        # Optuna's warning for choices that are not None/bool/int/float/str; the values work.
        warnings.filterwarnings("ignore", "CategoricalDistribution: choices must be")
        study.optimize(objective, n_trials=12)
    assert [t.state for t in study.trials] == [TrialState.COMPLETE] * 12
    assert all(t.params["c"] in CHOICES for t in study.trials)


@pytest.mark.parametrize(
    ("argument", "value", "message"),
    [
        ("project", "p" * 257, "run project is 257 characters long; the limit is 256"),
        ("entity", "e" * 257, "run entity is 257 characters long; the limit is 256"),
        ("name", "n" * 513, "run name is 513 characters long; the limit is 512"),
        ("group", "g" * 513, "run group is 513 characters long; the limit is 512"),
        ("job_type", "j" * 513, "run job_type is 513 characters long; the limit is 512"),
        ("notes", "a\x00b", "run notes contains a NUL character"),
    ],
)
def test_run_labels_past_a_backend_limit_get_the_same_error(
    backend_url: str, argument: str, value: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        parabola.init(storage=backend_url, **{"project": "limits", argument: value})
    store = RDBStorage(backend_url)
    assert store.get_runs() == []
    # At the limit, both backends take it.
    fitting = value[:256] if argument in ("project", "entity") else value[:512]
    fitting = fitting.replace("\x00", "")
    run = parabola.init(storage=backend_url, **{"project": "limits", argument: fitting})
    run.finish()
    assert len(store.get_runs()) == 1
    store.close()


def test_notes_with_nul_set_later_are_refused_and_the_run_finishes(backend_url: str) -> None:
    run = parabola.init(project="limits", storage=backend_url)
    with pytest.raises(ValueError, match="notes contains a NUL"):
        run.notes = "bad\x00notes"
    run.log({"a": 1})
    run.finish()
    store = RDBStorage(backend_url)
    record = store.get_run(RunKey(run.entity, "limits", run.id))
    assert record.state.value == "finished" and record.notes is None
    store.close()
