"""NSGAIISampler: parabola vs Optuna 5.0 (default settings, population 50), same process.

For each problem and seed both samplers run ``--trials`` trials (default 1000) on a cheap
objective (ZDT1 with 2 objectives, DTLZ2 with 3, both 10-D) with in-memory storage, and the
table reports CPU seconds per trial (``time.process_time`` of the whole ``optimize``) and the
hypervolume of the final Pareto front (reference point 1.1 per objective, exact, via
``parabola._hypervolume``), median over seeds. "Optuna (seed+1000)" is Optuna against
itself: the noise floor of the hypervolume comparison. Usage::

    nice -n 10 .venv/bin/python benchmarks/nsga_bench.py --trials 1000 --seeds 0 1 2 3 4
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import optuna

import parabola
from parabola._hypervolume import hypervolume

DIM = 10


def zdt1(trial: Any) -> tuple[float, float]:
    x = [trial.suggest_float(f"x{i}", 0.0, 1.0) for i in range(DIM)]
    g = 1 + 9 * sum(x[1:]) / (DIM - 1)
    return x[0], g * (1 - (x[0] / g) ** 0.5)


def dtlz2(trial: Any) -> tuple[float, float, float]:
    x = [trial.suggest_float(f"x{i}", 0.0, 1.0) for i in range(DIM)]
    g = sum((v - 0.5) ** 2 for v in x[2:])
    a, b = x[0] * np.pi / 2, x[1] * np.pi / 2
    return (
        (1 + g) * np.cos(a) * np.cos(b),
        (1 + g) * np.cos(a) * np.sin(b),
        (1 + g) * np.sin(a),
    )


PROBLEMS: dict[str, tuple[Callable[[Any], Any], int]] = {"ZDT1": (zdt1, 2), "DTLZ2": (dtlz2, 3)}


def _run(lib: str, seed: int, objective: Any, n_obj: int, n_trials: int) -> tuple[float, float]:
    directions = ["minimize"] * n_obj
    if lib == "optuna":
        study: Any = optuna.create_study(
            directions=directions,
            storage=optuna.storages.InMemoryStorage(),
            sampler=optuna.samplers.NSGAIISampler(seed=seed),
        )
    else:
        study = parabola.create_study(
            directions=directions,
            storage=parabola.storages.InMemoryStorage(),
            sampler=parabola.samplers.NSGAIISampler(seed=seed),
        )
    t0 = time.process_time()
    study.optimize(objective, n_trials=n_trials)
    cpu = time.process_time() - t0
    loss = np.array([t.values for t in study.trials], dtype=float)
    return cpu / n_trials, hypervolume(loss, np.full(n_obj, 1.1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    parabola.logging.set_verbosity(parabola.logging.ERROR)
    print(
        "| problem | objectives | trials | seeds | Optuna ms/trial | parabola ms/trial | ratio "
        "| HV Optuna | HV parabola | HV Optuna (seed+1000) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, (objective, n_obj) in PROBLEMS.items():
        res: dict[str, list[tuple[float, float]]] = {"optuna": [], "parabola": [], "control": []}
        for seed in args.seeds:
            res["optuna"].append(_run("optuna", seed, objective, n_obj, args.trials))
            res["parabola"].append(_run("parabola", seed, objective, n_obj, args.trials))
            res["control"].append(_run("optuna", seed + 1000, objective, n_obj, args.trials))
        cpu = {k: float(np.median([c for c, _ in v])) for k, v in res.items()}
        hv = {k: float(np.median([h for _, h in v])) for k, v in res.items()}
        print(
            f"| {name} | {n_obj} | {args.trials} | {len(args.seeds)} | {cpu['optuna'] * 1e3:.2f} "
            f"| {cpu['parabola'] * 1e3:.2f} | {cpu['parabola'] / cpu['optuna']:.3f} "
            f"| {hv['optuna']:.4f} | {hv['parabola']:.4f} | {hv['control']:.4f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
