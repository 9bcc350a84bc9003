"""Argument validation and small helpers shared by the pruners."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from parabola._study_direction import StudyDirection
from parabola.trial._frozen import FrozenTrial

__all__ = ["check_int", "check_number", "is_first_in_interval_step", "single_direction"]


def check_int(owner: str, name: str, value: Any, minimum: int) -> int:
    """Return ``value`` if it is an int ``>= minimum``; raise naming the argument otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{owner}({name}=...): expected an int >= {minimum}, got {value!r}.")
    return int(value)


def check_number(owner: str, name: str, value: Any, low: float, high: float) -> float:
    """Return ``value`` as a float in ``[low, high]``; raise naming the argument otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"{owner}({name}=...): expected a number, got {value!r}.")
    out = float(value)
    if math.isnan(out) or not low <= out <= high:
        raise ValueError(f"{owner}({name}=...): expected a value in [{low}, {high}], got {out}.")
    return out


def single_direction(owner: str, directions: list[StudyDirection]) -> StudyDirection:
    """The study's only direction; pruning is undefined for several objectives."""
    if len(directions) != 1:
        raise NotImplementedError(f"{owner} does not support multi-objective studies.")
    return directions[0]


def is_first_in_interval_step(
    trial: FrozenTrial, step: int, n_warmup_steps: int, interval_steps: int
) -> bool:
    """Whether ``step`` is the first report at or after the latest pruning checkpoint.

    Checkpoints are ``n_warmup_steps + k * interval_steps``; a check whose step was never
    reported is postponed to the next report, as in Optuna.
    """
    checkpoint = (step - n_warmup_steps) // interval_steps * interval_steps + n_warmup_steps
    previous = max((s for s in trial.intermediate_values if s != step), default=-1)
    return previous < checkpoint
