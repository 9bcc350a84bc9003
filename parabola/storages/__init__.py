"""Storages: where studies, trials and tracking runs live.

``create_study()`` with no storage uses ``$PARABOLA_STORAGE`` or ``sqlite:///parabola.db``.
"""

from __future__ import annotations

import typing as _typing

from parabola.storages._base import BaseStorage
from parabola.storages._factory import default_storage_url, get_storage
from parabola.storages._heartbeat import (
    RetryFailedTrialCallback,
    RetryHeartbeatStaleTrialCallback,
    fail_stale_trials,
)
from parabola.storages._in_memory import InMemoryStorage
from parabola.storages._records import FrozenStudy, RunRecord, RunState

if _typing.TYPE_CHECKING:
    from parabola.storages._sql import RDBStorage

__all__ = [
    "BaseStorage",
    "FrozenStudy",
    "InMemoryStorage",
    "RDBStorage",
    "RetryFailedTrialCallback",
    "RetryHeartbeatStaleTrialCallback",
    "RunRecord",
    "RunState",
    "default_storage_url",
    "fail_stale_trials",
    "get_storage",
]


def __getattr__(name: str) -> _typing.Any:
    # RDBStorage pulls in SQLAlchemy: load it on first use so InMemoryStorage users do not pay.
    if name == "RDBStorage":
        from parabola.storages._sql import RDBStorage

        return RDBStorage
    raise AttributeError(f"module 'parabola.storages' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | {"RDBStorage"})
