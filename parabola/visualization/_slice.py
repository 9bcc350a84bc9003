"""``plot_slice``: the objective against each parameter, coloured by trial number."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from parabola.distributions import CategoricalDistribution
from parabola.trial import FrozenTrial, TrialState
from parabola.visualization._figure import figure
from parabola.visualization._grid import Grid
from parabola.visualization._plotly_imports import go
from parabola.visualization._source import TrialSource
from parabola.visualization._utils import (
    COLOR_SCALE_PAIRS,
    Target,
    check_params,
    check_plot_args,
    filter_nonfinite,
    is_log_scale,
    logger,
    satisfies_constraints,
    subsample,
    subsample_note,
    target_or_value,
    title_layout,
)

__all__ = ["plot_slice"]

__doctest_requires__ = ("plotly",)  # the examples draw figures (root conftest.py)


@dataclass
class _Panel:
    param: str
    is_log: bool
    is_numerical: bool
    labels: tuple[Any, ...] | None
    feasible: tuple[list[Any], list[float], list[int]]
    infeasible: tuple[list[Any], list[float]]


def _panel(
    trials: Sequence[FrozenTrial],
    targets: Sequence[tuple[float, bool]],
    param: str,
    dist: Any,
    is_log: bool,
) -> _Panel:
    """One parameter's points; ``targets`` holds each trial's (target, feasible), computed
    once for all panels (per panel, the constraints and target were most of the build)."""
    numerical = not isinstance(dist, CategoricalDistribution)
    labels = dist.choices if not numerical else None
    fx: list[Any] = []
    fy: list[float] = []
    fn_: list[int] = []
    ix: list[Any] = []
    iy: list[float] = []
    for t, (y, feasible) in zip(trials, targets, strict=True):
        params = t.params
        if param not in params:
            continue
        x = params[param]
        if numerical and x is None:
            continue
        if feasible:
            fx.append(x)
            fy.append(y)
            fn_.append(t.number)
        else:
            ix.append(x)
            iy.append(y)
    if labels is not None:
        # Categories in the order of the distribution's choices, labelled by repr (Optuna's).
        by_label: dict[Any, list[tuple[float, int]]] = defaultdict(list)
        for x, y, n in zip(fx, fy, fn_, strict=False):
            by_label[x].append((y, n))
        fx, fy, fn_ = [], [], []
        for lab in labels:
            for y, n in by_label[lab]:
                fx.append(repr(lab))
                fy.append(y)
                fn_.append(n)
        # Optuna 5.0 draws no infeasible points on a categorical axis (it pairs them with an
        # empty list of trial numbers); kept, so that both libraries show the same figure.
        ix, iy = [], []
    return _Panel(param, is_log, numerical, labels, (fx, fy, fn_), (ix, iy))


def _traces(p: _Panel) -> list[dict[str, Any]]:
    fx, fy, fnum = p.feasible
    out: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "x": np.asarray(fx, dtype=float) if p.is_numerical else fx,
            "y": np.asarray(fy, dtype=float),
            "mode": "markers",
            "name": "Feasible Trial",
            "marker": {
                "line": {"width": 0.5, "color": "Grey"},
                "color": np.asarray(fnum, dtype=np.int64),
                "colorscale": COLOR_SCALE_PAIRS,
                "colorbar": {"title": {"text": "Trial"}, "x": 1.0, "xpad": 40},
            },
            "showlegend": False,
        }
    ]
    ix, iy = p.infeasible
    if ix:
        out.append(
            {
                "type": "scatter",
                "x": np.asarray(ix, dtype=float) if p.is_numerical else ix,
                "y": np.asarray(iy, dtype=float),
                "mode": "markers",
                "name": "Infeasible Trial",
                "marker": {"color": "#cccccc"},
                "showlegend": False,
            }
        )
    return out


def plot_slice(
    study: TrialSource,
    params: list[str] | None = None,
    *,
    target: Target | None = None,
    target_name: str = "Objective Value",
) -> Any:
    """Plot the objective value of complete trials against each parameter.

    Args:
        study: A study or :class:`StudySnapshot`.
        params: Parameters to plot (default: every parameter of the complete trials).
        target: The value of each trial; required for multi-objective studies.
        target_name: The y-axis label.

    Returns:
        A ``plotly.graph_objects.Figure`` with one panel per parameter.

    Raises:
        ValueError: a parameter of ``params`` is not in the study, or a multi-objective study
            without ``target``.

    Example:
        >>> import parabola
        >>> from parabola.visualization import plot_slice
        >>> study = parabola.create_study(storage=parabola.storages.InMemoryStorage())
        >>> study.optimize(lambda t: t.suggest_float("x", 1e-3, 1, log=True), n_trials=5)
        >>> plot_slice(study).layout.xaxis.type
        'log'
    """
    g = go()
    check_plot_args([study], target, target_name)
    all_trials = filter_nonfinite(
        study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)), target=target
    )
    title = "Slice Plot"
    if not all_trials:
        logger.warning("Your study does not have any completed trials.")
        return figure(g, [], title_layout(title))
    names = check_params(all_trials, params)
    idx = subsample(len(all_trials))
    trials = all_trials if idx is None else [all_trials[i] for i in idx.tolist()]
    if idx is not None:
        title = f"{title}<br><sup>{subsample_note(len(trials), len(all_trials))}</sup>"
    dists: dict[str, Any] = {}
    for t in all_trials:
        for k, d in t.distributions.items():
            dists.setdefault(k, d)
    fn = target_or_value(target)
    targets = [(fn(t), satisfies_constraints(t)) for t in trials]
    panels = [_panel(trials, targets, p, dists[p], is_log_scale(all_trials, p)) for p in names]

    def axis_spec(p: _Panel) -> dict[str, Any]:
        spec: dict[str, Any] = {"title": {"text": p.param}}
        if not p.is_numerical:
            assert p.labels is not None
            spec.update(
                type="category", categoryorder="array", categoryarray=[repr(x) for x in p.labels]
            )
        elif p.is_log:
            spec["type"] = "log"
        return spec

    if len(panels) == 1:
        layout: dict[str, Any] = {
            "title": {"text": title},
            "xaxis": axis_spec(panels[0]),
            "yaxis": {"title": {"text": target_name}},
        }
        return figure(g, _traces(panels[0]), layout)
    grid = Grid(1, len(panels), shared_y=True)
    traces: list[dict[str, Any]] = []
    for col, p in enumerate(panels, start=1):
        panel = _traces(p)
        panel[0]["marker"]["showscale"] = col == 1
        traces += [grid.place(t, 1, col) for t in panel]
        grid.axis("x", 1, col).update(axis_spec(p))
    grid.axis("y", 1, 1)["title"] = {"text": target_name}
    layout = {"title": {"text": title}, **grid.axes}
    if len(panels) > 3:
        layout["width"] = 300 * len(panels)
    return figure(g, traces, layout)
