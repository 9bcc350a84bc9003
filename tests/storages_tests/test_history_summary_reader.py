"""The summary reader that buckets all keys at once: the same lists as the per-key reader it
replaced (``_summary_reference.py``), on the summaries' fast path (equal-size, aligned
``PBS2`` blobs) and its slow ones (odd sizes, the earlier zlib ``PBS1`` layout, edge rows),
and through the store: old stores, mixed layouts, interleaved writers.
"""

from __future__ import annotations

import math
import random
import sqlite3
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from parabola.storages import BaseStorage, HistoryQuery, RDBStorage, RunKey
from parabola.storages._sql import _history, _runs
from parabola.storages._sql._summary import encode_summary
from parabola.storages._sql._summary_read import envelope_from_summaries
from parabola.testing.storages import make_run
from tests.storages_tests._summary_reference import reference_envelope, to_full, to_v1

KEY = RunKey("e", "p", "r1")
CARRIES = [("_runtime", "_timestamp"), ("_runtime",), ()]


def _rows(rng: random.Random, start: int, n: int, style: str) -> list[dict[str, Any]]:
    """``n`` history rows from ``start``; ``style`` picks the oddities."""
    rows: list[dict[str, Any]] = []
    for i in range(n):
        s = start + i
        row: dict[str, Any] = {"_step": s, "_runtime": s / 8, "_timestamp": 1e9 + s}
        row["a"] = math.sin(s / 50) + (30.0 if rng.random() < 0.002 else 0.0)
        row["b"] = rng.randint(-3, 3)  # ints: many ties
        if style == "ragged":
            if s % 3:
                row["c"] = rng.choice([rng.random(), math.nan, math.inf])
            if s % 7 == 0:
                del row["_runtime"]
        elif style == "dups":
            row["_step"] = s - (s % 5 == 0) * 3  # repeated and out-of-order steps
            row["a"] = float(rng.randint(0, 2))
        elif style == "flat":  # every row of the chunk at one step (and its first one, too)
            row["_step"] = start
            row["a"] = float(rng.randint(0, 3))
        elif style == "bare":  # no carried column (a run logged through the store API)
            del row["_runtime"], row["_timestamp"]
        elif style == "stamp":  # only the second carried column
            del row["_runtime"]
        elif style == "late" and s >= start + n // 2:
            row["d"] = rng.random()
        rows.append(row)
    return rows


def _summaries(chunks: list[list[dict[str, Any]]], v1: set[int]) -> list[bytes]:
    out = []
    for i, rows in enumerate(chunks):
        blob = encode_summary(len(rows), _history._encode(rows)[3])
        out.append(to_v1(blob) if i in v1 else blob)
    return out


def _edge(rows: list[dict[str, Any]], lo: int, hi: int) -> tuple[int, dict[str, Any]]:
    n, cols = _history.decode_chunk_columns(_history.encode_chunk(rows))
    steps = np.asarray(cols["_step"], dtype=np.float64)
    return _history.filter_columns(n, cols, (steps >= lo) & (steps <= hi))


@pytest.mark.parametrize(
    "style",
    ["plain", "uneven", "ragged", "dups", "late", "mixed", "repeat", "flat", "bare", "stamp"],
)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_reader_gives_the_per_key_readers_lists(style: str, seed: int) -> None:
    rng = random.Random(seed * 100 + len(style))
    chunks: list[list[dict[str, Any]]] = []
    step = 0
    for i in range(rng.randint(6, 14)):
        n = 1000 if style == "plain" else rng.choice([1, 7, 249, 250, 251, 600, 1000])
        kinds = ["plain", "ragged", "dups", "late", "flat", "bare", "stamp"]  # interleaved
        kind = style if style != "mixed" else rng.choice(kinds)
        kind = "dups" if style == "repeat" else kind
        chunks.append(_rows(rng, step, n, kind if style != "uneven" else "plain"))
        if style in ("repeat", "flat", "mixed") and i % 2 == 0:
            continue  # the next chunk logs the same steps again (a resumed run)
        step += n + (rng.randint(0, 50) if i % 3 == 0 else 0)
    v1 = {i for i in range(len(chunks)) if style in ("mixed", "uneven") and rng.random() < 0.4}
    summaries = _summaries(chunks, v1)
    full = [to_full(b) for b in summaries]
    edges = []
    if style != "plain":  # chunks cut by a range, decoded: their rows join the points
        for rows in rng.sample(chunks, 2):
            lo = int(rows[0]["_step"]) + len(rows) // 3
            edges.append(_edge(rows, lo, lo + len(rows) // 2))
        edges.append(_edge(chunks[0], 10**9, 10**9 + 1))  # cut to nothing
    for n_buckets in (1, 3, 17, 200, 2048):
        for keys in (None, ["a"], ["b", "a", "nope", "_step"], ["c", "d", "_runtime"]):
            for carry in CARRIES:
                got = envelope_from_summaries(summaries, edges, keys, n_buckets, carry)
                ref = reference_envelope(full, edges, keys, n_buckets, carry)
                assert got == ref, (n_buckets, keys, carry)
                if keys is None or "a" in keys:  # (equal, and not for want of points)
                    assert len(got["a"]["_step"]) >= min(n_buckets, 3)


def test_an_edge_cut_to_no_row_keeps_the_keys() -> None:
    rng = random.Random(4)
    chunks = [_rows(rng, 1000 * i, 1000, "plain") for i in range(4)]
    summaries = _summaries(chunks, set())
    empty = _edge(chunks[0], 10**9, 10**9 + 1)
    assert empty[0] == 0
    alone = envelope_from_summaries(summaries, [], None, 8, CARRIES[0])
    assert set(alone) == {"a", "b", "_runtime", "_timestamp"}
    assert envelope_from_summaries(summaries, [empty], None, 8, CARRIES[0]) == alone


def test_edges_only_and_columns_without_steps() -> None:
    rows = [{"_step": s, "a": float(s % 4)} for s in range(300)]
    no_step = _history.decode_chunk_columns(_history.encode_chunk([{"a": 1.0}, {"a": 2.0}]))
    for edges in ([_edge(rows, 10, 200)], [no_step], [no_step, _edge(rows, 0, 5)]):
        for carry in CARRIES:
            got = envelope_from_summaries([], edges, None, 7, carry)
            assert got == reference_envelope([], edges, None, 7, carry)
    assert envelope_from_summaries([], [], None, 7, ()) == {}


def test_a_summary_of_another_format_is_refused() -> None:
    with pytest.raises(ValueError, match="bad magic"):
        envelope_from_summaries([b"PBH2" + bytes(20)], [], None, 3, ())


def _store_with_run(path: Path) -> RDBStorage:
    storage = RDBStorage(f"sqlite:///{path}")
    storage.create_run(make_run())
    return storage


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    used: list[bool] = []
    real = _runs._envelope_from_summaries

    def spy(*args: Any, **kwargs: Any) -> Any:
        got = real(*args, **kwargs)
        used.append(got is not None)
        return got

    monkeypatch.setattr(_runs, "_envelope_from_summaries", spy)
    return used


def _rewrite_summaries(path: Path, pick: Any) -> int:
    """Rewrite the summaries ``pick(chunk_id)`` selects as the earlier writer wrote them."""
    con = sqlite3.connect(path)
    done = 0
    with con:
        rows = con.execute("SELECT chunk_id, payload FROM run_history WHERE stream LIKE '~e:%'")
        for chunk_id, payload in rows.fetchall():
            if pick(chunk_id):
                old = to_v1(bytes(payload))
                con.execute(
                    "UPDATE run_history SET payload = ? WHERE chunk_id = ?", (old, chunk_id)
                )
                done += 1
    con.close()
    return done


def test_a_store_of_the_earlier_layout_reads_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    storage = _store_with_run(path)
    rng = random.Random(5)
    storage.append_run_history(KEY, _rows(rng, 0, 40_000, "plain"))
    storage.append_run_history(KEY, _rows(rng, 40_000, 9_500, "ragged"))
    queries = [HistoryQuery(), HistoryQuery(keys=["a"], min_step=3_100, max_step=45_000)]
    before = [storage.get_run_history_envelope(KEY, q, n_buckets=60) for q in queries]
    used = _spy(monkeypatch)
    # All summaries, then every other one, in the zlib layout (a store written before, and one
    # that the new version went on writing to).
    for i, pick in enumerate((lambda _: True, lambda c: c % 4 == 0)):
        copy = tmp_path / f"copy{i}.db"
        src, dst = sqlite3.connect(path), sqlite3.connect(copy)
        src.backup(dst)  # (the store is in WAL mode: a file copy could miss pages)
        src.close()
        dst.close()
        assert _rewrite_summaries(copy, pick) > 0
        storage = RDBStorage(f"sqlite:///{copy}")
        after = [storage.get_run_history_envelope(KEY, q, n_buckets=60) for q in queries]
        assert after == before
    assert used == [True] * 4


def test_interleaved_writers_with_uneven_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "two.db"
    first = _store_with_run(path)
    second = RDBStorage(f"sqlite:///{path}")
    rng = random.Random(9)
    step = 0
    for i in range(40):  # two writers of one run, batches of uneven sizes, one without numpy
        n = rng.choice([3, 120, 777, 1000, 1500])
        writer = first if i % 2 else second
        if i % 5 == 0:
            monkeypatch.delitem(sys.modules, "numpy")
        writer.append_run_history(KEY, _rows(rng, step, n, "plain"))
        monkeypatch.undo()
        step += n
    con = sqlite3.connect(path)
    with con:  # ids interleaved as concurrent PostgreSQL writers leave them: A, B, sA, sB
        ids = [r[0] for r in con.execute("SELECT chunk_id FROM run_history ORDER BY chunk_id")]
        for at in range(10, len(ids) - 4, 15):
            _, s_a, d_b, _ = ids[at : at + 4]
            con.execute("UPDATE run_history SET chunk_id = -1 WHERE chunk_id = ?", (s_a,))
            con.execute("UPDATE run_history SET chunk_id = ? WHERE chunk_id = ?", (s_a, d_b))
            con.execute("UPDATE run_history SET chunk_id = ? WHERE chunk_id = -1", (d_b,))
    con.close()
    used = _spy(monkeypatch)
    storage = RDBStorage(f"sqlite:///{path}")
    rows = {r["_step"]: r for r in storage.get_run_history(KEY)}
    for q in (HistoryQuery(), HistoryQuery(keys=["a"], min_step=500, max_step=step - 700)):
        env = storage.get_run_history_envelope(KEY, q, n_buckets=40)
        full = BaseStorage.get_run_history_envelope(storage, KEY, q, n_buckets=40)
        assert list(env) == list(full)
        for key, series in env.items():
            ref = full[key]
            assert series["_step"][0] == ref["_step"][0]
            assert series["_step"][-1] == ref["_step"][-1]
            assert max(series[key]) == max(ref[key]) and min(series[key]) == min(ref[key])
            for i, s in enumerate(series["_step"]):  # only real rows, with their own carries
                assert rows[s][key] == series[key][i]
                assert series["_runtime"][i] == rows[s]["_runtime"]
    assert used == [True, True]
