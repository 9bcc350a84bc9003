"""A run killed with SIGKILL: its stored summary and history describe the same rows, and
``resume`` continues right after the last stored row (no gap, no repeat)."""

from __future__ import annotations

import os
import signal
import time

import pytest

import parabola
from tests.faults_tests._faults import spawn, wait_for_line

LOGGER = """
import sys, time, parabola
url = sys.argv[1]
run = parabola.init(project="crash", id="victim", storage=url,
                    settings={"flush_interval": 0.2, "disable_stats": True})
print("started", flush=True)
step = 0
while True:
    run.log({"x": step, "y": 2.0 * step})
    step += 1
    if step % 50 == 0:
        time.sleep(0.001)  # let the writer thread run between bursts
"""


def _check_consistent(url: str) -> int:
    """The stored rows are 0..n-1 and the summary describes row n-1; return n."""
    api = parabola.Api(storage=url)
    run = api.run("crash/victim")
    steps = [row["_step"] for row in run.scan_history()]
    assert steps == list(range(len(steps))), "history has gaps or repeats"
    summary = dict(run.summary)
    if not steps:
        assert "_step" not in summary
        return 0
    assert summary["_step"] == steps[-1], (
        f"summary at step {summary['_step']} but history ends at step {steps[-1]}"
    )
    assert summary["x"] == steps[-1] and summary["y"] == 2.0 * steps[-1]
    return len(steps)


@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [0.3, 0.8, 1.5])
def test_sigkill_leaves_summary_and_history_in_step(backend_url: str, kill_after: float) -> None:
    child = spawn(LOGGER, backend_url)
    try:
        wait_for_line(child, "started")
        time.sleep(kill_after)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
        child.communicate()
    n = _check_consistent(backend_url)
    assert n > 0, "nothing reached the store before the kill"

    # Resume in this process: the next row is step n, and the history stays gapless.
    run = parabola.init(project="crash", id="victim", storage=backend_url, resume="must")
    assert run.step == n
    for _ in range(5):
        run.log({"x": run.step, "y": 2.0 * run.step})
    run.finish()
    assert _check_consistent(backend_url) == n + 5
