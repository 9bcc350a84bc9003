"""What runs on a Dask worker: the store check and the long-lived trial loop of one slot.

Dask runs a task *at least* once: it runs a task again when the worker that ran it dies, even
when the task had finished there. So a task here is not "one trial" but "run trials until the
run's budget is spent": every trial is claimed in the store with one atomic step
(:meth:`~parabola.storages.BaseStorage.create_new_trial_in_budget`, or the guarded
WAITING -> RUNNING claim of a retry), and a task that runs again finds the budget spent and
returns at once. The store is reached directly from the worker; the scheduler only carries the
task.
"""

from __future__ import annotations

import dataclasses
import gc
import importlib
import os
import pickle
import socket
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from parabola.distributed._keys import INDEX_KEY, RUN_KEY, UNLIMITED, WORKER_KEY, budget_key
from parabola.distributed._retry import retry
from parabola.distributed._seeding import TrialSeeder
from parabola.exceptions import UpdateFinishedTrialError
from parabola.logging import get_logger, set_verbosity
from parabola.study import Study
from parabola.trial import Trial, TrialState

if TYPE_CHECKING:
    from parabola.distributions import BaseDistribution
    from parabola.pruners import BasePruner
    from parabola.samplers import BaseSampler
    from parabola.storages import BaseStorage, RDBStorage
    from parabola.trial import FrozenTrial

__all__ = [
    "LoopSpec",
    "SQLiteFile",
    "StoreRecipe",
    "check_worker",
    "lazy_modules",
    "open_store",
    "trial_loop",
]

_logger = get_logger(__name__)

#: How often a slot whose budget is spent looks for retries while other slots still run.
POLL_S = 0.2
#: How often a busy slot looks for queued retries (of trials whose worker died) between trials.
RETRY_CHECK_S = 0.25

_stores: dict[bytes, BaseStorage] = {}
_stores_lock = threading.Lock()


@dataclasses.dataclass(frozen=True)
class SQLiteFile:
    """A SQLite store as the driver sees it: workers must see the same file on the same host."""

    path: str
    host: str
    device: int
    inode: int


@dataclasses.dataclass
class LoopSpec:
    """Everything a slot needs, pickled once by the driver (cloudpickle: closures work)."""

    run_id: str
    study_name: str
    storage: bytes  # the pickled StoreRecipe: the store's URL and settings, no connections
    sqlite: SQLiteFile | None
    sampler: BaseSampler
    pruner: BasePruner
    func: Callable[[Trial], Any]
    n_trials: int | None
    deadline: float | None  # time.time() after which no trial starts
    catch: tuple[type[Exception], ...]
    callbacks: list[Callable[[Study, FrozenTrial], None]]
    gc_after_trial: bool
    verbosity: int | None = None  # the driver's parabola.logging verbosity, applied here too


#: ``engine_kwargs`` that size a SQLAlchemy pool: when the user gave any, the pool is theirs.
_POOL_KEYS = frozenset({"poolclass", "pool_size", "max_overflow"})
#: How long a thread waits for the worker's connection held by another (SQLAlchemy's 30 s is
#: short on a loaded machine where one transaction may wait for the study row's lock).
POOL_TIMEOUT_S = 120


@dataclasses.dataclass(frozen=True)
class StoreRecipe:
    """The study's store as workers rebuild it: its class and pickled state (URL, settings).

    The driver sends this rather than the pickled store so that each worker can size its
    connection pool before the store opens it (see :meth:`open`).
    """

    cls: type[RDBStorage]
    state: dict[str, Any]

    @classmethod
    def of(cls, storage: RDBStorage) -> StoreRecipe:
        """The recipe of ``storage`` (its ``__getstate__``: URL and settings, no connections)."""
        return cls(type(storage), dict(storage.__getstate__()))

    def open(self, connections: int) -> BaseStorage:
        """A new store; a PostgreSQL pool capped at ``connections`` (the worker's threads).

        Everything in the worker process (its trial loops, their heartbeat thread, the
        tracking runs' background writers) shares this one pool, so a worker holds at most
        ``connections`` database connections: threads wait their turn for a connection
        instead of opening more. A pool sized by the user (``engine_kwargs``) is kept.
        """
        state = dict(self.state)
        url = str(state.get("url", ""))
        kwargs = dict(state.get("engine_kwargs") or {})
        if not url.startswith("sqlite") and not (_POOL_KEYS & kwargs.keys()):
            kwargs.update(
                pool_size=max(1, connections), max_overflow=0, pool_timeout=POOL_TIMEOUT_S
            )
            state["engine_kwargs"] = kwargs
        store = self.cls.__new__(self.cls)
        store.__setstate__(state)
        return store


def open_store(blob: bytes, sqlite: SQLiteFile | None, connections: int = 1) -> BaseStorage:
    """This worker process's store for ``blob`` (a pickled :class:`StoreRecipe`): one per
    process, shared by its slots, with at most ``connections`` PostgreSQL connections.

    One store (one capped connection pool) per process keeps PostgreSQL connections at one
    per worker thread (``--nthreads``), however many slots and tracking runs it serves.
    """
    if sqlite is not None:
        _check_sqlite(sqlite)
    with _stores_lock:
        store = _stores.get(blob)
        if store is None:
            recipe: StoreRecipe = pickle.loads(blob)
            store = _stores[blob] = recipe.open(connections)
        return store


def _check_sqlite(sqlite: SQLiteFile) -> None:
    host = socket.gethostname()
    try:
        st = os.stat(sqlite.path)
        same = host == sqlite.host and (st.st_dev, st.st_ino) == (sqlite.device, sqlite.inode)
    except OSError:
        same = False
    if not same:
        raise RuntimeError(
            f"This Dask worker (host {host!r}) cannot see the SQLite store {sqlite.path} of the "
            f"driver (host {sqlite.host!r}). SQLite works only when every worker runs on the "
            "driver's machine; for workers on other machines use PostgreSQL: "
            "storage='postgresql://user:password@host/dbname'."
        )


def check_worker(
    blob: bytes,
    sqlite: SQLiteFile | None,
    warm: tuple[str, ...] = (),
    dask_worker: Any = None,
) -> str | None:
    """Open the store here (run on every worker before any trial): ``None`` or what is wrong.

    Also imports ``warm`` (:func:`lazy_modules` of the sampler), so that the first trial of
    every worker does not pay the import: with all workers importing SciPy at once inside
    their first trials, those trials took seconds, which both delays the run and makes the
    AutoSampler's duration rule see slow trials. ``dask_worker`` is filled in by ``Client.run``.
    """
    try:
        open_store(blob, sqlite, _threads(dask_worker))
    except Exception as e:
        return f"{type(e).__name__}: {e}"
    for module in warm:
        try:
            importlib.import_module(module)
        except Exception:  # the trial that needs it reports the error
            _logger.debug(f"could not import {module} ahead of the trials", exc_info=True)
    return None


#: Modules the GP sampler imports at its first model step (SciPy and the model code).
def lazy_modules(sampler: BaseSampler) -> tuple[str, ...]:
    """The modules ``sampler`` would import inside a trial (the GP's, when it may use a GP).

    Read from the class's name, so that the driver imports nothing it did not need.
    """
    may_use_gp = any(
        c.__module__.startswith("parabola.samplers") and c.__name__ in ("AutoSampler", "GPSampler")
        for c in type(sampler).__mro__
    )
    if not may_use_gp:
        return ()
    from parabola.samplers._auto import GP_LAZY_MODULES  # the sampler's package is loaded

    return GP_LAZY_MODULES


def _threads(worker: Any) -> int:
    return int(getattr(worker, "nthreads", 1) or 1)


class _SlotStudy(Study):
    """The study as one slot sees it: ``ask`` hands out the trial the slot has claimed.

    The optimize machinery (``run_trial``: evaluate, tell, log, catch) then runs unchanged.
    """

    claimed: int | None = None

    def ask(self, fixed_distributions: Mapping[str, BaseDistribution] | None = None) -> Trial:
        if self.claimed is None:
            return super().ask(fixed_distributions)  # the objective's own ask/tell
        trial_id, self.claimed = self.claimed, None
        trial = Trial(self, trial_id)
        for name, dist in (fixed_distributions or {}).items():
            trial._suggest(name, dist)
        return trial


def trial_loop(payload: bytes, slot: int) -> dict[str, Any]:
    """Run trials of the run until its budget is spent, its deadline passes or it stops.

    Returns what the slot did: ``{"worker", "slot", "trials", "exit"}``.
    """
    from distributed import get_worker

    from parabola.study._heartbeat import Heartbeat
    from parabola.study._optimize import run_trial

    worker = get_worker()
    key = worker.get_current_task()
    spec: LoopSpec = pickle.loads(payload)
    if spec.verbosity is not None:
        set_verbosity(spec.verbosity)
    storage = open_store(spec.storage, spec.sqlite, _threads(worker))
    study = _SlotStudy(spec.study_name, storage, spec.sampler, spec.pruner)
    seeder = TrialSeeder(study.sampler)
    budget = budget_key(spec.run_id)
    n_max = UNLIMITED if spec.n_trials is None else spec.n_trials
    report: dict[str, Any] = {"worker": worker.address, "slot": slot, "trials": 0, "exit": ""}
    heartbeat = Heartbeat.start(storage)
    # Looking for stale trials and queued retries costs reads; with fast trials, doing it
    # before every trial would cost more than the trial. Retries are looked for at least every
    # RETRY_CHECK_S, stale heartbeats twice per heartbeat interval (the grace period is 6).
    stale_every = (storage.get_heartbeat_interval() or 10) / 2
    next_stale_check = next_retry_check = 0.0
    # Held as optimize holds it: the objective and callbacks run inside an optimize loop
    # (study.stop() is allowed there, nested optimize is not).
    study._optimize_lock.acquire()
    try:
        while True:
            if _cancelled(worker, key):
                report["exit"] = "cancelled"  # the driver is gone: finish, claim nothing more
                break
            if spec.deadline is not None and time.time() >= spec.deadline:
                report["exit"] = "timeout"
                break
            now = time.monotonic()
            if now >= next_stale_check:
                _fail_stale(study, spec.run_id)
                next_stale_check = now + stale_every
            trial_id = None
            if now >= next_retry_check:
                trial_id = _claim_retry(study, spec.run_id, worker.address)
                next_retry_check = now + RETRY_CHECK_S
            if trial_id is None:
                trial_id = storage.create_new_trial_in_budget(
                    study._study_id,
                    budget,
                    n_max,
                    {RUN_KEY: spec.run_id, WORKER_KEY: worker.address},
                    index_key=INDEX_KEY,
                )
            if trial_id is None:
                # Spent; stay while other slots' trials may still die and need a retry here.
                if not _has_unfinished(study, spec.run_id):
                    report["exit"] = "done"
                    break
                next_retry_check = 0.0
                time.sleep(POLL_S)
                continue
            seeder.reseed(storage.get_trial_number_from_id(trial_id))
            study.claimed = trial_id
            try:
                frozen = run_trial(study, spec.func, spec.catch, heartbeat)
            except UpdateFinishedTrialError:
                # The driver failed this trial while it ran here: the scheduler had reported
                # this worker gone (starved past its timeout, a network blip) and the retry is
                # queued. The stored outcome stands; this loop goes on with the next trial.
                _logger.warning(
                    f"Trial {storage.get_trial_number_from_id(trial_id)} was failed by the "
                    "driver (this Dask worker was reported gone) and is retried elsewhere; "
                    "this worker continues."
                )
                continue
            except BaseException:
                _close_budget(study, budget, n_max)  # an uncaught error stops every slot
                raise
            report["trials"] += 1
            for callback in spec.callbacks:
                callback(study, frozen)
            if spec.gc_after_trial:
                gc.collect()
            if study._stop_flag:
                _close_budget(study, budget, n_max)
                report["exit"] = "stopped"
                break
    finally:
        study._optimize_lock.release()
        if heartbeat is not None:
            heartbeat.close()
    return report


def _cancelled(worker: Any, key: Any) -> bool:
    # A running task cannot be interrupted; when its client goes away the worker only marks
    # it cancelled (or forgets it), and the loop must notice that itself.
    ts = worker.state.tasks.get(key)
    if ts is None or ts.state in ("cancelled", "released", "forgotten"):
        return True
    return str(getattr(worker.status, "name", worker.status)) not in ("running", "paused")


def _claim_retry(study: Study, run_id: str, address: str) -> int | None:
    """Claim a WAITING trial of this run (a retry, or a trial enqueued before the run)."""
    storage = study._storage
    for trial in storage.get_all_trials(
        study._study_id, deepcopy=False, states=(TrialState.WAITING,)
    ):
        if trial.system_attrs.get(RUN_KEY) != run_id:
            continue
        try:
            if not storage.set_trial_state_values(trial._trial_id, TrialState.RUNNING):
                continue
        except UpdateFinishedTrialError:
            continue
        storage.set_trial_system_attr(trial._trial_id, WORKER_KEY, address)
        return trial._trial_id
    return None


def _has_unfinished(study: Study, run_id: str) -> bool:
    return any(
        t.system_attrs.get(RUN_KEY) == run_id
        for t in study._storage.get_all_trials(
            study._study_id, deepcopy=False, states=(TrialState.WAITING, TrialState.RUNNING)
        )
    )


def _fail_stale(study: Study, run_id: str) -> None:
    """The heartbeat fallback: fail trials silent for the grace period; retry this run's."""
    storage = study._storage
    if not storage.is_heartbeat_enabled():
        return
    callback = getattr(storage, "failed_trial_callback", None)
    for trial_id in storage.fail_stale_trials(study._study_id):
        frozen = storage.get_trial(trial_id)
        if frozen.system_attrs.get(RUN_KEY) == run_id:
            retry(study, frozen)
        elif callback is not None:
            callback(study, frozen)


def _close_budget(study: Study, budget: str, n_max: int) -> None:
    try:
        study._storage.set_study_system_attr(study._study_id, budget, n_max)
    except Exception:  # the original error matters more
        _logger.debug("could not close the budget", exc_info=True)
