"""SQL text per dialect: each statement written once, with the paramstyle each driver takes.

Decision (instead of rewriting ``:name`` parameters with a regex, or compiling text through
SQLAlchemy at run time): statements are Python format strings whose parameters are explicit
``{name}`` fields, and :meth:`Dialect.sql` fills each field with the driver's own placeholder,
once per statement and dialect (cached): ``:name`` for the stdlib ``sqlite3``, ``%(name)s`` for
psycopg 3, whose literal ``%`` is doubled first. Nothing parses SQL, so a ``::cast`` or a colon
inside a literal cannot be mistaken for a parameter, and the SQLite path needs no SQLAlchemy.
The table layout these statements use is the one of ``_models.py``; the DDL that creates it is
generated from those models (``_ddl.py``, ``scripts/gen_sql_ddl.py``).

Example:
    >>> SQLITE.sql("SELECT 1 FROM trials WHERE trial_id = {tid}")
    'SELECT 1 FROM trials WHERE trial_id = :tid'
    >>> POSTGRESQL.sql("SELECT 1 FROM trials WHERE trial_id = {tid}")
    'SELECT 1 FROM trials WHERE trial_id = %(tid)s'
"""

from __future__ import annotations

from typing import Literal

__all__ = ["POSTGRESQL", "SQLITE", "Dialect"]


class _Placeholders(dict[str, str]):
    def __init__(self, style: str) -> None:
        super().__init__()
        self._style = style

    def __missing__(self, key: str) -> str:
        return self._style.format(key)


class Dialect:
    """How one database family spells the statements of the SQL store."""

    def __init__(self, name: Literal["sqlite", "postgresql"], placeholder: str) -> None:
        self.name = name
        self._placeholders = _Placeholders(placeholder)
        self._cache: dict[str, str] = {}
        #: Appended to a ``SELECT`` that must lock its rows: PostgreSQL's row lock. SQLite
        #: needs none, as a write transaction holds the database's lock from ``BEGIN IMMEDIATE``.
        self.for_update = " FOR UPDATE" if name == "postgresql" else ""

    def __repr__(self) -> str:
        return f"Dialect({self.name!r})"

    def sql(self, template: str) -> str:
        """``template`` with each ``{name}`` field as this driver's parameter ``name``."""
        out = self._cache.get(template)
        if out is None:
            text = template.replace("%", "%%") if self.name == "postgresql" else template
            out = self._cache[template] = text.format_map(self._placeholders)
        return out


SQLITE = Dialect("sqlite", ":{}")
POSTGRESQL = Dialect("postgresql", "%({})s")
