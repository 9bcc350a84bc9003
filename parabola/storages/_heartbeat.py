"""Heartbeats: failing trials whose worker died, and retrying them.

A worker running a trial on a heartbeat-enabled store (``RDBStorage`` by default) refreshes the
trial's heartbeat every ``heartbeat_interval`` seconds. When a worker is killed, its trial keeps
state RUNNING with an ageing heartbeat; the next ``ask`` on the study (any worker) calls
:func:`fail_stale_trials`, which marks every trial silent for longer than ``grace_period``
FAIL and hands it to the storage's ``heartbeat_stale_trial_callback``, e.g.
:class:`RetryFailedTrialCallback`, which enqueues the same parameters again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from parabola._system_attrs import FAILED_TRIAL, RETRY_HISTORY
from parabola.trial._frozen import FrozenTrial, create_trial
from parabola.trial._state import TrialState

if TYPE_CHECKING:
    from parabola.study._study import Study

__all__ = ["RetryFailedTrialCallback", "RetryHeartbeatStaleTrialCallback", "fail_stale_trials"]

FAILED_TRIAL_KEY = FAILED_TRIAL  # the keys are registered in parabola._system_attrs
RETRY_HISTORY_KEY = RETRY_HISTORY


def fail_stale_trials(study: Study) -> list[int]:
    """Mark the study's RUNNING trials with a stale heartbeat FAIL and run the callback.

    Safe to call from many workers at once: each stale trial is failed (and its callback run)
    by exactly one of them. Returns the numbers of the trials this call failed.

    Example:
        >>> import parabola, tempfile, os
        >>> url = "sqlite:///" + os.path.join(tempfile.mkdtemp(), "hb.db")
        >>> storage = parabola.storages.RDBStorage(url, heartbeat_interval=1, grace_period=2)
        >>> study = parabola.create_study(storage=storage)
        >>> parabola.storages.fail_stale_trials(study)
        []
    """
    storage = study._storage
    if not storage.is_heartbeat_enabled():
        return []
    failed_ids = storage.fail_stale_trials(study._study_id)
    callback = getattr(storage, "heartbeat_stale_trial_callback", None)
    numbers = []
    for trial_id in failed_ids:
        frozen = storage.get_trial(trial_id)
        numbers.append(frozen.number)
        if callback is not None:
            callback(study, frozen)
    return numbers


class RetryFailedTrialCallback:
    """Re-enqueue a trial that was failed as stale, with the same parameters.

    Pass it as ``RDBStorage(..., heartbeat_stale_trial_callback=RetryFailedTrialCallback())``.
    The new trial records the first failed trial's number in system attribute ``"failed_trial"`` and
    the chain of failed numbers in ``"retry_history"``, as Optuna does.

    Args:
        max_retry: How many times one trial may be retried (``None``: without limit).
        inherit_intermediate_values: Copy the failed trial's reported values to the retry.

    Example:
        >>> import parabola, tempfile, os
        >>> url = "sqlite:///" + os.path.join(tempfile.mkdtemp(), "retry.db")
        >>> storage = parabola.storages.RDBStorage(
        ...     url, heartbeat_interval=1, grace_period=2,
        ...     heartbeat_stale_trial_callback=parabola.storages.RetryFailedTrialCallback(3))
    """

    def __init__(self, max_retry: int | None = None, inherit_intermediate_values: bool = False):
        if max_retry is not None and (
            isinstance(max_retry, bool) or not isinstance(max_retry, int) or max_retry < 0
        ):
            raise ValueError(f"max_retry must be an int >= 0 or None; got {max_retry!r}.")
        self._max_retry = max_retry
        self._inherit_intermediate_values = inherit_intermediate_values

    def __call__(self, study: Study, trial: FrozenTrial) -> None:
        system_attrs: dict[str, Any] = {
            FAILED_TRIAL_KEY: trial.number,
            RETRY_HISTORY_KEY: [],
            **trial.system_attrs,
        }
        system_attrs[RETRY_HISTORY_KEY] = [*system_attrs[RETRY_HISTORY_KEY], trial.number]
        if self._max_retry is not None and self._max_retry < len(system_attrs[RETRY_HISTORY_KEY]):
            return
        study.add_trial(
            create_trial(
                state=TrialState.WAITING,
                params=trial.params,
                distributions=trial.distributions,
                user_attrs=trial.user_attrs,
                system_attrs=system_attrs,
                intermediate_values=(
                    trial.intermediate_values if self._inherit_intermediate_values else None
                ),
            )
        )

    @staticmethod
    def retried_trial_number(trial: FrozenTrial) -> int | None:
        """The number of the first failed trial this one retries, or ``None``."""
        value = trial.system_attrs.get(FAILED_TRIAL_KEY)
        return None if value is None else int(value)

    @staticmethod
    def retry_history(trial: FrozenTrial) -> list[int]:
        """Numbers of the failed trials this one retries, oldest first."""
        return [int(n) for n in trial.system_attrs.get(RETRY_HISTORY_KEY, [])]


#: Optuna 5's name for :class:`RetryFailedTrialCallback`.
RetryHeartbeatStaleTrialCallback = RetryFailedTrialCallback
