"""Studies and runs together: trial curves from tracking runs, and run histories."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import parabola
import parabola.visualization as pv
from parabola.storages import InMemoryStorage

pytest.importorskip("plotly")


def _objective(trial: Any) -> float:
    x = trial.suggest_float("x", 0, 1)
    for step in range(4):
        trial.log({"loss": x + 1.0 / (step + 1), "acc": step * x}, step=step)
        trial.report(x * step, step)
    return x


@pytest.fixture
def study() -> parabola.Study:
    study = parabola.create_study(study_name="curves", storage=InMemoryStorage())
    with parabola.tracking.TrackingCallback(per_trial=True) as cb:
        study.optimize(_objective, n_trials=3, callbacks=[cb])
    return study


def test_intermediate_values_of_a_logged_metric(study: parabola.Study) -> None:
    fig = pv.plot_intermediate_values(study, metric="loss")
    assert [tr.name for tr in fig.data] == ["Trial0", "Trial1", "Trial2"]
    for tr, trial in zip(fig.data, study.trials, strict=True):
        x = trial.params["x"]
        assert list(tr.x) == [0, 1, 2, 3]
        assert np.allclose(tr.y, [x + 1.0 / (s + 1) for s in range(4)])
    assert fig.layout.yaxis.title.text == "loss"
    # Without metric: the reported values, Optuna's plot.
    reported = pv.plot_intermediate_values(study)
    assert np.allclose(reported.data[1].y, [study.trials[1].params["x"] * s for s in range(4)])


def test_intermediate_values_against_another_metric(study: parabola.Study) -> None:
    fig = pv.plot_intermediate_values(study, metric="loss", x_axis="acc")
    assert fig.layout.xaxis.title.text == "acc"
    x = study.trials[2].params["x"]
    assert np.allclose(fig.data[2].x, [s * x for s in range(4)])


def test_runs_can_be_given_explicitly(study: parabola.Study) -> None:
    snap = pv.StudySnapshot(study.get_trials(), directions=["minimize"], study_name="curves")
    with pytest.raises(ValueError, match="runs: a StudySnapshot has no store"):
        pv.plot_intermediate_values(snap, metric="loss")
    histories = {
        t.number: pv.RunHistory(f"t{t.number}", {"_step": [0, 1], "loss": [2.0, 1.0]})
        for t in study.trials[:2]
    }
    fig = pv.plot_intermediate_values(snap, metric="loss", runs=histories)
    assert [tr.name for tr in fig.data] == ["Trial0", "Trial1"]
    api_runs = parabola.Api(storage=study._storage).runs("curves")
    fig = pv.plot_intermediate_values(snap, metric="loss", runs=list(api_runs))
    assert len(fig.data) == 3


def test_a_metric_nobody_logged_gives_an_empty_figure(
    study: parabola.Study, capsys: pytest.CaptureFixture[str]
) -> None:
    fig = pv.plot_intermediate_values(study, metric="nope")
    assert len(fig.data) == 0
    assert "No run of the study's trials logged the metric 'nope'" in capsys.readouterr().err


def test_run_history_of_api_runs() -> None:
    store = InMemoryStorage()
    paths = []
    for lr in (0.1, 0.01):
        run = parabola.init(
            project="p",
            storage=store,
            config={"lr": lr},
            reinit="create_new",
            settings={"x_disable_stats": True},
        )
        for step in range(5):
            run.log({"loss": lr * (5 - step), "epoch": step / 2})
        run.finish()
        paths.append(run.path)
    api = parabola.Api(storage=store)
    runs = [api.run(p) for p in paths]
    fig = pv.plot_run_history(runs, ["loss"])
    assert [tr.name for tr in fig.data] == [r.display_name for r in runs]
    assert np.allclose(fig.data[1].y, [0.01 * (5 - s) for s in range(5)])
    assert fig.layout.xaxis.title.text == "Step"
    fig = pv.plot_run_history(runs[0], ["loss", "epoch"], x_axis="_runtime")
    assert [tr.name for tr in fig.data] == [
        f"{runs[0].display_name}: {k}" for k in ("loss", "epoch")
    ]
    assert fig.layout.xaxis.title.text == "_runtime"
    fig = pv.plot_run_history(runs, "loss", x_axis="epoch")
    assert np.allclose(fig.data[0].x, [s / 2 for s in range(5)])


def test_run_history_bad_input() -> None:
    h = pv.RunHistory("a", {"_step": [0, 1], "loss": [1.0, 0.5]})
    with pytest.raises(ValueError, match="keys: expected"):
        pv.plot_run_history([h], [])
    with pytest.raises(KeyError, match="keys: run 'a' has no metric 'acc'"):
        pv.plot_run_history([h], ["acc"])
    with pytest.raises(ValueError, match="samples: expected an int >= 1"):
        pv.plot_run_history([h], ["loss"], samples=0)
    with pytest.raises(ValueError, match="x_axis"):
        pv.plot_run_history([h], ["loss"], x_axis="")
    with pytest.raises(TypeError, match="runs: expected"):
        pv.plot_run_history([object()], ["loss"])
    with pytest.raises(ValueError, match="one value per row"):
        pv.RunHistory("b", {"_step": [0, 1], "loss": [1.0]})


def test_run_history_skips_rows_without_the_metric() -> None:
    h = pv.RunHistory("a", {"_step": [0, 1, 2], "loss": [1.0, float("nan"), 0.5]})
    fig = pv.plot_run_history(h, "loss")
    assert fig.data[0].x.tolist() == [0.0, 2.0]
