"""Loading a framework a callback needs, with an error that names the extra."""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["require"]


def require(callback: str, *modules: str) -> Any:
    """The first of ``modules`` that imports (typed ``Any``: the frameworks are optional).

    Raises:
        ModuleNotFoundError: none of them is installed; ``name`` is the framework.
    """
    for name in modules:
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    top = modules[0].split(".")[0]
    # ModuleNotFoundError with the framework's name: callers (and the doctest collector) can tell
    # a missing optional dependency from a broken parabola module.
    raise ModuleNotFoundError(
        f"{callback} needs {top}, which is not installed (pip install 'parabola[frameworks]').",
        name=top,
    )
