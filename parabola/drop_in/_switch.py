"""Turning the switch on and off: the finder on ``sys.meta_path`` and the one-time notice."""

from __future__ import annotations

import _thread
import os
import sys

from parabola.drop_in._finder import DropInFinder
from parabola.drop_in._paths import TOP_LEVEL

__all__ = ["ENV_VAR", "activate", "deactivate", "env_requests_switch", "is_active"]

ENV_VAR = "PARABOLA_DROP_IN"
# Set once the notice is printed, so child processes (DataLoader workers, spawn pools) that
# inherit the switch through PARABOLA_DROP_IN do not repeat it.
_ANNOUNCED_VAR = "_PARABOLA_DROP_IN_ANNOUNCED"
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
_lock = _thread.allocate_lock()  # _thread: threading's import is not free at start-up
_finder: DropInFinder | None = None
_previous_env: str | None = None


def env_requests_switch() -> bool | None:
    """``True``/``False`` when ``$PARABOLA_DROP_IN`` says so, ``None`` when it is unset/empty.

    Raises:
        ValueError: the variable holds something other than a yes/no value.
    """
    value = os.environ.get(ENV_VAR, "").strip().lower()
    if not value:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{ENV_VAR}={value!r}: expected 1/true/yes/on or 0/false/no/off.")


def is_active() -> bool:
    """Whether ``optuna``/``wandb`` imports resolve to parabola in this process.

    Example:
        >>> from parabola.drop_in import is_active
        >>> isinstance(is_active(), bool)
        True
    """
    return _finder is not None and _finder in sys.meta_path


def activate(*, quiet: bool = False) -> None:
    """Make ``optuna``, ``optuna.*``, ``optuna_integration``, ``wandb``, ``wandb.*`` resolve to
    parabola for every importer in this process (and, through ``$PARABOLA_DROP_IN``, its
    child processes). Calling it again does nothing.

    Modules of the real packages already imported are dropped from ``sys.modules`` so that
    later imports get parabola; code that imported them before keeps its references, which the
    notice says.

    Args:
        quiet: Do not print the one-line notice on stderr.
    """
    global _finder, _previous_env
    with _lock:
        if is_active():
            return
        stale = sorted(
            name
            for name, module in list(sys.modules.items())
            if name.partition(".")[0] in TOP_LEVEL
            and not getattr(module, "__name__", "").startswith("parabola")
            and not type(module).__module__.startswith("parabola")
        )
        for name in stale:
            del sys.modules[name]
        _finder = DropInFinder()
        sys.meta_path.insert(0, _finder)
        _previous_env = os.environ.get(ENV_VAR)
        os.environ[ENV_VAR] = "1"
    if not quiet and not os.environ.get(_ANNOUNCED_VAR):
        os.environ[_ANNOUNCED_VAR] = "1"
        late = (
            f" ({len(stale)} modules of the real packages were already imported)" if stale else ""
        )
        print(
            "parabola: drop-in switch active: optuna, optuna_integration and wandb imports "
            f"resolve to parabola{late}.",
            file=sys.stderr,
        )


def deactivate() -> None:
    """Undo :func:`activate`: later imports find the real packages again (if installed).

    Aliased modules are dropped from ``sys.modules``; objects already handed out stay parabola's.
    """
    global _finder
    with _lock:
        if _finder is None:
            return
        if _finder in sys.meta_path:
            sys.meta_path.remove(_finder)
        _finder = None
        for name in [n for n in sys.modules if n.partition(".")[0] in TOP_LEVEL]:
            del sys.modules[name]
        if _previous_env is None:
            os.environ.pop(ENV_VAR, None)
        else:
            os.environ[ENV_VAR] = _previous_env
