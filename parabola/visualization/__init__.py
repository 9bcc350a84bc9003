"""Optuna's plots on parabola's studies and runs, as plotly figures.

``parabola.visualization.matplotlib`` has the same functions drawn on matplotlib.

Every function of ``optuna.visualization`` (5.0) is here with the same name, arguments and
behaviour; ``plot_intermediate_values`` can also draw any metric the trials' tracking runs logged,
and :func:`plot_run_history` draws runs' metrics against step, time or another metric. plotly is
an optional extra (``pip install 'parabola[plot]'``), imported on the first plot.

**Building figures without a store (the dashboard's contract).** The ``study`` argument of every
``plot_*`` function is a :class:`TrialSource`: any object with ``study_name``, ``directions``,
``metric_names`` and ``get_trials(deepcopy, states)``. A :class:`parabola.study.Study` is one; so
is a :class:`StudySnapshot`, built from a sequence of :class:`~parabola.trial.FrozenTrial` plus
the directions (and optionally the metric names). The plotting code calls ``get_trials`` once per
source and reads nothing else: no storage, no private attribute. Run histories come in the same
way, as :class:`RunHistory` objects (a name plus columns) or anything with
``history(samples=, keys=, x_axis=)`` such as the public ``parabola.Api`` runs.

**Figures are compact data.** Numeric trace data are numpy arrays, which plotly serialises as
typed binary blocks (``fig.to_json()``; ``fig.to_plotly_json()`` keeps the arrays), and no
per-point hover text is attached beyond what Optuna attaches. Plots that would draw every trial
draw at most a fixed budget of points (2,000 per trace) once a study is larger, chosen by a
seeded subsample, and say so in the figure's title (for example ``"2,000 of 10,000 trials shown
(random subsample)"``); contour grids are at most 100 x 100. Below the budget a figure holds
exactly Optuna's data.

Example:
    >>> import parabola
    >>> from parabola.visualization import StudySnapshot, plot_optimization_history
    >>> study = parabola.create_study(storage=parabola.storages.InMemoryStorage())
    >>> study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=20)
    >>> fig = plot_optimization_history(study)                 # from the study...
    >>> snapshot = StudySnapshot(study.get_trials(deepcopy=False), directions=["minimize"])
    >>> plot_optimization_history(snapshot).to_json() == fig.to_json()   # ...or its trials
    True
"""

from __future__ import annotations

from parabola.visualization import matplotlib
from parabola.visualization._contour import plot_contour
from parabola.visualization._edf import plot_edf
from parabola.visualization._hypervolume_history import plot_hypervolume_history
from parabola.visualization._intermediate_values import plot_intermediate_values
from parabola.visualization._optimization_history import plot_optimization_history
from parabola.visualization._parallel_coordinate import plot_parallel_coordinate
from parabola.visualization._param_importances import plot_param_importances
from parabola.visualization._pareto_front import plot_pareto_front
from parabola.visualization._plotly_imports import is_available
from parabola.visualization._rank import plot_rank
from parabola.visualization._run_history import HistorySource, RunHistory, plot_run_history
from parabola.visualization._slice import plot_slice
from parabola.visualization._source import StudySnapshot, TrialSource
from parabola.visualization._timeline import plot_timeline

__all__ = [
    "HistorySource",
    "RunHistory",
    "StudySnapshot",
    "TrialSource",
    "is_available",
    "matplotlib",
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

__doctest_requires__ = ("plotly",)  # the examples draw figures (root conftest.py)
