"""A worker suspended (SIGSTOP: a closed laptop lid) for longer than the heartbeat grace: another
worker fails its trial; on SIGCONT it notices, warns, and carries on with the next trial."""

from __future__ import annotations

import os
import signal
import time

import pytest

import parabola
from parabola.storages import RDBStorage, fail_stale_trials
from parabola.trial import TrialState
from tests.faults_tests._faults import spawn, wait_for_line

WORKER = """
import sys, time, parabola
from parabola.storages import RDBStorage
storage = RDBStorage(sys.argv[1], heartbeat_interval=1, grace_period=2)
study = parabola.load_study(study_name="lid", storage=storage)
def objective(trial):
    x = trial.suggest_float("x", 0, 1)
    print(f"trial {trial.number}", flush=True)
    time.sleep(1.0)
    trial.report(x, step=1)  # a write after the pause: the trial is no longer ours
    return x
study.optimize(objective, n_trials=3)
print("done", flush=True)
"""


@pytest.mark.slow
def test_suspended_worker_carries_on_after_its_trial_was_failed(backend_url: str) -> None:
    storage = RDBStorage(backend_url, heartbeat_interval=1, grace_period=2)
    study = parabola.create_study(storage=storage, study_name="lid")
    child = spawn(WORKER, backend_url)
    try:
        wait_for_line(child, "trial 0")
        os.kill(child.pid, signal.SIGSTOP)
        time.sleep(3.5)  # past the 2 s grace period
        fail_stale_trials(study)  # what the next worker's ask() does
        assert study.trials[0].state == TrialState.FAIL
        os.kill(child.pid, signal.SIGCONT)
        out, err = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            os.kill(child.pid, signal.SIGCONT)
            child.kill()
            child.communicate()
    assert child.returncode == 0, err
    assert "done" in out
    assert "UpdateFinishedTrialError" not in err and "Traceback" not in err, err
    assert "Trial 0 was already finished as FAIL by another worker" in err
    states = [t.state for t in parabola.load_study(study_name="lid", storage=storage).trials]
    assert states == [TrialState.FAIL, TrialState.COMPLETE, TrialState.COMPLETE]
