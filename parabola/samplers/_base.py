"""``BaseSampler``: the contract every sampler implements.

A sampler proposes parameter values. ``Study`` calls it in this order for each trial:

1. :meth:`before_trial` when the trial starts;
2. :meth:`infer_relative_search_space` then :meth:`sample_relative`, once per trial, on the
   first ``suggest_*`` the sampler must decide (not for enqueued or single-valued parameters;
   also when the relative space is empty, as in Optuna): joint sampling of the parameters
   seen in earlier trials (e.g. multivariate TPE);
3. :meth:`sample_independent` for each ``suggest_*`` not covered by step 2;
4. :meth:`after_trial` when the trial finishes, whatever its state.

Values cross this interface in their **external** form, as in Optuna: a categorical's choice
itself (not its index), an int parameter as an ``int``. ``FrozenTrial.params`` is external too.

Samplers see the study only through :class:`~parabola.samplers.StudyView` (the ``study``
argument) and trials as :class:`~parabola.trial.FrozenTrial`. They must be safe to call from
several threads (``optimize(n_jobs=...)``) and, when seeded, reproducible in a single thread.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from parabola.distributions import BaseDistribution
from parabola.logging import get_logger
from parabola.trial._frozen import FrozenTrial
from parabola.trial._state import TrialState

if TYPE_CHECKING:
    from parabola.samplers._view import StudyView

__all__ = ["BaseSampler"]


class BaseSampler(abc.ABC):
    """Abstract sampler. Subclass it and implement the three abstract methods."""

    def __str__(self) -> str:
        return self.__class__.__name__

    @abc.abstractmethod
    def infer_relative_search_space(
        self, study: StudyView, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        """Return the parameters to sample jointly in :meth:`sample_relative` (may be empty)."""

    @abc.abstractmethod
    def sample_relative(
        self,
        study: StudyView,
        trial: FrozenTrial,
        search_space: dict[str, BaseDistribution],
    ) -> dict[str, Any]:
        """Return external values for (some of) ``search_space``; others go independent.

        A returned name must be in ``search_space``; a value outside its distribution's range
        makes that parameter go to :meth:`sample_independent`.
        """

    @abc.abstractmethod
    def sample_independent(
        self,
        study: StudyView,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        """Return the external value for one parameter."""

    def before_trial(self, study: StudyView, trial: FrozenTrial) -> None:
        """Hook run when a trial starts; default does nothing."""

    def after_trial(
        self,
        study: StudyView,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        """Hook run when a trial ends, before its state is stored; default does nothing."""

    def reseed_rng(self) -> None:
        """Give the sampler a fresh random state (used for process-parallel workers)."""

    def _raise_error_if_multi_objective(self, study: StudyView) -> None:
        if len(study.directions) > 1:
            raise ValueError(
                # Optuna's sentence first (code may match on it), then what does fit.
                f"If the study is being used for multi-objective optimization, "
                f"{self.__class__.__name__} cannot be used. The study has "
                f"{len(study.directions)} directions; samplers for several objectives: "
                "AutoSampler (the default), GPSampler (2-3 objectives), NSGAIISampler, "
                "NSGAIIISampler, TPESampler, RandomSampler, QMCSampler, GridSampler."
            )


def _warn_independent_sampling(
    sampler: str, param_name: str, trial: FrozenTrial, fallback: str
) -> None:
    # Logged, not warnings.warn: Optuna logs it too, and with n_jobs a Python warning raised in
    # a worker thread escapes any catch_warnings() of the caller.
    get_logger(__name__).warning(
        f"The parameter '{param_name}' in trial#{trial.number} is sampled independently by "
        f"{fallback} instead of {sampler} (dynamic search space)."
    )
