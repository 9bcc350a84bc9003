"""Storage benchmark: parabola's RDBStorage beside Optuna 5.0's RDBStorage, in the same run.

Every measurement runs in fresh child processes (one library per process), alternating the two
libraries, and reports medians and the Optuna/parabola ratio (> 1 means parabola is faster).

    .venv/bin/python benchmarks/storage_bench.py              # everything
    .venv/bin/python benchmarks/storage_bench.py --only per_trial read10k

Sections:

* ``per_trial``: SQLite file, RandomSampler, 5 float params, 300 trials (after 10 warm-up).
* ``read10k``: a 10,000-trial study (5 params, 2 intermediate values, 1 user attr each); a fresh
  process opens it and reads all trials, then builds ``trials_dataframe()``. The Optuna study is
  written with bulk SQL into Optuna's own schema (its ``add_trials`` would take minutes); reads
  go through Optuna's public API.
* ``workers``: 4 and 8 processes on one study, 100 trials each, on SQLite and PostgreSQL: total
  trials/s, and a check that every trial is COMPLETE with numbers 0..N-1.
* ``history``: tracking history, 100,000 steps x 10 scalars appended in batches of 1,000 rows
  (no anchor: it checks the tracking targets' write rate and bytes-per-value budget).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from typing import Any

from parabola.storages import RunKey

PG_SERVER = os.environ.get("PARABOLA_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
LIBS = ("parabola", "optuna")


# Children ----------------------------------------------------------------------------------
def _lib(name: str) -> Any:
    if name == "parabola":
        import parabola

        parabola.logging.set_verbosity(parabola.logging.WARNING)
        return parabola
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def _objective(trial: Any) -> float:
    return sum(trial.suggest_float(f"x{i}", 0.0, 1.0) for i in range(5))


def child_per_trial(lib_name: str, url: str, n_trials: int) -> dict[str, float]:
    lib = _lib(lib_name)
    study = lib.create_study(storage=url, sampler=lib.samplers.RandomSampler(seed=0))
    study.optimize(_objective, n_trials=10)
    start = time.perf_counter()
    study.optimize(_objective, n_trials=n_trials)
    return {"ms_per_trial": (time.perf_counter() - start) / n_trials * 1000}


def child_read(lib_name: str, url: str) -> dict[str, float]:
    t0 = time.perf_counter()
    lib = _lib(lib_name)
    lib.load_study  # noqa: B018 - resolve lazy imports before timing the read
    t1 = time.perf_counter()
    study = lib.load_study(study_name="big", storage=url)
    trials = study.trials
    t2 = time.perf_counter()
    frame = study.trials_dataframe()
    t3 = time.perf_counter()
    assert len(trials) == 10_000 and len(frame) == 10_000
    return {"import": t1 - t0, "open_read": t2 - t1, "dataframe": t3 - t2}


def child_worker(lib_name: str, url: str, n_trials: int) -> dict[str, float]:
    lib = _lib(lib_name)
    study = lib.load_study(study_name="mp", storage=url, sampler=lib.samplers.RandomSampler())
    errors = done = 0
    start = time.time()
    while done < n_trials:
        try:
            study.optimize(_objective, n_trials=1)
            done += 1
        except Exception:
            errors += 1
            if errors > 100:
                break
    return {"start": start, "end": time.time(), "errors": errors}


def child_history(url: str) -> dict[str, float]:
    import datetime

    from parabola.storages import RDBStorage, RunRecord, RunState

    storage = RDBStorage(url)
    now = datetime.datetime.now()
    storage.create_run(RunRecord("r", "p", "e", "r", RunState.RUNNING, now, now))
    rows = [{"_step": s, **{f"m{k}": random.random() for k in range(10)}} for s in range(100_000)]
    start = time.perf_counter()
    for i in range(0, len(rows), 1000):
        storage.append_run_history(RunKey("e", "p", "r"), rows[i : i + 1000])
    elapsed = time.perf_counter() - start
    storage.close()
    path = url.removeprefix("sqlite:///")
    con = sqlite3.connect(path)
    payload = con.execute("SELECT sum(length(payload)) FROM run_history").fetchone()[0]
    con.close()
    size = sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))
    return {
        "steps_per_s": len(rows) / elapsed,
        "payload_bytes_per_value": payload / (len(rows) * 11),
        "file_bytes_per_value": size / (len(rows) * 11),
    }


def _run_child(*args: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"child {args} failed:\n{out.stderr[-3000:]}")
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


# Fixtures ----------------------------------------------------------------------------------
def _pg_database() -> str:
    import sqlalchemy as sa

    name = f"bench_{uuid.uuid4().hex[:10]}"
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


def _build_parabola_10k(path: str) -> None:
    import parabola
    from parabola.distributions import FloatDistribution

    parabola.logging.set_verbosity(parabola.logging.WARNING)
    study = parabola.create_study(storage=f"sqlite:///{path}", study_name="big")
    dists = {f"x{i}": FloatDistribution(0.0, 1.0) for i in range(5)}
    rng = random.Random(0)
    study.add_trials(
        parabola.create_trial(
            value=rng.random(),
            params={k: rng.random() for k in dists},
            distributions=dists,
            intermediate_values={0: rng.random(), 1: rng.random()},
            user_attrs={"tag": "a"},
        )
        for _ in range(10_000)
    )


def _build_optuna_10k(path: str) -> None:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(storage=f"sqlite:///{path}", study_name="big")
    study_id = study._study_id
    del study
    dist = json.dumps(
        {
            "name": "FloatDistribution",
            "attributes": {"low": 0.0, "high": 1.0, "step": None, "log": False},
        }
    )
    rng = random.Random(0)
    stamp = "2026-11-30 12:00:00.000000"
    con = sqlite3.connect(path)
    with con:
        for number in range(10_000):
            cur = con.execute(
                "INSERT INTO trials (number, study_id, state, datetime_start, datetime_complete) "
                "VALUES (?, ?, 'COMPLETE', ?, ?)",
                (number, study_id, stamp, stamp),
            )
            tid = cur.lastrowid
            con.executemany(
                "INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) "
                "VALUES (?, ?, ?, ?)",
                [(tid, f"x{i}", rng.random(), dist) for i in range(5)],
            )
            con.execute(
                "INSERT INTO trial_values (trial_id, objective, value, value_type) "
                "VALUES (?, 0, ?, 'FINITE')",
                (tid, rng.random()),
            )
            con.executemany(
                "INSERT INTO trial_intermediate_values (trial_id, step, intermediate_value, "
                "intermediate_value_type) VALUES (?, ?, ?, 'FINITE')",
                [(tid, s, rng.random()) for s in range(2)],
            )
            con.execute(
                "INSERT INTO trial_user_attributes (trial_id, key, value_json) VALUES (?, ?, ?)",
                (tid, "tag", '"a"'),
            )
    con.close()


# Sections ----------------------------------------------------------------------------------
def _ratio_row(
    label: str, unit: str, values: dict[str, list[float]], lower_is_better: bool, note: str = ""
) -> str:
    p, o = statistics.median(values["parabola"]), statistics.median(values["optuna"])
    ratio = o / p if lower_is_better else p / o
    return f"| {label} | {p:.4g} {unit} | {o:.4g} {unit} | **{ratio:.1f}x** | {note} |"


def section_per_trial(tmp: str, repeats: int) -> list[str]:
    values: dict[str, list[float]] = {lib: [] for lib in LIBS}
    for r in range(repeats):
        for lib in LIBS:
            path = os.path.join(tmp, f"per_trial_{lib}_{r}.db")
            values[lib].append(
                _run_child("per_trial", lib, f"sqlite:///{path}", "300")["ms_per_trial"]
            )
    return [_ratio_row("per trial, SQLite, 300 trials x 5 floats", "ms", values, True)]


def section_read10k(tmp: str, repeats: int) -> list[str]:
    paths = {lib: os.path.join(tmp, f"big_{lib}.db") for lib in LIBS}
    _build_parabola_10k(paths["parabola"])
    _build_optuna_10k(paths["optuna"])
    got: dict[str, dict[str, list[float]]] = {lib: {} for lib in LIBS}
    for _ in range(repeats):
        for lib in LIBS:
            for key, v in _run_child("read", lib, f"sqlite:///{paths[lib]}").items():
                got[lib].setdefault(key, []).append(v)
    rows = []
    for key, label in (
        ("open_read", "10k trials: fresh process, load_study + .trials"),
        ("dataframe", "10k trials: trials_dataframe()"),
        ("import", "(import of the library in that process)"),
    ):
        rows.append(_ratio_row(label, "s", {lib: got[lib][key] for lib in LIBS}, True))
    return rows


def section_workers(tmp: str, backends: list[str]) -> list[str]:
    rows = []
    for backend in backends:
        for n_workers in (4, 8):
            tput: dict[str, list[float]] = {}
            notes = []
            for lib in LIBS:
                if backend == "sqlite":
                    url = f"sqlite:///{os.path.join(tmp, f'mp_{lib}_{n_workers}.db')}"
                else:
                    url = _pg_database()
                try:
                    module = _lib(lib)
                    module.create_study(storage=url, study_name="mp")
                    procs = [
                        subprocess.Popen(
                            [sys.executable, __file__, "--child", "worker", lib, url, "100"],
                            stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE,
                            text=True,
                        )
                        for _ in range(n_workers)
                    ]
                    results = []
                    for p in procs:
                        out, err = p.communicate()
                        if p.returncode != 0:
                            raise RuntimeError(err[-2000:])
                        results.append(json.loads(out.strip().splitlines()[-1]))
                    wall = max(r["end"] for r in results) - min(r["start"] for r in results)
                    trials = module.load_study(study_name="mp", storage=url).trials
                    n = len(trials)
                    ok = [t.number for t in trials] == list(range(n)) and all(
                        t.state.name == "COMPLETE" for t in trials
                    )
                    errors = int(sum(r["errors"] for r in results))
                    tput[lib] = [n / wall]
                    notes.append(f"{lib}: {n} trials, gapless+COMPLETE={ok}, errors={errors}")
                finally:
                    if backend == "postgres":
                        _pg_drop(url)
            label = f"{n_workers} workers x 100 trials, {backend} (trials/s)"
            rows.append(_ratio_row(label, "/s", tput, False, "; ".join(notes)))
    return rows


def section_history(tmp: str) -> list[str]:
    got = _run_child("history", f"sqlite:///{os.path.join(tmp, 'history.db')}")
    return [
        f"| history append, 100k steps x 10 scalars, batches of 1000 | "
        f"{got['steps_per_s']:,.0f} steps/s | (no anchor) | | "
        f"{got['payload_bytes_per_value']:.1f} B/value payload, "
        f"{got['file_bytes_per_value']:.1f} B/value on disk |"
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--only", nargs="*", default=None, choices=["per_trial", "read10k", "workers", "history"]
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "per_trial":
            result = child_per_trial(rest[0], rest[1], int(rest[2]))
        elif kind == "read":
            result = child_read(rest[0], rest[1])
        elif kind == "worker":
            result = child_worker(rest[0], rest[1], int(rest[2]))
        else:
            result = child_history(rest[0])
        print(json.dumps(result))
        return
    import optuna

    import parabola

    only = set(args.only or ["per_trial", "read10k", "workers", "history"])
    print(
        f"parabola {parabola.__version__}, optuna {optuna.__version__}, "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
    )
    print("| measurement | parabola | optuna 5.0 | parabola advantage | notes |")
    print("|---|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as tmp:
        if "per_trial" in only:
            print("\n".join(section_per_trial(tmp, args.repeats)), flush=True)
        if "read10k" in only:
            print("\n".join(section_read10k(tmp, args.repeats)), flush=True)
        if "workers" in only:
            backends = ["sqlite"] + ([] if args.no_postgres else ["postgres"])
            print("\n".join(section_workers(tmp, backends)), flush=True)
        if "history" in only:
            print("\n".join(section_history(tmp)), flush=True)


if __name__ == "__main__":
    main()
