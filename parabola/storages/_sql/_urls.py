"""Storage URLs without SQLAlchemy: normalisation, the SQLite file, redaction.

The common URLs (``sqlite:///path.db`` and plain paths ending in ``.db``/``.sqlite``/``.sqlite3``)
are read here with string operations, so opening a SQLite store never imports SQLAlchemy
(whose import alone costs more CPU than opening and reading a 10,000-trial study). Anything
else (PostgreSQL, in-memory databases, URLs with query options or escapes) is parsed by
SQLAlchemy's ``make_url``, imported on that path only; both readings give the same string for
the URLs they share (``tests/storages_tests/test_sql_urls.py``).
"""

from __future__ import annotations

import os
import urllib.parse

__all__ = ["SCHEMES", "is_light_sqlite", "is_sqlite", "normalize_url", "redact", "sqlite_file"]

_SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")
_PREFIX = "sqlite:///"
#: What the error messages offer as examples.
SCHEMES = "sqlite:///path.db, postgresql://user@host/dbname"


def _light_path(url: str) -> str | None:
    """The file of a ``sqlite:///<path>`` URL that needs no URL parsing, else ``None``.

    ``?`` (query options), ``%`` (escapes), ``#`` and ``:`` (``:memory:``, ``file:`` URIs) are
    left to SQLAlchemy, which gives them their full meaning.
    """
    if not url.startswith(_PREFIX):
        return None
    path = url[len(_PREFIX) :]
    if not path or any(c in path for c in "?%#:"):
        return None
    return path


def is_light_sqlite(url: str) -> bool:
    """Whether a normalised ``url`` is a plain SQLite file that the stdlib driver opens.

    Example:
        >>> is_light_sqlite("sqlite:////tmp/a.db"), is_light_sqlite("sqlite:///:memory:")
        (True, False)
    """
    return _light_path(url) is not None and os.path.isabs(url[len(_PREFIX) :])


def normalize_url(url: str) -> str:
    """Turn what a user wrote into a SQLAlchemy URL.

    A plain path ending in ``.db``/``.sqlite``/``.sqlite3`` means ``sqlite:///<path>``;
    ``postgresql://`` and ``postgres://`` use the psycopg 3 driver. SQLite files are made
    absolute, so that the per-process cache and error messages name one file.

    Raises:
        ValueError: for anything else that is not a URL with a supported scheme.

    Example:
        >>> normalize_url("postgres://u@h/d")
        'postgresql+psycopg://u@h/d'
    """
    if not isinstance(url, str) or not url.strip():
        raise ValueError(f"storage must be a non-empty URL such as {SCHEMES}; got {url!r}.")
    url = url.strip()
    if "://" not in url:
        if url.lower().endswith(_SQLITE_SUFFIXES):
            return _PREFIX + os.path.abspath(os.path.expanduser(url))
        raise ValueError(
            f"storage={url!r} is neither a URL nor a path ending in .db/.sqlite/.sqlite3. "
            f"Use one of: {SCHEMES}."
        )
    path = _light_path(url)
    if path is not None:
        return _PREFIX + os.path.abspath(os.path.expanduser(path))
    return _normalize_with_sqlalchemy(url)


def _normalize_with_sqlalchemy(url: str) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValueError(f"storage={url!r} is not a valid URL. Use one of: {SCHEMES}.") from None
    backend = parsed.get_backend_name()
    db = parsed.database
    if backend == "sqlite" and db and db != ":memory:" and not db.startswith("file:"):
        parsed = parsed.set(database=os.path.abspath(os.path.expanduser(db)))
    if backend == "postgres" or (backend == "postgresql" and parsed.drivername == "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif backend not in ("sqlite", "postgresql"):
        raise ValueError(
            f"storage={redact(url)!r}: unknown URL scheme {parsed.drivername!r}; supported: "
            f"sqlite, postgresql (psycopg 3). Examples: {SCHEMES}."
        )
    return parsed.render_as_string(hide_password=False)


def redact(url: str) -> str:
    """The URL with any password hidden, for error messages.

    Example:
        >>> redact("postgresql+psycopg://me:secret@h/db")
        'postgresql+psycopg://me:***@h/db'
    """
    if url.startswith("sqlite") or "@" not in url:
        return url  # no credentials to hide
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url


def sqlite_file(url: str) -> str | None:
    """The file a normalised SQLite ``url`` opens, or ``None`` (PostgreSQL, ``:memory:``).

    Example:
        >>> sqlite_file("sqlite:////tmp/a.db"), sqlite_file("postgresql+psycopg://h/db")
        ('/tmp/a.db', None)
    """
    path = _light_path(url)
    if path is not None:
        return path
    if not is_sqlite(url):
        return None
    from sqlalchemy.engine import make_url

    db = make_url(url).database
    if not db or db == ":memory:":
        return None
    if db.startswith("file:"):  # a read-only URI (see _sqlite.read_only_uri)
        return urllib.parse.unquote(db[len("file:") :].split("?", 1)[0])
    return db


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")
