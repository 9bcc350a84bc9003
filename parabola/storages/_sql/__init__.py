"""The SQL store: :class:`RDBStorage` on SQLite or PostgreSQL, its schema and migrations.

``RDBStorage`` (``_storage.py``) is a facade over parts on one transaction runner
(``_runner.py``; drivers ``_sqlite.py`` and ``_engine.py``): the study table (``_studies.py``),
the trial table (``_trials.py``, the trial hot path) and the run table (``_runs.py``,
``_history.py``). See ``docs/architecture.md``.
"""

from __future__ import annotations

import os
import threading
import typing

from parabola.storages._sql._urls import normalize_url

if typing.TYPE_CHECKING:
    from parabola.storages._sql._storage import RDBStorage

__all__ = ["RDBStorage", "open_rdb_storage"]


def __getattr__(name: str) -> typing.Any:
    # The light parts of this package (the SQLite driver, URLs, schema checks) import without
    # the store itself, for `parabola db current`.
    if name == "RDBStorage":
        from parabola.storages._sql._storage import RDBStorage

        return RDBStorage
    raise AttributeError(f"module 'parabola.storages._sql' has no attribute {name!r}")


_opened: dict[tuple[str, int], RDBStorage] = {}
_opened_lock = threading.Lock()


def open_rdb_storage(url: str) -> RDBStorage:
    """Return this process's shared :class:`RDBStorage` for ``url`` (created on first use).

    Repeated ``create_study``/``load_study`` calls with the same URL share one engine and one
    trial cache. The key includes the process id so a forked child opens its own connections.

    Example:
        >>> import os, tempfile
        >>> from parabola.storages._sql import open_rdb_storage
        >>> path = os.path.join(tempfile.mkdtemp(), "shared.db")
        >>> open_rdb_storage(path) is open_rdb_storage(f"sqlite:///{path}")
        True
    """
    from parabola.storages._sql._storage import RDBStorage

    key = (normalize_url(url), os.getpid())
    with _opened_lock:
        storage = _opened.get(key)
        if storage is None:
            storage = _opened[key] = RDBStorage(key[0])
        return storage
