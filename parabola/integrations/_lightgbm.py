"""``LightGBMPruningCallback``: report LightGBM's validation metric to a trial and prune."""

from __future__ import annotations

from typing import Any

from parabola.exceptions import TrialPruned
from parabola.integrations._framework import require
from parabola.study import StudyDirection
from parabola.trial import Trial

__all__ = ["LightGBMPruningCallback"]

require("LightGBMPruningCallback", "lightgbm")


class LightGBMPruningCallback:
    """Report ``metric`` on ``valid_name`` to the trial every ``report_interval`` iterations and
    stop the trial when the pruner says so (Optuna-integration's callback of the same name).

    Args:
        trial: The trial being evaluated.
        metric: A metric LightGBM evaluates (``"binary_logloss"``, ``"auc"``, ``"l2"``...).
        valid_name: The validation set's name (``"valid_0"`` unless ``valid_names`` says).
        report_interval: Report every this many iterations.

    Raises:
        TrialPruned: from ``lightgbm.train`` when the trial is pruned.
        ValueError: the metric's direction contradicts the study's.
    """

    def __init__(
        self, trial: Trial, metric: str, valid_name: str = "valid_0", report_interval: int = 1
    ) -> None:
        if (
            isinstance(report_interval, bool)
            or not isinstance(report_interval, int)
            or (report_interval < 1)
        ):
            raise ValueError(
                f"LightGBMPruningCallback(report_interval=...): expected an int >= 1, got "
                f"{report_interval!r}."
            )
        self._trial = trial
        self._metric = metric
        self._valid_name = valid_name
        self._report_interval = report_interval

    def __call__(self, env: Any) -> None:
        if (env.iteration + 1) % self._report_interval != 0:
            return
        found = []
        for entry in env.evaluation_result_list:
            # (valid_name, metric, value, is_higher_better), plus the std with lightgbm.cv.
            valid, metric, value, higher_is_better = entry[:4]
            found.append(f"{valid}/{metric}")
            if metric != self._metric or valid not in (self._valid_name, "cv_agg"):
                continue
            direction = self._trial.study.direction
            if higher_is_better != (direction == StudyDirection.MAXIMIZE):
                raise ValueError(
                    f"LightGBMPruningCallback(metric={metric!r}): the metric is "
                    f"{'maximized' if higher_is_better else 'minimized'} but the study "
                    f"direction is {direction.name.lower()}."
                )
            self._trial.report(float(value), step=env.iteration)
            if self._trial.should_prune():
                raise TrialPruned(f"Trial was pruned at iteration {env.iteration}.")
            return
        raise ValueError(
            f"LightGBMPruningCallback(metric={self._metric!r}, valid_name={self._valid_name!r}): "
            f"lightgbm evaluated {found}; set metric=/valid_name= to one of them."
        )
