"""The SQLite path of the SQL store imports neither SQLAlchemy nor Alembic.

Each check runs in a fresh interpreter, since this test process has SQLAlchemy loaded already.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from parabola.storages import RDBStorage, RunKey


def _modules_after(code: str, *args: str) -> set[str]:
    """The top-level packages loaded after running ``code`` in a new interpreter."""
    probe = code + "\nimport sys\nprint(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    out = subprocess.run(
        [sys.executable, "-c", probe, *args], capture_output=True, text=True, check=True
    ).stdout
    return set(out.strip().splitlines()[-1].split())


def test_loading_a_study_and_its_trials_imports_no_sqlalchemy(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'read.db'}"
    storage = RDBStorage(url)
    study_id = storage.create_new_study([1], "s")  # 1: StudyDirection.MINIMIZE
    for _ in range(3):
        storage.create_new_trial(study_id)
    storage.close()
    code = (
        "import sys, parabola\n"
        "study = parabola.load_study(study_name='s', storage=sys.argv[1])\n"
        "assert len(study.trials) == 3\n"
    )
    loaded = _modules_after(code, url)
    assert "parabola" in loaded
    assert not loaded & {"sqlalchemy", "alembic"}


def test_a_tracking_run_on_a_new_store_imports_no_sqlalchemy(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    code = (
        "import sys, parabola\n"
        "run = parabola.init(project='p', storage=sys.argv[1])\n"
        "for i in range(5):\n"
        "    run.log({'loss': 1 / (i + 1)})\n"
        "run.finish()\n"
    )
    loaded = _modules_after(code, url)
    assert not loaded & {"sqlalchemy", "alembic"}
    # ... and the store it created is complete: the run and its rows are there.
    storage = RDBStorage(url)
    (run,) = storage.get_runs()
    assert run.state.value == "finished"
    assert [r["loss"] for r in storage.get_run_history(RunKey(run.entity, "p", run.run_id))] == [
        1 / (i + 1) for i in range(5)
    ]
    storage.close()


def test_optimize_on_sqlite_imports_no_sqlalchemy(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'opt.db'}"
    code = (
        "import sys, parabola\n"
        "sampler = parabola.samplers.RandomSampler()\n"
        "study = parabola.create_study(storage=sys.argv[1], sampler=sampler)\n"
        "study.optimize(lambda t: t.suggest_float('x', 0, 1), n_trials=3)\n"
        "assert len(study.trials) == 3\n"
    )
    assert not _modules_after(code, url) & {"sqlalchemy", "alembic"}


def test_postgresql_and_in_memory_urls_still_take_sqlalchemy(tmp_path: Path) -> None:
    # The light driver is for plain files; these need SQLAlchemy, and get it on their path.
    code = "import parabola\nparabola.storages.RDBStorage('sqlite:///:memory:').close()\n"
    assert "sqlalchemy" in _modules_after(code)


@pytest.mark.parametrize("light", [True, False], ids=["sqlite3", "sqlalchemy"])
def test_both_sqlite_drivers_share_one_file(tmp_path: Path, light: bool) -> None:
    # A store written through one driver is read through the other (same schema, same WAL).
    path = tmp_path / "both.db"
    light_url = f"sqlite:///{path}"
    engine_url = f"sqlite:///{path}?timeout=30"  # a query option: SQLAlchemy's driver
    writer = RDBStorage(light_url if light else engine_url)
    reader = RDBStorage(engine_url if light else light_url)
    assert type(writer.engine).__name__ != type(reader.engine).__name__
    study_id = writer.create_new_study([1], "shared")
    trial_id = writer.create_new_trial(study_id)
    writer.set_trial_user_attr(trial_id, "k", [1, 2])
    assert reader.get_trial(trial_id).user_attrs == {"k": [1, 2]}
    assert reader.get_study_id_from_name("shared") == study_id
    writer.close()
    reader.close()
