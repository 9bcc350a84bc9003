"""``FrozenTrial``: a trial as a plain, copyable record; and ``create_trial``."""

from __future__ import annotations

import copy
import datetime
import math
import numbers
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from parabola.distributions import BaseDistribution
from parabola.trial._base import BaseTrial

# CONSTRAINTS_KEY stays importable from here: samplers write a constraints_func's list under it.
from parabola.trial._constraints import (
    CONSTRAINTS_KEY as CONSTRAINTS_KEY,
)
from parabola.trial._constraints import (
    check_constraint,
    constraint_key,
    constraints_from_attrs,
)
from parabola.trial._state import TrialState
from parabola.trial._suggest import SuggestMixin

__all__ = ["FrozenTrial", "create_trial"]


class FrozenTrial(SuggestMixin):
    """A snapshot of a trial: its parameters, values, attributes and timing.

    Samplers, pruners, ``study.trials`` and the storage all exchange ``FrozenTrial`` objects.
    It also acts as a read-only trial for objectives (``suggest_*`` returns the recorded value),
    which makes re-running the best trial easy: ``objective(study.best_trial)``.

    Example:
        >>> import parabola
        >>> def objective(trial):
        ...     return trial.suggest_float("x", -10, 10) ** 2
        >>> study = parabola.create_study(storage=parabola.storages.InMemoryStorage())
        >>> study.optimize(objective, n_trials=3)
        >>> best = study.best_trial
        >>> objective(best) == best.value
        True
    """

    def __init__(
        self,
        number: int,
        state: TrialState,
        value: float | None,
        datetime_start: datetime.datetime | None,
        datetime_complete: datetime.datetime | None,
        params: dict[str, Any],
        distributions: dict[str, BaseDistribution],
        user_attrs: dict[str, Any],
        system_attrs: dict[str, Any],
        intermediate_values: dict[int, float],
        trial_id: int,
        *,
        values: Sequence[float] | None = None,
    ) -> None:
        self._number = number
        self.state = state
        self._values: list[float] | None = None
        if value is not None and values is not None:
            raise ValueError("FrozenTrial: specify only one of value and values.")
        if value is not None:
            self._values = [value]
        elif values is not None:
            self._values = list(values)
        self._datetime_start = datetime_start
        self.datetime_complete = datetime_complete
        self._params = dict(params)
        self._distributions = dict(distributions)
        self._user_attrs = dict(user_attrs)
        self._system_attrs = dict(system_attrs)
        self.intermediate_values = dict(intermediate_values)
        self._trial_id = trial_id

    @classmethod
    def _restore(
        cls,
        number: int,
        state: TrialState,
        values: list[float] | None,
        datetime_start: datetime.datetime | None,
        datetime_complete: datetime.datetime | None,
        params: dict[str, Any],
        distributions: dict[str, BaseDistribution],
        user_attrs: dict[str, Any],
        system_attrs: dict[str, Any],
        intermediate_values: dict[int, float],
        trial_id: int,
    ) -> FrozenTrial:
        """A trial from fields a store already validated, taking ownership of the containers.

        For storages decoding or copying thousands of trials at a time: no checks and no
        defensive copies, so each container passed in must be fresh (not shared with another
        trial). Attributes are set in ``__init__``'s order, so both kinds of instance share one
        attribute layout. The public constructor keeps its copies.
        """
        trial = cls.__new__(cls)
        trial._number = number
        trial.state = state
        trial._values = values
        trial._datetime_start = datetime_start
        trial.datetime_complete = datetime_complete
        trial._params = params
        trial._distributions = distributions
        trial._user_attrs = user_attrs
        trial._system_attrs = system_attrs
        trial.intermediate_values = intermediate_values
        trial._trial_id = trial_id
        return trial

    # Identity and comparison -------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FrozenTrial):
            return NotImplemented
        return self.__dict__ == other.__dict__

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, FrozenTrial):
            return NotImplemented
        return self.number < other.number

    def __le__(self, other: object) -> bool:
        if not isinstance(other, FrozenTrial):
            return NotImplemented
        return self.number <= other.number

    __hash__ = None  # type: ignore[assignment]

    def __deepcopy__(self, memo: dict[int, Any]) -> FrozenTrial:
        # Storages hand out copies several times per trial; copy.deepcopy's generic walk cost
        # ~0.2 ms each. Parameter values are scalars and distributions are immutable, so a
        # shallow copy of those dicts is a deep copy in effect; attributes may nest, so they
        # are deep-copied (when present).
        new = FrozenTrial.__new__(FrozenTrial)
        new.__dict__.update(self.__dict__)
        new._values = None if self._values is None else list(self._values)
        new._params = dict(self._params)
        new._distributions = dict(self._distributions)
        new.intermediate_values = dict(self.intermediate_values)
        new._user_attrs = copy.deepcopy(self._user_attrs, memo) if self._user_attrs else {}
        new._system_attrs = copy.deepcopy(self._system_attrs, memo) if self._system_attrs else {}
        return new

    def __repr__(self) -> str:
        return (
            f"FrozenTrial(number={self.number}, state={self.state!r}, values={self.values}, "
            f"datetime_start={self.datetime_start!r}, "
            f"datetime_complete={self.datetime_complete!r}, "
            f"params={self.params}, user_attrs={self.user_attrs}, "
            f"intermediate_values={self.intermediate_values})"
        )

    # Attributes ---------------------------------------------------------------------------
    @property
    def number(self) -> int:
        """0-based index of the trial within its study, unique and without gaps."""
        return self._number

    @number.setter
    def number(self, value: int) -> None:
        self._number = value

    @property
    def value(self) -> float | None:
        """The objective value; ``None`` unless COMPLETE. Raises on multi-objective trials."""
        if self._values is None:
            return None
        if len(self._values) > 1:
            raise RuntimeError(
                "This attribute is not available during multi-objective optimization; use values."
            )
        return self._values[0]

    @value.setter
    def value(self, v: float | None) -> None:
        self._values = None if v is None else [v]

    @property
    def values(self) -> list[float] | None:
        """All objective values (one per direction), or ``None``."""
        return None if self._values is None else list(self._values)

    @values.setter
    def values(self, v: Sequence[float] | None) -> None:
        self._values = None if v is None else list(v)

    @property
    def datetime_start(self) -> datetime.datetime | None:
        return self._datetime_start

    @datetime_start.setter
    def datetime_start(self, value: datetime.datetime | None) -> None:
        self._datetime_start = value

    @property
    def params(self) -> dict[str, Any]:
        """Parameter values in external form, keyed by name."""
        return self._params

    @params.setter
    def params(self, params: dict[str, Any]) -> None:
        self._params = params

    @property
    def distributions(self) -> dict[str, BaseDistribution]:
        return self._distributions

    @distributions.setter
    def distributions(self, value: dict[str, BaseDistribution]) -> None:
        self._distributions = value

    @property
    def user_attrs(self) -> dict[str, Any]:
        return self._user_attrs

    @user_attrs.setter
    def user_attrs(self, value: dict[str, Any]) -> None:
        self._user_attrs = value

    @property
    def system_attrs(self) -> dict[str, Any]:
        """Attributes written by parabola itself (samplers, constraints, retries)."""
        return self._system_attrs

    @system_attrs.setter
    def system_attrs(self, value: dict[str, Any]) -> None:
        self._system_attrs = value

    @property
    def constraints(self) -> dict[str, float]:
        """Named constraint values set with ``Trial.set_constraint``; > 0 means violated."""
        return constraints_from_attrs(self._system_attrs)

    def set_constraint(self, key: str, value: float) -> None:
        """Record constraint ``key`` (``value > 0`` means violated); a second call warns.

        Example:
            >>> import parabola
            >>> t = parabola.create_trial(value=1.0)
            >>> t.set_constraint("c", -0.5)
            >>> t.constraints
            {'c': -0.5}
        """
        number = check_constraint(key, value)
        name = constraint_key(key)
        if name in self._system_attrs:
            warnings.warn(
                f"The constraint value is ignored because this constraint `{key=}` is already set.",
                UserWarning,
                stacklevel=2,
            )
            return
        self._system_attrs[name] = number

    @property
    def last_step(self) -> int | None:
        """The largest step reported with ``report``, or ``None``."""
        return max(self.intermediate_values) if self.intermediate_values else None

    @property
    def duration(self) -> datetime.timedelta | None:
        """``datetime_complete - datetime_start`` once both are known."""
        if self.datetime_start and self.datetime_complete:
            return self.datetime_complete - self.datetime_start
        return None

    # Read-only trial interface --------------------------------------------------------------
    def _suggest(self, name: str, distribution: BaseDistribution) -> Any:
        if name not in self._params:
            raise ValueError(
                f"The value of the parameter '{name}' is not found; this FrozenTrial has "
                f"parameters {sorted(self._params)}."
            )
        value = self._params[name]
        if not distribution._contains(distribution.to_internal_repr(value)):
            warnings.warn(
                f"The value {value} of the parameter '{name}' is out of the range of "
                f"{distribution!r}.",
                UserWarning,
                stacklevel=3,
            )
        return value

    def report(self, value: float, step: int) -> None:
        """No-op: a FrozenTrial cannot take new intermediate values."""

    def should_prune(self) -> bool:
        """Always ``False``: a FrozenTrial is never pruned."""
        return False

    def set_user_attr(self, key: str, value: Any) -> None:
        self._user_attrs[key] = value

    def set_system_attr(self, key: str, value: Any) -> None:
        self._system_attrs[key] = value

    # Validation -------------------------------------------------------------------------------
    def _validate(self) -> None:
        if self.state != TrialState.WAITING and self.datetime_start is None:
            raise ValueError(
                f"datetime_start is required for a trial in state {self.state.name}; set it."
            )
        if self.state.is_finished() and self.datetime_complete is None:
            raise ValueError(
                f"datetime_complete is required for a finished trial ({self.state.name})."
            )
        if self.state == TrialState.COMPLETE:
            if self._values is None:
                raise ValueError("A COMPLETE trial needs a value (or values).")
            if any(math.isnan(v) for v in self._values):
                raise ValueError(f"A COMPLETE trial cannot have NaN values: {self._values}.")
        elif self._values is not None and self.state != TrialState.PRUNED:
            raise ValueError(
                f"Only COMPLETE (or PRUNED) trials may carry values; this one is {self.state.name}."
            )
        if set(self._params) != set(self._distributions):
            raise ValueError(
                "params and distributions must have the same keys; got "
                f"{sorted(self._params)} and {sorted(self._distributions)}."
            )
        for name, value in self._params.items():
            dist = self._distributions[name]
            if not dist._contains(dist.to_internal_repr(value)):
                raise ValueError(f"The value {value!r} of parameter '{name}' is not in {dist!r}.")
        for step, value in self.intermediate_values.items():
            # Stores key steps by int; anything else could be written but never read back.
            if isinstance(step, bool) or not isinstance(step, numbers.Integral):
                raise ValueError(
                    f"intermediate_values keys must be int steps; got {step!r} "
                    f"({type(step).__name__})."
                )
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise ValueError(
                    f"intermediate_values values must be floats (int, float or numpy number); "
                    f"got {value!r} ({type(value).__name__}) at step {step}."
                )


def create_trial(
    *,
    state: TrialState = TrialState.COMPLETE,
    value: float | None = None,
    values: Sequence[float] | None = None,
    params: Mapping[str, Any] | None = None,
    distributions: Mapping[str, BaseDistribution] | None = None,
    user_attrs: Mapping[str, Any] | None = None,
    system_attrs: Mapping[str, Any] | None = None,
    intermediate_values: Mapping[int, float] | None = None,
    constraints: Mapping[str, float] | None = None,
) -> FrozenTrial:
    """Build a :class:`FrozenTrial` to insert with ``Study.add_trial`` (warm starts, imports).

    Example:
        >>> import parabola
        >>> from parabola.distributions import FloatDistribution
        >>> t = parabola.create_trial(params={"x": 2.0},
        ...     distributions={"x": FloatDistribution(0, 10)}, value=5.0)
        >>> study = parabola.create_study(storage=parabola.storages.InMemoryStorage())
        >>> study.add_trial(t)
        >>> study.best_value
        5.0
    """
    now = datetime.datetime.now()
    start = None if state == TrialState.WAITING else now
    complete = now if state.is_finished() else None
    sys_attrs = dict(system_attrs or {})
    for key, constraint in (constraints or {}).items():
        sys_attrs[constraint_key(key)] = check_constraint(key, constraint)
    trial = FrozenTrial(
        number=-1,
        trial_id=-1,
        state=state,
        value=value,
        values=values,
        datetime_start=start,
        datetime_complete=complete,
        params=dict(params or {}),
        distributions=dict(distributions or {}),
        user_attrs=dict(user_attrs or {}),
        system_attrs=sys_attrs,
        intermediate_values=dict(intermediate_values or {}),
    )
    trial._validate()
    return trial


BaseTrial.register(FrozenTrial)  # isinstance(t, BaseTrial), as in Optuna
