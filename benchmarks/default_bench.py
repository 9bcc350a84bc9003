"""The default sampler (``AutoSampler``) against Optuna 5.0's TPE, GP and CMA-ES on COCO BBOB.

``bbob`` runs, per problem and seed, ``--trials`` trials (default 200) of each sampler, one after
the other in this process, in-memory storages, defaults apart from the seed:

* ``default``: parabola's ``AutoSampler(seed=s)``, the sampler ``create_study()`` uses, exactly
  as shipped. On BBOB (an objective of microseconds) its duration rule hands over from the GP to
  TPE as soon as a GP step costs more than the objective;
* ``auto-nodur``: ``AutoSampler(seed=s, max_overhead=None)``, the same policy with the duration
  rule off: what the default does for an objective that takes longer than a GP step (any real
  training run);
* ``tpe``, ``gp``, ``cmaes``: Optuna 5.0's ``TPESampler``, ``GPSampler``, ``CmaEsSampler``
  (seed s); with ``--control`` also each of them with seed s + 1000, the noise floor.

OptunaHub's ``AutoSampler`` is not compared: ``optunahub.load_module("samplers/auto_sampler")``
clones the registry from GitHub and the bench extra does not ship the module, so it cannot run
offline.

The value of every trial and the CPU time (process time) of every run are written to ``--out``
(one JSON object per line, appended after each problem, so a run stopped early keeps what it
finished). Budgets 50/100/200 are read from the same 200-trial runs (no sampler here knows the
budget in advance). ``report`` prints the table: normalised regret as in ``tpe_quality.py``
(median over seeds), "not worse" = median within 1.26x of the best Optuna sampler for that
problem and budget (chosen after the fact), or both below 1e-6. ``cost`` measures the whole-run
CPU time of one 300-trial 5-D study. Usage::

    nice -n 10 .venv/bin/python benchmarks/default_bench.py bbob --dims 5 --control --out d5.jsonl
    .venv/bin/python benchmarks/default_bench.py report d5.jsonl
    nice -n 10 .venv/bin/python benchmarks/default_bench.py cost --trials 300
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import sys
import time
from collections.abc import Callable
from typing import Any

# One BLAS/OpenMP thread on both sides: CPU times then compare the algorithms, not the threads.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
import optuna  # noqa: E402

import parabola  # noqa: E402
import parabola.logging as plog  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tpe_quality import bbob_problems, regret  # noqa: E402

BUDGETS = (50, 100, 200)
OPTUNA = ("tpe", "gp", "cmaes")
PARABOLA = ("default", "auto-nodur")
TIE = 1.26  # "not worse": within this factor of the best, or both below FLOOR
FLOOR = 1e-6


def _optuna_sampler(name: str, seed: int) -> Any:
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if name == "gp":
        return optuna.samplers.GPSampler(seed=seed)
    return optuna.samplers.CmaEsSampler(seed=seed)


def _auto_kwargs(who: str) -> dict[str, Any]:
    """``AutoSampler`` arguments of a column: ``default``, ``auto-nodur`` or ``auto:k=v,...``.

    A variant (``auto:gp_trials=100``) runs with the duration rule off unless it names
    ``max_overhead``, so it compares policies, not clocks.
    """
    if who == "default":
        return {}
    kwargs: dict[str, Any] = {"max_overhead": None}
    for item in who.removeprefix("auto:").split(","):
        if "=" in item:
            key, value = item.split("=", 1)
            kwargs[key] = None if value == "None" else json.loads(value)
    return kwargs


class _Interleaved(parabola.samplers.AutoSampler):
    """A policy experiment: every ``every``-th GP trial goes to TPE instead.

    For the benchmark only (column ``mix:every=K`` or ``mix:every=K,until=N``: only below N
    finished trials): the GP models every trial, so TPE's proposals are exploration it did not
    choose.
    """

    def __init__(self, *, every: int, until: int = 10**9, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._every = every
        self._until = until

    def _decide(self, study: Any) -> tuple[str, str]:
        name, reason = super()._decide(study)
        n = len(study.get_trials(deepcopy=False, states=(parabola.trial.TrialState.COMPLETE,)))
        if name == "GPSampler" and 10 <= n < self._until and n % self._every == self._every - 1:
            return "TPESampler", "interleaved"
        return name, reason


def _parabola_sampler(who: str, seed: int) -> Any:
    if who.startswith("mix:"):
        kwargs = _auto_kwargs("auto:" + who.removeprefix("mix:"))
        return _Interleaved(seed=seed, **kwargs)
    return parabola.samplers.AutoSampler(seed=seed, **_auto_kwargs(who))


def run_one(
    who: str,
    objective: Callable[[Any], float],
    seed: int,
    n_trials: int,
    callbacks: list[Callable[[Any, Any], None]] | None = None,
) -> tuple[list[float], float, dict[str, str]]:
    """Values per trial, the run's CPU seconds and, for parabola, the policy's hand-overs.

    The hand-overs are ``{trial number: sampler}`` from the study's ``auto:handover:<n>``
    attributes (the first choice included), so a table can say where the duration rule acted.
    """
    start = time.process_time()
    handovers: dict[str, str] = {}
    if who in PARABOLA or who.startswith(("auto:", "mix:")):
        p_study = parabola.create_study(
            storage=parabola.storages.InMemoryStorage(), sampler=_parabola_sampler(who, seed)
        )
        p_study.optimize(objective, n_trials=n_trials, callbacks=callbacks)
        values = [float(t.value) for t in p_study.trials]  # type: ignore[arg-type]
        attrs = p_study._storage.get_study_system_attrs(p_study._study_id)
        handovers = {
            k.rsplit(":", 1)[1]: v["sampler"]
            for k, v in attrs.items()
            if k.startswith("auto:handover:")
        }
    else:
        name, _, control = who.partition("@")
        o_study = optuna.create_study(
            storage=optuna.storages.InMemoryStorage(),
            sampler=_optuna_sampler(name, seed + (1000 if control else 0)),
        )
        o_study.optimize(objective, n_trials=n_trials, callbacks=callbacks)
        values = [float(t.value) for t in o_study.trials]  # type: ignore[arg-type]
    return values, time.process_time() - start, handovers


def _done(path: str) -> set[tuple[str, int, str]]:
    """The (problem, seed, sampler) runs ``path`` holds already (``bbob`` skips them)."""
    if not os.path.exists(path):
        return set()
    with open(path) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return {(r["problem"], r["seed"], r["sampler"]) for r in rows}


def bbob(args: argparse.Namespace) -> None:
    """Every run of every sampler, written to ``--out`` as it ends; the controls last.

    The controls (the noise floor) run after every other column has run on every problem, so a
    run stopped early has the comparison complete before it has the floor; runs that ``--out``
    holds already are skipped, so the same command resumes a stopped run.
    """
    who = list(PARABOLA) + list(OPTUNA)
    if args.control:
        who += [f"{name}@control" for name in OPTUNA]
    if args.only is not None:
        who = [w for w in who if w in args.only]
    who += [v for v in args.variants if v not in who]
    done = _done(args.out)
    passes = [[w for w in who if "@" not in w], [w for w in who if "@" in w]]
    for pass_who in passes:
        if not pass_who:
            continue
        # Keep the generator alive: cocoex frees its problems when the suite is exhausted.
        for problem, d, f_opt, f_ref, objective in bbob_problems(args.dims, args.functions):
            t0 = time.time()
            name = f"bbob f{problem.id_function:02d} {d}D"
            for seed in args.seeds:
                for w in pass_who:
                    if (name, seed, w) in done:
                        continue
                    values, cpu, handovers = run_one(w, objective, seed, args.trials)
                    row = {
                        "problem": name,
                        "seed": seed,
                        "sampler": w,
                        "f_opt": f_opt,
                        "f_ref": f_ref,
                        "values": values,
                        "cpu_s": cpu,
                        "handovers": handovers,
                    }
                    with open(args.out, "a") as f:
                        f.write(json.dumps(row) + "\n")
            print(f"{problem.id} {pass_who} done in {time.time() - t0:.1f}s", flush=True)


def _not_worse(mine: float, best: float) -> bool:
    return mine <= TIE * best or (mine < FLOOR and best < FLOOR)


def report(paths: list[str], reference: tuple[str, ...] = OPTUNA) -> None:
    """The table, the share of cells not worse than the best reference, and mean log10 regrets.

    ``reference`` is the set the best is chosen from per cell (Optuna's three samplers; a
    policy experiment without Optuna's GP may use parabola's GP policy in its place). Every
    other column but the controls is compared with it; a problem lacking a reference column is
    left out. The mean log10 regret is over the problems every column has.
    """
    unique: dict[tuple[str, int, str], dict[str, Any]] = {}
    for path in paths:
        with open(path) as f:
            for line in f:
                if line.strip():
                    row = json.loads(line)
                    # One run per (problem, seed, sampler): two processes may write the same.
                    unique[row["problem"], row["seed"], row["sampler"]] = row
    rows = list(unique.values())
    # median regret per (problem, sampler, budget)
    runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        runs.setdefault((row["problem"], row["sampler"]), []).append(row)
    samplers = sorted({s for _, s in runs})
    problems = sorted(
        {p for p, _ in runs if all((p, s) in runs for s in reference)},
    )
    med: dict[tuple[str, str, int], float] = {}
    for (p, s), rs in runs.items():
        for b in BUDGETS:
            med[p, s, b] = float(
                np.median([regret(r["values"], b, r["f_opt"], r["f_ref"]) for r in rs])
            )
    seeds = sorted({r["seed"] for r in rows})
    first = [s for s in PARABOLA if s in samplers]
    mine = first + [s for s in samplers if s not in (*first, *reference) and "@" not in s]
    print(
        f"| problem @ budget (median normalised regret, seeds {seeds}) | {' | '.join(mine)} | "
        f"{' | '.join(reference)} | best | control of the best |"
    )
    print("|---" * (len(mine) + len(reference) + 3) + "|")
    cells: dict[str, list[bool]] = {s: [] for s in [*mine, "control"]}
    for p in problems:
        for b in BUDGETS:
            best_name = min(reference, key=lambda s: med[p, s, b])
            best = med[p, best_name, b]
            out = []
            for s in mine:
                if (p, s, b) not in med:
                    out.append("-")
                    continue
                ok = _not_worse(med[p, s, b], best)
                cells[s].append(ok)
                out.append(f"{med[p, s, b]:.3g}{'' if ok else ' (worse)'}")
            ctl = med.get((p, f"{best_name}@control", b))
            ctl_text = "-"
            if ctl is not None:
                ok = _not_worse(ctl, best)
                cells["control"].append(ok)
                ctl_text = f"{ctl:.3g}{'' if ok else ' (worse)'}"
            theirs = " | ".join(f"{med[p, s, b]:.3g}" for s in reference)
            print(f"| {p} @{b} | {' | '.join(out)} | {theirs} | {best_name} | {ctl_text} |")
    print()
    print(f"| sampler | cells not worse than the best of {', '.join(reference)} |")
    print("|---|---|")
    for s, oks in cells.items():
        if oks:
            print(f"| {s} | {sum(oks)}/{len(oks)} = {sum(oks) / len(oks):.0%} |")
    print()
    full = [p for p in problems if all((p, s) in runs for s in samplers)]
    print(f"Mean log10 regret over the {len(full)} problems every column has:")
    print("| budget | " + " | ".join(samplers) + " |")
    print("|---" * (len(samplers) + 1) + "|")
    for b in BUDGETS:
        vals = [np.mean([math.log10(med[p, s, b]) for p in full]) for s in samplers]
        print(f"| mean log10 regret @{b} | " + " | ".join(f"{v:.3f}" for v in vals) + " |")
    print()
    print("| sampler | CPU s per run (mean over runs) |")
    print("|---|---|")
    for s in samplers:
        cpu = [r["cpu_s"] for (_, s2), rs in runs.items() if s2 == s for r in rs]
        print(f"| {s} | {np.mean(cpu):.2f} |")


def cost(args: argparse.Namespace) -> None:
    """Whole-run CPU of one ``--trials``-trial study, each sampler in turn, same process.

    OptunaHub's AutoSampler (not importable offline) runs Optuna's ``GPSampler`` for the first
    250 trials of a numerical single-objective space, then CMA-ES; so Optuna's GP CPU up to
    trial 250 is a lower bound of its whole-run CPU here, and the ratio to it an upper bound.
    """
    # Keep the generator alive: cocoex frees its problems when the suite is exhausted.
    problems = bbob_problems([args.dim], [args.function])
    problem, _, _, _, objective = next(problems)
    results: dict[str, float] = {}
    at_250: dict[str, float] = {}
    samplers = ("default", "auto-nodur", "gp", "tpe", "cmaes")
    for w in samplers:  # warm-up: imports (SciPy, torch) are not the samplers' per-run cost
        run_one(w, objective, 1, 12)
    for w in samplers:
        start = time.process_time()

        def record(study: Any, trial: Any, w: str = w, start: float = start) -> None:
            if trial.number == 249:
                at_250[w] = time.process_time() - start

        _, cpu, _ = run_one(w, objective, 0, args.trials, callbacks=[record])
        results[w] = cpu
        print(f"{w}: {cpu:.2f} s", flush=True)
    gp250 = at_250.get("gp", float("nan"))
    print()
    print(
        f"| sampler ({args.trials} trials, {problem.id}, seed 0) | CPU s (whole run) | "
        f"CPU s (first 250 trials) | ratio to Optuna GP (whole run) | ratio to Optuna GP's "
        "first 250 trials (bound for OptunaHub's AutoSampler) |"
    )
    print("|---|---|---|---|---|")
    for w, cpu in results.items():
        print(
            f"| {w} | {cpu:.2f} | {at_250.get(w, float('nan')):.2f} | "
            f"{cpu / results['gp']:.3f} | {cpu / gp250:.3f} |",
            flush=True,
        )


def _sum_of_squares(d: int, n_obj: int) -> Callable[[Any], Any]:
    """An instant objective on ``d`` floats in [-5, 5]: one shifted sphere per objective."""

    def objective(trial: Any) -> Any:
        x = np.array([trial.suggest_float(f"x{i}", -5, 5) for i in range(d)])
        values = tuple(float(np.sum((x - k) ** 2)) for k in range(n_obj))
        return values[0] if n_obj == 1 else values

    return objective


def steps(args: argparse.Namespace) -> None:
    """What the duration rule reads: the GP step cost of ``AutoSampler`` per trial window.

    The GP is kept for the whole run (``gp_trials`` above ``--trials``, rule off) and each GP
    step's cost is read from the sampler's own record (the lesser of its CPU and wall time), so
    the figures are the ones the rule compares with its allowance.
    """
    from parabola.samplers import _auto

    for name in _auto.GP_LAZY_MODULES:  # the first step would pay SciPy's import
        __import__(name)
    edges = [10, *[e for e in args.windows if 10 < e < args.trials], args.trials]
    print("GP step cost in ms per trial window: median / mean over the window's steps")
    print(
        "| space | "
        + " | ".join(f"trials {a}-{b}" for a, b in itertools.pairwise(edges))
        + " | max |"
    )
    print("|---" * (len(edges) + 1) + "|")
    for d, n_obj in [(int(c.split("x")[0]), int(c.split("x")[1])) for c in args.cases]:
        sampler = parabola.samplers.AutoSampler(
            seed=0, gp_trials=args.trials + 1, max_overhead=None
        )
        study = parabola.create_study(
            storage=parabola.storages.InMemoryStorage(),
            sampler=sampler,
            directions=["minimize"] * n_obj,
        )
        cost_at: dict[int, float] = {}

        def record(
            study: Any, trial: Any, sampler: Any = sampler, cost_at: dict[int, float] = cost_at
        ) -> None:
            if sampler._gp_steps > len(cost_at) and sampler._gp_cost:
                cost_at[trial.number] = sampler._gp_cost[-1]

        study.optimize(_sum_of_squares(d, n_obj), n_trials=args.trials, callbacks=[record])
        cells = []
        for a, b in itertools.pairwise(edges):
            window = [c for n, c in cost_at.items() if a <= n < b]
            cells.append(
                f"{np.median(window) * 1e3:.1f} / {np.mean(window) * 1e3:.1f}" if window else "-"
            )
        label = f"{d}-D, {n_obj} objective{'s' if n_obj > 1 else ''}"
        print(
            f"| {label} | " + " | ".join(cells) + f" | {max(cost_at.values()) * 1e3:.1f} |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("bbob")
    b.add_argument("--dims", type=int, nargs="+", default=[5])
    b.add_argument("--functions", type=int, nargs="+", default=list(range(1, 25)))
    b.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    b.add_argument("--trials", type=int, default=200)
    b.add_argument("--control", action="store_true", help="Optuna's samplers with seed + 1000")
    b.add_argument("--only", nargs="*", help="run only these samplers")
    b.add_argument(
        "--variants",
        nargs="*",
        default=[],
        help="AutoSampler variants: auto:KEY=VALUE,... (max_overhead=None unless given)",
    )
    b.add_argument("--out", required=True)
    r = sub.add_parser("report")
    r.add_argument("files", nargs="+")
    r.add_argument(
        "--reference", nargs="+", default=list(OPTUNA), help="columns the best is chosen from"
    )
    c = sub.add_parser("cost")
    c.add_argument("--trials", type=int, default=300)
    c.add_argument("--dim", type=int, default=5)
    c.add_argument("--function", type=int, default=10)
    st = sub.add_parser("steps", help="median GP step cost (ms) per trial window")
    st.add_argument("--trials", type=int, default=300)
    st.add_argument("--windows", type=int, nargs="+", default=[50, 100, 150, 200, 250])
    st.add_argument(
        "--cases",
        nargs="+",
        default=["2x1", "5x1", "10x1", "20x1", "5x2", "5x3"],
        help="DIMxOBJECTIVES",
    )
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    plog.set_verbosity(plog.WARNING)
    if args.cmd == "report":
        report(args.files, tuple(args.reference))
    elif args.cmd == "bbob":
        bbob(args)
    elif args.cmd == "steps":
        steps(args)
    else:
        cost(args)


if __name__ == "__main__":
    main()
