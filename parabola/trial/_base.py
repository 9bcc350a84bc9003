"""``BaseTrial``: what every trial-like object offers an objective."""

from __future__ import annotations

import abc
import datetime
from collections.abc import Sequence
from typing import Any

from parabola.distributions import BaseDistribution

__all__ = ["BaseTrial"]


class BaseTrial(abc.ABC):
    """The interface objectives program against: ``Trial``, ``FixedTrial`` and ``FrozenTrial``."""

    @abc.abstractmethod
    def suggest_float(
        self, name: str, low: float, high: float, *, step: float | None = None, log: bool = False
    ) -> float: ...

    @abc.abstractmethod
    def suggest_int(
        self, name: str, low: int, high: int, *, step: int = 1, log: bool = False
    ) -> int: ...

    @abc.abstractmethod
    def suggest_categorical(self, name: str, choices: Sequence[Any]) -> Any: ...

    @abc.abstractmethod
    def report(self, value: float, step: int) -> None: ...

    @abc.abstractmethod
    def should_prune(self) -> bool: ...

    @abc.abstractmethod
    def set_user_attr(self, key: str, value: Any) -> None: ...

    @property
    @abc.abstractmethod
    def params(self) -> dict[str, Any]: ...

    @property
    @abc.abstractmethod
    def distributions(self) -> dict[str, BaseDistribution]: ...

    @property
    @abc.abstractmethod
    def user_attrs(self) -> dict[str, Any]: ...

    @property
    @abc.abstractmethod
    def datetime_start(self) -> datetime.datetime | None: ...

    @property
    @abc.abstractmethod
    def number(self) -> int: ...
