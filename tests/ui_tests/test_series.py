"""Chart series: the envelope cache, re-bucketing on zoom, a live run's tail, the group band."""

from __future__ import annotations

import numpy as np
import pytest

from parabola.storages import InMemoryStorage, RunKey, RunRecord, RunState
from parabola.ui._series import FINE_BUCKETS, SeriesCache, rebucket

PATH = ("e", "p", "r")


def _store(n: int, spike_at: int | None = None) -> InMemoryStorage:
    from datetime import datetime

    store = InMemoryStorage()
    now = datetime(2026, 1, 1)
    store.create_run(RunRecord("r", "p", "e", "r", RunState.RUNNING, now, now))
    rows = [{"_step": i, "loss": float(np.sin(i / 100)), "_runtime": i * 0.5} for i in range(n)]
    if spike_at is not None:
        rows[spike_at]["loss"] = 1e6
    store.append_run_history(RunKey(*PATH), rows)
    return store


def test_rebucket_keeps_first_last_and_extremes() -> None:
    steps = np.arange(10_000)
    values = np.zeros(10_000)
    values[4321] = 9.0
    values[777] = -3.0
    idx = rebucket(steps, values, 50)
    assert len(idx) <= 102 and idx[0] == 0 and idx[-1] == 9999
    assert 4321 in idx and 777 in idx
    assert list(idx) == sorted(idx)
    assert list(rebucket(steps[:10], values[:10], 50)) == list(range(10))


def test_a_spike_survives_two_reductions() -> None:
    n = 20 * FINE_BUCKETS  # more rows than the cached envelope keeps
    cache = SeriesCache(_store(n, spike_at=12_345))
    s = cache.series(PATH, "loss", points=50)
    assert s["n_points"] <= 102 and max(s["y"]) == 1e6 and 12_345 in s["step"]
    assert s["from_range_read"] is False


def test_zoom_narrow_reads_the_range_wide_rebuckets_the_cache() -> None:
    n = 20 * FINE_BUCKETS
    cache = SeriesCache(_store(n))
    narrow = cache.series(PATH, "loss", min_step=1000, max_step=1100, points=500)
    assert narrow["from_range_read"] is True and narrow["step"] == list(range(1000, 1101))
    wide = cache.series(PATH, "loss", min_step=0, max_step=n // 2, points=100)
    assert wide["from_range_read"] is False
    assert min(wide["step"]) >= 0 and max(wide["step"]) <= n // 2


def test_x_axis_runtime_and_another_metric() -> None:
    cache = SeriesCache(_store(100))
    s = cache.series(PATH, "loss", x_axis="_runtime")
    assert s["x"] == [i * 0.5 for i in range(100)]
    store = _store(100)
    store.append_run_history(RunKey(*PATH), [{"_step": 100, "loss": 0.0, "acc": 1.0}])
    cache = SeriesCache(store)
    s = cache.series(PATH, "loss", x_axis="acc")
    assert s["x"][-1] == 1.0 and s["x"][0] is None  # rows without acc have no x


def test_a_live_run_gains_points_past_the_last_step(monkeypatch: pytest.MonkeyPatch) -> None:
    import parabola.ui._series as series_module

    monkeypatch.setattr(series_module, "_TAIL_EVERY_S", 0.0)
    store = _store(100)
    cache = SeriesCache(store)
    assert cache.series(PATH, "loss", live=True)["n_points"] == 100
    store.append_run_history(RunKey(*PATH), [{"_step": 100 + i, "loss": 5.0} for i in range(20)])
    finished_view = cache.series(PATH, "loss", live=False)
    assert finished_view["n_points"] == 100  # not live: the cache is not re-read
    live = cache.series(PATH, "loss", live=True)
    assert live["n_points"] == 120 and live["step"][-1] == 119
    # A long live tail is folded back into a chart-sized envelope, extremes kept.
    more = [{"_step": 120 + i, "loss": float(i % 7)} for i in range(5 * FINE_BUCKETS)]
    more[999]["loss"] = -50.0
    store.append_run_history(RunKey(*PATH), more)
    s = cache.series(PATH, "loss", live=True, points=FINE_BUCKETS)
    assert min(s["y"]) == -50.0 and s["step"][-1] == 119 + 5 * FINE_BUCKETS


def test_group_band_is_exact_and_mean_in_between() -> None:
    from datetime import datetime

    store = InMemoryStorage()
    now = datetime(2026, 1, 1)
    for k in range(3):
        store.create_run(RunRecord(f"r{k}", "p", "e", f"r{k}", RunState.FINISHED, now, now))
        store.append_run_history(
            RunKey("e", "p", f"r{k}"), [{"_step": i, "loss": float(k)} for i in range(100)]
        )
    g = SeriesCache(store).group([("e", "p", f"r{k}") for k in range(3)], "loss", points=10)
    assert g["n_runs"] == 3 and len(g["x"]) == 10
    assert set(g["min"]) == {0.0} and set(g["max"]) == {2.0} and set(g["mean"]) == {1.0}
    none = SeriesCache(store).group([("e", "p", "r0")], "absent")
    assert none["n_runs"] == 0 and none["x"] == []


def test_lru_bound() -> None:
    store = _store(10)
    cache = SeriesCache(store, max_runs=1)
    cache.keys(PATH, "default", False)
    cache.keys(PATH, "system", False)
    assert len(cache._entries) == 1


def test_a_metric_becomes_arrays_on_its_first_chart(monkeypatch: pytest.MonkeyPatch) -> None:
    import parabola.ui._series as series_module

    monkeypatch.setattr(series_module, "_TAIL_EVERY_S", 0.0)
    store = _store(0)
    rows = [{"_step": i, "loss": i * 1.0, "acc": -i * 1.0, "lr": 0.1} for i in range(300)]
    store.append_run_history(RunKey(*PATH), rows)
    cache = SeriesCache(store)
    assert cache.series(PATH, "loss")["step"][-1] == 299
    (entry,) = cache._entries.values()
    assert set(entry.series) == {"loss"}  # the other metrics wait as the store's lists
    assert set(entry.pending) == {"acc", "lr"}
    assert cache.keys(PATH, "default", False) == ["acc", "loss", "lr"]
    band = cache.group([PATH], "acc", points=10)
    assert band["min"][0] == -29.0 and band["max"][-1] == -270.0 and "acc" in entry.series
    # A live tail read while a metric is still pending: its new points join its old ones.
    store.append_run_history(RunKey(*PATH), [{"_step": 300 + i, "lr": 0.5} for i in range(5)])
    assert "lr" in entry.pending
    live = cache.series(PATH, "lr", live=True)
    assert live["step"][0] == 0 and live["step"][-1] == 304 and live["y"][-1] == 0.5
    assert entry.last_step == 304 and entry.span == (0, 304)
    with pytest.raises(KeyError):
        cache.series(PATH, "absent")
