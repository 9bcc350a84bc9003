"""The storage contract suite on every backend: in-memory, a SQLite file, PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from parabola.storages import BaseStorage, InMemoryStorage, RDBStorage
from parabola.testing.storages import StorageContract


class TestInMemoryStorage(StorageContract):
    @pytest.fixture
    def storage_factory(self) -> Callable[[], BaseStorage]:
        storage = InMemoryStorage()
        return lambda: storage


class TestSQLiteStorage(StorageContract):
    @pytest.fixture
    def storage_factory(self, tmp_path: Path) -> Iterator[Callable[[], BaseStorage]]:
        opened: list[RDBStorage] = []

        def factory() -> BaseStorage:
            opened.append(RDBStorage(f"sqlite:///{tmp_path / 'contract.db'}"))
            return opened[-1]

        yield factory
        for storage in opened:
            storage.close()


@pytest.mark.postgres
class TestPostgreSQLStorage(StorageContract):
    @pytest.fixture
    def storage_factory(self, pg_clean: str) -> Iterator[Callable[[], BaseStorage]]:
        opened: list[RDBStorage] = []

        def factory() -> BaseStorage:
            opened.append(RDBStorage(pg_clean))
            return opened[-1]

        yield factory
        for storage in opened:
            storage.close()
