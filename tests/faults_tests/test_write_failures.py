"""A store that stops taking writes: a full disk, a dropped PostgreSQL connection.

Nothing may be reported written that is not: ``finish()`` raises and keeps the rows queued
until they are stored, a trial told on a full disk stays RUNNING (not falsely COMPLETE), and a
dropped connection is retried on a fresh one for tracking writes as for trial writes.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import parabola
from parabola.exceptions import StorageInternalError
from parabola.storages import RDBStorage, RunKey, RunState
from parabola.trial import TrialState
from tests.faults_tests._faults import fill_disk, forget_cached_stores, terminate_backends, tmpfs


def _rows(n: int, start: int = 0) -> list[dict[str, object]]:
    # Incompressible payload, so that a few hundred rows need more than the free space.
    return [{"i": start + k, "blob": os.urandom(256).hex()} for k in range(n)]


def test_finish_on_a_full_disk_raises_until_the_rows_are_stored(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", "4m") as disk:
        url = f"sqlite:///{disk / 'full.db'}"
        run = parabola.init(project="full", storage=url, settings={"flush_interval": 60})
        filler = fill_disk(disk)
        for row in _rows(2000):
            run.log(row)
        with pytest.raises(StorageInternalError, match="disk is full"):
            run.finish()
        reader = RDBStorage(url)
        assert reader.get_run(RunKey(run.entity, "full", run.id)).state == RunState.RUNNING
        # A second finish() does not pretend: it tries again and raises again.
        with pytest.raises(StorageInternalError, match="disk is full"):
            run.finish()
        assert reader.get_run_history(RunKey(run.entity, "full", run.id)) == []
        filler.unlink()
        run.finish()  # the rows were kept: now they go in
        stored = reader.get_run(RunKey(run.entity, "full", run.id))
        assert stored.state == RunState.FINISHED
        assert [r["i"] for r in reader.get_run_history(RunKey(run.entity, "full", run.id))] == list(
            range(2000)
        )
        assert stored.summary["_step"] == 1999 and stored.summary["i"] == 1999
        run.finish()  # and now it is finished for good: a no-op
        reader.close()
        forget_cached_stores(url)


def test_trial_writes_on_a_full_disk_are_refused_not_lost(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", "4m") as disk:
        url = f"sqlite:///{disk / 'full.db'}"
        storage = RDBStorage(url, heartbeat_interval=None)
        study = parabola.create_study(storage=storage, study_name="full")
        trial = study.ask()
        trial.suggest_float("x", 0, 1)
        filler = fill_disk(disk)
        blob = os.urandom(512 * 1024).hex()
        with pytest.raises(StorageInternalError, match="disk is full"):
            trial.set_user_attr("blob", blob)
        fresh = RDBStorage(url, heartbeat_interval=None)
        stored = fresh.get_trial(trial._trial_id)
        assert stored.state == TrialState.RUNNING and "blob" not in stored.user_attrs
        filler.unlink()
        trial.set_user_attr("blob", blob)
        study.tell(trial, 1.0)
        stored = fresh.get_trial(trial._trial_id)
        assert stored.state == TrialState.COMPLETE and stored.user_attrs["blob"] == blob
        assert stored.params == trial.params
        storage.close()
        fresh.close()
        forget_cached_stores(url)


@pytest.mark.postgres
def test_dropped_connection_during_a_run_is_retried(faults_pg_server_url: str) -> None:
    url = faults_pg_server_url
    run = parabola.init(project="drop", storage=url, settings={"flush_interval": 60})
    for row in _rows(100):
        run.log(row)
    assert run._writer is not None
    run._writer.flush()  # the pool now holds a connection, which is about to be dropped
    assert terminate_backends(url) >= 1
    for row in _rows(100, start=100):
        run.log(row)
    run.finish()  # the dropped connection is replaced, not reported as a failure
    store = RDBStorage(url)
    record = store.get_run(RunKey(run.entity, "drop", run.id))
    assert record.state == RunState.FINISHED
    assert [r["i"] for r in store.get_run_history(RunKey(run.entity, "drop", run.id))] == list(
        range(200)
    )
    store.close()


@pytest.mark.postgres
def test_dropped_connection_between_trials_is_retried(faults_pg_server_url: str) -> None:
    url = faults_pg_server_url
    storage = RDBStorage(url)
    study = parabola.create_study(storage=storage, study_name=f"drop-{os.getpid()}")

    def objective(trial: parabola.Trial) -> float:
        x = trial.suggest_float("x", 0, 1)
        if trial.number % 3 == 1:
            assert terminate_backends(url) >= 1
        return x

    study.optimize(objective, n_trials=6)
    states = [t.state for t in RDBStorage(url).get_all_trials(study._study_id)]
    assert states == [TrialState.COMPLETE] * 6
    storage.close()
