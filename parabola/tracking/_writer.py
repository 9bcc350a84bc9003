"""The background writer: batches every live run's logged rows into the store.

``Run.log`` only appends a row to the run's in-process deque (thread-safe, never touches the
disk). One daemon thread per process, started on first use, serves every live run: it wakes
every ``flush_interval`` seconds (or early when a run has many rows waiting) and writes each
run's waiting rows, with the summary and config that describe exactly those rows and a fresh
``heartbeat_at``, in one :meth:`~parabola.storages.BaseStorage.write_run` transaction. A process
killed with SIGKILL therefore loses at most the rows of the last ``flush_interval`` plus one
write, and its stored summary never runs ahead of (or behind) its stored history.

Why one thread per process rather than per run: starting a thread costs about a millisecond on
a loaded machine, a fifth of the budget of a short HPO run (``init`` + ``finish`` <= 5 ms);
writes to one SQLite file are serialised by the database anyway. ``finish`` writes what is left
from the caller's thread, so errors there reach the caller.
"""

from __future__ import annotations

import collections
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from parabola.storages._base import BaseStorage, utcnow
from parabola.storages._run_types import RunKey, RunUpdate

__all__ = ["RunWriter"]

_logger = logging.getLogger("parabola.tracking")
WAKE_ROWS = 20_000  # wake the writer early when a run has this many rows waiting


class RunWriter:
    """One run's pending rows and the bookkeeping of its writes."""

    def __init__(
        self,
        storage: BaseStorage,
        path: tuple[str, str, str],
        flush_interval: float,
        heartbeat_interval: float,
        snapshot: Callable[[bool], dict[str, Any]],
        batch_lock: threading.RLock | None = None,
    ) -> None:
        self.storage = storage
        self.path = path
        self.rows: collections.deque[dict[str, Any]] = collections.deque()
        self.system_rows: collections.deque[dict[str, Any]] = collections.deque()
        self.flush_interval = flush_interval
        self.heartbeat_interval = heartbeat_interval
        self._snapshot = snapshot  # (force) -> fields for update_run (may be empty)
        # The lock under which the run appends rows and changes its summary: holding it while
        # the rows are taken and the summary is snapshotted makes the two describe the same
        # rows, and write_run stores them in one transaction.
        self._batch_lock = batch_lock if batch_lock is not None else threading.RLock()
        self._flush_lock = threading.Lock()
        # Fields of a write that failed: sent again (newer values win) with the next one.
        self._unsent: dict[str, Any] = {}
        now = time.monotonic()
        self.next_flush = now + flush_interval
        self._last_heartbeat = now
        self.retry_at = 0.0
        self._error_logged = False
        self.closed = False
        _thread().add(self)

    @property
    def wake(self) -> threading.Event:
        """Set it to make the writer thread look at the runs now."""
        return _thread().wake

    def due(self, now: float) -> bool:
        return now >= self.retry_at and (now >= self.next_flush or len(self.rows) >= WAKE_ROWS)

    def tick(self, now: float) -> None:
        """Called by the writer thread when this run is due."""
        self.next_flush = now + self.flush_interval
        try:
            self.flush(heartbeat=now - self._last_heartbeat >= self.heartbeat_interval)
        except Exception as e:  # keep the rows, retry a little later
            if not self._error_logged:
                _logger.warning(
                    "parabola: writing run %s to the store failed (%r); retrying.",
                    "/".join(self.path),
                    e,
                )
                self._error_logged = True
            self.retry_at = now + min(1.0, self.flush_interval * 2)

    def flush(self, heartbeat: bool = False, final: dict[str, Any] | None = None) -> None:
        """Write waiting rows and changed run fields (and ``final`` ones) in one transaction.

        On failure nothing is lost: the rows go back to the front of their queues and the
        fields are sent again with the next write; the error is raised.
        """
        with self._flush_lock:
            with self._batch_lock:
                batch = _drain(self.rows)
                system = _drain(self.system_rows)
                fields = {**self._unsent, **self._snapshot(final is not None)}
            if final:
                fields.update(final)
            if not (batch or system or fields or heartbeat):
                return
            fields["heartbeat_at"] = utcnow()
            entity, project, run_id = self.path
            history = {"default": batch, "system": system}
            try:
                self.storage.write_run(
                    RunKey(entity, project, run_id), history, RunUpdate(**fields)
                )
            except BaseException:
                self.rows.extendleft(reversed(batch))
                self.system_rows.extendleft(reversed(system))
                self._unsent = fields
                raise
            self._unsent = {}
            self._error_logged = False
            self._last_heartbeat = time.monotonic()

    def close(self, final: dict[str, Any]) -> None:
        """Leave the writer thread and write everything left plus ``final`` from this thread.

        If the write fails the error is raised and the rows stay queued: calling it again
        retries.
        """
        self.closed = True
        _thread().remove(self)
        self.flush(final=final)

    def abandon(self) -> None:
        """Forget the pending rows (in a forked child, which must not write the parent's run)."""
        self.closed = True
        self.rows.clear()
        self.system_rows.clear()


class _WriterThread:
    """The process-wide daemon thread that flushes every live run when it is due."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._writers: list[RunWriter] = []
        self.wake = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, writer: RunWriter) -> None:
        with self._lock:
            self._writers.append(writer)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="parabola-writer", daemon=True
                )
                self._thread.start()
        self.wake.set()  # recompute the wait: this run is due in flush_interval

    def remove(self, writer: RunWriter) -> None:
        with self._lock:
            if writer in self._writers:
                self._writers.remove(writer)

    def _loop(self) -> None:
        while True:
            now = time.monotonic()
            with self._lock:
                writers = list(self._writers)
            for writer in writers:
                if not writer.closed and writer.due(now):
                    writer.tick(now)
            with self._lock:
                nexts = [max(w.next_flush, w.retry_at) for w in self._writers]
            timeout = max(0.0, min(nexts) - time.monotonic()) if nexts else None
            self.wake.wait(timeout)
            self.wake.clear()


def _drain(queue: collections.deque[dict[str, Any]]) -> list[dict[str, Any]]:
    # popleft, not a copy and clear: a system sampler may append concurrently (without the
    # batch lock), and a row appended meanwhile stays for the next write.
    return [queue.popleft() for _ in range(len(queue))]


_the_thread: _WriterThread | None = None
_the_lock = threading.Lock()


def _thread() -> _WriterThread:
    global _the_thread
    with _the_lock:
        if _the_thread is None:
            _the_thread = _WriterThread()
        return _the_thread


def _reset_after_fork() -> None:
    # The thread does not exist in a forked child and its locks may be held: start afresh.
    global _the_thread, _the_lock
    _the_thread = None
    _the_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)
