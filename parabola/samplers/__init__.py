"""Samplers: strategies that propose parameter values for new trials.

Each sampler module is imported on first use (PEP 562), so a study that uses ``RandomSampler``
never pays for SciPy, which QMC and TPE need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from parabola.samplers._base import BaseSampler
from parabola.samplers._view import StudyView

if TYPE_CHECKING:
    from parabola.samplers._auto import AutoSampler as AutoSampler
    from parabola.samplers._brute_force import BruteForceSampler as BruteForceSampler
    from parabola.samplers._cmaes import CmaEsSampler as CmaEsSampler
    from parabola.samplers._gp import GPSampler as GPSampler
    from parabola.samplers._grid import GridSampler as GridSampler
    from parabola.samplers._nsga2 import BaseCrossover as BaseCrossover
    from parabola.samplers._nsga2 import BaseMutation as BaseMutation
    from parabola.samplers._nsga2 import BLXAlphaCrossover as BLXAlphaCrossover
    from parabola.samplers._nsga2 import NSGAIISampler as NSGAIISampler
    from parabola.samplers._nsga2 import PolynomialMutation as PolynomialMutation
    from parabola.samplers._nsga2 import SBXCrossover as SBXCrossover
    from parabola.samplers._nsga2 import SPXCrossover as SPXCrossover
    from parabola.samplers._nsga2 import UNDXCrossover as UNDXCrossover
    from parabola.samplers._nsga2 import UniformCrossover as UniformCrossover
    from parabola.samplers._nsga2 import VSBXCrossover as VSBXCrossover
    from parabola.samplers._nsga3 import NSGAIIISampler as NSGAIIISampler
    from parabola.samplers._partial_fixed import PartialFixedSampler as PartialFixedSampler
    from parabola.samplers._qmc import QMCSampler as QMCSampler
    from parabola.samplers._random import RandomSampler as RandomSampler
    from parabola.samplers._tpe import TPESampler as TPESampler

_LAZY = {
    "AutoSampler": "parabola.samplers._auto",
    "BruteForceSampler": "parabola.samplers._brute_force",
    "CmaEsSampler": "parabola.samplers._cmaes",
    "GPSampler": "parabola.samplers._gp",
    "BaseCrossover": "parabola.samplers._nsga2",
    "BaseMutation": "parabola.samplers._nsga2",
    "BLXAlphaCrossover": "parabola.samplers._nsga2",
    "NSGAIISampler": "parabola.samplers._nsga2",
    "PolynomialMutation": "parabola.samplers._nsga2",
    "SBXCrossover": "parabola.samplers._nsga2",
    "SPXCrossover": "parabola.samplers._nsga2",
    "UNDXCrossover": "parabola.samplers._nsga2",
    "UniformCrossover": "parabola.samplers._nsga2",
    "VSBXCrossover": "parabola.samplers._nsga2",
    "NSGAIIISampler": "parabola.samplers._nsga3",
    "GridSampler": "parabola.samplers._grid",
    "PartialFixedSampler": "parabola.samplers._partial_fixed",
    "QMCSampler": "parabola.samplers._qmc",
    "RandomSampler": "parabola.samplers._random",
    "TPESampler": "parabola.samplers._tpe",
}

__all__ = [
    "AutoSampler",
    "BLXAlphaCrossover",
    "BaseCrossover",
    "BaseMutation",
    "BaseSampler",
    "BruteForceSampler",
    "CmaEsSampler",
    "GPSampler",
    "GridSampler",
    "NSGAIIISampler",
    "NSGAIISampler",
    "PartialFixedSampler",
    "PolynomialMutation",
    "QMCSampler",
    "RandomSampler",
    "SBXCrossover",
    "SPXCrossover",
    "StudyView",
    "TPESampler",
    "UNDXCrossover",
    "UniformCrossover",
    "VSBXCrossover",
]


def __getattr__(name: str) -> Any:
    if name == "nsgaii":  # the operators' submodule, at Optuna's path
        return importlib.import_module("parabola.samplers.nsgaii")
    if name not in _LAZY:
        raise AttributeError(f"module 'parabola.samplers' has no attribute '{name}'")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return list(__all__)
