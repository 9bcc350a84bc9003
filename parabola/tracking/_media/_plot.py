"""W&B's ``wandb.plot`` charts: tables plus a chart spec."""

from __future__ import annotations

__all__: list[str] = []
