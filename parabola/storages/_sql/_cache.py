"""The per-study trial cache of :class:`~parabola.storages.RDBStorage`.

It holds every trial of a study this process has read, indexed by number, as of the study's
change counter ``version``; finished trials in it never change again. The best trial of a
single-objective study is tracked incrementally, so ``best_trial`` costs no scan.
"""

from __future__ import annotations

from collections.abc import Container

from parabola._study_direction import StudyDirection
from parabola.distributions import BaseDistribution
from parabola.trial._frozen import FrozenTrial
from parabola.trial._state import TrialState

__all__ = ["StudyCache"]

_FINISHED = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)


class StudyCache:
    """What this process knows of one study's trials, as of ``version`` (-1: nothing yet)."""

    __slots__ = ("best_id", "by_number", "id_to_number", "param_dists", "unfinished", "version")

    def __init__(self) -> None:
        self.version = -1
        self.by_number: list[FrozenTrial] = []
        self.id_to_number: dict[int, int] = {}
        self.param_dists: dict[str, BaseDistribution] = {}
        self.best_id: int | None = None
        # Numbers of WAITING/RUNNING trials: ask() looks for WAITING ones on every call, and
        # that must not cost a scan of a 100k-trial study.
        self.unfinished: set[int] = set()

    def put(self, trial: FrozenTrial, directions: list[StudyDirection] | None) -> None:
        """Insert or replace ``trial`` (new trials must come in number order)."""
        number = trial.number
        if number < len(self.by_number):
            self.by_number[number] = trial
        else:
            # Rows arrive ordered by number and numbers are gapless, so this is an append.
            assert number == len(self.by_number), (number, len(self.by_number))
            self.by_number.append(trial)
        self.id_to_number[trial._trial_id] = number
        if trial.state.is_finished():
            self.unfinished.discard(number)
        else:
            self.unfinished.add(number)
        for name, dist in trial._distributions.items():
            if name not in self.param_dists:
                self.param_dists[name] = dist
        if trial.state == TrialState.COMPLETE and directions is not None and len(directions) == 1:
            self._update_best(trial, directions[0])

    def _update_best(self, trial: FrozenTrial, direction: StudyDirection) -> None:
        if trial._values is None:
            return
        if self.best_id is None:
            self.best_id = trial._trial_id
            return
        best = self.by_number[self.id_to_number[self.best_id]]
        assert best._values is not None
        value, best_value = trial._values[0], best._values[0]
        maximize = direction == StudyDirection.MAXIMIZE
        better = value > best_value if maximize else value < best_value
        if better or (value == best_value and trial.number < best.number):
            self.best_id = trial._trial_id

    def select(self, states: Container[TrialState] | None) -> list[FrozenTrial]:
        """The cached trials in ``states`` (all when ``None``), ordered by number."""
        if states is None:
            return list(self.by_number)
        if not any(s in states for s in _FINISHED):
            by_number = self.by_number
            return [by_number[n] for n in sorted(self.unfinished) if by_number[n].state in states]
        return [t for t in self.by_number if t.state in states]

    def best(self) -> FrozenTrial | None:
        """The best COMPLETE trial seen so far (single-objective studies), or ``None``."""
        return None if self.best_id is None else self.by_number[self.id_to_number[self.best_id]]
