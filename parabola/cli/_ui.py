"""``parabola ui``: serve the local dashboard over a store."""

from __future__ import annotations

import os

import click

__all__ = ["ui"]


def _storage_url(storage: str | None) -> str:
    """A URL for ``storage``: a URL as is, a file path as SQLite; the store must exist."""
    from parabola.storages import default_storage_url

    url = storage or default_storage_url()
    if "://" not in url:
        url = f"sqlite:///{url}"
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///") :]
        if path and path != ":memory:" and not os.path.exists(path):
            raise click.ClickException(
                f"No store at {path}: run a study or a tracking run first, or pass its path."
            )
    return url


@click.command()
@click.argument("storage", required=False, metavar="[STORAGE]")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option("--open", "open_browser", is_flag=True, help="Open the page in a browser.")
@click.option(
    "--allow-writes",
    is_flag=True,
    help="Allow editing run notes and tags and deleting runs (read-only otherwise).",
)
@click.option(
    "--allow-host",
    "allowed_hosts",
    multiple=True,
    metavar="NAME",
    help="Another Host header name to accept (behind a reverse proxy); repeatable.",
)
def ui(
    storage: str | None,
    host: str,
    port: int,
    open_browser: bool,
    allow_writes: bool,
    allowed_hosts: tuple[str, ...],
) -> None:
    """Serve the dashboard of STORAGE (default: $PARABOLA_STORAGE or ./parabola.db)."""
    try:
        from parabola.ui import serve
    except ModuleNotFoundError as e:
        raise click.ClickException(str(e)) from None
    from parabola.exceptions import ParabolaError

    url = _storage_url(storage)
    try:
        serve(
            url,
            host=host,
            port=port,
            open_browser=open_browser,
            allow_writes=allow_writes,
            allowed_hosts=allowed_hosts,
        )
    except (ParabolaError, ValueError) as e:
        raise click.ClickException(str(e)) from None
    except OSError as e:
        raise click.ClickException(f"Cannot listen on {host}:{port}: {e.strerror or e}") from None
