"""Is the parameter buffer worth keeping? Per-trial cost on SQLite with and without it.

Without heartbeats, ``optimize`` lets ``RDBStorage`` keep a trial's suggested parameters in
memory until the trial's next write (``BaseStorage._buffer_trial_params``); with heartbeats on
(the default) they are written through. This measures a trial (RandomSampler, 5 floats) in
fresh processes, alternating the variants, with Optuna 5.0's RDBStorage on the same workload as
the anchor:

* ``buffered``: ``heartbeat_interval=None`` (the buffer in use);
* ``write-through``: ``heartbeat_interval=None`` with the buffer switched off;
* ``default``: heartbeats on (10 s), parameters written through;
* ``optuna``: Optuna's RDBStorage, heartbeats off.

    .venv/bin/python benchmarks/param_buffer.py --trials 200 --repeats 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

CHILD = """
import json, sys, time
variant, url, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
def objective(t):
    return sum(t.suggest_float(f"x{i}", 0, 1) for i in range(5))
if variant == "optuna":
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = optuna.storages.RDBStorage(url)
    study = optuna.create_study(storage=storage, sampler=optuna.samplers.RandomSampler(seed=0))
else:
    import parabola
    from parabola.storages import RDBStorage
    parabola.logging.set_verbosity(parabola.logging.WARNING)
    if variant == "default":
        storage = RDBStorage(url)
    else:
        storage = RDBStorage(url, heartbeat_interval=None)
    if variant == "write-through":
        storage._buffer_trial_params = lambda trial_id: None
    study = parabola.create_study(
        storage=storage, sampler=parabola.samplers.RandomSampler(seed=0)
    )
study.optimize(objective, n_trials=10)  # warm-up
start = time.perf_counter()
study.optimize(objective, n_trials=n)
print(json.dumps({"ms": (time.perf_counter() - start) / n * 1000}))
"""

VARIANTS = ("buffered", "write-through", "default", "optuna")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    got: dict[str, list[float]] = {v: [] for v in VARIANTS}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.repeats):
            for variant in VARIANTS:
                url = f"sqlite:///{os.path.join(tmp, f'{variant}-{r}.db')}"
                out = subprocess.run(
                    [sys.executable, "-c", CHILD, variant, url, str(args.trials)],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
                got[variant].append(json.loads(out.strip().splitlines()[-1])["ms"])
    base = statistics.median(got["buffered"])
    print("| variant | ms per trial (median) | runs | vs buffered | vs Optuna |")
    print("|---|---|---|---|---|")
    optuna = statistics.median(got["optuna"])
    for variant in VARIANTS:
        med = statistics.median(got[variant])
        runs = ", ".join(f"{v:.2f}" for v in got[variant])
        print(f"| {variant} | {med:.2f} | {runs} | {med / base:.2f}x | {med / optuna:.3f}x |")


if __name__ == "__main__":
    main()
