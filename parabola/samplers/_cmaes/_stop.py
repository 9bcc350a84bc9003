"""When a restarted run should stop: tests on the values the study has seen.

The ``cmaes`` library's own tests (``CMA.should_stop``: tolfun and tolx of 1e-12, a condition
number of 1e14, ...) are Hansen's tolerances for budgets of 1e5 evaluations a dimension or more:
within a study of a few hundred or thousand trials they rarely fire (at 5-D over 1,000 trials,
one run in 50 restarted on BBOB f15-f24), so a restart strategy is plain CMA-ES. BIPOP (Hansen
2009) also stops a run on stagnation and on a flat fitness; the tests here are those, sized for
a trial budget:

* **converged** (Hansen's TolHistFun): over the last
  ``k = WINDOW_BASE + ceil(WINDOW_PER_DIM * dim / popsize)`` generations (10 + 30 n / lambda,
  Hansen's window) the generations' best values lie within ``TOL_REL`` times the spread of the
  study's first generation (Hansen: 1e-12 absolute). The spread makes the tolerance
  independent of the objective's scale and offset.
* **stalled** (Hansen's Stagnation, on a budget): over the last ``STALL_FACTOR * k``
  generations, the generations' best values improved on the run's best before them by at most
  that tolerance. Hansen's test needs at least 120 + 30 n / lambda generations (more than
  1,000 trials at 5-D); a rugged function (Katsuura, Weierstrass) can stall a run for ``k``
  generations and still improve later, hence the factor.
* a run whose best is worse than an earlier run's uses the looser ``TOL_BEHIND``: it cannot
  improve the study unless it progresses, so its budget goes to the next run sooner.
* **flat fitness**: in more than a third of the last ``dim`` generations (at least 3), a
  generation's best value equalled its ``1 + ceil(0.1 + popsize / 4)``-th best (Hansen's
  EqualFunValues): the step size cannot adapt on a plateau.

Everything here is a function of the told values, so replaying the trials in another process
reaches the same decisions: nothing is stored.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = [
    "STALL_FACTOR",
    "TOL_BEHIND",
    "TOL_REL",
    "WINDOW_BASE",
    "WINDOW_PER_DIM",
    "RunHistory",
    "spread",
    "window",
]

# Chosen on BBOB f15-f24 seeds 100-104 (not on the seeds the benchmark reports): see
# benchmarks/README.md, "CmaEsSampler: BIPOP on BBOB f15-f24".
WINDOW_BASE = 10
WINDOW_PER_DIM = 30.0
STALL_FACTOR = 2
TOL_REL = 1e-10
TOL_BEHIND = 1e-3


def window(dim: int, popsize: int) -> int:
    """Generations the converged test looks back over (the stalled test: ``STALL_FACTOR``x)."""
    return WINDOW_BASE + math.ceil(WINDOW_PER_DIM * dim / popsize)


@dataclass
class RunHistory:
    """What the stopping tests remember of the current run (reset at each restart)."""

    dim: int
    popsize: int
    bests: list[float] = field(default_factory=list)  # each generation's best value
    flats: list[bool] = field(default_factory=list)  # ... equal to its k-th best
    # The best of ``bests`` older than the stalled test's window, kept as generations arrive
    # (the tests run at every generation: a min over the whole run would make them quadratic).
    before: float = math.inf
    best: float = math.inf  # the run's best value

    def add(self, values: Sequence[float]) -> None:
        """Record one told generation (minimised values)."""
        ranked = sorted(values)
        k = min(len(ranked), 1 + math.ceil(0.1 + self.popsize / 4))
        self.bests.append(ranked[0])
        self.best = min(self.best, ranked[0])
        self.flats.append(ranked[0] == ranked[k - 1])
        w = STALL_FACTOR * window(self.dim, self.popsize)
        if len(self.bests) > w:
            self.before = min(self.before, self.bests[-w - 1])

    def reason(self, scale: float | None, behind: bool) -> str | None:
        """Why the run should stop (``"flat"``, ``"converged"`` or ``"stalled"``), or None.

        ``scale`` is the spread of the study's first generation (None when not finite): the
        unit of the tolerances. ``behind``: the run's best is worse than an earlier run's, so
        the looser ``TOL_BEHIND`` applies (it cannot help unless it progresses).
        """
        recent = max(3, self.dim)
        if len(self.flats) >= recent and 3 * sum(self.flats[-recent:]) > recent:
            return "flat"
        if scale is None:
            return None
        tol = (TOL_BEHIND if behind else TOL_REL) * scale
        k = window(self.dim, self.popsize)
        if len(self.bests) >= k:
            last = self.bests[-k:]
            if max(last) - min(last) <= tol:
                return "converged"
        if (
            len(self.bests) > STALL_FACTOR * k
            and not self.before - min(self.bests[-STALL_FACTOR * k :]) > tol
        ):
            return "stalled"
        return None


def spread(values: Sequence[float]) -> float | None:
    """The range of one generation's values, or None when it is not a finite number."""
    s = max(values) - min(values)
    return s if math.isfinite(s) else None
