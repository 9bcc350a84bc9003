"""Engines for parabola stores: URL normalisation, SQLite pragmas, errors, retries.

SQLite is configured for many processes sharing one file on one machine:

* ``journal_mode=WAL``: readers never block the writer and vice versa;
* ``synchronous=NORMAL``: in WAL mode a commit is durable against a crashed *process* and the
  file is never corrupted; only an OS crash/power loss may drop the last commits;
* ``busy_timeout=30000``: a writer waits up to 30 s for the lock instead of failing at once;
* write transactions start with ``BEGIN IMMEDIATE`` so the lock is taken up front (no
  deadlock-prone lock upgrade), and :func:`with_retries` retries the rare "database is locked"
  that still escapes.
"""

from __future__ import annotations

import contextlib
import os
import random
import time
import urllib.parse
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from parabola.exceptions import StorageInternalError

__all__ = [
    "RawSQL",
    "ensure_wal",
    "create_engine",
    "is_sqlite",
    "normalize_url",
    "redact",
    "sqlite_file",
    "translate_error",
    "with_retries",
]

T = TypeVar("T")

_SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")
_SCHEMES = "sqlite:///path.db, postgresql://user@host/dbname"
BUSY_TIMEOUT_MS = 30_000


def redact(url: str) -> str:
    """The URL with any password hidden, for error messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url


def normalize_url(url: str) -> str:
    """Turn what a user wrote into a SQLAlchemy URL.

    A plain path ending in ``.db``/``.sqlite``/``.sqlite3`` means ``sqlite:///<path>``;
    ``postgresql://`` and ``postgres://`` use the psycopg 3 driver.

    Raises:
        ValueError: for anything else that is not a URL with a supported scheme.
    """
    if not isinstance(url, str) or not url.strip():
        raise ValueError(f"storage must be a non-empty URL such as {_SCHEMES}; got {url!r}.")
    url = url.strip()
    if "://" not in url:
        if url.lower().endswith(_SQLITE_SUFFIXES):
            return "sqlite:///" + os.path.abspath(os.path.expanduser(url))
        raise ValueError(
            f"storage={url!r} is neither a URL nor a path ending in .db/.sqlite/.sqlite3. "
            f"Use one of: {_SCHEMES}."
        )
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValueError(f"storage={url!r} is not a valid URL. Use one of: {_SCHEMES}.") from None
    backend = parsed.get_backend_name()
    db = parsed.database
    if backend == "sqlite" and db and db != ":memory:" and not db.startswith("file:"):
        # Absolute, so that the per-process cache and error messages name one file.
        parsed = parsed.set(database=os.path.abspath(os.path.expanduser(db)))
    if backend == "postgres" or (backend == "postgresql" and parsed.drivername == "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif backend not in ("sqlite", "postgresql"):
        raise ValueError(
            f"storage={redact(url)!r}: unknown URL scheme {parsed.drivername!r}; supported: "
            f"sqlite, postgresql (psycopg 3). Examples: {_SCHEMES}."
        )
    return parsed.render_as_string(hide_password=False)


def sqlite_file(url: str) -> str | None:
    """The file a normalised SQLite ``url`` opens, or ``None`` (PostgreSQL, ``:memory:``).

    Example:
        >>> sqlite_file("sqlite:////tmp/a.db"), sqlite_file("postgresql+psycopg://h/db")
        ('/tmp/a.db', None)
    """
    parsed = make_url(url)
    db = parsed.database
    if parsed.get_backend_name() != "sqlite" or not db or db == ":memory:":
        return None
    if db.startswith("file:"):  # a read-only URI (see _read_only_uri)
        return urllib.parse.unquote(db[len("file:") :].split("?", 1)[0])
    return db


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


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
            read_only = _read_only_uri(parsed.database)
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
            f"Use one of: {_SCHEMES}."
        ) from None
    except ImportError as e:
        raise ImportError(
            f"storage={redact(url)!r}: the database driver is not installed ({e})."
        ) from None
    return engine


def _read_only_uri(path: str | None) -> str | None:
    """A SQLite URI that reads an existing store on a location this process cannot write.

    A WAL database needs its ``-shm`` index next to it, which a reader normally creates; on
    a read-only share, a CI artifact or a read-only mount it cannot. With a live writer (its
    ``-wal`` is there) the store is read through the writer's files (``mode=ro``); otherwise
    the file is complete on its own and nothing here can change it, so it is opened
    ``immutable`` (no locks, no side files). Writes then fail with SQLite's "readonly
    database", which :func:`translate_error` names.
    """
    if not path or path == ":memory:" or path.startswith("file:") or not os.path.isfile(path):
        return None
    folder = os.path.dirname(path) or "."
    if os.access(folder, os.W_OK) and os.access(path, os.W_OK):
        return None
    mode = "mode=ro" if os.path.exists(path + "-wal") else "immutable=1"
    return f"file:{urllib.parse.quote(path)}?{mode}"


def _configure_sqlite(engine: sa.Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take over transaction control from pysqlite so BEGIN IMMEDIATE is possible.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
            # WAL is switched on once the file is known to be a parabola store
            # (``_migrate.check_or_create``): switching rewrites the header of any database.
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        if conn.get_execution_options().get("parabola_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def ensure_wal(engine: sa.Engine) -> None:
    """Put a SQLite store in WAL mode (persistent in the file); a no-op elsewhere."""
    if engine.dialect.name != "sqlite":
        return
    conn = engine.raw_connection()
    try:
        mode = conn.cursor().execute("PRAGMA journal_mode").fetchone()
        if mode is not None and str(mode[0]).lower() != "wal":
            # A read-only file keeps its journal mode; reads still work.
            with contextlib.suppress(Exception):
                conn.cursor().execute("PRAGMA journal_mode=WAL")
    finally:
        conn.close()


def _is_transient(err: Exception) -> bool:
    orig = getattr(err, "orig", None)
    text = str(orig).lower() if orig is not None else str(err).lower()
    return (
        "database is locked" in text
        or "database is busy" in text
        or "deadlock detected" in text
        or "could not serialize" in text
        or "lock wait timeout" in text
    )


class _Disconnected(Exception):
    """The database connection was lost; the transaction can be retried on a new one."""


def with_retries(
    fn: Callable[[], T], url: str, driver_error: type[Exception] = DBAPIError, attempts: int = 8
) -> T:
    """Run ``fn`` (one whole transaction), retrying transient lock errors with backoff.

    ``driver_error`` is the DBAPI driver's base error class (for raw-cursor transactions).
    Other database errors become :class:`StorageInternalError` naming the URL.
    """
    delay = 0.01
    for attempt in range(attempts):
        try:
            return fn()
        except (DBAPIError, driver_error, _Disconnected) as e:
            # A dropped connection (server restart, pg_terminate_backend, idle timeout) is
            # retried on a fresh one, for SQLAlchemy connections (``connection_invalidated``)
            # as for the raw ones: the transaction was rolled back with the connection.
            dropped = isinstance(e, _Disconnected) or getattr(e, "connection_invalidated", False)
            if (_is_transient(e) or dropped) and attempt < attempts - 1:
                time.sleep(delay * (1 + random.random()))
                delay = min(delay * 2, 1.0)
                continue
            raise translate_error(e, url) from e
    raise AssertionError("unreachable")


class RawSQL:
    """Hot-path transactions on the pool's raw DBAPI connections, bypassing SQLAlchemy's
    statement compilation (which costs more than the SQLite work itself).

    SQL is written once with ``:name`` parameters (sqlite3's native style, used as is) and
    compiled once per statement by SQLAlchemy for other dialects (psycopg's ``%(name)s``, with
    literal ``%`` escaped), so no hand-written rewriting of parameters is involved.
    """

    def __init__(self, engine: sa.Engine, url: str) -> None:
        self.engine = engine
        self.url = url
        self.sqlite = engine.dialect.name == "sqlite"
        dbapi = engine.dialect.dbapi
        self.error: type[Exception] = dbapi.Error if dbapi is not None else DBAPIError
        self._sql: dict[str, str] = {}

    def sql(self, text: str) -> str:
        out = self._sql.get(text)
        if out is None:
            out = text if self.sqlite else str(sa.text(text).compile(dialect=self.engine.dialect))
            self._sql[text] = out
        return out

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
                except self.error as e:
                    if self.engine.dialect.is_disconnect(e, conn.dbapi_connection, cursor):  # type: ignore[arg-type]
                        # A server restart or an idle-connection timeout: drop the connection
                        # from the pool; the retry gets a fresh one.
                        conn.invalidate(e)
                        raise _Disconnected(str(e)) from e
                    conn.rollback()
                    raise
                except BaseException:
                    conn.rollback()
                    raise
                finally:
                    cursor.close()
            finally:
                conn.close()

        return with_retries(attempt, self.url, self.error)


def translate_error(err: Exception, url: str) -> StorageInternalError:
    """One clear error for a database failure, naming the URL and what to try."""
    orig = getattr(err, "orig", None)
    text = str(orig) if orig is not None else str(err)
    lower = text.lower()
    hint = "Check the URL, that the server is running and that you may write there."
    if "readonly" in lower or "read-only" in lower:
        hint = "The location is read-only; use a storage URL in a writable directory."
    elif "unable to open database" in lower:
        hint = "The directory does not exist or is not writable; create it or pick another path."
    elif "file is not a database" in lower:
        hint = "The file is not a SQLite database; point storage at a parabola store or a new file."
    elif "connect" in lower or "connection" in lower:
        hint = "Is the database server running and reachable? Check host, port, user and password."
    return StorageInternalError(f"Storage {redact(url)!r} failed: {text.strip()}. {hint}")
