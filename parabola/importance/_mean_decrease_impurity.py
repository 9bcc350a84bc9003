"""``MeanDecreaseImpurityImportanceEvaluator``: a random forest's impurity-based importances."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from parabola.importance._base import (
    BaseImportanceEvaluator,
    StudyLike,
    _check_target,
    _completed_trials,
    _encode,
    _filter_trials,
    _get_distributions,
    _require_target_for_multi_objective,
    _sort_by_importance,
    _target_value,
)
from parabola.importance._forest import check_forest_args, make_forest
from parabola.trial import FrozenTrial

__all__ = ["MeanDecreaseImpurityImportanceEvaluator"]


class MeanDecreaseImpurityImportanceEvaluator(BaseImportanceEvaluator):
    """Mean Decrease Impurity (MDI) importance evaluator (Optuna's, same forest and numbers).

    Fits a random forest that predicts the objective of the ``COMPLETE`` trials from their
    parameters and reports scikit-learn's ``feature_importances_`` (the mean decrease of
    impurity), the one-hot columns of a categorical parameter summed. Needs scikit-learn
    (``pip install 'parabola[importance]'``). Only parameters present in every completed trial
    with one distribution are assessed.

    Args:
        n_trees: Number of trees in the forest.
        max_depth: Maximum depth of each tree.
        seed: Seed of the forest; ``None`` for a different forest on each call.

    Raises:
        ValueError: if ``n_trees`` or ``max_depth`` is not a positive int, or ``seed`` is not
            ``None`` or a non-negative int.
        ImportError: if scikit-learn is not installed.

    Example:
        >>> import parabola
        >>> from parabola.importance import (
        ...     MeanDecreaseImpurityImportanceEvaluator,
        ...     get_param_importances,
        ... )
        >>> study = parabola.create_study(
        ...     storage=parabola.storages.InMemoryStorage(),
        ...     sampler=parabola.samplers.RandomSampler(seed=0),
        ... )
        >>> study.optimize(
        ...     lambda t: t.suggest_float("x", -10, 10) ** 2 + t.suggest_float("y", 0, 1), 100
        ... )
        >>> evaluator = MeanDecreaseImpurityImportanceEvaluator(seed=0)
        >>> list(get_param_importances(study, evaluator=evaluator))
        ['x', 'y']
    """

    def __init__(self, *, n_trees: int = 64, max_depth: int = 64, seed: int | None = None) -> None:
        check_forest_args(type(self).__name__, n_trees, max_depth, seed)
        self._forest = make_forest(type(self).__name__, n_trees, max_depth, seed)

    def evaluate(
        self,
        study: StudyLike,
        params: list[str] | None = None,
        *,
        target: Callable[[FrozenTrial], float] | None = None,
    ) -> dict[str, float]:
        """Evaluate parameter importances; see :func:`get_param_importances`.

        Raises:
            ValueError: if ``target`` is missing on a multi-objective study, ``params`` names a
                parameter no completed trial has (with the others), or the named parameters'
                distributions change between trials.
        """
        _check_target(target)
        _require_target_for_multi_objective(study, target)
        distributions = _get_distributions(study, params)
        if params is None:
            params = list(distributions)
        if not params:
            return {}
        trials = _filter_trials(_completed_trials(study), params, target)
        if len(trials) <= 1:
            return dict.fromkeys(params, 0.0)
        x, _, columns = _encode(trials, distributions)
        y = np.array([_target_value(t, target) for t in trials], dtype=np.float64)
        self._forest.fit(x, y)
        per_column = self._forest.feature_importances_
        importances = {
            name: float(per_column[cols].sum())
            for name, cols in zip(distributions, columns, strict=True)
        }
        return _sort_by_importance(importances)
