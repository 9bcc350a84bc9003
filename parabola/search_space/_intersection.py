"""The intersection search space: parameters present, with one distribution, in every trial."""

from __future__ import annotations

import copy
import threading
from collections.abc import Sequence

from parabola.distributions import BaseDistribution
from parabola.samplers._view import StudyView
from parabola.trial._frozen import FrozenTrial
from parabola.trial._state import TrialState

__all__ = ["IntersectionSearchSpace", "intersection_search_space"]


def intersection_search_space(
    trials: Sequence[FrozenTrial] | StudyView, include_pruned: bool = False
) -> dict[str, BaseDistribution]:
    """Return the parameters that every finished trial has, with identical distributions.

    Args:
        trials: The trials, as in Optuna 5.0 (``study.trials``); a study is accepted too.
        include_pruned: Count PRUNED trials as well as COMPLETE ones.

    Returns:
        The shared parameters' distributions, sorted by parameter name.

    Example:
        >>> import parabola
        >>> study = parabola.create_study(storage=parabola.storages.InMemoryStorage())
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_int("n", 0, 2)
        ...                if t.number == 0 else t.suggest_float("x", 0, 1), n_trials=2)
        >>> list(parabola.search_space.intersection_search_space(study.trials))
        ['x']
    """
    if isinstance(trials, StudyView):
        return IntersectionSearchSpace(include_pruned=include_pruned).calculate(trials)
    states = (TrialState.COMPLETE, TrialState.PRUNED) if include_pruned else (TrialState.COMPLETE,)
    space: dict[str, BaseDistribution] | None = None
    for trial in trials:
        if trial.state not in states:
            continue
        if space is None:
            space = dict(trial.distributions)
        else:
            space = {n: d for n, d in space.items() if trial.distributions.get(n) == d}
    return dict(sorted((space or {}).items()))


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
