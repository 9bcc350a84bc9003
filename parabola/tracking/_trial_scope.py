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

import contextvars
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from parabola.tracking._run import Run

__all__ = ["TrialScope", "active_scope", "trial_scope"]


class TrialScope:
    """One running objective's trial: how to open its run, and what ``init`` attached.

    It is its own context manager (see :func:`trial_scope`): a plain class, because the study
    enters one per trial and a generator-based ``contextlib.contextmanager`` costs several
    times as much.
    """

    __slots__ = ("_token", "attached", "open_run", "previous")

    def __init__(self, open_run: Callable[[], Run]) -> None:
        self.open_run = open_run
        self.attached: Run | None = None  # the trial's run, once init() returned it
        self.previous: Run | None = None  # parabola.run before that, restored afterwards
        self._token: contextvars.Token[TrialScope | None] | None = None

    def __enter__(self) -> TrialScope:
        self._token = _active.set(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        token, self._token = self._token, None
        if token is not None:
            _active.reset(token)
        if self.attached is not None:
            from parabola.tracking import _state

            if _state.current_run() is self.attached:
                _state.set_current(self.previous)


_active: contextvars.ContextVar[TrialScope | None] = contextvars.ContextVar(
    "parabola_trial_scope", default=None
)


def active_scope() -> TrialScope | None:
    """The scope of the trial whose objective runs in this context, or ``None``."""
    return _active.get()


def trial_scope(open_run: Callable[[], Run]) -> TrialScope:
    """Mark the code inside ``with trial_scope(open_run):`` as a trial's objective;
    ``open_run()`` gives the trial's run.

    On the way out, ``parabola.run`` is set back to what it was before ``init()`` attached to
    the trial (the trial's run ends with the trial; a run the caller had stays current).
    """
    return TrialScope(open_run)
