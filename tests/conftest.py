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


@pytest.fixture(autouse=True)
def _restore_log_verbosity() -> Iterator[None]:
    """Undo ``set_verbosity`` calls (parabola's, and the anchor's in comparison tests) so the
    tests that read log lines do not depend on which tests ran before them."""
    import sys

    import parabola

    before = parabola.logging.get_verbosity()
    optuna = sys.modules.get("optuna")
    optuna_before = optuna.logging.get_verbosity() if optuna is not None else None
    yield
    parabola.logging.set_verbosity(before)
    optuna = sys.modules.get("optuna")
    if optuna is not None:
        optuna.logging.set_verbosity(
            optuna_before if optuna_before is not None else optuna.logging.INFO
        )
