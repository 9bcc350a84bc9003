"""Fixtures shared by the whole suite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_default_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run every test in its own directory so the default ./parabola.db never leaks between
    tests or into the repository, and ignore a PARABOLA_STORAGE set in the caller's shell."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PARABOLA_STORAGE", raising=False)
    yield
