"""Tracking fixtures: a store per test (in memory and a real SQLite file), fast intervals, and
no run left behind between tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from parabola.storages import BaseStorage, InMemoryStorage


@pytest.fixture(autouse=True)
def _tracking_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PARABOLA_ARTIFACTS", str(tmp_path / "artifacts"))
    monkeypatch.setenv("PARABOLA_DISABLE_STATS", "1")  # tests that want stats turn them on
    monkeypatch.setenv("PARABOLA_FLUSH_INTERVAL", "0.05")
    for var in ("PARABOLA_MODE", "WANDB_MODE", "PARABOLA_PROJECT", "WANDB_PROJECT",
                "PARABOLA_ENTITY", "WANDB_ENTITY", "PARABOLA_STATS_INTERVAL",
                "PARABOLA_HEARTBEAT_INTERVAL"):
        monkeypatch.delenv(var, raising=False)
    yield
    from parabola.tracking import _state

    for run in _state.live_runs():
        run.finish()
    _state.set_current(None)


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BaseStorage:
    """Each tracking test runs on the in-memory store and on a real SQLite file."""
    if request.param == "memory":
        return InMemoryStorage()
    from parabola.tracking._store import resolve_storage

    return resolve_storage(f"sqlite:///{tmp_path / 'runs.db'}")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'runs.db'}"
