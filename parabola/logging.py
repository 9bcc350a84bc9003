"""parabola's logger, in Optuna's format and with Optuna's verbosity functions.

Messages look like ``[I 2021-06-28 23:09:18,937] Trial 0 finished with value: ...``.

Example:
    >>> import parabola
    >>> parabola.logging.set_verbosity(parabola.logging.WARNING)
    >>> parabola.logging.get_verbosity() == parabola.logging.WARNING
    True
    >>> parabola.logging.set_verbosity(parabola.logging.INFO)
"""

from __future__ import annotations

import logging as _logging
import sys
import threading
from logging import CRITICAL, DEBUG, ERROR, FATAL, INFO, WARN, WARNING
from typing import Any

__all__ = [
    "CRITICAL",
    "DEBUG",
    "ERROR",
    "FATAL",
    "INFO",
    "WARN",
    "WARNING",
    "disable_default_handler",
    "disable_propagation",
    "enable_default_handler",
    "enable_propagation",
    "get_logger",
    "get_verbosity",
    "set_verbosity",
]

_lock = threading.Lock()
_default_handler: _logging.Handler | None = None
_ROOT = "parabola"


class _Formatter(_logging.Formatter):
    """``[L yyyy-mm-dd hh:mm:ss,mmm] message`` where L is the level's initial."""

    def format(self, record: _logging.LogRecord) -> str:
        record.levelinitial = record.levelname[:1]
        return super().format(record)


def _root_logger() -> _logging.Logger:
    return _logging.getLogger(_ROOT)


def _configure() -> None:
    global _default_handler
    with _lock:
        if _default_handler is not None:
            return
        # A stream that follows sys.stderr at emit time, so pytest's capture and redirection work.
        handler: _logging.StreamHandler[Any] = _logging.StreamHandler(_StderrProxy())
        handler.setFormatter(_Formatter("[%(levelinitial)s %(asctime)s] %(message)s"))
        _default_handler = handler
        root = _root_logger()
        root.addHandler(handler)
        root.setLevel(INFO)
        root.propagate = False


class _StderrProxy:
    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def get_logger(name: str) -> _logging.Logger:
    """Return a logger under parabola's root logger, configuring the default handler once."""
    _configure()
    return _logging.getLogger(name if name.startswith(_ROOT) else f"{_ROOT}.{name}")


def get_verbosity() -> int:
    """Return the current level of parabola's root logger (e.g. ``parabola.logging.INFO``)."""
    _configure()
    return _root_logger().getEffectiveLevel()


def set_verbosity(verbosity: int) -> None:
    """Set the level of parabola's root logger, e.g. ``set_verbosity(parabola.logging.WARNING)``."""
    _configure()
    if verbosity not in (CRITICAL, ERROR, WARNING, INFO, DEBUG) and not isinstance(verbosity, int):
        raise ValueError(
            f"verbosity must be a logging level such as INFO or WARNING, got {verbosity!r}"
        )
    _root_logger().setLevel(verbosity)


def disable_default_handler() -> None:
    """Stop printing parabola's messages to stderr."""
    _configure()
    assert _default_handler is not None
    _root_logger().removeHandler(_default_handler)


def enable_default_handler() -> None:
    """Print parabola's messages to stderr again (the default)."""
    _configure()
    assert _default_handler is not None
    _root_logger().addHandler(_default_handler)


def disable_propagation() -> None:
    """Do not pass parabola's records on to the root logger (the default)."""
    _configure()
    _root_logger().propagate = False


def enable_propagation() -> None:
    """Pass parabola's records on to the root logger (for your own handlers)."""
    _configure()
    _root_logger().propagate = True
