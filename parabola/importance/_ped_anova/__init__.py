"""PED-ANOVA (Optuna 5.0's default importance evaluator): grid Parzen estimators, no model."""

from __future__ import annotations

from parabola.importance._ped_anova._evaluator import PedAnovaImportanceEvaluator

__all__ = ["PedAnovaImportanceEvaluator"]
