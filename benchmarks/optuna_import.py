"""Optuna-store import: ``parabola import optuna`` on a 10,000-trial study written by Optuna 5.0.

    .venv/bin/python benchmarks/optuna_import.py              # 10,000 trials, 3 repeats
    .venv/bin/python benchmarks/optuna_import.py --trials 2000 --repeats 1

The source is a SQLite file written by Optuna 5.0 itself: ``optimize`` runs 200 trials (6
parameters of every kind, 5 intermediate values, a user attribute and a constraint each, a
few pruned and failed trials). Optuna writes about 15 trials/s here, so the rest of the 10,000
trials are those 200 trials' own rows replicated with plain SQL (new ids and numbers, same
formats). Each measurement runs in a fresh child process:

* ``parabola import``: ``import_optuna(source, new parabola SQLite file)``, verification included.
* anchor, ``optuna read``: Optuna loading every trial of the same file (``load_study().trials``),
  the least any Optuna-side copy must do.
* anchor, ``optuna copy_study``: Optuna copying the 200 Optuna-written trials into a new Optuna
  SQLite file, beside ``parabola import`` of the same 200 (a 10,000-trial copy would take
  Optuna about ten minutes).

Ratios are anchor time / parabola time (> 1: parabola is faster).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

SEED_TRIALS = 200
TABLES = (
    ("trial_params", "param_name, param_value, distribution_json"),
    ("trial_values", "objective, value, value_type"),
    ("trial_intermediate_values", "step, intermediate_value, intermediate_value_type"),
    ("trial_user_attributes", "key, value_json"),
    ("trial_system_attributes", "key, value_json"),
)


def build_source(path: str, n_trials: int, seed_copy: str | None = None) -> None:
    """Write the source; ``seed_copy`` also gets a copy holding only the Optuna-run trials."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        storage=f"sqlite:///{path}", study_name="big", sampler=optuna.samplers.RandomSampler(0)
    )

    def objective(trial: Any) -> float:
        x = trial.suggest_float("x", -10, 10)
        trial.suggest_float("lr", 1e-5, 1e-1, log=True)
        trial.suggest_int("n", 1, 64, log=True)
        trial.suggest_int("k", 0, 10, step=2)
        trial.suggest_float("q", 0, 1, step=0.25)
        trial.suggest_categorical("c", ["a", "b", None, 3])
        trial.set_user_attr("note", trial.number)
        trial.set_constraint("c0", x - 5)
        for step in range(5):
            trial.report(x / (step + 1), step)
        if trial.number % 37 == 5:
            raise optuna.TrialPruned()
        if trial.number % 53 == 6:
            raise ValueError("failed on purpose")
        return x**2

    study.optimize(objective, n_trials=SEED_TRIALS, catch=(ValueError,))
    del study
    if seed_copy is not None:
        shutil.copy(path, seed_copy)
    con = sqlite3.connect(path)
    with con:
        (sid,) = con.execute("SELECT study_id FROM studies WHERE study_name = 'big'").fetchone()
        lo, hi = con.execute(
            "SELECT MIN(trial_id), MAX(trial_id) FROM trials WHERE study_id = ?", (sid,)
        ).fetchone()
        assert hi - lo + 1 == SEED_TRIALS
        for k in range(1, -(-n_trials // SEED_TRIALS)):
            last = min(SEED_TRIALS, n_trials - k * SEED_TRIALS)
            shift = k * SEED_TRIALS
            con.execute(
                "INSERT INTO trials (trial_id, number, study_id, state, datetime_start, "
                "datetime_complete) SELECT trial_id + ?, number + ?, study_id, state, "
                "datetime_start, datetime_complete FROM trials WHERE study_id = ? AND number < ?",
                (shift, shift, sid, last),
            )
            for table, cols in TABLES:
                con.execute(
                    f"INSERT INTO {table} (trial_id, {cols}) SELECT trial_id + ?, {cols} "
                    f"FROM {table} WHERE trial_id BETWEEN ? AND ?",
                    (shift, lo, lo + last - 1),
                )
    con.close()


def child(kind: str, source: str, target: str) -> dict[str, float]:
    t0 = time.perf_counter()
    if kind == "parabola_import":
        import parabola

        parabola.logging.set_verbosity(parabola.logging.WARNING)
        report = parabola.importers.import_optuna(f"sqlite:///{source}", f"sqlite:///{target}")
        n = report.n_trials
    elif kind == "optuna_read":
        import optuna

        n = len(optuna.load_study(study_name="big", storage=f"sqlite:///{source}").trials)
    else:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        optuna.copy_study(
            from_study_name="big",
            from_storage=f"sqlite:///{source}",
            to_storage=f"sqlite:///{target}",
        )
        n = len(optuna.load_study(study_name="big", storage=f"sqlite:///{target}").trials)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime  # this process's own CPU time: load-independent
    return {"seconds": time.perf_counter() - t0, "cpu": cpu, "n_trials": n}


def _run(kind: str, source: str, target: str) -> dict[str, float]:
    if os.path.exists(target):
        os.unlink(target)
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, source, target],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _measure(kinds: list[str], source: str, tmp: str, repeats: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {k: [] for kind in kinds for k in (kind, kind + "_cpu")}
    for _ in range(repeats):
        for kind in kinds:  # alternate the libraries
            result = _run(kind, source, os.path.join(tmp, f"{kind}.db"))
            times[kind].append(result["seconds"])
            times[kind + "_cpu"].append(result["cpu"])
            print(
                f"  {kind}: {result['seconds']:.2f} s wall, {result['cpu']:.2f} s CPU "
                f"({int(result['n_trials'])} trials)"
            )
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", nargs=3)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    # /dev/shm when there is one: Optuna's per-trial commits would otherwise measure the disk.
    shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
    with tempfile.TemporaryDirectory(dir=shm) as tmp:
        big = os.path.join(tmp, "optuna-big.db")
        small = os.path.join(tmp, "optuna-small.db")
        t = time.perf_counter()
        build_source(big, args.trials, seed_copy=small)
        print(f"sources written in {time.perf_counter() - t:.0f} s; load {os.getloadavg()}")
        print(f"{args.trials}-trial study:")
        big_t = _measure(["parabola_import", "optuna_read"], big, tmp, args.repeats)
        print(f"{SEED_TRIALS}-trial study:")
        small_t = _measure(["parabola_import", "optuna_copy"], small, tmp, args.repeats)
    med = {k: statistics.median(v) for k, v in {**big_t}.items()}
    med_small = {k: statistics.median(v) for k, v in small_t.items()}
    print()
    print("| measurement (median wall / CPU) | parabola | Optuna 5.0 | ratio (Optuna/parabola) |")
    print("|---|---|---|---|")
    for label, m, anchor in (
        (f"import {args.trials} trials vs Optuna reading them", med, "optuna_read"),
        (f"import {SEED_TRIALS} trials vs Optuna copy_study", med_small, "optuna_copy"),
    ):
        p, o = m["parabola_import"], m[anchor]
        pc, oc = m["parabola_import_cpu"], m[anchor + "_cpu"]
        print(
            f"| {label} | {p:.2f} s / {pc:.2f} s | {o:.2f} s / {oc:.2f} s | "
            f"{o / p:.1f} / {oc / pc:.1f} |"
        )
    print(f"load average (1/5/15 min) at the end: {os.getloadavg()}, on {os.cpu_count()} CPUs")
    target = 10.0
    if args.trials >= 10_000:
        verdict = "met" if med["parabola_import"] < target else "MISSED"
        print(f"\ntarget: {args.trials} trials in < {target:.0f} s: {verdict}")


if __name__ == "__main__":
    main()
