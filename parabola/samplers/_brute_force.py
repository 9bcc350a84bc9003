"""``BruteForceSampler``: exhaustive define-by-run search over discrete search spaces."""

from __future__ import annotations

import decimal
import math
import threading
from collections.abc import Iterable, Sequence
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
        candidates = _candidates(param_name, param_distribution)
        with self._lock:
            # Only trials that agree with this one so far say what is left below this point.
            prefix = trial.params
            root = _Node()
            root.expand(param_name, candidates)
            for path in self._paths(study):
                if path.number == trial.number:
                    continue
                if all(
                    n in path.params and _same_value(path.params[n], v) for n, v in prefix.items()
                ):
                    root.add_path(path, skip=prefix)
            skip_running = not self._avoid_premature_stop
            counts = [child.count_untried(skip_running) for child in root.children_or_empty()]
            if sum(counts) > 0:
                p = np.asarray(counts, dtype=float) / sum(counts)
                index = int(self._rng.choice(len(candidates), p=p))
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
        with self._lock:
            self._pending.pop(trial.number, None)
            root = _Node()
            for path in self._paths(study):
                if path.number == trial.number:
                    path.finished = True  # still RUNNING in the storage until tell returns
                root.add_path(path, skip={})
        if root.count_untried(not self._avoid_premature_stop) == 0:
            study.stop()

    def _paths(self, study: StudyView) -> list[_Path]:
        paths = []
        for t in study.get_trials(deepcopy=False, states=_SEEN_STATES):
            params = dict(t.params)
            dists = dict(t.distributions)
            if not t.state.is_finished():
                for name, (value, dist) in self._pending.get(t.number, {}).items():
                    if name not in params:  # chosen here but not stored yet
                        params[name] = value
                        dists[name] = dist
            paths.append(_Path(t.number, params, dists, t.state.is_finished()))
        return paths


class _Path:
    """The parameters of one trial, in the order they were suggested."""

    __slots__ = ("distributions", "finished", "number", "params")

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


class _Node:
    """A point in the tree of tried parameter combinations.

    ``children is None``: not expanded (untried, or ``running`` if a running trial ends here);
    an empty dict: a finished trial ended here; otherwise the parameter ``name`` with one child
    per candidate value (internal form).
    """

    __slots__ = ("candidates", "children", "name", "running")

    def __init__(self) -> None:
        self.name: str | None = None
        self.candidates: tuple[float, ...] | None = None
        self.children: dict[float, _Node] | None = None
        self.running = False

    def children_or_empty(self) -> Iterable[_Node]:
        return () if self.children is None else self.children.values()

    def expand(self, name: str, candidates: tuple[float, ...]) -> None:
        if self.children is None or (not self.children and self.name is None):
            # Untried, or a finished trial stopped here early (failed or pruned) and a later
            # trial shows the branch goes on.
            self.name = name
            self.candidates = candidates
            self.children = {c: _Node() for c in candidates}
            return
        if self.name != name or self.candidates != candidates:
            raise ValueError(
                "BruteForceSampler needs a search space that depends only on the values "
                f"suggested before: after the same values, one trial suggested '{self.name}' "
                f"with candidates {list(self.candidates or ())} and another '{name}' with "
                f"{list(candidates)}."
            )

    def add_path(self, path: _Path, skip: dict[str, Any]) -> None:
        node = self
        for name, dist in path.distributions.items():
            if name in skip:
                continue
            node.expand(name, _candidates(name, dist))
            assert node.children is not None
            child = node.children.get(dist.to_internal_repr(path.params[name]))
            if child is None:
                return  # off the grid (an enqueued value, another sampler): says nothing
            node = child
        if node.children is None:
            if path.finished:
                node.children = {}
            else:
                node.running = True

    def count_untried(self, skip_running: bool) -> int:
        if self.children is None:
            return 0 if skip_running and self.running else 1
        return sum(child.count_untried(skip_running) for child in self.children.values())


def _candidates(name: str, dist: BaseDistribution) -> tuple[float, ...]:
    """Every internal value of a discrete distribution, in increasing order."""
    if isinstance(dist, CategoricalDistribution):
        return tuple(float(i) for i in range(len(dist.choices)))
    if isinstance(dist, IntDistribution):
        return tuple(float(v) for v in range(dist.low, dist.high + 1, dist.step))
    if isinstance(dist, FloatDistribution):
        if dist.step is None:
            raise ValueError(
                f"BruteForceSampler cannot enumerate the continuous parameter '{name}' "
                f"({dist!r}): pass step=... to suggest_float, or use suggest_int or "
                "suggest_categorical."
            )
        # Decimal arithmetic, so 0.1 + 0.2 gives the 0.3 a user typed.
        low, high = decimal.Decimal(str(dist.low)), decimal.Decimal(str(dist.high))
        step = decimal.Decimal(str(dist.step))
        n = int((high - low) / step)
        return tuple(float(low + k * step) for k in range(n + 1))
    raise ValueError(
        f"BruteForceSampler: unsupported distribution {dist!r} for '{name}'; use Float, Int "
        "or Categorical distributions."
    )


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return (type(a) is type(b) and bool(a == b)) or (_is_number(a) and _is_number(b) and a == b)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)
