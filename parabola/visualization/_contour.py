"""``plot_contour``: the objective interpolated over each pair of parameters."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from parabola.study import StudyDirection
from parabola.trial import FrozenTrial, TrialState
from parabola.visualization._figure import figure
from parabola.visualization._grid import Grid
from parabola.visualization._plotly_imports import go
from parabola.visualization._source import TrialSource
from parabola.visualization._utils import (
    COLOR_SCALE_PAIRS,
    MAX_POINTS,
    Target,
    check_plot_args,
    filter_nonfinite,
    is_log_scale,
    is_numerical,
    is_reverse_scale,
    logger,
    satisfies_constraints,
    subsample,
    subsample_note,
    target_or_value,
    title_layout,
)

__all__ = ["plot_contour"]

__doctest_requires__ = ("plotly",)  # the examples draw figures (root conftest.py)

_PADDING_RATIO = 0.05
# Grid cells per axis. Optuna uses one grid line per distinct value, so 10,000 trials of a
# continuous parameter give a 10,000 x 10,000 grid (1.2 GB of JSON); past this many distinct
# values the axis is binned instead, and the figure says so.
GRID = 100


@dataclass
class _Axis:
    name: str
    range: tuple[float, float]
    is_log: bool
    is_cat: bool
    indices: list[Any]  # grid coordinates (numeric: padded ends included)
    values: list[Any]  # per trial (None where the trial lacks the parameter)
    cell: np.ndarray  # per trial: grid index, -1 where missing
    binned: bool


def _axis(trials: list[FrozenTrial], name: str) -> _Axis:
    numerical = is_numerical(trials, name)
    log = is_log_scale(trials, name)
    if numerical:
        values: list[Any] = [t.params.get(name) for t in trials]
    else:
        values = [str(t.params[name]) if name in t.params else None for t in trials]
    present = [v for v in values if v is not None]
    binned = False
    if numerical:
        arr = np.array([np.nan if v is None else float(v) for v in values], dtype=float)
        lo, hi = float(np.nanmin(arr)), float(np.nanmax(arr))
        if log:
            pad = (math.log10(hi) - math.log10(lo)) * _PADDING_RATIO
            lo_p, hi_p = 10 ** (math.log10(lo) - pad), 10 ** (math.log10(hi) + pad)
        else:
            pad = (hi - lo) * _PADDING_RATIO
            lo_p, hi_p = lo - pad, hi + pad
        uniq = np.unique(arr[~np.isnan(arr)])
        cell = np.full(len(arr), -1, dtype=np.int64)
        ok = ~np.isnan(arr)
        if len(uniq) > GRID:
            binned = True
            space = np.log10 if log else (lambda a: a)
            edges = np.linspace(space(lo), space(hi), GRID + 1)
            centers = (edges[:-1] + edges[1:]) / 2
            grid = 10**centers if log else centers
            cell[ok] = np.clip(
                np.searchsorted(edges, space(arr[ok]), side="right") - 1, 0, GRID - 1
            )
            uniq = grid
        else:
            cell[ok] = np.searchsorted(uniq, arr[ok])
        if len(uniq) < 2:
            indices: list[Any] = uniq.tolist()
        else:
            indices = [lo_p, *uniq.tolist(), hi_p]
            cell[ok] += 1
        return _Axis(name, (lo_p, hi_p), log, False, indices, values, cell, binned)
    uniq_set = set(values)
    span = len(uniq_set) - 1 - (1 if None in uniq_set else 0)
    pad = span * _PADDING_RATIO
    cats = sorted(set(present))
    pos = {c: i for i, c in enumerate(cats)}
    cell = np.array([-1 if v is None else pos[v] for v in values], dtype=np.int64)
    return _Axis(name, (-pad, span + pad), False, True, cats, values, cell, False)


def _z(
    xa: _Axis, ya: _Axis, z_of: np.ndarray, direction: StudyDirection, custom: bool
) -> np.ndarray:
    z = np.full((len(ya.indices), len(xa.indices)), np.nan)
    both = (xa.cell >= 0) & (ya.cell >= 0)
    xi, yi, zs = xa.cell[both], ya.cell[both], z_of[both]
    if custom:
        z[yi, xi] = zs  # with a custom target the last trial of a cell wins (Optuna)
    elif direction == StudyDirection.MINIMIZE:
        np.fmin.at(z, (yi, xi), zs)
    else:
        np.fmax.at(z, (yi, xi), zs)
    return z


def _pair(
    g: Any,
    xa: _Axis,
    ya: _Axis,
    z_of: np.ndarray,
    feasible: np.ndarray,
    shown: np.ndarray | None,
    direction: StudyDirection,
    custom: bool,
    reverse: bool,
    target_name: str,
) -> list[Any]:
    empty: list[dict[str, Any]] = [{"type": "contour"}, {"type": "scatter"}, {"type": "scatter"}]
    if len(xa.indices) < 2 or len(ya.indices) < 2:
        return empty
    both = (xa.cell >= 0) & (ya.cell >= 0)
    if not both.any():
        warnings.warn(
            f"Contour plot will not be displayed because `{xa.name}` and `{ya.name}` cannot "
            "co-exist in `trial.params`.",
            UserWarning,
            stacklevel=4,
        )
        return empty
    z = _z(xa, ya, z_of, direction, custom)
    contour = {
        "type": "contour",
        "x": np.asarray(xa.indices, dtype=float) if not xa.is_cat else xa.indices,
        "y": np.asarray(ya.indices, dtype=float) if not ya.is_cat else ya.indices,
        # A binned grid is a picture of the objective: float32 halves its JSON.
        "z": z if not (xa.binned or ya.binned) else z.astype(np.float32),
        "colorbar": {"title": {"text": target_name}},
        "colorscale": COLOR_SCALE_PAIRS,
        "connectgaps": True,
        "contours": {"coloring": "heatmap"},
        "hoverinfo": "none",
        "line": {"smoothing": 1.3},
        "reversescale": reverse,
    }
    pick = both if shown is None else both & shown
    scatters = []
    for ok, color, name in (
        (True, "black", "Feasible Trial"),
        (False, "#cccccc", "Infeasible Trial"),
    ):
        sel = np.flatnonzero(pick & (feasible == ok))
        xs = [xa.values[i] for i in sel.tolist()]
        ys = [ya.values[i] for i in sel.tolist()]
        scatters.append(
            {
                "type": "scatter",
                "x": np.asarray(xs, dtype=float) if not xa.is_cat else xs,
                "y": np.asarray(ys, dtype=float) if not ya.is_cat else ys,
                "marker": {"line": {"width": 2.0, "color": "Gray"}, "color": color},
                "mode": "markers",
                "name": name,
                "showlegend": False,
            }
        )
    return [contour, *scatters]


def _style(xaxis: dict[str, Any], yaxis: dict[str, Any], xa: _Axis, ya: _Axis) -> None:
    """Optuna's axis settings for one panel: padded ranges, category and log axes."""
    for spec, a in ((xaxis, xa), (yaxis, ya)):
        spec["range"] = list(a.range)
        if a.is_cat:
            spec["type"] = "category"
        if a.is_log:
            spec["range"] = [math.log10(p) for p in a.range]
            spec["type"] = "log"


def plot_contour(
    study: TrialSource,
    params: list[str] | None = None,
    *,
    target: Target | None = None,
    target_name: str = "Objective Value",
) -> Any:
    """Plot the objective over each pair of parameters, as Optuna does (one panel per pair).

    Args:
        study: A study or :class:`StudySnapshot`.
        params: Parameters to plot (at least two; default: every parameter).
        target: The value of each trial; required for multi-objective studies.
        target_name: The colour bar's title.

    Returns:
        A ``plotly.graph_objects.Figure``.

    Raises:
        ValueError: a parameter of ``params`` is not in the study, or a multi-objective study
            without ``target``.

    Example:
        >>> import parabola
        >>> from parabola.visualization import plot_contour
        >>> study = parabola.create_study(storage=parabola.storages.InMemoryStorage())
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_int("y", 0, 9),
        ...                n_trials=10)
        >>> plot_contour(study).data[0].type
        'contour'
    """
    g = go()
    check_plot_args([study], target, target_name)
    trials = filter_nonfinite(
        study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)), target=target
    )
    present = {p for t in trials for p in t.params}
    if not trials:
        logger.warning("Your study does not have any completed trials.")
        names: list[str] = []
    elif params is None:
        names = sorted(present)
    else:
        if isinstance(params, str):
            raise TypeError(f"params: expected a list of parameter names, got {params!r}.")
        if len(params) <= 1:
            logger.warning("The length of params must be greater than 1.")
        for p in params:
            if p not in present:
                raise ValueError(f"Parameter {p} does not exist in your study.")
        names = sorted(set(params))
    title = "Contour Plot"
    if len(names) <= 1:
        return figure(g, [], title_layout(title))
    axes = {p: _axis(trials, p) for p in names}
    for p, a in axes.items():
        if len(a.indices) < 2:
            logger.warning(f"Param {p} unique value length is less than 2.")
    fn = target_or_value(target)
    z_of = np.array([fn(t) for t in trials], dtype=float)
    feasible = np.array([satisfies_constraints(t) for t in trials], dtype=bool)
    # Points over all panels are budgeted like plot_rank's (a 5-parameter plot has 20 panels).
    n_panels = 1 if len(names) == 2 else len(names) * (len(names) - 1)
    idx = subsample(len(trials), min(MAX_POINTS, max(1, 20_000 // n_panels)))
    shown = None
    notes = []
    if any(a.binned for a in axes.values()):
        notes.append(f"values binned on a {GRID}-cell grid per axis")
    if idx is not None:
        shown = np.zeros(len(trials), dtype=bool)
        shown[idx] = True
        notes.append(subsample_note(len(idx), len(trials)))
    if notes:
        title = f"{title}<br><sup>{'; '.join(notes)}</sup>"
    direction = study.directions[0]
    custom = target is not None
    reverse = is_reverse_scale(study.directions, target)

    def pair(xa: _Axis, ya: _Axis) -> list[dict[str, Any]]:
        return _pair(g, xa, ya, z_of, feasible, shown, direction, custom, reverse, target_name)

    if len(names) == 2:
        xa, ya = axes[names[0]], axes[names[1]]
        xaxis: dict[str, Any] = {"title": {"text": names[0]}}
        yaxis: dict[str, Any] = {"title": {"text": names[1]}}
        _style(xaxis, yaxis, xa, ya)
        layout = {"title": {"text": title}, "xaxis": xaxis, "yaxis": yaxis}
        return figure(g, pair(xa, ya), layout)
    n = len(names)
    grid = Grid(n, n, shared_x=True, shared_y=True)
    showscale = True
    traces: list[dict[str, Any]] = []
    for x_i, xp in enumerate(names):
        for y_i, yp in enumerate(names):
            row, col = y_i + 1, x_i + 1
            xa, ya = axes[xp], axes[yp]
            if xp == yp:
                traces.append(grid.place({"type": "scatter"}, row, col))
            else:
                contour, scatter, _ = pair(xa, ya)
                contour["showscale"] = showscale
                showscale = False
                traces += [grid.place(contour, row, col), grid.place(scatter, row, col)]
            xaxis, yaxis = grid.axis("x", row, col), grid.axis("y", row, col)
            _style(xaxis, yaxis, xa, ya)
            if x_i == 0:
                yaxis["title"] = {"text": yp}
            if y_i == n - 1:
                xaxis["title"] = {"text": xp}
    return figure(g, traces, {"title": {"text": title}, **grid.axes})
