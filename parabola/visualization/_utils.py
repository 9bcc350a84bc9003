"""Checks and helpers shared by the plots: arguments, targets, axes, large-study budgets."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any

import numpy as np

from parabola.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from parabola.logging import get_logger
from parabola.study import StudyDirection
from parabola.trial import FrozenTrial
from parabola.visualization._source import TrialSource

__all__ = [
    "COLOR_SCALE",
    "COLOR_SCALE_PAIRS",
    "MAX_POINTS",
    "Target",
    "check_params",
    "check_plot_args",
    "filter_nonfinite",
    "finite_values",
    "is_log_scale",
    "is_numerical",
    "logger",
    "satisfies_constraints",
    "sources",
    "subsample",
    "subsample_note",
    "target_or_value",
    "title_layout",
]

logger = get_logger("parabola.visualization")

Target = Callable[[FrozenTrial], float]

# plotly's sequential "Blues" (what Optuna colours trial numbers with), spelled out so that
# building the figure does not need plotly.colors.
COLOR_SCALE = [
    "rgb(247,251,255)",
    "rgb(222,235,247)",
    "rgb(198,219,239)",
    "rgb(158,202,225)",
    "rgb(107,174,214)",
    "rgb(66,146,198)",
    "rgb(33,113,181)",
    "rgb(8,81,156)",
    "rgb(8,48,107)",
]

# The same scale as plotly's validated form ([position, colour] pairs), for traces built
# without validation.
COLOR_SCALE_PAIRS = [[i / (len(COLOR_SCALE) - 1), c] for i, c in enumerate(COLOR_SCALE)]

# Points one plot draws per trace before it subsamples: Optuna draws every trial, which at
# 10,000 trials means tens of MB of JSON and seconds of plotly validation. Below this budget
# figures hold exactly Optuna's data.
MAX_POINTS = 2000


def sources(study: TrialSource | Sequence[TrialSource]) -> list[TrialSource]:
    """One study or several, as a list (``plot_optimization_history`` and ``plot_edf``)."""
    if isinstance(study, TrialSource):
        return [study]
    if isinstance(study, Sequence) and not isinstance(study, str):
        return list(study)
    raise TypeError(
        f"study: expected a Study, a StudySnapshot or a sequence of them, got {study!r}."
    )


def check_plot_args(
    studies: Sequence[TrialSource], target: Target | None, target_name: str
) -> None:
    """Optuna's rules: ``target`` is required for multi-objective studies, and a ``target``
    with the default ``target_name`` earns a warning."""
    if target is None and any(len(s.directions) > 1 for s in studies):
        raise ValueError(
            "If the `study` is being used for multi-objective optimization, "
            "please specify the `target`."
        )
    if target is not None and not callable(target):
        raise TypeError(f"target: expected a callable taking a FrozenTrial, got {target!r}.")
    if target is not None and target_name == "Objective Value":
        warnings.warn(
            "`target` is specified, but `target_name` is the default value, 'Objective Value'.",
            UserWarning,
            stacklevel=3,
        )


def target_or_value(target: Target | None) -> Target:
    if target is not None:
        return target

    def _value(t: FrozenTrial) -> float:
        return float(t.value)  # type: ignore[arg-type]  # COMPLETE trials have a value

    return _value


def filter_nonfinite(
    trials: Sequence[FrozenTrial], target: Target | None = None, with_message: bool = True
) -> list[FrozenTrial]:
    """Trials whose target is finite; the others are logged (as Optuna does) and dropped."""
    return finite_values(trials, target, with_message)[0]


def finite_values(
    trials: Sequence[FrozenTrial], target: Target | None = None, with_message: bool = True
) -> tuple[list[FrozenTrial], np.ndarray]:
    """:func:`filter_nonfinite`'s trials and their targets as floats, the target called once
    per trial.

    Targets that are all exact floats or ints (the objective values; most ``target``
    functions) are converted and checked by numpy in one pass each: exactly ``float()`` on
    these types. Anything else goes through ``float()`` one trial at a time, which warns and
    raises for a value that is not a number, as Optuna does."""
    raw = list(map(_VALUE, trials)) if target is None else list(map(target, trials))
    if _FLOAT_OR_INT.issuperset(map(type, raw)):
        values = np.fromiter(raw, dtype=float, count=len(raw))
    else:
        floats = []
        for t, value in zip(trials, raw, strict=True):
            try:
                floats.append(float(value))
            except (TypeError, ValueError):
                warnings.warn(
                    f"Trial{t.number}'s target value {value!r} could not be cast to float.",
                    UserWarning,
                    stacklevel=4,  # the plot's caller: plot > filter_nonfinite or helper > here
                )
                raise
        values = np.array(floats, dtype=float)
    finite = np.isfinite(values)
    if finite.all():
        return list(trials), values
    kept = []
    for t, ok in zip(trials, finite.tolist(), strict=True):
        if ok:
            kept.append(t)
        elif with_message:
            logger.warning(
                f"Trial {t.number} is omitted in visualization "
                "because its objective value is inf or nan."
            )
    return kept, values[finite]


_FLOAT_OR_INT = frozenset({float, int})


_VALUE = attrgetter("value")  # a COMPLETE trial's value; raises for multi-objective trials


def satisfies_constraints(trial: FrozenTrial) -> bool:
    return all(c <= 0.0 for c in trial.constraints.values())


def is_log_scale(trials: Sequence[FrozenTrial], param: str) -> bool:
    """Whether the first trial holding ``param`` samples it on a log scale."""
    for t in trials:
        if param in t.params:
            dist = t.distributions[param]
            return isinstance(dist, (FloatDistribution, IntDistribution)) and dist.log
    return False


def is_numerical(trials: Sequence[FrozenTrial], param: str) -> bool:
    """Numeric distributions, and categorical ones whose choices are all numbers."""
    for t in trials:
        if param in t.params:
            dist = t.distributions[param]
            if isinstance(dist, CategoricalDistribution):
                return all(
                    isinstance(v, (int, float)) and not isinstance(v, bool) for v in dist.choices
                )
            return True
    return True


def is_reverse_scale(directions: Sequence[StudyDirection], target: Target | None) -> bool:
    return target is not None or directions[0] == StudyDirection.MINIMIZE


def subsample(n: int, budget: int = MAX_POINTS, seed: int = 0) -> np.ndarray | None:
    """Sorted indices of ``budget`` of ``n`` items (fixed seed: the same figure every time),
    or ``None`` when all fit."""
    if n <= budget:
        return None
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n, size=budget, replace=False))


def subsample_note(shown: int, total: int, what: str = "trials") -> str:
    """The line a subsampled figure carries in its title, so nobody mistakes it for all data."""
    return f"{shown:,} of {total:,} {what} shown (random subsample)"


def json_value(value: Any) -> Any:
    import json

    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return str(value)
    return value


def check_params(trials: Sequence[FrozenTrial], params: Sequence[str] | None) -> list[str]:
    """The sorted parameters to plot: ``params`` (each must occur in ``trials``) or all."""
    present = {p for t in trials for p in t.params}
    if params is None:
        return sorted(present)
    if isinstance(params, str):
        raise TypeError(f"params: expected a list of parameter names, got the str {params!r}.")
    for p in params:
        if p not in present:
            raise ValueError(f"Parameter {p} does not exist in your study.")
    return sorted(set(params))


def title_layout(title: str) -> dict[str, Any]:
    """The layout of a figure with only a title (the empty-study figures)."""
    return {"title": {"text": title}}
