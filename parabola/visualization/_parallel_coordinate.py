"""``plot_parallel_coordinate``: one line per trial across the objective and parameter axes."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from parabola.distributions import CategoricalDistribution
from parabola.study import StudyDirection
from parabola.trial import FrozenTrial, TrialState
from parabola.visualization._figure import figure
from parabola.visualization._pareto import non_domination_rank
from parabola.visualization._plotly_imports import go
from parabola.visualization._source import TrialSource
from parabola.visualization._utils import (
    COLOR_SCALE,
    COLOR_SCALE_PAIRS,
    MAX_POINTS,
    Target,
    check_plot_args,
    filter_nonfinite,
    is_log_scale,
    is_numerical,
    is_reverse_scale,
    logger,
    subsample,
    subsample_note,
    target_or_value,
)

__all__ = ["plot_parallel_coordinate"]

__doctest_requires__ = ("plotly",)  # the examples draw figures (root conftest.py)

_MISSING_LABEL = "None"
_ABSENT = object()  # a trial without the parameter (None is a valid categorical choice)
# Lines drawn (one trace each, as Optuna) before trials are subsampled.
MAX_LINES = 1000


@dataclass
class _Dim:
    label: str
    values: np.ndarray
    range: tuple[float, float]
    is_log: bool = False
    is_cat: bool = False
    tickvals: list[float] = field(default_factory=list)
    ticktext: list[str] = field(default_factory=list)


def _truncate(label: str) -> str:
    return label if len(label) < 20 else f"{label[:17]}..."


def _numeric_dim(label: str, values: list[float]) -> _Dim:
    rng = (min(values), max(values)) if values else (0, 0)
    return _Dim(label, np.asarray(values, dtype=float), rng)


def _missing_value(lo: float, hi: float) -> float:
    # Below the axis by 12% of its height: a separate "None" tick for conditional parameters.
    return lo - 1.0 if lo == hi else lo - (hi - lo) * 0.12 / 0.88


def _columns(trials: list[FrozenTrial], names: list[str]) -> dict[str, tuple[list[Any], bool]]:
    """Per parameter: each trial's value (``_ABSENT`` where missing) and whether any trial samples
    it from a categorical distribution, in one pass over the trials."""
    values: dict[str, list[Any]] = {n: [] for n in names}
    categorical = dict.fromkeys(names, False)
    for t in trials:
        params, dists = t.params, t.distributions
        for n in names:
            v = params.get(n, _ABSENT)
            values[n].append(v)
            if v is not _ABSENT and not categorical[n]:
                categorical[n] = isinstance(dists[n], CategoricalDistribution)
    return {n: (values[n], categorical[n]) for n in names}


def _param_dim(
    trials: list[FrozenTrial], name: str, raw: list[Any], categorical: bool
) -> tuple[_Dim, bool]:
    """The axis of one parameter, and whether it is a numeric categorical (sorted by value)."""
    present = [v is not _ABSENT for v in raw]
    has_missing = not all(present)
    label = _truncate(name)
    if is_log_scale(trials, name):
        logs = [math.log10(float(v)) for v, p in zip(raw, present, strict=True) if p]
        lo, hi = min(logs), max(logs)
        ticks: list[float] = list(range(math.ceil(lo), math.floor(hi) + 1))
        if lo not in ticks:
            ticks = [lo, *ticks]
        if hi not in ticks:
            ticks = [*ticks, hi]
        miss = _missing_value(lo, hi) if has_missing else None
        vals = [miss if not p else math.log10(float(v)) for v, p in zip(raw, present, strict=True)]
        if miss is not None:
            ticks.insert(0, miss)
        text = ([_MISSING_LABEL] if has_missing else []) + [
            f"{math.pow(10, x):.3g}" for x in ticks[int(has_missing) :]
        ]
        rng = (miss if miss is not None else lo, hi)
        return _Dim(label, np.asarray(vals, dtype=float), rng, True, False, ticks, text), False
    if categorical:
        valid = [v for v, p in zip(raw, present, strict=True) if p]
        vocab: dict[Any, int] = {}
        numeric_cat = is_numerical(trials, name)
        for v in sorted(valid) if numeric_cat else valid:
            vocab.setdefault(v, len(vocab))
        ordered = sorted(vocab, key=vocab.__getitem__)
        texts = [str(v) for v in ordered]
        offset = 1 if has_missing else 0
        vals_i = [0 if not p else vocab[v] + offset for v, p in zip(raw, present, strict=True)]
        if has_missing:
            texts = [f"{t} (value)" if t == _MISSING_LABEL else t for t in texts]
        dim = _Dim(
            label,
            np.asarray(vals_i, dtype=float),
            (min(vals_i), max(vals_i)),
            False,
            True,
            list(range(len(vocab) + offset)),
            ([_MISSING_LABEL] if has_missing else []) + texts,
        )
        return dim, numeric_cat
    valid_f = [float(v) for v, p in zip(raw, present, strict=True) if p]
    lo, hi = min(valid_f), max(valid_f)
    miss = _missing_value(lo, hi) if has_missing else None
    vals_f = [miss if not p else float(v) for v, p in zip(raw, present, strict=True)]
    valid_ticks = [lo] if lo == hi else [float(x) for x in np.linspace(lo, hi, num=5)]
    dim = _Dim(
        label,
        np.asarray(vals_f, dtype=float),
        (miss if miss is not None else lo, hi),
        False,
        False,
        [miss, *valid_ticks] if miss is not None else [],
        [_MISSING_LABEL, *(f"{x:.3g}" for x in valid_ticks)] if has_missing else [],
    )
    return dim, False


def _normalized(dim: _Dim) -> np.ndarray:
    lo, hi = dim.range
    if lo == hi:
        return np.full(len(dim.values), 0.5)
    return (dim.values - lo) / (hi - lo)


def _rgb(color: str) -> tuple[float, float, float]:
    r, g, b = (float(x) for x in color[color.index("(") + 1 : -1].split(","))
    return r, g, b


def _line_colors(values: np.ndarray, lo: float, hi: float, reverse: bool) -> list[str]:
    normalized = [0.5] * len(values) if lo == hi else ((values - lo) / (hi - lo)).tolist()
    if reverse:
        normalized = [1.0 - v for v in normalized]
    scale = [_rgb(c) for c in COLOR_SCALE]
    out = []
    for v in normalized:
        s = v * (len(scale) - 1)
        k = min(int(s), len(scale) - 2)
        frac = s - k
        low, high = scale[k], scale[k + 1]
        r, g, b = (low[i] + frac * float(high[i] - low[i]) for i in range(3))
        out.append(f"rgb({r}, {g}, {b})")
    return out


def _format(dim: _Dim, value: float) -> str:
    for tv, tt in zip(dim.tickvals, dim.ticktext, strict=False):
        if math.isclose(value, tv):
            return tt
    return f"{math.pow(10, value):.3g}" if dim.is_log else f"{value:.3g}"


def _annotations(dims: list[_Dim]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for axis_id, dim in enumerate(dims):
        if dim.tickvals:
            ticks = list(dim.tickvals)
            text = dim.ticktext or [f"{v:.3g}" for v in ticks]
        elif dim.range[0] == dim.range[1]:
            ticks, text = [dim.range[0]], [f"{dim.range[0]:.3g}"]
        else:
            ticks = [float(v) for v in np.linspace(*dim.range, num=5)]
            text = [f"{v:.3g}" for v in ticks]
        norm = _normalized(replace(dim, values=np.asarray(ticks, dtype=float)))
        for y, t in zip(norm.tolist(), text, strict=False):
            out.append(
                {
                    "x": axis_id,
                    "y": y,
                    "text": t,
                    "showarrow": False,
                    "xanchor": "right",
                    "xshift": -4,
                    "font": {"size": 10, "color": "#555"},
                }
            )
    return out


def plot_parallel_coordinate(
    study: TrialSource,
    params: list[str] | None = None,
    *,
    target: Target | None = None,
    target_name: str = "Objective Value",
) -> Any:
    """Plot each complete trial as a line across its objective(s) and parameters.

    Log-scaled parameters get a log axis, categorical ones one tick per choice, and trials
    lacking a (conditional) parameter meet its axis at a separate "None" tick. A
    multi-objective study without ``target`` gets one axis per objective, lines coloured by
    Pareto rank.

    Args:
        study: A study or :class:`StudySnapshot`.
        params: Parameters to plot (default: all).
        target: The value of each trial (default: the objective).
        target_name: The objective axis's label and the colour bar's title.

    Returns:
        A ``plotly.graph_objects.Figure``.

    Raises:
        ValueError: a parameter of ``params`` is not in the study.

    Example:
        >>> import parabola
        >>> from parabola.visualization import plot_parallel_coordinate
        >>> study = parabola.create_study(storage=parabola.storages.InMemoryStorage())
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=4)
        >>> fig = plot_parallel_coordinate(study)
        >>> list(fig.layout.xaxis.ticktext)
        ['Objective Value', 'x']
    """
    g = go()
    title = "Parallel Coordinate Plot"
    multi = target is None and len(study.directions) > 1
    if not multi:
        check_plot_args([study], target, target_name)
    trials = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if multi:
        trials = [
            t
            for t in trials
            if t.values is not None
            and len(t.values) == len(study.directions)
            and all(math.isfinite(v) for v in t.values)
        ]
    else:
        trials = filter_nonfinite(trials, target=target)
    present = {p for t in trials for p in t.params}
    if params is not None:
        if isinstance(params, str):
            raise TypeError(f"params: expected a list of parameter names, got {params!r}.")
        for p in params:
            if p not in present:
                raise ValueError(f"Parameter {p} does not exist in your study.")
        present = set(params)
    names = sorted(present)
    if multi:
        labels = study.metric_names or [f"Objective {i}" for i in range(len(study.directions))]
        obj_dims = [
            _numeric_dim(lab, [float((t.values or [])[i]) for t in trials])
            for i, lab in enumerate(labels)
        ]
        signs = np.array([-1.0 if d == StudyDirection.MAXIMIZE else 1.0 for d in study.directions])
        loss = np.array([t.values for t in trials], dtype=float).reshape(len(trials), -1) * signs
        ranks = non_domination_rank(loss)
        color_values = ranks.astype(float)
        draw_order = np.argsort(ranks)[::-1]  # Optuna's (unstable) order, for equal figures
        colorbar_title = "Pareto Rank"
        reverse = True
    else:
        fn = target_or_value(target)
        objectives = [float(fn(t)) for t in trials]
        obj_dims = [_numeric_dim(target_name, objectives)]
        color_values = np.asarray(objectives, dtype=float)
        draw_order = np.arange(len(trials))
        colorbar_title = target_name
        reverse = is_reverse_scale(study.directions, target)
    layout: dict[str, Any] = {
        "title": {"text": title, "y": 1, "yanchor": "bottom", "yref": "paper"}
    }
    if not trials:
        logger.warning("Your study does not have any completed trials.")
        return figure(g, [], layout)
    if not names:
        return figure(g, [], layout)
    feasibility = None
    if any(t.constraints for t in trials):
        feasibility = np.array(
            [bool(t.constraints) and all(v <= 0.0 for v in t.constraints.values()) for t in trials]
        )
    param_dims = []
    numeric_cat: list[int] = []
    columns = _columns(trials, names)
    for i, p in enumerate(names, start=len(obj_dims)):
        dim, is_numeric_cat = _param_dim(trials, p, *columns[p])
        if is_numeric_cat:
            numeric_cat.append(i)
        param_dims.append(dim)
    dims = obj_dims + param_dims
    if numeric_cat:
        # Optuna sorts the trials by their numeric categories (lexicographically, left axis
        # first), so the lines' order follows those axes.
        order = np.lexsort([dims[i].values for i in numeric_cat][::-1])
        dims = [replace(d, values=d.values[order]) for d in dims]
        color_values = color_values[order]
        if feasibility is not None:
            feasibility = feasibility[order]
        if multi:
            draw_order = np.array(
                sorted(range(len(trials)), key=color_values.__getitem__, reverse=True)
            )
    if multi:
        c_lo, c_hi = -0.5, float(color_values.max()) + 0.5
    else:
        c_lo, c_hi = float(color_values.min()), float(color_values.max())
        if c_lo == c_hi:
            c_lo, c_hi = c_lo - 0.5, c_hi + 0.5
    normalized = np.array([_normalized(d) for d in dims])  # dims x trials
    x_values = list(range(len(dims)))
    traces: list[dict[str, Any]] = []
    if len(draw_order) > MAX_LINES:
        # Past the budget: a seeded sample of lines, one trace per colour band (nine bands of
        # the colour scale) and line style, with gaps between trials; no per-line hover text.
        pick = subsample(len(draw_order), MAX_POINTS)
        order = draw_order if pick is None else draw_order[pick]
        layout["title"]["text"] = f"{title}<br><sup>{subsample_note(len(order), len(trials))}</sup>"
        span = c_hi - c_lo
        frac = (color_values[order] - c_lo) / span if span else np.full(len(order), 0.5)
        if reverse:
            frac = 1.0 - frac
        band = np.clip((frac * len(COLOR_SCALE)).astype(int), 0, len(COLOR_SCALE) - 1)
        feas = np.ones(len(order), bool) if feasibility is None else feasibility[order]
        gap = np.full((1, 1), np.nan)
        for b in range(len(COLOR_SCALE)):
            for ok in (True, False):
                sel = order[(band == b) & (feas == ok)]
                if not len(sel):
                    continue
                ys = np.vstack([normalized[:, sel], np.full((1, len(sel)), np.nan)]).T.ravel()
                xs = np.tile(np.append(np.asarray(x_values, dtype=float), gap), len(sel))
                traces.append(
                    {
                        "type": "scatter",
                        "x": xs,
                        "y": ys,
                        "mode": "lines",
                        "line": {
                            "color": COLOR_SCALE[b],
                            "dash": "solid" if ok else "dot",
                            "width": 1.2,
                        },
                        "opacity": 0.5,
                        "connectgaps": False,
                        "showlegend": False,
                        "hoverinfo": "skip",
                    }
                )
    else:
        colors = _line_colors(color_values[draw_order], c_lo, c_hi, reverse)
        # Plain dicts with _validate=False below: a thousand validated Scatter objects cost
        # more than everything else in this plot, and these are valid by construction.
        for color, trial_id in zip(colors, draw_order.tolist(), strict=True):
            feasible = feasibility is None or bool(feasibility[trial_id])
            traces.append(
                {
                    "type": "scatter",
                    "x": x_values,
                    "y": normalized[:, trial_id].tolist(),  # short: a list is faster to send
                    "customdata": [[d.label, _format(d, float(d.values[trial_id]))] for d in dims],
                    "mode": "lines",
                    "line": {"color": color, "dash": "solid" if feasible else "dot", "width": 1.2},
                    "opacity": 0.5,
                    "showlegend": False,
                    "hovertemplate": "%{customdata[0]}: %{customdata[1]}<extra></extra>",
                }
            )
    colorbar: dict[str, Any] = {"title": {"text": colorbar_title}}
    if multi:
        colorbar["tickvals"] = list(range(int(color_values.max()) + 1))
    if feasibility is not None:
        for name, dash in (("Feasible", "solid"), ("Infeasible", "dot")):
            traces.append(
                {
                    "type": "scatter",
                    "x": [None],
                    "y": [None],
                    "mode": "lines",
                    "line": {"color": "#2F3B52", "dash": dash, "width": 2},
                    "name": name,
                    "showlegend": True,
                    "hoverinfo": "skip",
                }
            )
    traces.append(
        {
            "type": "scatter",
            "x": [None, None],
            "y": [None, None],
            "mode": "markers",
            "marker": {
                "color": [c_lo, c_hi],
                "cmin": c_lo,
                "cmax": c_hi,
                "colorscale": COLOR_SCALE_PAIRS,
                "reversescale": reverse,
                "showscale": True,
                "colorbar": colorbar,
            },
            "showlegend": False,
            "hoverinfo": "skip",
        }
    )
    layout.update(
        xaxis={
            "tickmode": "array",
            "tickvals": x_values,
            "ticktext": [d.label for d in dims],
            "range": [-0.2, len(dims) - 0.8],
            "showgrid": False,
            "zeroline": False,
        },
        yaxis={"range": [-0.08, 1.08], "visible": False, "fixedrange": True},
        annotations=_annotations(dims),
        shapes=[
            {
                "type": "line",
                "x0": i,
                "x1": i,
                "y0": 0,
                "y1": 1,
                "line": {"color": "#888", "width": 1},
                "layer": "below",
            }
            for i in x_values
        ],
        hovermode="closest",
        plot_bgcolor="white",
        legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1, "yanchor": "bottom"},
    )
    return figure(g, traces, layout)
