"""``plot_edf``: the empirical distribution function of the objective, one line per study."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from parabola.trial import TrialState
from parabola.visualization._figure import figure
from parabola.visualization._plotly_imports import go
from parabola.visualization._source import TrialSource
from parabola.visualization._utils import (
    Target,
    check_plot_args,
    finite_values,
    logger,
    sources,
)

__all__ = ["plot_edf"]

__doctest_requires__ = ("plotly",)  # the examples draw figures (root conftest.py)

_N_X = 100  # x samples of each line, as Optuna


def edf_lines(
    study: TrialSource | Sequence[TrialSource], target: Target | None, target_name: str
) -> tuple[np.ndarray, list[tuple[str, np.ndarray]]]:
    studies = sources(study)
    check_plot_args(studies, target, target_name)
    if not studies:
        logger.warning("There are no studies.")
        return np.array([]), []
    names, all_values = [], []
    for s in studies:
        trials = s.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        all_values.append(finite_values(trials, target)[1])  # the target called once a trial
        names.append(s.study_name)
    if all(len(v) == 0 for v in all_values):
        logger.warning("There are no complete trials.")
        return np.array([]), []
    joined = np.concatenate(all_values)
    x = np.linspace(joined.min(), joined.max(), _N_X)
    lines = []
    for name, values in zip(names, all_values, strict=False):
        # searchsorted on the sorted values: O(n log n) instead of an n x 100 comparison matrix.
        counts = np.searchsorted(np.sort(values), x, side="right")
        lines.append((name, counts / values.size))
    return x, lines


def plot_edf(
    study: TrialSource | Sequence[TrialSource],
    *,
    target: Target | None = None,
    target_name: str = "Objective Value",
) -> Any:
    """Plot the empirical distribution function of the objective values of complete trials.

    Args:
        study: A study (or :class:`StudySnapshot`), or several: one line each.
        target: The value of each trial; required for multi-objective studies.
        target_name: The x-axis label.

    Returns:
        A ``plotly.graph_objects.Figure``.

    Example:
        >>> import parabola
        >>> from parabola.visualization import plot_edf
        >>> study = parabola.create_study(storage=parabola.storages.InMemoryStorage())
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=10)
        >>> float(plot_edf(study).data[0].y[-1])
        1.0
    """
    layout: dict[str, Any] = {
        "title": {"text": "Empirical Distribution Function Plot"},
        "xaxis": {"title": {"text": target_name}},
        "yaxis": {"title": {"text": "Cumulative Probability"}},
    }
    x, lines = edf_lines(study, target, target_name)
    if lines:
        layout["yaxis"]["range"] = [0, 1]
    traces = [
        {"type": "scatter", "x": x, "y": y, "name": name, "mode": "lines"} for name, y in lines
    ]
    return figure(go(), traces, layout)
