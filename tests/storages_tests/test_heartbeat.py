"""Heartbeats in one process: stale trials fail exactly once, retries, owners lose their trial."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import parabola
from parabola.exceptions import UpdateFinishedTrialError
from parabola.storages import (
    InMemoryStorage,
    RDBStorage,
    RetryFailedTrialCallback,
    RetryHeartbeatStaleTrialCallback,
    fail_stale_trials,
)
from parabola.trial import TrialState


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'hb.db'}"


@pytest.fixture
def storage(url: str) -> Iterator[RDBStorage]:
    storage = RDBStorage(url, heartbeat_interval=1, grace_period=2)
    yield storage
    storage.close()


def _age(path: str, trial_id: int, seconds: float) -> None:
    """Pretend the trial's last heartbeat was ``seconds`` ago (instead of sleeping)."""
    con = sqlite3.connect(path.removeprefix("sqlite:///"))
    con.execute(
        "UPDATE trials SET heartbeat = ? WHERE trial_id = ?", (time.time() - seconds, trial_id)
    )
    con.commit()
    con.close()


def test_only_stale_trials_fail(storage: RDBStorage, url: str) -> None:
    study = parabola.create_study(storage=storage)
    fresh, stale = study.ask(), study.ask()
    stale.suggest_float("x", 0, 1)
    storage.record_heartbeat(stale._trial_id)  # writes the buffered param with the beat
    _age(url, stale._trial_id, 10)
    other = RDBStorage(url, heartbeat_interval=1, grace_period=2)
    other_study = parabola.load_study(study_name=study.study_name, storage=other)
    assert fail_stale_trials(other_study) == [stale.number]
    assert fail_stale_trials(other_study) == []
    states = {t.number: t.state for t in study.trials}
    assert states == {fresh.number: TrialState.RUNNING, stale.number: TrialState.FAIL}
    assert study.trials[stale.number].params.keys() == {"x"}
    # The stale trial's owner finds out when it next writes.
    with pytest.raises(UpdateFinishedTrialError):
        study.tell(stale, 1.0)
    study.tell(fresh, 1.0)
    other.close()


def test_concurrent_failers_fail_each_trial_once(storage: RDBStorage, url: str) -> None:
    study = parabola.create_study(storage=storage, study_name="race")
    trials = [study.ask() for _ in range(5)]
    for t in trials:
        _age(url, t._trial_id, 10)
    others = [RDBStorage(url, heartbeat_interval=1, grace_period=2) for _ in range(4)]
    results: list[list[int]] = []

    def run(s: RDBStorage) -> None:
        results.append(fail_stale_trials(parabola.load_study(study_name="race", storage=s)))

    threads = [threading.Thread(target=run, args=(s,)) for s in others]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(n for r in results for n in r) == [0, 1, 2, 3, 4]
    for s in others:
        s.close()


def test_retry_callback_enqueues_the_params(url: str) -> None:
    retry = RetryFailedTrialCallback(max_retry=1, inherit_intermediate_values=True)
    storage = RDBStorage(
        url, heartbeat_interval=1, grace_period=2, heartbeat_stale_trial_callback=retry
    )
    study = parabola.create_study(storage=storage)
    trial = study.ask()
    trial.suggest_int("n", 0, 10)
    trial.report(0.5, step=3)
    _age(url, trial._trial_id, 10)
    study.optimize(lambda t: float(t.suggest_int("n", 0, 10)), n_trials=1)  # ask() fails it
    first, retried = study.trials
    assert first.state == TrialState.FAIL and retried.state == TrialState.COMPLETE
    assert retried.params == first.params and retried.intermediate_values == {3: 0.5}
    assert retried.system_attrs["failed_trial"] == 0 and retried.system_attrs["retry_history"] == [
        0
    ]
    # Retried once already: max_retry=1 stops a second retry.
    again = study.ask()
    assert again.number == 2
    _age(url, again._trial_id, 10)
    storage.set_trial_system_attr(again._trial_id, "failed_trial", 0)
    storage.set_trial_system_attr(again._trial_id, "retry_history", [0])
    assert fail_stale_trials(study) == [2]
    assert len(study.trials) == 3
    storage.close()


def test_callback_names_and_validation() -> None:
    assert RetryHeartbeatStaleTrialCallback is RetryFailedTrialCallback
    with pytest.raises(ValueError, match="max_retry"):
        RetryFailedTrialCallback(max_retry=-1)
    study = parabola.create_study(storage=InMemoryStorage())
    assert fail_stale_trials(study) == []  # no heartbeats: nothing to do


def test_heartbeat_thread_writes_buffered_params(url: str) -> None:
    storage = RDBStorage(url, heartbeat_interval=1, grace_period=5)
    reader = RDBStorage(url)
    study = parabola.create_study(storage=storage, study_name="beat")
    seen: list[dict[str, float]] = []

    def objective(trial: parabola.Trial) -> float:
        x = trial.suggest_float("x", 0, 1)
        time.sleep(1.3)  # one heartbeat
        seen.append(reader.get_all_trials(study._study_id)[0].params)
        return x

    study.optimize(objective, n_trials=1)
    assert seen and set(seen[0]) == {"x"}
    storage.close()
    reader.close()
