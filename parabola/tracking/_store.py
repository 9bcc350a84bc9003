"""Which store tracking writes to, and where artifact files live next to it.

Runs go to the same store as studies: ``$PARABOLA_STORAGE`` or ``sqlite:///parabola.db``
(see :func:`parabola.storages.get_storage`). A store opened from a URL is cached per process
and per URL so that many short runs do not each open a new connection pool; after ``fork`` the
child opens its own.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from parabola.storages._base import BaseStorage

__all__ = ["artifact_root", "resolve_storage", "storage_label"]

_cache: dict[tuple[int, str], BaseStorage] = {}
_cache_lock = threading.Lock()


def resolve_storage(storage: str | os.PathLike[str] | BaseStorage | None) -> BaseStorage:
    """Return the store for ``storage`` (``None``: the default URL), cached per process."""
    from parabola.storages._factory import default_storage_url, get_storage

    if isinstance(storage, BaseStorage):
        return storage
    if storage is None:
        url = default_storage_url()
    elif isinstance(storage, (str, os.PathLike)):
        url = os.fspath(storage)
    else:
        raise TypeError(
            f"storage must be None, a URL such as 'sqlite:///parabola.db' or a BaseStorage, "
            f"got {storage!r} ({type(storage).__name__})."
        )
    key = (os.getpid(), _absolute_sqlite(url))
    with _cache_lock:
        found = _cache.get(key)
        if found is None:
            found = get_storage(key[1])
            _cache[key] = found
        return found


def storage_label(storage: BaseStorage) -> str:
    """A human-readable name of the store (its URL when it has one)."""
    url = _storage_url(storage)
    return url if url is not None else type(storage).__name__


def artifact_root(storage: BaseStorage) -> Path:
    """Folder of content-addressed files: ``$PARABOLA_ARTIFACTS``, else
    ``<sqlite file's folder>/parabola-artifacts``, else ``~/.parabola/artifacts``."""
    env = os.environ.get("PARABOLA_ARTIFACTS", "").strip()
    if env:
        return Path(env).expanduser().resolve()
    url = _storage_url(storage)
    if url is not None and url.startswith("sqlite:///"):
        path = url[len("sqlite:///") :].split("?", 1)[0]
        if path and path != ":memory:":
            return Path(path).expanduser().resolve().parent / "parabola-artifacts"
    return Path.home() / ".parabola" / "artifacts"


def _storage_url(storage: BaseStorage) -> str | None:
    for attr in ("url", "_url"):
        value: Any = getattr(storage, attr, None)
        if value is not None:
            return str(value)
    engine = getattr(storage, "engine", None) or getattr(storage, "_engine", None)
    url = getattr(engine, "url", None)
    if url is not None:
        render = getattr(url, "render_as_string", None)
        return str(render(hide_password=True)) if callable(render) else str(url)
    return None


def _absolute_sqlite(url: str) -> str:
    # The default 'sqlite:///parabola.db' is relative to the working directory: pin it so a
    # later chdir does not point the cached store at another file.
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        rest = url[len("sqlite:///") :]
        path, sep, query = rest.partition("?")
        if path and path != ":memory:":
            return "sqlite:///" + os.path.abspath(path) + sep + query
    if "://" not in url and url.endswith((".db", ".sqlite", ".sqlite3")):
        return "sqlite:///" + os.path.abspath(url)
    return url


def _clear_cache_after_fork() -> None:
    # A forked child must not share the parent's connections, nor inherit a held lock.
    global _cache_lock
    _cache.clear()
    _cache_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_clear_cache_after_fork)
