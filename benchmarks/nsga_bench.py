"""NSGAIISampler and NSGAIIISampler: parabola vs Optuna 5.0 (default settings), same process.

Four parts, each row side by side with Optuna in the same invocation:

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

``biobj``: COCO's ``bbob-biobj`` suite (``cocoex``), instance 1 of each of ``--functions``
(1-55) in each of ``--dims``, NSGA-II only (two objectives), the search box being the problem's
``lower_bounds``/``upper_bounds`` ([-100, 100] per coordinate in cocoex 2.8.2, where the
single-objective ``bbob`` problems give [-5, 5]). Per problem and seed ``s`` the same three
runs as ``quality``.
Hypervolume of each run's final non-dominated set in COCO's own normalisation: objective ``i``
becomes ``(f_i - ideal_i) / (nadir_i - ideal_i)``, where the nadir is the problem's
``largest_fvalues_of_interest`` and the ideal is the pair of the two single-objective optima
(COCO normalises its bi-objective indicator the same way). ``cocoex.Problem`` does not expose
the ideal, so it is computed: the two ``bbob`` problems named in the bi-objective problem's
``name`` write their optimal parameters through ``Problem._best_parameter("print")``, the
bi-objective problem is evaluated there, and the ideal is objective 1 at the first optimum
and objective 2 at the second. Objective 1 at the second optimum and objective 2 at the first
must give back ``largest_fvalues_of_interest`` (checked, else the run stops), which confirms
the optima. The ideal and nadir therefore do not depend on the runs. "Not worse" is the rule of
``quality``; the report also gives the ratio of parabola's median hypervolume to Optuna's.

The reference point (``--biobj-ref``), per problem and the same for all of its runs:

* ``box`` (the default): 1.1 per objective; raised as ``quality`` raises it only where no run
  of the problem has a point inside that box (every hypervolume would be 0).
* ``widest``: ``quality``'s rule as it stands, 1.1 raised to 1.1 times the largest normalised
  value in any run's front. On this suite nearly every problem raises it, because a front's
  end points (the best value of one objective) lie far beyond the nadir in the other, and the
  hypervolume is then mostly the box those end points span.
* ``coco``: COCO's own indicator: hypervolume of the points inside the region of interest
  [ideal, nadir] with the nadir as reference point, and for a run with no point there, minus
  the smallest Euclidean distance (normalised) of its points to that region.

Fixed before any run: the normalisation, the "not worse" rule and ``box``. The first version
of this part applied ``widest`` by mistake, and its results were seen first; ``coco`` was added
after them. All three are reported, none in place of another.
``--second-control`` adds Optuna with seed ``s + 2000``, judged against Optuna's seed ``s`` by
the same rule and floor: the rate at which Optuna passes against itself, an A/A check of the
rule, which a sampler that behaves like Optuna's should match.

Every run is appended to ``--out`` (JSON lines) as it ends, so a run that is stopped keeps what
it measured; ``--report`` prints the tables of such a file. Usage::

    nice -n 10 .venv/bin/python benchmarks/nsga_bench.py --part cost --trials 1000 --seeds 0 1 2
    nice -n 10 .venv/bin/python benchmarks/nsga_bench.py --part quality --algos nsga2 \\
        --trials 1000 --seeds 0 1 2 3 4 --out /tmp/nsga2.jsonl
    .venv/bin/python benchmarks/nsga_bench.py --report /tmp/nsga2.jsonl
    OMP_NUM_THREADS=1 nice -n 19 .venv/bin/python benchmarks/nsga_bench.py --part biobj \\
        --functions 1 2 5 --dims 2 5 --trials 1000 --seeds 0 1 2 3 4 --out /tmp/biobj.jsonl
    .venv/bin/python benchmarks/nsga_bench.py --report /tmp/biobj.jsonl --biobj-ref coco
    nice -n 10 .venv/bin/python benchmarks/nsga_bench.py --part hv
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
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
BIOBJ_FUNCTIONS = [1, 2, 5, 10, 14, 20, 25, 30, 35, 40, 45, 50, 55]


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
    from pymoo.problems import get_problem  # type: ignore[import-untyped]
    from pymoo.util.ref_dirs import get_reference_directions  # type: ignore[import-untyped]

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


def _coco_ideal_nadir(problem: Any) -> tuple[np.ndarray, np.ndarray]:
    """COCO's ideal and nadir points of a ``bbob-biobj`` problem (see the module docstring)."""
    import cocoex  # type: ignore[import-untyped]

    optima = []
    for f, i, d in re.findall(r"bbob_f(\d+)_i(\d+)_d(\d+)", problem.name):
        suite = cocoex.Suite(
            "bbob", "", f"function_indices:{int(f)} dimensions:{int(d)} instance_indices:{int(i)}"
        )
        single = next(iter(suite))
        with tempfile.TemporaryDirectory() as tmp:
            here = os.getcwd()
            os.chdir(tmp)  # it writes ._bbob_problem_best_parameter.txt where it runs
            try:
                single._best_parameter("print")
                optima.append(np.loadtxt("._bbob_problem_best_parameter.txt", ndmin=1))
            finally:
                os.chdir(here)
        suite.free()
    if len(optima) != 2:
        raise RuntimeError(f"{problem.id}: cannot read the two bbob problems from {problem.name!r}")
    at_a, at_b = (np.asarray(problem(x), dtype=float) for x in optima)
    ideal = np.array([at_a[0], at_b[1]])
    nadir = np.asarray(problem.largest_fvalues_of_interest, dtype=float)
    if not np.allclose([at_b[0], at_a[1]], nadir, rtol=1e-9, atol=1e-12):
        raise RuntimeError(f"{problem.id}: the optima found do not give COCO's nadir {nadir}")
    return ideal, nadir


def _coco_objective(problem: Any) -> Callable[[Any], tuple[float, ...]]:
    low = np.asarray(problem.lower_bounds, dtype=float)
    high = np.asarray(problem.upper_bounds, dtype=float)

    def objective(trial: Any) -> tuple[float, ...]:
        x = np.array([trial.suggest_float(f"x{i}", low[i], high[i]) for i in range(len(low))])
        return tuple(float(v) for v in problem(x))

    return objective


def biobj(args: argparse.Namespace) -> None:
    import cocoex

    out = Path(args.out)
    functions = ",".join(str(f) for f in args.functions)
    dims = ",".join(str(d) for d in args.dims)
    for seed in args.seeds:  # seeds outermost: a stopped run still covers every problem
        suite = cocoex.Suite(
            "bbob-biobj", "", f"function_indices:{functions} dimensions:{dims} instance_indices:1"
        )
        for problem in suite:
            ideal, nadir = _coco_ideal_nadir(problem)
            plan = [("optuna", seed), ("parabola", seed), ("control", seed + 1000)]
            if args.second_control:
                plan = [("control2", seed + 2000)]
            for lib, s in plan:
                study, cpu = _run(
                    "parabola" if lib == "parabola" else "optuna",
                    "nsga2",
                    s,
                    _coco_objective(problem),
                    2,
                    args.trials,
                )
                loss = np.array([t.values for t in study.trials], dtype=float)
                loss = loss[np.all(np.isfinite(loss), axis=1)]
                row = {
                    "part": "biobj",
                    "algo": "nsga2",
                    "problem": problem.id,
                    "function": problem.id_function,
                    "dim": problem.dimension,
                    "lib": lib,
                    "seed": seed,
                    "trials": args.trials,
                    "cpu_per_trial": cpu,
                    "ideal": ideal.tolist(),
                    "nadir": nadir.tolist(),
                    # Raw values: the normalisation is a per-objective increasing affine map,
                    # so the non-dominated set is the same before and after it.
                    "front": loss[is_pareto_front(loss)].tolist(),
                }
                with out.open("a", encoding="utf-8") as f:
                    f.write(json.dumps(row) + "\n")
            print(f"seed {seed} {problem.id} done", flush=True)
        suite.free()


def _common_seeds(runs: list[dict[str, Any]]) -> list[int]:
    """Seeds every library finished, so that the medians are over the same seeds."""
    return sorted(
        set.intersection(
            *[
                {r["seed"] for r in runs if r["lib"] == lib}
                for lib in ("optuna", "parabola", "control")
            ]
        )
    )


def _coco_indicator(front: np.ndarray) -> float:
    """COCO's bi-objective indicator of a normalised front (ideal 0, nadir 1).

    The hypervolume of its points inside the region of interest [0, 1]^2 with reference
    point (1, 1); where no point is inside, minus the smallest Euclidean distance of a point
    to that region.
    """
    if not len(front):
        return -float("inf")
    inside = front[np.all(front < 1.0, axis=1)]
    if len(inside):
        return hypervolume(inside, np.ones(2))
    return -float(np.min(np.linalg.norm(np.maximum(front - 1.0, 0.0), axis=1)))


def report_biobj(rows: list[dict[str, Any]], ref_rule: str = "box") -> None:
    print(f"\nNSGAIISampler on bbob-biobj (instance 1), reference point rule {ref_rule!r}\n")
    print(
        "| problem | dim | trials | seeds | runs in box O/p/c | HV Optuna | HV parabola "
        "| HV Optuna (seed+1000) | noise floor | parabola - Optuna | parabola / Optuna "
        "| not worse | A/A: Optuna (seed+2000) not worse |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    # Per dimension: not worse, problems, ties at 0, A/A not worse, A/A problems, parabola
    # above and below Optuna, Optuna (seed+2000) above and below Optuna.
    tally: dict[int, list[int]] = {}
    ratios: list[float] = []
    for dim, function in sorted({(r["dim"], r["function"]) for r in rows}):
        runs = [r for r in rows if r["dim"] == dim and r["function"] == function]
        seeds = _common_seeds(runs)
        if not seeds:
            continue
        runs = [r for r in runs if r["seed"] in seeds]
        has_aa = {r["seed"] for r in runs if r["lib"] == "control2"} == set(seeds)
        libs = ("optuna", "parabola", "control", "control2")[: 4 if has_aa else 3]
        runs = [r for r in runs if r["lib"] in libs]
        ideal, nadir = np.array(runs[0]["ideal"]), np.array(runs[0]["nadir"])
        span = np.where(nadir > ideal, nadir - ideal, 1.0)
        fronts = [(np.array(r["front"]).reshape(-1, 2) - ideal) / span for r in runs]
        # The reference point comes from the three compared groups only, so that adding the
        # A/A runs does not change the verdicts on parabola.
        main = [f for r, f in zip(runs, fronts, strict=True) if r["lib"] != "control2" and len(f)]
        top = max((float(f.max()) for f in main), default=1.0)
        reached = any(bool(np.all(f < 1.1, axis=1).any()) for f in main)
        if ref_rule == "coco":
            ref = np.ones(2)
        else:
            ref = np.full(2, 1.1 if ref_rule == "box" and reached else max(1.1, 1.1 * top))
        hv: dict[str, float] = {}
        in_box: dict[str, int] = {}
        for lib in libs:
            vals = [
                _coco_indicator(f) if ref_rule == "coco" else hypervolume(f, ref) if len(f) else 0.0
                for r, f in zip(runs, fronts, strict=True)
                if r["lib"] == lib
            ]
            hv[lib] = float(np.median(vals))
            in_box[lib] = sum(v > 0 for v in vals)
        noise = abs(hv["optuna"] - hv["control"])
        ok = hv["parabola"] >= hv["optuna"] - noise - 1e-9
        aa = has_aa and hv["control2"] >= hv["optuna"] - noise - 1e-9
        t = tally.setdefault(dim, [0] * 9)
        t[0] += ok
        t[1] += 1
        t[2] += all(hv[lib] == 0 for lib in ("optuna", "parabola", "control"))
        t[3] += aa
        t[4] += has_aa
        t[5] += hv["parabola"] > hv["optuna"]
        t[6] += hv["parabola"] < hv["optuna"]
        t[7] += has_aa and hv["control2"] > hv["optuna"]
        t[8] += has_aa and hv["control2"] < hv["optuna"]
        both = hv["optuna"] > 0 and hv["parabola"] >= 0
        ratio = hv["parabola"] / hv["optuna"] if both else float("nan")
        ratios.append(ratio)
        print(
            f"| f{function:02d} (ref {ref[0]:.3g}) | {dim} | {runs[0]['trials']} | {len(seeds)} "
            f"| {in_box['optuna']}/{in_box['parabola']}/{in_box['control']} "
            f"| {hv['optuna']:.4f} | {hv['parabola']:.4f} | {hv['control']:.4f} "
            f"| {noise:.4f} | {hv['parabola'] - hv['optuna']:+.4f} | {ratio:.4f} "
            f"| {'yes' if ok else 'no'} | {('yes' if aa else 'no') if has_aa else '-'} |"
        )
    print()
    for dim, t in [
        *sorted(tally.items()),
        (0, [sum(v[i] for v in tally.values()) for i in range(9)]),
    ]:
        n_ok, n_all, n_zero, aa_ok, aa_all, above, below, aa_above, aa_below = t
        print(
            f"{f'{dim}-D' if dim else 'all'}: not worse on {n_ok} of {n_all} problems "
            f"({100 * n_ok / max(n_all, 1):.0f}%); {n_zero} ties with all three medians 0 "
            f"(without them {n_ok - n_zero} of {n_all - n_zero}, "
            f"{100 * (n_ok - n_zero) / max(n_all - n_zero, 1):.0f}%); "
            f"parabola's median above Optuna's on {above}, below on {below}"
            + (
                f"; A/A not worse on {aa_ok} of {aa_all} ({100 * aa_ok / aa_all:.0f}%), "
                f"Optuna (seed+2000) above Optuna on {aa_above}, below on {aa_below}"
                if aa_all
                else ""
            )
        )
    finite = [r for r in ratios if np.isfinite(r)]
    if len(finite) < len(ratios):
        print(f"{len(ratios) - len(finite)} problems with a median <= 0 (no ratio)")
    if finite:
        print(
            f"parabola / Optuna median HV: median {np.median(finite):.4f}, "
            f"min {min(finite):.4f}, max {max(finite):.4f} over {len(finite)} problems"
        )


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


def report(paths: list[str], ref_rule: str = "box") -> None:
    rows = [json.loads(line) for p in paths for line in Path(p).read_text().splitlines()]
    coco = [r for r in rows if r.get("part") == "biobj"]
    rows = [r for r in rows if r.get("part") != "biobj"]
    if coco:
        report_biobj(coco, ref_rule)
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
            seeds = _common_seeds(runs)
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
    parser.add_argument("--part", choices=["cost", "quality", "hv", "biobj"], default="cost")
    parser.add_argument(
        "--algos", nargs="+", choices=["nsga2", "nsga3"], default=["nsga2", "nsga3"]
    )
    parser.add_argument("--problems", nargs="+", choices=QUALITY_PROBLEMS, default=QUALITY_PROBLEMS)
    parser.add_argument(
        "--functions", type=int, nargs="+", default=BIOBJ_FUNCTIONS, help="bbob-biobj, 1-55"
    )
    parser.add_argument("--dims", type=int, nargs="+", default=[2, 5], help="bbob-biobj")
    parser.add_argument(
        "--second-control",
        action="store_true",
        help="bbob-biobj: run only Optuna with seed + 2000, judged against Optuna's seed s "
        "by the same rule (an A/A check of the rule); merge its file with --report",
    )
    parser.add_argument(
        "--biobj-ref",
        choices=["box", "widest", "coco"],
        default="box",
        help="bbob-biobj reference point: 1.1 unless no run reaches that box (box), "
        "or raised to every run's whole front as --part quality does (widest); or COCO's "
        "indicator (coco): hypervolume inside the nadir box, else minus the distance to it",
    )
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--out", default="nsga_quality.jsonl", help="JSON lines, appended")
    parser.add_argument("--report", nargs="+", metavar="JSONL", help="only print the tables")
    args = parser.parse_args()
    if args.report:
        report(args.report, args.biobj_ref)
        return
    warnings.simplefilter("ignore")
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    parabola.logging.set_verbosity(parabola.logging.ERROR)
    if args.part == "hv":
        hv_equality(args)
    elif args.part == "cost":
        cost(args)
    elif args.part == "biobj":
        biobj(args)
        report([args.out], args.biobj_ref)
    else:
        quality(args)
        report([args.out])


if __name__ == "__main__":
    main()
