"""The dashboard's cold first chart of a long run, in-process: CPU and wall per chart.

Usage::

    .venv/bin/python benchmarks/envelope_bench.py                # 1M steps x 10 metrics
    .venv/bin/python benchmarks/envelope_bench.py --carried      # + _runtime, _timestamp

Builds one run in a SQLite store on tmpfs (numpy loaded, so with envelope summaries, as a
training script writes it), then charts it cold ``--repeat`` times: each time a new
``SeriesCache`` builds the run's envelope from the store (``get_run_history_envelope`` at
the cache's fine resolution) and answers one 160-point series, as ``/series`` does for the
first chart. CPU time (``time.process_time``) is the figure to compare on a loaded machine;
wall time waits for a core. ``PYTHONPATH=<other sources>`` measures another version.
"""

from __future__ import annotations

import argparse
import math
import statistics
import tempfile
import time
from pathlib import Path

import numpy  # noqa: F401  (the writer summarises chunks only with numpy loaded)

from parabola.storages import RunKey, RunRecord, RunState, get_storage
from parabola.storages._base import utcnow
from parabola.ui._series import SeriesCache

PATH = ("e", "bench", "run1m")


def build(url: str, steps: int, carried: bool) -> None:
    store = get_storage(url)
    now = utcnow()
    store.create_run(RunRecord("run1m", "bench", "e", "run1m", RunState.FINISHED, now, now))
    for start in range(0, steps, 50_000):
        rows = []
        for s in range(start, min(start + 50_000, steps)):
            row = {"_step": s}
            if carried:
                row.update({"_runtime": s * 0.01, "_timestamp": 1.7e9 + s * 0.01})
            for j in range(10):
                row[f"m{j}"] = math.sin(s / 1000 + j) + (50.0 if s % 99_991 == 7 else 0.0)
            rows.append(row)
        store.append_run_history(RunKey(*PATH), rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=1_000_000)
    parser.add_argument("--carried", action="store_true", help="rows carry _runtime/_timestamp")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    shm = Path("/dev/shm")
    with tempfile.TemporaryDirectory(dir=shm if shm.is_dir() else None) as folder:
        url = f"sqlite:///{Path(folder) / 'run.db'}"
        build(url, args.steps, args.carried)
        store = get_storage(url)
        SeriesCache(store).series(PATH, "m0", points=160)  # first use: imports, page cache
        walls, cpus = [], []
        for _ in range(args.repeat):
            cache = SeriesCache(store)
            t, c = time.perf_counter(), time.process_time()
            answer = cache.series(PATH, "m0", points=160)
            walls.append(time.perf_counter() - t)
            cpus.append(time.process_time() - c)
        assert max(answer["y"]) > 40  # the one-step spikes are kept
    print(
        f"{args.steps:,} steps x 10 metrics{' + carried' if args.carried else ''}: first chart "
        f"CPU median {statistics.median(cpus) * 1e3:.1f} ms (min {min(cpus) * 1e3:.1f}), "
        f"wall median {statistics.median(walls) * 1e3:.1f} ms (min {min(walls) * 1e3:.1f}), "
        f"{args.repeat} cold charts"
    )


if __name__ == "__main__":
    main()
