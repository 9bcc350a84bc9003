"""Storages: where studies, trials and tracking runs live.

``create_study()`` with no storage uses ``$PARABOLA_STORAGE`` or ``sqlite:///parabola.db``.
"""

from __future__ import annotations

from parabola.storages._base import BaseStorage
from parabola.storages._factory import default_storage_url, get_storage
from parabola.storages._in_memory import InMemoryStorage
from parabola.storages._records import FrozenStudy, RunRecord, RunState

__all__ = [
    "BaseStorage",
    "FrozenStudy",
    "InMemoryStorage",
    "RunRecord",
    "RunState",
    "default_storage_url",
    "get_storage",
]
