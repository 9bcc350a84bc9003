"""``PartialFixedSampler``: pin some parameters, let another sampler choose the rest."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from parabola._stability import experimental_class
from parabola.distributions import BaseDistribution
from parabola.samplers._base import BaseSampler
from parabola.samplers._view import StudyView
from parabola.trial._frozen import FrozenTrial
from parabola.trial._state import TrialState

__all__ = ["PartialFixedSampler"]


@experimental_class("2.4.0")
class PartialFixedSampler(BaseSampler):
    """Return fixed values for some parameters and delegate the others to ``base_sampler``.

    Fixed values are returned as given (external form), even outside the range passed to
    ``suggest_*``, which only warns. Fixed parameters are removed from the base sampler's
    relative search space so it never overrides them. Experimental, as in Optuna 5.0.

    Args:
        fixed_params: Parameter name to the value every trial gets.
        base_sampler: The sampler for every other parameter; it also receives the
            ``before_trial``/``after_trial`` hooks and ``reseed_rng``.

    Example:
        >>> import warnings, parabola
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore", parabola.exceptions.ExperimentalWarning)
        ...     sampler = parabola.samplers.PartialFixedSampler(
        ...         {"y": 0}, parabola.samplers.RandomSampler(seed=0))
        >>> study = parabola.create_study(sampler=sampler,
        ...                               storage=parabola.storages.InMemoryStorage())
        >>> study.optimize(
        ...     lambda t: t.suggest_float("x", -1, 1) ** 2 + t.suggest_int("y", -1, 1) ** 2,
        ...     n_trials=5)
        >>> {t.params["y"] for t in study.trials}
        {0}
    """

    def __init__(self, fixed_params: Mapping[str, Any], base_sampler: BaseSampler) -> None:
        if not isinstance(fixed_params, Mapping):
            raise TypeError(
                "PartialFixedSampler(fixed_params=...): expected a dict of parameter name to "
                f"value, got {fixed_params!r}."
            )
        if not isinstance(base_sampler, BaseSampler):
            raise TypeError(
                "PartialFixedSampler(base_sampler=...): expected a BaseSampler, got "
                f"{base_sampler!r}."
            )
        self._fixed_params = dict(fixed_params)
        self._base_sampler = base_sampler

    def reseed_rng(self) -> None:
        self._base_sampler.reseed_rng()

    def infer_relative_search_space(
        self, study: StudyView, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        space = self._base_sampler.infer_relative_search_space(study, trial)
        return {name: d for name, d in space.items() if name not in self._fixed_params}

    def sample_relative(
        self, study: StudyView, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        return self._base_sampler.sample_relative(study, trial, search_space)

    def sample_independent(
        self,
        study: StudyView,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        if param_name not in self._fixed_params:
            return self._base_sampler.sample_independent(
                study, trial, param_name, param_distribution
            )
        value = self._fixed_params[param_name]
        # to_internal_repr raises for a value of the wrong kind (e.g. not a choice); let it,
        # since the trial could not store it either.
        if not param_distribution._contains(param_distribution.to_internal_repr(value)):
            warnings.warn(
                f"Fixed parameter '{param_name}' with value '{value}' is out of range for "
                f"distribution '{param_distribution}'.",
                UserWarning,
                stacklevel=2,
            )
        return value

    def before_trial(self, study: StudyView, trial: FrozenTrial) -> None:
        self._base_sampler.before_trial(study, trial)

    def after_trial(
        self,
        study: StudyView,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        self._base_sampler.after_trial(study, trial, state, values)
