"""The evaluator contract and the trial plumbing every evaluator shares.

Everything here reads ``FrozenTrial`` objects through ``study.get_trials(deepcopy=False, ...)``
and ``study.directions``: no storage access, so the dashboard can hand in any study it has loaded.
"""

from __future__ import annotations

import abc
import math
from collections.abc import Callable, Collection, Container, Sequence
from typing import TYPE_CHECKING, Protocol

from parabola.distributions import BaseDistribution, CategoricalDistribution
from parabola.study import StudyDirection
from parabola.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    import numpy as np

__all__ = ["BaseImportanceEvaluator", "StudyLike"]


class StudyLike(Protocol):
    """What an evaluator reads from a study: its trials and its directions.

    :class:`parabola.study.Study` satisfies it; so does any object the dashboard builds from
    trials it already holds.
    """

    @property
    def directions(self) -> list[StudyDirection]: ...

    def get_trials(
        self, deepcopy: bool = ..., states: Container[TrialState] | None = ...
    ) -> list[FrozenTrial]: ...


class BaseImportanceEvaluator(abc.ABC):
    """Abstract parameter importance evaluator (Optuna's ``BaseImportanceEvaluator``).

    Invariants every subclass keeps: ``evaluate`` reads only ``COMPLETE`` trials of ``study``
    (through ``get_trials`` and ``directions``), never writes to the study, and returns
    non-negative, unnormalised importances keyed by parameter name, highest first.
    :func:`parabola.importance.get_param_importances` does the normalisation.

    Example:
        >>> import parabola
        >>> from parabola.importance import BaseImportanceEvaluator, get_param_importances
        >>> class FirstParam(BaseImportanceEvaluator):
        ...     def evaluate(self, study, params=None, *, target=None):
        ...         names = params or sorted(study.get_trials()[0].params)
        ...         return {name: float(i == 0) for i, name in enumerate(names)}
        >>> study = parabola.create_study(storage=parabola.storages.InMemoryStorage())
        >>> study.optimize(lambda t: t.suggest_float("a", 0, 1) + t.suggest_float("b", 0, 1), 3)
        >>> get_param_importances(study, evaluator=FirstParam())
        {'a': 1.0, 'b': 0.0}
    """

    @abc.abstractmethod
    def evaluate(
        self,
        study: StudyLike,
        params: list[str] | None = None,
        *,
        target: Callable[[FrozenTrial], float] | None = None,
    ) -> dict[str, float]:
        """Evaluate parameter importances from the completed trials of ``study``.

        Args:
            study: An optimised study (anything with ``get_trials`` and ``directions``).
            params: Names of the parameters to assess; ``None`` for the evaluator's default
                set (see :func:`parabola.importance.get_param_importances`).
            target: Maps a trial to the value whose importance is assessed; ``None`` uses the
                objective value (single-objective studies).

        Returns:
            Parameter name -> non-negative importance, in descending order of importance.
        """
        raise NotImplementedError


# Shared plumbing (private to the package) ---------------------------------------------------


def _completed_trials(study: StudyLike) -> list[FrozenTrial]:
    return study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))


def _is_multi_objective(study: StudyLike) -> bool:
    return len(study.directions) > 1


def _check_target(target: object) -> None:
    if target is not None and not callable(target):
        raise TypeError(
            "target must be None or a callable taking a FrozenTrial and returning a float "
            f"(e.g. target=lambda t: t.values[0]), got {target!r}."
        )


def _check_params_type(params: object) -> None:
    if params is None:
        return
    if not isinstance(params, (list, tuple)):
        raise TypeError(
            "params must be None or a list of parameter names. "
            f"Parameters must be specified as a list. Actual parameters: {params}."
        )
    if any(not isinstance(p, str) for p in params):
        raise TypeError(
            "params must be a list of parameter names (str). Parameters must be specified by "
            f"their names with strings. Actual parameters: {params}."
        )


def _require_target_for_multi_objective(study: StudyLike, target: object) -> None:
    if target is None and _is_multi_objective(study):
        raise ValueError(
            "If the `study` is being used for multi-objective optimization, "
            "please specify the `target`. For example, use "
            "`target=lambda t: t.values[0]` for the first objective value."
        )


def _intersection_distributions(trials: Sequence[FrozenTrial]) -> dict[str, BaseDistribution]:
    """Parameters present, with one distribution, in every trial; sorted by name."""
    space: dict[str, BaseDistribution] | None = None
    for trial in trials:
        if space is None:
            space = dict(trial.distributions)
            continue
        space = {n: d for n, d in space.items() if trial.distributions.get(n) == d}
    return dict(sorted((space or {}).items()))


def _get_distributions(study: StudyLike, params: list[str] | None) -> dict[str, BaseDistribution]:
    """The search space the forest-based evaluators assess (Optuna's rules).

    ``params=None``: the intersection search space of the completed trials (conditional
    parameters drop out). Otherwise the named parameters, whose distributions must agree over
    every completed trial that has all of them.
    """
    completed = _completed_trials(study)
    _check_params_type(params)
    if params is None:
        return _intersection_distributions(completed)
    if len(params) == 0:
        return {}
    distributions: dict[str, BaseDistribution] | None = None
    for trial in completed:
        trial_distributions = trial.distributions
        if not all(name in trial_distributions for name in params):
            continue
        if distributions is None:
            distributions = {n: d for n, d in trial_distributions.items() if n in params}
            continue
        if any(trial_distributions[n] != d for n, d in distributions.items()):
            raise ValueError(
                "params names parameters whose distribution changes between trials. "
                "Parameters importances cannot be assessed with dynamic search spaces if "
                f"parameters are specified. Specified parameters: {params}."
            )
    if distributions is None:
        raise ValueError(
            "params names parameters that no completed trial has all of. "
            "Study must contain completed trials with all specified parameters. "
            f"Specified parameters: {params}."
        )
    return dict(sorted(distributions.items()))


def _target_value(trial: FrozenTrial, target: Callable[[FrozenTrial], float] | None) -> float:
    if target is not None:
        return float(target(trial))
    value = trial.value
    return math.nan if value is None else float(value)


def _filter_trials(
    trials: Sequence[FrozenTrial],
    params: Collection[str],
    target: Callable[[FrozenTrial], float] | None,
) -> list[FrozenTrial]:
    """Trials that have every parameter in ``params`` and a finite target."""
    wanted = set(params)
    return [
        t for t in trials if wanted <= t.params.keys() and math.isfinite(_target_value(t, target))
    ]


def _encode(
    trials: Sequence[FrozenTrial], distributions: dict[str, BaseDistribution]
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Trials as a design matrix for the forests: raw numbers, categoricals one-hot.

    Returns ``(X, bounds, columns)``: ``X`` is ``(n_trials, n_columns)``, ``bounds`` the
    ``(n_columns, 2)`` box of each column (``[low, high]`` in the parameter's own scale, no log,
    no step widening: Optuna's encoding for importance), ``columns[i]`` the columns of the i-th
    parameter.
    """
    import numpy as np

    n_columns = sum(
        len(d.choices) if isinstance(d, CategoricalDistribution) else 1
        for d in distributions.values()
    )
    x = np.zeros((len(trials), n_columns), dtype=np.float64)
    bounds = np.empty((n_columns, 2), dtype=np.float64)
    columns: list[np.ndarray] = []
    start = 0
    for name, dist in distributions.items():
        if isinstance(dist, CategoricalDistribution):
            width = len(dist.choices)
            bounds[start : start + width] = (0.0, 1.0)
            index = np.fromiter(
                (int(dist.to_internal_repr(t.params[name])) for t in trials),
                dtype=np.int64,
                count=len(trials),
            )
            x[np.arange(len(trials)), start + index] = 1.0
        else:
            width = 1
            low = float(dist.low)  # type: ignore[attr-defined]
            high = float(dist.high)  # type: ignore[attr-defined]
            bounds[start] = (low, high)
            x[:, start] = np.fromiter(
                (float(t.params[name]) for t in trials), dtype=np.float64, count=len(trials)
            )
        columns.append(np.arange(start, start + width))
        start += width
    return x, bounds, columns


def _sort_by_importance(importances: dict[str, float]) -> dict[str, float]:
    # Optuna's order, ties included: a stable ascending sort, reversed, so among equal
    # importances the parameter listed last comes first.
    return dict(reversed(sorted(importances.items(), key=lambda item: item[1])))
