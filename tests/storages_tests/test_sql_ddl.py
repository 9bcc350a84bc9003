"""The checked-in DDL of a new store is what the generator makes from the models today."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_generated_ddl_is_up_to_date() -> None:
    spec = importlib.util.spec_from_file_location("gen_sql_ddl", ROOT / "scripts/gen_sql_ddl.py")
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    checked_in = (ROOT / "parabola/storages/_sql/_ddl.py").read_text()
    assert generator.render() == checked_in, (
        "parabola/storages/_sql/_ddl.py is out of date: run `.venv/bin/python "
        "scripts/gen_sql_ddl.py`"
    )


def test_ddl_covers_every_table_of_the_models() -> None:
    from parabola.storages._revisions import VERSION_TABLE
    from parabola.storages._sql._ddl import DDL
    from parabola.storages._sql._models import metadata

    for dialect, statements in DDL.items():
        created = {s.split()[2] for s in statements if s.startswith("CREATE TABLE")}
        assert created == set(metadata.tables) | {VERSION_TABLE}, dialect
        indexes = {s.split()[2] for s in statements if s.startswith("CREATE INDEX")}
        assert indexes == {str(i.name) for t in metadata.tables.values() for i in t.indexes}
