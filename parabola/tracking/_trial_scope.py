"""The trial whose objective runs in this context, as tracking sees it: a way to its run.

While ``optimize`` runs an objective (in this process, in a thread of ``n_jobs``, or in a
Dask worker's trial loop), the study enters :func:`trial_scope` with a function that opens
the trial's own run (the one ``trial.log`` writes). ``parabola.init()`` called without
arguments inside the objective then returns that run instead of starting an unlinked one, so
whatever the objective logs lands on the trial's run (``study_name``, ``trial_number``).

Tracking knows nothing of studies or trials: it only calls the opener. The scope is a
``contextvars.ContextVar``, so each thread (each trial of ``n_jobs``) sees only its own trial.
This module imports nothing heavy: the study enters it for every trial.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from parabola.tracking._run import Run

__all__ = ["TrialScope", "active_scope", "trial_scope"]


class TrialScope:
    """One running objective's trial: how to open its run, and what ``init`` attached."""

    def __init__(self, open_run: Callable[[], Run]) -> None:
        self.open_run = open_run
        self.attached: Run | None = None  # the trial's run, once init() returned it
        self.previous: Run | None = None  # parabola.run before that, restored afterwards


_active: contextvars.ContextVar[TrialScope | None] = contextvars.ContextVar(
    "parabola_trial_scope", default=None
)


def active_scope() -> TrialScope | None:
    """The scope of the trial whose objective runs in this context, or ``None``."""
    return _active.get()


@contextlib.contextmanager
def trial_scope(open_run: Callable[[], Run]) -> Iterator[TrialScope]:
    """Mark the code inside as a trial's objective; ``open_run()`` gives the trial's run.

    On the way out, ``parabola.run`` is set back to what it was before ``init()`` attached to
    the trial (the trial's run ends with the trial; a run the caller had stays current).
    """
    scope = TrialScope(open_run)
    token = _active.set(scope)
    try:
        yield scope
    finally:
        _active.reset(token)
        if scope.attached is not None:
            from parabola.tracking import _state

            if _state.current_run() is scope.attached:
                _state.set_current(scope.previous)
