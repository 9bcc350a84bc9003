"""One figure of every plot on the shared scenarios: rendered to PNG by the tests, and into
``docs/images/`` by ``python tests/visualization_tests/gallery.py`` (the pictures of
``docs/visualization.md``)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import viz_scenarios

import parabola.visualization as pv

CHROMIUM = "/usr/bin/chromium"


def _single() -> Any:
    return viz_scenarios.to_parabola(viz_scenarios.single(n=60), "demo")


def _multi(n_obj: int = 2) -> Any:
    return viz_scenarios.to_parabola(viz_scenarios.multi(n=60, n_obj=n_obj, with_constraints=True))


FIGURES: dict[str, Callable[[Any], Any]] = {
    "optimization_history": lambda m: m.plot_optimization_history(_single()),
    "intermediate_values": lambda m: m.plot_intermediate_values(_single()),
    "parallel_coordinate": lambda m: m.plot_parallel_coordinate(_single()),
    "contour": lambda m: m.plot_contour(_single(), params=["kind", "lr", "x"]),
    "slice": lambda m: m.plot_slice(_single()),
    "param_importances": lambda m: m.plot_param_importances(_single()),
    "edf": lambda m: m.plot_edf(
        [viz_scenarios.to_parabola(viz_scenarios.single(seed=s), f"seed {s}") for s in range(3)]
    ),
    "rank": lambda m: m.plot_rank(_single(), params=["lr", "n", "x"]),
    "pareto_front": lambda m: m.plot_pareto_front(_multi()),
    "pareto_front_3d": lambda m: m.plot_pareto_front(_multi(3)),
    "hypervolume_history": lambda m: m.plot_hypervolume_history(_multi(), [1.5, -0.5]),
    "timeline": lambda m: m.plot_timeline(_multi()),
    "run_history": lambda m: m.plot_run_history(
        [
            pv.RunHistory(
                f"lr={lr}",
                {"_step": list(range(50)), "loss": [lr * 10 / (1 + s * lr) for s in range(50)]},
            )
            for lr in (0.1, 0.3, 1.0)
        ],
        ["loss"],
    ),
}


def write_pngs(folder: Path) -> list[Path]:
    """Every plotly figure as PNG through kaleido and the headless Chromium."""
    import plotly.io as pio

    os.environ.setdefault("BROWSER_PATH", CHROMIUM)
    figs = [make(pv) for make in FIGURES.values()]
    paths = [folder / f"{name}.png" for name in FIGURES]
    pio.write_images(figs, paths, width=900, height=600)
    return paths


if __name__ == "__main__":
    out = Path(__file__).resolve().parents[2] / "docs" / "images"
    out.mkdir(parents=True, exist_ok=True)
    for p in write_pngs(out):
        print(p, p.stat().st_size)
