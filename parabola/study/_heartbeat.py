"""The heartbeat thread of an ``optimize`` run: one daemon thread beats for all its trials.

A store with heartbeats (``RDBStorage(heartbeat_interval=...)``) needs a beat from every
running trial's worker, or the next worker fails the trial after the grace period. One thread
per ``optimize`` call (rather than one per trial) keeps thread start-up out of the per-trial
cost; with ``n_jobs > 1`` it beats for every trial in flight.
"""

from __future__ import annotations

import threading
import time

from parabola.logging import get_logger
from parabola.storages._base import BaseStorage

__all__ = ["Heartbeat"]

_logger = get_logger(__name__)

# The first beat of a trial comes this soon (or after the interval, if shorter), so anything a
# store still holds in memory for the trial is on disk well before the grace period runs out.
_FIRST_BEAT_S = 0.5


class Heartbeat:
    """Beats for the trials between :meth:`add` and :meth:`remove`; :meth:`close` when done.

    Example:
        >>> import parabola
        >>> storage = parabola.storages.InMemoryStorage()
        >>> Heartbeat.start(storage) is None  # this store has no heartbeats
        True
    """

    def __init__(self, storage: BaseStorage, interval: float) -> None:
        self._storage = storage
        self._interval = interval
        self._cond = threading.Condition()
        self._due: dict[int, float] = {}  # trial id -> time.monotonic() of its next beat
        self._beating: int | None = None
        self._closed = False
        self._thread: threading.Thread | None = None

    @classmethod
    def start(cls, storage: BaseStorage) -> Heartbeat | None:
        """A heartbeat for ``storage``, or ``None`` if it has heartbeats off."""
        if not storage.is_heartbeat_enabled():
            return None
        interval = storage.get_heartbeat_interval()
        assert interval is not None
        return cls(storage, float(interval))

    def add(self, trial_id: int) -> None:
        """Beat now, then for ``trial_id`` until :meth:`remove` (first beat within 0.5 s)."""
        self._storage.record_heartbeat(trial_id)
        with self._cond:
            self._due[trial_id] = time.monotonic() + min(_FIRST_BEAT_S, self._interval)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, daemon=True, name="parabola-heartbeat"
                )
                self._thread.start()
            self._cond.notify_all()

    def remove(self, trial_id: int) -> None:
        """Stop beating for ``trial_id``; returns once no beat for it is in flight."""
        with self._cond:
            self._due.pop(trial_id, None)
            while self._beating == trial_id:
                self._cond.wait()

    def close(self) -> None:
        """Stop the thread (idempotent)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join()

    def _next(self) -> int | None:
        """Wait for the next due beat (lock held); ``None`` once closed."""
        while not self._closed:
            now = time.monotonic()
            if not self._due:
                self._cond.wait()
                continue
            trial_id, at = min(self._due.items(), key=lambda item: item[1])
            if at > now:
                self._cond.wait(at - now)
                continue
            self._due[trial_id] = now + self._interval
            self._beating = trial_id
            return trial_id
        return None

    def _run(self) -> None:
        while True:
            with self._cond:
                trial_id = self._next()
            if trial_id is None:
                return
            try:
                self._storage.record_heartbeat(trial_id)
            except Exception:  # a missed beat is retried; the trial itself must go on
                _logger.debug("heartbeat failed", exc_info=True)
            finally:
                with self._cond:
                    self._beating = None
                    self._cond.notify_all()
