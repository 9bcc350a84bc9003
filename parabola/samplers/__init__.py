"""Samplers: strategies that propose parameter values for new trials."""

from __future__ import annotations

from parabola.samplers._base import BaseSampler
from parabola.samplers._random import RandomSampler
from parabola.samplers._view import StudyView

__all__ = ["BaseSampler", "RandomSampler", "StudyView"]
