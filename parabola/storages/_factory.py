"""Turn what a user passes as ``storage`` into a :class:`BaseStorage`.

* ``None``: the URL in ``PARABOLA_STORAGE`` if set, else the SQLite file ``./parabola.db``. This is
  what lets ``parabola ui`` show every study and run with no configuration.
* a ``str``: a SQLAlchemy URL (``sqlite:///path.db``, ``postgresql://...``) or a plain path ending
  in ``.db``/``.sqlite``/``.sqlite3``, opened with :class:`~parabola.storages.RDBStorage`.
* a :class:`BaseStorage`: used as is.
"""

from __future__ import annotations

import os
import typing

if typing.TYPE_CHECKING:
    from parabola.storages._base import BaseStorage

__all__ = ["DEFAULT_STORAGE_URL", "ENV_VAR", "default_storage_url", "get_storage"]

ENV_VAR = "PARABOLA_STORAGE"
DEFAULT_STORAGE_URL = "sqlite:///parabola.db"


def default_storage_url() -> str:
    """The storage URL used when none is given: ``$PARABOLA_STORAGE`` or ``sqlite:///parabola.db``."""
    url = os.environ.get(ENV_VAR, "").strip()
    return url or DEFAULT_STORAGE_URL


def get_storage(storage: str | BaseStorage | None) -> BaseStorage:
    """Resolve ``storage`` as described in the module docstring.

    Raises:
        TypeError: if ``storage`` is neither ``None``, a ``str`` nor a ``BaseStorage``.
    """
    # Imported here: `default_storage_url` alone (the CLI) needs none of the contract.
    from parabola.storages._base import BaseStorage

    if storage is None:
        storage = default_storage_url()
    if isinstance(storage, BaseStorage):
        return storage
    if isinstance(storage, os.PathLike):
        storage = os.fspath(storage)
    if isinstance(storage, str):
        from parabola.storages._sql import open_rdb_storage

        return open_rdb_storage(storage)
    raise TypeError(
        f"storage must be None, a URL string such as 'sqlite:///parabola.db', or a "
        f"BaseStorage instance; got {storage!r} ({type(storage).__name__})."
    )
