"""The names under which a distributed run records itself in the store.

A run (one ``optimize(client=...)`` call) has an id. Its budget is the study system attribute
``budget_key(run_id)`` (the number of trials claimed so far, see
:meth:`~parabola.storages.BaseStorage.create_new_trial_in_budget`); each of its trials carries
the run id, its budget index and the address of the Dask worker that runs it, so the driver can
fail the trials of a worker the scheduler reports dead, and a retry keeps its budget index.
"""

from __future__ import annotations

__all__ = [
    "INDEX_KEY",
    "MAX_RETRIES",
    "RUN_KEY",
    "UNLIMITED",
    "WORKER_KEY",
    "budget_key",
]

RUN_KEY = "distributed:run"
INDEX_KEY = "distributed:index"
WORKER_KEY = "distributed:worker"

#: The budget of ``n_trials=None`` (run until ``timeout`` or ``stop()``); stopping early sets
#: the count to the budget, so an unlimited run needs a finite number to set it to.
UNLIMITED = 2**53

#: How often one budget index is retried after its worker died: as Dask's own
#: ``distributed.scheduler.allowed-failures`` default, so a trial that kills every worker it
#: runs on (out of memory) does not take the cluster down one worker at a time.
MAX_RETRIES = 3


def budget_key(run_id: str) -> str:
    """The study system attribute counting the trials of run ``run_id``.

    Example:
        >>> budget_key("1a2b")
        'distributed:budget:1a2b'
    """
    return f"distributed:budget:{run_id}"
