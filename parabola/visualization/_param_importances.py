"""``plot_param_importances``: ``parabola.importance.get_param_importances`` as bars."""

from __future__ import annotations

from typing import Any

from parabola.trial import FrozenTrial, TrialState
from parabola.visualization._figure import figure
from parabola.visualization._plotly_imports import go
from parabola.visualization._source import TrialSource
from parabola.visualization._utils import (
    Target,
    check_plot_args,
    filter_nonfinite,
    logger,
)

__all__ = ["importance_bars", "plot_param_importances"]

__doctest_requires__ = ("plotly",)  # the examples draw figures (root conftest.py)

_Bars = tuple[str, list[str], list[float], list[str]]  # name, params, values, labels


def _one(
    study: TrialSource,
    trials: list[FrozenTrial],
    evaluator: Any,
    params: list[str] | None,
    target: Target | None,
    target_name: str,
) -> _Bars:
    from parabola.importance import get_param_importances

    check_plot_args([study], target, target_name)
    if not filter_nonfinite(trials, target=target):
        logger.warning("Study instance does not contain completed trials.")
        return target_name, [], [], []
    importances = get_param_importances(study, evaluator=evaluator, params=params, target=target)
    items = list(reversed(list(importances.items())))  # bars bottom-up: the largest on top
    names = [k for k, _ in items]
    values = [float(v) for _, v in items]
    labels = [f"{v:.2f}" if v >= 0.01 else "<0.01" for v in values]
    return target_name, names, values, labels


def importance_bars(
    study: TrialSource,
    evaluator: Any,
    params: list[str] | None,
    target: Target | None,
    target_name: str,
) -> list[_Bars]:
    """One bar group per objective (multi-objective without ``target``), else one."""
    trials = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    metric_names = study.metric_names
    if target is not None or len(study.directions) == 1:
        name = metric_names[0] if metric_names is not None and target is None else target_name
        return [_one(study, trials, evaluator, params, target, name)]
    names = metric_names or [f"{target_name} {i}" for i in range(len(study.directions))]
    out = []
    for i, name in enumerate(names):

        def objective(t: FrozenTrial, i: int = i) -> float:
            return float((t.values or [])[i])

        out.append(_one(study, trials, evaluator, params, objective, name))
    return out


def plot_param_importances(
    study: TrialSource,
    evaluator: Any = None,
    params: list[str] | None = None,
    *,
    target: Target | None = None,
    target_name: str = "Objective Value",
) -> Any:
    """Plot parameter importances as horizontal bars (one group per objective when several).

    Args:
        study: A study or :class:`StudySnapshot`.
        evaluator: A ``parabola.importance`` evaluator (default: PED-ANOVA, as Optuna 5.0).
        params: Parameters to assess (default: all).
        target: The value to explain; without it a multi-objective study gets one bar group
            per objective.
        target_name: The legend name of the bars.

    Returns:
        A ``plotly.graph_objects.Figure``.

    Example:
        >>> import parabola
        >>> from parabola.visualization import plot_param_importances
        >>> study = parabola.create_study(storage=parabola.storages.InMemoryStorage(),
        ...                               sampler=parabola.samplers.RandomSampler(seed=0))
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1) + 0 * t.suggest_float("y", 0, 1),
        ...                n_trials=30)
        >>> list(plot_param_importances(study).data[0].y)[-1]   # the most important on top
        'x'
    """
    groups = importance_bars(study, evaluator, params, target, target_name)
    dists: dict[str, Any] = {}
    for t in study.get_trials(deepcopy=False):
        for k, d in t.distributions.items():
            dists.setdefault(k, d)
    data = [
        {
            "type": "bar",
            "x": values,
            "y": names,
            "name": name,
            "text": labels,
            "textposition": "outside",
            "cliponaxis": False,
            "hovertemplate": [
                f"{p} ({type(dists[p]).__name__}): {v}<extra></extra>"
                for p, v in zip(names, values, strict=True)
            ],
            "orientation": "h",
        }
        for name, names, values, labels in groups
        if values
    ]
    layout = {
        "title": {"text": "Hyperparameter Importances"},
        "xaxis": {"title": {"text": "Hyperparameter Importance"}},
        "yaxis": {"title": {"text": "Hyperparameter"}},
    }
    return figure(go(), data, layout)
