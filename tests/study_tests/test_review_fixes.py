"""Regression tests for the review of the optimisation core (tell, create, heartbeats)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

import parabola
from parabola.storages import InMemoryStorage, RDBStorage
from parabola.study._heartbeat import Heartbeat


def test_tell_refuses_a_trial_of_another_store() -> None:
    a = parabola.create_study(storage=InMemoryStorage(), study_name="s")
    b = parabola.create_study(storage=InMemoryStorage(), study_name="s")
    assert a._study_id == b._study_id  # same id, different stores: not the same study
    trial = a.ask()
    with pytest.raises(ValueError, match="asked through another store"):
        b.tell(trial, 1.0)
    assert b.trials == []


def test_tell_works_across_storage_objects_of_one_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    asker = parabola.create_study(storage=RDBStorage(url), study_name="s")
    teller = parabola.load_study(study_name="s", storage=RDBStorage(url))
    trial = asker.ask()
    trial.suggest_int("n", 0, 3)
    assert teller.tell(trial, 1.0).params == trial.params
    other = parabola.create_study(storage=f"sqlite:///{tmp_path / 'b.db'}", study_name="s")
    assert other._study_id == asker._study_id
    with pytest.raises(ValueError, match=f"tell\\({trial.number + 1}"):
        other.tell(asker.ask(), 1.0)


@pytest.mark.parametrize("storage", ["memory", "sqlite"])
def test_study_name_too_long_or_with_nul_is_rejected(storage: str, tmp_path: Path) -> None:
    store = InMemoryStorage() if storage == "memory" else f"sqlite:///{tmp_path / 'n.db'}"
    with pytest.raises(ValueError, match=r"study_name must be at most 512 characters; got 513"):
        parabola.create_study(storage=store, study_name="x" * 513)
    with pytest.raises(ValueError, match="study_name must not contain NUL"):
        parabola.create_study(storage=store, study_name="a\x00b")
    assert parabola.create_study(storage=store, study_name="x" * 512).study_name == "x" * 512


class _CountingStorage(InMemoryStorage):
    """Heartbeats on, recording when each beat happens."""

    def __init__(self, interval: int) -> None:
        super().__init__()
        self.interval = interval
        self.beats: list[tuple[int, float]] = []
        self.lock = threading.Lock()

    def is_heartbeat_enabled(self) -> bool:
        return True

    def get_heartbeat_interval(self) -> int | None:
        return self.interval

    def record_heartbeat(self, trial_id: int) -> None:
        with self.lock:
            self.beats.append((trial_id, time.monotonic()))


def test_heartbeat_first_beat_is_early_then_every_interval() -> None:
    storage = _CountingStorage(interval=1)
    beat = Heartbeat.start(storage)
    assert beat is not None
    start = time.monotonic()
    beat.add(7)  # beats once at once
    time.sleep(0.8)
    beat.remove(7)
    n_after_remove = len(storage.beats)
    time.sleep(0.3)
    beat.close()
    times = [t - start for tid, t in storage.beats if tid == 7]
    assert len(times) == 2, times  # the immediate beat, then one ~0.5 s later
    assert times[0] < 0.1 and 0.4 < times[1] < 0.75
    assert len(storage.beats) == n_after_remove  # nothing after remove()


def test_optimize_uses_one_heartbeat_thread() -> None:
    storage = _CountingStorage(interval=60)
    study = parabola.create_study(storage=storage)
    parabola.logging.set_verbosity(parabola.logging.ERROR)
    seen: list[int | None] = []

    def objective(trial: parabola.Trial) -> float:
        seen.extend(t.ident for t in threading.enumerate() if t.name == "parabola-heartbeat")
        return trial.suggest_float("x", 0, 1)

    study.optimize(objective, n_trials=3)
    assert len(seen) == 3 and len(set(seen)) == 1  # the same thread in each trial
    assert [tid for tid, _ in storage.beats] == [t._trial_id for t in study.trials]
    assert not any(t.name == "parabola-heartbeat" for t in threading.enumerate())


def test_get_trials_with_string_states_names_states() -> None:
    study = parabola.create_study(storage=InMemoryStorage())
    study.add_trial(parabola.create_trial(value=1.0))
    for bad in (["COMPLETE"], "COMPLETE", (parabola.trial.TrialState.COMPLETE, 1)):
        with pytest.raises(TypeError, match="states"):
            study.get_trials(states=bad)  # type: ignore[arg-type]
    assert len(study.get_trials(states=[parabola.trial.TrialState.COMPLETE])) == 1


@pytest.mark.parametrize(
    ("low", "high", "bad"),
    [(float("-inf"), 1.0, "low"), (0.0, float("inf"), "high")],
)
def test_non_finite_bounds_are_rejected(low: float, high: float, bad: str) -> None:
    study = parabola.create_study(storage=InMemoryStorage())
    trial = study.ask()
    with pytest.raises(ValueError, match=f"{bad} must be finite"):
        trial.suggest_float("x", low, high)
    with pytest.raises(ValueError, match=f"{bad} must be finite"):
        trial.suggest_int("n", low, high)  # type: ignore[arg-type]
