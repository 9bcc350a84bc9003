"""Run.log: W&B's step rules, flattening, reserved keys, bad input, logging after finish."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import parabola
from parabola.storages import BaseStorage, RunKey


def _rows(store: BaseStorage, run: parabola.Run) -> list[dict[str, Any]]:
    rows = store.get_run_history(RunKey(run.entity, run.project, run.id))
    return [{k: v for k, v in r.items() if k not in ("_runtime", "_timestamp")} for r in rows]


def test_rows_without_step_are_new_rows(store: BaseStorage) -> None:
    with parabola.init(project="p", storage=store) as run:
        run.log({"a": 1})
        run.log({"b": 2.5})
    assert _rows(store, run) == [{"a": 1, "_step": 0}, {"b": 2.5, "_step": 1}]


def test_every_row_has_runtime_and_timestamp(store: BaseStorage) -> None:
    with parabola.init(project="p", storage=store) as run:
        run.log({"a": 1})
    (row,) = store.get_run_history(RunKey(run.entity, run.project, run.id))
    assert row["_runtime"] >= 0 and row["_timestamp"] > 1.6e9


def test_same_explicit_step_merges(store: BaseStorage) -> None:
    with parabola.init(project="p", storage=store) as run:
        run.log({"x": 1}, step=3)
        run.log({"y": 2}, step=3)
        run.log({"x": 5}, step=4)
    assert _rows(store, run) == [{"x": 1, "y": 2, "_step": 3}, {"x": 5, "_step": 4}]


def test_seed_pattern_params_with_step_then_value_without(store: BaseStorage) -> None:
    with parabola.init(project="p", storage=store) as run:
        for step in range(3):
            run.log({"x": float(step)}, step=step)
            run.log({"y": step * 10.0})
    assert _rows(store, run) == [{"x": float(s), "y": s * 10.0, "_step": s} for s in range(3)]
    assert run.summary["_step"] == 2


def test_commit_false_merges_into_next_commit(store: BaseStorage) -> None:
    with parabola.init(project="p", storage=store) as run:
        run.log({"a": 1}, commit=False)
        run.log({"b": 2}, commit=False)
        run.log({"c": 3})
        run.log({"d": 4})
    assert _rows(store, run) == [{"a": 1, "b": 2, "c": 3, "_step": 0}, {"d": 4, "_step": 1}]


def test_explicit_step_with_commit_true_writes_now(store: BaseStorage) -> None:
    with parabola.init(project="p", storage=store) as run:
        run.log({"a": 1}, step=5, commit=True)
        assert run.step == 6
        run.log({"b": 2})
    assert _rows(store, run) == [{"a": 1, "_step": 5}, {"b": 2, "_step": 6}]


def test_lower_step_is_kept_and_warned(store: BaseStorage) -> None:
    with parabola.init(project="p", storage=store) as run:
        run.log({"loss": 0.1}, step=10)
        run.log({"loss": 0.2}, step=11)
        with pytest.warns(UserWarning, match=r"step=5\) is lower than the current step 11"):
            run.log({"loss": 0.8}, step=5)
        run.log({"loss": 0.3}, step=12)
    rows = _rows(store, run)
    assert {"loss": 0.8, "_step": 5} in rows
    assert [r["_step"] for r in rows] == [10, 5, 11, 12]
    history = parabola.Api(storage=store).run(run.path).history()
    assert history["_step"].tolist() == [5, 10, 11, 12]  # read back in step order


def test_lower_step_goes_to_history_only(store: BaseStorage) -> None:
    with parabola.init(project="p", storage=store) as run:
        run.define_metric("acc", summary="max")
        run.log({"loss": 0.2, "acc": 0.5}, step=10)
        run.log({"loss": 0.1, "acc": 0.6}, step=11)
        with pytest.warns(UserWarning, match="lower than the current step"):
            run.log({"loss": 9.0, "acc": 0.99}, step=3)
        assert (run.summary["_step"], run.summary["loss"]) == (10, 0.2)  # step 11 still open
        assert run.summary["acc"] == {"max": 0.5}
    assert (run.summary["_step"], run.summary["loss"]) == (11, 0.1)
    assert run.summary["acc"] == {"max": 0.6}
    assert parabola.Api(storage=store).run(run.path).lastHistoryStep == 11


def test_nested_dicts_are_flattened_with_dots(store: BaseStorage) -> None:
    with parabola.init(project="p", storage=store) as run:
        run.log({"train": {"loss": 0.5, "acc": {"top1": 0.9}}, "lr": 1e-3})
    assert _rows(store, run) == [{"train.loss": 0.5, "train.acc.top1": 0.9, "lr": 1e-3, "_step": 0}]
    assert run.summary["train.acc.top1"] == 0.9


def test_numpy_values_become_python_values(store: BaseStorage) -> None:
    with parabola.init(project="p", storage=store) as run:
        run.log(
            {
                "f": np.float32(0.5),
                "i": np.int64(3),
                "b": np.bool_(True),
                "arr": np.arange(3),
                "zero_d": np.array(2.0),
                "s": "text",
                "n": None,
            }
        )
    (row,) = _rows(store, run)
    assert row == {
        "f": 0.5,
        "i": 3,
        "b": True,
        "arr": [0, 1, 2],
        "zero_d": 2.0,
        "s": "text",
        "n": None,
        "_step": 0,
    }
    assert type(row["i"]) is int and type(row["f"]) is float


@pytest.mark.parametrize("bad", [[1, 2], "loss", 3.0, None])
def test_non_dict_log_is_a_type_error_naming_the_argument(bad: Any) -> None:
    run = parabola.init(mode="disabled")
    with pytest.raises(TypeError, match=r"log\(data=\.\.\.\): expected a dict"):
        run.log(bad)


def test_unstorable_value_is_a_clear_error_naming_the_key(store: BaseStorage) -> None:
    with parabola.init(project="p", storage=store) as run:
        with pytest.raises(TypeError, match=r"key 'model'.*cannot store a value of type"):
            run.log({"model": object()})
        with pytest.raises(TypeError, match="keys must be str"):
            run.log({1: 2.0})
        run.log({"ok": 1})  # the run still works
    assert _rows(store, run) == [{"ok": 1, "_step": 0}]


@pytest.mark.parametrize("key", ["_step", "_runtime", "_timestamp"])
def test_reserved_keys_are_rejected(key: str) -> None:
    run = parabola.init(mode="disabled")
    with pytest.raises(ValueError, match="reserved"):
        run.log({key: 1})


@pytest.mark.parametrize("step", [-1, 1.5, "3", True])
def test_bad_step_is_rejected(step: Any) -> None:
    run = parabola.init(mode="disabled")
    with pytest.raises((TypeError, ValueError), match=r"log\(step=\.\.\.\)"):
        run.log({"a": 1}, step=step)


def test_bad_commit_is_rejected() -> None:
    run = parabola.init(mode="disabled")
    with pytest.raises(TypeError, match=r"log\(commit=\.\.\.\)"):
        run.log({"a": 1}, commit="yes")  # type: ignore[arg-type]


def test_numpy_integer_step_is_accepted(store: BaseStorage) -> None:
    with parabola.init(project="p", storage=store) as run:
        run.log({"a": 1}, step=np.int64(7))
    assert _rows(store, run) == [{"a": 1, "_step": 7}]


def test_logging_after_finish_is_a_clear_error(store: BaseStorage) -> None:
    run = parabola.init(project="p", storage=store)
    run.finish()
    with pytest.raises(RuntimeError, match="has finished; log\\(\\) is not allowed"):
        run.log({"a": 1})
    with pytest.raises(RuntimeError, match="finished"):
        run.save("x.txt")
    run.finish()  # a second finish is harmless


def test_pending_explicit_step_row_is_written_at_finish(store: BaseStorage) -> None:
    run = parabola.init(project="p", storage=store)
    run.log({"a": 1}, step=0)
    run.finish()
    assert _rows(store, run) == [{"a": 1, "_step": 0}]


def test_rows_reach_the_store_before_finish(store: BaseStorage) -> None:
    import time

    run = parabola.init(project="p", storage=store, settings={"flush_interval": 0.05})
    for i in range(10):
        run.log({"i": i})
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and len(_rows(store, run)) < 10:
        time.sleep(0.02)
    assert len(_rows(store, run)) == 10
    assert parabola.Api(storage=store).run(run.path).state == "running"
    run.finish()


def test_fast_and_general_paths_agree(store: BaseStorage) -> None:
    with parabola.init(project="p", storage=store) as run:
        run.log({"a": 1.0, "b": 2})  # fast path
        run.log({"a": 3.0, "nested": {"c": 4}})  # general path (flattening)
        run.define_metric("a", summary="max")  # from here on, the general path
        run.log({"a": 0.5})
        run.log({"z": 1}, commit=False)
        run.log({"a": 0.1})  # merges the pending row
    assert _rows(store, run) == [
        {"a": 1.0, "b": 2, "_step": 0},
        {"a": 3.0, "nested.c": 4, "_step": 1},
        {"a": 0.5, "_step": 2},
        {"z": 1, "a": 0.1, "_step": 3},
    ]
    assert run.summary["a"] == {"max": 0.5}  # aggregates count from define_metric on
