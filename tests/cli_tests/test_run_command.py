"""``parabola run`` and ``python -m parabola run`` in subprocesses: argv, exit codes, -m."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PARABOLA = Path(sys.executable).with_name("parabola")
SCRIPT = """
import sys
from optuna.samplers import RandomSampler
import optuna
print("argv", sys.argv[1:], __name__, optuna.create_study.__module__, RandomSampler.__module__)
sys.exit(int(sys.argv[-1]))
"""


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PARABOLA_", "_PARABOLA_"))}
    env["PARABOLA_STORAGE"] = f"sqlite:///{tmp_path / 'p.db'}"
    return env


@pytest.mark.parametrize("launcher", ["console-script", "python -m parabola"])
def test_run_passes_arguments_and_the_exit_code(tmp_path: Path, launcher: str) -> None:
    (tmp_path / "train.py").write_text(SCRIPT)
    prefix = [str(PARABOLA)] if launcher == "console-script" else [sys.executable, "-m", "parabola"]
    result = subprocess.run(
        [*prefix, "run", "train.py", "--lr", "0.1", "3"],
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3, result.stderr
    assert result.stdout.split() == [
        "argv",
        "['--lr',",
        "'0.1',",
        "'3']",
        "__main__",
        "parabola.study._create",
        "parabola.samplers._random",
    ]
    assert result.stderr.count("drop-in switch active") == 1


def test_run_dash_m_runs_a_module(tmp_path: Path) -> None:
    pkg = tmp_path / "mypkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "train.py").write_text(SCRIPT)
    result = subprocess.run(
        [str(PARABOLA), "run", "-m", "mypkg.train", "0"],
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "parabola.study._create" in result.stdout


def test_run_without_a_script_or_with_a_missing_one_is_a_usage_error(tmp_path: Path) -> None:
    for args in ([], ["missing.py"]):
        result = subprocess.run(
            [str(PARABOLA), "run", *args],
            cwd=tmp_path,
            env=_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 2
        assert "parabola run:" in result.stderr
