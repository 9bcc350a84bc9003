"""``SuccessiveHalvingPruner``: Asynchronous Successive Halving (ASHA).

A trial reaching rung ``r`` (step ``min_resource * reduction_factor ** (min_early_stopping_rate
+ r)``) records its value in the system attribute ``completed_rung_{r}`` and is promoted only if
it is in the top ``1 / reduction_factor`` of the values recorded at that rung so far.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from parabola._study_direction import StudyDirection
from parabola.pruners._base import BasePruner
from parabola.pruners._checks import check_int, single_direction
from parabola.trial._frozen import FrozenTrial
from parabola.trial._state import TrialState

if TYPE_CHECKING:
    from parabola.samplers._view import StudyView

__all__ = ["SuccessiveHalvingPruner"]


class SuccessiveHalvingPruner(BasePruner):
    """Prune trials that are not in the top ``1 / reduction_factor`` at their rung.

    Args:
        min_resource: Steps before the first rung, or ``"auto"``: 1 % of the longest COMPLETE
            trial's last step (at least 1), estimated once a trial completes.
        reduction_factor: ``>= 2``; the fraction promoted at each rung is its inverse.
        min_early_stopping_rate: Skips the first rungs (``>= 0``).
        bootstrap_count: Prune until this many trials have reached a rung (needs an int
            ``min_resource``).

    Example:
        >>> import parabola
        >>> pruner = parabola.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=2)
        >>> study = parabola.create_study(pruner=pruner,
        ...                               storage=parabola.storages.InMemoryStorage())
        >>> def objective(trial):
        ...     x = trial.suggest_float("x", 0, 1)
        ...     for step in range(8):
        ...         trial.report(x, step)
        ...         if trial.should_prune():
        ...             raise parabola.TrialPruned()
        ...     return x
        >>> study.optimize(objective, n_trials=10)
    """

    def __init__(
        self,
        min_resource: str | int = "auto",
        reduction_factor: int = 4,
        min_early_stopping_rate: int = 0,
        bootstrap_count: int = 0,
    ) -> None:
        owner = "SuccessiveHalvingPruner"
        if isinstance(min_resource, str):
            if min_resource != "auto":
                raise ValueError(
                    f"{owner}(min_resource=...): expected an int >= 1 or 'auto', got "
                    f"{min_resource!r}."
                )
        else:
            check_int(owner, "min_resource", min_resource, 1)
        self._reduction_factor = check_int(owner, "reduction_factor", reduction_factor, 2)
        self._min_early_stopping_rate = check_int(
            owner, "min_early_stopping_rate", min_early_stopping_rate, 0
        )
        self._bootstrap_count = check_int(owner, "bootstrap_count", bootstrap_count, 0)
        if self._bootstrap_count > 0 and min_resource == "auto":
            raise ValueError(
                f"{owner}(bootstrap_count=..., min_resource=...): bootstrap_count > 0 needs an "
                "int min_resource, not 'auto'."
            )
        self._min_resource: int | None = None if min_resource == "auto" else int(min_resource)

    def prune(self, study: StudyView, trial: FrozenTrial) -> bool:
        direction = single_direction("SuccessiveHalvingPruner", study.directions)
        step = trial.last_step
        if step is None:
            return False
        rung = _current_rung(trial)
        value = trial.intermediate_values[step]
        trials: list[FrozenTrial] | None = None
        recorded: dict[str, Any] = {}
        while True:
            if self._min_resource is None:
                trials = study.get_trials(deepcopy=False)
                self._min_resource = _estimate_min_resource(trials)
                if self._min_resource is None:
                    return False
            promotion_step = self._min_resource * (
                self._reduction_factor ** (self._min_early_stopping_rate + rung)
            )
            if step < promotion_step:
                return False
            if math.isnan(value):
                return True
            if trials is None:
                trials = study.get_trials(deepcopy=False)
            key = _rung_key(rung)
            study.set_trial_system_attr(trial, key, value)
            recorded[key] = value
            competing = [
                t.system_attrs[key]
                for t in trials
                if key in t.system_attrs and t.number != trial.number
            ]
            competing.append(value)
            if len(competing) <= self._bootstrap_count:
                return True
            if not _promotable(value, competing, self._reduction_factor, direction):
                return True
            rung += 1


def _estimate_min_resource(trials: list[FrozenTrial]) -> int | None:
    steps = [
        t.last_step for t in trials if t.state == TrialState.COMPLETE and t.last_step is not None
    ]
    if not steps:
        return None
    return max(max(steps) // 100, 1)


def _current_rung(trial: FrozenTrial) -> int:
    rung = 0
    while _rung_key(rung) in trial.system_attrs:
        rung += 1
    return rung


def _rung_key(rung: int) -> str:
    return f"completed_rung_{rung}"


def _promotable(
    value: float, competing: list[float], reduction_factor: int, direction: StudyDirection
) -> bool:
    idx = max(len(competing) // reduction_factor - 1, 0)
    competing = sorted(competing)
    if direction == StudyDirection.MAXIMIZE:
        return value >= competing[-(idx + 1)]
    return value <= competing[idx]
