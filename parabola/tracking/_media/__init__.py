"""Media and tables for tracking runs (W&B's ``Table``, ``Image``, ``Histogram``...)."""

from __future__ import annotations

__all__: list[str] = []
