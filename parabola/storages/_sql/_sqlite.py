"""The SQLite driver of the SQL store on the standard library's ``sqlite3`` (no SQLAlchemy).

SQLite is configured for many processes sharing one file on one machine:

* ``journal_mode=WAL``: readers never block the writer and vice versa (switched on by
  ``_schema.check_or_create`` once the file is known to be a parabola store, because switching
  rewrites the header of any database);
* ``synchronous=NORMAL``: in WAL mode a commit is durable against a crashed *process* and the
  file is never corrupted; only an OS crash/power loss may drop the last commits;
* ``busy_timeout=30000``: a writer waits up to 30 s for the lock instead of failing at once;
* write transactions start with ``BEGIN IMMEDIATE`` so the lock is taken up front (no
  deadlock-prone lock upgrade), and ``_retry.with_retries`` retries the rare "database is
  locked" that still escapes;
* a store on a location this process cannot write is opened read-only (:func:`read_only_uri`).

These are the settings ``_engine.create_engine`` gives a SQLite engine, so both drivers behave
alike on one file.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import urllib.parse
from collections.abc import Callable
from typing import Any, TypeVar

from parabola.storages._sql._dialect import SQLITE
from parabola.storages._sql._retry import with_retries
from parabola.storages._sql._urls import sqlite_file

__all__ = ["BUSY_TIMEOUT_MS", "SqliteRunner", "configure_connection", "read_only_uri"]

T = TypeVar("T")
BUSY_TIMEOUT_MS = 30_000
# Idle connections kept per store: the writer thread, the main thread and a heartbeat thread.
_POOL_SIZE = 5


def read_only_uri(path: str | None) -> str | None:
    """A SQLite URI that reads an existing store on a location this process cannot write.

    A WAL database needs its ``-shm`` index next to it, which a reader normally creates; on
    a read-only share, a CI artifact or a read-only mount it cannot. With a live writer (its
    ``-wal`` is there) the store is read through the writer's files (``mode=ro``); otherwise
    the file is complete on its own and nothing here can change it, so it is opened
    ``immutable`` (no locks, no side files). Writes then fail with SQLite's "readonly
    database", which ``_retry.translate_error`` names.
    """
    if not path or path == ":memory:" or path.startswith("file:") or not os.path.isfile(path):
        return None
    folder = os.path.dirname(path) or "."
    if os.access(folder, os.W_OK) and os.access(path, os.W_OK):
        return None
    mode = "mode=ro" if os.path.exists(path + "-wal") else "immutable=1"
    return f"file:{urllib.parse.quote(path)}?{mode}"


def configure_connection(connection: sqlite3.Connection) -> None:
    """parabola's per-connection settings (see the module docstring)."""
    # Transactions are begun explicitly (BEGIN IMMEDIATE for writes), not by the module.
    connection.isolation_level = None
    cursor = connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def ensure_wal(connection: sqlite3.Connection) -> None:
    """Put the database in WAL mode unless it is; a read-only file keeps its mode."""
    row = connection.execute("PRAGMA journal_mode").fetchone()
    if row is not None and str(row[0]).lower() != "wal":
        with contextlib.suppress(sqlite3.Error):
            connection.execute("PRAGMA journal_mode=WAL")


class SqliteRunner:
    """Transactions on one SQLite file through ``sqlite3``, with a small connection pool.

    Connections are shared between threads (never two at once: each is taken from the pool
    for one transaction), as SQLAlchemy's pool does with ``check_same_thread=False``.
    """

    dialect = SQLITE
    integrity_error: type[Exception] = sqlite3.IntegrityError

    def __init__(self, url: str) -> None:
        path = sqlite_file(url)
        if path is None:
            raise ValueError(f"SqliteRunner needs a SQLite file URL; got {url!r}.")
        self.url = url
        self.path = path
        uri = read_only_uri(path)
        self._target, self._uri = (uri, True) if uri is not None else (path, False)
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SqliteRunner({self.path!r})"

    @property
    def read_only(self) -> bool:
        """Whether the file was opened read-only (see :func:`read_only_uri`)."""
        return self._uri

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(
            self._target,
            uri=self._uri,
            timeout=BUSY_TIMEOUT_MS / 1000,
            check_same_thread=False,
            isolation_level=None,
        )
        try:
            configure_connection(connection)
        except BaseException:
            connection.close()
            raise
        return connection

    def _take(self) -> sqlite3.Connection:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return self._connect()

    def _give(self, connection: sqlite3.Connection) -> None:
        if connection.in_transaction:  # a failed rollback: do not hand the state on
            connection.close()
            return
        with self._lock:
            if len(self._idle) < _POOL_SIZE:
                self._idle.append(connection)
                return
        connection.close()

    def run(self, fn: Callable[[Any], T], write: bool) -> T:
        """``fn(cursor)`` in one transaction (``BEGIN IMMEDIATE`` for a write)."""

        def attempt() -> T:
            connection = self._take()
            try:
                cursor = connection.cursor()
                try:
                    cursor.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                    result = fn(cursor)
                    connection.commit()
                    return result
                except BaseException:
                    with contextlib.suppress(sqlite3.Error):
                        connection.rollback()
                    raise
                finally:
                    cursor.close()
            finally:
                self._give(connection)

        return with_retries(attempt, self.url, (sqlite3.Error,))

    def ensure_wal(self) -> None:
        def attempt() -> None:
            connection = self._take()
            try:
                ensure_wal(connection)
            finally:
                self._give(connection)

        with_retries(attempt, self.url, (sqlite3.Error,))

    def dispose(self, close: bool = True) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        if close:
            for connection in idle:
                with contextlib.suppress(sqlite3.Error):
                    connection.close()
