"""Separate `dask scheduler` and `dask worker` processes against the real PostgreSQL.

Failures are real: workers and schedulers are SIGKILLed by pid, a finished task's result is
lost with its worker, the driver is a process killed and started again.
"""

from __future__ import annotations

import functools
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import parabola
from parabola.distributed._keys import INDEX_KEY, RUN_KEY, WORKER_KEY
from parabola.trial import TrialState
from tests.distributed_tests import _objectives as obj
from tests.distributed_tests._cluster import Cluster, dask_cluster, stop

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def _client(cluster: Cluster, n_workers: int = 2) -> Any:
    from distributed import Client

    client = Client(cluster.address, timeout=30)
    client.wait_for_workers(n_workers, timeout=60)
    return client


def _connections(conn: sa.Connection, url: str) -> int:
    """Open connections to the test database, as PostgreSQL counts them."""
    name = url.rsplit("/", 1)[1]
    return int(
        conn.exec_driver_sql(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %(n)s", {"n": name}
        ).scalar_one()
    )


def _wait_until(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def test_scheduler_and_workers_on_postgres_within_the_connection_budget(
    procs: Cluster, pg_url: str
) -> None:
    study = parabola.create_study(storage=pg_url)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        # From the server's "postgres" database: this connection is not counted.
        engine = sa.create_engine(pg_url.rsplit("/", 1)[0] + "/postgres")
        try:
            with engine.connect() as conn:
                while not done.is_set():
                    peak[0] = max(peak[0], _connections(conn, pg_url))
                    conn.rollback()
                    time.sleep(0.05)
        finally:
            engine.dispose()

    with _client(procs) as client:
        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            study.optimize(
                functools.partial(obj.quadratic, seconds=0.05), n_trials=40, client=client
            )
        finally:
            done.set()
            sampler.join()
    trials = study.trials
    assert Counter(t.state for t in trials) == {TrialState.COMPLETE: 40}
    assert len({t.system_attrs[WORKER_KEY] for t in trials}) == 2
    # 4 slots on 2 worker processes: one pool per process, plus this driver's.
    n_slots = 4
    assert 1 <= peak[0] <= n_slots + 2, peak[0]


def _peak_connections(url: str, done: threading.Event, peak: list[int]) -> None:
    # From the server's "postgres" database: this connection is not counted.
    engine = sa.create_engine(url.rsplit("/", 1)[0] + "/postgres")
    try:
        with engine.connect() as conn:
            while not done.is_set():
                peak[0] = max(peak[0], _connections(conn, url))
                conn.rollback()
                time.sleep(0.02)
    finally:
        engine.dispose()


def test_tracking_workers_share_one_capped_pool_per_process(tmp_path: Path, pg_url: str) -> None:
    # Trial writes, heartbeats and the tracking runs' flushes of one worker process share one
    # pool of one connection per worker thread: 4 single-thread workers hold at most 4.
    n_workers = 4
    with dask_cluster(tmp_path, n_workers=n_workers, nthreads=1) as cluster:
        study = parabola.create_study(study_name="rows", storage=pg_url)
        peak = [0]
        done = threading.Event()
        sampler = threading.Thread(target=_peak_connections, args=(pg_url, done, peak))
        with _client(cluster, n_workers=n_workers) as client:
            sampler.start()
            try:
                study.optimize(obj.logs_rows, n_trials=24, client=client)
            finally:
                done.set()
                sampler.join()
    trials = study.trials
    complete = {t.number for t in trials if t.state == TrialState.COMPLETE}
    assert len(complete) == 24
    # A worker the scheduler dropped under load has its trial failed and retried: allowed.
    failed = [t for t in trials if t.state == TrialState.FAIL]
    assert len(failed) == sum(1 for t in trials if "failed_trial" in t.system_attrs)
    runs = {r.trial_number: r for r in parabola.Api(storage=pg_url).runs("rows", {"group": "rows"})}
    assert complete <= runs.keys()
    assert all(len(list(runs[n].scan_history())) == 40 for n in complete)
    # One connection per worker process, plus the driver's own pool (13 without the cap).
    assert 1 <= peak[0] <= n_workers + 2, peak[0]


def test_worker_sigkilled_mid_trial_is_retried_at_once(procs: Cluster, pg_url: str) -> None:
    study = parabola.create_study(storage=pg_url)
    killed_at: list[float] = []

    def busy() -> list[Any]:
        return [
            t
            for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
            if "x" in t.params
        ]

    def kill_a_busy_worker() -> None:
        # The worker of a trial that has its parameters, in the middle of its 1 s sleep.
        _wait_until(lambda: bool(busy()), 120, "a running trial")
        address = busy()[0].system_attrs[WORKER_KEY]
        victim = next(p for p in procs.workers if pids[address] == p.pid)
        os.kill(victim.pid, signal.SIGKILL)
        killed_at.append(time.time())

    with _client(procs) as client:
        pids = client.run(os.getpid)
        killer = threading.Thread(target=kill_a_busy_worker)
        killer.start()
        study.optimize(functools.partial(obj.quadratic, seconds=1.0), n_trials=12, client=client)
        killer.join()
    trials = study.trials
    states = Counter(t.state for t in trials)
    assert states[TrialState.COMPLETE] == 12, (states, procs.logs())
    assert states[TrialState.RUNNING] == states[TrialState.WAITING] == 0
    failed = [t for t in trials if t.state == TrialState.FAIL]
    assert failed, "the SIGKILL hit no running trial"
    complete = [t for t in trials if t.state == TrialState.COMPLETE]
    # Exactly once: one COMPLETE trial per budget index, none evaluated twice.
    assert sorted(t.system_attrs[INDEX_KEY] for t in complete) == list(range(12))
    assert any(dead.params for dead in failed)  # the kill hit a trial mid-evaluation
    for dead in failed:
        (retry,) = [t for t in complete if t.system_attrs.get("failed_trial") == dead.number]
        # The same parameters (a trial killed before its first suggest had none yet).
        assert {k: retry.params[k] for k in dead.params} == dead.params
        assert retry.system_attrs[INDEX_KEY] == dead.system_attrs[INDEX_KEY]
        assert retry.datetime_start is not None
        assert retry.datetime_start.timestamp() - killed_at[0] < 5.0
        assert "died" in dead.system_attrs["fail_reason"]


def test_a_lost_result_reruns_and_finds_nothing_to_do(procs: Cluster, pg_url: str) -> None:
    from distributed import wait

    from parabola.distributed import _driver
    from parabola.distributed._worker import LoopSpec, trial_loop

    study = parabola.create_study(storage=pg_url)
    with _client(procs) as client:
        workers = sorted(client.scheduler_info()["workers"])
        blob, sqlite = _driver._shareable_store(study._storage)
        spec = LoopSpec(
            run_id="lostresult",
            study_name=study.study_name,
            storage=blob,
            sqlite=sqlite,
            sampler=study.sampler,
            pruner=study.pruner,
            func=obj.quadratic,
            n_trials=3,
            deadline=None,
            catch=(),
            callbacks=[],
            gc_after_trial=False,
        )
        payload = _driver._pickle_spec(spec)
        future = client.submit(
            trial_loop, payload, 0, workers=[workers[0]], allow_other_workers=True, pure=False
        )
        wait(future, timeout=60)
        first = future.result()
        assert first["trials"] == 3 and first["worker"] == workers[0]
        # The result lives on that worker only: kill it, and Dask computes the task again.
        victim = next(p for p in procs.workers if _address_of(client, p) == workers[0])
        os.kill(victim.pid, signal.SIGKILL)
        _wait_until(
            lambda: future.result(timeout=30)["worker"] != workers[0], 60, "Dask to re-run it"
        )
        again = future.result()
    assert again["worker"] == workers[1]
    assert again == {"worker": workers[1], "slot": 0, "trials": 0, "exit": "done"}
    assert len(study.trials) == 3


def _address_of(client: Any, proc: subprocess.Popen[bytes]) -> str:
    pids = client.run(os.getpid)
    return next(address for address, pid in pids.items() if pid == proc.pid)


_DRIVER = textwrap.dedent(
    """
    import functools, sys
    import parabola
    from distributed import Client
    from tests.distributed_tests import _objectives as obj

    address, url, n_trials = sys.argv[1], sys.argv[2], int(sys.argv[3])
    study = parabola.create_study(study_name="restart", storage=url, load_if_exists=True)
    with Client(address, timeout=30) as client:
        study.optimize(functools.partial(obj.quadratic, seconds=0.3), n_trials=n_trials,
                       client=client)
    print("driver done")
    """
)


def test_driver_killed_and_restarted_continues_the_study(
    procs: Cluster, pg_url: str, tmp_path: Path
) -> None:
    script = tmp_path / "driver.py"
    script.write_text(_DRIVER)
    env = {**procs.env, "PYTHONPATH": procs.env["PYTHONPATH"]}

    def driver(n_trials: int) -> subprocess.Popen[bytes]:
        with open(tmp_path / f"driver-{n_trials}.log", "wb") as log:
            return subprocess.Popen(
                [sys.executable, str(script), procs.address, pg_url, str(n_trials)],
                env=env,
                cwd=tmp_path,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    first = driver(200)
    try:
        storage = parabola.storages.RDBStorage(pg_url)
        _wait_until(lambda: _n_complete(storage, "restart") >= 6, 60, "the first driver's trials")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        # Its trial loops notice the client is gone, finish their trials and claim no more.
        _wait_until(lambda: _n_running(storage, "restart") == 0, 60, "the orphaned loops")
        orphaned = parabola.load_study(study_name="restart", storage=storage).trials
        after_kill = len(orphaned)
        assert after_kill < 200
        assert {t.state for t in orphaned} == {TrialState.COMPLETE}
        second = driver(8)
        second.wait(240)
        out = (tmp_path / "driver-8.log").read_text()
        assert second.returncode == 0, out + procs.logs()
    finally:
        stop(first)
    trials = parabola.load_study(study_name="restart", storage=storage).trials
    assert Counter(t.state for t in trials) == {TrialState.COMPLETE: after_kill + 8}
    assert trials[:after_kill] == orphaned  # the killed driver's trials are left as they were
    second_run = {t.system_attrs[RUN_KEY] for t in trials[after_kill:]}
    assert len(second_run) == 1 and second_run.isdisjoint(t.system_attrs[RUN_KEY] for t in orphaned)


def _n_complete(storage: Any, name: str) -> int:
    try:
        study = parabola.load_study(study_name=name, storage=storage)
    except KeyError:  # the driver has not created it yet
        return 0
    return len(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)))


def _n_running(storage: Any, name: str) -> int:
    study = parabola.load_study(study_name=name, storage=storage)
    return len(study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)))


def test_scheduler_killed_gives_a_clear_error_and_the_study_continues(
    procs: Cluster, pg_url: str
) -> None:
    # Short heartbeats: trials of workers that die with the scheduler are failed on the next
    # run within seconds instead of a minute.
    storage = parabola.storages.RDBStorage(pg_url, heartbeat_interval=1, grace_period=3)
    study = parabola.create_study(study_name="sched", storage=storage)

    def kill_scheduler() -> None:
        _wait_until(lambda: len(study.get_trials(deepcopy=False)) >= 4, 60, "trials")
        procs.kill_scheduler()

    with _client(procs) as client:
        killer = threading.Thread(target=kill_scheduler)
        killer.start()
        start = time.monotonic()
        with pytest.raises(RuntimeError, match="Lost the Dask scheduler"):
            study.optimize(
                functools.partial(obj.quadratic, seconds=0.3), n_trials=500, client=client
            )
        killer.join()
        assert time.monotonic() - start < 60
    for worker in procs.workers:
        stop(worker)
    procs.workers.clear()
    before = {t.number for t in study.trials}
    assert 4 <= len(before) < 500
    # A new scheduler and workers on the same store: the study goes on.
    procs.start_scheduler()
    procs.start_worker()
    with _client(procs, n_workers=1) as client:
        study.optimize(obj.quadratic, n_trials=5, client=client)
    trials = study.trials
    # Trials of workers that died with the scheduler were failed by their heartbeat.
    assert Counter(t.state for t in trials)[TrialState.RUNNING] == 0
    new = [t for t in trials if t.number not in before]
    assert len({t.system_attrs[RUN_KEY] for t in new}) == 1
    assert Counter(t.state for t in new) == {TrialState.COMPLETE: 5}


def test_worker_without_the_store_driver_is_refused_clearly(
    procs: Cluster, pg_url: str, tmp_path: Path
) -> None:
    fake = tmp_path / "no_psycopg" / "psycopg"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('No module named psycopg (test)')\n")
    procs.start_worker(
        extra_env={"PYTHONPATH": f"{fake.parent}{os.pathsep}{procs.env['PYTHONPATH']}"}
    )
    study = parabola.create_study(storage=pg_url)
    refused = pytest.raises(RuntimeError, match=r"pip install 'parabola\[postgres\]'")
    with _client(procs, n_workers=3) as client, refused as info:
        study.optimize(obj.quadratic, n_trials=3, client=client)
    message = str(info.value)
    assert "psycopg" in message and message.count("tcp://127.0.0.1") == 1
    assert study.trials == []


def test_pickled_store_keeps_its_settings() -> None:
    # What the workers open: the same URL and heartbeat settings, no connections.
    storage = parabola.storages.RDBStorage("sqlite:///x.db", heartbeat_interval=2)
    clone = pickle.loads(pickle.dumps(storage))
    assert (clone.url, clone.heartbeat_interval) == (storage.url, 2)


def test_worker_store_pool_is_capped_at_its_threads_unless_sized_by_the_user(pg_url: str) -> None:
    from parabola.distributed._worker import StoreRecipe

    storage = parabola.storages.RDBStorage(pg_url)
    opened = pickle.loads(pickle.dumps(StoreRecipe.of(storage))).open(3)
    pool = opened.engine.pool
    assert (pool.size(), pool._max_overflow) == (3, 0)
    own = parabola.storages.RDBStorage(pg_url, engine_kwargs={"pool_size": 7})
    assert StoreRecipe.of(own).open(3).engine.pool.size() == 7
    for store in (storage, opened, own):
        store.close()
