"""``PARABOLA_DROP_IN=1`` through the ``.pth`` hook installed with parabola, in subprocesses,
and the hook in both kinds of wheel (regular and editable) that setup.py builds."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.drop_in_tests._helpers import ROOT, RunPy, clean_env

PTH = ROOT / "parabola" / "drop_in" / "parabola_drop_in.pth"


def test_the_hook_is_installed_in_site_packages() -> None:
    installed = Path(sysconfig.get_paths()["purelib"]) / PTH.name
    assert installed.is_file(), (
        f"{installed} is missing: reinstall parabola (pip install -e .) so setup.py puts it there"
    )
    assert installed.read_text() == PTH.read_text()


def test_the_variable_turns_the_switch_on_for_unedited_code(run_py: RunPy) -> None:
    code = "import optuna, wandb; print(optuna.create_study.__module__, wandb.init.__module__)"
    result = run_py("-c", code, env={"PARABOLA_DROP_IN": "1"})
    assert result.stdout.split() == ["parabola.study._create", "parabola.tracking._init"]
    assert result.stderr.count("drop-in switch active") == 1


@pytest.mark.parametrize("value", [None, "", "0", "off"])
def test_without_the_variable_the_hook_imports_nothing(run_py: RunPy, value: str | None) -> None:
    code = "import sys; print(sorted(m for m in sys.modules if m.split('.')[0] == 'parabola'))"
    result = run_py("-c", code, env={"PARABOLA_DROP_IN": value})
    assert result.stdout.strip() == "[]"
    assert result.stderr == ""


def _built_wheel(tmp_path: Path, hook: str) -> Path:
    # A copy of what a build needs, so the build's egg-info/build folders stay out of the checkout.
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(
        ROOT / "parabola", src / "parabola", ignore=shutil.ignore_patterns("__pycache__")
    )
    out = tmp_path / "dist"
    code = f"import sys; from setuptools import build_meta as b; print(b.{hook}(sys.argv[1]))"
    subprocess.run(
        [sys.executable, "-c", code, str(out)],
        cwd=src,
        env=clean_env(tmp_path),
        check=True,
        capture_output=True,
        text=True,
        timeout=240,
    )
    (wheel,) = out.glob("*.whl")
    return wheel


@pytest.mark.parametrize("hook", ["build_wheel", "build_editable"])
def test_both_kinds_of_wheel_carry_the_hook_at_the_top(tmp_path: Path, hook: str) -> None:
    wheel = _built_wheel(tmp_path, hook)
    with zipfile.ZipFile(wheel) as z:
        assert PTH.name in z.namelist(), z.namelist()[:20]
        assert z.read(PTH.name).decode() == PTH.read_text()
        record = next(n for n in z.namelist() if n.endswith(".dist-info/RECORD"))
        assert PTH.name in z.read(record).decode()  # so pip uninstall removes it
