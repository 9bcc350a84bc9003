"""Large studies: every plot on 10,000 trials x 5 parameters (and 1,000 trials x 2 objectives)
stays under 2 MB of JSON, and a figure that does not draw every trial says so in its title.
Timings are measured by benchmarks/visualization_bench.py, not asserted here."""

from __future__ import annotations

import datetime
import json
from typing import Any

import numpy as np
import pytest

import parabola
import parabola.visualization as pv

pytest.importorskip("plotly")

D = parabola.distributions
DISTS = {
    "x": D.FloatDistribution(-5, 5),
    "lr": D.FloatDistribution(1e-5, 1, log=True),
    "n": D.IntDistribution(1, 64),
    "kind": D.CategoricalDistribution(["a", "b", "c", "d"]),
    "y": D.FloatDistribution(0, 1),
}
T0 = datetime.datetime(2026, 1, 1)


def _snapshot(n: int, multi: bool) -> pv.StudySnapshot:
    rng = np.random.default_rng(0)
    trials = []
    for i in range(n):
        p = {
            "x": float(rng.uniform(-5, 5)),
            "lr": float(10 ** rng.uniform(-5, 0)),
            "n": int(rng.integers(1, 65)),
            "kind": ["a", "b", "c", "d"][int(rng.integers(0, 4))],
            "y": float(rng.uniform(0, 1)),
        }
        v = p["x"] ** 2 + np.log10(p["lr"]) ** 2 + p["y"]
        t = parabola.trial.create_trial(
            params=p if not multi else {"x": p["x"], "y": p["y"]},
            distributions=DISTS if not multi else {"x": DISTS["x"], "y": DISTS["y"]},
            values=[float(v)] if not multi else [p["x"] ** 2 + p["y"], (p["x"] - 2) ** 2 - p["y"]],
            intermediate_values={} if multi else {s: float(v + 1 / (s + 1)) for s in range(5)},
        )
        t.number = i
        t.datetime_start = T0 + datetime.timedelta(seconds=i)
        t.datetime_complete = T0 + datetime.timedelta(seconds=i + 0.5)
        trials.append(t)
    return pv.StudySnapshot(trials, ["minimize"] if not multi else ["minimize", "minimize"])


@pytest.fixture(scope="module")
def big() -> pv.StudySnapshot:
    return _snapshot(10_000, multi=False)


@pytest.fixture(scope="module")
def big_multi() -> pv.StudySnapshot:
    return _snapshot(1_000, multi=True)


SUBSAMPLED = {
    "plot_intermediate_values",
    "plot_parallel_coordinate",
    "plot_contour",
    "plot_slice",
    "plot_rank",
    "plot_timeline",
}
SINGLE = [
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


@pytest.mark.parametrize("plot", SINGLE)
def test_ten_thousand_trials_fit_in_two_megabytes(plot: str, big: Any) -> None:
    fig = getattr(pv, plot)(big)
    payload = fig.to_json()
    assert len(payload) <= 2_000_000, f"{plot}: {len(payload):,} bytes"
    title = fig.layout.title.text or ""
    assert ("<sup>" in title) == (plot in SUBSAMPLED), title
    # Numeric data travel as typed binary blocks, not as lists of decimal numbers.
    if plot != "plot_param_importances":  # five bars: nothing to pack
        assert '"bdata"' in payload


@pytest.mark.parametrize(
    ("plot", "kwargs"),
    [
        ("plot_pareto_front", {}),
        ("plot_hypervolume_history", {"reference_point": [100, 100]}),
        ("plot_parallel_coordinate", {}),
    ],
)
def test_thousand_trial_two_objective_study(plot: str, kwargs: Any, big_multi: Any) -> None:
    fig = getattr(pv, plot)(big_multi, **kwargs)
    assert len(fig.to_json()) <= 2_000_000


def test_contour_grid_is_bounded(big: Any) -> None:
    fig = pv.plot_contour(big, params=["lr", "x"])
    z = np.asarray(fig.data[0].z)
    assert z.shape == (102, 102)  # 100 bins plus Optuna's two padding lines
    assert "binned on a 100-cell grid" in fig.layout.title.text
    shown = len(fig.data[1].x) + len(fig.data[2].x)
    assert shown == 2000  # two parameters: one panel, the whole point budget
    # Each cell holds the best (minimum) objective of the trials in it.
    assert np.nanmin(z) == pytest.approx(min(t.value for t in big.get_trials()))


def test_subsampling_is_deterministic(big: Any) -> None:
    a = pv.plot_slice(big, params=["x"]).to_json()
    b = pv.plot_slice(big, params=["x"]).to_json()
    assert a == b


def test_rank_drops_hover_text_when_subsampled(big: Any) -> None:
    doc = json.loads(pv.plot_rank(big, params=["x", "y"]).to_json())
    assert all("hovertext" not in tr for tr in doc["data"])
    small = pv.StudySnapshot(big.get_trials(deepcopy=False)[:50], ["minimize"])
    doc = json.loads(pv.plot_rank(small, params=["x", "y"]).to_json())
    assert "hovertext" in doc["data"][0]


def test_aggregated_parallel_lines_keep_every_band(big: Any) -> None:
    fig = pv.plot_parallel_coordinate(big, params=["x"])
    lines = [tr for tr in fig.data if tr.mode == "lines"]
    assert 1 < len(lines) <= 18  # nine colour bands x (feasible, infeasible)
    n_lines = sum(int(np.isnan(np.asarray(tr.y, dtype=float)).sum()) for tr in lines)
    assert n_lines == 2000
