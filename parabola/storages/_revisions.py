"""Schema revisions of a parabola store, importable without SQLAlchemy.

The constants are shared by the SQLAlchemy models, Alembic's migrations and the SQLite path of
the store (``_sql/_sqlite.py``, ``_sql/_schema.py``); :func:`light_sqlite_revision` reads a
SQLite store's revision through that path for ``parabola db current``.
"""

from __future__ import annotations

__all__ = ["HEAD", "KNOWN_REVISIONS", "VERSION_TABLE", "light_sqlite_revision"]

#: The Alembic revision this code writes and understands.
HEAD = "0001"

#: Every revision this code can upgrade from, oldest first (the test checks it against Alembic).
KNOWN_REVISIONS = ("0001",)

#: Alembic's version table; not "alembic_version", so a database shared with another
#: Alembic-managed application (or an Optuna store) is never mistaken for ours.
VERSION_TABLE = "parabola_version"


def light_sqlite_revision(url: str) -> tuple[str, str | None] | None:
    """``(normalised URL, revision)`` of an existing plain SQLite file, read by the store's own
    SQLite driver and schema check (neither imports SQLAlchemy, whose import alone costs more
    than the whole answer of ``parabola db current``); ``None`` when anything is unusual
    (PostgreSQL, no such file, not a parabola store): the caller then opens the store the full
    way, with its clear errors. Never creates a file.

    Example:
        >>> import os, tempfile, parabola
        >>> path = os.path.join(tempfile.mkdtemp(), "r.db")
        >>> light_sqlite_revision(path) is None  # no such file (and none created)
        True
        >>> _ = parabola.storages.RDBStorage(path)
        >>> light_sqlite_revision(path) == (f"sqlite:///{path}", HEAD)
        True
    """
    import os

    from parabola.exceptions import ParabolaError
    from parabola.storages._sql._urls import is_light_sqlite, normalize_url, sqlite_file

    if "://" in url and not url.startswith("sqlite"):
        return None
    try:
        normalized = normalize_url(url)
    except ValueError:
        return None
    path = sqlite_file(normalized)
    if not is_light_sqlite(normalized) or path is None or not os.path.isfile(path):
        return None
    from parabola.storages._sql._schema import read_revision
    from parabola.storages._sql._sqlite import SqliteRunner

    runner = SqliteRunner(normalized)
    try:
        return normalized, runner.run(
            lambda cur: read_revision(cur, runner.dialect, normalized), write=False
        )
    except ParabolaError:
        return None
    finally:
        runner.dispose()
