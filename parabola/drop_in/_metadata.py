"""``importlib.metadata`` answers for the aliased distributions when the real one is missing.

Loaded only when someone asks ``importlib.metadata`` about ``optuna``, ``optuna-integration`` or
``wandb`` (Lightning's ``RequirementCache("wandb>=0.12.10")``), never at start-up.
"""

from __future__ import annotations

import importlib.metadata
import os
from typing import Any

from parabola.drop_in._paths import VERSIONS

__all__ = ["alias_distributions"]


def alias_distributions(key: str, context: Any) -> tuple[importlib.metadata.Distribution, ...]:
    """``()`` when the real distribution is installed, else a stand-in with the API version."""
    # The path-based finder's own answer, without going through sys.meta_path again.
    real = importlib.metadata.MetadataPathFinder.find_distributions(context)
    if next(iter(real), None) is not None:
        return ()
    return (_AliasDistribution(key),)


class _AliasDistribution(importlib.metadata.Distribution):
    """Metadata for an aliased package that is not installed: its name and the API version."""

    def __init__(self, key: str) -> None:
        self._name = key.replace("_", "-")
        self._version = VERSIONS[key]

    def read_text(self, filename: str) -> str | None:
        if filename in ("METADATA", "PKG-INFO"):
            return (
                f"Metadata-Version: 2.1\nName: {self._name}\nVersion: {self._version}\n"
                "Summary: provided by parabola's drop-in switch\n"
            )
        return None

    def locate_file(self, path: str | os.PathLike[str]) -> Any:
        return os.fspath(path)
