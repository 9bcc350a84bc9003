"""``PyTorchLightningPruningCallback``: report a validation metric to a trial and prune."""

from __future__ import annotations

import warnings
from typing import Any

from parabola.exceptions import TrialPruned
from parabola.integrations._framework import require
from parabola.trial import Trial

__all__ = ["PyTorchLightningPruningCallback"]

_pl = require("PyTorchLightningPruningCallback", "lightning.pytorch", "pytorch_lightning")


_Base: Any = _pl.Callback


class PyTorchLightningPruningCallback(_Base):  # type: ignore[misc]
    """Report ``monitor`` (a logged validation metric) to the trial after each validation epoch
    and stop the trial when the pruner says so (Optuna-integration's callback of this name).

    Args:
        trial: The trial being evaluated.
        monitor: The metric to report, as logged with ``self.log`` (e.g. ``"val_loss"``).

    Raises:
        TrialPruned: from ``trainer.fit`` when the trial is pruned.
    """

    def __init__(self, trial: Trial, monitor: str) -> None:
        super().__init__()
        self._trial = trial
        self.monitor = monitor

    def on_validation_end(self, trainer: Any, pl_module: Any) -> None:
        if trainer.sanity_checking:
            return
        score = trainer.callback_metrics.get(self.monitor)
        if score is None:
            warnings.warn(
                f"PyTorchLightningPruningCallback(monitor={self.monitor!r}): the metric is not "
                f"among the logged ones ({sorted(trainer.callback_metrics)}); nothing reported.",
                UserWarning,
                stacklevel=2,
            )
            return
        epoch = pl_module.current_epoch
        self._trial.report(float(score), step=epoch)
        if self._trial.should_prune():
            raise TrialPruned(f"Trial was pruned at epoch {epoch}.")
