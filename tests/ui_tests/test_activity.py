"""The request count the dashboard's background work yields to."""

from __future__ import annotations

import threading
import time

import pytest

from parabola.ui._activity import Activity


def test_wait_quiet_survives_a_request_between_its_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    # Idle for long (the last request ended long ago), then a request begins right after
    # wait_idle said idle: the remaining quiet time is negative and must not reach sleep().
    activity = Activity()
    real_wait_idle = activity.wait_idle
    calls = 0

    def wait_idle(timeout: float) -> bool:
        nonlocal calls
        calls += 1
        idle = real_wait_idle(timeout)
        if calls == 1:
            activity.begin()
            threading.Timer(0.05, activity.end).start()
        return idle

    monkeypatch.setattr(activity, "wait_idle", wait_idle)
    start = time.monotonic()
    assert activity.wait_quiet(0.01, timeout=2.0)
    assert calls >= 2 and time.monotonic() - start < 2.0
