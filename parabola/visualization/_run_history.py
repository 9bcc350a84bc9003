"""Tracking runs as plot input: :class:`RunHistory`, and ``plot_run_history``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from parabola.visualization._figure import figure
from parabola.visualization._plotly_imports import go

__all__ = ["HistorySource", "RunHistory", "plot_run_history", "series_of"]

__doctest_requires__ = ("plotly",)  # the examples draw figures (root conftest.py)

_SAMPLES = 500  # rows per curve: what W&B's history() returns by default


@runtime_checkable
class HistorySource(Protocol):
    """Anything with W&B's ``history``: the runs of ``parabola.Api`` (``PublicRun``)."""

    def history(
        self, samples: int = ..., keys: Sequence[str] | None = ..., x_axis: str = ...
    ) -> Any: ...


@dataclass(frozen=True)
class RunHistory:
    """A run's logged metrics already in memory, for plotting without a store.

    Args:
        name: The run's name, used in legends.
        columns: Metric name -> values, one per logged row (``_step`` included when the x axis
            is the step); missing values are NaN.
        trial_number: The study trial this run belongs to, if any.

    Example:
        >>> from parabola.visualization import RunHistory, plot_run_history
        >>> h = RunHistory("a", {"_step": [0, 1, 2], "loss": [3.0, 2.0, 1.5]})
        >>> fig = plot_run_history([h], ["loss"])
        >>> fig.data[0].y.tolist()
        [3.0, 2.0, 1.5]
    """

    name: str
    columns: Mapping[str, Sequence[float]]
    trial_number: int | None = None
    _arrays: dict[str, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        arrays = {k: np.asarray(v, dtype=float) for k, v in self.columns.items()}
        lengths = {len(a) for a in arrays.values()}
        if len(lengths) > 1:
            raise ValueError(
                f"RunHistory(columns=...): every column needs one value per row, got lengths "
                f"{sorted(lengths)}."
            )
        self._arrays.update(arrays)

    def series(self, key: str, x_axis: str) -> tuple[np.ndarray, np.ndarray]:
        """Rows holding both ``x_axis`` and ``key`` (finite x), in x order."""
        for name in (key, x_axis):
            if name not in self._arrays:
                raise KeyError(
                    f"keys: run {self.name!r} has no metric {name!r}; it has "
                    f"{sorted(self._arrays)}."
                )
        x, y = self._arrays[x_axis], self._arrays[key]
        keep = ~(np.isnan(x) | np.isnan(y))
        x, y = x[keep], y[keep]
        order = np.argsort(x, kind="stable")
        return x[order], y[order]


def _name(run: Any) -> str:
    for attr in ("display_name", "name", "id"):
        value = getattr(run, attr, None)
        if isinstance(value, str) and value:
            return value
    return repr(run)


def series_of(run: Any, key: str, x_axis: str, samples: int = _SAMPLES) -> tuple[Any, Any]:
    """``(x, y)`` of one metric of a run (a :class:`RunHistory` or a ``PublicRun``)."""
    if isinstance(run, RunHistory):
        return run.series(key, x_axis)
    if not isinstance(run, HistorySource):
        raise TypeError(
            "runs: expected parabola.Api runs (anything with history()) or RunHistory objects, "
            f"got {run!r}."
        )
    frame = run.history(samples=samples, keys=[key], x_axis=x_axis)
    if len(frame) == 0 or key not in frame or x_axis not in frame:
        return np.array([], dtype=float), np.array([], dtype=float)
    x = np.asarray(frame[x_axis], dtype=float)
    y = np.asarray(frame[key], dtype=float)
    order = np.argsort(x, kind="stable")
    return x[order], y[order]


def plot_run_history(
    runs: Any,
    keys: str | Sequence[str],
    *,
    x_axis: str = "_step",
    samples: int = _SAMPLES,
) -> Any:
    """Plot metrics of one or more tracking runs against step, time or another metric.

    Args:
        runs: A run or a sequence of runs: ``parabola.Api`` runs (``api.run(path)``,
            ``api.runs(...)``) or :class:`RunHistory` objects.
        keys: The metric(s) to draw: one line per run and key.
        x_axis: ``"_step"``, ``"_runtime"`` (seconds), ``"_timestamp"`` or any logged metric.
        samples: Rows read per run and key (W&B's ``history(samples=...)``, which keeps each
            series' extremes).

    Returns:
        A ``plotly.graph_objects.Figure``.

    Raises:
        ValueError: no keys, or a bad ``samples``.
        KeyError: a :class:`RunHistory` lacks a key (the message lists those it has).
    """
    key_list = [keys] if isinstance(keys, str) else list(keys)
    if not key_list or not all(isinstance(k, str) and k for k in key_list):
        raise ValueError(f"keys: expected one or more metric names, got {keys!r}.")
    if not isinstance(x_axis, str) or not x_axis:
        raise ValueError(f"x_axis: expected a metric name such as '_step', got {x_axis!r}.")
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        raise ValueError(f"samples: expected an int >= 1, got {samples!r}.")
    run_list = [runs] if isinstance(runs, (RunHistory, HistorySource)) else list(runs)
    traces: list[dict[str, Any]] = []
    for run in run_list:
        for key in key_list:
            x, y = series_of(run, key, x_axis, samples)
            name = _name(run) if len(key_list) == 1 else f"{_name(run)}: {key}"
            traces.append({"type": "scatter", "x": x, "y": y, "mode": "lines", "name": name})
    layout = {
        "title": {"text": "Run History Plot"},
        "xaxis": {"title": {"text": {"step": "Step"}.get(x_axis.lstrip("_"), x_axis)}},
        "yaxis": {"title": {"text": key_list[0] if len(key_list) == 1 else "Value"}},
    }
    return figure(go(), traces, layout)
