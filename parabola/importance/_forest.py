"""The random forest both forest evaluators fit: scikit-learn's, loaded on first use."""

from __future__ import annotations

from typing import Any

__all__ = ["check_forest_args", "make_forest"]


def check_forest_args(evaluator: str, n_trees: object, max_depth: object, seed: object) -> None:
    """Reject bad forest settings with the argument's name and what is allowed."""
    for name, value in (("n_trees", n_trees), ("max_depth", max_depth)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{evaluator}: {name} must be a positive int, got {value!r}.")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise ValueError(f"{evaluator}: seed must be None or a non-negative int, got {seed!r}.")


def make_forest(evaluator: str, n_trees: int, max_depth: int, seed: int | None) -> Any:
    """A ``RandomForestRegressor`` with Optuna's settings, so identical inputs fit identical trees.

    Raises:
        ImportError: naming the extra to install when scikit-learn is missing.
    """
    try:
        from sklearn.ensemble import RandomForestRegressor
    except ImportError as e:
        raise ImportError(
            f"{evaluator} needs scikit-learn, which is not installed. Install the importance "
            "extra: pip install 'parabola[importance]' (or use the default "
            "PedAnovaImportanceEvaluator, which needs numpy only)."
        ) from e
    return RandomForestRegressor(
        n_estimators=n_trees,
        max_depth=max_depth,
        min_samples_split=2,
        min_samples_leaf=1,
        random_state=seed,
    )
