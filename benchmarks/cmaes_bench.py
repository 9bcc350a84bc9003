"""CmaEsSampler: parabola vs Optuna 5.0, side by side in the same process.

``cost``: CPU seconds per trial of a whole ``optimize`` (``time.process_time``, in-memory
storage, a cheap sphere objective so the sampler dominates; after a 20-trial warm-up, median of
``--repeats`` interleaved runs) and the bytes of trial system
attributes each sampler stores per generation (JSON-encoded, which is what a store writes).
A ``RandomSampler`` run of each library is timed too, so the sampler's own share is visible.

``quality``: COCO BBOB multimodal functions (default f15-f24, instance 1), ``--trials`` trials
(default 1000), parabola's ``CmaEsSampler(restart_strategy="bipop")`` against Optuna 5.0's
default ``CmaEsSampler`` (Optuna ignores ``restart_strategy`` since 4.4) with the same seed,
and Optuna against itself with seed + 1000 (the noise floor). Regret is normalised as in
``tpe_quality.py`` (f_ref = median f over 1000 uniform points). Usage::

    nice -n 10 .venv/bin/python benchmarks/cmaes_bench.py cost --dims 10 50 --trials 300
    nice -n 10 .venv/bin/python benchmarks/cmaes_bench.py quality --dims 5 --seeds 0 1 2 3 4 \\
        --out cma_q.json
    .venv/bin/python benchmarks/cmaes_bench.py report cma_q.json
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
import warnings
from typing import Any

import numpy as np
import optuna

import parabola

sys.path.insert(0, os.path.dirname(__file__))
from tpe_quality import bbob_problems  # the BBOB harness of the TPE benchmark

BUDGETS = (100, 300, 1000)


def _quiet() -> None:
    warnings.simplefilter("ignore")
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    parabola.logging.set_verbosity(parabola.logging.ERROR)


def _sphere(d: int) -> Any:
    def objective(trial: Any) -> float:
        return float(sum((trial.suggest_float(f"x{i}", -5.0, 5.0) - 1.0) ** 2 for i in range(d)))

    return objective


def _run(lib: str, sampler: Any, objective: Any, n_trials: int) -> tuple[float, list[Any]]:
    if lib == "optuna":
        study: Any = optuna.create_study(storage=optuna.storages.InMemoryStorage(), sampler=sampler)
    else:
        study = parabola.create_study(storage=parabola.storages.InMemoryStorage(), sampler=sampler)
    t0 = time.process_time()
    study.optimize(objective, n_trials=n_trials)
    return time.process_time() - t0, study.trials


def _attr_bytes(trials: list[Any]) -> int:
    return sum(len(json.dumps(t.system_attrs)) for t in trials)


def _library_alone(d: int, n_trials: int, seed: int) -> float:
    """CPU seconds of the ``cmaes`` library alone for ``n_trials`` asks (and their tells).

    The same optimiser parabola builds (unit box, sigma 1/6, resampling bound ``10 d``) and its
    per-ask reseed, on the sphere in unit coordinates: the floor under any sampler on this
    library, with no study, no trials and no parameter conversion.
    """
    import cmaes

    opt = cmaes.CMA(
        mean=np.full(d, 0.5), sigma=1.0 / 6.0, bounds=np.tile([0.0, 1.0], (d, 1)), seed=seed,
        n_max_resampling=10 * d,
    )  # fmt: skip
    t0 = time.process_time()
    solutions: list[tuple[Any, float]] = []
    for number in range(n_trials):
        opt._rng.seed(number)
        x = opt.ask()
        solutions.append((x, float(np.sum((10.0 * x - 6.0) ** 2))))
        if len(solutions) == opt.population_size:
            opt.tell(solutions)
            solutions = []
    return time.process_time() - t0


def cost(dims: list[int], n_trials: int, seed: int, repeats: int) -> None:
    print(
        "| dim | trials | Optuna CMA ms/trial | parabola CMA ms/trial | ratio | "
        "cmaes alone ms/trial | cmaes alone / Optuna | "
        "Optuna Random | parabola Random | Optuna B/gen | parabola B/gen | ratio |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    samplers = {
        "o_cma": ("optuna", lambda: optuna.samplers.CmaEsSampler(seed=seed)),
        "p_cma": ("parabola", lambda: parabola.samplers.CmaEsSampler(seed=seed)),
        "o_rand": ("optuna", lambda: optuna.samplers.RandomSampler(seed=seed)),
        "p_rand": ("parabola", lambda: parabola.samplers.RandomSampler(seed=seed)),
    }
    for d in dims:
        objective = _sphere(d)
        for lib, make in samplers.values():  # warm-up: imports and first-call caches
            _run(lib, make(), objective, 20)
        cpu: dict[str, list[float]] = {k: [] for k in [*samplers, "lib"]}
        trials: dict[str, list[Any]] = {}
        for _ in range(repeats):  # interleaved, so load changes hit every sampler alike
            for k, (lib, make) in samplers.items():
                t, trials[k] = _run(lib, make(), objective, n_trials)
                cpu[k].append(t / n_trials * 1e3)
            cpu["lib"].append(_library_alone(d, n_trials, seed) / n_trials * 1e3)
        ms = {k: float(np.median(v)) for k, v in cpu.items()}
        o_gen = max(t.system_attrs.get("cma:generation", 0) for t in trials["o_cma"]) + 1
        p_gen = max(t.system_attrs.get("cma:tag", [0, 0])[1] for t in trials["p_cma"]) + 1
        o_b = _attr_bytes(trials["o_cma"]) / o_gen
        p_b = _attr_bytes(trials["p_cma"]) / p_gen
        print(
            f"| {d} | {n_trials} | {ms['o_cma']:.2f} | {ms['p_cma']:.2f} | "
            f"{ms['p_cma'] / ms['o_cma']:.3f} | {ms['lib']:.2f} | {ms['lib'] / ms['o_cma']:.3f} "
            f"| {ms['o_rand']:.2f} | {ms['p_rand']:.2f} "
            f"| {o_b:.0f} | {p_b:.0f} | {p_b / o_b:.4f} |",
            flush=True,
        )


def quality(
    dims: list[int], functions: list[int], seeds: list[int], n_trials: int, out: str
) -> list[Any]:
    rows = []
    for problem, d, f_opt, f_ref, objective in bbob_problems(dims, functions):
        for seed in seeds:
            bipop = parabola.samplers.CmaEsSampler(seed=seed, restart_strategy="bipop")
            runs = {
                "parabola": ("parabola", bipop),
                "optuna": ("optuna", optuna.samplers.CmaEsSampler(seed=seed)),
                "control": ("optuna", optuna.samplers.CmaEsSampler(seed=seed + 1000)),
            }  # fmt: skip
            values: dict[str, list[float]] = {}
            cpu: dict[str, float] = {}
            for name, (lib, sampler) in runs.items():
                cpu[name], trials = _run(lib, sampler, objective, n_trials)
                values[name] = [float(t.value) for t in trials]
            rows.append(
                {"problem": f"bbob f{problem.id_function:02d} {d}D", "seed": seed,
                 "f_opt": f_opt, "f_ref": f_ref, "values": values, "cpu": cpu}
            )  # fmt: skip
        with open(out, "w") as fh:  # after each problem: a cut-short run keeps what it did
            json.dump(rows, fh)
        print(f"{problem.id} done", flush=True)
    return rows


def _regret(values: list[float], budget: int, f_opt: float, f_ref: float) -> float:
    scale = f_ref - f_opt if f_ref > f_opt else 1.0
    return max((min(values[:budget]) - f_opt) / scale, 1e-12)


def report(rows: list[dict[str, Any]]) -> None:
    problems = sorted({r["problem"] for r in rows})
    for budget in BUDGETS:
        if budget > min(len(r["values"]["optuna"]) for r in rows):
            continue
        print(f"\n### {budget} trials: median normalised regret over seeds\n")
        print("| problem | seeds | parabola BIPOP | Optuna | ratio | Optuna (seed+1000) | ratio |")
        print("|---|---|---|---|---|---|---|")
        means = {k: [] for k in ("parabola", "optuna", "control")}  # type: dict[str, list[float]]
        for p in problems:
            sub = [r for r in rows if r["problem"] == p]
            med = {}
            for k in means:
                regs = [_regret(r["values"][k], budget, r["f_opt"], r["f_ref"]) for r in sub]
                means[k].extend(math.log10(x) for x in regs)
                med[k] = float(np.median(regs))
            print(
                f"| {p} | {len(sub)} | {med['parabola']:.3g} | {med['optuna']:.3g} | "
                f"{med['parabola'] / med['optuna']:.2f} | {med['control']:.3g} | "
                f"{med['control'] / med['optuna']:.2f} |"
            )
        print(
            f"\nmean log10 regret: parabola BIPOP {np.mean(means['parabola']):.3f}, "
            f"Optuna {np.mean(means['optuna']):.3f}, "
            f"Optuna seed+1000 {np.mean(means['control']):.3f}"
        )
    cpu = {k: sum(r["cpu"][k] for r in rows) for k in ("parabola", "optuna", "control")}
    print(f"\nwhole-run CPU: parabola {cpu['parabola']:.1f}s, Optuna {cpu['optuna']:.1f}s, "
          f"ratio {cpu['parabola'] / cpu['optuna']:.3f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("cost")
    c.add_argument("--dims", type=int, nargs="+", default=[10, 50])
    c.add_argument("--trials", type=int, default=300)
    c.add_argument("--seed", type=int, default=0)
    c.add_argument("--repeats", type=int, default=3, help="median of this many runs")
    q = sub.add_parser("quality")
    q.add_argument("--dims", type=int, nargs="+", default=[5])
    q.add_argument("--functions", type=int, nargs="+", default=list(range(15, 25)))
    q.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    q.add_argument("--trials", type=int, default=1000)
    q.add_argument("--out", required=True)
    r = sub.add_parser("report")
    r.add_argument("files", nargs="+")
    args = parser.parse_args()
    _quiet()
    if args.cmd == "cost":
        cost(args.dims, args.trials, args.seed, args.repeats)
    elif args.cmd == "quality":
        quality(args.dims, args.functions, args.seeds, args.trials, args.out)
    else:
        rows = []
        for path in args.files:
            with open(path) as fh:
                rows.extend(json.load(fh))
        report(rows)


if __name__ == "__main__":
    main()
