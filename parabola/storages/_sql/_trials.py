"""The trial table of :class:`~parabola.storages.RDBStorage`: the hot path of every trial.

``TrialTable`` owns everything this process keeps of the ``trials`` rows, and talks to the
database only through the store's transaction runner (``_runner.py``):

* **the study caches** (``_cache.StudyCache``): each study's trials as of its change counter
  ``studies.version``. Every trial write bumps the counter and stamps the row, so a read asks for
  the counter (one tiny query) and then only for rows stamped after the last read; finished
  trials never change and are cached for good. A write of our own is folded into the cache
  when the cache was current just before it (no re-read).
* **the owned trials**: a trial created here (``create``, ``create_in_budget``) or claimed from
  WAITING (``claim``) is mirrored in memory until it finishes, so reads of it cost nothing and
  a write sends only the columns it changed, guarded by ``state = RUNNING`` (a trial failed as
  stale by another worker raises ``UpdateFinishedTrialError`` here, and is dropped).
* **the parameter buffer**: ``set_param`` is written through when heartbeats are on (the
  default). Without heartbeats, for the trials ``optimize`` evaluates itself
  (``buffer_params``), a parameter waits in the mirror for the trial's next write (a report,
  an attribute, or the final state), so a whole ``ask``/``tell`` costs two short write
  transactions; ``flush_all_pending`` writes what waits (pickling, closing, exit).
* **heartbeats and stale trials**: ``record_heartbeat`` stamps an owned trial (and flushes its
  buffer); ``fail_stale`` fails RUNNING trials whose beat is older than the grace period, each
  by exactly one caller (a guarded ``UPDATE``).

Every write runs in one transaction that bumps the study row first, which serialises writers of
a study (SQLite ``BEGIN IMMEDIATE``; a PostgreSQL row lock, always study row before trial row)
and makes trial numbers gapless. Study directions come from the study table's public methods.
"""

from __future__ import annotations

import datetime
import json
import threading
import time
from collections.abc import Callable, Container, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from parabola.distributions import (
    BaseDistribution,
    check_distribution_compatibility,
    distribution_to_json,
)
from parabola.exceptions import UpdateFinishedTrialError
from parabola.storages._sql import _statements as st
from parabola.storages._sql._budget import insert_in_budget
from parabola.storages._sql._cache import FINISHED_VALUES, StudyCache
from parabola.storages._sql._codec import (
    copy_trial,
    dt_to_us,
    dumps,
    encode_distributions,
    no_gc,
    trial_from_row,
    trials_from_rows,
)
from parabola.storages._sql._runner import Runner
from parabola.storages._sql._studies import StudyTable
from parabola.trial._frozen import FrozenTrial
from parabola.trial._state import TrialState

__all__ = ["TrialTable"]

_RUNNING = TrialState.RUNNING.value
# A study's first read: every trial, in the order of the (study_id, number) unique index. The
# version filter of CHANGED_TRIALS would make SQLite read the (study_id, version) index and sort
# all the rows (a temporary B-tree of the whole study) for nothing.
_STUDY_TRIALS = f"SELECT {st.TRIAL_COLUMNS} FROM trials WHERE study_id = {{sid}} ORDER BY number"


class _Lost(Exception):
    """An owned running trial was finished by someone else (e.g. failed as stale)."""


class _NotWaiting(Exception):
    """A RUNNING claim on a trial that is not WAITING."""


class TrialTable:
    """Trials: creation, updates, reads, heartbeats; owns the caches, mirror and buffer.

    Args:
        runner: The store's transaction runner.
        studies: The store's study table (directions, for best-trial tracking).
        heartbeat_interval: Seconds between heartbeats, or ``None`` (heartbeats off: the
            parameter buffer may be used).
        grace_period: Seconds without a beat after which a RUNNING trial is stale, or ``None``.
    """

    def __init__(
        self,
        runner: Runner,
        studies: StudyTable,
        heartbeat_interval: int | None,
        grace_period: int | None,
    ) -> None:
        self._runner = runner
        self._studies = studies
        self._heartbeat_interval = heartbeat_interval
        self._grace_period = grace_period
        self._sql = runner.dialect.sql
        self._for_update = runner.dialect.for_update
        self._lock = threading.RLock()
        self._caches: dict[int, StudyCache] = {}
        self._trial_study: dict[int, int] = {}
        self._owned: dict[int, FrozenTrial] = {}
        self._pending: dict[int, set[str]] = {}
        # Trials whose params may wait in memory for the trial's next write (optimize's own).
        self._buffered: set[int] = set()
        self._last_beat: dict[int, float] = {}

    # Lifecycle ----------------------------------------------------------------------------
    def hold(self) -> threading.RLock:
        """This table's (reentrant) lock, for a caller that must decide and act atomically."""
        return self._lock

    def owns(self, trial_id: int) -> bool:
        """Whether ``trial_id`` is a running trial of this process (mirrored in memory)."""
        return trial_id in self._owned

    def forget_study(self, study_id: int) -> None:
        """Drop what is kept of a deleted study: its cache and its trials."""
        with self._lock:
            self._caches.pop(study_id, None)
            for tid in [t for t, s in self._trial_study.items() if s == study_id]:
                del self._trial_study[tid]
                self._disown(tid)

    @contextmanager
    def schema_rewrite(self) -> Iterator[None]:
        """Hold off trial writes while the schema is rewritten: buffered parameters are
        written first, and every cache is dropped after."""
        with self._lock:
            self.flush_all_pending(quiet=False)
            yield
            self._caches.clear()

    def reset_after_fork(self) -> None:
        """In a forked child: a fresh lock (a parent thread may have held this one at fork
        time), and none of the parent's owned trials or buffered parameters."""
        self._lock = threading.RLock()
        self._owned.clear()
        self._pending.clear()
        self._buffered.clear()
        self._last_beat.clear()

    # Transactions -------------------------------------------------------------------------
    def _bump(self, cur: Any, study_id: int) -> int:
        """Bump the study's change counter (taking its write lock); return the new value."""
        cur.execute(self._sql(st.BUMP), {"sid": study_id})
        row = cur.fetchone()
        if row is None:
            raise KeyError(f"No study with id {study_id} in this storage.")
        return int(row[0])

    def _study_of(self, cur: Any, trial_id: int) -> int:
        """The trial's study id. Writers lock the study row first, then the trial row, so
        PostgreSQL never sees two writers take the two locks in opposite orders."""
        study_id = self._trial_study.get(trial_id)
        if study_id is None:
            study_id = int(self._select_trial(cur, trial_id, lock=False)[1])
        return study_id

    def _select_trial(self, cur: Any, trial_id: int, lock: bool) -> Any:
        sql = st.SELECT_TRIAL + (self._for_update if lock else "")
        cur.execute(self._sql(sql), {"tid": trial_id})
        row = cur.fetchone()
        if row is None:
            raise KeyError(f"No trial with id {trial_id} in this storage.")
        return row

    def _update_sql(self, cols: Sequence[str], guard: bool) -> str:
        return self._sql(st.update_trial(cols, guard))

    # Trial cache --------------------------------------------------------------------------
    def _sync(self, study_id: int) -> StudyCache:
        """Bring the study's cache up to date: one query, plus one for changed trials."""
        self._studies.directions(study_id)  # best-trial tracking needs the directions
        cache = self._caches.get(study_id)
        known = -1 if cache is None else cache.version

        def read(cur: Any) -> tuple[int | None, list[Any]]:
            cur.execute(self._sql(st.STUDY_VERSION), {"sid": study_id})
            row = cur.fetchone()
            if row is None or row[0] == known:
                return None if row is None else row[0], []
            if known == -1:
                cur.execute(self._sql(_STUDY_TRIALS), {"sid": study_id})
            else:
                cur.execute(self._sql(st.CHANGED_TRIALS), {"sid": study_id, "known": known})
            return row[0], cur.fetchall()

        version, rows = self._runner.run(read, write=False)
        if version is None:
            self._caches.pop(study_id, None)
            raise KeyError(f"No study with id {study_id} in this storage.")
        if cache is None:
            cache = self._caches[study_id] = StudyCache()
        if version != cache.version:
            owned = self._owned
            # Finished trials stay rows until read (see _cache); live ones are decoded now.
            live: dict[int, FrozenTrial] = {}
            for trial in trials_from_rows([r for r in rows if r[3] not in FINISHED_VALUES]):
                mine = owned.get(trial._trial_id)
                if mine is not None and trial.state is not TrialState.RUNNING:
                    self._disown(trial._trial_id)  # put back (WAITING) elsewhere: the store's
                    mine = None
                # Our in-memory copy of a running trial is newer (it may hold buffered params).
                live[trial._trial_id] = trial if mine is None else mine
            for row in rows:
                if row[3] in FINISHED_VALUES and row[0] in owned:
                    self._disown(row[0])  # finished by another worker (stale): no longer ours
            directions = self._studies.known_directions(study_id)  # once, not per trial
            with no_gc():
                cache.put_rows(rows, live, directions)
            self._trial_study.update(dict.fromkeys([r[0] for r in rows], study_id))
            cache.version = int(version)
        return cache

    def _put(self, study_id: int, cache: StudyCache, trial: FrozenTrial) -> None:
        cache.put(trial, self._studies.known_directions(study_id))
        self._trial_study[trial._trial_id] = study_id

    def _after_own_write(self, study_id: int, version: int, trial: FrozenTrial | None) -> None:
        """Record our own write in the cache if the cache was current just before it."""
        cache = self._caches.get(study_id)
        if cache is None or cache.version != version - 1:
            return  # someone else wrote in between: the next _sync fetches everything
        if trial is not None:
            self._put(study_id, cache, trial)
        cache.version = version

    def _disown(self, trial_id: int) -> None:
        self._owned.pop(trial_id, None)
        self._pending.pop(trial_id, None)
        self._buffered.discard(trial_id)
        self._last_beat.pop(trial_id, None)

    # Trials -------------------------------------------------------------------------------
    def create(self, study_id: int, template_trial: FrozenTrial | None = None) -> int:
        with self._lock:
            self._studies.directions(study_id)  # KeyError for an unknown study; warms the cache
            now = datetime.datetime.now()
            if template_trial is None:
                trial = FrozenTrial(
                    number=-1,
                    state=TrialState.RUNNING,
                    value=None,
                    datetime_start=now,
                    datetime_complete=None,
                    params={},
                    distributions={},
                    user_attrs={},
                    system_attrs={},
                    intermediate_values={},
                    trial_id=-1,
                )
            else:
                trial = copy_trial(template_trial)
                cache = self._sync(study_id)
                for name, dist in trial.distributions.items():
                    if name in cache.param_dists:
                        check_distribution_compatibility(cache.param_dists[name], dist)
            values = st.encode_columns(trial, st.ALL_COLUMNS)
            beat = time.time() if trial.state == TrialState.RUNNING else None
            if beat is not None and self._heartbeat_interval is not None:
                values["heartbeat"] = beat

            values.setdefault("heartbeat", None)
            insert = self._sql(st.INSERT_TRIAL)

            def tx(cur: Any) -> tuple[int, int, int]:
                cur.execute(self._sql(st.NEXT_NUMBER), {"sid": study_id})
                row = cur.fetchone()
                if row is None:
                    raise KeyError(f"No study with id {study_id} in this storage.")
                number, version = int(row[0]) - 1, int(row[1])
                cur.execute(
                    insert, {"study_id": study_id, "number": number, "version": version, **values}
                )
                return int(cur.fetchone()[0]), number, version

            trial_id, number, version = self._runner.run(tx, write=True)
            trial._trial_id = trial_id
            trial.number = number
            self._trial_study[trial_id] = study_id
            if template_trial is None:
                self._owned[trial_id] = trial
                if beat is not None:
                    self._last_beat[trial_id] = beat
            self._after_own_write(study_id, version, trial)
            return trial_id

    def create_in_budget(
        self,
        study_id: int,
        budget_key: str,
        n_max: int | None,
        system_attrs: Mapping[str, Any] | None = None,
        index_key: str | None = None,
    ) -> int | None:
        if not isinstance(budget_key, str):
            raise TypeError(f"budget_key must be a str, got {budget_key!r}.")
        extra = dict(system_attrs or {})
        dumps(extra, "trial system attributes")
        dialect = self._runner.dialect
        with self._lock:
            self._studies.directions(study_id)  # KeyError for an unknown study
            now = datetime.datetime.now()
            beat = time.time() if self._heartbeat_interval is not None else None
            result = self._runner.run(
                lambda cur: insert_in_budget(
                    cur, dialect, study_id, budget_key, n_max, extra, index_key, now, beat
                ),
                write=True,
            )
            if result is None:
                return None
            trial, version = result
            self._trial_study[trial._trial_id] = study_id
            self._owned[trial._trial_id] = trial
            if beat is not None:
                self._last_beat[trial._trial_id] = beat
            self._after_own_write(study_id, version, trial)
            return trial._trial_id

    def create_many(self, study_id: int, templates: Sequence[FrozenTrial]) -> list[int]:
        # One transaction for all of them (parabola import optuna): per-trial commits would
        # make a 10,000-trial import wait on 10,000 fsyncs.
        with self._lock:
            cache = self._sync(study_id)
            dists = dict(cache.param_dists)
            # Imported trials share their distribution objects: encode each set once.
            encoded: dict[tuple[tuple[str, int], ...], str | None] = {}
            columns = st.ALL_COLUMNS - {"distributions"}
            rows = []
            for template in templates:
                trial = copy_trial(template)
                for name, dist in trial.distributions.items():
                    known = dists.setdefault(name, dist)
                    if known is not dist:
                        check_distribution_compatibility(known, dist)
                values = st.encode_columns(trial, columns)
                key = tuple((n, id(d)) for n, d in trial.distributions.items())
                if key not in encoded:
                    encoded[key] = encode_distributions(trial.distributions)
                values["distributions"] = encoded[key]
                running = trial.state == TrialState.RUNNING
                beat = running and self._heartbeat_interval is not None
                values["heartbeat"] = time.time() if beat else None
                rows.append(values)
            insert = self._sql(st.INSERT_TRIAL)
            next_number = self._sql(st.NEXT_NUMBER)

            def tx(cur: Any) -> list[int]:
                ids = []
                for values in rows:
                    cur.execute(next_number, {"sid": study_id})
                    row = cur.fetchone()
                    if row is None:
                        raise KeyError(f"No study with id {study_id} in this storage.")
                    number, version = int(row[0]) - 1, int(row[1])
                    cur.execute(
                        insert,
                        {"study_id": study_id, "number": number, "version": version, **values},
                    )
                    ids.append(int(cur.fetchone()[0]))
                return ids

            ids = self._runner.run(tx, write=True)
            for trial_id in ids:
                self._trial_study[trial_id] = study_id
            return ids

    def set_param(
        self,
        trial_id: int,
        param_name: str,
        param_value_internal: float,
        distribution: BaseDistribution,
    ) -> None:
        if not isinstance(param_name, str):
            raise TypeError(f"param_name must be a str, got {param_name!r}.")
        with self._lock:
            owned = self._owned.get(trial_id)
            study_id = self._trial_study.get(trial_id)
            if study_id is None:
                study_id = self._locate(trial_id)
            cache = self._caches.get(study_id) if owned is not None else None
            if cache is None:  # our own trials reuse the cache ask() just synced
                cache = self._sync(study_id)
            known = None if cache is None else cache.param_dists.get(param_name)
            if known is not None:
                check_distribution_compatibility(known, distribution)
            if known != distribution:  # a stored (hence encodable) one needs no check
                _check_encodable(param_name, param_value_internal, distribution)
            external = distribution.to_external_repr(param_value_internal)

            def mutate(t: FrozenTrial) -> set[str]:
                if param_name in t.distributions:
                    check_distribution_compatibility(t.distributions[param_name], distribution)
                t.params[param_name] = external
                t.distributions[param_name] = distribution
                return {"params", "distributions"}

            if owned is None:
                self._update(trial_id, mutate, flush=True)
            elif trial_id in self._buffered:
                # optimize() asked to buffer: written with the trial's next write.
                self._update(trial_id, mutate, flush=False)
            else:
                self._write_params(trial_id, owned, mutate)
            if cache is not None and param_name not in cache.param_dists:
                cache.param_dists[param_name] = distribution

    def _write_params(
        self, trial_id: int, owned: FrozenTrial, mutate: Callable[[FrozenTrial], set[str]]
    ) -> None:
        """Write our running trial's params through (lock held), see ``st.SET_PARAMS``."""
        new = copy_trial(owned)
        mutate(new)
        values = st.encode_columns(new, {"params", "distributions"})
        sql = self._sql(st.SET_PARAMS)

        def tx(cur: Any) -> None:
            cur.execute(sql, {**values, "tid": trial_id, "running": _RUNNING})
            if cur.rowcount != 1:
                raise _Lost

        try:
            self._runner.run(tx, write=True)
        except _Lost:
            self._disown(trial_id)
            raise _finished_error(self.get(trial_id)) from None
        owned.__dict__.update(new.__dict__)

    def buffer_params(self, trial_id: int) -> None:
        with self._lock:
            if trial_id in self._owned and self._heartbeat_interval is None:
                self._buffered.add(trial_id)

    def _locate(self, trial_id: int) -> int:
        row = self._runner.run(lambda cur: self._select_trial(cur, trial_id, False), write=False)
        self._trial_study[trial_id] = int(row[1])
        return int(row[1])

    def id_from_number(self, study_id: int, trial_number: int) -> int:
        with self._lock:
            cache = self._sync(study_id)
            if not 0 <= trial_number < len(cache):
                raise KeyError(
                    f"No trial with number {trial_number} in study {study_id} "
                    f"(it has {len(cache)} trials)."
                )
            return cache.trial_id(trial_number)

    def number_from_id(self, trial_id: int) -> int:
        with self._lock:
            study_id = self._trial_study.get(trial_id)
            cache = None if study_id is None else self._caches.get(study_id)
            if cache is not None and trial_id in cache.id_to_number:
                return cache.id_to_number[trial_id]
        return self.get(trial_id).number

    def set_state_values(
        self, trial_id: int, state: TrialState, checked: list[float] | None
    ) -> bool:
        """Set the state (and values, already floats); RUNNING claims a WAITING trial."""
        with self._lock:
            if state == TrialState.RUNNING and trial_id not in self._owned:
                return self._claim(trial_id)

            def mutate(t: FrozenTrial) -> set[str]:
                if state == TrialState.RUNNING:
                    raise _NotWaiting
                cols = {"state"}
                t.state = state
                if checked is not None:
                    t.values = checked
                    cols.add("trial_values")
                if state.is_finished():
                    t.datetime_complete = datetime.datetime.now()
                    cols.add("datetime_complete")
                return cols

            try:
                self._update(trial_id, mutate, flush=True)
            except _NotWaiting:
                return False
            return True

    def claim(self, trial_id: int) -> bool:
        """Claim a WAITING trial as ours (RUNNING); ``False`` if it was not WAITING."""
        with self._lock:
            return self._claim(trial_id)

    def _claim(self, trial_id: int) -> bool:
        now = datetime.datetime.now()
        beat = time.time() if self._heartbeat_interval is not None else None

        update = self._update_sql(("state", "datetime_start", "heartbeat"), guard=False)

        def tx(cur: Any) -> tuple[FrozenTrial, int, int] | None:
            version = self._bump(cur, self._study_of(cur, trial_id))
            row = self._select_trial(cur, trial_id, lock=True)
            trial = trial_from_row(row)
            if trial.state.is_finished():
                # Finished is final (the storage contract, as in Optuna): the caller that lost
                # the race for an enqueued trial (Study._pop_waiting_trial_id) skips it.
                raise _finished_error(trial)
            if trial.state != TrialState.WAITING:
                return None
            cur.execute(
                update,
                {
                    "state": _RUNNING,
                    "datetime_start": dt_to_us(now),
                    "heartbeat": beat,
                    "version": version,
                    "tid": trial_id,
                },
            )
            trial.state = TrialState.RUNNING
            trial.datetime_start = now
            return trial, int(row[1]), version

        result = self._runner.run(tx, write=True)
        if result is None:
            return False
        trial, study_id, version = result
        self._owned[trial_id] = trial
        self._trial_study[trial_id] = study_id
        if beat is not None:
            self._last_beat[trial_id] = beat
        self._after_own_write(study_id, version, trial)
        return True

    def _update(
        self, trial_id: int, mutate: Callable[[FrozenTrial], set[str]], *, flush: bool
    ) -> None:
        """Apply ``mutate`` to a trial and write the columns it changed (caller holds the lock).

        Our own running trials are changed from memory (``flush=False`` only buffers);
        anybody else's are read and written back in one transaction.
        """
        owned = self._owned.get(trial_id)
        if owned is None:
            self._update_remote(trial_id, mutate)
            return
        new = copy_trial(owned)
        cols = mutate(new)
        pending = self._pending.setdefault(trial_id, set())
        if not flush:
            pending |= cols
            owned.__dict__.update(new.__dict__)
            return
        version = self._flush(trial_id, new, pending | cols)
        owned.__dict__.update(new.__dict__)
        if new.state.is_finished():
            self._disown(trial_id)
        self._after_own_write(self._trial_study[trial_id], version, owned)

    def _flush(
        self, trial_id: int, new: FrozenTrial, cols: set[str], beat: float | None = None
    ) -> int:
        """Write ``cols`` of our trial ``new``; return the study version it was stamped with."""
        study_id = self._trial_study[trial_id]
        values = st.encode_columns(new, cols)
        if beat is not None:
            values["heartbeat"] = beat

        update = self._update_sql(sorted(values), guard=True)

        def tx(cur: Any) -> int:
            version = self._bump(cur, study_id)
            cur.execute(
                update, {**values, "version": version, "tid": trial_id, "running": _RUNNING}
            )
            if cur.rowcount != 1:
                raise _Lost
            return version

        try:
            version = self._runner.run(tx, write=True)
        except _Lost:
            self._disown(trial_id)
            raise _finished_error(self.get(trial_id)) from None
        self._pending.pop(trial_id, None)
        if beat is not None:
            self._last_beat[trial_id] = beat
        return version

    def _update_remote(self, trial_id: int, mutate: Callable[[FrozenTrial], set[str]]) -> None:
        def tx(cur: Any) -> tuple[FrozenTrial, int, int]:
            version = self._bump(cur, self._study_of(cur, trial_id))
            row = self._select_trial(cur, trial_id, lock=True)
            trial = trial_from_row(row)
            if trial.state.is_finished():
                raise _finished_error(trial)
            cols = mutate(trial)
            values = st.encode_columns(trial, cols)
            cur.execute(
                self._update_sql(sorted(values), guard=False),
                {**values, "version": version, "tid": trial_id},
            )
            return trial, int(row[1]), version

        trial, study_id, version = self._runner.run(tx, write=True)
        self._trial_study[trial_id] = study_id
        self._after_own_write(study_id, version, trial)

    def set_intermediate_value(self, trial_id: int, step: int, intermediate_value: float) -> None:
        value = float(intermediate_value)

        def mutate(t: FrozenTrial) -> set[str]:
            t.intermediate_values[int(step)] = value
            return {"intermediate_values"}

        with self._lock:
            self._update(trial_id, mutate, flush=True)

    def set_attr(self, trial_id: int, column: str, key: str, value: Any) -> None:
        if not isinstance(key, str):
            raise TypeError(f"trial attribute key must be a str, got {key!r}.")
        dumps(value, f"trial attribute '{key}'")

        def mutate(t: FrozenTrial) -> set[str]:
            (t.user_attrs if column == "user_attrs" else t.system_attrs)[key] = json.loads(
                json.dumps(value)
            )
            return {column}

        with self._lock:
            self._update(trial_id, mutate, flush=True)

    def get(self, trial_id: int) -> FrozenTrial:
        with self._lock:
            owned = self._owned.get(trial_id)
            if owned is not None:
                return copy_trial(owned)
            study_id = self._trial_study.get(trial_id)
            cache = None if study_id is None else self._caches.get(study_id)
            if cache is not None and trial_id in cache.id_to_number:
                cached = cache.finished_copy(cache.id_to_number[trial_id])
                if cached is not None:
                    return cached
        row = self._runner.run(lambda cur: self._select_trial(cur, trial_id, False), write=False)
        with self._lock:
            self._trial_study[trial_id] = int(row[1])
        return trial_from_row(row)

    def all(
        self,
        study_id: int,
        deepcopy: bool = True,
        states: Container[TrialState] | None = None,
    ) -> list[FrozenTrial]:
        with self._lock:
            self._studies.directions(study_id)
            cache = self._sync(study_id)
            with no_gc():
                return cache.select(states, deepcopy)

    def count(self, study_id: int) -> int:
        """How many trials the study has (its cache brought up to date)."""
        with self._lock:
            return len(self._sync(study_id))

    def best(self, study_id: int) -> FrozenTrial:
        directions = self._studies.directions(study_id)
        if len(directions) > 1:
            raise RuntimeError(
                "Best trial can be obtained only for single-objective studies; use best_trials."
            )
        with self._lock:
            cache = self._sync(study_id)
            best = cache.best()
            if best is None:
                raise ValueError("No trials are completed yet.")
            return best

    # Heartbeats ---------------------------------------------------------------------------
    def record_heartbeat(self, trial_id: int) -> None:
        """Refresh the trial's heartbeat and write its buffered parameters, if any.

        A beat right after the trial was created or claimed (which stamped one) is skipped.
        """
        now = time.time()
        with self._lock:
            owned = self._owned.get(trial_id)
            pending = self._pending.get(trial_id)
            interval = self._heartbeat_interval or 0
            if owned is not None:
                if not pending and now - self._last_beat.get(trial_id, 0.0) < interval / 2:
                    return
                version = self._flush(trial_id, copy_trial(owned), set(pending or ()), beat=now)
                self._after_own_write(self._trial_study[trial_id], version, owned)
                return

        sql = self._sql(st.BEAT)
        self._runner.run(
            lambda cur: cur.execute(sql, {"now": now, "tid": trial_id, "running": _RUNNING}),
            write=True,
        )

    def fail_stale(self, study_id: int) -> list[int]:
        """Mark RUNNING trials whose heartbeat is older than the grace period FAIL.

        Each trial is failed by exactly one caller (a guarded ``UPDATE``); returns the ids this
        call failed.
        """
        if self._grace_period is None:
            return []
        cutoff = time.time() - self._grace_period
        args = {"sid": study_id, "running": _RUNNING, "cutoff": cutoff}
        stale_sql = self._sql(st.STALE)

        def read(cur: Any) -> list[Any]:
            cur.execute(stale_sql, args)
            return [r[0] for r in cur.fetchall()]

        candidates = self._runner.run(read, write=False)
        if not candidates:
            return []
        now = dt_to_us(datetime.datetime.now())
        fail_sql = self._sql(st.FAIL_STALE)

        def tx(cur: Any) -> list[int]:
            failed: list[int] = []
            for trial_id in candidates:
                version = self._bump(cur, study_id)
                cur.execute(
                    fail_sql,
                    {
                        **args,
                        "tid": trial_id,
                        "fail": TrialState.FAIL.value,
                        "now": now,
                        "version": version,
                    },
                )
                if cur.rowcount == 1:
                    failed.append(int(trial_id))
            return failed

        failed = self._runner.run(tx, write=True)
        with self._lock:
            for trial_id in failed:
                self._disown(trial_id)
        return failed

    def flush_all_pending(self, quiet: bool) -> None:
        """Write every buffered parameter (before pickling, closing, or at exit)."""
        with self._lock:
            for trial_id in [t for t, cols in self._pending.items() if cols]:
                owned = self._owned.get(trial_id)
                if owned is None:
                    continue
                try:
                    pending = set(self._pending[trial_id])
                    version = self._flush(trial_id, copy_trial(owned), pending)
                    self._after_own_write(self._trial_study[trial_id], version, owned)
                except Exception:
                    if not quiet:
                        raise


def _check_encodable(name: str, value: float, distribution: BaseDistribution) -> None:
    """Fail at suggest time, naming the parameter, if it could not be written later."""
    try:
        distribution_to_json(distribution)
        json.dumps(float(value), allow_nan=True)
    except (TypeError, ValueError, OverflowError) as e:
        raise TypeError(
            f"Parameter {name!r} cannot be stored in an RDBStorage: its distribution "
            f"{distribution!r} and value must be JSON-serialisable (categorical choices must "
            f"be None, bool, int, float or str): {e}"
        ) from None


def _finished_error(trial: FrozenTrial) -> UpdateFinishedTrialError:
    return UpdateFinishedTrialError(
        f"Trial#{trial.number} has already finished ({trial.state.name}) and can not be updated."
    )
