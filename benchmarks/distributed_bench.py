"""Distributed benchmark: ``optimize(client=...)`` on Dask beside Optuna 5.0, in one run.

Everything runs on this machine, on 127.0.0.1, against the local PostgreSQL (a fresh database
per measurement). Rates are trials per second over the span from the first trial's start to
the last trial's end, read back from the store, so every method is timed the same way.

    .venv/bin/python benchmarks/distributed_bench.py                 # every section
    .venv/bin/python benchmarks/distributed_bench.py --only rate kill

Sections:

* ``rate``: zero-cost objective, 4 workers: parabola on Dask (LocalCluster 4 x 1 thread),
  parabola's own multi-process rate (4 processes sharing the study), Optuna 5.0's
  multi-process rate (same), and optuna-integration's ``DaskStorage`` (storage inside the
  scheduler); peak PostgreSQL connections of each.
* ``scaling``: 1 s trials at 1/2/4/8 workers (4 trials per worker): parabola on Dask and Optuna
  multi-process; efficiency = rate / (workers x 1-worker rate).
* ``kill``: `dask scheduler` + 4 `dask worker` processes, 24 trials of 1 s, 2 workers SIGKILLed
  mid-trial; Optuna: 4 processes, 2 SIGKILLed mid-trial (heartbeats off, its default).
* ``tracking``: 8 workers, every trial logs 50 rows with ``trial.log``; all rows read back.
* ``startup``: seconds from creating a fresh LocalCluster to the first COMPLETE trial; the
  extra install (``parabola[dask]``: distributed and what it pulls beyond parabola's own).
"""

from __future__ import annotations

import argparse
import functools
import importlib.metadata as md
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

PG_SERVER = os.environ.get("PARABOLA_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
DASK = str(Path(sys.executable).with_name("dask"))
ROOT = Path(__file__).resolve().parent.parent


# Objectives (module level: pickled by reference, this file is importable on the workers) ---
def zero_cost(trial: Any) -> float:
    return float(trial.suggest_float("x", 0.0, 1.0))


def one_second(trial: Any) -> float:
    x = float(trial.suggest_float("x", 0.0, 1.0))
    trial.set_user_attr("pid", os.getpid())
    time.sleep(1.0)
    return x


def logs_rows(trial: Any, n_rows: int = 50) -> float:
    x = float(trial.suggest_float("x", 0.0, 1.0))
    for step in range(n_rows):
        trial.log({"loss": x / (step + 1), "step_x": step * x}, step=step)
    return x


# PostgreSQL ------------------------------------------------------------------------------
def _pg_database() -> str:
    import sqlalchemy as sa

    name = f"distbench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return f"{PG_SERVER}/{name}"


def _pg_drop(url: str) -> None:
    import sqlalchemy as sa

    admin = sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    admin.dispose()


class _PeakConnections:
    """Samples pg_stat_activity for one database every 50 ms (from the 'postgres' database)."""

    def __init__(self, url: str) -> None:
        self._name = url.rsplit("/", 1)[1]
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> _PeakConnections:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        import sqlalchemy as sa

        engine = sa.create_engine(f"{PG_SERVER}/postgres")
        with engine.connect() as conn:
            while not self._stop.is_set():
                n = conn.exec_driver_sql(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %(n)s",
                    {"n": self._name},
                ).scalar_one()
                conn.rollback()
                self.peak = max(self.peak, int(n))
                time.sleep(0.05)
        engine.dispose()


def _span_rate(trials: list[Any]) -> tuple[float, float]:
    """(trials/s, seconds) from the first start to the last end of the finished trials."""
    done = [t for t in trials if t.datetime_complete is not None and t.datetime_start is not None]
    span = (
        max(t.datetime_complete for t in done) - min(t.datetime_start for t in done)
    ).total_seconds()
    return len(done) / span, span


def _steady_rate(trials: list[Any], key: str) -> float:
    """Trials/s once every worker has finished its first trial (warm-up left out).

    ``key`` groups the trials by worker (a system attribute for parabola-dask, the pid user
    attribute for the multi-process runs). A worker's first trial carries its warm-up (first
    unpickling, imports, the sampler's and the store's first use), so this counts the trials
    that start at or after the last worker's first trial ended, over the time from then to
    the last end.
    """
    done = [t for t in trials if t.datetime_complete is not None and t.datetime_start is not None]
    first: dict[Any, Any] = {}
    for t in sorted(done, key=lambda t: t.datetime_start):
        first.setdefault(t.system_attrs.get(key, t.user_attrs.get(key)), t)
    t0 = max(t.datetime_complete for t in first.values())
    later = [t for t in done if t.datetime_start >= t0]
    if not later:
        return float("nan")  # every trial started before the last warm-up ended
    span = (max(t.datetime_complete for t in later) - t0).total_seconds()
    return len(later) / span


def _lib(name: str) -> Any:
    if name == "parabola":
        import parabola

        parabola.logging.set_verbosity(parabola.logging.WARNING)
        return parabola
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


# Children --------------------------------------------------------------------------------
def child_mp(lib_name: str, url: str, n_trials: int, objective: str) -> None:
    lib = _lib(lib_name)
    study = lib.load_study(study_name="bench", storage=url)
    study.optimize(globals()[objective], n_trials=n_trials)


def _multi_process(lib_name: str, url: str, n_procs: int, per_proc: int, objective: str) -> Any:
    lib = _lib(lib_name)
    lib.create_study(study_name="bench", storage=url)
    procs = [
        subprocess.Popen(
            [sys.executable, __file__, "--child", lib_name, url, str(per_proc), objective],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(n_procs)
    ]
    for p in procs:
        _, err = p.communicate()
        if p.returncode != 0:
            raise RuntimeError(err.decode()[-2000:])
    return lib.load_study(study_name="bench", storage=url).trials


def _local_cluster(n_workers: int, threads: int = 1) -> Any:
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=n_workers,
        threads_per_worker=threads,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
    )
    return cluster, Client(cluster)


def _parabola_dask(url: str, n_workers: int, n_trials: int, objective: Any) -> Any:
    import parabola

    parabola.logging.set_verbosity(parabola.logging.WARNING)
    cluster, client = _local_cluster(n_workers)
    try:
        study = parabola.create_study(study_name="bench", storage=url)
        start = time.perf_counter()
        study.optimize(objective, n_trials=n_trials, client=client)
        wall = time.perf_counter() - start
        return study.trials, wall
    finally:
        client.close()
        cluster.close()


def _optuna_dask_storage(url: str, n_workers: int, n_trials: int) -> Any:
    import optuna
    from distributed import wait
    from optuna_integration import DaskStorage

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    cluster, client = _local_cluster(n_workers)
    try:
        storage = DaskStorage(storage=url, client=client)
        study = optuna.create_study(study_name="bench", storage=storage)
        per = n_trials // n_workers
        futures = [
            client.submit(study.optimize, zero_cost, n_trials=per, pure=False)
            for _ in range(n_workers)
        ]
        wait(futures)
        for f in futures:
            f.result()
        return optuna.load_study(study_name="bench", storage=url).trials
    finally:
        client.close()
        cluster.close()


# Sections --------------------------------------------------------------------------------
def section_rate(out: list[str]) -> None:
    n_workers, per = 4, 100
    results: dict[str, tuple[float, int, str]] = {}
    out.append(f"## rate: zero-cost objective, {n_workers} workers, PostgreSQL")
    for name in ("parabola-dask", "parabola-mp", "optuna-mp", "optuna-daskstorage"):
        # Optuna's DaskStorage sends every storage call through the scheduler: fewer trials.
        n = n_workers * (10 if name == "optuna-daskstorage" else per)
        url = _pg_database()
        try:
            with _PeakConnections(url) as peak:
                try:
                    if name == "parabola-dask":
                        trials, _ = _parabola_dask(url, n_workers, n, zero_cost)
                    elif name == "parabola-mp":
                        trials = _multi_process("parabola", url, n_workers, per, "zero_cost")
                    elif name == "optuna-mp":
                        trials = _multi_process("optuna", url, n_workers, per, "zero_cost")
                    else:
                        trials = _optuna_dask_storage(url, n_workers, n)
                except Exception as e:  # the anchor may not run: say so, keep the rest
                    results[name] = (float("nan"), 0, f"did not run: {type(e).__name__}: {e}")
                    continue
            rate, span = _span_rate(trials)
            states = Counter(t.state.name for t in trials)
            results[name] = (rate, peak.peak, f"{dict(states)} in {span:.2f} s")
        finally:
            _pg_drop(url)
        print(f"  {name}: {results[name]}", file=sys.stderr, flush=True)
    dask_rate = results["parabola-dask"][0]
    out.append("| method | trials/s | parabola-dask / method | peak PG connections | trials |")
    out.append("|---|---|---|---|---|")
    for name, (rate, peak_conn, note) in results.items():
        ratio = dask_rate / rate if rate == rate and rate > 0 else float("nan")
        out.append(f"| {name} | {rate:.1f} | {ratio:.2f}x | {peak_conn} | {note} |")


def section_scaling(out: list[str]) -> None:
    per = 4
    out.append(f"## scaling: 1 s trials, {per} per worker, PostgreSQL")
    out.append(
        "| workers | parabola-dask trials/s | efficiency | steady trials/s | steady efficiency "
        "| optuna-mp trials/s | efficiency | steady trials/s | steady efficiency |"
    )
    out.append("|---|---|---|---|---|---|---|---|---|")
    base: dict[str, float] = {}
    for w in (1, 2, 4, 8):
        rates: dict[str, float] = {}
        for name in ("parabola-dask", "optuna-mp"):
            url = _pg_database()
            try:
                if name == "parabola-dask":
                    trials, _ = _parabola_dask(url, w, per * w, one_second)
                    steady = _steady_rate(trials, "distributed:worker")
                else:
                    trials = _multi_process("optuna", url, w, per, "one_second")
                    steady = _steady_rate(trials, "pid")
                rates[name] = _span_rate(trials)[0]
                rates[name + "/steady"] = steady
            finally:
                _pg_drop(url)
            base.setdefault(name, rates[name])
            base.setdefault(name + "/steady", steady)
        eff = {k: v / (w * base[k]) for k, v in rates.items()}
        cells = [
            f"{rates[k]:.2f} | {eff[k]:.2f}"
            for k in ("parabola-dask", "parabola-dask/steady", "optuna-mp", "optuna-mp/steady")
        ]
        out.append(f"| {w} | " + " | ".join(cells) + " |")
    out.append(
        "(efficiency: rate / (workers x the same method's 1-worker rate); steady: from the "
        "moment every worker has finished its first trial, so its warm-up is left out)"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _spawn(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONPATH=f"{ROOT}{os.pathsep}{ROOT / 'benchmarks'}")
    with open(log, "ab") as f:
        return subprocess.Popen(args, stdout=f, stderr=subprocess.STDOUT, env=env)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait(10)


def section_kill(out: list[str], tmp: Path) -> None:
    from distributed import Client

    import parabola
    from parabola.distributed._keys import INDEX_KEY

    parabola.logging.set_verbosity(parabola.logging.WARNING)
    n_trials, n_workers = 24, 4
    url = _pg_database()
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [
        _spawn(
            [DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            tmp / "scheduler.log",
        )
    ]
    kills: list[float] = []
    try:
        workers = [
            _spawn(
                [DASK, "worker", address, "--host", "127.0.0.1", "--nthreads", "1", "--no-nanny"],
                tmp / f"worker{i}.log",
            )
            for i in range(n_workers)
        ]
        procs += workers
        time.sleep(1)
        with Client(address, timeout=30) as client:
            client.wait_for_workers(n_workers, timeout=60)
            study = parabola.create_study(study_name="kill", storage=url)

            def killer() -> None:
                # Once trials run (after the workers' store check), kill one, 2 s later another.
                while not any(
                    t.state.name == "RUNNING" and t.params for t in study.get_trials(deepcopy=False)
                ):
                    time.sleep(0.05)
                for victim in workers[:2]:
                    time.sleep(0.5)
                    os.kill(victim.pid, signal.SIGKILL)
                    kills.append(time.time())
                    time.sleep(1.5)

            thread = threading.Thread(target=killer)
            thread.start()
            study.optimize(one_second, n_trials=n_trials, client=client)
            thread.join()
        trials = study.trials
    finally:
        for p in procs:
            _stop(p)
        _pg_drop(url)
    states = Counter(t.state.name for t in trials)
    complete = [t for t in trials if t.state.name == "COMPLETE"]
    per_index = Counter(t.system_attrs[INDEX_KEY] for t in complete)
    retries = [t for t in trials if "failed_trial" in t.system_attrs]
    latency = []
    for r in retries:
        assert r.datetime_start is not None
        started = r.datetime_start.timestamp()
        latency.append(min(started - k for k in kills if started >= k))
    out.append(f"## kill: {n_trials} trials of 1 s, {n_workers} workers, 2 SIGKILLed mid-trial")
    out.append("| method | COMPLETE | lost/stuck RUNNING or WAITING | evaluated twice | retries |")
    out.append("|---|---|---|---|---|")
    out.append(
        f"| parabola-dask | {states['COMPLETE']} / {n_trials} | "
        f"{states['RUNNING'] + states['WAITING']} | "
        f"{sum(1 for c in per_index.values() if c > 1)} | "
        f"{len(retries)} retries, max {max(latency, default=float('nan')):.2f} s after the kill |"
    )
    out.append(_optuna_kill(n_trials, n_workers))


def _optuna_kill(n_trials: int, n_workers: int) -> str:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    url = _pg_database()
    try:
        optuna.create_study(study_name="bench", storage=url)
        per = n_trials // n_workers
        procs = [
            subprocess.Popen(
                [sys.executable, __file__, "--child", "optuna", url, str(per), "one_second"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(n_workers)
        ]
        # Kill two once all four are inside a trial (each runs one trial at a time).
        study = optuna.load_study(study_name="bench", storage=url)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            running = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,))
            if len(running) >= n_workers:
                break
            time.sleep(0.05)
        time.sleep(0.3)
        for victim in procs[:2]:
            victim.kill()
        for p in procs:
            p.wait(60)
        trials = optuna.load_study(study_name="bench", storage=url).trials
    finally:
        _pg_drop(url)
    states = Counter(t.state.name for t in trials)
    return (
        f"| optuna-mp (heartbeats off) | {states['COMPLETE']} / {n_trials} | "
        f"{states['RUNNING'] + states['WAITING']} | n/a | no retry: the killed trials stay "
        "RUNNING |"
    )


def section_tracking(out: list[str]) -> None:
    import parabola

    n_workers, n_trials, rows = 8, 40, 50
    url = _pg_database()
    try:
        with _PeakConnections(url) as peak:
            trials, wall = _parabola_dask(
                url, n_workers, n_trials, functools.partial(logs_rows, n_rows=rows)
            )
        storage = parabola.storages.RDBStorage(url)
        runs = parabola.Api(storage=storage).runs("bench", {"group": "bench"})
        counts = [len(list(r.scan_history())) for r in runs]
        errors = sum(1 for t in trials if t.state.name != "COMPLETE")
        storage.close()
    finally:
        _pg_drop(url)
    out.append(f"## tracking: {n_workers} workers, {n_trials} trials x {rows} trial.log rows")
    out.append(
        f"- runs: {len(runs)} / {n_trials}; rows read back: {sum(counts)} / {n_trials * rows}; "
        f"failed trials: {errors}; peak PG connections {peak.peak} (workers + 2 = "
        f"{n_workers + 2}); {wall:.1f} s"
    )


def section_startup(out: list[str]) -> None:
    from distributed import Client, LocalCluster

    import parabola

    parabola.logging.set_verbosity(parabola.logging.WARNING)
    url = _pg_database()
    try:
        study = parabola.create_study(study_name="bench", storage=url)
        start = time.time()
        cluster = LocalCluster(
            n_workers=4, threads_per_worker=1, host="127.0.0.1", dashboard_address="127.0.0.1:0"
        )
        constructed = time.time() - start
        client = Client(cluster)
        client.wait_for_workers(4)
        ready = time.time() - start
        try:
            study.optimize(zero_cost, n_trials=4, client=client)
        finally:
            client.close()
            cluster.close()
        first_start = min(t.datetime_start for t in study.trials if t.datetime_start)
        first = min(t.datetime_complete for t in study.trials if t.datetime_complete)
        seconds = first.timestamp() - start
    finally:
        _pg_drop(url)
    out.append("## startup and install")
    out.append(
        f"- fresh LocalCluster (4 workers) to the first COMPLETE trial: {seconds:.2f} s: "
        f"LocalCluster(...) returned at {constructed:.2f} s, Dask reported the 4 workers up "
        f"at {ready:.2f} s, the first trial started at {first_start.timestamp() - start:.2f} s "
        "(store check on every worker, loop tasks sent, first unpickling and imports)"
    )
    mb, names = _extra_install_mb()
    out.append(f"- extra install of parabola[dask]: {mb:.1f} MB ({', '.join(names)})")


def _extra_install_mb() -> tuple[float, list[str]]:
    def requires(name: str) -> list[str]:
        reqs = md.distribution(name).requires or []
        return [
            re.split(r"[ ;<>=!~\[(]", r)[0].lower().replace("_", "-")
            for r in reqs
            if "extra ==" not in r
        ]

    def closure(roots: list[str]) -> set[str]:
        seen: set[str] = set()
        stack = list(roots)
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            try:
                md.distribution(name)
            except md.PackageNotFoundError:
                continue
            seen.add(name)
            stack.extend(requires(name))
        return seen

    extra = sorted(closure(["distributed"]) - closure(["parabola"]))
    total = 0
    for name in extra:
        dist = md.distribution(name)
        for f in dist.files or []:
            path = Path(str(dist.locate_file(f)))
            if path.is_file():
                total += path.stat().st_size
    return total / 1e6, extra


SECTIONS = ("rate", "scaling", "kill", "tracking", "startup")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        lib, url, n, objective = sys.argv[2:6]
        child_mp(lib, url, int(n), objective)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=SECTIONS, default=list(SECTIONS))
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).parent))  # workers import this file's objectives
    out = [
        f"# distributed_bench ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs, "
        f"load {os.getloadavg()[0]:.1f})"
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.only:
            start = time.perf_counter()
            if name == "kill":
                section_kill(out, Path(tmp))
            else:
                globals()[f"section_{name}"](out)
            out.append(f"({name}: {time.perf_counter() - start:.0f} s)")
            print("\n".join(out), flush=True)
            print(json.dumps({"section": name, "done": True}), file=sys.stderr)


if __name__ == "__main__":
    main()
