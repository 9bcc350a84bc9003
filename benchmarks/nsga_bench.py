"""NSGAIISampler and NSGAIIISampler: parabola vs Optuna 5.0 (default settings), same process.

Two parts, each row side by side with Optuna in the same invocation:

* ``cost``: CPU seconds per trial (``time.process_time`` of the whole ``optimize``, in-memory
  storage, ``--trials`` trials, default 1,000) on cheap pure-Python objectives: ZDT1 (2
  objectives) and DTLZ2 (3), both 10-D; median over seeds of each library, and their ratio.
* ``hv``: the largest relative difference between ``parabola._hypervolume.hypervolume`` and
  ``optuna._hypervolume.compute_hypervolume`` on 20 random fronts per objective count (2-5).
* ``quality``: pymoo's ZDT1-4 (2 objectives, pymoo's default dimensions), DTLZ1-4 and
  WFG1-4 (3 objectives; DTLZ at pymoo's defaults, WFG with 10 variables). For each problem
  and seed ``s``: Optuna with seed ``s``, parabola with seed ``s``, and Optuna with seed
  ``s + 1000`` (the control: Optuna against itself). NSGA-III runs on the 3-objective
  problems only (it is meant for three and more).

Hypervolume (``quality``): objectives are normalised by the true Pareto front's ideal and
nadir points (pymoo's ``pareto_front``; 91 Das-Dennis directions for 3 objectives), so the
front spans [0, 1]. The reference point is 1.1 per objective, raised (per problem, for all
runs alike) to 1.1 times the largest normalised value of any run's final non-dominated front
where that is larger, so that problems none of the runs has converged on (DTLZ1, DTLZ3) still
rank the runs instead of giving 0 to all. Exact hypervolume by ``parabola._hypervolume``.

"Not worse" (decided before the runs): the median hypervolume over the seeds of parabola is
not below Optuna's median by more than the noise floor, the absolute difference between the
medians of Optuna's two seed groups (``s`` and ``s + 1000``), plus 1e-9 for exact ties.
Target: not worse on >= 80% of problems.

Every run is appended to ``--out`` (JSON lines) as it ends, so a run that is stopped keeps what
it measured; ``--report`` prints the tables of such a file. Usage::

    nice -n 10 .venv/bin/python benchmarks/nsga_bench.py --part cost --trials 1000 --seeds 0 1 2
    nice -n 10 .venv/bin/python benchmarks/nsga_bench.py --part quality --algos nsga2 \\
        --trials 1000 --seeds 0 1 2 3 4 --out /tmp/nsga2.jsonl
    .venv/bin/python benchmarks/nsga_bench.py --report /tmp/nsga2.jsonl
    nice -n 10 .venv/bin/python benchmarks/nsga_bench.py --part hv
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import optuna

import parabola
from parabola._hypervolume import hypervolume, is_pareto_front

DIM = 10
QUALITY_PROBLEMS = [
    *("ZDT1", "ZDT2", "ZDT3", "ZDT4"),
    *("DTLZ1", "DTLZ2", "DTLZ3", "DTLZ4"),
    *("WFG1", "WFG2", "WFG3", "WFG4"),
]


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


COST_PROBLEMS: dict[str, tuple[Callable[[Any], Any], int]] = {
    "ZDT1": (zdt1, 2),
    "DTLZ2": (dtlz2, 3),
}


def _sampler(lib: str, algo: str, seed: int) -> Any:
    module: Any = optuna.samplers if lib == "optuna" else parabola.samplers
    cls = module.NSGAIISampler if algo == "nsga2" else module.NSGAIIISampler
    return cls(seed=seed)


def _run(lib: str, algo: str, seed: int, objective: Any, n_obj: int, n_trials: int) -> Any:
    directions = ["minimize"] * n_obj
    module: Any = optuna if lib == "optuna" else parabola
    study = module.create_study(
        directions=directions,
        storage=module.storages.InMemoryStorage(),
        sampler=_sampler(lib, algo, seed),
    )
    t0 = time.process_time()
    study.optimize(objective, n_trials=n_trials)
    return study, (time.process_time() - t0) / n_trials


def _pymoo(name: str) -> tuple[Any, np.ndarray, np.ndarray]:
    """The problem, and the ideal and nadir points of its true Pareto front."""
    from pymoo.problems import get_problem
    from pymoo.util.ref_dirs import get_reference_directions

    low = name.lower()
    if low.startswith("zdt"):
        problem = get_problem(low)
        front = problem.pareto_front()
    else:
        kwargs: dict[str, Any] = {"n_obj": 3}
        if low.startswith("wfg"):
            kwargs["n_var"] = DIM
        problem = get_problem(low, **kwargs)
        front = problem.pareto_front(get_reference_directions("das-dennis", 3, n_partitions=12))
    return problem, front.min(axis=0), front.max(axis=0)


def _objective(problem: Any) -> Callable[[Any], tuple[float, ...]]:
    xl, xu = np.asarray(problem.xl, dtype=float), np.asarray(problem.xu, dtype=float)

    def objective(trial: Any) -> tuple[float, ...]:
        x = np.array([trial.suggest_float(f"x{i}", xl[i], xu[i]) for i in range(problem.n_var)])
        return tuple(float(v) for v in problem.evaluate(x))

    return objective


def hv_equality(args: argparse.Namespace) -> None:
    """Largest relative difference from Optuna's hypervolume on random fronts, 2-5 objectives."""
    from optuna._hypervolume import compute_hypervolume

    print("| objectives | fronts | points per front | max relative difference |")
    print("|---|---|---|---|")
    rng = np.random.RandomState(0)
    for m, n in ((2, 200), (3, 100), (4, 30), (5, 15)):
        worst = 0.0
        for _ in range(20):
            x = np.abs(rng.randn(n, m))
            x /= np.linalg.norm(x, axis=1, keepdims=True)
            ref = np.full(m, 1.5) + rng.rand(m)
            theirs = compute_hypervolume(x, ref)
            worst = max(worst, abs(hypervolume(x, ref) - theirs) / abs(theirs))
        print(f"| {m} | 20 | {n} | {worst:.1e} |", flush=True)


def cost(args: argparse.Namespace) -> None:
    print(
        "| sampler | problem | objectives | trials | seeds | Optuna ms/trial "
        "| parabola ms/trial | ratio |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for algo in args.algos:
        for name, (objective, n_obj) in COST_PROBLEMS.items():
            cpu: dict[str, list[float]] = {"optuna": [], "parabola": []}
            for seed in args.seeds:
                for lib in ("optuna", "parabola"):
                    cpu[lib].append(_run(lib, algo, seed, objective, n_obj, args.trials)[1])
            o, p = float(np.median(cpu["optuna"])), float(np.median(cpu["parabola"]))
            label = "NSGAIISampler" if algo == "nsga2" else "NSGAIIISampler"
            print(
                f"| {label} | {name} | {n_obj} | {args.trials} | {len(args.seeds)} "
                f"| {o * 1e3:.2f} | {p * 1e3:.2f} | {p / o:.3f} |",
                flush=True,
            )


def quality(args: argparse.Namespace) -> None:
    out = Path(args.out)
    for seed in args.seeds:  # seeds outermost: a stopped run still covers every problem
        for name in args.problems:
            problem, ideal, nadir = _pymoo(name)
            for algo in args.algos:
                if algo == "nsga3" and problem.n_obj < 3:
                    continue
                for lib, s in (("optuna", seed), ("parabola", seed), ("control", seed + 1000)):
                    study, cpu = _run(
                        "optuna" if lib == "control" else "parabola" if lib == "parabola" else lib,
                        algo,
                        s,
                        _objective(problem),
                        problem.n_obj,
                        args.trials,
                    )
                    loss = np.array([t.values for t in study.trials], dtype=float)
                    norm = (loss - ideal) / np.where(nadir > ideal, nadir - ideal, 1.0)
                    norm = norm[np.all(np.isfinite(norm), axis=1)]
                    front = norm[is_pareto_front(norm)]
                    row = {
                        "algo": algo,
                        "problem": name,
                        "lib": lib,
                        "seed": seed,
                        "trials": args.trials,
                        "cpu_per_trial": cpu,
                        "front": front.tolist(),
                    }
                    with out.open("a", encoding="utf-8") as f:
                        f.write(json.dumps(row) + "\n")
            print(f"seed {seed} {name} done", flush=True)


def report(paths: list[str]) -> None:
    rows = [json.loads(line) for p in paths for line in Path(p).read_text().splitlines()]
    for algo in ("nsga2", "nsga3"):
        mine = [r for r in rows if r["algo"] == algo]
        if not mine:
            continue
        label = "NSGAIISampler" if algo == "nsga2" else "NSGAIIISampler"
        print(f"\n{label}\n")
        print(
            "| problem | trials | seeds | HV Optuna | HV parabola | HV Optuna (seed+1000) "
            "| noise floor | parabola - Optuna | not worse |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        n_ok = n_all = 0
        for name in QUALITY_PROBLEMS:
            runs = [r for r in mine if r["problem"] == name]
            if not runs:
                continue
            # Only seeds every library finished, so the medians are over the same seeds.
            seeds = sorted(
                set.intersection(
                    *[
                        {r["seed"] for r in runs if r["lib"] == lib}
                        for lib in ("optuna", "parabola", "control")
                    ]
                )
            )
            runs = [r for r in runs if r["seed"] in seeds]
            if not seeds:
                continue
            fronts = [
                np.array(r["front"]).reshape(-1, 2 if name.startswith("ZDT") else 3) for r in runs
            ]
            top = (
                max(float(f.max()) for f in fronts if len(f))
                if any(len(f) for f in fronts)
                else 1.0
            )
            ref = np.full(fronts[0].shape[1], max(1.1, 1.1 * top))
            hv: dict[str, float] = {}
            for lib in ("optuna", "parabola", "control"):
                vals = [
                    hypervolume(f, ref) if len(f) else 0.0
                    for r, f in zip(runs, fronts, strict=True)
                    if r["lib"] == lib
                ]
                hv[lib] = float(np.median(vals))
            noise = abs(hv["optuna"] - hv["control"])
            ok = hv["parabola"] >= hv["optuna"] - noise - 1e-9
            n_ok += ok
            n_all += 1
            print(
                f"| {name} (ref {ref[0]:.3g}) | {runs[0]['trials']} | {len(seeds)} "
                f"| {hv['optuna']:.4f} | {hv['parabola']:.4f} | {hv['control']:.4f} "
                f"| {noise:.4f} | {hv['parabola'] - hv['optuna']:+.4f} | {'yes' if ok else 'no'} |"
            )
        print(f"\nnot worse on {n_ok} of {n_all} problems ({100 * n_ok / max(n_all, 1):.0f}%)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["cost", "quality", "hv"], default="cost")
    parser.add_argument(
        "--algos", nargs="+", choices=["nsga2", "nsga3"], default=["nsga2", "nsga3"]
    )
    parser.add_argument("--problems", nargs="+", choices=QUALITY_PROBLEMS, default=QUALITY_PROBLEMS)
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--out", default="nsga_quality.jsonl", help="JSON lines, appended")
    parser.add_argument("--report", nargs="+", metavar="JSONL", help="only print the tables")
    args = parser.parse_args()
    if args.report:
        report(args.report)
        return
    warnings.simplefilter("ignore")
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    parabola.logging.set_verbosity(parabola.logging.ERROR)
    if args.part == "hv":
        hv_equality(args)
    elif args.part == "cost":
        cost(args)
    else:
        quality(args)
        report([args.out])


if __name__ == "__main__":
    main()
