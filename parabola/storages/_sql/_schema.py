"""Schema versions on the transaction runner: check a store, create a new one at head.

Policy (why an old store is not upgraded silently): an upgrade may rewrite large tables and
cannot be undone, and workers still running the older parabola would then be refused. So opening
a store never changes its schema except to create a brand-new (empty) one; an older store raises
:class:`~parabola.exceptions.StoreVersionError` telling the user to run ``parabola db upgrade``.
A store whose revision is newer than this code is refused and never modified.

Everything here runs SQL text on the store's runner, so opening a SQLite store imports neither
SQLAlchemy nor Alembic: the fast path (an up-to-date store) is one ``SELECT`` of the version
table, and a new store is created from the DDL generated from the models (``_ddl.py``). Alembic
runs only to upgrade (``_migrate.upgrade``).
"""

from __future__ import annotations

from typing import Any

from parabola.exceptions import StorageInternalError, StoreVersionError
from parabola.storages._revisions import HEAD, KNOWN_REVISIONS, VERSION_TABLE
from parabola.storages._sql._ddl import DDL, DDL_HEAD
from parabola.storages._sql._dialect import Dialect
from parabola.storages._sql._runner import Runner
from parabola.storages._sql._urls import redact

__all__ = ["check_or_create", "check_revision", "create_at_head", "read_revision"]

OUR_TABLES = frozenset({"studies", "trials", "runs", "run_history"})
_UPGRADE_HINT = "Run `parabola db upgrade --storage '{url}'` to upgrade it (back it up first)."
# The tables SQLAlchemy's inspector lists: SQLite's own (sqlite_sequence...) left out.
_TABLES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite~_%' "
    "ESCAPE '~' ORDER BY name",
    "postgresql": "SELECT table_name FROM information_schema.tables WHERE table_schema = "
    "current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
}
# Serialises schema creation between processes opening the same new PostgreSQL store (SQLite:
# the write transaction's BEGIN IMMEDIATE).
_PG_CREATE_LOCK = "SELECT pg_advisory_xact_lock(7160250311)"


def table_names(cur: Any, dialect: Dialect) -> set[str]:
    cur.execute(dialect.sql(_TABLES[dialect.name]))
    return {str(r[0]) for r in cur.fetchall()}


def read_revision(cur: Any, dialect: Dialect, url: str) -> str | None:
    """The store's revision, ``None`` for an empty database.

    Raises:
        StorageInternalError: if the database holds tables but is not a parabola store.
    """
    names = table_names(cur, dialect)
    if VERSION_TABLE in names:
        cur.execute(f"SELECT version_num FROM {VERSION_TABLE}")
        row = cur.fetchone()
        return None if row is None else str(row[0])
    if names & OUR_TABLES or (dialect.name == "sqlite" and names):
        shown = redact(url)
        if "alembic_version" in names and "trial_values" in names:
            # An Optuna RDBStorage: the layouts differ, so say how to bring its studies over.
            raise StorageInternalError(
                f"Storage {shown!r} is an Optuna store, which parabola does not open directly. "
                f"Copy its studies into a parabola store with `parabola import optuna {shown}` "
                f"(or parabola.importers.import_optuna({shown!r})); the import only reads it. "
                "This database was left untouched."
            )
        kind = "an Optuna store" if "alembic_version" in names else "not a parabola store"
        raise StorageInternalError(
            f"Storage {shown!r} is {kind} (it has tables {sorted(names)[:6]} but no "
            f"{VERSION_TABLE!r}). Point storage at a parabola store or at a new file; this one "
            "was left untouched."
        )
    return None


def check_revision(revision: str, url: str, allow_older: bool = False) -> None:
    """Refuse a revision this code cannot use (an older one unless ``allow_older``)."""
    if revision == HEAD:
        return
    if revision in KNOWN_REVISIONS:
        if allow_older:
            return
        raise StoreVersionError(
            f"Storage {redact(url)!r} has schema revision {revision}, older than this "
            f"parabola's {HEAD}. " + _UPGRADE_HINT.format(url=redact(url))
        )
    raise StoreVersionError(
        f"Storage {redact(url)!r} has schema revision {revision!r}, written by a newer "
        f"parabola (this one knows up to {HEAD}). Upgrade parabola (pip install -U parabola); "
        "the store was not modified."
    )


def _quick_revision(cur: Any, dialect: Dialect, url: str) -> str | None:
    # One row of one table on an existing store; the table listing (and the check for a
    # foreign database) only when the version table is not the first thing found.
    names = table_names(cur, dialect) if dialect.name == "postgresql" else None
    if names is not None and VERSION_TABLE not in names:
        return read_revision(cur, dialect, url)
    try:
        cur.execute(f"SELECT version_num FROM {VERSION_TABLE}")
    except Exception:  # no such table (SQLite): an empty or a foreign database
        return read_revision(cur, dialect, url)
    row = cur.fetchone()
    return None if row is None else str(row[0])


def check_or_create(
    runner: Runner, url: str, *, create: bool = True, allow_older: bool = False
) -> None:
    """Check the store's revision; create the schema at head if the database is empty.

    ``create=False`` leaves an empty database empty; ``allow_older`` accepts an older known
    revision (to upgrade it). A newer revision is always refused, and a foreign database is
    refused before anything (even the journal mode) touches it.
    """
    dialect = runner.dialect
    revision = runner.run(lambda cur: _quick_revision(cur, dialect, url), write=False)
    # (After that read transaction has ended: its read lock would block the WAL switch.)
    if revision is not None:
        check_revision(revision, url, allow_older)
        runner.ensure_wal()
        return
    if not create:
        return
    runner.ensure_wal()

    def tx(cur: Any) -> None:
        # Empty when last looked: check again under the write lock so concurrent openers agree.
        if dialect.name == "postgresql":
            cur.execute(_PG_CREATE_LOCK)
        again = read_revision(cur, dialect, url)
        if again is not None:
            check_revision(again, url, allow_older)
            return
        create_at_head(cur, dialect)

    runner.run(tx, write=True)


def create_at_head(cur: Any, dialect: Dialect) -> None:
    """Create the schema at ``HEAD`` in an empty database and stamp it, without Alembic.

    The statements are those SQLAlchemy compiles from the models (``_ddl.py``); replaying the
    migrations builds the same tables (``test_migrations`` compares both ways), and the version
    table is the one Alembic itself creates, so later upgrades work unchanged.
    """
    assert DDL_HEAD == HEAD, "parabola/storages/_sql/_ddl.py is stale: run scripts/gen_sql_ddl.py"
    for statement in DDL[dialect.name]:
        cur.execute(statement)
    cur.execute(
        dialect.sql(f"INSERT INTO {VERSION_TABLE} (version_num) VALUES ({{version}})"),
        {"version": HEAD},
    )
