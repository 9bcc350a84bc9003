"""Parameter importance: which parameters of a study mattered (Optuna's ``optuna.importance``).

``get_param_importances(study)`` uses PED-ANOVA (Optuna 5.0's default; numpy only). The forest
evaluators, ``FanovaImportanceEvaluator`` and ``MeanDecreaseImpurityImportanceEvaluator``, need
scikit-learn (``pip install 'parabola[importance]'``), imported when one is constructed.
Evaluators read ``FrozenTrial`` objects only, so they work on any loaded study.
"""

from __future__ import annotations

from parabola.importance._base import BaseImportanceEvaluator
from parabola.importance._fanova import FanovaImportanceEvaluator
from parabola.importance._get import get_param_importances
from parabola.importance._mean_decrease_impurity import MeanDecreaseImpurityImportanceEvaluator
from parabola.importance._ped_anova import PedAnovaImportanceEvaluator

__all__ = [
    "BaseImportanceEvaluator",
    "FanovaImportanceEvaluator",
    "MeanDecreaseImpurityImportanceEvaluator",
    "PedAnovaImportanceEvaluator",
    "get_param_importances",
]
