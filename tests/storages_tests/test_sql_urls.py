"""Storage URLs read without SQLAlchemy give what SQLAlchemy's reading gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from parabola.storages._sql import _urls
from parabola.storages._sql._dialect import POSTGRESQL, SQLITE


@pytest.mark.parametrize(
    "url",
    ["sqlite:///rel.db", "sqlite:////abs/dir/x.sqlite", "sqlite:///~/home.db", "sqlite:///a b.db"],
)
def test_light_normalisation_matches_sqlalchemy(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    light = _urls.normalize_url(url)
    assert _urls.is_light_sqlite(light)
    assert light == _urls._normalize_with_sqlalchemy(url)
    assert _urls.sqlite_file(light) == light.removeprefix("sqlite:///")


@pytest.mark.parametrize(
    "url",
    ["sqlite://", "sqlite:///:memory:", "sqlite:////tmp/x.db?timeout=3"],
)
def test_urls_with_more_meaning_go_to_sqlalchemy(url: str) -> None:
    assert not _urls.is_light_sqlite(_urls.normalize_url(url))


def test_an_escaped_path_is_read_by_sqlalchemy(tmp_path: Path) -> None:
    # SQLAlchemy unquotes it; the result is a plain file that the light driver then opens.
    assert _urls.normalize_url(f"sqlite:///{tmp_path}/a%20b.db") == f"sqlite:///{tmp_path}/a b.db"


def test_redact_hides_only_passwords() -> None:
    assert (
        _urls.redact("postgresql+psycopg://me:pw@h:5432/db")
        == "postgresql+psycopg://me:***@h:5432/db"
    )
    assert _urls.redact("sqlite:////tmp/a.db") == "sqlite:////tmp/a.db"


def test_statements_are_spelled_per_driver() -> None:
    template = "SELECT a FROM t WHERE name LIKE 'x%' AND id = {tid} AND b::text = {b}"
    assert (
        SQLITE.sql(template)
        == "SELECT a FROM t WHERE name LIKE 'x%' AND id = :tid AND b::text = :b"
    )
    assert POSTGRESQL.sql(template) == (
        "SELECT a FROM t WHERE name LIKE 'x%%' AND id = %(tid)s AND b::text = %(b)s"
    )
    assert POSTGRESQL.for_update == " FOR UPDATE" and SQLITE.for_update == ""
