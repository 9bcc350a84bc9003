"""Requests in flight, so that the server's background work yields to them.

The dashboard does work nobody asked for yet: importing what later requests need (the warm-up)
and building a study's figures before the browser asks (the precompute thread). On a machine
with few cores, that work competing with a request under way makes the request slower, and a
cold request is the one a person waits for. So background steps wait until no request is in
flight, for at most a bound (a page that always has one open does not stall them for good).
"""

from __future__ import annotations

import threading
import time

__all__ = ["Activity"]


class Activity:
    """A count of requests being served, and a wait for it to reach zero.

    Example:
        >>> a = Activity()
        >>> a.begin(); a.busy
        True
        >>> a.end(); a.wait_idle(0.1)
        True
    """

    def __init__(self) -> None:
        self._n = 0
        self._idle = threading.Condition()
        self._last_end = 0.0

    @property
    def busy(self) -> bool:
        return self._n > 0

    def begin(self) -> None:
        with self._idle:
            self._n += 1

    def end(self) -> None:
        with self._idle:
            self._n -= 1
            self._last_end = time.monotonic()
            if self._n == 0:
                self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait (at most ``timeout`` seconds) until no request is in flight; whether it is."""
        with self._idle:
            return self._idle.wait_for(lambda: self._n == 0, timeout)

    def wait_quiet(self, quiet_s: float, timeout: float) -> bool:
        """Wait (at most ``timeout`` seconds) until no request has been in flight for
        ``quiet_s`` seconds: a client sending requests back to back (a page loading) is let
        finish its burst first. Whether it is quiet."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if not self.wait_idle(max(left, 0.0)):
                return False
            with self._idle:
                since = time.monotonic() - self._last_end
                if self._n == 0 and since >= quiet_s:
                    return True
            if left <= 0:
                return False
            # A request may have begun and ended since the check: never a negative sleep.
            time.sleep(max(0.0, min(quiet_s - since, left)))
