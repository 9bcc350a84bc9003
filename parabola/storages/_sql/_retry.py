"""The SQL store's one retry policy and its one translation of database errors.

Every transaction of :class:`~parabola.storages.RDBStorage` (trials, studies, runs, schema
checks) runs through :func:`with_retries`, whichever driver runs it (``_sqlite.SqliteRunner``
or ``_engine.EngineRunner``): lock errors and dropped connections are retried with backoff on a
fresh connection, anything else becomes one :class:`~parabola.exceptions.StorageInternalError`
naming the URL and what to try. Imports no SQLAlchemy.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from parabola.exceptions import StorageInternalError
from parabola.storages._sql._urls import redact

__all__ = ["Disconnected", "is_transient", "translate_error", "with_retries"]

T = TypeVar("T")


class Disconnected(Exception):
    """The database connection was lost; the transaction can be retried on a new one."""


def is_transient(err: BaseException) -> bool:
    """A lock or serialisation conflict that the same transaction may pass on a retry."""
    orig = getattr(err, "orig", None)
    text = str(orig).lower() if orig is not None else str(err).lower()
    return (
        "database is locked" in text
        or "database is busy" in text
        or "deadlock detected" in text
        or "could not serialize" in text
        or "lock wait timeout" in text
    )


def with_retries(
    fn: Callable[[], T],
    url: str,
    driver_errors: tuple[type[Exception], ...],
    attempts: int = 8,
) -> T:
    """Run ``fn`` (one whole transaction), retrying transient errors with backoff.

    ``driver_errors`` are the driver's error classes. A dropped connection (a server restart,
    ``pg_terminate_backend``, an idle timeout) arrives as :class:`Disconnected` or as an error
    whose ``connection_invalidated`` is set and is retried like a lock error: its transaction
    was rolled back with the connection. Other database errors become
    :class:`StorageInternalError` naming the URL.
    """
    retried: tuple[type[BaseException], ...] = (Disconnected, *driver_errors)
    delay = 0.01
    for attempt in range(attempts):
        try:
            return fn()
        except retried as e:
            dropped = isinstance(e, Disconnected) or getattr(e, "connection_invalidated", False)
            if (is_transient(e) or dropped) and attempt < attempts - 1:
                time.sleep(delay * (1 + random.random()))
                delay = min(delay * 2, 1.0)
                continue
            raise translate_error(e, url) from e
    raise AssertionError("unreachable")


def translate_error(err: BaseException, url: str) -> StorageInternalError:
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
