"""Reading a SQLite store's schema revision without SQLAlchemy (the light ``db current``)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from parabola.storages import RDBStorage
from parabola.storages._revisions import HEAD, plain_sqlite_file, sqlite_revision


def test_revision_of_a_store_a_foreign_file_and_no_file(tmp_path: Path) -> None:
    store = tmp_path / "s.db"
    RDBStorage(str(store)).close()
    assert sqlite_revision(str(store)) == HEAD
    foreign = tmp_path / "other.db"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE t (a)")
    con.commit()
    con.close()
    assert sqlite_revision(str(foreign)) is None
    assert sqlite_revision(str(tmp_path / "missing.db")) is None
    assert not (tmp_path / "missing.db").exists()  # never created


def test_plain_sqlite_file() -> None:
    assert plain_sqlite_file("sqlite:////tmp/a.db") == "/tmp/a.db"
    assert plain_sqlite_file("/tmp/b.sqlite") == "/tmp/b.sqlite"
    assert plain_sqlite_file("sqlite:///:memory:") is None
    assert plain_sqlite_file("sqlite:////tmp/a.db?mode=ro") is None
    assert plain_sqlite_file("postgresql://u@h/db") is None


def test_db_current_on_sqlite_does_not_import_sqlalchemy(tmp_path: Path) -> None:
    store = tmp_path / "s.db"
    RDBStorage(str(store)).close()
    code = (
        "import sys\n"
        "from parabola.cli import main\n"
        "try:\n"
        "    main(['db', 'current', '--storage', sys.argv[1]])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('sqlalchemy' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, f"sqlite:///{store}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "revision: " + HEAD in out and "up to date" in out
    assert out.strip().splitlines()[-1] == "False"
