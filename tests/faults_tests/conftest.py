"""Fault-injection fixtures: each test runs on a real SQLite file and on the real PostgreSQL.

The faults are real too: child processes killed with SIGKILL or suspended with SIGSTOP, a tiny
tmpfs that fills up (or is remounted read-only), PostgreSQL backends terminated with
``pg_terminate_backend``. Mounting needs root; without it (and outside CI) those tests skip.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests._postgres import fresh_postgres_database
from tests.faults_tests._faults import forget_cached_stores


@pytest.fixture(autouse=True)
def _quiet_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PARABOLA_ARTIFACTS", str(tmp_path / "artifacts"))
    monkeypatch.setenv("PARABOLA_DISABLE_STATS", "1")
    monkeypatch.setenv("PARABOLA_FLUSH_INTERVAL", "0.05")
    for var in ("PARABOLA_MODE", "WANDB_MODE", "PARABOLA_PROJECT", "PARABOLA_ENTITY"):
        monkeypatch.delenv(var, raising=False)
    yield
    from parabola.tracking import _state

    for run in _state.live_runs():
        with contextlib.suppress(Exception):
            run.finish()
    _state.set_current(None)


@pytest.fixture(scope="session")
def faults_pg_server_url() -> Iterator[str]:
    with fresh_postgres_database("parabola_faults") as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A store URL with nothing in it: a new SQLite file, or the emptied PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'faults.db'}"
        yield url
        forget_cached_stores(url)
        return
    url = request.getfixturevalue("faults_pg_server_url")
    forget_cached_stores(url)
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            data = ["run_history", "runs", "trials", "studies"]
            if set(data) <= set(sa.inspect(conn).get_table_names()):
                conn.exec_driver_sql(f"TRUNCATE {', '.join(data)} RESTART IDENTITY CASCADE")
    finally:
        engine.dispose()
    yield url
    forget_cached_stores(url)
