"""Storage fixtures: a SQLite file per test and a fresh PostgreSQL database per session.

The PostgreSQL server is the one on 127.0.0.1:5432 (user ``postgres``, trust auth). Its tests
skip with a reason when the server is unreachable, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from tests._postgres import fresh_postgres_database


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a fresh, uniquely named database, dropped at the end of the session."""
    with fresh_postgres_database("parabola_test") as url:
        yield url


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
