"""Stability labels: ``@deprecated`` and ``@experimental`` (internal helpers)."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from parabola.exceptions import ExperimentalWarning

__all__ = ["deprecated_call", "experimental_class", "experimental_func", "warn_deprecated"]

_F = TypeVar("_F", bound=Callable[..., Any])
_C = TypeVar("_C", bound=type)


def warn_deprecated(
    name: str, since: str, removed: str, replacement: str, stacklevel: int = 3
) -> None:
    """Emit the ``FutureWarning`` used for every deprecated parabola/Optuna API."""
    warnings.warn(
        f"{name} has been deprecated in v{since}. This feature will be removed in v{removed}. "
        f"Use {replacement} instead. (Optuna's version numbers: parabola follows Optuna's "
        "deprecation schedule.)",
        FutureWarning,
        stacklevel=stacklevel,
    )


def deprecated_call(since: str, removed: str, replacement: str) -> Callable[[_F], _F]:
    """Mark a function or method deprecated; each call warns and names the replacement."""

    def decorator(func: _F) -> _F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            warn_deprecated(f"{func.__qualname__}", since, removed, replacement)
            return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def experimental_func(version: str) -> Callable[[_F], _F]:
    """Mark a function or method experimental: each call emits :class:`ExperimentalWarning`.

    Example:
        >>> import warnings
        >>> @experimental_func("3.2.0")
        ... def f() -> int:
        ...     return 1
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     f()
        1
        >>> str(caught[0].message)
        'f is experimental (supported from v3.2.0). The interface can change in the future.'
    """

    def decorator(func: _F) -> _F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            warnings.warn(
                f"{func.__qualname__} is experimental (supported from v{version}). "
                "The interface can change in the future.",
                ExperimentalWarning,
                stacklevel=2,
            )
            return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def experimental_class(version: str) -> Callable[[_C], _C]:
    """Mark a class experimental: constructing it emits :class:`ExperimentalWarning`."""

    def decorator(cls: _C) -> _C:
        original_init: Callable[..., None] = getattr(cls, "__init__")  # noqa: B009

        @functools.wraps(original_init)
        def wrapped_init(self: Any, *args: Any, **kwargs: Any) -> None:
            warnings.warn(
                f"{cls.__name__} is experimental (supported from v{version}). "
                "The interface can change in the future.",
                ExperimentalWarning,
                stacklevel=2,
            )
            original_init(self, *args, **kwargs)

        setattr(cls, "__init__", wrapped_init)  # noqa: B010 (mypy forbids direct assignment)
        return cls

    return decorator
