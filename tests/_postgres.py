"""The local PostgreSQL server for tests: one fresh database per session, dropped afterwards."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

import pytest

PG_SERVER = os.environ.get("PARABOLA_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")


def in_ci() -> bool:
    """Whether this is a CI run, where a missing PostgreSQL is a failure, not a skip."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@contextlib.contextmanager
def fresh_postgres_database(prefix: str) -> Iterator[str]:
    """Create a uniquely named database on the local server, yield its URL, drop it after.

    Skips the calling test when the server is unreachable, except under ``CI=true``.
    """
    import sqlalchemy as sa

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except Exception as e:
        admin.dispose()
        if in_ci():
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
