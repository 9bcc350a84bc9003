"""Schema revisions of a parabola store, readable without SQLAlchemy.

``parabola db current`` on a SQLite file only needs one row of one table; importing SQLAlchemy
to read it costs more CPU than the whole answer (see ``benchmarks/README.md``, cold start), so
this module reads it with the standard library's ``sqlite3``, read-only. Anything unusual (not
a parabola store, a locked or read-only file it cannot open) returns ``None`` and the caller
takes the full path through :class:`~parabola.storages.RDBStorage`, with its clear errors.
"""

from __future__ import annotations

import os
import sqlite3
import urllib.parse

__all__ = ["HEAD", "KNOWN_REVISIONS", "VERSION_TABLE", "plain_sqlite_file", "sqlite_revision"]

#: The Alembic revision this code writes and understands.
HEAD = "0001"

#: Every revision this code can upgrade from, oldest first (the test checks it against Alembic).
KNOWN_REVISIONS = ("0001",)

#: Alembic's version table; not "alembic_version", so a database shared with another
#: Alembic-managed application (or an Optuna store) is never mistaken for ours.
VERSION_TABLE = "parabola_version"


def sqlite_revision(path: str) -> str | None:
    """The revision stored in the parabola SQLite store at ``path``, or ``None`` when this
    light read cannot tell (no such file, not a parabola store, cannot be opened read-only).

    Example:
        >>> import os, tempfile, parabola
        >>> path = os.path.join(tempfile.mkdtemp(), "r.db")
        >>> _ = parabola.storages.RDBStorage(f"sqlite:///{path}")
        >>> sqlite_revision(path) == HEAD
        True
    """
    if not os.path.isfile(path):
        return None
    uri = f"file:{urllib.parse.quote(os.path.abspath(path))}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=5)
    except sqlite3.Error:
        return None
    try:
        row = conn.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    return None if row is None else str(row[0])


def plain_sqlite_file(url: str) -> str | None:
    """The absolute file of a plain SQLite URL or path (no query, not in memory), else ``None``.

    The same reading as :class:`~parabola.storages.RDBStorage` gives those URLs, for the light
    paths; anything else (PostgreSQL, URI options) goes the full way.

    Example:
        >>> plain_sqlite_file("sqlite:////tmp/a.db"), plain_sqlite_file("postgresql://h/db")
        ('/tmp/a.db', None)
    """
    url = url.strip()
    if "://" not in url:
        path = url if url.lower().endswith((".db", ".sqlite", ".sqlite3")) else ""
    elif url.startswith("sqlite:///") and "?" not in url:
        path = url[len("sqlite:///") :]
    else:
        return None
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    return os.path.abspath(os.path.expanduser(path))
