"""The script tree (``scripts/``), written the way repositories write them, run unchanged under
the switch in subprocesses (three ways of turning it on); the results are read back from the
store with parabola's own API."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import parabola
from tests.drop_in_tests._helpers import SCRIPTS, RunPy

PARABOLA = str(Path(sys.executable).with_name("parabola"))


def _store(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'parabola.db'}"


@pytest.mark.parametrize("how", ["parabola run", "python -m parabola run", "PARABOLA_DROP_IN=1"])
def test_an_optuna_script_with_submodule_imports(run_py: RunPy, tmp_path: Path, how: str) -> None:
    script = str(SCRIPTS / "optuna_samplers.py")
    if how == "parabola run":
        result = run_py("run", script, "--trials", "15", python=[PARABOLA])
    elif how == "python -m parabola run":
        result = run_py("-m", "parabola", "run", script, "--trials", "15")
    else:
        result = run_py(script, "--trials", "15", env={"PARABOLA_DROP_IN": "1"})
    assert result.stderr.count("drop-in switch active") == 1
    study = parabola.load_study(study_name="samplers-demo", storage=_store(tmp_path))
    states = [t.state.name for t in study.trials]
    assert len(states) == 15 and "PRUNED" in states and "COMPLETE" in states
    assert study.best_value < 5.0
    assert f"best={study.best_value:.4f}" in result.stdout
    # The sampler that ran is parabola's TPE with the script's seed: two runs agree.
    assert all(t.params["kind"] in ("a", "b") for t in study.trials)


def test_ask_tell_distributions_and_exceptions(run_py: RunPy, tmp_path: Path) -> None:
    result = run_py("run", str(SCRIPTS / "optuna_ask_tell.py"), python=[PARABOLA])
    assert result.stdout.split("\n")[:2] == ["duplicate refused", "6 2"]
    study = parabola.load_study(study_name="ask-tell", storage=_store(tmp_path))
    assert [t.value for t in study.trials] == [
        pytest.approx(t.params["lr"] * t.params["layers"]) for t in study.trials
    ]


def test_a_wandb_training_loop(run_py: RunPy, tmp_path: Path) -> None:
    run_py("run", str(SCRIPTS / "wandb_basic.py"), python=[PARABOLA])
    (run,) = parabola.Api(storage=_store(tmp_path)).runs("basic")
    assert run.state == "finished" and run.tags == ["baseline"] and run.notes == "drop-in"
    assert run.config == {"lr": 0.01, "epochs": 5, "arch": "mlp"}
    history = run.history(pandas=False)
    assert [r["epoch"] for r in history] == [0, 1, 2, 3, 4]
    assert run.summary["best_loss"] == pytest.approx(history[-1]["train/loss"])
    assert run.metadata["alerts"][0]["title"] == "done"


def test_media_tables_and_charts(run_py: RunPy, tmp_path: Path) -> None:
    run_py("run", str(SCRIPTS / "wandb_media.py"), python=[PARABOLA])
    (run,) = parabola.Api(storage=_store(tmp_path)).runs("media")
    rows = run.history(pandas=False)
    assert [r["sample"]["caption"] for r in rows[:3]] == ["step 0", "step 1", "step 2"]
    assert rows[0]["weights"]["_type"] == "histogram"
    store = _store(tmp_path)
    table = parabola.load_media(rows[3]["predictions"], storage=store)
    assert table.columns == ["id", "image", "label", "score"] and len(table) == 4
    assert isinstance(table.data[0][1], parabola.Image)
    cm = parabola.load_media(run.summary["cm"], storage=store)
    assert sum(n for _, _, n in cm.table.data) == 4
    assert rows[3]["roc"]["vega_spec_name"] == "wandb/area-under-curve/v0"
    (art,) = run.logged_artifacts()
    assert (art.name, [f.name for f in art.files]) == ("eval-set", ["labels.txt"])


def test_import_parabola_drop_in_as_the_first_line(run_py: RunPy, tmp_path: Path) -> None:
    result = run_py(str(SCRIPTS / "first_line_import.py"))
    assert result.stdout.split() == ["parabola.study._study", "parabola.tracking._run"]
    (run,) = parabola.Api(storage=_store(tmp_path)).runs("first-line")
    assert (
        run.summary["best"]
        == parabola.load_study(study_name="first-line", storage=_store(tmp_path)).best_value
    )
