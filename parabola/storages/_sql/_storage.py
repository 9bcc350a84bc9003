"""``RDBStorage``: the SQL store (SQLite file or PostgreSQL), a facade over its parts.

``RDBStorage`` implements :class:`~parabola.storages.BaseStorage` by delegating to parts that
each own their state and run every statement on the store's one transaction runner:

* ``_runner.py`` (``Runner``): one transaction with one retry policy; drivers ``_sqlite.py``
  (stdlib ``sqlite3``, a plain SQLite file) and ``_engine.py`` (SQLAlchemy, PostgreSQL and the
  rest); ``_dialect.py`` spells the statements;
* ``_studies.py`` (``StudyTable``): studies, their attributes and the directions cache;
* ``_trials.py`` (``TrialTable``): the trial hot path: the study caches (read only what
  changed), the owned-trial mirror and parameter buffer (write little), heartbeats and stale
  trials, one study-row lock per write (gapless numbers);
* ``_runs.py`` (``RunTable``) with ``_history.py``: tracking runs and their history chunks.

What stays here: argument checks, the schema (creation, version checks, :meth:`upgrade`),
pickling, and the process hooks: at exit every live store writes its buffered parameters, and a
forked child drops its parent's connections, lock and owned trials.
"""

from __future__ import annotations

import atexit
import os
import weakref
from collections.abc import Callable, Container, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from parabola._study_direction import StudyDirection
from parabola.distributions import BaseDistribution
from parabola.storages._base import BaseStorage
from parabola.storages._records import FrozenStudy, RunRecord
from parabola.storages._revisions import HEAD, KNOWN_REVISIONS
from parabola.storages._run_types import HistoryQuery, RunKey, RunUpdate
from parabola.storages._sql._codec import loads_or_empty
from parabola.storages._sql._runner import Runner, open_runner
from parabola.storages._sql._runs import RunTable
from parabola.storages._sql._schema import check_or_create, read_revision
from parabola.storages._sql._studies import StudyTable
from parabola.storages._sql._trials import TrialTable
from parabola.storages._sql._urls import normalize_url, redact, sqlite_file
from parabola.trial._frozen import FrozenTrial
from parabola.trial._state import TrialState

if TYPE_CHECKING:
    from parabola.study._study import Study

__all__ = ["RDBStorage"]

_DEFAULT = object()
DEFAULT_HEARTBEAT_INTERVAL = 10
GRACE_PERIOD_FACTOR = 6

_live: weakref.WeakSet[RDBStorage] = weakref.WeakSet()


@atexit.register
def _flush_at_exit() -> None:  # pragma: no cover - exercised by the multi-process tests
    for storage in list(_live):
        storage._flush_all_pending(quiet=True)


def _after_fork_in_child() -> None:
    # A forked child must not use its parent's connections (SQLAlchemy's advice), nor write
    # the parent's buffered parameters, nor wait on a lock a parent thread held at fork time.
    for storage in list(_live):
        storage._after_fork_in_child()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class RDBStorage(BaseStorage):
    """Store studies and runs in a SQL database: a SQLite file or PostgreSQL.

    Args:
        url: A SQLAlchemy URL: ``sqlite:///path/to/file.db`` (or a plain path ending in
            ``.db``/``.sqlite``/``.sqlite3``), or ``postgresql://user:password@host/dbname``
            (driver psycopg 3, ``pip install 'parabola[postgres]'``).
        engine_kwargs: Extra keyword arguments for ``sqlalchemy.create_engine``.
        skip_compatibility_check: Open a store of an older schema revision anyway, to
            :meth:`upgrade` it (a newer revision is always refused).
        heartbeat_interval: Seconds between heartbeats of a running trial (an int >= 1), or
            ``None`` to disable heartbeats. The default, 10 s, costs one tiny write per trial
            per 10 s while letting a dead worker be noticed within about a minute.
        grace_period: Seconds without a heartbeat after which a RUNNING trial counts as dead and
            the next worker marks it FAIL. Defaults to 6 x ``heartbeat_interval`` (60 s): a busy
            database or a long GIL-holding computation may delay a few beats, and failing a live
            trial is worse than recycling a dead one a little later.
        heartbeat_stale_trial_callback: Called as ``callback(study, frozen_trial)`` for each
            trial this process failed as stale, e.g.
            :class:`~parabola.storages.RetryHeartbeatStaleTrialCallback`.
        failed_trial_callback: Deprecated (Optuna 4.9) old name of
            ``heartbeat_stale_trial_callback``; warns ``FutureWarning``.
        skip_table_creation: Do not create the schema in an empty database.

    Raises:
        ValueError: for an unknown URL scheme or a bad argument.
        parabola.exceptions.StorageInternalError: when the database cannot be opened or is not
            a parabola store (the message names the URL and what to do).
        parabola.exceptions.StoreVersionError: when the store's schema is newer than this
            parabola, or older and not yet upgraded with ``parabola db upgrade``.

    Example:
        >>> import parabola, tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "example.db")
        >>> storage = parabola.storages.RDBStorage(f"sqlite:///{path}")
        >>> study = parabola.create_study(storage=storage, study_name="demo")
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
        >>> len(parabola.load_study(study_name="demo", storage=storage).trials)
        3
    """

    def __init__(
        self,
        url: str,
        engine_kwargs: dict[str, Any] | None = None,
        skip_compatibility_check: bool = False,
        *,
        heartbeat_interval: Any = _DEFAULT,
        grace_period: int | None = None,
        heartbeat_stale_trial_callback: Callable[[Study, FrozenTrial], None] | None = None,
        failed_trial_callback: Callable[[Study, FrozenTrial], None] | None = None,
        skip_table_creation: bool = False,
    ) -> None:
        if heartbeat_stale_trial_callback is not None and failed_trial_callback is not None:
            raise ValueError(
                "Specify only one of `heartbeat_stale_trial_callback` and `failed_trial_callback`."
            )
        if failed_trial_callback is not None:
            from parabola._stability import warn_deprecated

            warn_deprecated(
                "`failed_trial_callback`", "4.9.0", "6.0.0", "`heartbeat_stale_trial_callback`"
            )
        if heartbeat_interval is _DEFAULT:
            heartbeat_interval = DEFAULT_HEARTBEAT_INTERVAL
        _check_seconds("heartbeat_interval", heartbeat_interval)
        _check_seconds("grace_period", grace_period)
        if heartbeat_interval is None and grace_period is not None:
            raise ValueError("grace_period needs heartbeat_interval; pass both or neither.")
        if grace_period is not None and grace_period <= heartbeat_interval:
            raise ValueError(
                f"grace_period ({grace_period} s) must be longer than heartbeat_interval "
                f"({heartbeat_interval} s), or live trials would be failed between beats."
            )
        self.url = normalize_url(url)
        self.engine_kwargs = dict(engine_kwargs or {})
        self.heartbeat_interval: int | None = heartbeat_interval
        self.grace_period: int | None = (
            grace_period
            if grace_period is not None or heartbeat_interval is None
            else GRACE_PERIOD_FACTOR * heartbeat_interval
        )
        self.heartbeat_stale_trial_callback = (
            heartbeat_stale_trial_callback or failed_trial_callback
        )
        self.failed_trial_callback = self.heartbeat_stale_trial_callback
        # The one transaction runner: stdlib sqlite3 for a plain SQLite file (no SQLAlchemy
        # import), SQLAlchemy's pool for PostgreSQL and the rest (see _runner.py).
        self._runner: Runner = open_runner(self.url, self.engine_kwargs)
        try:
            check_or_create(
                self._runner,
                self.url,
                create=not skip_table_creation,
                allow_older=skip_compatibility_check,
            )
        except BaseException:
            self._runner.dispose()
            raise
        # The parts, each on this store's one transaction runner.
        self._studies = StudyTable(self._runner)
        self._trials = TrialTable(
            self._runner, self._studies, self.heartbeat_interval, self.grace_period
        )
        self._run_table = RunTable(self._runner)
        _live.add(self)
        # Close pooled connections when the storage is dropped (psycopg warns otherwise).
        weakref.finalize(self, self._runner.dispose)

    def _after_fork_in_child(self) -> None:
        self._runner.dispose(close=False)
        self._trials.reset_after_fork()

    def _flush_all_pending(self, quiet: bool) -> None:
        """Write every buffered parameter (before pickling, closing, or at exit)."""
        self._trials.flush_all_pending(quiet)

    def __repr__(self) -> str:
        return f"RDBStorage({redact(self.url)!r})"

    @property
    def engine(self) -> Any:
        """What holds this store's connections, with a ``dispose()`` that closes them: the
        SQLAlchemy engine (PostgreSQL, in-memory SQLite, ``engine_kwargs``), or the standard
        library driver of a plain SQLite file (which imports no SQLAlchemy)."""
        return getattr(self._runner, "engine", self._runner)

    @property
    def sqlite_path(self) -> str | None:
        """The SQLite file this store opens; ``None`` for PostgreSQL or an in-memory database."""
        return sqlite_file(self.url)

    def __getstate__(self) -> dict[str, Any]:
        self._flush_all_pending(quiet=False)
        return {
            "url": self.url,
            "engine_kwargs": self.engine_kwargs,
            "heartbeat_interval": self.heartbeat_interval,
            "grace_period": self.grace_period,
            "heartbeat_stale_trial_callback": self.heartbeat_stale_trial_callback,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(  # type: ignore[misc]
            state["url"],
            state["engine_kwargs"],
            heartbeat_interval=state["heartbeat_interval"],
            grace_period=state["grace_period"],
            heartbeat_stale_trial_callback=state["heartbeat_stale_trial_callback"],
        )

    def close(self) -> None:
        """Write buffered parameters and close the database connections."""
        self._flush_all_pending(quiet=False)
        self._runner.dispose()

    # Tracking runs: forwarded to the run table (parabola/storages/_sql/_runs.py) -----------
    def create_run(self, record: RunRecord) -> None:
        self._run_table.create_run(record)

    def update_run(self, key: RunKey, update: RunUpdate) -> None:
        self._run_table.update_run(key, update)

    def get_run(self, key: RunKey) -> RunRecord:
        return self._run_table.get_run(key)

    def get_runs(self, entity: str | None = None, project: str | None = None) -> list[RunRecord]:
        return self._run_table.get_runs(entity, project)

    def get_study_runs(self, study_name: str) -> list[RunRecord]:
        """The study's runs, selected by ``study_name`` (no other run is decoded)."""
        return self._run_table.get_study_runs(study_name)

    def count_runs(self, entity: str | None = None, project: str | None = None) -> int:
        """``SELECT COUNT(*)``: a new run's default name needs the count, not the runs."""
        return self._run_table.count_runs(entity, project)

    def delete_run(self, key: RunKey) -> None:
        self._run_table.delete_run(key)

    def append_run_history(
        self, key: RunKey, rows: Sequence[Mapping[str, Any]], stream: str = "default"
    ) -> None:
        """Append rows; each batch is stored as compressed chunks of up to 1000 rows."""
        self._run_table.append_run_history(key, rows, stream)

    def write_run(
        self,
        key: RunKey,
        history: Mapping[str, Sequence[Mapping[str, Any]]],
        update: RunUpdate | None = None,
    ) -> None:
        """Append the rows of every stream and apply ``update`` in one transaction."""
        self._run_table.write_run(key, history, update)

    def get_run_history(
        self, key: RunKey, query: HistoryQuery | None = None
    ) -> list[dict[str, Any]]:
        """Return the rows ``query`` selects, in order."""
        return self._run_table.get_run_history(key, query)

    def get_run_history_columns(
        self, key: RunKey, query: HistoryQuery | None = None
    ) -> dict[str, Any]:
        """Columns of :meth:`get_run_history` straight from the chunks' arrays."""
        return self._run_table.get_run_history_columns(key, query)

    def get_run_history_envelope(
        self,
        key: RunKey,
        query: HistoryQuery | None = None,
        *,
        n_buckets: int = 500,
        carry: Sequence[str] = ("_runtime", "_timestamp"),
    ) -> dict[str, dict[str, list[Any]]]:
        """Min/max buckets of each numeric series, from the chunks' envelope summaries."""
        return self._run_table.get_run_history_envelope(
            key, query, n_buckets=n_buckets, carry=carry
        )

    # Schema versions ----------------------------------------------------------------------
    def get_current_version(self) -> str | None:
        """The store's schema revision (``None`` for an empty database)."""
        dialect = self._runner.dialect
        return self._runner.run(lambda cur: read_revision(cur, dialect, self.url), write=False)

    def get_head_version(self) -> str:
        """The schema revision this parabola writes."""
        return HEAD

    def get_all_versions(self) -> list[str]:
        """Every schema revision this parabola knows, newest first (as Optuna orders them)."""
        return list(reversed(KNOWN_REVISIONS))

    def upgrade(self) -> None:
        """Upgrade the store's schema to :meth:`get_head_version` (``parabola db upgrade``).

        Open the store with ``skip_compatibility_check=True`` to upgrade an older one.
        """
        # Alembic needs SQLAlchemy: imported here, the only path that upgrades.
        from parabola.storages._sql._engine import create_engine
        from parabola.storages._sql._migrate import upgrade

        with self._trials.schema_rewrite():
            own = not hasattr(self._runner, "engine")
            if own:
                self._runner.dispose()
                engine = create_engine(self.url, self.engine_kwargs)
            else:
                engine = self.engine
            try:
                upgrade(engine, self.url)
            finally:
                if own:
                    engine.dispose()

    # Studies: forwarded to the study table (parabola/storages/_sql/_studies.py) -----------
    def create_new_study(
        self, directions: Sequence[StudyDirection], study_name: str | None = None
    ) -> int:
        return self._studies.create(directions, study_name)

    def delete_study(self, study_id: int) -> None:
        self._studies.delete(study_id)
        self._trials.forget_study(study_id)

    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        self._studies.set_attr(study_id, "user_attrs", key, value)

    def set_study_system_attr(self, study_id: int, key: str, value: Any) -> None:
        self._studies.set_attr(study_id, "system_attrs", key, value)

    def get_study_id_from_name(self, study_name: str) -> int:
        return self._studies.id_from_name(study_name)

    def get_study_name_from_id(self, study_id: int) -> str:
        return str(self._studies.column(study_id, "study_name"))

    def get_study_directions(self, study_id: int) -> list[StudyDirection]:
        return self._studies.directions(study_id)

    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]:
        return dict(loads_or_empty(self._studies.column(study_id, "user_attrs")))

    def get_study_system_attrs(self, study_id: int) -> dict[str, Any]:
        return dict(loads_or_empty(self._studies.column(study_id, "system_attrs")))

    def get_all_studies(self) -> list[FrozenStudy]:
        return self._studies.all()

    # Trials: forwarded to the trial table (parabola/storages/_sql/_trials.py) -------------
    def create_new_trial(self, study_id: int, template_trial: FrozenTrial | None = None) -> int:
        return self._trials.create(study_id, template_trial)

    def create_new_trial_in_budget(
        self,
        study_id: int,
        budget_key: str,
        n_max: int | None,
        system_attrs: Mapping[str, Any] | None = None,
        index_key: str | None = None,
    ) -> int | None:
        return self._trials.create_in_budget(study_id, budget_key, n_max, system_attrs, index_key)

    def _create_trials(self, study_id: int, templates: Sequence[FrozenTrial]) -> list[int]:
        return self._trials.create_many(study_id, templates)

    def set_trial_param(
        self,
        trial_id: int,
        param_name: str,
        param_value_internal: float,
        distribution: BaseDistribution,
    ) -> None:
        self._trials.set_param(trial_id, param_name, param_value_internal, distribution)

    def _buffer_trial_params(self, trial_id: int) -> None:
        self._trials.buffer_params(trial_id)

    def get_trial_id_from_study_id_trial_number(self, study_id: int, trial_number: int) -> int:
        return self._trials.id_from_number(study_id, trial_number)

    def get_trial_number_from_id(self, trial_id: int) -> int:
        return self._trials.number_from_id(trial_id)

    def set_trial_state_values(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None = None
    ) -> bool:
        state = TrialState(state)
        checked = None if values is None else [float(v) for v in values]
        with self._trials.hold():
            if state == TrialState.RUNNING and not self._trials.owns(trial_id):
                return self._claim(trial_id)
            return self._trials.set_state_values(trial_id, state, checked)

    def _claim(self, trial_id: int) -> bool:
        # One seam: the race tests stand in for another worker here.
        return self._trials.claim(trial_id)

    def set_trial_intermediate_value(
        self, trial_id: int, step: int, intermediate_value: float
    ) -> None:
        self._trials.set_intermediate_value(trial_id, step, intermediate_value)

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        self._trials.set_attr(trial_id, "user_attrs", key, value)

    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        self._trials.set_attr(trial_id, "system_attrs", key, value)

    def get_trial(self, trial_id: int) -> FrozenTrial:
        return self._trials.get(trial_id)

    def get_all_trials(
        self,
        study_id: int,
        deepcopy: bool = True,
        states: Container[TrialState] | None = None,
    ) -> list[FrozenTrial]:
        return self._trials.all(study_id, deepcopy, states)

    def get_n_trials(
        self, study_id: int, state: TrialState | tuple[TrialState, ...] | None = None
    ) -> int:
        if state is None:
            return self._trials.count(study_id)
        return super().get_n_trials(study_id, state)

    def get_best_trial(self, study_id: int) -> FrozenTrial:
        return self._trials.best(study_id)

    # Heartbeats ---------------------------------------------------------------------------
    def is_heartbeat_enabled(self) -> bool:
        return self.heartbeat_interval is not None

    def get_heartbeat_stale_trial_callback(self) -> Callable[[Study, FrozenTrial], None] | None:
        """The callback run for each trial this process fails as stale (or ``None``)."""
        return self.heartbeat_stale_trial_callback

    def get_failed_trial_callback(self) -> Callable[[Study, FrozenTrial], None] | None:
        """Optuna's older name of :meth:`get_heartbeat_stale_trial_callback`."""
        return self.heartbeat_stale_trial_callback

    def get_heartbeat_interval(self) -> int | None:
        return self.heartbeat_interval

    def record_heartbeat(self, trial_id: int) -> None:
        """Refresh the trial's heartbeat and write its buffered parameters, if any.

        A beat right after the trial was created or claimed (which stamped one) is skipped.
        """
        self._trials.record_heartbeat(trial_id)

    def fail_stale_trials(self, study_id: int) -> list[int]:
        """Mark RUNNING trials whose heartbeat is older than the grace period FAIL.

        Each trial is failed by exactly one caller (a guarded ``UPDATE``); returns the ids this
        call failed.
        """
        return self._trials.fail_stale(study_id)

    def remove_session(self) -> None:
        self._flush_all_pending(quiet=False)


def _check_seconds(name: str, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be an int >= 1 (seconds) or None; got {value!r}.")
