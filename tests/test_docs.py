"""The documentation is part of the product: these tests fail when it falls behind the code."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent


def _load_generator() -> object:
    spec = importlib.util.spec_from_file_location("gen_api_docs", ROOT / "scripts/gen_api_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _all_docs() -> str:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md"))]
    return "\n".join([(ROOT / "README.md").read_text(encoding="utf-8"), *texts])


def test_api_reference_is_up_to_date() -> None:
    generator = _load_generator()
    expected = generator.render()  # type: ignore[attr-defined]
    actual = (ROOT / "docs/api.md").read_text(encoding="utf-8")
    assert actual == expected, (
        "docs/api.md is out of date: run `.venv/bin/python scripts/gen_api_docs.py`"
    )


def test_every_public_name_has_a_docstring() -> None:
    generator = _load_generator()
    missing = [
        line.split("|")[1].strip()
        for line in generator.render().splitlines()  # type: ignore[attr-defined]
        if line.startswith("| `") and line.rstrip().endswith("|  |")
    ]
    assert not missing, f"public names without a docstring: {missing}"


def _commands(group: click.Group, prefix: str) -> list[str]:
    out = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            out += _commands(command, path)
        else:
            out.append(path)
    return out


def test_every_cli_command_is_documented() -> None:
    from parabola.cli import main

    assert isinstance(main, click.Group)
    docs = _all_docs()
    missing = [c for c in _commands(main, "parabola") if c not in docs]
    assert not missing, f"CLI commands missing from README.md/docs/: {missing}"


def test_every_environment_setting_is_documented() -> None:
    names = set()
    for path in (ROOT / "parabola").rglob("*.py"):
        names |= set(re.findall(r"\bPARABOLA_[A-Z_]+\b", path.read_text(encoding="utf-8")))
    docs = _all_docs()
    missing = sorted(n for n in names if n not in docs)
    assert not missing, f"environment variables missing from README.md/docs/: {missing}"


def test_readme_gives_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```bash", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in first_block.strip().splitlines()]
    assert commands == ["make run", "make test"]
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8")
    assert "make test" in ci


def test_cli_help_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "parabola.cli", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "db" in result.stdout
