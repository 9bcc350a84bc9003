"""The frameworks tests: real Hugging Face, Lightning, XGBoost and LightGBM runs, each a script of
``tests/drop_in_tests/scripts/`` run under the switch in a subprocess.

They need the ``frameworks`` extra and take a minute or two, so they run only when selected:
``make test-frameworks`` (``pytest -m frameworks tests/frameworks_tests``). A plain ``make test``
skips them, saying how to run them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.drop_in_tests._helpers import RunPy, make_run_py


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "frameworks" in (config.getoption("-m") or ""):
        return
    skip = pytest.mark.skip(reason="frameworks tests: run `make test-frameworks` (-m frameworks)")
    for item in items:
        if item.get_closest_marker("frameworks") is not None:
            item.add_marker(skip)


@pytest.fixture
def run_py(tmp_path: Path) -> RunPy:
    """Run ``python *args`` in ``tmp_path`` with a private store (see drop_in_tests)."""
    return make_run_py(tmp_path)
