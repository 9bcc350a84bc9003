"""The intersection search space: parameters present, with one distribution, in every trial."""

from __future__ import annotations

import copy
import threading

from parabola.distributions import BaseDistribution
from parabola.samplers._view import StudyView
from parabola.trial._state import TrialState

__all__ = ["IntersectionSearchSpace", "intersection_search_space"]


def intersection_search_space(
    study: StudyView, include_pruned: bool = False
) -> dict[str, BaseDistribution]:
    """Return the parameters that every finished trial has, with identical distributions."""
    return IntersectionSearchSpace(include_pruned=include_pruned).calculate(study)


class IntersectionSearchSpace:
    """Incrementally computed intersection search space (cost per call: only new trials).

    Args:
        include_pruned: Count PRUNED trials as well as COMPLETE ones.
    """

    def __init__(self, include_pruned: bool = False) -> None:
        self._include_pruned = include_pruned
        self._search_space: dict[str, BaseDistribution] | None = None
        self._seen: set[int] = set()
        self._study_name: str | None = None
        self._lock = threading.Lock()

    def calculate(self, study: StudyView) -> dict[str, BaseDistribution]:
        """Return the intersection over the study's finished trials, sorted by parameter name."""
        states = (
            (TrialState.COMPLETE, TrialState.PRUNED)
            if self._include_pruned
            else (TrialState.COMPLETE,)
        )
        with self._lock:
            if self._study_name is not None and self._study_name != study.study_name:
                raise ValueError(
                    "IntersectionSearchSpace cannot handle multiple studies; create one per study."
                )
            self._study_name = study.study_name
            for trial in study.get_trials(deepcopy=False, states=states):
                if trial.number in self._seen:
                    continue
                self._seen.add(trial.number)
                if self._search_space is None:
                    self._search_space = copy.copy(trial.distributions)
                    continue
                self._search_space = {
                    name: dist
                    for name, dist in self._search_space.items()
                    if trial.distributions.get(name) == dist
                }
            space = self._search_space or {}
            return dict(sorted(space.items()))
