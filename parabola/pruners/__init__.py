"""Pruners: stop unpromising trials early from their intermediate values.

``MedianPruner`` is the default of ``create_study``. Each pruner module is imported on first use
(PEP 562): most of them compute with numpy, and a process that only reads a study (``load_study``
then ``.trials``) must not pay for numpy because the study type mentions ``BasePruner``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from parabola.pruners._base import BasePruner

if TYPE_CHECKING:
    from parabola.pruners._hyperband import HyperbandPruner as HyperbandPruner
    from parabola.pruners._median import MedianPruner as MedianPruner
    from parabola.pruners._nop import NopPruner as NopPruner
    from parabola.pruners._patient import PatientPruner as PatientPruner
    from parabola.pruners._percentile import PercentilePruner as PercentilePruner
    from parabola.pruners._successive_halving import (
        SuccessiveHalvingPruner as SuccessiveHalvingPruner,
    )
    from parabola.pruners._threshold import ThresholdPruner as ThresholdPruner
    from parabola.pruners._wilcoxon import WilcoxonPruner as WilcoxonPruner

_LAZY = {
    "HyperbandPruner": "parabola.pruners._hyperband",
    "MedianPruner": "parabola.pruners._median",
    "NopPruner": "parabola.pruners._nop",
    "PatientPruner": "parabola.pruners._patient",
    "PercentilePruner": "parabola.pruners._percentile",
    "SuccessiveHalvingPruner": "parabola.pruners._successive_halving",
    "ThresholdPruner": "parabola.pruners._threshold",
    "WilcoxonPruner": "parabola.pruners._wilcoxon",
}

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


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'parabola.pruners' has no attribute '{name}'")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return list(__all__)
