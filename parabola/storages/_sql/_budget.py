"""The transaction of ``RDBStorage.create_new_trial_in_budget``.

The count lives in the study's ``system_attrs`` JSON column, so the whole step is one
transaction that locks the study row first (``BEGIN IMMEDIATE`` on SQLite, ``FOR UPDATE`` on
PostgreSQL): the same lock, taken in the same order, as every other trial write, so it can
neither deadlock with them nor hand out a number twice.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from parabola.storages._sql import _statements as st
from parabola.storages._sql._codec import dumps, loads_or_empty
from parabola.storages._sql._dialect import Dialect
from parabola.trial._frozen import FrozenTrial
from parabola.trial._state import TrialState

__all__ = ["insert_in_budget"]

_SELECT_ATTRS = "SELECT system_attrs FROM studies WHERE study_id = {sid}"
#: The count, the trial number and the study version in one statement (one round trip fewer
#: while the study row is locked: every other writer of the study waits for this one).
_COUNT_AND_NUMBER = (
    "UPDATE studies SET system_attrs = {attrs}, n_trials = n_trials + 1, version = version + 1 "
    "WHERE study_id = {sid} RETURNING n_trials, version"
)


def insert_in_budget(
    cur: Any,
    d: Dialect,
    study_id: int,
    budget_key: str,
    n_max: int | None,
    extra: Mapping[str, Any],
    index_key: str | None,
    now: datetime.datetime,
    beat: float | None,
) -> tuple[FrozenTrial, int] | None:
    """Count one more trial under ``budget_key`` and insert it RUNNING; ``None`` when the
    budget ``n_max`` is used up. Returns the trial and the study version it was stamped with.

    Runs again from the start on a transient error, so it builds everything inside.
    """
    cur.execute(d.sql(_SELECT_ATTRS + d.for_update), {"sid": study_id})
    row = cur.fetchone()
    if row is None:
        raise KeyError(f"No study with id {study_id} in this storage.")
    attrs = loads_or_empty(row[0])
    used = int(attrs.get(budget_key, 0))
    if n_max is not None and used >= n_max:
        return None
    attrs[budget_key] = used + 1
    trial = _new_running_trial(now, {**extra, index_key or budget_key: used})
    values = st.encode_columns(trial, st.ALL_COLUMNS)
    values["heartbeat"] = beat
    cur.execute(
        d.sql(_COUNT_AND_NUMBER), {"attrs": dumps(attrs, "study attributes"), "sid": study_id}
    )
    number_row = cur.fetchone()
    trial.number, version = int(number_row[0]) - 1, int(number_row[1])
    cur.execute(
        d.sql(st.INSERT_TRIAL),
        {"study_id": study_id, "number": trial.number, "version": version, **values},
    )
    trial._trial_id = int(cur.fetchone()[0])
    return trial, version


def _new_running_trial(now: datetime.datetime, system_attrs: dict[str, Any]) -> FrozenTrial:
    return FrozenTrial(
        number=-1,
        state=TrialState.RUNNING,
        value=None,
        datetime_start=now,
        datetime_complete=None,
        params={},
        distributions={},
        user_attrs={},
        system_attrs=system_attrs,
        intermediate_values={},
        trial_id=-1,
    )
