"""Reading history back: ordering, key selection and downsampling to ``samples`` rows.

Downsampling keeps the first and last row and, for every numeric series, the rows holding its
minimum and maximum (so spikes survive); the remaining budget is spread evenly over the other
rows. The result is in step order and never longer than ``samples``: when the extremes do not
all fit (many series, a small ``samples``), the first and last rows stay and the extremes are
taken series by series, in column order, until the budget is spent (``samples=1``: the last row).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from parabola.storages._run_types import HistoryQuery, RunKey

if TYPE_CHECKING:
    import pandas as pd

    from parabola.storages._base import BaseStorage

__all__ = ["downsample_indices", "last_history_step", "select_rows"]


def last_history_step(
    store: BaseStorage, entity: str, project: str, run_id: str, summary: dict[str, Any]
) -> int:
    """The largest ``_step`` in the run's history, or -1 when it has none.

    ``summary["_step"]`` is the answer for a run that finished cleanly, but a killed run may
    have written rows after its last summary, and an older store may hold a summary whose
    ``_step`` is missing or not a number; so only the rows past the summary's step are read
    (usually none, and chunks are skipped by step range), or every ``_step`` when it is unusable.
    """
    step = summary.get("_step")
    known = int(step) if isinstance(step, (int, float)) and not isinstance(step, bool) else -1
    if isinstance(step, float) and not math.isfinite(step):
        known = -1
    cols = store.get_run_history_columns(
        RunKey(entity, project, run_id),
        HistoryQuery(min_step=known + 1 if known >= 0 else None, keys=["_step"]),
    )
    steps = [int(s) for s in cols.get("_step", []) if s is not None]
    return max([known, *steps])


def select_rows(
    rows: list[dict[str, Any]], keys: Sequence[str] | None, x_axis: str
) -> list[dict[str, Any]]:
    """Rows that hold every key in ``keys`` (and ``x_axis``), reduced to those keys, sorted by
    ``x_axis`` (stable, so rows logged with a lower step stay in logging order)."""
    if keys is not None:
        wanted = list(dict.fromkeys([x_axis, *keys]))
        rows = [{k: r[k] for k in wanted} for r in rows if all(k in r for k in wanted)]
    elif x_axis != "_step":
        rows = [r for r in rows if x_axis in r]
    if not _is_sorted(rows, x_axis):
        rows = sorted(rows, key=lambda r: _sort_key(r.get(x_axis)))
    return rows


def _is_sorted(rows: list[dict[str, Any]], key: str) -> bool:
    import operator

    import numpy as np

    try:  # fast path: every row has an int/float key
        values = np.fromiter(map(operator.itemgetter(key), rows), dtype=np.float64, count=len(rows))
    except (KeyError, TypeError, ValueError):
        return False
    return bool(len(values) < 2 or (np.diff(values) >= 0).all())


def _sort_key(v: Any) -> tuple[int, Any]:
    if isinstance(v, (int, float)) and not isinstance(v, bool) and not math.isnan(v):
        return (0, v)
    return (1, str(v))


def downsample_indices(frame: pd.DataFrame, samples: int) -> list[int]:
    """Positions of the rows of ``frame`` to keep (see the module docstring)."""
    import numpy as np
    import pandas as pd

    n = len(frame)
    if n <= samples:
        return list(range(n))
    if samples == 1:
        return [n - 1]
    keep = {0, n - 1}
    for col in frame.columns:
        if len(keep) >= samples:
            break
        if str(col).startswith("_"):
            continue
        values = frame[col]
        if values.dtype.kind not in "fiu":
            values = pd.to_numeric(values, errors="coerce")
        arr = values.to_numpy(dtype=float, na_value=np.nan)
        if np.isnan(arr).all():
            continue
        keep.add(int(np.nanargmin(arr)))
        if len(keep) < samples:
            keep.add(int(np.nanargmax(arr)))
    budget = samples - len(keep)
    if budget > 0:
        rest = np.setdiff1d(np.arange(n), np.fromiter(keep, dtype=np.int64))
        picks = np.linspace(0, len(rest) - 1, budget).round().astype(np.int64)
        keep.update(int(i) for i in rest[picks])
    return sorted(keep)
