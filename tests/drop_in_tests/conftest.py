"""Fixtures of the drop-in tests (helpers in ``_helpers.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.drop_in_tests._helpers import RunPy, make_run_py


@pytest.fixture
def run_py(tmp_path: Path) -> RunPy:
    """Run ``python *args`` in ``tmp_path``; ``env`` adds variables (``None`` removes one)."""
    return make_run_py(tmp_path)
