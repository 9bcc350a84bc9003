"""``parabola db``: inspect and upgrade a store's schema.

``parabola db upgrade`` is the only thing that changes an existing store's schema: opening a
store never upgrades it silently (see ``docs/storage.md`` for why).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from parabola.storages import RDBStorage

__all__ = ["db"]

_STORAGE_HELP = "Storage URL (default: $PARABOLA_STORAGE or sqlite:///parabola.db)."


def _open(storage: str | None, *, create: bool) -> RDBStorage:
    """Open the store for schema work: older revisions allowed, errors as CLI errors."""
    from parabola.exceptions import ParabolaError
    from parabola.storages import RDBStorage, default_storage_url

    url = storage or default_storage_url()
    if "://" not in url or url.startswith("sqlite:"):
        path = url.split(":///", 1)[-1] if "://" in url else url
        if not create and path and path != ":memory:" and not os.path.exists(path):
            raise click.ClickException(f"No store at {path} (it is created on first use).")
    try:
        return RDBStorage(
            url,
            skip_compatibility_check=True,
            skip_table_creation=not create,
            heartbeat_interval=None,
        )
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--storage") from None
    except (ParabolaError, ImportError) as e:
        raise click.ClickException(str(e)) from None


@click.group()
def db() -> None:
    """Inspect and upgrade the schema of a parabola store."""


@db.command()
@click.option("--storage", "storage", default=None, metavar="URL", help=_STORAGE_HELP)
def current(storage: str | None) -> None:
    """Print the store's schema revision and this parabola's (head)."""
    from parabola.storages._factory import default_storage_url
    from parabola.storages._revisions import HEAD, KNOWN_REVISIONS, light_sqlite_revision

    revision: str | None
    light = light_sqlite_revision(storage or default_storage_url())
    if light is not None and light[1] in KNOWN_REVISIONS:
        label, revision, head = f"RDBStorage({light[0]!r})", light[1], HEAD
    else:
        store = _open(storage, create=False)
        try:
            revision, head = store.get_current_version(), store.get_head_version()
        finally:
            store.close()
        label = repr(store)
    if revision is None:
        status = "empty (created at head on first use)"
    elif revision == head:
        status = "up to date"
    else:
        status = "older: run `parabola db upgrade`"
    click.echo(f"storage:  {label}")
    click.echo(f"revision: {revision or '-'}")
    click.echo(f"head:     {head}")
    click.echo(f"status:   {status}")


@db.command()
@click.option("--storage", "storage", default=None, metavar="URL", help=_STORAGE_HELP)
def upgrade(storage: str | None) -> None:
    """Upgrade the store's schema to this parabola's revision (back the store up first)."""
    from parabola.exceptions import ParabolaError

    store = _open(storage, create=False)
    try:
        before = store.get_current_version()
        store.upgrade()
        after = store.get_current_version()
    except ParabolaError as e:
        raise click.ClickException(str(e)) from None
    finally:
        store.close()
    if before == after:
        click.echo(f"{store!r} is already at revision {after}.")
    else:
        click.echo(f"Upgraded {store!r} from revision {before or '(empty)'} to {after}.")
