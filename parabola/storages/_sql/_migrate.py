"""Schema upgrades with Alembic (``parabola db upgrade``), on a SQLAlchemy engine.

Opening a store (checking its revision, creating a new one at head) needs neither Alembic nor
SQLAlchemy and lives in ``_schema.py``, with the policy of why an older store is never upgraded
silently. This module is imported only to upgrade, and by the migration tests.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from parabola.storages._revisions import KNOWN_REVISIONS
from parabola.storages._sql._engine import ensure_engine_wal
from parabola.storages._sql._schema import check_revision, read_revision

__all__ = ["alembic_config", "current_revision", "upgrade"]


@contextlib.contextmanager
def _quiet_alembic() -> Iterator[None]:
    """Alembic logs every step at INFO; creating a store is parabola's business, not news."""
    logger = logging.getLogger("alembic")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def alembic_config(connection: sa.Connection | None = None) -> Any:
    """An Alembic ``Config`` pointing at the migrations shipped in this package."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", os.path.join(os.path.dirname(__file__), "alembic"))
    cfg.attributes["connection"] = connection
    return cfg


def current_revision(connection: sa.Connection) -> str | None:
    """The store's revision on a SQLAlchemy connection, ``None`` for an empty database.

    Raises:
        StorageInternalError: if the database holds tables but is not a parabola store.
    """
    from parabola.storages._sql._dialect import POSTGRESQL, SQLITE

    dialect = SQLITE if connection.dialect.name == "sqlite" else POSTGRESQL
    raw = connection.connection.dbapi_connection
    assert raw is not None
    cursor = raw.cursor()
    try:
        return read_revision(cursor, dialect, str(connection.engine.url))
    finally:
        cursor.close()


def _locked(connection: sa.Connection) -> None:
    """Serialise schema work between processes on the same PostgreSQL store."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(7160250311)"))


def upgrade(engine: sa.Engine, url: str, revision: str = "head") -> tuple[str | None, str]:
    """Upgrade the store to ``revision``; return ``(before, after)`` revisions.

    Raises:
        StoreVersionError: if the store is newer than this code.
    """
    with engine.connect() as conn:
        before = current_revision(conn)  # refuses a foreign database untouched
    if before is not None and before not in KNOWN_REVISIONS:
        check_revision(before, url)
    ensure_engine_wal(engine)
    with engine.connect() as conn:
        conn = conn.execution_options(parabola_write=True)
        with conn.begin():
            _locked(conn)
            before = current_revision(conn)
            if before is not None and before not in KNOWN_REVISIONS:
                check_revision(before, url)
            with _quiet_alembic():
                from alembic import command

                command.upgrade(alembic_config(conn), revision)
            after = current_revision(conn)
    assert after is not None
    return before, after
