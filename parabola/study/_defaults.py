"""The sampler and pruner a study gets when none is given."""

from __future__ import annotations

from collections.abc import Sequence

from parabola._study_direction import StudyDirection
from parabola.pruners._base import BasePruner
from parabola.samplers._base import BaseSampler

__all__ = ["default_pruner", "default_sampler"]


def default_sampler(directions: Sequence[StudyDirection]) -> BaseSampler:
    """``TPESampler()``, as in Optuna (multivariate for one objective, independent otherwise)."""
    from parabola.samplers._tpe import TPESampler

    return TPESampler()


def default_pruner() -> BasePruner:
    """``MedianPruner()``, as in Optuna."""
    from parabola.pruners._median import MedianPruner

    return MedianPruner()
