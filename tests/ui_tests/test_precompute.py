"""A study's poll costs what changed; slow figures are built in the background, once."""

from __future__ import annotations

import threading
import time
from collections.abc import Container, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

import parabola
from parabola.storages import BaseStorage, get_storage
from parabola.trial import TrialState
from parabola.ui import _figures, create_app
from parabola.ui._figures import FigureCache
from parabola.ui._precompute import PRECOMPUTED


class _Spy:
    """Records the ``states`` argument of every ``get_all_trials`` call of one store."""

    def __init__(self, storage: BaseStorage) -> None:
        self.calls: list[Container[TrialState] | None] = []
        original = storage.get_all_trials

        def get_all_trials(
            study_id: int, deepcopy: bool = True, states: Container[TrialState] | None = None
        ) -> Any:
            # The precompute thread's reads are its own business, not the poll's.
            if threading.current_thread().name != "parabola-ui-precompute":
                self.calls.append(states)
            return original(study_id, deepcopy=deepcopy, states=states)

        storage.get_all_trials = get_all_trials  # type: ignore[method-assign]


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[tuple[BaseStorage, parabola.Study]]:
    storage = get_storage(f"sqlite:///{tmp_path / 'poll.db'}")
    parabola.logging.set_verbosity(parabola.logging.WARNING)
    study = parabola.create_study(study_name="polled", storage=storage)
    study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=30)
    yield storage, study


def test_poll_with_nothing_new_reads_no_finished_trial(
    store: tuple[BaseStorage, parabola.Study],
) -> None:
    storage, study = store
    running = study.ask()  # one unfinished trial, which the token follows
    with TestClient(create_app(storage)) as client:
        data = client.get(f"/api/studies/{study._study_id}").json()
        token = data["token"]
        assert data["first_unfinished"] == running.number == 30
        spy = _Spy(storage)
        for _ in range(3):
            answer = client.get(f"/api/studies/{study._study_id}/poll", params={"token": token})
            assert answer.json() == {"changed": False, "token": token, "first_unfinished": 30}
        # Every read was of the unfinished trials only: none returned the study's 30 finished.
        assert spy.calls and all(
            states is not None and TrialState.COMPLETE not in states for states in spy.calls
        ), spy.calls

        running.report(1.0, 0)  # an unfinished trial's progress changes the token...
        moved = client.get(f"/api/studies/{study._study_id}/poll", params={"token": token}).json()
        assert moved["changed"] is True and moved["first_unfinished"] == 30
        study.tell(running, 0.5)  # ...and so does its end
        done = client.get(f"/api/studies/{study._study_id}/poll", params={"token": token}).json()
        assert done["changed"] is True and done["first_unfinished"] == 31
        # The poll's token is the one the study's data answer carries for the same state.
        assert client.get(f"/api/studies/{study._study_id}").json()["token"] == done["token"]


def _wait(predicate: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_slow_figures_are_built_in_the_background_when_the_study_is_seen(
    store: tuple[BaseStorage, parabola.Study], monkeypatch: pytest.MonkeyPatch
) -> None:
    storage, study = store
    app = create_app(storage)
    board = app.state.dashboard
    with TestClient(app) as client:
        assert client.get(f"/studies/{study._study_id}").status_code == 200  # the page
        _wait(lambda: board.precompute.built == len(PRECOMPUTED))
        built: list[str] = []
        original = _figures.build_figure

        def counting(*args: Any) -> Any:
            built.append(args[1])
            return original(*args)

        monkeypatch.setattr(_figures, "build_figure", counting)
        for name in PRECOMPUTED:  # answered from what the background thread built
            answer = client.get(f"/api/studies/{study._study_id}/figures/{name}").json()
            assert answer["available"] is True, answer
        assert built == []
        assert client.get(f"/api/studies/{study._study_id}/figures/edf").json()["available"]
        assert built == ["edf"]  # the others are built on request, as before

        study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=1)
        client.get(f"/api/studies/{study._study_id}/poll", params={"token": "old"})
        # A new token: the background thread builds the figures again, for the new trials.
        _wait(lambda: board.precompute.built == 2 * len(PRECOMPUTED))
        assert sorted(built) == sorted(["edf", *PRECOMPUTED])


def test_a_figure_being_built_is_waited_for_not_built_twice() -> None:
    cache = FigureCache()
    started, release = threading.Event(), threading.Event()
    builds: list[int] = []

    def slow() -> bytes:
        builds.append(1)
        started.set()
        release.wait(10)
        return b"figure"

    answers: list[bytes] = []
    first = threading.Thread(target=lambda: answers.append(cache.get_or_build(("k",), slow)))
    first.start()
    started.wait(10)
    second = threading.Thread(target=lambda: answers.append(cache.get_or_build(("k",), slow)))
    second.start()
    time.sleep(0.1)
    release.set()
    first.join(10)
    second.join(10)
    assert answers == [b"figure", b"figure"] and builds == [1]


def test_a_failed_build_is_not_cached() -> None:
    cache = FigureCache()

    def broken() -> bytes:
        raise ValueError("bad option")

    with pytest.raises(ValueError, match="bad option"):
        cache.get_or_build(("k",), broken)
    assert cache.get_or_build(("k",), lambda: b"ok") == b"ok"
