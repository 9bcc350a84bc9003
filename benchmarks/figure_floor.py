"""The fixed cost of a warm parabola figure against Optuna's warm ``plot_edf``.

An EMPTY figure built the way every parabola plot builds its figure
(``parabola.visualization._figure.figure`` with no traces: plotly's default template, no
validation) plus ``to_json()``, next to Optuna's whole ``plot_edf`` + ``to_json()`` at 1,000
trials of the study ``visualization_bench.py`` uses, in the same process, after a first
figure of each (so plotly's one-off loading is paid). Process CPU time, the best of
``--repeat`` rounds of ``--calls`` calls each.

    nice -n 10 .venv/bin/python benchmarks/figure_floor.py
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _best(fn: Callable[[], Any], calls: int, repeat: int) -> float:
    fn()
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for _ in range(calls):
            fn()
        best = min(best, (time.process_time() - start) / calls)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    sys.path.insert(0, str(Path(__file__).parent))
    import optuna
    import plotly.graph_objects as go
    import visualization_bench

    from parabola.visualization._figure import figure

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = visualization_bench._study(optuna, "single", 1000)
    floor = _best(lambda: figure(go, [], {}).to_json(), args.calls * 10, args.repeat)
    edf = _best(lambda: optuna.visualization.plot_edf(study).to_json(), args.calls, args.repeat)
    print(f"empty parabola figure + to_json: {floor * 1e3:.3f} ms CPU")
    print(f"Optuna plot_edf + to_json, 1,000 trials: {edf * 1e3:.3f} ms CPU")
    print(f"floor / Optuna: {floor / edf:.3f}  (1/5 of Optuna: {edf / 5 * 1e3:.3f} ms)")


if __name__ == "__main__":
    main()
