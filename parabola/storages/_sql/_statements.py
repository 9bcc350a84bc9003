"""SQL text of the hot-path statements on ``trials``/``studies``, and column encoding.

The statements are templates with ``{name}`` parameters, spelled for each driver by
``_dialect.Dialect.sql`` and run on the runner's DBAPI cursors (``_runner``). ``version`` is
the study's change counter (see ``_models``).
"""

from __future__ import annotations

import json
import numbers
from collections.abc import Sequence
from typing import Any

from parabola.storages._sql._codec import dt_to_us, dumps_or_none, encode_distributions
from parabola.trial._frozen import FrozenTrial

__all__ = [
    "ALL_COLUMNS",
    "BEAT",
    "BUMP",
    "CHANGED_TRIALS",
    "FAIL_STALE",
    "INSERT_TRIAL",
    "NEXT_NUMBER",
    "SELECT_TRIAL",
    "STALE",
    "SET_PARAMS",
    "STUDY_VERSION",
    "TRIAL_COLUMNS",
    "encode_columns",
    "update_trial",
]

TRIAL_COLUMNS = (
    "trial_id, study_id, number, state, trial_values, datetime_start, datetime_complete, "
    "params, distributions, user_attrs, system_attrs, intermediate_values, heartbeat, version"
)
SELECT_TRIAL = f"SELECT {TRIAL_COLUMNS} FROM trials WHERE trial_id = {{tid}}"
CHANGED_TRIALS = (
    f"SELECT {TRIAL_COLUMNS} FROM trials WHERE study_id = {{sid}} AND version > {{known}} "
    "ORDER BY number"
)
STUDY_VERSION = "SELECT version FROM studies WHERE study_id = {sid}"
BUMP = "UPDATE studies SET version = version + 1 WHERE study_id = {sid} RETURNING version"
NEXT_NUMBER = (
    "UPDATE studies SET n_trials = n_trials + 1, version = version + 1 WHERE study_id = {sid} "
    "RETURNING n_trials, version"
)
INSERT_TRIAL = (
    "INSERT INTO trials (study_id, number, version, state, trial_values, datetime_start, "
    "datetime_complete, params, distributions, user_attrs, system_attrs, intermediate_values, "
    "heartbeat) VALUES ({study_id}, {number}, {version}, {state}, {trial_values}, "
    "{datetime_start}, {datetime_complete}, {params}, {distributions}, {user_attrs}, "
    "{system_attrs}, {intermediate_values}, {heartbeat}) RETURNING trial_id"
)
BEAT = "UPDATE trials SET heartbeat = {now} WHERE trial_id = {tid} AND state = {running}"
# A running trial's params, written through without bumping the study's change counter: one
# row, one page (half the cost of a bumped write). Other readers see them with the trial's next
# bumped write (a heartbeat or its final state), as they would have from a buffer.
SET_PARAMS = (
    "UPDATE trials SET params = {params}, distributions = {distributions} "
    "WHERE trial_id = {tid} AND state = {running}"
)
STALE = (
    "SELECT trial_id FROM trials WHERE study_id = {sid} AND state = {running} "
    "AND heartbeat < {cutoff}"
)
FAIL_STALE = (
    "UPDATE trials SET state = {fail}, datetime_complete = {now}, version = {version} "
    "WHERE trial_id = {tid} AND state = {running} AND heartbeat < {cutoff}"
)


def update_trial(cols: Sequence[str], guard: bool) -> str:
    """``UPDATE trials`` of ``cols`` (and the change counter ``version``) of trial ``tid``;
    with ``guard``, only while it is RUNNING (parameter ``running``)."""
    sets = ", ".join(f"{c} = {{{c}}}" for c in cols)
    where = " AND state = {running}" if guard else ""
    return f"UPDATE trials SET version = {{version}}, {sets} WHERE trial_id = {{tid}}{where}"


ALL_COLUMNS = frozenset(
    {
        "state",
        "trial_values",
        "datetime_start",
        "datetime_complete",
        "params",
        "distributions",
        "user_attrs",
        "system_attrs",
        "intermediate_values",
    }
)


def encode_columns(trial: FrozenTrial, cols: set[str] | frozenset[str]) -> dict[str, Any]:
    """The SQL values of the named ``trials`` columns of ``trial``."""
    out: dict[str, Any] = {}
    for col in cols:
        if col == "state":
            out[col] = trial.state.value
        elif col == "trial_values":
            out[col] = None if trial._values is None else json.dumps(trial._values)
        elif col == "datetime_start":
            out[col] = dt_to_us(trial.datetime_start)
        elif col == "datetime_complete":
            out[col] = dt_to_us(trial.datetime_complete)
        elif col == "params":
            out[col] = dumps_or_none(
                {
                    name: trial.distributions[name].to_internal_repr(value)
                    for name, value in trial.params.items()
                },
                "params",
            )
        elif col == "distributions":
            out[col] = encode_distributions(trial.distributions)
        elif col == "user_attrs":
            out[col] = dumps_or_none(trial.user_attrs, "trial user attribute")
        elif col == "system_attrs":
            out[col] = dumps_or_none(trial.system_attrs, "trial system attribute")
        elif col == "intermediate_values":
            out[col] = dumps_or_none(
                _encode_steps(trial.intermediate_values), "intermediate values"
            )
    return out


def _encode_steps(values: dict[int, float]) -> dict[str, float]:
    """``{step: value}`` as JSON-ready ``{"step": float}``; ``ValueError`` if unreadable later."""
    out: dict[str, float] = {}
    for step, value in values.items():
        # The reader parses keys with int(): refuse anything it would not give back unchanged.
        if isinstance(step, bool) or not isinstance(step, numbers.Integral):
            raise ValueError(f"intermediate_values keys must be int steps; got {step!r}.")
        if isinstance(value, (bool, str, bytes)):
            raise ValueError(
                f"intermediate_values values must be floats; got {value!r} at step {step}."
            )
        try:
            out[str(int(step))] = float(value)
        except (TypeError, ValueError):
            raise ValueError(
                f"intermediate_values values must be floats; got {value!r} at step {step}."
            ) from None
    return out
