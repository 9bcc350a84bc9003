"""Tracking fixtures: a store per test (in memory and a real SQLite file), fast intervals, and
no run left behind between tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from parabola.storages import BaseStorage, InMemoryStorage
from tests._postgres import fresh_postgres_database


@pytest.fixture(autouse=True)
def _tracking_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PARABOLA_ARTIFACTS", str(tmp_path / "artifacts"))
    monkeypatch.setenv("PARABOLA_DISABLE_STATS", "1")  # tests that want stats turn them on
    monkeypatch.setenv("PARABOLA_FLUSH_INTERVAL", "0.05")
    for var in (
        "PARABOLA_MODE",
        "WANDB_MODE",
        "PARABOLA_PROJECT",
        "WANDB_PROJECT",
        "PARABOLA_ENTITY",
        "WANDB_ENTITY",
        "PARABOLA_STATS_INTERVAL",
        "PARABOLA_HEARTBEAT_INTERVAL",
    ):
        monkeypatch.delenv(var, raising=False)
    yield
    from parabola.tracking import _state

    for run in _state.live_runs():
        run.finish()
    _state.set_current(None)


@pytest.fixture(scope="session")
def tracking_pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this session (skipped when the server is down)."""
    with fresh_postgres_database("parabola_tracking") as url:
        yield url


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BaseStorage:
    """Each tracking test runs on the in-memory store, a real SQLite file and PostgreSQL."""
    from parabola.tracking._store import resolve_storage

    if request.param == "memory":
        return InMemoryStorage()
    if request.param == "sqlite":
        return resolve_storage(f"sqlite:///{tmp_path / 'runs.db'}")
    url: str = request.getfixturevalue("tracking_pg_url")
    import sqlalchemy as sa

    from parabola.storages import _sql

    # A fresh store object per test: the SQL store caches trials by id, and ids restart below.
    for key in [k for k in _sql._opened if url in k[0]]:
        _sql._opened.pop(key).engine.dispose()
    pg = resolve_storage(url)

    engine = sa.create_engine(url)
    try:  # start every test from an empty store (tables kept)
        with engine.begin() as conn:
            data = ["run_history", "runs", "trials", "studies"]  # not the schema version
            tables = set(sa.inspect(conn).get_table_names())
            if set(data) <= tables:
                conn.exec_driver_sql(f"TRUNCATE {', '.join(data)} RESTART IDENTITY CASCADE")
    finally:
        engine.dispose()
    return pg


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'runs.db'}"
