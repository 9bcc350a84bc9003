"""Optuna's XGBoost and LightGBM pruning callbacks (optuna.integration / optuna_integration import
paths) through the switch: two good trials, then a poor one the median pruner stops."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import parabola
from tests.drop_in_tests._helpers import SCRIPTS, RunPy

pytestmark = pytest.mark.frameworks


@pytest.mark.parametrize(
    ("framework", "script", "study_name"),
    [("xgboost", "xgboost_pruning.py", "xgb"), ("lightgbm", "lightgbm_pruning.py", "lgbm")],
)
def test_the_pruning_callback_reports_and_prunes(
    run_py: RunPy, tmp_path: Path, framework: str, script: str, study_name: str
) -> None:
    pytest.importorskip(framework)
    parabola_cli = str(Path(sys.executable).with_name("parabola"))
    run_py("run", str(SCRIPTS / script), python=[parabola_cli], timeout=300)
    study = parabola.load_study(
        study_name=study_name, storage=f"sqlite:///{tmp_path / 'parabola.db'}"
    )
    first, second, poor = study.trials
    assert [first.state.name, second.state.name] == ["COMPLETE", "COMPLETE"]
    assert sorted(first.intermediate_values) == list(range(20))  # one report per round
    assert poor.state.name == "PRUNED" and len(poor.intermediate_values) < 20
    assert poor.intermediate_values[max(poor.intermediate_values)] > first.intermediate_values[0]


def test_the_callbacks_raise_a_clear_error_for_a_wrong_metric() -> None:
    pytest.importorskip("xgboost")
    from parabola.integrations import XGBoostPruningCallback
    from parabola.storages import InMemoryStorage

    study = parabola.create_study(storage=InMemoryStorage())
    trial = study.ask()
    callback = XGBoostPruningCallback(trial, "valid-auc")
    with pytest.raises(KeyError, match=r"observation_key='valid-auc'.*\['validation-logloss'\]"):
        callback.after_iteration(None, 0, {"validation": {"logloss": [0.5]}})
