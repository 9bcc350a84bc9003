"""Studies and runs together: the seed's way, TrackingCallback, log_study, Trial.log."""

from __future__ import annotations

import pytest

import parabola
import parabola as optuna
import parabola as wandb
from parabola.storages import BaseStorage


def _objective(trial: parabola.Trial) -> float:
    x = trial.suggest_float("x", -10, 10)
    return x**2 + 1


def test_the_seeds_tracking_code_runs_unchanged(store: BaseStorage) -> None:
    study = optuna.create_study(direction="minimize", storage=store)
    study.optimize(_objective, n_trials=20)
    with wandb.init(
        project="nuevo-proyecto", tags=["optimización", "cuadrática"], storage=store
    ) as run:
        for step, trial in enumerate(study.trials):
            run.log(trial.params, step=step)
            run.log({"y": trial.value})
        run.summary["best_y"] = study.best_value
        run.summary["best_params"] = study.best_params
    api_run = wandb.Api(storage=store).run(run.path)
    history = api_run.history()
    assert len(history) == 20 and {"x", "y", "_step"} <= set(history.columns)
    assert history["y"].tolist() == [t.value for t in study.trials]
    assert api_run.summary["best_y"] == study.best_value
    assert api_run.summary["best_params"] == study.best_params
    assert api_run.tags == ["optimización", "cuadrática"]
    assert len(api_run.history(stream="events")) == 0  # stats disabled in tests


def test_tracking_callback_one_run_for_the_study(store: BaseStorage) -> None:
    study = parabola.create_study(study_name="quad", storage=store)
    with parabola.tracking.TrackingCallback(project="demo", tags=["hpo"]) as cb:
        study.optimize(_objective, n_trials=8, callbacks=[cb])
    assert cb.run is not None
    api_run = parabola.Api(storage=store).run(cb.run.path)
    assert api_run.state == "finished" and api_run.study_name == "quad"
    assert api_run.group == "quad" and api_run.tags == ["hpo"]
    df = api_run.history()
    assert df["trial_number"].tolist() == list(range(8))
    assert df["value"].tolist() == [t.value for t in study.trials]
    assert api_run.summary["best_value"] == study.best_value
    assert api_run.summary["best_params"] == study.best_params
    assert api_run.summary["best_trial_number"] == study.best_trial.number
    assert parabola.run is None  # the callback's run never becomes the global run


def test_log_study_after_the_fact(store: BaseStorage) -> None:
    study = parabola.create_study(study_name="after", storage=store)
    study.optimize(_objective, n_trials=5)
    run = parabola.tracking.log_study(study, tags=["x"])
    api_run = parabola.Api(storage=store).run(run.path)
    assert api_run.project == "after" and api_run.state == "finished"
    assert len(api_run.history()) == 5 and api_run.summary["best_value"] == study.best_value


def test_trial_log_gives_one_run_per_trial_grouped_under_the_study(store: BaseStorage) -> None:
    def objective(trial: parabola.Trial) -> float:
        x = trial.suggest_float("x", -1, 1)
        for epoch in range(4):
            trial.report(x**2 + 1 / (epoch + 1), epoch)
            trial.log({"loss": x**2 + 1 / (epoch + 1), "epoch": epoch}, step=epoch)
        return x**2

    study = parabola.create_study(study_name="curves", storage=store)
    study.optimize(objective, n_trials=3)
    api = parabola.Api(storage=store)
    runs = api.runs("curves", {"group": "curves"}, order="+trial_number")
    assert [r.trial_number for r in runs] == [0, 1, 2]
    for run, trial in zip(runs, study.trials, strict=True):
        assert run.state == "finished" and run.job_type == "trial"
        assert run.summary["value"] == trial.value and run.summary["state"] == "COMPLETE"
        assert run.config == {"x": trial.params["x"]}
        df = run.history()
        assert df["_step"].tolist() == [0, 1, 2, 3]
        # reported values and logged ones merge into one row per step
        assert df["value"].tolist() == [trial.intermediate_values[s] for s in range(4)]
        assert df["loss"].tolist() == df["value"].tolist()


def test_per_trial_callback_covers_reports_failures_and_prunes(store: BaseStorage) -> None:
    def objective(trial: parabola.Trial) -> float:
        x = trial.suggest_float("x", 0, 1)
        trial.report(x, 0)
        trial.report(x / 2, 1)
        if trial.number == 1:
            raise parabola.TrialPruned()
        if trial.number == 2:
            raise ValueError("bad trial")
        return x

    study = parabola.create_study(study_name="per", storage=store)
    cb = parabola.tracking.TrackingCallback(project="per-trial", per_trial=True)
    study.optimize(objective, n_trials=3, callbacks=[cb], catch=(ValueError,))
    runs = parabola.Api(storage=store).runs("per-trial", order="+trial_number")
    assert [(r.trial_number, r.state, r.summary["state"]) for r in runs] == [
        (0, "finished", "COMPLETE"),
        (1, "finished", "PRUNED"),
        (2, "failed", "FAIL"),
    ]
    assert runs[0].history()["value"].tolist() == [
        study.trials[0].params["x"],
        study.trials[0].params["x"] / 2,
    ]
    assert runs[0].summary["value"] == study.trials[0].value


def test_tracking_callback_bad_input() -> None:
    with pytest.raises(ValueError, match="metric_name"):
        parabola.tracking.TrackingCallback(metric_name="")


def test_tell_closes_the_trials_run_while_the_trial_is_still_referenced(
    store: BaseStorage,
) -> None:
    # The study owns the run: tell finishes it, not garbage collection or a callback.
    study = parabola.create_study(study_name="seam", storage=store)
    trial = study.ask()
    trial.report(0.9, step=0)
    trial.log({"loss": 0.5}, step=1)
    run = study._trial_runs.get(trial._trial_id)
    assert run is not None and not run._finished
    study.tell(trial, 0.25)
    assert run._finished  # `trial` is still alive here
    api = parabola.Api(storage=store)
    (stored,) = api.runs("seam")
    assert stored.state == "finished"
    assert stored.summary["value"] == 0.25 and stored.summary["state"] == "COMPLETE"
    assert stored.group == "seam" and stored.job_type == "trial"
    assert [r.get("value") for r in stored.history(pandas=False)] == [0.9, None]
    assert study._trial_runs.get(trial._trial_id) is None


def test_a_failed_objective_fails_its_run_and_tell_by_number_closes_it(
    store: BaseStorage,
) -> None:
    study = parabola.create_study(study_name="seam2", storage=store)

    def objective(trial: parabola.Trial) -> float:
        trial.log({"loss": 1.0})
        raise ValueError("boom")

    study.optimize(objective, n_trials=1, catch=(ValueError,))
    trial = study.ask()
    trial.log({"loss": 2.0})
    study.tell(trial.number, state=parabola.trial.TrialState.PRUNED)
    states = sorted((r.name, r.state) for r in parabola.Api(storage=store).runs("seam2"))
    assert states == [("seam2-trial-0", "failed"), ("seam2-trial-1", "finished")]


def test_init_takes_no_private_link_arguments(store: BaseStorage) -> None:
    # What ties a run to a study is the study's business (RunLink), not a user's init kwarg.
    run = parabola.init(project="p", storage=store, _study_name="x", _trial_number=3)
    run.finish()
    (stored,) = parabola.Api(storage=store).runs("p")
    assert stored.study_name is None and stored.trial_number is None
