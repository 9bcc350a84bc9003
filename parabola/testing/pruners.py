"""The pruner contract: pytest tests every :class:`~parabola.pruners.BasePruner` must pass.

Subclass :class:`PrunerContract` in a test module (the class name must start with ``Test``) and
implement :meth:`PrunerContract.create_pruner`; pytest then runs every contract test against
that pruner. The pruner sees the study only through the members of
:class:`~parabola.samplers.StudyView`; the suite checks it.

Example:
    .. code-block:: python

        from parabola.pruners import MedianPruner
        from parabola.testing.pruners import PrunerContract


        class TestMedianPruner(PrunerContract):
            def create_pruner(self):
                return MedianPruner(n_startup_trials=2)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, ClassVar

from parabola.pruners._base import BasePruner
from parabola.samplers._view import ForwardingStudyView, StudyView
from parabola.trial._frozen import FrozenTrial
from parabola.trial._state import TrialState

__all__ = ["PrunerContract", "learning_curve_objective"]


def learning_curve_objective(n_steps: int, sign: float = 1.0) -> Callable[[Any], float]:
    """An objective whose reported curve decays to its final value; worse ``x`` is worse."""
    from parabola.exceptions import TrialPruned

    def objective(trial: Any) -> float:
        x = float(trial.suggest_float("x", 0.0, 1.0))
        value = x
        for step in range(n_steps):
            value = x + 1.0 / (step + 1)
            trial.report(sign * value, step)
            if trial.should_prune():
                raise TrialPruned()
        return sign * value

    return objective


class _ThroughView(BasePruner):
    def __init__(self, inner: BasePruner) -> None:
        self.inner = inner
        self.decisions: list[bool] = []

    def prune(self, study: StudyView, trial: FrozenTrial) -> bool:
        decision = self.inner.prune(ForwardingStudyView(study), trial)
        assert isinstance(decision, bool), f"prune() returned {decision!r}, not a bool"
        self.decisions.append(decision)
        return decision


class PrunerContract:
    """Contract tests for a pruner; subclass it as ``Test<Something>``.

    Attributes:
        n_trials: Trials per study; keep it small, the suite runs for every pruner.
        n_steps: Steps each trial reports.
    """

    n_trials: ClassVar[int] = 16
    n_steps: ClassVar[int] = 12

    def create_pruner(self) -> BasePruner:
        """Return a fresh pruner."""
        raise NotImplementedError

    def _study(self, pruner: BasePruner, direction: str = "minimize", seed: int = 0) -> Any:
        import parabola
        from parabola.samplers import RandomSampler
        from parabola.storages import InMemoryStorage

        return parabola.create_study(
            storage=InMemoryStorage(),
            sampler=RandomSampler(seed=seed),
            pruner=pruner,
            direction=direction,
            # A fixed name: Hyperband derives brackets from it, runs must be comparable.
            study_name="pruner-contract",
        )

    def _run(self, direction: str = "minimize", n_jobs: int = 1) -> tuple[Any, _ThroughView]:
        pruner = _ThroughView(self.create_pruner())
        study = self._study(pruner, direction)
        sign = -1.0 if direction == "maximize" else 1.0
        study.optimize(
            learning_curve_objective(self.n_steps, sign), n_trials=self.n_trials, n_jobs=n_jobs
        )
        return study, pruner

    def test_trials_finish_complete_or_pruned(self) -> None:
        study, pruner = self._run()
        states = {t.state for t in study.trials}
        assert states <= {TrialState.COMPLETE, TrialState.PRUNED}
        assert len(study.trials) == self.n_trials
        assert pruner.decisions, "the pruner was never consulted"

    def test_maximize(self) -> None:
        study, _ = self._run("maximize")
        assert {t.state for t in study.trials} <= {TrialState.COMPLETE, TrialState.PRUNED}

    def test_no_intermediate_values_is_not_pruned(self) -> None:
        pruner = self.create_pruner()
        study = self._study(pruner)
        study.optimize(learning_curve_objective(self.n_steps), n_trials=4)
        trial = study.ask()
        frozen = study._storage.get_trial(trial._trial_id)
        assert pruner.prune(ForwardingStudyView(study), frozen) is False

    def test_deterministic(self) -> None:
        first = [t.state for t in self._run()[0].trials]
        second = [t.state for t in self._run()[0].trials]
        assert first == second

    def test_two_threads(self) -> None:
        study, _ = self._run(n_jobs=2)
        assert len(study.trials) == self.n_trials
        assert {t.state for t in study.trials} <= {TrialState.COMPLETE, TrialState.PRUNED}

    def test_nan_report_does_not_crash(self) -> None:
        pruner = self.create_pruner()
        study = self._study(pruner)
        study.optimize(learning_curve_objective(self.n_steps), n_trials=6)
        trial = study.ask()
        trial.report(math.nan, 0)
        assert isinstance(trial.should_prune(), bool)
