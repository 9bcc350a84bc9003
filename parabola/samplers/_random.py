"""``RandomSampler``: independent uniform sampling (log-uniform for ``log=True``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from parabola.distributions import BaseDistribution, from_unit
from parabola.samplers._base import BaseSampler
from parabola.samplers._view import StudyView
from parabola.trial._frozen import FrozenTrial

__all__ = ["RandomSampler"]


class RandomSampler(BaseSampler):
    """Sample every parameter independently and uniformly in its (log) range.

    Args:
        seed: Seed for the random number generator; the same seed gives the same trials in a
            single-threaded study.

    Example:
        >>> import parabola
        >>> study = parabola.create_study(sampler=parabola.samplers.RandomSampler(seed=0),
        ...                               storage=parabola.storages.InMemoryStorage())
        >>> study.optimize(lambda t: t.suggest_float("x", -10, 10) ** 2, n_trials=20)
        >>> study.best_value < 10
        True
    """

    def __init__(self, seed: int | None = None) -> None:
        self._seed = seed
        self._rng = np.random.RandomState(seed)

    def reseed_rng(self) -> None:
        self._rng = np.random.RandomState()

    def infer_relative_search_space(
        self, study: StudyView, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        return {}

    def sample_relative(
        self, study: StudyView, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        return {}

    def sample_independent(
        self,
        study: StudyView,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        internal = from_unit(param_distribution, self._rng.uniform(0.0, 1.0))
        return param_distribution.to_external_repr(internal)
