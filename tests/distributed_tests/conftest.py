"""Fixtures of the distributed tests: a LocalCluster, separate Dask processes, PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests._postgres import fresh_postgres_database
from tests.distributed_tests._cluster import Cluster, dask_cluster


@pytest.fixture(scope="module")
def local_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A LocalCluster of 2 worker processes x 2 threads on 127.0.0.1, shared by a module."""
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=2,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
            local_directory=str(tmp_path_factory.mktemp("dask")),
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


@pytest.fixture
def pg_url() -> Iterator[str]:
    with fresh_postgres_database("dist") as url:
        yield url


@pytest.fixture
def procs(tmp_path: Path) -> Iterator[Cluster]:
    """A `dask scheduler` and two `dask worker` processes (2 threads each), stopped by pid."""
    with dask_cluster(tmp_path, n_workers=2) as cluster:
        yield cluster
