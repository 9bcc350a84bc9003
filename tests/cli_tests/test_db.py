"""``parabola db current`` and ``parabola db upgrade``."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from parabola.cli import main
from parabola.storages import RDBStorage
from parabola.storages._sql._models import HEAD

FROZEN = sorted((Path(__file__).parents[1] / "assets").glob("parabola-v*.db"))


def test_current_on_the_default_store(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["db", "current"])
    assert result.exit_code == 1 and "No store at" in result.output
    RDBStorage("parabola.db").close()
    assert not (tmp_path / "parabola.db-wal").exists()
    result = runner.invoke(main, ["db", "current"])
    assert result.exit_code == 0, result.output
    assert f"revision: {HEAD}" in result.output and "up to date" in result.output
    assert str(tmp_path / "parabola.db") in result.output


def test_upgrade_creates_and_upgrades(tmp_path: Path) -> None:
    runner = CliRunner()
    url = f"sqlite:///{tmp_path / 'new.db'}"
    result = runner.invoke(main, ["db", "upgrade", "--storage", url])
    assert result.exit_code == 1 and "No store at" in result.output
    RDBStorage(url, skip_table_creation=True).close()  # an empty database file
    result = runner.invoke(main, ["db", "current", "--storage", url])
    assert result.exit_code == 0 and "empty" in result.output
    result = runner.invoke(main, ["db", "upgrade", "--storage", url])
    assert result.exit_code == 0, result.output
    assert f"from revision (empty) to {HEAD}" in result.output
    con = sqlite3.connect(tmp_path / "new.db")
    assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    con.close()
    result = runner.invoke(main, ["db", "upgrade", "--storage", url])
    assert result.exit_code == 0 and "already at revision" in result.output
    frozen = tmp_path / "frozen.db"
    shutil.copy(FROZEN[0], frozen)
    result = runner.invoke(main, ["db", "upgrade", "--storage", str(frozen)])
    assert result.exit_code == 0, result.output


def test_env_var_is_the_default(tmp_path: Path) -> None:
    RDBStorage(str(tmp_path / "env.db")).close()
    result = CliRunner().invoke(
        main, ["db", "current"], env={"PARABOLA_STORAGE": str(tmp_path / "env.db")}
    )
    assert result.exit_code == 0 and "env.db" in result.output


def test_newer_store_is_reported_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    RDBStorage(str(path)).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE parabola_version SET version_num = '9999'")
    con.commit()
    con.close()
    runner = CliRunner()
    for command in ("current", "upgrade"):
        result = runner.invoke(main, ["db", command, "--storage", str(path)])
        assert result.exit_code == 1 and "newer parabola" in result.output
    con = sqlite3.connect(path)
    assert con.execute("SELECT version_num FROM parabola_version").fetchall() == [("9999",)]
    con.close()


def test_bad_url_and_foreign_file(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["db", "upgrade", "--storage", "ftp://example.com/x"])
    assert result.exit_code == 2 and "unknown URL scheme" in result.output
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (a)")
    con.close()
    result = runner.invoke(main, ["db", "upgrade", "--storage", str(other)])
    assert result.exit_code == 1 and "not a parabola store" in result.output
