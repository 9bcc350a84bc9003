"""``NSGAIISampler``: the elitist genetic algorithm NSGA-II, with Optuna 5.0's interface."""

from __future__ import annotations

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
)
from parabola.samplers._base import BaseSampler
from parabola.samplers._constraints_func import record_constraints
from parabola.samplers._nsga2._dominance import crowding_order, dominance_matrix, rank_fronts
from parabola.samplers._nsga2._operators import BaseCrossover, BaseMutation, UniformCrossover
from parabola.samplers._random import RandomSampler
from parabola.samplers._unit_codec import UnitCodec
from parabola.samplers._view import StudyView
from parabola.trial._frozen import FrozenTrial
from parabola.trial._state import TrialState

__all__ = ["NSGAIISampler"]

_Array = np.ndarray[Any, np.dtype[np.float64]]
GENERATION_KEY = "nsga2:generation"
_UNIT = np.array([0.0, 1.0])
_MAX_RETRIES = 100


@dataclass
class _Parents:
    """One parent population and what children need of it, computed once per generation."""

    trials: list[FrozenTrial]
    values: _Array  # minimised objective values
    violation: _Array | None
    dominates: np.ndarray[Any, np.dtype[np.bool_]]
    encoded: dict[tuple[str, ...], _Array] = field(default_factory=dict)


@dataclass
class _Lineage:
    """What the sampler knows of one study, extended incrementally from new trials only."""

    scanned: int = 0  # trials[:scanned] were looked at once
    pending: set[int] = field(default_factory=set)  # ... and these had not finished then
    per_gen: dict[int, list[FrozenTrial]] = field(default_factory=dict)
    space: dict[str, BaseDistribution] | None = None  # intersection over COMPLETE trials
    parents: list[_Parents] = field(default_factory=list)
    # The last COMPLETE trial's distributions: a trial with equal ones (one C-level ``dict ==``
    # when the objects are shared) leaves the intersection as it is.
    last_dists: dict[str, BaseDistribution] | None = None
    relative: dict[str, BaseDistribution] | None = None  # the joint space, from ``space``
    # The trial number ``infer_relative_search_space`` scanned for: its ``sample_relative``
    # follows at once and need not scan again.
    scanned_for: int | None = None


@dataclass(frozen=True)
class _Split:
    """A search space split for children: numeric parameters (and their codec), categorical."""

    space: dict[str, BaseDistribution]
    numeric: dict[str, BaseDistribution]
    categorical: list[str]
    codec: UnitCodec
    bounds: _Array  # the unit cube, one row per numeric parameter


class NSGAIISampler(BaseSampler):
    """Multi-objective sampler using NSGA-II (Deb et al., 2002), with Optuna 5.0's interface.

    Trials are grouped in generations of ``population_size`` (the generation is the system
    attribute ``nsga2:generation``; ``nsga3:generation`` for ``NSGAIIISampler``). The first
    generation is sampled by ``RandomSampler``; each later trial is a child of the parent
    population, the elite of the previous parents and the last complete generation
    (non-dominated sorting, then crowding distance; with constraints, Deb's constrained
    domination). A child is, with ``crossover_prob``, a
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
        after_trial_strategy: ``(study, trial, state, values) -> None``, replacing what the
            sampler does after a trial (storing the ``constraints_func`` values).

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
        after_trial_strategy: (
            Callable[[StudyView, FrozenTrial, TrialState, Sequence[float] | None], None] | None
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
            # Optuna's wording first (code may match on it), then what to pass instead.
            raise ValueError(
                f"'{crossover}' is not a valid crossover: `crossover` must be a BaseCrossover "
                "instance, one of parabola.samplers.nsgaii's UniformCrossover, BLXAlphaCrossover, "
                "SPXCrossover, SBXCrossover, VSBXCrossover or UNDXCrossover (for example "
                "`crossover=SBXCrossover()`), or None for UniformCrossover(swapping_prob)."
            )
        if population_size < crossover.n_parents:
            raise ValueError(
                f"`population_size` ({population_size}) must be >= the n_parents of "
                f"`crossover` ({crossover}: {crossover.n_parents})."
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
        self._after_trial_strategy = after_trial_strategy
        self._random = RandomSampler(seed=seed)
        self._seed_base = int(np.random.RandomState(seed).randint(2**31 - 1))
        self._lineages: dict[str, _Lineage] = {}
        self._splits: dict[tuple[str, ...], _Split] = {}
        self._lock = threading.Lock()
        # The child's random state, per thread: trials sampled in parallel do not share it.
        self._local = threading.local()

    #: The system attribute holding a trial's generation (a subclass has its own).
    _generation_key: str = GENERATION_KEY

    def reseed_rng(self) -> None:
        self._seed_base = int(np.random.RandomState().randint(2**31 - 1))
        self._random.reseed_rng()

    def infer_relative_search_space(
        self, study: StudyView, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        with self._lock:
            lineage = self._update(study)
            lineage.scanned_for = trial.number
            if lineage.relative is None:
                space = lineage.space or {}
                lineage.relative = {n: space[n] for n in sorted(space) if not space[n].single()}
            return dict(lineage.relative)  # a copy: the caller owns what it gets

    def sample_relative(
        self, study: StudyView, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        with self._lock:
            known = self._lineages.get(study.study_name)
            lineage = (
                known
                if known is not None and known.scanned_for == trial.number
                else self._update(study)
            )
            lineage.scanned_for = None
            parents = lineage.parents[-1] if lineage.parents else None
            generation = len(lineage.parents)
        study.set_trial_system_attr(trial, self._generation_key, generation)
        if parents is None or not search_space:
            return {}
        # One RandomState per thread, reseeded: constructing one costs ~0.5 ms.
        rng = getattr(self._local, "rng", None)
        if rng is None:
            rng = self._local.rng = np.random.RandomState()
        rng.seed(self._trial_seed(trial.number))
        self._local.parents = parents
        return self._child(study, search_space, parents.trials)

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
        if self._after_trial_strategy is not None:
            self._after_trial_strategy(study, trial, state, values)
        else:
            record_constraints(study, trial, state, self._constraints_func, type(self).__name__)
        self._random.after_trial(study, trial, state, values)

    # Generations ------------------------------------------------------------------------
    def _trial_seed(self, number: int) -> int:
        # Seeded per trial (the child does not depend on how many trials this process
        # sampled before), by a cheap integer mix: SeedSequence costs ~40 us a trial.
        return (self._seed_base ^ (number * 0x9E3779B1)) & 0xFFFFFFFF

    def _update(self, study: StudyView) -> _Lineage:
        """Take in the trials finished since the last call; form completed generations.

        Only trials not seen before, or seen running, are looked at: a trial costs
        ``O(population_size)``, not ``O(n_trials)``. Call with the lock held.
        """
        trials = study.get_trials(deepcopy=False)
        lineage = self._lineages.setdefault(study.study_name, _Lineage())
        lineage.scanned_for = None
        if lineage.scanned > len(trials):  # a different study under the same name
            lineage = self._lineages[study.study_name] = _Lineage()
        fresh = sorted(lineage.pending) + list(range(lineage.scanned, len(trials)))
        lineage.pending = set()
        lineage.scanned = len(trials)
        for i in fresh:
            t = trials[i]
            if not t.state.is_finished():
                lineage.pending.add(i)
                continue
            if t.state != TrialState.COMPLETE:
                continue
            dists = t.distributions
            if lineage.space is None:
                lineage.space, lineage.last_dists, lineage.relative = dict(dists), dists, None
            elif dists != lineage.last_dists:
                space = {n: d for n, d in lineage.space.items() if dists.get(n) == d}
                lineage.last_dists = dists
                if space != lineage.space:
                    lineage.space, lineage.relative = space, None
            g = t.system_attrs.get(self._generation_key)
            if g is not None:
                lineage.per_gen.setdefault(int(g), []).append(t)
        while True:
            population = lineage.per_gen.get(len(lineage.parents), [])
            # With several workers a generation can hold more than population_size trials.
            if len(population) < self._population_size:
                return lineage
            previous = lineage.parents[-1].trials if lineage.parents else []
            # Optuna's order: the new generation, then the previous parents, each by number.
            by_number = sorted(population, key=lambda t: t.number)
            by_number += sorted(previous, key=lambda t: t.number)
            elite = self._elite(study, by_number)
            values, violation = _objectives(study, elite)
            dom = dominance_matrix(values, violation)
            lineage.parents.append(_Parents(elite, values, violation, dom))

    def _select_elite(self, study: StudyView, trials: list[FrozenTrial]) -> list[FrozenTrial]:
        values, violation = _objectives(study, trials)
        elite: list[FrozenTrial] = []
        for front in rank_fronts(values, violation):
            if len(elite) + len(front) <= self._population_size:
                elite.extend(trials[i] for i in front)
                if len(elite) == self._population_size:
                    break
                continue
            # Most isolated first, ties as in Optuna (by the last objective's order, from the
            # order of ``trials``, which ``_update`` fixes by trial numbers: the result does
            # not depend on the order the store returned the trials in).
            order = crowding_order(values[front])
            elite.extend(trials[front[k]] for k in order[: self._population_size - len(elite)])
            break
        return elite

    # Children ---------------------------------------------------------------------------
    def _split(self, search_space: dict[str, BaseDistribution]) -> _Split:
        """The numeric/categorical split of ``search_space``, cached by its names."""
        names = tuple(search_space)
        split = self._splits.get(names)
        # Shared distribution objects make the check one C-level dict comparison.
        if split is None or split.space != search_space:
            numeric = {
                n: d for n, d in search_space.items() if not isinstance(d, CategoricalDistribution)
            }
            split = _Split(
                dict(search_space),
                numeric,
                [n for n in search_space if n not in numeric],
                UnitCodec(numeric),
                np.tile(_UNIT, (len(numeric), 1)),
            )
            self._splits[names] = split
        return split

    def _make_child(
        self,
        study: StudyView,
        search_space: dict[str, BaseDistribution],
        parents: list[FrozenTrial],
    ) -> dict[str, Any]:
        rng: np.random.RandomState = self._local.rng
        cached: _Parents | None = getattr(self._local, "parents", None)
        if cached is None or cached.trials is not parents:
            # Called by a user's strategy with other parents: compute what the cache holds.
            values, violation = _objectives(study, parents)
            cached = _Parents(parents, values, violation, dominance_matrix(values, violation))
        split = self._split(search_space)
        numeric, categorical, codec = split.numeric, split.categorical, split.codec
        key = codec.names
        if key not in cached.encoded:
            cached.encoded[key] = codec.encode([t.params for t in parents])
        unit = cached.encoded[key]
        bounds = split.bounds
        if rng.rand() < self._crossover_prob:
            for _ in range(_MAX_RETRIES):
                idx = _tournament(cached.dominates, self._crossover.n_parents, rng)
                chosen = [parents[i] for i in idx]
                x = self._crossover.crossover(unit[idx], rng, study, bounds) if numeric else None
                if x is None or (x.min() >= 0.0 and x.max() <= 1.0):
                    break
            else:
                assert x is not None
                x = np.clip(x, 0.0, 1.0)
            # Categorical parameters cross uniformly between the first and the last parent
            # (Optuna's rule, also with three-parent crossovers).
            child_cat = (
                {
                    n: chosen[-1 if s else 0].params[n]
                    for n, s in zip(
                        categorical,
                        (rng.rand(len(categorical)) < self._swapping_prob).tolist(),
                        strict=True,
                    )
                }
                if categorical
                else {}  # no draw either way: rand(0) draws nothing
            )
        else:
            k = _index(len(parents), rng)
            one = parents[k]
            x = unit[k] if numeric else None
            child_cat = {n: one.params[n] for n in categorical}
        params: dict[str, Any] = {}
        n_params = len(search_space)
        p_mut = 1.0 / max(1.0, n_params) if self._mutation_prob is None else self._mutation_prob
        mutation = self._mutation
        if numeric and mutation is None:
            assert x is not None
            # One draw per parameter, in order, as the loop below makes them.
            mutated = (rng.rand(len(numeric)) < p_mut).tolist()
            params = codec.decode(x)
            for name, m in zip(codec.names, mutated, strict=True):
                if m:
                    del params[name]  # resampled at random by sample_independent
        elif numeric:
            assert x is not None and mutation is not None
            for i, (name, dist) in enumerate(numeric.items()):
                u = float(x[i])
                if rng.rand() < p_mut:
                    u = min(max(float(mutation.mutation(u, rng, study, _UNIT)), 0.0), 1.0)
                params[name] = dist.to_external_repr(from_unit(dist, u))
        for name in categorical:
            if rng.rand() >= p_mut:
                params[name] = child_cat[name]
        return params


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


def _index(n: int, rng: np.random.RandomState) -> int:
    """A uniform index below ``n``: ``RandomState.randint`` costs ~20 us a call, ``rand`` 0.3."""
    return int(rng.rand() * n)


def _tournament(
    dominates: np.ndarray[Any, np.dtype[np.bool_]], n: int, rng: np.random.RandomState
) -> list[int]:
    """``n`` distinct parents, each the better of two random candidates (binary tournament)."""
    available = list(range(len(dominates)))
    chosen: list[int] = []
    for _ in range(n):
        a = available[_index(len(available), rng)]
        b = available[_index(len(available), rng)]
        winner = a if dominates[a, b] else b
        chosen.append(winner)
        available.remove(winner)
    return chosen
