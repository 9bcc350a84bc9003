"""Visualization benchmark: every plot, parabola vs Optuna 5.0, side by side in one invocation.

Each measurement runs in a fresh interpreter (``--worker``), one tool and one plot at a time,
under a wall-clock timeout and an address-space limit (Optuna's contour plot at 10,000 trials
needs more than 6 GiB), so a plot that blows up is reported as such instead of taking the
machine down. A worker builds the same in-memory study in its library (not timed: trials from
one seeded generator, added with ``add_trial``), then times the plot call plus ``fig.to_json()``
and reports seconds, wall and process CPU (cold: the first figure of the process, which loads
plotly's validators and template; warm: the best of three more figures in the same process),
JSON bytes and the growth of peak RSS during the first plot. Ratios are parabola / Optuna,
cold / warm, wall and CPU (CPU time is the steadier on a shared machine). The two cells of a
ratio are each the best of ``--repeat`` (default 3) processes, the tools alternating.

Studies:

* ``single``: ``--trials`` complete trials of 5 parameters (float, log float, int, categorical,
  float) with 5 reported steps each; ``multi``: ``--mo-trials`` trials of 2 objectives.
* parabola runs at the large sizes (default 10,000 and 1,000) and both tools at ``--small``
  trials (default 1,000), where Optuna still works; Optuna at the large size too with
  ``--optuna-large`` (slow; capped by the timeout).

Usage::

    .venv/bin/python benchmarks/visualization_bench.py                    # full size
    .venv/bin/python benchmarks/visualization_bench.py --trials 2000 --small 200   # smoke test
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from typing import Any

PLOTS_SINGLE = [
    "plot_optimization_history",
    "plot_intermediate_values",
    "plot_parallel_coordinate",
    "plot_contour",
    "plot_slice",
    "plot_param_importances",
    "plot_edf",
    "plot_rank",
    "plot_timeline",
]
PLOTS_MULTI = ["plot_pareto_front", "plot_hypervolume_history"]


def _study(lib: Any, kind: str, n: int) -> Any:
    import datetime

    import numpy as np

    rng = np.random.default_rng(0)
    d = lib.distributions
    dists = {
        "x": d.FloatDistribution(-5, 5),
        "lr": d.FloatDistribution(1e-5, 1, log=True),
        "n": d.IntDistribution(1, 64),
        "kind": d.CategoricalDistribution(["a", "b", "c", "d"]),
        "y": d.FloatDistribution(0, 1),
    }
    directions = ["minimize"] if kind == "single" else ["minimize", "minimize"]
    study = lib.create_study(directions=directions, storage=lib.storages.InMemoryStorage())
    t0 = datetime.datetime(2026, 1, 1)
    trials = []
    for i in range(n):
        x, lr, k = (
            float(rng.uniform(-5, 5)),
            float(10 ** rng.uniform(-5, 0)),
            int(rng.integers(1, 65)),
        )
        kind_v, y = ["a", "b", "c", "d"][int(rng.integers(0, 4))], float(rng.uniform(0, 1))
        params = {"x": x, "lr": lr, "n": k, "kind": kind_v, "y": y}
        v = x * x + np.log10(lr) ** 2 + k / 64 + y
        if kind == "single":
            values = [float(v)]
            steps = {s: float(v + 1 / (s + 1)) for s in range(5)}
        else:
            values, steps = [float(x * x + y), float((x - 2) ** 2 + 1 - y)], {}
            params = {"x": x, "y": y}
        trials.append(
            lib.trial.create_trial(
                params=params,
                distributions={p: dists[p] for p in params},
                values=values,
                intermediate_values=steps,
            )
        )
        trials[-1].datetime_start = t0 + datetime.timedelta(seconds=i)
        trials[-1].datetime_complete = t0 + datetime.timedelta(seconds=i + 0.5)
    study.add_trials(trials)
    return study


def _worker(tool: str, plot: str, kind: str, n: int, mem_gib: float) -> None:
    limit = int(mem_gib * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import warnings

    warnings.simplefilter("ignore")
    if tool == "optuna":
        import optuna

        optuna.logging.set_verbosity(optuna.logging.ERROR)
        lib, viz = optuna, optuna.visualization
    else:
        import parabola
        import parabola.visualization

        parabola.logging.set_verbosity(parabola.logging.ERROR)
        lib, viz = parabola, parabola.visualization
    import plotly.graph_objects  # noqa: F401  (imported before timing, as in a notebook)

    study = _study(lib, kind, n)
    kwargs: dict[str, Any] = {}
    if plot == "plot_hypervolume_history":
        kwargs["reference_point"] = [100.0, 100.0]
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t, c = time.perf_counter(), time.process_time()
    fig = getattr(viz, plot)(study, **kwargs)
    payload = fig.to_json()
    cold, cold_cpu = time.perf_counter() - t, time.process_time() - c
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Later figures in the same process: what a notebook or the dashboard pays once plotly's
    # validators and template are loaded. The best of three, since the machine is shared
    # (skipped when the first figure took over 10 s).
    warm = warm_cpu = None
    if cold < 10:
        times, cpus = [], []
        for _ in range(3):
            t, c = time.perf_counter(), time.process_time()
            getattr(viz, plot)(study, **kwargs).to_json()
            times.append(time.perf_counter() - t)
            cpus.append(time.process_time() - c)
        warm, warm_cpu = min(times), min(cpus)
    title = fig.layout.title.text or ""
    note = title.split("<sup>")[1].split("</sup>")[0] if "<sup>" in title else ""
    result = {
        "seconds": cold,
        "warm_seconds": warm,
        "cpu_seconds": cold_cpu,
        "warm_cpu_seconds": warm_cpu,
        "json_bytes": len(payload),
        "rss_mib": (rss1 - rss0) / 1024,
        "note": note,
    }
    print(json.dumps(result))


def _run(tool: str, plot: str, kind: str, n: int, timeout: float, mem_gib: float) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--worker", tool, plot, kind, str(n), str(mem_gib)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout > {timeout:.0f} s"}
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": "out of memory" if "MemoryError" in out.stderr else last[:80]}
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _best(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The fastest of several runs of one cell, figure by figure (an error if any run failed)."""
    for r in results:
        if "error" in r:
            return r
    best = dict(results[0])
    for key in ("seconds", "warm_seconds", "cpu_seconds", "warm_cpu_seconds"):
        values = [r[key] for r in results if r[key] is not None]
        best[key] = min(values) if values else None
    best["runs"] = len(results)
    return best


def _fmt(r: dict[str, Any]) -> str:
    if "error" in r:
        return r["error"]
    warm = "-" if r["warm_seconds"] is None else f"{r['warm_seconds']:.3f}"
    warm_cpu = "-" if r["warm_cpu_seconds"] is None else f"{r['warm_cpu_seconds']:.3f}"
    return (
        f"{r['seconds']:.3f} / {warm} s (CPU {r['cpu_seconds']:.3f} / {warm_cpu}), "
        f"{r['json_bytes'] / 1e6:.2f} MB, +{r['rss_mib']:.0f} MiB"
    )


def _ratio(ps: dict[str, Any], os_: dict[str, Any], cold: str, warm: str) -> str:
    if cold not in ps or cold not in os_:
        return "-"
    # Three decimals: "<= 1/5" is judged on the unrounded ratio (0.204 is a miss).
    out = f"{ps[cold] / os_[cold]:.3f}"
    if ps[warm] and os_[warm]:
        out += f" / {ps[warm] / os_[warm]:.3f}"
    return out


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        tool, plot, kind, n, mem = sys.argv[2:7]
        _worker(tool, plot, kind, int(n), float(mem))
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=10_000)
    ap.add_argument("--mo-trials", type=int, default=1_000)
    ap.add_argument("--small", type=int, default=1_000)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--mem-gib", type=float, default=4.0)
    ap.add_argument("--optuna-large", action="store_true")
    ap.add_argument("--repeat", type=int, default=3, help="processes per tool at --small trials")
    ap.add_argument("--plots", nargs="*", default=None)
    args = ap.parse_args()
    rows = []
    for plot in PLOTS_SINGLE + PLOTS_MULTI:
        if args.plots and plot not in args.plots:
            continue
        kind = "single" if plot in PLOTS_SINGLE else "multi"
        large = args.trials if kind == "single" else args.mo_trials
        row = {"plot": plot, "large_n": large}
        row["parabola_large"] = _run("parabola", plot, kind, large, args.timeout, args.mem_gib)
        if args.optuna_large:
            row["optuna_large"] = _run("optuna", plot, kind, large, args.timeout, args.mem_gib)
        # The ratio's two cells: --repeat fresh processes each, alternating tools so that a
        # change of load hits both, and the best of them per figure (one cold sample of a
        # ~0.1 s figure on a shared machine is mostly the scheduler's).
        runs: dict[str, list[dict[str, Any]]] = {"parabola": [], "optuna": []}
        for _ in range(args.repeat):
            for tool in runs:
                runs[tool].append(_run(tool, plot, kind, args.small, args.timeout, args.mem_gib))
        row["parabola_small"] = _best(runs["parabola"])
        row["optuna_small"] = _best(runs["optuna"])
        rows.append(row)
        ps, os_ = row["parabola_small"], row["optuna_small"]
        ratio = (
            f"{_ratio(ps, os_, 'seconds', 'warm_seconds')} "
            f"(CPU {_ratio(ps, os_, 'cpu_seconds', 'warm_cpu_seconds')})"
        )
        line = (
            f"| {plot} | {large:,}: {_fmt(row['parabola_large'])} | "
            + (f"{_fmt(row['optuna_large'])} | " if args.optuna_large else "")
            + f"{args.small:,}: {_fmt(ps)} | {_fmt(os_)} | {ratio} | "
            + f"{row['parabola_large'].get('note', '')} |"
        )
        print(line, flush=True)
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
