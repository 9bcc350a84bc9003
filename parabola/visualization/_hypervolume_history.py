"""``plot_hypervolume_history``: the hypervolume of the feasible front after each trial."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from operator import attrgetter
from typing import Any

import numpy as np

from parabola.study import StudyDirection
from parabola.trial import FrozenTrial, TrialState
from parabola.visualization._figure import figure
from parabola.visualization._pareto import hypervolume
from parabola.visualization._plotly_imports import go
from parabola.visualization._source import TrialSource
from parabola.visualization._utils import logger

__all__ = ["hypervolume_history", "plot_hypervolume_history"]

__doctest_requires__ = ("plotly",)  # the examples draw figures (root conftest.py)


def hypervolume_history(
    study: TrialSource, reference_point: Sequence[float]
) -> tuple[np.ndarray, np.ndarray]:
    if len(study.directions) <= 1:
        raise ValueError(
            "Study must be multi-objective. For single-objective optimization, "
            "please use plot_optimization_history instead."
        )
    try:
        ref = np.asarray(reference_point, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"reference_point: expected a sequence of numbers, got {reference_point!r}."
        ) from None
    if ref.ndim != 1 or len(ref) != len(study.directions):
        raise ValueError(
            "The dimension of the reference point must be the same as the number of objectives."
        )
    trials = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if not trials:
        logger.warning("Your study does not have any completed trials.")
    signs = np.array([1.0 if d == StudyDirection.MINIMIZE else -1.0 for d in study.directions])
    ref_loss = signs * ref
    numbers = np.fromiter(map(_NUMBER, trials), dtype=np.int64, count=len(trials))
    if len(signs) == 2:
        return numbers, _history_2d(trials, signs, ref_loss)
    values = np.zeros(len(trials))
    front: np.ndarray | None = None
    hv = 0.0
    for i, t in enumerate(trials):
        if any(c > 0.0 for c in t.constraints.values()):
            values[i] = hv
            continue
        v = signs * np.asarray(t.values, dtype=float)
        dominated = front is not None and bool(np.all(front <= v, axis=1).any())
        if dominated or bool(np.any(v > ref_loss)):
            values[i] = hv
            continue
        # The new point adds its box minus the part of it the front already covers.
        hv += float(np.prod(ref_loss - v))
        if front is None:
            front = v[np.newaxis, :]
        else:
            hv -= hypervolume(np.maximum(front, v), ref_loss)
            front = np.concatenate([front[np.any(front < v, axis=1)], v[np.newaxis, :]])
        values[i] = hv
    if front is None:
        logger.warning("Your study does not have any feasible trials.")
    return numbers, values


def _history_2d(trials: list[FrozenTrial], signs: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Two objectives: the front kept as a staircase sorted by the first loss, each new point
    adding the area between it and the staircase (no hypervolume recomputed per trial).

    Each trial's values are read once (every read copies the list) and its constraints only
    where it has system attributes (where they are stored): at 1,000 trials those reads
    were most of the plot's time."""
    xs: list[float] = []  # front, first loss ascending (second loss therefore descending)
    ys: list[float] = []
    hv = 0.0
    rx, ry = float(ref[0]), float(ref[1])
    s0, s1 = float(signs[0]), float(signs[1])
    out = [0.0] * len(trials)
    values = list(map(_VALUES, trials))
    checked = any(map(_SYSTEM_ATTRS, trials))
    bisect_right = bisect.bisect_right
    for i, v in enumerate(values):
        if v is None or (checked and _violates(trials[i])):
            out[i] = hv
            continue
        px, py = s0 * v[0], s1 * v[1]
        k = bisect_right(xs, px)
        # Dominated (or equalled) by the front point with the largest first loss <= px?
        if (k > 0 and ys[k - 1] <= py) or px > rx or py > ry:
            out[i] = hv
            continue
        # Between px and the next front point the covered height is the previous point's.
        level = ys[k - 1] if k > 0 else ry
        x = px
        j = k
        while j < len(xs) and ys[j] >= py:  # points the new one dominates: swept and removed
            hv += (xs[j] - x) * (level - py)
            x, level = xs[j], ys[j]
            j += 1
        end = xs[j] if j < len(xs) else rx
        hv += (end - x) * (level - py)
        xs[k:j] = [px]
        ys[k:j] = [py]
        out[i] = hv
    if not xs:
        logger.warning("Your study does not have any feasible trials.")
    return np.array(out, dtype=float)


def _violates(trial: FrozenTrial) -> bool:
    return any(c > 0.0 for c in trial.constraints.values())


_VALUES = attrgetter("values")
_SYSTEM_ATTRS = attrgetter("system_attrs")
_NUMBER = attrgetter("number")


def plot_hypervolume_history(study: TrialSource, reference_point: Sequence[float]) -> Any:
    """Plot the hypervolume of the feasible Pareto front after each complete trial.

    Args:
        study: A multi-objective study or :class:`StudySnapshot`.
        reference_point: One value per objective, worse than every point that should count
            (in the objectives' own directions).

    Returns:
        A ``plotly.graph_objects.Figure``.

    Raises:
        ValueError: a single-objective study, or a ``reference_point`` of the wrong length.

    Example:
        >>> import parabola
        >>> from parabola.visualization import plot_hypervolume_history
        >>> study = parabola.create_study(directions=["minimize", "minimize"],
        ...                               storage=parabola.storages.InMemoryStorage())
        >>> study.optimize(lambda t: (t.suggest_float("x", 0, 1), 1.0), n_trials=5)
        >>> fig = plot_hypervolume_history(study, reference_point=[2.0, 2.0])
        >>> len(fig.data[0].y)
        5
    """
    g = go()
    numbers, values = hypervolume_history(study, reference_point)
    layout = {
        "title": {"text": "Hypervolume History Plot"},
        "xaxis": {"title": {"text": "Trial"}},
        "yaxis": {"title": {"text": "Hypervolume"}},
    }
    trace = {"type": "scatter", "x": numbers, "y": values, "mode": "lines+markers"}
    return figure(g, [trace], layout)
