"""NSGA-II's variation operators: crossovers and mutations on the unit cube.

Numeric parameters are encoded in ``[0, 1]`` (log scale for ``log=True``, integers and steps
on equal slices); a crossover returns one child from ``n_parents`` parents, a mutation moves
one coordinate. The sampler retries a crossover whose child leaves the cube.
"""

from __future__ import annotations

import abc
from typing import Any

import numpy as np

__all__ = [
    "BLXAlphaCrossover",
    "BaseCrossover",
    "BaseMutation",
    "PolynomialMutation",
    "SBXCrossover",
    "SPXCrossover",
    "UniformCrossover",
]

_Array = np.ndarray[Any, np.dtype[np.float64]]


class BaseCrossover(abc.ABC):
    """A crossover: ``n_parents`` points of the unit cube in, one child out."""

    def __str__(self) -> str:
        return self.__class__.__name__

    @property
    @abc.abstractmethod
    def n_parents(self) -> int:
        """How many parents :meth:`crossover` takes."""

    @abc.abstractmethod
    def crossover(self, parents: _Array, rng: np.random.RandomState) -> _Array:
        """Return a child of ``parents`` (shape ``(n_parents, dim)``, values in ``[0, 1]``)."""


class UniformCrossover(BaseCrossover):
    """Each coordinate from the first or (with ``swapping_prob``) the second parent.

    Args:
        swapping_prob: Probability of taking a coordinate from the second parent, in [0, 1].

    Example:
        >>> import numpy as np
        >>> child = UniformCrossover(0.0).crossover(np.array([[0.1, 0.2], [0.9, 0.8]]),
        ...                                         np.random.RandomState(0))
        >>> child.tolist()
        [0.1, 0.2]
    """

    def __init__(self, swapping_prob: float = 0.5) -> None:
        if not 0.0 <= swapping_prob <= 1.0:
            raise ValueError(
                f"`swapping_prob` must be a float value within [0, 1], got {swapping_prob}."
            )
        self._swapping_prob = swapping_prob

    @property
    def n_parents(self) -> int:
        return 2

    def crossover(self, parents: _Array, rng: np.random.RandomState) -> _Array:
        take_second = rng.rand(parents.shape[1]) < self._swapping_prob
        out: _Array = np.where(take_second, parents[1], parents[0])
        return out


class BLXAlphaCrossover(BaseCrossover):
    """Blend crossover: uniform in the parents' box widened by ``alpha`` on each side.

    Args:
        alpha: Widening of the box, as a fraction of its width (>= 0).

    Example:
        >>> import numpy as np
        >>> parents = np.array([[0.4, 0.4], [0.6, 0.6]])
        >>> child = BLXAlphaCrossover(0.5).crossover(parents, np.random.RandomState(0))
        >>> bool(np.all((child >= 0.3) & (child <= 0.7)))
        True
    """

    def __init__(self, alpha: float = 0.5) -> None:
        if not alpha >= 0.0:
            raise ValueError(f"`alpha` must be >= 0, got {alpha}.")
        self._alpha = alpha

    @property
    def n_parents(self) -> int:
        return 2

    def crossover(self, parents: _Array, rng: np.random.RandomState) -> _Array:
        lo, hi = parents.min(axis=0), parents.max(axis=0)
        d = hi - lo
        out: _Array = rng.uniform(lo - self._alpha * d, hi + self._alpha * d)
        return out


class SPXCrossover(BaseCrossover):
    """Simplex crossover (Tsutsui et al., 1999): uniform in the parents' simplex expanded by
    ``epsilon`` around its centroid, from three parents (as Optuna).

    Args:
        epsilon: Expansion rate; default ``sqrt(n_parents + 1)``.

    Example:
        >>> import numpy as np
        >>> parents = np.array([[0.5, 0.5], [0.6, 0.5], [0.5, 0.6]])
        >>> child = SPXCrossover().crossover(parents, np.random.RandomState(0))
        >>> child.shape
        (2,)
    """

    def __init__(self, epsilon: float | None = None) -> None:
        if epsilon is not None and not epsilon > 0:
            raise ValueError(f"`epsilon` must be positive, got {epsilon}.")
        self._epsilon = epsilon

    @property
    def n_parents(self) -> int:
        return 3

    def crossover(self, parents: _Array, rng: np.random.RandomState) -> _Array:
        n = len(parents)
        eps = np.sqrt(n + 1) if self._epsilon is None else self._epsilon
        centroid = parents.mean(axis=0)
        vertices = centroid + eps * (parents - centroid)
        # Tsutsui's recursion: c_k = r_k (x_{k-1} - x_k + c_{k-1}) with r_k = u^(1/k).
        c = np.zeros(parents.shape[1])
        for k in range(1, n):
            r = rng.rand() ** (1.0 / k)
            c = r * (vertices[k - 1] - vertices[k] + c)
        out: _Array = vertices[-1] + c
        return out


class SBXCrossover(BaseCrossover):
    """Simulated binary crossover (Deb and Agrawal, 1995), bounded to the unit cube.

    Each coordinate crosses with probability ``uniform_crossover_prob`` (else it is the first
    parent's); the child takes one of SBX's two offspring values at random.

    Args:
        eta: Distribution index (>= 0): larger keeps the child closer to its parents. Optuna
            defaults to 2 for one objective and 20 for several; here the default is 20.
        uniform_crossover_prob: Probability that a coordinate crosses, in [0, 1].

    Example:
        >>> import numpy as np
        >>> child = SBXCrossover().crossover(np.array([[0.2, 0.2], [0.8, 0.8]]),
        ...                                  np.random.RandomState(0))
        >>> bool(np.all((child >= 0.0) & (child <= 1.0)))
        True
    """

    def __init__(self, eta: float | None = None, uniform_crossover_prob: float = 0.5) -> None:
        if eta is not None and not eta >= 0:
            raise ValueError(f"`eta` must be a non-negative float value, got {eta}.")
        if not 0.0 <= uniform_crossover_prob <= 1.0:
            raise ValueError(
                "`uniform_crossover_prob` must be a float value within [0, 1], got "
                f"{uniform_crossover_prob}."
            )
        self._eta = 20.0 if eta is None else float(eta)
        self._p = uniform_crossover_prob

    @property
    def n_parents(self) -> int:
        return 2

    def crossover(self, parents: _Array, rng: np.random.RandomState) -> _Array:
        lo, hi = np.minimum(parents[0], parents[1]), np.maximum(parents[0], parents[1])
        d = np.maximum(hi - lo, 1e-14)
        u = rng.rand(len(lo))
        power = 1.0 / (self._eta + 1.0)

        def spread(beta: _Array) -> _Array:
            alpha = 2.0 - beta ** -(self._eta + 1.0)
            out: _Array = np.where(
                u <= 1.0 / alpha, (u * alpha) ** power, (1.0 / (2.0 - u * alpha)) ** power
            )
            return out

        c1 = 0.5 * (lo + hi - spread(1.0 + 2.0 * lo / d) * d)
        c2 = 0.5 * (lo + hi + spread(1.0 + 2.0 * (1.0 - hi) / d) * d)
        pick = np.where(rng.rand(len(lo)) < 0.5, c1, c2)
        cross = (rng.rand(len(lo)) < self._p) & (hi - lo > 1e-14)
        out: _Array = np.clip(np.where(cross, pick, parents[0]), 0.0, 1.0)
        return out


class BaseMutation(abc.ABC):
    """A mutation: one coordinate of the unit cube in, a new one out."""

    def __str__(self) -> str:
        return self.__class__.__name__

    @abc.abstractmethod
    def mutation(self, value: float, rng: np.random.RandomState) -> float:
        """Return the mutated coordinate (in ``[0, 1]``)."""


class PolynomialMutation(BaseMutation):
    """Deb's polynomial mutation (NSGA-II C code, revision 1.1.6), bounded to ``[0, 1]``.

    Args:
        eta: Distribution index (>= 0): larger keeps the mutated value closer.

    Example:
        >>> import numpy as np
        >>> v = PolynomialMutation(20.0).mutation(0.5, np.random.RandomState(0))
        >>> 0.0 <= v <= 1.0
        True
    """

    def __init__(self, eta: float = 20.0) -> None:
        if not eta >= 0:
            raise ValueError(f"`eta` must be a non-negative float value, got {eta}.")
        self._eta = eta

    def mutation(self, value: float, rng: np.random.RandomState) -> float:
        u = float(rng.rand())
        power = 1.0 / (self._eta + 1.0)
        if u <= 0.5:
            xy = 1.0 - value
            delta = (2.0 * u + (1.0 - 2.0 * u) * xy ** (self._eta + 1.0)) ** power - 1.0
        else:
            xy = value
            delta = 1.0 - (2.0 * (1.0 - u) + 2.0 * (u - 0.5) * xy ** (self._eta + 1.0)) ** power
        return float(min(max(value + delta, 0.0), 1.0))
