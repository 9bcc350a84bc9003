"""Storage fixtures: a SQLite file per test and a fresh PostgreSQL database per session.

The PostgreSQL server is the one on 127.0.0.1:5432 (user ``postgres``, trust auth). Its tests
skip with a reason when the server is unreachable, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

PG_SERVER = os.environ.get("PARABOLA_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a fresh, uniquely named database, dropped at the end of the session."""
    name = f"parabola_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except Exception as e:
        admin.dispose()
        if _in_ci():
            pytest.fail(f"PostgreSQL at {PG_SERVER} is required under CI=true: {e}")
        pytest.skip(
            f"PostgreSQL at {PG_SERVER} is unreachable ({type(e).__name__}); set CI=true "
            "to make this a failure"
        )
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        from parabola.storages import _sql

        for key in [k for k in _sql._opened if name in k[0]]:
            _sql._opened.pop(key).engine.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def pg_clean(postgres_url: str) -> str:
    """The session database, emptied of parabola data (tables kept) before the test."""
    engine = sa.create_engine(postgres_url)
    try:
        with engine.begin() as conn:
            tables = set(sa.inspect(conn).get_table_names())
            if "trials" in tables:
                conn.exec_driver_sql(
                    "TRUNCATE run_history, runs, trials, studies RESTART IDENTITY CASCADE"
                )
    finally:
        engine.dispose()
    return postgres_url
