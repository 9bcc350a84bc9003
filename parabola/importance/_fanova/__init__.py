"""fANOVA (Hutter et al., 2014) on scikit-learn's random forest, decomposed with numpy."""

from __future__ import annotations

from parabola.importance._fanova._evaluator import FanovaImportanceEvaluator

__all__ = ["FanovaImportanceEvaluator"]
