"""The dashboard's guards, as one ASGI middleware in front of every route.

* **DNS rebinding**: a page on another site can make a browser resolve its own name to
  127.0.0.1 and read the dashboard; the ``Host`` header still carries that other name, so a
  request whose ``Host`` is not one the server was started for is refused (421).
* **Bounded requests**: query strings over ``MAX_QUERY`` bytes get 414, bodies over
  ``MAX_BODY`` bytes get 413, before any route runs.
* **Read-only by default**: a method other than GET/HEAD is refused (403) unless the app was
  created with ``allow_writes=True``; writes also need the ``X-Parabola-Write`` header, which a
  cross-site form or image cannot send (a browser only adds custom headers after a CORS
  preflight, and the dashboard answers none).
* **Headers**: a strict Content-Security-Policy (scripts only from the dashboard itself, so an
  injected ``<script>`` or ``onerror=`` does not run even if escaping were missed), no sniffing,
  no framing, no referrer.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

__all__ = ["MAX_BODY", "MAX_QUERY", "SecurityMiddleware", "allowed_hosts_for", "is_loopback"]

MAX_BODY = 64 * 1024
MAX_QUERY = 8 * 1024
_SAFE_METHODS = (b"GET", b"HEAD")
WRITE_HEADER = b"x-parabola-write"

_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; font-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_HEADERS = [
    (b"content-security-policy", _CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) is this machine only."""
    if host in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def allowed_hosts_for(host: str, extra: Iterable[str] = ()) -> frozenset[str] | None:
    """The ``Host`` names (without port) to accept for a server bound to ``host``.

    ``None`` means any: a server bound to every interface (``0.0.0.0``/``::``) is reached by
    names it cannot know; that choice needs ``--host`` and prints a warning.
    """
    if host in ("0.0.0.0", "::", ""):
        return None
    names = {"127.0.0.1", "localhost", "::1", host.strip("[]").lower(), *extra}
    names |= {"testserver"}  # Starlette's TestClient
    return frozenset(n.lower() for n in names)


def _host_name(value: str) -> str:
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


async def _plain(send: Any, status: int, message: str) -> None:
    body = message.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                *_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class SecurityMiddleware:
    """ASGI middleware applying the module's guards; see the module docstring."""

    def __init__(self, app: Any, *, hosts: frozenset[str] | None, allow_writes: bool) -> None:
        self.app = app
        self.hosts = hosts
        self.allow_writes = allow_writes

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        host = _host_name(headers.get(b"host", b"").decode("latin-1"))
        if self.hosts is not None and host not in self.hosts:
            await _plain(send, 421, f"Host {host!r} is not served here (DNS rebinding guard).")
            return
        if len(scope.get("query_string", b"")) > MAX_QUERY:
            await _plain(send, 414, f"Query string over {MAX_QUERY} bytes.")
            return
        method = scope["method"].encode()
        if method not in _SAFE_METHODS:
            if not self.allow_writes:
                await _plain(send, 403, "The dashboard is read-only; start it with --allow-writes.")
                return
            if headers.get(WRITE_HEADER) != b"1":
                await _plain(send, 403, "Writes need the X-Parabola-Write: 1 header.")
                return
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            await _plain(send, 413, f"Request body over {MAX_BODY} bytes.")
            return
        received = 0

        async def bounded_receive() -> Any:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > MAX_BODY:
                    raise _TooLarge
            return message

        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                own = list(message.get("headers", []))
                # no-store unless the route chose its own caching (plotly.js is immutable).
                chose = any(k.lower() == b"cache-control" for k, _ in own)
                extra = [h for h in _HEADERS if not (chose and h[0] == b"cache-control")]
                message = {**message, "headers": [*own, *extra]}
            await send(message)

        try:
            await self.app(scope, bounded_receive, with_headers)
        except _TooLarge:
            await _plain(send, 413, f"Request body over {MAX_BODY} bytes.")


class _TooLarge(Exception):
    pass
