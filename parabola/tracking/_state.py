"""Process-wide tracking state: the current run (``parabola.run``), live runs, exit and fork hooks.

* ``atexit`` finishes every run this process started and did not finish, after flushing its
  rows: failed with exit code 1 when the interpreter is exiting because of an uncaught
  exception, failed with the code given to ``sys.exit(n)`` when ``n`` is non-zero (W&B's
  way: while a run is live, ``sys.exit`` is wrapped to remember the code, since
  ``SystemExit`` reaches neither ``sys.excepthook`` nor ``atexit``; ``raise SystemExit(n)``
  written by hand is not seen and counts as 0), finished otherwise.
* A ``multiprocessing`` child leaves through ``os._exit`` (fork) so ``atexit`` never runs
  there; its runs are finished by a ``multiprocessing.util.Finalize`` hook instead, which
  the child runs as ``Process.run`` returns or raises (failed on an exception).
* After ``os.fork`` the child forgets the parent's writer and sampler threads (they do not
  exist there) and never writes to the parent's runs: ``log`` on them warns and does nothing,
  and ``parabola.init()`` in the child starts a new run.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from parabola.tracking._run import Run

__all__ = ["current_run", "register", "set_current", "unregister"]

_lock = threading.RLock()
_live: list[Run] = []
_current: Run | None = None
_atexit_registered = False
_finalize_pid: int | None = None  # the multiprocessing child whose Finalize hook is set
_real_exit: Any = None  # sys.exit before _exit_hook replaced it; None when not installed
_exit_code: int | None = None  # the code the main thread passed to sys.exit, if it did


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
        _install_exit_hook()
        _register_child_finalizer()


def unregister(run: Run) -> None:
    global _current
    with _lock:
        if run in _live:
            _live.remove(run)
        if _current is run:
            _current = _live[-1] if _live and _live[-1]._make_current else None
        if not _live:
            _remove_exit_hook()


def _register_child_finalizer() -> None:
    """In a ``multiprocessing`` child, finish live runs as ``Process.run`` ends (see above)."""
    global _finalize_pid
    mp = sys.modules.get("multiprocessing")  # a multiprocessing child has always imported it
    if mp is None or _finalize_pid == os.getpid() or mp.parent_process() is None:
        return
    import multiprocessing.util

    # Priority 100: before the default finalizers (queues, pools, ...) that rows may not need,
    # but on the safe side of anything registered without a priority (run last).
    multiprocessing.util.Finalize(None, _finish_all_at_exit, exitpriority=100)
    _finalize_pid = os.getpid()


def _exit_hook(status: object = None) -> NoReturn:
    """``sys.exit`` while a run is live: remember the main thread's exit code, then exit."""
    global _exit_code
    if threading.current_thread() is threading.main_thread():
        _exit_code = _code_of(status)
    real = _real_exit
    if real is not None:  # None: removed, but someone kept a reference to this hook
        real(status)
    raise SystemExit(status)  # not reached after real(status), which raises


def _install_exit_hook() -> None:
    global _real_exit
    if _real_exit is None and sys.exit is not _exit_hook:
        _real_exit = sys.exit
        sys.exit = _exit_hook


def _remove_exit_hook() -> None:
    global _real_exit, _exit_code
    # When someone wrapped sys.exit after us, theirs stays in place (and still calls ours).
    if _real_exit is not None and sys.exit is _exit_hook:
        sys.exit = _real_exit
        _real_exit = None
    _exit_code = None


def _code_of(status: object) -> int:
    """The process exit status ``SystemExit(status)`` gives (None: 0, an int: it, else 1)."""
    if status is None:
        return 0
    if isinstance(status, int):
        return int(status)
    return 1


def _exit_status() -> int:
    """The exit code to record for runs still live when the process ends."""
    if _exit_code is not None:
        return _exit_code
    # A multiprocessing child's Finalize hook runs inside Process._bootstrap's ``finally``,
    # where the exception leaving Process.run (if any) is still visible.
    exc = sys.exc_info()[1]
    if exc is None:
        # sys.last_value is set when an uncaught exception ended the main module.
        exc = getattr(sys, "last_value", None)
    if exc is None:
        return 0
    if isinstance(exc, SystemExit):
        return _code_of(exc.code)
    return 1


def _finish_all_at_exit() -> None:
    code = _exit_status()
    for run in reversed(live_runs()):
        if run._pid != os.getpid():
            continue
        try:
            run.finish(exit_code=code)
        except Exception as e:  # at exit there is nobody left to raise to
            print(f"parabola: could not finish run {run.path}: {e!r}", file=sys.stderr)


def _after_fork_in_child() -> None:
    global _lock, _exit_code
    _lock = threading.RLock()
    _exit_code = None
    for run in list(_live):
        run._detach_after_fork()
    _live.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
