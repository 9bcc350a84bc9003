"""Trials: ``Trial`` (running), ``FrozenTrial`` (a snapshot), ``FixedTrial``, ``TrialState``.

``FrozenTrial`` and ``TrialState`` load with the package (every store returns them); ``Trial``
and ``FixedTrial`` load on first use (PEP 562), so a process that only tracks runs or reads
trials does not import the running-trial machinery. Each class registers itself as a virtual
subclass of ``BaseTrial`` where it is defined, so ``isinstance(t, BaseTrial)`` holds either way.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from parabola.trial._base import BaseTrial
from parabola.trial._frozen import FrozenTrial, create_trial
from parabola.trial._state import TrialState

if TYPE_CHECKING:
    from parabola.trial._fixed import FixedTrial as FixedTrial
    from parabola.trial._trial import Trial as Trial

_LAZY = {"FixedTrial": "parabola.trial._fixed", "Trial": "parabola.trial._trial"}

__all__ = ["BaseTrial", "FixedTrial", "FrozenTrial", "Trial", "TrialState", "create_trial"]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'parabola.trial' has no attribute '{name}'")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return list(__all__)
