"""``WilcoxonPruner``: a paired signed-rank test against the best trial, step by step.

Meant for objectives that average many independent evaluations (folds, instances), reported
as ``trial.report(score_i, i)``: a trial is pruned once the Wilcoxon signed-rank test says it is
worse than the best COMPLETE trial on the same steps with p-value below ``p_threshold``.
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from parabola._stability import experimental_class
from parabola._study_direction import StudyDirection
from parabola.pruners._base import BasePruner
from parabola.pruners._checks import check_int, check_number, single_direction
from parabola.trial._frozen import FrozenTrial
from parabola.trial._state import TrialState

if TYPE_CHECKING:
    from parabola.samplers._view import StudyView

__all__ = ["WilcoxonPruner", "signed_rank_pvalue"]


@experimental_class("3.6.0")
class WilcoxonPruner(BasePruner):
    """Prune when a trial is significantly worse than the best trial on the shared steps.

    Args:
        p_threshold: Significance level in ``[0, 1]``; lower prunes less.
        n_startup_steps: No pruning until this many shared steps (at least 2 are needed).

    Example:
        >>> import warnings, parabola
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore", parabola.exceptions.ExperimentalWarning)
        ...     pruner = parabola.pruners.WilcoxonPruner(p_threshold=0.1)
        >>> type(pruner).__name__
        'WilcoxonPruner'
    """

    def __init__(self, *, p_threshold: float = 0.1, n_startup_steps: int = 2) -> None:
        self._p_threshold = check_number("WilcoxonPruner", "p_threshold", p_threshold, 0.0, 1.0)
        self._n_startup_steps = check_int("WilcoxonPruner", "n_startup_steps", n_startup_steps, 0)

    def prune(self, study: StudyView, trial: FrozenTrial) -> bool:
        direction = single_direction("WilcoxonPruner", study.directions)
        if not trial.intermediate_values:
            return False
        steps = np.asarray(list(trial.intermediate_values), dtype=np.int64)
        values = np.asarray(list(trial.intermediate_values.values()), dtype=float)
        if not np.all(np.isfinite(values)):
            warnings.warn(
                f"The intermediate values of trial {trial.number} contain inf or NaN; "
                "WilcoxonPruner will not prune it.",
                UserWarning,
                stacklevel=3,
            )
            return False
        maximize = direction == StudyDirection.MAXIMIZE
        completed = [
            t
            for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
            if t.value is not None
        ]
        if not completed:
            return False
        best = (max if maximize else min)(completed, key=lambda t: float(t.value or 0.0))
        if not best.intermediate_values:
            warnings.warn(
                "The best trial has no intermediate values, so WilcoxonPruner cannot prune.",
                UserWarning,
                stacklevel=3,
            )
            return False
        best_steps = np.asarray(list(best.intermediate_values), dtype=np.int64)
        best_values = np.asarray(list(best.intermediate_values.values()), dtype=float)
        if not np.all(np.isfinite(best_values)):
            warnings.warn(
                f"The intermediate values of the best trial {best.number} contain inf or NaN; "
                "WilcoxonPruner will not prune.",
                UserWarning,
                stacklevel=3,
            )
            return False
        _, i1, i2 = np.intersect1d(steps, best_steps, return_indices=True)
        if len(i1) < len(values):
            warnings.warn(
                "WilcoxonPruner: some steps of the current trial are missing from the best "
                "trial; they are ignored.",
                UserWarning,
                stacklevel=3,
            )
        diff = values[i1] - best_values[i2]
        if len(diff) < max(2, self._n_startup_steps):
            return False
        alternative: Literal["less", "greater"] = "less" if maximize else "greater"
        mean_mine, mean_best = float(np.mean(values)), float(np.mean(best_values))
        average_is_best = mean_best <= mean_mine if maximize else mean_best >= mean_mine
        p = signed_rank_pvalue(diff, alternative)
        if p < self._p_threshold and average_is_best:
            return False
        return p < self._p_threshold


def signed_rank_pvalue(
    diff: np.ndarray[Any, np.dtype[np.float64]], alternative: Literal["less", "greater"]
) -> float:
    """One-sided p-value of the Wilcoxon signed-rank test of ``diff`` (zeros split in half).

    Matches ``scipy.stats.wilcoxon(diff, alternative=..., zero_method="zsplit")`` with its
    default method: the exact null distribution for ``n <= 50`` without ties or zeros; with ties
    or zeros all ``2**n`` sign flips for ``n <= 13``; otherwise the normal approximation
    (tie-corrected, no continuity correction). Written out because ``scipy.stats.wilcoxon``
    costs milliseconds per call (its permutation path far more), and pruning runs every step.
    """
    d = np.asarray(diff, dtype=float)
    n = len(d)
    absd = np.abs(d)
    order = np.argsort(absd, kind="stable")
    _, first, counts = np.unique(absd[order], return_index=True, return_counts=True)
    ranks = np.empty(n)
    ranks[order] = np.repeat(first + (counts + 1) / 2.0, counts)  # average ranks over ties
    zero = d == 0
    r_plus = float(ranks[d > 0].sum() + 0.5 * ranks[zero].sum())
    exact = not np.any(counts > 1) and not np.any(zero)
    if exact and n <= 50:
        total = n * (n + 1) // 2
        dist = np.zeros(total + 1)
        dist[0] = 1.0
        for k in range(1, n + 1):
            dist[k:] = dist[k:] + dist[: total + 1 - k].copy()
        dist /= dist.sum()
        w = round(r_plus)
        tail = dist[w:].sum() if alternative == "greater" else dist[: w + 1].sum()
        return float(min(tail, 1.0))
    if not exact and n <= 13:
        signs = ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(bool)
        stats = np.where(zero, 0.5 * ranks, np.where(signs, ranks, 0.0)).sum(axis=1)
        tol = 1e-12 * max(abs(r_plus), 1.0)
        if alternative == "greater":
            return float(np.mean(stats >= r_plus - tol))
        return float(np.mean(stats <= r_plus + tol))
    mean = n * (n + 1) / 4.0
    var = n * (n + 1) * (2 * n + 1) / 24.0 - float(np.sum(counts**3 - counts)) / 48.0
    if var <= 0:
        return 1.0
    z = (r_plus - mean) / math.sqrt(var)
    if alternative == "greater":
        return 0.5 * math.erfc(z / math.sqrt(2.0))
    return 0.5 * math.erfc(-z / math.sqrt(2.0))
