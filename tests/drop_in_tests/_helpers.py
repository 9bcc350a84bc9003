"""Subprocess helpers (for conftest.py's ``run_py`` and the tests): the switch changes how a
whole process imports, so its tests run in fresh interpreters and read results back."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = Path(__file__).resolve().parent / "scripts"

RunPy = Callable[..., subprocess.CompletedProcess[str]]


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The test process's environment minus the switch, with a private store (artifacts next
    to it, where parabola puts them by default)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PARABOLA_", "_PARABOLA_"))}
    env["PARABOLA_STORAGE"] = f"sqlite:///{tmp_path / 'parabola.db'}"
    env["WANDB_MODE"] = "offline"  # were the real wandb ever reached, it must not go online
    env["WANDB_DIR"] = str(tmp_path / "wandb")
    env.update(extra)
    return env


def make_run_py(tmp_path: Path) -> RunPy:
    """Run ``python *args`` in ``tmp_path``; ``env`` adds variables (``None`` removes one)."""

    def run(
        *args: str,
        env: dict[str, str | None] | None = None,
        check: bool = True,
        timeout: float = 120,
        python: Sequence[str] = (sys.executable,),
    ) -> subprocess.CompletedProcess[str]:
        full = clean_env(tmp_path)
        for k, v in (env or {}).items():
            if v is None:
                full.pop(k, None)
            else:
                full[k] = v
        result = subprocess.run(
            [*python, *args],
            cwd=tmp_path,
            env=full,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
            )
        return result

    return run
