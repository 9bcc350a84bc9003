"""``plot_optimization_history``: each trial's value and the best value so far."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from parabola.study import StudyDirection
from parabola.trial import TrialState
from parabola.visualization._figure import figure
from parabola.visualization._plotly_imports import go
from parabola.visualization._source import TrialSource, load_trials
from parabola.visualization._utils import (
    Target,
    check_plot_args,
    logger,
    satisfies_constraints,
    sources,
)

__all__ = ["plot_optimization_history"]

__doctest_requires__ = ("plotly",)  # the examples draw figures (root conftest.py)


class _State(enum.Enum):
    FEASIBLE = 0
    INFEASIBLE = 1
    INCOMPLETE = 2


@dataclass
class _Series:
    numbers: np.ndarray
    values: np.ndarray
    stds: np.ndarray | None
    label: str
    states: list[_State]


@dataclass
class _History:
    values: _Series
    best: _Series | None


def _history_info(
    studies: list[TrialSource], target: Target | None, target_name: str, error_bar: bool
) -> list[_History]:
    check_plot_args(studies, target, target_name)
    out: list[_History] = []
    for study in studies:
        trials = load_trials(study)
        label = target_name if len(studies) == 1 else f"{target_name} of {study.study_name}"
        values = np.full(len(trials), np.nan)
        states: list[_State] = []
        for i, t in enumerate(trials):
            if t.state != TrialState.COMPLETE:
                states.append(_State.INCOMPLETE)
                continue
            states.append(_State.FEASIBLE if satisfies_constraints(t) else _State.INFEASIBLE)
            values[i] = target(t) if target is not None else t.value
        numbers = np.array([t.number for t in trials], dtype=np.int64)
        best = None
        if target is None:
            feasible = np.array([s == _State.FEASIBLE for s in states], dtype=bool)
            if study.directions[0] == StudyDirection.MINIMIZE:
                best_values = np.minimum.accumulate(np.where(feasible, values, np.inf))
            else:
                best_values = np.maximum.accumulate(np.where(feasible, values, -np.inf))
            best_label = "Best Value" if len(studies) == 1 else f"Best Value of {study.study_name}"
            best = _Series(numbers, best_values, None, best_label, states)
        out.append(_History(_Series(numbers, values, None, label, states), best))
    if not out:
        logger.warning("There are no studies.")
    n_feasible = sum(h.values.states.count(_State.FEASIBLE) for h in out)
    n_infeasible = sum(h.values.states.count(_State.INFEASIBLE) for h in out)
    if n_feasible + n_infeasible == 0:
        logger.warning("There are no complete trials.")
        return []
    if not error_bar:
        return out
    if n_feasible == 0:
        logger.warning("There are no feasible trials.")
        return []
    return [_aggregate(out, target_name, target is None)]


def _aggregate(histories: list[_History], target_name: str, with_best: bool) -> _History:
    """Mean and standard deviation across studies, per trial number (``error_bar=True``)."""
    n = int(max(int(h.values.numbers.max()) for h in histories if len(h.values.numbers))) + 1

    def series(label: str, use_best: bool) -> _Series:
        buckets: list[list[float]] = [[] for _ in range(n)]
        seen: list[set[_State]] = [set() for _ in range(n)]
        for h in histories:
            s = h.best if use_best and h.best is not None else h.values
            for num, v, st in zip(s.numbers.tolist(), s.values.tolist(), s.states, strict=False):
                if not np.isinf(v) and (use_best or st == _State.FEASIBLE):
                    buckets[num].append(v)
                seen[num].add(st)
        numbers, means, stds, states = [], [], [], []
        for i in range(n):
            if _State.FEASIBLE in seen[i]:
                numbers.append(i)
                means.append(float(np.mean(buckets[i])))
                stds.append(float(np.std(buckets[i])))
                states.append(_State.FEASIBLE)
            else:
                states.append(_State.INFEASIBLE)
        return _Series(np.array(numbers), np.array(means), np.array(stds), label, states)

    values = series(target_name, False)
    best = series("Best Value", True) if with_best else None
    return _History(values, best)


def plot_optimization_history(
    study: TrialSource | Sequence[TrialSource],
    *,
    target: Target | None = None,
    target_name: str = "Objective Value",
    error_bar: bool = False,
) -> Any:
    """Plot every trial's objective value and the best value so far, as Optuna does.

    Args:
        study: A study (or a :class:`StudySnapshot`), or several to compare.
        target: The value to plot for each trial; required for multi-objective studies.
            With a ``target`` no best-value line is drawn (its direction is unknown).
        target_name: The axis label and legend name of the values.
        error_bar: Draw the mean and standard deviation over the studies per trial number.

    Returns:
        A ``plotly.graph_objects.Figure``.

    Raises:
        ValueError: a multi-objective study without ``target``.

    Example:
        >>> import parabola
        >>> from parabola.visualization import plot_optimization_history
        >>> study = parabola.create_study(storage=parabola.storages.InMemoryStorage())
        >>> study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=10)
        >>> fig = plot_optimization_history(study)
        >>> [trace.name for trace in fig.data]
        ['Objective Value', 'Best Value', 'Infeasible Trial']
    """
    infos = _history_info(sources(study), target, target_name, error_bar)
    layout = {
        "title": {"text": "Optimization History Plot"},
        "xaxis": {"title": {"text": "Trial"}},
        "yaxis": {"title": {"text": target_name}},
    }
    traces: list[dict[str, Any]] = []
    for info in infos:
        vals = info.values
        if vals.stds is None:
            infeasible_mask = np.array([s == _State.INFEASIBLE for s in vals.states], dtype=bool)
            error_y = None
            feasible_mask = np.array([s == _State.FEASIBLE for s in vals.states], dtype=bool)
            fx, fy = vals.numbers[feasible_mask], vals.values[feasible_mask]
            ix, iy = vals.numbers[infeasible_mask], vals.values[infeasible_mask]
        else:
            if any(s != _State.FEASIBLE for s in vals.states):
                logger.warning(
                    "Your study contains infeasible trials. In optimization history plot, "
                    "error bars are calculated for only feasible trial values."
                )
            error_y = {"type": "data", "array": vals.stds, "visible": True}
            fx, fy = vals.numbers, vals.values
            # Optuna pairs the aggregated numbers with per-position states here; kept as is.
            ix = np.array(
                [
                    n
                    for n, s in zip(vals.numbers.tolist(), vals.states, strict=False)
                    if s == _State.INFEASIBLE
                ],
                dtype=np.int64,
            )
            iy = np.array([], dtype=float)
        errors = {} if error_y is None else {"error_y": error_y}
        traces.append(
            {"type": "scatter", "x": fx, "y": fy, **errors, "mode": "markers", "name": vals.label}
        )
        if info.best is not None:
            best = info.best
            traces.append(
                {
                    "type": "scatter",
                    "x": vals.numbers,
                    "y": best.values,
                    "name": best.label,
                    "mode": "lines",
                }
            )
            if best.stds is not None:
                traces.append(
                    {
                        "type": "scatter",
                        "x": vals.numbers,
                        "y": best.values + best.stds,
                        "mode": "lines",
                        "line": {"width": 0.01},
                        "showlegend": False,
                    }
                )
                traces.append(
                    {
                        "type": "scatter",
                        "x": vals.numbers,
                        "y": best.values - best.stds,
                        "mode": "none",
                        "showlegend": False,
                        "fill": "tonexty",
                        "fillcolor": "rgba(255,0,0,0.2)",
                    }
                )
        traces.append(
            {
                "type": "scatter",
                "x": ix,
                "y": iy,
                **errors,
                "mode": "markers",
                "name": "Infeasible Trial",
                "marker": {"color": "#cccccc"},
                "showlegend": False,
            }
        )
    return figure(go(), traces, layout)
