"""GPSampler's hyperparameter fit: its own L-BFGS against SciPy's L-BFGS-B, paired fit by fit.

One parabola ``GPSampler(seed=0)`` study runs on an instant objective; at every hyperparameter
fit it asks for, both solvers are run from the same data and the same (warm) start, and the
study goes on with the default solver's result. Per fit: the log posterior each one reached
(higher is better), its likelihood evaluations and its CPU time. The study itself follows the
default solver, so the comparison is of the solvers on the fits a real study asks for, not of
two studies.

Usage::

    .venv/bin/python benchmarks/gp_fit_pair.py --dim 5 --trials 300 --function ellipsoid
    .venv/bin/python benchmarks/gp_fit_pair.py --dim 10 --trials 200 --function rastrigin --verbose

``--verbose`` prints every fit where the two log posteriors differ by more than 0.1.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

import parabola  # noqa: E402
from parabola.samplers._gp import _regressor  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dim", type=int, default=5)
    parser.add_argument("--trials", type=int, default=300)
    parser.add_argument("--function", choices=["ellipsoid", "rastrigin"], default="ellipsoid")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    dim = args.dim

    fit, nlp = _regressor.fit_hyper, _regressor._neg_log_posterior
    calls = [0]

    def counted(*a: Any) -> Any:
        calls[0] += 1
        return nlp(*a)

    rows: list[tuple[int, int, list[tuple[int, float, float]]]] = []

    def paired(x: Any, y: Any, is_cat: Any, prior: Any, **kw: Any) -> Any:
        results = []
        hypers = []
        for scipy_solver in (False, True):
            calls[0] = 0
            t0 = time.process_time()
            h = fit(x, y, is_cat, prior, **{**kw, "scipy_solver": scipy_solver})
            cpu = time.process_time() - t0
            lp = _regressor.log_posterior(
                x,
                y,
                is_cat,
                prior,
                h,
                minimum_noise=kw["minimum_noise"],
                deterministic=kw["deterministic"],
            )
            results.append((calls[0], cpu, lp))
            hypers.append(h)
        rows.append((len(x), kw["max_iter"], results))
        return hypers[0]

    _regressor._neg_log_posterior = counted
    _regressor.fit_hyper = paired

    shift = np.random.RandomState(0).uniform(-3, 3, dim)
    weights = 10 ** (6 * np.arange(dim) / max(dim - 1, 1))

    def objective(trial: Any) -> float:
        z = np.array([trial.suggest_float(f"x{i}", -5, 5) for i in range(dim)]) - shift
        if args.function == "ellipsoid":
            return float(np.sum(weights * z * z))
        return float(10 * dim + np.sum(z * z - 10 * np.cos(2 * np.pi * z)))

    parabola.logging.set_verbosity(parabola.logging.WARNING)
    study = parabola.create_study(
        sampler=parabola.samplers.GPSampler(seed=0), storage=parabola.storages.InMemoryStorage()
    )
    study.optimize(objective, n_trials=args.trials)

    ours = np.array([r[2][0] for r in rows])
    theirs = np.array([r[2][1] for r in rows])
    diff = ours[:, 2] - theirs[:, 2]
    print(
        f"{dim}-D {args.function}, {args.trials} trials, {len(rows)} fits | evaluations: "
        f"parabola {ours[:, 0].sum():.0f}, SciPy {theirs[:, 0].sum():.0f} | fit CPU s: "
        f"parabola {ours[:, 1].sum():.2f}, SciPy {theirs[:, 1].sum():.2f} | log posterior, "
        f"parabola - SciPy: median {np.median(diff):+.1e}, lower by > 0.1 in "
        f"{int((diff < -0.1).sum())}, higher by > 0.1 in {int((diff > 0.1).sum())}"
    )
    if args.verbose:
        for (n, max_iter, _), d, a, b in zip(rows, diff, ours, theirs, strict=True):
            if abs(d) > 0.1:
                print(
                    f"  {n} rows, max_iter {max_iter}: parabola {a[2]:.3f} ({a[0]:.0f} evals), "
                    f"SciPy {b[2]:.3f} ({b[0]:.0f} evals)"
                )


if __name__ == "__main__":
    main()
