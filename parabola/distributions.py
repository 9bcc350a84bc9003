"""Parameter distributions: what a trial may suggest, validated, serialisable, and mapped to [0, 1].

A distribution describes the values a parameter can take. Values have two forms:

* the *external* form the objective sees (a float, an int, or a categorical choice), and
* the *internal* form stored and used by samplers: always a ``float`` (for categoricals, the index
  of the choice).

Samplers share one continuous encoding, the *unit interval*: :func:`to_unit` maps internal values
to ``[0, 1]`` (log-scaled distributions in log space, stepped ones with half a step of
margin so each grid point owns an equal slice) and :func:`from_unit` maps back, snapping to
the step grid and clipping to the bounds. Both accept numpy arrays.

Example:
    >>> from parabola.distributions import FloatDistribution, to_unit, from_unit
    >>> d = FloatDistribution(1e-3, 1.0, log=True)
    >>> round(float(from_unit(d, to_unit(d, 0.01))), 12)
    0.01
"""

from __future__ import annotations

import abc
import decimal
import json
import math
import sys
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Union

if TYPE_CHECKING:
    import numpy as np

# numpy is imported inside the functions that compute with it: opening a store or starting a
# tracking run reads distributions but never needs numpy, whose import costs ~0.1 s.

__all__ = [
    "BaseDistribution",
    "CategoricalChoiceType",
    "CategoricalDistribution",
    "DiscreteUniformDistribution",
    "FloatDistribution",
    "IntDistribution",
    "IntLogUniformDistribution",
    "IntUniformDistribution",
    "LogUniformDistribution",
    "UniformDistribution",
    "check_distribution_compatibility",
    "distribution_to_json",
    "from_unit",
    "json_to_distribution",
    "to_unit",
]

# A runtime alias, so Union rather than |: it must evaluate on Python 3.10.
CategoricalChoiceType = Union[None, bool, int, float, str]  # noqa: UP007
_CHOICE_TYPES = (type(None), bool, int, float, str)


class BaseDistribution(abc.ABC):
    """Base class of every distribution; immutable, hashable and comparable by value."""

    @abc.abstractmethod
    def to_external_repr(self, param_value_in_internal_repr: float) -> Any:
        """Convert a stored float to the value the objective sees."""

    @abc.abstractmethod
    def to_internal_repr(self, param_value_in_external_repr: Any) -> float:
        """Convert an objective-side value to the float that is stored."""

    @abc.abstractmethod
    def single(self) -> bool:
        """Whether the distribution admits exactly one value."""

    @abc.abstractmethod
    def _contains(self, param_value_in_internal_repr: float) -> bool:
        """Whether an internal value lies in the distribution."""

    def _asdict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BaseDistribution):
            return NotImplemented
        return type(self) is type(other) and self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash((self.__class__, *sorted(_hashable(self.__dict__).items())))

    def __repr__(self) -> str:
        kwargs = ", ".join(f"{k}={v!r}" for k, v in sorted(self._asdict().items()))
        return f"{self.__class__.__name__}({kwargs})"


def _hashable(d: dict[str, Any]) -> dict[str, Any]:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in d.items()}


def _short_form(loaded: dict[str, Any]) -> BaseDistribution:
    kind = loaded["type"]
    if kind == "categorical":
        return CategoricalDistribution(loaded["choices"])
    if kind == "float":
        return FloatDistribution(
            loaded["low"], loaded["high"], log=loaded.get("log", False), step=loaded.get("step")
        )
    if kind == "int":
        step = loaded.get("step")
        return IntDistribution(
            loaded["low"], loaded["high"], log=loaded.get("log", False), step=step or 1
        )
    raise ValueError(
        f"Unknown distribution type {kind!r} in the short JSON form; expected 'float', 'int' "
        "or 'categorical'."
    )


def _is_np_number(value: Any) -> bool:
    # A numpy scalar can only exist once numpy is imported: no need to import it here.
    np_module = sys.modules.get("numpy")
    return np_module is not None and isinstance(value, (np_module.integer, np_module.floating))


def _check_number(name: str, value: Any, cls: str, allow_inf: bool = False) -> None:
    if isinstance(value, bool) or not (isinstance(value, (int, float)) or _is_np_number(value)):
        raise TypeError(f"{cls}: {name} must be a number, got {value!r} ({type(value).__name__}).")
    if math.isnan(float(value)):
        raise ValueError(f"{cls}: {name} must not be NaN.")
    if math.isinf(float(value)) and not allow_inf:
        raise ValueError(f"{cls}: {name} must be finite, got {name}={value}.")


class FloatDistribution(BaseDistribution):
    """A float in ``[low, high]``, optionally log-scaled or on a ``step`` grid.

    Args:
        low: Lower bound, included.
        high: Upper bound, included; ``high >= low``.
        log: Sample in log space; needs ``low > 0`` and no ``step``.
        step: Grid spacing from ``low``; ``high`` is moved down onto the grid if it is off it.

    Raises:
        ValueError: naming the bad argument, e.g. ``low > high`` or ``log`` with ``low <= 0``.
    """

    def __init__(
        self, low: float, high: float, log: bool = False, step: float | None = None
    ) -> None:
        # Infinite bounds are allowed, as in Optuna (trials added with create_trial may carry
        # them); samplers need finite ones to draw from the range.
        _check_number("low", low, "FloatDistribution", allow_inf=True)
        _check_number("high", high, "FloatDistribution", allow_inf=True)
        if log and step is not None:
            raise ValueError(
                "FloatDistribution: step and log cannot be used together; "
                "pass step=None or log=False."
            )
        if step is not None:
            _check_number("step", step, "FloatDistribution")
            if step <= 0:
                raise ValueError(f"FloatDistribution: step must be > 0, got step={step}.")
            if math.isinf(float(low)) or math.isinf(float(high)):
                raise ValueError(
                    f"FloatDistribution: step needs finite bounds, got low={low}, high={high}."
                )
        if low > high:
            raise ValueError(f"FloatDistribution: low must be <= high, got low={low}, high={high}.")
        if log and low <= 0.0:
            raise ValueError(
                f"FloatDistribution: low must be > 0 when log=True, got low={low}, high={high}."
            )
        if step is not None:
            high = _adjust_discrete_uniform_high(float(low), float(high), float(step))
        self.step = None if step is None else float(step)
        self.low = float(low)
        self.high = float(high)
        self.log = bool(log)

    def single(self) -> bool:
        if self.step is None:
            return self.low == self.high
        if self.low == self.high:
            return True
        high = decimal.Decimal(str(self.high))
        low = decimal.Decimal(str(self.low))
        step = decimal.Decimal(str(self.step))
        return (high - low) < step

    def _contains(self, param_value_in_internal_repr: float) -> bool:
        value = param_value_in_internal_repr
        if self.step is None:
            return self.low <= value <= self.high
        k = (value - self.low) / self.step
        return self.low <= value <= self.high and abs(k - round(k)) < 1.0e-8

    def to_internal_repr(self, param_value_in_external_repr: Any) -> float:
        try:
            internal = float(param_value_in_external_repr)
        except (ValueError, TypeError) as e:
            raise ValueError(
                f"'{param_value_in_external_repr}' is not a valid float value for {self!r}."
            ) from e
        if math.isnan(internal):
            raise ValueError(f"NaN is not a valid value for {self!r}.")
        if self.log and internal <= 0.0:
            raise ValueError(f"{internal} is not a valid value for {self!r}: log needs values > 0.")
        return internal

    def to_external_repr(self, param_value_in_internal_repr: float) -> float:
        return float(param_value_in_internal_repr)


class IntDistribution(BaseDistribution):
    """An integer in ``[low, high]``, optionally log-scaled or with a ``step`` other than 1.

    Args:
        low: Lower bound, included.
        high: Upper bound, included; moved down onto the ``step`` grid if needed.
        log: Sample in log space; needs ``low >= 1`` and ``step == 1``.
        step: Spacing between admissible values, ``>= 1``.
    """

    def __init__(self, low: int, high: int, log: bool = False, step: int = 1) -> None:
        _check_number("low", low, "IntDistribution")
        _check_number("high", high, "IntDistribution")
        _check_number("step", step, "IntDistribution")
        if log and step != 1:
            raise ValueError(
                "IntDistribution: step must be 1 when log=True; pass step=1 or log=False."
            )
        if step <= 0:
            raise ValueError(f"IntDistribution: step must be > 0, got step={step}.")
        if low > high:
            raise ValueError(f"IntDistribution: low must be <= high, got low={low}, high={high}.")
        if log and low < 1:
            raise ValueError(
                f"IntDistribution: low must be >= 1 when log=True, got low={low}, high={high}."
            )
        self.log = bool(log)
        self.step = int(step)
        self.low = int(low)
        self.high = int(_adjust_int_uniform_high(int(low), int(high), int(step)))

    def to_external_repr(self, param_value_in_internal_repr: float) -> int:
        return round(param_value_in_internal_repr)

    def to_internal_repr(self, param_value_in_external_repr: Any) -> float:
        try:
            internal = float(param_value_in_external_repr)
        except (ValueError, TypeError) as e:
            raise ValueError(
                f"'{param_value_in_external_repr}' is not a valid int value for {self!r}."
            ) from e
        if math.isnan(internal):
            raise ValueError(f"NaN is not a valid value for {self!r}.")
        if self.log and internal <= 0.0:
            raise ValueError(
                f"{internal} is not a valid value for {self!r}: log needs values >= 1."
            )
        return internal

    def single(self) -> bool:
        if self.log:
            return self.low == self.high
        if self.low == self.high:
            return True
        return (self.high - self.low) < self.step

    def _contains(self, param_value_in_internal_repr: float) -> bool:
        value = param_value_in_internal_repr
        return self.low <= value <= self.high and (value - self.low) % self.step == 0


class CategoricalDistribution(BaseDistribution):
    """One of a fixed sequence of choices (``None``, ``bool``, ``int``, ``float`` or ``str``).

    The internal value is the index of the choice in ``choices``.
    """

    def __init__(self, choices: Sequence[CategoricalChoiceType]) -> None:
        if isinstance(choices, (str, bytes)) or not isinstance(choices, Sequence):
            raise TypeError(
                "CategoricalDistribution: choices must be a sequence (list or tuple), "
                f"got {choices!r}."
            )
        if len(choices) == 0:
            raise ValueError("CategoricalDistribution: choices must contain one or more elements.")
        for choice in choices:
            if not isinstance(choice, _CHOICE_TYPES):
                message = (
                    f"CategoricalDistribution: choices must be None, bool, int, float or str; "
                    f"got {choice!r} of type {type(choice).__name__}. Store a key and look the "
                    "object up in the objective instead."
                )
                warnings.warn(message, UserWarning, stacklevel=2)
        self.choices = tuple(choices)

    def to_external_repr(self, param_value_in_internal_repr: float) -> CategoricalChoiceType:
        return self.choices[int(param_value_in_internal_repr)]

    def to_internal_repr(self, param_value_in_external_repr: Any) -> float:
        # Same type first: tuple.index would map 1 to an earlier True (True == 1, 1 == 1.0).
        value_type = type(param_value_in_external_repr)
        for index, choice in enumerate(self.choices):
            if type(choice) is value_type and choice == param_value_in_external_repr:
                return float(index)
        try:
            return float(self.choices.index(param_value_in_external_repr))
        except ValueError:
            # NaN != NaN: find it by identity of kind.
            value = param_value_in_external_repr
            if isinstance(value, float) and math.isnan(value):
                for index, choice in enumerate(self.choices):
                    if isinstance(choice, float) and math.isnan(choice):
                        return float(index)
            raise ValueError(
                f"'{param_value_in_external_repr}' is not one of the choices {list(self.choices)}."
            ) from None

    def single(self) -> bool:
        return len(self.choices) == 1

    def _contains(self, param_value_in_internal_repr: float) -> bool:
        index = int(param_value_in_internal_repr)
        return 0 <= index < len(self.choices) and index == param_value_in_internal_repr

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BaseDistribution):
            return NotImplemented
        if not isinstance(other, CategoricalDistribution):
            return False
        if len(self.choices) != len(other.choices):
            return False
        for a, b in zip(self.choices, other.choices, strict=True):
            if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
                continue
            if type(a) is not type(b) or a != b:
                return False
        return True

    def __hash__(self) -> int:
        return hash((self.__class__, self.choices))


# Deprecated aliases (Optuna < 3.0). They build the modern class after a FutureWarning.


def _deprecation(name: str, replacement: str) -> None:
    from parabola._stability import warn_deprecated

    warn_deprecated(name, "3.0.0", "6.0.0", replacement, stacklevel=4)


class UniformDistribution(FloatDistribution):
    """Deprecated: use ``FloatDistribution(low, high)``."""

    def __init__(self, low: float, high: float) -> None:
        _deprecation("UniformDistribution", "FloatDistribution")
        super().__init__(low=low, high=high, log=False, step=None)

    def _asdict(self) -> dict[str, Any]:
        return {"low": self.low, "high": self.high}


class LogUniformDistribution(FloatDistribution):
    """Deprecated: use ``FloatDistribution(low, high, log=True)``."""

    def __init__(self, low: float, high: float) -> None:
        _deprecation("LogUniformDistribution", "FloatDistribution(log=True)")
        super().__init__(low=low, high=high, log=True, step=None)

    def _asdict(self) -> dict[str, Any]:
        return {"low": self.low, "high": self.high}


class DiscreteUniformDistribution(FloatDistribution):
    """Deprecated: use ``FloatDistribution(low, high, step=q)``."""

    def __init__(self, low: float, high: float, q: float) -> None:
        _deprecation("DiscreteUniformDistribution", "FloatDistribution(step=...)")
        super().__init__(low=low, high=high, step=q)

    @property
    def q(self) -> float:
        assert self.step is not None
        return self.step

    def _asdict(self) -> dict[str, Any]:
        return {"low": self.low, "high": self.high, "q": self.step}


class IntUniformDistribution(IntDistribution):
    """Deprecated: use ``IntDistribution(low, high, step=step)``."""

    def __init__(self, low: int, high: int, step: int = 1) -> None:
        _deprecation("IntUniformDistribution", "IntDistribution")
        super().__init__(low=low, high=high, log=False, step=step)

    def _asdict(self) -> dict[str, Any]:
        return {"low": self.low, "high": self.high, "step": self.step}


class IntLogUniformDistribution(IntDistribution):
    """Deprecated: use ``IntDistribution(low, high, log=True)``."""

    def __init__(self, low: int, high: int, step: int = 1) -> None:
        _deprecation("IntLogUniformDistribution", "IntDistribution(log=True)")
        super().__init__(low=low, high=high, log=True, step=step)

    def _asdict(self) -> dict[str, Any]:
        return {"low": self.low, "high": self.high, "step": self.step}


_DISTRIBUTION_CLASSES: dict[str, type[BaseDistribution]] = {
    cls.__name__: cls
    for cls in (
        FloatDistribution,
        IntDistribution,
        CategoricalDistribution,
        UniformDistribution,
        LogUniformDistribution,
        DiscreteUniformDistribution,
        IntUniformDistribution,
        IntLogUniformDistribution,
    )
}


def distribution_to_json(dist: BaseDistribution) -> str:
    """Serialise a distribution to Optuna's JSON form ``{"name": ..., "attributes": {...}}``."""
    return json.dumps({"name": dist.__class__.__name__, "attributes": dist._asdict()})


def json_to_distribution(json_str: str) -> BaseDistribution:
    """Inverse of :func:`distribution_to_json`; deprecated names come back as modern classes.

    Optuna's short form (``{"type": "float"|"int"|"categorical", ...}``) is read too.

    Example:
        >>> json_to_distribution('{"type": "int", "low": 0, "high": 5}')
        IntDistribution(high=5, log=False, low=0, step=1)
    """
    try:
        loaded = json.loads(json_str)
        if isinstance(loaded, dict) and "name" not in loaded and "type" in loaded:
            return _short_form(loaded)
        name = loaded["name"]
        attrs = dict(loaded["attributes"])
    except (ValueError, KeyError, TypeError) as e:
        raise ValueError(f"Not a distribution JSON string: {json_str!r}") from e
    if name == "CategoricalDistribution":
        return CategoricalDistribution(choices=attrs["choices"])
    if name in ("FloatDistribution", "UniformDistribution", "LogUniformDistribution"):
        return FloatDistribution(
            attrs["low"],
            attrs["high"],
            log=attrs.get("log", name == "LogUniformDistribution"),
            step=attrs.get("step"),
        )
    if name == "DiscreteUniformDistribution":
        return FloatDistribution(attrs["low"], attrs["high"], step=attrs["q"])
    if name in ("IntDistribution", "IntUniformDistribution", "IntLogUniformDistribution"):
        return IntDistribution(
            attrs["low"],
            attrs["high"],
            log=attrs.get("log", name == "IntLogUniformDistribution"),
            step=attrs.get("step", 1),
        )
    raise ValueError(
        f"Unknown distribution name {name!r}; expected one of {sorted(_DISTRIBUTION_CLASSES)}."
    )


def check_distribution_compatibility(
    dist_old: BaseDistribution, dist_new: BaseDistribution
) -> None:
    """Raise ``ValueError`` if a parameter cannot change from ``dist_old`` to ``dist_new``.

    Ranges may change between trials (dynamic search spaces); the kind of distribution, the log
    flag and a categorical's choices may not.
    """
    if dist_old is dist_new:  # suggest_* reuses one object per argument set
        return
    if _kind(dist_old) != _kind(dist_new):
        raise ValueError(
            f"Cannot set different distribution kind to the same parameter name: "
            f"{dist_old!r} vs {dist_new!r}."
        )
    if isinstance(dist_old, (FloatDistribution, IntDistribution)):
        assert isinstance(dist_new, (FloatDistribution, IntDistribution))
        if dist_old.log != dist_new.log:
            raise ValueError(
                f"Cannot set different log configuration to the same parameter name: "
                f"{dist_old!r} vs {dist_new!r}."
            )
    if isinstance(dist_old, CategoricalDistribution):
        assert isinstance(dist_new, CategoricalDistribution)
        if dist_old != dist_new:
            raise ValueError(
                f"CategoricalDistribution does not support dynamic value space: "
                f"{list(dist_old.choices)} vs {list(dist_new.choices)}."
            )


def _kind(dist: BaseDistribution) -> type[BaseDistribution]:
    for kind in (FloatDistribution, IntDistribution, CategoricalDistribution):
        if isinstance(dist, kind):
            return kind
    return type(dist)


def _adjust_discrete_uniform_high(low: float, high: float, step: float) -> float:
    d_high = decimal.Decimal(str(high))
    d_low = decimal.Decimal(str(low))
    d_step = decimal.Decimal(str(step))
    d_r = d_high - d_low
    n_steps = d_r / d_step
    # A high on the grid up to float rounding (within _contains' 1e-8 steps) stays as it is, so
    # an adjusted high read back from JSON or a storage neither warns nor drops a whole step.
    if abs(n_steps - n_steps.to_integral_value()) >= decimal.Decimal("1e-8"):
        old_high = high
        high = float((d_r // d_step) * d_step + d_low)
        warnings.warn(
            f"The distribution is specified by [{low}, {old_high}] and step={step}, but the range "
            f"is not divisible by `step`. It will be replaced by [{low}, {high}].",
            UserWarning,
            stacklevel=4,
        )
    return high


def _adjust_int_uniform_high(low: int, high: int, step: int) -> int:
    r = high - low
    if r % step != 0:
        old_high = high
        high = r // step * step + low
        warnings.warn(
            f"The distribution is specified by [{low}, {old_high}] and step={step}, but the range "
            f"is not divisible by `step`. It will be replaced by [{low}, {high}].",
            UserWarning,
            stacklevel=4,
        )
    return high


# Unit-interval encoding shared by samplers.

_ArrayOrFloat = Union[float, "np.ndarray[Any, np.dtype[np.float64]]"]


def _bounds(dist: FloatDistribution | IntDistribution) -> tuple[float, float, float]:
    """Return (lo, hi, step) in the space samplers work in (log space when ``log``)."""
    step = 0.0 if dist.step is None else float(dist.step)
    if isinstance(dist, IntDistribution) and dist.log:
        # Half a unit of margin around each integer, in log space.
        return math.log(dist.low - 0.5), math.log(dist.high + 0.5), 0.0
    if dist.log:
        return math.log(dist.low), math.log(dist.high), 0.0
    if step > 0:
        return dist.low - step / 2, dist.high + step / 2, step
    return dist.low, dist.high, 0.0


def to_unit(dist: BaseDistribution, internal: Any) -> Any:
    """Map internal value(s) of ``dist`` to ``[0, 1]``.

    Categorical index ``i`` of ``n`` maps to the centre of its slice, ``(i + 0.5) / n``.
    A single-valued distribution maps to 0.5.
    """
    import numpy as np

    x = np.asarray(internal, dtype=float)
    if isinstance(dist, CategoricalDistribution):
        out = (x + 0.5) / len(dist.choices)
    else:
        assert isinstance(dist, (FloatDistribution, IntDistribution))
        lo, hi, _ = _bounds(dist)
        if dist.log:
            x = np.log(x)
        out = np.full_like(x, 0.5) if hi == lo else (x - lo) / (hi - lo)
    return float(out) if out.ndim == 0 else out


def from_unit(dist: BaseDistribution, unit: Any) -> Any:
    """Map ``[0, 1]`` value(s) to valid internal values of ``dist`` (snapped and clipped)."""
    if isinstance(unit, float):
        # Samplers call this once per parameter per trial: plain floats avoid numpy's
        # per-call overhead (about 15 us), which dominated RandomSampler's cost.
        return _from_unit_scalar(dist, unit)
    import numpy as np

    u = np.clip(np.asarray(unit, dtype=float), 0.0, 1.0)
    if isinstance(dist, CategoricalDistribution):
        n = len(dist.choices)
        out = np.minimum(np.floor(u * n), n - 1)
    else:
        assert isinstance(dist, (FloatDistribution, IntDistribution))
        lo, hi, step = _bounds(dist)
        x = lo + u * (hi - lo)
        if dist.log:
            x = np.exp(x)
        if isinstance(dist, IntDistribution):
            # Half up, as Optuna does, not half to even: QMC points land exactly on the
            # boundaries between integers, and half-to-even would give the integers unequal
            # shares of them.
            x = np.floor((x - dist.low) / dist.step + 0.5) * dist.step + dist.low
        elif step > 0:
            x = np.round((x - dist.low) / step) * step + dist.low
        out = np.clip(x, dist.low, dist.high)
    return float(out) if out.ndim == 0 else out


def _from_unit_scalar(dist: BaseDistribution, unit: float) -> float:
    u = min(max(unit, 0.0), 1.0)
    if isinstance(dist, CategoricalDistribution):
        n = len(dist.choices)
        return float(min(math.floor(u * n), n - 1))
    assert isinstance(dist, (FloatDistribution, IntDistribution))
    lo, hi, step = _bounds(dist)
    x = lo + u * (hi - lo)
    if dist.log:
        import numpy as np

        x = float(np.exp(x))  # np.exp, not math.exp: they can differ in the last bit
    if isinstance(dist, IntDistribution):
        x = math.floor((x - dist.low) / dist.step + 0.5) * dist.step + dist.low  # half up
    elif step > 0:
        x = round((x - dist.low) / step) * step + dist.low
    return float(min(max(x, dist.low), dist.high))
