"""The figures compared with Optuna 5.0: (case id, plot name, scenario, keyword arguments).

Used by the live differential test (``test_visualization_optuna_parity.py``, needs Optuna) and by
``make_visualization_fixtures.py``, which records Optuna's traces into
``fixtures/optuna_traces.json`` so that ``test_recorded_parity.py`` compares against them in CI,
where Optuna is not installed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import viz_scenarios as scenarios

Case = tuple[str, str, Callable[[], dict[str, Any]], Callable[[], dict[str, Any]]]


def _none() -> dict[str, Any]:
    return {}


def _first() -> dict[str, Any]:
    return {"target": lambda t: t.values[0], "target_name": "first"}


CASES: list[Case] = [
    ("history", "plot_optimization_history", scenarios.single, _none),
    (
        "history-constrained",
        "plot_optimization_history",
        lambda: scenarios.single(with_constraints=True),
        _none,
    ),
    ("history-target", "plot_optimization_history", scenarios.multi, _first),
    ("history-empty", "plot_optimization_history", scenarios.empty, _none),
    ("intermediate", "plot_intermediate_values", scenarios.single, _none),
    ("intermediate-empty", "plot_intermediate_values", scenarios.empty, _none),
    ("edf", "plot_edf", scenarios.single, _none),
    ("edf-empty", "plot_edf", scenarios.empty, _none),
    ("slice", "plot_slice", scenarios.single, _none),
    ("slice-params", "plot_slice", scenarios.single, lambda: {"params": ["lr"]}),
    (
        "slice-constrained",
        "plot_slice",
        lambda: scenarios.single(with_constraints=True),
        lambda: {"params": ["x", "kind"]},
    ),
    ("slice-empty", "plot_slice", scenarios.empty, _none),
    ("contour-2", "plot_contour", scenarios.single, lambda: {"params": ["lr", "x"]}),
    ("contour-cat", "plot_contour", scenarios.single, lambda: {"params": ["kind", "n", "x"]}),
    ("contour-conditional", "plot_contour", scenarios.single, lambda: {"params": ["depth", "lr"]}),
    ("contour-empty", "plot_contour", scenarios.empty, _none),
    ("rank-2", "plot_rank", scenarios.single, lambda: {"params": ["lr", "x"]}),
    (
        "rank-3",
        "plot_rank",
        lambda: scenarios.single(with_constraints=True),
        lambda: {"params": ["kind", "lr", "x"]},
    ),
    ("rank-empty", "plot_rank", scenarios.empty, _none),
    ("parallel", "plot_parallel_coordinate", scenarios.single, _none),
    (
        "parallel-constrained",
        "plot_parallel_coordinate",
        lambda: scenarios.single(with_constraints=True),
        lambda: {"params": ["x", "lr"]},
    ),
    ("parallel-multi", "plot_parallel_coordinate", scenarios.multi, _none),
    ("parallel-empty", "plot_parallel_coordinate", scenarios.empty, _none),
    ("importances", "plot_param_importances", scenarios.single, _none),
    ("importances-multi", "plot_param_importances", scenarios.multi, _none),
    ("pareto-2", "plot_pareto_front", scenarios.multi, _none),
    (
        "pareto-2-nodominated",
        "plot_pareto_front",
        scenarios.multi,
        lambda: {"include_dominated_trials": False, "target_names": ["a", "b"]},
    ),
    ("pareto-3", "plot_pareto_front", lambda: scenarios.multi(n_obj=3), _none),
    (
        "pareto-constrained",
        "plot_pareto_front",
        lambda: scenarios.multi(with_constraints=True),
        _none,
    ),
    (
        "hypervolume-2",
        "plot_hypervolume_history",
        scenarios.multi,
        lambda: {"reference_point": [1.5, -0.5]},
    ),
    (
        "hypervolume-3",
        "plot_hypervolume_history",
        lambda: scenarios.multi(n_obj=3, with_constraints=True),
        lambda: {"reference_point": [1.5, -0.5, 2.0]},
    ),
    ("timeline", "plot_timeline", lambda: scenarios.multi(with_constraints=True), _none),
    ("timeline-recent", "plot_timeline", scenarios.multi, lambda: {"n_recent_trials": 5}),
]
