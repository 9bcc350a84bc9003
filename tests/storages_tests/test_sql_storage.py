"""RDBStorage specifics: URLs, the per-process cache, incremental reads, bad input."""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import sqlite3
from pathlib import Path

import pytest

import parabola
from parabola.distributions import FloatDistribution
from parabola.exceptions import StorageInternalError, StoreVersionError
from parabola.storages import HistoryQuery, RDBStorage, RunKey, get_storage
from parabola.storages._sql import open_rdb_storage
from parabola.storages._sql._history import decode_chunk, encode_chunk
from parabola.storages._sql._urls import normalize_url
from parabola.testing.storages import make_run
from parabola.trial import TrialState

X = FloatDistribution(0.0, 1.0)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_url_normalisation(tmp_path: Path) -> None:
    assert normalize_url("my.db") == f"sqlite:///{tmp_path / 'my.db'}"
    assert normalize_url("sqlite:///rel.sqlite3") == f"sqlite:///{tmp_path / 'rel.sqlite3'}"
    assert normalize_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalize_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalize_url("postgresql+psycopg://u@h/d") == "postgresql+psycopg://u@h/d"
    with pytest.raises(ValueError, match="unknown URL scheme 'redis'"):
        normalize_url("redis://localhost/0")
    with pytest.raises(ValueError, match=r"\.db/\.sqlite/\.sqlite3"):
        normalize_url("results.txt")
    with pytest.raises(ValueError, match="non-empty"):
        normalize_url("  ")


def test_default_store_is_parabola_db_and_shared(tmp_path: Path) -> None:
    study = parabola.create_study(study_name="d")
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    assert (tmp_path / "parabola.db").exists()
    assert get_storage(None) is study._storage  # one storage per URL and process
    assert open_rdb_storage(str(tmp_path / "parabola.db")) is study._storage
    assert len(parabola.load_study(study_name="d", storage=None).trials) == 2


def test_env_var_names_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARABOLA_STORAGE", f"sqlite:///{tmp_path / 'env.db'}")
    parabola.create_study(study_name="e")
    assert (tmp_path / "env.db").exists() and not (tmp_path / "parabola.db").exists()


def test_incremental_reads_keep_finished_trials(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'inc.db'}"
    writer, reader = RDBStorage(url), RDBStorage(url)
    sid = writer.create_new_study([parabola.study.StudyDirection.MINIMIZE], "inc")
    for _ in range(3):
        writer.set_trial_state_values(writer.create_new_trial(sid), TrialState.COMPLETE, [1.0])
    first = reader.get_all_trials(sid, deepcopy=False)
    running = writer.create_new_trial(sid)
    second = reader.get_all_trials(sid, deepcopy=False)
    assert len(second) == 4
    assert all(a is b for a, b in zip(first, second[:3], strict=True))  # not re-read
    writer.set_trial_param(running, "x", 0.5, X)
    writer.set_trial_state_values(running, TrialState.COMPLETE, [0.5])
    third = reader.get_all_trials(sid, deepcopy=False)
    assert third[3].params == {"x": 0.5} and third[3].value == 0.5
    assert reader.get_best_trial(sid).number == 3
    writer.close()
    reader.close()


def test_pickled_storage_reopens(tmp_path: Path) -> None:
    storage = RDBStorage(f"sqlite:///{tmp_path / 'p.db'}", heartbeat_interval=3, grace_period=9)
    sid = storage.create_new_study([parabola.study.StudyDirection.MINIMIZE], "p")
    tid = storage.create_new_trial(sid)
    storage.set_trial_param(tid, "x", 0.25, X)  # buffered: pickling writes it first
    clone = pickle.loads(pickle.dumps(storage))
    assert clone.get_trial(tid).params == {"x": 0.25}
    assert (clone.heartbeat_interval, clone.grace_period) == (3, 9)
    storage.close()
    clone.close()


def test_heartbeat_defaults_and_validation(tmp_path: Path) -> None:
    storage = RDBStorage(f"sqlite:///{tmp_path / 'h.db'}")
    assert storage.is_heartbeat_enabled() and storage.get_heartbeat_interval() == 10
    assert storage.grace_period == 60
    off = RDBStorage(f"sqlite:///{tmp_path / 'h.db'}", heartbeat_interval=None)
    assert not off.is_heartbeat_enabled() and off.get_heartbeat_interval() is None
    with pytest.raises(ValueError, match="heartbeat_interval"):
        RDBStorage(f"sqlite:///{tmp_path / 'h.db'}", heartbeat_interval=0)
    with pytest.raises(ValueError, match="grace_period"):
        RDBStorage(f"sqlite:///{tmp_path / 'h.db'}", grace_period=-1)
    with pytest.raises(ValueError, match="longer than heartbeat_interval"):
        RDBStorage(f"sqlite:///{tmp_path / 'h.db'}", heartbeat_interval=5, grace_period=5)
    with pytest.raises(ValueError, match="needs heartbeat_interval"):
        RDBStorage(f"sqlite:///{tmp_path / 'h.db'}", heartbeat_interval=None, grace_period=5)
    storage.close()
    off.close()


def test_history_chunks_are_compact(tmp_path: Path) -> None:
    storage = RDBStorage(f"sqlite:///{tmp_path / 'hist.db'}")
    storage.create_run(make_run())
    rows = [
        {"_step": s, **{f"m{k}": (s * 7919 + k) % 1000 / 7.0 for k in range(10)}}
        for s in range(5000)
    ]
    storage.append_run_history(RunKey("e", "p", "r1"), rows)
    con = sqlite3.connect(tmp_path / "hist.db")
    n_chunks, payload = con.execute(
        "SELECT count(*), sum(length(payload)) FROM run_history WHERE stream = 'default'"
    ).fetchone()
    con.close()
    assert n_chunks == 5
    assert payload / (5000 * 11) < 30
    assert storage.get_run_history(RunKey("e", "p", "r1"), HistoryQuery(keys=["m3"]))[10] == {
        "_step": 10,
        "m3": rows[10]["m3"],
    }
    storage.close()


def test_chunk_codec_rejects_garbage() -> None:
    assert decode_chunk(encode_chunk([{"a": 1}, {"b": "x"}])) == [{"a": 1}, {"b": "x"}]
    with pytest.raises(ValueError, match="history chunk"):
        decode_chunk(b"nope")
    with pytest.raises(TypeError, match="'a'"):
        encode_chunk([{"a": object()}])


# Bad input ---------------------------------------------------------------------------------
def test_unknown_scheme() -> None:
    with pytest.raises(ValueError, match="mongodb"):
        parabola.create_study(storage="mongodb://localhost/x")


def test_not_a_database_file_is_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database" * 100)
    before = _digest(path)
    with pytest.raises(StorageInternalError, match=r"notes\.db") as info:
        RDBStorage(f"sqlite:///{path}")
    assert "not a SQLite database" in str(info.value)
    assert _digest(path) == before


def test_foreign_sqlite_database_is_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    con.execute("INSERT INTO customers VALUES (1, 'ada')")
    con.commit()
    con.close()
    before = _digest(path)
    with pytest.raises(StorageInternalError, match="not a parabola store"):
        parabola.create_study(storage=str(path))
    assert _digest(path) == before


def test_newer_store_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    RDBStorage(f"sqlite:///{path}").close()
    con = sqlite3.connect(path)
    con.execute("UPDATE parabola_version SET version_num = '9999'")
    con.commit()
    con.close()
    before = _digest(path)
    with pytest.raises(StoreVersionError, match=r"future\.db.*newer"):
        RDBStorage(f"sqlite:///{path}")
    assert _digest(path) == before


def test_older_store_asks_for_upgrade(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from parabola.storages._sql import _schema

    path = tmp_path / "old.db"
    RDBStorage(f"sqlite:///{path}").close()
    monkeypatch.setattr(_schema, "HEAD", "0002")  # pretend this code is one revision ahead
    with pytest.raises(StoreVersionError, match="parabola db upgrade"):
        RDBStorage(f"sqlite:///{path}")


def test_read_only_location(tmp_path: Path) -> None:
    if os.geteuid() == 0:  # root ignores permission bits; /proc is read-only even for root
        target = Path("/proc/parabola-test.db")
    else:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        target = ro / "x.db"
    try:
        with pytest.raises(StorageInternalError, match=re.escape(str(target))) as info:
            RDBStorage(f"sqlite:///{target}")
        assert "writable" in str(info.value)
    finally:
        if target.parent.name == "ro":
            target.parent.chmod(0o755)


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(StorageInternalError, match="does not exist or is not writable"):
        RDBStorage(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.db'}")


def test_unreachable_server() -> None:
    with pytest.raises(StorageInternalError, match=r"127\.0\.0\.1:1") as info:
        RDBStorage("postgresql://postgres@127.0.0.1:1/nothing")
    assert "reachable" in str(info.value)


@pytest.mark.postgres
def test_postgresql_connection_loss_is_retried(pg_clean: str) -> None:
    import sqlalchemy as sa

    storage = RDBStorage(pg_clean)
    study = parabola.create_study(storage=storage)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    admin = sa.create_engine(pg_clean.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        killed = conn.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :db AND pid <> pg_backend_pid()"
            ),
            {"db": pg_clean.rsplit("/", 1)[1]},
        ).all()
    admin.dispose()
    assert killed  # the storage's pooled connection was among them
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    assert len(study.trials) == 4
    storage.close()


def test_creating_a_store_logs_nothing_from_alembic(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    RDBStorage(f"sqlite:///{tmp_path / 'quiet.db'}").close()
    assert [r for r in caplog.records if r.name.startswith("alembic")] == []


def test_forked_child_uses_its_own_connections(tmp_path: Path) -> None:
    import multiprocessing

    storage = RDBStorage(f"sqlite:///{tmp_path / 'fork.db'}")
    study = parabola.create_study(storage=storage, study_name="fork")
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)

    def child() -> None:
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)

    proc = multiprocessing.get_context("fork").Process(target=child)
    proc.start()
    proc.join(timeout=60)
    assert proc.exitcode == 0
    assert [t.state for t in study.trials] == [TrialState.COMPLETE] * 5
    storage.close()


def test_missing_postgresql_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(ImportError, match=r"parabola\[postgres\]"):
        RDBStorage("postgresql://postgres@127.0.0.1/x")


def test_sql_dependencies_load_lazily(tmp_path: Path) -> None:
    import subprocess
    import sys

    RDBStorage(str(tmp_path / "lazy.db")).close()
    code = (
        "import sys, parabola.storages as s\n"
        "assert 'sqlalchemy' not in sys.modules, 'storages imported SQLAlchemy eagerly'\n"
        f"s.RDBStorage({str(tmp_path / 'lazy.db')!r}).close()\n"
        "assert 'alembic' not in sys.modules, 'opening an up-to-date store imported Alembic'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
