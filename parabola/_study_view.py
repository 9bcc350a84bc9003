"""``StudyView``: the narrow, read-mostly window through which samplers and pruners see a study.

Samplers and pruners never import :mod:`parabola.storages` or :mod:`parabola.study`; they
receive a ``StudyView`` (in practice the :class:`~parabola.study.Study` itself, which implements
this protocol) and use only what is listed here. Custom samplers written for Optuna keep working
because ``Study`` has these members under the same names.

It lives here, outside ``samplers``, ``pruners`` and ``study``, because all three use it and
none should depend on another for it (``parabola.samplers.StudyView`` re-exports it).
"""

from __future__ import annotations

from collections.abc import Container
from typing import Any, Protocol, runtime_checkable

from parabola._study_direction import StudyDirection
from parabola.trial._frozen import FrozenTrial
from parabola.trial._state import TrialState

__all__ = ["ForwardingStudyView", "StudyView"]


@runtime_checkable
class StudyView(Protocol):
    """What a sampler or pruner may read (and the little it may write) of a study."""

    @property
    def study_name(self) -> str:
        """The study's name."""
        ...

    @property
    def directions(self) -> list[StudyDirection]:
        """One direction per objective."""
        ...

    def get_trials(
        self, deepcopy: bool = True, states: Container[TrialState] | None = None
    ) -> list[FrozenTrial]:
        """The study's trials ordered by number; pass ``deepcopy=False`` and do not mutate."""
        ...

    def stop(self) -> None:
        """Ask ``optimize`` to stop after the running trials (e.g. an exhausted grid)."""
        ...

    def set_trial_system_attr(self, trial: FrozenTrial, key: str, value: Any) -> None:
        """Attach sampler bookkeeping (a grid id, a generation) to a running trial, given as
        the sampler received it: a sampler never needs the store's trial id."""
        ...

    def _set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        """The same by store trial id; kept for samplers written against older parabola."""
        ...

    def set_study_system_attr(self, key: str, value: Any) -> None:
        """Record a sampler's study-wide bookkeeping (``AutoSampler``'s choice) on the study.

        A study attribute, unlike a trial one, adds no column to ``trials_dataframe()``. The key
        must be registered in ``parabola._system_attrs``."""
        ...


class ForwardingStudyView:
    """A :class:`StudyView` that forwards every member to another view.

    It exposes exactly the protocol's members (``__slots__``, no ``__getattr__``), so code handed
    one cannot reach further into the study. Subclass it and override :meth:`get_trials` to show
    a filtered study (Hyperband brackets, TPE's incremental updates, contract suites).
    """

    __slots__ = ("_study",)

    def __init__(self, study: StudyView) -> None:
        self._study = study

    @property
    def study_name(self) -> str:
        return self._study.study_name

    @property
    def directions(self) -> list[StudyDirection]:
        return self._study.directions

    def get_trials(
        self, deepcopy: bool = True, states: Container[TrialState] | None = None
    ) -> list[FrozenTrial]:
        return self._study.get_trials(deepcopy=deepcopy, states=states)

    def stop(self) -> None:
        self._study.stop()

    def set_trial_system_attr(self, trial: FrozenTrial, key: str, value: Any) -> None:
        self._study.set_trial_system_attr(trial, key, value)

    def _set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        self._study._set_trial_system_attr(trial_id, key, value)

    def set_study_system_attr(self, key: str, value: Any) -> None:
        self._study.set_study_system_attr(key, value)
