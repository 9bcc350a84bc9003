"""The study methods of :class:`~parabola.storages.RDBStorage` (a study is one row).

Study attributes are JSON columns of the ``studies`` row; directions never change, so they are
cached per process.
"""

from __future__ import annotations

import datetime
import json
import threading
import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa

from parabola._study_direction import StudyDirection
from parabola.exceptions import DuplicatedStudyError
from parabola.storages._records import FrozenStudy
from parabola.storages._sql._cache import StudyCache
from parabola.storages._sql._codec import dt_to_us, dumps, loads_or_empty
from parabola.storages._sql._models import studies, trials
from parabola.trial._frozen import FrozenTrial

__all__ = ["StudiesMixin"]

T = TypeVar("T")


class StudiesMixin:
    """Study-level methods; the state they share is set up by ``RDBStorage.__init__``."""

    _lock: threading.RLock
    _is_pg: bool
    _caches: dict[int, StudyCache]
    _directions: dict[int, list[StudyDirection]]
    _trial_study: dict[int, int]
    _owned: dict[int, FrozenTrial]
    _pending: dict[int, set[str]]

    def _write(self, fn: Callable[[sa.Connection], T]) -> T:
        raise NotImplementedError

    def _read(self, fn: Callable[[sa.Connection], T]) -> T:
        raise NotImplementedError

    def create_new_study(
        self, directions: Sequence[StudyDirection], study_name: str | None = None
    ) -> int:
        directions = [StudyDirection(d) for d in directions]
        if not directions or StudyDirection.NOT_SET in directions:
            raise ValueError(f"directions must be MINIMIZE/MAXIMIZE values; got {directions}.")
        name = study_name if study_name is not None else f"no-name-{uuid.uuid4()}"

        def tx(conn: sa.Connection) -> int:
            try:
                result = conn.execute(
                    studies.insert().values(
                        study_name=name,
                        directions=json.dumps([d.name for d in directions]),
                        n_trials=0,
                        version=0,
                        created_at=dt_to_us(datetime.datetime.now()),
                    )
                )
            except sa.exc.IntegrityError:
                raise DuplicatedStudyError(
                    f"Another study with name '{name}' already exists. Pass "
                    "load_if_exists=True to reuse it, or choose another study_name."
                ) from None
            assert result.inserted_primary_key is not None
            return int(result.inserted_primary_key[0])

        study_id = self._write(tx)
        with self._lock:
            self._directions[study_id] = list(directions)
        return study_id

    def delete_study(self, study_id: int) -> None:
        def tx(conn: sa.Connection) -> None:
            conn.execute(trials.delete().where(trials.c.study_id == study_id))
            if conn.execute(studies.delete().where(studies.c.study_id == study_id)).rowcount != 1:
                raise KeyError(f"No study with id {study_id} in this storage.")

        self._write(tx)
        with self._lock:
            self._caches.pop(study_id, None)
            self._directions.pop(study_id, None)
            for tid in [t for t, s in self._trial_study.items() if s == study_id]:
                del self._trial_study[tid]
                self._owned.pop(tid, None)
                self._pending.pop(tid, None)

    def _set_study_attr(self, study_id: int, column: str, key: str, value: Any) -> None:
        if not isinstance(key, str):
            raise TypeError(f"study attribute key must be a str, got {key!r}.")
        dumps(value, f"study attribute '{key}'")
        col = studies.c[column]

        def tx(conn: sa.Connection) -> None:
            query = sa.select(col).where(studies.c.study_id == study_id)
            row = conn.execute(query.with_for_update() if self._is_pg else query).first()
            if row is None:
                raise KeyError(f"No study with id {study_id} in this storage.")
            attrs = loads_or_empty(row[0])
            attrs[key] = value
            conn.execute(
                studies.update()
                .where(studies.c.study_id == study_id)
                .values({column: dumps(attrs, "study attributes")})
            )

        self._write(tx)

    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        self._set_study_attr(study_id, "user_attrs", key, value)

    def set_study_system_attr(self, study_id: int, key: str, value: Any) -> None:
        self._set_study_attr(study_id, "system_attrs", key, value)

    def _study_column(self, study_id: int, column: str) -> Any:
        def read(conn: sa.Connection) -> Any:
            row = conn.execute(
                sa.select(studies.c[column]).where(studies.c.study_id == study_id)
            ).first()
            if row is None:
                raise KeyError(f"No study with id {study_id} in this storage.")
            return row[0]

        return self._read(read)

    def get_study_id_from_name(self, study_name: str) -> int:
        study_id = self._read(
            lambda conn: conn.execute(
                sa.select(studies.c.study_id).where(studies.c.study_name == study_name)
            ).scalar()
        )
        if study_id is None:
            raise KeyError(f"No study named '{study_name}' in this storage.")
        return int(study_id)

    def get_study_name_from_id(self, study_id: int) -> str:
        return str(self._study_column(study_id, "study_name"))

    def get_study_directions(self, study_id: int) -> list[StudyDirection]:
        with self._lock:
            cached = self._directions.get(study_id)
        if cached is None:
            text = self._study_column(study_id, "directions")
            cached = [StudyDirection[name] for name in json.loads(text)]
            with self._lock:
                self._directions[study_id] = cached
        return list(cached)

    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]:
        return dict(loads_or_empty(self._study_column(study_id, "user_attrs")))

    def get_study_system_attrs(self, study_id: int) -> dict[str, Any]:
        return dict(loads_or_empty(self._study_column(study_id, "system_attrs")))

    def get_all_studies(self) -> list[FrozenStudy]:
        rows = self._read(
            lambda conn: conn.execute(
                sa.select(
                    studies.c.study_id,
                    studies.c.study_name,
                    studies.c.directions,
                    studies.c.user_attrs,
                    studies.c.system_attrs,
                ).order_by(studies.c.study_id)
            ).all()
        )
        return [
            FrozenStudy(
                study_id=r[0],
                study_name=r[1],
                directions=[StudyDirection[n] for n in json.loads(r[2])],
                user_attrs=loads_or_empty(r[3]),
                system_attrs=loads_or_empty(r[4]),
            )
            for r in rows
        ]
