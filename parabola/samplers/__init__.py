"""Samplers: strategies that propose parameter values for new trials."""

from __future__ import annotations

from parabola.samplers._base import BaseSampler
from parabola.samplers._brute_force import BruteForceSampler
from parabola.samplers._grid import GridSampler
from parabola.samplers._partial_fixed import PartialFixedSampler
from parabola.samplers._qmc import QMCSampler
from parabola.samplers._random import RandomSampler
from parabola.samplers._tpe import TPESampler
from parabola.samplers._view import StudyView

__all__ = [
    "BaseSampler",
    "BruteForceSampler",
    "GridSampler",
    "PartialFixedSampler",
    "QMCSampler",
    "RandomSampler",
    "StudyView",
    "TPESampler",
]
