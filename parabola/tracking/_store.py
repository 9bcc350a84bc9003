"""Which store tracking writes to, and where artifact files live next to it.

Runs go to the same store as studies: ``$PARABOLA_STORAGE`` or ``sqlite:///parabola.db``
(see :func:`parabola.storages.get_storage`, the one resolver: a URL opens the process's shared
store for it, so many short runs do not each open a new connection pool, and after ``fork`` the
child opens its own).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from parabola.storages._base import BaseStorage

__all__ = ["artifact_root", "resolve_storage", "storage_label"]


def resolve_storage(storage: str | os.PathLike[str] | BaseStorage | None) -> BaseStorage:
    """Return the store for ``storage`` (``None``: the default URL).

    The one resolver, shared with studies (:func:`parabola.storages.get_storage`): a URL opens
    this process's shared store for it, so runs and studies on one URL share one connection
    pool and a forked child opens its own.
    """
    from parabola.storages._factory import get_storage

    if storage is None or isinstance(storage, (str, os.PathLike, BaseStorage)):
        return get_storage(storage)  # type: ignore[arg-type]
    raise TypeError(
        f"storage must be None, a URL such as 'sqlite:///parabola.db' or a BaseStorage, "
        f"got {storage!r} ({type(storage).__name__})."
    )


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
    path = getattr(storage, "sqlite_path", None)
    if isinstance(path, str):
        return Path(path).expanduser().resolve().parent / "parabola-artifacts"
    return Path.home() / ".parabola" / "artifacts"


def _storage_url(storage: BaseStorage) -> str | None:
    value: Any = getattr(storage, "url", None)
    return None if value is None else str(value)
