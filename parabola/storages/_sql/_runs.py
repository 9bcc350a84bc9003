"""The tracking half of the SQL store: runs and their chunked history.

Functions take an open connection (inside the caller's transaction) so that
:class:`~parabola.storages.RDBStorage` keeps one transaction and retry policy for everything.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

import sqlalchemy as sa

from parabola.storages._records import RUN_TEXT_LIMITS, RunRecord, RunState, check_run_text
from parabola.storages._sql._codec import dt_from_us, dt_to_us, dumps_or_none
from parabola.storages._sql._history import (
    CHUNK_ROWS,
    concat_columns,
    decode_chunk,
    decode_chunk_columns,
    encode_chunk_steps,
    filter_columns,
)
from parabola.storages._sql._models import run_history, runs

__all__ = [
    "RunTable",
    "append_history",
    "count_runs",
    "create_run",
    "delete_run",
    "get_history",
    "get_history_columns",
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


def create_run(conn: sa.Connection, record: RunRecord) -> int:
    """Insert the run; return its row id."""
    check_run_text({name: getattr(record, name) for name in RUN_TEXT_LIMITS})
    values = {
        _COLUMN.get(f.name, f.name): _encode(f.name, getattr(record, f.name))
        for f in dataclasses.fields(RunRecord)
    }
    try:
        result = conn.execute(runs.insert().values(**values))
    except sa.exc.IntegrityError:
        raise ValueError(
            f"A run with path '{_path(record.entity, record.project, record.run_id)}' "
            "already exists."
        ) from None
    inserted = result.inserted_primary_key
    assert inserted is not None
    return int(inserted[0])


def update_run(conn: sa.Connection, entity: str, project: str, run_id: str, **fields: Any) -> None:
    unknown = set(fields) - _FIELDS
    if unknown:
        raise ValueError(
            f"update_run: unknown field(s) {sorted(unknown)}; allowed: {sorted(_FIELDS)}."
        )
    check_run_text(fields)
    values = {_COLUMN.get(k, k): _encode(k, v) for k, v in fields.items()}
    if not values:
        _run_pk(conn, entity, project, run_id)  # still an error for an unknown run
        return
    # One statement by path (the unique index), not a lookup of the row id and then an update.
    result = conn.execute(
        runs.update()
        .where(runs.c.entity == entity, runs.c.project == project, runs.c.run_id == run_id)
        .values(**values)
    )
    if result.rowcount == 0:
        raise KeyError(f"No run with path '{_path(entity, project, run_id)}' in this storage.")


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


def count_runs(conn: sa.Connection, entity: str | None, project: str | None) -> int:
    query = sa.select(sa.func.count()).select_from(runs)
    if entity is not None:
        query = query.where(runs.c.entity == entity)
    if project is not None:
        query = query.where(runs.c.project == project)
    return int(conn.execute(query).scalar_one())


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
    pk: int | None = None,
) -> int:
    """Append ``rows`` as chunks; ``pk`` is the run's row id when the caller knows it.
    Returns the row id."""
    if pk is None:
        pk = _run_pk(conn, entity, project, run_id)
    chunks = []
    for start in range(0, len(rows), CHUNK_ROWS):
        part = rows[start : start + CHUNK_ROWS]
        payload, lo, hi = encode_chunk_steps(part)
        chunks.append(
            {
                "run_pk": pk,
                "stream": stream,
                "min_step": lo,
                "max_step": hi,
                "n_rows": len(part),
                "payload": payload,
            }
        )
    if chunks:
        conn.execute(run_history.insert(), chunks)
    return pk


def _chunk_query(
    conn: sa.Connection,
    entity: str,
    project: str,
    run_id: str,
    stream: str,
    min_step: int | None,
    max_step: int | None,
) -> Any:
    pk = _run_pk(conn, entity, project, run_id)
    query = sa.select(run_history.c.payload).where(
        run_history.c.run_pk == pk, run_history.c.stream == stream
    )
    if min_step is not None:
        query = query.where(run_history.c.max_step >= min_step)
    if max_step is not None:
        query = query.where(run_history.c.min_step <= max_step)
    return query.order_by(run_history.c.chunk_id)


def get_history_columns(
    conn: sa.Connection,
    entity: str,
    project: str,
    run_id: str,
    stream: str,
    min_step: int | None,
    max_step: int | None,
    keys: Sequence[str] | None = None,
) -> dict[str, Any]:
    import numpy as np

    query = _chunk_query(conn, entity, project, run_id, stream, min_step, max_step)
    wanted = None if keys is None else set(keys) | {"_step"}
    parts: list[tuple[int, dict[str, Any]]] = []
    for (payload,) in conn.execute(query):
        n, cols = decode_chunk_columns(bytes(payload))
        if min_step is not None or max_step is not None:
            # The same test as the row read: a row without a _step counts as step 0.
            step = cols.get("_step")
            if step is None:
                step = [0] * n
            elif not isinstance(step, np.ndarray):
                step = [0 if s is None else s for s in step]
            keep = np.fromiter(
                (
                    (min_step is None or s >= min_step) and (max_step is None or s <= max_step)
                    for s in step
                ),
                dtype=bool,
                count=n,
            )
            n, cols = filter_columns(n, cols, keep)
        if wanted is not None:
            cols = {k: v for k, v in cols.items() if k in wanted}
        parts.append((n, cols))
    return concat_columns(parts)


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
    query = _chunk_query(conn, entity, project, run_id, stream, min_step, max_step)
    out: list[dict[str, Any]] = []
    wanted = None if keys is None else set(keys) | {"_step"}
    for (payload,) in conn.execute(query):
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


class Transaction(Protocol):
    """Run ``fn`` in one transaction (retried by the store's one retry policy); its result."""

    def __call__(self, fn: Callable[[sa.Connection], T], /) -> T: ...


class RunTable:
    """The run table of :class:`~parabola.storages.RDBStorage`: runs and their history chunks.

    It owns what only it uses (the row-id cache below) and runs every statement through the
    transactions it is given, the store's one transaction runner with its one retry policy;
    ``RDBStorage`` forwards the tracking half of ``BaseStorage`` here.
    """

    def __init__(self, write: Transaction, read: Transaction) -> None:
        self._write = write
        self._read = read
        # Row ids of runs this store created or wrote, so that a run's periodic appends skip
        # the lookup by path. Filled only after a commit; delete_run forgets the entry. (A run
        # deleted by another process while this one still writes it is not supported: the
        # writer owns it.)
        self._pks: dict[tuple[str, str, str], int] = {}

    def _pk_cache(self) -> dict[tuple[str, str, str], int]:
        return self._pks

    def create_run(self, record: RunRecord) -> None:
        pk = self._write(lambda conn: create_run(conn, record))
        self._pk_cache()[(record.entity, record.project, record.run_id)] = pk

    def update_run(self, entity: str, project: str, run_id: str, **fields: Any) -> None:
        self._write(lambda conn: update_run(conn, entity, project, run_id, **fields))

    def get_run(self, entity: str, project: str, run_id: str) -> RunRecord:
        return self._read(lambda conn: get_run(conn, entity, project, run_id))

    def get_runs(self, entity: str | None = None, project: str | None = None) -> list[RunRecord]:
        return self._read(lambda conn: get_runs(conn, entity, project))

    def count_runs(self, entity: str | None = None, project: str | None = None) -> int:
        """``SELECT COUNT(*)``: a new run's default name needs the count, not the runs."""
        return self._read(lambda conn: count_runs(conn, entity, project))

    def delete_run(self, entity: str, project: str, run_id: str) -> None:
        self._pk_cache().pop((entity, project, run_id), None)
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
        cache = self._pk_cache()
        key = (entity, project, run_id)
        known = cache.get(key)
        cache[key] = self._write(
            lambda conn: append_history(conn, entity, project, run_id, rows, stream, known)
        )

    def write_run(
        self,
        entity: str,
        project: str,
        run_id: str,
        history: Mapping[str, Sequence[Mapping[str, Any]]],
        **fields: Any,
    ) -> None:
        """Append the rows of every stream and update ``fields`` in one transaction."""
        batches = {stream: list(rows) for stream, rows in history.items() if rows}
        cache = self._pk_cache()
        key = (entity, project, run_id)
        known = cache.get(key)

        def tx(conn: sa.Connection) -> int | None:
            pk = known
            for stream, rows in batches.items():
                pk = append_history(conn, entity, project, run_id, rows, stream, pk)
            if fields:
                update_run(conn, entity, project, run_id, **fields)
            return pk

        pk = self._write(tx)
        if pk is not None:
            cache[key] = pk

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

    def get_run_history_columns(
        self,
        entity: str,
        project: str,
        run_id: str,
        stream: str = "default",
        min_step: int | None = None,
        max_step: int | None = None,
        *,
        keys: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        """Columns of :meth:`get_run_history` straight from the chunks' arrays: a numeric key
        present in every row stays one float64/int64 array, never a list of rows."""
        return self._read(
            lambda conn: get_history_columns(
                conn, entity, project, run_id, stream, min_step, max_step, keys
            )
        )
