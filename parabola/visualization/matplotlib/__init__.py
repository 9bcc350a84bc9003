"""Optuna's ``optuna.visualization.matplotlib``: the same plots, drawn on matplotlib.

Each function takes the arguments of its plotly twin in :mod:`parabola.visualization` and
returns a ``matplotlib.axes.Axes`` (a 2-D array of them for multi-panel plots, as Optuna's do).
The figure is built once, as the plotly figure's data, and drawn here, so both libraries show
the same numbers. matplotlib is part of the ``plot`` extra.

Example:
    >>> import parabola
    >>> from parabola.visualization.matplotlib import plot_optimization_history
    >>> study = parabola.create_study(storage=parabola.storages.InMemoryStorage())
    >>> study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=10)
    >>> ax = plot_optimization_history(study)
    >>> ax.get_title() or ax.figure.get_suptitle()
    'Optimization History Plot'
"""

from __future__ import annotations

from parabola.visualization.matplotlib._plots import (
    is_available,
    plot_contour,
    plot_edf,
    plot_hypervolume_history,
    plot_intermediate_values,
    plot_optimization_history,
    plot_parallel_coordinate,
    plot_param_importances,
    plot_pareto_front,
    plot_rank,
    plot_run_history,
    plot_slice,
    plot_timeline,
)

__all__ = [
    "is_available",
    "plot_contour",
    "plot_edf",
    "plot_hypervolume_history",
    "plot_intermediate_values",
    "plot_optimization_history",
    "plot_parallel_coordinate",
    "plot_param_importances",
    "plot_pareto_front",
    "plot_rank",
    "plot_run_history",
    "plot_slice",
    "plot_timeline",
]

__doctest_requires__ = ("plotly", "matplotlib")  # the examples draw figures (root conftest.py)
