"""The same Optuna code on the default store: ``./parabola.db`` when no storage is given.

tests/conftest.py runs each test in its own temporary directory, so ./parabola.db is fresh.
The SQL storage (parabola.storages._sql) is written in parallel by another engineer; these tests
skip until it is importable (pytest.importorskip below).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import parabola as optuna
from parabola.exceptions import DuplicatedStudyError, ExperimentalWarning
from parabola.trial import TrialState

_sql = pytest.importorskip("parabola.storages._sql")
if not hasattr(_sql, "open_rdb_storage"):
    pytest.skip("parabola.storages._sql is not finished yet", allow_module_level=True)


def quadratic(trial: optuna.Trial) -> float:
    return trial.suggest_float("x", -10, 10) ** 2 + 1


def test_create_study_without_storage_persists_to_parabola_db() -> None:
    study = optuna.create_study(study_name="seed")
    study.optimize(quadratic, n_trials=3)
    assert Path("parabola.db").is_file()
    assert optuna.get_all_study_names() == ["seed"]
    loaded = optuna.load_study(study_name="seed")
    assert [t.value for t in loaded.trials] == [t.value for t in study.trials]
    assert loaded.best_params == study.best_params


def test_storage_url_and_env_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'other.db'}"
    monkeypatch.setenv("PARABOLA_STORAGE", url)
    optuna.create_study(study_name="env")
    assert not Path("parabola.db").exists()
    assert optuna.get_all_study_names(storage=url) == ["env"]


def test_duplicate_and_load_if_exists_on_disk() -> None:
    optuna.create_study(study_name="s").optimize(quadratic, n_trials=2)
    with pytest.raises(DuplicatedStudyError):
        optuna.create_study(study_name="s")
    again = optuna.create_study(study_name="s", load_if_exists=True)
    again.optimize(quadratic, n_trials=1)
    assert [t.number for t in optuna.load_study(study_name="s").trials] == [0, 1, 2]


def test_ask_tell_enqueue_and_attrs_survive_reloading() -> None:
    study = optuna.create_study(study_name="at", direction="maximize")
    study.set_user_attr("owner", "me")
    study.enqueue_trial({"x": 2.0}, user_attrs={"from": "queue"})
    trial = study.ask()
    assert trial.suggest_float("x", -10, 10) == 2.0
    trial.report(1.0, 0)
    trial.set_user_attr("note", "hi")

    reloaded = optuna.load_study(study_name="at")
    frozen = reloaded.tell(trial.number, 5.0)  # tell by number from another Study object
    assert frozen.state == TrialState.COMPLETE
    assert frozen.params == {"x": 2.0}
    assert frozen.user_attrs == {"from": "queue", "note": "hi"}
    assert frozen.intermediate_values == {0: 1.0}
    assert reloaded.user_attrs == {"owner": "me"}
    with pytest.raises(optuna.exceptions.UpdateFinishedTrialError):
        study.tell(trial, 6.0)


def test_threads_on_sqlite_number_trials_without_gaps() -> None:
    study = optuna.create_study(study_name="threads")
    study.optimize(quadratic, n_trials=12, n_jobs=2)
    trials = optuna.load_study(study_name="threads").trials
    assert sorted(t.number for t in trials) == list(range(12))
    assert all(t.state == TrialState.COMPLETE for t in trials)


def test_failures_are_recorded_on_disk() -> None:
    def objective(trial: optuna.Trial) -> float:
        quadratic(trial)
        raise RuntimeError("boom")

    study = optuna.create_study(study_name="fail")
    with pytest.raises(RuntimeError, match="boom"):
        study.optimize(objective, n_trials=3)
    assert [t.state for t in optuna.load_study(study_name="fail").trials] == [TrialState.FAIL]


def test_copy_delete_and_summaries_with_the_default_store() -> None:
    optuna.create_study(study_name="src").optimize(quadratic, n_trials=2)
    memory = optuna.storages.InMemoryStorage()
    optuna.copy_study(from_study_name="src", from_storage=None, to_storage=memory)
    assert len(optuna.load_study(study_name="src", storage=memory).trials) == 2
    summaries = optuna.get_all_study_summaries()
    assert [(s.study_name, s.n_trials) for s in summaries] == [("src", 2)]
    optuna.delete_study(study_name="src")
    assert optuna.get_all_study_names() == []


def test_multi_objective_and_dataframe_on_disk() -> None:
    study = optuna.create_study(study_name="mo", directions=["minimize", "maximize"])
    with pytest.warns(ExperimentalWarning, match="set_metric_names is experimental"):
        study.set_metric_names(["loss", "acc"])
    study.optimize(lambda t: (t.suggest_float("x", 0, 1), 0.5), n_trials=3)
    loaded = optuna.load_study(study_name="mo")
    assert loaded.metric_names == ["loss", "acc"]
    assert {t.number for t in loaded.best_trials} <= {0, 1, 2}
    assert list(loaded.trials_dataframe().columns) == [
        "number",
        "values_loss",
        "values_acc",
        "datetime_start",
        "datetime_complete",
        "duration",
        "params_x",
        "state",
    ]
