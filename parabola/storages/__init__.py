"""Storages: where studies, trials and tracking runs live.

``create_study()`` with no storage uses ``$PARABOLA_STORAGE`` or ``sqlite:///parabola.db``.
"""

from __future__ import annotations

import importlib as _importlib
import typing as _typing

if _typing.TYPE_CHECKING:
    from parabola.storages._base import BaseStorage
    from parabola.storages._factory import default_storage_url, get_storage
    from parabola.storages._heartbeat import (
        RetryFailedTrialCallback,
        RetryHeartbeatStaleTrialCallback,
        fail_stale_trials,
    )
    from parabola.storages._in_memory import InMemoryStorage
    from parabola.storages._records import FrozenStudy, RunRecord, RunState
    from parabola.storages._run_types import HistoryQuery, RunKey, RunUpdate
    from parabola.storages._sql import RDBStorage

__all__ = [
    "BaseStorage",
    "FrozenStudy",
    "HistoryQuery",
    "InMemoryStorage",
    "RDBStorage",
    "RetryFailedTrialCallback",
    "RetryHeartbeatStaleTrialCallback",
    "RunKey",
    "RunRecord",
    "RunState",
    "RunUpdate",
    "default_storage_url",
    "fail_stale_trials",
    "get_storage",
]

# Every name loads on first use: a command that only needs a light part of this package (the
# SQLite driver of `parabola db current`) does not pay for the storage contract, trials and
# distributions, and RDBStorage's backends load only when a store is opened.
_WHERE = {
    "BaseStorage": "parabola.storages._base",
    "FrozenStudy": "parabola.storages._records",
    "HistoryQuery": "parabola.storages._run_types",
    "InMemoryStorage": "parabola.storages._in_memory",
    "RDBStorage": "parabola.storages._sql",
    "RetryFailedTrialCallback": "parabola.storages._heartbeat",
    "RetryHeartbeatStaleTrialCallback": "parabola.storages._heartbeat",
    "RunKey": "parabola.storages._run_types",
    "RunRecord": "parabola.storages._records",
    "RunState": "parabola.storages._records",
    "RunUpdate": "parabola.storages._run_types",
    "default_storage_url": "parabola.storages._factory",
    "fail_stale_trials": "parabola.storages._heartbeat",
    "get_storage": "parabola.storages._factory",
}


def __getattr__(name: str) -> _typing.Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'parabola.storages' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
