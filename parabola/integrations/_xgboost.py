"""``XGBoostPruningCallback``: report XGBoost's evaluation metric to a trial and prune."""

from __future__ import annotations

from typing import Any

from parabola.exceptions import TrialPruned
from parabola.integrations._framework import require
from parabola.trial import Trial

__all__ = ["XGBoostPruningCallback"]

_xgb = require("XGBoostPruningCallback", "xgboost")


_Base: Any = _xgb.callback.TrainingCallback


class XGBoostPruningCallback(_Base):  # type: ignore[misc]
    """Report ``observation_key`` (``"<dataset>-<metric>"``, e.g. ``"validation-logloss"``) to
    the trial after each boosting round and stop the trial when the pruner says so
    (Optuna-integration's callback of the same name).

    Args:
        trial: The trial being evaluated.
        observation_key: The evaluation to report, as ``"<evals name>-<metric>"``.

    Raises:
        TrialPruned: from ``xgboost.train`` when the trial is pruned.
    """

    def __init__(self, trial: Trial, observation_key: str) -> None:
        super().__init__()
        self._trial = trial
        self._observation_key = observation_key

    def after_iteration(self, model: Any, epoch: int, evals_log: dict[str, Any]) -> bool:
        results: dict[str, float] = {}
        for dataset, metrics in evals_log.items():
            for metric, scores in metrics.items():
                last = scores[-1]
                # With cv, each score is (mean, std).
                results[f"{dataset}-{metric}"] = float(last[0] if isinstance(last, tuple) else last)
        if self._observation_key not in results:
            raise KeyError(
                f"XGBoostPruningCallback(observation_key={self._observation_key!r}): xgboost "
                f"reported {sorted(results)}."
            )
        self._trial.report(results[self._observation_key], step=epoch)
        if self._trial.should_prune():
            raise TrialPruned(f"Trial was pruned at iteration {epoch}.")
        return False
