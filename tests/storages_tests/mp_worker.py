"""A worker process for the multi-process storage tests (run as a script, not collected).

Usage: python mp_worker.py URL STUDY N_TRIALS MODE, MODE being ``normal`` (quick trials) or
``hang`` (suggest, then sleep forever: the test kills it).
"""

from __future__ import annotations

import sys
import time

import parabola
from parabola.storages import RDBStorage


def main() -> None:
    url, study_name, n_trials, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    parabola.logging.set_verbosity(parabola.logging.WARNING)
    storage = RDBStorage(url, heartbeat_interval=1, grace_period=2)
    study = parabola.load_study(
        study_name=study_name, storage=storage, sampler=parabola.samplers.RandomSampler()
    )

    def objective(trial: parabola.Trial) -> float:
        x = trial.suggest_float("x", -1, 1)
        y = trial.suggest_int("y", 0, 10)
        if mode == "hang":
            print("started", flush=True)
            time.sleep(3600)
        return x * x + y

    study.optimize(objective, n_trials=n_trials)


if __name__ == "__main__":
    main()
