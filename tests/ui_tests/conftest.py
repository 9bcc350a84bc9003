"""Fixtures of the dashboard tests: one seeded store shared by the session."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator

import pytest

if importlib.util.find_spec("starlette") is None:  # the 'ui' extra is not installed
    collect_ignore_glob = ["test_*.py"]
else:
    from tests.ui_tests._seed import Seeded, seed


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    folder = tmp_path_factory.mktemp("ui-store")
    yield seed(folder / "store.db")
