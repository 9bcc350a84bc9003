"""CmaEsSampler: parabola vs Optuna 5.0, side by side in the same process.

``cost``: CPU seconds per trial of a whole ``optimize`` (``time.process_time``, in-memory
storage, a cheap sphere objective so the sampler dominates; after a 20-trial warm-up, median of
``--repeats`` interleaved runs) and the bytes of trial system
attributes each sampler stores per generation (JSON-encoded, which is what a store writes).
A ``RandomSampler`` run of each library is timed too, so the sampler's own share is visible.

``quality``: COCO BBOB multimodal functions (default f15-f24, instance 1), ``--trials`` trials
(default 1000), ``--samplers`` among parabola's ``CmaEsSampler`` with ``restart_strategy``
``"bipop"``, ``"ipop"`` or none (``plain``: the same first run as the restarting ones, so the
paired difference isolates the restarts), Optuna 5.0's default ``CmaEsSampler`` (Optuna
ignores ``restart_strategy`` since 4.4) with the same seed, and Optuna with seed + 1000 (the
noise floor). Each parabola run's restarts are logged (trial, generations of the stopped run,
new population, small regime). Files of separate invocations are joined by ``report`` on
problem and seed. Regret is normalised as in
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


SAMPLERS: dict[str, Any] = {
    "bipop": ("parabola", lambda seed: parabola.samplers.CmaEsSampler(
        seed=seed, restart_strategy="bipop")),
    "ipop": ("parabola", lambda seed: parabola.samplers.CmaEsSampler(
        seed=seed, restart_strategy="ipop")),
    "plain": ("parabola", lambda seed: parabola.samplers.CmaEsSampler(seed=seed)),
    "optuna": ("optuna", lambda seed: optuna.samplers.CmaEsSampler(seed=seed)),
    "control": ("optuna", lambda seed: optuna.samplers.CmaEsSampler(seed=seed + 1000)),
}  # fmt: skip
LABELS = {
    "bipop": "parabola BIPOP",
    "ipop": "parabola IPOP",
    "plain": "parabola no restart",
    "optuna": "Optuna",
    "control": "Optuna (seed+1000)",
}


def _restarts(trials: list[Any]) -> list[list[int]]:
    """``[trial, generations of the run it ended, new popsize, 1 if small regime]`` each."""
    out = []
    for t in trials:
        raw = t.system_attrs.get("cma:restart")
        if raw is not None:
            before = trials[t.number - 1].system_attrs.get("cma:tag", [0, -1])
            out.append([t.number, int(before[1]) + 1, int(raw[1]), int(raw[7])])
    return out


def quality(
    dims: list[int],
    functions: list[int],
    seeds: list[int],
    n_trials: int,
    names: list[str],
    out: str,
) -> list[Any]:
    """Run ``names`` (keys of ``SAMPLERS``) on every problem and seed; rows saved to ``out``.

    Samplers can be run in separate invocations (Optuna's runs do not change with parabola's
    code) and merged by ``report``, which joins rows on problem and seed.
    """
    rows = []
    for problem, d, f_opt, f_ref, objective in bbob_problems(dims, functions):
        for seed in seeds:
            values: dict[str, list[float]] = {}
            cpu: dict[str, float] = {}
            restarts: dict[str, list[list[int]]] = {}
            for name in names:
                lib, make = SAMPLERS[name]
                cpu[name], trials = _run(lib, make(seed), objective, n_trials)
                values[name] = [float(t.value) for t in trials]
                if lib == "parabola":
                    restarts[name] = _restarts(trials)
            rows.append(
                {"problem": f"bbob f{problem.id_function:02d} {d}D", "dim": d, "seed": seed,
                 "f_opt": f_opt, "f_ref": f_ref, "values": values, "cpu": cpu,
                 "restarts": restarts}
            )  # fmt: skip
        with open(out, "w") as fh:  # after each problem: a cut-short run keeps what it did
            json.dump(rows, fh)
        print(f"{problem.id} done", flush=True)
    return rows


def _regret(values: list[float], budget: int, f_opt: float, f_ref: float) -> float:
    scale = f_ref - f_opt if f_ref > f_opt else 1.0
    return max((min(values[:budget]) - f_opt) / scale, 1e-12)


def merge(groups: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Rows of several files joined on ``(problem, seed)``: their samplers side by side."""
    joined: dict[tuple[str, int], dict[str, Any]] = {}
    for rows in groups:
        for r in rows:
            key = (r["problem"], r["seed"])
            if key not in joined:
                joined[key] = {**r, "values": {}, "cpu": {}, "restarts": {}}
            for part in ("values", "cpu", "restarts"):
                joined[key][part].update(r.get(part, {}))
    return list(joined.values())


def report(rows: list[dict[str, Any]]) -> None:
    names = [k for k in SAMPLERS if all(k in r["values"] for r in rows)]
    ref = "optuna" if "optuna" in names else names[0]
    problems = sorted({r["problem"] for r in rows}, key=lambda p: (int(p.split()[-1][:-1]), p))
    dims = sorted({int(p.split()[-1][:-1]) for p in problems})
    n_trials = min(len(r["values"][k]) for r in rows for k in names)
    means: dict[tuple[int, str], dict[str, float]] = {}
    for budget in (b for b in BUDGETS if b <= n_trials):
        print(f"\n### {budget} trials: median normalised regret over seeds\n")
        print("| problem | seeds | " + " | ".join(LABELS[k] for k in names) + " |")
        print("|---|---|" + "---|" * len(names))
        logs: dict[tuple[int, str], list[float]] = {}
        for p in problems:
            sub = [r for r in rows if r["problem"] == p]
            cells = []
            for k in names:
                regs = [_regret(r["values"][k], budget, r["f_opt"], r["f_ref"]) for r in sub]
                for key in ((int(p.split()[-1][:-1]), k), (0, k)):
                    logs.setdefault(key, []).extend(math.log10(x) for x in regs)
                cells.append(f"{float(np.median(regs)):.3g}")
            print(f"| {p} | {len(sub)} | " + " | ".join(cells) + " |")
        for (d, k), v in logs.items():
            means.setdefault((d, k), {})[str(budget)] = float(np.mean(v))
    print("\n### Mean log10 regret over all problem x seed runs\n")
    print("| dims | trials | " + " | ".join(LABELS[k] for k in names) + " |")
    print("|---|---|" + "---|" * len(names))
    for d in [*dims, 0] if len(dims) > 1 else dims:
        for budget in (b for b in BUDGETS if b <= n_trials):
            cells = [f"{means[(d, k)][str(budget)]:.3f}" for k in names]
            print(f"| {d if d else 'all'} | {budget} | " + " | ".join(cells) + " |")
    print(
        "\nPaired differences of log10 regret at the last budget (problem x seed pairs; "
        "negative: the first is better), mean +- standard error:"
    )
    last = max(b for b in BUDGETS if b <= n_trials)
    pairs = [(k, ref) for k in names if k != ref] + (
        [("bipop", "plain")] if {"bipop", "plain"} <= set(names) else []
    )
    for a, b in pairs:
        for d in [*dims, 0] if len(dims) > 1 else dims:
            sub = [r for r in rows if not d or r["dim"] == d]
            diff = [
                math.log10(_regret(r["values"][a], last, r["f_opt"], r["f_ref"]))
                - math.log10(_regret(r["values"][b], last, r["f_opt"], r["f_ref"]))
                for r in sub
            ]
            se = float(np.std(diff, ddof=1) / math.sqrt(len(diff))) if len(diff) > 1 else 0.0
            print(
                f"- {LABELS[a]} - {LABELS[b]}, {d if d else 'all'}-D, {last} trials: "
                f"{np.mean(diff):+.3f} +- {se:.3f} ({len(diff)} pairs)"
            )
    for k in names:
        if not any(k in r.get("restarts", {}) for r in rows):
            continue
        counts = [len(r["restarts"][k]) for r in rows]
        if not sum(counts):
            continue
        firsts = [r["restarts"][k][0][0] for r in rows if r["restarts"][k]]
        small = sum(x[3] for r in rows for x in r["restarts"][k])
        print(
            f"\n{LABELS[k]} restarts per run: mean {np.mean(counts):.2f}, max {max(counts)}, "
            f"none in {counts.count(0)} of {len(rows)} runs; first restart at trial "
            f"{np.median(firsts) if firsts else float('nan'):.0f} (median); "
            f"{small} of {sum(counts)} restarts in the small regime"
        )
    cpu = {k: sum(r["cpu"][k] for r in rows) for k in names}
    print(
        "\nwhole-run CPU (s): "
        + ", ".join(f"{LABELS[k]} {cpu[k]:.1f}" for k in names)
        + (
            f"; parabola BIPOP / Optuna {cpu['bipop'] / cpu[ref]:.3f}"
            if {"bipop", "optuna"} <= set(cpu)
            else ""
        )
    )


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
    q.add_argument("--samplers", nargs="+", choices=list(SAMPLERS), default=list(SAMPLERS))
    q.add_argument("--out", required=True)
    r = sub.add_parser("report")
    r.add_argument("files", nargs="+")
    args = parser.parse_args()
    _quiet()
    if args.cmd == "cost":
        cost(args.dims, args.trials, args.seed, args.repeats)
    elif args.cmd == "quality":
        quality(args.dims, args.functions, args.seeds, args.trials, args.samplers, args.out)
    else:
        groups = []
        for path in args.files:
            with open(path) as fh:
                groups.append(json.load(fh))
        report(merge(groups))


if __name__ == "__main__":
    main()
