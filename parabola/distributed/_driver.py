"""``Study.optimize(..., client=...)`` on the driver: check, launch the slots, watch, report.

The driver never runs trials and never relays storage calls: it checks that every worker can
open the store, submits one long-lived trial loop per slot (``n_jobs``), and watches the
scheduler's events. When the scheduler reports a worker gone it fails that worker's running
trials and enqueues their retries at once (the heartbeat grace period is the fallback for a
loss nobody reports, e.g. while the driver is down).
"""

from __future__ import annotations

import math
import os
import pickle
import queue
import socket
import time
import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from parabola.distributed._keys import INDEX_KEY, RUN_KEY, UNLIMITED, WORKER_KEY, budget_key
from parabola.distributed._retry import fail_and_retry
from parabola.distributed._worker import (
    LoopSpec,
    SQLiteFile,
    StoreRecipe,
    check_worker,
    lazy_modules,
    trial_loop,
)
from parabola.logging import get_logger, get_verbosity
from parabola.trial import TrialState

if TYPE_CHECKING:
    from parabola.storages import BaseStorage
    from parabola.study import ObjectiveFuncType, Study
    from parabola.trial import FrozenTrial

__all__ = ["optimize"]

_logger = get_logger(__name__)
_WATCH_S = 0.1
_NO_WORKERS_S = 30.0  # how long optimize waits for workers when every one is gone
_FINISHED = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)


def optimize(
    study: Study,
    func: ObjectiveFuncType,
    *,
    client: Any,
    n_trials: int | None = None,
    timeout: float | None = None,
    n_jobs: int | None = None,
    catch: Iterable[type[Exception]] | type[Exception] = (),
    callbacks: Iterable[Callable[[Study, FrozenTrial], None]] | None = None,
    gc_after_trial: bool = False,
    show_progress_bar: bool = False,
) -> None:
    """Run the study's trials on the workers of a Dask ``client``; see ``Study.optimize``.

    ``n_trials`` is one budget for all workers together; ``n_jobs`` is the number of trial
    loops (default: every worker thread of the cluster). Callbacks, ``catch``,
    ``gc_after_trial`` and pruning act on the worker that ran the trial; ``study.stop()`` from
    an objective or callback stops every worker once their running trials finish.

    Raises:
        ImportError: when Dask's ``distributed`` is not installed (``parabola[dask]``).
        ValueError: for a store the workers cannot share (in memory, a SQLite file on one
            machine for workers on others) or a bad argument.
        RuntimeError: when a worker cannot open the store, or the scheduler is lost.
    """
    distributed = _import_distributed()
    if not isinstance(client, distributed.Client):
        raise TypeError(
            f"optimize(client=...): expected a dask.distributed.Client, got {client!r}. "
            "Create one with distributed.Client(cluster) or Client('tcp://scheduler:8786')."
        )
    if not callable(func):
        raise TypeError(f"optimize(func=...): expected a callable objective, got {func!r}.")
    n_trials, timeout, catch_t = _check_args(n_trials, timeout, catch)
    callback_list = list(callbacks or [])
    storage = study._storage
    blob, sqlite = _shareable_store(storage)
    workers = _workers(client)
    n_slots = _n_slots(n_jobs, workers)
    _check_workers(client, blob, sqlite, lazy_modules(study.sampler))

    run_id = uuid.uuid4().hex[:12]
    budget = budget_key(run_id)
    _adopt_enqueued(study, run_id, budget, n_trials)
    spec = LoopSpec(
        run_id=run_id,
        study_name=study.study_name,
        storage=blob,
        sqlite=sqlite,
        sampler=study.sampler,
        pruner=study.pruner,
        func=func,
        n_trials=n_trials,
        deadline=None if timeout is None else time.time() + timeout,
        catch=catch_t,
        callbacks=callback_list,
        gc_after_trial=gc_after_trial,
        verbosity=get_verbosity(),
    )
    payload = _pickle_spec(spec)
    if not study._optimize_lock.acquire(blocking=False):
        raise RuntimeError("Nested optimization is not allowed: optimize is already running.")
    lost: queue.Queue[str] = queue.Queue()
    watcher = _WorkerLossWatcher(client, lost, len(workers))
    progress = _Progress(show_progress_bar, n_trials)
    futures = []
    try:
        futures = [
            client.submit(
                trial_loop,
                payload,
                i,
                key=f"parabola-trials-{run_id}-{i}",
                pure=False,
                workers=[address],
                allow_other_workers=True,  # a re-run after the worker died goes elsewhere
            )
            for i, address in enumerate(_placement(workers, n_slots))
        ]
        _watch(client, study, run_id, futures, lost, progress, watcher)
        _raise_first_error(client, futures, study, budget, n_trials)
    except BaseException:
        _close(study, budget, n_trials)  # Ctrl-C or a lost scheduler: slots claim no more
        raise
    finally:
        watcher.close()
        progress.close()
        study._optimize_lock.release()
        for future in futures:
            future.release()


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ImportError(
            "optimize(client=...) runs trials on Dask and needs its 'distributed' package: "
            "pip install 'parabola[dask]'."
        ) from None
    return distributed


def _check_args(
    n_trials: Any, timeout: Any, catch: Any
) -> tuple[int | None, float | None, tuple[type[Exception], ...]]:
    if n_trials is not None and (
        isinstance(n_trials, bool) or not isinstance(n_trials, int) or n_trials < 0
    ):
        raise ValueError(f"optimize(n_trials=...): expected None or an int >= 0, got {n_trials!r}.")
    if timeout is not None and (
        isinstance(timeout, bool)
        or not isinstance(timeout, (int, float))
        or timeout < 0
        or math.isnan(timeout)
    ):
        raise ValueError(
            f"optimize(timeout=...): expected None or a number of seconds >= 0, got {timeout!r}."
        )
    if n_trials is None and timeout is None:
        # Workers have no terminal to press Ctrl-C in; an endless run is stopped by the driver
        # (Ctrl-C there) or by study.stop() in a callback.
        _logger.info("optimize(client=...) without n_trials or timeout runs until stopped.")
    if isinstance(catch, type):
        catch = (catch,)
    catch_t = tuple(catch)
    for c in catch_t:
        if not (isinstance(c, type) and issubclass(c, BaseException)):
            raise TypeError(f"optimize(catch=...): expected exception classes, got {c!r}.")
    return n_trials, timeout, catch_t


def _shareable_store(storage: BaseStorage) -> tuple[bytes, SQLiteFile | None]:
    """The store pickled for the workers, and its SQLite file (``None`` for PostgreSQL)."""
    from parabola.storages import InMemoryStorage, RDBStorage

    if isinstance(storage, InMemoryStorage):
        raise ValueError(
            "optimize(client=...) cannot use an InMemoryStorage: Dask workers are other "
            "processes and must reach the study's store directly. Create the study with "
            "storage='postgresql://user:password@host/dbname' (workers on several machines) "
            "or storage='sqlite:////absolute/path/study.db' (every worker on this machine)."
        )
    if not isinstance(storage, RDBStorage):
        raise ValueError(
            f"optimize(client=...) needs a store every worker opens itself (RDBStorage: "
            f"PostgreSQL or SQLite); got {storage!r}."
        )
    if storage.heartbeat_interval is None:
        raise ValueError(
            "optimize(client=...) needs heartbeats, the fallback that fails a trial whose "
            "worker vanished unreported: open the store with RDBStorage(url) (heartbeats every "
            "10 s by default) instead of heartbeat_interval=None."
        )
    sqlite = None
    if storage.url.startswith("sqlite"):
        path = storage.url.split("///", 1)[-1].split("?", 1)[0]
        if not path or path == ":memory:" or not os.path.isabs(path):
            raise ValueError(
                f"optimize(client=...) cannot share the SQLite store {storage.url!r} with Dask "
                "workers: use a file with an absolute path (sqlite:////abs/path/study.db)."
            )
        st = os.stat(path)
        sqlite = SQLiteFile(path, socket.gethostname(), st.st_dev, st.st_ino)
    return pickle.dumps(StoreRecipe.of(storage)), sqlite


def _workers(client: Any) -> dict[str, Any]:
    workers: dict[str, Any] = client.scheduler_info(n_workers=-1)["workers"]
    if not workers:
        raise RuntimeError(
            f"The Dask scheduler at {client.scheduler.address} has no workers. Start some "
            "(`dask worker <scheduler address>`, cluster.scale(n)) or call "
            "client.wait_for_workers(n) before optimize."
        )
    return workers


def _n_slots(n_jobs: Any, workers: dict[str, Any]) -> int:
    threads = sum(int(w.get("nthreads", 1)) for w in workers.values())
    if n_jobs is None or n_jobs == -1:
        return threads
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs < 1:
        raise ValueError(
            "optimize(n_jobs=...): expected a positive int (trial loops across the cluster), "
            f"-1 or None (one per worker thread: {threads} now), got {n_jobs!r}."
        )
    return n_jobs


def _placement(workers: dict[str, Any], n_slots: int) -> list[str]:
    """One worker address per slot: every worker thread gets a slot before any gets two.

    Left to itself the scheduler may hand one worker two of these long tasks (it queues a
    little beyond a worker's threads) while another worker idles for the whole run.

    Example:
        >>> _placement({"a": {"nthreads": 2}, "b": {"nthreads": 1}}, 4)
        ['a', 'b', 'a', 'a']
    """
    order: list[str] = []
    depth = max(int(w.get("nthreads", 1)) for w in workers.values())
    for level in range(depth):
        order += [a for a, w in sorted(workers.items()) if level < int(w.get("nthreads", 1))]
    return [order[i % len(order)] for i in range(n_slots)]


def _check_workers(
    client: Any, blob: bytes, sqlite: SQLiteFile | None, warm: tuple[str, ...] = ()
) -> None:
    results = client.run(check_worker, blob, sqlite, warm, on_error="return")
    problems = []
    for address, result in sorted(results.items()):
        if isinstance(result, BaseException):
            if "Comm" in type(result).__name__ or isinstance(result, OSError):
                hint = "the worker went away during the check: did it die or stop?"
            else:
                hint = "is parabola installed there, in the same version: parabola[dask]?"
            result = f"{type(result).__name__}: {result} ({hint})"
        if result is not None:
            problems.append(f"  {address}: {result}")
    if problems:
        raise RuntimeError(
            "optimize(client=...): these Dask workers cannot open the study's store, so no "
            "trial was started. Install the store's driver on every worker (PostgreSQL: "
            "pip install 'parabola[postgres]') and make the database reachable from them:\n"
            + "\n".join(problems)
        )


def _adopt_enqueued(study: Study, run_id: str, budget: str, n_trials: int | None) -> None:
    """Count trials enqueued before the run against its budget, as ``optimize`` does."""
    storage = study._storage
    n_max = UNLIMITED if n_trials is None else n_trials
    index = 0
    for trial in storage.get_all_trials(
        study._study_id, deepcopy=False, states=(TrialState.WAITING,)
    ):
        if index >= n_max:
            break
        if RUN_KEY in trial.system_attrs:
            continue  # a retry of another run
        storage.set_trial_system_attr(trial._trial_id, RUN_KEY, run_id)
        storage.set_trial_system_attr(trial._trial_id, INDEX_KEY, index)
        index += 1
    if index:
        storage.set_study_system_attr(study._study_id, budget, index)


def _pickle_spec(spec: LoopSpec) -> bytes:
    import cloudpickle  # type: ignore[import-untyped]  # Dask's own dependency

    try:
        return bytes(cloudpickle.dumps(spec))
    except Exception as e:
        raise TypeError(
            "optimize(client=...): the objective, callbacks, sampler and pruner travel to the "
            f"workers and must be picklable (cloudpickle): {type(e).__name__}: {e}"
        ) from None


class _WorkerLossWatcher:
    """Puts the address of every worker the scheduler removes on ``lost``; counts workers.

    The scheduler publishes worker arrivals and removals on its ``"all"`` event topic, so the
    driver learns of a dead worker within the scheduler's own detection time (at once for a
    killed process: its connection closes) without any plugin installed on the scheduler.
    """

    _TOPIC = "all"

    def __init__(self, client: Any, lost: queue.Queue[str], n_workers: int) -> None:
        self._client = client
        self._lost = lost
        self.n_workers = n_workers
        self.none_since: float | None = None
        self._previous = getattr(client, "_event_handlers", {}).get(self._TOPIC)
        client.subscribe_topic(self._TOPIC, self._on_event)

    def _on_event(self, event: Any) -> None:
        _, msg = event
        action = msg.get("action") if isinstance(msg, dict) else None
        if action == "remove-worker" and "worker" in msg:
            self._lost.put(str(msg["worker"]))
            self.n_workers -= 1
            if self.n_workers <= 0 and self.none_since is None:
                self.none_since = time.monotonic()
        elif action == "add-worker":
            self.n_workers += 1
            self.none_since = None
        if self._previous is not None:  # a handler the user had for this topic keeps working
            self._previous(event)

    def close(self) -> None:
        if self._client.status != "running":
            return
        if self._previous is not None:
            self._client.subscribe_topic(self._TOPIC, self._previous)
        else:
            self._client.unsubscribe_topic(self._TOPIC)


def _watch(
    client: Any,
    study: Study,
    run_id: str,
    futures: list[Any],
    lost: queue.Queue[str],
    progress: _Progress,
    watcher: _WorkerLossWatcher,
) -> None:
    while True:
        try:
            address = lost.get(timeout=_WATCH_S)
        except queue.Empty:
            address = None
        if address is not None:
            _fail_trials_of(study, run_id, address)
        if client.status != "running":
            raise RuntimeError(
                f"Lost the Dask scheduler at {client.scheduler.address} (client status "
                f"{client.status!r}). Finished trials are in the store; trials still running "
                "on workers finish there or are failed by their heartbeat. Restart the "
                "scheduler and workers, then call optimize again to continue the study."
            )
        if watcher.none_since is not None and time.monotonic() - watcher.none_since > _NO_WORKERS_S:
            raise RuntimeError(
                f"Every Dask worker of the scheduler at {client.scheduler.address} is gone and "
                f"none came back for {_NO_WORKERS_S:.0f} s. Finished trials are in the store; "
                "start workers again and call optimize to continue the study."
            )
        progress.update(study, run_id)
        if all(f.done() for f in futures):
            while not lost.empty():
                _fail_trials_of(study, run_id, lost.get())
            return


def _fail_trials_of(study: Study, run_id: str, address: str) -> None:
    running = [
        t
        for t in study._storage.get_all_trials(
            study._study_id, deepcopy=False, states=(TrialState.RUNNING,)
        )
        if t.system_attrs.get(RUN_KEY) == run_id and t.system_attrs.get(WORKER_KEY) == address
    ]
    for trial in running:
        reason = f"The Dask worker {address} running this trial died (killed, out of memory)."
        if fail_and_retry(study, trial._trial_id, reason):
            _logger.warning(
                f"Trial {trial.number} failed: its Dask worker {address} died; it is retried "
                "with the same parameters."
            )


def _raise_first_error(
    client: Any, futures: list[Any], study: Study, budget: str, n_trials: int | None
) -> None:
    from distributed import KilledWorker

    first: BaseException | None = None
    killed = 0
    for future in futures:
        if future.status != "error":
            continue
        error = future.exception()
        if isinstance(error, KilledWorker):
            killed += 1  # the slot's worker died too often; the other slots carried on
            continue
        if first is None:
            first = error
    if first is not None:
        raise first
    if killed == len(futures):
        raise RuntimeError(
            "Every trial loop lost its Dask worker too often (distributed.scheduler."
            "allowed-failures); no worker is left to run the study. Check the workers' logs "
            "(out of memory?)."
        )


def _close(study: Study, budget: str, n_trials: int | None) -> None:
    try:
        study._storage.set_study_system_attr(
            study._study_id, budget, UNLIMITED if n_trials is None else n_trials
        )
    except Exception:
        _logger.debug("could not close the budget", exc_info=True)


class _Progress:
    """A tqdm bar of the run's finished trials, read from the store."""

    def __init__(self, enabled: bool, n_trials: int | None) -> None:
        self._bar: Any = None
        self._last = 0.0
        if enabled:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=n_trials)

    def update(self, study: Study, run_id: str) -> None:
        if self._bar is None or time.monotonic() - self._last < 0.5:
            return
        self._last = time.monotonic()
        done = sum(
            1
            for t in study._storage.get_all_trials(
                study._study_id, deepcopy=False, states=_FINISHED
            )
            if t.system_attrs.get(RUN_KEY) == run_id
        )
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
