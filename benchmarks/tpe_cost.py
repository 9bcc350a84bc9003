"""TPE cost: process CPU time per trial between trials 333 and 1000, parabola vs Optuna 5.0.

Instant objective, in-memory storage, default ``TPESampler()`` (seeded) on both sides, run in
the same process one after the other. Spaces: 10 floats ("continuous"), and 10 floats + 2 ints
(one log) + 2 categoricals ("mixed"). Memory: tracemalloc snapshots after trial 333 and after
trial 1000 in a second, traced run: growth per trial of the whole process (storage included)
and, in brackets, of what was allocated from sampler code (``*/samplers/*``).

Usage: ``nice -n 10 .venv/bin/python benchmarks/tpe_cost.py [--trials 1000] [--spaces both]``
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import optuna

import parabola
import parabola.logging as plog


def continuous(trial: Any) -> float:
    return float(sum((trial.suggest_float(f"x{i}", -5.0, 5.0) - 1.0) ** 2 for i in range(10)))


def mixed(trial: Any) -> float:
    s = float(sum((trial.suggest_float(f"x{i}", -5.0, 5.0) - 1.0) ** 2 for i in range(10)))
    s += (trial.suggest_int("n", 0, 20) - 7) ** 2
    s += abs(trial.suggest_int("m", 1, 1024, log=True) - 64) / 64
    s += {"a": 0.0, "b": 1.0, "c": 2.0}[trial.suggest_categorical("c1", ["a", "b", "c"])]
    s += 0.0 if trial.suggest_categorical("c2", [True, False]) else 1.0
    return float(s)


def measure(
    make_study: Callable[[], Any],
    objective: Callable[[Any], float],
    n_trials: int,
    start: int,
    memory: bool,
) -> tuple[float, float, float]:
    """CPU ms per trial over trials start..n_trials; traced bytes growth per trial over the
    same trials, for the whole process and for allocations made in sampler code."""
    study = make_study()
    marks: dict[str, Any] = {}

    def callback(_study: Any, trial: Any) -> None:
        if trial.number == start - 1:
            marks["t0"] = time.process_time()
            if tracemalloc.is_tracing():
                marks["s0"] = tracemalloc.take_snapshot()
        if trial.number == n_trials - 1:
            marks["t1"] = time.process_time()
            if tracemalloc.is_tracing():
                marks["s1"] = tracemalloc.take_snapshot()

    study.optimize(objective, n_trials=n_trials, callbacks=[callback])
    ms = (marks["t1"] - marks["t0"]) / (n_trials - start) * 1000.0
    if not memory:
        return ms, float("nan"), float("nan")
    # Second run with tracemalloc on, for memory only (tracing slows Python down).
    study = make_study()
    tracemalloc.start()
    study.optimize(objective, n_trials=n_trials, callbacks=[callback])
    tracemalloc.stop()
    s0, s1 = marks["s0"], marks["s1"]
    total = sum(st.size_diff for st in s1.compare_to(s0, "filename"))
    samplers = tracemalloc.Filter(True, "*/samplers/*")
    sampler = sum(
        st.size_diff
        for st in s1.filter_traces([samplers]).compare_to(s0.filter_traces([samplers]), "filename")
    )
    return ms, total / (n_trials - start), sampler / (n_trials - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--start", type=int, default=333)
    parser.add_argument("--spaces", choices=["continuous", "mixed", "both"], default="both")
    parser.add_argument("--no-memory", action="store_true")
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    plog.set_verbosity(plog.WARNING)

    spaces = {"continuous": continuous, "mixed": mixed}
    if args.spaces != "both":
        spaces = {args.spaces: spaces[args.spaces]}
    print(
        "| space | parabola ms/trial | optuna ms/trial | ratio | parabola B/trial (sampler) | "
        "optuna B/trial (sampler) |"
    )
    print("|---|---|---|---|---|---|")
    for name, objective in spaces.items():

        def make_parabola() -> Any:
            return parabola.create_study(
                storage=parabola.storages.InMemoryStorage(),
                sampler=parabola.samplers.TPESampler(seed=0),
            )

        def make_optuna() -> Any:
            return optuna.create_study(
                storage=optuna.storages.InMemoryStorage(),
                sampler=optuna.samplers.TPESampler(seed=0),
            )

        mem = not args.no_memory
        p_ms, p_mem, p_smp = measure(make_parabola, objective, args.trials, args.start, mem)
        o_ms, o_mem, o_smp = measure(make_optuna, objective, args.trials, args.start, mem)
        print(
            f"| {name} | {p_ms:.2f} | {o_ms:.2f} | {p_ms / o_ms:.3f} | {p_mem:.0f} ({p_smp:.0f}) "
            f"| {o_mem:.0f} ({o_smp:.0f}) |",
            flush=True,
        )


if __name__ == "__main__":
    main()
