"""Trials: ``Trial`` (running), ``FrozenTrial`` (a snapshot), ``FixedTrial``, ``TrialState``."""

from __future__ import annotations

from parabola.trial._base import BaseTrial
from parabola.trial._fixed import FixedTrial
from parabola.trial._frozen import FrozenTrial, create_trial
from parabola.trial._state import TrialState
from parabola.trial._trial import Trial

__all__ = ["BaseTrial", "FixedTrial", "FrozenTrial", "Trial", "TrialState", "create_trial"]

for _cls in (Trial, FixedTrial, FrozenTrial):
    BaseTrial.register(_cls)
del _cls
