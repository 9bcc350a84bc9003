"""``GridSampler``: exhaustive search over a user-given grid, in a seeded shuffled order."""

from __future__ import annotations

import itertools
import math
import threading
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Union

import numpy as np

from parabola.distributions import BaseDistribution
from parabola.logging import get_logger
from parabola.samplers._base import BaseSampler
from parabola.samplers._view import StudyView
from parabola.trial._frozen import FrozenTrial
from parabola.trial._state import TrialState

__all__ = ["GridSampler"]

GridValueType = Union[str, float, int, bool, None]  # noqa: UP007 (runtime alias on 3.10)

_logger = get_logger(__name__)

# System attributes, named as Optuna names them so studies move between the two unchanged.
GRID_ID_KEY = "grid_id"
SEARCH_SPACE_KEY = "search_space"
_FIXED_PARAMS_KEY = "fixed_params"  # set by Study.enqueue_trial


class GridSampler(BaseSampler):
    """Try every combination of the given parameter values, then stop the study.

    The grid is the Cartesian product of ``search_space``. Its points are shuffled once with
    ``seed`` (``seed=None`` shuffles with seed 0, as Optuna does, so every worker of a
    distributed study agrees on the order). Trial ``k`` of a fresh study takes point ``k``; later
    trials take a point no finished or running trial holds. Each trial records its point in the
    system attributes ``grid_id`` and ``search_space``. When the last point finishes, the sampler
    calls ``study.stop()``, so ``optimize`` ends even if ``n_trials`` is larger than the grid.

    Note:
        A point counts as taken once a trial holding it exists, and as done once that trial
        finishes. Threads of one process never pick the same point while another is free, but
        once every point has been started a new trial (another thread with ``n_jobs > 1``,
        another process, or another ``optimize`` call on a finished grid) re-evaluates a point
        that is still running or already done. Separate processes sharing a storage may also
        pick the same free point when they choose at the same moment (the random pick makes it
        rare; trial numbers rule it out on a fresh study's first pass). So a grid of ``n``
        points may take a few more than ``n`` trials near the end.

    Note:
        Values are used as given: the sampler does not snap them to a ``step`` or ``log`` grid.
        A value outside the range passed to ``suggest_*`` is used anyway, with a ``UserWarning``.
        Trials queued with ``enqueue_trial`` must give every parameter of the grid.

    Args:
        search_space: Parameter name to the values to try (a list, tuple or 1-d numpy array;
            numpy scalars are converted to Python ones). Values should be ``None``, ``bool``,
            ``int``, ``float`` or ``str`` (other types warn: persistent storages cannot store
            them).
        seed: Seed for the shuffle of the grid and for picks after the first pass.

    Raises:
        ValueError: if ``search_space`` is not a mapping of names to non-empty value lists.

    Example:
        >>> import parabola
        >>> def objective(trial):
        ...     x = trial.suggest_float("x", -100, 100)
        ...     y = trial.suggest_int("y", -100, 100)
        ...     return x ** 2 + y ** 2
        >>> sampler = parabola.samplers.GridSampler({"x": [-50, 0, 50], "y": [-99, 0, 99]})
        >>> study = parabola.create_study(sampler=sampler,
        ...                               storage=parabola.storages.InMemoryStorage())
        >>> study.optimize(objective, n_trials=100)
        >>> len(study.trials), study.best_params
        (9, {'x': 0.0, 'y': 0})
    """

    def __init__(
        self, search_space: Mapping[str, Sequence[GridValueType]], seed: int | None = None
    ) -> None:
        if not isinstance(search_space, Mapping):
            raise ValueError(
                "GridSampler(search_space=...): expected a dict of parameter name to a sequence "
                f"of values, got {search_space!r}."
            )
        self._search_space: dict[str, list[GridValueType]] = {}
        for name, values in sorted(search_space.items()):
            if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Iterable):
                raise ValueError(
                    f"GridSampler(search_space=...): the values of '{name}' must be a list, "
                    f"tuple or 1-d array, got {values!r}."
                )
            # numpy scalars (np.linspace, np.arange) become Python ones, which storages accept.
            as_list = [v.item() if isinstance(v, np.generic) else v for v in values]
            if len(as_list) == 0:
                raise ValueError(
                    f"GridSampler(search_space=...): '{name}' has no values; give at least one."
                )
            for value in as_list:
                _check_value(name, value)
            self._search_space[name] = as_list
        self._param_names = list(self._search_space)
        self._all_grids: list[tuple[GridValueType, ...]] = list(
            itertools.product(*self._search_space.values())
        )
        self._n_min_trials = len(self._all_grids)
        # Same generator and call as Optuna, so a given seed visits the grid in Optuna's order.
        self._rng = np.random.RandomState(seed or 0)
        self._rng.shuffle(self._all_grids)  # type: ignore[arg-type]
        # Picking a point and recording it must be atomic within this process; see the Note.
        self._lock = threading.Lock()
        # study name -> (trial id, number) -> grid id of a finished trial (None: not this grid).
        self._finished_points: dict[str, dict[tuple[int, int], int | None]] = {}

    def reseed_rng(self) -> None:
        self._rng.seed()

    def is_exhausted(self, study: StudyView) -> bool:
        """Return whether every grid point has been evaluated by a finished trial."""
        return len(self._unvisited_grid_ids(study)) == 0

    def before_trial(self, study: StudyView, trial: FrozenTrial) -> None:
        # The point is chosen here but its values are returned by sample_independent, which
        # receives the distribution needed to check them against the suggested range.
        if GRID_ID_KEY in trial.system_attrs or _FIXED_PARAMS_KEY in trial.system_attrs:
            return  # an enqueued or retried trial keeps its own parameters
        with self._lock:
            grid_id = self._pick_grid_id(study, trial)
            study.set_trial_system_attr(trial, SEARCH_SPACE_KEY, self._search_space)
            study.set_trial_system_attr(trial, GRID_ID_KEY, grid_id)

    def _pick_grid_id(self, study: StudyView, trial: FrozenTrial) -> int:
        free = self._unvisited_grid_ids(study, include_running=False)
        if trial.number in free:
            # A fresh study: trial numbers are unique across workers, so this cannot collide.
            return trial.number
        if not free:
            free = self._unvisited_grid_ids(study)
        if not free:
            _logger.warning(
                "GridSampler is re-evaluating a grid point because every point has already been "
                "evaluated. This happens near the end of a parallel or distributed optimization "
                "and when optimize is called again on a study whose grid is exhausted."
            )
            free = list(range(self._n_min_trials))
        # Random rather than the lowest id: concurrent workers then rarely pick the same point.
        return int(self._rng.choice(sorted(free)))

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
        if param_name not in self._search_space:
            raise ValueError(
                f"The parameter name, {param_name}, is not found in the given grid; "
                f"GridSampler's grid has {self._param_names}."
            )
        if GRID_ID_KEY not in trial.system_attrs:
            raise ValueError(
                "All parameters must be specified when using GridSampler with enqueue_trial: "
                f"trial {trial.number} has no grid point and '{param_name}' was not enqueued."
            )
        grid_id = trial.system_attrs[GRID_ID_KEY]
        value = self._all_grids[grid_id][self._param_names.index(param_name)]
        try:
            contained = param_distribution._contains(param_distribution.to_internal_repr(value))
        except ValueError:
            contained = False
        if not contained:
            warnings.warn(
                f"The value `{value}` is out of range of the parameter `{param_name}`. The value "
                f"will be used but the actual distribution is: `{param_distribution}`.",
                UserWarning,
                stacklevel=2,
            )
        return value

    def after_trial(
        self,
        study: StudyView,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        # The ending trial is still RUNNING in the storage, so it counts as unfinished here.
        left = self._unvisited_grid_ids(study)
        if not left or (len(left) == 1 and trial.system_attrs.get(GRID_ID_KEY) == left[0]):
            study.stop()

    def _unvisited_grid_ids(self, study: StudyView, include_running: bool = True) -> list[int]:
        """Grid ids not yet finished; with ``include_running=False`` also not yet started.

        With ``include_running=True``, running points are left out unless every point has
        started, in which case the unfinished ones are returned.
        """
        finished: set[int] = set()
        running: set[int] = set()
        # Which grid point a finished trial holds never changes: decide it once per trial.
        known = self._finished_points.setdefault(study.study_name, {})
        for t in study.get_trials(deepcopy=False):
            if t.state.is_finished():
                key = (t._trial_id, t.number)
                if key not in known:
                    known[key] = self._grid_id_of(t)
                grid_id = known[key]
                if grid_id is not None:
                    finished.add(grid_id)
            elif t.state == TrialState.RUNNING:
                grid_id = self._grid_id_of(t)
                if grid_id is not None:
                    running.add(grid_id)
        unfinished = set(range(self._n_min_trials)) - finished
        free = unfinished - running
        if include_running and not free:
            return sorted(unfinished)
        return sorted(free)

    def _grid_id_of(self, trial: FrozenTrial) -> int | None:
        """The trial's point in this grid, or ``None`` (no point, or another grid's)."""
        grid_id = trial.system_attrs.get(GRID_ID_KEY)
        if grid_id is None or not self._same_search_space(trial.system_attrs.get(SEARCH_SPACE_KEY)):
            return None
        return int(grid_id)

    def _same_search_space(self, other: Any) -> bool:
        if not isinstance(other, Mapping) or set(other) != set(self._search_space):
            return False
        for name, values in self._search_space.items():
            theirs = other[name]
            if len(theirs) != len(values):
                return False
            if not all(_grid_value_equal(a, b) for a, b in zip(theirs, values, strict=True)):
                return False
        return True


def _check_value(param_name: str, value: Any) -> None:
    if value is None or isinstance(value, (str, int, float, bool)):
        return
    warnings.warn(
        f"GridSampler: '{param_name}' contains {value!r} of type {type(value).__name__}, which "
        "persistent storages cannot store; use str, int, float, bool or None.",
        UserWarning,
        stacklevel=3,
    )


def _grid_value_equal(a: Any, b: Any) -> bool:
    a_nan = isinstance(a, float) and math.isnan(a)
    b_nan = isinstance(b, float) and math.isnan(b)
    return (a_nan and b_nan) or (type(a) is type(b) and a == b) or _numeric_equal(a, b)


def _numeric_equal(a: Any, b: Any) -> bool:
    # A JSON round trip may turn 1.0 into 1 (or the reverse); bools are never numbers here.
    numeric = (int, float)
    if isinstance(a, bool) or isinstance(b, bool):
        return False
    return isinstance(a, numeric) and isinstance(b, numeric) and a == b
