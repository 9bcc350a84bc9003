"""docs/drop-in.md's table of covered import paths is generated from the code and current."""

from __future__ import annotations

import importlib.util

from tests.drop_in_tests._helpers import ROOT


def test_the_covered_paths_table_is_current() -> None:
    spec = importlib.util.spec_from_file_location("gen", ROOT / "scripts/gen_drop_in_docs.py")
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    text = (ROOT / "docs/drop-in.md").read_text(encoding="utf-8")
    assert gen.BEGIN in text and gen.END in text
    assert text == gen.render(text), "run .venv/bin/python scripts/gen_drop_in_docs.py"
    assert "| `optuna.samplers` | the module `parabola.samplers` |" in text
