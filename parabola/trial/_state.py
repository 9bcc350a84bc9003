"""The lifecycle states of a trial."""

from __future__ import annotations

import enum

__all__ = ["TrialState"]


class TrialState(enum.IntEnum):
    """State of a trial.

    ``WAITING`` (enqueued, not started) → ``RUNNING`` → one of the finished states
    ``COMPLETE``, ``PRUNED`` or ``FAIL``. A finished trial never changes again.

    Example:
        >>> from parabola.trial import TrialState
        >>> TrialState.PRUNED.is_finished(), TrialState.WAITING.is_finished()
        (True, False)
    """

    RUNNING = 0
    COMPLETE = 1
    PRUNED = 2
    FAIL = 3
    WAITING = 4

    def __repr__(self) -> str:
        return str(self)

    def __str__(self) -> str:
        return f"TrialState.{self.name}"

    def is_finished(self) -> bool:
        """Whether the state is COMPLETE, PRUNED or FAIL."""
        return self in _FINISHED


# Read once: on Python 3.11 ``TrialState.RUNNING`` costs ~150 ns (the enum metaclass defines
# ``__getattr__``, which puts every class attribute read on a slow path), and stores, samplers
# and the study ask ``is_finished`` several times per trial.
_FINISHED = frozenset({TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL})
