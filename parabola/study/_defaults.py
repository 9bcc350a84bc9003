"""The sampler and pruner a study gets when none is given."""

from __future__ import annotations

from collections.abc import Sequence

from parabola._study_direction import StudyDirection
from parabola.pruners._base import BasePruner
from parabola.samplers._base import BaseSampler

__all__ = ["default_pruner", "default_sampler"]


def default_sampler(directions: Sequence[StudyDirection]) -> BaseSampler:
    """``AutoSampler()``: GP, CMA-ES or TPE as the study grows (policy in ``docs/samplers.md``).

    Unseeded, as Optuna's default ``TPESampler()`` is; pass
    ``sampler=AutoSampler(seed=..., max_overhead=None)`` for a run reproducible bit for bit.
    Importing it is cheap: the samplers it hands over between (and numpy, SciPy) load on the
    first trial that needs them.
    """
    from parabola.samplers._auto import AutoSampler

    return AutoSampler()


def default_pruner() -> BasePruner:
    """``MedianPruner()``, as in Optuna."""
    from parabola.pruners._median import MedianPruner

    return MedianPruner()
