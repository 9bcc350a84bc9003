"""Fixtures of the dashboard tests: one seeded store shared by the session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.ui_tests._seed import Seeded, seed


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    folder = tmp_path_factory.mktemp("ui-store")
    yield seed(folder / "store.db")
