"""Running the dashboard: :func:`serve` (blocking, what ``parabola ui`` calls) and
:func:`run_server` (a background thread, for notebooks and tests)."""

from __future__ import annotations

import socket
import sys
import threading
import time
import webbrowser
from typing import TYPE_CHECKING

from parabola.ui._security import is_loopback

if TYPE_CHECKING:
    from parabola.storages import BaseStorage

__all__ = ["DashboardServer", "run_server", "serve", "url_for"]

_SWITCH_INTERVAL_S = 0.001


def url_for(host: str, port: int) -> str:
    """The address a browser on this machine opens for a server bound to ``host:port``."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def _warn_if_exposed(host: str) -> None:
    if not is_loopback(host):
        print(
            f"WARNING: parabola ui is listening on {host}, reachable from other machines. It "
            "has no login: anyone who can reach this address can read every study and run.",
            file=sys.stderr,
        )


def _config(
    storage: str | BaseStorage | None,
    host: str,
    port: int,
    allow_writes: bool,
    allowed_hosts: tuple[str, ...],
) -> object:
    import uvicorn

    from parabola.ui._app import create_app

    app = create_app(storage, allow_writes=allow_writes, host=host, allowed_hosts=allowed_hosts)
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        server_header=False,
        # Bounded requests: uvicorn's own caps, on top of the app's (see _security.py).
        h11_max_incomplete_event_size=16 * 1024,
        limit_concurrency=200,
        timeout_keep_alive=5,
    )


def serve(
    storage: str | BaseStorage | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    open_browser: bool = False,
    allow_writes: bool = False,
    allowed_hosts: tuple[str, ...] = (),
) -> None:
    """Serve the dashboard over ``storage`` until interrupted (Ctrl+C).

    Args:
        storage: Store URL, SQLite path or store object (default ``$PARABOLA_STORAGE`` or
            ``sqlite:///parabola.db``).
        host: Address to bind; anything but a loopback address prints a warning.
        port: TCP port.
        open_browser: Open the page in the default browser once listening.
        allow_writes: Enable the few writes (run notes and tags, deleting a run).
        allowed_hosts: Extra ``Host`` header names to accept (behind a reverse proxy).
    """
    import uvicorn

    config = _config(storage, host, port, allow_writes, allowed_hosts)
    assert isinstance(config, uvicorn.Config)
    _warn_if_exposed(host)
    server = uvicorn.Server(config)
    url = url_for(host, port)
    print(f"parabola ui: serving {url} (Ctrl+C to stop)", flush=True)
    if open_browser:
        threading.Thread(target=_open_when_up, args=(server, url), daemon=True).start()
    # The server's own process: a request thread waiting for the GIL while a background
    # figure build computes gets it after 1 ms instead of Python's default 5 ms, so a poll
    # (about a millisecond of work) is not stretched to tens of milliseconds by it.
    previous = sys.getswitchinterval()
    sys.setswitchinterval(_SWITCH_INTERVAL_S)
    try:
        server.run()
    finally:  # serve() may be called from a notebook's or a script's own process
        sys.setswitchinterval(previous)


def _open_when_up(server: object, url: str) -> None:
    for _ in range(100):
        if getattr(server, "started", False):
            webbrowser.open(url)
            return
        time.sleep(0.05)


class DashboardServer:
    """A dashboard served from a background thread: ``url``, ``stop()``; a context manager."""

    def __init__(self, server: object, thread: threading.Thread, url: str) -> None:
        self._server = server
        self._thread = thread
        self.url = url

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving and wait for the thread to end."""
        self._server.should_exit = True  # type: ignore[attr-defined]
        self._thread.join(timeout)

    def __enter__(self) -> DashboardServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<DashboardServer {self.url}>"


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def run_server(
    storage: str | BaseStorage | None = None,
    *,
    host: str = "127.0.0.1",
    port: int | None = None,
    allow_writes: bool = False,
) -> DashboardServer:
    """Start the dashboard in a background thread and return once it listens.

    For notebooks: the cell returns and the page stays up until ``stop()`` (or the kernel
    ends). ``port=None`` picks a free one.

    Example:
        >>> import urllib.request
        >>> from parabola.storages import InMemoryStorage
        >>> with run_server(InMemoryStorage()) as server:
        ...     urllib.request.urlopen(server.url + "api/studies").read()
        b'[]'
    """
    import uvicorn

    chosen = free_port(host) if port is None else port
    config = _config(storage, host, chosen, allow_writes, ())
    assert isinstance(config, uvicorn.Config)
    _warn_if_exposed(host)
    server = uvicorn.Server(config)
    # uvicorn installs signal handlers only from the main thread, so the notebook kernel's
    # Ctrl+C handling is left alone.
    thread = threading.Thread(target=server.run, name="parabola-ui", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"parabola ui could not start on {host}:{chosen}.")
        time.sleep(0.01)
    return DashboardServer(server, thread, url_for(host, chosen))
