"""W&B's own XGBoost and LightGBM callbacks (``wandb.integration.xgboost``/``lightgbm``) through
the switch: per-round metrics, parameters, best scores and feature-importance charts."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import parabola
from tests.drop_in_tests._helpers import SCRIPTS, RunPy

pytestmark = pytest.mark.frameworks


def test_xgboost_and_lightgbm_callbacks(run_py: RunPy, tmp_path: Path) -> None:
    pytest.importorskip("xgboost")
    pytest.importorskip("lightgbm")
    parabola_cli = str(Path(sys.executable).with_name("parabola"))
    run_py("run", str(SCRIPTS / "gbdt_wandb.py"), python=[parabola_cli], timeout=300)
    store = f"sqlite:///{tmp_path / 'parabola.db'}"
    runs = {r.name: r for r in parabola.Api(storage=store).runs("gbdt")}
    xgb_rows = runs["xgboost"].history(pandas=False)
    rmse = [r["valid-rmse"] for r in xgb_rows if "valid-rmse" in r]
    assert len(rmse) == 5 and rmse == sorted(rmse, reverse=True)  # five rounds, improving
    assert runs["xgboost"].summary["best_score"] == pytest.approx(rmse[-1])
    chart = parabola.load_media(xgb_rows[-1]["Feature Importance"], storage=store)
    assert chart.spec_name == "wandb/bar/v0" and chart.table.columns == ["Feature", "Importance"]
    lgb = runs["lightgbm"]
    assert lgb.config["learning_rate"] == 0.3 and lgb.config["objective"] == "regression"
    l2 = [r["valid_0_l2"] for r in lgb.history(pandas=False) if "valid_0_l2" in r]
    assert len(l2) == 5 and lgb.summary["best_score.valid_0_l2"] == pytest.approx(min(l2))
    importance = parabola.load_media(lgb.summary["Feature Importance"], storage=store)
    assert len(importance.table) == 4  # one row per feature
