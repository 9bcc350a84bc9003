"""TPE quality: parabola's ``TPESampler()`` vs Optuna 5.0's on COCO BBOB and scikit-learn tasks.

For each problem and seed both samplers run ``--trials`` trials (default 100) with default
settings (only the seed set); the best value after 50 and after 100 trials is recorded.

Normalised regret = (best - f_opt) / (f_ref - f_opt), floored at 1e-12:

* BBOB (``cocoex``, no download): f_opt = f(x_opt) from the suite; f_ref = median of f over
  1000 uniform points of [-5, 5]^d (fixed seed), i.e. regret 1 ~ a typical random point.
* scikit-learn tasks (datasets bundled with scikit-learn, 3-fold CV): f_opt = the best value
  any run of either sampler found; f_ref = median over all runs' first 10 (random) trials.

Per problem and budget the table compares the median over seeds. ``bbob --control`` runs
Optuna against itself (another seed) to show the noise floor of this comparison. Usage::

    nice -n 10 .venv/bin/python benchmarks/tpe_quality.py bbob --dims 2 5 10 --out q_bbob.json
    nice -n 10 .venv/bin/python benchmarks/tpe_quality.py sklearn --out q_sk.json
    .venv/bin/python benchmarks/tpe_quality.py report q_bbob.json q_sk.json
"""

from __future__ import annotations

import argparse
import glob
import json
import math
import os
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import optuna

import parabola
import parabola.logging as plog

BUDGETS = (50, 100)


CONTROL = False  # --control: "parabola" is replaced by Optuna with another seed (noise floor)


def run_both(
    objective: Callable[[Any], float], seed: int, n_trials: int, direction: str = "minimize"
) -> dict[str, list[float]]:
    """Value per trial of parabola's and Optuna's default TPE (same seed)."""
    out: dict[str, list[float]] = {}
    if CONTROL:
        c_study = optuna.create_study(
            storage=optuna.storages.InMemoryStorage(),
            sampler=optuna.samplers.TPESampler(seed=seed + 1000),
            direction=direction,
        )
        c_study.optimize(objective, n_trials=n_trials)
        out["parabola"] = [float(t.value) for t in c_study.trials]  # type: ignore[arg-type]
    else:
        out["parabola"] = _run_parabola(objective, seed, n_trials, direction)
    o_study = optuna.create_study(
        storage=optuna.storages.InMemoryStorage(),
        sampler=optuna.samplers.TPESampler(seed=seed),
        direction=direction,
    )
    o_study.optimize(objective, n_trials=n_trials)
    out["optuna"] = [float(t.value) for t in o_study.trials]  # type: ignore[arg-type]
    return out


def _run_parabola(
    objective: Callable[[Any], float], seed: int, n_trials: int, direction: str
) -> list[float]:
    p_study = parabola.create_study(
        storage=parabola.storages.InMemoryStorage(),
        sampler=parabola.samplers.TPESampler(seed=seed),
        direction=direction,
    )
    p_study.optimize(objective, n_trials=n_trials)
    return [float(t.value) for t in p_study.trials]


# BBOB ----------------------------------------------------------------------------------------
def _f_opt(problem: Any) -> float:
    # cocoex only prints x_opt to a file in the working directory.
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        try:
            problem._best_parameter("print")
            (path,) = glob.glob("._bbob_problem_best_parameter*")
            x_opt = np.loadtxt(path)
        finally:
            os.chdir(cwd)
    return float(problem(np.atleast_1d(x_opt)))


def bbob_problems(
    dims: list[int], functions: list[int]
) -> Iterator[tuple[Any, int, float, float, Callable[[Any], float]]]:
    """The BBOB problems every sampler benchmark uses: ``(problem, dim, f_opt, f_ref, objective)``.

    ``f_ref`` is the median of 1,000 uniform points (seeded), the scale that makes regrets of
    different functions comparable; ``objective(trial)`` suggests ``x0..x{d-1}`` in the bounds.
    """
    import cocoex

    suite = cocoex.Suite(
        "bbob",
        "",
        f"dimensions: {','.join(map(str, dims))} "
        f"function_indices: {','.join(map(str, functions))} instance_indices: 1",
    )
    for problem in suite:
        d = problem.dimension
        rng = np.random.RandomState(12345)
        f_ref = float(np.median([problem(x) for x in rng.uniform(-5, 5, size=(1000, d))]))
        lo, hi = problem.lower_bounds, problem.upper_bounds

        def objective(
            trial: Any, problem: Any = problem, d: int = d, lo: Any = lo, hi: Any = hi
        ) -> float:
            x = np.array([trial.suggest_float(f"x{i}", lo[i], hi[i]) for i in range(d)])
            return float(problem(x))

        yield problem, d, _f_opt(problem), f_ref, objective


def bbob(
    dims: list[int], functions: list[int], seeds: list[int], n_trials: int
) -> list[dict[str, Any]]:
    rows = []
    for problem, d, f_opt, f_ref, objective in bbob_problems(dims, functions):
        t0 = time.time()
        for seed in seeds:
            values = run_both(objective, seed, n_trials)
            rows.append(
                {
                    "problem": f"bbob f{problem.id_function:02d} {d}D",
                    "seed": seed,
                    "f_opt": f_opt,
                    "f_ref": f_ref,
                    "values": values,
                }
            )
        print(f"{problem.id} done in {time.time() - t0:.1f}s", flush=True)
    return rows


# scikit-learn --------------------------------------------------------------------------------
def _sk_tasks() -> dict[str, tuple[Callable[[Any], float], str]]:
    from sklearn import datasets
    from sklearn.ensemble import ExtraTreesClassifier
    from sklearn.linear_model import ElasticNet, LogisticRegression
    from sklearn.model_selection import cross_val_score
    from sklearn.neighbors import KNeighborsRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    digits_x, digits_y = datasets.load_digits(return_X_y=True)
    digits_x, digits_y = digits_x[:600], digits_y[:600]
    bc_x, bc_y = datasets.load_breast_cancer(return_X_y=True)
    wine_x, wine_y = datasets.load_wine(return_X_y=True)
    diab_x, diab_y = datasets.load_diabetes(return_X_y=True)

    def svc_digits(trial: Any) -> float:
        kernel = trial.suggest_categorical("kernel", ["rbf", "poly", "sigmoid"])
        c = trial.suggest_float("C", 1e-3, 1e3, log=True)
        gamma = trial.suggest_float("gamma", 1e-5, 1e-1, log=True)
        degree = trial.suggest_int("degree", 2, 5)
        model = SVC(kernel=kernel, C=c, gamma=gamma, degree=degree)
        return 1.0 - float(cross_val_score(model, digits_x, digits_y, cv=3).mean())

    def logreg_cancer(trial: Any) -> float:
        penalty = trial.suggest_categorical("penalty", ["l1", "l2"])
        c = trial.suggest_float("C", 1e-4, 1e2, log=True)
        fit_intercept = trial.suggest_categorical("fit_intercept", [True, False])
        tol = trial.suggest_float("tol", 1e-6, 1e-2, log=True)
        model = make_pipeline(
            StandardScaler(),
            LogisticRegression(
                l1_ratio=1.0 if penalty == "l1" else 0.0,
                C=c,
                solver="liblinear" if penalty == "l1" else "lbfgs",
                fit_intercept=fit_intercept,
                tol=tol,
                max_iter=100,
            ),
        )
        return float(-cross_val_score(model, bc_x, bc_y, cv=3, scoring="neg_log_loss").mean())

    def trees_wine(trial: Any) -> float:
        model = ExtraTreesClassifier(
            n_estimators=trial.suggest_int("n_estimators", 5, 30, step=5),
            max_depth=trial.suggest_int("max_depth", 1, 32, log=True),
            max_features=trial.suggest_float("max_features", 0.05, 1.0),
            criterion=trial.suggest_categorical("criterion", ["gini", "entropy"]),
            min_samples_leaf=trial.suggest_int("min_samples_leaf", 1, 20),
            random_state=0,
            n_jobs=1,
        )
        return float(-cross_val_score(model, wine_x, wine_y, cv=3, scoring="neg_log_loss").mean())

    def knn_diabetes(trial: Any) -> float:
        model = make_pipeline(
            StandardScaler(),
            KNeighborsRegressor(
                n_neighbors=trial.suggest_int("n_neighbors", 1, 100, log=True),
                weights=trial.suggest_categorical("weights", ["uniform", "distance"]),
                p=trial.suggest_float("p", 1.0, 3.0),
            ),
        )
        return float(
            -cross_val_score(model, diab_x, diab_y, cv=3, scoring="neg_mean_squared_error").mean()
        )

    def enet_diabetes(trial: Any) -> float:
        model = make_pipeline(
            StandardScaler(),
            ElasticNet(
                alpha=trial.suggest_float("alpha", 1e-4, 10.0, log=True),
                l1_ratio=trial.suggest_float("l1_ratio", 0.0, 1.0),
                max_iter=trial.suggest_int("max_iter", 50, 1000, log=True),
                selection=trial.suggest_categorical("selection", ["cyclic", "random"]),
                random_state=0,
            ),
        )
        return float(
            -cross_val_score(model, diab_x, diab_y, cv=3, scoring="neg_mean_squared_error").mean()
        )

    return {
        "sklearn svc/digits": (svc_digits, "minimize"),
        "sklearn logreg/breast_cancer": (logreg_cancer, "minimize"),
        "sklearn extratrees/wine": (trees_wine, "minimize"),
        "sklearn knn/diabetes": (knn_diabetes, "minimize"),
        "sklearn elasticnet/diabetes": (enet_diabetes, "minimize"),
    }


def sklearn(seeds: list[int], n_trials: int, only: list[str] | None) -> list[dict[str, Any]]:
    rows = []
    for name, (objective, direction) in _sk_tasks().items():
        if only and not any(o in name for o in only):
            continue
        t0 = time.time()
        runs = []
        for seed in seeds:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                runs.append((seed, run_both(objective, seed, n_trials, direction)))
        all_values = [v for _, r in runs for vals in r.values() for v in vals]
        first = [v for _, r in runs for vals in r.values() for v in vals[:10]]
        f_opt, f_ref = float(np.min(all_values)), float(np.median(first))
        for seed, values in runs:
            rows.append(
                {"problem": name, "seed": seed, "f_opt": f_opt, "f_ref": f_ref, "values": values}
            )
        print(f"{name} done in {time.time() - t0:.1f}s", flush=True)
    return rows


# Report --------------------------------------------------------------------------------------
def regret(values: list[float], budget: int, f_opt: float, f_ref: float) -> float:
    best = min(values[:budget])
    scale = f_ref - f_opt if f_ref > f_opt else 1.0
    return max((best - f_opt) / scale, 1e-12)


def report(rows: list[dict[str, Any]], tolerance: float) -> None:
    problems: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        problems.setdefault(row["problem"], []).append(row)
    n_seeds = len(rows) // len(problems)
    cols = " | ".join(f"parabola @{b} | optuna @{b}" for b in BUDGETS)
    print(f"| problem (median normalised regret, {n_seeds} seeds) | {cols} |")
    print("|---" * (1 + 2 * len(BUDGETS)) + "|")
    summary: dict[int, dict[str, list[float]]] = {b: {"p": [], "o": []} for b in BUDGETS}
    for name, runs in problems.items():
        cells = []
        for budget in BUDGETS:
            med = {}
            for who in ("parabola", "optuna"):
                med[who] = float(
                    np.median(
                        [regret(r["values"][who], budget, r["f_opt"], r["f_ref"]) for r in runs]
                    )
                )
            summary[budget]["p"].append(med["parabola"])
            summary[budget]["o"].append(med["optuna"])
            worse = math.log10(med["parabola"]) > math.log10(med["optuna"]) + tolerance
            mark = " (worse)" if worse else ""
            cells.append(f"{med['parabola']:.3g}{mark} | {med['optuna']:.3g}")
        print(f"| {name} | {' | '.join(cells)} |")
    print()
    print(
        "| budget | problems | parabola <= optuna (strict) | parabola <= optuna x "
        f"{10**tolerance:.2f} | mean log10 regret parabola | mean log10 regret optuna |"
    )
    print("|---|---|---|---|---|---|")
    for budget in BUDGETS:
        p = np.log10(summary[budget]["p"])
        o = np.log10(summary[budget]["o"])
        strict = float(np.mean(p <= o))
        tol = float(np.mean(p <= o + tolerance))
        print(
            f"| {budget} | {len(p)} | {strict:.0%} | {tol:.0%} | {p.mean():.3f} | {o.mean():.3f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("bbob")
    b.add_argument("--dims", type=int, nargs="+", default=[2, 5, 10])
    b.add_argument("--functions", type=int, nargs="+", default=list(range(1, 25)))
    b.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    b.add_argument("--trials", type=int, default=100)
    b.add_argument("--out", required=True)
    b.add_argument(
        "--control",
        action="store_true",
        help="noise floor: Optuna (seed + 1000) in the 'parabola' column against Optuna",
    )
    s = sub.add_parser("sklearn")
    s.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    s.add_argument("--trials", type=int, default=100)
    s.add_argument("--only", nargs="*")
    s.add_argument("--out", required=True)
    r = sub.add_parser("report")
    r.add_argument("files", nargs="+")
    r.add_argument("--tolerance", type=float, default=0.1, help="log10 tie band")
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    plog.set_verbosity(plog.WARNING)
    if args.cmd == "report":
        rows = []
        for path in args.files:
            with open(path) as f:
                rows.extend(json.load(f))
        report(rows, args.tolerance)
        return
    if args.cmd == "bbob":
        global CONTROL
        CONTROL = args.control
        rows = bbob(args.dims, args.functions, args.seeds, args.trials)
    else:
        rows = sklearn(args.seeds, args.trials, args.only)
    with open(args.out, "w") as f:
        json.dump(rows, f)


if __name__ == "__main__":
    main()
