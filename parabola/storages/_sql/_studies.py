"""The study table of :class:`~parabola.storages.RDBStorage`: one row per study.

Study attributes are JSON columns of the ``studies`` row; directions never change, so they are
cached per process. Every statement runs on the store's transaction runner (``_runner``).
"""

from __future__ import annotations

import datetime
import json
import threading
import uuid
from collections.abc import Sequence
from typing import Any

from parabola._study_direction import StudyDirection
from parabola.exceptions import DuplicatedStudyError
from parabola.storages._records import FrozenStudy
from parabola.storages._sql._codec import dt_to_us, dumps, loads_or_empty
from parabola.storages._sql._runner import Runner

__all__ = ["StudyTable"]

_INSERT = (
    "INSERT INTO studies (study_name, directions, n_trials, version, created_at) "
    "VALUES ({name}, {directions}, 0, 0, {created_at}) RETURNING study_id"
)
_DELETE_TRIALS = "DELETE FROM trials WHERE study_id = {sid}"
_DELETE = "DELETE FROM studies WHERE study_id = {sid}"
_ID_FROM_NAME = "SELECT study_id FROM studies WHERE study_name = {name}"
_ALL = (
    "SELECT study_id, study_name, directions, user_attrs, system_attrs FROM studies "
    "ORDER BY study_id"
)
# The only columns read or written one at a time (a column name is never user input).
_COLUMNS = ("study_name", "directions", "user_attrs", "system_attrs")


def _unknown(study_id: int) -> KeyError:
    return KeyError(f"No study with id {study_id} in this storage.")


class StudyTable:
    """Studies: create, delete, attributes, lookups; owns the per-process directions cache."""

    def __init__(self, runner: Runner) -> None:
        self._runner = runner
        self._sql = runner.dialect.sql
        self._lock = threading.Lock()
        self._directions: dict[int, list[StudyDirection]] = {}

    def create(self, directions: Sequence[StudyDirection], study_name: str | None) -> int:
        directions = [StudyDirection(d) for d in directions]
        if not directions or StudyDirection.NOT_SET in directions:
            raise ValueError(f"directions must be MINIMIZE/MAXIMIZE values; got {directions}.")
        name = study_name if study_name is not None else f"no-name-{uuid.uuid4()}"
        args = {
            "name": name,
            "directions": json.dumps([d.name for d in directions]),
            "created_at": dt_to_us(datetime.datetime.now()),
        }
        insert = self._sql(_INSERT)
        duplicate = self._runner.integrity_error

        def tx(cur: Any) -> int:
            try:
                cur.execute(insert, args)
            except duplicate:
                raise DuplicatedStudyError(
                    f"Another study with name '{name}' already exists. Pass "
                    "load_if_exists=True to reuse it, or choose another study_name."
                ) from None
            return int(cur.fetchone()[0])

        study_id = self._runner.run(tx, write=True)
        with self._lock:
            self._directions[study_id] = list(directions)
        return study_id

    def delete(self, study_id: int) -> None:
        """Delete the study's row and its trials' rows (``KeyError`` for an unknown study)."""
        delete_trials, delete = self._sql(_DELETE_TRIALS), self._sql(_DELETE)

        def tx(cur: Any) -> None:
            cur.execute(delete_trials, {"sid": study_id})
            cur.execute(delete, {"sid": study_id})
            if cur.rowcount != 1:
                raise _unknown(study_id)

        self._runner.run(tx, write=True)
        with self._lock:
            self._directions.pop(study_id, None)

    def set_attr(self, study_id: int, column: str, key: str, value: Any) -> None:
        """Set ``key`` in the JSON ``column`` (``user_attrs``/``system_attrs``) of the study."""
        assert column in ("user_attrs", "system_attrs")
        if not isinstance(key, str):
            raise TypeError(f"study attribute key must be a str, got {key!r}.")
        dumps(value, f"study attribute '{key}'")
        select = self._sql(
            f"SELECT {column} FROM studies WHERE study_id = {{sid}}"
            + self._runner.dialect.for_update
        )
        update = self._sql(f"UPDATE studies SET {column} = {{attrs}} WHERE study_id = {{sid}}")

        def tx(cur: Any) -> None:
            cur.execute(select, {"sid": study_id})
            row = cur.fetchone()
            if row is None:
                raise _unknown(study_id)
            attrs = loads_or_empty(row[0])
            attrs[key] = value
            cur.execute(update, {"attrs": dumps(attrs, "study attributes"), "sid": study_id})

        self._runner.run(tx, write=True)

    def column(self, study_id: int, column: str) -> Any:
        """One column of the study's row (``KeyError`` for an unknown study)."""
        assert column in _COLUMNS
        select = self._sql(f"SELECT {column} FROM studies WHERE study_id = {{sid}}")

        def read(cur: Any) -> Any:
            cur.execute(select, {"sid": study_id})
            row = cur.fetchone()
            if row is None:
                raise _unknown(study_id)
            return row[0]

        return self._runner.run(read, write=False)

    def id_from_name(self, study_name: str) -> int:
        select = self._sql(_ID_FROM_NAME)

        def read(cur: Any) -> Any:
            cur.execute(select, {"name": study_name})
            row = cur.fetchone()
            return None if row is None else row[0]

        study_id = self._runner.run(read, write=False)
        if study_id is None:
            raise KeyError(f"No study named '{study_name}' in this storage.")
        return int(study_id)

    def directions(self, study_id: int) -> list[StudyDirection]:
        with self._lock:
            cached = self._directions.get(study_id)
        if cached is None:
            text = self.column(study_id, "directions")
            cached = [StudyDirection[name] for name in json.loads(text)]
            with self._lock:
                self._directions[study_id] = cached
        return list(cached)

    def known_directions(self, study_id: int) -> list[StudyDirection] | None:
        """The cached directions, without a query (``None`` when not read yet)."""
        with self._lock:
            return self._directions.get(study_id)

    def all(self) -> list[FrozenStudy]:
        select = self._sql(_ALL)

        def read(cur: Any) -> list[Any]:
            cur.execute(select)
            return list(cur.fetchall())

        return [
            FrozenStudy(
                study_id=r[0],
                study_name=r[1],
                directions=[StudyDirection[n] for n in json.loads(r[2])],
                user_attrs=loads_or_empty(r[3]),
                system_attrs=loads_or_empty(r[4]),
            )
            for r in self._runner.run(read, write=False)
        ]
