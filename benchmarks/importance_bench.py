"""Parameter importance: parabola.importance vs optuna.importance 5.0 on identical trials.

Both libraries get the same trials (``create_trial`` + ``add_trials`` on in-memory storage) and
run one after the other in this process; times are process CPU seconds (``time.process_time``)
with scikit-learn and scipy already imported on both sides.

* fANOVA, 1,000 trials x 10 parameters, seed 0 (the target's figure: Optuna 86 s), on three
  problems: ``additive`` (floats, geometrically falling importances), ``equal-importance``
  (floats, all ten matter alike: more split points per parameter) and ``mixed`` (floats, ints,
  two categoricals: one-hot columns; sampled by parabola's RandomSampler, copied into Optuna).
* fANOVA ranking on 10 synthetic problems with known importances (additive objectives, 200
  trials x 10 parameters): Spearman correlation and top-3 agreement against Optuna, with the
  same forest seed (identical forests) and with another seed (a different forest); for scale,
  Optuna against itself with another seed; and each against the true variance shares.
* ``others``: PED-ANOVA (the default) at 1,000 x 10 and 10,000 x 5, and MDI at 1,000 x 10: CPU
  time and the largest difference.
* ``dashboard``: ``get_param_importances(study)`` on a 10,000-trial, 5-parameter study, wall
  and CPU time with ``get_trials`` included (in memory; and loaded from a SQLite file in a fresh
  process, first and second call).

Usage::

    nice -n 10 .venv/bin/python benchmarks/importance_bench.py [--quick]
        [--timing additive,equal-importance,mixed] [--sections timing,ranking,others,dashboard]

``--quick``: 300 trials for the fANOVA timing and 3 ranking problems, to try it out. The
default runs the ``additive`` and ``equal-importance`` timings and every section (~6 minutes,
most of it Optuna's fANOVA).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import sklearn.ensemble  # imported up front: both sides pay it once, outside the timings
from scipy import special  # noqa: F401  (likewise)

import parabola

warnings.simplefilter("ignore")
optuna.logging.set_verbosity(optuna.logging.ERROR)
parabola.logging.set_verbosity(parabola.logging.ERROR)


def _shape(kind: int, u: np.ndarray) -> np.ndarray:
    return [4 * (u - 0.3) ** 2, np.sin(6 * u), (u > 0.6).astype(float), u][kind]


def additive_problem(
    seed: int, n_trials: int, n_params: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``y = sum_i w_i g_i(x_i) + noise`` on U(0,1)^d; returns X, y and the true variance shares."""
    rng = np.random.default_rng(seed)
    kinds = rng.integers(0, 4, size=n_params)
    weights = 0.6 ** rng.permutation(n_params) * rng.uniform(0.8, 1.2, size=n_params)
    x = rng.uniform(size=(n_trials, n_params))
    y = sum(weights[i] * _shape(int(kinds[i]), x[:, i]) for i in range(n_params))
    y = y + 0.01 * rng.normal(size=n_trials)
    grid = (np.arange(100_000) + 0.5) / 100_000
    true = np.array(
        [weights[i] ** 2 * np.var(_shape(int(kinds[i]), grid)) for i in range(n_params)]
    )
    return x, y, true / true.sum()


def make_study(module: Any, x: np.ndarray, y: np.ndarray, storage: Any = None) -> Any:
    storage = module.storages.InMemoryStorage() if storage is None else storage
    study = module.create_study(storage=storage, study_name="dash")
    dist = module.distributions.FloatDistribution(0.0, 1.0)
    names = [f"p{i}" for i in range(x.shape[1])]
    study.add_trials(
        [
            module.trial.create_trial(
                params={n: float(v) for n, v in zip(names, values, strict=True)},
                distributions=dict.fromkeys(names, dist),
                value=float(value),
            )
            for values, value in zip(x, y, strict=True)
        ]
    )
    return study


def timed(module: Any, study: Any, evaluator: str, **kwargs: Any) -> tuple[float, dict[str, float]]:
    """CPU seconds and normalised importances of one evaluator run."""
    instance = getattr(module.importance, evaluator)(**kwargs)
    start = time.process_time()
    result = dict(module.importance.get_param_importances(study, evaluator=instance))
    return time.process_time() - start, result


def row(*cells: object) -> None:
    print("| " + " | ".join(str(c) for c in cells) + " |")


def spearman(a: dict[str, float], b: dict[str, float]) -> float:
    names = sorted(a)
    ra = np.argsort(np.argsort([a[n] for n in names]))
    rb = np.argsort(np.argsort([b[n] for n in names]))
    return float(np.corrcoef(ra, rb)[0, 1])


def top3(a: dict[str, float]) -> list[str]:
    return sorted(a, key=a.__getitem__, reverse=True)[:3]


def largest_difference(a: dict[str, float], b: dict[str, float]) -> float:
    return max(abs(a[k] - b[k]) for k in b)


FANOVA = "FanovaImportanceEvaluator"


def equal_problem(seed: int, n_trials: int, n_params: int) -> tuple[np.ndarray, np.ndarray]:
    """Every parameter matters about as much: bushier trees, more split points per parameter."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(size=(n_trials, n_params))
    y = np.sin(6 * x).sum(axis=1) + 0.3 * rng.normal(size=n_trials)
    return x, y


def mixed_studies(seed: int, n_trials: int) -> tuple[Any, Any]:
    """6 floats (one log), 2 ints (one log), 2 categoricals (3 and 5 choices): one-hot columns."""

    def objective(trial: Any) -> float:
        xs = [trial.suggest_float(f"f{i}", 1e-3 if i == 0 else 0, 1, log=i == 0) for i in range(6)]
        n = trial.suggest_int("n", 0, 20)
        m = trial.suggest_int("m", 1, 1024, log=True)
        c = trial.suggest_categorical("c", ["a", "b", "c"])
        d = trial.suggest_categorical("d", [1, 2, 3, 4, 5])
        return float(sum(np.sin(5 * v) for v in xs) + 0.1 * n + np.log(m) + (c == "b") + d / 5)

    ours = parabola.create_study(
        storage=parabola.storages.InMemoryStorage(),
        sampler=parabola.samplers.RandomSampler(seed=seed),
    )
    ours.optimize(objective, n_trials=n_trials)
    theirs = optuna.create_study(storage=optuna.storages.InMemoryStorage())
    theirs.add_trials(
        [
            optuna.trial.create_trial(
                params=t.params,
                distributions={
                    k: optuna.distributions.json_to_distribution(
                        parabola.distributions.distribution_to_json(v)
                    )
                    for k, v in t.distributions.items()
                },
                value=t.value,
            )
            for t in ours.trials
        ]
    )
    return ours, theirs


def fanova_timing(n_trials: int, repeats: int, problem: str) -> None:
    if problem == "mixed":
        ours_study, their_study = mixed_studies(0, n_trials)
    else:
        if problem == "additive":
            x, y, _ = additive_problem(0, n_trials, 10)
        else:
            x, y = equal_problem(0, n_trials, 10)
        ours_study, their_study = make_study(parabola, x, y), make_study(optuna, x, y)
    runs = [timed(parabola, ours_study, FANOVA, seed=0) for _ in range(repeats)]
    ours_time = statistics.median(t for t, _ in runs)
    ours = runs[0][1]
    theirs_time, theirs = timed(optuna, their_study, FANOVA, seed=0)
    print(f"\n## fANOVA, {n_trials} trials x 10 params, {problem} problem (seed 0), CPU seconds")
    row("", "parabola", "Optuna 5.0", "Optuna / parabola")
    row("---", "---", "---", "---")
    ratio = theirs_time / ours_time
    row("fANOVA", f"{ours_time:.2f} (median of {repeats})", f"{theirs_time:.1f}", f"{ratio:.0f}x")
    print(
        f"largest |difference| of the normalised importances: "
        f"{largest_difference(ours, theirs):.1e}; same top 3: {top3(ours) == top3(theirs)}; "
        f"Spearman {spearman(ours, theirs):.3f}"
    )


def fanova_ranking(n_problems: int, n_trials: int) -> None:
    print(f"\n## fANOVA ranking, {n_problems} additive problems, {n_trials} trials x 10 params")
    row(
        "problem", "Spearman vs Optuna, same seed", "top-3 same", "Spearman vs Optuna, other seed",
        "top-3 same", "Optuna other seed vs Optuna: Spearman, top-3 same",
        "Spearman vs truth: parabola / Optuna", "CPU s: parabola / Optuna",
    )  # fmt: skip
    row(*["---"] * 8)
    rows = []
    for seed in range(n_problems):
        x, y, true_shares = additive_problem(100 + seed, n_trials, 10)
        truth = {f"p{i}": float(v) for i, v in enumerate(true_shares)}
        ours_study, their_study = make_study(parabola, x, y), make_study(optuna, x, y)
        t_ours, same = timed(parabola, ours_study, FANOVA, seed=seed)
        _, other = timed(parabola, ours_study, FANOVA, seed=seed + 1000)
        t_theirs, theirs = timed(optuna, their_study, FANOVA, seed=seed)
        # The forest's own randomness, for scale: Optuna against itself with another seed.
        _, theirs_other = timed(optuna, their_study, FANOVA, seed=seed + 1000)
        r = (
            spearman(same, theirs), top3(same) == top3(theirs),
            spearman(other, theirs), top3(other) == top3(theirs),
            spearman(theirs_other, theirs), top3(theirs_other) == top3(theirs),
            spearman(same, truth), spearman(theirs, truth), t_ours, t_theirs,
        )  # fmt: skip
        rows.append(r)
        row(
            seed, f"{r[0]:.3f}", r[1], f"{r[2]:.3f}", r[3], f"{r[4]:.3f}, {r[5]}",
            f"{r[6]:.3f} / {r[7]:.3f}", f"{r[8]:.2f} / {r[9]:.1f}",
        )  # fmt: skip
    c = list(zip(*rows, strict=True))
    n = len(rows)
    row(
        "min / count / total", f"{min(c[0]):.3f}", f"{sum(c[1])}/{n}", f"{min(c[2]):.3f}",
        f"{sum(c[3])}/{n}", f"{min(c[4]):.3f}, {sum(c[5])}/{n}",
        f"{min(c[6]):.3f} / {min(c[7]):.3f}", f"{sum(c[8]):.1f} / {sum(c[9]):.1f}",
    )  # fmt: skip


def compare(label: str, evaluator: str, n_trials: int, n_params: int, **kwargs: Any) -> None:
    x, y, _ = additive_problem(7, n_trials, n_params)
    ours_study, their_study = make_study(parabola, x, y), make_study(optuna, x, y)
    t_ours, ours = timed(parabola, ours_study, evaluator, **kwargs)
    t_theirs, theirs = timed(optuna, their_study, evaluator, **kwargs)
    row(
        f"{label} {n_trials} x {n_params}", f"{t_ours:.3f}", f"{t_theirs:.2f}",
        f"{t_theirs / t_ours:.1f}x", f"{largest_difference(ours, theirs):.1e}",
    )  # fmt: skip


_DASHBOARD_CHILD = """
import json, sys, time
t0 = time.perf_counter()
import parabola
from parabola.importance import get_param_importances
from parabola.trial import TrialState
study = parabola.load_study(study_name="dash", storage=sys.argv[1])
t1, c1 = time.perf_counter(), time.process_time()
get_param_importances(study)
t2, c2 = time.perf_counter(), time.process_time()
get_param_importances(study)
t3, c3 = time.perf_counter(), time.process_time()
study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
t4 = time.perf_counter()
print(json.dumps({"load": t1 - t0, "first": t2 - t1, "warm": t3 - t2, "read": t4 - t3,
                  "first_cpu": c2 - c1, "warm_cpu": c3 - c2}))
"""


def dashboard(n_trials: int) -> None:
    """Wall seconds of the default importance on a 10,000-trial, 5-param study."""
    x, y, _ = additive_problem(9, n_trials, 5)
    memory = make_study(parabola, x, y)
    parabola.importance.get_param_importances(memory)  # warm-up: the module's first use
    start, cpu_start = time.perf_counter(), time.process_time()
    parabola.importance.get_param_importances(memory)
    warm_memory = time.perf_counter() - start
    warm_memory_cpu = time.process_time() - cpu_start
    start = time.perf_counter()
    memory.get_trials(deepcopy=False)
    read_memory = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'dash.db'}"
        make_study(parabola, x, y, storage=url)
        env = {**os.environ, "PYTHONWARNINGS": "ignore"}
        out = subprocess.run(
            [sys.executable, "-c", _DASHBOARD_CHILD, url],
            capture_output=True, text=True, check=True, env=env,
        )  # fmt: skip
        child = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"\n## Dashboard case: default importance, {n_trials} trials x 5 params, seconds")
    row("study", "get_param_importances (get_trials included): wall", "CPU")
    row("---", "---", "---")
    row("in memory, warm process", f"{warm_memory:.3f}", f"{warm_memory_cpu:.3f}")
    row(
        "SQLite, fresh process, first call (reads every trial)",
        f"{child['first']:.3f}", f"{child['first_cpu']:.3f}",
    )  # fmt: skip
    row("SQLite, same process, second call", f"{child['warm']:.3f}", f"{child['warm_cpu']:.3f}")
    print(
        f"(of which get_trials alone: {read_memory:.3f} in memory, {child['read']:.3f} "
        "SQLite warm; the rest is the evaluator)"
    )
    print(f"(load_study, `import parabola` included: {child['load']:.3f} s)")


SECTIONS = ("timing", "ranking", "others", "dashboard")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--timing",
        default="additive,equal-importance",
        help="comma-separated fANOVA timing problems: additive, equal-importance, mixed",
    )
    parser.add_argument(
        "--sections", default=",".join(SECTIONS), help=f"comma-separated subset of {SECTIONS}"
    )
    args = parser.parse_args()
    sections = args.sections.split(",")
    print(
        f"optuna {optuna.__version__}, scikit-learn {sklearn.__version__}, numpy {np.__version__}"
    )
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    if "timing" in sections:
        for problem in args.timing.split(","):
            fanova_timing(300 if args.quick else 1000, repeats=3, problem=problem)
    if "ranking" in sections:
        fanova_ranking(3 if args.quick else 10, 200)
    if "others" in sections:
        print("\n## PED-ANOVA and MDI, CPU seconds")
        row("", "parabola", "Optuna 5.0", "Optuna / parabola", "largest abs. difference")
        row(*["---"] * 5)
        compare("PED-ANOVA", "PedAnovaImportanceEvaluator", 1000, 10)
        compare("PED-ANOVA", "PedAnovaImportanceEvaluator", 10_000, 5)
        compare("MDI", "MeanDecreaseImpurityImportanceEvaluator", 1000, 10, seed=0)
    if "dashboard" in sections:
        dashboard(10_000)
    print(f"\nload average at end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
