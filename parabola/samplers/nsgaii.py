"""NSGA-II's crossovers and mutations, at the path Optuna users import them from.

``optuna.samplers.nsgaii.SBXCrossover`` under the drop-in switch, or
``parabola.samplers.nsgaii.SBXCrossover``: the same classes as ``parabola.samplers``'s.

Example:
    >>> from parabola.samplers.nsgaii import SBXCrossover
    >>> import parabola
    >>> SBXCrossover is parabola.samplers.SBXCrossover
    True
"""

from __future__ import annotations

from parabola.samplers._nsga2._operators import (
    BaseCrossover,
    BaseMutation,
    BLXAlphaCrossover,
    PolynomialMutation,
    SBXCrossover,
    SPXCrossover,
    UNDXCrossover,
    UniformCrossover,
    VSBXCrossover,
)

__all__ = [
    "BLXAlphaCrossover",
    "BaseCrossover",
    "BaseMutation",
    "PolynomialMutation",
    "SBXCrossover",
    "SPXCrossover",
    "UNDXCrossover",
    "UniformCrossover",
    "VSBXCrossover",
]
