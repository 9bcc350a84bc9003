"""``NSGAIIISampler``: NSGA-III (Deb and Jain, 2014), with Optuna 5.0's interface."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from parabola.distributions import BaseDistribution
from parabola.samplers._nsga2._dominance import rank_fronts
from parabola.samplers._nsga2._operators import BaseCrossover, BaseMutation
from parabola.samplers._nsga2._sampler import NSGAIISampler, _objectives
from parabola.samplers._nsga3._niching import associate, das_dennis, niche_select, normalise
from parabola.samplers._view import StudyView
from parabola.trial._frozen import FrozenTrial
from parabola.trial._state import TrialState

__all__ = ["NSGAIIISampler"]

_Array = np.ndarray[Any, np.dtype[np.float64]]
GENERATION_KEY = "nsga3:generation"


class NSGAIIISampler(NSGAIISampler):
    """Multi-objective sampler using NSGA-III, with Optuna 5.0's interface.

    The same genetic algorithm as :class:`NSGAIISampler` (generations, tournaments,
    crossovers, mutation, constrained domination), except for how the last front that does
    not fit into the next parent population is cut: instead of crowding distance, each
    candidate is associated with the nearest of a set of reference directions (after
    normalising the objectives by the ideal point and the extreme points' hyperplane), and
    the least crowded directions admit members first. This keeps the population spread with
    many objectives, where crowding distance loses its meaning.

    Differences from Optuna: the normalisation sees maximised objectives flipped (Optuna
    normalises the raw values), a degenerate hyperplane with a non-positive intercept falls
    back to each objective's range, and the niching draws from a random state seeded by the
    trials it selects among (results do not depend on how many studies the sampler served).

    Args:
        population_size: Trials per generation (>= 2 and >= the crossover's ``n_parents``).
        mutation: A ``BaseMutation`` for numeric parameters; ``None`` resamples at random.
        mutation_prob: Probability that a parameter mutates; default ``1 / n_params``.
        crossover: The crossover of numeric parameters; default ``UniformCrossover``.
        crossover_prob: Probability that a child is a crossover rather than a copy.
        swapping_prob: The uniform crossover's probability of taking the second parent.
        seed: Seed of the random number generator.
        constraints_func: ``FrozenTrial -> sequence of floats``, ``> 0`` meaning violated.
        reference_points: Array ``(n_points, n_objectives)`` of reference directions (non-
            negative, not all zero); ``None``: Das and Dennis's points on the unit simplex
            with ``dividing_parameter`` divisions per objective (Optuna's default).
        dividing_parameter: Divisions per objective of the default reference points (>= 1);
            ``C(n_objectives + p - 1, p)`` points, 10 for 3 objectives and ``p = 3``.
        elite_population_selection_strategy: ``(study, trials) -> elite trials``, replacing
            the reference-point selection.
        child_generation_strategy: ``(study, search_space, parents) -> params``.
        after_trial_strategy: ``(study, trial, state, values) -> None``.

    Raises:
        TypeError: if an argument has the wrong type.
        ValueError: if an argument is out of range; when the study's number of objectives
            differs from the reference points' dimension (at the first trial).

    Example:
        >>> import parabola
        >>> sampler = parabola.samplers.NSGAIIISampler(population_size=12, seed=0)
        >>> study = parabola.create_study(directions=["minimize"] * 3, sampler=sampler,
        ...                               storage=parabola.storages.InMemoryStorage())
        >>> def objective(t):
        ...     x, y = t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1)
        ...     return x, y, 2 - x - y
        >>> study.optimize(objective, n_trials=48)
        >>> study.trials[-1].system_attrs["nsga3:generation"]
        3
    """

    _generation_key = GENERATION_KEY

    def __init__(
        self,
        *,
        population_size: int = 50,
        mutation: BaseMutation | None = None,
        mutation_prob: float | None = None,
        crossover: BaseCrossover | None = None,
        crossover_prob: float = 0.9,
        swapping_prob: float = 0.5,
        seed: int | None = None,
        constraints_func: Callable[[FrozenTrial], Sequence[float]] | None = None,
        reference_points: Any = None,
        dividing_parameter: int = 3,
        elite_population_selection_strategy: (
            Callable[[StudyView, list[FrozenTrial]], list[FrozenTrial]] | None
        ) = None,
        child_generation_strategy: (
            Callable[[StudyView, dict[str, BaseDistribution], list[FrozenTrial]], dict[str, Any]]
            | None
        ) = None,
        after_trial_strategy: (
            Callable[[StudyView, FrozenTrial, TrialState, Sequence[float] | None], None] | None
        ) = None,
    ) -> None:
        if isinstance(dividing_parameter, bool) or not isinstance(dividing_parameter, int):
            raise TypeError(f"`dividing_parameter` must be an int, got {dividing_parameter!r}.")
        if dividing_parameter < 1:
            raise ValueError(
                f"`dividing_parameter` must be greater than or equal to 1, got "
                f"{dividing_parameter}."
            )
        self._reference_points = _check_reference_points(reference_points)
        self._dividing_parameter = dividing_parameter
        self._das_dennis: dict[int, _Array] = {}
        super().__init__(
            population_size=population_size,
            mutation=mutation,
            mutation_prob=mutation_prob,
            crossover=crossover,
            crossover_prob=crossover_prob,
            swapping_prob=swapping_prob,
            seed=seed,
            constraints_func=constraints_func,
            elite_population_selection_strategy=elite_population_selection_strategy,
            child_generation_strategy=child_generation_strategy,
            after_trial_strategy=after_trial_strategy,
        )

    def infer_relative_search_space(
        self, study: StudyView, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        # Refuse a mismatched study at its first trial, not a generation later.
        self._reference_points_for(len(study.directions))
        return super().infer_relative_search_space(study, trial)

    def _reference_points_for(self, n_objectives: int) -> _Array:
        if self._reference_points is None:
            # Asked on every trial (to refuse a mismatched study early): built once per count.
            points = self._das_dennis.get(n_objectives)
            if points is None:
                points = das_dennis(n_objectives, self._dividing_parameter)
                points.flags.writeable = False  # shared by every later call
                self._das_dennis[n_objectives] = points
            return points
        if self._reference_points.shape[1] != n_objectives:
            raise ValueError(
                f"`reference_points` have dimension {self._reference_points.shape[1]}, but the "
                f"study has {n_objectives} objectives: give one coordinate per objective."
            )
        return self._reference_points

    def _select_elite(self, study: StudyView, trials: list[FrozenTrial]) -> list[FrozenTrial]:
        values, violation = _objectives(study, trials)
        elite: list[int] = []
        for front in rank_fronts(values, violation):
            if len(elite) + len(front) < self._population_size:
                elite.extend(front)
                continue
            points = self._reference_points_for(values.shape[1])
            candidates = elite + front
            nearest, distance = associate(normalise(values[candidates]), points)
            # Seeded by the trials selected among: the same trials give the same selection.
            newest = max(t.number for t in trials)
            rng = np.random.RandomState(self._trial_seed(newest) ^ 0x5BD1E995)
            picked = niche_select(
                self._population_size - len(elite), len(elite), nearest, distance, len(points), rng
            )
            elite.extend(front[k] for k in picked)
            break
        return [trials[i] for i in elite]


def _check_reference_points(reference_points: Any) -> _Array | None:
    if reference_points is None:
        return None
    try:
        points = np.array(reference_points, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(
            "`reference_points` must be a 2-D array of floats (n_points, n_objectives), got "
            f"{reference_points!r}."
        ) from None
    if points.ndim != 2 or points.shape[0] == 0 or points.shape[1] < 2:
        raise ValueError(
            "`reference_points` must be a 2-D array (n_points, n_objectives) with at least one "
            f"point and two objectives, got shape {points.shape}."
        )
    if not np.all(np.isfinite(points)) or np.any(points < 0) or np.any(points.sum(axis=1) <= 0):
        raise ValueError(
            "`reference_points` must be finite and non-negative, each point with a positive "
            "coordinate (a direction from the ideal point)."
        )
    return points
