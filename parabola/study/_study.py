"""``Study``: an optimisation task, its trials, and the ask/tell and optimize entry points."""

from __future__ import annotations

import copy
import importlib
import math
import threading
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from parabola._stability import experimental_func
from parabola._study_direction import StudyDirection
from parabola.distributions import BaseDistribution
from parabola.exceptions import UpdateFinishedTrialError
from parabola.logging import get_logger
from parabola.pruners._base import BasePruner
from parabola.samplers._base import BaseSampler
from parabola.storages._base import BaseStorage
from parabola.storages._factory import get_storage
from parabola.study._trial_runs import TrialRuns
from parabola.trial._frozen import FrozenTrial
from parabola.trial._state import TrialState
from parabola.trial._trial import FIXED_PARAMS_KEY, Trial

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ObjectiveFuncType", "Study"]

_logger = get_logger(__name__)

ObjectiveFuncType = Callable[[Trial], float | Sequence[float]]
METRIC_NAMES_KEY = "study:metric_names"
_WAITING = (TrialState.WAITING,)  # built once: ask() looks for enqueued trials every time


class Study:
    """A study: one optimisation task, a set of trials, a sampler and a pruner.

    Create one with :func:`parabola.create_study` or :func:`parabola.load_study` rather than
    calling this constructor (which loads an existing study by name).

    Example:
        >>> import parabola
        >>> study = parabola.create_study(direction="minimize",
        ...                               storage=parabola.storages.InMemoryStorage())
        >>> study.optimize(lambda t: t.suggest_float("x", -10, 10) ** 2 + 1, n_trials=10)
        >>> study.best_value >= 1
        True
    """

    def __init__(
        self,
        study_name: str,
        storage: str | BaseStorage | None,
        sampler: BaseSampler | None = None,
        pruner: BasePruner | None = None,
    ) -> None:
        self.study_name = study_name
        self._storage = get_storage(storage)
        self._study_id = self._storage.get_study_id_from_name(study_name)
        self._directions = self._storage.get_study_directions(self._study_id)
        if sampler is not None:
            _check_type("sampler", sampler, BaseSampler)
        if pruner is not None:
            _check_type("pruner", pruner, BasePruner)
        # None until first use: the default sampler and pruner are built by the ``sampler`` and
        # ``pruner`` properties, so a process that only reads the study (``load_study`` then
        # ``.trials``) never imports their numerical code (numpy, SciPy).
        self._sampler: BaseSampler | None = sampler
        self._pruner: BasePruner | None = pruner
        self._defaults_lock = threading.Lock()
        self._stop_flag = False
        self._optimize_lock = threading.Lock()
        self._thread_local = threading.local()
        # The tracking runs of this object's trials (Trial.log); tell closes them.
        self._trial_runs = TrialRuns()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_defaults_lock"]
        del state["_optimize_lock"]
        del state["_thread_local"]
        del state["_trial_runs"]  # live runs belong to this process
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        # A study pickled before the defaults were lazy holds "sampler" and "pruner" keys.
        for name in ("sampler", "pruner"):
            if name in state:
                state[f"_{name}"] = state.pop(name)
        self.__dict__.update(state)
        self._defaults_lock = threading.Lock()
        self._optimize_lock = threading.Lock()
        self._thread_local = threading.local()
        self._trial_runs = TrialRuns()

    @property
    def sampler(self) -> BaseSampler:
        """The study's sampler: the one given, or the default built on first access.

        The default (see ``create_study``) is built once, under a lock so that threads of
        ``optimize(n_jobs=...)`` share one sampler; every access returns that same object.
        Assigning replaces it for the trials that follow.

        Example:
            >>> import parabola
            >>> study = parabola.create_study(storage=parabola.storages.InMemoryStorage())
            >>> study.sampler is study.sampler
            True
        """
        sampler = self._sampler
        if sampler is None:
            with self._defaults_lock:
                if self._sampler is None:
                    from parabola.study._defaults import default_sampler

                    self._sampler = default_sampler(self._directions)
                sampler = self._sampler
        return sampler

    @sampler.setter
    def sampler(self, sampler: BaseSampler) -> None:
        _check_type("sampler", sampler, BaseSampler)
        self._sampler = sampler

    @property
    def pruner(self) -> BasePruner:
        """The study's pruner: the one given, or ``MedianPruner()`` built on first access.

        Example:
            >>> import parabola
            >>> study = parabola.create_study(storage=parabola.storages.InMemoryStorage())
            >>> type(study.pruner).__name__
            'MedianPruner'
        """
        pruner = self._pruner
        if pruner is None:
            with self._defaults_lock:
                if self._pruner is None:
                    from parabola.study._defaults import default_pruner

                    self._pruner = default_pruner()
                pruner = self._pruner
        return pruner

    @pruner.setter
    def pruner(self, pruner: BasePruner) -> None:
        _check_type("pruner", pruner, BasePruner)
        self._pruner = pruner

    def __repr__(self) -> str:
        return f"Study(study_name={self.study_name!r}, storage={self._storage!r})"

    # Results ------------------------------------------------------------------------------
    @property
    def best_params(self) -> dict[str, Any]:
        """Parameters of the best trial (single-objective studies)."""
        return self.best_trial.params

    @property
    def best_value(self) -> float:
        """Objective value of the best trial (single-objective studies)."""
        value = self.best_trial.value
        assert value is not None
        return value

    @property
    def best_trial(self) -> FrozenTrial:
        """The best COMPLETE trial.

        Raises:
            ValueError: if no trial has completed yet.
            RuntimeError: on multi-objective studies (use :attr:`best_trials`).
        """
        if self._is_multi_objective():
            raise RuntimeError(
                "A single best trial cannot be retrieved from a multi-objective study. "
                "Use study.best_trials to get the Pareto front."
            )
        try:
            best = self._storage.get_best_trial(self._study_id)
        except ValueError:
            raise ValueError(
                f"No trials are completed yet in study '{self.study_name}'; run optimize or "
                "tell a COMPLETE trial first."
            ) from None
        # The best trial overall is also the best feasible one unless it violates a
        # constraint; only then are the feasible trials searched.
        if any(v > 0 for v in best.constraints.values()):
            feasible = [
                t
                for t in self.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
                if all(v <= 0 for v in t.constraints.values())
            ]
            if not feasible:
                raise ValueError("No feasible trials are completed yet.")
            pick = max if self.direction == StudyDirection.MAXIMIZE else min
            best = copy.deepcopy(pick(feasible, key=lambda t: t.values[0] if t.values else 0.0))
        return best

    @property
    def best_trials(self) -> list[FrozenTrial]:
        """The Pareto-optimal COMPLETE trials (feasible ones, when constraints are set).

        Example:
            >>> import parabola
            >>> study = parabola.create_study(directions=["minimize", "minimize"],
            ...                               storage=parabola.storages.InMemoryStorage())
            >>> for values in ([1, 3], [2, 2], [3, 3]):
            ...     _ = study.tell(study.ask(), values)
            >>> [t.number for t in study.best_trials]
            [0, 1]
        """
        from parabola.study._multi_objective import get_pareto_front_trials

        trials = self.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if any(t.constraints for t in trials):
            trials = [t for t in trials if all(v <= 0 for v in t.constraints.values())]
        return copy.deepcopy(get_pareto_front_trials(trials, self.directions))

    @property
    def direction(self) -> StudyDirection:
        """The direction of a single-objective study; ``RuntimeError`` on multi-objective."""
        if self._is_multi_objective():
            raise RuntimeError(
                "A single direction cannot be retrieved from a multi-objective study. "
                "Use study.directions."
            )
        return self._directions[0]

    @property
    def directions(self) -> list[StudyDirection]:
        """One direction per objective."""
        return list(self._directions)

    @property
    def trials(self) -> list[FrozenTrial]:
        """Every trial of the study, deep-copied, ordered by number."""
        return self.get_trials(deepcopy=True, states=None)

    def get_trials(
        self, deepcopy: bool = True, states: Container[TrialState] | None = None
    ) -> list[FrozenTrial]:
        """Return the trials, optionally only those in ``states``.

        Pass ``deepcopy=False`` for speed when you will not mutate the result.

        Raises:
            TypeError: if ``states`` holds anything but :class:`TrialState` members (a string
                like ``"COMPLETE"`` would otherwise silently match nothing).
        """
        if states is not None and (
            isinstance(states, (str, bytes))
            or (isinstance(states, Iterable) and not all(isinstance(s, TrialState) for s in states))
        ):
            raise TypeError(
                "get_trials(states=...): expected a container of TrialState members, e.g. "
                f"(TrialState.COMPLETE,), got {states!r}."
            )
        return self._storage.get_all_trials(self._study_id, deepcopy=deepcopy, states=states)

    @property
    def user_attrs(self) -> dict[str, Any]:
        """Study-level user attributes."""
        return self._storage.get_study_user_attrs(self._study_id)

    def set_user_attr(self, key: str, value: Any) -> None:
        """Set a JSON-serialisable study-level attribute."""
        self._storage.set_study_user_attr(self._study_id, key, value)

    @property
    def metric_names(self) -> list[str] | None:
        """Names given to the objectives with :meth:`set_metric_names`, or ``None``."""
        names = self._storage.get_study_system_attrs(self._study_id).get(METRIC_NAMES_KEY)
        return None if names is None else list(names)

    @experimental_func("3.2.0")
    def set_metric_names(self, metric_names: list[str]) -> None:
        """Name the objectives (used by ``trials_dataframe`` and the dashboard)."""
        if len(metric_names) != len(self._directions):
            raise ValueError(
                f"set_metric_names: expected {len(self._directions)} names (one per direction), "
                f"got {len(metric_names)}."
            )
        self._storage.set_study_system_attr(self._study_id, METRIC_NAMES_KEY, list(metric_names))

    # Running ------------------------------------------------------------------------------
    def optimize(
        self,
        func: ObjectiveFuncType,
        n_trials: int | None = None,
        timeout: float | None = None,
        n_jobs: int | None = None,
        catch: Iterable[type[Exception]] | type[Exception] = (),
        callbacks: Iterable[Callable[[Study, FrozenTrial], None]] | None = None,
        gc_after_trial: bool = False,
        show_progress_bar: bool = False,
        *,
        client: Any = None,
    ) -> None:
        """Run ``func`` on new trials until ``n_trials`` or ``timeout`` is reached.

        Args:
            func: The objective; takes a :class:`~parabola.trial.Trial` and returns a float
                (or one float per direction).
            n_trials: Number of trials to run in this call; ``None`` runs until ``timeout``,
                :meth:`stop` or a signal.
            timeout: Stop starting new trials after this many seconds.
            n_jobs: Threads running trials in parallel; ``-1`` means one per CPU; default 1.
                With ``client``: trial loops across the cluster; default (or ``-1``): one
                per worker thread.
            catch: Exception types that mark a trial FAIL without stopping the study. Other
                exceptions also mark the trial FAIL, then propagate.
            callbacks: Called as ``callback(study, frozen_trial)`` after each trial.
            gc_after_trial: Run ``gc.collect()`` after each trial.
            show_progress_bar: Show a tqdm progress bar (by trials, or by time with ``timeout``).
            client: A ``dask.distributed.Client``: run the trials on its workers, which share
                the study's store (``n_trials`` is one budget for all of them). Needs
                ``parabola[dask]``; see ``docs/distributed.md``.
        """
        if client is not None:
            # The engine sits above the core (STYLE.md): it is looked up by name, as a plugin
            # would be, so parabola.study never imports it, nor Dask, unless asked to.
            engine = importlib.import_module("parabola.distributed")
            engine.optimize(
                self,
                func,
                client=client,
                n_trials=n_trials,
                timeout=timeout,
                n_jobs=n_jobs,
                catch=catch,
                callbacks=callbacks,
                gc_after_trial=gc_after_trial,
                show_progress_bar=show_progress_bar,
            )
            return
        from parabola.study._optimize import optimize

        optimize(
            self,
            func,
            n_trials=n_trials,
            timeout=timeout,
            n_jobs=1 if n_jobs is None else n_jobs,
            catch=catch,
            callbacks=callbacks,
            gc_after_trial=gc_after_trial,
            show_progress_bar=show_progress_bar,
        )

    def ask(self, fixed_distributions: Mapping[str, BaseDistribution] | None = None) -> Trial:
        """Start a new trial (or the next enqueued one) and return it, for ask-and-tell loops.

        Example:
            >>> import parabola
            >>> study = parabola.create_study(storage=parabola.storages.InMemoryStorage())
            >>> trial = study.ask()
            >>> x = trial.suggest_float("x", -1, 1)
            >>> frozen = study.tell(trial, x ** 2)
            >>> frozen.state
            TrialState.COMPLETE
        """
        if self._storage.is_heartbeat_enabled():
            from parabola.storages._heartbeat import fail_stale_trials

            fail_stale_trials(self)
        trial_id = self._pop_waiting_trial_id()
        if trial_id is None:
            trial_id = self._storage.create_new_trial(self._study_id)
        trial = Trial(self, trial_id)
        for name, dist in (fixed_distributions or {}).items():
            trial._suggest(name, dist)
        return trial

    def tell(
        self,
        trial: Trial | int,
        values: float | Sequence[float] | None = None,
        state: TrialState | None = None,
        skip_if_finished: bool = False,
    ) -> FrozenTrial:
        """Finish a trial started with :meth:`ask` and return its final snapshot.

        Args:
            trial: The :class:`Trial` or its number.
            values: The objective value(s); required when ``state`` is COMPLETE (or ``None``).
            state: COMPLETE (default when values are given), PRUNED or FAIL.
            skip_if_finished: Return silently if the trial has already finished, instead of
                raising :class:`~parabola.exceptions.UpdateFinishedTrialError`.

        Example:
            >>> import parabola
            >>> from parabola.trial import TrialState
            >>> study = parabola.create_study(storage=parabola.storages.InMemoryStorage())
            >>> number = study.ask().number
            >>> study.tell(number, state=TrialState.PRUNED).state
            TrialState.PRUNED
        """
        from parabola.study._tell import tell_with_warning

        return tell_with_warning(self, trial, values, state, skip_if_finished)

    def stop(self) -> None:
        """Stop ``optimize`` once running trials finish; call it from a callback or objective.

        Raises:
            RuntimeError: when called outside ``optimize`` (as Optuna does). A sampler's call
                from ``after_trial`` during a plain ``tell`` (a grid sampler on its last point)
                is ignored instead: there is no loop to stop.

        Example:
            >>> import parabola
            >>> study = parabola.create_study(storage=parabola.storages.InMemoryStorage())
            >>> def stop_at_three(study, trial):
            ...     if trial.number == 2:
            ...         study.stop()
            >>> study.optimize(lambda t: 1.0, n_trials=10, callbacks=[stop_at_three])
            >>> len(study.trials)
            3
        """
        local = self._thread_local
        # optimize(client=...) runs its loop under _optimize_lock in this process.
        if not (getattr(local, "in_optimize_loop", False) or self._optimize_lock.locked()):
            if getattr(local, "in_sampler_hook", False):
                return
            raise RuntimeError(
                "`Study.stop` is supposed to be invoked inside an objective function or a callback."
            )
        self._stop_flag = True

    def enqueue_trial(
        self,
        params: dict[str, Any],
        user_attrs: dict[str, Any] | None = None,
        skip_if_exists: bool = False,
    ) -> None:
        """Queue parameters to evaluate next; un-queued parameters are sampled as usual.

        Args:
            params: Parameter values (external form) to use.
            user_attrs: User attributes for the queued trial.
            skip_if_exists: Do nothing if a trial with these exact params already exists.

        Example:
            >>> import parabola
            >>> study = parabola.create_study(storage=parabola.storages.InMemoryStorage())
            >>> study.enqueue_trial({"x": 0.5})
            >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
            >>> study.best_params
            {'x': 0.5}
        """
        if not isinstance(params, dict):
            raise TypeError(f"enqueue_trial(params=...): expected a dict, got {params!r}.")
        if skip_if_exists and self._should_skip_enqueue(params):
            _logger.info(f"Trial with params {params} already exists. Skipping enqueue.")
            return
        from parabola.trial._frozen import create_trial

        self.add_trial(
            create_trial(
                state=TrialState.WAITING,
                system_attrs={FIXED_PARAMS_KEY: params},
                user_attrs=user_attrs,
            )
        )

    def add_trial(self, trial: FrozenTrial) -> None:
        """Insert a finished (or WAITING) trial, e.g. from another study or a past experiment.

        Example:
            >>> import parabola
            >>> from parabola.distributions import FloatDistribution
            >>> study = parabola.create_study(storage=parabola.storages.InMemoryStorage())
            >>> study.add_trial(parabola.create_trial(
            ...     params={"x": 0.1}, distributions={"x": FloatDistribution(0, 1)}, value=0.01))
            >>> study.best_value
            0.01
        """
        if not isinstance(trial, FrozenTrial):
            raise TypeError(
                f"add_trial(trial=...): expected a FrozenTrial (see parabola.create_trial), "
                f"got {type(trial).__name__}."
            )
        trial._validate()
        if trial.values is not None and len(trial.values) != len(self._directions):
            raise ValueError(
                f"add_trial: the trial has {len(trial.values)} values but the study has "
                f"{len(self._directions)} directions."
            )
        self._storage.create_new_trial(self._study_id, template_trial=trial)

    def add_trials(self, trials: Iterable[FrozenTrial]) -> None:
        """Insert several trials with :meth:`add_trial`."""
        for trial in trials:
            self.add_trial(trial)

    def trials_dataframe(
        self,
        attrs: tuple[str, ...] = (
            "number",
            "value",
            "datetime_start",
            "datetime_complete",
            "duration",
            "params",
            "user_attrs",
            "system_attrs",
            "state",
        ),
        multi_index: bool = False,
    ) -> pd.DataFrame:
        """Return the trials as a pandas DataFrame with Optuna's column names.

        Columns: ``number``, ``value`` (``values_0``... or ``values_<metric name>`` for several
        objectives), ``datetime_start``, ``datetime_complete``, ``duration``, ``params_<name>``,
        ``user_attrs_<name>``, ``system_attrs_<name>``, ``state``. With ``multi_index=True`` the
        columns are a two-level index (``("params", "x")``).

        Example:
            >>> import parabola
            >>> study = parabola.create_study(storage=parabola.storages.InMemoryStorage())
            >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
            >>> list(study.trials_dataframe().columns)  # doctest: +NORMALIZE_WHITESPACE
            ['number', 'value', 'datetime_start', 'datetime_complete', 'duration', 'params_x',
             'state']
        """
        from parabola.study._dataframe import trials_dataframe

        return trials_dataframe(self, attrs, multi_index)

    # StudyView extras ----------------------------------------------------------------------
    def set_trial_system_attr(self, trial: FrozenTrial, key: str, value: Any) -> None:
        """Attach a sampler's or pruner's bookkeeping to a running trial (``StudyView``).

        Example:
            >>> import parabola
            >>> study = parabola.create_study(storage=parabola.storages.InMemoryStorage())
            >>> trial = study.ask()
            >>> study.set_trial_system_attr(study.trials[0], "grid_id", 3)
            >>> study.trials[0].system_attrs["grid_id"]
            3
        """
        self._storage.set_trial_system_attr(trial._trial_id, key, value)

    def _set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        self._storage.set_trial_system_attr(trial_id, key, value)

    def set_study_system_attr(self, key: str, value: Any) -> None:
        """Record a sampler's study-wide bookkeeping (``StudyView``), e.g. ``AutoSampler``'s
        choice; read it back from ``get_all_study_summaries(...)[i].system_attrs``.

        Example:
            >>> import parabola
            >>> storage = parabola.storages.InMemoryStorage()
            >>> study = parabola.create_study(storage=storage)
            >>> study.set_study_system_attr("auto:sampler", "TPESampler")
            >>> parabola.get_all_study_summaries(storage)[0].system_attrs["auto:sampler"]
            'TPESampler'
        """
        self._storage.set_study_system_attr(self._study_id, key, value)

    def _is_multi_objective(self) -> bool:
        return len(self._directions) > 1

    def _pop_waiting_trial_id(self) -> int | None:
        for trial in self._storage.get_all_trials(self._study_id, deepcopy=False, states=_WAITING):
            try:
                claimed = self._storage.set_trial_state_values(
                    trial._trial_id, state=TrialState.RUNNING
                )
            except UpdateFinishedTrialError:
                continue  # another worker claimed and finished it since we listed it
            if claimed:
                return trial._trial_id
        return None

    def _should_skip_enqueue(self, params: Mapping[str, Any]) -> bool:
        for trial in self.get_trials(deepcopy=False):
            trial_params = trial.system_attrs.get(FIXED_PARAMS_KEY, trial.params)
            if trial_params.keys() != params.keys():
                continue
            if all(_values_equal(trial_params[k], params[k]) for k in params):
                return True
        return False


def _values_equal(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


def _check_type(name: str, value: Any, cls: type) -> None:
    if not isinstance(value, cls):
        raise TypeError(
            f"{name} must be an instance of {cls.__name__} (see parabola.{name}s), got {value!r}."
        )
