"""``MedianPruner``: the default pruner (the 50th percentile)."""

from __future__ import annotations

from parabola.pruners._percentile import PercentilePruner

__all__ = ["MedianPruner"]


class MedianPruner(PercentilePruner):
    """Prune if the trial's best intermediate value is worse than the median of the COMPLETE
    trials' values at the same step.

    Args:
        n_startup_trials: No pruning until this many trials are COMPLETE.
        n_warmup_steps: No pruning before this step.
        interval_steps: Check every this many steps after the warm-up.
        n_min_trials: Minimum number of COMPLETE trials that reported the current step.

    Example:
        >>> import parabola
        >>> pruner = parabola.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=2)
        >>> pruner
        MedianPruner(n_startup_trials=5, n_warmup_steps=2, interval_steps=1, n_min_trials=1)
    """

    def __init__(
        self,
        n_startup_trials: int = 5,
        n_warmup_steps: int = 0,
        interval_steps: int = 1,
        *,
        n_min_trials: int = 1,
    ) -> None:
        super().__init__(
            50.0, n_startup_trials, n_warmup_steps, interval_steps, n_min_trials=n_min_trials
        )

    def __repr__(self) -> str:
        return (
            f"MedianPruner(n_startup_trials={self._n_startup_trials}, "
            f"n_warmup_steps={self._n_warmup_steps}, interval_steps={self._interval_steps}, "
            f"n_min_trials={self._n_min_trials})"
        )
