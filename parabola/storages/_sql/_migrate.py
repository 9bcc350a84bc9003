"""Schema versions: create a new store at head, check an existing one, upgrade on request.

Policy (why an old store is not upgraded silently): an upgrade may rewrite large tables and
cannot be undone, and workers still running the older parabola would then be refused. So opening
a store never changes its schema except to create a brand-new (empty) one; an older store raises
:class:`~parabola.exceptions.StoreVersionError` telling the user to run ``parabola db upgrade``.
A store whose revision is newer than this code is refused and never modified.

The fast path (an up-to-date store) is one ``SELECT`` of the version table and does not import
Alembic, which keeps opening a store cheap; a new store is created at head from the models
(:func:`create_at_head`), also without Alembic. Alembic runs only to upgrade.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from parabola.exceptions import StorageInternalError, StoreVersionError
from parabola.storages._sql._engine import ensure_wal, is_sqlite, redact
from parabola.storages._sql._models import HEAD, KNOWN_REVISIONS, VERSION_TABLE, metadata

__all__ = ["alembic_config", "check_or_create", "create_at_head", "current_revision", "upgrade"]

_OUR_TABLES = {"studies", "trials", "runs", "run_history"}
_UPGRADE_HINT = "Run `parabola db upgrade --storage '{url}'` to upgrade it (back it up first)."


@contextlib.contextmanager
def _quiet_alembic() -> Iterator[None]:
    """Alembic logs every step at INFO; creating a store is parabola's business, not news."""
    logger = logging.getLogger("alembic")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def alembic_config(connection: sa.Connection | None = None) -> Any:
    """An Alembic ``Config`` pointing at the migrations shipped in this package."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", os.path.join(os.path.dirname(__file__), "alembic"))
    cfg.attributes["connection"] = connection
    return cfg


def current_revision(connection: sa.Connection) -> str | None:
    """The store's revision, ``None`` for an empty database.

    Raises:
        StorageInternalError: if the database holds tables but is not a parabola store.
    """
    names = set(sa.inspect(connection).get_table_names())
    if VERSION_TABLE in names:
        row = connection.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).first()
        return None if row is None else str(row[0])
    if names & _OUR_TABLES or (is_sqlite(str(connection.engine.url)) and names):
        url = redact(str(connection.engine.url))
        if "alembic_version" in names and "trial_values" in names:
            # An Optuna RDBStorage: the layouts differ, so say how to bring its studies over.
            raise StorageInternalError(
                f"Storage {url!r} is an Optuna store, which parabola does not open directly. "
                f"Copy its studies into a parabola store with `parabola import optuna {url}` "
                f"(or parabola.importers.import_optuna({url!r})); the import only reads it. "
                "This database was left untouched."
            )
        kind = "an Optuna store" if "alembic_version" in names else "not a parabola store"
        raise StorageInternalError(
            f"Storage {url!r} is {kind} (it has tables {sorted(names)[:6]} but no "
            f"{VERSION_TABLE!r}). Point storage at a parabola store or at a new file; this one "
            "was left untouched."
        )
    return None


def _check(revision: str, url: str, allow_older: bool = False) -> None:
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


def _locked(connection: sa.Connection) -> None:
    """Serialise schema creation between processes opening the same new store."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(7160250311)"))


def check_or_create(
    engine: sa.Engine, url: str, *, create: bool = True, allow_older: bool = False
) -> None:
    """Check the store's revision; create the schema at head if the database is empty.

    ``create=False`` leaves an empty database empty; ``allow_older`` accepts an older known
    revision (to upgrade it). A newer revision is always refused.
    """
    with engine.connect() as conn:
        try:
            row = conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).first()
        except sa.exc.DBAPIError:
            conn.rollback()
            row = None
        if row is None:
            # Refuse a foreign database before anything (even the journal mode) touches it.
            current_revision(conn)
    # (After the connection above is closed: its read lock would block the WAL switch.)
    if row is not None:
        _check(str(row[0]), url, allow_older)
        ensure_wal(engine)
        return
    if not create:
        return
    ensure_wal(engine)
    # Empty database: create under a write lock so concurrent openers agree.
    with engine.connect() as conn:
        conn = conn.execution_options(parabola_write=True)
        with conn.begin():
            _locked(conn)
            revision = current_revision(conn)
            if revision is not None:
                _check(revision, url, allow_older)
                return
            create_at_head(conn)


def create_at_head(connection: sa.Connection) -> None:
    """Create the schema at ``HEAD`` in an empty database and stamp it, without Alembic.

    Replaying the migrations builds the same tables (``test_migrations`` compares the DDL of
    both ways), but importing Alembic costs ~0.1 s, a third of a new tracking run's start.
    The version table is the one Alembic itself creates, so later upgrades work unchanged.
    """
    metadata.create_all(connection)
    version = sa.Table(
        VERSION_TABLE,
        sa.MetaData(),
        sa.Column("version_num", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("version_num", name=f"{VERSION_TABLE}_pkc"),
    )
    version.create(connection)
    connection.execute(version.insert().values(version_num=HEAD))


def upgrade(engine: sa.Engine, url: str, revision: str = "head") -> tuple[str | None, str]:
    """Upgrade the store to ``revision``; return ``(before, after)`` revisions.

    Raises:
        StoreVersionError: if the store is newer than this code.
    """
    with engine.connect() as conn:
        before = current_revision(conn)  # refuses a foreign database untouched
    if before is not None and before not in KNOWN_REVISIONS:
        _check(before, url)
    ensure_wal(engine)
    with engine.connect() as conn:
        conn = conn.execution_options(parabola_write=True)
        with conn.begin():
            _locked(conn)
            before = current_revision(conn)
            if before is not None and before not in KNOWN_REVISIONS:
                _check(before, url)
            with _quiet_alembic():
                from alembic import command

                command.upgrade(alembic_config(conn), revision)
            after = current_revision(conn)
    assert after is not None
    return before, after
