"""``PercentilePruner``: prune a trial in the worst part of its peers at the same step."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from parabola._study_direction import StudyDirection
from parabola.pruners._base import BasePruner
from parabola.pruners._checks import (
    check_int,
    check_number,
    is_first_in_interval_step,
    single_direction,
)
from parabola.trial._frozen import FrozenTrial
from parabola.trial._state import TrialState

if TYPE_CHECKING:
    from parabola.samplers._view import StudyView

__all__ = ["PercentilePruner"]


class PercentilePruner(BasePruner):
    """Prune if the trial's best intermediate value is worse than the given percentile of the
    COMPLETE trials' values at the current step.

    Args:
        percentile: In ``[0, 100]``; ``25.0`` keeps the top 25 % of trials.
        n_startup_trials: No pruning until this many trials are COMPLETE.
        n_warmup_steps: No pruning before this step.
        interval_steps: Check every this many steps after the warm-up (a check whose step was
            not reported happens at the next report).
        n_min_trials: Minimum number of COMPLETE trials that reported the current step.

    Example:
        >>> import parabola
        >>> pruner = parabola.pruners.PercentilePruner(25.0, n_startup_trials=2)
        >>> study = parabola.create_study(pruner=pruner,
        ...                               storage=parabola.storages.InMemoryStorage())
        >>> def objective(trial):
        ...     x = trial.suggest_float("x", 0, 1)
        ...     for step in range(5):
        ...         trial.report(x + 1.0 / (step + 1), step)
        ...         if trial.should_prune():
        ...             raise parabola.TrialPruned()
        ...     return x
        >>> study.optimize(objective, n_trials=10)
    """

    def __init__(
        self,
        percentile: float,
        n_startup_trials: int = 5,
        n_warmup_steps: int = 0,
        interval_steps: int = 1,
        *,
        n_min_trials: int = 1,
    ) -> None:
        owner = type(self).__name__
        self._percentile = check_number(owner, "percentile", percentile, 0.0, 100.0)
        self._n_startup_trials = check_int(owner, "n_startup_trials", n_startup_trials, 0)
        self._n_warmup_steps = check_int(owner, "n_warmup_steps", n_warmup_steps, 0)
        self._interval_steps = check_int(owner, "interval_steps", interval_steps, 1)
        self._n_min_trials = check_int(owner, "n_min_trials", n_min_trials, 1)

    def prune(self, study: StudyView, trial: FrozenTrial) -> bool:
        direction = single_direction(type(self).__name__, study.directions)
        completed = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if not completed or len(completed) < self._n_startup_trials:
            return False
        step = trial.last_step
        if step is None or step < self._n_warmup_steps:
            return False
        if not is_first_in_interval_step(trial, step, self._n_warmup_steps, self._interval_steps):
            return False
        maximize = direction == StudyDirection.MAXIMIZE
        mine = np.asarray(list(trial.intermediate_values.values()), dtype=float)
        if np.all(np.isnan(mine)):
            return True
        best = float(np.nanmax(mine) if maximize else np.nanmin(mine))
        peers = [t.intermediate_values[step] for t in completed if step in t.intermediate_values]
        if len(peers) < self._n_min_trials:
            return False
        q = 100.0 - self._percentile if maximize else self._percentile
        arr = np.asarray(peers, dtype=float)
        if np.all(np.isnan(arr)):
            return False
        p = float(np.nanpercentile(arr, q))
        if math.isnan(p):
            return False
        return best < p if maximize else best > p
