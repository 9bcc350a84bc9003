"""``PatientPruner``: wait ``patience`` steps without improvement before pruning."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from parabola._stability import experimental_class
from parabola._study_direction import StudyDirection
from parabola.pruners._base import BasePruner
from parabola.pruners._checks import check_int, single_direction
from parabola.trial._frozen import FrozenTrial

if TYPE_CHECKING:
    from parabola.samplers._view import StudyView

__all__ = ["PatientPruner"]


@experimental_class("2.8.0")
class PatientPruner(BasePruner):
    """Prune (or ask ``wrapped_pruner``) once the trial has not improved by more than
    ``min_delta`` over its last ``patience`` steps.

    Args:
        wrapped_pruner: Pruner consulted once patience runs out; ``None`` prunes directly.
        patience: Steps without improvement to tolerate (``>= 0``).
        min_delta: Smallest change that counts as an improvement (``>= 0``).

    Example:
        >>> import warnings, parabola
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore", parabola.exceptions.ExperimentalWarning)
        ...     pruner = parabola.pruners.PatientPruner(None, patience=2)
        >>> type(pruner).__name__
        'PatientPruner'
    """

    def __init__(
        self, wrapped_pruner: BasePruner | None, patience: int, min_delta: float = 0.0
    ) -> None:
        if wrapped_pruner is not None and not isinstance(wrapped_pruner, BasePruner):
            raise TypeError(
                f"PatientPruner(wrapped_pruner=...): expected a BasePruner or None, got "
                f"{wrapped_pruner!r}."
            )
        self._wrapped_pruner = wrapped_pruner
        self._patience = check_int("PatientPruner", "patience", patience, 0)
        if (
            isinstance(min_delta, bool)
            or not isinstance(min_delta, (int, float))
            or not (min_delta >= 0)
        ):
            raise ValueError(
                f"PatientPruner(min_delta=...): expected a float >= 0, got {min_delta!r}."
            )
        self._min_delta = float(min_delta)

    def prune(self, study: StudyView, trial: FrozenTrial) -> bool:
        if trial.last_step is None:
            return False
        values = trial.intermediate_values
        steps = sorted(values)
        if len(steps) <= self._patience + 1:
            return False
        before = np.asarray([values[s] for s in steps[: -self._patience - 1]], dtype=float)
        after = np.asarray([values[s] for s in steps[-self._patience - 1 :]], dtype=float)
        if np.all(np.isnan(before)) or np.all(np.isnan(after)):
            return False
        direction = single_direction("PatientPruner", study.directions)
        if direction == StudyDirection.MINIMIZE:
            stalled = np.nanmin(before) + self._min_delta < np.nanmin(after)
        else:
            stalled = np.nanmax(before) - self._min_delta > np.nanmax(after)
        if not stalled:
            return False
        if self._wrapped_pruner is None:
            return True
        return self._wrapped_pruner.prune(study, trial)
