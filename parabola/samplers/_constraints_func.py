"""Recording what a sampler's ``constraints_func`` says about a finished trial.

TPE, GP and NSGA-II take Optuna's ``constraints_func(trial) -> Sequence[float]`` (values <= 0 are
feasible) and call it once per trial in ``after_trial``; the values are stored on the trial so
that every later model reads them like constraints set with ``Trial.set_constraint``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from parabola._study_view import StudyView
from parabola.trial._frozen import CONSTRAINTS_KEY, FrozenTrial
from parabola.trial._state import TrialState

__all__ = ["record_constraints"]

ConstraintsFunc = Callable[[FrozenTrial], Sequence[float]]


def record_constraints(
    study: StudyView,
    trial: FrozenTrial,
    state: TrialState,
    constraints_func: ConstraintsFunc | None,
    sampler: str,
) -> None:
    """Store ``constraints_func(trial)`` on a COMPLETE or PRUNED trial (Optuna's rule).

    Raises:
        ValueError: naming ``<sampler>(constraints_func=...)`` when it returns a NaN.
    """
    if constraints_func is None or state not in (TrialState.COMPLETE, TrialState.PRUNED):
        return
    con = [float(c) for c in constraints_func(trial)]
    if any(math.isnan(c) for c in con):
        raise ValueError(f"{sampler}(constraints_func=...): returned a NaN constraint.")
    study.set_trial_system_attr(trial, CONSTRAINTS_KEY, {str(i): c for i, c in enumerate(con)})
