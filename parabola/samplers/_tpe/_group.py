"""Group-decomposed search space: disjoint groups of parameters that always appear together.

For a conditional space (``if kind == "svm": C ...; else: depth ...``) the intersection search
space is nearly empty; splitting the union of parameters into groups that co-occur lets
multivariate TPE model each branch jointly. Each finished trial refines the partition: every
group splits into the part the trial has and the part it lacks, and the trial's parameters that
no group holds form a new group.
"""

from __future__ import annotations

import threading

from parabola.distributions import BaseDistribution
from parabola.samplers._view import StudyView
from parabola.trial._state import TrialState

__all__ = ["GroupDecomposedSearchSpace"]


class GroupDecomposedSearchSpace:
    """Incremental group decomposition of a study's COMPLETE (and PRUNED) trials.

    Args:
        include_pruned: Count PRUNED trials as well as COMPLETE ones.

    Example:
        >>> import parabola
        >>> from parabola.samplers._tpe._group import GroupDecomposedSearchSpace
        >>> study = parabola.create_study(storage=parabola.storages.InMemoryStorage(),
        ...                               sampler=parabola.samplers.RandomSampler(seed=0))
        >>> def objective(trial):
        ...     if trial.suggest_categorical("kind", ["a", "b"]) == "a":
        ...         return trial.suggest_float("x", 0, 1)
        ...     return trial.suggest_float("y", 0, 1)
        >>> study.optimize(objective, n_trials=10)
        >>> sorted(sorted(g) for g in GroupDecomposedSearchSpace().calculate(study))
        [['kind'], ['x'], ['y']]
    """

    def __init__(self, include_pruned: bool = False) -> None:
        self._states = (
            (TrialState.COMPLETE, TrialState.PRUNED) if include_pruned else (TrialState.COMPLETE,)
        )
        self._groups: list[dict[str, BaseDistribution]] = []
        self._seen: set[int] = set()
        self._study_name: str | None = None
        self._lock = threading.Lock()

    def calculate(self, study: StudyView) -> list[dict[str, BaseDistribution]]:
        """Return the groups (each sorted by parameter name), refined by unseen trials."""
        with self._lock:
            if self._study_name is not None and self._study_name != study.study_name:
                raise ValueError(
                    "GroupDecomposedSearchSpace cannot handle multiple studies; create one per "
                    "study."
                )
            self._study_name = study.study_name
            for trial in study.get_trials(deepcopy=False, states=self._states):
                if trial.number in self._seen:
                    continue
                self._seen.add(trial.number)
                self._add(trial.distributions)
            return [dict(sorted(g.items())) for g in self._groups]

    def _add(self, distributions: dict[str, BaseDistribution]) -> None:
        rest = set(distributions)
        groups: list[dict[str, BaseDistribution]] = []
        for group in self._groups:
            keys = set(group)
            groups.append({k: group[k] for k in sorted(keys & rest)})
            groups.append({k: group[k] for k in sorted(keys - rest)})
            rest -= keys
        groups.append({k: distributions[k] for k in sorted(rest)})
        self._groups = [g for g in groups if g]
