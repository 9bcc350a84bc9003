"""``parabola.importers.import_optuna`` and ``parabola import optuna`` on stores Optuna wrote.

In CI (no Optuna installed) the committed ``tests/assets/optuna-5.0.db`` is imported and
compared with ``optuna-5.0.json``, what Optuna 5.0 itself read from that file. With Optuna
installed (``make test-anchors``) fresh stores are written by Optuna in the test, on SQLite and
on the real PostgreSQL, and compared with what Optuna reads from them.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import parabola
from parabola.cli import main
from parabola.exceptions import StorageInternalError
from parabola.importers import OptunaImportError, import_optuna
from tests._postgres import fresh_postgres_database
from tests.assets.make_optuna_store import DB, EXPECTED, build, dump


@pytest.fixture(autouse=True)
def _utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # The recorded JSON shows Optuna's (local) times for TZ=UTC.
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def source(tmp_path: Path) -> Path:
    copy = tmp_path / "optuna.db"
    shutil.copy(DB, copy)
    return copy


def test_recorded_optuna_store_imports_equal(source: Path, tmp_path: Path) -> None:
    before = _digest(source)
    target = f"sqlite:///{tmp_path / 'parabola.db'}"
    report = import_optuna(f"sqlite:///{source}", target)
    assert sorted(report.imported) == ["empty", "multi", "single"] and report.skipped == []
    expected = json.loads(EXPECTED.read_text())
    assert report.n_trials == sum(len(s["trials"]) for s in expected)
    assert dump(parabola, target) == expected
    assert _digest(source) == before  # the source is only read
    # The imported studies are ordinary parabola studies: they take new trials.
    study = parabola.load_study(study_name="single", storage=target)
    # Constraints came along in Optuna's format: the best trial is the best feasible one.
    feasible = [
        t["values"][0]
        for t in expected[2]["trials"]
        if t["state"] == "COMPLETE" and all(c <= 0 for c in t["constraints"].values())
    ]
    assert study.best_value == min(v for v in feasible if isinstance(v, float))
    study.optimize(lambda t: t.suggest_float("x", -5, 5) ** 2, n_trials=2)
    assert len(study.trials) == len(expected[2]["trials"]) + 2


def test_import_is_idempotent(source: Path, tmp_path: Path) -> None:
    target = f"sqlite:///{tmp_path / 'parabola.db'}"
    import_optuna(f"sqlite:///{source}", target)
    again = import_optuna(f"sqlite:///{source}", target)
    assert again.imported == [] and sorted(again.skipped) == ["empty", "multi", "single"]
    assert again.n_trials == 0
    assert dump(parabola, target) == json.loads(EXPECTED.read_text())


def test_study_names_and_conflicts(source: Path, tmp_path: Path) -> None:
    target = f"sqlite:///{tmp_path / 'parabola.db'}"
    report = import_optuna(f"sqlite:///{source}", target, study_names=["multi"])
    assert report.imported == ["multi"]
    assert parabola.get_all_study_names(storage=target) == ["multi"]
    with pytest.raises(OptunaImportError, match=r"\['nope'\] not in .* it has \['empty', "):
        import_optuna(f"sqlite:///{source}", target, study_names=["nope"])
    # A parabola study of the same name that did not come from this source is never mixed in.
    parabola.create_study(storage=target, study_name="single")
    with pytest.raises(OptunaImportError, match="'single' that was not imported from"):
        import_optuna(f"sqlite:///{source}", target)
    assert parabola.load_study(study_name="single", storage=target).trials == []


def test_a_changed_source_is_reported_not_merged(source: Path, tmp_path: Path) -> None:
    target = f"sqlite:///{tmp_path / 'parabola.db'}"
    import_optuna(f"sqlite:///{source}", target, study_names=["multi"])
    with sqlite3.connect(source) as conn:  # the source moves on after the import
        conn.execute("UPDATE trial_values SET value = 99 WHERE objective = 1 AND value = 2")
    with pytest.raises(OptunaImportError, match=r"'multi' was imported .* now differ \(trial 2"):
        import_optuna(f"sqlite:///{source}", target, study_names=["multi"])


def test_bad_sources_are_named(tmp_path: Path) -> None:
    target = f"sqlite:///{tmp_path / 'parabola.db'}"
    with pytest.raises(OptunaImportError, match="no SQLite file at"):
        import_optuna(f"sqlite:///{tmp_path / 'missing.db'}", target)
    with pytest.raises(OptunaImportError, match="expected a sqlite:/// or postgresql:// URL"):
        import_optuna("mysql://u@h/db", target)
    parabola.create_study(storage=f"sqlite:///{tmp_path / 'own.db'}")
    with pytest.raises(OptunaImportError, match="is not an Optuna store"):
        import_optuna(f"sqlite:///{tmp_path / 'own.db'}", target)
    with pytest.raises(TypeError, match="from_url"):
        import_optuna(42, target)  # type: ignore[arg-type]


def test_old_optuna_revision_is_refused_with_the_upgrade_command(source: Path) -> None:
    with sqlite3.connect(source) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'v1.3.0.a'")
    with pytest.raises(OptunaImportError, match="optuna storage upgrade --storage"):
        import_optuna(f"sqlite:///{source}", "sqlite:///p.db")


def test_opening_an_optuna_store_directly_points_to_the_importer(source: Path) -> None:
    before = _digest(source)
    with pytest.raises(StorageInternalError, match=r"`parabola import optuna sqlite:///.*`"):
        parabola.load_study(study_name="single", storage=f"sqlite:///{source}")
    assert _digest(source) == before


def test_cli(source: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    target = f"sqlite:///{tmp_path / 'parabola.db'}"
    result = runner.invoke(main, ["import", "optuna", f"sqlite:///{source}", "--to", target])
    assert result.exit_code == 0, result.output
    assert "imported  single" in result.output
    assert "3 studies and 18 trials imported" in result.output
    result = runner.invoke(main, ["import", "optuna", f"sqlite:///{source}", "--to", target])
    assert result.exit_code == 0 and "0 studies and 0 trials imported, 3 already" in result.output
    result = runner.invoke(main, ["import", "optuna", "sqlite:///nope.db", "--to", target])
    assert result.exit_code == 1 and "no SQLite file at" in result.output


def test_cli_default_target_is_the_default_store(source: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["import", "optuna", f"sqlite:///{source}"])
    assert result.exit_code == 0, result.output
    assert parabola.get_all_study_names() == ["single", "multi", "empty"]
    assert (tmp_path / "parabola.db").is_file()


# Fresh stores written by Optuna 5.0 in the test (make test-anchors) ---------------------------


@pytest.fixture
def optuna_anchor() -> object:
    return pytest.importorskip("optuna")


def test_fresh_sqlite_store_written_by_optuna(optuna_anchor: object, tmp_path: Path) -> None:
    src = tmp_path / "fresh.db"
    build(f"sqlite:///{src}", n_trials=20)
    before = _digest(src)
    target = f"sqlite:///{tmp_path / 'parabola.db'}"
    import_optuna(f"sqlite:///{src}", target)
    assert dump(parabola, target) == dump(optuna_anchor, f"sqlite:///{src}")  # type: ignore[arg-type]
    assert _digest(src) == before


@pytest.mark.postgres
def test_fresh_postgres_store_written_by_optuna(optuna_anchor: object, tmp_path: Path) -> None:
    with fresh_postgres_database("optuna_src") as src, fresh_postgres_database("pb_dst") as dst:
        build(src, n_trials=15)
        seen_by_optuna = optuna_anchor.storages.RDBStorage(src)  # type: ignore[attr-defined]
        try:
            expected = dump(optuna_anchor, seen_by_optuna)  # type: ignore[arg-type]
        finally:
            seen_by_optuna.engine.dispose()
        with pytest.raises(StorageInternalError, match="`parabola import optuna postgresql"):
            parabola.load_study(study_name="single", storage=src)
        report = import_optuna(src, dst)
        assert sorted(report.imported) == ["empty", "multi", "single"]
        assert dump(parabola, dst) == expected
        assert import_optuna(src, dst).imported == []
        # And from PostgreSQL into a SQLite file.
        sqlite_target = f"sqlite:///{tmp_path / 'parabola.db'}"
        import_optuna(src, sqlite_target)
        assert dump(parabola, sqlite_target) == expected
