"""The chart envelope of a range of history chunks from their summaries (``_summary.py``).

:func:`envelope_from_summaries` gives what ``get_run_history_envelope`` returns, for every
asked key at once:

1. the summaries are grouped by header and row count: such summaries are equal in size with
   their bodies 8-byte aligned, so one join of the blobs is one float64 array (no per-summary
   work); summaries of the earlier zlib layout, or of odd sizes, are split one by one;
2. every block's min and max point and every edge row (of chunks cut by the range, or without
   a summary) become *candidates*, laid out keys first: ``fields[f, key, candidate]``;
3. each key's first and last point fixes its bucket width; candidates sorted once by the step
   that places them in a bucket make every (key, bucket) one contiguous segment of the
   flattened array, whose extremes ``numpy.minimum/maximum.reduceat`` give in one pass;
4. only the output lists are built per key.

Ties are broken exactly as the per-key reader this replaced (kept in the tests as their
reference): among equal extremes the smallest step, then the first candidate in the order
"groups by first-seen header, chunks in order, then edge rows"; the first point is the
smallest step (first of equals), the last the largest (last of equals).
"""

from __future__ import annotations

import json
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from parabola.storages._sql._summary import (
    _MAGIC,
    _MAGIC_V1,
    SUMMARY_CARRY,
    _split,
    _status,
)

__all__ = ["envelope_from_summaries"]


@dataclass
class _Part:
    """Summaries of one header: chunk rows ``(chunks, width)``, block rows ``(summaries,
    blocks, width)`` (all blocks as one summary where the row counts differ), each block's
    place in the reference order (``rank``) and the same for each chunk's first points then
    its last points (``ends_rank``)."""

    numeric: list[str]
    fields: list[int]  # where each float of a stored point goes among the 4 of a full one
    chunk_rows: Any
    block_rows: Any
    rank: Any
    ends_rank: Any


@dataclass
class _Candidates:
    """Every point of the asked keys that may be picked (NaN where a key has none).

    ``at[n]``: the step that puts candidate ``n`` in a bucket (a block's smallest step, an edge
    row's step); ``fields[f, j, n]``: field ``f`` of key ``j``'s min point (``f`` 0-3: step,
    value, ``_runtime``, ``_timestamp``) then of its max point (4-7); ``rank[n]``: its place
    in the reference order. ``ends[e, j]``: the points that may be the first or last
    (each chunk's first and last point, every edge row), ``ends_rank[e]`` their order.
    """

    at: Any
    fields: Any
    rank: Any
    ends: Any
    ends_rank: Any


def _parts(summaries: Sequence[bytes], status: dict[str, str]) -> list[_Part]:
    """The summaries as arrays, with ``status`` updated to each key's worst status."""
    import numpy as np

    count = len(summaries)
    joined = _all_alike(summaries)
    if joined is not None:  # the usual run: one header, one row count
        by_prefix = {bytes(joined[0][: _prefix_size(summaries[0])]): list(range(count))}
    else:
        by_prefix = {}
        for i, blob in enumerate(summaries):
            if blob[:4] != _MAGIC and blob[:4] != _MAGIC_V1:
                raise ValueError("Not a parabola history summary (bad magic bytes).")
            by_prefix.setdefault(blob[: _prefix_size(blob)], []).append(i)
    heads: dict[bytes, int] = {}  # header -> first-seen order
    head_of = np.empty(count, dtype=np.int64)
    for prefix, ids in by_prefix.items():
        head_of[ids] = heads.setdefault(prefix[12:], len(heads))
    # The reference order: by header (first seen), then in the order given.
    pos = np.empty(count, dtype=np.int64)
    pos[np.argsort(head_of, kind="stable")] = np.arange(count)
    max_blocks = 1 + max((_blocks(p) for p in by_prefix), default=0)
    out: list[_Part] = []
    loose: dict[bytes, list[int]] = {}
    for prefix, ids in by_prefix.items():
        head = prefix[12:]
        h = json.loads(head)
        numeric = [k for k, st in h["k"] if st == "n"]
        for k, st in h["k"]:
            status[k] = max(status.get(k, "e"), st, key="enx".index)
        fields = _point_fields(h)
        width = 2 + 2 * len(fields) * len(numeric)
        rows = 1 + _blocks(prefix)
        off = len(prefix)
        size = off + 8 * rows * width
        if joined is not None:
            arr = joined.view("<f8")
        elif prefix[:4] != _MAGIC or off % 8 or set(len(summaries[i]) for i in ids) != {size}:
            loose.setdefault(head, []).extend(ids)
            continue
        else:
            arr = np.frombuffer(b"".join([summaries[i] for i in ids]), dtype="<f8")
        # (summaries, rows, width) views of the joined blobs: no copy.
        body = arr.reshape(len(ids), -1)[:, off // 8 :].reshape(len(ids), rows, width)
        p = pos[ids]
        out.append(
            _Part(
                numeric,
                fields,
                body[:, 0],
                body[:, 1:],
                (p[:, None] * max_blocks + np.arange(rows - 1)).ravel(),
                _ends_rank(heads[head], p, count),
            )
        )
    for head, ids in loose.items():
        h = json.loads(head)
        numeric = [k for k, st in h["k"] if st == "n"]
        fields = _point_fields(h)
        split = [_split(summaries[i]) for i in ids]
        arr = np.frombuffer(b"".join(s[2] for s in split), dtype="<f8")
        arr = arr.reshape(-1, 2 + 2 * len(fields) * len(numeric))
        blocks = np.array([len(s[2]) // (8 * arr.shape[1]) - 1 for s in split], dtype=np.int64)
        is_chunk = np.zeros(len(arr), dtype=bool)
        is_chunk[np.r_[0, np.cumsum(blocks + 1)[:-1]]] = True
        p = pos[ids]
        within = np.arange(int(blocks.sum())) - np.repeat(np.cumsum(blocks) - blocks, blocks)
        out.append(
            _Part(
                numeric,
                fields,
                arr[is_chunk],
                arr[~is_chunk][None],
                np.repeat(p * max_blocks, blocks) + within,
                _ends_rank(heads[head], p, count),
            )
        )
    return out


def _point_fields(header: dict[str, Any]) -> list[int]:
    """Where the floats of a stored point go in a full one (step, value, ``_runtime``,
    ``_timestamp``): a summary stores only the carried columns its chunk has (``"c"``; a
    ``PBS1`` summary, without it, stores both)."""
    kept = header.get("c", SUMMARY_CARRY)
    return [0, 1, *(2 + SUMMARY_CARRY.index(c) for c in kept)]


def _prefix_size(blob: bytes) -> int:
    """The bytes before a summary's body: magic, row count, header length, header."""
    (hlen,) = struct.unpack_from("<I", blob, 8)
    return 12 + int(hlen)


def _all_alike(summaries: Sequence[bytes]) -> Any:
    """The summaries joined as a ``(summaries, bytes)`` uint8 array when they all share one
    prefix (``PBS2``, one header and row count, body 8-byte aligned) and so one size, else
    ``None``. One C-level pass for the sizes and one array compare for the prefixes: no
    per-summary Python work for a run's thousand summaries."""
    import numpy as np

    if not summaries or summaries[0][:4] != _MAGIC:
        return None
    off, size = _prefix_size(summaries[0]), len(summaries[0])
    if off % 8 or size % 8 or len(set(map(len, summaries))) != 1:
        return None
    joined = np.frombuffer(b"".join(summaries), dtype=np.uint8).reshape(len(summaries), size)
    if not (joined[:, :off] == joined[0, :off]).all():
        return None
    return joined


def _blocks(prefix: bytes) -> int:
    """The number of blocks of a summary, from its prefix (magic, rows, header)."""
    (n,) = struct.unpack_from("<I", prefix, 4)
    return int(-(-n // int(json.loads(prefix[12:])["b"])))


def _ends_rank(head_order: int, pos: Any, count: int) -> Any:
    """The reference reader's order of a header's ends: every chunk's first point, then every
    chunk's last point, header after header."""
    import numpy as np

    base = head_order * 2 * count
    return np.concatenate([base + pos, base + count + pos])


def _candidates(
    parts: list[_Part], edges: Sequence[tuple[int, dict[str, Any]]], names: list[str]
) -> _Candidates:
    import numpy as np

    from parabola.storages._envelope import _numeric

    k = len(names)
    at: list[Any] = []
    fields: list[Any] = []
    rank: list[Any] = []
    ends: list[Any] = []
    ends_rank: list[Any] = []
    for part in parts:
        index = {key: i for i, key in enumerate(part.numeric)}
        cols = [index.get(key, -1) for key in names]
        if all(c < 0 for c in cols):
            continue
        kg, pw = len(part.numeric), len(part.fields)
        n_sum, n_blocks, _ = part.block_rows.shape
        # (summaries, blocks, keys, 2 points) -> (8, keys, summaries * blocks): the one copy
        # of the points, keys first, NaN for the carried columns the chunks lack.
        stored = part.block_rows[:, :, 2:].reshape(n_sum, n_blocks, kg, 2 * pw)
        stored = stored.transpose(3, 2, 0, 1)
        chunks = part.chunk_rows[:, 2:].reshape(len(part.chunk_rows), kg, 2 * pw)
        if pw == 4:
            f = np.ascontiguousarray(stored).reshape(8, kg, n_sum * n_blocks)
        else:
            to = part.fields + [4 + i for i in part.fields]
            f = np.full((8, kg, n_sum * n_blocks), np.nan)
            f[to] = stored.reshape(2 * pw, kg, n_sum * n_blocks)
            full = np.full((len(chunks), kg, 8), np.nan)
            full[:, :, to] = chunks
            chunks = full
        if cols != list(range(kg)):  # other keys, or another order: gather, NaN-fill
            take = np.array([max(c, 0) for c in cols], dtype=np.intp)
            missing = [j for j, c in enumerate(cols) if c < 0]
            f, chunks = f[:, take], chunks[:, take]
            f[:, missing] = np.nan
            chunks[:, missing] = np.nan
        at.append(part.block_rows[:, :, 0].ravel())
        fields.append(f)
        rank.append(part.rank)
        ends += [chunks[:, :, 0:4], chunks[:, :, 4:8]]
        ends_rank.append(part.ends_rank)
    # Edge rows come after every summary point, in their order.
    base = max((int(r.max()) + 1 for r in ends_rank if len(r)), default=0)
    base_rank = max((int(r.max()) + 1 for r in rank if len(r)), default=0)
    for _, cols_of in edges:
        if "_step" not in cols_of:
            continue
        steps = _numeric(cols_of["_step"])
        ok = np.isfinite(steps)
        rows = int(ok.sum())
        pts = np.full((rows, k, 4), np.nan)
        pts[:, :, 0] = steps[ok, None]
        for j, key in enumerate(names):
            if key in cols_of:
                pts[:, j, 1] = _numeric(cols_of[key])[ok]
        for c, name in enumerate(SUMMARY_CARRY):
            if name in cols_of:
                pts[:, :, 2 + c] = _numeric(cols_of[name])[ok, None]
        at.append(steps[ok])
        f = pts.transpose(2, 1, 0)  # (4, keys, rows): an edge row is its own min and max
        fields.append(np.concatenate([f, f]))
        rank.append(base_rank + np.arange(rows))
        base_rank += rows
        ends.append(pts)
        ends_rank.append(base + np.arange(rows))
        base += rows
    if not at:
        empty = np.empty(0, dtype=np.int64)
        return _Candidates(np.empty(0), np.empty((8, k, 0)), empty, np.empty((0, k, 4)), empty)
    return _Candidates(
        np.concatenate(at),
        fields[0] if len(fields) == 1 else np.concatenate(fields, axis=2),
        np.concatenate(rank),
        np.concatenate(ends),
        np.concatenate(ends_rank),
    )


def _first_of_segments(
    value: Any, step: Any, rank: Any, starts: Any, counts: Any, reduce: Any
) -> Any:
    """Per segment (``starts``/``counts`` of runs in the flat arrays), the position of its
    extreme ``value`` (``reduce``: ``numpy.minimum`` or ``maximum``); among equal values the
    smallest ``step``, then the smallest ``rank``."""
    import numpy as np

    hit = value == np.repeat(reduce.reduceat(value, starts), counts)
    if (np.add.reduceat(hit, starts) == 1).all():  # no tie (the usual float metric)
        return np.flatnonzero(hit)
    best = np.minimum.reduceat(np.where(hit, step, np.inf), starts)
    hit &= step == np.repeat(best, counts)
    first = np.minimum.reduceat(np.where(hit, rank, np.iinfo(np.int64).max), starts)
    hit &= rank == np.repeat(first, counts)
    return np.flatnonzero(hit)


def _first_and_last(cand: _Candidates) -> tuple[Any, Any, Any]:
    """Per key: whether it has a point, its first point (smallest step, first of equals) and
    its last (largest step, last of equals), ``(keys, 4)`` each."""
    import numpy as np

    ok = np.isfinite(cand.ends[:, :, 1])
    steps = cand.ends[:, :, 0]
    cols = np.arange(cand.ends.shape[1])
    big = np.iinfo(np.int64).max
    picked = []
    for side, fill in ((1, np.inf), (-1, -np.inf)):
        extreme = np.where(ok, steps, fill)
        best = extreme.min(axis=0) if side == 1 else extreme.max(axis=0)
        hit = ok & (steps == best)
        r = cand.ends_rank[:, None]
        at = (
            np.where(hit, r, big).argmin(axis=0)
            if side == 1
            else np.where(hit, r, -1).argmax(axis=0)
        )
        picked.append(cand.ends[at, cols])
    return ok.any(axis=0), picked[0], picked[1]


def envelope_from_summaries(
    summaries: Sequence[bytes],
    edges: Sequence[tuple[int, dict[str, Any]]],
    keys: Sequence[str] | None,
    n_buckets: int,
    carry: Sequence[str],
) -> dict[str, dict[str, list[Any]]]:
    """The envelope (as ``get_run_history_envelope`` returns it) of the chunks whose
    ``summaries`` are given plus the decoded, already step-filtered rows of ``edges`` (chunks
    only partly inside the asked range). ``carry`` must be within :data:`SUMMARY_CARRY`."""
    import numpy as np

    status: dict[str, str] = {}  # key -> worst status, first-seen order
    parts = _parts(summaries, status)
    for _, cols in edges:
        for k, col in cols.items():
            if k != "_step":
                status[k] = max(status.get(k, "e"), _status_of_column(col), key="enx".index)
    present = {c for c in SUMMARY_CARRY if c in status}
    wanted = [k for k in status if k != "_step"] if keys is None else list(keys)
    names = list(dict.fromkeys(k for k in wanted if k != "_step" and status.get(k) == "n"))
    cand = _candidates(parts, edges, names)
    out = {key: {"_step": [], key: [], **_empty_carry(carry, present, key)} for key in names}
    if not names or not len(cand.ends):
        return out
    n_keys, n_cand = len(names), len(cand.at)
    has_any, first_pt, last_pt = _first_and_last(cand)
    lo, hi = first_pt[:, 0], last_pt[:, 0]
    width = (hi - lo) / n_buckets
    width[~(width != 0)] = 1.0  # the row envelope's "or 1.0": one step, one bucket
    # Candidates sorted once by the step that buckets them (a run's already are): each key's
    # buckets are then runs, and key-major flattening makes each (key, bucket) one segment.
    at, fields, rank = cand.at, cand.fields, cand.rank
    if n_cand > 1 and not (at[1:] >= at[:-1]).all():
        order = np.argsort(at, kind="stable")
        at, fields, rank = at[order], fields[:, :, order], rank[order]
    has = np.isfinite(fields[1]) & has_any[:, None]
    with np.errstate(invalid="ignore"):  # NaN steps of candidates without a point
        bucket = ((at[None, :] - lo[:, None]) / width[:, None]).astype(np.int64)
    bucket = np.clip(bucket, 0, n_buckets - 1)
    seg = (np.arange(n_keys)[:, None] * n_buckets + bucket).ravel()
    flat = fields.reshape(8, n_keys * n_cand)
    ranks = np.tile(rank, n_keys)
    if not has.all():
        keep = np.flatnonzero(has.ravel())
        seg, flat, ranks = seg[keep], flat[:, keep], ranks[keep]
    starts = np.flatnonzero(np.r_[True, seg[1:] != seg[:-1]]) if len(seg) else seg[:0]
    counts = np.diff(np.r_[starts, len(seg)])
    picked = []
    for o, reduce in ((0, np.minimum), (4, np.maximum)):
        at_of = _first_of_segments(flat[o + 1], flat[o], ranks, starts, counts, reduce)
        picked.append(flat[o : o + 4, at_of].T)
    bounds = np.searchsorted(seg[starts] // n_buckets, np.arange(n_keys + 1))
    for j, key in enumerate(names):
        if not has_any[j]:
            continue
        a, b = bounds[j], bounds[j + 1]
        p = np.concatenate([first_pt[j : j + 1], last_pt[j : j + 1], *(x[a:b] for x in picked)])
        p = p[_by_step_then_value(p[:, 0], p[:, 1])]
        p = p[np.r_[True, (p[1:, 0] != p[:-1, 0]) | (p[1:, 1] != p[:-1, 1])]]
        series = out[key]
        series["_step"] = _steps_list(p[:, 0])
        series[key] = p[:, 1].tolist()
        for c in series:
            if c not in ("_step", key):
                series[c] = _none_for_nan(p[:, 2 + SUMMARY_CARRY.index(c)])
    return out


def _empty_carry(carry: Sequence[str], present: set[str], key: str) -> dict[str, list[Any]]:
    """The carried columns a series of ``key`` holds (those found in the chunks), empty."""
    return {c: [] for c in carry if c in present and c != key}


def _by_step_then_value(steps: Any, values: Any) -> Any:
    """``numpy.lexsort((values, steps))``: a stable sort by step (fast: the points are nearly
    sorted), by value too only where two points of one step differ in value (duplicate
    steps); points of one step and one value keep their order either way."""
    import numpy as np

    order = np.argsort(steps, kind="stable")
    s, v = steps[order], values[order]
    if ((s[1:] == s[:-1]) & (v[1:] != v[:-1])).any():
        return np.lexsort((values, steps))
    return order


def _steps_list(steps: Any) -> list[Any]:
    """Float steps as Python ints (``int()`` of each, in one C pass where they fit int64)."""
    import numpy as np

    if len(steps) and np.abs(steps).max() < 2.0**62:
        return steps.astype(np.int64).tolist()  # type: ignore[no-any-return]
    return [int(s) for s in steps]


def _none_for_nan(column: Any) -> list[Any]:
    """``column`` as floats, ``None`` where a value is NaN or infinite."""
    import numpy as np

    out: list[Any] = column.tolist()
    for i in np.flatnonzero(~np.isfinite(column)).tolist():
        out[i] = None
    return out


def _status_of_column(column: Any) -> str:
    """A decoded column's status, as a summary header states it (``"n"``, ``"e"``, ``"x"``).

    An empty numeric array (a chunk cut by the range to no row) is ``"e"``: it must not make
    its keys "not numbers", which would drop them from the whole envelope.
    """
    import numpy as np

    if isinstance(column, np.ndarray):
        if column.dtype.kind not in "iuf":
            return "x"
        return "n" if len(column) else "e"
    return _status(column)
