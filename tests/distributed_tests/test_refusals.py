"""What optimize(client=...) refuses, with errors that say what to do; no Dask on import."""

from __future__ import annotations

import json
import os
import pickle
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

import parabola
from parabola.distributed._worker import SQLiteFile, StoreRecipe, check_worker
from tests.distributed_tests import _objectives as obj


def test_in_memory_storage_is_refused(local_client: Any) -> None:
    study = parabola.create_study(storage=parabola.storages.InMemoryStorage())
    with pytest.raises(ValueError, match=r"InMemoryStorage.*postgresql://"):
        study.optimize(obj.quadratic, n_trials=1, client=local_client)


def test_store_without_heartbeats_is_refused(local_client: Any, tmp_path: Path) -> None:
    storage = parabola.storages.RDBStorage(
        f"sqlite:///{tmp_path / 'a.db'}", heartbeat_interval=None
    )
    study = parabola.create_study(storage=storage)
    with pytest.raises(ValueError, match="heartbeat_interval=None"):
        study.optimize(obj.quadratic, n_trials=1, client=local_client)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_jobs": 0}, r"n_jobs=\.\.\.\): expected a positive int"),
        ({"n_trials": -1}, r"n_trials=\.\.\.\)"),
        ({"timeout": "soon"}, r"timeout=\.\.\.\)"),
    ],
)
def test_bad_arguments_name_the_argument(
    local_client: Any, tmp_path: Path, kwargs: dict[str, Any], match: str
) -> None:
    study = parabola.create_study(storage=f"sqlite:///{tmp_path / 'a.db'}")
    with pytest.raises(ValueError, match=match):
        study.optimize(obj.quadratic, client=local_client, **kwargs)
    assert study.trials == []


def test_not_a_client_and_unpicklable_objective(local_client: Any, tmp_path: Path) -> None:
    study = parabola.create_study(storage=f"sqlite:///{tmp_path / 'a.db'}")
    with pytest.raises(TypeError, match=r"expected a dask\.distributed\.Client"):
        study.optimize(obj.quadratic, n_trials=1, client="tcp://127.0.0.1:8786")
    lock = threading.Lock()

    def holds_a_lock(trial: Any) -> float:
        with lock:
            return 0.0

    with pytest.raises(TypeError, match="must be picklable"):
        study.optimize(holds_a_lock, n_trials=1, client=local_client)
    assert study.trials == []


def test_sqlite_file_other_machines_cannot_see(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    storage = parabola.storages.RDBStorage(f"sqlite:///{path}")
    st = os.stat(path)
    here = socket.gethostname()
    blob = pickle.dumps(StoreRecipe.of(storage))
    assert check_worker(blob, SQLiteFile(str(path), here, st.st_dev, st.st_ino)) is None
    # A worker on another host, or one where the path is another (or no) file:
    for seen in (
        SQLiteFile(str(path), "other-host", st.st_dev, st.st_ino),
        SQLiteFile(str(tmp_path / "missing.db"), here, st.st_dev, st.st_ino),
    ):
        problem = check_worker(blob, seen)
        assert problem is not None
        assert "cannot see the SQLite store" in problem and "postgresql://" in problem
    assert not (tmp_path / "missing.db").exists()  # the check never creates an empty store


def test_unreachable_postgresql_is_reported_per_worker(local_client: Any) -> None:
    # A port nothing listens on: what a worker sees when the database is down or firewalled.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/nowhere"
    problem = check_worker(pickle.dumps(_Unopened(url)), None)
    assert problem is not None and "127.0.0.1" in problem


class _Unopened:
    """Pickles as ``RDBStorage(url)``: what the driver sends, without connecting here."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return parabola.storages.RDBStorage, (self.url,)


def test_import_parabola_never_imports_dask() -> None:
    code = (
        "import sys, json\n"
        "import parabola\n"
        "s = parabola.create_study(storage=parabola.storages.InMemoryStorage())\n"
        "s.optimize(lambda t: t.suggest_float('x', 0, 1), n_trials=2)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('dask', 'distributed') or m.startswith('parabola.distributed'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_without_dask_installed_the_error_names_the_extra(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "sys.modules['distributed'] = None  # as if the extra were not installed\n"
        "import parabola\n"
        f"s = parabola.create_study(storage='sqlite:///{tmp_path / 'a.db'}')\n"
        "s.optimize(lambda t: t.suggest_float('x', 0, 1), n_trials=2)  # local: fine\n"
        "try:\n"
        "    s.optimize(lambda t: 0.0, n_trials=1, client=object())\n"
        "except ImportError as e:\n"
        "    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'parabola[dask]'" in out.stdout


def test_workers_import_the_gp_modules_before_the_first_trial(tmp_path: Path) -> None:
    from parabola.distributed._worker import lazy_modules
    from parabola.samplers import AutoSampler, RandomSampler, TPESampler

    gp = lazy_modules(AutoSampler(seed=0))
    assert "parabola.samplers._gp._optim" in gp
    assert lazy_modules(TPESampler(seed=0)) == lazy_modules(RandomSampler(seed=0)) == ()
    storage = parabola.storages.RDBStorage(f"sqlite:///{tmp_path / 'a.db'}")
    path = tmp_path / "a.db"
    st = os.stat(path)
    sqlite = SQLiteFile(str(path), socket.gethostname(), st.st_dev, st.st_ino)
    blob = pickle.dumps(StoreRecipe.of(storage))
    # A module that fails to import is left to the trial that needs it.
    assert check_worker(blob, sqlite, (*gp, "parabola.no_such_module")) is None
    assert all(m in sys.modules for m in gp)
