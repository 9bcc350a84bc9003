"""Pruners: stop unpromising trials early from their intermediate values.

``MedianPruner`` is the default of ``create_study``.
"""

from __future__ import annotations

from parabola.pruners._base import BasePruner
from parabola.pruners._hyperband import HyperbandPruner
from parabola.pruners._median import MedianPruner
from parabola.pruners._nop import NopPruner
from parabola.pruners._patient import PatientPruner
from parabola.pruners._percentile import PercentilePruner
from parabola.pruners._successive_halving import SuccessiveHalvingPruner
from parabola.pruners._threshold import ThresholdPruner
from parabola.pruners._wilcoxon import WilcoxonPruner

__all__ = [
    "BasePruner",
    "HyperbandPruner",
    "MedianPruner",
    "NopPruner",
    "PatientPruner",
    "PercentilePruner",
    "SuccessiveHalvingPruner",
    "ThresholdPruner",
    "WilcoxonPruner",
]
