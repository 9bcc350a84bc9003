"""The ``suggest_*`` front end shared by ``Trial`` and ``FixedTrial``: argument checks,
deprecated aliases, and one ``_suggest(name, distribution)`` hook to implement."""

from __future__ import annotations

import abc
import math
from collections.abc import Sequence
from typing import Any

from parabola._stability import warn_deprecated
from parabola.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)

__all__ = ["SuggestMixin"]

# Distributions are immutable and compared by value, so one object can serve every
# ``suggest_*`` call with the same arguments. Reusing it saves its validation (a few us a
# call) and, more, lets samplers and the storage compare a trial's distributions by identity
# (``dict ==`` short-cuts on ``is``) instead of calling ``__eq__`` per parameter. Keys carry
# the argument types, so ``1`` and ``True`` (equal, same hash) stay apart. Only arguments that
# build without a warning are cached, so a warning is raised on every call, as before.
# Immutability is the documented contract of BaseDistribution, not enforced: code that
# assigned to a distribution's attribute would now change it for every trial sharing it.
_CACHE: dict[tuple[Any, ...], BaseDistribution] = {}
_CACHE_MAX = 4096  # a study with many distinct ranges (dynamic bounds) starts over
# Choices cached by value; floats are left out because 0.0 and -0.0 would share a key.
_EXACT_CHOICE_TYPES = (str, int, bool, type(None))


def _cached(
    key: tuple[Any, ...] | None, kind: str, name: str, build: Any, keep: bool
) -> BaseDistribution:
    """The distribution for ``key``, built (and kept when ``keep``) on first use.

    ``key=None`` (arguments that make no key) builds it every time, never kept.
    """
    if key is None:
        return _build(kind, name, build)
    try:
        dist = _CACHE.get(key)
    except TypeError:  # an unhashable argument: build it (and fail or not) as before
        return _build(kind, name, build)
    if dist is None:
        dist = _build(kind, name, build)
        if keep:
            if len(_CACHE) >= _CACHE_MAX:
                _CACHE.clear()
            _CACHE[key] = dist
    return dist


def _build(kind: str, name: str, build: Any) -> BaseDistribution:
    """Build a distribution, re-raising its error with the parameter's name in front."""
    try:
        return build()  # type: ignore[no-any-return]
    except (ValueError, TypeError) as e:
        raise type(e)(f"{kind}('{name}', ...): {e}") from None


class SuggestMixin(abc.ABC):
    """Validates ``suggest_*`` arguments and forwards them to :meth:`_suggest`."""

    @abc.abstractmethod
    def _suggest(self, name: str, distribution: BaseDistribution) -> Any:
        """Return the external value of parameter ``name`` drawn from ``distribution``."""

    def suggest_float(
        self, name: str, low: float, high: float, *, step: float | None = None, log: bool = False
    ) -> float:
        """Suggest a float in ``[low, high]``.

        Args:
            name: Parameter name; suggesting it again in the same trial returns the same value.
            low: Lower bound, included.
            high: Upper bound, included.
            step: Grid spacing (not with ``log``).
            log: Sample in log space (needs ``low > 0``).

        Example:
            >>> import parabola
            >>> trial = parabola.trial.FixedTrial({"lr": 0.01})
            >>> trial.suggest_float("lr", 1e-5, 1.0, log=True)
            0.01
        """
        if name.__class__ is not str:
            _check_name(name)
        # A bound that is not a number leaves ``key`` None (``copysign`` refuses it, naming
        # neither the parameter nor the argument): the distribution is then built without a
        # key and its own check raises, naming both.
        key: tuple[Any, ...] | None = None
        dist = None
        try:
            # The signs keep 0.0 and -0.0 bounds apart (they are equal keys otherwise).
            key = (
                "f",
                low.__class__,
                low,
                math.copysign(1.0, low),
                high.__class__,
                high,
                math.copysign(1.0, high),
                log.__class__,
                log,
                step,
            )
            dist = _CACHE.get(key)  # inline: the hit is the usual case, every trial
        except TypeError:  # not a number, or unhashable (``_cached`` builds that one unkept)
            pass
        if dist is None:
            dist = _cached(
                key,
                "suggest_float",
                name,
                lambda: FloatDistribution(low, high, log=log, step=step),
                step is None,  # a step may move ``high`` with a warning
            )
        return float(self._suggest(name, dist))

    def suggest_int(
        self, name: str, low: int, high: int, *, step: int = 1, log: bool = False
    ) -> int:
        """Suggest an integer in ``[low, high]`` (``step`` apart, or log-scaled)."""
        if name.__class__ is not str:
            _check_name(name)
        key = (
            "i",
            low.__class__,
            low,
            high.__class__,
            high,
            log.__class__,
            log,
            step.__class__,
            step,
        )
        try:
            dist = _CACHE.get(key)
        except TypeError:
            dist = None
        if dist is None:
            dist = _cached(
                key,
                "suggest_int",
                name,
                lambda: IntDistribution(low, high, log=log, step=step),
                step.__class__ is int and step == 1,  # another step may move ``high``, warning
            )
        return int(self._suggest(name, dist))

    def suggest_categorical(self, name: str, choices: Sequence[Any]) -> Any:
        """Suggest one of ``choices`` (``None``, ``bool``, ``int``, ``float`` or ``str``)."""
        if name.__class__ is not str:
            _check_name(name)
        build = lambda: CategoricalDistribution(choices)  # noqa: E731
        if choices.__class__ in (list, tuple) and all(
            c.__class__ in _EXACT_CHOICE_TYPES for c in choices
        ):
            key = ("c", *[(c.__class__, c) for c in choices])
            dist = _cached(key, "suggest_categorical", name, build, True)
        else:  # floats (0.0 and -0.0 share a key), other types (they warn): no cache
            dist = _build("suggest_categorical", name, build)
        return self._suggest(name, dist)

    def suggest_uniform(self, name: str, low: float, high: float) -> float:
        """Deprecated alias of ``suggest_float(name, low, high)``; warns ``FutureWarning``."""
        warn_deprecated("suggest_uniform", "3.0.0", "6.0.0", "suggest_float")
        return self.suggest_float(name, low, high)

    def suggest_loguniform(self, name: str, low: float, high: float) -> float:
        """Deprecated alias of ``suggest_float(name, low, high, log=True)``."""
        warn_deprecated("suggest_loguniform", "3.0.0", "6.0.0", "suggest_float(..., log=True)")
        return self.suggest_float(name, low, high, log=True)

    def suggest_discrete_uniform(self, name: str, low: float, high: float, q: float) -> float:
        """Deprecated alias of ``suggest_float(name, low, high, step=q)``."""
        warn_deprecated("suggest_discrete_uniform", "3.0.0", "6.0.0", "suggest_float(..., step=q)")
        return self.suggest_float(name, low, high, step=q)


def _check_name(name: Any) -> None:
    if not isinstance(name, str):
        raise TypeError(f"Parameter name must be a str, got {name!r} ({type(name).__name__}).")
