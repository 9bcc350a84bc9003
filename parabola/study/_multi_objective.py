"""Pareto-front helpers for multi-objective studies (vectorised with numpy)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from parabola._study_direction import StudyDirection
from parabola.trial._frozen import FrozenTrial

__all__ = ["get_pareto_front_trials", "is_pareto_front"]


def is_pareto_front(loss_values: np.ndarray) -> np.ndarray:
    """Return a boolean mask of the non-dominated rows of ``loss_values`` (all minimised).

    Duplicated points are all kept, as Optuna does.
    """
    n = loss_values.shape[0]
    if n == 0:
        return np.zeros(0, dtype=bool)
    # Sort lexicographically so a dominating point always comes earlier.
    order = np.lexsort(loss_values.T[::-1])
    sorted_values = loss_values[order]
    on_front = np.zeros(n, dtype=bool)
    front: list[np.ndarray] = []
    for i in range(n):
        v = sorted_values[i]
        dominated = False
        for f in front:
            if np.all(f <= v) and np.any(f < v):
                dominated = True
                break
        if not dominated:
            front.append(v)
            on_front[order[i]] = True
    return on_front


def get_pareto_front_trials(
    trials: Sequence[FrozenTrial], directions: Sequence[StudyDirection]
) -> list[FrozenTrial]:
    """Return the COMPLETE trials not dominated by any other, ordered by number."""
    complete = [t for t in trials if t.values is not None and t.state.name == "COMPLETE"]
    if not complete:
        return []
    signs = np.array([-1.0 if d == StudyDirection.MAXIMIZE else 1.0 for d in directions])
    losses = np.array([t.values for t in complete], dtype=float) * signs
    mask = is_pareto_front(losses)
    return [t for t, keep in zip(complete, mask, strict=True) if keep]
