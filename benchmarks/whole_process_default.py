"""One whole process: a 300-trial default study, or Optuna's GP for 250 trials (the bound).

Target (c) of the default sampler counts what a user waits for, so start-up and imports are
in: run each under ``/usr/bin/time`` and compare user + sys CPU. The objective is BBOB f10 5-D
(instance 1), as in ``default_bench.py cost``. Usage::

    export OMP_NUM_THREADS=1
    /usr/bin/time -f "%U %S" .venv/bin/python benchmarks/whole_process_default.py parabola 300
    /usr/bin/time -f "%U %S" .venv/bin/python benchmarks/whole_process_default.py optuna 250

``parabola-nodur`` runs ``AutoSampler(seed=0, max_overhead=None)``: the same policy without its
duration rule, so that two builds compared on one machine run the same samplers for the same
trials (with the rule, a build whose GP step is slower may hand over to TPE earlier, and TPE
costs less per trial).
"""

import sys

import cocoex
import numpy as np

lib, n = sys.argv[1], int(sys.argv[2])
suite = cocoex.Suite("bbob", "", "function_indices:10 dimensions:5 instance_indices:1")
prob = suite[0]
lo, hi = prob.lower_bounds, prob.upper_bounds
if lib in ("parabola", "parabola-nodur"):
    import parabola

    parabola.logging.set_verbosity(parabola.logging.WARNING)
    if lib == "parabola":
        sampler = parabola.samplers.AutoSampler(seed=0)
    else:
        sampler = parabola.samplers.AutoSampler(seed=0, max_overhead=None)
    study = parabola.create_study(sampler=sampler, storage=parabola.storages.InMemoryStorage())
else:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        sampler=optuna.samplers.GPSampler(seed=0), storage=optuna.storages.InMemoryStorage()
    )
study.optimize(
    lambda t: float(prob(np.array([t.suggest_float(f"x{i}", lo[i], hi[i]) for i in range(5)]))),
    n_trials=n,
)
