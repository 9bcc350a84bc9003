"""``parabola db``: inspect and upgrade a store's schema.

``parabola db upgrade`` is the only thing that changes an existing store's schema: opening a
store never upgrades it silently (see ``parabola/storages/_sql/_migrate.py`` for why).
"""

from __future__ import annotations

import os

import click

__all__ = ["db"]

_STORAGE_HELP = "Storage URL (default: $PARABOLA_STORAGE or sqlite:///parabola.db)."


def _resolve(storage: str | None) -> str:
    from parabola.storages import default_storage_url
    from parabola.storages._sql._engine import normalize_url

    try:
        return normalize_url(storage or default_storage_url())
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--storage") from None


@click.group()
def db() -> None:
    """Inspect and upgrade the schema of a parabola store."""


@db.command()
@click.option("--storage", "storage", default=None, metavar="URL", help=_STORAGE_HELP)
def current(storage: str | None) -> None:
    """Print the store's schema revision and this parabola's (head)."""
    import sqlalchemy as sa

    from parabola.exceptions import ParabolaError
    from parabola.storages._sql._engine import create_engine, redact, translate_error
    from parabola.storages._sql._migrate import current_revision
    from parabola.storages._sql._models import HEAD, KNOWN_REVISIONS

    url = _resolve(storage)
    path = sa.engine.make_url(url).database
    if url.startswith("sqlite") and path and path != ":memory:" and not os.path.exists(path):
        raise click.ClickException(f"No store at {path} (it would be created on first use).")
    engine = create_engine(url, None)
    try:
        with engine.connect() as conn:
            revision = current_revision(conn)
    except sa.exc.DBAPIError as e:
        raise click.ClickException(str(translate_error(e, url))) from None
    except ParabolaError as e:
        raise click.ClickException(str(e)) from None
    finally:
        engine.dispose()
    if revision is None:
        status = "empty (created at head on first use)"
    elif revision == HEAD:
        status = "up to date"
    elif revision in KNOWN_REVISIONS:
        status = "older: run `parabola db upgrade`"
    else:
        status = "newer than this parabola: upgrade parabola"
    click.echo(f"storage:  {redact(url)}")
    click.echo(f"revision: {revision or '-'}")
    click.echo(f"head:     {HEAD}")
    click.echo(f"status:   {status}")


@db.command()
@click.option("--storage", "storage", default=None, metavar="URL", help=_STORAGE_HELP)
def upgrade(storage: str | None) -> None:
    """Upgrade the store's schema to this parabola's revision (back the store up first)."""
    import sqlalchemy as sa

    from parabola.exceptions import ParabolaError
    from parabola.storages._sql._engine import create_engine, redact, translate_error
    from parabola.storages._sql._migrate import upgrade as run_upgrade

    url = _resolve(storage)
    engine = create_engine(url, None)
    try:
        before, after = run_upgrade(engine, url)
    except sa.exc.DBAPIError as e:
        raise click.ClickException(str(translate_error(e, url))) from None
    except ParabolaError as e:
        raise click.ClickException(str(e)) from None
    finally:
        engine.dispose()
    if before == after:
        click.echo(f"{redact(url)} is already at revision {after}.")
    else:
        click.echo(f"Upgraded {redact(url)} from revision {before or '(empty)'} to {after}.")
