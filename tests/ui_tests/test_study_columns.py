"""The study answer's column builders and the runs linked to a study."""

from __future__ import annotations

import math
import threading
import time
from pathlib import Path

from parabola.storages import InMemoryStorage, RDBStorage
from parabola.testing.storages import make_run
from parabola.ui import _studies
from parabola.ui._activity import Activity


def test_columns_keep_finite_numbers_and_clean_the_rest() -> None:
    floats = [0.5, 1.0, -2.0]
    assert _studies._column(floats) is floats  # the usual column is not copied cell by cell
    assert _studies._column([1.0, math.nan, None, "a", math.inf, True]) == [
        1.0,
        None,
        None,
        "a",
        None,
        True,
    ]
    empty = [None]
    assert _studies._values_column([[1.0], None, [2.0]], empty) == [[1.0], [None], [2.0]]
    assert _studies._values_column([[math.inf, 1.0], None], [None, None]) == [
        [None, 1.0],
        [None, None],
    ]


def test_study_runs_are_selected_by_study_name(tmp_path: Path) -> None:
    for storage in (InMemoryStorage(), RDBStorage(f"sqlite:///{tmp_path}/r.db")):
        storage.create_run(make_run("a", study_name="s", trial_number=0))
        storage.create_run(make_run("b", study_name="t", trial_number=0))
        storage.create_run(make_run("c"))
        storage.create_run(make_run("d", study_name="s", trial_number=1))
        assert sorted(r.run_id for r in storage.get_study_runs("s")) == ["a", "d"]
        assert storage.get_study_runs("none") == []


def test_background_work_waits_for_requests_in_flight() -> None:
    activity = Activity()
    activity.begin()
    done: list[float] = []
    t0 = time.monotonic()
    worker = threading.Thread(
        target=lambda: done.append(activity.wait_idle(5.0) and time.monotonic())
    )
    worker.start()
    time.sleep(0.2)
    assert not done  # still waiting: a request is in flight
    activity.end()
    worker.join(5)
    assert done and done[0] - t0 >= 0.2
    activity.begin()
    assert activity.wait_idle(0.05) is False  # bounded: gives up after the timeout
    activity.end()


def test_metric_names_key_is_the_study_one() -> None:
    from parabola.study import _study

    assert _studies.METRIC_NAMES_KEY == _study.METRIC_NAMES_KEY


def test_quiet_waits_for_a_pause_after_the_last_request() -> None:
    activity = Activity()
    activity.begin()
    activity.end()
    t0 = time.monotonic()
    assert activity.wait_quiet(0.2, 5.0)
    assert time.monotonic() - t0 >= 0.15
    activity.begin()
    assert activity.wait_quiet(0.01, 0.05) is False
    activity.end()
