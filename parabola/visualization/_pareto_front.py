"""``plot_pareto_front``: the trials of a 2- or 3-objective study, the front highlighted."""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any

import numpy as np

from parabola.study import StudyDirection
from parabola.trial import FrozenTrial, TrialState
from parabola.visualization._figure import figure
from parabola.visualization._hovertext import hovertexts
from parabola.visualization._pareto import pareto_mask
from parabola.visualization._plotly_imports import go
from parabola.visualization._source import TrialSource
from parabola.visualization._utils import (
    COLOR_SCALE,
    MAX_POINTS,
    logger,
    subsample,
    subsample_note,
)

__all__ = ["plot_pareto_front"]

__doctest_requires__ = ("plotly",)  # the examples draw figures (root conftest.py)

_Values = list[tuple[FrozenTrial, list[float]]]

_NUMBER = attrgetter("number")
_VALUES = attrgetter("values")
_SYSTEM_ATTRS = attrgetter("system_attrs")


def _with_values(trials: list[FrozenTrial], targets: Callable[[FrozenTrial], Any]) -> _Values:
    out = []
    for t in trials:
        v = targets(t)
        if type(v) is not list and not isinstance(v, Sequence):  # the ABC check: ~1 us
            raise ValueError(
                f"`targets` should return a sequence of target values. your `targets` returns "
                f"{type(v)}"
            )
        out.append((t, [float(x) for x in v]))
    return out


# plotly's "Blues" and "Reds" as [position, colour] pairs (Optuna's Pareto colours), spelled
# out: importing plotly.colors and looking a name up (inspect.getmembers over every scale
# module) cost ~3 ms of a first figure and ~1 ms of each. test_color_scales.py compares them.
_REDS = [
    "rgb(255,245,240)",
    "rgb(254,224,210)",
    "rgb(252,187,161)",
    "rgb(252,146,114)",
    "rgb(251,106,74)",
    "rgb(239,59,44)",
    "rgb(203,24,29)",
    "rgb(165,15,21)",
    "rgb(103,0,13)",
]
_SCALES = {"Blues": COLOR_SCALE, "Reds": _REDS}


def _scale(name: str) -> list[list[Any]]:
    colors = _SCALES[name]
    return [[i / (len(colors) - 1), c] for i, c in enumerate(colors)]


def _numbers(trials: Sequence[FrozenTrial]) -> np.ndarray:
    return np.fromiter(map(_NUMBER, trials), dtype=np.int64, count=len(trials))


def _marker(numbers: np.ndarray | None, kind: str, include_dominated: bool) -> dict[str, Any]:
    if kind == "infeasible" or numbers is None:
        return {"color": "#cccccc"}
    if kind == "dominated":
        return {
            "line": {"width": 0.5, "color": "Grey"},
            "color": numbers,
            "colorscale": _scale("Blues"),
            "colorbar": {"title": {"text": "Trial"}},
        }
    return {
        "line": {"width": 0.5, "color": "Grey"},
        "color": numbers,
        "colorscale": _scale("Reds"),
        "colorbar": {
            "title": {"text": "Best Trial"},
            "x": 1.1 if include_dominated else 1,
            "xpad": 40,
        },
    }


def _value_array(values: list[list[float]], n: int) -> np.ndarray:
    """``np.array(values, dtype=float)``; through one flat iterator where every row has ``n``
    values (3x faster than numpy's nested-list conversion at 1,000 trials)."""
    if values and set(map(len, values)) == {n}:
        flat = itertools.chain.from_iterable(values)
        try:
            return np.fromiter(flat, dtype=float, count=len(values) * n).reshape(len(values), n)
        except (TypeError, ValueError):  # a value numpy's own conversion may take, or reject
            pass
    return np.array(values, dtype=float)


class _Trace:
    """What one trace draws: its (trial, plotted values) pairs and, where the caller has them
    already (split from the arrays of all feasible trials), their values as an array, their
    trial numbers and their hover texts."""

    __slots__ = ("items", "numbers", "texts", "vals")

    def __init__(
        self,
        items: _Values,
        vals: np.ndarray | None = None,
        numbers: np.ndarray | None = None,
        texts: list[str] | None = None,
    ) -> None:
        self.items, self.vals, self.numbers, self.texts = items, vals, numbers, texts


def _scatter(
    n: int,
    trace: _Trace,
    template: str,
    kind: str,
    include_dominated: bool,
    text: bool,
    custom: bool,
) -> Any:
    items, vals = trace.items, trace.vals
    if vals is None or vals.shape != (len(items), n):
        vals = np.array([v for _, v in items], dtype=float).reshape(len(items), n)
    numbers = trace.numbers
    if numbers is None and kind != "infeasible":
        numbers = _numbers([t for t, _ in items])
    kwargs: dict[str, Any] = {
        "x": vals[:, 0],
        "y": vals[:, 1],
        "mode": "markers",
        "hovertemplate": template,
        "marker": _marker(numbers, kind, include_dominated),
        "showlegend": False,
    }
    # Per-trial JSON hover text is Optuna's; it is the bulk of a large figure, so a subsampled
    # figure leaves it out (hovering still shows the point's coordinates).
    if text:
        texts = trace.texts
        if texts is None:
            # Without `targets` the plotted values are the trials' own: handed over.
            texts = hovertexts([t for t, _ in items], None if custom else [v for _, v in items])
        kwargs["text"] = texts
    if n == 2:
        return {"type": "scatter", **kwargs}
    return {"type": "scatter3d", "z": vals[:, 2], **kwargs}


def plot_pareto_front(
    study: TrialSource,
    *,
    target_names: list[str] | None = None,
    include_dominated_trials: bool = True,
    constraints_func: Callable[[FrozenTrial], Sequence[float]] | None = None,
    targets: Callable[[FrozenTrial], Sequence[float]] | None = None,
) -> Any:
    """Plot the complete trials of a multi-objective study with its Pareto front highlighted.

    Args:
        study: A study or :class:`StudySnapshot` with 2 or 3 objectives (any number with
            ``targets``).
        target_names: Axis titles (default: the study's metric names, else "Objective i").
        include_dominated_trials: Also draw the trials off the front.
        constraints_func: Deprecated (as in Optuna): feasibility from this function instead of
            the trials' stored constraints.
        targets: The 2 or 3 values to plot for a trial (default: its objective values).

    Returns:
        A ``plotly.graph_objects.Figure`` (``Scatter3d`` traces for 3 targets).

    Raises:
        ValueError: not 2 or 3 targets, ``target_names`` of the wrong length, or ``targets``
            not returning sequences.

    Example:
        >>> import parabola
        >>> from parabola.visualization import plot_pareto_front
        >>> study = parabola.create_study(directions=["minimize", "minimize"],
        ...                               storage=parabola.storages.InMemoryStorage())
        >>> study.optimize(lambda t: (x := t.suggest_float("x", 0, 1), 1 - x), n_trials=5)
        >>> len(plot_pareto_front(study).data[1].x)   # every trial is on this front
        5
    """
    g = go()
    if constraints_func is not None:
        warnings.warn(
            "`constraints_func` has been deprecated in v4.0.0. This feature will be removed in "
            "v6.0.0. See https://github.com/optuna/optuna/releases/tag/v4.0.0.",
            FutureWarning,
            stacklevel=2,
        )
    # (trial, objective values) pairs: each read of ``values`` copies the list, so it is read
    # once here and these lists serve the front, the plotted values and the hover text.
    feasible: _Values = []
    infeasible: _Values = []
    has_constraints = False
    trials = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if constraints_func is None and not any(map(_SYSTEM_ATTRS, trials)):
        # No system attributes, so no stored constraints: every trial is feasible.
        feasible_trials, values = trials, list(map(_VALUES, trials))
        if not all(values):
            values = [v or [] for v in values]
        feasible = list(zip(trials, values, strict=True))
    else:
        for t in trials:
            if constraints_func is not None:
                has_constraints = True
                ok = all(c <= 0.0 for c in constraints_func(t))
            elif t.system_attrs:  # constraints are computed from them on each access
                constraints = t.constraints
                has_constraints |= len(constraints) > 0
                ok = all(c <= 0.0 for c in constraints.values())
            else:
                ok = True
            (feasible if ok else infeasible).append((t, t.values or []))
        feasible_trials, values = [t for t, _ in feasible], [v for _, v in feasible]
    signs = np.array([1.0 if d == StudyDirection.MINIMIZE else -1.0 for d in study.directions])
    raw = _value_array(values, len(study.directions))
    on_front = pareto_mask(raw * signs) if feasible else np.zeros(0, dtype=bool)
    # The plotted values of the front and of the rest, unless `targets` gives others.
    arrays: dict[str, np.ndarray] = (
        {"best": raw[on_front], "rest": raw[~on_front]}
        if feasible and include_dominated_trials
        else {}
    )
    best_v = list(itertools.compress(feasible, on_front.tolist()))
    rest_v = (
        list(itertools.compress(feasible, (~on_front).tolist())) if include_dominated_trials else []
    )
    inf_v = infeasible
    if not best_v:
        what = "completed and feasible" if has_constraints else "completed"
        logger.warning(f"Your study does not have any {what} trials. ")
    custom_targets = targets is not None
    if targets is None and len(study.directions) not in (2, 3):
        raise ValueError(
            "`plot_pareto_front` function only supports 2 or 3 objective studies when using "
            "`targets` is `None`. Please use `targets` if your objective studies have more "
            "than 3 objectives."
        )

    if targets is not None:
        arrays = {}
        best_v, rest_v, inf_v = (
            _with_values([t for t, _ in x], targets) for x in (best_v, rest_v, inf_v)
        )
    n = (len(best_v[0][1]) if best_v else None) or (len(inf_v[0][1]) if inf_v else None)
    if n is None:
        if target_names is not None:
            n = len(target_names)
        elif custom_targets:
            raise ValueError(
                "If `targets` is specified for empty studies, `target_names` must be specified."
            )
        else:
            n = len(study.directions)
    if n not in (2, 3):
        raise ValueError(
            f"`plot_pareto_front` function only supports 2 or 3 targets. you used {n} targets now."
        )
    if target_names is None:
        target_names = study.metric_names or [f"Objective {i}" for i in range(n)]
    elif len(target_names) != n:
        raise ValueError(f"The length of `target_names` is supposed to be {n}.")
    title = "Pareto-front Plot"
    total = len(best_v) + len(rest_v) + len(inf_v)
    text = True
    # The front is always drawn whole; dominated and infeasible trials share the budget.
    idx_rest = subsample(len(rest_v), MAX_POINTS)
    idx_inf = subsample(len(inf_v), MAX_POINTS)
    if idx_rest is not None or idx_inf is not None:
        arrays.pop("rest", None)
        text = False
        rest_v = rest_v if idx_rest is None else [rest_v[i] for i in idx_rest.tolist()]
        inf_v = inf_v if idx_inf is None else [inf_v[i] for i in idx_inf.tolist()]
        shown = len(best_v) + len(rest_v) + len(inf_v)
        title = f"{title}<br><sup>{subsample_note(shown, total)}</sup>"
    best_t, rest_t, inf_t = _Trace(best_v, arrays.get("best")), _Trace(rest_v), _Trace(inf_v)
    rest_t.vals = arrays.get("rest")
    if feasible:
        # The numbers and hover texts of every feasible trial at once, split like the values
        # (the texts show a trial's own values, whatever `targets` plots).
        mask, rest_whole = on_front.tolist(), include_dominated_trials and idx_rest is None
        numbers = _numbers(feasible_trials)
        best_t.numbers = numbers[on_front]
        if rest_whole:
            rest_t.numbers = numbers[~on_front]
        if text and rest_whole:
            texts = hovertexts(feasible_trials, values)
            best_t.texts = list(itertools.compress(texts, mask))
            rest_t.texts = list(itertools.compress(texts, (~on_front).tolist()))
    best = ("%{text}<extra>Best Trial</extra>", "best")
    if not has_constraints:
        traces = [(rest_t, "%{text}<extra>Trial</extra>", "dominated"), (best_t, *best)]
    else:
        traces = [
            (inf_t, "%{text}<extra>Infeasible Trial</extra>", "infeasible"),
            (rest_t, "%{text}<extra>Feasible Trial</extra>", "dominated"),
            (best_t, *best),
        ]
    data = [
        _scatter(n, trace, template, kind, include_dominated_trials, text, custom_targets)
        for trace, template, kind in traces
    ]
    layout: dict[str, Any] = {"title": {"text": title}}
    axes = [{"title": {"text": name}} for name in target_names]
    if n == 2:
        layout.update(xaxis=axes[0], yaxis=axes[1])
    else:
        layout["scene"] = {"xaxis": axes[0], "yaxis": axes[1], "zaxis": axes[2]}
    return figure(g, data, layout)
