"""The seed tutorial's optimisation half, verbatim except ``import parabola as optuna``.

The seed (``shared/seed``) calls ``optuna.create_study(direction='minimize')`` with no storage,
``trial.suggest_uniform``, ``study.optimize(..., n_trials=50)``, then prints ``best_params``,
``best_value`` and ``trials_dataframe()``. These tests replay exactly that.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

import parabola as optuna

rango = {"min": -10, "max": 10}


def optimize_squared(trial: Any) -> float:
    x = trial.suggest_uniform("x", rango["min"], rango["max"])
    return x**2 + 1  # nuestra función a optimizar


SEED_COLUMNS = [
    "number",
    "value",
    "datetime_start",
    "datetime_complete",
    "duration",
    "params_x",
    "state",
]


def _check_seed_results(study: Any) -> None:
    assert len(study.trials) == 50
    values = [t.value for t in study.trials]
    assert study.best_value == min(values)
    assert study.best_value >= 1.0
    assert set(study.best_params) == {"x"}
    assert study.best_value == pytest.approx(study.best_params["x"] ** 2 + 1)
    assert -10 <= study.best_params["x"] <= 10

    df = study.trials_dataframe()
    assert list(df.columns) == SEED_COLUMNS
    assert list(df.index) == list(range(50))
    assert str(df["number"].dtype) == "int64"
    assert str(df["value"].dtype) == "float64"
    assert str(df["params_x"].dtype) == "float64"
    assert list(df["number"]) == list(range(50))
    assert set(df["state"]) == {"COMPLETE"}
    assert df["value"].tolist() == values
    assert str(df["datetime_start"].dtype).startswith("datetime64")
    assert str(df["datetime_complete"].dtype).startswith("datetime64")
    assert str(df["duration"].dtype).startswith("timedelta64")
    assert (df["duration"] == df["datetime_complete"] - df["datetime_start"]).all()
    assert df["value"].tolist() == pytest.approx((df["params_x"] ** 2 + 1).tolist())


def test_seed_optimisation_half_in_memory(capsys: pytest.CaptureFixture[str]) -> None:
    study = optuna.create_study(direction="minimize", storage=optuna.storages.InMemoryStorage())
    with pytest.warns(FutureWarning, match="suggest_float"):
        study.optimize(optimize_squared, n_trials=50)
    _check_seed_results(study)

    print("x óptimo: ", study.best_params)
    print("y óptimo", study.best_value)
    out = capsys.readouterr()
    assert re.search(r"^x óptimo:  \{'x': -?\d+\.\d+(e-\d+)?\}$", out.out, re.M)
    assert re.search(r"^y óptimo \d+\.\d+(e[+-]\d+)?$", out.out, re.M)
    # The tutorial shows Optuna's log lines on stderr; so do we.
    assert "A new study created in memory with name: no-name-" in out.err
    assert re.search(
        r"^\[I \d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] Trial 49 finished with value: [\d.e+-]+ "
        r"and parameters: \{'x': [\d.e+-]+\}\. Best is trial \d+ with value: [\d.e+-]+\.$",
        out.err,
        re.M,
    )


def test_seed_optimisation_half_on_the_default_store(capsys: pytest.CaptureFixture[str]) -> None:
    # The default store is ./parabola.db (tests run in a tmp cwd, see tests/conftest.py).
    study = optuna.create_study(direction="minimize")
    with pytest.warns(FutureWarning, match="suggest_float"):
        study.optimize(optimize_squared, n_trials=50)
    _check_seed_results(study)
    assert "A new study created in RDB with name: no-name-" in capsys.readouterr().err

    reloaded = optuna.load_study(study_name=study.study_name, storage="sqlite:///parabola.db")
    assert reloaded.best_value == study.best_value
    assert reloaded.best_params == study.best_params


def test_suggest_uniform_warning_names_the_replacement() -> None:
    trial = optuna.trial.FixedTrial({"x": 1.5})
    with pytest.warns(FutureWarning, match=r"suggest_uniform .*Use suggest_float instead"):
        assert trial.suggest_uniform("x", -10, 10) == 1.5
    with pytest.warns(FutureWarning, match=r"suggest_float\(\.\.\., log=True\)"):
        assert trial.suggest_loguniform("x", 1, 10) == 1.5
    with pytest.warns(FutureWarning, match=r"suggest_float\(\.\.\., step=q\)"):
        assert trial.suggest_discrete_uniform("x", -10, 10, 0.5) == 1.5
