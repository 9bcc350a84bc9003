"""Regressions found by reviewing the optimisation core and the SQL store, on SQLite and on
PostgreSQL: each test showed one bug (as a strict xfail until it was fixed) and now guards
against its return."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

import parabola
from parabola.storages import InMemoryStorage, RDBStorage, RetryFailedTrialCallback
from parabola.trial import TrialState


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new SQLite file, or the emptied session PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'regressions.db'}"
    return str(request.getfixturevalue("pg_clean"))


def test_tell_through_another_storage_keeps_params(url: str) -> None:
    parabola.create_study(storage=RDBStorage(url), study_name="s")

    asker = parabola.load_study(study_name="s", storage=RDBStorage(url))
    trial = asker.ask()
    x = trial.suggest_float("x", 0, 1)

    teller = parabola.load_study(study_name="s", storage=RDBStorage(url))
    frozen = teller.tell(trial.number, x**2)

    assert frozen.state == TrialState.COMPLETE
    assert frozen.params == {"x": x}


def test_dropped_storage_does_not_lose_params(url: str) -> None:
    storage = RDBStorage(url)
    study = parabola.create_study(storage=storage, study_name="s")
    trial = study.ask()
    x = trial.suggest_float("x", 0, 1)
    del study, trial, storage
    gc.collect()

    reread = parabola.load_study(study_name="s", storage=RDBStorage(url)).trials[0]
    assert reread.params == {"x": x}


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_sigkilled_trial_keeps_params_for_retry(url: str) -> None:
    storage = RDBStorage(
        url,
        heartbeat_interval=1,
        grace_period=2,
        heartbeat_stale_trial_callback=RetryFailedTrialCallback(max_retry=1),
    )
    study = parabola.create_study(storage=storage, study_name="k")
    child = (
        "import os, signal, parabola\n"
        f"s = parabola.load_study(study_name='k', storage=parabola.storages.RDBStorage("
        f"{url!r}, heartbeat_interval=1, grace_period=2))\n"
        "def obj(t):\n"
        "    t.suggest_float('x', 0, 1)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "s.optimize(obj, n_trials=1)\n"
    )
    subprocess.run([sys.executable, "-c", child], check=False, env=dict(os.environ))
    time.sleep(2.5)
    parabola.logging.set_verbosity(parabola.logging.ERROR)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)

    failed, retried = study.trials[0], study.trials[1]
    assert failed.state == TrialState.FAIL
    assert "x" in failed.params
    assert retried.params == failed.params


def test_unencodable_choice_fails_the_trial_not_the_tell(url: str) -> None:
    study = parabola.create_study(storage=url)
    parabola.logging.set_verbosity(parabola.logging.ERROR)
    choice = object()

    def objective(trial: parabola.Trial) -> float:
        trial.suggest_categorical("cfg", [choice])
        return 1.0

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the non-primitive-choice warning
        with pytest.raises((TypeError, ValueError), match="cfg"):
            study.optimize(objective, n_trials=1)
    assert study.trials[0].state == TrialState.FAIL


def test_failed_copy_study_leaves_no_partial_study(url: str) -> None:
    memory = InMemoryStorage()
    source = parabola.create_study(storage=memory, study_name="m")
    parabola.logging.set_verbosity(parabola.logging.ERROR)
    source.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    trial = source.ask()
    trial.set_user_attr("obj", object())  # InMemoryStorage accepts it, as Optuna's does
    source.tell(trial, 1.0)

    with pytest.raises(TypeError):
        parabola.copy_study(from_study_name="m", from_storage=memory, to_storage=url)
    assert parabola.get_all_study_names(url) == []


def test_ask_loses_race_for_waiting_trial_without_error(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage_a, storage_b = RDBStorage(url), RDBStorage(url)
    study_a = parabola.create_study(storage=storage_a, study_name="r")
    study_b = parabola.load_study(study_name="r", storage=storage_b)
    study_a.enqueue_trial({"x": 0.5})

    claim = storage_a._claim

    def other_worker_wins(trial_id: int) -> bool:
        won = study_b.ask()  # worker B claims the same WAITING trial and finishes it first
        study_b.tell(won, 0.0)
        return claim(trial_id)

    monkeypatch.setattr(storage_a, "_claim", other_worker_wins)
    trial = study_a.ask()
    assert trial.number == 1


def test_bad_intermediate_step_is_rejected_not_stored(url: str) -> None:
    study = parabola.create_study(storage=url, study_name="s")
    study.add_trial(parabola.create_trial(value=1.0))
    with pytest.raises((TypeError, ValueError), match="intermediate"):
        study.add_trial(parabola.create_trial(value=2.0, intermediate_values={"a": 1.0}))  # type: ignore[dict-item]
    child = (
        "import parabola\n"
        f"print(len(parabola.load_study(study_name='s', storage={url!r}).trials))\n"
    )
    out = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "1"
