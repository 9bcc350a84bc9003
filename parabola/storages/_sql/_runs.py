"""The tracking half of the SQL store: runs and their chunked history.

Functions take an open connection (inside the caller's transaction) so that
:class:`~parabola.storages.RDBStorage` keeps one transaction and retry policy for everything.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa

from parabola.storages._records import RunRecord, RunState
from parabola.storages._sql._codec import dt_from_us, dt_to_us, dumps_or_none
from parabola.storages._sql._history import CHUNK_ROWS, decode_chunk, encode_chunk, row_steps
from parabola.storages._sql._models import run_history, runs

__all__ = [
    "RunsMixin",
    "append_history",
    "create_run",
    "delete_run",
    "get_history",
    "get_run",
    "get_runs",
    "update_run",
]

_FIELDS = {f.name for f in dataclasses.fields(RunRecord)}
# RunRecord field -> column, where they differ ("group" is an SQL keyword).
_COLUMN = {"group": "run_group"}
_DATES = {"created_at", "heartbeat_at", "finished_at"}
_JSON = {"config", "summary", "tags"}


def _encode(name: str, value: Any) -> Any:
    if name in _DATES:
        return dt_to_us(value)
    if name in _JSON:
        return dumps_or_none(value, f"run {name}")
    if name == "state":
        return RunState(value).value
    return value


def _record(row: Any) -> RunRecord:
    m = row._mapping
    return RunRecord(
        run_id=m["run_id"],
        project=m["project"],
        entity=m["entity"],
        name=m["name"],
        state=RunState(m["state"]),
        created_at=dt_from_us(m["created_at"]),  # type: ignore[arg-type]
        heartbeat_at=dt_from_us(m["heartbeat_at"]),  # type: ignore[arg-type]
        finished_at=dt_from_us(m["finished_at"]),
        exit_code=m["exit_code"],
        config={} if m["config"] is None else json.loads(m["config"]),
        summary={} if m["summary"] is None else json.loads(m["summary"]),
        tags=[] if m["tags"] is None else json.loads(m["tags"]),
        notes=m["notes"],
        group=m["run_group"],
        job_type=m["job_type"],
        study_name=m["study_name"],
        trial_number=m["trial_number"],
    )


def _path(entity: str, project: str, run_id: str) -> str:
    return f"{entity}/{project}/{run_id}"


def _run_pk(conn: sa.Connection, entity: str, project: str, run_id: str) -> int:
    pk = conn.execute(
        sa.select(runs.c.id).where(
            runs.c.entity == entity, runs.c.project == project, runs.c.run_id == run_id
        )
    ).scalar()
    if pk is None:
        raise KeyError(f"No run with path '{_path(entity, project, run_id)}' in this storage.")
    return int(pk)


def create_run(conn: sa.Connection, record: RunRecord) -> None:
    values = {
        _COLUMN.get(f.name, f.name): _encode(f.name, getattr(record, f.name))
        for f in dataclasses.fields(RunRecord)
    }
    try:
        conn.execute(runs.insert().values(**values))
    except sa.exc.IntegrityError:
        raise ValueError(
            f"A run with path '{_path(record.entity, record.project, record.run_id)}' "
            "already exists."
        ) from None


def update_run(conn: sa.Connection, entity: str, project: str, run_id: str, **fields: Any) -> None:
    unknown = set(fields) - _FIELDS
    if unknown:
        raise ValueError(
            f"update_run: unknown field(s) {sorted(unknown)}; allowed: {sorted(_FIELDS)}."
        )
    values = {_COLUMN.get(k, k): _encode(k, v) for k, v in fields.items()}
    pk = _run_pk(conn, entity, project, run_id)
    if values:
        conn.execute(runs.update().where(runs.c.id == pk).values(**values))


def get_run(conn: sa.Connection, entity: str, project: str, run_id: str) -> RunRecord:
    row = conn.execute(
        sa.select(runs).where(
            runs.c.entity == entity, runs.c.project == project, runs.c.run_id == run_id
        )
    ).first()
    if row is None:
        raise KeyError(f"No run with path '{_path(entity, project, run_id)}' in this storage.")
    return _record(row)


def get_runs(conn: sa.Connection, entity: str | None, project: str | None) -> list[RunRecord]:
    query = sa.select(runs)
    if entity is not None:
        query = query.where(runs.c.entity == entity)
    if project is not None:
        query = query.where(runs.c.project == project)
    query = query.order_by(runs.c.created_at.desc(), runs.c.id.desc())
    return [_record(r) for r in conn.execute(query)]


def delete_run(conn: sa.Connection, entity: str, project: str, run_id: str) -> None:
    pk = _run_pk(conn, entity, project, run_id)
    conn.execute(run_history.delete().where(run_history.c.run_pk == pk))
    conn.execute(runs.delete().where(runs.c.id == pk))


def append_history(
    conn: sa.Connection,
    entity: str,
    project: str,
    run_id: str,
    rows: Sequence[Mapping[str, Any]],
    stream: str,
) -> None:
    pk = _run_pk(conn, entity, project, run_id)
    chunks = []
    for start in range(0, len(rows), CHUNK_ROWS):
        part = rows[start : start + CHUNK_ROWS]
        steps = row_steps(part)
        chunks.append(
            {
                "run_pk": pk,
                "stream": stream,
                "min_step": min(steps),
                "max_step": max(steps),
                "n_rows": len(part),
                "payload": encode_chunk(part),
            }
        )
    if chunks:
        conn.execute(run_history.insert(), chunks)


def get_history(
    conn: sa.Connection,
    entity: str,
    project: str,
    run_id: str,
    stream: str,
    min_step: int | None,
    max_step: int | None,
    keys: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    pk = _run_pk(conn, entity, project, run_id)
    query = sa.select(run_history.c.payload).where(
        run_history.c.run_pk == pk, run_history.c.stream == stream
    )
    if min_step is not None:
        query = query.where(run_history.c.max_step >= min_step)
    if max_step is not None:
        query = query.where(run_history.c.min_step <= max_step)
    out: list[dict[str, Any]] = []
    wanted = None if keys is None else set(keys) | {"_step"}
    for (payload,) in conn.execute(query.order_by(run_history.c.chunk_id)):
        for row in decode_chunk(bytes(payload)):
            if min_step is not None or max_step is not None:
                step = row.get("_step", 0)
                if (min_step is not None and step < min_step) or (
                    max_step is not None and step > max_step
                ):
                    continue
            if wanted is not None:
                row = {k: v for k, v in row.items() if k in wanted}
            out.append(row)
    return out


T = TypeVar("T")


class RunsMixin:
    """The tracking-run methods of :class:`~parabola.storages.RDBStorage`."""

    def _write(self, fn: Callable[[sa.Connection], T]) -> T:
        raise NotImplementedError

    def _read(self, fn: Callable[[sa.Connection], T]) -> T:
        raise NotImplementedError

    def create_run(self, record: RunRecord) -> None:
        self._write(lambda conn: create_run(conn, record))

    def update_run(self, entity: str, project: str, run_id: str, **fields: Any) -> None:
        self._write(lambda conn: update_run(conn, entity, project, run_id, **fields))

    def get_run(self, entity: str, project: str, run_id: str) -> RunRecord:
        return self._read(lambda conn: get_run(conn, entity, project, run_id))

    def get_runs(self, entity: str | None = None, project: str | None = None) -> list[RunRecord]:
        return self._read(lambda conn: get_runs(conn, entity, project))

    def delete_run(self, entity: str, project: str, run_id: str) -> None:
        self._write(lambda conn: delete_run(conn, entity, project, run_id))

    def append_run_history(
        self,
        entity: str,
        project: str,
        run_id: str,
        rows: Sequence[Mapping[str, Any]],
        stream: str = "default",
    ) -> None:
        """Append rows; each batch is stored as compressed chunks of up to 1000 rows."""
        rows = list(rows)
        self._write(lambda conn: append_history(conn, entity, project, run_id, rows, stream))

    def get_run_history(
        self,
        entity: str,
        project: str,
        run_id: str,
        stream: str = "default",
        min_step: int | None = None,
        max_step: int | None = None,
        *,
        keys: Sequence[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Return the stream's rows in order; ``keys`` limits each row to those keys and _step."""
        return self._read(
            lambda conn: get_history(
                conn, entity, project, run_id, stream, min_step, max_step, keys
            )
        )
