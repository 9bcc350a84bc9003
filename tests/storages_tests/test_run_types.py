"""The typed arguments of the tracking half of the storage contract."""

from __future__ import annotations

import dataclasses
import datetime

import pytest

from parabola.storages import HistoryQuery, RunKey, RunState, RunUpdate
from parabola.storages._run_types import UNSET


def test_run_key_is_frozen_hashable_and_short() -> None:
    key = RunKey("e", "p", "r1")
    assert key == RunKey("e", "p", "r1") and len({key, RunKey("e", "p", "r1")}) == 1
    assert repr(key) == "RunKey('e/p/r1')" and key.path == "e/p/r1"
    with pytest.raises(dataclasses.FrozenInstanceError):
        key.run_id = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (("", "p", "r"), ValueError, "entity must not be empty"),
        (("e", "", "r"), ValueError, "project must not be empty"),
        (("e", "p", ""), ValueError, "run_id must not be empty"),
        (("e", "p", 3), TypeError, "run_id must be a str, not int"),
    ],
)
def test_run_key_is_validated(args: tuple[object, ...], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        RunKey(*args)  # type: ignore[arg-type]


def test_run_update_sets_only_what_it_names() -> None:
    end = datetime.datetime(2026, 1, 1)
    update = RunUpdate(state=RunState.FINISHED, finished_at=end, exit_code=None)
    assert update.fields() == {"state": RunState.FINISHED, "finished_at": end, "exit_code": None}
    assert RunUpdate().fields() == {} and not RunUpdate() and update
    assert RunUpdate(state="failed").state is RunState.FAILED  # type: ignore[arg-type]
    assert RunUpdate().notes is UNSET
    assert repr(RunUpdate(notes="n")) == "RunUpdate(notes='n')"


def test_run_update_refuses_unknown_fields_and_what_no_backend_stores() -> None:
    with pytest.raises(TypeError, match="bogus"):
        RunUpdate(bogus=1)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="run group is 513 characters long; the limit is 512"):
        RunUpdate(group="g" * 513)
    with pytest.raises(ValueError, match="NUL"):
        RunUpdate(notes="a\x00b")
    with pytest.raises(ValueError, match="'x'"):
        RunUpdate(state="x")  # type: ignore[arg-type]


def test_history_query_defaults_and_checks() -> None:
    q = HistoryQuery()
    assert (q.stream, q.min_step, q.max_step, q.keys) == ("default", None, None, None)
    q = HistoryQuery("system", 1, 5, ["a", "b"])
    assert q.keys == ("a", "b") and hash(q) == hash(HistoryQuery("system", 1, 5, ("a", "b")))
    assert dataclasses.replace(q, keys=None) == HistoryQuery("system", 1, 5)
    with pytest.raises(TypeError, match="one str"):
        HistoryQuery(keys="loss")
    with pytest.raises(ValueError, match="stream"):
        HistoryQuery(stream="")
