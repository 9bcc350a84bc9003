"""Pruning: steps saved by MedianPruner and HyperbandPruner, parabola vs Optuna 5.0.

A synthetic learning-curve task: configuration ``c`` has final loss ``L(c)`` and its curve
``L(c) + a(c) * exp(-step / tau(c)) + noise`` over ``--steps`` steps (reported every step).
Both libraries evaluate the *same* configurations in the same order (drawn from a seed, not
from a sampler), so the only difference is the pruner. Reported per pruner, summed over
seeds: steps run, steps saved vs no pruning, and the best final loss found (its regret to the
best configuration of the run).

Usage: ``nice -n 10 .venv/bin/python benchmarks/pruning_steps.py [--trials 60] [--seeds 5]``
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

import numpy as np
import optuna

import parabola
import parabola.logging as plog


def make_configs(seed: int, n: int) -> list[dict[str, float]]:
    rng = np.random.RandomState(seed)
    out = []
    for _ in range(n):
        lr = 10 ** rng.uniform(-4, -1)
        width = rng.uniform(0, 1)
        final = (np.log10(lr) + 2.5) ** 2 * 0.1 + (width - 0.6) ** 2 + rng.uniform(0, 0.05)
        out.append(
            {
                "final": float(final),
                "amp": float(rng.uniform(0.5, 2.0)),
                "tau": float(5 + 40 * rng.uniform() * (1 - np.log10(lr) / -4)),
                "noise": float(rng.uniform(0.005, 0.03)),
                "seed": int(rng.randint(2**31)),
            }
        )
    return out


def objective_for(
    configs: list[dict[str, float]], n_steps: int, pruned_exc: type[Exception]
) -> Callable[[Any], float]:
    def objective(trial: Any) -> float:
        c = configs[trial.number]
        rng = np.random.RandomState(int(c["seed"]))
        value = 0.0
        for step in range(n_steps):
            value = c["final"] + c["amp"] * np.exp(-step / c["tau"]) + c["noise"] * rng.randn()
            trial.report(float(value), step)
            if trial.should_prune():
                raise pruned_exc()
        return float(value)

    return objective


def run(
    lib: str, pruner_name: str, configs: list[dict[str, float]], n_steps: int
) -> tuple[int, float]:
    name = "pruning-bench"  # Hyperband brackets hash the study name: keep it equal
    if lib == "parabola":
        pruners = {
            "none": parabola.pruners.NopPruner,
            "median": parabola.pruners.MedianPruner,
            "hyperband": parabola.pruners.HyperbandPruner,
        }
        study = parabola.create_study(
            storage=parabola.storages.InMemoryStorage(),
            sampler=parabola.samplers.RandomSampler(seed=0),
            pruner=pruners[pruner_name](),
            study_name=name,
        )
        exc: type[Exception] = parabola.TrialPruned
    else:
        o_pruners = {
            "none": optuna.pruners.NopPruner,
            "median": optuna.pruners.MedianPruner,
            "hyperband": optuna.pruners.HyperbandPruner,
        }
        study = optuna.create_study(
            storage=optuna.storages.InMemoryStorage(),
            sampler=optuna.samplers.RandomSampler(seed=0),
            pruner=o_pruners[pruner_name](),
            study_name=name,
        )
        exc = optuna.TrialPruned
    study.optimize(objective_for(configs, n_steps, exc), n_trials=len(configs))
    steps = sum(len(t.intermediate_values) for t in study.trials)
    complete = [t.value for t in study.trials if t.value is not None and t.state.name == "COMPLETE"]
    return steps, float(min(complete))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=60)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    plog.set_verbosity(plog.WARNING)

    totals: dict[tuple[str, str], list[float]] = {}
    full = 0
    for seed in range(args.seeds):
        configs = make_configs(seed, args.trials)
        full += args.trials * args.steps
        for pruner in ("none", "median", "hyperband"):
            for lib in ("parabola", "optuna"):
                steps, best = run(lib, pruner, configs, args.steps)
                acc = totals.setdefault((lib, pruner), [0.0, 0.0])
                acc[0] += steps
                acc[1] += best
    print("| pruner | library | steps run | steps saved | mean best final loss |")
    print("|---|---|---|---|---|")
    for pruner in ("none", "median", "hyperband"):
        for lib in ("parabola", "optuna"):
            steps, best = totals[(lib, pruner)]
            print(
                f"| {pruner} | {lib} | {int(steps)} | {1 - steps / full:.1%} | "
                f"{best / args.seeds:.4f} |"
            )


if __name__ == "__main__":
    main()
