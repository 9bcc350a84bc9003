"""Schema migrations: the Alembic chain matches the code, and every frozen store upgrades."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

import parabola
from parabola.storages import RDBStorage, RunKey
from parabola.storages._sql._engine import create_engine
from parabola.storages._sql._migrate import alembic_config, upgrade
from parabola.storages._sql._models import HEAD, KNOWN_REVISIONS, VERSION_TABLE, metadata
from parabola.trial import TrialState

ASSETS = Path(__file__).parents[1] / "assets"
FROZEN = sorted(ASSETS.glob("parabola-v*.db"))


def test_known_revisions_match_the_alembic_chain() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    chain = [rev.revision for rev in script.walk_revisions()][::-1]
    assert tuple(chain) == KNOWN_REVISIONS
    assert script.get_current_head() == HEAD


def test_every_revision_has_a_frozen_store() -> None:
    assert {p.stem.removeprefix("parabola-v") for p in FROZEN} == set(KNOWN_REVISIONS)


def _assert_schema_matches_models(url: str) -> None:
    engine = create_engine(url, None)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
            diffs = [d for d in compare_metadata(ctx, metadata) if d[0] != "remove_table"]
        assert diffs == []
    finally:
        engine.dispose()


def _sqlite_schema(url: str) -> list[tuple[str, str, str, str]]:
    engine = create_engine(url, None)
    try:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
            ).all()
            version = conn.exec_driver_sql(f"SELECT version_num FROM {VERSION_TABLE}").all()
    finally:
        engine.dispose()
    assert [tuple(v) for v in version] == [(HEAD,)]
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_migrations_build_the_models_schema_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'schema.db'}"
    engine = create_engine(url, None)
    try:
        assert upgrade(engine, url) == (None, HEAD)  # Alembic, from an empty database
    finally:
        engine.dispose()
    _assert_schema_matches_models(url)


def test_a_new_store_has_the_migrations_schema_exactly(tmp_path: Path) -> None:
    # A new store is created from the models without Alembic (create_at_head): its DDL,
    # indexes and version table must be those the migrations build.
    migrated = f"sqlite:///{tmp_path / 'migrated.db'}"
    engine = create_engine(migrated, None)
    try:
        upgrade(engine, migrated)
    finally:
        engine.dispose()
    created = f"sqlite:///{tmp_path / 'created.db'}"
    RDBStorage(created).close()
    assert _sqlite_schema(created) == _sqlite_schema(migrated)
    assert "alembic" not in " ".join(n for _, n, _, _ in _sqlite_schema(created))


@pytest.mark.postgres
def test_migrations_build_the_models_schema_on_postgresql(pg_clean: str) -> None:
    RDBStorage(pg_clean).close()
    _assert_schema_matches_models(pg_clean)


@pytest.mark.parametrize("frozen", FROZEN, ids=[p.name for p in FROZEN])
def test_frozen_store_upgrades_and_reads(frozen: Path, tmp_path: Path) -> None:
    path = tmp_path / frozen.name
    shutil.copy(frozen, path)  # never open the asset itself
    url = f"sqlite:///{path}"
    engine = create_engine(url, None)
    before, after = upgrade(engine, url)
    engine.dispose()
    assert before == frozen.stem.removeprefix("parabola-v") and after == HEAD

    storage = RDBStorage(url)
    study = parabola.load_study(study_name="frozen", storage=storage)
    assert study.user_attrs == {"owner": "tests"}
    trials = study.trials
    assert [t.state for t in trials] == [TrialState.COMPLETE] * 3 + [TrialState.WAITING]
    assert trials[2].params == {"x": 0.5, "n": 5, "c": "a"}
    assert trials[1].intermediate_values == {0: 0.5, 1: 1.0} and trials[1].user_attrs == {"i": 1}
    assert study.best_trial.number == 2
    run = storage.get_run(RunKey("me", "proj", "run1"))
    assert run.config == {"lr": 0.01} and run.tags == ["frozen"]
    history = storage.get_run_history(RunKey("me", "proj", "run1"))
    assert [r["_step"] for r in history] == list(range(10))
    # The upgraded store is fully usable.
    study.optimize(lambda t: t.suggest_float("x", -1, 1), n_trials=2)
    assert len(study.trials) == 5
    storage.close()


def test_upgrade_of_an_up_to_date_store_is_a_no_op(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    RDBStorage(url).close()
    engine = create_engine(url, None)
    assert upgrade(engine, url) == (HEAD, HEAD)
    with engine.connect() as conn:
        assert conn.execute(sa.text(f"SELECT count(*) FROM {VERSION_TABLE}")).scalar() == 1
    engine.dispose()
