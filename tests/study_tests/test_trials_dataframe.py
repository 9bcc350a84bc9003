"""``Study.trials_dataframe`` with Optuna's column names."""

from __future__ import annotations

import pandas as pd
import pytest

import parabola as optuna
from parabola.trial import TrialState


def _study(**kwargs: object) -> optuna.Study:
    return optuna.create_study(storage=optuna.storages.InMemoryStorage(), **kwargs)  # type: ignore[arg-type]


def objective(trial: optuna.Trial) -> float:
    x = trial.suggest_float("x", -10, 10)
    trial.suggest_categorical("kind", ["a", "b"])
    trial.set_user_attr("tag", f"t{trial.number}")
    return x**2


def test_columns_with_params_and_user_attrs() -> None:
    study = _study()
    study.optimize(objective, n_trials=3)
    df = study.trials_dataframe()
    assert list(df.columns) == [
        "number",
        "value",
        "datetime_start",
        "datetime_complete",
        "duration",
        "params_kind",
        "params_x",
        "user_attrs_tag",
        "state",
    ]
    assert df["user_attrs_tag"].tolist() == ["t0", "t1", "t2"]
    assert df["params_x"].tolist() == [t.params["x"] for t in study.trials]


def test_multi_index() -> None:
    study = _study()
    study.optimize(objective, n_trials=2)
    df = study.trials_dataframe(multi_index=True)
    assert isinstance(df.columns, pd.MultiIndex)
    assert list(df.columns) == [
        ("number", ""),
        ("value", ""),
        ("datetime_start", ""),
        ("datetime_complete", ""),
        ("duration", ""),
        ("params", "kind"),
        ("params", "x"),
        ("user_attrs", "tag"),
        ("state", ""),
    ]
    assert df[("params", "x")].tolist() == [t.params["x"] for t in study.trials]


def test_attrs_selection_and_unknown_attr() -> None:
    study = _study()
    study.optimize(objective, n_trials=2)
    df = study.trials_dataframe(attrs=("number", "value", "state"))
    assert list(df.columns) == ["number", "value", "state"]
    with pytest.raises(ValueError, match=r"unknown attribute\(s\) \['colour'\]; allowed: "):
        study.trials_dataframe(attrs=("number", "colour"))


def test_unfinished_and_failed_trials_have_empty_values() -> None:
    study = _study()
    study.enqueue_trial({"x": 1.0})
    trial = study.ask()
    study.tell(trial, state=TrialState.FAIL)
    df = study.trials_dataframe(attrs=("number", "value", "state", "intermediate_values"))
    assert df["state"].tolist() == ["FAIL"]
    assert pd.isna(df["value"].iloc[0])


def test_intermediate_values_columns() -> None:
    study = _study()
    trial = study.ask()
    for step in (0, 3, 10, 2):
        trial.report(1.0 / (step + 1), step)
    study.tell(trial, 0.5)
    df = study.trials_dataframe(attrs=("number", "intermediate_values"))
    # Steps in numeric order (2 before 10), as Optuna sorts them.
    assert list(df.columns) == [
        "number",
        "intermediate_values_0",
        "intermediate_values_2",
        "intermediate_values_3",
        "intermediate_values_10",
    ]
    multi = study.trials_dataframe(attrs=("intermediate_values",), multi_index=True)
    assert list(multi.columns) == [("intermediate_values", s) for s in (0, 2, 3, 10)]


def test_multi_objective_values_columns() -> None:
    study = _study(directions=["minimize", "maximize"])
    study.optimize(lambda t: (t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1)), n_trials=3)
    df = study.trials_dataframe()
    assert list(df.columns) == [
        "number",
        "values_0",
        "values_1",
        "datetime_start",
        "datetime_complete",
        "duration",
        "params_x",
        "params_y",
        "state",
    ]
    assert df["values_1"].tolist() == [t.values[1] for t in study.trials]  # type: ignore[index]
    multi = study.trials_dataframe(multi_index=True)
    assert list(multi.columns)[1:3] == [("values", 0), ("values", 1)]
    # "values" on a single-objective study expands like a list, as in Optuna.
    single = _study()
    single.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    assert list(single.trials_dataframe(attrs=("number", "values")).columns) == [
        "number",
        "values_0",
    ]


@pytest.mark.filterwarnings("ignore::parabola.exceptions.ExperimentalWarning")
def test_set_metric_names() -> None:
    study = _study(directions=["minimize", "maximize"])
    study.set_metric_names(["loss", "accuracy"])
    assert study.metric_names == ["loss", "accuracy"]
    study.optimize(lambda t: (t.suggest_float("x", 0, 1), 0.5), n_trials=2)
    df = study.trials_dataframe(attrs=("number", "values"))
    assert list(df.columns) == ["number", "values_loss", "values_accuracy"]
    with pytest.raises(ValueError, match=r"expected 2 names \(one per direction\), got 1"):
        study.set_metric_names(["loss"])


@pytest.mark.filterwarnings("ignore::parabola.exceptions.ExperimentalWarning")
def test_set_metric_names_single_objective() -> None:
    study = _study()
    study.set_metric_names(["loss"])
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    # Optuna names the column value_<metric name> on single-objective studies.
    assert list(study.trials_dataframe().columns) == [
        "number",
        "value_loss",
        "datetime_start",
        "datetime_complete",
        "duration",
        "params_x",
        "state",
    ]


def test_empty_study() -> None:
    df = _study().trials_dataframe()
    assert len(df) == 0
