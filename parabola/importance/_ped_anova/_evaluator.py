"""PED-ANOVA: how much a parameter's distribution among the top trials departs from the rest."""

from __future__ import annotations

import itertools
import math
import warnings
from collections import defaultdict
from collections.abc import Callable, Sequence

import numpy as np

from parabola.distributions import BaseDistribution, CategoricalDistribution
from parabola.importance._base import (
    BaseImportanceEvaluator,
    StudyLike,
    _check_params_type,
    _check_target,
    _completed_trials,
    _is_multi_objective,
    _sort_by_importance,
)
from parabola.importance._ped_anova._pareto import select_top
from parabola.importance._ped_anova._parzen import grid_counts, grid_pdf, pearson_divergence
from parabola.study import StudyDirection
from parabola.trial import FrozenTrial

__all__ = ["PedAnovaImportanceEvaluator"]


class PedAnovaImportanceEvaluator(BaseImportanceEvaluator):
    """PED-ANOVA importance evaluator (the default of :func:`get_param_importances`).

    For each parameter, PED-ANOVA compares the density of its values among the trials better
    than ``target_quantile`` with the density among the trials better than ``region_quantile``
    (Parzen estimators on a grid) and reports the Pearson divergence between the two: the more
    the best trials concentrate on part of a parameter's range, the more it matters. It needs no
    model fit, costs tens of milliseconds on 10,000 trials, and handles conditional parameters: each
    parameter is assessed per regime (the trials where it has one distribution, or is absent),
    as in Conditional PED-ANOVA. Numbers match Optuna 5.0's evaluator on identical trials.

    Papers: `PED-ANOVA <https://arxiv.org/abs/2304.10255>`__ (IJCAI 2023) and `Conditional
    PED-ANOVA <https://arxiv.org/abs/2601.20800>`__ (KDD 2026).

    On a multi-objective study with ``target=None`` the top trials are chosen by
    non-domination rank with hypervolume tie-breaking (as multi-objective TPE does): the
    importances say what matters to reach the Pareto front. With a ``target``, lower target
    values are better (negate a maximised objective).

    Args:
        target_quantile: The top fraction of trials whose parameters are examined (``gamma'``
            in the paper); ``0 < target_quantile < region_quantile``.
        region_quantile: The fraction of trials forming the reference region (``gamma``);
            ``region_quantile <= 1``, where ``1.0`` is every trial.
        evaluate_on_local: Compare against the region's density (``True``: importance during
            the optimisation) or against a uniform density over the search space (``False``).

    Raises:
        ValueError: if the quantiles break ``0 < target_quantile < region_quantile <= 1``.

    Example:
        >>> import parabola
        >>> from parabola.importance import PedAnovaImportanceEvaluator, get_param_importances
        >>> def objective(trial):
        ...     x1 = trial.suggest_float("x1", -10, 10)
        ...     x2 = trial.suggest_float("x2", -10, 10)
        ...     return x1**2 + x2**2 / 1000
        >>> study = parabola.create_study(
        ...     storage=parabola.storages.InMemoryStorage(),
        ...     sampler=parabola.samplers.RandomSampler(seed=0),
        ... )
        >>> study.optimize(objective, n_trials=200)
        >>> importances = get_param_importances(study, evaluator=PedAnovaImportanceEvaluator())
        >>> list(importances)
        ['x1', 'x2']
        >>> importances["x1"] > 0.9
        True
    """

    def __init__(
        self,
        *,
        target_quantile: float = 0.1,
        region_quantile: float = 1.0,
        evaluate_on_local: bool = True,
    ) -> None:
        quantiles = (("target_quantile", target_quantile), ("region_quantile", region_quantile))
        for name, value in quantiles:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError(f"{name} must be a float in (0, 1], got {value!r}.")
        if not 0.0 < target_quantile < region_quantile <= 1.0:
            raise ValueError(
                "target_quantile and region_quantile must satisfy "
                "0.0 < target_quantile < region_quantile <= 1.0, got "
                f"target_quantile={target_quantile}, region_quantile={region_quantile}."
            )
        if not isinstance(evaluate_on_local, bool):
            raise TypeError(f"evaluate_on_local must be True or False, got {evaluate_on_local!r}.")
        if region_quantile != 1.0 and not evaluate_on_local:
            warnings.warn(
                "If `evaluate_on_local` is False, `region_quantile` has no effect.",
                UserWarning,
                stacklevel=2,
            )
        self._target_quantile = float(target_quantile)
        self._region_quantile = float(region_quantile)
        self._evaluate_on_local = evaluate_on_local
        # Fixed by the method (and by Optuna): grid resolution, prior strength, and the fewest
        # trials a regime needs to get a density of its own.
        self._n_steps = 50
        self._prior_weight = 1.0
        self._min_n_trials_in_regime = 2

    def evaluate(
        self,
        study: StudyLike,
        params: list[str] | None = None,
        *,
        target: Callable[[FrozenTrial], float] | None = None,
    ) -> dict[str, float]:
        """Evaluate parameter importances; see :func:`get_param_importances`.

        ``params=None`` assesses every parameter that appears in a completed trial, conditional
        ones included.

        Raises:
            TypeError: if ``params`` is not a list of names or ``target`` is not callable.
            ValueError: if a name in ``params`` appears in no completed trial.
        """
        _check_params_type(params)
        _check_target(target)
        completed = _completed_trials(study)
        names = _resolve_params(completed, params)
        trials = [t for t in completed if _finite(t, target)]
        if len(trials) <= 1:
            warnings.warn(
                "The number of trials is too small to compute importances. "
                "Parameter importances will be equal.",
                UserWarning,
                stacklevel=2,
            )
            return dict.fromkeys(names, 0.0)

        target_trials = self._top(study, trials, self._target_quantile, target)
        region_trials = self._top(study, trials, self._region_quantile, target)
        if len(target_trials) == len(region_trials):
            warnings.warn(
                "Target and region quantiles select the same set of trials. "
                "Parameter importances will be equal.",
                UserWarning,
                stacklevel=2,
            )
        if not target_trials:
            return dict.fromkeys(names, 0.0)
        top_ids = {id(t) for t in target_trials}
        n_target, n_region = len(target_trials), len(region_trials)
        importances = dict.fromkeys(names, 0.0)
        for name in names:
            for dist, regime in self._regimes(name, region_trials).items():
                top = [t for t in regime if id(t) in top_ids]
                if dist is None or dist.single() or not top:
                    continue
                alpha = len(top) / n_target  # share of the top trials in this regime
                beta = len(regime) / n_region  # share of the region's trials
                importances[name] += alpha**2 / beta * self._divergence(name, dist, top, regime)
        scale = (n_target / n_region) ** 2
        return _sort_by_importance({k: v * scale for k, v in importances.items()})

    def _top(
        self,
        study: StudyLike,
        trials: list[FrozenTrial],
        quantile: float,
        target: Callable[[FrozenTrial], float] | None,
    ) -> list[FrozenTrial]:
        if quantile == 1.0:
            return trials
        if target is None and _is_multi_objective(study):
            signs = np.array(
                [-1.0 if d == StudyDirection.MAXIMIZE else 1.0 for d in study.directions]
            )
            losses = np.array([t.values for t in trials], dtype=np.float64) * signs
            keep = select_top(losses, math.ceil(quantile * len(trials)))
            return [trials[i] for i in keep]
        lower_is_better = study.directions[0] == StudyDirection.MINIMIZE
        if target is not None:
            warnings.warn(
                f"{self.__class__.__name__} computes the importances of params to achieve "
                "low `target` values. If this is not what you want, "
                "please modify target, e.g., by multiplying the output by -1.",
                UserWarning,
                stacklevel=3,
            )
            lower_is_better = True
        sign = 1.0 if lower_is_better else -1.0
        losses = sign * np.array(
            [t.value if target is None else target(t) for t in trials], dtype=np.float64
        )
        # The "inverted CDF" quantile: the ceil(q * n)-th smallest loss, ties kept.
        cutoff_index = math.ceil(quantile * losses.size) - 1
        cutoff = np.partition(losses, cutoff_index)[cutoff_index]
        return [t for t, keep in zip(trials, losses <= cutoff, strict=True) if keep]

    def _regimes(
        self, name: str, trials: list[FrozenTrial]
    ) -> dict[BaseDistribution | None, list[FrozenTrial]]:
        """The trials grouped by the parameter's distribution (``None``: parameter absent)."""
        # Group by object identity first: trials from one store share few distribution objects,
        # and hashing a distribution by value is what made this slow on 10,000 trials.
        dists = [t.distributions.get(name) for t in trials]
        ids = [id(d) for d in dists]
        firsts = {i: d for i, d in zip(ids, dists, strict=True)}  # one object per identity
        groups: dict[BaseDistribution | None, list[FrozenTrial]] = defaultdict(list)
        if len(firsts) == 1:
            groups[dists[0]] = list(trials)
        else:
            for key, dist in firsts.items():
                groups[dist].extend(t for t, i in zip(trials, ids, strict=True) if i == key)
        if any(len(g) < self._min_n_trials_in_regime for g in groups.values()):
            warnings.warn(
                f"Some regimes for parameter `{name}` have less than "
                f"{self._min_n_trials_in_regime} trials. "
                "The importance of the parameter may be inaccurate.",
                UserWarning,
                stacklevel=3,
            )
        return {d: g for d, g in groups.items() if len(g) >= self._min_n_trials_in_regime}

    def _divergence(
        self,
        name: str,
        dist: BaseDistribution,
        top: Sequence[FrozenTrial],
        region: Sequence[FrozenTrial],
    ) -> float:
        categorical = isinstance(dist, CategoricalDistribution)
        counts_top = grid_counts([t.params[name] for t in top], dist, self._n_steps)
        pdf_top = grid_pdf(counts_top, categorical, self._prior_weight) + 1e-12
        if self._evaluate_on_local:
            counts_region = grid_counts([t.params[name] for t in region], dist, self._n_steps)
            pdf_local = grid_pdf(counts_region, categorical, self._prior_weight) + 1e-12
        else:
            pdf_local = np.full(counts_top.size, 1.0 / counts_top.size)
        return pearson_divergence(pdf_top, pdf_local)


def _finite(trial: FrozenTrial, target: Callable[[FrozenTrial], float] | None) -> bool:
    if target is not None:
        return math.isfinite(target(trial))
    values = trial.values
    return values is not None and all(map(math.isfinite, values))


def _resolve_params(completed: list[FrozenTrial], params: list[str] | None) -> list[str]:
    # Every parameter seen in a completed trial, in order of first appearance (Optuna iterates a
    # set here, so its order among equal importances varies from run to run; ours does not).
    seen = dict.fromkeys(itertools.chain.from_iterable(t.distributions for t in completed))
    if params is None:
        return list(seen)
    missing = [p for p in params if p not in seen]
    if missing:
        raise ValueError(
            "params names parameters that appear in no completed trial. "
            "Study must contain at least one completed trial for each specified parameter. "
            f"Missing parameters: {missing}."
        )
    return list(params)
