"""``create_new_trial_in_budget`` for :class:`~parabola.storages.RDBStorage`.

The count lives in the study's ``system_attrs`` JSON column, so the whole step is one
transaction that locks the study row first (``BEGIN IMMEDIATE`` on SQLite, ``FOR UPDATE`` on
PostgreSQL): the same lock, taken in the same order, as every other trial write, so it can
neither deadlock with them nor hand out a number twice.
"""

from __future__ import annotations

import datetime
import threading
import time
from collections.abc import Mapping
from typing import Any

from parabola._study_direction import StudyDirection
from parabola.storages._sql import _statements as st
from parabola.storages._sql._codec import dumps, loads_or_empty
from parabola.storages._sql._engine import RawSQL
from parabola.trial._frozen import FrozenTrial
from parabola.trial._state import TrialState

__all__ = ["BudgetMixin"]

_SELECT_ATTRS = "SELECT system_attrs FROM studies WHERE study_id = :sid"
_UPDATE_ATTRS = "UPDATE studies SET system_attrs = :attrs WHERE study_id = :sid"


class BudgetMixin:
    """The budgeted trial creation; the state it shares is set up by ``RDBStorage.__init__``."""

    _lock: threading.RLock
    _raw: RawSQL
    _is_pg: bool
    heartbeat_interval: int | None
    _trial_study: dict[int, int]
    _owned: dict[int, FrozenTrial]
    _last_beat: dict[int, float]

    def get_study_directions(self, study_id: int) -> list[StudyDirection]:
        raise NotImplementedError

    def _after_own_write(self, study_id: int, version: int, trial: FrozenTrial | None) -> None:
        raise NotImplementedError

    def create_new_trial_in_budget(
        self,
        study_id: int,
        budget_key: str,
        n_max: int | None,
        system_attrs: Mapping[str, Any] | None = None,
        index_key: str | None = None,
    ) -> int | None:
        if not isinstance(budget_key, str):
            raise TypeError(f"budget_key must be a str, got {budget_key!r}.")
        extra = dict(system_attrs or {})
        dumps(extra, "trial system attributes")
        with self._lock:
            self.get_study_directions(study_id)  # KeyError for an unknown study
            now = datetime.datetime.now()
            beat = time.time() if self.heartbeat_interval is not None else None
            select = self._raw.sql(_SELECT_ATTRS + (" FOR UPDATE" if self._is_pg else ""))

            def tx(cur: Any) -> tuple[FrozenTrial, int] | None:
                # Runs again from the start on a transient error: build everything inside.
                cur.execute(select, {"sid": study_id})
                row = cur.fetchone()
                if row is None:
                    raise KeyError(f"No study with id {study_id} in this storage.")
                attrs = loads_or_empty(row[0])
                used = int(attrs.get(budget_key, 0))
                if n_max is not None and used >= n_max:
                    return None
                attrs[budget_key] = used + 1
                cur.execute(
                    self._raw.sql(_UPDATE_ATTRS),
                    {"attrs": dumps(attrs, "study attributes"), "sid": study_id},
                )
                trial = _new_running_trial(now, {**extra, index_key or budget_key: used})
                values = st.encode_columns(trial, st.ALL_COLUMNS)
                values["heartbeat"] = beat
                cur.execute(self._raw.sql(st.NEXT_NUMBER), {"sid": study_id})
                number_row = cur.fetchone()
                trial.number, version = int(number_row[0]) - 1, int(number_row[1])
                cur.execute(
                    self._raw.sql(st.INSERT_TRIAL),
                    {"study_id": study_id, "number": trial.number, "version": version, **values},
                )
                trial._trial_id = int(cur.fetchone()[0])
                return trial, version

            result = self._raw.run(tx, write=True)
            if result is None:
                return None
            trial, version = result
            self._trial_study[trial._trial_id] = study_id
            self._owned[trial._trial_id] = trial
            if beat is not None:
                self._last_beat[trial._trial_id] = beat
            self._after_own_write(study_id, version, trial)
            return trial._trial_id


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
