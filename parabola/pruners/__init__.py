"""Pruners: stop unpromising trials early from their intermediate values.

``MedianPruner`` is the default of ``create_study``.
"""

from __future__ import annotations

from parabola.pruners._base import BasePruner
from parabola.pruners._nop import NopPruner

__all__ = ["BasePruner", "NopPruner"]
