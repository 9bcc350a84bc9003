"""The per-key summary reader the vectorised one replaced, kept as the tests' reference.

``reference_envelope`` is ``envelope_from_summaries`` as it was before the reader bucketed all
keys at once (one lexsort per key and bucket side); the tests check that the new reader gives
the very same lists. It reads both summary layouts (``PBS1``: zlib body, ``PBS2``: raw) with
both carried columns in every point (:func:`to_full` makes such blobs of the writer's), and
has the one fix made with the new reader: an edge chunk cut to no row (empty arrays) leaves
its keys' status alone (it made them "not numbers", so the envelope lost them).
"""

from __future__ import annotations

import json
import math
import struct
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from parabola.storages._envelope import _numeric
from parabola.storages._sql._summary import SUMMARY_CARRY, _status


def to_full(blob: bytes) -> bytes:
    """``blob`` (a ``PBS2`` summary) with both carried columns in every point, NaN where the
    chunk lacks one: the layout the reference reads (``PBS1`` blobs are returned as they are)."""
    if blob[:4] == b"PBS1":
        return blob
    n, hlen = struct.unpack_from("<II", blob, 4)
    h = json.loads(blob[12 : 12 + hlen])
    kept = h["c"]
    numeric = sum(1 for _, st in h["k"] if st == "n")
    pw = 2 + len(kept)
    rows = np.frombuffer(blob[12 + hlen :], dtype="<f8").reshape(-1, 2 + 2 * pw * numeric)
    points = rows[:, 2:].reshape(len(rows), numeric, 2, pw)
    full = np.full((len(rows), numeric, 2, 4), np.nan)
    full[..., :2] = points[..., :2]
    for i, c in enumerate(kept):
        full[..., 2 + SUMMARY_CARRY.index(c)] = points[..., 2 + i]
    body = np.concatenate([rows[:, :2], full.reshape(len(rows), -1)], axis=1)
    h["c"] = list(SUMMARY_CARRY)
    head = json.dumps(h).encode()
    head += b" " * (-(12 + len(head)) % 8)
    return b"PBS2" + struct.pack("<II", n, len(head)) + head + body.astype("<f8").tobytes()


def to_v1(blob: bytes) -> bytes:
    """``blob`` (a ``PBS2`` summary) as the earlier writer wrote it: ``PBS1``, both carried
    columns in every point, header without ``"c"`` nor alignment spaces, zlib body."""
    assert blob[:4] == b"PBS2", blob[:4]
    blob = to_full(blob)
    n, hlen = struct.unpack_from("<II", blob, 4)
    h = json.loads(blob[12 : 12 + hlen])
    head = json.dumps({"b": h["b"], "k": h["k"]}).encode()
    body = zlib.compress(blob[12 + hlen :], 1)
    return b"PBS1" + struct.pack("<II", n, len(head)) + head + body


def _split(blob: bytes) -> tuple[int, bytes, bytes]:
    n, hlen = struct.unpack_from("<II", blob, 4)
    body = blob[12 + hlen :]
    return n, blob[12 : 12 + hlen], zlib.decompress(body) if blob[:4] == b"PBS1" else body


def _status_of_column(column: Any) -> str:
    if isinstance(column, np.ndarray):
        return ("n" if len(column) else "e") if column.dtype.kind in "iuf" else "x"
    return _status(column)


def _points_of_columns(columns: dict[str, Any], key: str) -> tuple[Any, Any, list[Any]] | None:
    if key not in columns or "_step" not in columns:
        return None
    steps = _numeric(columns["_step"])
    values = _numeric(columns[key])
    ok = np.isfinite(steps) & np.isfinite(values)
    carried = [
        _numeric(columns[c])[ok] if c in columns else np.full(int(ok.sum()), np.nan)
        for c in SUMMARY_CARRY
    ]
    return steps[ok], values[ok], carried


def reference_envelope(
    summaries: Sequence[bytes],
    edges: Sequence[tuple[int, dict[str, Any]]],
    keys: Sequence[str] | None,
    n_buckets: int,
    carry: Sequence[str],
) -> dict[str, dict[str, list[Any]]]:
    # Group the summaries by header: each group's bodies join into one array.
    groups: dict[bytes, tuple[list[int], list[bytes]]] = {}
    for blob in summaries:
        n, head, body = _split(blob)
        g = groups.setdefault(head, ([], []))
        g[0].append(n)
        g[1].append(body)
    status: dict[str, str] = {}  # key -> worst status, first-seen order
    parsed: list[tuple[dict[str, int], Any, Any, Any]] = []
    for head, (ns, bodies) in groups.items():
        h = json.loads(head)
        block = int(h["b"])
        numeric = [k for k, s in h["k"] if s == "n"]
        for k, s in h["k"]:
            status[k] = max(status.get(k, "e"), s, key="enx".index)
        row_width = 2 + 8 * len(numeric)
        arr = np.frombuffer(b"".join(bodies), dtype="<f8").reshape(-1, row_width)
        counts = np.array([1 + -(-n // block) for n in ns])
        chunk_rows = np.r_[0, np.cumsum(counts)[:-1]]
        is_chunk = np.zeros(len(arr), dtype=bool)
        is_chunk[chunk_rows] = True
        parsed.append(({k: i for i, k in enumerate(numeric)}, arr[is_chunk], arr[~is_chunk], None))
    for _, cols in edges:
        for k, col in cols.items():
            if k != "_step":
                status[k] = max(status.get(k, "e"), _status_of_column(col), key="enx".index)
    carried_present = {c for c in SUMMARY_CARRY if c in status}
    names = [k for k in status if k != "_step"] if keys is None else list(keys)
    out: dict[str, dict[str, list[Any]]] = {}
    for key in names:
        if key == "_step" or status.get(key) != "n":
            continue
        # Candidates: first/last points, and (bucket step, min point, max point) per block.
        ends: list[Any] = []
        blk_at: list[Any] = []
        blk_min: list[Any] = []
        blk_max: list[Any] = []
        for index, chunk_arr, block_arr, _ in parsed:
            i = index.get(key)
            if i is None:
                continue
            o = 2 + 8 * i
            ends += [chunk_arr[:, o : o + 4], chunk_arr[:, o + 4 : o + 8]]
            blk_at.append(block_arr[:, 0])
            blk_min.append(block_arr[:, o : o + 4])
            blk_max.append(block_arr[:, o + 4 : o + 8])
        for _, cols in edges:
            got = _points_of_columns(cols, key)
            if got is None:
                continue
            e_steps, e_values, e_carried = got
            pts = np.column_stack([e_steps, e_values, *e_carried])
            ends.append(pts)
            blk_at.append(e_steps)
            blk_min.append(pts)
            blk_max.append(pts)
        end_pts = np.concatenate(ends) if ends else np.empty((0, 4))
        end_pts = end_pts[np.isfinite(end_pts[:, 1])]
        series: dict[str, list[Any]] = {"_step": [], key: []}
        extra = [c for c in carry if c in carried_present and c != key]
        for c in extra:
            series[c] = []
        if len(end_pts):
            first = end_pts[np.lexsort((np.arange(len(end_pts)), end_pts[:, 0]))[0]]
            last = end_pts[np.lexsort((np.arange(len(end_pts)), end_pts[:, 0]))[-1]]
            at = np.concatenate(blk_at)
            mins = np.concatenate(blk_min)
            maxs = np.concatenate(blk_max)
            has = np.isfinite(mins[:, 1])
            at, mins, maxs = at[has], mins[has], maxs[has]
            lo, hi = float(first[0]), float(last[0])
            width = (hi - lo) / n_buckets or 1.0
            bucket = np.clip(((at - lo) / width).astype(np.int64), 0, n_buckets - 1)
            picked = [first[None, :], last[None, :]]
            for pts, sign in ((mins, 1.0), (maxs, -1.0)):
                order = np.lexsort((pts[:, 0], sign * pts[:, 1], bucket))
                b_sorted = bucket[order]
                lead = np.r_[True, b_sorted[1:] != b_sorted[:-1]]
                picked.append(pts[order[lead]])
            pts = np.concatenate(picked)
            pts = pts[np.lexsort((pts[:, 1], pts[:, 0]))]
            keep = np.r_[True, np.any(pts[1:, :2] != pts[:-1, :2], axis=1)]
            pts = pts[keep]
            series["_step"] = [int(s) for s in pts[:, 0]]
            series[key] = pts[:, 1].tolist()
            for c in extra:
                col = pts[:, 2 + SUMMARY_CARRY.index(c)]
                series[c] = [None if not math.isfinite(v) else float(v) for v in col.tolist()]
        out[key] = series
    return out
