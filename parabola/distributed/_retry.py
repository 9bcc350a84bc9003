"""Failing the trials of a dead worker and running them again with the same parameters."""

from __future__ import annotations

from typing import TYPE_CHECKING

from parabola.distributed._keys import MAX_RETRIES, WORKER_KEY
from parabola.exceptions import UpdateFinishedTrialError
from parabola.logging import get_logger
from parabola.trial._frozen import FrozenTrial, create_trial
from parabola.trial._state import TrialState

if TYPE_CHECKING:
    from parabola.study import Study

__all__ = ["fail_and_retry", "retry"]

_logger = get_logger(__name__)

# The attribute names of RetryFailedTrialCallback, so tools reading Optuna's retry chain
# (``RetryFailedTrialCallback.retried_trial_number``) read ours too.
FAILED_TRIAL_KEY = "failed_trial"
RETRY_HISTORY_KEY = "retry_history"
FAIL_REASON_KEY = "fail_reason"


def fail_and_retry(study: Study, trial_id: int, reason: str) -> bool:
    """Fail a RUNNING trial whose worker died and enqueue its retry; ``True`` if both happened.

    Returns ``False`` when the trial had already finished (its worker told it before dying, or
    someone else failed it first: the guarded state change makes this exactly-once) or when
    its budget index has been retried :data:`MAX_RETRIES` times.
    """
    storage = study._storage
    try:
        storage.set_trial_system_attr(trial_id, FAIL_REASON_KEY, reason)
        storage.set_trial_state_values(trial_id, TrialState.FAIL)
    except UpdateFinishedTrialError:
        return False
    return retry(study, storage.get_trial(trial_id))


def retry(study: Study, failed: FrozenTrial) -> bool:
    """Enqueue ``failed`` again (same params, attrs and budget index) as a WAITING trial."""
    history = [*failed.system_attrs.get(RETRY_HISTORY_KEY, []), failed.number]
    if len(history) > MAX_RETRIES:
        _logger.warning(
            f"Trial {failed.number} lost its worker {len(history)} times; it stays FAIL and is "
            "not retried again (does it exhaust the worker's memory?)."
        )
        return False
    system_attrs = {
        k: v for k, v in failed.system_attrs.items() if k not in (WORKER_KEY, FAIL_REASON_KEY)
    }
    system_attrs[FAILED_TRIAL_KEY] = history[0]
    system_attrs[RETRY_HISTORY_KEY] = history
    study.add_trial(
        create_trial(
            state=TrialState.WAITING,
            params=failed.params,
            distributions=failed.distributions,
            user_attrs=failed.user_attrs,
            system_attrs=system_attrs,
        )
    )
    _logger.info(
        f"Trial {failed.number} failed because its Dask worker died; its parameters "
        f"{failed.params} are queued again."
    )
    return True
