"""Objectives that leave by other doors than ``return`` or ``raise Exception``: the trial ends
FAIL with the reason stored and Optuna's warning lines, never stays RUNNING."""

from __future__ import annotations

import logging

import pytest

import parabola
from parabola.storages import RDBStorage
from parabola.trial import TrialState
from tests.faults_tests._faults import spawn

EXITER = """
import sys, parabola
from parabola.storages import RDBStorage
study = parabola.create_study(storage=RDBStorage(sys.argv[1]), study_name="exit")
def objective(trial):
    trial.suggest_float("x", 0, 1)
    sys.exit(3)
study.optimize(objective, n_trials=5)
print("not reached", flush=True)
"""


def test_sys_exit_in_the_objective_fails_the_trial_and_exits(backend_url: str) -> None:
    child = spawn(EXITER, backend_url)
    out, err = child.communicate(timeout=120)
    assert child.returncode == 3, err
    assert "not reached" not in out
    assert "Trial 0 failed with parameters: {'x': " in err
    assert "SystemExit(3)" in err
    trials = parabola.load_study(study_name="exit", storage=RDBStorage(backend_url)).trials
    assert [t.state for t in trials] == [TrialState.FAIL]
    assert "SystemExit(3)" in trials[0].system_attrs["fail_reason"]


@pytest.mark.parametrize("value", [10**400, [10**400], -(10**400)], ids=["int", "list", "neg"])
def test_an_int_too_large_for_a_float_fails_the_trial(
    backend_url: str, value: object, caplog: pytest.LogCaptureFixture
) -> None:
    study = parabola.create_study(storage=RDBStorage(backend_url))

    def objective(trial: parabola.Trial) -> object:
        trial.suggest_float("x", 0, 1)
        return value

    with caplog.at_level(logging.WARNING, logger="parabola"):
        study.optimize(objective, n_trials=2)  # type: ignore[arg-type]
    assert [t.state for t in study.trials] == [TrialState.FAIL, TrialState.FAIL]
    assert "could not be cast to float" in study.trials[0].system_attrs["fail_reason"]
    messages = [r.getMessage() for r in caplog.records]
    assert any(
        m.startswith("Trial 0 failed with parameters: {'x': ") and "could not be cast to float" in m
        for m in messages
    ), messages
    with pytest.raises(ValueError, match="could not be cast to float"):
        study.tell(study.ask(), 10**400, state=TrialState.COMPLETE)
