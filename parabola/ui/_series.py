"""Chart series: store-side min/max buckets, kept per run and re-bucketed on zoom.

The first chart of a run asks the store for the envelope of every numeric metric at
``FINE_BUCKETS`` buckets (:meth:`BaseStorage.get_run_history_envelope`: the SQL store answers a
long run from its per-chunk min/max summaries, a short one with one pass over the rows); later
charts, zooms that still span many of those buckets, and the group band are
re-bucketed from those points in memory. A zoom narrower than an eighth of the run asks the store
again for just that step range, at full resolution. A live run's new rows are read past the last
known step (the store skips older chunks) and appended, so a poll costs what changed.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from parabola.storages import HistoryQuery, RunKey

if TYPE_CHECKING:
    import numpy as np

    from parabola.storages import BaseStorage

__all__ = ["FINE_BUCKETS", "MAX_POINTS", "SeriesCache", "rebucket"]

FINE_BUCKETS = 2048
MAX_POINTS = 5000
_CARRY = ("_runtime", "_timestamp")
X_AXES = ("_step", "_runtime", "_timestamp")
_TAIL_EVERY_S = 0.5


def rebucket(steps: np.ndarray, values: np.ndarray, n_buckets: int) -> np.ndarray:
    """Sorted positions of the first, last and per-bucket min/max of ``values``.

    The same rule the store applies (``get_run_history_envelope``), here on points already in
    memory: applied to an envelope it keeps that envelope's extremes, so spikes survive twice.
    """
    import numpy as np

    n = len(steps)
    if n <= 2 * n_buckets + 2:
        return np.arange(n)
    lo, hi = float(steps[0]), float(steps[-1])
    width = (hi - lo) / n_buckets or 1.0
    bucket = np.minimum(((steps - lo) / width).astype(np.int64), n_buckets - 1)
    starts = np.flatnonzero(np.r_[True, bucket[1:] != bucket[:-1]])
    counts = np.diff(np.r_[starts, n])
    picked = [np.array([0, n - 1])]
    for reduce in (np.minimum, np.maximum):
        hits = np.flatnonzero(values == np.repeat(reduce.reduceat(values, starts), counts))
        _, first = np.unique(bucket[hits], return_index=True)
        picked.append(hits[first])
    return np.unique(np.concatenate(picked))


@dataclass
class _Series:
    steps: Any  # int64 array, ascending
    values: Any
    carried: dict[str, Any]
    n_raw_added: int = 0


@dataclass
class _Entry:
    """One run stream's envelopes. ``pending`` holds the store's lists of the metrics not
    charted yet: a series becomes arrays on its first use (:meth:`get`), so the first chart of
    a run converts one metric, not all of them. Use ``lock`` around :meth:`get`."""

    series: dict[str, _Series] = field(default_factory=dict)
    pending: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    last_step: int = -1
    tail_read_at: float = 0.0
    span: tuple[int, int] = (0, 0)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def names(self) -> list[str]:
        return [*self.series, *self.pending]

    def get(self, key: str) -> _Series | None:
        s = self.series.get(key)
        if s is None and key in self.pending:
            s = self.series[key] = _arrays(self.pending.pop(key), key)
        return s


def _arrays(env: dict[str, list[Any]], key: str) -> _Series:
    import numpy as np

    carried = {
        c: np.array([np.nan if v is None else v for v in env.get(c, [])], dtype=np.float64)
        for c in _CARRY
        if c in env
    }
    return _Series(
        np.asarray(env["_step"], dtype=np.int64), np.asarray(env[key], dtype=np.float64), carried
    )


class SeriesCache:
    """Envelopes of recently viewed runs (LRU, ``max_runs``), safe to share across threads."""

    def __init__(self, storage: BaseStorage, max_runs: int = 32) -> None:
        self._storage = storage
        self._max_runs = max_runs
        self._entries: OrderedDict[tuple[str, str, str, str], _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def _entry(self, path: tuple[str, str, str], stream: str, live: bool) -> _Entry:
        key = (*path, stream)
        with self._lock:
            entry = self._entries.get(key)
            fresh = entry is None
            if entry is None:
                entry = self._entries[key] = _Entry()
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_runs:
                self._entries.popitem(last=False)
        with entry.lock:
            if fresh:
                self._build(entry, path, stream)
            elif live and time.monotonic() - entry.tail_read_at > _TAIL_EVERY_S:
                self._read_tail(entry, path, stream)
        return entry

    def _build(self, entry: _Entry, path: tuple[str, str, str], stream: str) -> None:
        env = self._storage.get_run_history_envelope(
            RunKey(*path), HistoryQuery(stream=stream), n_buckets=FINE_BUCKETS, carry=_CARRY
        )
        entry.series = {}
        entry.pending = {k: v for k, v in env.items() if v["_step"]}
        steps = [int(v["_step"][i]) for v in entry.pending.values() for i in (0, -1)]
        entry.last_step = max(steps, default=-1)
        entry.span = (min(steps, default=0), entry.last_step)
        entry.tail_read_at = time.monotonic()

    def _read_tail(self, entry: _Entry, path: tuple[str, str, str], stream: str) -> None:
        import numpy as np

        entry.tail_read_at = time.monotonic()
        env = self._storage.get_run_history_envelope(
            RunKey(*path),
            HistoryQuery(stream=stream, min_step=entry.last_step + 1),
            n_buckets=FINE_BUCKETS,
            carry=_CARRY,
        )
        for key, new in env.items():
            if not new["_step"]:
                continue
            add = _arrays(new, key)
            old = entry.get(key)
            if old is None:
                entry.series[key] = add
                continue
            carried = {
                c: np.concatenate([old.carried[c], add.carried[c]])
                for c in old.carried
                if c in add.carried
            }
            merged = _Series(
                np.concatenate([old.steps, add.steps]),
                np.concatenate([old.values, add.values]),
                carried,
                old.n_raw_added + len(add.steps),
            )
            if merged.n_raw_added > 4 * FINE_BUCKETS:  # keep the cache chart-sized
                idx = rebucket(merged.steps, merged.values, FINE_BUCKETS)
                merged = _Series(
                    merged.steps[idx],
                    merged.values[idx],
                    {c: v[idx] for c, v in merged.carried.items()},
                )
            entry.series[key] = merged
        last = [int(s.steps[-1]) for s in entry.series.values()]
        last += [int(v["_step"][-1]) for v in entry.pending.values()]
        entry.last_step = max([entry.last_step, *last])
        entry.span = (entry.span[0], entry.last_step)

    def keys(self, path: tuple[str, str, str], stream: str, live: bool) -> list[str]:
        """The numeric metrics of a run's stream that have at least one finite value (not the
        ``_runtime``/``_timestamp`` bookkeeping columns, which are x axes)."""
        return sorted(k for k in self._entry(path, stream, live).names() if not k.startswith("_"))

    def series(
        self,
        path: tuple[str, str, str],
        key: str,
        *,
        stream: str = "default",
        x_axis: str = "_step",
        min_step: int | None = None,
        max_step: int | None = None,
        points: int = 500,
        live: bool = False,
    ) -> dict[str, Any]:
        """One chart's series: ``x``, ``y`` and ``step`` lists of at most ``2 * points + 2``."""
        import numpy as np

        if not 2 <= points <= MAX_POINTS:
            raise ValueError(f"points: expected 2..{MAX_POINTS}, got {points}.")
        if min_step is not None and max_step is not None and min_step > max_step:
            raise ValueError(f"min_step ({min_step}) is above max_step ({max_step}).")
        entry = self._entry(path, stream, live)
        with entry.lock:
            s = entry.get(key)
        if s is None:
            raise KeyError(f"Run {'/'.join(path)} has no numeric metric {key!r} in {stream!r}.")
        lo, hi = entry.span
        window = (max_step if max_step is not None else hi) - (
            min_step if min_step is not None else lo
        )
        zoomed = min_step is not None or max_step is not None
        if x_axis not in X_AXES or (zoomed and window * 8 < max(hi - lo, 1)):
            # Another metric as x, or a narrow zoom: ask the store for exactly that.
            carry = [x_axis] if x_axis not in X_AXES else list(_CARRY)
            if x_axis not in X_AXES and x_axis not in entry.names():
                raise KeyError(f"Run {'/'.join(path)} has no numeric metric {x_axis!r}.")
            env = self._storage.get_run_history_envelope(
                RunKey(*path),
                HistoryQuery(stream=stream, min_step=min_step, max_step=max_step, keys=[key]),
                n_buckets=points,
                carry=carry,
            ).get(key, {"_step": [], key: []})
            steps, ys = env["_step"], env[key]
            xs = steps if x_axis == "_step" else env.get(x_axis, [None] * len(steps))
            return _answer(key, x_axis, xs, ys, steps, exact=True)
        mask = np.ones(len(s.steps), dtype=bool)
        if min_step is not None:
            mask &= s.steps >= min_step
        if max_step is not None:
            mask &= s.steps <= max_step
        pos = np.flatnonzero(mask)
        pos = pos[rebucket(s.steps[pos], s.values[pos], points)]
        x = s.steps[pos] if x_axis == "_step" else s.carried.get(x_axis, np.full(len(pos), np.nan))
        if x_axis != "_step" and x_axis in s.carried:
            x = s.carried[x_axis][pos]
        return _answer(
            key, x_axis, x.tolist(), s.values[pos].tolist(), s.steps[pos].tolist(), exact=False
        )

    def group(
        self,
        paths: Sequence[tuple[str, str, str]],
        key: str,
        *,
        stream: str = "default",
        points: int = 200,
    ) -> dict[str, Any]:
        """Mean with a min/max band of ``key`` across runs, on ``points`` common step buckets.

        The band is exact (it is built from each run's envelope). The mean is the mean of the
        runs' per-bucket means of their envelope points: exact for runs with at most
        ``2 * FINE_BUCKETS + 2`` points, an approximation for longer ones.
        """
        import numpy as np

        if not 2 <= points <= MAX_POINTS:
            raise ValueError(f"points: expected 2..{MAX_POINTS}, got {points}.")
        found = []
        for path in paths:
            entry = self._entry(path, stream, live=True)
            with entry.lock:
                s = entry.get(key)
            if s is not None:
                found.append(s)
        if not found:
            return {"key": key, "x": [], "mean": [], "min": [], "max": [], "n_runs": 0}
        lo = min(int(s.steps[0]) for s in found)
        hi = max(int(s.steps[-1]) for s in found)
        width = (hi - lo) / points or 1.0
        sums = np.zeros(points)
        counts = np.zeros(points)
        mins = np.full(points, np.inf)
        maxs = np.full(points, -np.inf)
        for s in found:
            b = np.minimum(((s.steps - lo) / width).astype(np.int64), points - 1)
            n = np.bincount(b, minlength=points)
            mean = np.bincount(b, weights=s.values, minlength=points) / np.maximum(n, 1)
            has = n > 0
            sums[has] += mean[has]
            counts[has] += 1
            np.minimum.at(mins, b, s.values)
            np.maximum.at(maxs, b, s.values)
        keep = counts > 0
        centers = lo + (np.arange(points) + 0.5) * width
        return {
            "key": key,
            "x": centers[keep].tolist(),
            "mean": (sums[keep] / counts[keep]).tolist(),
            "min": mins[keep].tolist(),
            "max": maxs[keep].tolist(),
            "n_runs": len(found),
        }


def _answer(
    key: str, x_axis: str, x: list[Any], y: list[Any], steps: list[Any], *, exact: bool
) -> dict[str, Any]:
    import math

    def fin(v: Any) -> Any:
        return v if isinstance(v, (int, float)) and math.isfinite(v) else None

    return {
        "key": key,
        "x_axis": x_axis,
        "x": [fin(v) for v in x],
        "y": [fin(v) for v in y],
        "step": steps,
        "n_points": len(y),
        "from_range_read": exact,
    }
