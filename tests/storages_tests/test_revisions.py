"""Reading a SQLite store's schema revision without SQLAlchemy (the light ``db current``)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from parabola.storages import RDBStorage
from parabola.storages._revisions import HEAD


def _db_current(url: str) -> str:
    """``parabola db current`` in a fresh interpreter; its output, then whether it loaded
    SQLAlchemy."""
    code = (
        "import sys\n"
        "from parabola.cli import main\n"
        "try:\n"
        "    main(['db', 'current', '--storage', sys.argv[1]])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('sqlalchemy' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code, url], capture_output=True, text=True)
    return result.stdout + result.stderr


def test_db_current_on_sqlite_does_not_import_sqlalchemy(tmp_path: Path) -> None:
    store = tmp_path / "s.db"
    RDBStorage(str(store)).close()
    out = _db_current(f"sqlite:///{store}")
    assert "revision: " + HEAD in out and "up to date" in out
    assert out.strip().splitlines()[-1] == "False"
    out = _db_current(str(store))  # a plain path: the same light path
    assert "up to date" in out and out.strip().splitlines()[-1] == "False"


def test_db_current_on_a_foreign_file_takes_the_full_path(tmp_path: Path) -> None:
    foreign = tmp_path / "other.db"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE t (a)")
    con.commit()
    con.close()
    out = _db_current(f"sqlite:///{foreign}")
    assert "not a parabola store" in out
    missing = tmp_path / "missing.db"
    assert "No store at" in _db_current(f"sqlite:///{missing}")
    assert not missing.exists()  # never created
