"""``plot_timeline``: when each trial ran, one horizontal bar per trial, coloured by state."""

from __future__ import annotations

import datetime
from typing import Any

import numpy as np

from parabola.trial import FrozenTrial, TrialState
from parabola.visualization._figure import figure
from parabola.visualization._hovertext import hovertexts
from parabola.visualization._plotly_imports import go
from parabola.visualization._source import TrialSource
from parabola.visualization._utils import MAX_POINTS, logger

__all__ = ["plot_timeline"]

__doctest_requires__ = ("plotly",)  # the examples draw figures (root conftest.py)

_COLORS = {
    "COMPLETE": "blue",
    "FAIL": "red",
    "PRUNED": "orange",
    "RUNNING": "green",
    "WAITING": "gray",
}


def _end_of_study(trials: list[FrozenTrial]) -> datetime.datetime:
    durations = [
        t.datetime_complete - t.datetime_start
        for t in trials
        if t.datetime_complete is not None and t.datetime_start is not None
    ]
    longest = max(durations, default=None)
    now = datetime.datetime.now()
    running = [t for t in trials if t.state == TrialState.RUNNING]
    # A running trial younger than five times the longest finished one is really running: the
    # timeline then ends now; an older one is presumably dead and does not stretch the axis.
    if (longest is None and running) or any(
        longest is not None and now - t.datetime_start < 5 * longest
        for t in running
        if t.datetime_start is not None
    ):
        return now
    return max((t.datetime_complete for t in trials if t.datetime_complete), default=now)


def plot_timeline(study: TrialSource, n_recent_trials: int | None = None) -> Any:
    """Plot when each trial started and finished, coloured by its state.

    Args:
        study: A study or :class:`StudySnapshot`.
        n_recent_trials: Only the last this many trials (``None``: all).

    Returns:
        A ``plotly.graph_objects.Figure`` of horizontal bars on a date axis.

    Raises:
        ValueError: ``n_recent_trials`` is not a positive integer or ``None``.

    Example:
        >>> import parabola
        >>> from parabola.visualization import plot_timeline
        >>> study = parabola.create_study(storage=parabola.storages.InMemoryStorage())
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
        >>> [bar.name for bar in plot_timeline(study).data]
        ['COMPLETE']
    """
    if n_recent_trials is not None and (
        isinstance(n_recent_trials, bool)
        or not isinstance(n_recent_trials, int)
        or n_recent_trials <= 0
    ):
        raise ValueError("n_recent_trials must be a positive integer or None.")
    all_trials = study.get_trials(deepcopy=False)
    end = _end_of_study(all_trials)
    trials = all_trials if n_recent_trials is None else all_trials[-n_recent_trials:]
    small = datetime.timedelta(seconds=1)
    bars: list[tuple[FrozenTrial, datetime.datetime, datetime.datetime, bool]] = []
    for t in trials:
        start = t.datetime_start or end
        if t.state == TrialState.RUNNING:
            stop = end + small
        else:
            stop = t.datetime_complete or start + small
        if stop < start:
            logger.warning(
                f"The start and end times for Trial {t.number} seem to be reversed. "
                f"The start time is {start} and the end time is {stop}."
            )
        bars.append((t, start, stop, any(c > 0 for c in t.constraints.values())))
    if not bars:
        logger.warning("Your study does not have any trials.")
    # Every bar is kept (a timeline with gaps would lie); past the budget the per-trial JSON
    # hover text is what gets dropped, and the title says so.
    with_text = len(bars) <= MAX_POINTS
    traces: list[dict[str, Any]] = []

    def add(group: list[Any], color: str, name: str) -> None:
        if not group:
            return
        trace: dict[str, Any] = {
            "type": "bar",
            "name": name,
            "x": np.array([(b[2] - b[1]).total_seconds() * 1000 for b in group]),
            "y": np.array([b[0].number for b in group], dtype=np.int64),
            "base": [b[1].isoformat() for b in group],
            "hovertemplate": ("%{text}" if with_text else "Trial %{y}") + f"<extra>{name}</extra>",
            "orientation": "h",
            "marker": {"color": color},
            "textposition": "none",
        }
        if with_text:
            trace["text"] = hovertexts([b[0] for b in group])
        traces.append(trace)

    for state in sorted(TrialState, key=lambda s: s.name):
        if state == TrialState.COMPLETE:
            add([b for b in bars if b[0].state == state and b[3]], "#cccccc", "INFEASIBLE")
            add(
                [b for b in bars if b[0].state == state and not b[3]],
                _COLORS[state.name],
                state.name,
            )
        else:
            add([b for b in bars if b[0].state == state], _COLORS[state.name], state.name)
    title = "Timeline Plot"
    if not with_text:
        note = f"{len(bars):,} trials; hover details left out above {MAX_POINTS:,}"
        title = f"{title}<br><sup>{note}</sup>"
    layout = {
        "title": {"text": title},
        "xaxis": {"type": "date", "title": {"text": "Datetime"}},
        "yaxis": {"title": {"text": "Trial"}},
        "showlegend": True,
    }
    return figure(go(), traces, layout)
