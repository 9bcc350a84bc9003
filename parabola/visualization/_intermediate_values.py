"""``plot_intermediate_values``: per-trial learning curves, from reports or from tracking runs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from parabola.trial import FrozenTrial, TrialState
from parabola.visualization._figure import figure
from parabola.visualization._plotly_imports import go
from parabola.visualization._run_history import series_of
from parabola.visualization._source import TrialSource
from parabola.visualization._utils import (
    MAX_POINTS,
    logger,
    satisfies_constraints,
    subsample,
    subsample_note,
)

__all__ = ["plot_intermediate_values"]

__doctest_requires__ = ("plotly",)  # the examples draw figures (root conftest.py)

# Curves drawn as their own traces before subsampling trials (one trace per trial, as Optuna).
MAX_CURVES = 1000


def _runs_by_trial(study: TrialSource, runs: Any) -> dict[int, list[Any]]:
    if runs is None:
        storage = getattr(study, "_storage", None)  # a parabola Study: its runs share its store
        if storage is None:
            raise ValueError(
                "runs: a StudySnapshot has no store to read runs from; pass runs=... (the "
                "study's parabola.Api runs, or RunHistory objects with trial_number set)."
            )
        from parabola.tracking import Api

        runs = Api(storage=storage).runs(None, {"study_name": study.study_name})
    if isinstance(runs, Mapping):
        return {int(k): [v] for k, v in runs.items()}
    # A trial may have several runs (its own trial.log run and a callback's): all are kept,
    # and the first one that logged the metric draws the curve.
    found: dict[int, list[Any]] = {}
    for run in runs:
        number = getattr(run, "trial_number", None)
        if number is None:
            raise ValueError(
                f"runs: run {run!r} is not linked to a trial (no trial_number); pass a mapping "
                "{trial_number: run} instead."
            )
        found.setdefault(int(number), []).append(run)
    return found


def _curves(
    study: TrialSource, trials: list[FrozenTrial], metric: str | None, runs: Any, x_axis: str
) -> list[tuple[int, np.ndarray, np.ndarray, bool]]:
    out = []
    if metric is None:
        for t in trials:
            if t.intermediate_values:
                steps = sorted(t.intermediate_values.items())
                x = np.array([s for s, _ in steps], dtype=np.int64)
                y = np.array([v for _, v in steps], dtype=float)
                out.append((t.number, x, y, satisfies_constraints(t)))
        return out
    by_trial = _runs_by_trial(study, runs)
    for t in trials:
        for run in by_trial.get(t.number, []):
            x, y = series_of(run, metric, x_axis)
            if len(x):
                out.append((t.number, np.asarray(x), np.asarray(y), satisfies_constraints(t)))
                break
    return out


def plot_intermediate_values(
    study: TrialSource,
    *,
    metric: str | None = None,
    runs: Any = None,
    x_axis: str = "_step",
) -> Any:
    """Plot the learning curve of every complete, pruned and running trial.

    Without ``metric``, the values passed to ``trial.report`` (Optuna's plot). With ``metric``,
    any metric the trials' tracking runs logged (``trial.log`` or
    ``TrackingCallback(per_trial=True)``), against ``x_axis``.

    Args:
        study: A study or :class:`StudySnapshot`.
        metric: A logged metric to draw instead of the reported values (parabola extension).
        runs: Where the trials' runs come from when ``metric`` is given: default, the runs of
            the study's own store linked to it; else ``parabola.Api`` runs or
            :class:`RunHistory` objects with ``trial_number``, or a mapping
            ``{trial_number: run}``.
        x_axis: The x axis of a ``metric`` (``"_step"``, ``"_runtime"`` or another metric).

    Returns:
        A ``plotly.graph_objects.Figure``, one line per trial.

    Example:
        >>> import parabola
        >>> from parabola.visualization import plot_intermediate_values
        >>> def objective(trial):
        ...     for step in range(3):
        ...         trial.report(1.0 / (step + 1), step)
        ...     return 0.0
        >>> study = parabola.create_study(storage=parabola.storages.InMemoryStorage())
        >>> study.optimize(objective, n_trials=2)
        >>> [trace.name for trace in plot_intermediate_values(study).data]
        ['Trial0', 'Trial1']
    """
    g = go()
    if metric is not None and (not isinstance(metric, str) or not metric):
        raise ValueError(f"metric: expected a logged metric name, got {metric!r}.")
    trials = study.get_trials(
        deepcopy=False, states=(TrialState.PRUNED, TrialState.COMPLETE, TrialState.RUNNING)
    )
    curves = _curves(study, trials, metric, runs, x_axis)
    title = "Intermediate Values Plot"
    if not trials:
        logger.warning("Study instance does not contain trials.")
    elif not curves:
        if metric is None:
            logger.warning(
                "You need to set up the pruning feature to utilize `plot_intermediate_values()`"
            )
        else:
            logger.warning(f"No run of the study's trials logged the metric {metric!r}.")
    x_title = "Step" if metric is None or x_axis == "_step" else x_axis
    marker = {"maxdisplayed": 10}
    traces: list[dict[str, Any]]
    if len(curves) > MAX_CURVES:
        # Past the budget: a seeded sample of curves, drawn as two traces (feasible and
        # infeasible) with gaps between trials, instead of one trace per trial.
        idx = subsample(len(curves), MAX_POINTS)
        shown = curves if idx is None else [curves[i] for i in idx.tolist()]
        title = f"{title}<br><sup>{subsample_note(len(shown), len(curves))}</sup>"
        traces = []
        for feasible in (True, False):
            group = [c for c in shown if c[3] is feasible]
            if not group:
                continue
            xs = np.concatenate([np.append(np.asarray(c[1], dtype=float), np.nan) for c in group])
            ys = np.concatenate([np.append(np.asarray(c[2], dtype=float), np.nan) for c in group])
            traces.append(
                {
                    "type": "scatter",
                    "x": xs,
                    "y": ys,
                    "mode": "lines",
                    "line": {"width": 1} if feasible else {"width": 1, "color": "#CCCCCC"},
                    "opacity": 0.4,
                    "connectgaps": False,
                    "name": "Feasible trials" if feasible else "Infeasible trials",
                }
            )
    else:
        # Plain dicts, unvalidated (_figure.figure): validating a thousand Scatter objects
        # costs more than computing the whole figure, and these dicts are valid by construction.
        # Lists, not arrays, for these short per-trial series: plotly converts each array to
        # its binary form one by one (about a millisecond each), lists go straight to JSON.
        traces = [
            {
                "type": "scatter",
                "x": x.tolist(),
                "y": y.tolist(),
                "mode": "lines+markers",
                "marker": marker if feasible else {**marker, "color": "#CCCCCC"},
                "name": f"Trial{number}",
            }
            for number, x, y, feasible in curves
        ]
    layout = {
        "title": {"text": title},
        "xaxis": {"title": {"text": x_title}},
        "yaxis": {"title": {"text": "Intermediate Value" if metric is None else metric}},
        "showlegend": False,
    }
    return figure(g, traces, layout)
