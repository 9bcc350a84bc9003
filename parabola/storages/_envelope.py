"""Min/max-bucket downsampling of run history: what a chart needs, never every row.

:meth:`BaseStorage.get_run_history_envelope` splits a metric's step range into equal-width
buckets and keeps, in each, the row of the smallest and of the largest value, plus the first and
last rows. A spike of one step therefore survives any reduction (a plain stride would drop it),
and a chart of a million-step run ships at most ``2 * n_buckets + 2`` points per series.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["bucket_indices", "envelope_of_columns"]


def _numeric(column: Any) -> Any:
    """``column`` as float64 with NaN where a cell is missing or not a real number."""
    import numpy as np

    if isinstance(column, np.ndarray) and column.dtype.kind in "iuf":
        return column.astype(np.float64, copy=False)
    out = np.full(len(column), np.nan)
    for i, v in enumerate(column):
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            out[i] = float(v)
    return out


def _is_numeric_column(column: Any) -> bool:
    import numpy as np

    if isinstance(column, np.ndarray):
        return column.dtype.kind in "iuf"
    present = [v for v in column if v is not None]
    return bool(present) and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in present
    )


def bucket_indices(steps: Any, values: Any, n_buckets: int) -> Any:
    """Positions (sorted) of the first, last, and per-bucket min and max of ``values``.

    ``steps`` must be sorted ascending; ``values`` holds only finite numbers.
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
        extreme = np.repeat(reduce.reduceat(values, starts), counts)
        hits = np.flatnonzero(values == extreme)
        # The first hit in each bucket: hits are sorted, so unique() on their bucket does it.
        _, first = np.unique(bucket[hits], return_index=True)
        picked.append(hits[first])
    return np.unique(np.concatenate(picked))


def envelope_of_columns(
    columns: Mapping[str, Any],
    keys: Sequence[str] | None,
    n_buckets: int,
    carry: Sequence[str],
) -> dict[str, dict[str, list[Any]]]:
    """The envelope of each numeric key of ``columns`` (as ``get_run_history_columns`` gives).

    Returns ``{key: {"_step": [...], key: [...], carry_1: [...], ...}}``; a carried column
    holds ``None`` where its row lacks a number. Rows whose value is missing, NaN or infinite
    are not plotted and so not kept.
    """
    import numpy as np

    if isinstance(n_buckets, bool) or not isinstance(n_buckets, int) or n_buckets < 1:
        raise ValueError(f"n_buckets: expected an int >= 1, got {n_buckets!r}.")
    if "_step" not in columns:
        return {}
    steps_all = _numeric(columns["_step"])
    order = np.argsort(steps_all, kind="stable")
    names = [k for k in columns if k != "_step"] if keys is None else list(keys)
    carried = {c: _numeric(columns[c])[order] for c in carry if c in columns and c != "_step"}
    steps_sorted = steps_all[order]
    out: dict[str, dict[str, list[Any]]] = {}
    for key in names:
        if key == "_step" or key not in columns or not _is_numeric_column(columns[key]):
            continue
        values = _numeric(columns[key])[order]
        ok = np.isfinite(values) & np.isfinite(steps_sorted)
        pos = np.flatnonzero(ok)
        idx = pos[bucket_indices(steps_sorted[pos], values[pos], n_buckets)]
        series: dict[str, list[Any]] = {
            "_step": [int(s) for s in steps_sorted[idx]],
            key: values[idx].tolist(),
        }
        for name, col in carried.items():
            if name != key:
                cells = col[idx]
                series[name] = [None if not np.isfinite(v) else float(v) for v in cells]
        out[key] = series
    return out
