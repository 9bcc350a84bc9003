"""InMemoryStorage's cheap copies and per-trial fast paths behave as the plain versions did."""

from __future__ import annotations

import copy
import itertools
from typing import Any

import pytest

import parabola
from parabola.distributions import CategoricalDistribution, FloatDistribution
from parabola.exceptions import UpdateFinishedTrialError
from parabola.samplers import RandomSampler
from parabola.storages import InMemoryStorage
from parabola.storages._copies import copy_trial, copy_value
from parabola.study import StudyDirection
from parabola.trial import TrialState


def _graphs_equal(a: Any, b: Any) -> bool:
    """Same values and the same sharing (ids mapped one to one), walked like deepcopy."""
    seen: dict[int, int] = {}

    def walk(x: Any, y: Any) -> bool:
        if type(x) is not type(y):
            return False
        if isinstance(x, (list, dict)):
            if id(x) in seen:
                return seen[id(x)] == id(y)
            seen[id(x)] = id(y)
            if isinstance(x, list):
                return len(x) == len(y) and all(walk(u, v) for u, v in zip(x, y, strict=True))
            return list(x) == list(y) and all(walk(x[k], y[k]) for k in x)
        return bool(x == y)

    return walk(a, b)


def _trees() -> list[Any]:
    shared = [1.0, 2.0]
    cyclic: list[Any] = [1]
    cyclic.append(cyclic)
    return [
        1.5,
        "s",
        None,
        [0.1, 0.2, 3, True, None, "x"],
        {"x": [0.5] * 4, "tag": [0, 3]},
        {"a": shared, "b": shared, "nested": {"deep": [shared, {"k": (1, 2)}]}},
        {"a": shared, "b": shared},  # flat, but one list under two keys: copied once
        {"vec": [0.1] * 20, "tag": [0, 3], "n": 1, "s": "x"},
        {"t": (1, [2, 3]), "s": {1, 2}},
        {1: "int key", (1, 2): "tuple key"},
        cyclic,
    ]


@pytest.mark.parametrize("tree", _trees())
def test_copy_value_is_a_deepcopy(tree: Any) -> None:
    copied = copy_value(tree)
    expected = copy.deepcopy(tree)
    assert _graphs_equal(copied, expected) or copied is expected
    if isinstance(tree, (list, dict)):
        assert copied is not tree


def test_copy_value_keeps_sharing_across_calls_with_one_memo() -> None:
    shared = [1.0]
    memo: dict[int, Any] = {}
    a, b = copy_value({"v": shared}, memo), copy_value({"w": shared}, memo)
    assert a["v"] is b["w"] and a["v"] is not shared


def test_copy_trial_matches_deepcopy_and_is_independent() -> None:
    trial = parabola.create_trial(
        params={"x": 0.5},
        distributions={"x": FloatDistribution(0, 1)},
        value=1.0,
        user_attrs={"u": {"n": [1, 2]}},
        system_attrs={"cma:x": [0.1, 0.2], "cma:tag": [0, 1]},
        intermediate_values={0: 2.0},
    )
    copied = copy_trial(trial)
    assert copied == copy.deepcopy(trial) == trial
    copied.system_attrs["cma:x"].append(9.0)
    copied.user_attrs["u"]["n"].append(3)
    copied.params["x"] = 0.0
    copied.intermediate_values[1] = 1.0
    assert trial.system_attrs["cma:x"] == [0.1, 0.2]
    assert trial.user_attrs["u"]["n"] == [1, 2]
    assert trial.params == {"x": 0.5} and trial.intermediate_values == {0: 2.0}


@pytest.mark.filterwarnings("ignore:CategoricalDistribution. choices must be:UserWarning")
def test_copy_trial_copies_a_list_valued_categorical_parameter() -> None:
    # A categorical's choices may be JSON lists; the SQL store's copies go through here too.
    trial = parabola.create_trial(
        params={"layers": [64, 32], "x": 0.5},
        distributions={
            "layers": CategoricalDistribution([[64, 32], [128]]),
            "x": FloatDistribution(0, 1),
        },
        value=1.0,
    )
    copied = copy_trial(trial)
    assert copied == copy.deepcopy(trial) == trial
    copied._params["layers"].append(16)
    assert trial.params["layers"] == [64, 32]


def test_copy_trial_keeps_a_list_shared_by_user_and_system_attributes_shared() -> None:
    # Flat attributes are copied without a memo; a list under both dicts must still come out
    # as one copy, as copy.deepcopy makes it (the store keeps a template's sharing).
    shared = [1.0, 2.0]
    trial = parabola.create_trial(value=1.0)
    trial._user_attrs["u"] = shared
    trial._system_attrs["s"] = shared
    for copied in (copy_trial(trial), copy.deepcopy(trial)):
        assert copied.user_attrs["u"] is copied.system_attrs["s"]
        assert copied.user_attrs["u"] is not shared and copied.user_attrs["u"] == shared
    flat = parabola.create_trial(value=1.0, user_attrs={"u": [1]}, system_attrs={"s": [1]})
    copied = copy_trial(flat)
    assert copied.user_attrs["u"] is not copied.system_attrs["s"]
    assert copied == copy.deepcopy(flat) == flat


def test_copy_trial_with_an_extra_attribute_falls_back_to_deepcopy() -> None:
    trial = parabola.create_trial(value=1.0)
    trial.note = [1]  # type: ignore[attr-defined]
    copied = copy_trial(trial)
    assert copied.note == [1] and copied == trial  # type: ignore[attr-defined]


def _storage_with_trial() -> tuple[InMemoryStorage, int, int]:
    storage = InMemoryStorage()
    study_id = storage.create_new_study([StudyDirection.MINIMIZE])
    trial_id = storage.create_new_trial(study_id)
    return storage, study_id, trial_id


def test_returned_trials_are_copies_the_caller_may_mutate() -> None:
    storage, study_id, trial_id = _storage_with_trial()
    storage.set_trial_system_attr(trial_id, "vec", [0.1, 0.2])
    storage.set_trial_user_attr(trial_id, "cfg", {"layers": [1, 2]})
    for got in (storage.get_trial(trial_id), storage.get_all_trials(study_id)[0]):
        got.system_attrs["vec"].append(1.0)
        got.user_attrs["cfg"]["layers"].append(3)
    stored = storage.get_trial(trial_id)
    assert stored.system_attrs["vec"] == [0.1, 0.2]
    assert stored.user_attrs["cfg"] == {"layers": [1, 2]}


def test_attribute_values_are_copied_on_write() -> None:
    storage, _, trial_id = _storage_with_trial()
    value = [0.1, [0.2]]
    storage.set_trial_system_attr(trial_id, "v", value)
    value.append(1.0)
    value[1].append(2.0)  # type: ignore[union-attr]
    assert storage.get_trial(trial_id).system_attrs["v"] == [0.1, [0.2]]


def test_set_trial_param_checks_as_before() -> None:
    storage, _, trial_id = _storage_with_trial()
    with pytest.raises(KeyError, match="No trial with id 99"):
        storage.set_trial_param(99, "x", 0.5, FloatDistribution(0, 1))
    storage.set_trial_param(trial_id, "x", 0.5, FloatDistribution(0, 1))
    with pytest.raises(ValueError, match="log"):
        storage.set_trial_param(trial_id, "x", 0.5, FloatDistribution(0.1, 1, log=True))
    storage.set_trial_state_values(trial_id, TrialState.COMPLETE, [1.0])
    with pytest.raises(UpdateFinishedTrialError):
        storage.set_trial_param(trial_id, "y", 0.5, FloatDistribution(0, 1))
    with pytest.raises(UpdateFinishedTrialError):
        storage.set_trial_system_attr(trial_id, "k", 1)


def test_get_all_trials_filters_every_subset_of_states() -> None:
    storage, study_id, _ = _storage_with_trial()  # trial 0 stays RUNNING
    for state in (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL):
        tid = storage.create_new_trial(study_id)
        storage.set_trial_state_values(tid, state, [1.0] if state == TrialState.COMPLETE else None)
    storage.create_new_trial(study_id, parabola.create_trial(state=TrialState.WAITING))
    trials = storage.get_all_trials(study_id, deepcopy=False)
    for _ in range(2):  # the second round reads the filters worked out (and kept) in the first
        for n in range(len(TrialState) + 1):
            for states in itertools.combinations(TrialState, n):
                for container in (states, set(states), list(states), frozenset(states)):
                    got = storage.get_all_trials(study_id, deepcopy=False, states=container)
                    assert got == [t for t in trials if t.state in states], states


class _ForwardingSampler(RandomSampler):
    """Forwards before_trial (as CmaEsSampler does to its independent sampler)."""

    def __init__(self, write: bool) -> None:
        super().__init__(seed=0)
        self.write = write

    def before_trial(self, study: Any, trial: Any) -> None:
        super().before_trial(study, trial)
        if self.write:
            study.set_trial_system_attr(trial, "fixed_params", {"x": 0.25})


@pytest.mark.parametrize("write", [False, True])
def test_trial_reads_its_trial_again_only_after_a_hook_wrote(
    write: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = InMemoryStorage()
    study = parabola.create_study(storage=storage, sampler=_ForwardingSampler(write))
    reads = []
    real = InMemoryStorage.get_trial

    def counting(self: InMemoryStorage, trial_id: int) -> Any:
        reads.append(trial_id)
        return real(self, trial_id)

    monkeypatch.setattr(InMemoryStorage, "get_trial", counting)
    trial = study.ask()
    assert len(reads) == (2 if write else 1)
    x = trial.suggest_float("x", 0, 1)
    if write:  # the hook's fixed param is used, as before
        assert x == 0.25 and trial._cached.system_attrs["fixed_params"] == {"x": 0.25}
    study.tell(trial, x)


def test_pickled_storage_keeps_working() -> None:
    import pickle

    storage, study_id, trial_id = _storage_with_trial()
    state = storage.__getstate__()
    state.pop("_trial_writes", None)  # as pickled before the counter existed
    restored = InMemoryStorage.__new__(InMemoryStorage)
    restored.__setstate__(state)
    restored.set_trial_system_attr(trial_id, "k", 1)
    assert restored._trial_write_count() >= 1
    again = pickle.loads(pickle.dumps(restored))
    assert again.get_trial(trial_id).system_attrs == {"k": 1}
    assert again.get_all_trials(study_id)[0].number == 0
