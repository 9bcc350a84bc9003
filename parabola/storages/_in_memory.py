"""``InMemoryStorage``: a process-local store, fast and lost at exit."""

from __future__ import annotations

import copy
import dataclasses
import datetime
import threading
import uuid
from collections.abc import Container, Mapping, Sequence
from typing import Any

from parabola._study_direction import StudyDirection
from parabola.distributions import (
    BaseDistribution,
    check_distribution_compatibility,
)
from parabola.exceptions import DuplicatedStudyError
from parabola.storages._base import BaseStorage
from parabola.storages._copies import copy_trial, copy_value
from parabola.storages._records import RUN_TEXT_LIMITS, FrozenStudy, RunRecord, check_run_text
from parabola.storages._run_types import HistoryQuery, RunKey, RunUpdate
from parabola.trial._frozen import FrozenTrial
from parabola.trial._state import TrialState

__all__ = ["InMemoryStorage"]

DEFAULT_STUDY_NAME_PREFIX = "no-name-"
_UNFINISHED = (TrialState.WAITING, TrialState.RUNNING)
_ALL_STATES = tuple(TrialState)
# Members read once: on Python 3.11 each ``TrialState.X`` read costs ~150 ns (the enum
# metaclass defines ``__getattr__``), and every trial's writes compare states several times.
_RUNNING, _WAITING, _COMPLETE = TrialState.RUNNING, TrialState.WAITING, TrialState.COMPLETE
_MAXIMIZE = StudyDirection.MAXIMIZE
# What a ``states`` filter of get_all_trials selects: every trial, only unfinished ones (read
# from the study's index of them), or some finished states (a scan).
_ALL, _UNFINISHED_ONLY, _SCAN = "all", "unfinished", "scan"
# Filters already worked out, by their tuple or frozenset of states: ask() passes the same
# ``(WAITING,)`` on every call, and a sampler its own few tuples.
_FILTERS: dict[tuple[Any, ...] | frozenset[Any], tuple[tuple[TrialState, ...], str]] = {}
_FILTERS_MAX = 64
_HASHED = (tuple, frozenset)  # exact classes: a subclass may define its own equality


def _state_filter(states: Container[TrialState]) -> tuple[tuple[TrialState, ...], str]:
    """The states ``states`` holds (in TrialState order) and what they select."""
    key: Any = states if states.__class__ in _HASHED else None
    if key is not None:
        try:
            known = _FILTERS.get(key)
        except TypeError:  # a tuple holding something unhashable
            known, key = None, None
        if known is not None:
            return known
    wanted = tuple(s for s in _ALL_STATES if s in states)
    if len(wanted) == len(_ALL_STATES):
        scope = _ALL
    elif all(s in _UNFINISHED for s in wanted):
        scope = _UNFINISHED_ONLY
    else:
        scope = _SCAN
    if key is not None:
        if len(_FILTERS) >= _FILTERS_MAX:
            _FILTERS.clear()
        _FILTERS[key] = (wanted, scope)
    return wanted, scope


@dataclasses.dataclass
class _Study:
    name: str
    directions: list[StudyDirection]
    user_attrs: dict[str, Any] = dataclasses.field(default_factory=dict)
    system_attrs: dict[str, Any] = dataclasses.field(default_factory=dict)
    trials: list[FrozenTrial] = dataclasses.field(default_factory=list)
    param_distribution: dict[str, BaseDistribution] = dataclasses.field(default_factory=dict)
    best_trial_id: int | None = None
    # Numbers of WAITING/RUNNING trials: ask() looks for WAITING ones on every call, which must
    # not cost a scan of every trial (the SQL store's cache keeps the same index).
    unfinished: set[int] = dataclasses.field(default_factory=set)


class InMemoryStorage(BaseStorage):
    """Keep studies and runs in this process's memory; nothing is written to disk.

    Use it for tests and throw-away experiments. ``create_study()`` without a storage persists to
    ``./parabola.db`` instead, so pass ``storage=InMemoryStorage()`` to opt out explicitly.

    Example:
        >>> import parabola
        >>> study = parabola.create_study(storage=parabola.storages.InMemoryStorage())
        >>> study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=3)
        >>> len(study.trials)
        3
    """

    # Bumped by every trial write (see BaseStorage._trial_write_count); a class default, so a
    # storage pickled before the counter existed loads with it.
    _trial_writes = 0

    def __init__(self) -> None:
        self._studies: dict[int, _Study] = {}
        self._trial_id_to_study_id_and_number: dict[int, tuple[int, int]] = {}
        self._study_name_to_id: dict[str, int] = {}
        self._max_study_id = -1
        self._max_trial_id = -1
        self._runs: dict[RunKey, RunRecord] = {}
        self._history: dict[tuple[RunKey, str], list[dict[str, Any]]] = {}
        self._lock = threading.RLock()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return "InMemoryStorage()"

    # Studies ------------------------------------------------------------------------------
    def create_new_study(
        self, directions: Sequence[StudyDirection], study_name: str | None = None
    ) -> int:
        with self._lock:
            study_id = self._max_study_id + 1
            if study_name is not None:
                if study_name in self._study_name_to_id:
                    raise DuplicatedStudyError(
                        f"Another study with name '{study_name}' already exists. Pass "
                        "load_if_exists=True to reuse it, or choose another study_name."
                    )
            else:
                study_name = DEFAULT_STUDY_NAME_PREFIX + str(uuid.uuid4())
            self._max_study_id = study_id
            self._studies[study_id] = _Study(name=study_name, directions=list(directions))
            self._study_name_to_id[study_name] = study_id
            return study_id

    def delete_study(self, study_id: int) -> None:
        with self._lock:
            study = self._get_study(study_id)
            for trial in study.trials:
                del self._trial_id_to_study_id_and_number[trial._trial_id]
            del self._study_name_to_id[study.name]
            del self._studies[study_id]
            self._trial_writes += 1

    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        with self._lock:
            self._get_study(study_id).user_attrs[key] = copy.deepcopy(value)

    def set_study_system_attr(self, study_id: int, key: str, value: Any) -> None:
        with self._lock:
            self._get_study(study_id).system_attrs[key] = copy.deepcopy(value)

    def get_study_id_from_name(self, study_name: str) -> int:
        with self._lock:
            if study_name not in self._study_name_to_id:
                raise KeyError(f"No study named '{study_name}' in this storage.")
            return self._study_name_to_id[study_name]

    def get_study_name_from_id(self, study_id: int) -> str:
        with self._lock:
            return self._get_study(study_id).name

    def get_study_directions(self, study_id: int) -> list[StudyDirection]:
        with self._lock:
            return list(self._get_study(study_id).directions)

    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._get_study(study_id).user_attrs)

    def get_study_system_attrs(self, study_id: int) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._get_study(study_id).system_attrs)

    def get_all_studies(self) -> list[FrozenStudy]:
        with self._lock:
            return [
                FrozenStudy(
                    study_id=sid,
                    study_name=s.name,
                    directions=list(s.directions),
                    user_attrs=copy.deepcopy(s.user_attrs),
                    system_attrs=copy.deepcopy(s.system_attrs),
                )
                for sid, s in sorted(self._studies.items())
            ]

    # Trials -------------------------------------------------------------------------------
    def create_new_trial(self, study_id: int, template_trial: FrozenTrial | None = None) -> int:
        with self._lock:
            study = self._get_study(study_id)
            self._max_trial_id += 1
            trial_id = self._max_trial_id
            number = len(study.trials)
            if template_trial is None:
                trial = FrozenTrial._restore(
                    number,
                    _RUNNING,
                    None,
                    datetime.datetime.now(),
                    None,
                    {},
                    {},
                    {},
                    {},
                    {},
                    trial_id,
                )
            else:
                trial = copy.deepcopy(template_trial)
                trial.number = number
                trial._trial_id = trial_id
                for name, dist in trial.distributions.items():
                    self._check_and_set_param_distribution(study, name, dist)
            study.trials.append(trial)
            if not trial.state.is_finished():
                study.unfinished.add(number)
            self._trial_id_to_study_id_and_number[trial_id] = (study_id, number)
            if trial.state == _COMPLETE:
                self._update_best(study, trial)
            return trial_id

    def create_new_trial_in_budget(
        self,
        study_id: int,
        budget_key: str,
        n_max: int | None,
        system_attrs: Mapping[str, Any] | None = None,
        index_key: str | None = None,
    ) -> int | None:
        with self._lock:  # one lock: the count and the trial change together
            study = self._get_study(study_id)
            used = int(study.system_attrs.get(budget_key, 0))
            if n_max is not None and used >= n_max:
                return None
            study.system_attrs[budget_key] = used + 1
            trial_id = self.create_new_trial(study_id)
            trial = self._get_trial_ref(trial_id)
            trial.system_attrs.update(copy.deepcopy(dict(system_attrs or {})))
            trial.system_attrs[budget_key if index_key is None else index_key] = used
            return trial_id

    def set_trial_param(
        self,
        trial_id: int,
        param_name: str,
        param_value_internal: float,
        distribution: BaseDistribution,
    ) -> None:
        # Every suggest_* of every trial comes here: the lookups are inlined (same checks).
        with self._lock:
            where = self._trial_id_to_study_id_and_number.get(trial_id)
            if where is None:
                raise KeyError(f"No trial with id {trial_id} in this storage.")
            study = self._studies[where[0]]
            trial = study.trials[where[1]]
            if trial.state not in _UNFINISHED:
                self.check_trial_is_updatable(trial_id, trial.state)  # raises
            known = study.param_distribution.get(param_name)
            if known is not distribution:  # suggest_* reuses one object per argument set
                if known is not None:
                    check_distribution_compatibility(known, distribution)
                study.param_distribution[param_name] = distribution
            self._trial_writes += 1
            trial._params[param_name] = distribution.to_external_repr(param_value_internal)
            trial._distributions[param_name] = distribution

    def get_trial_id_from_study_id_trial_number(self, study_id: int, trial_number: int) -> int:
        with self._lock:
            study = self._get_study(study_id)
            if not 0 <= trial_number < len(study.trials):
                raise KeyError(
                    f"No trial with number {trial_number} in study '{study.name}' "
                    f"(it has {len(study.trials)} trials)."
                )
            return study.trials[trial_number]._trial_id

    def get_trial_number_from_id(self, trial_id: int) -> int:
        with self._lock:
            self._check_trial_id(trial_id)
            return self._trial_id_to_study_id_and_number[trial_id][1]

    def set_trial_state_values(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None = None
    ) -> bool:
        with self._lock:
            study, trial = self._locate(trial_id)
            if trial.state not in _UNFINISHED:
                self.check_trial_is_updatable(trial_id, trial.state)  # raises
            if state == _RUNNING and trial.state != _WAITING:
                return False
            self._trial_writes += 1
            trial.state = state
            if values is not None:
                trial._values = list(values)
            if state == _RUNNING:
                trial.datetime_start = datetime.datetime.now()
            elif state not in _UNFINISHED:
                trial.datetime_complete = datetime.datetime.now()
                study.unfinished.discard(trial._number)
                if state == _COMPLETE:
                    self._update_best(study, trial)
            return True

    def set_trial_intermediate_value(
        self, trial_id: int, step: int, intermediate_value: float
    ) -> None:
        with self._lock:
            trial = self._get_trial_ref(trial_id)
            if trial.state not in _UNFINISHED:
                self.check_trial_is_updatable(trial_id, trial.state)  # raises
            self._trial_writes += 1
            trial.intermediate_values[step] = intermediate_value

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        with self._lock:
            trial = self._get_trial_ref(trial_id)
            if trial.state not in _UNFINISHED:
                self.check_trial_is_updatable(trial_id, trial.state)  # raises
            self._trial_writes += 1
            trial.user_attrs[key] = copy_value(value)

    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        with self._lock:
            trial = self._get_trial_ref(trial_id)
            if trial.state not in _UNFINISHED:
                self.check_trial_is_updatable(trial_id, trial.state)  # raises
            self._trial_writes += 1
            trial.system_attrs[key] = copy_value(value)

    def _trial_write_count(self) -> int:
        return self._trial_writes

    def get_trial(self, trial_id: int) -> FrozenTrial:
        with self._lock:
            return copy_trial(self._get_trial_ref(trial_id))

    def get_all_trials(
        self,
        study_id: int,
        deepcopy: bool = True,
        states: Container[TrialState] | None = None,
    ) -> list[FrozenTrial]:
        with self._lock:
            study = self._get_study(study_id)
            trials = study.trials
            if states is None:
                trials = list(trials)
            else:
                wanted, scope = _state_filter(states)
                if scope is _ALL:
                    trials = list(trials)
                elif scope is _UNFINISHED_ONLY:
                    unfinished = study.unfinished
                    trials = (
                        [trials[n] for n in sorted(unfinished) if trials[n].state in wanted]
                        if unfinished
                        else []
                    )
                else:
                    trials = [t for t in trials if t.state in wanted]
            if deepcopy:
                memo: dict[int, Any] = {}  # one memo, as copy.deepcopy of the list would share
                return [copy_trial(t, memo) for t in trials]
            return trials

    def get_best_trial(self, study_id: int) -> FrozenTrial:
        with self._lock:
            study = self._get_study(study_id)
            if len(study.directions) > 1:
                raise RuntimeError(
                    "Best trial can be obtained only for single-objective studies; use best_trials."
                )
            if study.best_trial_id is None:
                raise ValueError("No trials are completed yet.")
            return self.get_trial(study.best_trial_id)

    # Runs ---------------------------------------------------------------------------------
    def create_run(self, record: RunRecord) -> None:
        check_run_text({name: getattr(record, name) for name in RUN_TEXT_LIMITS})
        key = RunKey.of(record)
        with self._lock:
            if key in self._runs:
                raise ValueError(f"A run with path '{key.path}' already exists.")
            self._runs[key] = copy.deepcopy(record)

    def update_run(self, key: RunKey, update: RunUpdate) -> None:
        fields = update.fields()
        check_run_text(fields)
        with self._lock:
            record = self._get_run_ref(key)
            for name, value in fields.items():
                setattr(record, name, copy.deepcopy(value))

    def get_run(self, key: RunKey) -> RunRecord:
        with self._lock:
            return copy.deepcopy(self._get_run_ref(key))

    def get_runs(self, entity: str | None = None, project: str | None = None) -> list[RunRecord]:
        with self._lock:
            runs = [
                copy.deepcopy(r)
                for r in self._runs.values()
                if (entity is None or r.entity == entity)
                and (project is None or r.project == project)
            ]
        return sorted(runs, key=lambda r: r.created_at, reverse=True)

    def delete_run(self, key: RunKey) -> None:
        with self._lock:
            self._get_run_ref(key)
            del self._runs[key]
            for k in [k for k in self._history if k[0] == key]:
                del self._history[k]

    def append_run_history(
        self, key: RunKey, rows: Sequence[Mapping[str, Any]], stream: str = "default"
    ) -> None:
        with self._lock:
            self._get_run_ref(key)
            self._history.setdefault((key, stream), []).extend(dict(r) for r in rows)

    def write_run(
        self,
        key: RunKey,
        history: Mapping[str, Sequence[Mapping[str, Any]]],
        update: RunUpdate | None = None,
    ) -> None:
        with self._lock:  # one lock: no reader sees the rows without their summary
            self._get_run_ref(key)
            if update:  # checked before the rows go in: all or nothing
                check_run_text(update.fields())
            super().write_run(key, history, update)

    def get_run_history(
        self, key: RunKey, query: HistoryQuery | None = None
    ) -> list[dict[str, Any]]:
        q = query or HistoryQuery()
        wanted = None if q.keys is None else set(q.keys) | {"_step"}
        with self._lock:
            self._get_run_ref(key)
            rows = self._history.get((key, q.stream), [])
            return [
                dict(r) if wanted is None else {k: v for k, v in r.items() if k in wanted}
                for r in rows
                if (q.min_step is None or r.get("_step", 0) >= q.min_step)
                and (q.max_step is None or r.get("_step", 0) <= q.max_step)
            ]

    # Helpers ------------------------------------------------------------------------------
    def _get_study(self, study_id: int) -> _Study:
        if study_id not in self._studies:
            raise KeyError(f"No study with id {study_id} in this storage.")
        return self._studies[study_id]

    def _check_trial_id(self, trial_id: int) -> None:
        if trial_id not in self._trial_id_to_study_id_and_number:
            raise KeyError(f"No trial with id {trial_id} in this storage.")

    def _get_trial_ref(self, trial_id: int) -> FrozenTrial:
        return self._locate(trial_id)[1]

    def _locate(self, trial_id: int) -> tuple[_Study, FrozenTrial]:
        """The stored trial and its study (``KeyError`` naming an unknown id)."""
        where = self._trial_id_to_study_id_and_number.get(trial_id)
        if where is None:
            raise KeyError(f"No trial with id {trial_id} in this storage.")
        study = self._studies[where[0]]
        return study, study.trials[where[1]]

    def _get_run_ref(self, key: RunKey) -> RunRecord:
        if key not in self._runs:
            raise KeyError(f"No run with path '{key.path}' in this storage.")
        return self._runs[key]

    @staticmethod
    def _check_and_set_param_distribution(
        study: _Study, name: str, distribution: BaseDistribution
    ) -> None:
        if name in study.param_distribution:
            check_distribution_compatibility(study.param_distribution[name], distribution)
        study.param_distribution[name] = distribution

    def _update_best(self, study: _Study, trial: FrozenTrial) -> None:
        # The stored lists are read directly: ``.values`` copies the list on every access.
        values = trial._values
        if len(study.directions) > 1 or values is None:
            return
        if study.best_trial_id is None:
            study.best_trial_id = trial._trial_id
            return
        best = self._get_trial_ref(study.best_trial_id)._values
        assert best is not None
        better = values[0] > best[0] if study.directions[0] == _MAXIMIZE else values[0] < best[0]
        # Optuna's rule for equal values: the first trial (lowest number) stays the best,
        # whichever finished first.
        if better or (
            values[0] == best[0] and trial.number < self._get_trial_ref(study.best_trial_id).number
        ):
            study.best_trial_id = trial._trial_id

    def fail_stale_trials(self, study_id: int) -> list[int]:
        return []
