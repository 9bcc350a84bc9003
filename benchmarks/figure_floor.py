"""The fixed cost of a warm parabola figure against Optuna's warm ``plot_edf``.

Next to Optuna's whole ``plot_edf`` + ``to_json()`` at 1,000 trials of the study
``visualization_bench.py`` uses, in the same process, after a first figure of each (so
plotly's one-off loading is paid), process CPU time of:

* parabola's ``plot_edf`` + ``to_json()``, and its ``to_json()`` alone: plotly's own work on
  the figure parabola returns (copying, walking and encoding it), which no way of building
  that figure can avoid while it is a ``go.Figure`` with the same JSON;
* an EMPTY figure built the way every parabola plot builds its figure
  (``parabola.visualization._figure.figure`` with no traces: plotly's default template, no
  validation) + ``to_json()``, split into the build and the ``to_json()``;
* plotly's own ``go.Figure().to_json()``.

Each is timed two ways: the best of ``--repeat`` rounds of ``--calls`` calls (steady) and,
as ``visualization_bench.py`` times a warm figure, the best of three single calls.

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


def _best_single(fn: Callable[[], Any]) -> float:
    """What visualization_bench.py reports as warm: the best of three single calls."""
    fn()
    times = []
    for _ in range(3):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


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

    import parabola
    import parabola.visualization as pv
    from parabola.visualization._figure import figure

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    parabola.logging.set_verbosity(parabola.logging.ERROR)
    study = visualization_bench._study(optuna, "single", 1000)
    ours = visualization_bench._study(parabola, "single", 1000)
    edf_fig, empty_fig = pv.plot_edf(ours), figure(go, [], {})
    # The same figure but the study names (random): the same size of JSON.
    assert len(edf_fig.to_json()) == len(optuna.visualization.plot_edf(study).to_json())
    rows: list[tuple[str, Callable[[], Any], int]] = [
        ("Optuna plot_edf + to_json", lambda: optuna.visualization.plot_edf(study).to_json(), 1),
        ("parabola plot_edf + to_json", lambda: pv.plot_edf(ours).to_json(), 5),
        ("  its to_json alone (plotly)", edf_fig.to_json, 5),
        ("empty parabola figure + to_json", lambda: figure(go, [], {}).to_json(), 10),
        ("  the build alone", lambda: figure(go, [], {}), 10),
        ("  the to_json alone (plotly)", empty_fig.to_json, 10),
        ("plotly's go.Figure().to_json()", lambda: go.Figure().to_json(), 10),
    ]
    results = {}
    for name, fn, scale in rows:
        results[name] = (_best(fn, args.calls * scale, args.repeat), _best_single(fn))
    anchor = results[rows[0][0]]
    print("ms CPU: steady (best round) / as the benchmark (best of 3 single calls); / Optuna")
    for name, (steady, single) in results.items():
        print(
            f"{name:34s} {steady * 1e3:6.3f} / {single * 1e3:6.3f}   "
            f"{steady / anchor[0]:.3f} / {single / anchor[1]:.3f}"
        )
    print(f"1/5 of Optuna: {anchor[0] / 5 * 1e3:.3f} / {anchor[1] / 5 * 1e3:.3f} ms")


if __name__ == "__main__":
    main()
