"""Samplers see studies only through StudyView: no ``study._storage`` access, and scipy.stats.qmc
loads lazily. (Import boundaries are checked in tests/test_import_boundaries.py.)"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import parabola.samplers

SAMPLERS_DIR = Path(parabola.samplers.__file__).parent


def _sampler_modules() -> list[Path]:
    modules = sorted(SAMPLERS_DIR.rglob("*.py"))
    assert modules, "no sampler modules found"
    return modules


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
