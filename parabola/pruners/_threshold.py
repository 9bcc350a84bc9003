"""``ThresholdPruner``: prune when an intermediate value leaves ``[lower, upper]``."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from parabola.pruners._base import BasePruner
from parabola.pruners._checks import check_int, is_first_in_interval_step
from parabola.trial._frozen import FrozenTrial

if TYPE_CHECKING:
    from parabola.samplers._view import StudyView

__all__ = ["ThresholdPruner"]


class ThresholdPruner(BasePruner):
    """Prune when the latest intermediate value is below ``lower``, above ``upper`` or NaN.

    Args:
        lower: Minimum allowed value (``None``: no lower bound).
        upper: Maximum allowed value (``None``: no upper bound). Give at least one bound.
        n_warmup_steps: No pruning before this step.
        interval_steps: Check every this many steps after the warm-up.

    Example:
        >>> import parabola
        >>> from parabola.trial import create_trial
        >>> pruner = parabola.pruners.ThresholdPruner(upper=1.0)
        >>> pruner.prune(None, create_trial(value=0.0, intermediate_values={0: 2.0}))
        True
    """

    def __init__(
        self,
        lower: float | None = None,
        upper: float | None = None,
        n_warmup_steps: int = 0,
        interval_steps: int = 1,
    ) -> None:
        if lower is None and upper is None:
            raise TypeError("ThresholdPruner(lower=..., upper=...): give at least one bound.")
        lo = -math.inf if lower is None else _check_bound("lower", lower)
        hi = math.inf if upper is None else _check_bound("upper", upper)
        if lo > hi:
            raise ValueError(
                f"ThresholdPruner(lower=..., upper=...): lower must be <= upper, got {lo} > {hi}."
            )
        self._lower = lo
        self._upper = hi
        self._n_warmup_steps = check_int("ThresholdPruner", "n_warmup_steps", n_warmup_steps, 0)
        self._interval_steps = check_int("ThresholdPruner", "interval_steps", interval_steps, 1)

    def prune(self, study: StudyView, trial: FrozenTrial) -> bool:
        step = trial.last_step
        if step is None or step < self._n_warmup_steps:
            return False
        if not is_first_in_interval_step(trial, step, self._n_warmup_steps, self._interval_steps):
            return False
        value = trial.intermediate_values[step]
        return math.isnan(value) or value < self._lower or value > self._upper


def _check_bound(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"ThresholdPruner({name}=...): expected a float, got {value!r}.")
    if math.isnan(value):
        raise ValueError(f"ThresholdPruner({name}=...): expected a number, got NaN.")
    return float(value)
