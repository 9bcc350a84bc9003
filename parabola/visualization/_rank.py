"""``plot_rank``: parameters pairwise, each trial coloured by the rank of its objective."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from parabola.trial import FrozenTrial, TrialState
from parabola.visualization._figure import figure
from parabola.visualization._grid import Grid
from parabola.visualization._plotly_imports import go
from parabola.visualization._source import TrialSource
from parabola.visualization._utils import (
    MAX_POINTS,
    Target,
    check_plot_args,
    is_log_scale,
    is_numerical,
    logger,
    subsample,
    subsample_note,
    target_or_value,
    title_layout,
)

__all__ = ["plot_rank"]

__doctest_requires__ = ("plotly",)  # the examples draw figures (root conftest.py)

_PADDING_RATIO = 0.05
_CMAP = "RdYlBu_r"
# Points over all panels: a 5-parameter rank plot has 25 panels, each drawing every trial.
MAX_PANEL_POINTS = 20000


def _axis(trials: list[FrozenTrial], name: str) -> tuple[tuple[float, float], bool, bool]:
    numerical = is_numerical(trials, name)
    values: list[Any] = [
        (t.params.get(name) if numerical else str(t.params[name]))
        for t in trials
        if name in t.params
    ]
    if is_log_scale(trials, name):
        lo, hi = math.log10(float(min(values))), math.log10(float(max(values)))
        pad = (hi - lo) * _PADDING_RATIO
        return (10 ** (lo - pad), 10 ** (hi + pad)), True, False
    if numerical:
        lo, hi = float(min(values)), float(max(values))
        pad = (hi - lo) * _PADDING_RATIO
        return (lo - pad, hi + pad), False, False
    missing = any(name not in t.params for t in trials)
    span = len(set(values)) + (1 if missing else 0) - 1 - (1 if missing else 0)
    pad = span * _PADDING_RATIO
    return (-pad, span + pad), False, True


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """0-based ranks, ties sharing the mean of their positions (Optuna's rule; numpy rather
    than scipy.stats, whose import alone takes seconds)."""
    if len(values) == 0:
        return np.zeros(0)
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    first = np.cumsum(counts) - counts
    return np.asarray((first + (counts - 1) / 2.0)[inverse], dtype=float)


def _colors(color_idx: np.ndarray) -> np.ndarray:
    """RGB (0-255) of each value in [0, 1] on the colour scale: what Optuna gets from
    ``plotly.colors.sample_colorscale`` and ``unlabel_rgb``, vectorized.

    plotly's loop cost 0.32 s of CPU for the 20,000 points of a 10,000-trial rank plot. The
    arithmetic is plotly's, operation for operation (``bisect_left`` for the segment, even the
    index -1 it uses at 0; interpolation in 0-1 space; then x 255 rounded half to even, which
    ``np.rint`` does on the same float as plotly's ``Decimal(str(x))``), so the colours are
    identical: ``test_rank_colors_are_plotlys`` compares them on random and edge values."""
    import plotly.colors

    pairs = plotly.colors.get_colorscale(_CMAP)
    scale = np.array([float(pos) for pos, _ in pairs])
    rgb = np.array([plotly.colors.unlabel_rgb(c) for _, c in pairs], dtype=float) / 255.0
    points = np.asarray(color_idx, dtype=float)
    high = np.searchsorted(scale, points, side="left")
    low = high - 1
    t = (points - scale[low]) / (scale[high] - scale[low])
    mixed = rgb[low] + t[:, None] * (rgb[high] - rgb[low])
    return np.asarray(np.rint(mixed * 255.0), dtype=float)


def plot_rank(
    study: TrialSource,
    params: list[str] | None = None,
    *,
    target: Target | None = None,
    target_name: str = "Objective Value",
) -> Any:
    """Plot parameters pairwise, each complete trial coloured by its objective's rank.

    Args:
        study: A study or :class:`StudySnapshot`.
        params: Parameters to plot (default: all).
        target: The value of each trial; required for multi-objective studies.
        target_name: Shown in the title and the hover text.

    Returns:
        A ``plotly.graph_objects.Figure``.

    Raises:
        ValueError: a parameter of ``params`` is not in the study, or a multi-objective study
            without ``target``.

    Example:
        >>> import parabola
        >>> from parabola.visualization import plot_rank
        >>> study = parabola.create_study(storage=parabola.storages.InMemoryStorage())
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_float("y", 0, 1),
        ...                n_trials=10)
        >>> plot_rank(study).layout.title.text
        'Rank (Objective Value)'
    """
    g = go()
    check_plot_args([study], target, target_name)
    trials = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    present = {p for t in trials for p in t.params}
    names: list[str]
    if not trials:
        logger.warning("Your study does not have any completed trials.")
        names = []
    elif params is None:
        names = sorted(present)
    else:
        if isinstance(params, str):
            raise TypeError(f"params: expected a list of parameter names, got {params!r}.")
        for p in params:
            if p not in present:
                raise ValueError(f"Parameter {p} does not exist in your study.")
        names = list(params)
    if not names:
        logger.warning("params is an empty list.")
    fn = target_or_value(target)
    zs = np.array([fn(t) for t in trials], dtype=float)
    title = f"Rank ({target_name})"
    if not names:
        return figure(g, [], title_layout(title))
    ranks = _average_ranks(zs)
    color_idx = ranks / (len(trials) - 1) if len(trials) >= 2 else np.array([0.5])
    n_panels = 1 if len(names) == 2 else len(names) ** 2
    idx = subsample(len(trials), min(MAX_POINTS, max(1, MAX_PANEL_POINTS // n_panels)))
    shown = np.arange(len(trials)) if idx is None else idx
    if idx is not None:
        title = f"{title}<br><sup>{subsample_note(len(idx), len(trials))}</sup>"
    colors = _colors(color_idx[shown] if len(trials) >= 2 else color_idx)
    if len(trials) < 2:
        colors = np.repeat(colors, len(shown), axis=0)
    infeasible = np.array(
        [any(c > 0.0 for c in trials[i].constraints.values()) for i in shown.tolist()], dtype=bool
    )
    colors[infeasible] = (204, 204, 204)
    labels = np.array([f"rgb({r}, {gg}, {b})" for r, gg, b in colors.tolist()])
    axes = {p: _axis(trials, p) for p in names}
    with_text = idx is None
    custom = target is not None

    def hover(t: FrozenTrial, z: float) -> str:
        lines = [f"Trial #{t.number}", *(f"{k}: {v}" for k, v in t.params.items())]
        lines.append(f"<b>{target_name}: {z}</b>")
        if custom:
            lines += [f"Objective #{i}: {v}" for i, v in enumerate(t.values or [])]
        return "<br>".join(lines)

    def scatter(xp: str, yp: str) -> Any:
        keep = [
            j
            for j, i in enumerate(shown.tolist())
            if xp in trials[i].params and yp in trials[i].params
        ]
        sel = [trials[shown[j]] for j in keep]
        x_cat, y_cat = axes[xp][2], axes[yp][2]
        xs = [t.params[xp] for t in sel]
        ys = [t.params[yp] for t in sel]
        trace: dict[str, Any] = {
            "type": "scatter",
            "x": [str(v) for v in xs] if x_cat else np.asarray(xs, dtype=float),
            "y": [str(v) for v in ys] if y_cat else np.asarray(ys, dtype=float),
            "marker": {"color": labels[keep].tolist(), "line": {"width": 0.5, "color": "Grey"}},
            "mode": "markers",
            "showlegend": False,
        }
        if with_text:
            trace["hovertemplate"] = "%{hovertext}<extra></extra>"
            trace["hovertext"] = [
                hover(t, float(zs[shown[j]])) for t, j in zip(sel, keep, strict=True)
            ]
        return trace

    def style(xaxis: dict[str, Any], yaxis: dict[str, Any], xp: str, yp: str) -> None:
        for spec, (rng, log, cat) in ((xaxis, axes[xp]), (yaxis, axes[yp])):
            spec["range"] = list(rng)
            if cat:
                spec["type"] = "category"
            if log:
                spec["range"] = [math.log10(v) for v in rng]
                spec["type"] = "log"

    traces: list[dict[str, Any]] = []
    if len(names) == 2:
        xaxis: dict[str, Any] = {"title": {"text": names[0]}}
        yaxis: dict[str, Any] = {"title": {"text": names[1]}}
        style(xaxis, yaxis, names[0], names[1])
        traces.append(scatter(names[0], names[1]))
        layout: dict[str, Any] = {"title": {"text": title}, "xaxis": xaxis, "yaxis": yaxis}
    else:
        n = len(names)
        grid = Grid(n, n, shared_x=True, shared_y=True, hspace=0.08 / n, vspace=0.08 / n)
        for x_i, xp in enumerate(names):
            for y_i, yp in enumerate(names):
                row, col = y_i + 1, x_i + 1
                traces.append(grid.place(scatter(xp, yp), row, col))
                xaxis, yaxis = grid.axis("x", row, col), grid.axis("y", row, col)
                style(xaxis, yaxis, xp, yp)
                if x_i == 0:
                    yaxis["title"] = {"text": yp}
                if y_i == n - 1:
                    xaxis["title"] = {"text": xp}
        layout = {"title": {"text": title}, **grid.axes}
    quantiles = np.quantile(np.sort(zs), [0, 0.25, 0.5, 0.75, 1])
    text = [
        f"{lab} ({q:3g})"
        for lab, q in zip(["min.", "25%", "50%", "75%", "max."], quantiles, strict=True)
    ]
    import plotly.colors  # loaded with plotly itself: go() above

    colorbar = {
        "type": "scatter",
        "x": [None],
        "y": [None],
        "mode": "markers",
        "marker": {
            # The named scale spelled out as [position, colour] pairs, the form validation
            # would give it.
            "colorscale": [list(pair) for pair in plotly.colors.get_colorscale(_CMAP)],
            "showscale": True,
            "cmin": 0,
            "cmax": 1,
            "colorbar": {
                "thickness": 10,
                "tickvals": [0, 0.25, 0.5, 0.75, 1],
                "ticktext": text,
            },
        },
        "hoverinfo": "none",
        "showlegend": False,
    }
    traces.append(colorbar)
    return figure(g, traces, layout)
