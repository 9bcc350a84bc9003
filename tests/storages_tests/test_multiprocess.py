"""Several processes on one store: gapless numbers, no errors, dead workers' trials retried."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import parabola
from parabola.storages import RDBStorage, RetryFailedTrialCallback, fail_stale_trials
from parabola.trial import TrialState

WORKER = str(Path(__file__).with_name("mp_worker.py"))


def _spawn(url: str, study: str, n_trials: int, mode: str = "normal") -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, WORKER, url, study, str(n_trials), mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _run_workers(url: str, n_workers: int, n_trials: int) -> None:
    storage = RDBStorage(url)
    parabola.create_study(storage=storage, study_name="mp")
    workers = [_spawn(url, "mp", n_trials) for _ in range(n_workers)]
    for w in workers:
        _out, err = w.communicate(timeout=120)
        assert w.returncode == 0, err
        assert "Traceback" not in err and "locked" not in err, err
    trials = parabola.load_study(study_name="mp", storage=storage).trials
    storage.close()
    assert [t.number for t in trials] == list(range(n_workers * n_trials))
    assert all(t.state == TrialState.COMPLETE for t in trials)
    assert all(set(t.params) == {"x", "y"} for t in trials)


def test_four_processes_on_one_sqlite_file(tmp_path: Path) -> None:
    _run_workers(f"sqlite:///{tmp_path / 'mp.db'}", n_workers=4, n_trials=25)


@pytest.mark.postgres
def test_four_processes_on_postgresql(pg_clean: str) -> None:
    _run_workers(pg_clean, n_workers=4, n_trials=25)


def _killed_trial_is_failed_and_retried(url: str) -> None:
    retry = RetryFailedTrialCallback(max_retry=1)
    storage = RDBStorage(
        url, heartbeat_interval=1, grace_period=2, heartbeat_stale_trial_callback=retry
    )
    study = parabola.create_study(storage=storage, study_name="kill")
    worker = _spawn(url, "kill", 1, mode="hang")
    try:
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == "started"
        # Its params reach the store with its next heartbeat (<= 1 s).
        deadline = time.monotonic() + 10
        while not study.trials or not study.trials[0].params:
            assert time.monotonic() < deadline, "the worker's params never reached the store"
            time.sleep(0.1)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        if worker.stdout is not None:
            worker.stdout.close()
        if worker.stderr is not None:
            worker.stderr.close()
    killed = study.trials[0]
    assert killed.state == TrialState.RUNNING
    assert fail_stale_trials(study) == []  # still within the grace period
    time.sleep(2.5)
    # The next worker's ask() fails the dead trial and the callback enqueues it again;
    # the same ask() then picks the retry up.
    study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2 + t.suggest_int("y", 0, 10), 1)
    trials = study.trials
    assert [t.state for t in trials] == [TrialState.FAIL, TrialState.COMPLETE]
    assert trials[1].params == killed.params
    assert RetryFailedTrialCallback.retried_trial_number(trials[1]) == 0
    assert RetryFailedTrialCallback.retry_history(trials[1]) == [0]
    storage.close()


def test_killed_worker_on_sqlite(tmp_path: Path) -> None:
    _killed_trial_is_failed_and_retried(f"sqlite:///{tmp_path / 'kill.db'}")


@pytest.mark.postgres
def test_killed_worker_on_postgresql(pg_clean: str) -> None:
    _killed_trial_is_failed_and_retried(pg_clean)


def test_processes_creating_one_new_store_at_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    code = (
        "import sys, parabola\n"
        "parabola.logging.set_verbosity(parabola.logging.WARNING)\n"
        "s = parabola.create_study(storage=sys.argv[1], study_name='s', load_if_exists=True)\n"
        "s.optimize(lambda t: t.suggest_float('x', 0, 1), n_trials=5)\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, url], stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    for p in procs:
        _out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    storage = RDBStorage(url)
    assert [s.study_name for s in storage.get_all_studies()] == ["s"]
    trials = parabola.load_study(study_name="s", storage=storage).trials
    assert [t.number for t in trials] == list(range(20))
    storage.close()
