"""Finishing a trial: value checks, state resolution, sampler hook, storage write."""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast

from parabola._system_attrs import FAIL_REASON
from parabola.exceptions import UpdateFinishedTrialError
from parabola.trial._frozen import FrozenTrial
from parabola.trial._state import TrialState
from parabola.trial._trial import Trial

if TYPE_CHECKING:
    from parabola.storages._base import BaseStorage
    from parabola.study._study import Study

__all__ = ["check_values", "tell_with_warning"]

# Read once: each ``TrialState.X`` read costs ~150 ns on Python 3.11 (the enum metaclass
# defines ``__getattr__``), and tell compares states on every trial.
_COMPLETE, _PRUNED, _FAIL = TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL


class _TellFinishedTrialError(UpdateFinishedTrialError, ValueError):
    """Telling a finished trial: Optuna raises ``ValueError`` here, parabola documents
    ``UpdateFinishedTrialError``; this is both, so either ``except`` clause keeps working."""


def check_values(
    study: Study, values: float | Sequence[float] | None
) -> tuple[list[float] | None, str | None]:
    """Return ``(values as floats, None)`` or ``(None, why they are not acceptable)``."""
    if type(values) is float and len(study._directions) == 1:
        # The usual return of a single-objective objective: no ABC check, no list to build.
        if math.isnan(values):
            return None, f"The value {values} is not acceptable."
        return [values], None
    if values is None:
        return None, "The objective function returned None."
    is_sequence = isinstance(values, Sequence) and not isinstance(values, str)
    # A 1-d numpy array (``return np.array([loss, acc])``) is not a Sequence, but means one.
    seq: list[Any] = (
        list(cast("Iterable[Any]", values))
        if is_sequence or getattr(values, "ndim", 0) == 1
        else [values]
    )
    n = len(study.directions)
    if len(seq) != n:
        return None, (
            f"The number of the values {len(seq)} did not match the number of the objectives {n}."
        )
    out: list[float] = []
    for v in seq:
        try:
            f = float(v)
        except (TypeError, ValueError, OverflowError):  # OverflowError: an int like 10**400
            return None, (
                f"The value {v!r} could not be cast to float; the objective must return a float "
                f"(or {n} floats)."
            )
        if math.isnan(f):
            return None, f"The value {f} is not acceptable."
        out.append(f)
    return out, None


def tell_with_warning(
    study: Study,
    trial: Trial | int,
    values: float | Sequence[float] | None = None,
    state: TrialState | None = None,
    skip_if_finished: bool = False,
    suppress_warning: bool = False,
) -> FrozenTrial:
    """Implementation of ``Study.tell`` (also used by ``optimize``)."""
    storage = study._storage
    trial_id = _resolve_trial_id(study, trial)
    frozen = storage.get_trial(trial_id)
    if frozen.state.is_finished():
        if skip_if_finished:
            return frozen
        raise _TellFinishedTrialError(
            f"Cannot tell a {frozen.state.name} trial: Trial#{frozen.number} is already "
            "finished. Pass skip_if_finished=True to ignore this."
        )
    if state is not None:  # tell(trial, value), optimize's usual call, skips these checks
        _check_state(state, values)

    checked: list[float] | None = None
    if state is None or state == _COMPLETE:
        checked, failure = check_values(study, values)
        if failure is not None:
            if state == _COMPLETE:
                raise ValueError(f"tell(values=...): {failure}")
            if not suppress_warning:
                warnings.warn(
                    f"Trial {frozen.number} failed because of the following error: {failure}",
                    UserWarning,
                    stacklevel=3,
                )
            storage.set_trial_system_attr(trial_id, FAIL_REASON, failure)
            state = _FAIL
            checked = None
        else:
            state = _COMPLETE
    elif state == _PRUNED and frozen.intermediate_values and len(study._directions) == 1:
        # A pruned trial keeps its last reported value, so it can be ranked.
        last = frozen.intermediate_values[max(frozen.intermediate_values)]
        if not math.isnan(last):
            checked = [last]
    assert state is not None

    local = study._thread_local
    local.in_sampler_hook = True  # a grid sampler's stop() on its last point is not an error
    try:
        study.sampler.after_trial(study, frozen, state, checked)
    finally:
        local.in_sampler_hook = False
        storage.set_trial_state_values(trial_id, state, checked)
    final = storage.get_trial(trial_id)
    # The trial's tracking run (Trial.log) ends with it; it belongs to the study that asked.
    owner = trial.study if isinstance(trial, Trial) else study
    owner._trial_runs.close(trial_id, final)
    return final


def _check_state(state: TrialState, values: float | Sequence[float] | None) -> None:
    if not isinstance(state, TrialState):
        raise TypeError(f"tell(state=...): expected a TrialState, got {state!r}.")
    if state == TrialState.COMPLETE and values is None:
        raise ValueError(
            "No values were told. Values are required when state is TrialState.COMPLETE."
        )
    if state in (TrialState.PRUNED, TrialState.FAIL) and values is not None:
        raise ValueError(
            "Values were told. Values cannot be specified when state is TrialState.PRUNED or "
            "TrialState.FAIL."
        )
    if state in (TrialState.RUNNING, TrialState.WAITING):
        raise ValueError(
            f"tell(state=...): cannot tell with state {state.name}; use COMPLETE, PRUNED or FAIL."
        )


def _resolve_trial_id(study: Study, trial: Trial | int) -> int:
    if isinstance(trial, Trial):
        if trial.study._study_id != study._study_id:
            raise ValueError("tell(trial=...): the trial belongs to another study.")
        if not _same_store(trial.study._storage, study._storage):
            # The same study id in another store is another study (two InMemoryStorage both
            # number their first study 0): telling it here would finish the wrong trial.
            raise ValueError(
                "tell(trial=...): the trial was asked through another store than this study's; "
                f"tell it through its own study, or pass its number (tell({trial.number}, ...)) "
                "if both stores are the same database."
            )
        return trial._trial_id
    if isinstance(trial, int) and not isinstance(trial, bool):
        try:
            return study._storage.get_trial_id_from_study_id_trial_number(study._study_id, trial)
        except KeyError:
            raise ValueError(
                f"tell(trial={trial}): no trial with that number in study '{study.study_name}'."
            ) from None
    raise TypeError(f"tell(trial=...): expected a Trial or a trial number, got {trial!r}.")


def _same_store(a: BaseStorage, b: BaseStorage) -> bool:
    """The same storage object, or two SQL storage objects on the same database URL."""
    if a is b:
        return True
    url_a, url_b = getattr(a, "url", None), getattr(b, "url", None)
    return isinstance(url_a, str) and url_a == url_b
