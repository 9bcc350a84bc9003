"""``BaseStorage``: the contract every parabola store fulfils.

A store has two halves that share one backend (one SQLite file, one PostgreSQL database):

* the **optimisation half**: studies and their trials (Optuna's storage model), and
* the **tracking half**: runs, their logged history rows and their system-metric samples.

Invariants every implementation keeps (the suites in :mod:`parabola.testing` check them):

1. **Thread safety.** Every method may be called concurrently from several threads of one
   process. SQL stores are also safe across processes and machines.
2. **Trial numbers** are assigned by the store, start at 0 per study and have no gaps or repeats,
   whatever the number of concurrent workers.
3. **Ownership of a running trial.** Only the worker that moved a trial to RUNNING writes its
   params, intermediate values and state. ``set_trial_state_values(..., RUNNING)`` on a WAITING
   trial is the atomic claim: it returns ``False`` if another worker claimed it first.
4. **Finished is final.** Once a trial is COMPLETE, PRUNED or FAIL, any write to it raises
   :class:`~parabola.exceptions.UpdateFinishedTrialError` and changes nothing.
5. **Returned objects are copies** unless the caller passes ``deepcopy=False``, in which case it
   promises not to mutate them.
6. **Crash safety.** A write either lands whole or not at all; a crashed writer never leaves the
   store unreadable.
7. **Errors name what to fix.** Unknown ids raise ``KeyError`` naming the id; bad values raise
   ``ValueError``/``TypeError`` naming the argument.
8. **Writes go through.** Every write is in the store when the method returns, so a trial asked
   through one storage object (or process) can be told through another. The one exception is
   opt-in: :meth:`_buffer_trial_params` lets the optimize loop, which evaluates the trial
   itself in this process and tells it through the same object, have a store keep that
   trial's params in memory until the trial's next write (its final state).

Heartbeats (SQL stores): a running trial's worker calls :meth:`record_heartbeat`; a trial whose
heartbeat is older than the grace period is failed by the next worker through
:func:`parabola.storages.fail_stale_trials`. Stores without heartbeats return ``False`` from
:meth:`is_heartbeat_enabled`.
"""

from __future__ import annotations

import abc
import dataclasses
import datetime
from collections.abc import Container, Mapping, Sequence
from typing import Any

from parabola._study_direction import StudyDirection
from parabola.distributions import BaseDistribution
from parabola.storages._records import FrozenStudy, RunRecord
from parabola.storages._run_types import HistoryQuery, RunKey, RunUpdate
from parabola.trial._frozen import FrozenTrial
from parabola.trial._state import TrialState

__all__ = ["BaseStorage"]


class BaseStorage(abc.ABC):
    """Abstract store of studies, trials and tracking runs. See the module docstring."""

    # Studies ------------------------------------------------------------------------------
    @abc.abstractmethod
    def create_new_study(
        self, directions: Sequence[StudyDirection], study_name: str | None = None
    ) -> int:
        """Create a study and return its id; raise ``DuplicatedStudyError`` if the name exists."""

    @abc.abstractmethod
    def delete_study(self, study_id: int) -> None:
        """Delete a study and all its trials; ``KeyError`` if unknown."""

    @abc.abstractmethod
    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        """Set a JSON-serialisable user attribute on a study."""

    @abc.abstractmethod
    def set_study_system_attr(self, study_id: int, key: str, value: Any) -> None:
        """Set a JSON-serialisable system attribute on a study."""

    @abc.abstractmethod
    def get_study_id_from_name(self, study_name: str) -> int:
        """Return the id of the named study; ``KeyError`` naming it if absent."""

    @abc.abstractmethod
    def get_study_name_from_id(self, study_id: int) -> str:
        """Return the name of the study."""

    @abc.abstractmethod
    def get_study_directions(self, study_id: int) -> list[StudyDirection]:
        """Return the study's objective directions."""

    @abc.abstractmethod
    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]:
        """Return a copy of the study's user attributes."""

    @abc.abstractmethod
    def get_study_system_attrs(self, study_id: int) -> dict[str, Any]:
        """Return a copy of the study's system attributes."""

    @abc.abstractmethod
    def get_all_studies(self) -> list[FrozenStudy]:
        """Return every study in the store, ordered by id."""

    # Trials -------------------------------------------------------------------------------
    @abc.abstractmethod
    def create_new_trial(self, study_id: int, template_trial: FrozenTrial | None = None) -> int:
        """Create a trial (RUNNING, or a copy of ``template_trial``) and return its id.

        The number is the next free one in the study (invariant 2).
        """

    def _create_trials(self, study_id: int, templates: Sequence[FrozenTrial]) -> list[int]:
        """Insert copies of ``templates`` in order, as :meth:`create_new_trial` does; their ids.

        For bulk copies (``parabola import optuna``). SQL stores do it in one transaction;
        this default inserts them one by one.
        """
        return [self.create_new_trial(study_id, template_trial=t) for t in templates]

    @abc.abstractmethod
    def set_trial_param(
        self,
        trial_id: int,
        param_name: str,
        param_value_internal: float,
        distribution: BaseDistribution,
    ) -> None:
        """Record a parameter; ``ValueError`` if incompatible with the study's earlier one."""

    @abc.abstractmethod
    def get_trial_id_from_study_id_trial_number(self, study_id: int, trial_number: int) -> int:
        """Return the id of trial ``trial_number`` of the study; ``KeyError`` if absent."""

    def get_trial_number_from_id(self, trial_id: int) -> int:
        """Return the number of a trial."""
        return self.get_trial(trial_id).number

    def get_trial_param(self, trial_id: int, param_name: str) -> float:
        """Return a parameter's internal value."""
        trial = self.get_trial(trial_id)
        return trial.distributions[param_name].to_internal_repr(trial.params[param_name])

    def get_trial_params(self, trial_id: int) -> dict[str, Any]:
        """Return a copy of the trial's parameters (external values), as Optuna's store does.

        Example:
            >>> from parabola.distributions import IntDistribution
            >>> from parabola.storages import InMemoryStorage
            >>> from parabola.study import StudyDirection
            >>> s = InMemoryStorage()
            >>> t = s.create_new_trial(s.create_new_study([StudyDirection.MINIMIZE]))
            >>> s.set_trial_param(t, "n", 4.0, IntDistribution(0, 10))
            >>> s.get_trial_params(t)
            {'n': 4}
        """
        return dict(self.get_trial(trial_id).params)

    def get_trial_user_attrs(self, trial_id: int) -> dict[str, Any]:
        """Return a copy of the trial's user attributes."""
        return dict(self.get_trial(trial_id).user_attrs)

    def get_trial_system_attrs(self, trial_id: int) -> dict[str, Any]:
        """Return a copy of the trial's system attributes."""
        return dict(self.get_trial(trial_id).system_attrs)

    @abc.abstractmethod
    def set_trial_state_values(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None = None
    ) -> bool:
        """Move a trial to ``state`` with ``values``.

        Returns ``False`` only when ``state`` is RUNNING and the trial is no longer WAITING
        (another worker claimed it). Raises ``UpdateFinishedTrialError`` on a finished trial.
        """

    @abc.abstractmethod
    def set_trial_intermediate_value(
        self, trial_id: int, step: int, intermediate_value: float
    ) -> None:
        """Record an intermediate value (``report``); a later write to the same step wins."""

    @abc.abstractmethod
    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        """Set a JSON-serialisable user attribute on a trial."""

    @abc.abstractmethod
    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        """Set a JSON-serialisable system attribute on a trial."""

    @abc.abstractmethod
    def get_trial(self, trial_id: int) -> FrozenTrial:
        """Return a copy of the trial; ``KeyError`` if unknown."""

    @abc.abstractmethod
    def get_all_trials(
        self,
        study_id: int,
        deepcopy: bool = True,
        states: Container[TrialState] | None = None,
    ) -> list[FrozenTrial]:
        """Return the study's trials ordered by number, optionally filtered by state."""

    def get_n_trials(
        self, study_id: int, state: TrialState | tuple[TrialState, ...] | None = None
    ) -> int:
        """Count the study's trials, optionally only those in ``state``."""
        if isinstance(state, TrialState):
            state = (state,)
        return len(self.get_all_trials(study_id, deepcopy=False, states=state))

    def get_best_trial(self, study_id: int) -> FrozenTrial:
        """Return the best COMPLETE trial of a single-objective study.

        Raises ``ValueError`` if there is no complete trial and ``RuntimeError`` if the study
        has several objectives.
        """
        directions = self.get_study_directions(study_id)
        if len(directions) > 1:
            raise RuntimeError(
                "Best trial can be obtained only for single-objective studies; use best_trials."
            )
        trials = self.get_all_trials(study_id, deepcopy=False, states=(TrialState.COMPLETE,))
        if not trials:
            raise ValueError("No trials are completed yet.")
        pick = max if directions[0] == StudyDirection.MAXIMIZE else min
        best = pick(trials, key=lambda t: t.values[0] if t.values else float("nan"))
        return self.get_trial(best._trial_id)

    def remove_session(self) -> None:
        """Release per-thread resources (connections); a no-op for most stores."""

    def check_trial_is_updatable(self, trial_id: int, trial_state: TrialState) -> None:
        """Raise ``UpdateFinishedTrialError`` if ``trial_state`` is finished."""
        if trial_state.is_finished():
            from parabola.exceptions import UpdateFinishedTrialError

            trial = self.get_trial(trial_id)
            raise UpdateFinishedTrialError(
                f"Trial#{trial.number} has already finished and can not be updated."
            )

    def _buffer_trial_params(self, trial_id: int) -> None:
        """Allow this object to buffer ``trial_id``'s params until the trial's next write.

        Only ``Study.optimize`` calls it, for a trial it asked and will tell through this same
        object in this process. The default is a no-op: every ``set_trial_param`` writes
        through. ``RDBStorage`` buffers only with heartbeats off: with them on, a worker killed
        before the trial's next write would lose the params, and ``RetryFailedTrialCallback``
        could not re-run the trial.
        """

    def _trial_write_count(self) -> int | None:
        """A number that changes with every trial write made through this object, or ``None``
        when the store does not count them (then callers must assume anything changed).

        ``Trial`` reads it around the sampler's ``before_trial`` hook, so that a hook that
        wrote nothing does not cost a second read of the trial.
        """
        return None

    # Budgets ------------------------------------------------------------------------------
    def create_new_trial_in_budget(
        self,
        study_id: int,
        budget_key: str,
        n_max: int | None,
        system_attrs: Mapping[str, Any] | None = None,
        index_key: str | None = None,
    ) -> int | None:
        """Create a RUNNING trial counted against a budget, or return ``None`` once it is spent.

        The study system attribute ``budget_key`` (0 when absent) counts the trials created
        under the budget. In one atomic step, a store reads the count; if it is below
        ``n_max`` (``None``: no limit) it increments it and creates a trial as
        :meth:`create_new_trial` does, with ``system_attrs`` plus ``{index_key: index}``
        (``index``: the count before the increment; ``index_key`` defaults to ``budget_key``)
        as system attributes, and returns its id.
        So callers in many threads, processes or machines never create more than ``n_max``
        trials under one key, and a caller that dies creates either the trial with its count
        or neither. Setting the attribute to ``n_max`` closes the budget early. This is how
        ``optimize(client=...)`` spends ``n_trials`` across Dask workers exactly once.

        Example:
            >>> from parabola.storages import InMemoryStorage
            >>> from parabola.study import StudyDirection
            >>> s = InMemoryStorage()
            >>> sid = s.create_new_study([StudyDirection.MINIMIZE])
            >>> [s.create_new_trial_in_budget(sid, "b", 2) is not None for _ in range(3)]
            [True, True, False]
            >>> s.get_study_system_attrs(sid)["b"], s.get_all_trials(sid)[1].system_attrs["b"]
            (2, 1)
        """
        raise NotImplementedError(
            f"{type(self).__name__} has no create_new_trial_in_budget: a store shared by "
            "distributed workers must implement it (see parabola.storages.BaseStorage)."
        )

    # Heartbeats ---------------------------------------------------------------------------
    def is_heartbeat_enabled(self) -> bool:
        """Whether running trials send heartbeats to this store."""
        return False

    def record_heartbeat(self, trial_id: int) -> None:
        """Record that the worker running ``trial_id`` is alive."""

    def get_heartbeat_interval(self) -> int | None:
        """Seconds between heartbeats, or ``None`` when disabled."""
        return None

    def fail_stale_trials(self, study_id: int) -> list[int]:
        """Mark RUNNING trials with a stale heartbeat FAIL; return their ids (atomic per trial)."""
        return []

    # Tracking runs ------------------------------------------------------------------------
    # A run is named by a RunKey, changed by a RunUpdate and read by a HistoryQuery
    # (parabola/storages/_run_types.py).
    @abc.abstractmethod
    def create_run(self, record: RunRecord) -> None:
        """Store a new run; ``ValueError`` if ``(entity, project, run_id)`` exists."""

    @abc.abstractmethod
    def update_run(self, key: RunKey, update: RunUpdate) -> None:
        """Set the fields of ``update`` on the run (the others stay); ``KeyError`` if unknown."""

    @abc.abstractmethod
    def get_run(self, key: RunKey) -> RunRecord:
        """Return a copy of the run; ``KeyError`` naming the path if unknown."""

    @abc.abstractmethod
    def get_runs(self, entity: str | None = None, project: str | None = None) -> list[RunRecord]:
        """Return runs, newest first, optionally limited to an entity and/or project."""

    @abc.abstractmethod
    def delete_run(self, key: RunKey) -> None:
        """Delete a run with its history."""

    @abc.abstractmethod
    def append_run_history(
        self, key: RunKey, rows: Sequence[Mapping[str, Any]], stream: str = "default"
    ) -> None:
        """Append history rows (each a flat dict with ``_step``) atomically, in order.

        ``stream`` is ``"default"`` for ``log`` rows and ``"system"`` for system metrics.
        """

    def write_run(
        self,
        key: RunKey,
        history: Mapping[str, Sequence[Mapping[str, Any]]],
        update: RunUpdate | None = None,
    ) -> None:
        """Append ``history`` (stream name -> rows) and apply ``update`` as one atomic write.

        The tracking writer sends a run's rows and the summary that describes exactly those
        rows through this one call, so a crash at any point leaves the stored summary and the
        stored history in agreement (both written, or neither). SQL stores do it in one
        transaction. This default calls :meth:`append_run_history` per stream and then
        :meth:`update_run`, which is atomic only for stores that serialise those calls (the
        in-memory store overrides it under its lock).

        Example:
            >>> from parabola.storages import InMemoryStorage, RunKey, RunRecord, RunState
            >>> from parabola.storages import RunUpdate
            >>> from parabola.storages._base import utcnow
            >>> s = InMemoryStorage()
            >>> now = utcnow()
            >>> s.create_run(RunRecord("r1", "p", "e", "r1", RunState.RUNNING, now, now))
            >>> key = RunKey("e", "p", "r1")
            >>> s.write_run(key, {"default": [{"_step": 0}]}, RunUpdate(summary={"_step": 0}))
            >>> s.get_run(key).summary, len(s.get_run_history(key))
            ({'_step': 0}, 1)
        """
        for stream, rows in history.items():
            if rows:
                self.append_run_history(key, rows, stream=stream)
        if update:
            self.update_run(key, update)

    @abc.abstractmethod
    def get_run_history(
        self, key: RunKey, query: HistoryQuery | None = None
    ) -> list[dict[str, Any]]:
        """Return the rows ``query`` selects (default: every row of the default stream) in
        insertion order; with ``query.keys`` each row keeps only those keys and ``_step``."""

    def get_study_runs(self, study_name: str) -> list[RunRecord]:
        """The runs linked to the study ``study_name`` (``RunRecord.study_name``), newest first.

        The dashboard's study page lists them; this default filters :meth:`get_runs`, and SQL
        stores select only those rows (a project of thousands of runs is not decoded).

        Example:
            >>> from parabola.storages import InMemoryStorage
            >>> InMemoryStorage().get_study_runs("s")
            []
        """
        return [r for r in self.get_runs() if r.study_name == study_name]

    def count_runs(self, entity: str | None = None, project: str | None = None) -> int:
        """How many runs :meth:`get_runs` would return, without reading them.

        Example:
            >>> from parabola.storages import InMemoryStorage
            >>> InMemoryStorage().count_runs("e", "p")
            0
        """
        return len(self.get_runs(entity, project))

    def get_run_history_columns(
        self, key: RunKey, query: HistoryQuery | None = None
    ) -> dict[str, Any]:
        """The rows of :meth:`get_run_history` as columns, for readers that build tables.

        Every column has one cell per row, in the same order; a row without the key has
        ``None`` there. Columns come in first-seen key order. A backend may return a column
        as a numpy array (``float64``/``int64``) instead of a list; it does so only when
        every row holds the key. ``query.keys`` keeps only those columns and ``_step``. This
        default builds the columns from :meth:`get_run_history`; stores that keep history
        column-wise override it.

        Example:
            >>> from parabola.storages import InMemoryStorage, RunKey, RunRecord, RunState
            >>> from parabola.storages._base import utcnow
            >>> s = InMemoryStorage()
            >>> now = utcnow()
            >>> s.create_run(RunRecord("r1", "p", "e", "r1", RunState.RUNNING, now, now))
            >>> s.append_run_history(RunKey("e", "p", "r1"), [{"_step": 0, "a": 1.0}, {"_step": 1}])
            >>> s.get_run_history_columns(RunKey("e", "p", "r1"))
            {'_step': [0, 1], 'a': [1.0, None]}
        """
        query = query or HistoryQuery()
        rows = self.get_run_history(key, dataclasses.replace(query, keys=None))
        names = dict.fromkeys(k for row in rows for k in row)
        if query.keys is not None:
            wanted = set(query.keys) | {"_step"}
            names = {k: None for k in names if k in wanted}
        return {k: [row.get(k) for row in rows] for k in names}

    def get_run_history_envelope(
        self,
        key: RunKey,
        query: HistoryQuery | None = None,
        *,
        n_buckets: int = 500,
        carry: Sequence[str] = ("_runtime", "_timestamp"),
    ) -> dict[str, dict[str, list[Any]]]:
        """A chart-sized sample of each numeric series: min/max buckets over the step range.

        For each of ``query.keys`` (default: every numeric column) the rows holding a finite
        value are split into ``n_buckets`` equal-width step buckets; the rows of each bucket's
        minimum and maximum are kept, with the first and the last row, in step order. So at
        most ``2 * n_buckets + 2`` points come back per key, and no spike is lost. Each
        series is ``{"_step": [...], key: [...], c: [...] for c in carry}`` (a carried cell
        is ``None`` where that row lacks a number). ``query.min_step``/``max_step``
        (inclusive) limit the range, as in :meth:`get_run_history`, for re-bucketing a
        zoomed chart. This default buckets :meth:`get_run_history_columns` (which SQL stores
        read column-wise and skip chunks outside the step range). A store that keeps
        pre-aggregated min/max blocks may answer from them instead (the SQL store does, for
        ranges of at least 250 rows per bucket): bucket edges then snap to block edges, and
        each bucket's minimum and maximum are still exact over its rows, so no spike is lost
        and every point returned is a real row.

        Example:
            >>> from parabola.storages import HistoryQuery, InMemoryStorage, RunKey, RunRecord
            >>> from parabola.storages import RunState
            >>> from parabola.storages._base import utcnow
            >>> s = InMemoryStorage()
            >>> now = utcnow()
            >>> s.create_run(RunRecord("r1", "p", "e", "r1", RunState.RUNNING, now, now))
            >>> rows = [{"_step": i, "loss": 1.0} for i in range(1000)]
            >>> rows[500]["loss"] = 99.0
            >>> key = RunKey("e", "p", "r1")
            >>> s.append_run_history(key, rows)
            >>> env = s.get_run_history_envelope(key, HistoryQuery(keys=["loss"]), n_buckets=10)
            >>> len(env["loss"]["_step"]) <= 22, max(env["loss"]["loss"])
            (True, 99.0)
        """
        from parabola.storages._envelope import envelope_of_columns

        query = query or HistoryQuery()
        keys = None if query.keys is None else list(query.keys)
        if keys is not None:
            query = dataclasses.replace(query, keys=(*keys, *carry))
        columns = self.get_run_history_columns(key, query)
        return envelope_of_columns(columns, keys, n_buckets, carry)


def utcnow() -> datetime.datetime:
    """Timezone-naive UTC now, the timestamp convention of every store."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
