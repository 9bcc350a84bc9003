"""GPSampler: parabola's (numpy/SciPy) vs Optuna 5.0's (torch, CPU), side by side in one run.

``cost``: process CPU time per trial (instant objective, in-memory storage, default
``GPSampler(seed=...)`` on both sides, one after the other in this process) over trial windows:
trials 10-100 and 100-``--trials`` on 5-D and 20-D continuous spaces and a mixed space; two
objectives (5-D) over 10-100 and 100-``--mo-trials``; and parabola alone on a ``--long``-trial
study (5-D; Optuna would need hours). BLAS/OpenMP threads are pinned to one for both sides so
CPU time is comparable on a shared machine.

``bbob``: quality on COCO BBOB with the harness of ``tpe_quality.py`` (same f_opt, f_ref and
normalised regret). Per problem and seed, parabola's GP, Optuna's GP (same seed) and the noise
floor -- Optuna's GP with seed + 1000 -- each run ``--trials`` trials; the report gives, per
budget, the median regret over seeds, the share of problems "not worse" (median within 1.26x of
Optuna's, or both below 1e-6) and the mean log10 regret, for parabola and for the noise floor.
``--samplers`` picks the columns, so a quick ablation can run parabola variants alone.

Usage::

    nice -n 10 .venv/bin/python benchmarks/gp_bench.py cost --out gp_cost.json
    nice -n 10 .venv/bin/python benchmarks/gp_bench.py bbob --dims 5 --seeds 0 1 2 3 4 \\
        --functions 1 2 3 --trials 100 --out gp_q.json
    .venv/bin/python benchmarks/gp_bench.py report gp_q.json

The columns can be run apart (``--samplers optuna control`` once, ``--samplers parabola``
after each change) and joined by ``report`` on (problem, seed).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import optuna  # noqa: E402

import parabola  # noqa: E402
import parabola.logging as plog  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from tpe_quality import bbob_problems, regret  # noqa: E402

BUDGETS = (50, 100, 200, 500)
TIE = 1.26  # "not worse": median regret within this factor, or both below 1e-6
FLOOR = 1e-6


# Samplers --------------------------------------------------------------------------------
def _parabola_gp(seed: int, variant: str = "") -> Any:
    from parabola.samplers._gp import _prior

    knobs = list(filter(None, variant.split("+")))
    # seed<k>: the sampler's seed plus k, for a noise floor of a variant against itself.
    offsets = [int(k[len("seed") :]) for k in knobs if k.startswith("seed")]
    sampler = parabola.samplers.GPSampler(seed=seed + sum(offsets))
    for knob in knobs:
        if knob.startswith("seed"):
            continue
        if knob == "nowarp":
            sampler._output_warping = False
        elif knob == "warp":
            sampler._output_warping = True
        elif knob == "alwayswarp":
            sampler._output_warping = True
            sampler._select_warp = False
        elif knob == "optunaprior":
            sampler._prior = _prior.optuna_prior
        elif knob == "dimprior":
            sampler._prior = _prior.dim_scaled_prior
        elif knob == "noprecond":
            sampler._precondition = False
        elif knob.startswith("near"):  # near<count>x<scale>, e.g. near3x0.1
            count, _, scale = knob[len("near") :].partition("x")
            sampler._n_near = int(count)
            sampler._near_scale = float(scale or 0.1)
        elif knob.startswith("noise"):
            sampler._minimum_noise = float(knob[len("noise") :])
        elif knob == "det":
            sampler._deterministic = True
        elif knob == "scipylbfgs":
            sampler._batched_lbfgs = False
        elif knob == "scipyfit":  # hyperparameters by SciPy's L-BFGS-B (the former fit)
            sampler._scipy_fit = True
        elif knob == "refitall":
            sampler._refit_growth = sampler._late_refit_growth = 0.0
        elif knob.startswith("growth"):  # growth<g>[from<n>]: refit once the data grew by g
            growth, _, rows = knob[len("growth") :].partition("from")
            if rows:  # only from n fitted rows on (0.1 before)
                sampler._late_refit_growth, sampler._late_refit_rows = float(growth), int(rows)
            else:
                sampler._refit_growth = sampler._late_refit_growth = float(growth)
        elif knob == "unscaledrefits":
            sampler._scaled_refits = False
        elif knob.startswith("gtol"):  # gtol<value>: the local search's tolerance
            sampler._local_gtol = float(knob[len("gtol") :])
        elif knob.startswith("iter"):  # iter<n>: the local search's iteration cap (60)
            sampler._local_max_iter = int(knob[len("iter") :])
        elif knob.startswith("sweeprows"):  # sweeprows<n>: full sweep up to n trials (was 256)
            sampler._sweep_full_rows = int(knob[len("sweeprows") :])
        elif knob.startswith("sweep"):  # sweep<points>: the Sobol sweep's size (Optuna: 2048)
            sampler._n_sweep = int(knob[len("sweep") :])
        elif knob.startswith("local"):  # local<starts>: local-search starts (Optuna: 10)
            sampler._n_local = int(knob[len("local") :])
        else:
            raise SystemExit(f"unknown variant knob {knob!r}")
    return sampler


def _study(who: str, seed: int, directions: list[str]) -> Any:
    if who.startswith("parabola"):
        variant = who.partition(":")[2]
        return parabola.create_study(
            storage=parabola.storages.InMemoryStorage(),
            sampler=_parabola_gp(seed, variant),
            directions=directions,
        )
    offset = 1000 if who == "control" else 0
    return optuna.create_study(
        storage=optuna.storages.InMemoryStorage(),
        sampler=optuna.samplers.GPSampler(seed=seed + offset),
        directions=directions,
    )


# Cost ------------------------------------------------------------------------------------
def _space_5d(trial: Any) -> float:
    return float(sum((trial.suggest_float(f"x{i}", -5.0, 5.0) - 1.0) ** 2 for i in range(5)))


def _space_20d(trial: Any) -> float:
    return float(sum((trial.suggest_float(f"x{i}", -5.0, 5.0) - 1.0) ** 2 for i in range(20)))


def _space_mixed(trial: Any) -> float:
    s = float(sum((trial.suggest_float(f"x{i}", -5.0, 5.0) - 1.0) ** 2 for i in range(4)))
    s += (trial.suggest_int("n", 0, 20) - 7) ** 2
    s += abs(trial.suggest_float("lr", 1e-5, 1e-1, log=True) - 1e-3) * 100
    s += {"a": 0.0, "b": 1.0, "c": 2.0}[trial.suggest_categorical("c1", ["a", "b", "c"])]
    s += 0.0 if trial.suggest_categorical("c2", [True, False]) else 1.0
    return float(s)


def _two_objectives(trial: Any) -> tuple[float, float]:
    x = [trial.suggest_float(f"x{i}", 0.0, 1.0) for i in range(5)]
    return float(sum(v * v for v in x)), float(sum((v - 1.0) ** 2 for v in x))


def _cpu_windows(
    who: str,
    objective: Callable[[Any], Any],
    directions: list[str],
    windows: list[tuple[int, int]],
    seed: int = 0,
) -> list[float]:
    """CPU ms per trial over each ``[start, stop)`` window of one study."""
    marks: dict[int, float] = {}
    points = sorted({p for w in windows for p in w})

    def callback(_study: Any, trial: Any) -> None:
        if trial.number + 1 in points:
            marks[trial.number + 1] = time.process_time()

    study = _study(who, seed, directions)
    marks[0] = time.process_time()
    study.optimize(objective, n_trials=max(points), callbacks=[callback])
    return [(marks[b] - marks[a]) / (b - a) * 1000.0 for a, b in windows]


def cost(
    n_trials: int,
    mo_trials: int,
    long_trials: int,
    only: list[str] | None,
    out: str | None = None,
    samplers: tuple[str, ...] = ("parabola", "optuna"),
) -> list[Any]:
    cases: list[tuple[str, Callable[[Any], Any], list[str], int]] = [
        ("5-D continuous", _space_5d, ["minimize"], n_trials),
        ("20-D continuous", _space_20d, ["minimize"], n_trials),
        ("mixed (4 float, int, log, 2 cat)", _space_mixed, ["minimize"], n_trials),
        ("two objectives (5-D)", _two_objectives, ["minimize", "minimize"], mo_trials),
    ]
    rows = []
    for name, objective, directions, n in cases:
        if only and not any(o in name for o in only):
            continue
        windows = [(10, min(n, 100))] + ([(100, n)] if n > 100 else [])
        for who in samplers:
            t0 = time.time()
            ms = _cpu_windows(who, objective, directions, windows)
            rows.append({"case": name, "who": who, "windows": windows, "ms": ms})
            print(f"{name:36s} {who:9s} {ms} ({time.time() - t0:.0f}s)", flush=True)
            _save(out, rows)
    if long_trials and (not only or "long" in only):
        windows = [(10, 100), (100, 300), (300, long_trials), (long_trials - 100, long_trials)]
        # parabola's columns only (variants included): Optuna would need hours.
        for who in [s for s in samplers if s.startswith("parabola")]:
            ms = _cpu_windows(who, _space_5d, ["minimize"], windows)
            rows.append(
                {
                    "case": f"{long_trials}-trial study (5-D)",
                    "who": who,
                    "windows": windows,
                    "ms": ms,
                }
            )
            print(f"long study {who} {ms}", flush=True)
            _save(out, rows)
    return rows


def _save(out: str | None, rows: list[Any]) -> None:
    # Written after each case, so an interrupted run keeps what it finished.
    if out:
        with open(out, "w") as f:
            json.dump(rows, f)


def report_cost(rows: list[dict[str, Any]]) -> None:
    print("| case | trials | parabola ms/trial | optuna ms/trial | ratio |")
    print("|---|---|---|---|---|")
    by = {(r["case"], r["who"]): r for r in rows}
    for (case, who), r in by.items():
        if not who.startswith("parabola"):
            continue
        o = by.get((case, "optuna"))
        for i, (a, b) in enumerate(r["windows"]):
            p_ms = r["ms"][i]
            if o is None:
                print(f"| {case} ({who}) | {a}-{b} | {p_ms:.1f} | (not run) | |")
            else:
                print(
                    f"| {case} ({who}) | {a}-{b} | {p_ms:.1f} | {o['ms'][i]:.1f} | "
                    f"1/{o['ms'][i] / p_ms:.1f} |"
                )


# BBOB ------------------------------------------------------------------------------------
def bbob(
    dims: list[int],
    functions: list[int],
    seeds: list[int],
    n_trials: int,
    samplers: list[str],
    out: str | None = None,
) -> list[dict[str, Any]]:
    rows = []
    for problem, d, f_opt, f_ref, objective in bbob_problems(dims, functions):
        t0 = time.time()
        for seed in seeds:
            values: dict[str, list[float]] = {}
            cpu: dict[str, float] = {}
            for who in samplers:
                c0 = time.process_time()
                study = _study(who, seed, ["minimize"])
                study.optimize(objective, n_trials=n_trials)
                values[who] = [float(t.value) for t in study.trials]
                cpu[who] = time.process_time() - c0
            rows.append(
                {
                    "problem": f"bbob f{problem.id_function:02d} {d}D",
                    "seed": seed,
                    "f_opt": f_opt,
                    "f_ref": f_ref,
                    "values": values,
                    "cpu_s": cpu,
                }
            )
        print(f"{problem.id} done in {time.time() - t0:.1f}s", flush=True)
        if out:
            # Written after each problem, so an interrupted run keeps what it finished.
            with open(out, "w") as f:
                json.dump(rows, f)
    return rows


def merge_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Join rows of the same (problem, seed) from runs of different ``--samplers``.

    Each sampler's run depends only on its seed, so Optuna's columns can be run once (they
    cost most) and parabola's columns run later against them. Only (problem, seed) pairs that
    every sampler ran are kept, so each comparison is on equal ground.
    """
    merged: dict[tuple[str, int], dict[str, Any]] = {}
    for row in rows:
        key = (row["problem"], row["seed"])
        if key not in merged:
            merged[key] = {**row, "values": {}, "cpu_s": {}}
        merged[key]["values"].update(row["values"])
        merged[key]["cpu_s"].update(row.get("cpu_s", {}))
    whos = set().union(*(r["values"] for r in merged.values()))
    return [r for r in merged.values() if set(r["values"]) == whos]


def report_quality(rows: list[dict[str, Any]], baseline: str) -> None:
    rows = merge_rows(rows)
    problems: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        problems.setdefault(row["problem"], []).append(row)
    whos = [w for w in rows[0]["values"] if w != baseline]
    n_trials = min(len(v) for r in rows for v in r["values"].values())
    budgets = [b for b in BUDGETS if b <= n_trials]
    n_seeds = min(len(r) for r in problems.values())
    head = " | ".join(f"{w} @{b}" for b in budgets for w in [*whos, baseline])
    print(f"| problem (median normalised regret over {n_seeds} seeds) | {head} |")
    print("|---" * (1 + len(budgets) * (len(whos) + 1)) + "|")
    med: dict[tuple[str, int, str], float] = {}
    for name, runs in problems.items():
        cells = []
        for b in budgets:
            for w in [*whos, baseline]:
                med[name, b, w] = float(
                    np.median([regret(r["values"][w], b, r["f_opt"], r["f_ref"]) for r in runs])
                )
                cells.append(f"{med[name, b, w]:.3g}")
        print(f"| {name} | {' | '.join(cells)} |")
    print()
    print(
        f"| budget | sampler | problems not worse than {baseline} | mean log10 regret | "
        f"mean log10 regret {baseline} |"
    )
    print("|---|---|---|---|---|")
    for b in budgets:
        o = np.array([med[p, b, baseline] for p in problems])
        for w in whos:
            p = np.array([med[q, b, w] for q in problems])
            ok = (p <= TIE * o) | ((p < FLOOR) & (o < FLOOR))
            print(
                f"| {b} | {w} | {ok.mean():.0%} ({ok.sum()}/{len(ok)}) | "
                f"{np.log10(p).mean():.3f} | {np.log10(o).mean():.3f} |"
            )
    cpu = {w: sum(r["cpu_s"][w] for r in rows) for w in rows[0].get("cpu_s", {})}
    if cpu:
        print()
        print("whole-run CPU seconds: " + ", ".join(f"{w} {s:.0f}" for w, s in cpu.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("cost")
    c.add_argument("--trials", type=int, default=300)
    c.add_argument("--mo-trials", type=int, default=150)
    c.add_argument("--long", type=int, default=1000)
    c.add_argument("--only", nargs="*")
    c.add_argument(
        "--samplers", nargs="+", default=["parabola", "optuna"], help="e.g. parabola:noprecond"
    )
    c.add_argument("--out", required=True)
    b = sub.add_parser("bbob")
    b.add_argument("--dims", type=int, nargs="+", default=[5])
    b.add_argument("--functions", type=int, nargs="+", default=list(range(1, 25)))
    b.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    b.add_argument("--trials", type=int, default=100)
    b.add_argument("--samplers", nargs="+", default=["parabola", "optuna", "control"])
    b.add_argument("--out", required=True)
    r = sub.add_parser("report")
    r.add_argument("files", nargs="+")
    r.add_argument("--baseline", default="optuna")
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    plog.set_verbosity(plog.WARNING)
    if args.cmd == "report":
        rows: list[Any] = []
        for path in args.files:
            with open(path) as f:
                rows.extend(json.load(f))
        if rows and "case" in rows[0]:
            report_cost(rows)
        else:
            report_quality(rows, args.baseline)
        return
    if args.cmd == "cost":
        rows = cost(args.trials, args.mo_trials, args.long, args.only, args.out, args.samplers)
    else:
        rows = bbob(args.dims, args.functions, args.seeds, args.trials, args.samplers, args.out)
    with open(args.out, "w") as f:
        json.dump(rows, f)
    print(
        "torch imported by parabola's runs only if optuna ran:",
        "torch" in sys.modules,
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
