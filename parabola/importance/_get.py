"""``get_param_importances``: pick an evaluator, run it, normalise."""

from __future__ import annotations

import warnings
from collections.abc import Callable

from parabola.exceptions import ExperimentalWarning
from parabola.importance._base import BaseImportanceEvaluator, StudyLike
from parabola.importance._ped_anova import PedAnovaImportanceEvaluator
from parabola.trial import FrozenTrial

__all__ = ["get_param_importances"]


def get_param_importances(
    study: StudyLike,
    *,
    evaluator: BaseImportanceEvaluator | None = None,
    params: list[str] | None = None,
    target: Callable[[FrozenTrial], float] | None = None,
    normalize: bool = True,
) -> dict[str, float]:
    """Evaluate parameter importances from the completed trials of a study (Optuna's API).

    The result maps parameter names to non-negative importances, highest first; by default they
    sum to 1. The default evaluator is :class:`PedAnovaImportanceEvaluator`, as in Optuna 5.0;
    :class:`FanovaImportanceEvaluator` and :class:`MeanDecreaseImpurityImportanceEvaluator` fit
    random forests (the ``importance`` extra, scikit-learn).

    With PED-ANOVA, ``params=None`` assesses every parameter that appears in a completed trial,
    conditional ones included; the forest evaluators assess only the parameters every completed
    trial has (one distribution throughout). ``params=[]`` gives ``{}``.

    Reads only ``study.get_trials(...)`` and ``study.directions``: any loaded study works,
    whatever its storage.

    Args:
        study: An optimised study.
        evaluator: The algorithm; ``None`` for ``PedAnovaImportanceEvaluator()``.
        params: Names of the parameters to assess; ``None`` for the evaluator's default set.
            With PED-ANOVA each name must appear in a completed trial; with the forest
            evaluators some completed trial must have all of them.
        target: Maps a trial to the value to explain; ``None`` uses the objective value. A
            multi-objective study needs one with the forest evaluators (e.g.
            ``target=lambda t: t.values[0]``); PED-ANOVA without one explains reaching the
            Pareto front.
        normalize: Scale the importances to sum to 1 (equal shares when all are 0).
            ``False`` (experimental, as in Optuna) returns the evaluator's raw numbers.

    Returns:
        Parameter name -> importance, in descending order.

    Raises:
        TypeError: if ``evaluator`` is not a :class:`BaseImportanceEvaluator`, ``params`` is not
            a list of names, ``target`` is not callable or ``normalize`` is not a bool.
        ValueError: if ``params`` names an unknown parameter, or ``target`` is missing on a
            multi-objective study with a forest evaluator.

    Example:
        >>> import parabola
        >>> def objective(trial):
        ...     x = trial.suggest_int("x", 0, 2)
        ...     y = trial.suggest_float("y", -1.0, 1.0)
        ...     z = trial.suggest_float("z", 0.0, 1.5)
        ...     return x**2 + y**3 - z**4
        >>> study = parabola.create_study(
        ...     storage=parabola.storages.InMemoryStorage(),
        ...     sampler=parabola.samplers.RandomSampler(seed=42),
        ... )
        >>> study.optimize(objective, n_trials=100)
        >>> importances = parabola.importance.get_param_importances(study)
        >>> sorted(importances) == ["x", "y", "z"], round(sum(importances.values()), 9)
        (True, 1.0)
    """
    if evaluator is None:
        evaluator = PedAnovaImportanceEvaluator()
    if not isinstance(evaluator, BaseImportanceEvaluator):
        raise TypeError(
            "evaluator must be None or an instance of a BaseImportanceEvaluator subclass "
            "(PedAnovaImportanceEvaluator, FanovaImportanceEvaluator, "
            f"MeanDecreaseImpurityImportanceEvaluator), got {evaluator!r}."
        )
    if not isinstance(normalize, bool):
        raise TypeError(f"normalize must be True or False, got {normalize!r}.")
    importances = evaluator.evaluate(study, params=params, target=target)
    if not normalize:
        warnings.warn(
            "Argument ``normalize`` is an experimental feature. "
            "The interface can change in the future.",
            ExperimentalWarning,
            stacklevel=2,
        )
        return importances
    total = sum(importances.values())
    if total == 0.0:
        return {name: 1.0 / len(importances) for name in importances}
    return {name: value / total for name, value in importances.items()}
