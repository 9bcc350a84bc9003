"""The matplotlib twins: build the plotly figure, then draw it (one implementation per plot)."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import Any, TypeVar

from parabola.visualization import (
    _contour,
    _edf,
    _hypervolume_history,
    _intermediate_values,
    _pareto_front,
    _rank,
    _run_history,
    _slice,
    _timeline,
)
from parabola.visualization import _optimization_history as _history
from parabola.visualization import _parallel_coordinate as _parallel
from parabola.visualization import _param_importances as _importances
from parabola.visualization.matplotlib._render import to_matplotlib

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

F = TypeVar("F", bound=Callable[..., Any])


def is_available() -> bool:
    """Whether matplotlib (and plotly, which builds the figures) can be imported.

    Example:
        >>> from parabola.visualization.matplotlib import is_available
        >>> isinstance(is_available(), bool)
        True
    """
    try:
        importlib.import_module("matplotlib")
        importlib.import_module("plotly.graph_objects")
    except ImportError:
        return False
    return True


def _on_matplotlib(plotly_fn: F) -> F:
    @functools.wraps(plotly_fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return to_matplotlib(plotly_fn(*args, **kwargs))

    wrapper.__doc__ = (
        f"The figure of :func:`parabola.visualization.{plotly_fn.__name__}`, drawn on "
        "matplotlib (same arguments).\n\n"
        "Returns:\n    A ``matplotlib.axes.Axes``, or a 2-D array of them for several panels.\n"
    )
    return wrapper  # type: ignore[return-value]


plot_contour = _on_matplotlib(_contour.plot_contour)
plot_edf = _on_matplotlib(_edf.plot_edf)
plot_hypervolume_history = _on_matplotlib(_hypervolume_history.plot_hypervolume_history)
plot_intermediate_values = _on_matplotlib(_intermediate_values.plot_intermediate_values)
plot_optimization_history = _on_matplotlib(_history.plot_optimization_history)
plot_parallel_coordinate = _on_matplotlib(_parallel.plot_parallel_coordinate)
plot_param_importances = _on_matplotlib(_importances.plot_param_importances)
plot_pareto_front = _on_matplotlib(_pareto_front.plot_pareto_front)
plot_rank = _on_matplotlib(_rank.plot_rank)
plot_run_history = _on_matplotlib(_run_history.plot_run_history)
plot_slice = _on_matplotlib(_slice.plot_slice)
plot_timeline = _on_matplotlib(_timeline.plot_timeline)
