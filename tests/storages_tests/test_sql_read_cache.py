"""The SQL store's read cache: finished trials kept as rows until read, then as trials.

Whatever path a read takes (rows decoded into fresh trials, rows decoded into the cache,
copies of cached trials), the trials it returns equal those a fresh store reads, and mutating
a returned copy never changes the store's view.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import parabola
from parabola.distributions import (
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from parabola.storages import RDBStorage
from parabola.study import StudyDirection
from parabola.trial import FrozenTrial, TrialState

X = FloatDistribution(0.0, 10.0)
N = IntDistribution(1, 9, log=True)
C = CategoricalDistribution(("a", 2, None, 1.5))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def make_storage(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[[], RDBStorage]]:
    """A factory of independent stores (own caches) on one database, SQLite or PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'cache.db'}"
    else:
        url = request.getfixturevalue("pg_clean")
    opened: list[RDBStorage] = []

    def factory() -> RDBStorage:
        opened.append(RDBStorage(url))
        return opened[-1]

    yield factory
    for storage in opened:
        storage.close()


def _fill(
    storage: RDBStorage,
    direction: StudyDirection = StudyDirection.MINIMIZE,
    name: str = "cache",
) -> int:
    """A study with every state, nested attributes, several search spaces, and a running trial
    between finished ones."""
    sid = storage.create_new_study([direction], name)
    for i in range(12):
        tid = storage.create_new_trial(sid)
        storage.set_trial_param(tid, "x", float(i % 7), X)
        if i % 3 == 0:
            storage.set_trial_param(tid, "n", 1 + i % 9, N)
        if i % 4 == 1:
            storage.set_trial_param(tid, "c", float((i // 4) % 4), C)  # a choice index
        storage.set_trial_user_attr(tid, "nested", {"list": [i, {"deep": i}], "s": "v"})
        storage.set_trial_system_attr(tid, "flat", i)
        storage.set_trial_intermediate_value(tid, 0, i / 2)
        storage.set_trial_intermediate_value(tid, 3, -float(i))
        if i == 5:
            continue  # left RUNNING
        state = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)[i % 3]
        values = [float((i * 5) % 11)] if state == TrialState.COMPLETE else None
        storage.set_trial_state_values(tid, state, values)
    storage.create_new_trial(
        sid,
        template_trial=parabola.create_trial(
            state=TrialState.WAITING, params={"x": 1.0}, distributions={"x": X}
        ),
    )
    return sid


def _mutate(trial: FrozenTrial) -> None:
    trial.params["x"] = -1.0
    trial.distributions.clear()
    if "nested" in trial.user_attrs:  # not on the enqueued trial
        trial.user_attrs["nested"]["list"][1]["deep"] = "changed"
    trial.system_attrs["new"] = 1
    trial.intermediate_values[99] = 0.0
    if trial.values is not None:
        trial._values.append(7.0)  # type: ignore[union-attr]
    trial.state = TrialState.FAIL


def test_every_read_path_equals_a_fresh_read(make_storage: Callable[[], RDBStorage]) -> None:
    writer = make_storage()
    sid = _fill(writer)
    expected = make_storage().get_all_trials(sid, deepcopy=False)
    assert len(expected) == 13
    reader = make_storage()
    # First copying read (rows decoded into fresh trials), second (into the cache), third
    # (copies of cached trials), then the cache's own trials.
    reads = [reader.get_all_trials(sid) for _ in range(3)]
    reads.append(reader.get_all_trials(sid, deepcopy=False))
    for got in reads:
        assert got == expected
        assert [t.number for t in got] == list(range(13))
    assert reads[0][9].params == {"x": 2.0, "n": 1, "c": None}
    assert reads[0][1].params == {"x": 1.0, "c": "a"}
    assert reads[0][0].intermediate_values == {0: 0.0, 3: -0.0}
    assert isinstance(reads[0][0].datetime_start, datetime.datetime)


def test_reads_by_state_trial_and_best_from_rows(make_storage: Callable[[], RDBStorage]) -> None:
    writer = make_storage()
    sid = _fill(writer)
    fresh = make_storage().get_all_trials(sid, deepcopy=False)
    for states in [
        (TrialState.COMPLETE,),
        (TrialState.PRUNED, TrialState.FAIL),
        (TrialState.RUNNING, TrialState.WAITING),
        (TrialState.WAITING,),
    ]:
        reader = make_storage()  # a cold cache: finished trials are still rows
        want = [t for t in fresh if t.state in states]
        assert reader.get_all_trials(sid, states=states) == want
        assert reader.get_all_trials(sid, deepcopy=False, states=states) == want
        assert reader.get_n_trials(sid, state=states) == len(want)
    reader = make_storage()
    complete = [t for t in fresh if t.state == TrialState.COMPLETE]
    best = min(complete, key=lambda t: (t.value, t.number))
    assert reader.get_best_trial(sid) == best
    reader.get_n_trials(sid)
    for t in fresh:
        assert reader.get_trial(t._trial_id) == t
        assert reader.get_trial_id_from_study_id_trial_number(sid, t.number) == t._trial_id
        assert reader.get_trial_number_from_id(t._trial_id) == t.number
    maximize = make_storage()
    sid2 = _fill(maximize, StudyDirection.MAXIMIZE, "cache-max")
    fresh2 = make_storage().get_all_trials(sid2, deepcopy=False, states=(TrialState.COMPLETE,))
    best2 = max(fresh2, key=lambda t: (t.value, -t.number))
    assert make_storage().get_best_trial(sid2) == best2


def test_mutating_returned_trials_never_changes_the_store(
    make_storage: Callable[[], RDBStorage],
) -> None:
    writer = make_storage()
    sid = _fill(writer)
    expected = copy.deepcopy(make_storage().get_all_trials(sid, deepcopy=False))
    reader = make_storage()
    study = parabola.load_study(study_name="cache", storage=reader)
    for _ in range(3):  # each read path: fresh from rows, decoded into the cache, copies
        trials = study.trials
        for t in trials:
            _mutate(t)
        assert reader.get_all_trials(sid, deepcopy=False) == expected
        assert study.trials == expected
    for t in expected:
        one = reader.get_trial(t._trial_id)
        _mutate(one)
        assert reader.get_trial(t._trial_id) == t
    best = reader.get_best_trial(sid)
    _mutate(best)
    assert reader.get_best_trial(sid) != best
    assert reader.get_all_trials(sid, deepcopy=False) == expected


def test_new_trials_join_a_cache_of_rows(make_storage: Callable[[], RDBStorage]) -> None:
    writer = make_storage()
    sid = _fill(writer)
    reader = make_storage()
    first = reader.get_all_trials(sid)  # the cache keeps rows
    tid = writer.create_new_trial(sid)
    writer.set_trial_param(tid, "x", 9.5, X)
    writer.set_trial_state_values(tid, TrialState.COMPLETE, [-3.0])
    running = writer.get_all_trials(sid, states=(TrialState.RUNNING,))[0]
    writer.set_trial_state_values(running._trial_id, TrialState.COMPLETE, [-1.0])
    second = reader.get_all_trials(sid)
    assert second[: len(first)] != first  # the running one finished
    assert second == make_storage().get_all_trials(sid)
    assert reader.get_best_trial(sid).number == len(first)
    # Our own writes fold into a cache that still holds rows.
    own = reader.create_new_trial(sid)
    reader.set_trial_param(own, "x", 0.5, X)
    reader.set_trial_state_values(own, TrialState.COMPLETE, [-4.0])
    assert reader.get_best_trial(sid)._trial_id == own
    assert reader.get_all_trials(sid) == make_storage().get_all_trials(sid)


def test_an_unfinished_only_read_leaves_the_rows_undecoded(
    make_storage: Callable[[], RDBStorage],
) -> None:
    # ``ask`` looks up WAITING trials on every call: on a cold cache of a large study that
    # lookup must not decode every finished row (nor flip the cache to decoding them later).
    writer = make_storage()
    sid = _fill(writer)
    want = [
        t
        for t in make_storage().get_all_trials(sid, deepcopy=False)
        if t.state in (TrialState.RUNNING, TrialState.WAITING)
    ]
    reader = make_storage()
    for deepcopy in (False, True):
        got = reader.get_all_trials(
            sid, deepcopy=deepcopy, states=(TrialState.RUNNING, TrialState.WAITING)
        )
        assert got == want
    cache = reader._trials._caches[sid]
    assert cache._raw and not cache._copied_rows
