"""Objectives the tests send to Dask workers (pickled by value: workers need not import this)."""

from __future__ import annotations

import os
import time
from typing import Any

import cloudpickle

import parabola

__all__ = [
    "failing",
    "init_in_objective",
    "logs_rows",
    "quadratic",
    "stop_after",
    "tracked",
]


def quadratic(trial: Any, seconds: float = 0.0) -> float:
    x = trial.suggest_float("x", -10, 10)
    trial.set_user_attr("pid", os.getpid())
    if seconds:
        time.sleep(seconds)
    return float(x * x)


def failing(trial: Any, every: int = 2, error: type[Exception] = ValueError) -> float:
    x = trial.suggest_float("x", -10, 10)
    if trial.number % every == 0:
        raise error(f"trial {trial.number} fails on purpose")
    return float(x * x)


def stop_after(study: Any, frozen: Any, n: int = 5) -> None:
    if frozen.number >= n:
        study.stop()


def tracked(trial: Any, url: str) -> float:
    x = trial.suggest_float("x", -10, 10)
    for step in range(3):
        trial.log({"loss": x * x / (step + 1)}, step=step)
    with parabola.init(project="dist", storage=url, config={"x": x}) as run:
        run.log({"pid": os.getpid()})
    return float(x * x)


def init_in_objective(trial: Any) -> float:
    """``parabola.init()`` with no arguments on the worker: the trial's own run."""
    x = trial.suggest_float("x", -10, 10)
    run = parabola.init(config={"lr": 0.5})
    run.log({"pid": os.getpid(), "trial": trial.number})
    return float(x * x)


def logs_rows(trial: Any, n_rows: int = 40, parallel_reads: int = 2) -> float:
    """Tracking rows while other threads of the worker hold database transactions.

    The ``parallel_reads`` threads each run a 0.2 s transaction on the worker's store at the
    same time, as a tracking writer, the heartbeat and a trial write may: with one pool of
    one connection per worker thread they take turns; without a cap each opens its own.
    """
    import threading

    x = trial.suggest_float("x", -10, 10)
    store = trial.study._storage

    def read() -> None:
        store._runner.run(lambda cur: cur.execute("SELECT pg_sleep(0.2)"), write=False)

    threads = [threading.Thread(target=read) for _ in range(parallel_reads)]
    for t in threads:
        t.start()
    run = parabola.init()
    for step in range(n_rows):
        trial.log({"loss": x / (step + 1)}, step=step)
        run.summary["last"] = step
    for t in threads:
        t.join()
    return float(x * x)


# Workers unpickle these by value (cloudpickle), so the test modules need not be importable
# there, as user code in a notebook need not be.
cloudpickle.register_pickle_by_value(__import__(__name__))
