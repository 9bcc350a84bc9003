"""Lightning's ``WandbLogger`` and Optuna's ``PyTorchLightningPruningCallback`` through the switch:
two trials of a one-weight regression, one of them diverging and pruned."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import parabola
from tests.drop_in_tests._helpers import SCRIPTS, RunPy

pytestmark = pytest.mark.frameworks


def test_wandb_logger_and_the_pruning_callback(run_py: RunPy, tmp_path: Path) -> None:
    pytest.importorskip("lightning")
    parabola_cli = str(Path(sys.executable).with_name("parabola"))
    run_py("run", str(SCRIPTS / "lightning_optuna_wandb.py"), python=[parabola_cli], timeout=400)
    store = f"sqlite:///{tmp_path / 'parabola.db'}"
    study = parabola.load_study(study_name="pl-tuning", storage=store)
    good, bad = study.trials
    assert good.state.name == "COMPLETE" and sorted(good.intermediate_values) == [0, 1, 2]
    assert good.value < 0.5
    assert bad.state.name == "PRUNED" and list(bad.intermediate_values) == [0]
    assert bad.intermediate_values[0] > 10.0  # above ThresholdPruner(upper=10)
    runs = {r.name: r for r in parabola.Api(storage=store).runs("pl")}
    assert set(runs) == {"trial-0", "trial-1"}
    first = runs["trial-0"]
    assert first.config["lr"] == 0.5 and first.state == "finished"
    rows = first.history(pandas=False)
    val = [r["val_loss"] for r in rows if "val_loss" in r]
    assert len(val) == 3 and val[-1] == pytest.approx(good.value)
    assert "trainer/global_step" in rows[-1] and "train_loss" in {k for r in rows for k in r}
