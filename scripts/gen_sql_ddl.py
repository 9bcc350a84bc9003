"""Write parabola/storages/_sql/_ddl.py: the DDL of a new store, per dialect, from the models.

A new store is created at the head revision without SQLAlchemy or Alembic (the SQLite path of
``RDBStorage`` imports neither); the statements it runs are these, compiled once from the
SQLAlchemy models (``_models.py``) by SQLAlchemy itself, plus Alembic's version table. Run

    .venv/bin/python scripts/gen_sql_ddl.py

after changing ``_models.py`` (with its new Alembic revision);
``tests/storages_tests/test_sql_ddl.py`` fails while ``_ddl.py`` is out of date, and
``test_migrations.py`` checks that a store created from it has the migrations' schema.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "parabola" / "storages" / "_sql" / "_ddl.py"


def _statements(dialect_name: str) -> list[str]:
    import sqlalchemy as sa
    from sqlalchemy.dialects import postgresql, sqlite
    from sqlalchemy.schema import CreateIndex, CreateTable

    from parabola.storages._sql._models import VERSION_TABLE, metadata

    dialect = sqlite.dialect() if dialect_name == "sqlite" else postgresql.dialect()
    version = sa.Table(
        VERSION_TABLE,
        sa.MetaData(),
        # Alembic's own version table, so that later upgrades find it unchanged.
        sa.Column("version_num", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("version_num", name=f"{VERSION_TABLE}_pkc"),
    )
    out = []
    for table in [*metadata.sorted_tables, version]:
        out.append(str(CreateTable(table).compile(dialect=dialect)).strip())
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            out.append(str(CreateIndex(index).compile(dialect=dialect)).strip())
    return out


def render() -> str:
    """The text of ``_ddl.py``."""
    from parabola.storages._revisions import HEAD

    lines = [
        '"""DDL of a new parabola store at head, per dialect (generated: do not edit).',
        "",
        "Written by ``scripts/gen_sql_ddl.py`` from the SQLAlchemy models (``_models.py``); run it",
        "again after changing them. ``_schema.create_at_head`` runs these statements in order.",
        '"""',
        "",
        "# ruff: noqa: E501  (one statement per line, as SQLAlchemy compiles it)",
        "",
        "from __future__ import annotations",
        "",
        '__all__ = ["DDL", "DDL_HEAD"]',
        "",
        "#: The revision these statements create (stamped in the version table).",
        f"DDL_HEAD = {json.dumps(HEAD)}",
        "",
        "DDL: dict[str, tuple[str, ...]] = {",
    ]
    for name in ("sqlite", "postgresql"):
        lines.append(f"    {json.dumps(name)}: (")
        for statement in _statements(name):
            # json.dumps: the double quotes ruff format keeps (the test compares the bytes).
            lines.append(f"        {json.dumps(statement)},")
        lines.append("    ),")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> None:
    TARGET.write_text(render())
    print(f"wrote {TARGET.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
