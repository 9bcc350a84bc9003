"""Process-wide tracking state: the current run (``parabola.run``), live runs, exit and fork hooks.

* ``atexit`` finishes every run this process started and did not finish (failed when the
  interpreter is exiting because of an uncaught exception), after flushing its rows.
* After ``os.fork`` the child forgets the parent's writer and sampler threads (they do not
  exist there) and never writes to the parent's runs: ``log`` on them warns and does nothing,
  and ``parabola.init()`` in the child starts a new run.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from parabola.tracking._run import Run

__all__ = ["current_run", "register", "set_current", "unregister"]

_lock = threading.RLock()
_live: list[Run] = []
_current: Run | None = None
_atexit_registered = False


def current_run() -> Run | None:
    """The run ``parabola.log`` and friends act on, or ``None``."""
    return _current


def live_runs() -> list[Run]:
    with _lock:
        return list(_live)


def set_current(run: Run | None) -> None:
    global _current
    with _lock:
        _current = run


def register(run: Run, make_current: bool) -> None:
    global _atexit_registered, _current
    with _lock:
        _live.append(run)
        if make_current:
            _current = run
        if not _atexit_registered:
            atexit.register(_finish_all_at_exit)
            _atexit_registered = True


def unregister(run: Run) -> None:
    global _current
    with _lock:
        if run in _live:
            _live.remove(run)
        if _current is run:
            _current = _live[-1] if _live and _live[-1]._make_current else None


def _finish_all_at_exit() -> None:
    # sys.last_value is set when an uncaught exception ended the main module.
    failed = getattr(sys, "last_value", None) is not None and not isinstance(
        sys.last_value, SystemExit
    )
    for run in reversed(live_runs()):
        if run._pid != os.getpid():
            continue
        try:
            run.finish(exit_code=1 if failed else 0)
        except Exception as e:  # at exit there is nobody left to raise to
            print(f"parabola: could not finish run {run.path}: {e!r}", file=sys.stderr)


def _after_fork_in_child() -> None:
    global _lock
    _lock = threading.RLock()
    for run in list(_live):
        run._detach_after_fork()
    _live.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
