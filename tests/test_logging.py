"""``parabola.logging``: Optuna's message format and verbosity functions."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest

import parabola as optuna

LINE = re.compile(r"^\[(?P<level>[IWEDC]) \d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] (?P<msg>.*)$")


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    level = optuna.logging.get_verbosity()
    yield
    optuna.logging.set_verbosity(level)
    optuna.logging.enable_default_handler()
    optuna.logging.disable_propagation()


def _lines(err: str) -> list[re.Match[str]]:
    matches = [LINE.match(line) for line in err.splitlines() if line.strip()]
    assert all(m is not None for m in matches), err
    return [m for m in matches if m is not None]


def test_trial_finished_line_in_optuna_format(capsys: pytest.CaptureFixture[str]) -> None:
    study = optuna.create_study(storage=optuna.storages.InMemoryStorage(), study_name="fmt")
    study.enqueue_trial({"x": 3.0})
    study.enqueue_trial({"x": 1.0})
    study.enqueue_trial({"x": 2.0})
    study.optimize(lambda t: t.suggest_float("x", -10, 10) ** 2 + 1, n_trials=3)
    lines = _lines(capsys.readouterr().err)
    assert [m["level"] for m in lines] == ["I"] * 4
    assert [m["msg"] for m in lines] == [
        "A new study created in memory with name: fmt",
        "Trial 0 finished with value: 10.0 and parameters: {'x': 3.0}. "
        "Best is trial 0 with value: 10.0.",
        "Trial 1 finished with value: 2.0 and parameters: {'x': 1.0}. "
        "Best is trial 1 with value: 2.0.",
        "Trial 2 finished with value: 5.0 and parameters: {'x': 2.0}. "
        "Best is trial 1 with value: 2.0.",
    ]


def test_failed_trial_is_a_warning(capsys: pytest.CaptureFixture[str]) -> None:
    study = optuna.create_study(storage=optuna.storages.InMemoryStorage())

    def objective(trial: optuna.Trial) -> float:
        raise ValueError("bad")

    study.optimize(objective, n_trials=1, catch=(ValueError,))
    err = capsys.readouterr().err
    assert re.search(
        r"^\[W [^\]]+\] Trial 0 failed with parameters: \{\} because of the following error: "
        r"ValueError\('bad'\)\.$",
        err,
        re.M,
    )
    assert "Traceback (most recent call last)" in err


def test_set_and_get_verbosity(capsys: pytest.CaptureFixture[str]) -> None:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    assert optuna.logging.get_verbosity() == optuna.logging.WARNING == logging.WARNING
    optuna.create_study(storage=optuna.storages.InMemoryStorage()).optimize(
        lambda t: 1.0, n_trials=2
    )
    assert capsys.readouterr().err == ""
    optuna.logging.set_verbosity(optuna.logging.DEBUG)
    assert optuna.logging.get_verbosity() == optuna.logging.DEBUG
    optuna.logging.set_verbosity(optuna.logging.INFO)
    optuna.create_study(storage=optuna.storages.InMemoryStorage()).optimize(
        lambda t: 1.0, n_trials=1
    )
    assert "Trial 0 finished with value: 1.0" in capsys.readouterr().err


def test_levels_are_the_standard_ones() -> None:
    for name in ("CRITICAL", "FATAL", "ERROR", "WARNING", "WARN", "INFO", "DEBUG"):
        assert getattr(optuna.logging, name) == getattr(logging, name)


def test_set_verbosity_rejects_non_levels() -> None:
    with pytest.raises(ValueError, match="verbosity must be a logging level such as INFO"):
        optuna.logging.set_verbosity("loud")  # type: ignore[arg-type]


def test_disable_and_enable_default_handler(capsys: pytest.CaptureFixture[str]) -> None:
    optuna.logging.disable_default_handler()
    optuna.create_study(storage=optuna.storages.InMemoryStorage()).optimize(
        lambda t: 1.0, n_trials=1
    )
    assert capsys.readouterr().err == ""
    optuna.logging.enable_default_handler()
    optuna.create_study(storage=optuna.storages.InMemoryStorage()).optimize(
        lambda t: 1.0, n_trials=1
    )
    assert "Trial 0 finished" in capsys.readouterr().err


def test_propagation_reaches_the_root_logger(caplog: pytest.LogCaptureFixture) -> None:
    optuna.logging.disable_default_handler()
    optuna.logging.enable_propagation()
    with caplog.at_level(logging.INFO):
        optuna.create_study(storage=optuna.storages.InMemoryStorage(), study_name="p")
    assert "A new study created in memory with name: p" in caplog.messages


def test_get_logger_is_under_parabola() -> None:
    assert optuna.logging.get_logger("mine").name == "parabola.mine"
    assert optuna.logging.get_logger("parabola.study").name == "parabola.study"


def test_messages_go_to_stderr_in_a_fresh_process() -> None:
    code = (
        "import parabola as optuna\n"
        "s = optuna.create_study(storage=optuna.storages.InMemoryStorage())\n"
        "s.optimize(lambda t: t.suggest_float('x', 0, 1), n_trials=1)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout == ""
    assert [m["level"] for m in _lines(result.stderr)] == ["I", "I"]
