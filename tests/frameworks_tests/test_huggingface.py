"""Hugging Face ``Trainer(report_to="wandb")`` through the switch: a tiny BERT, six steps."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import parabola
from tests.drop_in_tests._helpers import SCRIPTS, RunPy

pytestmark = pytest.mark.frameworks


def test_trainer_reports_metrics_config_and_summary(run_py: RunPy, tmp_path: Path) -> None:
    pytest.importorskip("transformers")
    pytest.importorskip("accelerate")
    parabola_cli = str(Path(sys.executable).with_name("parabola"))
    run_py(
        "run",
        str(SCRIPTS / "hf_trainer.py"),
        str(tmp_path / "out"),
        python=[parabola_cli],
        env={"WANDB_PROJECT": "hf"},
        timeout=400,
    )
    (run,) = parabola.Api(storage=f"sqlite:///{tmp_path / 'parabola.db'}").runs("hf")
    assert run.name == "tiny-bert" and run.state == "finished"
    rows = run.history(pandas=False)
    train = [r for r in rows if "train/loss" in r]
    evals = [r for r in rows if "eval/loss" in r]
    assert [r["train/global_step"] for r in train] == [2, 4, 6]  # logging_steps=2, max_steps=6
    assert [r["train/global_step"] for r in evals] == [3, 6]  # eval_steps=3
    assert all(0.5 < r["train/loss"] < 1.0 for r in train)  # binary cross-entropy near log 2
    # The Trainer's arguments and the model's config (int keys of id2label made str, the
    # "_name_or_path" key kept) are the run's config.
    assert run.config["learning_rate"] == 1e-3 and run.config["max_steps"] == 6
    assert run.config["id2label"] == {"0": "LABEL_0", "1": "LABEL_1"}
    assert "_name_or_path" in run.config
    assert run.summary["train/global_step"] == 6 and "train_runtime" in run.summary
