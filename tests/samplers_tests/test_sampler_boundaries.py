"""Samplers see studies only through StudyView: no storage imports, no ``._storage`` access."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import parabola.samplers

SAMPLERS_DIR = Path(parabola.samplers.__file__).parent
FORBIDDEN = ("parabola.storages", "parabola.study")


def _sampler_modules() -> list[Path]:
    return sorted(SAMPLERS_DIR.rglob("*.py"))


def test_sampler_modules_do_not_import_storages_or_study() -> None:
    offenders = []
    for path in _sampler_modules():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.startswith(FORBIDDEN)]
    assert _sampler_modules(), "no sampler modules found"
    assert offenders == []


def test_sampler_modules_do_not_reach_into_the_storage() -> None:
    offenders = []
    for path in _sampler_modules():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Attribute) and node.attr in ("_storage", "_study_id"):
                offenders.append(f"{path.name}:{node.lineno} .{node.attr}")
    assert offenders == []


def test_scipy_qmc_is_imported_only_when_first_used() -> None:
    code = (
        "import sys, parabola.samplers as s; "
        "assert s.QMCSampler and 'scipy.stats._qmc' not in sys.modules, 'eager scipy.stats.qmc'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
