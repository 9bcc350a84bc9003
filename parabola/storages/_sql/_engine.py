"""The SQLAlchemy driver of the SQL store: PostgreSQL, and SQLite URLs only SQLAlchemy reads.

A plain SQLite file goes through ``_sqlite.SqliteRunner`` (the standard library, no SQLAlchemy
import); this module serves PostgreSQL (psycopg 3), in-memory SQLite, SQLite URLs with query
options and stores opened with ``engine_kwargs``, and the schema upgrades (Alembic works on a
SQLAlchemy connection). A SQLite engine gets the settings ``_sqlite`` gives its connections.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, NoSuchModuleError

from parabola.storages._sql._dialect import POSTGRESQL, SQLITE, Dialect
from parabola.storages._sql._retry import Disconnected, with_retries
from parabola.storages._sql._sqlite import (
    BUSY_TIMEOUT_MS,
    configure_connection,
    ensure_wal,
    read_only_uri,
)
from parabola.storages._sql._urls import SCHEMES, is_sqlite, redact

__all__ = ["EngineRunner", "create_engine", "ensure_engine_wal"]

T = TypeVar("T")


def create_engine(url: str, engine_kwargs: dict[str, Any] | None) -> sa.Engine:
    """Create the engine for a normalised ``url`` with parabola's settings."""
    kwargs = dict(engine_kwargs or {})
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise ImportError(
                f"storage={redact(url)!r} needs the PostgreSQL driver psycopg 3: "
                "pip install 'parabola[postgres]' (or pip install 'psycopg[binary]')."
            ) from None
    try:
        if is_sqlite(url):
            read_only = read_only_uri(parsed.database)
            if read_only is not None:
                url = parsed.set(database=read_only, query={"uri": "true"}).render_as_string(
                    hide_password=False
                )
            connect_args = dict(kwargs.pop("connect_args", {}))
            connect_args.setdefault("check_same_thread", False)
            connect_args.setdefault("timeout", BUSY_TIMEOUT_MS / 1000)
            if parsed.database in (None, "", ":memory:"):
                # One shared connection, or every connection would see its own empty database.
                kwargs.setdefault("poolclass", sa.pool.StaticPool)
            engine = sa.create_engine(url, connect_args=connect_args, **kwargs)
            _configure_sqlite(engine)
        else:
            engine = sa.create_engine(url, **kwargs)
    except NoSuchModuleError:
        raise ValueError(
            f"storage={redact(url)!r}: no SQLAlchemy dialect/driver for this scheme. "
            f"Use one of: {SCHEMES}."
        ) from None
    except ImportError as e:
        raise ImportError(
            f"storage={redact(url)!r}: the database driver is not installed ({e})."
        ) from None
    return engine


def _configure_sqlite(engine: sa.Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        configure_connection(dbapi_connection)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        # Alembic's upgrade transaction is a write: take the lock up front.
        if conn.get_execution_options().get("parabola_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def ensure_engine_wal(engine: sa.Engine) -> None:
    """Put a SQLite store in WAL mode (persistent in the file); a no-op elsewhere."""
    if engine.dialect.name != "sqlite":
        return
    conn = engine.raw_connection()
    try:
        ensure_wal(conn.dbapi_connection)  # type: ignore[arg-type]
    finally:
        conn.close()


class EngineRunner:
    """Transactions on the raw DBAPI connections of a SQLAlchemy engine's pool.

    Statements are the store's own SQL text (``_dialect``), run on the driver's cursor:
    SQLAlchemy's statement compilation would cost more than the SQLite work itself.
    """

    def __init__(self, engine: sa.Engine, url: str) -> None:
        self.engine = engine
        self.url = url
        self.sqlite = engine.dialect.name == "sqlite"
        self.dialect: Dialect = SQLITE if self.sqlite else POSTGRESQL
        dbapi = engine.dialect.dbapi
        self._error: type[Exception] = dbapi.Error if dbapi is not None else DBAPIError
        self.integrity_error: type[Exception] = (
            dbapi.IntegrityError if dbapi is not None else sa.exc.IntegrityError
        )

    def __repr__(self) -> str:
        return f"EngineRunner({redact(self.url)!r})"

    def run(self, fn: Callable[[Any], T], write: bool) -> T:
        """Run ``fn(cursor)`` in one transaction (``BEGIN IMMEDIATE`` for SQLite writes)."""

        def attempt() -> T:
            conn = self.engine.raw_connection()
            try:
                cursor = conn.cursor()
                try:
                    if self.sqlite:
                        cursor.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                    result = fn(cursor)
                    conn.commit()
                    return result
                except self._error as e:
                    if self.engine.dialect.is_disconnect(e, conn.dbapi_connection, cursor):  # type: ignore[arg-type]
                        # A server restart or an idle-connection timeout: drop the connection
                        # from the pool; the retry gets a fresh one.
                        conn.invalidate(e)
                        raise Disconnected(str(e)) from e
                    conn.rollback()
                    raise
                except BaseException:
                    conn.rollback()
                    raise
                finally:
                    cursor.close()
            finally:
                conn.close()

        # DBAPIError: what the pool raises when it cannot connect.
        return with_retries(attempt, self.url, (self._error, DBAPIError))

    def ensure_wal(self) -> None:
        with_retries(lambda: ensure_engine_wal(self.engine), self.url, (self._error, DBAPIError))

    def dispose(self, close: bool = True) -> None:
        self.engine.dispose(close=close)
