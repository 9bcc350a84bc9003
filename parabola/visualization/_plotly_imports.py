"""plotly, loaded on first use: ``import parabola.visualization`` works without it."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

__all__ = ["go", "is_available", "make_subplots"]

_MISSING = (
    "parabola.visualization needs plotly, which is not installed: "
    "pip install 'parabola[plot]' (or pip install plotly)."
)


def is_available() -> bool:
    """Whether plotly can be imported, so that the ``plot_*`` functions work.

    Example:
        >>> from parabola.visualization import is_available
        >>> isinstance(is_available(), bool)
        True
    """
    try:
        importlib.import_module("plotly.graph_objects")
    except ImportError:
        return False
    return True


def go() -> ModuleType:
    """``plotly.graph_objects``, or an ImportError saying which extra to install."""
    try:
        return importlib.import_module("plotly.graph_objects")
    except ImportError as e:
        raise ImportError(_MISSING) from e


def make_subplots(**kwargs: Any) -> Any:
    try:
        subplots = importlib.import_module("plotly.subplots")
    except ImportError as e:
        raise ImportError(_MISSING) from e
    return subplots.make_subplots(**kwargs)
