"""The tracking half of the SQL store: runs and their chunked history.

The functions take an open cursor (inside the caller's transaction) and the dialect that
spells their statements, so that :class:`RunTable` runs everything on the store's one
transaction runner with its one retry policy.

Every history chunk is written with its envelope summary (``_summary.py``): a second
``run_history`` row in the stream ``"~e:" + stream``, in the same statement batch, so a chart of
a long range reads a few points per block instead of decoding every row.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from typing import Any

from parabola.storages._records import RUN_TEXT_LIMITS, RunRecord, RunState, check_run_text
from parabola.storages._run_types import HistoryQuery, RunKey, RunUpdate
from parabola.storages._sql._codec import dt_from_us, dt_to_us, dumps_or_none
from parabola.storages._sql._dialect import Dialect
from parabola.storages._sql._history import (
    CHUNK_ROWS,
    concat_columns,
    decode_chunk,
    decode_chunk_columns,
    encode_chunk_with_summary,
    filter_columns,
)
from parabola.storages._sql._runner import Runner
from parabola.storages._sql._summary import (
    SUMMARY_BLOCK,
    SUMMARY_CARRY,
    SUMMARY_PREFIX,
    summary_stream,
)
from parabola.storages._sql._summary_read import envelope_from_summaries

__all__ = [
    "RunTable",
    "append_history",
    "count_runs",
    "create_run",
    "delete_run",
    "get_history",
    "get_history_columns",
    "get_history_envelope",
    "get_run",
    "get_runs",
    "get_study_runs",
    "update_run",
]

# RunRecord field -> column, where they differ ("group" is an SQL keyword).
_COLUMN = {"group": "run_group"}
_DATES = {"created_at", "heartbeat_at", "finished_at"}
_JSON = {"config", "summary", "tags"}
# Every run column, in RunRecord's field order (what _record reads).
_RUN_COLUMNS = tuple(
    _COLUMN.get(name, name) for name in [f.name for f in dataclasses.fields(RunRecord)]
)
_SELECT_RUN = f"SELECT {', '.join(_RUN_COLUMNS)} FROM runs"
_BY_PATH = "entity = {entity} AND project = {project} AND run_id = {run_id}"
_INSERT_RUN = (
    f"INSERT INTO runs ({', '.join(_RUN_COLUMNS)}) "
    f"VALUES ({', '.join('{' + c + '}' for c in _RUN_COLUMNS)}) RETURNING id"
)
_INSERT_CHUNK = (
    "INSERT INTO run_history (run_pk, stream, min_step, max_step, n_rows, payload) "
    "VALUES ({run_pk}, {stream}, {min_step}, {max_step}, {n_rows}, {payload})"
)


def _encode(name: str, value: Any) -> Any:
    if name in _DATES:
        return dt_to_us(value)
    if name in _JSON:
        return dumps_or_none(value, f"run {name}")
    if name == "state":
        return RunState(value).value
    return value


def _record(row: Sequence[Any]) -> RunRecord:
    m = dict(zip(_RUN_COLUMNS, row, strict=True))
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


def _key(key: RunKey) -> dict[str, str]:
    return {"entity": key.entity, "project": key.project, "run_id": key.run_id}


def _run_pk(cur: Any, d: Dialect, key: RunKey) -> int:
    cur.execute(d.sql(f"SELECT id FROM runs WHERE {_BY_PATH}"), _key(key))
    row = cur.fetchone()
    if row is None:
        raise KeyError(f"No run with path '{key.path}' in this storage.")
    return int(row[0])


def create_run(cur: Any, d: Dialect, record: RunRecord, duplicate: type[Exception]) -> int:
    """Insert the run; return its row id. ``duplicate`` is the driver's integrity error."""
    check_run_text({name: getattr(record, name) for name in RUN_TEXT_LIMITS})
    values = {
        _COLUMN.get(f.name, f.name): _encode(f.name, getattr(record, f.name))
        for f in dataclasses.fields(RunRecord)
    }
    try:
        cur.execute(d.sql(_INSERT_RUN), values)
    except duplicate:
        raise ValueError(f"A run with path '{RunKey.of(record).path}' already exists.") from None
    return int(cur.fetchone()[0])


def update_run(cur: Any, d: Dialect, key: RunKey, update: RunUpdate) -> None:
    fields = update.fields()
    check_run_text(fields)
    values = {_COLUMN.get(k, k): _encode(k, v) for k, v in fields.items()}
    if not values:
        _run_pk(cur, d, key)  # still an error for an unknown run
        return
    # One statement by path (the unique index), not a lookup of the row id and then an update.
    # The parameters of the SET part get a prefix: a run field may be called "project".
    sets = ", ".join(f"{c} = {{set_{c}}}" for c in values)
    cur.execute(
        d.sql(f"UPDATE runs SET {sets} WHERE {_BY_PATH}"),
        {**{f"set_{c}": v for c, v in values.items()}, **_key(key)},
    )
    if cur.rowcount == 0:
        raise KeyError(f"No run with path '{key.path}' in this storage.")


def get_run(cur: Any, d: Dialect, key: RunKey) -> RunRecord:
    cur.execute(d.sql(f"{_SELECT_RUN} WHERE {_BY_PATH}"), _key(key))
    row = cur.fetchone()
    if row is None:
        raise KeyError(f"No run with path '{key.path}' in this storage.")
    return _record(row)


def _where(entity: str | None, project: str | None) -> tuple[str, dict[str, str]]:
    parts, args = [], {}
    if entity is not None:
        parts.append("entity = {entity}")
        args["entity"] = entity
    if project is not None:
        parts.append("project = {project}")
        args["project"] = project
    return (" WHERE " + " AND ".join(parts) if parts else ""), args


def get_runs(cur: Any, d: Dialect, entity: str | None, project: str | None) -> list[RunRecord]:
    where, args = _where(entity, project)
    cur.execute(d.sql(f"{_SELECT_RUN}{where} ORDER BY created_at DESC, id DESC"), args)
    return [_record(r) for r in cur.fetchall()]


def get_study_runs(cur: Any, d: Dialect, study_name: str) -> list[RunRecord]:
    cur.execute(
        d.sql(f"{_SELECT_RUN} WHERE study_name = {{name}} ORDER BY created_at DESC, id DESC"),
        {"name": study_name},
    )
    return [_record(r) for r in cur.fetchall()]


def count_runs(cur: Any, d: Dialect, entity: str | None, project: str | None) -> int:
    where, args = _where(entity, project)
    cur.execute(d.sql(f"SELECT COUNT(*) FROM runs{where}"), args)
    return int(cur.fetchone()[0])


def delete_run(cur: Any, d: Dialect, key: RunKey) -> None:
    pk = _run_pk(cur, d, key)
    cur.execute(d.sql("DELETE FROM run_history WHERE run_pk = {pk}"), {"pk": pk})
    cur.execute(d.sql("DELETE FROM runs WHERE id = {pk}"), {"pk": pk})


def append_history(
    cur: Any,
    d: Dialect,
    key: RunKey,
    rows: Sequence[Mapping[str, Any]],
    stream: str,
    pk: int | None = None,
) -> int:
    """Append ``rows`` as chunks; ``pk`` is the run's row id when the caller knows it.
    Returns the row id."""
    if stream.startswith(SUMMARY_PREFIX):
        raise ValueError(f"History stream names may not start with {SUMMARY_PREFIX!r}: {stream!r}.")
    if pk is None:
        pk = _run_pk(cur, d, key)
    chunks = []
    # Each chunk's envelope summary goes in the same statement batch, so in the same
    # transaction: a summary is never ahead of (nor behind) the rows it describes.
    sstream = summary_stream(stream)
    for start in range(0, len(rows), CHUNK_ROWS):
        part = rows[start : start + CHUNK_ROWS]
        payload, summary, lo, hi = encode_chunk_with_summary(part)
        chunk = {
            "run_pk": pk,
            "stream": stream,
            "min_step": lo,
            "max_step": hi,
            "n_rows": len(part),
            "payload": payload,
        }
        chunks.append(chunk)
        if sstream is not None and summary is not None:
            chunks.append({**chunk, "stream": sstream, "payload": summary})
    if chunks:
        cur.executemany(d.sql(_INSERT_CHUNK), chunks)
    return pk


def _step_overlap(args: dict[str, Any], min_step: int | None, max_step: int | None) -> str:
    """The ``AND`` terms selecting chunks whose steps overlap the range (bounds put in ``args``)."""
    sql = ""
    if min_step is not None:
        sql += " AND max_step >= {min_step}"
        args["min_step"] = min_step
    if max_step is not None:
        sql += " AND min_step <= {max_step}"
        args["max_step"] = max_step
    return sql


def _chunks(
    cur: Any, d: Dialect, key: RunKey, stream: str, min_step: int | None, max_step: int | None
) -> list[bytes]:
    """The payloads of the stream's chunks that may hold steps in the range, in order."""
    pk = _run_pk(cur, d, key)
    args: dict[str, Any] = {"pk": pk, "stream": stream}
    sql = "SELECT payload FROM run_history WHERE run_pk = {pk} AND stream = {stream}"
    sql += _step_overlap(args, min_step, max_step)
    cur.execute(d.sql(sql + " ORDER BY chunk_id"), args)
    return [bytes(r[0]) for r in cur.fetchall()]


def get_history_columns(cur: Any, d: Dialect, key: RunKey, query: HistoryQuery) -> dict[str, Any]:
    payloads = _chunks(cur, d, key, query.stream, query.min_step, query.max_step)
    return concat_columns(_column_parts(payloads, query))


def _column_parts(
    payloads: Sequence[bytes], query: HistoryQuery
) -> list[tuple[int, dict[str, Any]]]:
    """Decoded columns of each payload, filtered to the query's step range and keys."""
    import numpy as np

    min_step, max_step = query.min_step, query.max_step
    wanted = None if query.keys is None else set(query.keys) | {"_step"}
    parts: list[tuple[int, dict[str, Any]]] = []
    for payload in payloads:
        n, cols = decode_chunk_columns(payload)
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
    return parts


def get_history_envelope(
    cur: Any,
    d: Dialect,
    key: RunKey,
    query: HistoryQuery,
    n_buckets: int,
    carry: Sequence[str],
) -> dict[str, dict[str, list[Any]]]:
    """``get_run_history_envelope`` in one transaction: from the chunks' summaries when the
    range holds at least ``SUMMARY_BLOCK`` rows per bucket (a bucket then spans whole summary
    blocks) and every chunk inside it has its summary; else from the rows."""
    from parabola.storages._envelope import envelope_of_columns

    if isinstance(n_buckets, bool) or not isinstance(n_buckets, int) or n_buckets < 1:
        raise ValueError(f"n_buckets: expected an int >= 1, got {n_buckets!r}.")
    keys = None if query.keys is None else list(query.keys)
    sstream = summary_stream(query.stream)
    if sstream is not None and set(carry) <= set(SUMMARY_CARRY):
        got = _envelope_from_summaries(cur, d, key, query, sstream, n_buckets, carry)
        if got is not None:
            return got
    if keys is not None:
        query = dataclasses.replace(query, keys=(*keys, *carry))
    columns = get_history_columns(cur, d, key, query)
    return envelope_of_columns(columns, keys, n_buckets, carry)


def _envelope_from_summaries(
    cur: Any,
    d: Dialect,
    key: RunKey,
    query: HistoryQuery,
    sstream: str,
    n_buckets: int,
    carry: Sequence[str],
) -> dict[str, dict[str, list[Any]]] | None:
    """The envelope from summaries, or ``None`` when they cannot give it (too few rows per
    bucket, or most of the range in chunks without a summary).

    A summary row is written right after its chunk, in the same transaction, with the same
    step range and row count, so a summary describes the last chunk of the stream before it in
    chunk-id order whose range and count it repeats (two writers of one run interleaving their
    ids leave a summary unpaired, never paired with the other's chunk). Chunks without one
    (written by a store of an earlier version, or by a writer without numpy) and chunks only
    partly inside the range are decoded, and their rows join the summaries' points.
    """
    import numpy as np

    pk = _run_pk(cur, d, key)
    lo, hi = query.min_step, query.max_step
    args: dict[str, Any] = {"pk": pk, "stream": query.stream, "sstream": sstream}
    overlap = _step_overlap(args, lo, hi)
    # The data chunks' metadata only, never their 40 kB payloads (a million-step run has a
    # thousand chunks); the range filter keeps a zoom's chunks outside it from counting as
    # chunks without a summary.
    cur.execute(
        d.sql(
            "SELECT chunk_id, min_step, max_step, n_rows FROM run_history "
            f"WHERE run_pk = {{pk}} AND stream = {{stream}}{overlap} ORDER BY chunk_id"
        ),
        args,
    )
    data = np.array(cur.fetchall(), dtype=np.int64).reshape(-1, 4)  # id, lo, hi, rows
    cur.execute(
        d.sql(
            "SELECT chunk_id, min_step, max_step, n_rows, payload FROM run_history "
            f"WHERE run_pk = {{pk}} AND stream = {{sstream}}{overlap} ORDER BY chunk_id"
        ),
        args,
    )
    rows = cur.fetchall()
    if not rows or not len(data):
        return None
    *columns, blobs = zip(*rows, strict=True)  # C-level transposition of the rows
    meta = np.array(columns, dtype=np.int64).T
    # Each summary against the last data chunk before it (one pass for all, not a loop of a
    # thousand bisects): paired when range and row count agree, and only the first summary
    # that does pairs with a chunk. Any other is unpaired, and its chunk's rows are read.
    at = np.searchsorted(data[:, 0], meta[:, 0]) - 1
    ok = (at >= 0) & (data[np.maximum(at, 0), 1:] == meta[:, 1:]).all(axis=1)
    valid = np.flatnonzero(ok)
    chosen = np.sort(valid[np.unique(at[valid], return_index=True)[1]])
    inside = np.ones(len(chosen), dtype=bool)  # else cut by the range: its rows, filtered
    if lo is not None:
        inside &= meta[chosen, 1] >= lo
    if hi is not None:
        inside &= meta[chosen, 2] <= hi
    summaries = [bytes(blobs[i]) for i in chosen[inside].tolist()]
    n_rows = int(meta[chosen[inside], 3].sum())
    if not summaries or n_rows < SUMMARY_BLOCK * n_buckets:
        return None
    paired = np.zeros(len(data), dtype=bool)
    paired[at[chosen]] = True
    if int((~paired).sum()) > len(summaries):
        return None  # mostly rows to decode anyway: the row path does it in one read
    decode = np.sort(np.r_[data[at[chosen[~inside]], 0], data[~paired, 0]]).tolist()
    payloads = _payloads(cur, d, decode, overlap, args)
    edges = _column_parts(payloads, dataclasses.replace(query, keys=None))
    return envelope_from_summaries(summaries, edges, query.keys, n_buckets, carry)


def _payloads(
    cur: Any, d: Dialect, chunk_ids: Sequence[int], overlap: str, args: dict[str, Any]
) -> list[bytes]:
    """The payloads of these chunks that overlap the range (``overlap``, its ``args``), in
    chunk-id order, in batches of bound parameters."""
    out: list[bytes] = []
    for start in range(0, len(chunk_ids), 500):
        part = chunk_ids[start : start + 500]
        names = ", ".join(f"{{c{i}}}" for i in range(len(part)))
        cur.execute(
            d.sql(
                f"SELECT payload FROM run_history WHERE chunk_id IN ({names}){overlap} "
                "ORDER BY chunk_id"
            ),
            {**args, **{f"c{i}": c for i, c in enumerate(part)}},
        )
        out += [bytes(r[0]) for r in cur.fetchall()]
    return out


def get_history(cur: Any, d: Dialect, key: RunKey, query: HistoryQuery) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    min_step, max_step = query.min_step, query.max_step
    wanted = None if query.keys is None else set(query.keys) | {"_step"}
    for payload in _chunks(cur, d, key, query.stream, min_step, max_step):
        for row in decode_chunk(payload):
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


class RunTable:
    """The run table of :class:`~parabola.storages.RDBStorage`: runs and their history chunks.

    It owns what only it uses (the row-id cache below) and runs every statement on the store's
    transaction runner, with its one retry policy; ``RDBStorage`` forwards the tracking half of
    ``BaseStorage`` here.
    """

    def __init__(self, runner: Runner) -> None:
        self._runner = runner
        self._d = runner.dialect
        # Row ids of runs this store created or wrote, so that a run's periodic appends skip
        # the lookup by path. Filled only after a commit; delete_run forgets the entry. (A run
        # deleted by another process while this one still writes it is not supported: the
        # writer owns it.)
        self._pks: dict[RunKey, int] = {}

    def forget(self) -> None:
        """Drop the row-id cache (a forked child, a schema upgrade)."""
        self._pks.clear()

    def create_run(self, record: RunRecord) -> None:
        duplicate = self._runner.integrity_error
        pk = self._runner.run(lambda cur: create_run(cur, self._d, record, duplicate), write=True)
        self._pks[RunKey.of(record)] = pk

    def update_run(self, key: RunKey, update: RunUpdate) -> None:
        self._runner.run(lambda cur: update_run(cur, self._d, key, update), write=True)

    def get_run(self, key: RunKey) -> RunRecord:
        return self._runner.run(lambda cur: get_run(cur, self._d, key), write=False)

    def get_runs(self, entity: str | None = None, project: str | None = None) -> list[RunRecord]:
        return self._runner.run(lambda cur: get_runs(cur, self._d, entity, project), write=False)

    def get_study_runs(self, study_name: str) -> list[RunRecord]:
        """The runs linked to a study, newest first."""
        return self._runner.run(lambda cur: get_study_runs(cur, self._d, study_name), write=False)

    def count_runs(self, entity: str | None = None, project: str | None = None) -> int:
        """``SELECT COUNT(*)``: a new run's default name needs the count, not the runs."""
        return self._runner.run(lambda cur: count_runs(cur, self._d, entity, project), write=False)

    def delete_run(self, key: RunKey) -> None:
        self._pks.pop(key, None)
        self._runner.run(lambda cur: delete_run(cur, self._d, key), write=True)

    def append_run_history(
        self, key: RunKey, rows: Sequence[Mapping[str, Any]], stream: str = "default"
    ) -> None:
        """Append rows; each batch is stored as compressed chunks of up to 1000 rows."""
        rows = list(rows)
        known = self._pks.get(key)
        self._pks[key] = self._runner.run(
            lambda cur: append_history(cur, self._d, key, rows, stream, known), write=True
        )

    def write_run(
        self,
        key: RunKey,
        history: Mapping[str, Sequence[Mapping[str, Any]]],
        update: RunUpdate | None = None,
    ) -> None:
        """Append the rows of every stream and apply ``update`` in one transaction."""
        batches = {stream: list(rows) for stream, rows in history.items() if rows}
        known = self._pks.get(key)

        def tx(cur: Any) -> int | None:
            pk = known
            for stream, rows in batches.items():
                pk = append_history(cur, self._d, key, rows, stream, pk)
            if update:
                update_run(cur, self._d, key, update)
            return pk

        pk = self._runner.run(tx, write=True)
        if pk is not None:
            self._pks[key] = pk

    def get_run_history(
        self, key: RunKey, query: HistoryQuery | None = None
    ) -> list[dict[str, Any]]:
        """Return the rows ``query`` selects, in order."""
        q = query or HistoryQuery()
        return self._runner.run(lambda cur: get_history(cur, self._d, key, q), write=False)

    def get_run_history_columns(
        self, key: RunKey, query: HistoryQuery | None = None
    ) -> dict[str, Any]:
        """Columns of :meth:`get_run_history` straight from the chunks' arrays: a numeric key
        present in every row stays one float64/int64 array, never a list of rows."""
        q = query or HistoryQuery()
        return self._runner.run(lambda cur: get_history_columns(cur, self._d, key, q), write=False)

    def get_run_history_envelope(
        self,
        key: RunKey,
        query: HistoryQuery | None = None,
        *,
        n_buckets: int = 500,
        carry: Sequence[str] = ("_runtime", "_timestamp"),
    ) -> dict[str, dict[str, list[Any]]]:
        """Min/max buckets of each numeric series, from the chunks' pre-aggregated summaries
        where the range is long enough (a million-step run costs a few points per block, not
        a decode of every row), else from the rows."""
        q = query or HistoryQuery()
        return self._runner.run(
            lambda cur: get_history_envelope(cur, self._d, key, q, n_buckets, carry),
            write=False,
        )
