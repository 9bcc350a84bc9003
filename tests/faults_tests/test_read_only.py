"""A store on read-only media (a read-only mount, a role without write grants) can be read in
full; only writes are refused, with a clear error."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

import parabola
from parabola.exceptions import StorageInternalError
from parabola.storages import RDBStorage
from tests.faults_tests._faults import forget_cached_stores, remount, tmpfs


def _fill(url: str) -> None:
    storage = RDBStorage(url)
    study = parabola.create_study(storage=storage, study_name="shipped")
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=5)
    run = parabola.init(project="shipped", id="r1", storage=url)
    for i in range(10):
        run.log({"loss": 1.0 / (i + 1)})
    run.finish()
    storage.close()
    forget_cached_stores(url)


def _read_everything(url: str) -> None:
    study = parabola.load_study(study_name="shipped", storage=url)
    assert len(study.trials) == 5
    assert study.best_trial.number in range(5)
    assert len(study.trials_dataframe()) == 5
    assert [s.study_name for s in parabola.get_all_study_summaries(url)] == ["shipped"]
    run = parabola.Api(storage=url).run("shipped/r1")
    assert [row["loss"] for row in run.scan_history()] == [1.0 / (i + 1) for i in range(10)]
    assert run.state == "finished"
    with pytest.raises(StorageInternalError) as info:
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    assert "read-only" in str(info.value) or "permission denied" in str(info.value)
    with pytest.raises(StorageInternalError):
        parabola.init(project="shipped", storage=url)


def test_sqlite_store_on_a_read_only_mount_is_readable(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "share", "16m") as share:
        url = f"sqlite:///{share / 'results.db'}"
        _fill(url)
        remount(share, "ro")
        try:
            _read_everything(url)
        finally:
            forget_cached_stores(url)
            remount(share, "rw")


@contextlib.contextmanager
def _read_only_role(url: str) -> Iterator[str]:
    role = f"parabola_ro_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    database = sa.engine.make_url(url).database
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN")
            conn.exec_driver_sql(f'GRANT CONNECT ON DATABASE "{database}" TO {role}')
            conn.exec_driver_sql(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")
        yield sa.engine.make_url(url).set(username=role).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.exec_driver_sql(
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'"
            )
            conn.exec_driver_sql(f"DROP OWNED BY {role}")
            conn.exec_driver_sql(f"DROP ROLE {role}")
        engine.dispose()


@pytest.mark.postgres
def test_postgresql_store_with_a_read_only_role_is_readable(faults_pg_server_url: str) -> None:
    url = faults_pg_server_url
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # this test's own, empty store
        if "trials" in sa.inspect(conn).get_table_names():
            conn.exec_driver_sql(
                "TRUNCATE run_history, runs, trials, studies RESTART IDENTITY CASCADE"
            )
    engine.dispose()
    _fill(url)
    with _read_only_role(url) as ro_url:
        try:
            _read_everything(ro_url)
        finally:
            forget_cached_stores(ro_url)
