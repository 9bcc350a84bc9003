"""NSGA-II's variation operators: crossovers and mutations on the unit cube.

Numeric parameters are encoded in ``[0, 1]`` (log scale for ``log=True``, integers and steps
on equal slices); a crossover returns one child from ``n_parents`` parents, a mutation moves
one coordinate. The sampler retries a crossover whose child leaves the cube.
"""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from parabola.samplers._view import StudyView

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

_Array = np.ndarray[Any, np.dtype[np.float64]]


def _unit_bounds(dim: int) -> _Array:
    return np.tile(np.array([0.0, 1.0]), (dim, 1))


class BaseCrossover(abc.ABC):
    """A crossover: ``n_parents`` points of the unit cube in, one child out."""

    def __str__(self) -> str:
        return self.__class__.__name__

    @property
    @abc.abstractmethod
    def n_parents(self) -> int:
        """How many parents :meth:`crossover` takes."""

    @abc.abstractmethod
    def crossover(
        self,
        parents: _Array,
        rng: np.random.RandomState,
        study: StudyView | None = None,
        search_space_bounds: _Array | None = None,
    ) -> _Array:
        """Return a child of ``parents``.

        The signature is Optuna's, so a crossover written for Optuna runs unchanged.

        Args:
            parents: Shape ``(n_parents, dim)``, values in ``[0, 1]``.
            rng: The random state to draw from (the sampler's, seeded per trial).
            study: The study (``None`` outside a sampler): SBX's default ``eta`` depends on
                its number of objectives.
            search_space_bounds: Shape ``(dim, 2)``; the sampler passes the unit cube.

        Returns:
            The child, shape ``(dim,)``; outside the cube, the sampler draws new parents.
        """


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

    def crossover(
        self,
        parents: _Array,
        rng: np.random.RandomState,
        study: StudyView | None = None,
        search_space_bounds: _Array | None = None,
    ) -> _Array:
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

    def crossover(
        self,
        parents: _Array,
        rng: np.random.RandomState,
        study: StudyView | None = None,
        search_space_bounds: _Array | None = None,
    ) -> _Array:
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

    def crossover(
        self,
        parents: _Array,
        rng: np.random.RandomState,
        study: StudyView | None = None,
        search_space_bounds: _Array | None = None,
    ) -> _Array:
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


def _default_eta(eta: float | None, study: StudyView | None) -> float:
    # Optuna's default: 20 with several objectives (children near their parents), 2 with one.
    if eta is not None:
        return float(eta)
    return 2.0 if study is not None and len(study.directions) == 1 else 20.0


class _TwoChildCrossover(BaseCrossover):
    """What SBX and vSBX share: two parents, their arguments, and the checks on them."""

    def __init__(
        self,
        eta: float | None = None,
        uniform_crossover_prob: float = 0.5,
        use_child_gene_prob: float = 0.5,
    ) -> None:
        if eta is not None and not eta >= 0:
            raise ValueError(f"`eta` must be a non-negative float value or None, got {eta}.")
        if not 0.0 <= uniform_crossover_prob <= 1.0:
            raise ValueError(
                "`uniform_crossover_prob` must be a float value within [0, 1], got "
                f"{uniform_crossover_prob}."
            )
        if not 0.0 < use_child_gene_prob <= 1.0:
            raise ValueError(
                "`use_child_gene_prob` must be a float value within (0, 1], got "
                f"{use_child_gene_prob}."
            )
        self._eta = eta
        self._uniform_crossover_prob = uniform_crossover_prob
        self._use_child_gene_prob = use_child_gene_prob

    @property
    def n_parents(self) -> int:
        return 2


def _one_of_two_children(
    c1: _Array,
    c2: _Array,
    parents: _Array,
    rng: np.random.RandomState,
    uniform_crossover_prob: float,
    use_child_gene_prob: float,
) -> _Array:
    """Optuna's way of making SBX's and vSBX's two children into one.

    Per coordinate: with ``use_child_gene_prob`` the pair is the children's values, else the
    parents'; with ``uniform_crossover_prob`` the pair is swapped. Then one of the two
    resulting vectors at random.
    """
    d = parents.shape[1]
    use_child = rng.rand(d) < use_child_gene_prob
    swap = rng.rand(d) < uniform_crossover_prob
    first = np.where(use_child, c1, parents[0])
    second = np.where(use_child, c2, parents[1])
    first, second = np.where(swap, second, first), np.where(swap, first, second)
    out: _Array = first if rng.rand() < 0.5 else second
    return out


class SBXCrossover(_TwoChildCrossover):
    """Simulated binary crossover (Deb and Agrawal, 1995), bounded to the unit cube.

    SBX makes two children around two parents, spread by a polynomial distribution whose
    tails stop at the bounds. As in Optuna, they are made into one: per coordinate the
    children's values are used with ``use_child_gene_prob`` (else the parents'), swapped
    with ``uniform_crossover_prob``, and one of the two vectors is returned.

    Args:
        eta: Distribution index (>= 0): larger keeps the children closer to their parents.
            ``None`` (default): 20 for a multi-objective study, 2 for a single objective
            (Optuna's defaults).
        uniform_crossover_prob: Probability of swapping a coordinate between the two
            children, in [0, 1].
        use_child_gene_prob: Probability of using the children's value of a coordinate
            rather than the parents', in (0, 1].

    Raises:
        ValueError: if an argument is out of range (the message names it).

    Example:
        >>> import numpy as np
        >>> child = SBXCrossover().crossover(np.array([[0.2, 0.2], [0.8, 0.8]]),
        ...                                  np.random.RandomState(0))
        >>> bool(np.all((child >= 0.0) & (child <= 1.0)))
        True
    """

    def crossover(
        self,
        parents: _Array,
        rng: np.random.RandomState,
        study: StudyView | None = None,
        search_space_bounds: _Array | None = None,
    ) -> _Array:
        eta = _default_eta(self._eta, study)
        d = parents.shape[1]
        bounds = _unit_bounds(d) if search_space_bounds is None else search_space_bounds
        lo, hi = parents.min(axis=0), parents.max(axis=0)
        diff = np.maximum(hi - lo, 1e-10)
        power = 1.0 / (eta + 1.0)
        u = rng.rand(d)

        def spread(beta: _Array) -> _Array:
            # The polynomial's inverse CDF, truncated so that the child stays in bounds.
            alpha = 2.0 - beta ** -(eta + 1.0)
            with np.errstate(divide="ignore", invalid="ignore"):
                inner = np.where(u > 1.0 / alpha, 1.0 / (2.0 - u * alpha), u * alpha)
            out: _Array = inner**power
            return out

        c1 = 0.5 * (lo + hi - spread(1.0 + 2.0 * (lo - bounds[:, 0]) / diff) * diff)
        c2 = 0.5 * (lo + hi + spread(1.0 + 2.0 * (bounds[:, 1] - hi) / diff) * diff)
        return _one_of_two_children(
            c1, c2, parents, rng, self._uniform_crossover_prob, self._use_child_gene_prob
        )


class VSBXCrossover(_TwoChildCrossover):
    """Modified simulated binary crossover, vSBX (Ballester and Carter, 2003).

    Like :class:`SBXCrossover` but without SBX's bound-dependent truncation, so no region of
    the space is excluded; children can leave the cube, and the sampler then draws new
    parents (as Optuna does). Two children are made into one as in :class:`SBXCrossover`.

    Args:
        eta: Distribution index (>= 0); ``None``: 20 for several objectives, 2 for one.
        uniform_crossover_prob: Probability of swapping a coordinate between the two
            children, in [0, 1].
        use_child_gene_prob: Probability of using the children's value of a coordinate
            rather than the parents', in (0, 1].

    Raises:
        ValueError: if an argument is out of range (the message names it).

    Example:
        >>> import numpy as np
        >>> child = VSBXCrossover(eta=20).crossover(np.array([[0.4, 0.4], [0.6, 0.6]]),
        ...                                         np.random.RandomState(0))
        >>> child.shape
        (2,)
    """

    def crossover(
        self,
        parents: _Array,
        rng: np.random.RandomState,
        study: StudyView | None = None,
        search_space_bounds: _Array | None = None,
    ) -> _Array:
        eta = _default_eta(self._eta, study)
        u = rng.rand(parents.shape[1])
        power = 1.0 / (eta + 1.0)
        beta1 = (1.0 / np.maximum(2.0 * u, 1e-10)) ** power
        beta2 = (1.0 / np.maximum(2.0 * (1.0 - u), 1e-10)) ** power
        x1, x2 = parents[0], parents[1]
        if rng.rand() <= 0.5:
            c1 = 0.5 * ((1 + beta1) * x1 + (1 - beta2) * x2)
        else:
            c1 = 0.5 * ((1 - beta1) * x1 + (1 + beta2) * x2)
        if rng.rand() <= 0.5:
            c2 = 0.5 * ((3 - beta1) * x1 - (1 - beta2) * x2)
        else:
            c2 = 0.5 * (-(1 - beta1) * x1 + (3 - beta2) * x2)
        return _one_of_two_children(
            c1, c2, parents, rng, self._uniform_crossover_prob, self._use_child_gene_prob
        )


class UNDXCrossover(BaseCrossover):
    """Unimodal normal distribution crossover, UNDX (Ono and Kobayashi; Kita et al., 1999).

    From three parents: a normal distribution centred between the first two, stretched along
    the line joining them by ``sigma_xi`` and across it, in proportion to the third parent's
    distance from that line, by ``sigma_eta``. Children can leave the cube; the sampler then
    draws new parents (as Optuna does).

    Unlike Optuna, which passes ``sigma ** 2`` to ``numpy``'s ``normal`` as the standard
    deviation, here the standard deviations are ``sigma_xi`` and ``sigma_eta``, as in the
    paper; and the geometry is that of the unit cube (every parameter scaled to ``[0, 1]``),
    not of the parameters' raw ranges.

    Args:
        sigma_xi: Standard deviation along the line joining the first two parents (> 0).
        sigma_eta: Standard deviation across it (> 0); ``None``: ``0.35 / sqrt(dim)``.

    Raises:
        ValueError: if an argument is out of range (the message names it).

    Example:
        >>> import numpy as np
        >>> parents = np.array([[0.4, 0.5], [0.6, 0.5], [0.5, 0.6]])
        >>> UNDXCrossover().crossover(parents, np.random.RandomState(0)).shape
        (2,)
    """

    def __init__(self, sigma_xi: float = 0.5, sigma_eta: float | None = None) -> None:
        if not sigma_xi > 0:
            raise ValueError(f"`sigma_xi` must be a positive float value, got {sigma_xi}.")
        if sigma_eta is not None and not sigma_eta > 0:
            raise ValueError(
                f"`sigma_eta` must be a positive float value or None, got {sigma_eta}."
            )
        self._sigma_xi = sigma_xi
        self._sigma_eta = sigma_eta

    @property
    def n_parents(self) -> int:
        return 3

    def crossover(
        self,
        parents: _Array,
        rng: np.random.RandomState,
        study: StudyView | None = None,
        search_space_bounds: _Array | None = None,
    ) -> _Array:
        n = parents.shape[1]
        sigma_eta = 0.35 / np.sqrt(n) if self._sigma_eta is None else self._sigma_eta
        x1, x2, x3 = parents[0], parents[1], parents[2]
        middle = 0.5 * (x1 + x2)
        d = x1 - x2
        xi = rng.normal(0.0, self._sigma_xi)
        etas = rng.normal(0.0, sigma_eta, size=n)
        child: _Array = middle + xi * d
        if n == 1:
            return child
        # An orthonormal basis of the subspace orthogonal to the primary search line x1-x2.
        norm = float(np.linalg.norm(x2 - x1))
        e12 = (x2 - x1) / max(norm, 1e-10)
        basis = np.identity(n)
        if norm > 0:
            basis[0] = e12
        q, _ = np.linalg.qr(basis.T)
        across = q.T[1:]
        v13 = x3 - x1
        distance = float(np.linalg.norm(v13 - np.dot(v13, e12) * e12))
        out: _Array = child + distance * (etas[: n - 1] @ across)
        return out


class BaseMutation(abc.ABC):
    """A mutation: one coordinate of the unit cube in, a new one out."""

    def __str__(self) -> str:
        return self.__class__.__name__

    @abc.abstractmethod
    def mutation(
        self,
        value: float,
        rng: np.random.RandomState,
        study: StudyView | None = None,
        search_space_bounds: _Array | None = None,
    ) -> float:
        """Return the mutated coordinate.

        The signature is Optuna's, so a mutation written for Optuna runs unchanged.

        Args:
            value: The coordinate, in ``[0, 1]``.
            rng: The random state to draw from (the sampler's, seeded per trial).
            study: The study (``None`` outside a sampler).
            search_space_bounds: The coordinate's bounds, ``[0.0, 1.0]`` from the sampler.

        Returns:
            The mutated coordinate; the sampler clips it to ``[0, 1]``.
        """


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

    def mutation(
        self,
        value: float,
        rng: np.random.RandomState,
        study: StudyView | None = None,
        search_space_bounds: _Array | None = None,
    ) -> float:
        u = float(rng.rand())
        power = 1.0 / (self._eta + 1.0)
        if u <= 0.5:
            xy = 1.0 - value
            delta = (2.0 * u + (1.0 - 2.0 * u) * xy ** (self._eta + 1.0)) ** power - 1.0
        else:
            xy = value
            delta = 1.0 - (2.0 * (1.0 - u) + 2.0 * (u - 0.5) * xy ** (self._eta + 1.0)) ** power
        return float(min(max(value + delta, 0.0), 1.0))
