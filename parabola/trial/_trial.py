"""``Trial``: the object an objective receives; it suggests values and reports progress."""

from __future__ import annotations

import datetime
import functools
import math
import operator
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from parabola.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
    check_distribution_compatibility,
)
from parabola.trial._base import BaseTrial
from parabola.trial._constraints import check_constraint, constraint_key, constraints_from_attrs
from parabola.trial._suggest import SuggestMixin

if TYPE_CHECKING:
    from parabola.study._study import Study

__all__ = ["Trial"]

FIXED_PARAMS_KEY = "fixed_params"  # system attr set by enqueue_trial
_NOT_FLOAT = (IntDistribution, CategoricalDistribution)


class Trial(SuggestMixin):
    """A running trial of a study. Objectives call ``suggest_*``, ``report`` and ``should_prune``.

    Created by ``Study.optimize`` or ``Study.ask``; do not construct it yourself.

    Example:
        >>> import parabola
        >>> def objective(trial):
        ...     x = trial.suggest_float("x", -10, 10)
        ...     return (x - 2) ** 2
        >>> study = parabola.create_study(storage=parabola.storages.InMemoryStorage())
        >>> study.optimize(objective, n_trials=5)
    """

    def __init__(self, study: Study, trial_id: int) -> None:
        self.study = study
        self._trial_id = trial_id
        self.storage = study._storage
        self._cached = self.storage.get_trial(trial_id)
        self._fixed_params: dict[str, Any] = dict(
            self._cached.system_attrs.get(FIXED_PARAMS_KEY, {})
        )
        hook = study.sampler.before_trial
        writes = self.storage._trial_write_count()
        hook(study, self._cached)
        if getattr(hook, "__func__", None) is not _default_before_trial() and (
            writes is None or self.storage._trial_write_count() != writes
        ):
            # Re-read: before_trial may have written system attributes (a grid id, fixed
            # params). Skipped when the store saw no write (most hooks do nothing).
            self._cached = self.storage.get_trial(trial_id)
            self._fixed_params.update(self._cached.system_attrs.get(FIXED_PARAMS_KEY, {}))
        # Evaluated on the first suggestion the sampler decides, as Optuna does: the relative
        # search space is then inferred from the latest trials, and samplers that do their
        # bookkeeping in sample_relative see the call even when the space is empty.
        self.relative_search_space: dict[str, BaseDistribution] | None = None
        self._relative_params: dict[str, Any] | None = None

    @property
    def relative_params(self) -> dict[str, Any]:
        """External values the sampler chose jointly for this trial (computed on first use)."""
        if self._relative_params is None:
            sampler = self.study.sampler
            self.relative_search_space = sampler.infer_relative_search_space(
                self.study, self._cached
            )
            self._relative_params = sampler.sample_relative(
                self.study, self._cached, self.relative_search_space
            )
        return self._relative_params

    def _suggest(self, name: str, distribution: BaseDistribution) -> Any:
        # Every suggest_* of every trial runs this: the trial's dicts are read directly
        # (``_params``/``_distributions``: the properties cost a call each) and the usual
        # case, a new parameter the sampler decides, takes no detour.
        cached = self._cached
        distributions = cached._distributions
        if name in distributions:
            old = distributions[name]
            try:
                check_distribution_compatibility(old, distribution)
            except ValueError as e:
                raise ValueError(
                    f"Parameter '{name}' was already suggested in trial {cached.number} with "
                    f"{old!r}; it cannot be suggested again with {distribution!r}. {e}"
                ) from None
            if old != distribution:
                warnings.warn(
                    f'Inconsistent parameter values for distribution with name "{name}"! '
                    "This might be a configuration mistake. Optuna allows to call the same "
                    "distribution with the same name more than once in a trial. When the "
                    "parameter values are inconsistent optuna only uses the values of the "
                    f"first call and ignores all following. Using these values: {old._asdict()}",
                    RuntimeWarning,
                    stacklevel=3,
                )
            return cached._params[name]

        if name in self._fixed_params:
            external = self._fixed_params[name]
            try:
                internal = distribution.to_internal_repr(external)
            except ValueError as e:
                raise ValueError(
                    f"The fixed (enqueued) value {external!r} of parameter '{name}' does not fit "
                    f"{distribution!r}: {e}"
                ) from None
            if not distribution._contains(internal):
                warnings.warn(
                    f"Fixed parameter '{name}' with value {external!r} is out of range for "
                    f"{distribution!r}.",
                    UserWarning,
                    stacklevel=3,
                )
        else:
            _check_finite(name, distribution)
            relative: float | None = None
            if distribution.single():
                external = distribution.to_external_repr(_single_value(distribution))
            else:
                relative = self._relative_internal(name, distribution)
                external = (
                    self.study.sampler.sample_independent(self.study, cached, name, distribution)
                    if relative is None
                    else None
                )
            if relative is not None:
                internal = relative  # converted and checked by _relative_internal
            else:
                try:
                    internal = distribution.to_internal_repr(external)
                except ValueError as e:
                    raise ValueError(
                        f"{self.study.sampler} returned {external!r} for parameter '{name}', "
                        f"which does not fit {distribution!r}: {e} Samplers return external "
                        "values (a choice itself, not its index)."
                    ) from None

        self.storage.set_trial_param(self._trial_id, name, internal, distribution)
        external = distribution.to_external_repr(internal)
        cached._params[name] = external
        distributions[name] = distribution
        return external

    def _relative_internal(self, name: str, distribution: BaseDistribution) -> float | None:
        """The internal value ``sample_relative`` chose for ``name``, or ``None`` when it chose
        none or one outside ``distribution`` (then the parameter is sampled independently)."""
        relative_params = self._relative_params
        if relative_params is None:
            relative_params = self.relative_params  # the first decided suggestion: sample
        if name not in relative_params:
            return None
        space = self.relative_search_space
        assert space is not None
        if name not in space:
            raise ValueError(
                f"The parameter {name} was sampled by `sample_relative` method "
                "but it is not contained in the relative search space."
            )
        if space[name] is not distribution:  # the same object (cached) is compatible
            check_distribution_compatibility(space[name], distribution)
        try:
            internal = distribution.to_internal_repr(relative_params[name])
        except ValueError as e:
            raise ValueError(
                f"{self.study.sampler}.sample_relative returned {relative_params[name]!r} for "
                f"parameter '{name}', which does not fit {distribution!r}: {e} Samplers return "
                "external values (a choice itself, not its index)."
            ) from None
        return internal if distribution._contains(internal) else None

    def report(self, value: float, step: int) -> None:
        """Record an intermediate objective value at ``step`` (an int >= 0) for pruning.

        Reporting the same step twice keeps the first value and warns, as Optuna does.

        Raises:
            TypeError: if ``value`` is not a number or ``step`` is not an int.
            ValueError: if ``step`` is negative.

        Example:
            >>> import parabola
            >>> def objective(trial):
            ...     for epoch in range(3):
            ...         loss = 1.0 / (epoch + 1)
            ...         trial.report(loss, step=epoch)
            ...         if trial.should_prune():
            ...             raise parabola.TrialPruned()
            ...     return loss
            >>> study = parabola.create_study(storage=parabola.storages.InMemoryStorage())
            >>> study.optimize(objective, n_trials=1)
            >>> study.trials[0].intermediate_values
            {0: 1.0, 1: 0.5, 2: 0.3333333333333333}
        """
        if len(self.study.directions) > 1:
            raise NotImplementedError(
                "Trial.report is not supported for multi-objective optimization."
            )
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise TypeError(
                f"report(value=...): expected a float, got {value!r} ({type(value).__name__})."
            ) from None
        raw: Any = step
        if isinstance(raw, float) and raw.is_integer():
            step = int(raw)  # Optuna accepts report(v, 1.0); 1.5 is refused below, not truncated
        try:
            # operator.index accepts numpy integers (``for step in np.arange(...)``).
            step = operator.index(step)
        except TypeError:
            raise TypeError(f"report(step=...): expected an int >= 0, got {step!r}.") from None
        if isinstance(step, bool):
            raise TypeError(f"report(step=...): expected an int >= 0, got {step!r}.")
        if step < 0:
            raise ValueError(f"report(step=...): expected an int >= 0, got {step!r}.")
        if step in self._cached.intermediate_values:
            warnings.warn(
                f"The reported value is ignored because this `{step=}` is already reported.",
                UserWarning,
                stacklevel=2,
            )
            return
        self.storage.set_trial_intermediate_value(self._trial_id, step, value)
        self._cached.intermediate_values[step] = value
        # The trial's tracking run, if Trial.log started one, shows the curve too.
        self.study._trial_runs.on_report(self._trial_id, step, value)

    def log(
        self, data: Mapping[str, Any], step: int | None = None, commit: bool | None = None
    ) -> None:
        """Log metrics to this trial's own tracking run (W&B's ``run.log`` rules).

        The run is created on the first call, in the study's store, grouped under the study
        (``group=study_name``, one run per trial); values passed to :meth:`report` are added to
        its history as ``value``. ``tell`` finishes it with the trial. See ``docs/tracking.md``.

        Example:
            >>> import parabola
            >>> def objective(trial):
            ...     x = trial.suggest_float("x", -1, 1)
            ...     for epoch in range(3):
            ...         trial.log({"loss": x**2 / (epoch + 1)}, step=epoch)
            ...     return x**2
            >>> study = parabola.create_study(storage=parabola.storages.InMemoryStorage())
            >>> study.optimize(objective, n_trials=2)
        """
        run = self.study._trial_runs.open(self.study, self._trial_id, self.number, self._cached)
        run.log(data, step=step, commit=commit)

    def should_prune(self) -> bool:
        """Ask the study's pruner whether to stop now; raise ``TrialPruned`` if ``True``."""
        if len(self.study.directions) > 1:
            raise NotImplementedError(
                "Trial.should_prune is not supported for multi-objective optimization."
            )
        snapshot = self.storage.get_trial(self._trial_id)
        return bool(self.study.pruner.prune(self.study, snapshot))

    def set_user_attr(self, key: str, value: Any) -> None:
        """Attach a JSON-serialisable value to the trial (shown in ``trials_dataframe``)."""
        self.storage.set_trial_user_attr(self._trial_id, key, value)
        self._cached.user_attrs[key] = value

    def set_constraint(self, key: str, value: float) -> None:
        """Record a named constraint value; ``value > 0`` means the constraint is violated.

        As in Optuna, setting the same constraint twice keeps the first value and warns.

        Example:
            >>> import parabola
            >>> def objective(trial):
            ...     x = trial.suggest_float("x", -1, 1)
            ...     trial.set_constraint("x_positive", -x)  # feasible when x >= 0
            ...     return x ** 2
            >>> study = parabola.create_study(storage=parabola.storages.InMemoryStorage(),
            ...                               sampler=parabola.samplers.RandomSampler(seed=0))
            >>> study.optimize(objective, n_trials=10)
            >>> study.best_params["x"] >= 0  # the best *feasible* trial
            True
        """
        number = check_constraint(key, value)
        name = constraint_key(key)
        if name in self._cached.system_attrs:
            warnings.warn(
                f"The constraint value is ignored because this constraint `{key=}` is already set.",
                UserWarning,
                stacklevel=2,
            )
            return
        self.storage.set_trial_system_attr(self._trial_id, name, number)
        self._cached.system_attrs[name] = number

    @property
    def constraints(self) -> dict[str, float]:
        """Named constraint values set so far."""
        return constraints_from_attrs(self._cached.system_attrs)

    @property
    def number(self) -> int:
        """0-based number of the trial in its study."""
        return self._cached.number

    @property
    def params(self) -> dict[str, Any]:
        """Parameters suggested so far (external values)."""
        return dict(self._cached.params)

    @property
    def distributions(self) -> dict[str, BaseDistribution]:
        """Distributions of the parameters suggested so far."""
        return dict(self._cached.distributions)

    @property
    def user_attrs(self) -> dict[str, Any]:
        return dict(self._cached.user_attrs)

    @property
    def datetime_start(self) -> datetime.datetime | None:
        return self._cached.datetime_start


@functools.cache
def _default_before_trial() -> Any:
    """``BaseSampler.before_trial``, which writes nothing (imported on first use: a reader of
    trials does not import the samplers)."""
    from parabola.samplers._base import BaseSampler

    return BaseSampler.before_trial


def _single_value(distribution: BaseDistribution) -> float:
    if isinstance(distribution, (FloatDistribution, IntDistribution)):
        return float(distribution.low)
    assert isinstance(distribution, CategoricalDistribution)
    return 0.0


def _check_finite(name: str, distribution: BaseDistribution) -> None:
    # A FloatDistribution may have infinite bounds (as in Optuna, e.g. for create_trial), but
    # no sampler can draw from one; Optuna fails with an OverflowError deep in numpy.
    if type(distribution) is FloatDistribution:
        # low <= high, so finite bounds are these two comparisons (each ~30 ns; isinstance on
        # the distribution ABCs costs ~1 us).
        if distribution.low != -math.inf and distribution.high != math.inf:
            return
    elif distribution.__class__ in _NOT_FLOAT or not isinstance(distribution, FloatDistribution):
        return
    for bound in ("low", "high"):
        value = getattr(distribution, bound)
        if math.isinf(value):
            raise ValueError(
                f"suggest_float('{name}', ...): {bound} must be finite to be sampled, got "
                f"{bound}={value}."
            )


BaseTrial.register(Trial)  # isinstance(t, BaseTrial), as in Optuna
