"""The storage contract suite: every :class:`~parabola.storages.BaseStorage` must pass it.

Subclass :class:`StorageContract` in a test module and provide a ``storage_factory`` fixture
returning a zero-argument callable; each call opens the *same* backend again (a persistent store
returns a new instance over the same database, an in-memory one may return the same object)::

    import pytest
    from parabola.storages import InMemoryStorage
    from parabola.testing.storages import StorageContract

    class TestInMemory(StorageContract):
        @pytest.fixture
        def storage_factory(self):
            storage = InMemoryStorage()
            return lambda: storage

The tests check the invariants written in ``parabola/storages/_base.py``.
"""

from __future__ import annotations

import datetime
import math
import threading
from collections.abc import Callable
from typing import Any

import pytest

from parabola._study_direction import StudyDirection
from parabola.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from parabola.exceptions import DuplicatedStudyError, UpdateFinishedTrialError
from parabola.storages._base import BaseStorage
from parabola.storages._records import RunRecord, RunState
from parabola.storages._run_types import HistoryQuery, RunKey, RunUpdate
from parabola.trial._frozen import create_trial
from parabola.trial._state import TrialState

__all__ = ["StorageContract", "make_run"]

MIN = StudyDirection.MINIMIZE
MAX = StudyDirection.MAXIMIZE
X = FloatDistribution(0.0, 10.0)
N = IntDistribution(1, 5)
C = CategoricalDistribution(["a", "b", None])


def _cells(column: Any) -> list[Any]:
    """A history column as a list of Python values (a store may return a numpy array)."""
    return column.tolist() if hasattr(column, "tolist") else list(column)


def make_run(run_id: str = "r1", project: str = "p", entity: str = "e", **kw: Any) -> RunRecord:
    """A RunRecord with sensible defaults for tests."""
    now = datetime.datetime(2026, 1, 2, 3, 4, 5, 678901)
    fields: dict[str, Any] = {
        "run_id": run_id,
        "project": project,
        "entity": entity,
        "name": f"run-{run_id}",
        "state": RunState.RUNNING,
        "created_at": now,
        "heartbeat_at": now,
    }
    fields.update(kw)
    return RunRecord(**fields)


class StorageContract:
    """Contract tests; subclasses provide the ``storage_factory`` fixture."""

    @pytest.fixture
    def storage(self, storage_factory: Callable[[], BaseStorage]) -> BaseStorage:
        return storage_factory()

    # Studies ------------------------------------------------------------------------------
    def test_create_and_read_study(self, storage: BaseStorage) -> None:
        sid = storage.create_new_study([MAX], "s1")
        assert storage.get_study_id_from_name("s1") == sid
        assert storage.get_study_name_from_id(sid) == "s1"
        assert storage.get_study_directions(sid) == [MAX]
        assert storage.get_study_user_attrs(sid) == {}
        assert storage.get_study_system_attrs(sid) == {}
        assert storage.get_all_trials(sid) == []

    def test_duplicate_study_name(self, storage: BaseStorage) -> None:
        storage.create_new_study([MIN], "dup")
        with pytest.raises(DuplicatedStudyError):
            storage.create_new_study([MIN], "dup")

    def test_unnamed_studies_get_distinct_names(self, storage: BaseStorage) -> None:
        a = storage.create_new_study([MIN])
        b = storage.create_new_study([MIN, MAX])
        assert a != b
        assert storage.get_study_name_from_id(a) != storage.get_study_name_from_id(b)
        assert storage.get_study_directions(b) == [MIN, MAX]

    def test_unknown_study(self, storage: BaseStorage) -> None:
        with pytest.raises(KeyError, match="nope"):
            storage.get_study_id_from_name("nope")
        with pytest.raises(KeyError):
            storage.get_study_name_from_id(987654)
        with pytest.raises(KeyError):
            storage.get_all_trials(987654)
        with pytest.raises(KeyError):
            storage.create_new_trial(987654)

    def test_study_attrs(self, storage: BaseStorage) -> None:
        sid = storage.create_new_study([MIN], "attrs")
        storage.set_study_user_attr(sid, "a", [1, 2, {"b": None}])
        storage.set_study_user_attr(sid, "c", 1.5)
        storage.set_study_system_attr(sid, "s", "x")
        attrs = storage.get_study_user_attrs(sid)
        assert attrs == {"a": [1, 2, {"b": None}], "c": 1.5}
        attrs["a"].append(3)  # a copy: the store is not affected
        assert storage.get_study_user_attrs(sid)["a"] == [1, 2, {"b": None}]
        assert storage.get_study_system_attrs(sid) == {"s": "x"}

    def test_get_all_studies(self, storage: BaseStorage) -> None:
        a = storage.create_new_study([MIN], "a")
        b = storage.create_new_study([MAX], "b")
        storage.set_study_user_attr(b, "k", 1)
        studies = storage.get_all_studies()
        assert [s.study_id for s in studies] == [a, b]
        assert [s.study_name for s in studies] == ["a", "b"]
        assert studies[1].direction == MAX
        assert studies[1].user_attrs == {"k": 1}

    def test_delete_study(self, storage: BaseStorage) -> None:
        sid = storage.create_new_study([MIN], "gone")
        tid = storage.create_new_trial(sid)
        storage.delete_study(sid)
        with pytest.raises(KeyError):
            storage.get_study_id_from_name("gone")
        with pytest.raises(KeyError):
            storage.get_trial(tid)
        with pytest.raises(KeyError):
            storage.delete_study(sid)
        assert storage.create_new_study([MIN], "gone") is not None  # the name is free again

    def test_ids_are_not_reused_after_delete(self, storage: BaseStorage) -> None:
        old = storage.create_new_study([MIN], "old")
        old_trial = storage.create_new_trial(old)
        storage.delete_study(old)
        new = storage.create_new_study([MAX], "new")
        assert new != old and storage.create_new_trial(new) != old_trial
        with pytest.raises(KeyError):
            storage.get_study_directions(old)

    # Trials -------------------------------------------------------------------------------
    def test_trial_numbers_and_defaults(self, storage: BaseStorage) -> None:
        sid = storage.create_new_study([MIN], "t")
        other = storage.create_new_study([MIN], "other")
        ids = [storage.create_new_trial(sid) for _ in range(3)]
        storage.create_new_trial(other)
        assert [storage.get_trial(t).number for t in ids] == [0, 1, 2]
        assert [storage.get_trial_number_from_id(t) for t in ids] == [0, 1, 2]
        assert storage.get_trial_id_from_study_id_trial_number(sid, 2) == ids[2]
        with pytest.raises(KeyError):
            storage.get_trial_id_from_study_id_trial_number(sid, 3)
        trial = storage.get_trial(ids[0])
        assert trial.state == TrialState.RUNNING
        assert trial.datetime_start is not None and trial.datetime_complete is None
        assert trial.params == {} and trial.values is None
        assert storage.get_trial(storage.create_new_trial(other)).number == 1

    def test_unknown_trial(self, storage: BaseStorage) -> None:
        with pytest.raises(KeyError):
            storage.get_trial(987654)
        with pytest.raises(KeyError):
            storage.set_trial_user_attr(987654, "a", 1)

    def test_params_and_distributions(self, storage: BaseStorage) -> None:
        sid = storage.create_new_study([MIN], "p")
        tid = storage.create_new_trial(sid)
        storage.set_trial_param(tid, "x", 2.5, X)
        storage.set_trial_param(tid, "n", 3.0, N)
        storage.set_trial_param(tid, "c", 2.0, C)
        trial = storage.get_trial(tid)
        assert trial.params == {"x": 2.5, "n": 3, "c": None}
        assert trial.distributions == {"x": X, "n": N, "c": C}
        assert storage.get_trial_param(tid, "c") == 2.0
        tid2 = storage.create_new_trial(sid)
        with pytest.raises(ValueError):
            storage.set_trial_param(tid2, "x", 0.0, CategoricalDistribution(["u"]))
        storage.set_trial_param(tid2, "x", 1.0, FloatDistribution(0.0, 2.0))  # same kind: ok
        assert storage.get_trial(tid2).params == {"x": 1.0}

    def test_complete_and_values(self, storage: BaseStorage) -> None:
        sid = storage.create_new_study([MIN, MAX], "v")
        tid = storage.create_new_trial(sid)
        assert storage.set_trial_state_values(tid, TrialState.COMPLETE, [1.0, -math.inf])
        trial = storage.get_trial(tid)
        assert trial.state == TrialState.COMPLETE
        assert trial.values == [1.0, -math.inf]
        assert trial.datetime_complete is not None

    def test_finished_is_final(self, storage: BaseStorage) -> None:
        sid = storage.create_new_study([MIN], "final")
        tid = storage.create_new_trial(sid)
        storage.set_trial_param(tid, "x", 1.0, X)
        storage.set_trial_state_values(tid, TrialState.FAIL)
        before = storage.get_trial(tid)
        writes: list[Callable[[], Any]] = [
            lambda: storage.set_trial_param(tid, "y", 1.0, X),
            lambda: storage.set_trial_state_values(tid, TrialState.COMPLETE, [1.0]),
            lambda: storage.set_trial_state_values(tid, TrialState.RUNNING),
            lambda: storage.set_trial_intermediate_value(tid, 1, 1.0),
            lambda: storage.set_trial_user_attr(tid, "a", 1),
            lambda: storage.set_trial_system_attr(tid, "a", 1),
        ]
        for write in writes:
            with pytest.raises(UpdateFinishedTrialError):
                write()
        assert storage.get_trial(tid) == before

    def test_waiting_trial_is_claimed_once(self, storage: BaseStorage) -> None:
        sid = storage.create_new_study([MIN], "w")
        template = create_trial(state=TrialState.WAITING, system_attrs={"fixed": {"x": 1}})
        tid = storage.create_new_trial(sid, template_trial=template)
        assert storage.get_trial(tid).state == TrialState.WAITING
        assert storage.get_trial(tid).datetime_start is None
        assert storage.set_trial_state_values(tid, TrialState.RUNNING) is True
        assert storage.set_trial_state_values(tid, TrialState.RUNNING) is False
        trial = storage.get_trial(tid)
        assert trial.state == TrialState.RUNNING and trial.datetime_start is not None
        assert trial.system_attrs == {"fixed": {"x": 1}}

    def test_unfinished_state_filters(self, storage: BaseStorage) -> None:
        sid = storage.create_new_study([MIN], "unfinished")
        waiting = create_trial(state=TrialState.WAITING)
        ids = []
        for i in range(6):
            if i % 2:
                ids.append(storage.create_new_trial(sid, template_trial=waiting))
            else:
                ids.append(storage.create_new_trial(sid))
        storage.set_trial_state_values(ids[0], TrialState.COMPLETE, [1.0])
        assert storage.set_trial_state_values(ids[3], TrialState.RUNNING)
        numbers = [t.number for t in storage.get_all_trials(sid, states=(TrialState.WAITING,))]
        assert numbers == [1, 5]
        running = storage.get_all_trials(sid, states=(TrialState.RUNNING, TrialState.WAITING))
        assert [t.number for t in running] == [1, 2, 3, 4, 5]
        storage.set_trial_state_values(ids[5], TrialState.RUNNING)
        storage.set_trial_state_values(ids[5], TrialState.FAIL)
        assert [t.number for t in storage.get_all_trials(sid, states=(TrialState.WAITING,))] == [1]
        finished = storage.get_all_trials(sid, states=(TrialState.FAIL, TrialState.COMPLETE))
        assert [t.number for t in finished] == [0, 5]

    def test_template_trial_is_copied(self, storage: BaseStorage) -> None:
        sid = storage.create_new_study([MIN], "tmpl")
        storage.create_new_trial(sid)
        template = create_trial(
            value=3.5,
            params={"x": 2.0, "c": "b"},
            distributions={"x": X, "c": C},
            user_attrs={"u": [1, "two"]},
            system_attrs={"s": {"deep": True}},
            intermediate_values={0: 1.0, 3: math.nan},
        )
        tid = storage.create_new_trial(sid, template_trial=template)
        trial = storage.get_trial(tid)
        assert trial.number == 1
        assert trial.state == TrialState.COMPLETE and trial.value == 3.5
        assert trial.params == {"x": 2.0, "c": "b"}
        assert trial.distributions == {"x": X, "c": C}
        assert trial.user_attrs == {"u": [1, "two"]}
        assert trial.system_attrs == {"s": {"deep": True}}
        assert trial.intermediate_values[0] == 1.0 and math.isnan(trial.intermediate_values[3])
        assert trial.datetime_start == template.datetime_start
        assert trial.datetime_complete == template.datetime_complete
        assert template.number == -1  # the template itself is untouched

    def test_intermediate_values_and_attrs(self, storage: BaseStorage) -> None:
        sid = storage.create_new_study([MIN], "iv")
        tid = storage.create_new_trial(sid)
        storage.set_trial_intermediate_value(tid, 0, 0.5)
        storage.set_trial_intermediate_value(tid, 10, 0.25)
        storage.set_trial_intermediate_value(tid, 10, 0.125)  # later write wins
        storage.set_trial_user_attr(tid, "u", {"nested": [1, 2]})
        storage.set_trial_system_attr(tid, "s", None)
        trial = storage.get_trial(tid)
        assert trial.intermediate_values == {0: 0.5, 10: 0.125}
        assert trial.user_attrs == {"u": {"nested": [1, 2]}}
        assert trial.system_attrs == {"s": None}

    def test_returned_trials_are_copies(self, storage: BaseStorage) -> None:
        sid = storage.create_new_study([MIN], "copies")
        tid = storage.create_new_trial(sid)
        storage.set_trial_user_attr(tid, "u", [1])
        storage.set_trial_state_values(tid, TrialState.COMPLETE, [1.0])
        for trial in (storage.get_trial(tid), storage.get_all_trials(sid)[0]):
            trial.user_attrs["u"].append(2)
            trial.params["z"] = 1
            trial.intermediate_values[5] = 1.0
        fresh = storage.get_trial(tid)
        assert fresh.user_attrs == {"u": [1]}
        assert fresh.params == {} and fresh.intermediate_values == {}

    def test_get_all_trials_order_and_filter(self, storage: BaseStorage) -> None:
        sid = storage.create_new_study([MIN], "all")
        ids = [storage.create_new_trial(sid) for _ in range(5)]
        storage.set_trial_state_values(ids[1], TrialState.COMPLETE, [1.0])
        storage.set_trial_state_values(ids[3], TrialState.PRUNED)
        trials = storage.get_all_trials(sid)
        assert [t.number for t in trials] == [0, 1, 2, 3, 4]
        assert [t._trial_id for t in trials] == ids
        done = storage.get_all_trials(sid, states=(TrialState.COMPLETE, TrialState.PRUNED))
        assert [t.number for t in done] == [1, 3]
        assert storage.get_n_trials(sid) == 5
        assert storage.get_n_trials(sid, TrialState.RUNNING) == 3
        assert storage.get_all_trials(sid, deepcopy=False)[1].value == 1.0

    @pytest.mark.parametrize("direction", [MIN, MAX])
    def test_best_trial(self, storage: BaseStorage, direction: StudyDirection) -> None:
        sid = storage.create_new_study([direction], "best")
        with pytest.raises(ValueError):
            storage.get_best_trial(sid)
        for v in (3.0, 1.0, 5.0, 2.0):
            storage.set_trial_state_values(storage.create_new_trial(sid), TrialState.COMPLETE, [v])
        storage.set_trial_state_values(storage.create_new_trial(sid), TrialState.FAIL)
        best = storage.get_best_trial(sid)
        assert best.value == (1.0 if direction == MIN else 5.0)
        multi = storage.create_new_study([MIN, MIN], "multi")
        with pytest.raises(RuntimeError):
            storage.get_best_trial(multi)

    @pytest.mark.parametrize("direction", [MIN, MAX])
    def test_best_trial_tie_is_the_first_trial(
        self, storage_factory: Callable[[], BaseStorage], direction: StudyDirection
    ) -> None:
        # Optuna's rule: of trials with equal best values, the lowest-numbered one, whichever
        # finished first, and the same answer for a second instance reading the store.
        storage = storage_factory()
        sid = storage.create_new_study([direction], "tie")
        first, second, third = (storage.create_new_trial(sid) for _ in range(3))
        storage.set_trial_state_values(third, TrialState.COMPLETE, [2.0])
        storage.set_trial_state_values(second, TrialState.COMPLETE, [2.0])
        assert storage.get_best_trial(sid).number == 1
        storage.set_trial_state_values(first, TrialState.COMPLETE, [2.0])
        assert storage.get_best_trial(sid).number == 0
        assert storage_factory().get_best_trial(sid).number == 0

    def test_threads_get_gapless_numbers(self, storage: BaseStorage) -> None:
        sid = storage.create_new_study([MIN], "threads")
        errors: list[BaseException] = []

        def work() -> None:
            try:
                for _ in range(10):
                    tid = storage.create_new_trial(sid)
                    storage.set_trial_param(tid, "x", 1.0, X)
                    storage.set_trial_state_values(tid, TrialState.COMPLETE, [1.0])
            except BaseException as e:  # surfaced below
                errors.append(e)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        trials = storage.get_all_trials(sid)
        assert [t.number for t in trials] == list(range(40))
        assert all(t.state == TrialState.COMPLETE and t.params == {"x": 1.0} for t in trials)

    def test_second_instance_sees_writes(
        self, storage: BaseStorage, storage_factory: Callable[[], BaseStorage]
    ) -> None:
        sid = storage.create_new_study([MIN], "shared")
        reader = storage_factory()
        assert reader.get_all_trials(sid) == []
        tid = storage.create_new_trial(sid)
        storage.set_trial_param(tid, "x", 1.0, X)
        storage.set_trial_intermediate_value(tid, 1, 0.5)
        seen = reader.get_all_trials(sid)
        assert len(seen) == 1 and seen[0].intermediate_values == {1: 0.5}
        assert seen[0].params == {"x": 1.0}  # buffered params travel with the next write
        storage.set_trial_state_values(tid, TrialState.COMPLETE, [2.0])
        storage.create_new_trial(sid)
        seen = reader.get_all_trials(sid)
        assert [t.state for t in seen] == [TrialState.COMPLETE, TrialState.RUNNING]
        assert seen[0] == storage.get_trial(tid)
        assert reader.get_best_trial(sid).value == 2.0
        assert reader.get_trial(tid) == storage.get_trial(tid)

    def test_claim_race_between_instances(
        self, storage: BaseStorage, storage_factory: Callable[[], BaseStorage]
    ) -> None:
        sid = storage.create_new_study([MIN], "race")
        tid = storage.create_new_trial(sid, template_trial=create_trial(state=TrialState.WAITING))
        other = storage_factory()
        assert other.set_trial_state_values(tid, TrialState.RUNNING) is True
        assert storage.set_trial_state_values(tid, TrialState.RUNNING) is False
        other.set_trial_state_values(tid, TrialState.COMPLETE, [1.0])
        with pytest.raises(UpdateFinishedTrialError):
            storage.set_trial_user_attr(tid, "a", 1)

    # Budgets ------------------------------------------------------------------------------
    def test_budget_caps_trials_and_indexes_them(self, storage: BaseStorage) -> None:
        sid = storage.create_new_study([MIN], "budget")
        other = storage.create_new_trial(sid)  # trials outside the budget do not count
        made = [storage.create_new_trial_in_budget(sid, "b", 3, {"w": "a"}) for _ in range(3)]
        assert None not in made
        assert storage.create_new_trial_in_budget(sid, "b", 3) is None
        assert storage.get_study_system_attrs(sid)["b"] == 3
        trials = storage.get_all_trials(sid)
        assert [t.number for t in trials] == [0, 1, 2, 3]
        assert trials[0]._trial_id == other and "b" not in trials[0].system_attrs
        assert [t.system_attrs for t in trials[1:]] == [{"w": "a", "b": i} for i in range(3)]
        assert all(t.state == TrialState.RUNNING for t in trials)
        # A budgeted trial is an ordinary trial of the caller: it can be written and finished.
        assert made[0] is not None
        storage.set_trial_param(made[0], "x", 1.0, X)
        storage.set_trial_state_values(made[0], TrialState.COMPLETE, [1.0])
        assert storage.get_trial(made[0]).params == {"x": 1.0}
        # Another key is another budget; no limit means no limit; a closed budget stays closed.
        assert storage.create_new_trial_in_budget(sid, "c", None) is not None
        tid = storage.create_new_trial_in_budget(sid, "d", 1, {"w": "b"}, index_key="i")
        assert tid is not None and storage.get_trial(tid).system_attrs == {"w": "b", "i": 0}
        storage.set_study_system_attr(sid, "c", 5)
        assert storage.create_new_trial_in_budget(sid, "c", 5) is None
        with pytest.raises(KeyError):
            storage.create_new_trial_in_budget(987654, "b", 1)

    def test_budget_is_spent_exactly_once_across_threads_and_instances(
        self, storage: BaseStorage, storage_factory: Callable[[], BaseStorage]
    ) -> None:
        sid = storage.create_new_study([MIN], "budget-race")
        stores = [storage, storage_factory()]
        made: list[int] = []
        errors: list[BaseException] = []
        lock = threading.Lock()

        def work(store: BaseStorage) -> None:
            try:
                while (tid := store.create_new_trial_in_budget(sid, "b", 30)) is not None:
                    store.set_trial_state_values(tid, TrialState.COMPLETE, [0.0])
                    with lock:
                        made.append(tid)
            except BaseException as e:  # surfaced below
                errors.append(e)

        threads = [threading.Thread(target=work, args=(stores[i % 2],)) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert len(made) == len(set(made)) == 30
        trials = storage_factory().get_all_trials(sid)
        assert sorted(t.system_attrs["b"] for t in trials) == list(range(30))
        assert [t.number for t in trials] == list(range(30))
        assert storage.get_study_system_attrs(sid)["b"] == 30

    # Runs ---------------------------------------------------------------------------------
    def test_run_roundtrip(self, storage: BaseStorage) -> None:
        record = make_run(
            config={"lr": 0.1, "layers": [1, 2]},
            summary={"loss": 0.5},
            tags=["a", "b"],
            notes="n",
            group="g",
            job_type="train",
            study_name="s",
            trial_number=3,
        )
        storage.create_run(record)
        got = storage.get_run(RunKey("e", "p", "r1"))
        assert got == record
        got.config["lr"] = 1.0
        assert storage.get_run(RunKey("e", "p", "r1")).config["lr"] == 0.1
        with pytest.raises(ValueError, match="e/p/r1"):
            storage.create_run(make_run())
        with pytest.raises(KeyError, match="e/p/zz"):
            storage.get_run(RunKey("e", "p", "zz"))

    def test_update_run(self, storage: BaseStorage) -> None:
        storage.create_run(make_run())
        end = datetime.datetime(2026, 1, 2, 4, 0, 0)
        storage.update_run(
            RunKey("e", "p", "r1"),
            RunUpdate(state=RunState.FINISHED, finished_at=end, summary={"a": 1}, exit_code=0),
        )
        got = storage.get_run(RunKey("e", "p", "r1"))
        assert got.state == RunState.FINISHED and got.finished_at == end
        assert got.summary == {"a": 1} and got.exit_code == 0
        with pytest.raises(TypeError, match="bogus"):
            RunUpdate(bogus=1)  # type: ignore[call-arg]
        with pytest.raises(KeyError):
            storage.update_run(RunKey("e", "p", "missing"), RunUpdate(notes="x"))

    def test_get_runs_newest_first_and_filters(self, storage: BaseStorage) -> None:
        t0 = datetime.datetime(2026, 1, 1)
        for i, (entity, project) in enumerate([("e", "p"), ("e", "q"), ("f", "p")]):
            storage.create_run(
                make_run(f"r{i}", project, entity, created_at=t0 + datetime.timedelta(hours=i))
            )
        assert [r.run_id for r in storage.get_runs()] == ["r2", "r1", "r0"]
        assert [r.run_id for r in storage.get_runs(entity="e")] == ["r1", "r0"]
        assert [r.run_id for r in storage.get_runs(project="p")] == ["r2", "r0"]
        assert [r.run_id for r in storage.get_runs("e", "q")] == ["r1"]
        assert storage.count_runs() == 3
        assert storage.count_runs(entity="e") == 2 and storage.count_runs(project="p") == 2
        assert storage.count_runs("e", "q") == 1 and storage.count_runs("x", "p") == 0

    def test_history_roundtrip(self, storage: BaseStorage) -> None:
        storage.create_run(make_run())
        rows: list[dict[str, Any]] = [
            {"_step": 0, "loss": 1.0, "acc": 0.5, "label": "a"},
            {"_step": 1, "loss": math.nan, "flag": True, "nested": [1, {"x": None}]},
            {"_step": 2, "loss": math.inf, "count": 7, "big": 2**70},
            {"_step": 3},
        ]
        storage.append_run_history(RunKey("e", "p", "r1"), rows[:2])
        storage.append_run_history(RunKey("e", "p", "r1"), rows[2:])
        storage.append_run_history(
            RunKey("e", "p", "r1"), [{"_step": 0, "cpu": 12.5}], stream="system"
        )
        got = storage.get_run_history(RunKey("e", "p", "r1"))
        assert len(got) == 4
        assert got[0] == rows[0]
        assert math.isnan(got[1]["loss"]) and got[1]["flag"] is True
        assert got[1]["nested"] == [1, {"x": None}] and set(got[1]) == set(rows[1])
        assert got[2] == rows[2] and type(got[2]["count"]) is int
        assert got[3] == {"_step": 3}
        assert storage.get_run_history(RunKey("e", "p", "r1"), HistoryQuery(stream="system")) == [
            {"_step": 0, "cpu": 12.5}
        ]
        assert storage.get_run_history(RunKey("e", "p", "r1"), HistoryQuery(stream="other")) == []
        with pytest.raises(KeyError):
            storage.get_run_history(RunKey("e", "p", "nope"))
        with pytest.raises(KeyError):
            storage.append_run_history(RunKey("e", "p", "nope"), rows)

    def test_history_step_range_and_large_batches(self, storage: BaseStorage) -> None:
        storage.create_run(make_run())
        rows = [{"_step": i, "loss": 1.0 / (i + 1), "lr": 0.1} for i in range(2500)]
        storage.append_run_history(RunKey("e", "p", "r1"), rows[:1700])
        storage.append_run_history(RunKey("e", "p", "r1"), rows[1700:])
        assert storage.get_run_history(RunKey("e", "p", "r1")) == rows
        assert (
            storage.get_run_history(
                RunKey("e", "p", "r1"), HistoryQuery(min_step=990, max_step=1010)
            )
            == rows[990:1011]
        )
        assert (
            storage.get_run_history(RunKey("e", "p", "r1"), HistoryQuery(min_step=2400))
            == rows[2400:]
        )
        assert storage.get_run_history(RunKey("e", "p", "r1"), HistoryQuery(max_step=4)) == rows[:5]

    def test_history_columns_match_rows(self, storage: BaseStorage) -> None:
        storage.create_run(make_run())
        rows: list[dict[str, Any]] = [
            {"_step": 0, "loss": 1.0, "label": "a"},
            {"_step": 1, "loss": math.nan, "flag": True, "nested": [1, {"x": None}]},
            {"_step": 2, "count": 7, "big": 2**70, "loss": 0.5},
            {"_step": 3},
        ]
        storage.append_run_history(RunKey("e", "p", "r1"), rows[:2])
        storage.append_run_history(RunKey("e", "p", "r1"), rows[2:])
        storage.append_run_history(
            RunKey("e", "p", "r1"), [{"_step": 0, "cpu": 12.5}], stream="system"
        )
        cols = storage.get_run_history_columns(RunKey("e", "p", "r1"))
        # First-seen key order, one cell per row, None where a row lacks the key.
        assert list(cols) == ["_step", "loss", "label", "flag", "nested", "count", "big"]
        got = {k: _cells(v) for k, v in cols.items()}
        assert got["_step"] == [0, 1, 2, 3] and all(type(s) is int for s in got["_step"])
        assert got["loss"][0] == 1.0 and math.isnan(got["loss"][1])
        assert got["loss"][2:] == [0.5, None]
        assert got["label"] == ["a", None, None, None]
        assert got["flag"] == [None, True, None, None] and got["flag"][1] is True
        assert got["nested"] == [None, [1, {"x": None}], None, None]
        assert got["count"] == [None, None, 7, None] and type(got["count"][2]) is int
        assert got["big"] == [None, None, 2**70, None]
        assert _cells(
            storage.get_run_history_columns(RunKey("e", "p", "r1"), HistoryQuery(stream="system"))[
                "cpu"
            ]
        ) == [12.5]
        assert (
            storage.get_run_history_columns(RunKey("e", "p", "r1"), HistoryQuery(stream="other"))
            == {}
        )
        with pytest.raises(KeyError):
            storage.get_run_history_columns(RunKey("e", "p", "nope"))

    def test_history_columns_step_range_and_keys(self, storage: BaseStorage) -> None:
        storage.create_run(make_run())
        rows = [{"_step": i, "loss": 1.0 / (i + 1), "epoch": i // 100} for i in range(2500)]
        storage.append_run_history(RunKey("e", "p", "r1"), rows[:1700])
        storage.append_run_history(RunKey("e", "p", "r1"), rows[1700:])
        cols = storage.get_run_history_columns(RunKey("e", "p", "r1"))
        assert {k: _cells(v) for k, v in cols.items()} == {
            k: [r[k] for r in rows] for k in ("_step", "loss", "epoch")
        }
        part = storage.get_run_history_columns(
            RunKey("e", "p", "r1"), HistoryQuery(min_step=990, max_step=1010)
        )
        assert _cells(part["_step"]) == list(range(990, 1011))
        assert _cells(part["loss"]) == [r["loss"] for r in rows[990:1011]]
        assert _cells(
            storage.get_run_history_columns(RunKey("e", "p", "r1"), HistoryQuery(max_step=4))[
                "_step"
            ]
        ) == [
            0,
            1,
            2,
            3,
            4,
        ]
        assert (
            len(
                storage.get_run_history_columns(
                    RunKey("e", "p", "r1"), HistoryQuery(min_step=2400)
                )["loss"]
            )
            == 100
        )
        only = storage.get_run_history_columns(
            RunKey("e", "p", "r1"), HistoryQuery(keys=["loss", "absent"])
        )
        assert list(only) == ["_step", "loss"]
        assert _cells(only["loss"]) == [r["loss"] for r in rows]

    def test_history_envelope_keeps_extremes(self, storage: BaseStorage) -> None:
        storage.create_run(make_run())
        rows: list[dict[str, Any]] = [
            {"_step": i, "loss": 1.0, "_runtime": i / 10, "acc": 0.5} for i in range(3000)
        ]
        rows[1234]["loss"] = 50.0  # one-step spikes must survive any reduction
        rows[2345]["loss"] = -7.0
        rows[10]["loss"] = math.nan  # not plotted
        rows[11] = {"_step": 11, "label": "x"}  # a row without the metric
        storage.append_run_history(RunKey("e", "p", "r1"), rows[:1700])
        storage.append_run_history(RunKey("e", "p", "r1"), rows[1700:])
        env = storage.get_run_history_envelope(
            RunKey("e", "p", "r1"), HistoryQuery(keys=["loss"]), n_buckets=20
        )
        assert list(env) == ["loss"]
        loss = env["loss"]
        assert len(loss["_step"]) <= 2 * 20 + 2
        assert loss["_step"] == sorted(loss["_step"])
        assert loss["_step"][0] == 0 and loss["_step"][-1] == 2999  # first and last kept
        assert max(loss["loss"]) == 50.0 and min(loss["loss"]) == -7.0
        assert 1234 in loss["_step"] and 2345 in loss["_step"]
        assert 10 not in loss["_step"] and 11 not in loss["_step"]
        at = loss["_step"].index(1234)
        assert loss["_runtime"][at] == 123.4  # carried columns come from the same row
        # Every numeric key by default; a step range re-buckets only that range.
        assert set(storage.get_run_history_envelope(RunKey("e", "p", "r1"))) == {
            "loss",
            "_runtime",
            "acc",
        }
        part = storage.get_run_history_envelope(
            RunKey("e", "p", "r1"),
            HistoryQuery(keys=["loss"], min_step=1200, max_step=1300),
            n_buckets=500,
        )["loss"]
        assert part["_step"] == list(range(1200, 1301)) and max(part["loss"]) == 50.0
        # Few rows: all of them, whatever the budget.
        small = storage.get_run_history_envelope(
            RunKey("e", "p", "r1"), HistoryQuery(keys=["acc"], max_step=5)
        )
        assert small["acc"]["_step"] == [0, 1, 2, 3, 4, 5]
        assert (
            storage.get_run_history_envelope(RunKey("e", "p", "r1"), HistoryQuery(keys=["absent"]))
            == {}
        )
        with pytest.raises(ValueError, match="n_buckets"):
            storage.get_run_history_envelope(
                RunKey("e", "p", "r1"), HistoryQuery(keys=["loss"]), n_buckets=0
            )
        with pytest.raises(KeyError):
            storage.get_run_history_envelope(RunKey("e", "p", "nope"), HistoryQuery(keys=["loss"]))

    def test_delete_run(self, storage: BaseStorage) -> None:
        storage.create_run(make_run())
        storage.append_run_history(RunKey("e", "p", "r1"), [{"_step": 0, "a": 1.0}])
        storage.delete_run(RunKey("e", "p", "r1"))
        with pytest.raises(KeyError):
            storage.get_run(RunKey("e", "p", "r1"))
        with pytest.raises(KeyError):
            storage.delete_run(RunKey("e", "p", "r1"))
        storage.create_run(make_run())  # the path is free again, with no old history
        assert storage.get_run_history(RunKey("e", "p", "r1")) == []
        # Appends after the re-creation reach the new run (a store may cache row ids).
        storage.append_run_history(RunKey("e", "p", "r1"), [{"_step": 0, "b": 2.0}])
        storage.update_run(RunKey("e", "p", "r1"), RunUpdate(notes="again"))
        assert storage.get_run_history(RunKey("e", "p", "r1")) == [{"_step": 0, "b": 2.0}]
        assert storage.get_run(RunKey("e", "p", "r1")).notes == "again"
        storage.delete_run(RunKey("e", "p", "r1"))
        with pytest.raises(KeyError):
            storage.append_run_history(RunKey("e", "p", "r1"), [{"_step": 1}])
        with pytest.raises(KeyError):
            storage.update_run(RunKey("e", "p", "r1"), RunUpdate(notes="gone"))

    def test_write_run_is_all_or_nothing(self, storage: BaseStorage) -> None:
        storage.create_run(make_run())
        history = {"default": [{"_step": 0, "a": 1.0}, {"_step": 1, "a": 2.0}], "system": []}
        storage.write_run(
            RunKey("e", "p", "r1"), history, RunUpdate(summary={"_step": 1, "a": 2.0})
        )
        assert storage.get_run_history(RunKey("e", "p", "r1")) == history["default"]
        assert storage.get_run(RunKey("e", "p", "r1")).summary == {"_step": 1, "a": 2.0}
        # A field the store refuses refuses the rows with it: summary and history stay equal.
        with pytest.raises(ValueError, match="run group"):
            storage.write_run(
                RunKey("e", "p", "r1"), {"default": [{"_step": 2}]}, RunUpdate(group="g" * 513)
            )
        assert len(storage.get_run_history(RunKey("e", "p", "r1"))) == 2
        with pytest.raises(KeyError):
            storage.write_run(
                RunKey("e", "p", "nope"), {"default": [{"_step": 0}]}, RunUpdate(notes="x")
            )

    @pytest.mark.parametrize(
        ("field", "value", "match"),
        [
            ("project", "p" * 257, "run project is 257 characters long; the limit is 256"),
            ("entity", "e" * 257, "run entity is 257 characters long; the limit is 256"),
            ("run_id", "r" * 257, "run run_id is 257 characters long; the limit is 256"),
            ("name", "n" * 513, "run name is 513 characters long; the limit is 512"),
            ("group", "g" * 513, "run group is 513 characters long; the limit is 512"),
            ("notes", "a\x00b", "run notes contains a NUL character"),
        ],
    )
    def test_run_text_limits_are_the_same_everywhere(
        self, storage: BaseStorage, field: str, value: str, match: str
    ) -> None:
        with pytest.raises(ValueError, match=match):
            storage.create_run(make_run(**{field: value}))
        assert storage.get_runs() == []
        storage.create_run(make_run())
        if field not in ("project", "entity", "run_id"):
            with pytest.raises(ValueError, match=match):
                fields: dict[str, Any] = {field: value}
                storage.update_run(RunKey("e", "p", "r1"), RunUpdate(**fields))
        at_limit = {"project": 256, "entity": 256, "run_id": 256}.get(field, 512)
        if field != "notes":
            storage.create_run(make_run(**{"run_id": "ok", field: "x" * at_limit}))
        else:
            storage.update_run(
                RunKey("e", "p", "r1"), RunUpdate(notes="n" * 100_000)
            )  # notes: no length limit
