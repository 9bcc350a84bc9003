"""The background writer: one daemon thread per run batches logged rows into the store.

``Run.log`` only appends a row to an in-process deque (thread-safe, never touches the disk).
The writer thread wakes every ``flush_interval`` seconds (or early when many rows wait), writes
all waiting rows with one :meth:`~parabola.storages.BaseStorage.append_run_history` call per
stream, and refreshes the run's ``heartbeat_at``, summary and config with ``update_run`` when
they changed or a heartbeat is due. A process killed with SIGKILL therefore loses at most the
rows of the last ``flush_interval`` plus one write. ``close`` stops the thread and writes what is
left from the caller's thread, so errors there reach the caller of ``finish``.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from parabola.storages._base import BaseStorage, utcnow

__all__ = ["RunWriter"]

_logger = logging.getLogger("parabola.tracking")
WAKE_ROWS = 20_000  # wake the writer early when this many rows wait


class RunWriter:
    """Owns the run's pending rows and the thread that writes them."""

    def __init__(
        self,
        storage: BaseStorage,
        path: tuple[str, str, str],
        flush_interval: float,
        heartbeat_interval: float,
        snapshot: Callable[[bool], dict[str, Any]],
    ) -> None:
        self.storage = storage
        self.path = path
        self.rows: collections.deque[dict[str, Any]] = collections.deque()
        self.system_rows: collections.deque[dict[str, Any]] = collections.deque()
        self.wake = threading.Event()
        self._flush_interval = flush_interval
        self._heartbeat_interval = heartbeat_interval
        self._snapshot = snapshot  # (force) -> fields for update_run (may be empty)
        self._stop = threading.Event()
        self._flush_lock = threading.Lock()
        self._last_heartbeat = time.monotonic()
        self._error_logged = False
        self._thread = threading.Thread(
            target=self._loop, name=f"parabola-writer-{path[2]}", daemon=True
        )
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.wake.wait(self._flush_interval)
            self.wake.clear()
            if self._stop.is_set():
                break
            try:
                self.flush(
                    heartbeat=time.monotonic() - self._last_heartbeat >= self._heartbeat_interval
                )
            except Exception as e:  # keep the rows, retry at the next tick
                if not self._error_logged:
                    _logger.warning(
                        "parabola: writing run %s to the store failed (%r); retrying.",
                        "/".join(self.path),
                        e,
                    )
                    self._error_logged = True
                self._stop.wait(min(1.0, self._flush_interval * 2))

    def flush(self, heartbeat: bool = False, final: dict[str, Any] | None = None) -> None:
        """Write waiting rows, then changed run fields (and ``final`` ones) with one update."""
        with self._flush_lock:
            entity, project, run_id = self.path
            for stream, queue in (("default", self.rows), ("system", self.system_rows)):
                n = len(queue)
                if not n:
                    continue
                batch = [queue.popleft() for _ in range(n)]
                try:
                    self.storage.append_run_history(entity, project, run_id, batch, stream=stream)
                except BaseException:
                    queue.extendleft(reversed(batch))
                    raise
            fields = self._snapshot(final is not None)
            if final:
                fields.update(final)
            if fields or heartbeat:
                fields["heartbeat_at"] = utcnow()
                self.storage.update_run(entity, project, run_id, **fields)
                self._last_heartbeat = time.monotonic()

    def close(self, final: dict[str, Any], timeout: float = 30.0) -> None:
        """Stop the thread, then write everything left plus ``final`` fields from this thread."""
        self._stop.set()
        self.wake.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout)
        self.flush(final=final)

    def abandon(self) -> None:
        """Forget the thread (used in a forked child, where it does not exist)."""
        self._stop.set()
        self.rows.clear()
        self.system_rows.clear()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()
