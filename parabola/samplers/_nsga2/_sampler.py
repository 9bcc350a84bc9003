"""``NSGAIISampler``: the elitist genetic algorithm NSGA-II, with Optuna 5.0's interface."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from parabola._study_direction import StudyDirection
from parabola.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    from_unit,
    to_unit,
)
from parabola.samplers._base import BaseSampler
from parabola.samplers._nsga2._dominance import crowding_distance, rank_fronts
from parabola.samplers._nsga2._operators import BaseCrossover, BaseMutation, UniformCrossover
from parabola.samplers._random import RandomSampler
from parabola.samplers._view import StudyView
from parabola.search_space import IntersectionSearchSpace
from parabola.trial._frozen import CONSTRAINTS_KEY, FrozenTrial
from parabola.trial._state import TrialState

__all__ = ["NSGAIISampler"]

_Array = np.ndarray[Any, np.dtype[np.float64]]
GENERATION_KEY = "nsga2:generation"
_MAX_RETRIES = 100


@dataclass
class _Lineage:
    """Parent populations computed so far for one study (trial numbers per generation)."""

    parents: list[list[int]] = field(default_factory=list)


class NSGAIISampler(BaseSampler):
    """Multi-objective sampler using NSGA-II (Deb et al., 2002), with Optuna 5.0's interface.

    Trials are grouped in generations of ``population_size`` (the generation is the system
    attribute ``nsga2:generation``). The first generation is sampled by ``RandomSampler``;
    each later trial is a child of the parent population, the elite of the previous parents
    and the last complete generation (non-dominated sorting, then crowding distance; with
    constraints, Deb's constrained domination). A child is, with ``crossover_prob``, a
    crossover of parents chosen by binary tournament, else a copy of one parent; then each
    parameter mutates with ``mutation_prob``: through ``mutation`` if given, else by being
    resampled at random (Optuna's default).

    Parent populations are kept in memory and only extended when a generation completes, so
    a trial costs ``O(population_size)`` however long the study.

    Args:
        population_size: Trials per generation (>= 2).
        mutation: A :class:`PolynomialMutation` (or another ``BaseMutation``) for numeric
            parameters; ``None`` resamples mutated parameters at random.
        mutation_prob: Probability that a parameter mutates; default ``1 / n_params``.
        crossover: The crossover of numeric parameters; default :class:`UniformCrossover`.
            Categorical parameters always cross uniformly.
        crossover_prob: Probability that a child is a crossover rather than a copy.
        swapping_prob: The uniform crossover's probability of taking the second parent.
        seed: Seed of the random number generator.
        constraints_func: ``FrozenTrial -> sequence of floats``, ``> 0`` meaning violated
            (``Trial.set_constraint`` works too).
        elite_population_selection_strategy: ``(study, trials) -> elite trials``, replacing
            the default selection.
        child_generation_strategy: ``(study, search_space, parents) -> params``, replacing
            crossover and mutation.

    Raises:
        TypeError: if an argument has the wrong type.
        ValueError: if an argument is out of range.

    Example:
        >>> import parabola
        >>> sampler = parabola.samplers.NSGAIISampler(population_size=10, seed=0)
        >>> study = parabola.create_study(directions=["minimize", "minimize"], sampler=sampler,
        ...                               storage=parabola.storages.InMemoryStorage())
        >>> def objective(t):
        ...     x = t.suggest_float("x", 0, 1)
        ...     return x, (1 - x) ** 2
        >>> study.optimize(objective, n_trials=50)
        >>> len(study.best_trials) > 5
        True
    """

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
        elite_population_selection_strategy: (
            Callable[[StudyView, list[FrozenTrial]], list[FrozenTrial]] | None
        ) = None,
        child_generation_strategy: (
            Callable[[StudyView, dict[str, BaseDistribution], list[FrozenTrial]], dict[str, Any]]
            | None
        ) = None,
    ) -> None:
        if isinstance(population_size, bool) or not isinstance(population_size, int):
            raise TypeError(f"`population_size` must be an int, got {population_size!r}.")
        if population_size < 2:
            raise ValueError(
                f"`population_size` must be greater than or equal to 2, got {population_size}."
            )
        if crossover is None:
            crossover = UniformCrossover(swapping_prob)
        if not isinstance(crossover, BaseCrossover):
            raise ValueError(
                f"'{crossover}' is not a valid crossover: `crossover` must be a BaseCrossover."
            )
        if population_size < crossover.n_parents:
            raise ValueError(
                f"`population_size` ({population_size}) must be >= the crossover's "
                f"n_parents ({crossover.n_parents})."
            )
        if mutation is not None and not isinstance(mutation, BaseMutation):
            raise ValueError(
                f"'{mutation}' is not a valid mutation: `mutation` must be a BaseMutation."
            )
        for name, p in (
            ("mutation_prob", mutation_prob),
            ("crossover_prob", crossover_prob),
            ("swapping_prob", swapping_prob),
        ):
            if p is not None and not (isinstance(p, (int, float)) and 0.0 <= p <= 1.0):
                raise ValueError(f"`{name}` must be a float value within [0, 1], got {p!r}.")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise TypeError(f"`seed` must be an int, got {seed!r}.")
        self._population_size = population_size
        self._mutation = mutation
        self._mutation_prob = mutation_prob
        self._crossover = crossover
        self._crossover_prob = crossover_prob
        self._swapping_prob = swapping_prob
        self._constraints_func = constraints_func
        self._elite = elite_population_selection_strategy or self._select_elite
        self._child = child_generation_strategy or self._make_child
        self._random = RandomSampler(seed=seed)
        self._seed_base = int(np.random.RandomState(seed).randint(2**31 - 1))
        self._search_space = IntersectionSearchSpace()
        self._lineages: dict[str, _Lineage] = {}
        self._lock = threading.Lock()
        # The child's random state, per thread: trials sampled in parallel do not share it.
        self._local = threading.local()

    def reseed_rng(self) -> None:
        self._seed_base = int(np.random.RandomState().randint(2**31 - 1))
        self._random.reseed_rng()

    def infer_relative_search_space(
        self, study: StudyView, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        return {n: d for n, d in self._search_space.calculate(study).items() if not d.single()}

    def sample_relative(
        self, study: StudyView, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        generation, parents = self._parent_population(study)
        study.set_trial_system_attr(trial, GENERATION_KEY, generation + 1)
        if generation < 0 or not search_space:
            return {}
        self._local.rng = np.random.RandomState(self._trial_seed(trial.number))
        return self._child(study, search_space, parents)

    def sample_independent(
        self,
        study: StudyView,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        # Generation 0, mutated parameters and parameters outside the joint space.
        return self._random.sample_independent(study, trial, param_name, param_distribution)

    def before_trial(self, study: StudyView, trial: FrozenTrial) -> None:
        self._random.before_trial(study, trial)

    def after_trial(
        self,
        study: StudyView,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        if self._constraints_func is not None and state in (TrialState.COMPLETE, TrialState.PRUNED):
            con = [float(c) for c in self._constraints_func(trial)]
            if any(math.isnan(c) for c in con):
                raise ValueError("NSGAIISampler(constraints_func=...): returned a NaN constraint.")
            study.set_trial_system_attr(
                trial, CONSTRAINTS_KEY, {str(i): c for i, c in enumerate(con)}
            )
        self._random.after_trial(study, trial, state, values)

    # Generations ------------------------------------------------------------------------
    def _trial_seed(self, number: int) -> int:
        return int(np.random.SeedSequence([self._seed_base, number]).generate_state(1)[0])

    def _parent_population(self, study: StudyView) -> tuple[int, list[FrozenTrial]]:
        """The last parent generation's index (-1: none yet) and its trials."""
        trials = study.get_trials(deepcopy=False)
        by_number = {t.number: t for t in trials}
        per_gen: dict[int, list[FrozenTrial]] = {}
        for t in trials:
            g = t.system_attrs.get(GENERATION_KEY)
            if g is not None and t.state == TrialState.COMPLETE:
                per_gen.setdefault(int(g), []).append(t)
        with self._lock:
            lineage = self._lineages.setdefault(study.study_name, _Lineage())
            while True:
                g = len(lineage.parents)
                population = per_gen.get(g, [])
                # With several workers a generation can hold more than population_size trials.
                if len(population) < self._population_size:
                    break
                previous = [by_number[n] for n in lineage.parents[-1]] if lineage.parents else []
                elite = self._elite(study, previous + population)
                lineage.parents.append([t.number for t in elite])
            if not lineage.parents:
                return -1, []
            return len(lineage.parents) - 1, [by_number[n] for n in lineage.parents[-1]]

    def _select_elite(self, study: StudyView, trials: list[FrozenTrial]) -> list[FrozenTrial]:
        values, violation = _objectives(study, trials)
        elite: list[FrozenTrial] = []
        for front in rank_fronts(values, violation):
            if len(elite) + len(front) <= self._population_size:
                elite.extend(trials[i] for i in front)
                if len(elite) == self._population_size:
                    break
                continue
            crowd = crowding_distance(values[front])
            # Most isolated first; ties by trial number, so the result does not depend on
            # the order the store returned the trials in.
            order = sorted(range(len(front)), key=lambda k: (-crowd[k], trials[front[k]].number))
            elite.extend(trials[front[k]] for k in order[: self._population_size - len(elite)])
            break
        return elite

    # Children ---------------------------------------------------------------------------
    def _make_child(
        self,
        study: StudyView,
        search_space: dict[str, BaseDistribution],
        parents: list[FrozenTrial],
    ) -> dict[str, Any]:
        rng: np.random.RandomState = self._local.rng
        numeric = {
            n: d for n, d in search_space.items() if not isinstance(d, CategoricalDistribution)
        }
        categorical = [n for n in search_space if n not in numeric]
        values, violation = _objectives(study, parents)
        if rng.rand() < self._crossover_prob:
            for _ in range(_MAX_RETRIES):
                chosen = _tournament(parents, values, violation, self._crossover.n_parents, rng)
                x = self._crossover.crossover(_encode(chosen, numeric), rng) if numeric else None
                if x is None or np.all((x >= 0.0) & (x <= 1.0)):
                    break
            else:
                assert x is not None
                x = np.clip(x, 0.0, 1.0)
            take_second = rng.rand(len(categorical)) < self._swapping_prob
            child_cat = {
                n: chosen[int(s)].params[n] for n, s in zip(categorical, take_second, strict=True)
            }
        else:
            one = parents[rng.randint(len(parents))]
            x = _encode([one], numeric)[0] if numeric else None
            child_cat = {n: one.params[n] for n in categorical}
        params: dict[str, Any] = {}
        n_params = len(search_space)
        p_mut = 1.0 / max(1.0, n_params) if self._mutation_prob is None else self._mutation_prob
        for i, (name, dist) in enumerate(numeric.items()):
            assert x is not None
            u = float(x[i])
            if rng.rand() < p_mut:
                if self._mutation is None:
                    continue  # resampled at random by sample_independent
                u = self._mutation.mutation(u, rng)
            params[name] = dist.to_external_repr(from_unit(dist, u))
        for name in categorical:
            if rng.rand() >= p_mut:
                params[name] = child_cat[name]
        return params


def _encode(trials: Sequence[FrozenTrial], space: dict[str, BaseDistribution]) -> _Array:
    return np.array(
        [[to_unit(d, d.to_internal_repr(t.params[n])) for n, d in space.items()] for t in trials]
    )


def _objectives(study: StudyView, trials: Sequence[FrozenTrial]) -> tuple[_Array, _Array | None]:
    """Minimised values, and the total violations when any trial has constraints."""
    signs = np.array([1.0 if d == StudyDirection.MINIMIZE else -1.0 for d in study.directions])
    values = np.array([t.values for t in trials], dtype=float).reshape(len(trials), -1) * signs
    if not any(t.constraints for t in trials):
        return values, None
    violation = np.array(
        [
            sum(max(0.0, c) for c in t.constraints.values()) if t.constraints else np.inf
            for t in trials
        ]
    )
    return values, violation


def _tournament(
    parents: list[FrozenTrial],
    values: _Array,
    violation: _Array | None,
    n: int,
    rng: np.random.RandomState,
) -> list[FrozenTrial]:
    """``n`` distinct parents, each the better of two random candidates (binary tournament)."""
    available = list(range(len(parents)))
    chosen: list[FrozenTrial] = []
    for _ in range(n):
        a = available[rng.randint(len(available))]
        b = available[rng.randint(len(available))]
        winner = a if _dominates(a, b, values, violation) else b
        chosen.append(parents[winner])
        available.remove(winner)
    return chosen


def _dominates(a: int, b: int, values: _Array, violation: _Array | None) -> bool:
    if violation is not None:
        fa, fb = violation[a] <= 0, violation[b] <= 0
        if fa != fb:
            return bool(fa)
        if not fa:
            return bool(violation[a] < violation[b])
    return bool(np.all(values[a] <= values[b]) and np.any(values[a] < values[b]))
