"""``FixedTrial``: run an objective with given parameter values, outside any study."""

from __future__ import annotations

import datetime
import warnings
from typing import Any

from parabola.distributions import BaseDistribution
from parabola.trial._base import BaseTrial
from parabola.trial._constraints import check_constraint, constraint_key, constraints_from_attrs
from parabola.trial._suggest import SuggestMixin

__all__ = ["FixedTrial"]


class FixedTrial(SuggestMixin):
    """A trial whose ``suggest_*`` calls return values from ``params``.

    Use it to re-run an objective with the best parameters or to unit-test an objective.

    Example:
        >>> import parabola
        >>> def objective(trial):
        ...     return trial.suggest_float("x", -10, 10) ** 2 + 1
        >>> objective(parabola.trial.FixedTrial({"x": 2.0}))
        5.0
    """

    def __init__(self, params: dict[str, Any], number: int = 0) -> None:
        self._params = dict(params)
        self._suggested: dict[str, Any] = {}
        self._distributions: dict[str, BaseDistribution] = {}
        self._user_attrs: dict[str, Any] = {}
        self._system_attrs: dict[str, Any] = {}
        self._intermediate: dict[int, float] = {}
        self._number = number
        self._datetime_start = datetime.datetime.now()

    def _suggest(self, name: str, distribution: BaseDistribution) -> Any:
        if name not in self._params:
            raise ValueError(
                f"The value of the parameter '{name}' is not found; FixedTrial has "
                f"{sorted(self._params)}. Add '{name}' to the params dict."
            )
        value = self._params[name]
        try:
            internal = distribution.to_internal_repr(value)
        except ValueError as e:
            raise ValueError(
                f"The value {value!r} of parameter '{name}' does not fit {distribution!r}: {e}"
            ) from None
        if not distribution._contains(internal):
            warnings.warn(
                f"The value {value!r} of the parameter '{name}' is out of the range of "
                f"{distribution!r}.",
                UserWarning,
                stacklevel=3,
            )
        self._suggested[name] = value
        self._distributions[name] = distribution
        return distribution.to_external_repr(internal)

    def report(self, value: float, step: int) -> None:
        """Keep the value; a FixedTrial never prunes."""
        self._intermediate[step] = float(value)

    def should_prune(self) -> bool:
        """Always ``False``."""
        return False

    def set_user_attr(self, key: str, value: Any) -> None:
        self._user_attrs[key] = value

    def set_constraint(self, key: str, value: float) -> None:
        """Record constraint ``key`` (as Optuna's ``FixedTrial`` does); a second call warns.

        Example:
            >>> import parabola
            >>> trial = parabola.trial.FixedTrial({})
            >>> trial.set_constraint("c", 1.5)
            >>> trial.constraints
            {'c': 1.5}
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

    def set_system_attr(self, key: str, value: Any) -> None:
        self._system_attrs[key] = value

    @property
    def constraints(self) -> dict[str, float]:
        """Constraint values set so far."""
        return constraints_from_attrs(self._system_attrs)

    @property
    def system_attrs(self) -> dict[str, Any]:
        return dict(self._system_attrs)

    @property
    def params(self) -> dict[str, Any]:
        return dict(self._suggested)

    @property
    def distributions(self) -> dict[str, BaseDistribution]:
        return dict(self._distributions)

    @property
    def user_attrs(self) -> dict[str, Any]:
        return dict(self._user_attrs)

    @property
    def datetime_start(self) -> datetime.datetime | None:
        return self._datetime_start

    @property
    def number(self) -> int:
        return self._number


BaseTrial.register(FixedTrial)  # isinstance(t, BaseTrial), as in Optuna
