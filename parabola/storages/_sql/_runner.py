"""The transaction runner of the SQL store: what every part of ``RDBStorage`` runs SQL through.

A runner runs ``fn(cursor)`` as one transaction on a DBAPI cursor (``BEGIN IMMEDIATE`` for a
SQLite write, so the write lock is taken up front; a PostgreSQL writer locks its rows with
``FOR UPDATE``), commits, rolls back on any error and applies the one retry policy
(``_retry.with_retries``). Two drivers implement it:

* :class:`~parabola.storages._sql._sqlite.SqliteRunner`: a plain SQLite file through the
  standard library's ``sqlite3``; imports no SQLAlchemy (the common, cold-start-sensitive path);
* ``_engine.EngineRunner``: SQLAlchemy's connection pool, for PostgreSQL (psycopg 3) and for
  SQLite URLs only SQLAlchemy reads (``:memory:``, query options) or ``engine_kwargs``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from parabola.storages._sql._dialect import Dialect
from parabola.storages._sql._urls import is_light_sqlite

__all__ = ["Runner", "open_runner"]

T = TypeVar("T")


class Runner(Protocol):
    """One transaction runner with one retry policy (see the module docstring)."""

    #: How this database spells the statements.
    dialect: Dialect
    #: The driver's error for a violated unique or foreign key (caught to name the argument).
    integrity_error: type[Exception]

    def run(self, fn: Callable[[Any], T], write: bool) -> T:
        """``fn(cursor)`` in one transaction, retried on a lock error or dropped connection.

        ``fn`` may run more than once, so it builds everything it writes inside.
        """
        ...

    def ensure_wal(self) -> None:
        """Put a SQLite store in WAL mode (persistent in the file); a no-op elsewhere."""
        ...

    def dispose(self, close: bool = True) -> None:
        """Drop pooled connections (``close=False`` in a forked child: the parent owns them)."""
        ...


def open_runner(url: str, engine_kwargs: dict[str, Any] | None) -> Runner:
    """The runner for a normalised ``url``: the stdlib driver for a plain SQLite file, else
    SQLAlchemy's (imported here, on that path only)."""
    if is_light_sqlite(url) and not engine_kwargs:
        from parabola.storages._sql._sqlite import SqliteRunner

        return SqliteRunner(url)
    from parabola.storages._sql._engine import EngineRunner, create_engine

    return EngineRunner(create_engine(url, engine_kwargs), url)
