"""Run.summary (last value, define_metric aggregations and globs) and Run.config."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

import parabola
from parabola.storages import BaseStorage
from parabola.tracking import ConfigError


def test_summary_is_the_last_value_and_accepts_manual_keys(store: BaseStorage) -> None:
    with parabola.init(project="p", storage=store) as run:
        run.log({"loss": 0.5})
        run.log({"loss": 0.2})
        run.summary["best_params"] = {"x": 0.1}
        run.summary.update({"note": "ok"})
    stored = parabola.Api(storage=store).run(run.path).summary
    assert stored["loss"] == 0.2
    assert stored["best_params"] == {"x": 0.1}
    assert stored["note"] == "ok"
    assert stored["_step"] == 1


def test_summary_attribute_access_reads_sets_and_deletes_keys(store: BaseStorage) -> None:
    with parabola.init(project="p", storage=store) as run:
        run.summary.best = 0.9
        run.summary.gone = 1
        del run.summary.gone
        assert run.summary["best"] == 0.9 and "gone" not in run.summary
        with pytest.raises(AttributeError, match="'gone'"):
            del run.summary.gone
        with pytest.raises(TypeError, match=r"summary\['bad'\]"):
            run.summary.bad = object()
    api_run = parabola.Api(storage=store).run(run.path)
    assert api_run.summary.best == 0.9 and "gone" not in api_run.summary
    with pytest.raises(AttributeError, match="'nope'"):
        _ = api_run.summary.nope
    api_run.summary.note = "checked"
    api_run.update()
    assert parabola.Api(storage=store).run(run.path).summary["note"] == "checked"


def test_globs_never_match_reserved_keys() -> None:
    run = parabola.init(mode="disabled")
    run.define_metric("*", step_metric="epoch", summary="min")
    run.log({"epoch": 1, "loss": 2.0})
    run.log({"loss": 1.0})
    assert run.summary["loss"] == {"min": 1.0}
    assert run.summary["_step"] == 1 and isinstance(run.summary["_runtime"], float)
    run.define_metric("_step", summary="max")  # the exact name still applies
    run.log({"loss": 0.5})
    assert run.summary["_step"] == {"max": 2}
    run.finish()


@pytest.mark.parametrize(
    ("summary", "expected"),
    [
        ("min", {"min": 0.1}),
        ("max", {"max": 0.9}),
        ("mean", {"mean": pytest.approx(0.5)}),
        ("first", {"first": 0.5}),
        ("min,max", {"min": 0.1, "max": 0.9}),
        ("last", 0.5),
    ],
)
def test_define_metric_summaries(store: BaseStorage, summary: str, expected: object) -> None:
    with parabola.init(project="p", storage=store) as run:
        run.define_metric("loss", summary=summary)
        for v in (0.5, 0.1, 0.9, 0.5):
            run.log({"loss": v})
    assert parabola.Api(storage=store).run(run.path).summary["loss"] == expected


def test_define_metric_none_and_best() -> None:
    run = parabola.init(mode="disabled")
    run.define_metric("noise", summary="none")
    run.define_metric("acc", summary="best", goal="maximize")
    run.log({"noise": 1, "acc": 0.3})
    run.log({"noise": 2, "acc": 0.7})
    run.log({"acc": 0.5})
    assert "noise" not in run.summary
    assert run.summary["acc"] == {"best": 0.7}


def test_define_metric_calls_accumulate_and_globs_apply() -> None:
    run = parabola.init(mode="disabled")
    run.define_metric("val/*", summary="min")
    run.define_metric("val/*", summary="max")
    run.log({"val/loss": 3.0, "train/loss": 3.0})
    run.log({"val/loss": 1.0, "train/loss": 1.0})
    assert run.summary["val/loss"] == {"min": 1.0, "max": 3.0}
    assert run.summary["train/loss"] == 1.0


def test_step_metric_is_synced_into_rows(store: BaseStorage) -> None:
    with parabola.init(project="p", storage=store) as run:
        run.define_metric("val_loss", step_metric="epoch")
        run.log({"epoch": 1})
        run.log({"val_loss": 0.5})
        run.log({"epoch": 2})
        run.log({"val_loss": 0.4})
    api_run = parabola.Api(storage=store).run(run.path)
    df = api_run.history(x_axis="epoch", keys=["val_loss"])
    assert df["epoch"].tolist() == [1, 2]
    assert df["val_loss"].tolist() == [0.5, 0.4]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"summary": "median"}, "unknown aggregation 'median'"),
        ({"summary": "best"}, "needs goal"),
        ({"goal": "up"}, "goal"),
        ({"summary": 3}, "expected a str"),
    ],
)
def test_define_metric_bad_input(kwargs: dict[str, object], match: str) -> None:
    run = parabola.init(mode="disabled")
    with pytest.raises((ValueError, TypeError), match=match):
        run.define_metric("loss", **kwargs)  # type: ignore[arg-type]


def test_define_metric_is_stored_and_survives_resume(sqlite_url: str) -> None:
    with parabola.init(project="p", id="r1", storage=sqlite_url) as run:
        run.define_metric("loss", summary="min")
        run.log({"loss": 0.2})
    with parabola.init(project="p", id="r1", resume="allow", storage=sqlite_url) as run2:
        run2.log({"loss": 0.9})
    # The definition is kept and the minimum continues from the first session.
    assert parabola.Api(storage=sqlite_url).run(run.path).summary["loss"] == {"min": 0.2}


def test_summary_bad_values() -> None:
    run = parabola.init(mode="disabled")
    with pytest.raises(TypeError, match="cannot store"):
        run.summary["x"] = object()
    with pytest.raises(TypeError, match="keys must be str"):
        run.summary[1] = 2  # type: ignore[index]


def test_config_access_update_and_storage(store: BaseStorage) -> None:
    with parabola.init(project="p", storage=store, config={"lr": 0.1, "opt": {"b1": 0.9}}) as run:
        assert run.config.lr == 0.1
        assert run.config["opt"] == {"b1": 0.9}
        run.config.layers = 3
        run.config["width"] = 64
        run.config.update({"dropout": 0.5})
        assert "dropout" in run.config and len(run.config) == 5
    stored = parabola.Api(storage=store).run(run.path).config
    assert stored == {"lr": 0.1, "opt": {"b1": 0.9}, "layers": 3, "width": 64, "dropout": 0.5}


def test_config_changes_need_allow_val_change() -> None:
    run = parabola.init(mode="disabled", config={"lr": 0.1})
    with pytest.raises(ConfigError, match="allow_val_change=True"):
        run.config.lr = 0.2
    run.config.update({"lr": 0.2}, allow_val_change=True)
    assert run.config.lr == 0.2
    run.config.lr = 0.2  # same value: fine
    with pytest.raises(AttributeError, match="no key 'missing'"):
        _ = run.config.missing


def test_config_from_namespace_yaml_and_filters(tmp_path: Path) -> None:
    ns = argparse.Namespace(lr=0.1, epochs=3)
    run = parabola.init(mode="disabled", config=ns, config_exclude_keys=["epochs"])
    assert run.config.as_dict() == {"lr": 0.1}
    path = tmp_path / "config-defaults.yaml"
    path.write_text("lr:\n  value: 0.01\nbatch: 32\n")
    run2 = parabola.init(mode="disabled", config=str(path), reinit=True)
    assert run2.config.as_dict() == {"lr": 0.01, "batch": 32}
    run3 = parabola.init(
        mode="disabled", config={"a": 1, "b": 2}, config_include_keys=["a"], reinit=True
    )
    assert run3.config.as_dict() == {"a": 1}


def test_config_bad_input() -> None:
    with pytest.raises(TypeError, match=r"init\(config=\.\.\.\): expected a dict"):
        parabola.init(mode="disabled", config=[1, 2])
    run = parabola.init(mode="disabled", reinit=True)
    with pytest.raises(TypeError, match="cannot store"):
        run.config["f"] = object()
    with pytest.raises(ValueError, match="reserved"):
        run.config["_parabola"] = 1
