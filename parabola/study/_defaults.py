"""The sampler and pruner a study gets when none is given."""

from __future__ import annotations

from collections.abc import Sequence

from parabola._study_direction import StudyDirection
from parabola.pruners._base import BasePruner
from parabola.samplers._base import BaseSampler

__all__ = ["default_pruner", "default_sampler"]


def default_sampler(directions: Sequence[StudyDirection]) -> BaseSampler:
    """``RandomSampler`` until TPE lands (see issue 4); then ``TPESampler()``."""
    from parabola.samplers._random import RandomSampler

    return RandomSampler()


def default_pruner() -> BasePruner:
    """``NopPruner`` until the pruners land (see issue 4); then ``MedianPruner()``."""
    from parabola.pruners._nop import NopPruner

    return NopPruner()
