"""The test tree's own rules (CONTRIBUTING.md, habit 11)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

TESTS = Path(__file__).parent

# pytest treats these specially (one per folder is the point), so equal names are fine.
_PER_FOLDER = {"conftest.py", "__init__.py"}


def test_every_test_module_has_a_basename_of_its_own() -> None:
    # The folders under tests/ are not packages: pytest's default import mode puts each folder on
    # sys.path and imports a module by its basename, so a second module with the same name (a
    # test, or a helper script that doctest collection imports) aborts the whole collection.
    where: dict[str, list[str]] = defaultdict(list)
    for path in TESTS.rglob("*.py"):
        if path.name not in _PER_FOLDER and "fixtures" not in path.parts:
            where[path.name].append(str(path.relative_to(TESTS)))
    clashes = {name: paths for name, paths in where.items() if len(paths) > 1}
    assert not clashes, f"rename so each basename is unique: {clashes}"
