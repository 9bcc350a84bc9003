"""The SQL store's envelope summaries: written with each chunk, read for long ranges.

A chart's envelope of a long range comes from the per-chunk summaries instead of the rows; it
must keep every spike, give only real rows, agree with the row envelope on the extremes and
the first and last points, and fall back to the rows wherever summaries cannot answer.
"""

from __future__ import annotations

import json
import math
import random
import sqlite3
import struct
import sys
from pathlib import Path
from typing import Any

import pytest

from parabola.storages import BaseStorage, HistoryQuery, RDBStorage, RunKey
from parabola.storages._sql._summary import SUMMARY_BLOCK, encode_summary
from parabola.testing.storages import make_run

KEY = RunKey("e", "p", "r1")
SPIKES = {1_234: 90.0, 31_337: -80.0, 52_000: 70.0, 59_999: 60.0}


def _rows(n: int, start: int = 0) -> list[dict[str, Any]]:
    rng = random.Random(start)
    rows: list[dict[str, Any]] = []
    for s in range(start, start + n):
        row: dict[str, Any] = {"_step": s, "_runtime": s / 10, "a": math.sin(s / 300)}
        row["b"] = rng.randint(-5, 5)
        rows.append(row)
        if s in SPIKES:
            row["a"] = SPIKES[s]
    return rows


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> RDBStorage:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 's.db'}"
    else:
        url = request.getfixturevalue("pg_clean")
    storage = RDBStorage(url)
    storage.create_run(make_run())
    return storage


def _check_against_rows(
    storage: BaseStorage, query: HistoryQuery, n_buckets: int
) -> dict[str, dict[str, list[Any]]]:
    env = storage.get_run_history_envelope(KEY, query, n_buckets=n_buckets)
    full = BaseStorage.get_run_history_envelope(storage, KEY, query, n_buckets=n_buckets)
    assert list(env) == list(full)
    every = HistoryQuery(stream=query.stream, min_step=query.min_step, max_step=query.max_step)
    rows = {r["_step"]: r for r in storage.get_run_history(KEY, every)}
    for key, series in env.items():
        ref = full[key]
        assert set(series) == set(ref)
        assert len(series["_step"]) <= 2 * n_buckets + 2
        assert series["_step"] == sorted(series["_step"])
        assert series["_step"][0] == ref["_step"][0]
        assert series["_step"][-1] == ref["_step"][-1]
        assert max(series[key]) == max(ref[key]) and min(series[key]) == min(ref[key])
        for i, step in enumerate(series["_step"]):  # only real rows, with their own carries
            assert rows[step][key] == series[key][i]
            if "_runtime" in series:
                assert series["_runtime"][i] == rows[step]["_runtime"]
    return env


def test_long_range_comes_from_summaries_and_keeps_spikes(store: RDBStorage) -> None:
    n = 60_000
    store.append_run_history(KEY, _rows(n))
    n_buckets = n // SUMMARY_BLOCK // 2
    calls: list[str] = []
    original = RDBStorage.get_run_history_columns

    def spy(self: RDBStorage, key: RunKey, query: HistoryQuery | None = None) -> dict[str, Any]:
        calls.append("rows")
        return original(self, key, query)

    RDBStorage.get_run_history_columns = spy  # type: ignore[method-assign]
    try:
        env = store.get_run_history_envelope(KEY, n_buckets=n_buckets)
    finally:
        RDBStorage.get_run_history_columns = original  # type: ignore[method-assign]
    assert calls == []
    assert set(env) == {"_runtime", "a", "b"}
    for step, value in SPIKES.items():
        assert value in env["a"]["a"] and step in env["a"]["_step"]
    _check_against_rows(store, HistoryQuery(), n_buckets)
    _check_against_rows(store, HistoryQuery(keys=["a"]), n_buckets)
    # A range cut inside chunks: its edge chunks are read from their rows.
    part = _check_against_rows(store, HistoryQuery(keys=["a"], min_step=1_200, max_step=59_999), 40)
    assert part["a"]["_step"][0] == 1_200 and 59_999 in part["a"]["_step"]
    assert 1_234 in part["a"]["_step"]
    # Few rows per bucket: the rows answer, exactly as before.
    narrow = HistoryQuery(keys=["a"], min_step=30_000, max_step=32_000)
    assert store.get_run_history_envelope(
        KEY, narrow, n_buckets=100
    ) == BaseStorage.get_run_history_envelope(store, KEY, narrow, n_buckets=100)


def test_chunks_without_summaries_are_read_from_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    storage = RDBStorage(f"sqlite:///{path}")
    storage.create_run(make_run())
    storage.append_run_history(KEY, _rows(30_000))
    con = sqlite3.connect(path)
    with con:  # as a store written before summaries existed for part of the run
        con.execute("DELETE FROM run_history WHERE stream LIKE '~e:%' AND min_step >= 10000")
    con.close()
    storage = RDBStorage(f"sqlite:///{path}")
    q = HistoryQuery(keys=["a"])
    assert storage.get_run_history_envelope(
        KEY, q, n_buckets=50
    ) == BaseStorage.get_run_history_envelope(storage, KEY, q, n_buckets=50)


def test_summary_rows_are_written_and_removed_with_their_chunks(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    storage = RDBStorage(f"sqlite:///{path}")
    storage.create_run(make_run())
    storage.append_run_history(KEY, _rows(2_500))
    bad = _rows(1_500, start=2_500)
    bad[1_200]["a"] = object()  # the second chunk fails to encode: nothing is written
    with pytest.raises(TypeError):
        storage.append_run_history(KEY, bad)

    def count() -> dict[str, int]:
        con = sqlite3.connect(path)
        rows = con.execute("SELECT stream, COUNT(*) FROM run_history GROUP BY stream").fetchall()
        con.close()
        return dict(rows)

    assert count() == {"default": 3, "~e:default": 3}
    with pytest.raises(ValueError, match="may not start"):
        storage.append_run_history(KEY, [{"_step": 0}], stream="~e:default")
    long_name = "s" * 62  # no room for the summary stream's prefix: rows only
    storage.append_run_history(KEY, _rows(100), stream=long_name)
    assert count()[long_name] == 1 and len(count()) == 3
    q = HistoryQuery(stream=long_name, keys=["a"])
    assert storage.get_run_history_envelope(KEY, q, n_buckets=1)["a"]["_step"][-1] == 99
    storage.delete_run(KEY)
    assert count() == {}


def test_odd_chunks_give_the_row_envelope(tmp_path: Path) -> None:
    storage = RDBStorage(f"sqlite:///{tmp_path / 'odd.db'}")
    storage.create_run(make_run())
    rng = random.Random(3)
    rows: list[dict[str, Any]] = []
    for s in range(12_000):
        row: dict[str, Any] = {"_step": s if s % 977 else s - 5}  # a few steps out of order
        if s % 3:
            row["a"] = rng.random() if s % 101 else math.nan  # ragged, with NaN
        row["c"] = rng.random() if s < 11_000 else "text"  # not a number late: no series
        row["d"] = None if s < 6_000 else float(s)  # numbers only in the second half
        row["i"] = rng.randint(0, 9) if s % 2 else 2.5  # ints and floats mixed
        rows.append(row)
    rows[7_777]["a"] = 1e300
    storage.append_run_history(KEY, rows)
    env = _check_against_rows(storage, HistoryQuery(), 12)
    assert "c" not in env and {"a", "d", "i"} <= set(env)
    assert 1e300 in env["a"]["a"]


def test_encode_summary_of_columns_without_steps() -> None:
    blob = encode_summary(3, [("a", (1.0, 2.0, 3.0), None, "f", None)])
    assert blob[:4] == b"PBS2"
    n, hlen = struct.unpack_from("<II", blob, 4)
    # Raw float64 body (no compression), 8-byte aligned: a chunk row and one block row of
    # 2 + 2 points x (step, value) each: no carried column in this chunk, none stored.
    assert n == 3 and (12 + hlen) % 8 == 0 and len(blob) == 12 + hlen + 2 * 6 * 8
    assert json.loads(blob[12 : 12 + hlen])["c"] == []


def test_numpy_and_stdlib_summaries_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    from parabola.storages._sql import _history

    rows = _rows(1_000)
    rows[3]["a"] = math.nan  # a NaN column takes the stdlib path in both
    rows[600]["b"] = 7  # ties of the int column: the first one is kept by both
    rows[610]["b"] = 7
    for part in (rows[:1_000], rows[:700], _rows(999, start=5)):
        columns = _history._encode(part)[3]
        with_numpy = encode_summary(len(part), columns)
        monkeypatch.delitem(sys.modules, "numpy")
        without = encode_summary(len(part), columns)
        monkeypatch.undo()
        assert with_numpy == without


def test_chunks_without_summary_join_by_their_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import numpy  # noqa: F401  (the writer summarises only with numpy loaded)

    path = tmp_path / "mixed.db"
    storage = RDBStorage(f"sqlite:///{path}")
    storage.create_run(make_run())
    monkeypatch.delitem(sys.modules, "numpy")
    storage.append_run_history(KEY, _rows(10_000))  # a writer without numpy: no summaries
    monkeypatch.undo()
    storage.append_run_history(KEY, _rows(50_000, start=10_000))
    con = sqlite3.connect(path)
    counts = dict(con.execute("SELECT stream, COUNT(*) FROM run_history GROUP BY stream"))
    con.close()
    assert counts == {"default": 60, "~e:default": 50}
    env = _check_against_rows(storage, HistoryQuery(keys=["a"]), 60)
    assert 1_234 in env["a"]["_step"] and 31_337 in env["a"]["_step"]  # decoded, summarised


def _spy_summary_path(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Record, per envelope read, whether the summaries answered (``False``: the row path)."""
    from parabola.storages._sql import _runs

    used: list[bool] = []
    real = _runs._envelope_from_summaries

    def spy(*args: Any, **kwargs: Any) -> Any:
        got = real(*args, **kwargs)
        used.append(got is not None)
        return got

    monkeypatch.setattr(_runs, "_envelope_from_summaries", spy)
    return used


def test_long_ranges_and_zooms_are_answered_from_the_summaries(
    store: RDBStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    import numpy  # noqa: F401  (the writer summarises only with numpy loaded)

    store.append_run_history(KEY, _rows(20_000))
    used = _spy_summary_path(monkeypatch)
    _check_against_rows(store, HistoryQuery(keys=["a"]), 20)
    # A zoom into the last quarter: the chunks outside it are neither read nor counted as
    # chunks without a summary.
    zoom = _check_against_rows(store, HistoryQuery(keys=["a"], min_step=15_000), 4)
    assert min(zoom["a"]["_step"]) >= 15_000
    assert used == [True, True]


def test_a_summary_pairs_only_with_the_chunk_it_describes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import numpy  # noqa: F401  (the writer summarises only with numpy loaded)

    path = tmp_path / "pairs.db"
    storage = RDBStorage(f"sqlite:///{path}")
    storage.create_run(make_run())
    storage.append_run_history(KEY, _rows(20_000))
    con = sqlite3.connect(path)
    with con:  # two writers interleaving ids: chunk A, chunk B, summary A, summary B
        _, s_a, d_b, _ = [
            r[0] for r in con.execute("SELECT chunk_id FROM run_history ORDER BY chunk_id")
        ][-4:]
        con.execute("UPDATE run_history SET chunk_id = -1 WHERE chunk_id = ?", (s_a,))
        con.execute("UPDATE run_history SET chunk_id = ? WHERE chunk_id = ?", (s_a, d_b))
        con.execute("UPDATE run_history SET chunk_id = ? WHERE chunk_id = -1", (d_b,))
    con.close()
    storage = RDBStorage(f"sqlite:///{path}")
    q = HistoryQuery(keys=["a"])
    env = storage.get_run_history_envelope(KEY, q, n_buckets=20)
    assert env == BaseStorage.get_run_history_envelope(storage, KEY, q, n_buckets=20)


def test_a_value_the_summary_cannot_hold_never_costs_the_rows(store: RDBStorage) -> None:
    import numpy  # noqa: F401  (the writer summarises only with numpy loaded)

    rows = _rows(1_500)
    rows[7]["huge"] = 10**400  # an int beyond float range: kept as logged
    store.append_run_history(KEY, rows)
    back = store.get_run_history(KEY, HistoryQuery())
    assert len(back) == 1_500 and back[7]["huge"] == 10**400
    env = _check_against_rows(store, HistoryQuery(keys=["a"]), 3)
    assert 1_234 in env["a"]["_step"]
