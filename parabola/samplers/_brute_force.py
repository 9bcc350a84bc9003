"""``BruteForceSampler``: exhaustive define-by-run search over discrete search spaces."""

from __future__ import annotations

import decimal
import functools
import math
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from parabola._stability import experimental_class
from parabola.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from parabola.samplers._base import BaseSampler
from parabola.samplers._view import StudyView
from parabola.trial._frozen import FrozenTrial
from parabola.trial._state import TrialState

__all__ = ["BruteForceSampler"]

_SEEN_STATES = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL, TrialState.RUNNING)


@experimental_class("3.1.0")
class BruteForceSampler(BaseSampler):
    """Try every combination of a discrete, possibly conditional, search space once.

    Unlike :class:`~parabola.samplers.GridSampler`, no search space is given up front: the
    sampler learns it from the trials (define-by-run), as a tree whose levels are the parameters
    in the order they were suggested, so a branch may suggest parameters the others do not
    (``kind == "a"`` then an int, ``kind == "b"`` then a float). Each suggestion picks, uniformly
    among the combinations not yet tried, a value leading to one of them. When none is left,
    ``study.stop()`` ends ``optimize``.

    Every parameter must be discrete: ``suggest_int``, ``suggest_categorical`` or
    ``suggest_float`` with ``step``. The search space must depend only on the values suggested
    before (not on randomness or the trial number); otherwise a ``ValueError`` names the
    parameter whose space changed.

    Note:
        A trial that failed or was pruned before suggesting everything counts as having tried
        the branch it reached, unless later trials show more parameters below it. Threads of
        one process (``n_jobs > 1``) see each other's choices, so they repeat a combination
        only when every untried one is already being run, near the end; separate processes
        sharing a storage may also repeat one when they choose at the same moment.

    Args:
        seed: Seed for the choice among untried combinations.
        avoid_premature_stop: By default a combination counts as tried as soon as a running
            trial holds it, so the study may stop while the last trials run (and miss a
            combination if one of them then takes another branch). ``True`` waits for running
            trials to finish; concurrent workers then may try a combination twice.

    Raises:
        ValueError: when a trial suggests a continuous float (no ``step``), whose values cannot
            be enumerated.

    Example:
        >>> import warnings, parabola
        >>> def objective(trial):
        ...     kind = trial.suggest_categorical("kind", ["a", "b"])
        ...     if kind == "a":
        ...         return trial.suggest_int("n", 0, 2)
        ...     return trial.suggest_float("x", 0.0, 1.0, step=0.5)
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore", parabola.exceptions.ExperimentalWarning)
        ...     sampler = parabola.samplers.BruteForceSampler(seed=0)
        >>> study = parabola.create_study(sampler=sampler,
        ...                               storage=parabola.storages.InMemoryStorage())
        >>> study.optimize(objective, n_trials=100)
        >>> len(study.trials)
        6
    """

    def __init__(self, seed: int | None = None, avoid_premature_stop: bool = False) -> None:
        self._rng = np.random.RandomState(seed)
        self._avoid_premature_stop = bool(avoid_premature_stop)
        # Serialises choices within this process, so two threads never see the same gap.
        self._lock = threading.Lock()
        # Values chosen for running trials that the trial has not stored yet (trial number ->
        # name -> (external value, distribution)); cleared in after_trial.
        self._pending: dict[int, dict[str, tuple[Any, BaseDistribution]]] = {}
        # Paths of finished trials, which never change: study name -> (trial id, number) -> path.
        self._finished_paths: dict[str, dict[tuple[int, int], _Path]] = {}

    def reseed_rng(self) -> None:
        with self._lock:
            self._rng.seed()

    def infer_relative_search_space(
        self, study: StudyView, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        return {}

    def sample_relative(
        self, study: StudyView, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        return {}

    def sample_independent(
        self,
        study: StudyView,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        key = _space_key(param_name, param_distribution)
        candidates = _candidates(key)
        skip_running = not self._avoid_premature_stop
        with self._lock:
            # Only trials that agree with this one so far say what is left below this point.
            prefix = dict(trial.params)
            root = _Node()
            root.expand(param_name, key)
            for path in self._paths(study):
                if path.number != trial.number and _matches(path.params, prefix):
                    root.add_path(path, skip=prefix)
            counts = [root.count_child(c, skip_running) for c in candidates]
            total = sum(counts)
            if total > 0:
                index = int(self._rng.choice(len(candidates), p=np.asarray(counts) / total))
            else:
                # Everything below here is tried (or running): any value will do.
                index = int(self._rng.randint(len(candidates)))
            value = param_distribution.to_external_repr(candidates[index])
            self._pending.setdefault(trial.number, {})[param_name] = (value, param_distribution)
        return value

    def after_trial(
        self,
        study: StudyView,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        skip_running = not self._avoid_premature_stop
        with self._lock:
            self._pending.pop(trial.number, None)
            paths = self._paths(study)
            for path in paths:
                if path.number == trial.number:
                    path.finished = True  # still RUNNING in the storage until tell returns
            # Look for an untried combination near this trial first (few trials share its
            # prefix, so this is cheap), widening to the whole tree only when that is exhausted.
            params = list(trial.params.items())
            for cut in range(max(len(params) - 1, 0), -1, -1):
                prefix = dict(params[:cut])
                root = _Node()
                for path in paths:
                    if _matches(path.params, prefix):
                        root.add_path(path, skip=prefix)
                if root.any_untried(skip_running):
                    return
        study.stop()

    def _paths(self, study: StudyView) -> list[_Path]:
        paths = []
        cache = self._finished_paths.setdefault(study.study_name, {})
        for t in study.get_trials(deepcopy=False, states=_SEEN_STATES):
            if t.state.is_finished():
                # A finished trial no longer changes: build its path once.
                path = cache.get((t._trial_id, t.number))
                if path is None:
                    path = _Path(t.number, t.params, t.distributions, True)
                    cache[(t._trial_id, t.number)] = path
                paths.append(path)
                continue
            # A running trial may be suggesting in another thread: copy, and add the values
            # chosen here that it has not stored yet.
            params = dict(t.params)
            dists = dict(t.distributions)
            for name, (value, dist) in self._pending.get(t.number, {}).items():
                if name not in params:
                    params[name] = value
                    dists[name] = dist
            paths.append(_Path(t.number, params, dists, False))
        return paths


_SpaceKey = tuple[Any, ...]


class _Path:
    """The parameters of one trial, in the order they were suggested."""

    __slots__ = ("_steps", "distributions", "finished", "number", "params")

    def __init__(
        self,
        number: int,
        params: dict[str, Any],
        distributions: dict[str, BaseDistribution],
        finished: bool,
    ) -> None:
        self.number = number
        self.params = params
        self.distributions = distributions
        self.finished = finished
        self._steps: list[tuple[str, _SpaceKey, float]] | None = None

    def steps(self) -> list[tuple[str, _SpaceKey, float]]:
        """``(name, space key, internal value)`` per parameter, computed once."""
        if self._steps is None:
            self._steps = [
                (name, _space_key(name, dist), dist.to_internal_repr(self.params[name]))
                for name, dist in self.distributions.items()
            ]
        return self._steps


class _Node:
    """A point in the tree of tried parameter combinations.

    Not expanded (``key is None``): untried, ``running`` if a running trial ends here, or
    ``done`` if a finished one does. Expanded: the parameter ``name`` whose candidates are given
    by ``key``; ``children`` holds the candidates some trial took (the others are untried).
    """

    __slots__ = ("children", "done", "key", "name", "running")

    def __init__(self) -> None:
        self.name: str | None = None
        self.key: _SpaceKey | None = None
        self.children: dict[float, _Node] = {}
        self.running = False
        self.done = False

    def expand(self, name: str, key: _SpaceKey) -> None:
        if self.key is None:
            # Untried, or a finished trial stopped here early (failed or pruned) and a later
            # trial shows the branch goes on.
            self.name, self.key, self.done = name, key, False
            return
        if self.name != name or self.key != key:
            raise ValueError(
                "BruteForceSampler needs a search space that depends only on the values "
                f"suggested before: after the same values, one trial suggested '{self.name}' "
                f"with candidates {list(_candidates(self.key))} and another '{name}' with "
                f"{list(_candidates(key))}."
            )

    def add_path(self, path: _Path, skip: dict[str, Any]) -> None:
        node = self
        for name, key, value in path.steps():
            if name in skip:
                continue
            node.expand(name, key)
            if value not in _candidate_set(key):
                return  # off the grid (an enqueued value, another sampler): says nothing
            child = node.children.get(value)
            if child is None:
                child = node.children[value] = _Node()
            node = child
        if node.key is None:
            if path.finished:
                node.done = True
            else:
                node.running = True

    def count_untried(self, skip_running: bool) -> int:
        if self.key is None:
            return 0 if self.done or (skip_running and self.running) else 1
        untouched = len(_candidates(self.key)) - len(self.children)
        return untouched + sum(c.count_untried(skip_running) for c in self.children.values())

    def count_child(self, value: float, skip_running: bool) -> int:
        child = self.children.get(value)
        return 1 if child is None else child.count_untried(skip_running)

    def any_untried(self, skip_running: bool) -> bool:
        if self.key is None:
            return not (self.done or (skip_running and self.running))
        if len(self.children) < len(_candidates(self.key)):
            return True
        return any(c.any_untried(skip_running) for c in self.children.values())


def _space_key(name: str, dist: BaseDistribution) -> _SpaceKey:
    """A cheap, hashable description of a distribution's candidate values."""
    if isinstance(dist, CategoricalDistribution):
        # Choices cannot change within a study (check_distribution_compatibility): count them.
        return ("categorical", len(dist.choices))
    if isinstance(dist, IntDistribution):
        return ("int", dist.low, dist.high, dist.step)
    if isinstance(dist, FloatDistribution):
        if dist.step is None:
            raise ValueError(
                f"BruteForceSampler cannot enumerate the continuous parameter '{name}' "
                f"({dist!r}): pass step=... to suggest_float, or use suggest_int or "
                "suggest_categorical."
            )
        return ("float", dist.low, dist.high, dist.step)
    raise ValueError(
        f"BruteForceSampler: unsupported distribution {dist!r} for '{name}'; use Float, Int "
        "or Categorical distributions."
    )


@functools.lru_cache(maxsize=1024)
def _candidates(key: _SpaceKey) -> tuple[float, ...]:
    """Every internal value of a discrete distribution, in increasing order."""
    kind = key[0]
    if kind == "categorical":
        return tuple(float(i) for i in range(key[1]))
    if kind == "int":
        return tuple(float(v) for v in range(key[1], key[2] + 1, key[3]))
    # Decimal arithmetic, so 0.1 + 0.2 gives the 0.3 a user typed.
    low, high, step = (decimal.Decimal(str(v)) for v in key[1:])
    n = int((high - low) / step)
    return tuple(float(low + k * step) for k in range(n + 1))


@functools.lru_cache(maxsize=1024)
def _candidate_set(key: _SpaceKey) -> frozenset[float]:
    return frozenset(_candidates(key))


_MISSING = object()


def _matches(params: dict[str, Any], prefix: dict[str, Any]) -> bool:
    # Called for every trial on every suggestion: the common case (same type, equal) first.
    for name, value in prefix.items():
        other = params.get(name, _MISSING)
        if type(other) is type(value):
            if other == value or (other != other and value != value):  # NaN == NaN here
                continue
            return False
        if other is _MISSING or not _same_value(other, value):
            return False
    return True


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return (type(a) is type(b) and bool(a == b)) or (_is_number(a) and _is_number(b) and a == b)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)
