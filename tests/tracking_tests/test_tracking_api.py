"""Api: runs() with MongoDB-style filters and order, run() paths, history and scan_history."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

import parabola
from parabola.storages import BaseStorage
from parabola.storages._base import utcnow


@pytest.fixture
def three_runs(store: BaseStorage) -> BaseStorage:
    specs = [
        ("alpha", ["baseline", "cnn"], {"lr": 0.1, "opt": {"name": "sgd"}}, 0.9),
        ("beta", ["cnn"], {"lr": 0.01, "opt": {"name": "adam"}}, 0.5),
        ("gamma", [], {"lr": 0.001}, 0.7),
    ]
    for name, tags, config, loss in specs:
        with parabola.init(
            project="proj", entity="me", name=name, tags=tags, config=config, storage=store
        ) as run:
            run.log({"loss": loss, "val": {"acc": 1 - loss}})
    with (
        pytest.raises(RuntimeError),
        parabola.init(project="proj", entity="me", name="delta", storage=store),
    ):
        raise RuntimeError("boom")
    return store


def _names(
    store: BaseStorage, filters: dict[str, Any] | None = None, order: str = "+created_at"
) -> list[str]:
    return [r.name for r in parabola.Api(storage=store).runs("me/proj", filters, order)]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"tags": "cnn"}, ["alpha", "beta"]),
        ({"tags": {"$in": ["baseline", "none"]}}, ["alpha"]),
        ({"tags": {"$nin": ["cnn"]}}, ["gamma", "delta"]),
        ({"config.lr": {"$gte": 0.01}}, ["alpha", "beta"]),
        ({"config.lr.value": 0.001}, ["gamma"]),
        ({"config.opt.name": "adam"}, ["beta"]),
        ({"config.opt": {"$exists": False}}, ["gamma", "delta"]),
        ({"summary_metrics.loss": {"$lt": 0.8}}, ["beta", "gamma"]),
        ({"summary_metrics.val.acc": {"$gt": 0.4}}, ["beta"]),
        ({"state": "failed"}, ["delta"]),
        ({"state": {"$ne": "failed"}}, ["alpha", "beta", "gamma"]),
        ({"display_name": {"$regex": "^(al|ga)"}}, ["alpha", "gamma"]),
        ({"displayName": {"$regex": "ALPHA", "$options": "i"}}, ["alpha"]),
        ({"$or": [{"config.lr": 0.1}, {"tags": {"$size": 0}}]}, None),
        ({"$or": [{"config.lr": 0.1}, {"state": "failed"}]}, ["alpha", "delta"]),
        ({"$and": [{"tags": "cnn"}, {"summary_metrics.loss": {"$lte": 0.5}}]}, ["beta"]),
        ({"$nor": [{"tags": "cnn"}]}, ["gamma", "delta"]),
        ({"created_at": {"$gt": "2000-01-01T00:00:00"}}, ["alpha", "beta", "gamma", "delta"]),
        ({"created_at": {"$lt": "2000-01-01"}}, []),
        ({"config.lr": "0.1"}, []),  # different kinds never match, no error
    ],
)
def test_filters(
    three_runs: BaseStorage, filters: dict[str, Any], expected: list[str] | None
) -> None:
    if expected is None:
        with pytest.raises(ValueError, match=r"unknown operator '\$size'.*allowed"):
            _names(three_runs, filters)
    else:
        assert _names(three_runs, filters) == expected


def test_filter_by_run_id_and_bad_filters(three_runs: BaseStorage) -> None:
    api = parabola.Api(storage=three_runs)
    some = api.runs("me/proj")[1]
    assert [r.id for r in api.runs("me/proj", {"name": some.id})] == [some.id]
    with pytest.raises(ValueError, match="unknown top-level operator"):
        api.runs("me/proj", {"$where": "x"})
    with pytest.raises(ValueError, match=r"\$in on 'tags' expects a list"):
        api.runs("me/proj", {"tags": {"$in": "cnn"}})
    with pytest.raises(ValueError, match=r"\$or expects a list"):
        api.runs("me/proj", {"$or": {"a": 1}})


def test_order(three_runs: BaseStorage) -> None:
    assert _names(three_runs) == ["alpha", "beta", "gamma", "delta"]
    assert _names(three_runs, order="-created_at") == ["delta", "gamma", "beta", "alpha"]
    assert _names(three_runs, order="+summary_metrics.loss") == ["beta", "gamma", "alpha", "delta"]
    assert _names(three_runs, order="-config.lr.value") == ["alpha", "beta", "gamma", "delta"]
    assert _names(three_runs, order="display_name") == ["alpha", "beta", "delta", "gamma"]
    with pytest.raises(ValueError, match="order"):
        _names(three_runs, order="-")


def test_runs_paths_and_sequence(three_runs: BaseStorage) -> None:
    api = parabola.Api(storage=three_runs)
    runs = api.runs("proj")
    assert len(runs) == 4 and runs[0].name == "alpha" and len(runs[1:3]) == 2
    assert len(api.runs()) == 4
    assert api.projects() == ["proj"]
    assert len(api.runs("other/proj")) == 0
    with pytest.raises(ValueError, match="runs\\(path"):
        api.runs("a/b/c")


def test_run_paths(three_runs: BaseStorage) -> None:
    api = parabola.Api(storage=three_runs)
    some = api.runs("me/proj")[0]
    for path in (
        f"me/proj/{some.id}",
        f"proj/{some.id}",
        some.id,
        f"me/proj/runs/{some.id}",
        some.path,
    ):
        assert api.run(path).id == some.id
    assert some.path == ["me", "proj", some.id]


@pytest.mark.parametrize("path", ["me/proj/missing", "proj/missing", "missing"])
def test_unknown_run_path_is_a_clear_error(three_runs: BaseStorage, path: str) -> None:
    with pytest.raises(KeyError, match=f"No run '{path}'"):
        parabola.Api(storage=three_runs).run(path)


def test_malformed_run_path() -> None:
    api = parabola.Api(storage=parabola.storages.InMemoryStorage())
    with pytest.raises(ValueError, match="malformed"):
        api.run("a//b")
    with pytest.raises(TypeError, match="run\\(path"):
        api.run(3)  # type: ignore[arg-type]


def test_public_run_fields(three_runs: BaseStorage) -> None:
    run = parabola.Api(storage=three_runs).runs("me/proj")[0]
    assert run.state == "finished" and run.tags == ["baseline", "cnn"]
    assert run.config == {"lr": 0.1, "opt": {"name": "sgd"}}  # no internal keys
    assert run.summary["loss"] == 0.9 and run.lastHistoryStep == 0
    assert datetime.datetime.fromisoformat(run.created_at) <= utcnow()
    assert run.metadata["heartbeat_interval"] > 0


def test_update_and_delete(store: BaseStorage) -> None:
    with parabola.init(project="p", storage=store) as run:
        run.log({"a": 1})
    api = parabola.Api(storage=store)
    public = api.run(run.path)
    public.summary["note"] = "checked"
    public.tags.append("reviewed")
    public.update()
    again = api.run(run.path)
    assert again.summary["note"] == "checked" and again.tags == ["reviewed"]
    again.delete()
    with pytest.raises(KeyError):
        api.run(run.path)


def _sawtooth(store: BaseStorage, n: int = 2000) -> parabola.Run:
    with parabola.init(project="h", storage=store) as run:
        for i in range(n):
            loss = 1.0 / (i + 1)
            if i == 777:
                loss = 50.0  # a spike sampling must keep
            run.log({"loss": loss, "acc": i / n})
    return run


def test_history_is_sampled_keeping_ends_and_extremes(store: BaseStorage) -> None:
    run = _sawtooth(store)
    api_run = parabola.Api(storage=store).run(run.path)
    df = api_run.history()
    assert len(df) == 500
    steps = df["_step"].tolist()
    assert steps[0] == 0 and steps[-1] == 1999 and steps == sorted(steps)
    assert 777 in steps and df["loss"].max() == 50.0
    assert df["loss"].min() == pytest.approx(1 / 2000)
    assert list(df.columns[:2]) == ["loss", "acc"]
    full = api_run.history(samples=10_000)
    assert len(full) == 2000


def test_history_never_returns_more_than_samples_rows(store: BaseStorage) -> None:
    with parabola.init(project="h", storage=store) as run:
        for i in range(50):
            # 20 series, each with its min and max on different rows: 40 extremes.
            run.log({f"s{k}": float((i * (k + 7)) % 50) for k in range(20)})
    api_run = parabola.Api(storage=store).run(run.path)
    for samples in (1, 2, 5, 30):
        for pandas in (True, False):
            out = api_run.history(samples=samples, pandas=pandas)
            steps = [r["_step"] for r in out] if isinstance(out, list) else list(out["_step"])
            assert len(steps) == samples, (samples, pandas)
            assert steps[-1] == 49 and (samples == 1 or steps[0] == 0)
    df = api_run.history(samples=5)
    assert df["s0"].max() == 49.0 and df["s0"].min() == 0.0  # the first series' extremes


def test_history_keys_x_axis_and_records(store: BaseStorage) -> None:
    with parabola.init(project="h", storage=store) as run:
        for i in range(10):
            row: dict[str, Any] = {"train": i * 1.0, "epoch": i}
            if i % 2:
                row["val"] = i * 2.0
            run.log(row)
    api_run = parabola.Api(storage=store).run(run.path)
    df = api_run.history(keys=["val"])
    assert list(df.columns) == ["_step", "val"] and df["_step"].tolist() == [1, 3, 5, 7, 9]
    records = api_run.history(keys=["val"], x_axis="epoch", pandas=False)
    assert records[0] == {"epoch": 1, "val": 2.0}
    assert isinstance(records, list) and len(records) == 5
    with pytest.raises(ValueError, match="samples"):
        api_run.history(samples=0)
    with pytest.raises(ValueError, match="stream"):
        api_run.history(stream="logs")
    with pytest.raises(TypeError, match="keys"):
        api_run.history(keys=[1])  # type: ignore[list-item]


def test_scan_history(store: BaseStorage) -> None:
    with parabola.init(project="h", storage=store) as run:
        for i in range(25):
            run.log({"a": i, **({"b": -i} if i % 5 == 0 else {})})
    api_run = parabola.Api(storage=store).run(run.path)
    rows = list(api_run.scan_history(page_size=7))
    assert [r["_step"] for r in rows] == list(range(25))
    assert list(api_run.scan_history(keys=["b"])) == [{"b": -i} for i in range(0, 25, 5)]
    window = list(api_run.scan_history(keys=["a"], min_step=10, max_step=13))
    assert window == [{"a": 10}, {"a": 11}, {"a": 12}]
    with pytest.raises(ValueError, match="page_size"):
        list(api_run.scan_history(page_size=0))


def test_empty_history(store: BaseStorage) -> None:
    with parabola.init(project="h", storage=store) as run:
        pass
    api_run = parabola.Api(storage=store).run(run.path)
    assert api_run.history().empty
    assert api_run.history(pandas=False) == []
    assert list(api_run.scan_history()) == []


def test_history_with_mixed_and_sparse_columns(store: BaseStorage) -> None:
    rows: list[dict[str, Any]] = [
        {"f": 0.5, "s": "a", "b": True},
        {"f": None, "s": "b", "b": False, "late": 1},
        {"f": float("nan"), "s": "c", "b": True, "lst": [1, 2]},
        {"f": 2, "s": "d", "b": False},
    ]
    with parabola.init(project="h", storage=store) as run:
        for row in rows:
            run.log(row)
    api_run = parabola.Api(storage=store).run(run.path)
    df = api_run.history()
    assert list(df.columns[:3]) == ["f", "s", "b"]
    assert df["s"].tolist() == ["a", "b", "c", "d"]
    assert df["b"].tolist() == [True, False, True, False]
    assert df["late"].notna().sum() == 1 and df["lst"].iloc[2] == [1, 2]
    records = api_run.history(pandas=False)
    assert records[1]["f"] is None and "late" in records[1] and "late" not in records[0]
    assert records[3]["f"] == 2


def test_history_fast_columns_keep_types(store: BaseStorage) -> None:
    with parabola.init(project="h", storage=store) as run:
        for i in range(5):
            run.log({"loss": 1.0 / (i + 1), "epoch": i, "tag": "x"})
        run.log({"loss": 3, "epoch": 5, "tag": "y"})  # an int among floats
    df = parabola.Api(storage=store).run(run.path).history()
    assert df["loss"].dtype == "float64" and df["loss"].iloc[-1] == 3.0
    assert df["epoch"].tolist() == list(range(6)) and df["_step"].dtype == "int64"
    assert df["tag"].tolist() == ["x"] * 5 + ["y"]


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"samples": 50}, {"keys": ["loss"]}, {"keys": ["loss"], "x_axis": "epoch"}],
    ids=["all", "sampled", "keys", "x_axis"],
)
def test_history_frame_equals_the_rows(store: BaseStorage, kwargs: dict[str, Any]) -> None:
    # The DataFrame comes from the store's columns when they are dense; it must be the table
    # the row dicts give (and an unsorted x_axis such as "epoch" takes the rows path).
    import pandas as pd

    with parabola.init(project="h", storage=store) as run:
        for i in range(300):
            run.log({"loss": 1.0 / (i + 1), "epoch": (i * 7) % 10, "tag": f"t{i % 3}"})
    api_run = parabola.Api(storage=store).run(run.path)
    df = api_run.history(**kwargs)
    expected = pd.DataFrame(api_run.history(pandas=False, **kwargs))
    pd.testing.assert_frame_equal(df, expected)
